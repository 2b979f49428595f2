//! The flows of the work: a governance check, progress on a task, every other page on a phone,
//! signing out.

use fantoccini::Locator;

use super::fixture::Fixture;
use crate::browser::Page;
use crate::common::TestApp;

/// The society's governance check: the council against its cap, the overdue term found.
pub async fn opening_a_governance_check(page: &Page, society: i64, name: &str) {
    page.open(&format!("/orgs/{society}")).await;
    assert_eq!(page.text("h1").await, name);
    // The page's own link (the menu has one to the overview of all societies).
    page.visible(&format!("main a[href='/orgs/{society}/governance']"))
        .await
        .click()
        .await
        .unwrap();
    page.wait_for(
        "the governance page",
        "return location.pathname.endsWith('/governance')",
    )
    .await;
    // Two council posts of at most 150 (fewer than 20,000 members: seeds/002).
    let figures = page.text("section.figures").await;
    assert!(figures.contains("2 / 150"), "{figures}");
    assert!(figures.contains("超期未换届"), "{figures}");
    let findings = page.text("section.card.wide table").await;
    assert!(findings.contains("term.overdue"), "{findings}");
    assert!(findings.contains("2020-04-30") || page.text("main").await.contains("2020-04-30"));
    page.check_widths("governance").await;
}

/// A progress report for Harbin: the task moves to 60% and the report is listed.
pub async fn reporting_progress_on_a_task(page: &Page, task: i64, text: &str) {
    page.open(&format!("/tasks/{task}")).await;
    assert!(page.text("dl.details").await.contains(text));
    page.find("#org_id")
        .await
        .select_by_label("哈尔滨市科学技术协会")
        .await
        .unwrap();
    page.find("#report_text")
        .await
        .send_keys("已完成全市乡镇摸底，新建乡镇科协十二个。")
        .await
        .unwrap();
    let percent = page.find("#percent").await;
    percent.clear().await.unwrap();
    percent.send_keys("60").await.unwrap();
    page.check_widths("task-form").await;
    page.find("form[action$='/reports'] button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    page.wait_for(
        "the report in the list",
        "return document.body.textContent.includes('新建乡镇科协十二个')",
    )
    .await;
    let details = page.text("dl.details").await;
    assert!(details.contains("60%"), "{details}");
    let reports = page
        .client
        .find(Locator::XPath("//section[h2[contains(., '(1)')]]"))
        .await
        .expect("one report listed")
        .text()
        .await
        .unwrap();
    assert!(
        reports.contains("哈尔滨市科学技术协会") && reports.contains("60%"),
        "{reports}"
    );
    page.check_widths("task-progress").await;
}

/// The pages no flow above passes through, each screenshotted and checked at phone width.
pub async fn every_other_page_on_a_phone(page: &Page, f: &Fixture) {
    let pages = [
        ("coverage", format!("/orgs/{}/coverage", f.harbin)),
        ("divisions", "/divisions?parent=2301".to_string()),
        ("governance-overview", "/governance".to_string()),
        (
            "governance-dashboard",
            format!("/orgs/{}/governance/dashboard", f.province),
        ),
        (
            "governance-rules",
            format!("/orgs/{}/governance/rules", f.society),
        ),
        (
            "governance-slate",
            format!("/orgs/{}/governance/slate", f.society),
        ),
        ("plans", "/plans".to_string()),
        ("plan", format!("/plans/{}", f.plan)),
        ("plan-dashboard", format!("/plans/{}/dashboard", f.plan)),
        ("plan-new", "/plans/new".to_string()),
        ("notifications", "/notifications".to_string()),
        ("person", format!("/persons/{}", f.person)),
        ("org-edit", format!("/orgs/{}/edit", f.harbin)),
        ("org-search", "/orgs?q=hrb".to_string()),
        ("org-import", "/orgs/import".to_string()),
        ("pilots", "/pilots".to_string()),
        ("pilot", format!("/pilots/{}", f.pilot)),
        ("pilot-new", "/pilots/new".to_string()),
        ("pilot-import", format!("/pilots/{}/import", f.pilot)),
        ("account", "/account".to_string()),
        ("password", "/password".to_string()),
        ("accounts", "/admin/accounts".to_string()),
    ];
    for (name, path) in pages {
        page.open(&path).await;
        assert_eq!(page.path().await, path, "{name} opens without a detour");
        let status = page.text("h1").await;
        assert!(!status.contains("出错了"), "{name}: {status}");
        page.check_widths(&format!("page-{name}")).await;
    }
}

/// Signing out ends the session: the browser is sent to sign in, and the old cookie no longer
/// opens anything.
pub async fn signing_out(page: &Page, app: &TestApp) {
    page.open("/").await;
    let session = page
        .client
        .get_named_cookie("kexie_session")
        .await
        .expect("a session cookie")
        .value()
        .to_string();
    page.find("header form[action='/logout'] button")
        .await
        .click()
        .await
        .unwrap();
    page.wait_for(
        "the sign-in page",
        "return location.pathname.startsWith('/login')",
    )
    .await;
    page.check_widths("sign-out").await;
    page.open("/persons").await;
    assert!(page.path().await.starts_with("/login"));
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/persons"))
        .header("cookie", format!("kexie_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 303, "the old session is dead");
}
