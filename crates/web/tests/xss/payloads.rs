//! The records the escaping tests read back: every field a county office types, stored with a
//! payload.

use kexie_domain::role::Role;
use kexie_store::Scope;
use serde_json::json;

use super::{get_json, payload, post_json};
use crate::common::{Browser, TestApp, PASSWORD};

/// Everything a county office types, stored with payloads: a society, a person in it with a
/// membership, a plan with a task for the society, a progress report, a council, an account.
pub struct Stored {
    pub county: i64,
    pub society: i64,
    pub person: i64,
    pub plan: i64,
    pub task: i64,
    pub token: String,
    pub admin: Browser,
}

pub async fn store_payloads(app: &TestApp) -> Stored {
    let county = app.org("C", "某县科学技术协会", None, "230102000000").await;
    let token = app.token_for("admin", Role::OrgAdmin, Some(county)).await;

    let org = post_json(
        app,
        &token,
        "/api/v1/orgs",
        json!({
            "code": "XH01",
            "name": payload("org-name"),
            "short_name": payload("org-short"),
            "kind": "society",
            "parent_id": county,
            "address": payload("org-address"),
            "contact_name": payload("org-contact"),
            "notes": payload("org-notes"),
        }),
    )
    .await;
    let society = org["org_id"].as_i64().unwrap();
    let person = post_json(
        app,
        &token,
        "/api/v1/persons",
        json!({
            "org_id": society,
            "name": payload("person-name"),
            "ethnicity": payload("person-ethnicity"),
            "employer": payload("person-employer"),
            "department": payload("person-department"),
            "post": payload("person-post"),
            "education": payload("person-education"),
            "degree": payload("person-degree"),
            "discipline": payload("person-discipline"),
            "political_status": payload("person-political"),
        }),
    )
    .await;
    let person = person["person"]["person_id"].as_i64().unwrap();
    // No API or form adds a membership with a free-text number; the store does (imports).
    app.store()
        .add_membership(
            &Scope::everything(),
            person,
            society,
            "普通会员",
            Some(&payload("member-number")),
            Some("2024-01-01"),
        )
        .await
        .unwrap();
    let plan = post_json(
        app,
        &token,
        "/api/v1/plans",
        json!({
            "org_id": county,
            "title": payload("plan-title"),
            "doc_number": payload("plan-doc"),
            "year": 2026,
            "tasks": [{
                "number": "1",
                "section": payload("task-section"),
                "text": payload("task-text"),
                "measures": [payload("task-measure")],
                "deadline": format!("2026年6月底前{}", payload("task-deadline")),
                "leader": payload("task-leader"),
                "department": payload("task-department"),
                "co_departments": [payload("task-codepartment")],
                // A responsible unit named by its (stored) name.
                "units": [payload("org-name")],
            }],
        }),
    )
    .await;
    let plan = plan["plan_id"].as_i64().unwrap();
    let tasks = get_json(app, &token, &format!("/api/v1/plans/{plan}/tasks")).await;
    let task = tasks.to_string();
    let task = task
        .split("\"task_id\":")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse::<i64>().ok())
        .expect("the plan has a task");
    post_json(
        app,
        &token,
        &format!("/api/v1/tasks/{task}/reports"),
        json!({"text": payload("report-text"), "author": payload("report-author"), "percent": 40}),
    )
    .await;

    // Governing bodies and accounts have forms only.
    let admin = app.browser();
    assert_eq!(admin.sign_in("admin", PASSWORD).await.status(), 303);
    let csrf = admin.csrf(&format!("/orgs/{society}/governance")).await;
    let body = admin
        .post_form(
            &format!("/orgs/{society}/governance/bodies"),
            &csrf,
            &[("kind", "council"), ("name", &payload("body-name"))],
        )
        .await;
    assert_eq!(body.status(), 303, "a governing body is added");
    let csrf = admin.csrf("/admin/accounts").await;
    let account = admin
        .post_form(
            "/admin/accounts",
            &csrf,
            &[
                ("username", "county.viewer"),
                ("display_name", &payload("account-name")),
                ("role", "org_viewer"),
                ("org_code", "C"),
            ],
        )
        .await;
    assert_eq!(account.status(), 200, "an account is created");

    Stored {
        county,
        society,
        person,
        plan,
        task,
        token,
        admin,
    }
}
