//! Browsing the official division tree: cascading by level, or by name and pinyin initials.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kexie_store::Division;
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::error::{AppError, PageError};
use crate::extract::Query;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/divisions", get(browse))
}

#[derive(Deserialize)]
struct DivisionQuery {
    parent: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/divisions.html")]
struct DivisionsPage {
    c: Chrome,
    q: String,
    chain: Vec<Division>,
    list: Vec<Division>,
}

async fn browse(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DivisionQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    let store = state.store();
    let parent = match query.parent.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(
            kexie_domain::division::DivisionCode::parse(p)
                .map_err(|e| fail(AppError::BadRequest(e.to_string())))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let mut chain = Vec::new();
    let mut cursor = parent.clone();
    while let Some(code) = cursor {
        let d = store.division(&code).await.map_err(|e| fail(e.into()))?;
        cursor = d.parent_code.clone();
        chain.insert(0, d);
    }
    let q = query.q.unwrap_or_default();
    let list = if q.trim().is_empty() {
        store.division_children(parent.as_deref()).await
    } else {
        store.division_search(&q, parent.as_deref(), 100).await
    }
    .map_err(|e| fail(e.into()))?;
    let page = DivisionsPage {
        c: Chrome::new(&state, &caller, lang.t("divisions.title"), "orgs"),
        q,
        chain,
        list,
    };
    Ok(render(page, lang))
}
