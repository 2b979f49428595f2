//! The dashboard: figures for the caller's part of the network.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kexie_domain::role::Role;
use kexie_store::{OrgSummary, Overview};

use super::{charts, render, Chrome};
use crate::caller::Caller;
use crate::error::PageError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    c: Chrome,
    overview: Overview,
    roots: Vec<OrgSummary>,
    kind_chart: String,
    grassroots_percent: String,
}

async fn home(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let lang = caller.lang;
    // The three administrators see no organisation data: their start page is their tool.
    match caller.role() {
        Role::AuditAdmin => return Ok(Redirect::to("/audit").into_response()),
        Role::SystemAdmin | Role::SecurityAdmin => {
            return Ok(Redirect::to("/admin/accounts").into_response())
        }
        // A member's account is about their own record.
        Role::Member => return Ok(Redirect::to("/me").into_response()),
        _ => {}
    }
    let store = state.store();
    let overview = store
        .overview(&caller.scope)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let roots = store
        .scope_roots(&caller.scope)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    let bars: Vec<(String, i64)> = overview
        .by_kind
        .iter()
        .map(|k| (lang.kind(&k.kind).to_string(), k.count))
        .collect();
    let kind_chart = charts::bar_chart(lang.t("home.by_kind"), &bars);
    let grassroots_percent = if overview.persons > 0 {
        format!(
            "{:.1}%",
            overview.grassroots as f64 * 100.0 / overview.persons as f64
        )
    } else {
        "—".into()
    };
    let page = HomePage {
        c: Chrome::new(&state, &caller, lang.t("home.title"), "home"),
        overview,
        roots,
        kind_chart,
        grassroots_percent,
    };
    Ok(render(page, lang))
}
