//! The coverage page (消除空白点): figures per level, a chart, the gaps, and an `.xlsx` export.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kexie_store::{Coverage, Org};

use super::{charts, render, Chrome};
use crate::caller::Caller;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/coverage", get(page))
        .route("/orgs/{id}/coverage.xlsx", get(export))
}

#[derive(Template)]
#[template(path = "pages/coverage.html")]
struct CoveragePage {
    c: Chrome,
    org: Org,
    coverage: Coverage,
    chart: String,
    /// Key persons in post: one row per level, a count per kind (in the order of `kinds`).
    key_rows: Vec<(String, Vec<i64>)>,
    kinds: Vec<&'static str>,
    key_chart: String,
}

/// The key-person figures as a table: a row per level, a column per kind (seeds/004 order).
fn key_table(
    lang: crate::Lang,
    coverage: &Coverage,
) -> (Vec<(String, Vec<i64>)>, Vec<&'static str>) {
    use kexie_domain::network::KeyPersonKind;
    let kinds: Vec<&'static str> = KeyPersonKind::ALL.iter().map(|k| k.code()).collect();
    let mut rows: Vec<(String, Vec<i64>)> = Vec::new();
    let mut last_level = "";
    for f in &coverage.key_persons {
        if f.level != last_level {
            let label = lang.t(&format!("keyp.level_{}", f.level)).to_string();
            rows.push((label, vec![0; kinds.len()]));
            last_level = &f.level;
        }
        if let (Some(row), Some(i)) = (rows.last_mut(), kinds.iter().position(|k| *k == f.kind)) {
            row.1[i] = f.persons;
        }
    }
    (rows, kinds)
}

async fn load(state: &AppState, caller: &Caller, id: i64) -> Result<(Org, Coverage), AppError> {
    let store = state.store();
    let org = store.org(&caller.scope, id).await?;
    let coverage = store.coverage(&caller.scope, id).await?;
    Ok((org, coverage))
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let (org, coverage) = load(&state, &caller, id)
        .await
        .map_err(|e| PageError(e, lang))?;
    let bars: Vec<charts::Share> = coverage
        .levels
        .iter()
        .map(|l| charts::Share {
            label: lang.t(&format!("coverage.level_{}", l.level)).to_string(),
            part: l.covered,
            whole: l.divisions,
        })
        .collect();
    let chart = charts::share_chart(lang.t("coverage.chart"), &bars);
    let key_bars: Vec<(String, i64)> = coverage
        .key_persons
        .iter()
        .map(|f| {
            (
                format!(
                    "{} · {}",
                    lang.t(&format!("keyp.level_{}", f.level)),
                    lang.t(&format!("post.kind_{}", f.kind))
                ),
                f.persons,
            )
        })
        .collect();
    let key_chart = charts::bar_chart(lang.t("keyp.chart"), &key_bars);
    let (key_rows, kinds) = key_table(lang, &coverage);
    let page = CoveragePage {
        c: Chrome::new(
            &state,
            &caller,
            format!("{} · {}", lang.t("coverage.title"), org.name),
            "orgs",
        ),
        org,
        coverage,
        chart,
        key_rows,
        kinds,
        key_chart,
    };
    Ok(render(page, lang))
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let (org, coverage) = load(&state, &caller, id).await.map_err(fail)?;
    let mut sheet = kexie_office::xlsx_out::XlsxWriter::new(
        "覆盖情况",
        &["层级", "区划代码", "区划名称", "是否已建科协"],
    )
    .map_err(|e| fail(AppError::Internal(e.to_string())))?;
    for level in &coverage.levels {
        let name = lang.t(&format!("coverage.level_{}", level.level));
        for gap in &level.gaps {
            sheet
                .push_row(&[name, &gap.code, &gap.name, "否"])
                .map_err(|e| fail(AppError::Internal(e.to_string())))?;
        }
    }
    let bytes = sheet
        .into_bytes()
        .map_err(|e| fail(AppError::Internal(e.to_string())))?;
    state
        .store()
        .audit(
            &caller.account.actor(&caller.client),
            "export.coverage",
            &format!("org:{}", org.org_id),
            kexie_store::Outcome::Ok,
            "",
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
                    "attachment; filename=\"coverage-{}.xlsx\"",
                    org.code.replace('"', "")
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
