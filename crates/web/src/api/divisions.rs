//! The official division tree.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kexie_store::Division;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::Query;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/divisions", get(list))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DivisionQuery {
    /// List the children of this code: 2, 4, 6, 9 or 12 digits (provinces when absent).
    /// Empty means absent.
    #[param(
        pattern = r"^((1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])([0-9]{2}|[0-9]{4}|[0-9]{7}|[0-9]{10})?)?$"
    )]
    parent: Option<String>,
    /// Instead, find divisions by name or pinyin initials ("hrb" finds 哈尔滨市).
    q: Option<String>,
}

/// Children of a division, or divisions matching a name or pinyin initials.
#[utoipa::path(get, path = "/api/v1/divisions", tag = "divisions", params(DivisionQuery),
    responses((status = 200, body = [Division]), (status = 400, body = crate::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<DivisionQuery>,
) -> Result<Json<Vec<Division>>, AppError> {
    let parent = match q.parent.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(
            kexie_domain::division::DivisionCode::parse(p)
                .map_err(|e| AppError::BadRequest(e.to_string()))?,
        ),
        None => None,
    };
    let store = state.store();
    let list = match q.q.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(text) => {
            store
                .division_search(text, parent.as_ref().map(|p| p.as_str()), 50)
                .await?
        }
        None => {
            store
                .division_children(parent.as_ref().map(|p| p.as_str()))
                .await?
        }
    };
    Ok(Json(list))
}
