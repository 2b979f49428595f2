//! A member's own page (`/me`): their record with their own numbers in full (audited), their
//! memberships, a form for contact fields and one for identity corrections; and the staff queue
//! of corrections (`/corrections`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_store::Correction;

use super::{render, Chrome};
use crate::api::me::{own_person, profile, Decision, MyProfile};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::member_input::{ContactInput, CorrectionBody};
use crate::person_input::beijing_today;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me).post(update_contact))
        .route("/me/corrections", post(request_correction))
        .route("/corrections", get(queue))
        .route("/corrections/{id}/{action}", post(decide))
}

#[derive(Template)]
#[template(path = "pages/me.html")]
struct MePage {
    c: Chrome,
    p: MyProfile,
    titles: &'static [&'static str],
}

impl MePage {
    fn status(&self, code: &str) -> &'static str {
        self.c.t(&format!("me.status_{code}"))
    }
}

async fn me(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let lang = caller.lang;
    let p = profile(&state, &caller)
        .await
        .map_err(|e| PageError(e, lang))?;
    let page = MePage {
        c: Chrome::new(&state, &caller, lang.t("me.title"), "me"),
        p,
        titles: &kexie_office::persons::TITLES,
    };
    // The page carries the member's full numbers: no browser or proxy keeps it.
    Ok(super::not_stored(render(page, lang)))
}

async fn update_contact(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<ContactInput>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        own_person(&caller)?;
        let change = form.parse()?;
        state
            .store()
            .update_own_contact(&caller.scope, &change)
            .await?;
        Ok::<_, AppError>(())
    };
    run.await.map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to("/me").into_response())
}

async fn request_correction(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<CorrectionBody>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        let id = own_person(&caller)?;
        let store = state.store();
        let current = store.person_fields(&caller.scope, id).await?;
        let input = form.parse(&current, beijing_today())?;
        store.request_correction(&caller.scope, &input).await?;
        Ok::<_, AppError>(())
    };
    run.await.map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to("/me").into_response())
}

#[derive(Template)]
#[template(path = "pages/corrections.html")]
struct QueuePage {
    c: Chrome,
    items: Vec<Correction>,
    can_decide: bool,
}

async fn queue(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let lang = caller.lang;
    if caller.role() == kexie_domain::role::Role::Member {
        return Err(PageError(AppError::Forbidden, lang));
    }
    let items = state
        .store()
        .corrections(&caller.scope, true)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let page = QueuePage {
        c: Chrome::new(&state, &caller, lang.t("corrections.title"), "persons"),
        can_decide: caller.scope.can_write() && caller.scope.person_id().is_none(),
        items,
    };
    Ok(render(page, lang))
}

async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<Decision>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let approve = match action.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(PageError(AppError::NotFound, lang)),
    };
    state
        .store()
        .decide_correction(&caller.scope, id, approve, &form.reason)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    Ok(Redirect::to("/corrections").into_response())
}
