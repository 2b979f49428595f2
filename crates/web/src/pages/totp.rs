//! The second factor (TOTP): the code asked for after the password, and setting it up on the
//! account page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kexie_domain::totp::TotpSecret;
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/totp", get(totp_form).post(totp_check))
        .route("/account/totp", get(totp_setup).post(totp_enable))
}

#[derive(Template)]
#[template(path = "pages/totp.html")]
struct TotpPage {
    c: Chrome,
    /// "login" (second step of signing in), "setup" (secret shown) or "done" (already on).
    mode: &'static str,
    setup: Option<(String, String)>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

async fn totp_form(State(state): State<AppState>, caller: Caller) -> Response {
    let page = TotpPage {
        c: Chrome::new(&state, &caller, caller.lang.t("totp.title"), ""),
        mode: "login",
        setup: None,
        error: None,
    };
    render(page, caller.lang)
}

fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Checks a code against the account's secret, refusing a time step already used.
async fn verify_code(
    state: &AppState,
    caller: &Caller,
    code: &str,
    enable: bool,
) -> Result<bool, AppError> {
    let store = state.store();
    let Some(secret) = store.totp_secret(caller.account.account_id).await? else {
        return Ok(false);
    };
    let Some(step) = TotpSecret::from_bytes(&secret).verify(code, now_seconds()) else {
        store
            .audit(
                &caller.account.actor(&caller.client),
                "login.totp_failure",
                &format!("account:{}", caller.account.username),
                kexie_store::Outcome::Denied,
                "",
            )
            .await?;
        return Ok(false);
    };
    Ok(store
        .use_totp_step(
            caller.account.account_id,
            step,
            enable,
            &caller.account.actor(&caller.client),
        )
        .await?)
}

async fn totp_check(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    if verify_code(&state, &caller, &form.code, false)
        .await
        .map_err(|e| PageError(e, lang))?
    {
        if let Some(session) = &caller.session {
            state
                .store()
                .complete_session_totp(session)
                .await
                .map_err(|e| PageError(e.into(), lang))?;
        }
        let target = if caller.account.must_change_password {
            "/password"
        } else {
            "/"
        };
        return Ok(Redirect::to(target).into_response());
    }
    let page = TotpPage {
        c: Chrome::new(&state, &caller, lang.t("totp.title"), ""),
        mode: "login",
        setup: None,
        error: Some(lang.t("totp.wrong_code").to_string()),
    };
    let mut response = render(page, lang);
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    Ok(response)
}

/// The secret as the setup page shows it: its base32 text and the `otpauth://` address.
fn shown(secret: &TotpSecret, caller: &Caller) -> (String, String) {
    let issuer = caller.lang.t("app.name");
    (
        secret.to_base32(),
        secret.otpauth_uri(issuer, &caller.account.username),
    )
}

/// The secret being set up: the stored one if not yet confirmed, else a new one.
async fn pending_secret(state: &AppState, caller: &Caller) -> Result<TotpSecret, AppError> {
    let store = state.store();
    if let Some(bytes) = store.totp_secret(caller.account.account_id).await? {
        return Ok(TotpSecret::from_bytes(&bytes));
    }
    let secret = TotpSecret::generate();
    store
        .set_totp_secret(caller.account.account_id, secret.as_bytes())
        .await?;
    Ok(secret)
}

async fn totp_setup(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let lang = caller.lang;
    let setup = if caller.account.totp_enabled {
        None
    } else {
        let secret = pending_secret(&state, &caller)
            .await
            .map_err(|e| PageError(e, lang))?;
        Some(shown(&secret, &caller))
    };
    let page = TotpPage {
        c: Chrome::new(&state, &caller, lang.t("totp.setup_title"), ""),
        mode: if setup.is_some() { "setup" } else { "done" },
        setup,
        error: None,
    };
    Ok(render(page, lang))
}

async fn totp_enable(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    if verify_code(&state, &caller, &form.code, true)
        .await
        .map_err(|e| PageError(e, lang))?
    {
        return Ok(Redirect::to("/account").into_response());
    }
    let secret = pending_secret(&state, &caller)
        .await
        .map_err(|e| PageError(e, lang))?;
    let page = TotpPage {
        c: Chrome::new(&state, &caller, lang.t("totp.setup_title"), ""),
        mode: "setup",
        setup: Some(shown(&secret, &caller)),
        error: Some(lang.t("totp.wrong_code").to_string()),
    };
    let mut response = render(page, lang);
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}
