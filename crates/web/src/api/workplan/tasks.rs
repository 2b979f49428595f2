//! Tasks: one task, the issuer's changes, the roll-up of what carries it out, and the
//! notifications of the caller's organisation.

use axum::extract::State;
use axum::Json;
use kexie_store::{Notification, Rollup, Task, TaskPatch, TaskStatus};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path};
use crate::person_input::beijing_today;
use crate::AppState;

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
