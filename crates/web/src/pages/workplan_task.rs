//! A task's page: what it asks, who answers for it, its progress reports and the report form,
//! the issuer's status and link forms, and the roll-up of the lower plans that carry it out.

use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_domain::deadline::DeadlineKind;
use kexie_store::{
    NewAttachment, NewReport, ProgressReport, Rollup, Task, TaskHistoryEntry, TaskPatch,
    TaskStatus, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES,
};
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::{CsrfForm, CsrfUpload};
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks/{id}", get(show))
        .route(
            "/tasks/{id}/reports",
            post(report).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/attachments/{id}", get(download))
        .route("/tasks/{id}/status", post(status))
        .route("/tasks/{id}/link", post(link))
}

/// A report with its largest files, and room for the form around them.
pub(crate) const UPLOAD_LIMIT: usize = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024;

#[derive(Template)]
#[template(path = "pages/task.html")]
struct TaskPage {
    c: Chrome,
    task: Task,
    reports: Vec<ProgressReport>,
    /// The issuer's changes, newest first (`changed_at` as Beijing time, the entry).
    history: Vec<(String, TaskHistoryEntry)>,
    rollup: Option<Rollup>,
    /// Organisations the caller may report for (empty: no report form).
    reporting: Vec<(i64, String)>,
    /// The caller may change the task (its issuer, with write rights).
    can_manage: bool,
    statuses: Vec<&'static str>,
    deadline_kind: &'static str,
    today: String,
    author: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let store = state.store();
    let today = beijing_today();
    let task = store.task(&caller.scope, id, today).await?;
    let reports = store.task_reports(&caller.scope, id).await?;
    let history = store
        .task_changes(&caller.scope, id)
        .await?
        .into_iter()
        .map(|h| {
            let at = chrono::DateTime::from_timestamp_millis(h.changed_at + 8 * 3_600_000)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            (at, h)
        })
        .collect();
    let rollup = if task.implementers > 0 {
        Some(store.rollup(&caller.scope, id, today).await?)
    } else {
        None
    };
    let reporting = if caller.scope.can_write() {
        store.reporting_orgs(&caller.scope, id).await?
    } else {
        Vec::new()
    };
    let failed = error.is_some();
    let view = TaskPage {
        c: Chrome::new(
            state,
            caller,
            format!("({}) {}", task.number, task.plan_title),
            "plans",
        ),
        can_manage: caller.scope.can_write() && task.full_access,
        statuses: TaskStatus::ALL.iter().map(|s| s.code()).collect(),
        deadline_kind: kind_code(task.deadline.kind),
        today: today.to_string(),
        author: caller
            .account
            .display_name
            .clone()
            .unwrap_or_else(|| caller.account.username.clone()),
        task,
        reports,
        history,
        rollup,
        reporting,
        error,
    };
    let mut response = render(view, caller.lang);
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The JSON name of a deadline kind, for its translation key.
fn kind_code(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Due => "due",
        DeadlineKind::Recurring => "recurring",
        DeadlineKind::Range => "range",
        DeadlineKind::Ongoing => "ongoing",
        DeadlineKind::Unknown => "unknown",
    }
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    page(&state, &caller, id, None)
        .await
        .map_err(|e| PageError(e, caller.lang))
}

/// After a change: back to the task, or the task with the reason when the input was refused.
async fn answer(
    state: &AppState,
    caller: &Caller,
    id: i64,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(AppError::Unprocessable(m) | AppError::Conflict(m)) => page(state, caller, id, Some(m))
            .await
            .map_err(|e| PageError(e, lang)),
        Err(e) => Err(PageError(e, lang)),
    }
}

/// Whether a report comes as `multipart/form-data` (with files) rather than as a plain body.
pub(crate) fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    reported_on: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    org_id: String,
}

/// The report form: `multipart/form-data` with files (`attachments`), or a plain form without.
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Response, PageError> {
    let (form, files) = if is_multipart(&req) {
        let upload = match CsrfUpload::from_request(req, &state).await {
            Ok(u) => u,
            Err(refused) => return Ok(refused),
        };
        let field = |n: &str| upload.field(n).to_string();
        let form = ReportForm {
            reported_on: field("reported_on"),
            author: field("author"),
            text: field("text"),
            percent: field("percent"),
            status: field("status"),
            org_id: field("org_id"),
        };
        (form, upload.files)
    } else {
        match CsrfForm::<ReportForm>::from_request(req, &state).await {
            Ok(CsrfForm(form)) => (form, Vec::new()),
            Err(refused) => return Ok(refused),
        }
    };
    let result = async {
        let reported_on = match form.reported_on.trim() {
            "" => beijing_today(),
            d => kexie_office::parse_date(d)
                .map_err(|e| AppError::Unprocessable(format!("报送日期：{}", e.message)))?,
        };
        let percent = form
            .percent
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::Unprocessable("完成进度：请填写 0 到 100 的整数".into()))?;
        let status = match form.status.trim() {
            "" => None,
            s => Some(
                TaskStatus::parse(s)
                    .ok_or_else(|| AppError::Unprocessable(format!("状态“{s}”无效")))?,
            ),
        };
        let new = NewReport {
            reported_on,
            author: form.author.clone(),
            text: form.text.clone(),
            percent,
            status,
            org_id: form.org_id.trim().parse().ok(),
            attachments: files
                .into_iter()
                .map(|(file_name, bytes)| NewAttachment { file_name, bytes })
                .collect(),
        };
        state
            .store()
            .report_progress(&caller.scope, id, &new, beijing_today())
            .await?;
        Ok(())
    }
    .await;
    answer(&state, &caller, id, result).await
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    cancel_reason: String,
    /// The edit form sends every field; a short status form only the ones above.
    text: Option<String>,
    measures: Option<String>,
    leader: Option<String>,
    department: Option<String>,
    co_departments: Option<String>,
    units: Option<String>,
}

/// One entry a line (measures, units), or also split at 、，, ; (co-departments).
fn lines(text: Option<&String>, separators: &[char]) -> Option<Vec<String>> {
    text.map(|t| {
        t.split(|c: char| c == '\n' || separators.contains(&c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    let result = async {
        let status = match form.status.trim() {
            "" => None,
            s => Some(
                TaskStatus::parse(s)
                    .ok_or_else(|| AppError::Unprocessable(format!("状态“{s}”无效")))?,
            ),
        };
        let patch = TaskPatch {
            status,
            deadline: Some(form.deadline.clone()).filter(|d| !d.trim().is_empty()),
            cancel_reason: Some(form.cancel_reason.clone()),
            text: form.text.clone(),
            measures: lines(form.measures.as_ref(), &[]),
            leader: form.leader.clone(),
            department: form.department.clone(),
            co_departments: lines(form.co_departments.as_ref(), &['、', '，', ',', '；', ';']),
            units: lines(form.units.as_ref(), &[]),
        };
        state
            .store()
            .update_task(&caller.scope, id, &patch, beijing_today())
            .await?;
        Ok(())
    }
    .await;
    answer(&state, &caller, id, result).await
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    implements: String,
}

async fn link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<Response, PageError> {
    let result = async {
        let implements =
            match form.implements.trim() {
                "" => None,
                n => Some(n.parse::<i64>().map_err(|_| {
                    AppError::Unprocessable("落实的上级任务：请填写任务编号".into())
                })?),
            };
        match state.store().link_task(&caller.scope, id, implements).await {
            // The task linked to is out of sight: the caller's own task was found first.
            Err(kexie_store::StoreError::NotFound) if implements.is_some() => {
                state
                    .store()
                    .task(&caller.scope, id, beijing_today())
                    .await?;
                Err(AppError::Unprocessable(
                    "落实的上级任务：没有这个编号的任务（或不在您的范围内）".into(),
                ))
            }
            other => Ok(other?),
        }
    }
    .await;
    answer(&state, &caller, id, result).await
}

/// A report's file, for who sees the report.
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (meta, bytes) = state
        .store()
        .attachment(&caller.scope, id)
        .await
        .map_err(|e| PageError(e.into(), caller.lang))?;
    Ok(file_response(&meta, bytes))
}

/// The file as a download: its sniffed type, its name (RFC 6266 / RFC 5987), never shown inline.
pub(crate) fn file_response(meta: &kexie_store::Attachment, bytes: Vec<u8>) -> Response {
    let ascii: String = meta
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        super::url_encode(&meta.file_name)
    );
    (
        [
            (header::CONTENT_TYPE, meta.media_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
