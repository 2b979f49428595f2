//! Pilot programmes (试点): the list, a form for a new one, and its page with progress per
//! category and unit, where units, leading-group members and progress notes are entered by hand.
//! Units also come from a spreadsheet (`pilot_import.rs`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_domain::network::{GroupRole, PilotStatus};
use kexie_store::{
    NewGroupMember, NewPilot, NewPilotCategory, NewPilotUnit, PersonRow, Pilot, PilotSummary,
};
use serde::Deserialize;

use super::{charts, render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::network_input::{day, doc_number, group_role};
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pilots", get(list))
        .route("/pilots/new", get(new_form).post(create))
        .route("/pilots/{id}", get(show))
        .route("/pilots/{id}/units", post(add_unit))
        .route("/pilots/{id}/group", post(add_member))
        .route("/pilots/{id}/progress", post(progress))
        .merge(super::pilot_import::router())
}

#[derive(Template)]
#[template(path = "pages/pilots.html")]
struct PilotsPage {
    c: Chrome,
    pilots: Vec<PilotSummary>,
    can_write: bool,
}

async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let lang = caller.lang;
    let pilots = state
        .store()
        .pilots(&caller.scope, None)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let page = PilotsPage {
        c: Chrome::new(&state, &caller, lang.t("pilot.title"), "pilots"),
        pilots,
        can_write: caller.scope.can_write(),
    };
    Ok(render(page, lang))
}

/// The new-pilot form's fields, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct PilotForm {
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    issued_on: String,
    /// One category per line.
    #[serde(default)]
    categories: String,
}

#[derive(Template)]
#[template(path = "pages/pilot_form.html")]
struct PilotFormPage {
    c: Chrome,
    form: PilotForm,
    error: Option<String>,
}

async fn new_form(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let lang = caller.lang;
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, lang));
    }
    // The issuer defaults to the account's own organisation.
    let org_code = match caller.account.org_id {
        Some(id) => state
            .store()
            .org(&caller.scope, id)
            .await
            .map(|o| o.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    let form = PilotForm {
        org_code,
        ..PilotForm::default()
    };
    let page = PilotFormPage {
        c: Chrome::new(&state, &caller, lang.t("pilot.new"), "pilots"),
        form,
        error: None,
    };
    Ok(render(page, lang))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<PilotForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, lang));
    }
    let store = state.store();
    let built: Result<NewPilot, AppError> = async {
        let issuer = store
            .org_by_code(&caller.scope, &form.org_code)
            .await
            .map_err(|_| {
                AppError::Unprocessable(format!(
                    "发文组织：没有代码为 {} 的组织 / no organisation with this code",
                    form.org_code.trim()
                ))
            })?;
        Ok(NewPilot {
            org_id: issuer.org_id,
            name: form.name.clone(),
            doc_number: doc_number(Some(&form.doc_number))?,
            issued_on: day("issued_on", Some(&form.issued_on))?,
            categories: form
                .categories
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|name| NewPilotCategory {
                    name: name.to_string(),
                    units: Vec::new(),
                })
                .collect(),
            group: Vec::new(),
        })
    }
    .await;
    let result = match built {
        Ok(new) => store
            .create_pilot(&caller.scope, &new)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(pilot) => {
            Ok(Redirect::to(&format!("/pilots/{}", pilot.summary.pilot_id)).into_response())
        }
        Err(AppError::Forbidden) => Err(PageError(AppError::Forbidden, lang)),
        Err(e) => {
            let page = PilotFormPage {
                c: Chrome::new(&state, &caller, lang.t("pilot.new"), "pilots"),
                form,
                error: Some(e.public_message()),
            };
            let mut response = render(page, lang);
            *response.status_mut() = e.status();
            Ok(response)
        }
    }
}

#[derive(Deserialize)]
struct ShowQuery {
    person_q: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/pilot.html")]
struct PilotPage {
    c: Chrome,
    pilot: Pilot,
    chart: String,
    can_write: bool,
    statuses: Vec<&'static str>,
    roles: Vec<&'static str>,
    today: String,
    person_q: String,
    candidates: Vec<PersonRow>,
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: kexie_store::StoreError| PageError(e.into(), lang);
    let store = state.store();
    let pilot = store.pilot(&caller.scope, id).await.map_err(fail)?;
    let bars: Vec<charts::Share> = pilot
        .categories
        .iter()
        .map(|c| charts::Share {
            label: c.name.clone(),
            part: c.progress.done,
            whole: c.progress.units,
        })
        .collect();
    let chart = charts::share_chart(lang.t("pilot.chart"), &bars);
    let person_q = query.person_q.unwrap_or_default().trim().to_string();
    let candidates = if person_q.is_empty() || !caller.scope.can_write() {
        Vec::new()
    } else {
        store
            .list_persons(&caller.scope, Some(&person_q), 20, 0)
            .await
            .map_err(fail)?
            .0
    };
    let page = PilotPage {
        c: Chrome::new(&state, &caller, pilot.summary.name.clone(), "pilots"),
        chart,
        can_write: caller.scope.can_write(),
        statuses: PilotStatus::ALL.iter().map(|s| s.code()).collect(),
        roles: GroupRole::ALL.iter().map(|r| r.code()).collect(),
        today: beijing_today().to_string(),
        person_q,
        candidates,
        pilot,
    };
    Ok(render(page, lang))
}

#[derive(Debug, Deserialize)]
struct UnitForm {
    category: String,
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
}

async fn add_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let store = state.store();
    store
        .pilot_summary(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let org_id = match form.org_code.trim() {
        "" => None,
        code => Some(
            store
                .org_by_code(&caller.scope, code)
                .await
                .map_err(|_| {
                    fail(AppError::Unprocessable(format!(
                        "试点单位：没有代码为 {code} 的组织 / no organisation with this code"
                    )))
                })?
                .org_id,
        ),
    };
    let unit = crate::network_input::UnitInput {
        org_id,
        name: Some(form.name),
        contact_name: Some(form.contact_name),
        contact_phone: Some(form.contact_phone),
    }
    .to_new()
    .map_err(fail)?;
    let unit = NewPilotUnit {
        name: if org_id.is_some() { None } else { unit.name },
        ..unit
    };
    store
        .add_pilot_unit(&caller.scope, id, &form.category, &unit)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Redirect::to(&format!("/pilots/{id}#units")).into_response())
}

#[derive(Debug, Deserialize)]
struct MemberForm {
    role: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
}

async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let person_id = match form.person_id.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            fail(AppError::BadRequest(
                "person_id 无效 / invalid person_id".into(),
            ))
        })?),
    };
    let member = NewGroupMember {
        role: group_role(&form.role).map_err(fail)?,
        person_id,
        name: Some(form.name),
        title: Some(form.title),
    };
    state
        .store()
        .add_pilot_group_member(&caller.scope, id, &member)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Redirect::to(&format!("/pilots/{id}#group")).into_response())
}

#[derive(Debug, Deserialize)]
struct ProgressForm {
    unit_id: String,
    status: String,
    #[serde(default)]
    noted_on: String,
    #[serde(default)]
    note: String,
}

async fn progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ProgressForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let unit_id: i64 = form.unit_id.trim().parse().map_err(|_| {
        fail(AppError::Unprocessable(
            "请选择试点单位 / choose a unit".into(),
        ))
    })?;
    let status = PilotStatus::parse(&form.status).ok_or_else(|| {
        fail(AppError::Unprocessable(
            "进展状态应为 未开始、进行中 或 已完成 / unknown status".into(),
        ))
    })?;
    let on = day("noted_on", Some(&form.noted_on))
        .map_err(fail)?
        .unwrap_or_else(beijing_today);
    state
        .store()
        .report_pilot_progress(&caller.scope, id, unit_id, status, on, Some(&form.note))
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Redirect::to(&format!("/pilots/{id}#units")).into_response())
}
