//! Posts (任职) from the organisation page: give a person of the registry a post, end a post.
//! The list and the forms are part of `pages/org.html`.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use kexie_domain::network::{KeyPersonKind, PostMode, PostRole};
use kexie_store::NewOrgPost;
use serde::Deserialize;

use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::network_input::{day, key_kind, mode, role};
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/posts", post(add))
        .route("/posts/{id}/end", post(end))
}

/// The choices of the post form: (code, catalogue key).
pub struct PostChoices {
    pub roles: Vec<(&'static str, String)>,
    pub modes: Vec<(&'static str, String)>,
    pub kinds: Vec<(&'static str, String)>,
}

impl PostChoices {
    pub fn new() -> PostChoices {
        PostChoices {
            roles: PostRole::ALL
                .iter()
                .map(|r| (r.code(), format!("post.role_{}", r.code())))
                .collect(),
            modes: PostMode::ALL
                .iter()
                .map(|m| (m.code(), format!("post.mode_{}", m.code())))
                .collect(),
            kinds: KeyPersonKind::ALL
                .iter()
                .map(|k| (k.code(), format!("post.kind_{}", k.code())))
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct AddForm {
    #[serde(default)]
    person_id: String,
    role: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    key_kind: String,
    #[serde(default)]
    started_on: String,
}

async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    state
        .store()
        .org(&caller.scope, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let person_id: i64 = form.person_id.trim().parse().map_err(|_| {
        fail(AppError::Unprocessable(
            "请先查找并选择任职人员 / choose the person first".into(),
        ))
    })?;
    let new = NewOrgPost {
        person_id,
        role: role(&form.role).map_err(fail)?,
        mode: mode(Some(&form.mode)).map_err(fail)?,
        key_kind: key_kind(Some(&form.key_kind)).map_err(fail)?,
        started_on: day("started_on", Some(&form.started_on)).map_err(fail)?,
        ended_on: None,
    };
    state
        .store()
        .add_org_post(&caller.scope, id, &new)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Redirect::to(&format!("/orgs/{id}#posts")).into_response())
}

#[derive(Debug, Deserialize)]
struct EndForm {
    #[serde(default)]
    ended_on: String,
}

async fn end(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let on = day("ended_on", Some(&form.ended_on))
        .map_err(fail)?
        .unwrap_or_else(beijing_today);
    let post = state
        .store()
        .end_org_post(&caller.scope, id, on)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Redirect::to(&format!("/orgs/{}#posts", post.org_id)).into_response())
}
