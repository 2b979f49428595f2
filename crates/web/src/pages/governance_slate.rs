//! Slate pre-review (换届前置审核) from the browser: upload the proposed slate, see the findings
//! against the rules that apply to the society (or download them as a Word report or `.xlsx`).
//! Every review is recorded with the rule-set version it used.

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kexie_domain::governance::{check_slate, SlateInput, SlateReport};
use kexie_office::limits::Limits;
use kexie_office::report::ImportReport;
use kexie_store::{GovernanceCheck, Org};

use super::auth::beijing;
use super::governance::parse_day;
use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfUpload;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::AppState;

/// A slate is a few hundred rows: far below the importer's own limit.
const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/orgs/{id}/governance/slate",
        get(form)
            .post(upload)
            .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
    )
}

/// A recorded check as the page lists it.
struct CheckLine {
    when: String,
    account: String,
    version: String,
    as_of: String,
    ok: bool,
}

#[derive(Template)]
#[template(path = "pages/slate.html")]
struct SlatePage {
    c: Chrome,
    org: Org,
    fields: Fields,
    file_name: String,
    rows: Option<ImportReport>,
    report: Option<SlateReport>,
    error: Option<String>,
    checks: Vec<CheckLine>,
}

/// The form's fields, kept when the page comes back.
#[derive(Default)]
struct Fields {
    individual_members: String,
    previous_council_size: String,
    member_growth: String,
    as_of: String,
}

async fn show(
    state: &AppState,
    caller: &Caller,
    org: Org,
    view: (
        Fields,
        String,
        Option<ImportReport>,
        Option<SlateReport>,
        Option<String>,
    ),
) -> Result<Response, AppError> {
    let checks: Vec<GovernanceCheck> = state
        .store()
        .governance_checks(&caller.scope, org.org_id)
        .await?;
    let (fields, file_name, rows, report, error) = view;
    let page = SlatePage {
        c: Chrome::new(
            state,
            caller,
            format!("{} · {}", caller.lang.t("slate.title"), org.name),
            "governance",
        ),
        org,
        fields,
        file_name,
        rows,
        report,
        error,
        checks: checks
            .into_iter()
            .map(|c| CheckLine {
                when: beijing(c.created_at),
                account: c.account,
                version: c.rule_set_version,
                as_of: c.as_of,
                ok: c.ok,
            })
            .collect(),
    };
    Ok(render(page, caller.lang))
}

async fn form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        let org = state.store().org(&caller.scope, id).await?;
        if !caller.scope.can_write() {
            return Err(AppError::Forbidden);
        }
        let fields = Fields {
            as_of: kexie_store::today().to_string(),
            ..Fields::default()
        };
        show(
            &state,
            &caller,
            org,
            (fields, String::new(), None, None, None),
        )
        .await
    };
    run.await.map_err(|e| PageError(e, lang))
}

fn number<T: std::str::FromStr>(text: &str, field: &str) -> Result<Option<T>, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|_| AppError::Unprocessable(format!("{field}：“{t}”不是有效数字 / not a number")))
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    upload: CsrfUpload,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let fields = Fields {
        individual_members: upload.field("individual_members").to_string(),
        previous_council_size: upload.field("previous_council_size").to_string(),
        member_growth: upload.field("member_growth").to_string(),
        as_of: upload.field("as_of").to_string(),
    };
    let format = upload.field("format").to_string();
    let file = upload.file;
    let store = state.store();
    let org = store
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    if !caller.scope.can_write() {
        return Err(fail(AppError::Forbidden));
    }
    let parsed = (|| {
        let members: u64 = number(&fields.individual_members, "个人会员数")?.ok_or_else(|| {
            AppError::Unprocessable("请填写个人会员数 / individual members are required".into())
        })?;
        let previous: Option<u32> = number(&fields.previous_council_size, "上届理事会人数")?;
        let growth: Option<f64> = number(&fields.member_growth, "上年度会员增长")?;
        if growth.is_some_and(|g: f64| !g.is_finite()) {
            return Err(AppError::Unprocessable(
                "上年度会员增长无效 / invalid growth".into(),
            ));
        }
        let as_of = match fields.as_of.trim() {
            "" => kexie_store::today(),
            s => parse_day(s, "审核日期")?,
        };
        Ok((members, previous, growth, as_of))
    })();
    let (members, previous, growth, as_of) = match parsed {
        Ok(v) => v,
        Err(e) => {
            let view = (fields, String::new(), None, None, Some(e.to_string()));
            return show(&state, &caller, org, view).await.map_err(fail);
        }
    };
    let Some((file_name, bytes)) = file else {
        let view = (
            fields,
            String::new(),
            None,
            None,
            Some(lang.t("slate.no_file").into()),
        );
        return show(&state, &caller, org, view).await.map_err(fail);
    };
    let sheet = match kexie_office::sheet::read_sheet_bytes(&bytes, &file_name, &Limits::default())
    {
        Ok(sheet) => sheet,
        Err(e) => {
            let view = (fields, file_name, None, None, Some(e.to_string()));
            return show(&state, &caller, org, view).await.map_err(fail);
        }
    };
    let (people, rows) = kexie_office::parse_slate_sheet(&sheet);
    if !rows.errors.is_empty() {
        let view = (fields, file_name, Some(rows), None, None);
        return show(&state, &caller, org, view).await.map_err(fail);
    }
    let rules = store
        .rule_set_for(&caller.scope, id, as_of)
        .await
        .map_err(|e| fail(e.into()))?;
    let report = check_slate(
        &rules.rules,
        &SlateInput {
            members: people,
            individual_members: members,
            previous_council_size: previous,
            member_growth_percent: growth,
            as_of,
        },
    );
    store
        .record_slate_check(&caller.scope, id, &report)
        .await
        .map_err(|e| fail(e.into()))?;
    let title = format!("{}换届前置审核报告", org.name);
    let download = |bytes: Vec<u8>, mime: &str, ext: &str| {
        (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"slate-review-{id}.{ext}\""),
                ),
            ],
            bytes,
        )
            .into_response()
    };
    let internal = |e: kexie_office::OfficeError| fail(AppError::Internal(e.to_string()));
    match format.as_str() {
        "docx" => Ok(download(
            kexie_office::review_docx(&title, &report).map_err(internal)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )),
        "xlsx" => Ok(download(
            kexie_office::findings_xlsx(&report).map_err(internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )),
        _ => {
            let view = (fields, file_name, Some(rows), Some(report), None);
            show(&state, &caller, org, view).await.map_err(fail)
        }
    }
}
