//! Activities, inactive branches and the society annual report through the pages and the API:
//! activities recorded by form and by JSON, `branch.inactive` on the governance page, the
//! report as `.docx`, and the public page that answers only once the report is published.

mod common;

use std::io::Read;

use common::{Browser, TestApp};
use kexie_domain::org::OrgKind;
use kexie_domain::role::Role;
use kexie_store::{Backend, NewOrg, NewPerson, Scope};
use serde_json::{json, Value};

on_both_databases!(
    activities_are_recorded_through_the_page_and_the_api,
    an_inactive_branch_shows_on_the_governance_page_until_it_meets,
    the_annual_report_downloads_as_docx_and_is_public_only_once_published,
    a_county_outside_cannot_publish_and_a_viewer_may_not,
);

async fn org(app: &TestApp, code: &str, name: &str, kind: OrgKind, parent: i64) -> i64 {
    app.store()
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(kind),
                parent_id: Some(parent),
                established: Some("2015-03-01".into()),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

/// A province 科协, a society under it and a branch of the society founded 2015-03-01.
/// Returns (province, society, branch).
async fn setup(app: &TestApp) -> (i64, i64, i64) {
    let p = app.org("23KX", "省科协", None, "230000000000").await;
    let s = org(app, "S1", "省测试学会", OrgKind::Society, p).await;
    let b = org(app, "S1-B", "青年工作专业委员会", OrgKind::Branch, s).await;
    (p, s, b)
}

/// POSTs an activity of `org_id` through the JSON API.
async fn post_activity(app: &TestApp, token: &str, org_id: i64, body: Value) -> reqwest::Response {
    let path = format!("/api/v1/orgs/{org_id}/activities");
    app.send(token, reqwest::Method::POST, &path, &body).await
}

async fn staff(app: &TestApp, org_id: i64) -> (Browser, String) {
    let browser = app.signed_in("staff", Role::OrgStaff, Some(org_id)).await;
    let account = app.store().account_by_username("staff").await.unwrap();
    let token = app.token(account.account_id).await;
    (browser, token)
}

async fn activities_are_recorded_through_the_page_and_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, s, b) = setup(&app).await;
    let (browser, token) = staff(&app, p).await;
    let page = format!("/orgs/{s}/activities");
    let csrf = browser.csrf(&page).await;
    let created = browser
        .post_form(
            &page,
            &csrf,
            &[
                ("held_on", "2025-03-02"),
                ("title", "科普进校园<b>"),
                ("kind", "popularisation"),
                ("participants", "300"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let refused = browser
        .post_form(
            &page,
            &csrf,
            &[
                ("held_on", "2025-03-02"),
                ("title", "年会"),
                ("kind", "聚餐"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("未知的活动类别"));
    // The JSON API records one for the branch and lists both from the society.
    let posted = post_activity(
        &app,
        &token,
        b,
        json!({"held_on": "2025-09-09", "title": "青年论坛", "kind": "学术交流", "participants": 40}),
    ).await;
    assert_eq!(posted.status(), 201);
    let one: Value = posted.json().await.unwrap();
    assert_eq!(one["kind"], "academic_exchange");
    assert_eq!(one["org_name"], "青年工作专业委员会");
    let bad = post_activity(
        &app,
        &token,
        b,
        json!({"held_on": "2025-13-01", "title": "x", "kind": "meeting"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let list: Value = app
        .api_json(&token, &format!("/api/v1/orgs/{s}/activities?year=2025"))
        .await;
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["青年论坛", "科普进校园<b>"]);
    let own_only: Value = app
        .api_json(
            &token,
            &format!("/api/v1/orgs/{s}/activities?subtree=false"),
        )
        .await;
    assert_eq!(own_only.as_array().unwrap().len(), 1);
    // The page lists them, escaped, and deletes one.
    let html = browser.text(&page).await;
    assert!(html.contains("科普进校园&#60;b&#62;") && !html.contains("科普进校园<b>"));
    assert!(html.contains("青年论坛"));
    let id = one["activity_id"].as_i64().unwrap();
    let deleted = browser
        .post_form(&format!("/orgs/{s}/activities/{id}/delete"), &csrf, &[])
        .await;
    assert_eq!(deleted.status(), 303);
    let html = browser.text(&page).await;
    assert!(!html.contains("青年论坛"));
    // An activity id of nothing is not found.
    let missing = browser
        .post_form(&format!("/orgs/{s}/activities/{id}/delete"), &csrf, &[])
        .await;
    assert_eq!(missing.status(), 404);
}

async fn an_inactive_branch_shows_on_the_governance_page_until_it_meets(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, s, b) = setup(&app).await;
    let (browser, token) = staff(&app, p).await;
    let governance = |as_of: &str| format!("/orgs/{s}/governance?as_of={as_of}");
    // Founded 2015-03-01 with no activity: fine the day before the 24 months are full.
    let html = browser.text(&governance("2017-02-28")).await;
    assert!(!html.contains("branch.inactive"));
    let html = browser.text(&governance("2017-03-01")).await;
    assert!(html.contains("branch.inactive") && html.contains("青年工作专业委员会"));
    // A meeting on 2016-06-01 moves the boundary to 2018-06-01.
    let posted = post_activity(
        &app,
        &token,
        b,
        json!({"held_on": "2016-06-01", "title": "年会", "kind": "meeting"}),
    )
    .await;
    assert_eq!(posted.status(), 201);
    let html = browser.text(&governance("2018-05-31")).await;
    assert!(!html.contains("branch.inactive"));
    let html = browser.text(&governance("2018-06-01")).await;
    assert!(html.contains("branch.inactive") && html.contains("2016年6月1日"));
    // The dashboard's JSON carries the same finding.
    let dash: Value = app
        .api_json(
            &token,
            &format!("/api/v1/orgs/{p}/governance/dashboard?as_of=2018-06-01"),
        )
        .await;
    assert!(dash[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "branch.inactive" && f["last_activity"] == "2016-06-01"));
}

/// A member with an ID number and a phone on record, joined on `joined`.
async fn member(app: &TestApp, s: i64, name: &str, id_number: &str, joined: &str) {
    let all = Scope::everything();
    let person = app
        .store()
        .create_person(
            &all,
            &NewPerson {
                org_id: s,
                name: name.into(),
                id_number: Some(id_number.into()),
                mobile: Some("13912345678".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id;
    app.store()
        .add_membership(&all, person, s, "individual", None, Some(joined))
        .await
        .unwrap();
}

/// Publishes or unpublishes (`action`) the society's 2025 report through the governance form.
async fn annual(browser: &Browser, s: i64, csrf: &str, action: &str) -> reqwest::Response {
    browser
        .post_form(
            &format!("/orgs/{s}/governance/annual"),
            csrf,
            &[("year", "2025"), ("action", action)],
        )
        .await
}

fn document_xml(bytes: Vec<u8>) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

async fn the_annual_report_downloads_as_docx_and_is_public_only_once_published(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, s, _) = setup(&app).await;
    member(&app, s, "会员甲", "23010319900307002X", "2024-05-01").await;
    member(&app, s, "会员乙", "230102198503120029", "2025-02-01").await;
    let (browser, token) = staff(&app, s).await;
    let posted = post_activity(
        &app,
        &token,
        s,
        json!({"held_on": "2025-05-20", "title": "全国科技工作者日活动", "kind": "popularisation", "participants": 800, "notes": "联系人 13912345678"}),
    ).await;
    assert_eq!(posted.status(), 201);

    let docx = browser
        .get(&format!("/orgs/{s}/governance/annual.docx?year=2025"))
        .await;
    assert_eq!(docx.status(), 200);
    let xml = document_xml(docx.bytes().await.unwrap().to_vec());
    for expected in [
        "省测试学会2025年度年报",
        "100.0%（目标 15%，已达到）",
        "全国科技工作者日活动",
        "本年度共开展活动1次，参加800人次",
    ] {
        assert!(xml.contains(expected), "docx lacks {expected}");
    }
    let bad_year = browser
        .get(&format!("/orgs/{s}/governance/annual.docx?year=soon"))
        .await;
    assert_eq!(bad_year.status(), 422);

    // Before publishing the public address is 404, to anyone.
    let public = format!("/public/orgs/{s}/annual/2025");
    let anonymous = app.browser();
    assert_eq!(anonymous.get(&public).await.status(), 404);
    let csrf = browser.csrf(&format!("/orgs/{s}/governance")).await;
    let published = annual(&browser, s, &csrf, "publish").await;
    assert_eq!(published.status(), 303);
    let page = anonymous.get(&public).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in [
        "省测试学会",
        "2025",
        "100.0%",
        "全国科技工作者日活动",
        "800",
    ] {
        assert!(html.contains(expected), "public page lacks {expected}");
    }
    // No personal data: no ID numbers, phones, masks, notes or members' names.
    for leak in [
        "23010319900307002X",
        "0307",
        "13912345678",
        "139****5678",
        "****",
        "会员甲",
        "联系人",
    ] {
        assert!(!html.contains(leak), "public page shows {leak}");
    }
    // Another year and a malformed address are 404 as well.
    assert_eq!(
        anonymous
            .get(&format!("/public/orgs/{s}/annual/2024"))
            .await
            .status(),
        404
    );
    assert_eq!(
        anonymous
            .get(&format!("/public/orgs/{s}/annual/x"))
            .await
            .status(),
        404
    );
    // The governance page links to it; unpublishing takes it down.
    let governance = browser.text(&format!("/orgs/{s}/governance")).await;
    assert!(governance.contains(&public));
    let withdrawn = annual(&browser, s, &csrf, "unpublish").await;
    assert_eq!(withdrawn.status(), 303);
    assert_eq!(anonymous.get(&public).await.status(), 404);
}

async fn a_county_outside_cannot_publish_and_a_viewer_may_not(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, s, _) = setup(&app).await;
    let county = app.org("23KXD", "某县科协", None, "230102000000").await;
    let outsider = app
        .signed_in("county.staff", Role::OrgStaff, Some(county))
        .await;
    let csrf = outsider.csrf(&format!("/orgs/{county}/governance")).await;
    let refused = annual(&outsider, s, &csrf, "publish").await;
    assert_eq!(refused.status(), 404);
    let docx = outsider
        .get(&format!("/orgs/{s}/governance/annual.docx?year=2025"))
        .await;
    assert_eq!(docx.status(), 404);
    let viewer = app
        .signed_in("province.viewer", Role::OrgViewer, Some(p))
        .await;
    let csrf = viewer.csrf(&format!("/orgs/{s}/governance")).await;
    let forbidden = annual(&viewer, s, &csrf, "publish").await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(
        app.browser()
            .get(&format!("/public/orgs/{s}/annual/2025"))
            .await
            .status(),
        404
    );
}
