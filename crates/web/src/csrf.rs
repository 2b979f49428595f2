//! CSRF protection of forms: every state-changing form carries `_csrf`, which must equal the
//! token of the signed-in session (or, before sign-in, the double-submit cookie). A POST without
//! a valid token is refused with 403.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use axum::http::request::Parts;
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

/// The session's CSRF token, left in the request by the `Caller` extractor.
#[derive(Clone)]
pub struct SessionToken(pub String);

/// The token a form must carry: the signed-in session's, or before sign-in the double-submit
/// cookie's.
async fn expected_token(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<String>, kexie_store::StoreError> {
    if let Some(SessionToken(token)) = parts.extensions.get::<SessionToken>() {
        return Ok(Some(token.clone()));
    }
    let from_session = match cookie(&parts.headers, SESSION_COOKIE) {
        Some(id) => state
            .store()
            .session(&id, &state.settings().policy)
            .await?
            .map(|s| s.csrf_token),
        None => None,
    };
    Ok(from_session.or_else(|| cookie(&parts.headers, PRE_CSRF_COOKIE)))
}

fn valid(expected: Option<&str>, given: &str) -> bool {
    matches!(expected, Some(token) if !given.is_empty() && same(token, given))
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
        let expected = expected_token(&parts, state)
            .await
            .map_err(|e| refuse(e.into()))?;
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
        if !valid(expected.as_deref(), given) {
            return Err(refuse(AppError::Csrf));
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

/// A `multipart/form-data` upload whose `_csrf` field was checked before anything else is looked
/// at: its text fields by name, and the file of the field `file`.
pub struct CsrfUpload {
    pub fields: HashMap<String, String>,
    /// File name and bytes; `None` when no file (or an empty one) was sent.
    pub file: Option<(String, Vec<u8>)>,
    /// The non-empty files of the fields named `attachments`, in order.
    pub files: Vec<(String, Vec<u8>)>,
}

impl CsrfUpload {
    /// A text field, or "" when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let lang = Lang::from_request_parts_sync(&parts);
        let refuse = |e: AppError| PageError(e, lang).into_response();
        let expected = expected_token(&parts, state)
            .await
            .map_err(|e| refuse(e.into()))?;
        let bad = |e: axum::extract::multipart::MultipartError| {
            refuse(AppError::BadRequest(format!(
                "上传失败 / upload failed: {e}"
            )))
        };
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| {
                refuse(AppError::BadRequest(format!(
                    "上传无效 / not an upload: {e}"
                )))
            })?;
        let mut upload = CsrfUpload {
            fields: HashMap::new(),
            file: None,
            files: Vec::new(),
        };
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                upload.file = Some((file_name, bytes.to_vec())).filter(|(_, b)| !b.is_empty());
            } else if name == "attachments" {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    upload.files.push((file_name, bytes.to_vec()));
                }
            } else {
                let text = field.text().await.map_err(bad)?;
                upload.fields.insert(name, text);
            }
        }
        if !valid(expected.as_deref(), upload.field("_csrf")) {
            return Err(refuse(AppError::Csrf));
        }
        Ok(upload)
    }
}
