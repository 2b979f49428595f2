//! Files on progress reports, on both databases: a responsible unit attaches files through the
//! report form and the API; the type is read from the content; the files show on the task page
//! and download for who sees the report, and are "not found" for anyone else.

mod common;
#[path = "common/workplan.rs"]
mod workplan;

use common::{Browser, TestApp};
use kexie_domain::role::Role;
use kexie_store::{Backend, Scope};
use serde_json::Value;
use workplan::{one_task_plan, task};

on_both_databases!(files_attach_to_reports_and_download_within_scope);

const PDF: &[u8] = b"%PDF-1.4\n% invented report\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR invented";
const DOCX: &[u8] = b"PK\x03\x04 [Content_Types].xml word/document.xml invented";

/// Posts the report form with files, as a browser does.
async fn post_report(
    browser: &Browser,
    task: i64,
    text: &str,
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let path = format!("/tasks/{task}");
    let csrf = browser.csrf(&path).await;
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("author", "联络员")
        .text("text", text.to_string())
        .text("percent", "40");
    for (name, bytes) in files {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    browser
        .client
        .post(format!("{}/tasks/{task}/reports", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn files_attach_to_reports_and_download_within_scope(backend: Backend) {
    let app = TestApp::start(backend).await;
    let city = app.org("C", "市科协", None, "230100000000").await;
    let unit = app.org("D", "甲区科协", Some(city), "230102000000").await;
    let sibling = app.org("E", "乙区科协", Some(city), "230103000000").await;
    let task = one_task_plan(
        &app,
        city,
        task("建强基层组织。", "2030年底前", &["甲区科协"]),
    )
    .await;
    let unit_staff = app
        .signed_in("unit.staff", Role::OrgStaff, Some(unit))
        .await;

    // A program renamed to .pdf, and six files: refused whole, nothing written.
    let renamed = post_report(&unit_staff, task, "第一次", &[("进展.pdf", b"MZ\x90\x00")]).await;
    assert_eq!(renamed.status(), 422);
    let html = renamed.text().await.unwrap();
    assert!(
        html.contains("进展.pdf") && html.contains("不是 PDF"),
        "{html}"
    );
    let six = vec![("a.pdf", PDF); 6];
    let too_many = post_report(&unit_staff, task, "第一次", &six).await;
    assert_eq!(too_many.status(), 422);
    assert!(app
        .store()
        .task_reports(&Scope::everything(), task)
        .await
        .unwrap()
        .is_empty());

    // Two good files: saved with the report, listed on the task page.
    let saved = post_report(
        &unit_staff,
        task,
        "第一次",
        &[("进展 报告.pdf", PDF), ("现场.png", PNG)],
    )
    .await;
    assert_eq!(saved.status(), 303);
    let page = unit_staff
        .get(&format!("/tasks/{task}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("进展 报告.pdf") && page.contains("现场.png"),
        "{page}"
    );
    let reports = app
        .store()
        .task_reports(&Scope::everything(), task)
        .await
        .unwrap();
    let files = &reports[0].attachments;
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].media_type, "application/pdf");
    assert_eq!(files[1].media_type, "image/png");
    let pdf_id = files[0].attachment_id;

    // The unit and the issuer download it; a sibling unit does not find it.
    let download = unit_staff.get(&format!("/attachments/{pdf_id}")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("%E8%BF%9B%E5%B1%95"), "{disposition}");
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    let city_admin = app
        .signed_in("city.admin", Role::OrgAdmin, Some(city))
        .await;
    assert_eq!(
        city_admin
            .get(&format!("/attachments/{pdf_id}"))
            .await
            .status(),
        200
    );
    let other = app
        .signed_in("other.staff", Role::OrgStaff, Some(sibling))
        .await;
    assert_eq!(
        other.get(&format!("/attachments/{pdf_id}")).await.status(),
        404
    );
    let (audit, _) = app
        .store()
        .search_audit(&kexie_store::AuditFilter {
            action: Some("attachment.download".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!audit.is_empty(), "downloads are audited");

    // Through the API: JSON in the part "report", files in parts "attachments".
    let account = app.store().account_by_username("unit.staff").await.unwrap();
    let token = app.token(account.account_id).await;
    let form = reqwest::multipart::Form::new()
        .text("report", r#"{"text":"第二次","percent":60}"#)
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(DOCX.to_vec()).file_name("总结.docx"),
        );
    let created = app
        .client
        .post(app.url(&format!("/api/v1/tasks/{task}/reports")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["attachments"][0]["file_name"], "总结.docx");
    let docx_id = body["attachments"][0]["attachment_id"].as_i64().unwrap();
    let fetched = app
        .api(&token, &format!("/api/v1/attachments/{docx_id}"))
        .await;
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), DOCX);
    let other_account = app
        .store()
        .account_by_username("other.staff")
        .await
        .unwrap();
    let other_token = app.token(other_account.account_id).await;
    assert_eq!(
        app.api(&other_token, &format!("/api/v1/attachments/{docx_id}"))
            .await
            .status(),
        404
    );
}
