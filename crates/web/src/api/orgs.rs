//! Organisations.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use kexie_domain::org::OrgKind;
use kexie_store::{
    Coverage, GroupMembership, Growth, LedgerRow, Org, OrgFilter, OrgHistoryEntry, OrgSummary,
    PersonRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Paging;
use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::org_input::OrgInput;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list).post(create))
        .route("/orgs/{id}", get(get_one).patch(update).delete(dissolve))
        .route("/orgs/{id}/children", get(children))
        .route("/orgs/{id}/members", get(members))
        .route("/orgs/{id}/coverage", get(coverage))
        .route("/orgs/{id}/history", get(history))
        .route("/orgs/{id}/ledger", get(ledger))
        .route("/orgs/{id}/growth", get(growth))
        .route("/orgs/{id}/groups", get(groups).post(add_group))
}

/// Group memberships (团体会员) where the organisation is the member or the host.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/groups", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 200, body = [GroupMembership]), (status = 404, body = crate::ErrorBody)))]
pub async fn groups(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<GroupMembership>>, AppError> {
    Ok(Json(
        state.store().group_memberships(&caller.scope, id).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupInput {
    /// The organisation joining as a group member.
    member_org_id: i64,
    /// YYYY-MM-DD.
    joined: Option<String>,
}

/// Records an organisation as a group member of this 科协 or society.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/groups", tag = "orgs", request_body = GroupInput,
    params(("id" = i64, Path, description = "the host organisation")),
    responses((status = 201, body = [GroupMembership]), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn add_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<GroupInput>,
) -> Result<(StatusCode, Json<Vec<GroupMembership>>), AppError> {
    let joined = match input
        .joined
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| AppError::Unprocessable("joined：应为 YYYY-MM-DD".into()))?
                .to_string(),
        ),
        None => None,
    };
    let store = state.store();
    store
        .add_group_membership(&caller.scope, input.member_org_id, id, joined.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(store.group_memberships(&caller.scope, id).await?),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    items: Vec<LedgerRow>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// The member ledger of an organisation (or, with `subtree=1`, of everything below it):
/// filtered, sorted by the pinyin of the name, identity fields masked. Filters: member_type,
/// status (default active), title, age_min, age_max, gender, discipline, grassroots, q.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/ledger", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id"), Paging),
    responses((status = 200, body = LedgerPage), (status = 404, body = crate::ErrorBody)))]
pub async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<crate::pages::ledger::LedgerQuery>,
    Query(paging): Query<Paging>,
) -> Result<Json<LedgerPage>, AppError> {
    let filter = q.filter(id)?;
    let (items, total) = state
        .store()
        .ledger(
            &caller.scope,
            &filter,
            crate::person_input::beijing_today(),
            paging.limit(),
            paging.offset(),
        )
        .await?;
    Ok(Json(LedgerPage {
        items,
        total,
        page: paging.page(),
        per_page: paging.limit(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GrowthQuery {
    /// The year (default: this year).
    #[param(minimum = 1, maximum = 9998)]
    year: Option<i32>,
    /// Target growth in percent (default 15).
    target: Option<f64>,
}

/// Growth of the organisation's individual membership in a year against a target.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/growth", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id"), GrowthQuery),
    responses((status = 200, body = Growth), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn growth(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<GrowthQuery>,
) -> Result<Json<Growth>, AppError> {
    use chrono::Datelike;
    let year = q
        .year
        .unwrap_or_else(|| crate::person_input::beijing_today().year());
    let target = q.target.unwrap_or(crate::pages::ledger::GROWTH_TARGET);
    Ok(Json(
        state
            .store()
            .growth(&caller.scope, id, year, target)
            .await?,
    ))
}

/// Creates an organisation under `parent_id` (in the caller's subtree).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = OrgInput,
    responses((status = 201, body = Org), (status = 404, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<OrgInput>,
) -> Result<(StatusCode, Json<Org>), AppError> {
    let new = input.to_new(state.store()).await?;
    let org = state.store().create_org(&caller.scope, &new).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// Changes an organisation; a new `parent_id` moves it with its whole subtree.
#[utoipa::path(patch, path = "/api/v1/orgs/{id}", tag = "orgs", request_body = OrgInput,
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 200, body = Org), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<OrgInput>,
) -> Result<Json<Org>, AppError> {
    let patch = input.to_patch(state.store()).await?;
    Ok(Json(
        state.store().update_org(&caller.scope, id, &patch).await?,
    ))
}

/// Dissolves an organisation (status `dissolved`; the record and its history stay).
#[utoipa::path(delete, path = "/api/v1/orgs/{id}", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 200, body = Org), (status = 404, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
pub async fn dissolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Org>, AppError> {
    Ok(Json(state.store().dissolve_org(&caller.scope, id).await?))
}

/// Which divisions below a county-or-higher 科协 have a 科协 of their own, by level.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/coverage", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 200, body = Coverage), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Coverage>, AppError> {
    Ok(Json(state.store().coverage(&caller.scope, id).await?))
}

/// The organisation's history, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/history", tag = "orgs",
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 200, body = [OrgHistoryEntry]), (status = 404, body = crate::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<OrgHistoryEntry>>, AppError> {
    Ok(Json(state.store().org_history(&caller.scope, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only the direct children of this organisation.
    parent: Option<i64>,
    /// Name contains, pinyin initials start with, or the exact code.
    q: Option<String>,
    /// Kind code (`kexie`, `society` …) or its Chinese name.
    #[param(schema_with = kind_names)]
    kind: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The kinds `OrgKind::parse` accepts, by code and by Chinese name, or empty for any.
fn kind_names() -> utoipa::openapi::schema::Object {
    let names = OrgKind::ALL
        .into_iter()
        .flat_map(|k| [k.code(), k.zh_name()])
        .chain([""]);
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(names))
        .build()
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
