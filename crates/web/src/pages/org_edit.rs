//! Creating, editing, moving and dissolving organisations from the browser. Every form posts
//! with its CSRF token; the store records each change in the organisation's history.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_store::{Org, Scope, Store};
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::org_input::OrgInput;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/new", get(new_form).post(create))
        .route("/orgs/{id}/edit", get(edit_form).post(update))
        .route("/orgs/{id}/dissolve", post(dissolve))
        .route("/orgs/{id}/groups", post(add_group_member))
}

/// The form's fields, as typed (kept when the form comes back with an error).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    kind: String,
    /// A division code, or a name / pinyin initials to look up.
    #[serde(default)]
    division: String,
    /// The parent's code (moving the organisation when it changes).
    #[serde(default)]
    parent_code: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    established: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    notes: String,
}

impl OrgForm {
    fn from_org(org: &Org, parent_code: String) -> OrgForm {
        OrgForm {
            code: org.code.clone(),
            name: org.name.clone(),
            short_name: org.short_name.clone().unwrap_or_default(),
            kind: org.kind.clone(),
            division: org.division_code.clone().unwrap_or_default(),
            parent_code,
            credit_code: org.credit_code.clone().unwrap_or_default(),
            established: org.established.clone().unwrap_or_default(),
            status: org.status.clone(),
            address: org.address.clone().unwrap_or_default(),
            contact_name: org.contact_name.clone().unwrap_or_default(),
            // The full number is not shown back: leave empty to keep it.
            contact_phone: String::new(),
            notes: org.notes.clone().unwrap_or_default(),
        }
    }

    /// Turns the form into API input, resolving the parent code and the division text.
    async fn to_input(
        &self,
        store: &Store,
        scope: &Scope,
        editing: bool,
    ) -> Result<OrgInput, AppError> {
        let parent_id = match self.parent_code.trim() {
            "" => None,
            code => Some(
                store
                    .org_by_code(scope, code)
                    .await
                    .map_err(|_| {
                        AppError::Unprocessable(format!(
                            "上级代码：没有代码为 {code} 的组织（或不在您的管辖范围内）"
                        ))
                    })?
                    .org_id,
            ),
        };
        let division = resolve_division(store, self.division.trim()).await?;
        let opt = |v: &str| Some(v.trim().to_string());
        Ok(OrgInput {
            code: (!editing).then(|| self.code.clone()),
            name: Some(self.name.clone()),
            short_name: opt(&self.short_name),
            kind: Some(self.kind.clone()),
            division_code: Some(division),
            parent_id,
            credit_code: opt(&self.credit_code),
            established: opt(&self.established),
            status: opt(&self.status),
            address: opt(&self.address),
            contact_name: opt(&self.contact_name),
            // On edit an empty phone field keeps the stored number.
            contact_phone: if editing && self.contact_phone.trim().is_empty() {
                None
            } else {
                opt(&self.contact_phone)
            },
            notes: opt(&self.notes),
        })
    }
}

/// A division typed as a code, or as a name or pinyin initials that match exactly one division.
async fn resolve_division(store: &Store, text: &str) -> Result<String, AppError> {
    if text.is_empty() || text.chars().all(|c| c.is_ascii_digit()) {
        return Ok(text.to_string());
    }
    let found = store.division_search(text, None, 6).await?;
    let exact: Vec<&kexie_store::Division> = found.iter().filter(|d| d.name == text).collect();
    let only = match (exact.as_slice(), found.as_slice()) {
        ([one], _) => Some(*one),
        ([], [one]) => Some(one),
        _ => None,
    };
    if let Some(one) = only {
        return Ok(one.code.clone());
    }
    match found.as_slice() {
        [] => Err(AppError::Unprocessable(format!(
            "行政区划：没有找到“{text}”"
        ))),
        many => Err(AppError::Unprocessable(format!(
            "行政区划：“{text}”对应多个区划，请填写代码：{}",
            many.iter()
                .map(|d| format!("{}（{}）", d.name, d.code))
                .collect::<Vec<_>>()
                .join("、")
        ))),
    }
}

#[derive(Template)]
#[template(path = "pages/org_form.html")]
struct OrgFormPage {
    c: Chrome,
    action: String,
    editing: bool,
    org_id: i64,
    form: OrgForm,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

fn form_page(
    state: &AppState,
    caller: &Caller,
    title: String,
    action: String,
    org_id: i64,
    form: OrgForm,
    error: Option<String>,
) -> Response {
    let lang = caller.lang;
    let page = OrgFormPage {
        c: Chrome::new(state, caller, title, "orgs"),
        action,
        editing: org_id != 0,
        org_id,
        form,
        kinds: OrgKind::ALL
            .iter()
            .map(|k| (k.code(), lang.kind(k.code())))
            .collect(),
        statuses: [OrgStatus::Active, OrgStatus::Dormant, OrgStatus::Dissolved]
            .iter()
            .map(|s| (s.code(), lang.status(s.code())))
            .collect(),
        error: error.clone(),
    };
    let mut response = render(page, lang);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

#[derive(Deserialize)]
struct NewQuery {
    parent: Option<i64>,
}

async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, lang));
    }
    let mut form = OrgForm {
        kind: "kexie".into(),
        status: "active".into(),
        ..OrgForm::default()
    };
    if let Some(parent) = q.parent {
        let parent = state
            .store()
            .org(&caller.scope, parent)
            .await
            .map_err(|e| PageError(e.into(), lang))?;
        form.parent_code = parent.code;
    }
    Ok(form_page(
        &state,
        &caller,
        lang.t("orgs.new").into(),
        "/orgs/new".into(),
        0,
        form,
        None,
    ))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<OrgForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let store = state.store();
    let result = async {
        let input = form.to_input(store, &caller.scope, false).await?;
        let new = input.to_new(store).await?;
        Ok::<_, AppError>(store.create_org(&caller.scope, &new).await?)
    }
    .await;
    match result {
        Ok(org) => Ok(Redirect::to(&format!("/orgs/{}", org.org_id)).into_response()),
        Err(AppError::Unprocessable(m) | AppError::Conflict(m)) => Ok(form_page(
            &state,
            &caller,
            lang.t("orgs.new").into(),
            "/orgs/new".into(),
            0,
            form,
            Some(m),
        )),
        Err(e) => Err(PageError(e, lang)),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let store = state.store();
    let org = store
        .org(&caller.scope, id)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    if !caller.scope.can_write() {
        return Err(PageError(AppError::Forbidden, lang));
    }
    let parent_code = match org.parent_id {
        Some(p) => store
            .org(&caller.scope, p)
            .await
            .map(|p| p.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    let form = OrgForm::from_org(&org, parent_code);
    Ok(form_page(
        &state,
        &caller,
        format!("{} · {}", lang.t("orgs.edit"), org.name),
        format!("/orgs/{id}/edit"),
        id,
        form,
        None,
    ))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<OrgForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let store = state.store();
    let org = store
        .org(&caller.scope, id)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let result = async {
        let mut input = form.to_input(store, &caller.scope, true).await?;
        // An organisation at the top of the caller's scope keeps its parent (outside the scope).
        if input.parent_id.is_none() {
            input.parent_id = org.parent_id;
        }
        let patch = input.to_patch(store).await?;
        Ok::<_, AppError>(store.update_org(&caller.scope, id, &patch).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}")).into_response()),
        Err(AppError::Unprocessable(m) | AppError::Conflict(m)) => Ok(form_page(
            &state,
            &caller,
            format!("{} · {}", lang.t("orgs.edit"), org.name),
            format!("/orgs/{id}/edit"),
            id,
            form,
            Some(m),
        )),
        Err(e) => Err(PageError(e, lang)),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn dissolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    match state.store().dissolve_org(&caller.scope, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}")).into_response()),
        Err(e) => Err(PageError(e.into(), lang)),
    }
}

#[derive(Deserialize)]
struct GroupForm {
    member_code: String,
    #[serde(default)]
    joined: String,
}

/// Records an organisation (by its code) as a group member (团体会员) of this one.
async fn add_group_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<GroupForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let store = state.store();
    store
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let member = store
        .org_by_code(&caller.scope, form.member_code.trim())
        .await
        .map_err(|_| {
            fail(AppError::Unprocessable(format!(
                "团体会员：没有代码为 {} 的组织",
                form.member_code.trim()
            )))
        })?;
    let joined = match form.joined.trim() {
        "" => None,
        d => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| fail(AppError::Unprocessable("入会日期应为 YYYY-MM-DD".into())))?
                .to_string(),
        ),
    };
    store
        .add_group_membership(&caller.scope, member.org_id, id, joined.as_deref())
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Redirect::to(&format!("/orgs/{id}")).into_response())
}
