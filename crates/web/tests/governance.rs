//! Society governance through the pages and the API: the governance page and dashboard, the
//! slate upload, the rule-set editor.

mod common;

use chrono::NaiveDate;
use common::{Browser, TestApp};
use kexie_domain::governance::{AppointmentMethod, Position};
use kexie_domain::org::OrgKind;
use kexie_domain::role::Role;
use kexie_store::{Backend, BodyKind, NewOrg, NewPerson, NewPost, NewTerm, Scope};
use serde_json::{json, Value};

on_both_databases!(
    the_governance_page_shows_members_findings_and_the_overdue_term,
    the_dashboard_puts_overdue_societies_first_and_exports_them,
    a_slate_uploaded_through_the_page_is_checked_and_recorded,
    the_rules_are_edited_as_new_versions_by_a_provincial_admin_only,
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A society below `parent`.
async fn society(app: &TestApp, code: &str, name: &str, parent: i64) -> i64 {
    app.store()
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(OrgKind::Society),
                parent_id: Some(parent),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

/// A province 科协 and a society below it whose council term ran 2015–2020 and was never
/// renewed: president 甲会长 and council member 乙理事, no secretary-general. Returns
/// (province, society).
async fn setup(app: &TestApp, society_name: &str, code: &str, province: Option<i64>) -> (i64, i64) {
    let all = Scope::everything();
    let p = match province {
        Some(p) => p,
        None => app.org("23KX", "省科协", None, "230000000000").await,
    };
    let s = society(app, code, society_name, p).await;
    let council = app
        .store()
        .create_body(&all, s, BodyKind::Council, "")
        .await
        .unwrap();
    let term = app
        .store()
        .create_term(
            &all,
            council,
            &NewTerm {
                number: 6,
                start_on: d(2015, 5, 1),
                planned_end: d(2020, 4, 30),
                actual_end: None,
            },
        )
        .await
        .unwrap();
    for (name, position) in [
        ("甲会长", Position::President),
        ("乙理事", Position::CouncilMember),
    ] {
        let person = app
            .store()
            .create_person(
                &all,
                &NewPerson {
                    org_id: s,
                    name: format!("{name}{code}"),
                    grassroots: true,
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap()
            .person_id;
        app.store()
            .add_post(
                &all,
                term,
                &NewPost {
                    person_id: person,
                    position,
                    appointment: AppointmentMethod::Elected,
                    full_time: false,
                },
            )
            .await
            .unwrap();
    }
    (p, s)
}

async fn the_governance_page_shows_members_findings_and_the_overdue_term(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, s) = setup(&app, "省测试学会", "S1", None).await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(p)).await;
    let page = browser.get(&format!("/orgs/{s}/governance")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for text in [
        "甲会长S1",
        "term.overdue",
        "secretary_general.missing",
        "超期未换届",
        "2020-04-30",
        "2018.1",
    ] {
        assert!(html.contains(text), "page lacks {text}");
    }
    // The organisation page links to it, the menu too.
    let org_page = browser.text(&format!("/orgs/{s}")).await;
    assert!(org_page.contains(&format!("/orgs/{s}/governance")));
    assert!(org_page.contains("href=\"/governance\""));
    // A body recorded through the form shows up; a form without its token is refused.
    let csrf = browser.csrf(&format!("/orgs/{s}/governance")).await;
    let created = browser
        .post_form(
            &format!("/orgs/{s}/governance/bodies"),
            &csrf,
            &[("kind", "party_organisation"), ("name", "学会党委")],
        )
        .await;
    assert_eq!(created.status(), 303);
    let forged = browser
        .post_form(
            &format!("/orgs/{s}/governance/bodies"),
            "forged",
            &[("kind", "secretariat")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let html = browser.text(&format!("/orgs/{s}/governance")).await;
    assert!(html.contains("学会党委"));
    assert!(!html.contains("party.organisation_missing"));
    // The API says the same, and an earlier day is not overdue.
    let account = app.store().account_by_username("staff").await.unwrap();
    let token = app.token(account.account_id).await;
    let doc: Value = app
        .api_json(&token, &format!("/api/v1/orgs/{s}/governance"))
        .await;
    assert_eq!(doc["review"]["overdue"], true);
    assert_eq!(
        doc["bodies"][0]["terms"][0]["posts"][0]["position"],
        "president"
    );
    let earlier: Value = app
        .api_json(
            &token,
            &format!("/api/v1/orgs/{s}/governance?as_of=2019-01-01"),
        )
        .await;
    assert_eq!(earlier["review"]["overdue"], false);
    let bad = app
        .api(&token, &format!("/api/v1/orgs/{s}/governance?as_of=soon"))
        .await;
    assert_eq!(bad.status(), 400);
}

async fn the_dashboard_puts_overdue_societies_first_and_exports_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, _) = setup(&app, "甲学会", "S1", None).await;
    // A society renewed in time (no term at all yet is not overdue either).
    society(&app, "S0", "阿学会", p).await;
    let browser = app.signed_in("viewer", Role::OrgViewer, Some(p)).await;
    let html = browser.text("/governance").await;
    let (overdue, fresh) = (html.find("甲学会").unwrap(), html.find("阿学会").unwrap());
    assert!(overdue < fresh, "overdue society first");
    let filtered = browser
        .text(&format!(
            "/orgs/{p}/governance/dashboard?rule=term.overdue&problems=1"
        ))
        .await;
    assert!(filtered.contains("甲学会") && !filtered.contains("阿学会"));
    let xlsx = browser
        .get(&format!("/orgs/{p}/governance/dashboard.xlsx"))
        .await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    let sheet =
        kexie_office::read_sheet_bytes(&bytes, "d.xlsx", &kexie_office::Limits::default()).unwrap();
    assert_eq!(sheet.headers[0], "学会代码");
    assert_eq!(sheet.rows[0][1], "甲学会");
    assert_eq!(sheet.rows[0][2], "是");
    let account = app.store().account_by_username("viewer").await.unwrap();
    let token = app.token(account.account_id).await;
    let list: Value = app
        .api_json(&token, &format!("/api/v1/orgs/{p}/governance/dashboard"))
        .await;
    assert_eq!(list[0]["name"], "甲学会");
    assert_eq!(list[0]["overdue"], true);
    assert_eq!(list.as_array().unwrap().len(), 2);
}

fn slate(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut w = kexie_office::XlsxWriter::new(
        "名单",
        &["姓名", "职务", "是否基层一线", "是否专职", "产生方式"],
    )
    .unwrap();
    for r in rows {
        w.push_row(r).unwrap();
    }
    w.into_bytes().unwrap()
}

async fn upload(
    browser: &Browser,
    path: &str,
    csrf: &str,
    file: Vec<u8>,
    format: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .text("individual_members", "800")
        .text("as_of", "2025-06-01")
        .text("format", format.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("slate.xlsx"),
        );
    browser
        .client
        .post(format!("{}{path}", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn a_slate_uploaded_through_the_page_is_checked_and_recorded(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, s) = setup(&app, "省测试学会", "S1", None).await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(p)).await;
    let path = format!("/orgs/{s}/governance/slate");
    let csrf = browser.csrf(&path).await;
    let good = slate(&[
        ["张甲", "理事长", "是", "否", ""],
        ["李乙", "秘书长", "是", "是", "理事会聘任"],
        ["王丙", "理事", "是", "否", ""],
    ]);
    let page = upload(&browser, &path, &csrf, good, "page").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("名单符合治理规则"), "{html}");
    let no_sg = slate(&[
        ["张甲", "理事长", "是", "否", ""],
        ["王丙", "理事", "否", "否", ""],
    ]);
    let html = upload(&browser, &path, &csrf, no_sg.clone(), "page")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("secretary_general.missing"));
    assert!(html.contains("council.grassroots_share"));
    // The Word report.
    let docx = upload(&browser, &path, &csrf, no_sg, "docx").await;
    assert_eq!(docx.status(), 200);
    assert!(docx
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("wordprocessingml"));
    assert!(docx.bytes().await.unwrap().starts_with(b"PK"));
    // Rows with errors are reported and not checked.
    let bad = slate(&[["张甲", "会计", "是", "否", ""]]);
    let html = upload(&browser, &path, &csrf, bad, "page")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("会计") && html.contains("enum.value"));
    // Three checks were recorded, each naming its rule-set version.
    let checks = app
        .store()
        .governance_checks(&Scope::everything(), s)
        .await
        .unwrap();
    assert_eq!(checks.len(), 3);
    assert!(checks.iter().all(|c| c.rule_set_version == "2018.1"));
    // A forged token, a viewer, an organisation outside the subtree: refused.
    let forged = upload(&browser, &path, "forged", slate(&[]), "page").await;
    assert_eq!(forged.status(), 403);
    let viewer = app.signed_in("viewer", Role::OrgViewer, Some(p)).await;
    assert_eq!(viewer.get(&path).await.status(), 403);
    let other = app.org("22KX", "邻省科协", None, "220000000000").await;
    let outsider = app.signed_in("outsider", Role::OrgStaff, Some(other)).await;
    let their_csrf = outsider.csrf(&format!("/orgs/{other}")).await;
    let refused = upload(&outsider, &path, &their_csrf, slate(&[]), "page").await;
    assert_eq!(refused.status(), 404);
}

/// POSTs `rules` as a new rule-set version of organisation `id`, valid from `valid_from`,
/// through the JSON API.
async fn post_rules(
    app: &TestApp,
    token: &str,
    id: i64,
    valid_from: &str,
    rules: &Value,
) -> reqwest::Response {
    let path = format!("/api/v1/orgs/{id}/governance/rules");
    let body = json!({"valid_from": valid_from, "rules": rules});
    app.send(token, reqwest::Method::POST, &path, &body).await
}

async fn the_rules_are_edited_as_new_versions_by_a_provincial_admin_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, s) = setup(&app, "省测试学会", "S1", None).await;
    let admin = app.account("admin", Role::OrgAdmin, Some(p)).await;
    let token = app.token(admin).await;
    let mut rules =
        serde_json::to_value(kexie_domain::governance::RuleSet::default_2018()).unwrap();
    rules["version"] = json!("HL-2025.1");
    rules["council_size_bands"][1]["cap"] = json!(140);
    let refused = post_rules(&app, &token, p, "2025-01-01", &rules).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("第2档"));
    rules["council_size_bands"][1]["cap"] = json!(170);
    let created = post_rules(&app, &token, p, "2025-01-01", &rules).await;
    assert_eq!(created.status(), 201);
    let again = post_rules(&app, &token, p, "2025-02-01", &rules).await;
    assert_eq!(again.status(), 409);
    let current: Value = app
        .api_json(
            &token,
            &format!("/api/v1/orgs/{s}/governance/rules?as_of=2025-03-01"),
        )
        .await;
    assert_eq!(current["current"]["version"], "HL-2025.1");
    // A society owns no rules; staff may not edit; outside the subtree nothing exists.
    assert_eq!(
        post_rules(&app, &token, s, "2025-01-01", &rules)
            .await
            .status(),
        403
    );
    let staff = app
        .token(app.account("staff", Role::OrgStaff, Some(p)).await)
        .await;
    assert_eq!(
        post_rules(&app, &staff, p, "2025-01-01", &rules)
            .await
            .status(),
        403
    );
    let other = app.org("22KX", "邻省科协", None, "220000000000").await;
    let outsider = app
        .token(app.account("outsider", Role::OrgAdmin, Some(other)).await)
        .await;
    assert_eq!(
        post_rules(&app, &outsider, p, "2025-01-01", &rules)
            .await
            .status(),
        404
    );
    // The page editor: an invalid edit comes back as 422 with the problem named.
    let browser = app.browser();
    assert_eq!(
        browser.sign_in("admin", common::PASSWORD).await.status(),
        303
    );
    let page = format!("/orgs/{p}/governance/rules");
    let csrf = browser.csrf(&page).await;
    let html = browser.text(&page).await;
    assert!(html.contains("HL-2025.1") && html.contains("seeds/002"));
    let mut bad = rules.clone();
    bad["version"] = json!("HL-2025.2");
    bad["term_due_soon_days"] = json!(0);
    let response = browser
        .post_form(
            &page,
            &csrf,
            &[("valid_from", "2025-06-01"), ("rules", &bad.to_string())],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("届满提醒期"));
    bad["term_due_soon_days"] = json!(90);
    let response = browser
        .post_form(
            &page,
            &csrf,
            &[("valid_from", "2025-06-01"), ("rules", &bad.to_string())],
        )
        .await;
    assert_eq!(response.status(), 303);
    let versions = app
        .store()
        .rule_set_versions(&Scope::everything(), Some(p))
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].version, "HL-2025.2");
    assert_eq!(versions[0].account, "admin");
}
