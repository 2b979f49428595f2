//! The audit administrator's view of the trail: search and export.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{FixedOffset, NaiveDate, TimeZone};
use kexie_domain::role::Role;
use kexie_store::{AuditFilter, AuditRecord, Outcome};
use serde::Deserialize;

use super::auth::beijing;
use super::{render, url_encode, Chrome, Pager};
use crate::caller::Caller;
use crate::error::{AppError, PageError};
use crate::extract::Query;
use crate::AppState;

const PER_PAGE: i64 = 100;
const EXPORT_LIMIT: i64 = 100_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(search))
        .route("/audit/export.csv", get(export))
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    account: Option<String>,
    action: Option<String>,
    /// YYYY-MM-DD, Beijing time, inclusive.
    from: Option<String>,
    /// YYYY-MM-DD, Beijing time, inclusive.
    to: Option<String>,
    page: Option<i64>,
}

/// Milliseconds at the start of a Beijing calendar day.
fn day_start(text: &str) -> Result<i64, AppError> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::BadRequest(format!(
            "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text}"
        ))
    })?;
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    Ok(tz
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .map(|t| t.timestamp_millis())
        .unwrap_or(0))
}

impl AuditQuery {
    fn filter(&self, limit: i64, offset: i64) -> Result<AuditFilter, AppError> {
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Ok(AuditFilter {
            account: nonempty(&self.account),
            action: nonempty(&self.action),
            from: nonempty(&self.from).map(|d| day_start(&d)).transpose()?,
            to: nonempty(&self.to)
                .map(|d| day_start(&d).map(|ms| ms + 86_400_000))
                .transpose()?,
            limit,
            offset,
        })
    }

    fn base(&self) -> String {
        let v = |o: &Option<String>| url_encode(o.as_deref().unwrap_or(""));
        format!(
            "account={}&action={}&from={}&to={}",
            v(&self.account),
            v(&self.action),
            v(&self.from),
            v(&self.to)
        )
    }
}

pub struct Row {
    pub record: AuditRecord,
    pub when: String,
}

#[derive(Template)]
#[template(path = "pages/audit.html")]
struct AuditPage {
    c: Chrome,
    q_account: String,
    q_action: String,
    q_from: String,
    q_to: String,
    rows: Vec<Row>,
    pager: Pager,
    export: String,
}

async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    caller.require(&[Role::AuditAdmin]).map_err(fail)?;
    let page = q.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let filter = q.filter(PER_PAGE, (page - 1) * PER_PAGE).map_err(fail)?;
    let (records, total) = state
        .store()
        .search_audit(&filter)
        .await
        .map_err(|e| fail(e.into()))?;
    let rows = records
        .into_iter()
        .map(|record| Row {
            when: beijing(record.at),
            record,
        })
        .collect();
    let base = q.base();
    let view = AuditPage {
        c: Chrome::new(&state, &caller, lang.t("audit.title"), "audit"),
        q_account: q.account.clone().unwrap_or_default(),
        q_action: q.action.clone().unwrap_or_default(),
        q_from: q.from.clone().unwrap_or_default(),
        q_to: q.to.clone().unwrap_or_default(),
        rows,
        export: format!("/audit/export.csv?{base}"),
        pager: Pager::new(page, PER_PAGE, total, base),
    };
    Ok(render(view, lang))
}

/// A CSV cell, quoted, with anything a spreadsheet would read as a formula written as text.
pub fn csv_cell(value: &str) -> String {
    let risky = value.chars().next().is_some_and(|c| {
        matches!(
            c,
            '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
        )
    });
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    caller.require(&[Role::AuditAdmin]).map_err(fail)?;
    let filter = q.filter(EXPORT_LIMIT, 0).map_err(fail)?;
    let store = state.store();
    let (records, total) = store
        .search_audit(&filter)
        .await
        .map_err(|e| fail(e.into()))?;
    store
        .audit(
            &caller.account.actor(&caller.client),
            "audit.export",
            "audit_log",
            Outcome::Ok,
            &format!("rows={} of {total}", records.len()),
        )
        .await
        .map_err(|e| fail(e.into()))?;
    // A byte-order mark so that spreadsheet programs read the Chinese correctly.
    let mut out = String::from("\u{feff}编号,时间,账号,地址,操作,对象,结果,说明\r\n");
    for r in &records {
        let cells = [
            r.audit_id.to_string(),
            beijing(r.at),
            r.account.clone(),
            r.client.clone(),
            r.action.clone(),
            r.object.clone(),
            r.result.clone(),
            r.detail.clone(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"kexie-audit.csv\"".to_string(),
            ),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_written_as_text() {
        assert_eq!(csv_cell("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_cell("＝SUM(A1)"), "\"'＝SUM(A1)\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("login.success"), "\"login.success\"");
    }
}
