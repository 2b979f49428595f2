//! CSRF protection of forms: every state-changing form carries `_csrf`, which must equal the
//! token of the signed-in session (or, before sign-in, the double-submit cookie). A POST without
//! a valid token is refused with 403.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::{AppError, PageError};
use crate::i18n::Lang;
use crate::session::{cookie, PRE_CSRF_COOKIE, SESSION_COOKIE};
use crate::AppState;

/// A URL-encoded form whose `_csrf` field was checked.
pub struct CsrfForm<T>(pub T);

/// Compares two tokens in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let lang = Lang::from_request_parts_sync(&parts);
        let refuse = |e: AppError| PageError(e, lang).into_response();
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(refuse(AppError::UnsupportedMediaType));
        }
        let expected = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(id) => state
                .store()
                .session(&id, &state.settings().policy)
                .await
                .map_err(|e| refuse(e.into()))?
                .map(|s| s.csrf_token),
            None => None,
        }
        .or_else(|| cookie(&parts.headers, PRE_CSRF_COOKIE));
        let bytes = axum::body::to_bytes(body, 1 << 20).await.map_err(|_| {
            refuse(AppError::BadRequest(
                "表单无法读取 / unreadable form".into(),
            ))
        })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            refuse(AppError::BadRequest(format!(
                "表单无效 / invalid form: {e}"
            )))
        })?;
        let given = fields
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        match expected {
            Some(token) if !given.is_empty() && same(&token, given) => {}
            _ => return Err(refuse(AppError::Csrf)),
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| {
                refuse(AppError::BadRequest(format!(
                    "表单无效 / invalid form: {e}"
                )))
            })
    }
}
