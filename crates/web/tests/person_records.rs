//! Integrity records on a person's page, their flag where people hold posts, and merging
//! duplicates through the pages.

mod common;

use common::TestApp;
use kexie_domain::governance::{AppointmentMethod, Position};
use kexie_domain::org::OrgKind;
use kexie_domain::role::Role;
use kexie_store::{Backend, BodyKind, NewOrg, NewPerson, NewPost, NewTerm, Scope};

on_both_databases!(
    staff_record_integrity_entries_and_posts_flag_sanctions_in_force,
    duplicates_are_compared_masked_and_merged_into_the_record_kept,
    the_api_records_integrity_and_merges,
);

async fn person(app: &TestApp, org: i64, name: &str, id_number: Option<&str>) -> i64 {
    app.store()
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id: org,
                name: name.into(),
                id_number: id_number.map(str::to_string),
                mobile: Some("13945678901".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

async fn staff_record_integrity_entries_and_posts_flag_sanctions_in_force(backend: Backend) {
    let app = TestApp::start(backend).await;
    let all = Scope::everything();
    let p = app.org("23KX", "省科协", None, "230000000000").await;
    let s = app
        .store()
        .create_org(
            &all,
            &NewOrg {
                code: "S1".into(),
                name: "省作物学会".into(),
                kind: Some(OrgKind::Society),
                parent_id: Some(p),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id;
    let sanctioned = person(&app, s, "甲理事", None).await;
    let clean = person(&app, s, "乙理事", None).await;
    let council = app
        .store()
        .create_body(&all, s, BodyKind::Council, "")
        .await
        .unwrap();
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let term = app
        .store()
        .create_term(
            &all,
            council,
            &NewTerm {
                number: 1,
                start_on: today - chrono::Duration::days(30),
                planned_end: today + chrono::Duration::days(1000),
                actual_end: None,
            },
        )
        .await
        .unwrap();
    for who in [sanctioned, clean] {
        app.store()
            .add_post(
                &all,
                term,
                &NewPost {
                    person_id: who,
                    position: Position::CouncilMember,
                    appointment: AppointmentMethod::Elected,
                    full_time: false,
                },
            )
            .await
            .unwrap();
    }
    let staff = app.signed_in("staff", Role::OrgStaff, Some(p)).await;
    let page = format!("/persons/{sanctioned}");
    let csrf = staff.csrf(&page).await;
    let later = (today + chrono::Duration::days(365)).to_string();
    let added = staff
        .post_form(
            &format!("{page}/integrity"),
            &csrf,
            &[
                ("kind", "sanction"),
                ("recorded_on", &today.to_string()),
                ("description", "论文数据造假，<取消>评奖资格一年"),
                ("issuer", "某大学学术委员会"),
                ("expires_on", &later),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let refused = staff
        .post_form(
            &format!("{page}/integrity"),
            &csrf,
            &[
                ("kind", "sanction"),
                ("recorded_on", "2024-13-01"),
                ("description", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("记录日期"));

    let html = staff.get(&page).await.text().await.unwrap();
    assert!(html.contains("某大学学术委员会") && html.contains("处罚期内"));
    assert!(
        html.contains("取消") && !html.contains("<取消>"),
        "the text is escaped"
    );
    let governance = staff
        .get(&format!("/orgs/{s}/governance"))
        .await
        .text()
        .await
        .unwrap();
    // The badge sits next to the sanctioned council member only.
    let row = |name: &str| {
        let at = governance.find(name).unwrap();
        governance[at..at + governance[at..].find("</td>").unwrap()].to_string()
    };
    assert!(row("甲理事").contains("处罚期内"));
    assert!(!row("乙理事").contains("处罚期内"));
    let after_expiry = (today + chrono::Duration::days(400)).to_string();
    let html = staff
        .get(&format!("/orgs/{s}/governance?as_of={after_expiry}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("处罚期内"),
        "an expired sanction is not flagged"
    );
    // A viewer sees the records but has no form.
    let viewer = app.signed_in("viewer", Role::OrgViewer, Some(p)).await;
    let html = viewer.get(&page).await.text().await.unwrap();
    assert!(html.contains("某大学学术委员会") && !html.contains("/integrity\""));
}

async fn duplicates_are_compared_masked_and_merged_into_the_record_kept(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let first = person(&app, c, "林晓", Some("230102198503120029")).await;
    let second = person(&app, c, "林晓", None).await;
    app.store()
        .add_membership(&Scope::everything(), second, c, "学生会员", None, None)
        .await
        .unwrap();
    let staff = app.signed_in("staff", Role::OrgStaff, Some(c)).await;

    let list = staff
        .get(&format!("/persons/{first}/duplicates"))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("姓名和手机号相同"));
    assert!(list.contains(&format!("/persons/{first}/merge?with={second}")));
    let compare = staff
        .get(&format!("/persons/{first}/merge?with={second}"))
        .await;
    assert_eq!(compare.status(), 200);
    let html = compare.text().await.unwrap();
    assert!(html.contains("2301**********0029") && html.contains("139****8901"));
    assert!(!html.contains("230102198503120029") && !html.contains("13945678901"));
    let csrf = staff
        .csrf(&format!("/persons/{first}/merge?with={second}"))
        .await;
    let stranger = staff
        .post_form(
            &format!("/persons/{first}/merge"),
            &csrf,
            &[("with", &second.to_string()), ("keep", "999999")],
        )
        .await;
    assert_eq!(stranger.status(), 422);

    let merged = staff
        .post_form(
            &format!("/persons/{first}/merge"),
            &csrf,
            &[("with", &second.to_string()), ("keep", &second.to_string())],
        )
        .await;

    assert_eq!(merged.status(), 303);
    assert_eq!(
        merged.headers()["location"],
        format!("/persons/{second}").as_str()
    );
    assert_eq!(staff.get(&format!("/persons/{first}")).await.status(), 404);
    let kept = staff
        .get(&format!("/persons/{second}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(kept.contains("学生会员"));
    // A viewer may compare nothing: merging is a write.
    let viewer = app.signed_in("viewer", Role::OrgViewer, Some(c)).await;
    let third = person(&app, c, "林晓", None).await;
    assert_eq!(
        viewer
            .get(&format!("/persons/{second}/merge?with={third}"))
            .await
            .status(),
        403
    );
}

async fn the_api_records_integrity_and_merges(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let d = app.org("D", "邻县科协", None, "230103000000").await;
    let kept = person(&app, c, "林晓", Some("230102198503120029")).await;
    let gone = person(&app, c, "林晓", None).await;
    let neighbour = person(&app, d, "林晓", None).await;
    let staff = app.account("staff", Role::OrgStaff, Some(c)).await;
    let token = app.token(staff).await;
    let post = |path: String, body: serde_json::Value| {
        app.client
            .post(app.url(&path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };

    let added = post(
        format!("/api/v1/persons/{gone}/integrity"),
        serde_json::json!({"org_id": c, "kind": "finding", "recorded_on": "2025-03-01",
            "description": "学术不端调查结论", "issuer": "省科协"}),
    )
    .await
    .unwrap();
    assert_eq!(added.status(), 201);
    let bad = post(
        format!("/api/v1/persons/{gone}/integrity"),
        serde_json::json!({"org_id": c, "kind": "sanction", "recorded_on": "2025-03-01",
            "description": "x", "expires_on": "2024-01-01"}),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let outside = post(
        format!("/api/v1/persons/{kept}/merge"),
        serde_json::json!({"duplicate": neighbour}),
    )
    .await
    .unwrap();
    assert_eq!(outside.status(), 404);
    let merged = post(
        format!("/api/v1/persons/{kept}/merge"),
        serde_json::json!({"duplicate": gone}),
    )
    .await
    .unwrap();
    assert_eq!(merged.status(), 200);

    let records: serde_json::Value = app
        .api(&token, &format!("/api/v1/persons/{kept}/integrity"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(records[0]["issuer"], "省科协");
    assert_eq!(
        app.api(&token, &format!("/api/v1/persons/{gone}"))
            .await
            .status(),
        404
    );
}
