//! The organisation network: a tree browser with counts and an organisation's own page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kexie_domain::division::DivisionCode;
use kexie_domain::org::OrgKind;
use kexie_store::{GroupMembership, Org, OrgFilter, OrgPost, OrgSummary, PersonRow};
use serde::Deserialize;

use super::auth::beijing;
use super::{render, url_encode, Chrome, Pager};
use crate::caller::Caller;
use crate::error::PageError;
use crate::extract::{Path, Query};
use crate::AppState;

const PER_PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list))
        .route("/orgs/{id}", get(show))
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "pages/orgs.html")]
struct OrgsPage {
    c: Chrome,
    q: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    orgs: Vec<OrgSummary>,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let page = query.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let q = query.q.unwrap_or_default();
    let kind = query.kind.unwrap_or_default();
    let searching = !q.trim().is_empty() || !kind.is_empty();
    let (orgs, total) = if searching {
        state
            .store()
            .list_orgs(
                &caller.scope,
                &OrgFilter {
                    q: Some(q.clone()),
                    kind: OrgKind::parse(&kind),
                    limit: PER_PAGE,
                    offset: (page - 1) * PER_PAGE,
                    ..OrgFilter::default()
                },
            )
            .await
            .map_err(|e| PageError(e.into(), lang))?
    } else {
        let roots = state
            .store()
            .scope_roots(&caller.scope)
            .await
            .map_err(|e| PageError(e.into(), lang))?;
        let n = roots.len() as i64;
        (roots, n)
    };
    let base = format!("q={}&kind={}", url_encode(&q), url_encode(&kind));
    let kinds = OrgKind::ALL
        .iter()
        .map(|k| (k.code(), lang.kind(k.code())))
        .collect();
    let page = OrgsPage {
        c: Chrome::new(&state, &caller, lang.t("orgs.title"), "orgs"),
        q,
        kind,
        kinds,
        orgs,
        pager: Pager::new(page, PER_PAGE, total, base),
    };
    Ok(render(page, lang))
}

#[derive(Deserialize)]
struct ShowQuery {
    page: Option<i64>,
    /// A name to look up in the registry for the post form.
    person_q: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/org.html")]
struct OrgPage {
    c: Chrome,
    org: Org,
    ancestors: Vec<OrgSummary>,
    children: Vec<OrgSummary>,
    children_total: i64,
    members: Vec<PersonRow>,
    pager: Pager,
    can_write: bool,
    has_coverage: bool,
    history: Vec<HistoryRow>,
    groups: Vec<GroupMembership>,
    posts: Vec<OrgPost>,
    person_q: String,
    /// People of the registry matching `person_q`, to choose the holder of a new post.
    candidates: Vec<PersonRow>,
    choices: super::posts::PostChoices,
}

/// A line of the history as the page shows it.
struct HistoryRow {
    when: String,
    account: String,
    action: String,
    changes: String,
}

/// `{"name": ["旧", "新"]}` → `name: 旧 → 新`.
fn describe_changes(changes: &serde_json::Value) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    changes
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(field, v)| match v.as_array().map(Vec::as_slice) {
                    Some([old, new]) => format!("{field}: {} → {}", show(old), show(new)),
                    _ => format!("{field}: {}", show(v)),
                })
                .collect::<Vec<_>>()
                .join("；")
        })
        .unwrap_or_default()
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let store = state.store();
    let fail = |e: kexie_store::StoreError| PageError(e.into(), lang);
    let org = store.org(&caller.scope, id).await.map_err(fail)?;
    let ancestors = store
        .org_ancestors(&caller.scope, &org)
        .await
        .map_err(fail)?;
    let (children, children_total) = store
        .list_orgs(
            &caller.scope,
            &OrgFilter {
                parent_id: Some(org.org_id),
                limit: 200,
                ..OrgFilter::default()
            },
        )
        .await
        .map_err(fail)?;
    let page = query.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let (members, total) = store
        .org_members(&caller.scope, org.org_id, PER_PAGE, (page - 1) * PER_PAGE)
        .await
        .map_err(fail)?;
    let history = store
        .org_history(&caller.scope, org.org_id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|h| HistoryRow {
            when: beijing(h.at),
            account: h.account,
            action: lang.t(&format!("history.{}", h.action)).to_string(),
            changes: describe_changes(&h.changes),
        })
        .collect();
    let groups = store
        .group_memberships(&caller.scope, org.org_id)
        .await
        .map_err(fail)?;
    let posts = store
        .org_posts(
            &caller.scope,
            org.org_id,
            crate::person_input::beijing_today(),
            false,
        )
        .await
        .map_err(fail)?;
    let person_q = query.person_q.unwrap_or_default().trim().to_string();
    let candidates = if person_q.is_empty() || !caller.scope.can_write() {
        Vec::new()
    } else {
        store
            .list_persons(&caller.scope, Some(&person_q), 20, 0)
            .await
            .map_err(fail)?
            .0
    };
    let has_coverage = org.kind == "kexie"
        && org
            .division_code
            .as_deref()
            .and_then(|d| DivisionCode::parse(d).ok())
            .is_some_and(|d| d.level().depth() <= 3);
    let page = OrgPage {
        c: Chrome::new(&state, &caller, org.name.clone(), "orgs"),
        can_write: caller.scope.can_write(),
        has_coverage,
        history,
        groups,
        posts,
        person_q,
        candidates,
        choices: super::posts::PostChoices::new(),
        org,
        ancestors,
        children,
        children_total,
        members,
        pager: Pager::new(page, PER_PAGE, total, String::new()),
    };
    Ok(render(page, lang))
}
