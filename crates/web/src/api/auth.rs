//! Signing in from a program: a bearer token for `Authorization: Bearer …`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use kexie_store::{Account, LoginOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::Json as JsonBody;
use crate::pages::auth::{beijing, slow_down, Visitor};
use crate::AppState;

/// Tokens from the JSON sign-in live as long as a web session at most.
const LOGIN_TOKEN_DAYS: i64 = 1;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/me", get(me))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    username: String,
    password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
}

/// Signs in with a username and password. 401 for a wrong pair, 423 while the account is
/// locked (even with the right password), 415 unless the body is `application/json`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    security(()),
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::ErrorBody),
        (status = 415, body = crate::ErrorBody), (status = 423, body = crate::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    slow_down(&state, &visitor.client).await?;
    let store = state.store();
    match store
        .login(
            body.username.trim(),
            &body.password,
            &visitor.client,
            &state.settings().policy,
        )
        .await?
    {
        LoginOutcome::Success(account) => {
            if account.must_change_password {
                return Err(AppError::Forbidden);
            }
            let (_, token) = store
                .create_token(
                    account.account_id,
                    "api-login",
                    LOGIN_TOKEN_DAYS,
                    &account.actor(&visitor.client),
                )
                .await?;
            Ok(Json(LoginResponse { token }))
        }
        LoginOutcome::Locked { until } => Err(AppError::Locked(format!(
            "账号已锁定，解锁时间（北京时间）{} / account locked until {} (Beijing time)",
            beijing(until),
            beijing(until)
        ))),
        LoginOutcome::BadCredentials | LoginOutcome::Disabled => Err(AppError::Unauthorized),
    }
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Account), (status = 401, body = crate::ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Account> {
    Json(caller.account)
}
