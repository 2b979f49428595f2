//! Figures for dashboards.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kexie_store::Overview;

use crate::caller::Caller;
use crate::error::AppError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/stats/overview", get(overview))
}

/// Counts of organisations, people and members in the caller's scope.
#[utoipa::path(get, path = "/api/v1/stats/overview", tag = "stats",
    responses((status = 200, body = Overview)))]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Overview>, AppError> {
    Ok(Json(state.store().overview(&caller.scope).await?))
}
