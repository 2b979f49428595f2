//! A plan's supervision dashboard (督查): status figures, what is overdue or due within 30 days,
//! who has not reported this month, charts by department, leader and unit; the supervision
//! report (督查通报) as `.xlsx`; and the caller's notifications.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_store::{GroupFigures, Notification, Plan, Supervision};
use serde::Deserialize;

use super::charts::{self, Share};
use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}/dashboard", get(dashboard))
        .route("/plans/{id}/report.xlsx", get(report))
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(mark_read))
}

/// One grouping of the dashboard: its chart and its rows.
struct Grouping {
    title: &'static str,
    chart: String,
    groups: Vec<GroupFigures>,
}

#[derive(Template)]
#[template(path = "pages/plan_dashboard.html")]
struct DashboardPage {
    c: Chrome,
    plan: Plan,
    board: Supervision,
    status_chart: String,
    groupings: Vec<Grouping>,
}

fn grouping(title: &'static str, groups: Vec<GroupFigures>) -> Grouping {
    let shares: Vec<Share> = groups
        .iter()
        .map(|g| Share {
            label: g.name.clone(),
            part: g.counts.done,
            whole: g.counts.total,
        })
        .collect();
    Grouping {
        title,
        chart: charts::share_chart(title, &shares),
        groups,
    }
}

async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: kexie_store::StoreError| PageError(e.into(), lang);
    let store = state.store();
    let plan = store.plan(&caller.scope, id).await.map_err(fail)?;
    let board = store
        .supervision(&caller.scope, id, beijing_today())
        .await
        .map_err(fail)?;
    let c = &board.counts;
    let bars: Vec<(String, i64)> = [
        ("done", c.done),
        ("in_progress", c.in_progress),
        ("at_risk", c.at_risk),
        ("overdue", c.overdue),
        ("not_started", c.not_started),
        ("cancelled", c.cancelled),
    ]
    .iter()
    .map(|(k, n)| (lang.t(&format!("task.status_{k}")).to_string(), *n))
    .collect();
    let status_chart = charts::bar_chart(lang.t("plan.by_status"), &bars);
    let groupings = vec![
        grouping(lang.t("plan.by_department"), board.by_department.clone()),
        grouping(lang.t("plan.by_leader"), board.by_leader.clone()),
        grouping(lang.t("plan.by_unit"), board.by_unit.clone()),
    ];
    let page = DashboardPage {
        c: Chrome::new(
            &state,
            &caller,
            format!("{} · {}", lang.t("plan.dashboard"), plan.title),
            "plans",
        ),
        plan,
        board,
        status_chart,
        groupings,
    };
    Ok(render(page, lang))
}

async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let store = state.store();
    let today = beijing_today();
    let plan = store
        .plan(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let tasks = store
        .plan_tasks(&caller.scope, id, today)
        .await
        .map_err(|e| fail(e.into()))?;
    // The figures of the tasks just read, not a second reading of them.
    let board = Supervision::of(id, &tasks, today);
    let bytes = super::workplan_report::supervision_xlsx(&plan, &tasks, &board)
        .map_err(|e| fail(AppError::Internal(e.to_string())))?;
    store
        .audit(
            &caller.account.actor(&caller.client),
            "export.plan_report",
            &format!("plan:{id}"),
            kexie_store::Outcome::Ok,
            &format!("tasks={}", tasks.len()),
        )
        .await
        .map_err(|e| fail(e.into()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"plan-{id}-report-{today}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "pages/plan_notifications.html")]
struct NotificationsPage {
    c: Chrome,
    notices: Vec<Notification>,
}

async fn notifications(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let notices = state
        .store()
        .notifications(&caller.scope, &caller.account, 200)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let page = NotificationsPage {
        c: Chrome::new(&state, &caller, lang.t("plan.notices"), "plans"),
        notices,
    };
    Ok(render(page, lang))
}

#[derive(Deserialize)]
struct Empty {}

async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    state
        .store()
        .mark_notifications_read(&caller.scope, &caller.account)
        .await
        .map_err(|e| PageError(e.into(), caller.lang))?;
    Ok(Redirect::to("/notifications").into_response())
}
