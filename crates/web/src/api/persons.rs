//! Science and technology workers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use kexie_store::{DuplicateMatch, Identity, IntegrityRecord, PersonRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Paging;
use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::person_input::{beijing_today, PersonInput};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(list).post(create))
        .route("/persons/{id}", get(get_one).patch(update).delete(remove))
        .route("/persons/{id}/duplicates", get(duplicates))
        .route("/persons/{id}/identity", get(identity))
        .route(
            "/persons/{id}/integrity",
            get(integrity).post(add_integrity),
        )
        .route("/persons/{id}/merge", post(merge))
}

/// The full ID and phone numbers of a person (staff and the person themself); every call is
/// recorded in the audit trail.
#[utoipa::path(get, path = "/api/v1/persons/{id}/identity", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, body = Identity), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody)))]
pub async fn identity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Identity>, AppError> {
    Ok(Json(
        state.store().person_identity(&caller.scope, id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PersonQuery {
    /// Name, pinyin initials or employer.
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    items: Vec<PersonRow>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// People in the caller's scope, by pinyin of the name; identity fields masked.
#[utoipa::path(get, path = "/api/v1/persons", tag = "persons", params(PersonQuery),
    responses((status = 200, body = PersonList), (status = 400, body = crate::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PersonQuery>,
) -> Result<Json<PersonList>, AppError> {
    let paging = Paging {
        page: q.page,
        per_page: q.per_page,
    };
    let (items, total) = state
        .store()
        .list_persons(
            &caller.scope,
            q.q.as_deref(),
            paging.limit(),
            paging.offset(),
        )
        .await?;
    Ok(Json(PersonList {
        items,
        total,
        page: paging.page(),
        per_page: paging.limit(),
    }))
}

/// One person, masked.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, body = PersonRow), (status = 404, body = crate::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PersonRow>, AppError> {
    Ok(Json(state.store().person(&caller.scope, id).await?))
}

/// The result of registering a person: the record, and records that look like the same person.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    person: PersonRow,
    duplicates: Vec<DuplicateMatch>,
}

/// Registers a person kept by `org_id`. A registered ID number is a 409; records that look like
/// the same person by name and mobile, or name, birth date and employer, are listed.
#[utoipa::path(post, path = "/api/v1/persons", tag = "persons", request_body = PersonInput,
    responses((status = 201, body = Created), (status = 404, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<PersonInput>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let new = input.parse(beijing_today())?;
    let store = state.store();
    let duplicates = store.find_duplicates(&caller.scope, &new, None).await?;
    let person = store.create_person(&caller.scope, &new).await?;
    let duplicates = duplicates
        .into_iter()
        .filter(|d| d.person_id != person.person_id)
        .collect();
    Ok((StatusCode::CREATED, Json(Created { person, duplicates })))
}

/// Replaces a person's fields (ID number and mobile kept when left out).
#[utoipa::path(patch, path = "/api/v1/persons/{id}", tag = "persons", request_body = PersonInput,
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, body = PersonRow), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PersonInput>,
) -> Result<Json<PersonRow>, AppError> {
    let new = input.parse(beijing_today())?;
    Ok(Json(
        state.store().update_person(&caller.scope, id, &new).await?,
    ))
}

/// Deletes a person with their memberships (the audit trail keeps that it happened).
#[utoipa::path(delete, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 204), (status = 404, body = crate::ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.store().delete_person(&caller.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records in scope that look like the same person.
#[utoipa::path(get, path = "/api/v1/persons/{id}/duplicates", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, body = [DuplicateMatch]), (status = 404, body = crate::ErrorBody)))]
pub async fn duplicates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DuplicateMatch>>, AppError> {
    Ok(Json(state.store().duplicates_of(&caller.scope, id).await?))
}

/// A person's integrity records (诚信档案), newest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/integrity", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, body = [IntegrityRecord]), (status = 404, body = crate::ErrorBody)))]
pub async fn integrity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<IntegrityRecord>>, AppError> {
    if caller.scope.person_id().is_some() {
        return Err(AppError::Forbidden);
    }
    Ok(Json(
        state.store().integrity_records(&caller.scope, id).await?,
    ))
}

/// Records a finding or sanction (`org_id`: the recording organisation, in scope; dates
/// YYYY-MM-DD; the expiry not before the date recorded; a description of at most 2,000
/// characters, an issuer of at most 100).
#[utoipa::path(post, path = "/api/v1/persons/{id}/integrity", tag = "persons",
    request_body = IntegrityRecord, params(("id" = i64, Path, description = "person id")),
    responses((status = 201, body = [IntegrityRecord]), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn add_integrity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(record): JsonBody<IntegrityRecord>,
) -> Result<(StatusCode, Json<Vec<IntegrityRecord>>), AppError> {
    let store = state.store();
    store
        .add_integrity_record(&caller.scope, id, &record)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(store.integrity_records(&caller.scope, id).await?),
    ))
}

/// Which record of a pair to merge into the other.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeBody {
    /// The duplicate, merged into `{id}` and then deleted.
    duplicate: i64,
}

/// Merges `duplicate` into `{id}`: memberships, integrity records, the account and posts move
/// over; a masked trail is kept; the duplicate is deleted.
#[utoipa::path(post, path = "/api/v1/persons/{id}/merge", tag = "persons", request_body = MergeBody,
    params(("id" = i64, Path, description = "the person kept")),
    responses((status = 200, body = PersonRow), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<MergeBody>,
) -> Result<Json<PersonRow>, AppError> {
    Ok(Json(
        state
            .store()
            .merge_persons(&caller.scope, id, body.duplicate)
            .await?,
    ))
}
