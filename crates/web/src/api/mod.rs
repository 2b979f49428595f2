//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`
//! and browsable at `/api/docs/`.

mod activities;
mod auth;
mod divisions;
mod governance;
mod governance_check;
pub(crate) mod me;
mod network;
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
        .merge(network::router())
        .merge(divisions::router())
        .merge(persons::router())
        .merge(stats::router())
        .merge(governance::router())
        .merge(activities::router())
        .merge(governance_check::router())
        .merge(workplan::router())
        .merge(search::router())
        .merge(me::router())
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
        network::org_posts,
        network::add_post,
        network::post,
        network::update_post,
        network::end_post,
        network::pilots,
        network::create_pilot,
        network::pilot,
        divisions::list,
        persons::list,
        persons::get_one,
        persons::create,
        persons::update,
        persons::remove,
        persons::duplicates,
        persons::identity,
        persons::integrity,
        persons::add_integrity,
        persons::merge,
        stats::overview,
        governance::review,
        governance::dashboard,
        governance::rules,
        governance::save_rules,
        activities::list,
        activities::create,
        governance_check::check,
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
        workplan::attachment,
        workplan::notifications,
        search::search,
        me::me,
        me::update_contact,
        me::request_correction,
        me::corrections,
        me::approve,
        me::reject,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &CommonResponses),
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
        (name = "me", description = "会员本人与信息更正 / a member's own record and corrections"),
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

/// Documents the answers every operation can give besides its own: 400 when a path or query
/// parameter or the body does not parse (the extractors in `crate::extract`), 401 without a
/// valid token, 403 when a change is beyond the caller's role, 409 when what a body says
/// collides with a record (an ID number or a code already taken), 415 for a body that is not
/// JSON. Query parameters are never `null`: absent
/// means "not given", so their schemas drop the `null` that `Option` adds (found by
/// scripts/api-fuzz: a client sending `as_of=null` was told the schema allowed it).
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{Schema, SchemaType, Type};
        use utoipa::openapi::{RefOr, ResponseBuilder};

        let error = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                            "ErrorBody",
                        ))))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (false, &mut item.get),
                (true, &mut item.post),
                (true, &mut item.put),
                (true, &mut item.patch),
                (true, &mut item.delete),
            ];
            for (writes, operation) in operations {
                let Some(operation) = operation else {
                    continue;
                };
                let public = operation
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let mut add = |code: &str, what: &str| {
                    responses
                        .entry(code.to_string())
                        .or_insert_with(|| RefOr::T(error(what)));
                };
                add(
                    "400",
                    "参数或请求体无法解析 / a parameter or the body does not parse",
                );
                if !public {
                    add("401", "未登录或令牌无效 / no valid bearer token");
                }
                if has_body {
                    add("415", "请求体不是 JSON / the body is not application/json");
                }
                if writes && !public {
                    add("403", "无权执行此操作 / not permitted");
                }
                if writes && has_body && !public {
                    add("409", "与已有记录冲突 / collides with an existing record");
                }
                for parameter in operation.parameters.iter_mut().flatten() {
                    if parameter.parameter_in != ParameterIn::Query {
                        continue;
                    }
                    if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
                        if let SchemaType::Array(types) = &object.schema_type {
                            let mut kept: Vec<Type> = types
                                .iter()
                                .filter(|t| **t != Type::Null)
                                .cloned()
                                .collect();
                            if kept.len() == 1 {
                                object.schema_type = SchemaType::Type(kept.remove(0));
                            }
                        }
                    }
                }
            }
        }
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

/// A query parameter that is a day, `YYYY-MM-DD`, or empty for the default.
pub(crate) fn day_or_empty() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(0)),
        )
        .build()
        .into()
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

    /// Saturates: a page past the end of `i64` is just an empty page (found by scripts/api-fuzz,
    /// where `page=9223372036854775807` made the multiplication overflow).
    pub fn offset(&self) -> i64 {
        (self.page() - 1).saturating_mul(self.limit())
    }
}
