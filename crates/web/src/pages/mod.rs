//! HTML pages: one typed template per page, laid out by `templates/layouts/base.html`.

mod account_email;
mod accounts;
mod activities;
mod annual;
mod audit;
pub(crate) mod auth;
mod charts;
mod coverage;
mod divisions;
mod governance;
mod governance_dashboard;
mod governance_rules;
mod governance_slate;
mod home;
mod import_job;
mod lang;
pub(crate) mod ledger;
mod me;
mod org_edit;
mod org_import;
mod orgs;
mod person_import;
mod person_merge;
mod persons;
mod pilot_import;
mod pilots;
mod posts;
mod search;
mod totp;
pub(crate) mod workplan;
mod workplan_dash;
mod workplan_report;
pub(crate) mod workplan_task;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;

use kexie_domain::role::Role;

use crate::caller::Caller;
use crate::error::{AppError, PageError};
use crate::i18n::Lang;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(org_edit::router())
        .merge(org_import::router())
        .merge(orgs::router())
        .merge(posts::router())
        .merge(pilots::router())
        .merge(coverage::router())
        .merge(divisions::router())
        .merge(persons::router())
        .merge(ledger::router())
        .merge(person_import::router())
        .merge(import_job::router())
        .merge(governance::router())
        .merge(activities::router())
        .merge(annual::router())
        .merge(governance_dashboard::router())
        .merge(governance_rules::router())
        .merge(governance_slate::router())
        .merge(lang::router())
        .merge(auth::router())
        .merge(totp::router())
        .merge(accounts::router())
        .merge(account_email::router())
        .merge(audit::router())
        .merge(workplan::router())
        .merge(workplan_task::router())
        .merge(workplan_dash::router())
        .merge(search::router())
        .merge(me::router())
        .merge(person_merge::router())
}

/// What every page's frame needs: language, title, the active menu entry, the demo banner, who
/// is signed in and the CSRF token of the sign-out form.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    pub nav: &'static str,
    pub demo: bool,
    pub user: Option<String>,
    pub role: Option<Role>,
    pub csrf: String,
    /// Unread work-plan reminders of the account's organisation (the header badge).
    pub notices: i64,
}

impl Chrome {
    pub fn new(
        state: &AppState,
        caller: &Caller,
        title: impl Into<String>,
        nav: &'static str,
    ) -> Chrome {
        Chrome {
            lang: caller.lang,
            title: title.into(),
            nav,
            demo: state.settings().demo,
            user: Some(
                caller
                    .account
                    .display_name
                    .clone()
                    .unwrap_or_else(|| caller.account.username.clone()),
            ),
            role: Some(caller.account.role),
            csrf: caller.csrf.clone(),
            notices: caller.notices,
        }
    }

    /// The frame of a page shown before sign-in.
    pub fn public(state: &AppState, lang: Lang, title: impl Into<String>, csrf: String) -> Chrome {
        Chrome {
            lang,
            title: title.into(),
            nav: "",
            demo: state.settings().demo,
            user: None,
            role: None,
            csrf,
            notices: 0,
        }
    }

    /// Organisation pages: for organisation roles (a member sees their own record only).
    pub fn shows_org_pages(&self) -> bool {
        self.role.is_some_and(|r| r.is_org_role())
    }

    /// A member's own record (`/me`).
    pub fn shows_me(&self) -> bool {
        self.role == Some(Role::Member)
    }

    pub fn shows_accounts(&self) -> bool {
        self.role
            .is_some_and(|r| matches!(r, Role::SystemAdmin | Role::SecurityAdmin | Role::OrgAdmin))
    }

    /// Work-plan supervision: for organisation roles.
    pub fn shows_plans(&self) -> bool {
        self.role.is_some_and(|r| r.is_org_role())
    }

    pub fn shows_audit(&self) -> bool {
        self.role == Some(Role::AuditAdmin)
    }

    pub fn role_name(&self) -> &'static str {
        self.role
            .map(|r| self.lang.t(&format!("role.{}", r.code())))
            .unwrap_or("")
    }

    /// Shorthand for templates: `c.t(…)` looks a key up in the page language.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

/// Renders a page template, or an error page if rendering fails.
pub fn render(page: impl Template, lang: Lang) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError(AppError::Internal(format!("template: {e}")), lang).into_response(),
    }
}

/// Marks a response that no browser or proxy may keep: pages with full personal numbers, and
/// pages whose every refresh must ask the server again.
pub(crate) fn not_stored(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// The highest page number a list accepts: past it, `(page - 1) * per_page` and the pager's
/// "next" would overflow (a request for page 9223372036854775807 panicked).
pub const MAX_PAGE: i64 = 1_000_000_000;

/// Page numbers of a list.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The query string without `page`, ready to append `&page=N`.
    pub base: String,
}

impl Pager {
    pub fn new(page: i64, per_page: i64, total: i64, base: String) -> Pager {
        Pager {
            page,
            pages: ((total + per_page - 1) / per_page).max(1),
            total,
            base,
        }
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages
    }

    pub fn prev(&self) -> i64 {
        self.page - 1
    }

    pub fn next(&self) -> i64 {
        self.page + 1
    }
}

/// Escapes a value for a query string.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    status: u16,
    message: &'a str,
    reference: &'a str,
}

/// The page shown for any error: status, plain message, reference id.
pub fn error_page(lang: Lang, status: StatusCode, message: &str, reference: &str) -> String {
    let page = ErrorPage {
        c: Chrome {
            lang,
            title: lang.t("error.title").to_string(),
            nav: "",
            demo: false,
            user: None,
            role: None,
            csrf: String::new(),
            notices: 0,
        },
        status: status.as_u16(),
        message,
        reference,
    };
    page.render()
        .unwrap_or_else(|_| format!("{} {message} ({reference})", status.as_u16()))
}
