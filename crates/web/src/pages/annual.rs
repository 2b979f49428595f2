//! The society annual report (学会年报, seeds/002 item 7): downloaded as `.docx` from the
//! governance page, published or taken down by the society's staff (or staff above it), and
//! shown without sign-in at `/public/orgs/{id}/annual/{year}` once published (404 otherwise).

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use kexie_domain::governance::AnnualReport;
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::i18n::Lang;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/governance/annual.docx", get(docx))
        .route("/orgs/{id}/governance/annual", post(publish))
        .route("/public/orgs/{id}/annual/{year}", get(public_page))
}

/// The year a report is made for by default: the one just ended.
pub fn last_year() -> i32 {
    kexie_store::today().year() - 1
}

fn year_of(text: Option<&str>) -> Result<i32, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(last_year()),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=9998).contains(y))
            .ok_or_else(|| {
                AppError::Unprocessable(format!(
                    "年份“{s}”无效，应为 1900 到 9998 之间的年份 / the year must be between 1900 and 9998"
                ))
            }),
    }
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
}

async fn docx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let year = year_of(q.year.as_deref()).map_err(fail)?;
    let report = state
        .store()
        .annual_report(&caller.scope, id, year, kexie_store::today())
        .await
        .map_err(|e| fail(e.into()))?;
    let bytes = kexie_office::annual_report_docx(&report)
        .map_err(|e| fail(AppError::Internal(e.to_string())))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"annual-report-{id}-{year}.docx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct PublishForm {
    year: String,
    /// `publish` or `unpublish`.
    action: String,
}

async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        let year = year_of(Some(&form.year))?;
        let store = state.store();
        match form.action.as_str() {
            "publish" => {
                store
                    .publish_annual_report(&caller.scope, id, year, kexie_store::today())
                    .await?;
            }
            "unpublish" => {
                store
                    .unpublish_annual_report(&caller.scope, id, year)
                    .await?
            }
            other => {
                return Err(AppError::Unprocessable(format!(
                    "未知的操作“{other}” / unknown action"
                )))
            }
        }
        Ok(())
    };
    run.await.map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to(&format!("/orgs/{id}/governance")).into_response())
}

#[derive(Template)]
#[template(path = "pages/annual_public.html")]
struct PublicAnnualPage {
    c: Chrome,
    report: AnnualReport,
    growth: String,
    bodies: Vec<(String, Vec<String>)>,
}

/// The published report, for anyone. Unpublished, unknown or malformed addresses all answer
/// 404 alike, so the page tells nothing about what exists.
async fn public_page(
    State(state): State<AppState>,
    lang: Lang,
    Path((id, year)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let not_found = || PageError(AppError::NotFound, lang);
    let (Ok(id), Ok(year)) = (id.parse::<i64>(), year.parse::<i32>()) else {
        return Err(not_found());
    };
    let report = state
        .store()
        .published_annual_report(id, year)
        .await
        .map_err(|e| PageError(e.into(), lang))?
        .ok_or_else(not_found)?;
    let page = PublicAnnualPage {
        c: Chrome::public(
            &state,
            lang,
            format!(
                "{} · {}{}",
                report.org_name,
                year,
                lang.t("annual.title_suffix")
            ),
            String::new(),
        ),
        growth: kexie_office::annual::growth_text(&report),
        bodies: report
            .bodies
            .iter()
            .map(|b| (b.name.clone(), kexie_office::annual::body_lines(b)))
            .collect(),
        report,
    };
    Ok(render(page, lang))
}
