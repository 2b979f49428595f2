//! The results page of the search box in every page's header.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kexie_store::{OrgHit, PersonHit};
use serde::Deserialize;

use super::{render, Chrome};
use crate::api::search::{index, kind};
use crate::caller::Caller;
use crate::error::PageError;
use crate::extract::Query;
use crate::AppState;

/// Hits of each kind on the page.
const PER_KIND: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(page))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    kind: String,
    ready: bool,
    orgs: Vec<OrgHit>,
    persons: Vec<PersonHit>,
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let q = query.q.unwrap_or_default();
    let wanted = kind(query.kind.as_deref()).map_err(|e| PageError(e, lang))?;
    let index = index(&state).map_err(|e| PageError(e, lang))?;
    let found = index
        .find(state.store(), &caller.scope, &q, wanted, PER_KIND)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let page = SearchPage {
        c: Chrome::new(&state, &caller, lang.t("search.title"), "search"),
        kind: wanted.map(|k| k.code()).unwrap_or("").to_string(),
        ready: index.is_ready(),
        q,
        orgs: found.orgs,
        persons: found.persons,
    };
    Ok(render(page, lang))
}
