//! Choosing the interface language: a preference cookie, then back to where the person was.

use crate::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::i18n::Lang;
use crate::AppState;

#[derive(Deserialize)]
struct LangQuery {
    set: Option<String>,
    back: Option<String>,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/lang", get(set_lang))
}

async fn set_lang(Query(q): Query<LangQuery>) -> Response {
    let lang = q.set.as_deref().and_then(Lang::parse).unwrap_or_default();
    // Only local paths: never redirect to another site.
    let back = q
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/".into());
    (
        [(
            header::SET_COOKIE,
            format!(
                "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                lang.code()
            ),
        )],
        Redirect::to(&back),
    )
        .into_response()
}
