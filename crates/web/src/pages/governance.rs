//! A society's governance page (学会治理): its bodies with the members of their current terms,
//! past terms, the findings against the rules, and the timeline of terms with the next
//! re-election. Writers record bodies, terms and posts with the forms at the bottom.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use kexie_domain::governance::{AppointmentMethod, Position};
use kexie_store::{
    AnnualPublication, BodyKind, GoverningBody, NewPost, NewTerm, Org, SocietyReview, StoreError,
};
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/governance", get(page))
        .route("/orgs/{id}/governance/bodies", post(add_body))
        .route("/orgs/{id}/governance/terms", post(add_term))
        .route("/orgs/{id}/governance/posts", post(add_post))
}

/// `?as_of=YYYY-MM-DD` checks on another day (default: today in Beijing).
#[derive(Deserialize)]
pub struct AsOf {
    pub as_of: Option<String>,
}

impl AsOf {
    pub fn date(&self) -> Result<NaiveDate, AppError> {
        match self
            .as_of
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => parse_day(s, "as_of"),
            None => Ok(kexie_store::today()),
        }
    }
}

pub fn parse_day(text: &str, field: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::Unprocessable(format!(
            "{field}：“{text}”不是有效日期，应写作 2025-06-30 / {field} must be YYYY-MM-DD"
        ))
    })
}

/// One line of the timeline.
struct TimelineRow {
    body: String,
    number: i64,
    start_on: String,
    planned_end: String,
    actual_end: Option<String>,
    current: bool,
}

#[derive(Template)]
#[template(path = "pages/governance.html")]
struct GovernancePage {
    c: Chrome,
    org: Org,
    review: SocietyReview,
    bodies: Vec<GoverningBody>,
    timeline: Vec<TimelineRow>,
    can_write: bool,
    kinds: Vec<(&'static str, &'static str)>,
    positions: Vec<(&'static str, &'static str)>,
    appointments: Vec<(&'static str, &'static str)>,
    /// People holding a post here with a sanction in force (诚信档案): flagged, not explained.
    sanctioned: std::collections::HashSet<i64>,
    /// The years whose annual report is published, and the year the report form offers.
    publications: Vec<AnnualPublication>,
    report_year: i32,
}

impl GovernancePage {
    fn body_kind(&self, code: &str) -> &'static str {
        self.c.t(&format!("gov.kind_{code}"))
    }

    fn position(&self, code: &str) -> &'static str {
        self.c.t(&format!("gov.position_{code}"))
    }

    fn appointment(&self, code: &str) -> &'static str {
        self.c.t(&format!("gov.appointment_{code}"))
    }

    fn is_sanctioned(&self, person_id: &i64) -> bool {
        self.sanctioned.contains(person_id)
    }
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let as_of = q.date().map_err(fail)?;
    let store = state.store();
    let org = store
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let review = store
        .society_review(&caller.scope, id, as_of)
        .await
        .map_err(|e| fail(e.into()))?;
    let bodies = store
        .governing_bodies(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let publications = store
        .annual_publications(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut timeline: Vec<TimelineRow> = bodies
        .iter()
        .flat_map(|b| {
            b.terms.iter().enumerate().map(|(i, t)| TimelineRow {
                body: b.name.clone(),
                number: t.number,
                start_on: t.start_on.clone(),
                planned_end: t.planned_end.clone(),
                actual_end: t.actual_end.clone(),
                current: i == 0,
            })
        })
        .collect();
    timeline.sort_by(|a, b| b.start_on.cmp(&a.start_on));
    let holders: Vec<i64> = bodies
        .iter()
        .flat_map(|b| {
            b.terms
                .iter()
                .flat_map(|t| t.posts.iter().map(|p| p.person_id))
        })
        .collect();
    let sanctioned = store
        .persons_with_active_sanctions(&caller.scope, &holders, &as_of.to_string())
        .await
        .map_err(|e| fail(e.into()))?;
    let page = GovernancePage {
        sanctioned,
        c: Chrome::new(
            &state,
            &caller,
            format!("{} · {}", lang.t("gov.title"), org.name),
            "governance",
        ),
        can_write: caller.scope.can_write(),
        kinds: BodyKind::ALL
            .iter()
            .map(|k| (k.code(), lang.t(&format!("gov.kind_{}", k.code()))))
            .collect(),
        positions: Position::ALL
            .iter()
            .map(|p| (p.code(), lang.t(&format!("gov.position_{}", p.code()))))
            .collect(),
        appointments: [
            AppointmentMethod::Elected,
            AppointmentMethod::CouncilOnPresidentNomination,
            AppointmentMethod::Other,
        ]
        .iter()
        .map(|a| (a.code(), lang.t(&format!("gov.appointment_{}", a.code()))))
        .collect(),
        org,
        review,
        bodies,
        timeline,
        publications,
        report_year: super::annual::last_year(),
    };
    Ok(render(page, lang))
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/orgs/{id}/governance")).into_response()
}

#[derive(Deserialize)]
struct BodyForm {
    kind: String,
    #[serde(default)]
    name: String,
}

async fn add_body(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<BodyForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let kind = BodyKind::parse(&form.kind).ok_or_else(|| {
        PageError(
            AppError::Unprocessable(format!("未知的机构类型 / unknown body kind: {}", form.kind)),
            lang,
        )
    })?;
    state
        .store()
        .create_body(&caller.scope, id, kind, &form.name)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct TermForm {
    body: i64,
    number: i64,
    start_on: String,
    planned_end: String,
}

/// The body must belong to the organisation of the page: a body id from elsewhere is "not
/// found", whatever the caller may see.
async fn own_body(
    state: &AppState,
    caller: &Caller,
    org_id: i64,
    body_id: i64,
) -> Result<GoverningBody, AppError> {
    state
        .store()
        .governing_bodies(&caller.scope, org_id)
        .await?
        .into_iter()
        .find(|b| b.governing_body_id == body_id)
        .ok_or(AppError::NotFound)
}

async fn add_term(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<TermForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        own_body(&state, &caller, id, form.body).await?;
        let new = NewTerm {
            number: form.number,
            start_on: parse_day(&form.start_on, "开始日期")?,
            planned_end: parse_day(&form.planned_end, "届满日期")?,
            actual_end: None,
        };
        state
            .store()
            .create_term(&caller.scope, form.body, &new)
            .await?;
        Ok::<_, AppError>(())
    };
    run.await.map_err(|e| PageError(e, lang))?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct PostForm {
    term: i64,
    person: i64,
    position: String,
    appointment: String,
    #[serde(default)]
    full_time: Option<String>,
}

async fn add_post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PostForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        let bodies = state.store().governing_bodies(&caller.scope, id).await?;
        if !bodies
            .iter()
            .any(|b| b.terms.iter().any(|t| t.term_id == form.term))
        {
            return Err(AppError::NotFound);
        }
        let position = Position::parse(&form.position).ok_or_else(|| {
            AppError::Unprocessable(format!("未知的职务 / unknown position: {}", form.position))
        })?;
        let appointment =
            AppointmentMethod::parse(&form.appointment).unwrap_or(AppointmentMethod::Elected);
        let new = NewPost {
            person_id: form.person,
            position,
            appointment,
            full_time: form.full_time.is_some(),
        };
        state
            .store()
            .add_post(&caller.scope, form.term, &new)
            .await
            .map_err(|e| match e {
                // A person outside the scope is named as such, not as a missing page.
                StoreError::NotFound => AppError::Unprocessable(format!(
                    "人员编号 {}：没有这个人（或不在您的管辖范围内）",
                    form.person
                )),
                other => other.into(),
            })?;
        Ok(())
    };
    run.await.map_err(|e| PageError(e, lang))?;
    Ok(back(id))
}
