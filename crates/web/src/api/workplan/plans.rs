//! Plans: listing, creating (from pasted text or task by task), one plan, its tasks and its
//! supervision figures.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kexie_domain::deadline::parse_deadline;
use kexie_domain::plan_text::{parse_plan_text, PlanError};
use kexie_store::{
    NewPlan, NewTask, Plan, PlanCreated, PlanFilter, PlanSection, Supervision, Task,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::Paging;
use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::person_input::beijing_today;
use crate::AppState;

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
