//! The foundation, black-box: probes, a page, the OpenAPI document, the error shape.

mod common;

use common::TestApp;
use kexie_domain::org::OrgKind;
use kexie_domain::role::Role;
use kexie_store::{Backend, NewOrg, Scope};
use serde_json::Value;

on_both_databases!(
    healthz_answers_ok,
    readyz_answers_while_the_database_does_and_503_after,
    the_start_page_is_a_chinese_page_with_real_figures,
    english_is_selectable,
    the_openapi_document_describes_the_api,
    a_bad_request_gets_the_documented_error_shape,
    unknown_addresses_answer_404_as_json_or_as_a_page,
    organisations_are_listed_and_shown,
    divisions_are_found_by_pinyin_initials,
    the_demo_banner_shows_in_demo_mode,
);

async fn seed(app: &TestApp) -> i64 {
    let all = Scope::everything();
    let root = app
        .store()
        .create_org(
            &all,
            &NewOrg {
                code: "23KX".into(),
                name: "黑龙江省科学技术协会".into(),
                kind: Some(OrgKind::Kexie),
                division_code: Some("230000000000".into()),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    app.store()
        .create_org(
            &all,
            &NewOrg {
                code: "2301KX".into(),
                name: "哈尔滨市科学技术协会".into(),
                kind: Some(OrgKind::Kexie),
                division_code: Some("230100000000".into()),
                parent_id: Some(root.org_id),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    root.org_id
}

async fn healthz_answers_ok(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

async fn readyz_answers_while_the_database_does_and_503_after(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.store().close().await;
    assert_eq!(app.get("/readyz").await.status(), 503);
}

async fn the_start_page_is_a_chinese_page_with_real_figures(backend: Backend) {
    let app = TestApp::start(backend).await;
    let root = seed(&app).await;
    let browser = app.signed_in("province", Role::OrgViewer, Some(root)).await;
    let response = browser.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("科协工作平台"));
    assert!(html.contains("黑龙江省科学技术协会"));
    // Two organisations, shown as the first figure.
    assert!(html.contains("<span class=\"value\">2</span><span class=\"label\">组织</span>"));
}

async fn english_is_selectable(backend: Backend) {
    let app = TestApp::start(backend).await;
    let root = seed(&app).await;
    let browser = app.signed_in("province", Role::OrgViewer, Some(root)).await;
    let response = browser.get("/lang?set=en&back=/orgs").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/orgs");
    let html = browser.get("/orgs").await.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Organisation network"));
    // Redirects go to local paths only.
    let response = app.get("/lang?set=zh-CN&back=//evil.example").await;
    assert_eq!(response.headers()["location"], "/");
}

async fn the_openapi_document_describes_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/orgs",
        "/api/v1/orgs/{id}",
        "/api/v1/divisions",
        "/api/v1/persons",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let ui = app.get("/api/docs/").await;
    assert_eq!(ui.status(), 200);
}

async fn a_bad_request_gets_the_documented_error_shape(backend: Backend) {
    let app = TestApp::start(backend).await;
    let root = seed(&app).await;
    let token = app.token_for("viewer", Role::OrgViewer, Some(root)).await;
    let response = app.api(&token, "/api/v1/orgs?page=abc").await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("查询参数无效"));
    let reference = body["error"]["reference"].as_str().unwrap();
    assert_eq!(reference.len(), 8);
    assert!(reference.chars().all(|c| c.is_ascii_hexdigit()));

    let response = app.api(&token, "/api/v1/orgs?kind=街道").await;
    assert_eq!(response.status(), 400);
    let response = app.api(&token, "/api/v1/divisions?parent=12x").await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
}

async fn unknown_addresses_answer_404_as_json_or_as_a_page(backend: Backend) {
    let app = TestApp::start(backend).await;
    let response = app.get("/api/v1/nothing-here").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let response = app.get("/nothing-here").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("参考编号"));
    let root = seed(&app).await;
    let token = app.token_for("viewer", Role::OrgViewer, Some(root)).await;
    let response = app.api(&token, "/api/v1/orgs/999999").await;
    assert_eq!(response.status(), 404);
}

async fn organisations_are_listed_and_shown(backend: Backend) {
    let app = TestApp::start(backend).await;
    let root = seed(&app).await;
    let token = app.token_for("viewer", Role::OrgViewer, Some(root)).await;
    let list: Value = app.api(&token, "/api/v1/orgs").await.json().await.unwrap();
    assert_eq!(list["total"], 2);
    let children: Value = app
        .api(&token, &format!("/api/v1/orgs/{root}/children"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(children["items"][0]["name"], "哈尔滨市科学技术协会");
    let one: Value = app
        .api(&token, &format!("/api/v1/orgs/{root}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["division_name"], "黑龙江省");
    let browser = app.signed_in("province", Role::OrgViewer, Some(root)).await;
    let html = browser
        .get(&format!("/orgs/{root}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("哈尔滨市科学技术协会"));
    let html = browser.get("/orgs?q=hrb").await.text().await.unwrap();
    assert!(html.contains("哈尔滨市科学技术协会"));
    assert!(!html.contains("黑龙江省科学技术协会</a>"));
}

async fn divisions_are_found_by_pinyin_initials(backend: Backend) {
    let app = TestApp::start(backend).await;
    let token = app.token_for("sysadmin", Role::SystemAdmin, None).await;
    let found: Value = app
        .api(&token, "/api/v1/divisions?q=hrb")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["name"], "哈尔滨市");
    let children: Value = app
        .api(&token, "/api/v1/divisions?parent=23")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(children.as_array().unwrap().len(), 13);
}

async fn the_demo_banner_shows_in_demo_mode(backend: Backend) {
    let app = TestApp::start_with(
        backend,
        kexie_web::Settings {
            demo: true,
            ..Default::default()
        },
    )
    .await;
    let html = app.get("/login").await.text().await.unwrap();
    assert!(html.contains("演示模式"));
    let plain = TestApp::start(backend).await;
    assert!(!plain
        .get("/login")
        .await
        .text()
        .await
        .unwrap()
        .contains("演示模式"));
}
