//! The account page (`/account`) and its e-mail address: where reminders of overdue and
//! soon-due tasks go when the server sends mail. The address is checked by
//! `kexie_domain::email`; a refused one is shown back with the reason.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use kexie_domain::email::Email;
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/account/email", post(save))
}

#[derive(Template)]
#[template(path = "pages/account.html")]
struct AccountPage {
    c: Chrome,
    account: kexie_store::Account,
    email: String,
    error: Option<String>,
}

/// The account page, with `typed` in the address field and the reason it was refused.
pub(super) async fn page(
    state: &AppState,
    caller: &Caller,
    typed: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let email = match typed {
        Some(t) => t,
        None => state
            .store()
            .account_email(caller.account.account_id)
            .await
            .map_err(|e| PageError(e.into(), lang))?
            .unwrap_or_default(),
    };
    let failed = error.is_some();
    let view = AccountPage {
        c: Chrome::new(state, caller, lang.t("account.title"), "account"),
        account: caller.account.clone(),
        email,
        error,
    };
    let mut response = render(view, lang);
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let email = match form.email.trim() {
        "" => None,
        typed => match Email::parse(typed) {
            Ok(e) => Some(e),
            Err(e) => {
                let message = format!("{} / {}", e, lang.t("account.email_invalid"));
                return page(&state, &caller, Some(form.email.clone()), Some(message)).await;
            }
        },
    };
    state
        .store()
        .set_account_email(
            caller.account.account_id,
            email.as_ref(),
            caller.scope.actor(),
        )
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    Ok(Redirect::to("/account").into_response())
}
