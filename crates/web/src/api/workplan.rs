//! Work-plan supervision (督查督办): plans, tasks, progress reports, roll-ups, notifications.
//! Statuses are judged as of today in Beijing.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use kexie_domain::deadline::parse_deadline;
use kexie_domain::plan_text::{parse_plan_text, PlanError};
use kexie_store::{
    Attachment, NewAttachment, NewPlan, NewReport, NewTask, Notification, Plan, PlanCreated,
    PlanFilter, PlanSection, ProgressReport, Rollup, Supervision, Task, TaskPatch, TaskStatus,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Paging;
use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list).post(create))
        .route("/plans/{id}", get(get_one))
        .route("/plans/{id}/tasks", get(tasks))
        .route("/plans/{id}/supervision", get(supervision))
        .route("/tasks/{id}", get(task).patch(update_task))
        .route(
            "/tasks/{id}/reports",
            get(reports).post(report).layer(DefaultBodyLimit::max(
                crate::pages::workplan_task::UPLOAD_LIMIT,
            )),
        )
        .route("/attachments/{id}", get(attachment))
        .route("/tasks/{id}/rollup", get(rollup))
        .route("/notifications", get(notifications))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlanQuery {
    /// Plans issued by this organisation.
    org: Option<i64>,
    year: Option<i64>,
    /// Title or document number contains.
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    items: Vec<Plan>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// Plans the caller sees: issued in its subtree, or with tasks given to its units.
#[utoipa::path(get, path = "/api/v1/plans", tag = "workplan", params(PlanQuery),
    responses((status = 200, body = PlanList), (status = 400, body = crate::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PlanQuery>,
) -> Result<Json<PlanList>, AppError> {
    let paging = Paging {
        page: q.page,
        per_page: q.per_page,
    };
    let (items, total) = state
        .store()
        .list_plans(
            &caller.scope,
            &PlanFilter {
                org_id: q.org,
                year: q.year,
                q: q.q,
                limit: paging.limit(),
                offset: paging.offset(),
            },
        )
        .await?;
    Ok(Json(PlanList {
        items,
        total,
        page: paging.page(),
        per_page: paging.limit(),
    }))
}

/// A task given field by field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskInput {
    number: String,
    section: Option<String>,
    text: String,
    #[serde(default)]
    measures: Vec<String>,
    /// The deadline phrase as written ("2017年10月底前").
    #[serde(default)]
    deadline: String,
    leader: Option<String>,
    department: Option<String>,
    #[serde(default)]
    co_departments: Vec<String>,
    /// Responsible units by name (or code) of organisations in the issuer's subtree.
    #[serde(default)]
    units: Vec<String>,
    implements_task_id: Option<i64>,
}

/// A plan and its tasks: `text` pasted as a task breakdown table is read like the import does;
/// or `tasks` one by one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanInput {
    org_id: i64,
    title: String,
    doc_number: Option<String>,
    /// `YYYY-MM-DD`.
    issued_on: Option<String>,
    year: i32,
    implements_plan_id: Option<i64>,
    text: Option<String>,
    #[serde(default)]
    tasks: Vec<TaskInput>,
    /// Check everything, write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Creates a plan with its tasks, all or nothing. Text that cannot be read whole is refused
/// with the lines named.
#[utoipa::path(post, path = "/api/v1/plans", tag = "workplan", request_body = PlanInput,
    responses((status = 201, body = PlanCreated), (status = 200, description = "dry run", body = PlanCreated),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<PlanInput>,
) -> Result<(StatusCode, Json<PlanCreated>), AppError> {
    let issued_on = match input.issued_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(
            kexie_office::parse_date(d)
                .map_err(|e| AppError::Unprocessable(format!("issued_on：{}", e.message)))?
                .to_string(),
        ),
    };
    let mut tasks: Vec<NewTask> = Vec::new();
    if let Some(text) = &input.text {
        let parsed = parse_plan_text(text, Some(input.year));
        if !parsed.errors.is_empty() {
            return Err(unreadable(&parsed.errors));
        }
        tasks.extend(parsed.tasks.iter().map(NewTask::from_parsed));
    }
    tasks.extend(input.tasks.into_iter().map(|t| NewTask {
        number: t.number,
        section: t.section,
        text: t.text,
        measures: t.measures,
        deadline: parse_deadline(&t.deadline, Some(input.year)),
        deadline_inherited: false,
        leader: t.leader,
        department: t.department,
        co_departments: t.co_departments,
        units: t.units,
        implements_task_id: t.implements_task_id,
    }));
    let plan = NewPlan {
        org_id: input.org_id,
        title: input.title,
        doc_number: input.doc_number,
        issued_on,
        year: i64::from(input.year),
        implements_plan_id: input.implements_plan_id,
        tasks,
    };
    let created = state
        .store()
        .create_plan(&caller.scope, &plan, input.dry_run)
        .await?;
    let status = if input.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(created)))
}

fn unreadable(errors: &[PlanError]) -> AppError {
    AppError::Unprocessable(format!(
        "计划文本有 {} 处无法读取，未写入任何数据 / {} lines could not be read: {}",
        errors.len(),
        errors.len(),
        errors
            .iter()
            .map(|e| format!("第 {} 行 {}", e.line, e.message))
            .collect::<Vec<_>>()
            .join("；")
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDetail {
    plan: Plan,
    sections: Vec<PlanSection>,
}

/// One plan and its sections (for a responsible unit: the sections of its tasks).
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "workplan",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = PlanDetail), (status = 404, body = crate::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PlanDetail>, AppError> {
    let store = state.store();
    let plan = store.plan(&caller.scope, id).await?;
    let sections = store.plan_sections(&caller.scope, id).await?;
    Ok(Json(PlanDetail { plan, sections }))
}

/// The tasks of a plan the caller sees, in order.
#[utoipa::path(get, path = "/api/v1/plans/{id}/tasks", tag = "workplan",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = [Task]), (status = 404, body = crate::ErrorBody)))]
pub async fn tasks(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Task>>, AppError> {
    Ok(Json(
        state
            .store()
            .plan_tasks(&caller.scope, id, beijing_today())
            .await?,
    ))
}

/// Status figures, overdue, due within 30 days, not reported this month, and figures by
/// department, leader and responsible unit.
#[utoipa::path(get, path = "/api/v1/plans/{id}/supervision", tag = "workplan",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = Supervision), (status = 404, body = crate::ErrorBody)))]
pub async fn supervision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Supervision>, AppError> {
    Ok(Json(
        state
            .store()
            .supervision(&caller.scope, id, beijing_today())
            .await?,
    ))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "workplan",
    params(("id" = i64, Path, description = "task id")),
    responses((status = 200, body = Task), (status = 404, body = crate::ErrorBody)))]
pub async fn task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Task>, AppError> {
    Ok(Json(
        state
            .store()
            .task(&caller.scope, id, beijing_today())
            .await?,
    ))
}

/// `null` and absent told apart: `Some(None)` unlinks.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskChange {
    status: Option<TaskStatus>,
    /// A new deadline phrase, read with the plan's year.
    deadline: Option<String>,
    leader: Option<String>,
    department: Option<String>,
    /// The task's text (not empty).
    text: Option<String>,
    measures: Option<Vec<String>>,
    co_departments: Option<Vec<String>>,
    /// Responsible units by name (organisations of the issuer's subtree are linked).
    units: Option<Vec<String>>,
    /// Required with the status `cancelled`.
    cancel_reason: Option<String>,
    /// The higher task this one carries out; `null` unlinks.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    implements_task_id: Option<Option<i64>>,
}

/// Changes a task (its issuer's staff only).
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "workplan", request_body = TaskChange,
    params(("id" = i64, Path, description = "task id")),
    responses((status = 200, body = Task), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn update_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(change): JsonBody<TaskChange>,
) -> Result<Json<Task>, AppError> {
    let store = state.store();
    let today = beijing_today();
    if let Some(implements) = change.implements_task_id {
        store.link_task(&caller.scope, id, implements).await?;
    }
    let patch = TaskPatch {
        status: change.status,
        deadline: change.deadline,
        leader: change.leader,
        department: change.department,
        text: change.text,
        measures: change.measures,
        co_departments: change.co_departments,
        units: change.units,
        cancel_reason: change.cancel_reason,
    };
    Ok(Json(
        store.update_task(&caller.scope, id, &patch, today).await?,
    ))
}

/// A task's progress reports, newest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/reports", tag = "workplan",
    params(("id" = i64, Path, description = "task id")),
    responses((status = 200, body = [ProgressReport]), (status = 404, body = crate::ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ProgressReport>>, AppError> {
    Ok(Json(state.store().task_reports(&caller.scope, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportInput {
    /// `YYYY-MM-DD`; today when absent.
    reported_on: Option<String>,
    /// The writer's name; the account's name when absent.
    author: Option<String>,
    text: String,
    percent: i64,
    /// `in_progress`, `at_risk` or `done`.
    status: Option<TaskStatus>,
    /// The issuer or a responsible unit in scope.
    org_id: Option<i64>,
}

/// A multipart report: the part `report` holds the JSON of `ReportInput`, each part
/// `attachments` a file.
async fn report_upload(
    req: Request,
    state: &AppState,
) -> Result<(ReportInput, Vec<NewAttachment>), AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("上传无效 / upload failed: {e}"))
    };
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::BadRequest(format!("上传无效 / not an upload: {e}")))?;
    let mut input = None;
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "report" => {
                let text = field.text().await.map_err(bad)?;
                input = Some(serde_json::from_str::<ReportInput>(&text).map_err(|e| {
                    AppError::Unprocessable(format!(
                        "report 部分不是有效的 JSON / the report part: {e}"
                    ))
                })?);
            }
            "attachments" => {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    files.push(NewAttachment {
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
    let input = input.ok_or_else(|| {
        AppError::Unprocessable("缺少 report 部分 / the upload has no part named report".into())
    })?;
    Ok((input, files))
}

/// Reports progress on a task (its issuer or one of its responsible units): a JSON body, or
/// `multipart/form-data` with the JSON in the part `report` and up to five files in parts
/// `attachments` (PDF, .docx, .xlsx, JPEG, PNG; 20 MB each; type checked by content).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reports", tag = "workplan", request_body = ReportInput,
    params(("id" = i64, Path, description = "task id")),
    responses((status = 201, body = ProgressReport), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    req: Request,
) -> Result<(StatusCode, Json<ProgressReport>), AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (input, files) = if multipart {
        report_upload(req, &state).await?
    } else {
        let JsonBody(input) = JsonBody::<ReportInput>::from_request(req, &state).await?;
        (input, Vec::new())
    };
    let today = beijing_today();
    let reported_on = match input.reported_on.as_deref().map(str::trim) {
        None | Some("") => today,
        Some(d) => kexie_office::parse_date(d)
            .map_err(|e| AppError::Unprocessable(format!("reported_on：{}", e.message)))?,
    };
    let author = input.author.unwrap_or_else(|| {
        caller
            .account
            .display_name
            .clone()
            .unwrap_or_else(|| caller.account.username.clone())
    });
    let new = NewReport {
        reported_on,
        author,
        text: input.text,
        percent: input.percent,
        status: input.status,
        org_id: input.org_id,
        attachments: files,
    };
    let report = state
        .store()
        .report_progress(&caller.scope, id, &new, today)
        .await?;
    Ok((StatusCode::CREATED, Json(report)))
}

/// A file of a progress report, for who sees the report (audited).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "workplan",
    params(("id" = i64, Path, description = "attachment id")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 404, body = crate::ErrorBody)))]
pub async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (meta, bytes): (Attachment, Vec<u8>) = state.store().attachment(&caller.scope, id).await?;
    Ok(crate::pages::workplan_task::file_response(&meta, bytes))
}

/// Everything in the caller's scope that carries the task out, rolled up.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/rollup", tag = "workplan",
    params(("id" = i64, Path, description = "task id")),
    responses((status = 200, body = Rollup), (status = 404, body = crate::ErrorBody)))]
pub async fn rollup(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Rollup>, AppError> {
    Ok(Json(
        state
            .store()
            .rollup(&caller.scope, id, beijing_today())
            .await?,
    ))
}

/// The newest notifications of the caller's organisation.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "workplan",
    responses((status = 200, body = [Notification])))]
pub async fn notifications(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Notification>>, AppError> {
    Ok(Json(
        state
            .store()
            .notifications(&caller.scope, &caller.account, 100)
            .await?,
    ))
}
