//! Managing the organisation network through the API and the pages.

mod common;
#[path = "orgs/import.rs"]
mod import;

use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::Backend;
use serde_json::{json, Value};

use import::*;

on_both_databases!(
    organisations_are_created_changed_moved_and_dissolved_through_the_api,
    bad_fields_are_refused_with_the_field_named,
    the_pages_create_edit_and_move_an_organisation,
    the_coverage_page_and_api_show_the_gaps,
    the_division_browser_cascades_and_finds_by_initials,
    a_spreadsheet_uploaded_through_the_page_is_checked_then_imported,
    group_members_are_accepted_through_the_page_and_the_api,
);

async fn organisations_are_created_changed_moved_and_dissolved_through_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = app
        .org("P", "黑龙江省科学技术协会", None, "230000000000")
        .await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(p)).await;
    let city = app.send(&token, reqwest::Method::POST, "/api/v1/orgs", &json!({
        "code": "2301KX", "name": "哈尔滨市科学技术协会", "kind": "科协", "division_code": "2301",
        "parent_id": p, "credit_code": "91350100M000100Y43", "established": "1958-06-01",
        "contact_phone": "0451-86612345"
    })).await;
    assert_eq!(city.status(), 201);
    let city: Value = city.json().await.unwrap();
    assert_eq!(city["division_code"], "230100000000");
    assert_eq!(city["division_name"], "哈尔滨市");
    let city_id = city["org_id"].as_i64().unwrap();
    let county = app
        .send(
            &token,
            reqwest::Method::POST,
            "/api/v1/orgs",
            &json!({"code": "D", "name": "道里区科协", "kind": "kexie", "parent_id": p}),
        )
        .await;
    let county_id = county.json::<Value>().await.unwrap()["org_id"]
        .as_i64()
        .unwrap();
    // Move the county under the city.
    let moved = app
        .send(
            &token,
            reqwest::Method::PATCH,
            &format!("/api/v1/orgs/{county_id}"),
            &json!({"parent_id": city_id}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    assert_eq!(moved.json::<Value>().await.unwrap()["parent_id"], city_id);
    let children: Value = app
        .api(&token, &format!("/api/v1/orgs/{city_id}/children"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(children["total"], 1);
    // Dissolving the city is refused while the county is alive.
    let refused = app
        .send(
            &token,
            reqwest::Method::DELETE,
            &format!("/api/v1/orgs/{city_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(refused.status(), 409);
    let gone = app
        .send(
            &token,
            reqwest::Method::DELETE,
            &format!("/api/v1/orgs/{county_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(gone.json::<Value>().await.unwrap()["status"], "dissolved");
    let history: Value = app
        .api(&token, &format!("/api/v1/orgs/{county_id}/history"))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["dissolve", "move", "create"]);
    // A duplicate code is a conflict.
    let dup = app
        .send(
            &token,
            reqwest::Method::POST,
            "/api/v1/orgs",
            &json!({"code": "D", "name": "重复", "parent_id": p}),
        )
        .await;
    assert_eq!(dup.status(), 409);
}

async fn bad_fields_are_refused_with_the_field_named(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = app.org("P", "省科协", None, "230000000000").await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(p)).await;
    for (body, field) in [
        (
            json!({"code": "A", "name": "甲", "parent_id": p, "credit_code": "91350100M000100Y44"}),
            "统一社会信用代码",
        ),
        (
            json!({"code": "A", "name": "甲", "parent_id": p, "division_code": "99"}),
            "区划代码",
        ),
        (
            json!({"code": "A", "name": "甲", "parent_id": p, "kind": "街道"}),
            "类型",
        ),
        (
            json!({"code": "A", "name": "甲", "parent_id": p, "established": "去年"}),
            "成立日期",
        ),
        (
            json!({"code": "A", "name": "甲", "parent_id": p, "contact_phone": "abc"}),
            "联系电话",
        ),
        (json!({"code": "A", "parent_id": p}), "名称"),
    ] {
        let r = app
            .send(&token, reqwest::Method::POST, "/api/v1/orgs", &body)
            .await;
        assert_eq!(r.status(), 422, "{body}");
        let e: Value = r.json().await.unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().contains(field),
            "{e}"
        );
    }
}

async fn the_pages_create_edit_and_move_an_organisation(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = app.org("P", "省科协", None, "230000000000").await;
    let city = app.org("C", "哈尔滨市科协", Some(p), "230100000000").await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(p)).await;
    let csrf = browser.csrf(&format!("/orgs/new?parent={p}")).await;
    // A division typed as pinyin initials is resolved when it is unique.
    let r = browser
        .post_form(
            "/orgs/new",
            &csrf,
            &[
                ("code", "DL"),
                ("name", "道里区科协"),
                ("kind", "kexie"),
                ("division", "道里区"),
                ("parent_code", "P"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.trim_start_matches("/orgs/").parse().unwrap();
    let org = app
        .store()
        .org(&kexie_store::Scope::everything(), id)
        .await
        .unwrap();
    assert_eq!(org.division_code.as_deref(), Some("230102000000"));
    // A bad credit code comes back with the form filled in and the field named.
    let bad = browser
        .post_form(
            &format!("/orgs/{id}/edit"),
            &csrf,
            &[
                ("name", "道里区科学技术协会"),
                ("kind", "kexie"),
                ("credit_code", "123"),
                ("parent_code", "P"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("统一社会信用代码") && html.contains("value=\"道里区科学技术协会\""));
    // Editing with the city's code as parent moves it.
    let ok = browser
        .post_form(
            &format!("/orgs/{id}/edit"),
            &csrf,
            &[
                ("name", "道里区科学技术协会"),
                ("kind", "kexie"),
                ("division", "230102"),
                ("parent_code", "C"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 303);
    let org = app
        .store()
        .org(&kexie_store::Scope::everything(), id)
        .await
        .unwrap();
    assert_eq!(org.parent_id, Some(city));
    assert_eq!(org.name, "道里区科学技术协会");
    let page = browser
        .get(&format!("/orgs/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("调整上级") && page.contains("name: 道里区科协 → 道里区科学技术协会"));
    // A viewer sees no edit controls and cannot post.
    let viewer = app.signed_in("viewer", Role::OrgViewer, Some(p)).await;
    let page = viewer
        .get(&format!("/orgs/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("/edit\""));
    let csrf = viewer.csrf("/").await;
    let r = viewer
        .post_form(&format!("/orgs/{id}/dissolve"), &csrf, &[])
        .await;
    assert_eq!(r.status(), 403);
}

async fn the_coverage_page_and_api_show_the_gaps(backend: Backend) {
    let app = TestApp::start(backend).await;
    let d = app.org("D", "道里区科协", None, "230102000000").await;
    let towns = app
        .store()
        .division_children(Some("230102000000"))
        .await
        .unwrap();
    app.org("T1", "乡镇科协", Some(d), &towns[0].code).await;
    let token = app.token_for("viewer", Role::OrgViewer, Some(d)).await;
    let coverage: Value = app
        .api(&token, &format!("/api/v1/orgs/{d}/coverage"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(coverage["levels"][0]["level"], "township");
    assert_eq!(coverage["levels"][0]["divisions"], towns.len());
    assert_eq!(coverage["levels"][0]["covered"], 1);
    assert_eq!(
        coverage["levels"][0]["gaps"].as_array().unwrap().len(),
        towns.len() - 1
    );
    let browser = app.browser();
    browser.sign_in("viewer", common::PASSWORD).await;
    let html = browser
        .get(&format!("/orgs/{d}/coverage"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("1 / {}", towns.len())));
    assert!(html.contains(&towns[1].name));
    assert!(html.contains("<title>"), "the chart has a text alternative");
    let xlsx = browser.get(&format!("/orgs/{d}/coverage.xlsx")).await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    let sheet = kexie_office::sheet::read_sheet_bytes(
        &bytes,
        "c.xlsx",
        &kexie_office::limits::Limits::default(),
    )
    .unwrap();
    assert_eq!(sheet.rows.len(), towns.len() - 1);
    assert_eq!(sheet.headers[2], "区划名称");
}

async fn the_division_browser_cascades_and_finds_by_initials(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = app.org("P", "省科协", None, "230000000000").await;
    let browser = app.signed_in("viewer", Role::OrgViewer, Some(p)).await;
    let html = browser
        .get("/divisions?parent=23")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("哈尔滨市") && html.contains("230100000000"));
    let html = browser.get("/divisions?q=hrb").await.text().await.unwrap();
    assert!(html.contains("哈尔滨市"));
    assert_eq!(browser.get("/divisions?parent=x").await.status(), 400);
}

async fn group_members_are_accepted_through_the_page_and_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = app.org("P", "省科协", None, "230000000000").await;
    let e = app
        .org("E", "北疆重机企业科协", Some(p), "230100000000")
        .await;
    let u = app
        .org("U", "松江理工大学科协", Some(p), "230100000000")
        .await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(p)).await;
    let csrf = browser.csrf(&format!("/orgs/{p}")).await;
    let r = browser
        .post_form(
            &format!("/orgs/{p}/groups"),
            &csrf,
            &[("member_code", "E"), ("joined", "2019-03-01")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = browser
        .get(&format!("/orgs/{p}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("北疆重机企业科协") && html.contains("2019-03-01"));
    let token = app
        .token(
            app.store()
                .account_by_username("staff")
                .await
                .unwrap()
                .account_id,
        )
        .await;
    let r = app
        .send(
            &token,
            reqwest::Method::POST,
            &format!("/api/v1/orgs/{p}/groups"),
            &json!({"member_org_id": u}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let list: Value = r.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // Only a 科协 or a society takes group members.
    let r = app
        .send(
            &token,
            reqwest::Method::POST,
            "/api/v1/orgs",
            &json!({"code": "E2", "name": "企业科协乙", "kind": "企业科协", "parent_id": p}),
        )
        .await;
    let enterprise = r.json::<Value>().await.unwrap()["org_id"].as_i64().unwrap();
    let r = app
        .send(
            &token,
            reqwest::Method::POST,
            &format!("/api/v1/orgs/{enterprise}/groups"),
            &json!({"member_org_id": e}),
        )
        .await;
    assert_eq!(r.status(), 422);
}
