//! Text people type comes back as text. Every field that a page or an answer echoes is stored
//! through the API (through the form where there is no API) with a script tag and a payload that
//! breaks out of a quoted attribute; every page that shows it must escape it, every JSON answer
//! must carry it as the same string, and every export must keep it from becoming a formula.

#[path = "xss/cells.rs"]
mod cells;
mod common;
#[path = "xss/payloads.rs"]
mod payloads;

use common::{Browser, TestApp};
use kexie_domain::role::Role;
use kexie_store::{Backend, Scope};
use serde_json::{json, Value};

use cells::{assert_inert, csv_cells, xlsx_cells, FORMULA_STARTS};
use payloads::store_payloads;

on_both_databases!(
    stored_text_comes_back_escaped_on_every_page_and_as_data_in_every_answer,
    text_in_search_boxes_and_error_messages_is_escaped,
    exports_never_start_a_cell_with_a_formula,
);

/// A script tag and an attribute breakout, tagged with the field it was stored in so that a
/// page which shows it can be told from one which does not.
fn payload(field: &str) -> String {
    format!("{field}<script>alert(1)</script>\"'><img src=x onerror=alert(1)>")
}

/// What a page shows for `payload(field)` once escaped: askama writes `&#60;`, the SVG
/// charts `&lt;`.
fn shows_escaped(html: &str, field: &str) -> bool {
    html.contains(&format!("{field}&#60;script&#62;"))
        || html.contains(&format!("{field}&lt;script&gt;"))
}

/// No payload survives unescaped anywhere on the page.
fn assert_no_markup_injected(path: &str, html: &str) {
    for raw in ["<script>alert", "<img src=x", "\"'><", "'\"><"] {
        assert!(!html.contains(raw), "{path} echoes {raw:?} unescaped");
    }
}

async fn page(browser: &Browser, path: &str) -> String {
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let html = response.text().await.unwrap();
    assert_no_markup_injected(path, &html);
    html
}

/// Fetches a page and checks that each field's payload is on it, escaped.
async fn shows(browser: &Browser, path: &str, fields: &[&str]) {
    let html = page(browser, path).await;
    let missing: Vec<&&str> = fields.iter().filter(|f| !shows_escaped(&html, f)).collect();
    assert!(missing.is_empty(), "{path} does not show {missing:?}");
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let response = app.send(token, reqwest::Method::POST, path, &body).await;
    assert_eq!(response.status(), 201, "{path}");
    response.json().await.unwrap()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.api(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{path}"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    response.json().await.unwrap()
}

async fn stored_text_comes_back_escaped_on_every_page_and_as_data_in_every_answer(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let s = store_payloads(&app).await;
    let (county, society, person, plan, task) = (s.county, s.society, s.person, s.plan, s.task);
    let b = &s.admin;

    let org_fields = [
        "org-name",
        "org-short",
        "org-address",
        "org-contact",
        "org-notes",
    ];
    shows(b, "/orgs?kind=society", &["org-name"]).await;
    shows(b, &format!("/orgs/{county}"), &["org-name"]).await;
    shows(b, &format!("/orgs/{society}"), &org_fields).await;
    // Values inside attributes: the edit form's inputs.
    shows(b, &format!("/orgs/{society}/edit"), &org_fields).await;
    shows(b, "/persons", &["person-name", "person-employer"]).await;
    shows(
        b,
        &format!("/persons/{person}"),
        &[
            "person-name",
            "person-employer",
            "person-discipline",
            "org-name",
            "member-number",
        ],
    )
    .await;
    shows(
        b,
        &format!("/orgs/{society}/ledger"),
        &["person-name", "person-employer", "member-number"],
    )
    .await;
    shows(b, "/plans", &["plan-title"]).await;
    shows(
        b,
        &format!("/plans/{plan}"),
        &[
            "plan-title",
            "plan-doc",
            "task-section",
            "task-text",
            "task-leader",
            "task-department",
            "org-name",
        ],
    )
    .await;
    shows(
        b,
        &format!("/plans/{plan}/dashboard"),
        &["plan-title", "task-leader", "task-department", "org-name"],
    )
    .await;
    shows(
        b,
        &format!("/tasks/{task}"),
        &[
            "plan-title",
            "task-text",
            "task-measure",
            "task-deadline",
            "task-codepartment",
            "report-text",
            "report-author",
            "org-name",
        ],
    )
    .await;
    shows(
        b,
        &format!("/orgs/{society}/governance"),
        &["body-name", "org-name"],
    )
    .await;
    shows(
        b,
        &format!("/orgs/{county}/governance/dashboard"),
        &["org-name"],
    )
    .await;
    shows(b, "/admin/accounts", &["account-name"]).await;
    for path in [
        "/",
        "/notifications",
        "/governance",
        &format!("/orgs/{county}/coverage"),
    ] {
        page(b, path).await;
    }
    let auditor = app.signed_in("auditor", Role::AuditAdmin, None).await;
    page(&auditor, "/audit").await;

    // JSON answers carry the very same strings, as data.
    let t = &s.token;
    let org = get_json(&app, t, &format!("/api/v1/orgs/{society}")).await;
    for (key, field) in [
        ("name", "org-name"),
        ("short_name", "org-short"),
        ("address", "org-address"),
        ("contact_name", "org-contact"),
        ("notes", "org-notes"),
    ] {
        assert_eq!(org[key], json!(payload(field)), "org {key}");
    }
    let found = get_json(&app, t, "/api/v1/orgs?q=org-name").await;
    assert_eq!(found["items"][0]["name"], json!(payload("org-name")));
    let p = get_json(&app, t, &format!("/api/v1/persons/{person}")).await;
    assert_eq!(p["name"], json!(payload("person-name")));
    assert_eq!(p["employer"], json!(payload("person-employer")));
    let members = get_json(&app, t, &format!("/api/v1/orgs/{society}/ledger")).await;
    assert_eq!(members["items"][0]["name"], json!(payload("person-name")));
    let plan_json = get_json(&app, t, &format!("/api/v1/plans/{plan}")).await;
    assert_eq!(plan_json["plan"]["title"], json!(payload("plan-title")));
    let task_json = get_json(&app, t, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(task_json["text"], json!(payload("task-text")));
    assert_eq!(task_json["measures"], json!([payload("task-measure")]));
    assert_eq!(task_json["units"][0]["name"], json!(payload("org-name")));
    assert_eq!(task_json["units"][0]["org_id"], json!(society));
    let reports = get_json(&app, t, &format!("/api/v1/tasks/{task}/reports")).await;
    assert_eq!(reports[0]["text"], json!(payload("report-text")));
    assert_eq!(reports[0]["author"], json!(payload("report-author")));
    let governance = get_json(&app, t, &format!("/api/v1/orgs/{society}/governance")).await;
    assert_eq!(governance["bodies"][0]["name"], json!(payload("body-name")));
}

async fn text_in_search_boxes_and_error_messages_is_escaped(backend: Backend) {
    let app = TestApp::start(backend).await;
    let county = app.org("C", "某县科学技术协会", None, "230102000000").await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(county)).await;
    let q = payload("search");
    let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();

    // Reflected in the search box's value attribute.
    for path in ["/orgs", "/persons", "/plans"] {
        shows(&browser, &format!("{path}?q={encoded}"), &["search"]).await;
    }
    // Reflected in an error message: an unknown organisation kind.
    let response = browser.get(&format!("/orgs?kind={encoded}")).await;
    let html = response.text().await.unwrap();
    assert_no_markup_injected("/orgs?kind=…", &html);
    // Reflected in an import report: the cell that could not be read is quoted back.
    let cell = format!("\"{}\"", payload("import-cell").replace('"', "\"\""));
    let csv = format!("代码,名称,类型,成立日期\r\nX9,某街道科协,科协,{cell}\r\n");
    let upload = browser
        .upload("/orgs/import", &[], ("orgs.csv", csv.as_bytes()))
        .await;
    // The import runs as a job; its page carries the report.
    let (_, html) = browser.finish_import(upload).await;
    assert_no_markup_injected("/orgs/import", &html);
    assert!(shows_escaped(&html, "import-cell"), "{html}");

    // And in the API's error body, as data.
    let token = app.token_for("reader", Role::OrgViewer, Some(county)).await;
    let refused = app
        .api(&token, &format!("/api/v1/orgs?kind={encoded}"))
        .await;
    assert_eq!(refused.status(), 400);
    assert!(refused.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains(&q));
}

async fn download(browser: &Browser, path: &str) -> Vec<u8> {
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

async fn exports_never_start_a_cell_with_a_formula(backend: Backend) {
    let app = TestApp::start(backend).await;
    let county = app.org("C", "某县科学技术协会", None, "230102000000").await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(county)).await;
    let hyperlink = "=HYPERLINK(\"http://example.invalid\",\"点击\")";
    let org = post_json(
        &app,
        &token,
        "/api/v1/orgs",
        json!({
            "code": "XH02", "name": hyperlink, "short_name": "+1+1", "kind": "society",
            "parent_id": county, "address": "-2+3", "contact_name": "@SUM(A1)",
            "notes": "＝1+1",
        }),
    )
    .await;
    let society = org["org_id"].as_i64().unwrap();
    let person = post_json(
        &app,
        &token,
        "/api/v1/persons",
        json!({"org_id": society, "name": "=1+1", "employer": "+cmd|' /C calc'!A0",
               "discipline": "-1", "department": "@A1"}),
    )
    .await;
    app.store()
        .add_membership(
            &Scope::everything(),
            person["person"]["person_id"].as_i64().unwrap(),
            society,
            "普通会员",
            Some("=2+2"),
            None,
        )
        .await
        .unwrap();
    let plan = post_json(
        &app,
        &token,
        "/api/v1/plans",
        json!({"org_id": county, "title": "=plan", "year": 2026, "tasks": [{
            "number": "1", "text": "+task", "measures": ["-measure"], "deadline": "2026年6月底前",
            "leader": "@leader", "department": "=department", "units": ["XH02"]}]}),
    )
    .await;
    let plan = plan["plan_id"].as_i64().unwrap();
    let admin = app.browser();
    assert_eq!(admin.sign_in("admin", common::PASSWORD).await.status(), 303);

    let orgs = xlsx_cells(&download(&admin, &format!("/orgs/{county}/export.xlsx")).await);
    assert_inert(
        "organisations",
        &orgs,
        &[hyperlink, "+1+1", "-2+3", "@SUM(A1)", "＝1+1"],
    );
    let ledger = xlsx_cells(&download(&admin, &format!("/orgs/{society}/ledger.xlsx")).await);
    assert_inert("ledger", &ledger, &["=1+1", "+cmd|' /C calc'!A0", "=2+2"]);
    let report = xlsx_cells(&download(&admin, &format!("/plans/{plan}/report.xlsx")).await);
    assert_inert(
        "supervision report",
        &report,
        &["+task", "@leader", "=department"],
    );
    let dashboard =
        xlsx_cells(&download(&admin, &format!("/orgs/{county}/governance/dashboard.xlsx")).await);
    assert_inert("governance dashboard", &dashboard, &[hyperlink]);

    // The audit trail names what was changed; its CSV export is neutralised the same way.
    let auditor = app.signed_in("auditor", Role::AuditAdmin, None).await;
    let csv = String::from_utf8(download(&auditor, "/audit/export.csv").await).unwrap();
    let cells = csv_cells(csv.trim_start_matches('\u{feff}'));
    for cell in &cells {
        assert!(
            !cell.starts_with(FORMULA_STARTS),
            "audit export: the cell {cell:?} would be evaluated"
        );
    }
}
