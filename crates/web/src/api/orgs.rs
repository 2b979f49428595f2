//! Organisations.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kexie_domain::org::OrgKind;
use kexie_store::{Org, OrgFilter, OrgSummary, PersonRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Paging;
use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list))
        .route("/orgs/{id}", get(get_one))
        .route("/orgs/{id}/children", get(children))
        .route("/orgs/{id}/members", get(members))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only the direct children of this organisation.
    parent: Option<i64>,
    /// Name contains, pinyin initials start with, or the exact code.
    q: Option<String>,
    /// Kind code (`kexie`, `society` …) or its Chinese name.
    kind: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgList {
    items: Vec<OrgSummary>,
    total: i64,
    page: i64,
    per_page: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    items: Vec<PersonRow>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// Organisations in the caller's scope.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", params(ListQuery),
    responses((status = 200, body = OrgList), (status = 400, body = crate::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<OrgList>, AppError> {
    let kind =
        match q.kind.as_deref().filter(|k| !k.is_empty()) {
            Some(k) => Some(OrgKind::parse(k).ok_or_else(|| {
                AppError::BadRequest(format!("未知的组织类型 / unknown kind: {k}"))
            })?),
            None => None,
        };
    let paging = Paging {
        page: q.page,
        per_page: q.per_page,
    };
    let (items, total) = state
        .store()
        .list_orgs(
            &caller.scope,
            &OrgFilter {
                parent_id: q.parent,
                q: q.q,
                kind,
                limit: paging.limit(),
                offset: paging.offset(),
            },
        )
        .await?;
    Ok(Json(OrgList {
        items,
        total,
        page: paging.page(),
        per_page: paging.limit(),
    }))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 200, body = Org), (status = 404, body = crate::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Org>, AppError> {
    Ok(Json(state.store().org(&caller.scope, id).await?))
}

/// The direct children of an organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/children", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id"), Paging),
    responses((status = 200, body = OrgList), (status = 404, body = crate::ErrorBody)))]
pub async fn children(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(paging): Query<Paging>,
) -> Result<Json<OrgList>, AppError> {
    let store = state.store();
    let org = store.org(&caller.scope, id).await?;
    let (items, total) = store
        .list_orgs(
            &caller.scope,
            &OrgFilter {
                parent_id: Some(org.org_id),
                limit: paging.limit(),
                offset: paging.offset(),
                ..OrgFilter::default()
            },
        )
        .await?;
    Ok(Json(OrgList {
        items,
        total,
        page: paging.page(),
        per_page: paging.limit(),
    }))
}

/// The active individual members of an organisation (identity fields masked).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id"), Paging),
    responses((status = 200, body = MemberList), (status = 404, body = crate::ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(paging): Query<Paging>,
) -> Result<Json<MemberList>, AppError> {
    let (items, total) = state
        .store()
        .org_members(&caller.scope, id, paging.limit(), paging.offset())
        .await?;
    Ok(Json(MemberList {
        items,
        total,
        page: paging.page(),
        per_page: paging.limit(),
    }))
}
