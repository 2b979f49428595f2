//! Work-plan supervision (督查督办): the list of plans and of tasks given to the caller's units,
//! a new plan from pasted text, and a plan's page with its tasks by section.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use kexie_domain::plan_text::{parse_plan_text, PlanParse};
use kexie_store::{Account, NewPlan, NewTask, Notification, Plan, PlanFilter, Scope, Task};
use serde::Deserialize;

use super::{render, url_encode, Chrome, Pager};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::person_input::beijing_today;
use crate::AppState;

const PER_PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list))
        .route("/plans/new", get(new_form).post(create))
        .route("/plans/{id}", get(show))
}

/// The unread reminders of an organisation account, for the page header. Runs the day's
/// reminders first when no one has yet today. A failure costs the badge, never the page.
pub async fn header_notices(state: &AppState, account: &Account, scope: &Scope) -> i64 {
    if !account.role.is_org_role() {
        return 0;
    }
    let store = state.store();
    if let Err(e) = store.ensure_reminders(beijing_today()).await {
        tracing::warn!(error = %e, "reminders did not run");
    }
    store
        .unread_notifications(scope, account)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "notifications not counted");
            0
        })
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    year: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "pages/plans.html")]
struct PlansPage {
    c: Chrome,
    q: String,
    year: String,
    plans: Vec<Plan>,
    pager: Pager,
    assigned: Vec<Task>,
    notices: Vec<Notification>,
    can_write: bool,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: kexie_store::StoreError| PageError(e.into(), lang);
    let store = state.store();
    let page = query.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let q = query.q.unwrap_or_default();
    let year = query.year.unwrap_or_default();
    let (plans, total) = store
        .list_plans(
            &caller.scope,
            &PlanFilter {
                q: Some(q.clone()),
                year: year.trim().parse().ok(),
                limit: PER_PAGE,
                offset: (page - 1) * PER_PAGE,
                ..PlanFilter::default()
            },
        )
        .await
        .map_err(fail)?;
    let assigned = store
        .assigned_tasks(&caller.scope, beijing_today(), 100)
        .await
        .map_err(fail)?;
    let notices = store
        .notifications(&caller.scope, &caller.account, 20)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|n| !n.read)
        .collect();
    let page = PlansPage {
        c: Chrome::new(&state, &caller, lang.t("plan.title"), "plans"),
        pager: Pager::new(
            page,
            PER_PAGE,
            total,
            format!("q={}&year={}", url_encode(&q), url_encode(&year)),
        ),
        q,
        year,
        plans,
        assigned,
        notices,
        can_write: caller.scope.can_write(),
    };
    Ok(render(page, lang))
}

/// The new-plan form's fields, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    implements: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    dry_run: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/plan_form.html")]
struct PlanFormPage {
    c: Chrome,
    form: PlanForm,
    error: Option<String>,
    parsed: Option<PlanParse>,
}

fn form_page(
    state: &AppState,
    caller: &Caller,
    form: PlanForm,
    error: Option<String>,
    parsed: Option<PlanParse>,
) -> Response {
    let failed = error.is_some() || parsed.as_ref().is_some_and(|p| !p.errors.is_empty());
    let page = PlanFormPage {
        c: Chrome::new(state, caller, caller.lang.t("plan.new"), "plans"),
        form,
        error,
        parsed,
    };
    let mut response = render(page, caller.lang);
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

async fn new_form(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, caller.lang));
    }
    let org_code = match caller.account.org_id {
        Some(id) => state
            .store()
            .org(&caller.scope, id)
            .await
            .map(|o| o.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    let form = PlanForm {
        org_code,
        year: beijing_today().year().to_string(),
        ..PlanForm::default()
    };
    Ok(form_page(&state, &caller, form, None, None))
}

/// Reads the form into a plan; errors name the field.
async fn to_plan(
    state: &AppState,
    caller: &Caller,
    form: &PlanForm,
) -> Result<(NewPlan, PlanParse), AppError> {
    let org = state
        .store()
        .org_by_code(&caller.scope, form.org_code.trim())
        .await
        .map_err(|_| {
            AppError::Unprocessable(format!(
                "发文单位：没有代码为 {} 的组织（或不在您的管辖范围内）",
                form.org_code.trim()
            ))
        })?;
    let year: i32 = form
        .year
        .trim()
        .parse()
        .map_err(|_| AppError::Unprocessable("年度：请填写四位年份".into()))?;
    let issued_on = match form.issued_on.trim() {
        "" => None,
        d => Some(
            kexie_office::parse_date(d)
                .map_err(|e| AppError::Unprocessable(format!("印发日期：{}", e.message)))?
                .to_string(),
        ),
    };
    let implements_plan_id = match form.implements.trim() {
        "" => None,
        n => Some(
            n.parse::<i64>()
                .map_err(|_| AppError::Unprocessable("落实的上级计划：请填写计划编号".into()))?,
        ),
    };
    let parsed = parse_plan_text(&form.text, Some(year));
    let plan = NewPlan {
        org_id: org.org_id,
        title: form.title.clone(),
        doc_number: Some(form.doc_number.clone()),
        issued_on,
        year: i64::from(year),
        implements_plan_id,
        tasks: parsed.tasks.iter().map(NewTask::from_parsed).collect(),
    };
    Ok((plan, parsed))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, lang));
    }
    let (plan, parsed) = match to_plan(&state, &caller, &form).await {
        Ok(p) => p,
        Err(AppError::Unprocessable(m)) => {
            return Ok(form_page(&state, &caller, form, Some(m), None))
        }
        Err(e) => return Err(PageError(e, lang)),
    };
    if parsed.tasks.is_empty() {
        let m = lang.t("plan.no_tasks").to_string();
        return Ok(form_page(&state, &caller, form, Some(m), Some(parsed)));
    }
    if !parsed.errors.is_empty() || form.dry_run.is_some() {
        return Ok(form_page(&state, &caller, form, None, Some(parsed)));
    }
    match state.store().create_plan(&caller.scope, &plan, false).await {
        Ok(created) => Ok(
            Redirect::to(&format!("/plans/{}", created.plan_id.unwrap_or_default()))
                .into_response(),
        ),
        Err(e) => match AppError::from(e) {
            AppError::Unprocessable(m) | AppError::Conflict(m) => {
                Ok(form_page(&state, &caller, form, Some(m), Some(parsed)))
            }
            // The issuer was found above: what is out of sight is the higher plan named.
            AppError::NotFound => {
                let m = lang.t("plan.higher_not_found").to_string();
                Ok(form_page(&state, &caller, form, Some(m), Some(parsed)))
            }
            other => Err(PageError(other, lang)),
        },
    }
}

/// A line of the plan page: a section heading when the section changes, then the task.
pub struct PlanRow {
    pub heading: Option<String>,
    pub task: Task,
}

#[derive(Template)]
#[template(path = "pages/plan.html")]
struct PlanPage {
    c: Chrome,
    plan: Plan,
    higher: Option<Plan>,
    rows: Vec<PlanRow>,
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: kexie_store::StoreError| PageError(e.into(), lang);
    let store = state.store();
    let plan = store.plan(&caller.scope, id).await.map_err(fail)?;
    let tasks = store
        .plan_tasks(&caller.scope, id, beijing_today())
        .await
        .map_err(fail)?;
    let higher = match plan.implements_plan_id {
        Some(h) => store.plan(&caller.scope, h).await.ok(),
        None => None,
    };
    let mut rows = Vec::with_capacity(tasks.len());
    let mut section: Option<String> = None;
    for task in tasks {
        let heading = (task.section != section)
            .then(|| task.section.clone())
            .flatten();
        section = task.section.clone();
        rows.push(PlanRow { heading, task });
    }
    let page = PlanPage {
        c: Chrome::new(&state, &caller, plan.title.clone(), "plans"),
        plan,
        higher,
        rows,
    };
    Ok(render(page, lang))
}
