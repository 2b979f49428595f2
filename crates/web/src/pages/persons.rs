//! The registry of science and technology workers: search by name, pinyin initials or employer.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_store::{Identity, IntegrityRecord, MembershipRow, PersonRow};
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
        .route("/persons/{id}/integrity", post(add_integrity))
}

#[derive(Template)]
#[template(path = "pages/person.html")]
struct PersonPage {
    c: Chrome,
    person: PersonRow,
    memberships: Vec<MembershipRow>,
    can_unmask: bool,
    identity: Option<Identity>,
    /// Integrity records (诚信档案), for organisation roles only.
    integrity: Option<Vec<IntegrityRecord>>,
    can_write: bool,
    /// Today in Beijing (YYYY-MM-DD): which sanctions are in force.
    today: String,
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
    let integrity = if caller.role().is_org_role() {
        Some(store.integrity_records(&caller.scope, id).await?)
    } else {
        None
    };
    let page = PersonPage {
        integrity,
        can_write: caller.scope.can_write(),
        today: crate::person_input::beijing_today().to_string(),
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
    let response = person_page(&state, &caller, id, Some(identity))
        .await
        .map_err(|e| PageError(e, lang))?;
    // A page with full numbers is not kept by the browser or any cache.
    Ok(super::not_stored(response))
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

#[derive(Deserialize)]
struct IntegrityForm {
    kind: String,
    recorded_on: String,
    description: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    expires_on: String,
}

/// Records a finding or sanction, by the caller's organisation (or the keeping one for an
/// account that reaches everything).
async fn add_integrity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<IntegrityForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        let store = state.store();
        let person = store.person(&caller.scope, id).await?;
        // The store checks the kind, the dates and the lengths, for this form and the API alike.
        let record = IntegrityRecord {
            integrity_record_id: 0,
            org_id: caller.account.org_id.unwrap_or(person.org_id),
            kind: form.kind.trim().to_string(),
            recorded_on: form.recorded_on,
            description: form.description,
            expires_on: Some(form.expires_on),
            issuer: Some(form.issuer),
        };
        store
            .add_integrity_record(&caller.scope, id, &record)
            .await?;
        Ok::<_, AppError>(())
    };
    run.await.map_err(|e| PageError(e, lang))?;
    Ok(axum::response::Redirect::to(&format!("/persons/{id}#integrity")).into_response())
}
