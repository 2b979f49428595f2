//! Search through the API and the pages: scope, the feed from ordinary writes, bad input.

mod common;

use std::time::Duration;

use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::{Backend, NewPerson, Scope};
use serde_json::Value;

on_both_databases!(
    a_county_finds_its_own_people_and_organisations_and_nothing_beside_them,
    a_person_registered_through_the_api_is_found_within_a_bounded_poll,
    the_search_page_links_each_hit_to_its_page,
    bad_search_input_is_answered_with_a_clear_error,
);

/// A city with two counties; each county keeps one person.
struct Tree {
    city: i64,
    east: i64,
    west: i64,
    zhang: i64,
}

async fn tree(app: &TestApp) -> Tree {
    let city = app
        .org("CITY", "松江市科学技术协会", None, "230100000000")
        .await;
    let east = app
        .org("EAST", "东岸区科学技术协会", Some(city), "230102000000")
        .await;
    let west = app
        .org("WEST", "西岸区科学技术协会", Some(city), "230103000000")
        .await;
    let mut ids = Vec::new();
    for (org, name, employer) in [
        (east, "张三", "东岸农业科学研究所"),
        (west, "张三丰", "西岸机械厂"),
        (east, "单晓明", "东岸农业科学研究所"),
    ] {
        let p = app
            .store()
            .create_person(
                &Scope::everything(),
                &NewPerson {
                    org_id: org,
                    name: name.into(),
                    employer: Some(employer.into()),
                    discipline: Some("作物学".into()),
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap();
        ids.push(p.person_id);
    }
    app.search_settled().await;
    Tree {
        city,
        east,
        west,
        zhang: ids[0],
    }
}

fn names(body: &Value, kind: &str) -> Vec<String> {
    body[kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.api(token, &format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

async fn a_county_finds_its_own_people_and_organisations_and_nothing_beside_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let t = tree(&app).await;
    let token = app
        .token_for("east.staff", Role::OrgStaff, Some(t.east))
        .await;

    // "zs" is 张三 in the east and 张三丰 in the west; the east's staff see only their own.
    let body = search(&app, &token, "q=zs").await;
    assert_eq!(names(&body, "persons"), ["张三"]);
    assert_eq!(body["ready"], true);
    let body = search(&app, &token, "q=%E5%BC%A0%E4%B8%89").await; // 张三
    assert_eq!(names(&body, "persons"), ["张三"]);
    assert_eq!(body["persons"][0]["org_name"], "东岸区科学技术协会");
    // No identity fields in a hit, not even masked.
    let hit = body["persons"][0].as_object().unwrap();
    assert!(!hit.contains_key("id_number") && !hit.contains_key("mobile"));
    // 科学技术 is inside every organisation's name; only the own county is in scope.
    let body = search(
        &app,
        &token,
        "q=%E7%A7%91%E5%AD%A6%E6%8A%80%E6%9C%AF&kind=org",
    )
    .await;
    assert_eq!(names(&body, "orgs"), ["东岸区科学技术协会"]);
    assert!(body["persons"].as_array().unwrap().is_empty());
    // 单 as a surname is searched as shan.
    let body = search(&app, &token, "q=shan&kind=person").await;
    assert_eq!(names(&body, "persons"), ["单晓明"]);
    // The west's own name, typed in full, finds nothing for the east.
    let body = search(&app, &token, "q=%E8%A5%BF%E5%B2%B8").await; // 西岸
    assert!(names(&body, "orgs").is_empty() && names(&body, "persons").is_empty());

    // The city sees both counties.
    let city_token = app
        .token_for("city.viewer", Role::OrgViewer, Some(t.city))
        .await;
    let body = search(&app, &city_token, "q=zs").await;
    assert_eq!(names(&body, "persons"), ["张三", "张三丰"]);
    let _ = t.west;
}

async fn a_person_registered_through_the_api_is_found_within_a_bounded_poll(backend: Backend) {
    let app = TestApp::start(backend).await;
    let t = tree(&app).await;
    let token = app
        .token_for("east.admin", Role::OrgAdmin, Some(t.east))
        .await;
    let created = app
        .send(
            &token,
            reqwest::Method::POST,
            "/api/v1/persons",
            &serde_json::json!({"org_id": t.east, "name": "曾一帆", "employer": "东岸种子站"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let mut found = Vec::new();
    for _ in 0..500 {
        found = names(&search(&app, &token, "q=zengyifan").await, "persons");
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(found, ["曾一帆"]);
}

async fn the_search_page_links_each_hit_to_its_page(backend: Backend) {
    let app = TestApp::start(backend).await;
    let t = tree(&app).await;
    let browser = app
        .signed_in("east.viewer", Role::OrgViewer, Some(t.east))
        .await;
    // Every page's header carries the search box.
    let home = browser.get("/").await.text().await.unwrap();
    assert!(home.contains("action=\"/search\""));
    let response = browser.get("/search?q=zs").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"/persons/{}\"", t.zhang)),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"/orgs/{}\"", t.east)));
    assert!(!html.contains("张三丰"));
    let html = browser
        .get("/search?q=%E4%B8%9C%E5%B2%B8&kind=org") // 东岸
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"/orgs/{}\"", t.east)));
    assert!(!html.contains("单晓明"), "kind=org shows no people");
    // An empty query explains what to type.
    let html = browser.get("/search").await.text().await.unwrap();
    assert!(html.contains("拼音"));
}

async fn bad_search_input_is_answered_with_a_clear_error(backend: Backend) {
    let app = TestApp::start(backend).await;
    let t = tree(&app).await;
    let token = app
        .token_for("east.staff", Role::OrgStaff, Some(t.east))
        .await;
    for (query, expected) in [
        ("q=zs&kind=task", "kind"),
        ("q=zs&limit=0", "limit"),
        ("q=zs&limit=101", "limit"),
        ("q=zs&limit=x", "查询参数无效"),
    ] {
        let response = app.api(&token, &format!("/api/v1/search?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{query}: {body}"
        );
    }
    let long = "张".repeat(65);
    let response = app.api(&token, &format!("/api/v1/search?q={long}")).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("检索词"));
    // The API is documented.
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/api/v1/search"]["get"].is_object());
    // Signed out, nothing.
    assert_eq!(app.get("/api/v1/search?q=zs").await.status(), 401);
}
