//! A member's own record (role `member`) and the staff queue of identity corrections.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use kexie_domain::role::Role;
use kexie_store::{Correction, Identity, MembershipRow, PersonRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::member_input::{ContactInput, CorrectionBody};
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me).patch(update_contact))
        .route("/me/corrections", post(request_correction))
        .route("/corrections", get(corrections))
        .route("/corrections/{id}/approve", post(approve))
        .route("/corrections/{id}/reject", post(reject))
}

/// A member's own profile: the record with their own numbers in full (each reading is audited),
/// the contact fields, memberships and correction requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyProfile {
    pub person: PersonRow,
    pub identity: Identity,
    pub ethnicity: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    pub post: Option<String>,
    pub education: Option<String>,
    pub degree: Option<String>,
    pub memberships: Vec<MembershipRow>,
    pub corrections: Vec<Correction>,
}

/// The member's own person id; every other role is refused.
pub(crate) fn own_person(caller: &Caller) -> Result<i64, AppError> {
    caller.require(&[Role::Member])?;
    caller.scope.person_id().ok_or(AppError::Forbidden)
}

pub(crate) async fn profile(state: &AppState, caller: &Caller) -> Result<MyProfile, AppError> {
    let id = own_person(caller)?;
    let store = state.store();
    let person = store.person(&caller.scope, id).await?;
    let fields = store.person_fields(&caller.scope, id).await?;
    Ok(MyProfile {
        identity: store.person_identity(&caller.scope, id).await?,
        memberships: store.person_memberships(&caller.scope, id).await?,
        corrections: store.corrections(&caller.scope, false).await?,
        person,
        ethnicity: fields.ethnicity,
        email: fields.email,
        department: fields.department,
        post: fields.post,
        education: fields.education,
        degree: fields.degree,
    })
}

/// The signed-in member's own record (403 for every other role).
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, body = MyProfile), (status = 403, body = crate::ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MyProfile>, AppError> {
    Ok(Json(profile(&state, &caller).await?))
}

/// Changes the member's own contact fields, directly (audited). A phone that would make the
/// record a duplicate of another is a 409.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = ContactInput,
    responses((status = 200, body = PersonRow), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn update_contact(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<ContactInput>,
) -> Result<Json<PersonRow>, AppError> {
    own_person(&caller)?;
    let change = input.parse()?;
    Ok(Json(
        state
            .store()
            .update_own_contact(&caller.scope, &change)
            .await?,
    ))
}

/// Asks staff to correct identity fields of the member's own record.
#[utoipa::path(post, path = "/api/v1/me/corrections", tag = "me", request_body = CorrectionBody,
    responses((status = 201, body = Correction), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn request_correction(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<CorrectionBody>,
) -> Result<(StatusCode, Json<Correction>), AppError> {
    let id = own_person(&caller)?;
    let store = state.store();
    let current = store.person_fields(&caller.scope, id).await?;
    let input = body.parse(&current, beijing_today())?;
    let made = store.request_correction(&caller.scope, &input).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueQuery {
    /// `pending` (default) or `all`.
    status: Option<String>,
}

/// Correction requests of people kept by, or members of, an organisation in the caller's scope.
#[utoipa::path(get, path = "/api/v1/corrections", tag = "me", params(QueueQuery),
    responses((status = 200, body = [Correction]), (status = 400, body = crate::ErrorBody)))]
pub async fn corrections(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Vec<Correction>>, AppError> {
    // The queue is staff's; a member reads their own requests on `/me`.
    if caller.role() == Role::Member {
        return Err(AppError::Forbidden);
    }
    let pending_only = match q.status.as_deref() {
        None | Some("pending") => true,
        Some("all") => false,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "status 应为 pending 或 all / status must be pending or all, not {other}"
            )))
        }
    };
    Ok(Json(
        state
            .store()
            .corrections(&caller.scope, pending_only)
            .await?,
    ))
}

/// A decision's reason (required to reject).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Decision {
    #[serde(default)]
    pub reason: String,
}

/// Approves a pending request: the corrected fields are written to the record.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/approve", tag = "me", request_body = Decision,
    params(("id" = i64, Path, description = "correction request id")),
    responses((status = 200, body = Correction), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(d): JsonBody<Decision>,
) -> Result<Json<Correction>, AppError> {
    Ok(Json(
        state
            .store()
            .decide_correction(&caller.scope, id, true, &d.reason)
            .await?,
    ))
}

/// Rejects a pending request with a reason the member sees.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/reject", tag = "me", request_body = Decision,
    params(("id" = i64, Path, description = "correction request id")),
    responses((status = 200, body = Correction), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(d): JsonBody<Decision>,
) -> Result<Json<Correction>, AppError> {
    Ok(Json(
        state
            .store()
            .decide_correction(&caller.scope, id, false, &d.reason)
            .await?,
    ))
}
