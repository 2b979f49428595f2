//! Account management: the system administrator for everyone, an organisation administrator for
//! the staff of its own subtree, the security administrator for roles.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kexie_domain::role::Role;
use kexie_store::{Account, NewAccount, Scope};
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::Path;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(list).post(create))
        .route("/admin/accounts/{id}/{action}", post(act))
}

const MANAGERS: &[Role] = &[Role::SystemAdmin, Role::SecurityAdmin, Role::OrgAdmin];

#[derive(Template)]
#[template(path = "pages/accounts.html")]
struct AccountsPage {
    c: Chrome,
    accounts: Vec<Account>,
    can_create: bool,
    can_set_roles: bool,
    roles: Vec<(&'static str, &'static str)>,
    /// A password just set, shown once.
    issued: Option<(String, String)>,
    error: Option<String>,
}

/// The scope account management runs in: the organisation administrator's own subtree; the
/// system administrator may place accounts anywhere (it reads no personal data through it).
fn management_scope(caller: &Caller) -> Scope {
    match caller.role() {
        Role::SystemAdmin => Scope::everything().acting_as(caller.account.actor(&caller.client)),
        _ => caller.scope.clone(),
    }
}

/// Roles a caller may hand out.
fn grantable(role: Role) -> Vec<Role> {
    match role {
        Role::SystemAdmin => Role::ALL.to_vec(),
        Role::OrgAdmin => vec![
            Role::OrgAdmin,
            Role::OrgStaff,
            Role::OrgViewer,
            Role::Member,
        ],
        _ => Vec::new(),
    }
}

async fn visible_accounts(state: &AppState, caller: &Caller) -> Result<Vec<Account>, AppError> {
    let under = match caller.role() {
        Role::OrgAdmin => Some(caller.account.org_path.clone().unwrap_or_default()),
        _ => None,
    };
    Ok(state.store().list_accounts(under.as_deref()).await?)
}

async fn page(
    state: &AppState,
    caller: &Caller,
    issued: Option<(String, String)>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = caller.lang;
    let role = caller.role();
    let page = AccountsPage {
        c: Chrome::new(state, caller, lang.t("accounts.title"), "accounts"),
        accounts: visible_accounts(state, caller).await?,
        can_create: matches!(role, Role::SystemAdmin | Role::OrgAdmin),
        can_set_roles: role == Role::SecurityAdmin,
        roles: grantable(if role == Role::SecurityAdmin {
            Role::SystemAdmin
        } else {
            role
        })
        .into_iter()
        .map(|r| (r.code(), lang.t(&format!("role.{}", r.code()))))
        .collect(),
        issued,
        error,
    };
    Ok(render(page, lang))
}

async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    caller
        .require(MANAGERS)
        .map_err(|e| PageError(e, caller.lang))?;
    page(&state, &caller, None, None)
        .await
        .map_err(|e| PageError(e, caller.lang))
}

#[derive(Deserialize)]
struct CreateForm {
    username: String,
    display_name: Option<String>,
    role: String,
    org_code: Option<String>,
    person_id: Option<String>,
}

/// A random first password that meets the policy; it must be changed at first sign-in.
fn first_password() -> String {
    let raw = kexie_store::random_hex(6);
    format!("Kx-{raw}-{}", &kexie_store::random_hex(3).to_uppercase())
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    caller
        .require(&[Role::SystemAdmin, Role::OrgAdmin])
        .map_err(fail)?;
    let role = Role::parse(&form.role)
        .filter(|r| grantable(caller.role()).contains(r))
        .ok_or_else(|| fail(AppError::Forbidden))?;
    let scope = management_scope(&caller);
    let store = state.store();
    let org_id = match form
        .org_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => Some(
            store
                .org_by_code(&scope, code)
                .await
                .map_err(|e| fail(e.into()))?
                .org_id,
        ),
        None => None,
    };
    let person_id = match form
        .person_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(p.parse::<i64>().map_err(|_| {
            fail(AppError::BadRequest(
                "人员编号应为数字 / person id must be a number".into(),
            ))
        })?),
        None => None,
    };
    let password = first_password();
    let created = store
        .create_account(
            &scope,
            &NewAccount {
                username: form.username.trim().to_string(),
                display_name: form.display_name.filter(|d| !d.trim().is_empty()),
                role,
                org_id,
                person_id,
                password: password.clone(),
                must_change_password: true,
            },
        )
        .await;
    match created {
        Ok(account) => page(&state, &caller, Some((account.username, password)), None)
            .await
            .map_err(fail),
        Err(kexie_store::StoreError::Invalid(m) | kexie_store::StoreError::Conflict(m)) => {
            let mut response = page(&state, &caller, None, Some(m)).await.map_err(fail)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(fail(e.into())),
    }
}

#[derive(Deserialize)]
struct ActionForm {
    role: Option<String>,
}

/// Whether the caller may act on `target` at all.
fn manages(caller: &Caller, target: &Account) -> bool {
    match caller.role() {
        Role::SystemAdmin | Role::SecurityAdmin => target.account_id != caller.account.account_id,
        Role::OrgAdmin => {
            !target.role.is_administrator()
                && target
                    .org_path
                    .as_deref()
                    .is_some_and(|p| caller.scope.contains_path(p))
        }
        _ => false,
    }
}

async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let fail = |e: AppError| PageError(e, lang);
    caller.require(MANAGERS).map_err(fail)?;
    let store = state.store();
    let target = store.account(id).await.map_err(|e| fail(e.into()))?;
    if !manages(&caller, &target) {
        // Accounts outside the caller's reach do not exist for them.
        return Err(fail(AppError::NotFound));
    }
    let actor = caller.account.actor(&caller.client);
    let account_manager = matches!(caller.role(), Role::SystemAdmin | Role::OrgAdmin);
    let result = match action.as_str() {
        "disable" if account_manager => store.set_account_disabled(id, true, &actor).await,
        "enable" if account_manager => store.set_account_disabled(id, false, &actor).await,
        "unlock" if account_manager => store.unlock_account(id, &actor).await,
        "reset" if account_manager => {
            let password = first_password();
            store
                .set_password(id, &password, &actor, true)
                .await
                .map_err(|e| fail(e.into()))?;
            return page(&state, &caller, Some((target.username, password)), None)
                .await
                .map_err(fail);
        }
        "role" if caller.role() == Role::SecurityAdmin => {
            let role = form
                .role
                .as_deref()
                .and_then(Role::parse)
                .ok_or_else(|| fail(AppError::BadRequest("角色无效 / unknown role".into())))?;
            store.set_role(id, role, &actor).await
        }
        _ => return Err(fail(AppError::Forbidden)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/accounts").into_response()),
        Err(kexie_store::StoreError::Invalid(m)) => {
            page(&state, &caller, None, Some(m)).await.map_err(fail)
        }
        Err(e) => Err(fail(e.into())),
    }
}
