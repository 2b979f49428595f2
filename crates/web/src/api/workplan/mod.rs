//! Work-plan supervision (督查督办): plans, tasks, progress reports, roll-ups, notifications.
//! Statuses are judged as of today in Beijing.

mod plans;
mod reports;
mod tasks;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;

use crate::AppState;
pub use plans::*;
pub use reports::*;
pub use tasks::*;

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
