//! The governance rules as data: the rule set that applies to an organisation, the versions a
//! provincial or national 科协 has stored, and (for its org_admin) the editor. Each edit is a new
//! version, validated (`RuleSet::validate`; 422 naming the problem) and audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kexie_domain::governance::RuleSet;
use kexie_domain::role::Role;
use kexie_store::{may_own_rules, Org, StoredRuleSet};
use serde::Deserialize;

use super::auth::beijing;
use super::governance::parse_day;
use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/orgs/{id}/governance/rules", get(page).post(save))
}

/// A version as the page lists it.
struct VersionLine {
    version: String,
    valid_from: String,
    account: String,
    when: String,
}

#[derive(Template)]
#[template(path = "pages/governance_rules.html")]
struct RulesPage {
    c: Chrome,
    org: Org,
    current: StoredRuleSet,
    citations: Vec<(String, String)>,
    versions: Vec<VersionLine>,
    can_edit: bool,
    json: String,
    valid_from: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct RulesForm {
    rules: String,
    valid_from: String,
}

fn pretty(rules: &RuleSet) -> String {
    serde_json::to_string_pretty(rules).unwrap_or_default()
}

async fn view(
    state: &AppState,
    caller: &Caller,
    id: i64,
    edit: Option<(String, String, String)>,
) -> Result<Response, AppError> {
    let store = state.store();
    let org = store.org(&caller.scope, id).await?;
    let today = kexie_store::today();
    let current = store.rule_set_for(&caller.scope, id, today).await?;
    let owner = may_own_rules(&org);
    let versions = if owner {
        store.rule_set_versions(&caller.scope, Some(id)).await?
    } else {
        Vec::new()
    };
    let can_edit = owner && caller.role() == Role::OrgAdmin && caller.scope.can_write();
    let (json, valid_from, error) = edit.map_or(
        (pretty(&current.rules), today.to_string(), None),
        |(j, v, e)| (j, v, Some(e)),
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RulesPage {
        c: Chrome::new(
            state,
            caller,
            format!("{} · {}", caller.lang.t("gov.rules_title"), org.name),
            "governance",
        ),
        citations: current
            .rules
            .citations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        versions: versions
            .into_iter()
            .map(|v| VersionLine {
                version: v.version,
                valid_from: v.valid_from,
                account: v.account,
                when: beijing(v.created_at),
            })
            .collect(),
        org,
        current,
        can_edit,
        json,
        valid_from,
        error,
    };
    Ok((status, render(page, caller.lang)).into_response())
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    view(&state, &caller, id, None)
        .await
        .map_err(|e| PageError(e, lang))
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RulesForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    // In scope first (404), then the right to edit (403), then the content (422).
    let org = state
        .store()
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    if caller.role() != Role::OrgAdmin || !caller.scope.can_write() || !may_own_rules(&org) {
        return Err(fail(AppError::Forbidden));
    }
    let parsed = RuleSet::from_json(&form.rules)
        .map_err(|e| format!("{e}"))
        .and_then(|rules| {
            parse_day(&form.valid_from, "生效日期")
                .map(|d| (rules, d))
                .map_err(|e| e.to_string())
        });
    let saved = match parsed {
        Ok((rules, valid_from)) => state
            .store()
            .save_rule_set(&caller.scope, Some(id), &rules, valid_from)
            .await
            .map_err(|e| match e {
                kexie_store::StoreError::Invalid(m) | kexie_store::StoreError::Conflict(m) => Ok(m),
                other => Err(other),
            }),
        Err(m) => Err(Ok(m)),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/governance/rules")).into_response()),
        Err(Ok(message)) => view(
            &state,
            &caller,
            id,
            Some((form.rules, form.valid_from, message)),
        )
        .await
        .map_err(fail),
        Err(Err(e)) => Err(fail(e.into())),
    }
}
