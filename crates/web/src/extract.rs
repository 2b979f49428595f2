//! Extractors whose rejections take the documented error shape instead of axum's plain text.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Query string, rejected as `bad_request` with the reason.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| {
                AppError::BadRequest(format!("查询参数无效 / invalid query: {}", e.body_text()))
            })
    }
}

/// Path parameters, rejected as `bad_request`.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| {
                AppError::BadRequest(format!("路径参数无效 / invalid path: {}", e.body_text()))
            })
    }
}

/// A JSON body: only `application/json` (415 otherwise), malformed bodies as `bad_request`.
/// A whole number written with a fraction (`50.0`) counts as an integer, as JSON Schema says;
/// serde alone would refuse it for an integer field (found by scripts/api-fuzz).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|e: JsonRejection| match e {
                JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
                other => AppError::BadRequest(format!(
                    "请求体无效 / invalid JSON body: {}",
                    other.body_text()
                )),
            })?;
        serde_path_to_error::deserialize(whole_numbers_as_integers(value))
            .map(Json)
            .map_err(|e| AppError::BadRequest(format!("请求体无效 / invalid JSON body: {e}")))
    }
}

fn whole_numbers_as_integers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            let whole = f.round();
            // serde_json reads long decimals to within one unit in the last place: past 2^52
            // `3998297550616418.0` can arrive as `…417.5`. A number that close to a whole one
            // is that whole number. i64::MAX as f64 rounds up to 2^63: that bound is exclusive.
            let near = (f - whole).abs() <= f64::EPSILON * whole.abs();
            if (f.fract() == 0.0 || near) && whole >= i64::MIN as f64 && whole < i64::MAX as f64 {
                Value::from(whole as i64)
            } else {
                Value::Number(n)
            }
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(whole_numbers_as_integers).collect())
        }
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, whole_numbers_as_integers(v)))
                .collect(),
        ),
        other => other,
    }
}
