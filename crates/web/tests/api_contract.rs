//! What scripts/api-fuzz (schemathesis against the OpenAPI document) found, kept fixed: the
//! document names every answer an operation can give, the server accepts what the document
//! allows, and no number a client sends makes the server panic.

mod common;

use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::Backend;
use serde_json::{json, Value};

on_both_databases!(
    a_page_past_the_largest_number_is_empty_not_a_crash,
    a_whole_number_written_with_a_fraction_is_an_integer,
    absurd_years_and_ages_are_refused_or_match_nobody_not_a_crash,
);

async fn a_page_past_the_largest_number_is_empty_not_a_crash(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(c)).await;
    let max = i64::MAX;

    for path in [
        format!("/api/v1/orgs?page={max}&per_page=500"),
        format!("/api/v1/orgs/{c}/children?page={max}&per_page=500"),
        format!("/api/v1/orgs/{c}/members?page={max}"),
        format!("/api/v1/orgs/{c}/ledger?page={max}"),
        format!("/api/v1/persons?page={max}"),
        format!("/api/v1/plans?page={max}"),
    ] {
        let response = app.api(&token, &path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["items"], json!([]), "{path}");
    }

    let browser = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    for path in [
        format!("/orgs?page={max}"),
        format!("/orgs/{c}?page={max}"),
        format!("/orgs/{c}/ledger?page={max}"),
        format!("/persons?page={max}"),
        format!("/plans?page={max}"),
    ] {
        assert_eq!(browser.get(&path).await.status(), 200, "{path}");
    }
}

async fn a_whole_number_written_with_a_fraction_is_an_integer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(c)).await;
    let post = |body: Value| {
        app.client
            .post(app.url("/api/v1/orgs"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };

    // JSON Schema counts 3.0 as an integer; so does the server.
    let created = post(json!({"code": "T1", "name": "某街道科协", "parent_id": c as f64}))
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let org: Value = created.json().await.unwrap();
    assert_eq!(org["parent_id"], json!(c));

    // serde_json reads this long decimal as ….5: still the whole number, so the answer is
    // about the missing parent (404), not a refused fraction (400).
    let long = app
        .client
        .post(app.url("/api/v1/orgs"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"code": "T3", "name": "某街道科协", "parent_id": 3998297550616418.0}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), 404);

    // A real fraction is still refused, with the reason.
    let refused = post(json!({"code": "T2", "name": "某街道科协", "parent_id": c as f64 + 0.5}))
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let error: Value = refused.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("parent_id"),
        "{error}"
    );
}

async fn absurd_years_and_ages_are_refused_or_match_nobody_not_a_crash(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(c)).await;

    let growth = format!("/api/v1/orgs/{c}/growth?year=");
    assert_eq!(
        app.api(&token, &format!("{growth}2026")).await.status(),
        200
    );
    for year in [i32::MAX, 0, -1, 10_000] {
        let refused = app.api(&token, &format!("{growth}{year}")).await;
        assert_eq!(refused.status(), 422, "year {year}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("年份"));
    }

    let max = i64::MAX;
    for query in [
        format!("age_min={max}&age_max={max}"),
        format!("age_min=-{max}&age_max=-{max}"),
    ] {
        let ledger = app
            .api(&token, &format!("/api/v1/orgs/{c}/ledger?{query}"))
            .await;
        assert_eq!(ledger.status(), 200, "{query}");
    }
}

/// Every operation, with the operation's path and method.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), operation));
        }
    }
    out
}

#[tokio::test]
async fn the_openapi_document_names_every_answer_and_what_each_parameter_accepts() {
    let app = TestApp::start(Backend::Sqlite).await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();

    for (path, method, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        let public = path == "/api/v1/auth/login";
        assert!(responses.contains_key("400"), "{method} {path}: 400");
        assert!(
            public || responses.contains_key("401"),
            "{method} {path}: 401"
        );
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("415"), "{method} {path}: 415");
        }
        if method != "get" && !public {
            assert!(responses.contains_key("403"), "{method} {path}: 403");
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("409"), "{method} {path}: 409");
            }
        }
        // A query parameter is absent or a value: never `null`.
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "query" {
                assert!(
                    !parameter["schema"].to_string().contains("\"null\""),
                    "{method} {path}: {parameter}"
                );
            }
        }
    }

    let parameter = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]
            .clone()
    };
    let as_of = parameter("/api/v1/orgs/{id}/governance", "as_of");
    assert_eq!(as_of["oneOf"][0]["format"], "date", "{as_of}");
    assert_eq!(as_of["oneOf"][1]["maxLength"], 0, "{as_of}");
    let kinds = parameter("/api/v1/orgs", "kind");
    for accepted in ["kexie", "科协", "society", ""] {
        assert!(
            kinds["enum"].as_array().unwrap().contains(&json!(accepted)),
            "{kinds}"
        );
    }
    assert!(parameter("/api/v1/divisions", "parent")["pattern"]
        .as_str()
        .unwrap()
        .contains("2[1-3]"));
}

#[tokio::test]
async fn what_the_document_allows_for_an_empty_parameter_is_accepted() {
    let app = TestApp::start(Backend::Sqlite).await;
    let c = app.org("C", "省科协", None, "230000000000").await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(c)).await;

    for path in [
        "/api/v1/divisions?parent=".to_string(),
        format!("/api/v1/orgs/{c}/governance?as_of="),
        format!("/api/v1/orgs/{c}/governance/rules?as_of="),
        "/api/v1/orgs?kind=".to_string(),
    ] {
        assert_eq!(app.api(&token, &path).await.status(), 200, "{path}");
    }
    // And what it does not allow is refused as documented (400).
    for path in [
        "/api/v1/divisions?parent=00".to_string(),
        format!("/api/v1/orgs/{c}/governance?as_of=tomorrow"),
        "/api/v1/orgs?kind=unknown".to_string(),
    ] {
        assert_eq!(app.api(&token, &path).await.status(), 400, "{path}");
    }
}
