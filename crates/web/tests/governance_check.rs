//! `POST /api/v1/governance/check`: a slate uploaded with the figures is answered with exactly
//! the report `kexie governance check --json` prints; bad uploads are refused in Chinese first.

mod common;

use common::TestApp;
use kexie_domain::governance::{check_slate, RuleSet, SlateInput};
use kexie_domain::role::Role;
use kexie_office::{Limits, XlsxWriter, SLATE_HEADERS};
use kexie_store::Backend;
use serde_json::Value;

on_both_databases!(
    a_slate_check_answers_the_json_of_the_command_line,
    bad_slate_uploads_are_refused_naming_the_problem,
);

/// A president and a secretary-general appointed by the council (full time), and `members`
/// council members of whom only the first `grassroots` are grassroots frontline.
fn slate(members: usize, grassroots: usize) -> Vec<u8> {
    let mut w = XlsxWriter::new("名单", &SLATE_HEADERS).unwrap();
    w.push_row(&[
        "甲会长",
        "男",
        "1970-01-01",
        "理事长",
        "是",
        "中共党员",
        "否",
        "某大学",
        "否",
        "否",
        "",
    ])
    .unwrap();
    w.push_row(&[
        "乙秘书",
        "女",
        "1980-01-01",
        "秘书长",
        "是",
        "群众",
        "是",
        "某学会",
        "否",
        "否",
        "理事会聘任",
    ])
    .unwrap();
    for i in 0..members {
        let name = format!("理事{i:03}");
        let g = if i < grassroots { "是" } else { "否" };
        w.push_row(&[
            name.as_str(),
            "女",
            "1985-06-01",
            "理事",
            g,
            "中共党员",
            "否",
            "某研究所",
            "否",
            "否",
            "",
        ])
        .unwrap();
    }
    w.into_bytes().unwrap()
}

fn form(file: Vec<u8>, fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name("slate.xlsx"),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

/// A province 科协 and a bearer token of its staff.
async fn token(app: &TestApp) -> (i64, String) {
    let p = app.org("23KX", "省科协", None, "230000000000").await;
    let id = app.account("staff", Role::OrgStaff, Some(p)).await;
    (p, app.token(id).await)
}

async fn post(app: &TestApp, token: &str, form: reqwest::multipart::Form) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/governance/check"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn a_slate_check_answers_the_json_of_the_command_line(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, token) = token(&app).await;
    let bytes = slate(10, 6);
    let fields = [
        ("individual_members", "25000"),
        ("previous_council_size", "8"),
        ("member_growth", "12.5"),
        ("as_of", "2025-06-30"),
    ];
    let response = post(&app, &token, form(bytes.clone(), &fields)).await;
    assert_eq!(response.status(), 200);
    let got: Value = response.json().await.unwrap();
    // What the command line computes from the same file and figures.
    let sheet = kexie_office::read_sheet_bytes(&bytes, "slate.xlsx", &Limits::default()).unwrap();
    let (members, _) = kexie_office::parse_slate_sheet(&sheet);
    let expected = check_slate(
        &RuleSet::default_2018(),
        &SlateInput {
            members,
            individual_members: 25000,
            previous_council_size: Some(8),
            member_growth_percent: Some(12.5),
            as_of: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        },
    );
    assert_eq!(got, serde_json::to_value(&expected).unwrap());
    assert_eq!(got["ok"], false);
    assert_eq!(got["council_size"], 12);
    assert_eq!(got["cap"], 180);
    let rules: Vec<&str> = got["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"council.grassroots_share"), "{rules:?}");
    assert!(rules.contains(&"council.size_previous"), "{rules:?}");
    // A compliant slate is ok, and without a token there is no answer.
    let fine: Value = post(
        &app,
        &token,
        form(slate(10, 10), &[("individual_members", "500")]),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(fine["ok"], true, "{fine:#}");
    let anonymous = app
        .client
        .post(app.url("/api/v1/governance/check"))
        .multipart(form(slate(1, 1), &[("individual_members", "500")]))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // Named with an organisation in scope, the check is recorded with it.
    let p_text = p.to_string();
    let recorded = post(
        &app,
        &token,
        form(
            slate(10, 10),
            &[("individual_members", "500"), ("org_id", p_text.as_str())],
        ),
    )
    .await;
    assert_eq!(recorded.status(), 200);
    let checks = app
        .store()
        .governance_checks(&kexie_store::Scope::everything(), p)
        .await
        .unwrap();
    assert_eq!(checks.len(), 1);
    assert!(checks[0].ok);
}

async fn bad_slate_uploads_are_refused_naming_the_problem(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, token) = token(&app).await;
    let message = |body: Value| body["error"]["message"].as_str().unwrap().to_string();
    let cases: Vec<(reqwest::multipart::Form, &str)> = vec![
        (form(slate(2, 2), &[]), "个人会员数"),
        (
            form(slate(2, 2), &[("individual_members", "很多")]),
            "不是有效的数",
        ),
        (
            form(
                slate(2, 2),
                &[("individual_members", "10"), ("as_of", "明天")],
            ),
            "as_of 应写作",
        ),
        (
            form(
                b"not a spreadsheet".to_vec(),
                &[("individual_members", "10")],
            ),
            "slate.xlsx",
        ),
        (
            reqwest::multipart::Form::new().text("individual_members", "10"),
            "请上传名单文件",
        ),
    ];
    for (f, expected) in cases {
        let response = post(&app, &token, f).await;
        assert_eq!(response.status(), 422, "{expected}");
        let m = message(response.json().await.unwrap());
        assert!(m.contains(expected), "{m}");
    }
    // A slate with a bad row names the row.
    let mut w = XlsxWriter::new("名单", &SLATE_HEADERS).unwrap();
    w.push_row(&[
        "甲",
        "男",
        "1970-01-01",
        "会长大人",
        "是",
        "群众",
        "否",
        "某大学",
        "否",
        "否",
        "",
    ])
    .unwrap();
    let response = post(
        &app,
        &token,
        form(w.into_bytes().unwrap(), &[("individual_members", "10")]),
    )
    .await;
    assert_eq!(response.status(), 422);
    let m = message(response.json().await.unwrap());
    assert!(m.contains("第2行"), "{m}");
    // An organisation outside the caller's scope is not found.
    let other = app.org("11KX", "别省科协", None, "110000000000").await;
    let response = post(
        &app,
        &token,
        form(
            slate(2, 2),
            &[("individual_members", "10"), ("org_id", &other.to_string())],
        ),
    )
    .await;
    assert_eq!(response.status(), 404);
}
