//! Imports left running in the background: the upload starts a job, the browser watches it at
//! `/imports/{job}` until the report shows, and nobody but the uploader's account sees it.

mod common;

use common::TestApp;
use kexie_domain::id_number::check_char;
use kexie_domain::role::Role;
use kexie_store::{Backend, LedgerFilter, Scope};

on_both_databases!(
    a_people_sheet_is_imported_in_the_background_and_ends_with_its_report,
    a_file_that_cannot_be_read_ends_the_job_as_failed_and_writes_nothing,
    a_sheet_past_its_limits_further_down_ends_the_job_as_failed_and_writes_nothing,
    only_the_account_that_uploaded_sees_the_job,
    the_people_import_page_names_its_organisation_by_code_within_scope,
);

/// A CSV of `n` people with valid ID numbers born in 1985, 1990 …
fn people_csv(n: usize) -> String {
    let mut csv = String::from("姓名,性别,身份证号,会员类型\n");
    for i in 0..n {
        let first17 = format!("23010219850312{:03}", 100 + i);
        let id = format!("{first17}{}", check_char(&first17).unwrap());
        let gender = if (100 + i) % 2 == 1 { "男" } else { "女" };
        csv.push_str(&format!("测试{i:03},{gender},{id},普通会员\n"));
    }
    csv
}

async fn members(app: &TestApp, org_id: i64) -> i64 {
    app.store()
        .ledger(
            &Scope::everything(),
            &LedgerFilter {
                org_id,
                ..LedgerFilter::default()
            },
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            1,
            0,
        )
        .await
        .unwrap()
        .1
}

async fn a_people_sheet_is_imported_in_the_background_and_ends_with_its_report(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    // The registry's import form is preset with the account's own organisation.
    let form = browser.get("/persons/import").await.text().await.unwrap();
    assert!(form.contains("name=\"org_code\" value=\"C\""), "{form}");

    let response = browser
        .upload(
            "/persons/import",
            &[("org_code", "C")],
            ("people.csv", people_csv(120).as_bytes()),
        )
        .await;
    let (job, html) = browser.finish_import(response).await;

    assert!(html.contains("data-phase=\"done\""), "{html}");
    assert!(html.contains("role=\"status\"") && html.contains("aria-live=\"polite\""));
    assert!(
        html.contains("<span id=\"report-rows\">120</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span id=\"report-errors\">0</span>"),
        "{html}"
    );
    assert!(html.contains("已导入人数： 120") || html.contains("已导入人数：120"));
    assert_eq!(members(&app, c).await, 120);
    // The finished job stays readable at its address.
    let again = browser.get(&job).await.text().await.unwrap();
    assert!(again.contains("<span id=\"report-rows\">120</span>"));
}

async fn a_file_that_cannot_be_read_ends_the_job_as_failed_and_writes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    let response = browser
        .upload(
            &format!("/orgs/{c}/persons/import"),
            &[],
            ("people.xlsx", b"this is not a spreadsheet"),
        )
        .await;
    let (_, html) = browser.finish_import(response).await;
    assert!(html.contains("data-phase=\"failed\""), "{html}");
    assert!(
        html.contains("导入失败") && html.contains("未写入任何数据"),
        "{html}"
    );
    assert!(
        !html.contains("report-rows"),
        "no report for an unreadable file"
    );
    assert_eq!(members(&app, c).await, 0);

    // A sheet whose rows are wrong is not a failure: it ends with the report of its rows.
    let bad = "代码,名称,类型\nX1,某学会,不是类型\n";
    let response = browser
        .upload("/orgs/import", &[], ("orgs.csv", bad.as_bytes()))
        .await;
    let (_, html) = browser.finish_import(response).await;
    assert!(html.contains("data-phase=\"done\""), "{html}");
    assert!(html.contains("enum.value") && html.contains("<span id=\"report-errors\">"));
}

/// An upload of people is read as it is written (`stream_sheet_bytes`): a row past the column
/// limit after thousands of rows were written fails the job with the reader's message, and none
/// of them stays.
async fn a_sheet_past_its_limits_further_down_ends_the_job_as_failed_and_writes_nothing(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    let mut csv = String::from("姓名,身份证号\n");
    for i in 0..2_600 {
        let first17 = format!("2301021985030{}{:03}", 1 + i / 900, 100 + i % 900);
        let id = format!("{first17}{}", check_char(&first17).unwrap());
        csv.push_str(&format!("测试{i:04},{id}"));
        if i == 2_500 {
            csv.push_str(&",x".repeat(250));
        }
        csv.push('\n');
    }
    let response = browser
        .upload(
            "/persons/import",
            &[("org_code", "C")],
            ("people.csv", csv.as_bytes()),
        )
        .await;
    let (_, html) = browser.finish_import(response).await;
    assert!(html.contains("data-phase=\"failed\""), "{html}");
    assert!(html.contains("列数超过上限"), "{html}");
    assert_eq!(members(&app, c).await, 0);
}

async fn only_the_account_that_uploaded_sees_the_job(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.org("C", "县科协", None, "230102000000").await;
    let owner = app.signed_in("owner", Role::OrgStaff, Some(c)).await;
    let response = owner
        .upload(
            "/persons/import",
            &[("org_code", "C")],
            ("people.csv", people_csv(3).as_bytes()),
        )
        .await;
    let (job, _) = owner.finish_import(response).await;

    // A colleague with the same role at the same organisation is told it does not exist.
    let colleague = app.signed_in("colleague", Role::OrgAdmin, Some(c)).await;
    let r = colleague.get(&job).await;
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("people.csv"));
    // Nobody signed in: the sign-in page, not the job.
    let stranger = app.browser();
    let r = stranger.get(&job).await;
    assert_eq!(r.status(), 303);
    // A made-up job does not exist either.
    assert_eq!(owner.get("/imports/0123456789abcdef").await.status(), 404);
    // The owner's account in another session (another browser) still sees it.
    let elsewhere = app.browser();
    assert_eq!(
        elsewhere.sign_in("owner", common::PASSWORD).await.status(),
        303
    );
    assert_eq!(elsewhere.get(&job).await.status(), 200);
}

async fn the_people_import_page_names_its_organisation_by_code_within_scope(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = app.org("P", "市科协", None, "230100000000").await;
    let c = app.org("C", "县科协", Some(p), "230102000000").await;
    let _d = app.org("D", "邻县科协", Some(p), "230103000000").await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    for code in ["NOPE", "D"] {
        let r = browser
            .upload(
                "/persons/import",
                &[("org_code", code)],
                ("people.csv", people_csv(2).as_bytes()),
            )
            .await;
        assert_eq!(r.status(), 200, "{code}: the form again, no job");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("没有代码为“{code}”的组织")),
            "{html}"
        );
    }
    assert_eq!(members(&app, c).await, 0);
    // No file: the form says so.
    let csrf = browser.csrf("/persons/import").await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("org_code", "C");
    let html = browser
        .client
        .post(format!("{}/persons/import", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("请选择要上传的文件"), "{html}");
    // A viewer may not import.
    let viewer = app.signed_in("viewer", Role::OrgViewer, Some(c)).await;
    assert_eq!(viewer.get("/persons/import").await.status(), 403);
}
