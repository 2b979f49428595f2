//! A 科协's governance dashboard: the societies in its subtree with their findings, overdue
//! terms first; filterable by name, rule and "problems only"; exportable as `.xlsx`.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kexie_domain::governance::rule;
use kexie_store::{GovernanceFilter, Org, SocietySummary};
use serde::Deserialize;

use super::governance::AsOf;
use super::{render, url_encode, Chrome};
use crate::caller::Caller;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/governance", get(own))
        .route("/orgs/{id}/governance/dashboard", get(page))
        .route("/orgs/{id}/governance/dashboard.xlsx", get(export))
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    q: Option<String>,
    rule: Option<String>,
    problems: Option<String>,
    as_of: Option<String>,
}

impl DashboardQuery {
    fn filter(&self) -> GovernanceFilter {
        GovernanceFilter {
            q: self.q.clone(),
            rule: self.rule.clone().filter(|r| !r.is_empty()),
            problems_only: self.problems.as_deref().is_some_and(|p| !p.is_empty()),
        }
    }

    fn as_of(&self) -> AsOf {
        AsOf {
            as_of: self.as_of.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/governance_dashboard.html")]
struct DashboardPage {
    c: Chrome,
    org: Org,
    societies: Vec<SocietySummary>,
    q: String,
    rule: String,
    problems: bool,
    as_of: String,
    rules: Vec<&'static str>,
    export: String,
}

async fn load(
    state: &AppState,
    caller: &Caller,
    id: i64,
    query: &DashboardQuery,
) -> Result<(Org, Vec<SocietySummary>, String), AppError> {
    let as_of = query.as_of().date()?;
    let store = state.store();
    let org = store.org(&caller.scope, id).await?;
    let list = store
        .governance_dashboard(&caller.scope, id, as_of, &query.filter())
        .await?;
    Ok((org, list, as_of.to_string()))
}

async fn show(
    state: AppState,
    caller: Caller,
    id: i64,
    query: DashboardQuery,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let (org, societies, as_of) = load(&state, &caller, id, &query)
        .await
        .map_err(|e| PageError(e, lang))?;
    let q = query.q.clone().unwrap_or_default();
    let rule_id = query.rule.clone().unwrap_or_default();
    let problems = query.filter().problems_only;
    let export = format!(
        "/orgs/{id}/governance/dashboard.xlsx?q={}&rule={}&problems={}&as_of={as_of}",
        url_encode(&q),
        url_encode(&rule_id),
        if problems { "1" } else { "" }
    );
    let page = DashboardPage {
        c: Chrome::new(
            &state,
            &caller,
            format!("{} · {}", lang.t("gov.dashboard_title"), org.name),
            "governance",
        ),
        org,
        societies,
        q,
        rule: rule_id,
        problems,
        as_of,
        rules: rule::ALL.to_vec(),
        export,
    };
    Ok(render(page, lang))
}

/// The dashboard of the caller's own organisation (the menu entry).
async fn own(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let Some(id) = caller.account.org_id else {
        return Err(PageError(AppError::Forbidden, caller.lang));
    };
    show(state, caller, id, DashboardQuery::default()).await
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    show(state, caller, id, query).await
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let internal = |e: kexie_office::OfficeError| fail(AppError::Internal(e.to_string()));
    let (org, societies, as_of) = load(&state, &caller, id, &query).await.map_err(fail)?;
    let mut sheet = kexie_office::XlsxWriter::new(
        "学会治理",
        &[
            "学会代码",
            "学会名称",
            "是否超期未换届",
            "下次换届日期",
            "理事会人数",
            "个人会员数",
            "不符合项",
            "需关注项",
            "规则",
            "结论",
            "说明",
            "规则集版本",
            "审核日期",
        ],
    )
    .map_err(internal)?;
    for s in &societies {
        let head = [
            s.code.clone(),
            s.name.clone(),
            if s.overdue { "是" } else { "否" }.to_string(),
            s.next_reelection.clone().unwrap_or_default(),
            s.council_size.to_string(),
            s.individual_members.to_string(),
            s.errors.to_string(),
            s.warnings.to_string(),
        ];
        let tail = [s.rule_set_version.clone(), as_of.clone()];
        if s.findings.is_empty() {
            let row: Vec<String> = head
                .iter()
                .cloned()
                .chain(["".into(), "符合".into(), "".into()])
                .chain(tail.iter().cloned())
                .collect();
            sheet.push_row(&row).map_err(internal)?;
        }
        for f in &s.findings {
            let row: Vec<String> = head
                .iter()
                .cloned()
                .chain([
                    f.rule.clone(),
                    f.severity.zh_name().to_string(),
                    f.message.clone(),
                ])
                .chain(tail.iter().cloned())
                .collect();
            sheet.push_row(&row).map_err(internal)?;
        }
    }
    let bytes = sheet.into_bytes().map_err(internal)?;
    state
        .store()
        .audit(
            &caller.account.actor(&caller.client),
            "export.governance",
            &format!("org:{}", org.org_id),
            kexie_store::Outcome::Ok,
            &format!("societies={}", societies.len()),
        )
        .await
        .map_err(|e| fail(e.into()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"governance-{}.xlsx\"",
                    org.code.replace('"', "")
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
