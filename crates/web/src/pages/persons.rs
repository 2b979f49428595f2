//! The registry of science and technology workers: search by name, pinyin initials or employer.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kexie_store::PersonRow;
use serde::Deserialize;

use super::{render, url_encode, Chrome, Pager};
use crate::caller::Caller;
use crate::error::PageError;
use crate::extract::Query;
use crate::AppState;

const PER_PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/persons", get(list))
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "pages/persons.html")]
struct PersonsPage {
    c: Chrome,
    q: String,
    persons: Vec<PersonRow>,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let page = query.page.unwrap_or(1).max(1);
    let q = query.q.unwrap_or_default();
    let (persons, total) = state
        .store()
        .list_persons(&caller.scope, Some(&q), PER_PAGE, (page - 1) * PER_PAGE)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let page = PersonsPage {
        c: Chrome::new(&state, &caller, lang.t("persons.title"), "persons"),
        pager: Pager::new(page, PER_PAGE, total, format!("q={}", url_encode(&q))),
        q,
        persons,
    };
    Ok(render(page, lang))
}
