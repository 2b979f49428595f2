//! The progress of an import left running in the background, then its report row by row.
//!
//! No script: while the import runs the page asks the browser to load it again every second
//! (`<meta http-equiv="refresh">`), and the phase and counts sit in a polite live region so a
//! screen reader hears them. Only the account that uploaded the file sees the page; for anyone
//! else the job does not exist.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kexie_office::report::ImportReport;
use kexie_store::ProgressSnapshot;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::jobs::{ImportKind, JobOutcome};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/imports/{job}", get(show))
}

#[derive(Template)]
#[template(path = "pages/import_job.html")]
struct JobPage {
    c: Chrome,
    running: bool,
    progress: ProgressSnapshot,
    file_name: String,
    dry_run: bool,
    skip_invalid: bool,
    /// The people's organisation (id, name); `None` for an organisation import.
    org: Option<(i64, String)>,
    report: Option<ImportReport>,
    created: usize,
    memberships: usize,
    failure: Option<String>,
}

impl JobPage {
    fn phase(&self) -> &'static str {
        self.c
            .t(&format!("import.phase_{}", self.progress.phase.code()))
    }

    fn percent(&self) -> String {
        self.progress
            .percent()
            .map(|p| format!("{p}%"))
            .unwrap_or_default()
    }

    fn persons(&self) -> bool {
        self.org.is_some()
    }
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let job = state
        .jobs()
        .get(&id, caller.account.account_id)
        .ok_or(PageError(AppError::NotFound, lang))?;
    // Read the outcome before the counters: a finished job's counters are final by then.
    let (report, created, memberships, failure) = match &*job.outcome() {
        None => (None, 0, 0, None),
        Some(JobOutcome::Finished {
            report,
            created,
            memberships,
        }) => (Some(report.clone()), *created, *memberships, None),
        Some(JobOutcome::Failed { message }) => (None, 0, 0, Some(message.clone())),
    };
    let running = report.is_none() && failure.is_none();
    let org = match &job.kind {
        ImportKind::Orgs => None,
        ImportKind::Persons { org_id, org_name } => Some((*org_id, org_name.clone())),
    };
    let title = match org {
        None => lang.t("import.orgs_title"),
        Some(_) => lang.t("import.persons_title"),
    };
    let page = JobPage {
        c: Chrome::new(
            &state,
            &caller,
            format!("{title} · {}", lang.t("import.job_title")),
            if org.is_some() { "persons" } else { "orgs" },
        ),
        running,
        progress: job.progress.snapshot(),
        file_name: job.file_name.clone(),
        dry_run: job.dry_run,
        skip_invalid: job.skip_invalid,
        org,
        report,
        created,
        memberships,
        failure,
    };
    // Each refresh must ask the server again.
    Ok(super::not_stored(render(page, lang)))
}
