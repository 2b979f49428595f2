//! Importing people from the browser: from an organisation's ledger (the organisation is fixed)
//! or from the registry (`/persons/import`, the organisation named by its code). Either way the
//! upload starts a background import and the browser goes to its progress (`import_job.rs`).

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kexie_store::{Org, StoreError};
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfUpload;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::jobs::{ImportKind, ImportRequest};
use crate::person_input::beijing_today;
use crate::AppState;

/// Uploads up to the importer's own file limit, plus room for the form fields.
const UPLOAD_LIMIT: usize = 65 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/orgs/{id}/persons/import",
            get(org_form)
                .post(org_upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/persons/import",
            get(form)
                .post(upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
}

#[derive(Template)]
#[template(path = "pages/person_import.html")]
struct ImportPage {
    c: Chrome,
    /// The organisation, when the page belongs to one; otherwise the form asks for its code.
    org: Option<Org>,
    org_code: String,
    action: String,
    dry_run: bool,
    skip_invalid: bool,
    error: Option<String>,
}

impl ImportPage {
    fn new(state: &AppState, caller: &Caller, org: Option<Org>) -> ImportPage {
        let lang = caller.lang;
        let (title, action) = match &org {
            Some(o) => (
                format!("{} · {}", lang.t("import.persons_title"), o.name),
                format!("/orgs/{}/persons/import", o.org_id),
            ),
            None => (
                lang.t("import.persons_title").to_string(),
                "/persons/import".to_string(),
            ),
        };
        ImportPage {
            c: Chrome::new(state, caller, title, "persons"),
            org_code: String::new(),
            org,
            action,
            dry_run: false,
            skip_invalid: false,
            error: None,
        }
    }
}

fn writer(caller: &Caller) -> Result<(), PageError> {
    if caller.scope.can_write() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden, caller.lang))
    }
}

/// The organisation of `/orgs/{id}/persons/import`: in scope (else 404), then writable.
async fn writable_org(state: &AppState, caller: &Caller, id: i64) -> Result<Org, PageError> {
    let org = state
        .store()
        .org(&caller.scope, id)
        .await
        .map_err(|e| PageError(e.into(), caller.lang))?;
    writer(caller)?;
    Ok(org)
}

async fn org_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let org = writable_org(&state, &caller, id).await?;
    Ok(render(
        ImportPage::new(&state, &caller, Some(org)),
        caller.lang,
    ))
}

async fn org_upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    upload: CsrfUpload,
) -> Result<Response, PageError> {
    let org = writable_org(&state, &caller, id).await?;
    let page = ImportPage::new(&state, &caller, Some(org.clone()));
    start(&state, &caller, org, upload, page)
}

#[derive(Deserialize)]
struct FormQuery {
    org: Option<i64>,
}

/// The registry's import form; the organisation is preset from `?org=ID` or the account's own.
async fn form(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<FormQuery>,
) -> Result<Response, PageError> {
    writer(&caller)?;
    let mut page = ImportPage::new(&state, &caller, None);
    if let Some(id) = query.org.or(caller.account.org_id) {
        match state.store().org(&caller.scope, id).await {
            Ok(org) => page.org_code = org.code,
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(PageError(e.into(), caller.lang)),
        }
    }
    Ok(render(page, caller.lang))
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    upload: CsrfUpload,
) -> Result<Response, PageError> {
    writer(&caller)?;
    let lang = caller.lang;
    let code = upload.field("org_code").trim().to_string();
    let mut page = ImportPage::new(&state, &caller, None);
    page.org_code = code.clone();
    let org = match state.store().org_by_code(&caller.scope, &code).await {
        Ok(org) => org,
        Err(StoreError::NotFound) => {
            page.dry_run = upload.checked("dry_run");
            page.skip_invalid = upload.checked("skip_invalid");
            page.error = Some(format!(
                "没有代码为“{code}”的组织（或不在您的管辖范围内） / no organisation with code “{code}” in your scope"
            ));
            return Ok(render(page, lang));
        }
        Err(e) => return Err(PageError(e.into(), lang)),
    };
    start(&state, &caller, org, upload, page)
}

/// Starts the import of the uploaded file into `org`, or shows `page` again saying what is
/// missing.
fn start(
    state: &AppState,
    caller: &Caller,
    org: Org,
    upload: CsrfUpload,
    mut page: ImportPage,
) -> Result<Response, PageError> {
    let (dry_run, skip_invalid) = (upload.checked("dry_run"), upload.checked("skip_invalid"));
    let Some((file_name, bytes)) = upload.file else {
        page.dry_run = dry_run;
        page.skip_invalid = skip_invalid;
        page.error = Some(caller.lang.t("import.no_file").into());
        return Ok(render(page, caller.lang));
    };
    let request = ImportRequest {
        kind: ImportKind::Persons {
            org_id: org.org_id,
            org_name: org.name,
        },
        file_name,
        bytes,
        dry_run,
        skip_invalid,
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
        .map_err(|e| PageError(e, caller.lang))?;
    Ok(Redirect::to(&format!("/imports/{job}")).into_response())
}
