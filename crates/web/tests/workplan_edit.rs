//! Editing tasks, on both databases: the issuing office changes text, measures, deadline
//! (re-read with the plan's year), departments and responsible units through the task page and
//! `PATCH /api/v1/tasks/{id}`; cancelling needs a reason; a responsible unit may not edit; every
//! change is audited and listed in the task's history.

mod common;
#[path = "common/workplan.rs"]
mod workplan;

use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::{Backend, NewTask, Scope, TaskStatus};
use serde_json::{json, Value};
use workplan::{one_task_plan, task};

on_both_databases!(the_issuer_edits_and_cancels_a_task_and_the_unit_may_not);

async fn the_issuer_edits_and_cancels_a_task_and_the_unit_may_not(backend: Backend) {
    let app = TestApp::start(backend).await;
    let city = app.org("C", "市科协", None, "230100000000").await;
    let unit = app.org("D", "甲区科协", Some(city), "230102000000").await;
    app.org("E", "乙区科协", Some(city), "230103000000").await;
    let task = one_task_plan(
        &app,
        city,
        NewTask {
            measures: vec!["制定办法。".into()],
            leader: Some("甲主席".into()),
            department: Some("组织部".into()),
            ..task("建强基层组织。", "2030年底前", &["甲区科协"])
        },
    )
    .await;
    let today = chrono::Utc::now().date_naive();

    // The issuer edits through the page: the deadline is read with the plan's year (2017).
    let admin = app
        .signed_in("city.admin", Role::OrgAdmin, Some(city))
        .await;
    let csrf = admin.csrf(&format!("/tasks/{task}")).await;
    let saved = admin
        .post_form(
            &format!("/tasks/{task}/status"),
            &csrf,
            &[
                ("text", "建强基层组织，扩大有效覆盖。"),
                ("measures", "制定办法。\n开展督查。\n"),
                ("deadline", "6月底前"),
                ("leader", "乙主席"),
                ("department", "组织部"),
                ("co_departments", "学会部、科普部"),
                ("units", "甲区科协\n乙区科协\n"),
                ("status", ""),
                ("cancel_reason", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let edited = app
        .store()
        .task(&Scope::everything(), task, today)
        .await
        .unwrap();
    assert_eq!(edited.text, "建强基层组织，扩大有效覆盖。");
    assert_eq!(edited.measures, ["制定办法。", "开展督查。"]);
    assert_eq!(
        edited.deadline.due.map(|d| d.to_string()).as_deref(),
        Some("2017-06-30")
    );
    assert_eq!(edited.leader.as_deref(), Some("乙主席"));
    assert_eq!(edited.co_departments, ["学会部", "科普部"]);
    let names: Vec<_> = edited.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["甲区科协", "乙区科协"]);
    assert!(
        edited.units.iter().all(|u| u.org_id.is_some()),
        "both units linked"
    );

    let page = admin
        .get(&format!("/tasks/{task}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("修改记录") && page.contains("乙主席"),
        "{page}"
    );

    // A responsible unit reports, but may not edit (page and API).
    let unit_staff = app
        .signed_in("unit.staff", Role::OrgStaff, Some(unit))
        .await;
    let csrf = unit_staff.csrf(&format!("/tasks/{task}")).await;
    let refused = unit_staff
        .post_form(
            &format!("/tasks/{task}/status"),
            &csrf,
            &[("text", "改掉"), ("status", "")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let unit_account = app.store().account_by_username("unit.staff").await.unwrap();
    let unit_token = app.token(unit_account.account_id).await;
    let patch = |token: String, body: Value| {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/tasks/{task}"));
        async move {
            client
                .patch(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        patch(unit_token, json!({"text": "改掉"})).await.status(),
        403
    );

    // Cancelling needs a reason; with one, the task is cancelled and the reason shown.
    let admin_account = app.store().account_by_username("city.admin").await.unwrap();
    let token = app.token(admin_account.account_id).await;
    let no_reason = patch(token.clone(), json!({"status": "cancelled"})).await;
    assert_eq!(no_reason.status(), 422);
    assert!(no_reason
        .text()
        .await
        .unwrap()
        .contains("取消任务须说明原因"));
    let cancelled = patch(
        token.clone(),
        json!({"status": "cancelled", "cancel_reason": "并入第 5 项", "measures": ["制定办法。"]}),
    )
    .await;
    assert_eq!(cancelled.status(), 200);
    let body: Value = cancelled.json().await.unwrap();
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["cancel_reason"], "并入第 5 项");
    assert_eq!(body["measures"], json!(["制定办法。"]));
    let history = app
        .store()
        .task_changes(&Scope::everything(), task)
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].account, "city.admin");
    assert_eq!(
        history[0].changes["status"],
        json!(["not_started", "cancelled"])
    );
    assert_eq!(history[1].changes["leader"], json!(["甲主席", "乙主席"]));
    let status = app
        .store()
        .task(&Scope::everything(), task, today)
        .await
        .unwrap()
        .status;
    assert_eq!(status, TaskStatus::Cancelled);
}
