//! The member ledger (台账) of an organisation or its whole subtree: filters, pinyin order,
//! paging, `.xlsx` export of what is shown, growth against the target. The people import is in
//! `person_import.rs`.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kexie_store::{Growth, LedgerFilter, LedgerRow, Org};
use serde::Deserialize;

use super::{charts, render, url_encode, Chrome, Pager};
use crate::caller::Caller;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::person_input::beijing_today;
use crate::AppState;

const PER_PAGE: i64 = 50;
/// Growth target for individual membership: 15% a year (seeds/002 item 8).
pub const GROWTH_TARGET: f64 = 15.0;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/ledger", get(ledger))
        .route("/orgs/{id}/ledger.xlsx", get(export))
}

/// The ledger's filters as the form sends them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    pub subtree: Option<String>,
    pub member_type: Option<String>,
    pub status: Option<String>,
    pub title: Option<String>,
    pub age_min: Option<String>,
    pub age_max: Option<String>,
    pub gender: Option<String>,
    pub discipline: Option<String>,
    pub grassroots: Option<String>,
    pub q: Option<String>,
    pub page: Option<i64>,
}

impl LedgerQuery {
    pub fn filter(&self, org_id: i64) -> Result<LedgerFilter, AppError> {
        let num = |v: &Option<String>, name: &str| -> Result<Option<i64>, AppError> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => s.parse().map(Some).map_err(|_| {
                    AppError::BadRequest(format!("{name} 应为整数 / must be a whole number"))
                }),
                None => Ok(None),
            }
        };
        let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok(LedgerFilter {
            org_id,
            subtree: self
                .subtree
                .as_deref()
                .is_some_and(|s| !s.is_empty() && s != "0"),
            member_type: some(&self.member_type),
            status: some(&self.status),
            title: some(&self.title),
            age_min: num(&self.age_min, "age_min")?,
            age_max: num(&self.age_max, "age_max")?,
            gender: some(&self.gender),
            discipline: some(&self.discipline),
            grassroots: match self.grassroots.as_deref() {
                Some("1") | Some("true") | Some("是") => Some(true),
                Some("0") | Some("false") | Some("否") => Some(false),
                _ => None,
            },
            q: some(&self.q),
        })
    }

    /// The query string without `page`.
    fn base(&self) -> String {
        let v = |o: &Option<String>| url_encode(o.as_deref().unwrap_or(""));
        format!(
            "subtree={}&member_type={}&status={}&title={}&age_min={}&age_max={}&gender={}&discipline={}&grassroots={}&q={}",
            v(&self.subtree), v(&self.member_type), v(&self.status), v(&self.title), v(&self.age_min),
            v(&self.age_max), v(&self.gender), v(&self.discipline), v(&self.grassroots), v(&self.q)
        )
    }
}

#[derive(Template)]
#[template(path = "pages/ledger.html")]
struct LedgerPage {
    c: Chrome,
    org: Org,
    q: LedgerQuery,
    types: Vec<String>,
    rows: Vec<LedgerRow>,
    pager: Pager,
    export: String,
    growth: Vec<Growth>,
    growth_chart: String,
    can_write: bool,
}

async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let store = state.store();
    let org = store
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let filter = q.filter(org.org_id).map_err(fail)?;
    let page = q.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let today = beijing_today();
    let (rows, total) = store
        .ledger(
            &caller.scope,
            &filter,
            today,
            PER_PAGE,
            (page - 1) * PER_PAGE,
        )
        .await
        .map_err(|e| fail(e.into()))?;
    let types = store
        .membership_types(&caller.scope, org.org_id)
        .await
        .map_err(|e| fail(e.into()))?;
    use chrono::Datelike;
    let mut growth = Vec::new();
    for year in (today.year() - 4)..=today.year() {
        growth.push(
            store
                .growth(&caller.scope, org.org_id, year, GROWTH_TARGET)
                .await
                .map_err(|e| fail(e.into()))?,
        );
    }
    let bars: Vec<(String, i64)> = growth
        .iter()
        .map(|g| (format!("{} ({:+})", g.year, g.net), g.joined))
        .collect();
    let growth_chart = charts::bar_chart(lang.t("ledger.joined_chart"), &bars);
    let base = q.base();
    let view = LedgerPage {
        c: Chrome::new(
            &state,
            &caller,
            format!("{} · {}", lang.t("ledger.title"), org.name),
            "orgs",
        ),
        export: format!("/orgs/{}/ledger.xlsx?{base}", org.org_id),
        pager: Pager::new(page, PER_PAGE, total, base),
        can_write: caller.scope.can_write(),
        org,
        q,
        types,
        rows,
        growth,
        growth_chart,
    };
    Ok(render(view, lang))
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let org = state
        .store()
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let filter = q.filter(org.org_id).map_err(fail)?;
    let (bytes, _) =
        crate::imports::export_ledger(state.store(), &caller.scope, &filter, beijing_today())
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
                format!("attachment; filename=\"ledger-{}.xlsx\"", org.org_id),
            ),
        ],
        bytes,
    )
        .into_response())
}
