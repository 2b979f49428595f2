//! The flows of the registry: signing in, the organisation tree, a new organisation, a people
//! import, the pinyin search.

use fantoccini::key::Key;
use fantoccini::Locator;
use kexie_domain::id_number::check_char;
use kexie_domain::pinyin::name_initials;
use kexie_store::{LedgerFilter, Scope};

use crate::browser::Page;
use crate::common::TestApp;

/// Sign-in with nothing but the keyboard: the field that has the focus, Tab, Enter.
pub async fn signing_in_by_keyboard(page: &Page) {
    page.open("/").await;
    assert!(
        page.path().await.starts_with("/login"),
        "signed out: sign-in"
    );
    page.assert_overflow_is_caught().await;
    page.check_widths("login").await;
    page.tab_to("username").await;
    page.keys("e2e.province").await;
    page.press(Key::Tab).await;
    assert_eq!(page.focused().await, "password");
    page.keys(crate::common::PASSWORD).await;
    page.press(Key::Enter).await;
    page.wait_for("the overview", "return location.pathname === '/'")
        .await;
    // The header names the account; the overview counts the province's organisations.
    let user = page.text("header .user a").await;
    assert!(user.contains("e2e.province"), "{user}");
    let orgs: i64 = page
        .text(".figures .figure .value")
        .await
        .parse()
        .expect("a count of organisations");
    assert!(orgs > 100, "the demo province has its network: {orgs}");
    let charts = page.check_text_alternatives("sign-in").await;
    assert!(charts >= 1, "the overview shows its chart");
    let chart = page.find("svg.chart").await;
    let (_, name) = page.accessible(&chart).await;
    assert_eq!(
        name, "组织类型分布",
        "a screen reader names the chart by its title"
    );
    page.check_widths("sign-in").await;
}

/// From the list of roots down to a city: the child count on the parent is the child's own.
pub async fn browsing_the_organisation_tree(page: &Page) {
    page.link("组织体系").await.click().await.unwrap();
    page.link("黑龙江省科学技术协会")
        .await
        .click()
        .await
        .unwrap();
    page.wait_for(
        "the province",
        "return /^\\/orgs\\/\\d+$/.test(location.pathname)",
    )
    .await;
    assert_eq!(page.text("h1").await, "黑龙江省科学技术协会");
    // The row of Harbin among the province's children: its own children and members.
    let row = page
        .client
        .find(Locator::XPath(
            "//tr[td/a[normalize-space()='哈尔滨市科学技术协会']]",
        ))
        .await
        .expect("Harbin among the children");
    let cells = row.find_all(Locator::Css("td.num")).await.unwrap();
    let children_listed = cells[0].text().await.unwrap();
    page.link("哈尔滨市科学技术协会")
        .await
        .click()
        .await
        .unwrap();
    page.wait_for(
        "Harbin's page",
        "return document.querySelector('h1').textContent.includes('哈尔滨市')",
    )
    .await;
    // The crumbs lead back up; the heading counts the same children as the parent's table.
    let crumbs = page.text("nav.crumbs").await;
    assert!(crumbs.contains("黑龙江省科学技术协会"), "{crumbs}");
    let heading = page
        .client
        .find(Locator::XPath("//section/h2[span[@class='muted']]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        heading.contains(&format!("({children_listed})")),
        "{heading} vs {children_listed}"
    );
    let counties = page
        .client
        .find_all(Locator::Css("section:first-of-type table tbody tr"))
        .await
        .unwrap()
        .len();
    assert!(counties > 5, "Harbin's districts and counties are listed");
    page.check_widths("organisation-tree").await;
}

/// The new-organisation form, filled and sent by keyboard: the skip link, Tab, typing, Enter.
pub async fn creating_an_organisation_by_keyboard(page: &Page, app: &TestApp, harbin: i64) {
    page.open(&format!("/orgs/new?parent={harbin}")).await;
    // The first Tab lands on the skip link, which takes the focus past the menu.
    page.press(Key::Tab).await;
    assert_eq!(
        page.script("return document.activeElement.className").await,
        "skip",
        "the focus after the first Tab: {}",
        page.script("return [document.activeElement.outerHTML.slice(0, 200), document.hasFocus(), document.readyState].join(' | ')").await
    );
    page.press(Key::Enter).await;
    let presses = page.tab_to("code").await;
    assert!(presses <= 2, "the form comes right after the skip link");
    page.keys("2301E2E01").await;
    page.press(Key::Tab).await;
    assert_eq!(page.focused().await, "name");
    page.keys("冰城键盘测试学会").await;
    page.tab_to("kind").await;
    // Choosing "学会" in the list by typing its first letter would depend on the labels; the
    // arrow keys move through the options as a person does, until "学会" is chosen.
    for _ in 0..20 {
        let chosen = page
            .script("const s = document.activeElement; return s.options[s.selectedIndex].text")
            .await;
        if chosen == "学会" {
            break;
        }
        page.press(Key::Down).await;
    }
    page.tab_to("name").await; // Back round to a text field, where Enter sends the form.
    page.press(Key::Enter).await;
    page.wait_for(
        "the new organisation's page",
        "return document.querySelector('h1').textContent.includes('冰城键盘测试学会')",
    )
    .await;
    let created = app
        .store()
        .org_by_code(&Scope::everything(), "2301E2E01")
        .await
        .unwrap();
    assert_eq!(created.parent_id, Some(harbin));
    assert_eq!(created.kind, "society");
    assert!(page
        .text("nav.crumbs")
        .await
        .contains("哈尔滨市科学技术协会"));
    page.check_widths("new-organisation").await;
}

/// The people sheet goes up through the page; the browser watches the job reload itself until
/// the report counts every row, and the ledger grows by as many.
pub async fn importing_people_and_watching_progress(page: &Page, app: &TestApp, harbin: i64) {
    const ROWS: usize = 400;
    let members = |app: &TestApp| {
        let store = app.store().clone();
        async move {
            store
                .ledger(
                    &Scope::everything(),
                    &LedgerFilter {
                        org_id: harbin,
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
    };
    let before = members(app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("哈尔滨会员.csv");
    let mut csv = String::from("姓名,性别,身份证号,手机号,工作单位,职称,会员类型\n");
    for i in 0..ROWS {
        // Born in Beijing: no demo person can share the number.
        let first17 = format!("110101199001{:02}{:03}", 1 + i % 28, 100 + i / 28);
        let id = format!("{first17}{}", check_char(&first17).unwrap());
        let gender = if first17.as_bytes()[16] % 2 == 1 {
            "男"
        } else {
            "女"
        };
        csv.push_str(&format!(
            "导入{i:03}号,{gender},{id},139{:08},松江理工大学,中级,普通会员\n",
            45_000_000 + i
        ));
    }
    std::fs::write(&file, csv).unwrap();

    page.link("人才库").await.click().await.unwrap();
    page.link("导入人员").await.click().await.unwrap();
    let code = page.visible("#org_code").await;
    assert_eq!(code.prop("value").await.unwrap().as_deref(), Some("23KX"));
    code.clear().await.unwrap();
    code.send_keys("2301KX").await.unwrap();
    page.find("#file")
        .await
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    page.check_widths("import-form").await;
    page.find("form.card button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    page.wait_for(
        "the job's page",
        "return location.pathname.startsWith('/imports/')",
    )
    .await;
    // While it runs the page shows a bar; a picture of it, when the import is slow enough to
    // be caught running.
    let phase = page
        .script("const j = document.getElementById('job'); return j ? j.dataset.phase : ''")
        .await;
    if phase != "done" {
        std::fs::write(
            crate::browser::output_dir().join("import-running-desktop.png"),
            page.client.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    // The progress is announced politely to screen readers while the page reloads itself.
    let live = page.find("[role=status]").await;
    assert_eq!(
        live.attr("aria-live").await.unwrap().as_deref(),
        Some("polite")
    );
    page.wait_for(
        "the import to finish",
        "const j = document.getElementById('job'); return !!j && j.dataset.phase === 'done'",
    )
    .await;
    assert_eq!(page.text("#report-rows").await, ROWS.to_string());
    assert_eq!(page.text("#report-valid").await, ROWS.to_string());
    assert_eq!(page.text("#report-errors").await, "0");
    let notice = page.text(".notice").await;
    assert!(notice.contains(&ROWS.to_string()), "{notice}");
    assert!(
        page.script("return document.querySelector('meta[http-equiv=refresh]') === null")
            .await
            .as_bool()
            .unwrap(),
        "a finished job stops reloading"
    );
    page.check_widths("import").await;
    assert_eq!(members(app).await, before + ROWS as i64);
    // The ledger the job page links to shows them, and its growth chart has a text alternative.
    page.link("会员台账").await.click().await.unwrap();
    page.wait_for("the ledger", "return location.pathname.endsWith('/ledger')")
        .await;
    let charts = page.check_text_alternatives("ledger").await;
    assert!(charts >= 1, "the ledger shows its growth chart");
    page.check_widths("ledger").await;
}

/// The registry's search finds 单晓明 by "sxm" — 单 read as a surname, "shan".
pub async fn finding_a_person_by_pinyin_initials(page: &Page) {
    page.link("人才库").await.click().await.unwrap();
    let search = page.visible("#q").await;
    search.click().await.unwrap();
    page.keys("sxm").await;
    page.press(Key::Enter).await;
    page.wait_for("the results", "return location.search.includes('q=sxm')")
        .await;
    let names: Vec<String> = {
        let mut out = Vec::new();
        for cell in page
            .client
            .find_all(Locator::Css("table tbody tr td:first-child a"))
            .await
            .unwrap()
        {
            assert!(cell.is_displayed().await.unwrap());
            out.push(cell.text().await.unwrap());
        }
        out
    };
    assert!(names.iter().any(|n| n == "单晓明"), "{names:?}");
    for name in &names {
        assert!(
            name_initials(name).starts_with("sxm"),
            "{name} does not match sxm"
        );
    }
    page.check_widths("pinyin-search").await;
}
