//! The stylesheet and the one small script, carried in the binary: no CDN, no build step.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::AppState;

const CSS: &str = include_str!("../static/app.css");

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/static/app.css",
        get(|| async {
            (
                [
                    (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                    (header::CACHE_CONTROL, "public, max-age=3600"),
                ],
                CSS,
            )
                .into_response()
        }),
    )
}
