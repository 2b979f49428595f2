//! The registry of science and technology workers: search by name, pinyin initials or employer.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use kexie_store::{Identity, MembershipRow, PersonRow};
use serde::Deserialize;

use super::{render, url_encode, Chrome, Pager};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::AppState;

const PER_PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(list))
        .route("/persons/{id}", get(show))
        .route("/persons/{id}/unmask", post(unmask))
}

#[derive(Template)]
#[template(path = "pages/person.html")]
struct PersonPage {
    c: Chrome,
    person: PersonRow,
    memberships: Vec<MembershipRow>,
    can_unmask: bool,
    identity: Option<Identity>,
}

async fn person_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    identity: Option<Identity>,
) -> Result<Response, AppError> {
    let store = state.store();
    let person = store.person(&caller.scope, id).await?;
    let memberships = store.person_memberships(&caller.scope, id).await?;
    let page = PersonPage {
        c: Chrome::new(state, caller, person.name.clone(), "persons"),
        can_unmask: caller.scope.can_unmask(),
        person,
        memberships,
        identity,
    };
    Ok(render(page, caller.lang))
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    person_page(&state, &caller, id, None)
        .await
        .map_err(|e| PageError(e, caller.lang))
}

#[derive(Deserialize)]
struct Empty {}

/// Shows the full ID and phone numbers once, recorded in the audit trail.
async fn unmask(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let identity = state
        .store()
        .person_identity(&caller.scope, id)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let mut response = person_page(&state, &caller, id, Some(identity))
        .await
        .map_err(|e| PageError(e, lang))?;
    // A page with full numbers is not kept by the browser or any cache.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
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
    can_write: bool,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let page = query.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let q = query.q.unwrap_or_default();
    let (persons, total) = state
        .store()
        .list_persons(&caller.scope, Some(&q), PER_PAGE, (page - 1) * PER_PAGE)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let page = PersonsPage {
        c: Chrome::new(&state, &caller, lang.t("persons.title"), "persons"),
        pager: Pager::new(page, PER_PAGE, total, format!("q={}", url_encode(&q))),
        can_write: caller.scope.can_write(),
        q,
        persons,
    };
    Ok(render(page, lang))
}
