//! Science and technology workers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kexie_store::{Identity, PersonRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Paging;
use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(list))
        .route("/persons/{id}", get(get_one))
        .route("/persons/{id}/identity", get(identity))
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
