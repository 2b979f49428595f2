//! Importing a pilot programme's units from a spreadsheet (columns 类别, 单位名称, 联系人,
//! 联系电话, as 附件2 of seeds/004): all rows or none, with the row-level report of every other
//! import. The sheets are a page or two long, so the import runs within the request.

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kexie_office::limits::Limits;
use kexie_office::ImportReport;
use kexie_store::{PilotImportUnit, PilotSummary};

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfUpload;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::AppState;

const UPLOAD_LIMIT: usize = 65 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/pilots/{id}/import",
        get(form)
            .post(upload)
            .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
    )
}

#[derive(Template)]
#[template(path = "pages/pilot_import.html")]
struct ImportPage {
    c: Chrome,
    pilot: PilotSummary,
    dry_run: bool,
    file_name: String,
    error: Option<String>,
    report: Option<ImportReport>,
    created: usize,
}

impl ImportPage {
    /// The page of `pilot` with nothing uploaded yet.
    fn new(state: &AppState, caller: &Caller, pilot: PilotSummary, dry_run: bool) -> ImportPage {
        ImportPage {
            c: Chrome::new(state, caller, caller.lang.t("pilot.import_title"), "pilots"),
            pilot,
            dry_run,
            file_name: String::new(),
            error: None,
            report: None,
            created: 0,
        }
    }
}

/// The pilot in the caller's scope, for a caller who may write.
async fn writable_pilot(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<PilotSummary, PageError> {
    let lang = caller.lang;
    let pilot = state
        .store()
        .pilot_summary(&caller.scope, id)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, lang));
    }
    Ok(pilot)
}

async fn form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let pilot = writable_pilot(&state, &caller, id).await?;
    Ok(render(
        ImportPage::new(&state, &caller, pilot, false),
        caller.lang,
    ))
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    upload: CsrfUpload,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let pilot = writable_pilot(&state, &caller, id).await?;
    let view = ImportPage::new(&state, &caller, pilot, upload.checked("dry_run"));
    let Some((file_name, bytes)) = upload.file else {
        let error = Some(lang.t("import.no_file").to_string());
        return Ok(render(ImportPage { error, ..view }, lang));
    };
    let name = file_name.clone();
    let read = tokio::task::spawn_blocking(move || {
        kexie_office::read_sheet_bytes(&bytes, &name, &Limits::default())
    })
    .await
    .map_err(|e| fail(AppError::Internal(format!("reading task ended: {e}"))))?;
    let sheet = match read {
        Ok(sheet) => sheet,
        Err(e) => {
            let error = Some(e.to_string());
            return Ok(render(
                ImportPage {
                    file_name,
                    error,
                    ..view
                },
                lang,
            ));
        }
    };
    let (units, mut report) = kexie_office::parse_pilot_unit_sheet(&sheet);
    let mut created = 0;
    if report.is_clean() {
        let rows: Vec<PilotImportUnit> = units
            .into_iter()
            .map(|u| PilotImportUnit {
                row: u.row,
                category: u.category,
                name: u.name,
                contact_name: u.contact_name,
                contact_phone: u.contact_phone,
            })
            .collect();
        let outcome = state
            .store()
            .import_pilot_units(&caller.scope, id, &rows, view.dry_run)
            .await
            .map_err(|e| fail(e.into()))?;
        crate::imports::add_problems(&mut report, &outcome.problems);
        created = outcome.created;
    }
    let status = if report.is_clean() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(
        ImportPage {
            file_name,
            report: Some(report),
            created,
            ..view
        },
        lang,
    );
    *response.status_mut() = status;
    Ok(response)
}
