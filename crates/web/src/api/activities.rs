//! Activities (活动记录) of an organisation: listed (its own and its branches', by year) and
//! recorded. They feed `branch.inactive` and the annual report.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kexie_domain::governance::ActivityKind;
use kexie_store::{Activity, ActivityFilter, NewActivity};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/orgs/{id}/activities", get(list).post(create))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ActivityQuery {
    /// Only activities held in this calendar year.
    year: Option<i32>,
    /// Include the organisation's branches and every organisation below it (default true).
    subtree: Option<bool>,
}

/// The activities of an organisation (and, by default, of the organisations below it), newest
/// first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/activities", tag = "governance",
    params(("id" = i64, Path, description = "organisation id"), ActivityQuery),
    responses((status = 200, body = [Activity]), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<ActivityQuery>,
) -> Result<Json<Vec<Activity>>, AppError> {
    let filter = ActivityFilter {
        year: q.year,
        subtree: q.subtree.unwrap_or(true),
    };
    Ok(Json(
        state.store().activities(&caller.scope, id, &filter).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// `YYYY-MM-DD`.
    held_on: String,
    title: String,
    /// `academic_exchange`, `popularisation`, `training`, `consultation`, `meeting` or `other`
    /// (the Chinese names are accepted too).
    kind: String,
    #[serde(default)]
    participants: i64,
    notes: Option<String>,
}

/// Records an activity of an organisation. Bad input is refused with 422 naming the problem.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/activities", tag = "governance",
    params(("id" = i64, Path, description = "organisation id")),
    request_body = ActivityInput,
    responses((status = 201, body = Activity), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ActivityInput>,
) -> Result<(StatusCode, Json<Activity>), AppError> {
    let store = state.store();
    // In scope first (404), then the right (403), then the content (422).
    store.org(&caller.scope, id).await?;
    if !caller.scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let kind = ActivityKind::parse(&input.kind).ok_or_else(|| {
        AppError::Unprocessable(format!(
            "未知的活动类别“{}” / unknown activity kind",
            input.kind
        ))
    })?;
    let held_on = NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::Unprocessable("活动日期应写作 YYYY-MM-DD / held_on must be YYYY-MM-DD".into())
    })?;
    let new = NewActivity {
        held_on,
        title: input.title,
        kind,
        participants: input.participants,
        notes: input.notes,
    };
    let activity_id = store.create_activity(&caller.scope, id, &new).await?;
    let created = store.activity(&caller.scope, activity_id).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
