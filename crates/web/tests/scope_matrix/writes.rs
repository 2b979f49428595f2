//! The writes of the scoping matrix: outside the subtree every write is "not found", inside a
//! viewer is refused and staff and administrators succeed.

use kexie_domain::role::Role;
use reqwest::Method;
use serde_json::json;

use super::tree::Tree;
use crate::common::{Browser, TestApp};

/// Changing records: outside the subtree every write is "not found"; inside, a viewer is
/// refused and staff and administrators succeed.
pub async fn writes(app: &TestApp, browser: &Browser, token: &str, role: Role, t: &Tree) {
    let inside = [t.own, t.child];
    let outside = [t.sibling, t.parent, t.grandparent];
    let writer = role != Role::OrgViewer;
    for (n, target) in outside.iter().enumerate() {
        let who = format!("{role:?} on {}", target.2);
        let patch = app
            .send(
                token,
                Method::PATCH,
                &format!("/api/v1/orgs/{}", target.0),
                &json!({"notes": "x"}),
            )
            .await;
        assert_eq!(patch.status(), 404, "PATCH {who}");
        let delete = app
            .send(
                token,
                Method::DELETE,
                &format!("/api/v1/orgs/{}", target.0),
                &json!({}),
            )
            .await;
        assert_eq!(delete.status(), 404, "DELETE {who}");
        let create = app.send(token, Method::POST, "/api/v1/orgs", &json!({"code": format!("X{n}{}", role.code()), "name": "渗透", "parent_id": target.0})).await;
        assert_eq!(create.status(), 404, "POST under {who}");
        let csrf = browser.csrf(&format!("/orgs/{}", t.own.0)).await;
        let page_edit = browser
            .post_form(
                &format!("/orgs/{}/edit", target.0),
                &csrf,
                &[("name", "渗透")],
            )
            .await;
        assert_eq!(page_edit.status(), 404, "page edit {who}");
        let page_dissolve = browser
            .post_form(&format!("/orgs/{}/dissolve", target.0), &csrf, &[])
            .await;
        assert_eq!(page_dissolve.status(), 404, "page dissolve {who}");
        // Moving an own organisation under an outside one.
        let mv = app
            .send(
                token,
                Method::PATCH,
                &format!("/api/v1/orgs/{}", t.child.0),
                &json!({"parent_id": target.0}),
            )
            .await;
        // A viewer may change nothing at all (403 whatever the target says); a writer learns
        // nothing about the outside organisation either.
        assert_eq!(
            mv.status(),
            if writer { 404 } else { 403 },
            "move under {who}"
        );
    }
    for target in inside {
        let patch = app
            .send(
                token,
                Method::PATCH,
                &format!("/api/v1/orgs/{}", target.0),
                &json!({"notes": format!("{role:?}")}),
            )
            .await;
        assert_eq!(
            patch.status(),
            if writer { 200 } else { 403 },
            "PATCH {role:?} on {}",
            target.2
        );
    }
    let create = app.send(token, Method::POST, "/api/v1/orgs", &json!({"code": format!("N-{}", role.code()), "name": "新建企业科协", "kind": "企业科协", "parent_id": t.own.0})).await;
    assert_eq!(
        create.status(),
        if writer { 201 } else { 403 },
        "POST {role:?} under own"
    );
}

/// Work plans: outside the subtree every write on a plan or task is "not found"; inside, a
/// viewer is refused and staff and administrators report and issue plans.
pub async fn plan_writes(app: &TestApp, browser: &Browser, token: &str, role: Role, t: &Tree) {
    let writer = role != Role::OrgViewer;
    let task_of = |org: i64| t.plans.iter().find(|p| p.0 == org).unwrap().2;
    let csrf = browser.csrf("/plans").await;
    for target in [t.sibling, t.parent, t.grandparent] {
        let who = format!("{role:?} on {}", target.2);
        let task = task_of(target.0);
        let report = app
            .send(
                token,
                Method::POST,
                &format!("/api/v1/tasks/{task}/reports"),
                &json!({"text": "渗透", "percent": 50}),
            )
            .await;
        assert_eq!(report.status(), 404, "report {who}");
        let patch = app
            .send(
                token,
                Method::PATCH,
                &format!("/api/v1/tasks/{task}"),
                &json!({"status": "done"}),
            )
            .await;
        assert_eq!(patch.status(), 404, "PATCH task {who}");
        let plan = app
            .send(
                token,
                Method::POST,
                "/api/v1/plans",
                &json!({"org_id": target.0, "title": "渗透", "year": 2017}),
            )
            .await;
        assert_eq!(plan.status(), 404, "POST plan {who}");
        for (path, fields) in [
            ("reports", vec![("text", "渗透"), ("percent", "50")]),
            ("status", vec![("status", "done")]),
            ("link", vec![("implements", "")]),
        ] {
            let page = browser
                .post_form(&format!("/tasks/{task}/{path}"), &csrf, &fields)
                .await;
            assert_eq!(page.status(), 404, "page {path} {who}");
        }
        let html = browser
            .get(&format!("/tasks/{task}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!html.contains("渗透") && !html.contains(target.2), "{who}");
    }
    let own = task_of(t.own.0);
    let report = app
        .send(
            token,
            Method::POST,
            &format!("/api/v1/tasks/{own}/reports"),
            &json!({"text": format!("{role:?} 报送"), "percent": 10}),
        )
        .await;
    assert_eq!(
        report.status(),
        if writer { 201 } else { 403 },
        "report {role:?} on own"
    );
    let plan = app
        .send(
            token,
            Method::POST,
            "/api/v1/plans",
            &json!({"org_id": t.child.0, "title": format!("{role:?} 计划"), "year": 2017,
            "tasks": [{"number": "1", "text": "街道任务", "deadline": "2017年12月底前"}]}),
        )
        .await;
    assert_eq!(
        plan.status(),
        if writer { 201 } else { 403 },
        "POST plan {role:?} under own"
    );
}
