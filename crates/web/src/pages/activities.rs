//! An organisation's activities (活动记录): the list for a year, the society's own and its
//! branches', with a form to record one and a button to delete one. They keep a branch off the
//! `branch.inactive` list and fill the annual report.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use kexie_domain::governance::ActivityKind;
use kexie_store::{Activity, ActivityFilter, NewActivity, Org};
use serde::Deserialize;

use super::governance::parse_day;
use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/activities", get(page).post(create))
        .route("/orgs/{id}/activities/{activity}/delete", post(delete))
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
}

/// `?year=2025`; empty or absent: every year.
fn year_of(text: Option<&str>) -> Result<Option<i32>, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=9998).contains(y))
            .map(Some)
            .ok_or_else(|| {
                AppError::Unprocessable(format!(
                    "年份“{s}”无效，应为 1900 到 9998 之间的年份 / the year must be between 1900 and 9998"
                ))
            }),
    }
}

#[derive(Template)]
#[template(path = "pages/activities.html")]
struct ActivitiesPage {
    c: Chrome,
    org: Org,
    year: Option<i32>,
    activities: Vec<Activity>,
    participants: i64,
    can_write: bool,
    kinds: Vec<(&'static str, &'static str)>,
    today: String,
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let year = year_of(q.year.as_deref()).map_err(fail)?;
    let store = state.store();
    let org = store
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let activities = store
        .activities(
            &caller.scope,
            id,
            &ActivityFilter {
                year,
                subtree: true,
            },
        )
        .await
        .map_err(|e| fail(e.into()))?;
    let page = ActivitiesPage {
        c: Chrome::new(
            &state,
            &caller,
            format!("{} · {}", lang.t("activity.title"), org.name),
            "governance",
        ),
        participants: activities.iter().map(|a| a.participants).sum(),
        can_write: caller.scope.can_write(),
        kinds: ActivityKind::ALL
            .iter()
            .map(|k| (k.code(), lang.t(&format!("activity.kind_{}", k.code()))))
            .collect(),
        today: kexie_store::today().to_string(),
        org,
        year,
        activities,
    };
    Ok(render(page, lang))
}

#[derive(Deserialize)]
struct ActivityForm {
    held_on: String,
    title: String,
    kind: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    notes: String,
}

/// The form as a new activity, or the problem with it in Chinese first.
fn new_activity(form: &ActivityForm) -> Result<NewActivity, AppError> {
    let kind = ActivityKind::parse(&form.kind).ok_or_else(|| {
        AppError::Unprocessable(format!(
            "未知的活动类别“{}” / unknown activity kind",
            form.kind
        ))
    })?;
    let participants = match form.participants.trim() {
        "" => 0,
        n => n.parse::<i64>().map_err(|_| {
            AppError::Unprocessable(format!(
                "参加人数“{n}”应为整数 / participants must be a whole number"
            ))
        })?,
    };
    Ok(NewActivity {
        held_on: parse_day(&form.held_on, "活动日期")?,
        title: form.title.clone(),
        kind,
        participants,
        notes: Some(form.notes.clone()),
    })
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        let new = new_activity(&form)?;
        state
            .store()
            .create_activity(&caller.scope, id, &new)
            .await?;
        Ok::<_, AppError>(new.held_on.year())
    };
    let year = run.await.map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to(&format!("/orgs/{id}/activities?year={year}")).into_response())
}

#[derive(Deserialize)]
struct Nothing {}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, activity)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    state
        .store()
        .delete_activity(&caller.scope, id, activity)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    Ok(Redirect::to(&format!("/orgs/{id}/activities")).into_response())
}
