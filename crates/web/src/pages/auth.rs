//! Signing in and out, the first password change, the second factor.

use askama::Template;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{FixedOffset, TimeZone};
use kexie_domain::password::check_password;
use kexie_store::LoginOutcome;
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::Query;
use crate::i18n::Lang;
use crate::session::{client_address, set_cookie, PRE_CSRF_COOKIE, SESSION_COOKIE};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/password", get(password_form).post(change_password))
        .route("/account", get(account))
}

/// Beijing time, as offices read it.
pub fn beijing(ms: i64) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Only local paths: never send a person to another site after sign-in.
fn local_path(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or("/")
        .to_string()
}

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// A fresh double-submit token for a form shown before sign-in, and its cookie.
fn pre_csrf(state: &AppState) -> (String, String) {
    let token = kexie_store::random_hex(16);
    let cookie = set_cookie(
        PRE_CSRF_COOKIE,
        &token,
        state.settings().secure_cookies,
        Some(3600),
    );
    (token, cookie)
}

fn login_page(
    state: &AppState,
    lang: Lang,
    next: String,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (token, cookie) = pre_csrf(state);
    let page = LoginPage {
        c: Chrome::public(state, lang, lang.t("login.title"), token),
        next,
        username,
        error,
    };
    let mut response = render(page, lang);
    *response.status_mut() = status;
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

async fn login_form(
    State(state): State<AppState>,
    lang: Lang,
    Query(q): Query<NextQuery>,
) -> Response {
    login_page(
        &state,
        lang,
        local_path(q.next.as_deref()),
        String::new(),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// The client address and language of a request, for handlers without a signed-in caller.
pub struct Visitor {
    pub lang: Lang,
    pub client: String,
}

impl axum::extract::FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Visitor, Self::Rejection> {
        Ok(Visitor {
            lang: Lang::from_request_parts_sync(parts),
            client: client_address(parts, state.settings().trust_proxy),
        })
    }
}

/// Slows down repeated failures from one address: nothing for the first three, then a delay
/// that doubles up to four seconds.
pub async fn slow_down(state: &AppState, client: &str) -> Result<(), AppError> {
    let failures = state.store().client_failures(client).await?;
    if failures >= 3 {
        let ms = (250u64 << (failures - 3).min(4) as u32).min(4000);
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    Ok(())
}

async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let fail = |e: AppError| PageError(e, lang);
    slow_down(&state, &visitor.client).await.map_err(fail)?;
    let store = state.store();
    let next = local_path(form.next.as_deref());
    let outcome = store
        .login(
            form.username.trim(),
            &form.password,
            &visitor.client,
            &state.settings().policy,
        )
        .await
        .map_err(|e| fail(e.into()))?;
    let refuse = |message: String, status| {
        Ok(login_page(
            &state,
            lang,
            next.clone(),
            form.username.clone(),
            Some(message),
            status,
        ))
    };
    match outcome {
        LoginOutcome::Success(account) => {
            let (session, _) = store
                .create_session(account.account_id, account.totp_enabled)
                .await
                .map_err(|e| fail(e.into()))?;
            let target = if account.totp_enabled {
                "/login/totp".to_string()
            } else if account.must_change_password {
                "/password".to_string()
            } else {
                next
            };
            Ok((
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        set_cookie(
                            SESSION_COOKIE,
                            &session,
                            state.settings().secure_cookies,
                            None,
                        ),
                    ),
                    (
                        header::SET_COOKIE,
                        set_cookie(
                            PRE_CSRF_COOKIE,
                            "",
                            state.settings().secure_cookies,
                            Some(0),
                        ),
                    ),
                ]),
                Redirect::to(&target),
            )
                .into_response())
        }
        LoginOutcome::BadCredentials => refuse(
            lang.t("login.bad_credentials").to_string(),
            StatusCode::UNAUTHORIZED,
        ),
        LoginOutcome::Locked { until } => refuse(
            format!("{} {}", lang.t("login.locked_until"), beijing(until)),
            StatusCode::LOCKED,
        ),
        LoginOutcome::Disabled => {
            refuse(lang.t("login.disabled").to_string(), StatusCode::FORBIDDEN)
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(session) = &caller.session {
        state
            .store()
            .end_session(session, &caller.account.actor(&caller.client))
            .await
            .map_err(|e| PageError(e.into(), caller.lang))?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", state.settings().secure_cookies, Some(0)),
        )],
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "pages/password.html")]
struct PasswordPage {
    c: Chrome,
    forced: bool,
    error: Option<String>,
}

async fn password_form(State(state): State<AppState>, caller: Caller) -> Response {
    let page = PasswordPage {
        c: Chrome::new(&state, &caller, caller.lang.t("password.title"), ""),
        forced: caller.account.must_change_password,
        error: None,
    };
    render(page, caller.lang)
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: kexie_store::StoreError| PageError(e.into(), lang);
    let store = state.store();
    let problem = if !store
        .check_password(caller.account.account_id, &form.current)
        .await
        .map_err(fail)?
    {
        Some(lang.t("password.wrong_current").to_string())
    } else if form.new != form.confirm {
        Some(lang.t("password.mismatch").to_string())
    } else if form.new == form.current {
        Some(lang.t("password.same").to_string())
    } else {
        check_password(&form.new, &caller.account.username)
            .err()
            .map(|e| e.to_string())
    };
    if let Some(error) = problem {
        let page = PasswordPage {
            c: Chrome::new(&state, &caller, lang.t("password.title"), ""),
            forced: caller.account.must_change_password,
            error: Some(error),
        };
        let mut response = render(page, lang);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let actor = caller.account.actor(&caller.client);
    store
        .set_password(caller.account.account_id, &form.new, &actor, false)
        .await
        .map_err(fail)?;
    // Every session ended with the change; this person continues in a new one.
    let (session, _) = store
        .create_session(caller.account.account_id, false)
        .await
        .map_err(fail)?;
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(
                SESSION_COOKIE,
                &session,
                state.settings().secure_cookies,
                None,
            ),
        )],
        Redirect::to("/"),
    )
        .into_response())
}

/// The page itself, with the account's e-mail form, lives in `account_email.rs`.
async fn account(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    super::account_email::page(&state, &caller, None, None).await
}
