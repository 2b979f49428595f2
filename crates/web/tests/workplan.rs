//! Work-plan supervision through the pages and the API, on both databases: a plan pasted in the
//! browser, a responsible unit that sees and reports on its own task only, overdue tasks with
//! reminders in the header, the dashboard and its export, and the cascading roll-up.

mod common;

use chrono::{Datelike, Duration};
use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::Backend;
use serde_json::{json, Value};

on_both_databases!(
    a_plan_pasted_in_the_browser_is_previewed_then_saved_whole,
    a_responsible_unit_sees_and_reports_on_its_own_task_only,
    overdue_tasks_are_flagged_notified_and_reported,
    lower_plans_roll_up_to_the_task_they_carry_out,
);

/// A small plan in the layout of a pasted task breakdown table (invented names).
const PASTED: &str = "一、深化改革\n\
(1)建强基层组织，扩大有效覆盖。\n\
制定基层组织建设办法。\n\
2017年10月底前\n\
甲主席\n\
组织部\n\
(2)完善团体会员制度。\n\
开展调研。\n\
(3)加强联系服务。\n\
建立联系制度。\n\
每年坚持\n\
乙主席\n\
学会部、科普部\n";

async fn a_plan_pasted_in_the_browser_is_previewed_then_saved_whole(backend: Backend) {
    let app = TestApp::start(backend).await;
    let city = app.org("C", "市科协", None, "230100000000").await;
    let browser = app
        .signed_in("city.admin", Role::OrgAdmin, Some(city))
        .await;
    let form = browser.get("/plans/new").await;
    assert_eq!(form.status(), 200);
    let csrf = browser.csrf("/plans/new").await;
    let fields = |text: &'static str, dry: bool| {
        let mut f = vec![
            ("org_code", "C"),
            ("title", "市科协改革任务分工"),
            ("doc_number", "市科协发〔2017〕3号"),
            ("issued_on", "2017-04-01"),
            ("year", "2017"),
            ("text", text),
        ];
        if dry {
            f.push(("dry_run", "1"));
        }
        f
    };
    let preview = browser
        .post_form("/plans/new", &csrf, &fields(PASTED, true))
        .await;
    assert_eq!(preview.status(), 200);
    let html = preview.text().await.unwrap();
    assert!(
        html.contains("完善团体会员制度") && html.contains("同上"),
        "{html}"
    );
    let list = browser.get("/plans").await.text().await.unwrap();
    assert!(
        !list.contains("市科协改革任务分工"),
        "a dry run saves nothing"
    );

    // A task number going backwards: the lines are named, nothing is saved.
    let broken = browser
        .post_form(
            "/plans/new",
            &csrf,
            &fields("(2)甲任务。\n措施一。\n(1)乙任务。\n措施二。\n", false),
        )
        .await;
    assert_eq!(broken.status(), 422);
    assert!(broken.text().await.unwrap().contains("小于上一任务编号"));

    let saved = browser
        .post_form("/plans/new", &csrf, &fields(PASTED, false))
        .await;
    assert_eq!(saved.status(), 303);
    let location = saved.headers()["location"].to_str().unwrap().to_string();
    let page = browser.get(&location).await.text().await.unwrap();
    for text in [
        "一、深化改革",
        "建强基层组织",
        "完善团体会员制度",
        "加强联系服务",
        "市科协发〔2017〕3号",
    ] {
        assert!(page.contains(text), "{text}");
    }
    let plans = browser.get("/plans").await.text().await.unwrap();
    assert!(plans.contains("市科协改革任务分工"));
    // A viewer cannot issue a plan.
    let viewer = app
        .signed_in("city.viewer", Role::OrgViewer, Some(city))
        .await;
    assert_eq!(viewer.get("/plans/new").await.status(), 403);
}

/// A plan of the city through the API; returns its id and its tasks' ids.
async fn city_plan(app: &TestApp, token: &str, city: i64, tasks: Value) -> (i64, Vec<i64>) {
    let created = app
        .client
        .post(app.url("/api/v1/plans"))
        .bearer_auth(token)
        .json(&json!({"org_id": city, "title": "市工作要点", "year": 2017, "tasks": tasks}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let plan_id = created.json::<Value>().await.unwrap()["plan_id"]
        .as_i64()
        .unwrap();
    let tasks: Value = app
        .api(token, &format!("/api/v1/plans/{plan_id}/tasks"))
        .await
        .json()
        .await
        .unwrap();
    let ids = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_i64().unwrap())
        .collect();
    (plan_id, ids)
}

async fn a_responsible_unit_sees_and_reports_on_its_own_task_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let city = app.org("C", "市科协", None, "230100000000").await;
    let district = app.org("D1", "甲区科协", Some(city), "230102000000").await;
    app.org("D2", "乙区科协", Some(city), "230103000000").await;
    let city_token = app
        .token(app.account("city", Role::OrgStaff, Some(city)).await)
        .await;
    let (plan_id, ids) = city_plan(
        &app,
        &city_token,
        city,
        json!([
            {"number": "1", "text": "交给甲区的任务", "deadline": "2099年12月底前", "units": ["甲区科协"]},
            {"number": "2", "text": "机关内部的任务", "deadline": "2099年12月底前", "department": "办公室"}
        ]),
    )
    .await;
    let unit = app
        .signed_in("district", Role::OrgStaff, Some(district))
        .await;
    let list = unit.get("/plans").await.text().await.unwrap();
    assert!(list.contains("市工作要点") && list.contains("交给甲区的任务"));
    let plan = unit
        .get(&format!("/plans/{plan_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(plan.contains("交给甲区的任务") && !plan.contains("机关内部的任务"));
    assert_eq!(unit.get(&format!("/tasks/{}", ids[1])).await.status(), 404);
    let page = unit
        .get(&format!("/tasks/{}", ids[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("/tasks/") && page.contains("name=\"percent\""));
    let csrf = unit.csrf(&format!("/tasks/{}", ids[0])).await;
    let reported = unit
        .post_form(
            &format!("/tasks/{}/reports", ids[0]),
            &csrf,
            &[
                ("author", "联络员"),
                ("text", "已召开推进会"),
                ("percent", "30"),
            ],
        )
        .await;
    assert_eq!(reported.status(), 303);
    let refused = unit
        .post_form(
            &format!("/tasks/{}/reports", ids[0]),
            &csrf,
            &[("text", "超出"), ("percent", "130"), ("author", "联络员")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    // The city sees the report and the status it moved.
    let task: Value = app
        .api(&city_token, &format!("/api/v1/tasks/{}", ids[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (task["status"].as_str(), task["percent"].as_i64()),
        (Some("in_progress"), Some(30))
    );
    let reports: Value = app
        .api(&city_token, &format!("/api/v1/tasks/{}/reports", ids[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reports[0]["org_name"], "甲区科协");
    // The unit may report but not change the task; the neighbour sees nothing.
    let unit_token = app
        .token(
            app.account("district.api", Role::OrgStaff, Some(district))
                .await,
        )
        .await;
    let patch = app
        .client
        .patch(app.url(&format!("/api/v1/tasks/{}", ids[0])))
        .bearer_auth(&unit_token)
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 403);
    let other = app
        .signed_in(
            "other",
            Role::OrgAdmin,
            Some(
                app.store()
                    .org_by_code(&kexie_store::Scope::everything(), "D2")
                    .await
                    .unwrap()
                    .org_id,
            ),
        )
        .await;
    assert_eq!(other.get(&format!("/plans/{plan_id}")).await.status(), 404);
    assert!(!other
        .get("/plans")
        .await
        .text()
        .await
        .unwrap()
        .contains("市工作要点"));
}

async fn overdue_tasks_are_flagged_notified_and_reported(backend: Backend) {
    let app = TestApp::start(backend).await;
    let city = app.org("C", "市科协", None, "230100000000").await;
    let district = app.org("D1", "甲区科协", Some(city), "230102000000").await;
    let city_token = app
        .token(app.account("city", Role::OrgAdmin, Some(city)).await)
        .await;
    let soon = (chrono::Utc::now() + Duration::hours(8)).date_naive() + Duration::days(3);
    let soon_phrase = format!("{}年{}月{}日前", soon.year(), soon.month(), soon.day());
    let (plan_id, ids) = city_plan(
        &app,
        &city_token,
        city,
        json!([
            {"number": "1", "text": "早该完成的任务", "deadline": "2020年1月底前", "units": ["甲区科协"], "department": "组织部"},
            {"number": "2", "text": "三天后到期的任务", "deadline": soon_phrase, "units": ["甲区科协"], "department": "学会部"},
            {"number": "3", "text": "长期任务", "deadline": "长期坚持", "department": "学会部"}
        ]),
    )
    .await;
    // Opening any page runs the day's reminders: the unit's header counts two.
    let unit = app
        .signed_in("district", Role::OrgStaff, Some(district))
        .await;
    let home = unit.get("/plans").await.text().await.unwrap();
    assert!(home.contains("title=\"未读提醒\">2</span>"), "{home}");
    let task: Value = app
        .api(&city_token, &format!("/api/v1/tasks/{}", ids[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(task["status"], "overdue");
    let board: Value = app
        .api(&city_token, &format!("/api/v1/plans/{plan_id}/supervision"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["counts"]["overdue"], 1);
    assert_eq!(board["due_soon"][0]["task_id"], ids[1]);
    assert_eq!(board["not_reported"].as_array().unwrap().len(), 2);
    let city_browser = app.signed_in("city.page", Role::OrgAdmin, Some(city)).await;
    let dash = city_browser
        .get(&format!("/plans/{plan_id}/dashboard"))
        .await;
    assert_eq!(dash.status(), 200);
    let dash = dash.text().await.unwrap();
    assert!(dash.contains("早该完成的任务") && dash.contains("<svg") && dash.contains("学会部"));
    let xlsx = city_browser
        .get(&format!("/plans/{plan_id}/report.xlsx"))
        .await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = xlsx.bytes().await.unwrap();
    let sheet = kexie_office::read_sheet_bytes(&bytes, "report.xlsx", &Default::default()).unwrap();
    assert_eq!(sheet.headers, ["项目", "内容"]);
    assert!(sheet
        .rows
        .iter()
        .any(|r| r == &["已逾期".to_string(), "1".to_string()]));
    // Read, the badge goes.
    let notices = unit.get("/notifications").await.text().await.unwrap();
    assert!(notices.contains("早该完成的任务") && notices.contains("三天后到期的任务"));
    let csrf = unit.csrf("/notifications").await;
    assert_eq!(
        unit.post_form("/notifications/read", &csrf, &[])
            .await
            .status(),
        303
    );
    assert!(!unit
        .get("/plans")
        .await
        .text()
        .await
        .unwrap()
        .contains("title=\"未读提醒\""));
}

async fn lower_plans_roll_up_to_the_task_they_carry_out(backend: Backend) {
    let app = TestApp::start(backend).await;
    let city = app.org("C", "市科协", None, "230100000000").await;
    let district = app.org("D1", "甲区科协", Some(city), "230102000000").await;
    let city_token = app
        .token(app.account("city", Role::OrgStaff, Some(city)).await)
        .await;
    let (city_plan_id, ids) = city_plan(&app, &city_token, city, json!([{"number": "1", "text": "建强基层组织", "deadline": "2099年12月底前", "units": ["甲区科协"]}])).await;
    let d_token = app
        .token(
            app.account("district", Role::OrgStaff, Some(district))
                .await,
        )
        .await;
    let lower = app
        .client
        .post(app.url("/api/v1/plans"))
        .bearer_auth(&d_token)
        .json(&json!({"org_id": district, "title": "甲区落实方案", "year": 2017, "implements_plan_id": city_plan_id,
            "tasks": [{"number": "1", "text": "区里建强基层组织", "deadline": "2099年6月底前", "implements_task_id": ids[0]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 201);
    let lower_id = lower.json::<Value>().await.unwrap()["plan_id"]
        .as_i64()
        .unwrap();
    let lower_tasks: Value = app
        .api(&d_token, &format!("/api/v1/plans/{lower_id}/tasks"))
        .await
        .json()
        .await
        .unwrap();
    let lower_task = lower_tasks[0]["task_id"].as_i64().unwrap();
    let report = app
        .client
        .post(app.url(&format!("/api/v1/tasks/{lower_task}/reports")))
        .bearer_auth(&d_token)
        .json(&json!({"text": "完成一半", "percent": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), 201);
    let rollup: Value = app
        .api(&city_token, &format!("/api/v1/tasks/{}/rollup", ids[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rollup["counts"]["total"], 1);
    assert_eq!(rollup["counts"]["percent"], 50);
    assert_eq!(rollup["implementing"][0]["task"]["org_name"], "甲区科协");
    let city_browser = app.signed_in("city.page", Role::OrgStaff, Some(city)).await;
    let page = city_browser
        .get(&format!("/tasks/{}", ids[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("区里建强基层组织") && page.contains("50%"));
    // The district cannot point its task at something it does not see, nor unlink the city's.
    let bad = app
        .client
        .patch(app.url(&format!("/api/v1/tasks/{lower_task}")))
        .bearer_auth(&d_token)
        .json(&json!({"implements_task_id": 999_999}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
    let unlink = app
        .client
        .patch(app.url(&format!("/api/v1/tasks/{}", ids[0])))
        .bearer_auth(&d_token)
        .json(&json!({"implements_task_id": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(unlink.status(), 403);
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/api/v1/tasks/{id}/rollup"].is_object());
}
