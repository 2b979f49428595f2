//! Kexie's HTTP face: HTML pages for people and a JSON API for programs, over one `Store`.
//!
//! `app(state)` builds the whole router; `serve` runs it on a listener the caller bound (tests
//! bind port 0 and run the real app in-process).

mod api;
mod assets;
mod caller;
mod csrf;
mod error;
mod extract;
mod health;
mod i18n;
pub mod imports;
mod jobs;
mod member_input;
mod network_input;
mod org_input;
pub(crate) mod pages;
mod person_input;
pub mod reminders;
mod session;

use std::future::Future;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use kexie_search::SearchIndex;
use kexie_store::{LoginPolicy, Store};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::{AppError, ErrorBody};
pub use i18n::Lang;

/// Settings the web tier needs; the command line builds them from the configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Demo mode: every page carries a banner saying the data is synthetic.
    pub demo: bool,
    /// Mark cookies `Secure` (when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Lockout and session timeouts.
    pub policy: LoginPolicy,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_proxy: bool,
    /// The three administrators must set up a second factor (TOTP) before anything else.
    pub require_totp_for_administrators: bool,
}

/// Shared by every request: the store, the settings and the node's search index (derived data
/// that each node keeps up to date from the database). Nothing else lives in a node's memory, so
/// several nodes can serve one PostgreSQL database — except the imports left running in the
/// background and their reports (`jobs.rs`), which stay with the node that took the upload.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    settings: Settings,
    jobs: jobs::ImportJobs,
    search: Option<SearchIndex>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                settings,
                jobs: jobs::ImportJobs::default(),
                search: None,
            }),
        }
    }

    /// The same state with a search index (the caller runs its feed).
    pub fn with_search(self, index: SearchIndex) -> AppState {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            store: shared.store.clone(),
            settings: shared.settings.clone(),
            // Called at start, before any upload: there are no jobs to carry over.
            jobs: jobs::ImportJobs::default(),
            search: shared.search.clone(),
        });
        AppState {
            inner: Arc::new(Inner {
                search: Some(index),
                ..inner
            }),
        }
    }

    /// The search index, if this node has one.
    pub fn search(&self) -> Option<&SearchIndex> {
        self.inner.search.as_ref()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub(crate) fn jobs(&self) -> &jobs::ImportJobs {
        &self.inner.jobs
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(assets::router())
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .merge(api::docs())
        .fallback(error::not_found)
        .with_state(state)
        .layer(TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                 script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the requests
/// in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
