//! Importing and exporting organisations from the browser: upload a spreadsheet, see the report
//! row by row, download the template or a subtree.

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kexie_office::limits::Limits;
use kexie_office::report::ImportReport;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfUpload;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::AppState;

/// Uploads up to the importer's own file limit, plus room for the form fields.
const UPLOAD_LIMIT: usize = 65 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/orgs/import",
            get(form)
                .post(upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/orgs/import/template.xlsx", get(template))
        .route("/orgs/{id}/export.xlsx", get(export))
}

#[derive(Template)]
#[template(path = "pages/org_import.html")]
struct ImportPage {
    c: Chrome,
    report: Option<ImportReport>,
    created: usize,
    dry_run: bool,
    file_name: String,
    error: Option<String>,
}

fn page(
    state: &AppState,
    caller: &Caller,
    report: Option<ImportReport>,
    created: usize,
    dry_run: bool,
    file_name: String,
    error: Option<String>,
) -> Response {
    let view = ImportPage {
        c: Chrome::new(state, caller, caller.lang.t("import.orgs_title"), "orgs"),
        report,
        created,
        dry_run,
        file_name,
        error,
    };
    render(view, caller.lang)
}

async fn form(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, caller.lang));
    }
    Ok(page(&state, &caller, None, 0, false, String::new(), None))
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    upload: CsrfUpload,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let dry_run = upload.checked("dry_run");
    if !caller.scope.can_write() {
        return Err(fail(AppError::Forbidden));
    }
    let Some((name, bytes)) = upload.file else {
        return Ok(page(
            &state,
            &caller,
            None,
            0,
            dry_run,
            String::new(),
            Some(lang.t("import.no_file").into()),
        ));
    };
    let sheet = match kexie_office::sheet::read_sheet_bytes(&bytes, &name, &Limits::default()) {
        Ok(sheet) => sheet,
        Err(e) => {
            return Ok(page(
                &state,
                &caller,
                None,
                0,
                dry_run,
                name,
                Some(e.to_string()),
            ))
        }
    };
    let result = crate::imports::import_orgs(state.store(), &caller.scope, &sheet, dry_run)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(page(
        &state,
        &caller,
        Some(result.report),
        result.created,
        dry_run,
        name,
        None,
    ))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn template(_caller: Caller) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"kexie-orgs-template.xlsx\"".to_string(),
            ),
        ],
        kexie_office::xlsx_out::org_template(),
    )
        .into_response()
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let bytes = crate::imports::export_orgs(state.store(), &caller.scope, id, false)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"kexie-orgs-{id}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
