//! One error type for the web tier. It becomes the right status code, a plain message (Chinese
//! first) and a reference id that the log line carries too; details of server errors go to the
//! log only.
//!
//! JSON shape (documented in the OpenAPI document as `ErrorBody`):
//! `{"error":{"code":"bad_request","message":"…","reference":"a1b2c3d4"}}`.

use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use kexie_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("请先登录 / sign-in required")]
    Unauthorized,
    #[error("无权执行此操作 / not permitted")]
    Forbidden,
    #[error("未找到 / not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Locked(String),
    #[error("请求过于频繁，请稍后再试 / too many requests")]
    TooMany,
    #[error("表单已过期或来源不明，请刷新页面后重试 / the form's security token is missing or wrong: reload the page and try again")]
    Csrf,
    #[error("请求体必须是 application/json / the request body must be application/json")]
    UnsupportedMediaType,
    #[error("{0}")]
    Internal(String),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: bad_request, unauthorized, forbidden, not_found, conflict,
    /// unprocessable, locked, too_many_requests, internal.
    pub code: String,
    /// Plain message, Chinese first.
    pub message: String,
    /// Quote this to the administrator; the server log carries it too.
    pub reference: String,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Locked(_) => StatusCode::LOCKED,
            AppError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::Locked(_) => "locked",
            AppError::TooMany => "too_many_requests",
            AppError::Csrf => "csrf",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message a person sees: server errors never show their details.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "服务器内部错误，请把参考编号告诉管理员 / internal error: please give the reference to your administrator".into(),
            other => other.to_string(),
        }
    }

    /// The JSON body and its reference, logging server errors with their detail.
    pub fn body(&self) -> ErrorBody {
        let reference = hex::encode(rand::random::<[u8; 4]>());
        if let AppError::Internal(detail) = self {
            tracing::error!(%reference, detail, "request failed");
        } else {
            tracing::debug!(%reference, code = self.code(), "request refused");
        }
        ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.public_message(),
                reference,
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(m) => AppError::Unprocessable(m),
            StoreError::Forbidden => AppError::Forbidden,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<kexie_search::SearchError> for AppError {
    fn from(e: kexie_search::SearchError) -> AppError {
        match e {
            kexie_search::SearchError::Invalid(m) => AppError::BadRequest(m),
            kexie_search::SearchError::Store(s) => s.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = self.body();
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// An error on an HTML page: the same status, shown as a page with the reference.
pub struct PageError(pub AppError, pub crate::i18n::Lang);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(error, lang) = self;
        let status = error.status();
        let body = error.body();
        let page =
            crate::pages::error_page(lang, status, &body.error.message, &body.error.reference);
        (status, Html(page)).into_response()
    }
}

/// Unknown addresses: JSON under the API, a page elsewhere.
pub async fn not_found(uri: Uri, lang: crate::i18n::Lang) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::NotFound.into_response()
    } else {
        PageError(AppError::NotFound, lang).into_response()
    }
}
