//! One search over people and organisations (issue 5), in the caller's scope.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kexie_search::{Kind, SearchIndex, MAX_LIMIT};
use kexie_store::{OrgHit, PersonHit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::Query;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Name, employer, discipline, organisation code, pinyin (`zhangsan`, `shan` for 单) or
    /// pinyin initials (`zs`); Chinese text matches where it appears inside a name
    /// (科学技术 finds 中国科学技术协会). Pieces separated by spaces must all match.
    q: Option<String>,
    /// `person` or `org` (default: both).
    kind: Option<String>,
    /// Hits of each kind, 1 to 100 (default 20).
    limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    q: String,
    /// False while this node builds its index for the first time (after an upgrade or a new
    /// database): nothing is found until it is done.
    ready: bool,
    /// Organisations, best match first.
    orgs: Vec<OrgHit>,
    /// People, best match first; no identity numbers or phones.
    persons: Vec<PersonHit>,
}

/// The node's index (every server has one; an app built without it cannot search).
pub(crate) fn index(state: &AppState) -> Result<&SearchIndex, AppError> {
    state
        .search()
        .ok_or_else(|| AppError::Internal("this node has no search index".into()))
}

/// `person`, `org`, or both when absent or empty.
pub(crate) fn kind(code: Option<&str>) -> Result<Option<Kind>, AppError> {
    match code.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => Ok(Some(Kind::parse(k)?)),
    }
}

/// Finds people and organisations in the caller's scope by name, employer, discipline, pinyin
/// and pinyin initials. Empty `q` finds nothing. The index follows writes within about a second.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 400, body = crate::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SearchQuery>,
) -> Result<Json<SearchResults>, AppError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::BadRequest(format!(
            "limit 应在 1 到 {MAX_LIMIT} 之间 / limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let kind = kind(query.kind.as_deref())?;
    let q = query.q.unwrap_or_default();
    let index = index(&state)?;
    let found = index
        .find(state.store(), &caller.scope, &q, kind, limit)
        .await?;
    Ok(Json(SearchResults {
        q,
        ready: index.is_ready(),
        orgs: found.orgs,
        persons: found.persons,
    }))
}
