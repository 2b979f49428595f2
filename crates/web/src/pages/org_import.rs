//! Importing and exporting organisations from the browser: upload a spreadsheet, watch the
//! import run in the background and read its report row by row (`import_job.rs`), download the
//! template or a subtree.

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfUpload;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::jobs::{ImportKind, ImportRequest};
use crate::person_input::beijing_today;
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
    dry_run: bool,
    error: Option<String>,
}

fn page(state: &AppState, caller: &Caller, dry_run: bool, error: Option<String>) -> Response {
    let view = ImportPage {
        c: Chrome::new(state, caller, caller.lang.t("import.orgs_title"), "orgs"),
        dry_run,
        error,
    };
    render(view, caller.lang)
}

async fn form(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, caller.lang));
    }
    Ok(page(&state, &caller, false, None))
}

/// Takes the upload and starts the import in the background; the browser goes to its progress.
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    upload: CsrfUpload,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let dry_run = upload.checked("dry_run");
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, lang));
    }
    let Some((file_name, bytes)) = upload.file else {
        return Ok(page(
            &state,
            &caller,
            dry_run,
            Some(lang.t("import.no_file").into()),
        ));
    };
    let request = ImportRequest {
        kind: ImportKind::Orgs,
        file_name,
        bytes,
        dry_run,
        skip_invalid: false,
        today: beijing_today(),
    };
    let job = state
        .jobs()
        .start(
            state.store(),
            caller.scope.clone(),
            caller.account.account_id,
            request,
        )
        .map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to(&format!("/imports/{job}")).into_response())
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
