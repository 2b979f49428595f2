//! Society governance: a society's bodies and findings, a 科协's dashboard, the rule sets.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kexie_domain::governance::RuleSet;
use kexie_domain::role::Role;
use kexie_store::{GovernanceFilter, GoverningBody, SocietyReview, SocietySummary, StoredRuleSet};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/governance", get(review))
        .route("/orgs/{id}/governance/dashboard", get(dashboard))
        .route("/orgs/{id}/governance/rules", get(rules).post(save_rules))
}

fn day(text: Option<&str>) -> Result<NaiveDate, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(format!(
                "as_of 应写作 YYYY-MM-DD / as_of must be YYYY-MM-DD: {s}"
            ))
        }),
        None => Ok(kexie_store::today()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AsOfQuery {
    /// The day of the check, `YYYY-MM-DD` (default: today in Beijing).
    #[param(schema_with = super::day_or_empty)]
    as_of: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Governance {
    review: SocietyReview,
    bodies: Vec<GoverningBody>,
}

/// An organisation's governing bodies (terms newest first, with posts) and its check against
/// the rules that apply to it on `as_of`.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/governance", tag = "governance",
    params(("id" = i64, Path, description = "organisation id"), AsOfQuery),
    responses((status = 200, body = Governance), (status = 404, body = crate::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<Governance>, AppError> {
    let as_of = day(q.as_of.as_deref())?;
    let store = state.store();
    let review = store.society_review(&caller.scope, id, as_of).await?;
    let bodies = store.governing_bodies(&caller.scope, id).await?;
    Ok(Json(Governance { review, bodies }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// Society name contains.
    q: Option<String>,
    /// Only societies with a finding of this rule id (`term.overdue` …).
    rule: Option<String>,
    /// Only societies with an error or a warning.
    problems_only: Option<bool>,
    /// The day of the check, `YYYY-MM-DD` (default: today in Beijing).
    #[param(schema_with = super::day_or_empty)]
    as_of: Option<String>,
}

/// The societies in a 科协's subtree with their findings, overdue terms first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/governance/dashboard", tag = "governance",
    params(("id" = i64, Path, description = "the 科协's organisation id"), DashboardQuery),
    responses((status = 200, body = [SocietySummary]), (status = 404, body = crate::ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<Vec<SocietySummary>>, AppError> {
    let as_of = day(q.as_of.as_deref())?;
    let filter = GovernanceFilter {
        q: q.q,
        rule: q.rule,
        problems_only: q.problems_only.unwrap_or(false),
    };
    Ok(Json(
        state
            .store()
            .governance_dashboard(&caller.scope, id, as_of, &filter)
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleSets {
    /// The rules that apply to the organisation on `as_of`.
    current: StoredRuleSet,
    /// The versions the organisation itself has stored (a provincial or national 科协), newest
    /// first.
    versions: Vec<StoredRuleSet>,
}

/// The rules that apply to an organisation, and the versions it owns.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/governance/rules", tag = "governance",
    params(("id" = i64, Path, description = "organisation id"), AsOfQuery),
    responses((status = 200, body = RuleSets), (status = 404, body = crate::ErrorBody)))]
pub async fn rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<RuleSets>, AppError> {
    let as_of = day(q.as_of.as_deref())?;
    let store = state.store();
    let current = store.rule_set_for(&caller.scope, id, as_of).await?;
    let versions = store.rule_set_versions(&caller.scope, Some(id)).await?;
    Ok(Json(RuleSets { current, versions }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RuleSetEdit {
    /// The day the version applies from, `YYYY-MM-DD`.
    valid_from: String,
    /// The whole rule set (`version`, `council_size_bands`, shares, thresholds, `citations`);
    /// the version name must be new.
    #[schema(value_type = Object)]
    rules: serde_json::Value,
}

/// Stores a new version of the rules of a provincial or national 科协 (its org_admin only).
/// Invalid rules are refused with 422 naming the problem; a version name already used, 409.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/governance/rules", tag = "governance",
    params(("id" = i64, Path, description = "a provincial or national 科协")),
    request_body = RuleSetEdit,
    responses((status = 201, body = StoredRuleSet), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn save_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(edit): JsonBody<RuleSetEdit>,
) -> Result<(StatusCode, Json<StoredRuleSet>), AppError> {
    let store = state.store();
    // In scope first (404), then the role (403), then the content (422).
    store.org(&caller.scope, id).await?;
    caller.require(&[Role::OrgAdmin])?;
    let rules = RuleSet::from_json(&edit.rules.to_string())
        .map_err(|e| AppError::Unprocessable(format!("规则集无效：{e} / invalid rule set")))?;
    let valid_from =
        NaiveDate::parse_from_str(edit.valid_from.trim(), "%Y-%m-%d").map_err(|_| {
            AppError::Unprocessable(
                "valid_from 应写作 YYYY-MM-DD / valid_from must be YYYY-MM-DD".into(),
            )
        })?;
    let saved = store
        .save_rule_set(&caller.scope, Some(id), &rules, valid_from)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}
