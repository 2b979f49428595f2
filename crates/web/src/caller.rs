//! Who is asking. Every page and API route but sign-in takes a `Caller`: a signed-in account, the
//! scope every store call of the request runs in, the language, and the CSRF token its forms
//! carry. Pages accept the session cookie; the API accepts only `Authorization: Bearer` tokens,
//! so a cross-site form can never act through the API.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use kexie_domain::role::Role;
use kexie_store::{Account, Scope};

use crate::error::{AppError, PageError};
use crate::i18n::Lang;
use crate::pages::url_encode;
use crate::session::{client_address, cookie, SESSION_COOKIE};
use crate::AppState;

pub struct Caller {
    pub account: Account,
    pub scope: Scope,
    pub lang: Lang,
    /// The token forms must carry (empty for API callers, who use no forms).
    pub csrf: String,
    /// The session id, for signing out (pages only).
    pub session: Option<String>,
    pub client: String,
    /// Unread work-plan reminders of the account's organisation (pages only; 0 for the API).
    pub notices: i64,
}

impl Caller {
    pub fn role(&self) -> Role {
        self.account.role
    }

    /// Refuses the request unless the caller holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.account.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Why a request has no caller: an API client gets JSON, a browser is sent to sign in.
pub enum NoCaller {
    Api(AppError),
    Page(Response),
}

impl IntoResponse for NoCaller {
    fn into_response(self) -> Response {
        match self {
            NoCaller::Api(e) => e.into_response(),
            NoCaller::Page(r) => r,
        }
    }
}

/// Paths a signed-in person may open while a first password change or a second factor is
/// still due.
const ALWAYS_OPEN: &[&str] = &["/password", "/logout", "/login/totp", "/account/totp"];

impl FromRequestParts<AppState> for Caller {
    type Rejection = NoCaller;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, NoCaller> {
        let lang = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let client = client_address(parts, state.settings().trust_proxy);
        // Under a nested router `uri` has lost its prefix: take the original.
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|o| o.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        let path = uri.path().to_string();
        let store = state.store();
        if path.starts_with("/api/") {
            let token = parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or(NoCaller::Api(AppError::Unauthorized))?;
            let (account, generation) = store
                .token_caller(token)
                .await
                .map_err(|e| NoCaller::Api(e.into()))?
                .ok_or(NoCaller::Api(AppError::Unauthorized))?;
            return Ok(Caller {
                scope: account.scope(&client).at_generation(generation),
                account,
                lang,
                csrf: String::new(),
                session: None,
                client,
                notices: 0,
            });
        }
        let to_login = || {
            let next = uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            NoCaller::Page(
                Redirect::to(&format!("/login?next={}", url_encode(&next))).into_response(),
            )
        };
        let Some(session_id) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let session = store
            .session(&session_id, &state.settings().policy)
            .await
            .map_err(|e| NoCaller::Page(PageError(e.into(), lang).into_response()))?
            .ok_or_else(to_login)?;
        let account = session.account;
        let open = ALWAYS_OPEN.contains(&path.as_str());
        if session.totp_pending && path != "/login/totp" && path != "/logout" {
            return Err(NoCaller::Page(Redirect::to("/login/totp").into_response()));
        }
        if !open {
            if account.must_change_password {
                return Err(NoCaller::Page(Redirect::to("/password").into_response()));
            }
            if state.settings().require_totp_for_administrators
                && account.role.is_administrator()
                && !account.totp_enabled
            {
                return Err(NoCaller::Page(
                    Redirect::to("/account/totp").into_response(),
                ));
            }
        }
        // Forms read later in the same request check against this token without another
        // session lookup.
        parts
            .extensions
            .insert(crate::csrf::SessionToken(session.csrf_token.clone()));
        let scope = account.scope(&client);
        let notices = crate::pages::workplan::header_notices(state, &account, &scope).await;
        Ok(Caller {
            scope,
            account,
            lang,
            csrf: session.csrf_token,
            session: Some(session_id),
            client,
            notices,
        })
    }
}
