//! A task's page: what it asks, who answers for it, its progress reports and the report form,
//! the issuer's status and link forms, and the roll-up of the lower plans that carry it out.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_domain::deadline::DeadlineKind;
use kexie_store::{NewReport, ProgressReport, Rollup, Task, TaskPatch, TaskStatus};
use serde::Deserialize;

use super::workplan::beijing_today;
use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks/{id}", get(show))
        .route("/tasks/{id}/reports", post(report))
        .route("/tasks/{id}/status", post(status))
        .route("/tasks/{id}/link", post(link))
}

#[derive(Template)]
#[template(path = "pages/task.html")]
struct TaskPage {
    c: Chrome,
    task: Task,
    reports: Vec<ProgressReport>,
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

async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Response, PageError> {
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
            ..TaskPatch::default()
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
