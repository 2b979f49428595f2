//! People pages and API: masked by default, unmasked on request for those allowed, audited.

mod common;

use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::{AuditFilter, Backend, NewPerson, Scope};
use serde_json::{json, Value};

on_both_databases!(
    staff_unmask_a_person_once_and_the_audit_trail_records_it,
    a_viewer_sees_masks_only,
    people_are_registered_changed_and_deleted_through_the_api,
    the_ledger_filters_pages_exports_and_shows_growth,
    people_are_imported_through_the_page,
);

async fn setup(app: &TestApp) -> (i64, i64) {
    let c = app.org("C", "县科协", None, "230102000000").await;
    let person = app
        .store()
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id: c,
                name: "林晓".into(),
                id_number: Some("230102198503120029".into()),
                mobile: Some("13945678901".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    (c, person.person_id)
}

async fn staff_unmask_a_person_once_and_the_audit_trail_records_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (c, id) = setup(&app).await;
    let staff = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    let html = staff
        .get(&format!("/persons/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("2301**********0029") && html.contains("139****8901"));
    assert!(!html.contains("230102198503120029"));
    let csrf = staff.csrf(&format!("/persons/{id}")).await;
    let shown = staff
        .post_form(&format!("/persons/{id}/unmask"), &csrf, &[])
        .await;
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.headers()["cache-control"], "no-store");
    let html = shown.text().await.unwrap();
    assert!(html.contains("230102198503120029") && html.contains("13945678901"));
    let token = app
        .token(
            app.store()
                .account_by_username("staff")
                .await
                .unwrap()
                .account_id,
        )
        .await;
    let identity: Value = app
        .api(&token, &format!("/api/v1/persons/{id}/identity"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(identity["id_number"], "230102198503120029");
    let (records, _) = app
        .store()
        .search_audit(&AuditFilter {
            action: Some("person.unmask".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert!(records
        .iter()
        .all(|r| r.account == "staff" && r.object == format!("person:{id}")));
}

async fn a_viewer_sees_masks_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (c, id) = setup(&app).await;
    let viewer = app.signed_in("viewer", Role::OrgViewer, Some(c)).await;
    let html = viewer
        .get(&format!("/persons/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("/unmask"));
    let csrf = viewer.csrf("/").await;
    assert_eq!(
        viewer
            .post_form(&format!("/persons/{id}/unmask"), &csrf, &[])
            .await
            .status(),
        403
    );
    let token = app
        .token(
            app.store()
                .account_by_username("viewer")
                .await
                .unwrap()
                .account_id,
        )
        .await;
    assert_eq!(
        app.api(&token, &format!("/api/v1/persons/{id}/identity"))
            .await
            .status(),
        403
    );
}

async fn people_are_registered_changed_and_deleted_through_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (c, first) = setup(&app).await;
    let token = app
        .token(app.account("staff", Role::OrgStaff, Some(c)).await)
        .await;
    let send = |method: reqwest::Method, path: String, body: Value| {
        app.client
            .request(method, app.url(&path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    for (body, field) in [
        (
            json!({"org_id": c, "name": "甲", "id_number": "230102198503120021"}),
            "身份证号",
        ),
        (
            json!({"org_id": c, "name": "甲", "id_number": "230102198503120037", "birth_date": "1985-03-13"}),
            "出生日期",
        ),
        (
            json!({"org_id": c, "name": "甲", "mobile": "1234"}),
            "手机号",
        ),
        (
            json!({"org_id": c, "name": "甲", "email": "no-at"}),
            "电子邮箱",
        ),
        (json!({"org_id": c, "name": "甲", "title": "大师"}), "职称"),
        (json!({"org_id": c, "name": " "}), "姓名"),
    ] {
        let r = send(
            reqwest::Method::POST,
            "/api/v1/persons".into(),
            body.clone(),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let e: Value = r.json().await.unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().contains(field),
            "{e}"
        );
    }
    // The same name and mobile as the first person: registered, and the match is listed.
    let r = send(reqwest::Method::POST, "/api/v1/persons".into(), json!({"org_id": c, "name": "林晓", "mobile": "139 4567 8901", "id_number": "230102198503120037"})).await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["person"]["gender"], "male", "from the ID number");
    assert_eq!(created["person"]["birth_date"], "1985-03-12");
    assert_eq!(created["duplicates"][0]["person_id"], first);
    assert_eq!(created["duplicates"][0]["reason"], "name_mobile");
    let id = created["person"]["person_id"].as_i64().unwrap();
    let dups: Value = app
        .api(&token, &format!("/api/v1/persons/{id}/duplicates"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dups[0]["person_id"], first);
    // A registered ID number is a conflict.
    let r = send(
        reqwest::Method::POST,
        "/api/v1/persons".into(),
        json!({"org_id": c, "name": "别人", "id_number": "230102198503120037"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 409);
    let r = send(
        reqwest::Method::PATCH,
        format!("/api/v1/persons/{id}"),
        json!({"org_id": c, "name": "林晓东", "title": "副高级", "grassroots": true}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let changed: Value = r.json().await.unwrap();
    assert_eq!(
        (changed["name"].as_str(), changed["title"].as_str()),
        (Some("林晓东"), Some("副高级"))
    );
    assert_eq!(changed["id_number"], "2301**********0037", "left out, kept");
    assert_eq!(
        send(
            reqwest::Method::DELETE,
            format!("/api/v1/persons/{id}"),
            json!({})
        )
        .await
        .unwrap()
        .status(),
        204
    );
    assert_eq!(
        app.api(&token, &format!("/api/v1/persons/{id}"))
            .await
            .status(),
        404
    );
}

async fn the_ledger_filters_pages_exports_and_shows_growth(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (c, first) = setup(&app).await;
    let all = Scope::everything();
    app.store()
        .add_membership(&all, first, c, "普通会员", Some("K-1"), Some("2025-03-01"))
        .await
        .unwrap();
    for (i, name) in ["安然", "白雪", "陈晨"].iter().enumerate() {
        let p = app
            .store()
            .create_person(
                &all,
                &NewPerson {
                    org_id: c,
                    name: name.to_string(),
                    gender: Some("female".into()),
                    birth_date: Some("1999-01-01".into()),
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap();
        app.store()
            .add_membership(
                &all,
                p.person_id,
                c,
                "青年会员",
                Some(&format!("K-{}", i + 2)),
                Some("2026-02-01"),
            )
            .await
            .unwrap();
    }
    let token = app
        .token(app.account("viewer", Role::OrgViewer, Some(c)).await)
        .await;
    let page: Value = app
        .api(
            &token,
            &format!("/api/v1/orgs/{c}/ledger?member_type=青年会员&per_page=2"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 3);
    let names: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["安然", "白雪"]);
    let growth: Value = app
        .api(&token, &format!("/api/v1/orgs/{c}/growth?year=2026"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (growth["at_start"].as_i64(), growth["joined"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(growth["met"], true);
    let browser = app.browser();
    browser.sign_in("viewer", common::PASSWORD).await;
    let html = browser
        .get(&format!("/orgs/{c}/ledger?gender=female&age_max=30"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("安然") && !html.contains("林晓"));
    assert!(html.contains("会员增长"));
    let xlsx = browser
        .get(&format!("/orgs/{c}/ledger.xlsx?member_type=青年会员"))
        .await
        .bytes()
        .await
        .unwrap();
    let sheet =
        kexie_office::read_sheet_bytes(&xlsx, "l.xlsx", &kexie_office::Limits::default()).unwrap();
    assert_eq!(sheet.rows.len(), 3);
    assert_eq!(
        browser
            .get(&format!("/orgs/{c}/ledger?age_min=abc"))
            .await
            .status(),
        400
    );
}

async fn people_are_imported_through_the_page(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (c, _) = setup(&app).await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    let csv = "姓名,身份证号,会员类型\n周一,230102198503120010,普通会员\n吴二,230102198503120011,普通会员\n";
    let page = format!("/orgs/{c}/persons/import");
    let response = browser.upload(&page, &[], ("p.csv", csv.as_bytes())).await;
    let (_, html) = browser.finish_import(response).await;
    assert!(
        html.contains("id_number.checksum") && html.contains("未写入任何数据"),
        "{html}"
    );
    let response = browser
        .upload(&page, &[("skip_invalid", "1")], ("p.csv", csv.as_bytes()))
        .await;
    let (_, html) = browser.finish_import(response).await;
    assert!(
        html.contains("已导入人数： 1") || html.contains("已导入人数：1"),
        "{html}"
    );
    let (members, _) = app
        .store()
        .org_members(&Scope::everything(), c, 10, 0)
        .await
        .unwrap();
    assert!(members.iter().any(|m| m.name == "周一"));
}
