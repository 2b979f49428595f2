//! The organisation network's posts (任职) and pilot programmes (试点).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use kexie_store::{OrgPost, Pilot, PilotSummary};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::network_input::{PilotInput, PostInput, PostPatchInput};
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/posts", get(org_posts).post(add_post))
        .route("/posts/{id}", get(post).patch(update_post).delete(end_post))
        .route("/pilots", get(pilots).post(create_pilot))
        .route("/pilots/{id}", get(pilot))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PostsQuery {
    /// `1` to list ended posts too (default: only posts held today).
    all: Option<u8>,
}

/// The posts of an organisation: those held today, or with `all=1` every one.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/posts", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id"), PostsQuery),
    responses((status = 200, body = [OrgPost]), (status = 404, body = crate::ErrorBody)))]
pub async fn org_posts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PostsQuery>,
) -> Result<Json<Vec<OrgPost>>, AppError> {
    let all = q.all.unwrap_or(0) != 0;
    Ok(Json(
        state
            .store()
            .org_posts(&caller.scope, id, beijing_today(), all)
            .await?,
    ))
}

/// Gives a person of the registry a post in the organisation, optionally as a key person.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/posts", tag = "orgs", request_body = PostInput,
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 201, body = OrgPost), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn add_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PostInput>,
) -> Result<(StatusCode, Json<OrgPost>), AppError> {
    let new = input.to_new()?;
    let post = state.store().add_org_post(&caller.scope, id, &new).await?;
    Ok((StatusCode::CREATED, Json(post)))
}

/// One post.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "orgs",
    params(("id" = i64, Path, description = "post id")),
    responses((status = 200, body = OrgPost), (status = 404, body = crate::ErrorBody)))]
pub async fn post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<OrgPost>, AppError> {
    Ok(Json(state.store().org_post(&caller.scope, id).await?))
}

/// Changes a post (an `ended_on` ends it on that day).
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "orgs", request_body = PostPatchInput,
    params(("id" = i64, Path, description = "post id")),
    responses((status = 200, body = OrgPost), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn update_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PostPatchInput>,
) -> Result<Json<OrgPost>, AppError> {
    let patch = input.to_patch()?;
    Ok(Json(
        state
            .store()
            .update_org_post(&caller.scope, id, &patch)
            .await?,
    ))
}

/// Ends a post today (the record stays, no longer current).
#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "orgs",
    params(("id" = i64, Path, description = "post id")),
    responses((status = 200, body = OrgPost), (status = 404, body = crate::ErrorBody)))]
pub async fn end_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<OrgPost>, AppError> {
    Ok(Json(
        state
            .store()
            .end_org_post(&caller.scope, id, beijing_today())
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PilotsQuery {
    /// Only pilots issued by this organisation.
    org: Option<i64>,
}

/// Pilot programmes issued in the caller's scope, with their progress.
#[utoipa::path(get, path = "/api/v1/pilots", tag = "orgs", params(PilotsQuery),
    responses((status = 200, body = [PilotSummary])))]
pub async fn pilots(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PilotsQuery>,
) -> Result<Json<Vec<PilotSummary>>, AppError> {
    Ok(Json(state.store().pilots(&caller.scope, q.org).await?))
}

/// Creates a pilot programme with its categories, units and leading group.
#[utoipa::path(post, path = "/api/v1/pilots", tag = "orgs", request_body = PilotInput,
    responses((status = 201, body = Pilot), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn create_pilot(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<PilotInput>,
) -> Result<(StatusCode, Json<Pilot>), AppError> {
    let new = input.to_new()?;
    let pilot = state.store().create_pilot(&caller.scope, &new).await?;
    Ok((StatusCode::CREATED, Json(pilot)))
}

/// One pilot programme: categories with their units and progress, the leading group.
#[utoipa::path(get, path = "/api/v1/pilots/{id}", tag = "orgs",
    params(("id" = i64, Path, description = "pilot id")),
    responses((status = 200, body = Pilot), (status = 404, body = crate::ErrorBody)))]
pub async fn pilot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Pilot>, AppError> {
    Ok(Json(state.store().pilot(&caller.scope, id).await?))
}
