//! An organisation sheet uploaded through the page: checked, tried, then imported.

use kexie_domain::role::Role;
use kexie_store::{Backend, Scope};

use crate::common::{Browser, TestApp};

pub async fn a_spreadsheet_uploaded_through_the_page_is_checked_then_imported(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = app.org("23KX", "省科协", None, "230000000000").await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(p)).await;
    let all = Scope::everything();
    let by_code = |code: &'static str| app.store().org_by_code(&all, code);
    let template = browser
        .get("/orgs/import/template.xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let sheet =
        kexie_office::read_sheet_bytes(&template, "t.xlsx", &kexie_office::Limits::default())
            .unwrap();
    assert_eq!(sheet.headers, kexie_office::ORG_HEADERS);
    let csv = "代码,名称,类型,上级代码,区划代码\nHRB,哈尔滨市科协,科协,23KX,2301\nDL,道里区科协,科协,,230102\nBAD,坏行,街道,23KX,\n";
    let html = upload(&browser, false, csv).await;
    assert!(
        html.contains("enum.value") && html.contains("未写入任何数据"),
        "{html}"
    );
    assert!(by_code("HRB").await.is_err());
    let good = "代码,名称,类型,上级代码,区划代码\nHRB,哈尔滨市科协,科协,23KX,2301\nDL,道里区科协,科协,,230102\n";
    let html = upload(&browser, true, good).await;
    assert!(html.contains("检查通过"), "{html}");
    assert!(by_code("HRB").await.is_err());
    let html = upload(&browser, false, good).await;
    assert!(
        html.contains("已导入组织数： 2") || html.contains("已导入组织数：2"),
        "{html}"
    );
    let dl = by_code("DL").await.unwrap();
    let hrb = by_code("HRB").await.unwrap();
    assert_eq!(
        dl.parent_id,
        Some(hrb.org_id),
        "the parent was inferred from the division"
    );
    // Without the form's token nothing happens.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(good.as_bytes().to_vec()).file_name("orgs.csv"),
    );
    let r = browser
        .client
        .post(format!("{}/orgs/import", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

/// Uploads an organisation sheet and returns the import's final page.
async fn upload(browser: &Browser, dry: bool, body: &str) -> String {
    let fields: &[(&str, &str)] = if dry { &[("dry_run", "1")] } else { &[] };
    let response = browser
        .upload("/orgs/import", fields, ("orgs.csv", body.as_bytes()))
        .await;
    browser.finish_import(response).await.1
}
