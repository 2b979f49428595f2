//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`
//! and browsable at `/api/docs/`.

mod auth;
mod divisions;
mod governance;
mod orgs;
mod persons;
pub(crate) mod search;
mod stats;
mod workplan;

use axum::Router;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ErrorBody, ErrorDetail};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(orgs::router())
        .merge(divisions::router())
        .merge(persons::router())
        .merge(stats::router())
        .merge(governance::router())
        .merge(workplan::router())
        .merge(search::router())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kexie API",
        description = "科协工作平台接口 / JSON API of Kexie. Errors have the shape \
            {\"error\":{\"code\",\"message\",\"reference\"}}; rows outside the caller's scope \
            answer 404.",
        version = "1"
    ),
    paths(
        auth::login,
        auth::me,
        orgs::list,
        orgs::create,
        orgs::get_one,
        orgs::update,
        orgs::dissolve,
        orgs::coverage,
        orgs::history,
        orgs::ledger,
        orgs::growth,
        orgs::groups,
        orgs::add_group,
        orgs::children,
        orgs::members,
        divisions::list,
        persons::list,
        persons::get_one,
        persons::create,
        persons::update,
        persons::remove,
        persons::duplicates,
        persons::identity,
        stats::overview,
        governance::review,
        governance::dashboard,
        governance::rules,
        governance::save_rules,
        workplan::list,
        workplan::create,
        workplan::get_one,
        workplan::tasks,
        workplan::supervision,
        workplan::task,
        workplan::update_task,
        workplan::reports,
        workplan::report,
        workplan::rollup,
        workplan::notifications,
        search::search,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "登录 / sign-in and bearer tokens"),
        (name = "orgs", description = "组织体系 / organisation network"),
        (name = "divisions", description = "行政区划 / official divisions"),
        (name = "persons", description = "人才库 / science and technology workers"),
        (name = "stats", description = "统计 / figures"),
        (name = "governance", description = "学会治理 / society governance"),
        (name = "workplan", description = "督查督办 / work-plan supervision"),
        (name = "search", description = "全文检索 / search people and organisations"),
    )
)]
struct ApiDoc;

/// Declares the bearer scheme every operation but sign-in requires.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document at `/api/v1/openapi.json` and the reference pages at `/api/docs/`.
pub fn docs() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", openapi()))
}

/// Paging of every list: `page` from 1, `per_page` up to 500 (default 50).
#[derive(Debug, Deserialize, IntoParams)]
pub struct Paging {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl Paging {
    pub fn limit(&self) -> i64 {
        self.per_page.unwrap_or(50).clamp(1, 500)
    }

    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn offset(&self) -> i64 {
        (self.page() - 1) * self.limit()
    }
}
