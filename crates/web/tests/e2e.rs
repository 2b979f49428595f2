//! The pages in a real browser (issue 9): Debian's Chromium, driven over WebDriver, uses the real
//! application over the small demo data set the way a county's staff would — by keyboard where
//! it matters — and each flow checks what a person would check, then leaves a screenshot at
//! desktop and phone width in `target/e2e/` and proves that nothing scrolls sideways on a phone.
//!
//! Without `chromium` and `chromedriver` the test says so loudly and passes, so that `cargo
//! test` works anywhere; `scripts/test` installs them and sets `KEXIE_E2E_REQUIRE=1`, which turns
//! their absence into a failure.

mod browser;
mod common;

use std::time::Instant;

use browser::{Driver, Page};
use chrono::Datelike;
use common::TestApp;
use fantoccini::key::Key;
use fantoccini::Locator;
use kexie_domain::governance::{AppointmentMethod, Position};
use kexie_domain::id_number::check_char;
use kexie_domain::pinyin::name_initials;
use kexie_domain::role::Role;
use kexie_store::{
    Backend, BodyKind, LedgerFilter, NewPerson, NewPlan, NewPost, NewTask, NewTerm, Scope,
};

/// What the flows find in the database, arranged before the browser starts.
struct Fixture {
    province: i64,
    harbin: i64,
    person: i64,
    plan: i64,
    society: i64,
    society_name: String,
    task: i64,
    task_text: String,
    pilot: i64,
}

/// The small demo data set, an account for the province's administrator, a society whose
/// council term is overdue, a person whose surname has a special reading (单 is "shan"), and a
/// provincial work plan with a task for Harbin.
async fn arrange(app: &TestApp) -> Fixture {
    let store = app.store();
    let all = Scope::everything();
    store.load_demo_small(7).await.unwrap();
    let province = store.org_by_code(&all, "23KX").await.unwrap();
    let harbin = store.org_by_code(&all, "2301KX").await.unwrap();
    app.account("e2e.province", Role::OrgAdmin, Some(province.org_id))
        .await;
    let person = store
        .create_person(
            &all,
            &NewPerson {
                org_id: harbin.org_id,
                name: "单晓明".into(),
                employer: Some("冰城电子科技有限公司".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id;

    // A key person in post in Harbin and a pilot programme with units, progress and a group.
    store
        .add_org_post(
            &all,
            harbin.org_id,
            &kexie_store::NewOrgPost {
                person_id: person,
                role: kexie_domain::network::PostRole::ViceChair,
                mode: Some(kexie_domain::network::PostMode::PartTime),
                key_kind: Some(kexie_domain::network::KeyPersonKind::TechEntrepreneur),
                started_on: None,
                ended_on: None,
            },
        )
        .await
        .unwrap();
    let pilot = store
        .create_pilot(
            &all,
            &kexie_store::NewPilot {
                org_id: harbin.org_id,
                name: "科协基层组织建设“四+一”试点".into(),
                doc_number: Some("哈科协发〔2018〕12号".into()),
                categories: vec![kexie_store::NewPilotCategory {
                    name: "企业科协".into(),
                    units: vec![kexie_store::NewPilotUnit {
                        name: Some("冰城电子科技有限公司".into()),
                        contact_name: Some("科普部 单晓明".into()),
                        contact_phone: Some("13800138000".into()),
                        ..kexie_store::NewPilotUnit::default()
                    }],
                }],
                group: vec![kexie_store::NewGroupMember {
                    role: kexie_domain::network::GroupRole::Leader,
                    person_id: Some(person),
                    name: None,
                    title: Some("副主席".into()),
                }],
                ..kexie_store::NewPilot::default()
            },
        )
        .await
        .unwrap()
        .summary
        .pilot_id;

    let society = store.org_by_code(&all, "23XH01").await.unwrap();
    let council = store
        .create_body(&all, society.org_id, BodyKind::Council, "")
        .await
        .unwrap();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let term = store
        .create_term(
            &all,
            council,
            &NewTerm {
                number: 7,
                start_on: day(2015, 5, 1),
                planned_end: day(2020, 4, 30),
                actual_end: None,
            },
        )
        .await
        .unwrap();
    for (name, position) in [
        ("甲会长", Position::President),
        ("乙理事", Position::CouncilMember),
    ] {
        let person = store
            .create_person(
                &all,
                &NewPerson {
                    org_id: society.org_id,
                    name: name.into(),
                    grassroots: true,
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap();
        store
            .add_post(
                &all,
                term,
                &NewPost {
                    person_id: person.person_id,
                    position,
                    appointment: AppointmentMethod::Elected,
                    full_time: false,
                },
            )
            .await
            .unwrap();
    }

    let year = chrono::Utc::now().year();
    let task_text = "推动基层科协组织全覆盖".to_string();
    let plan = store
        .create_plan(
            &all,
            &NewPlan {
                org_id: province.org_id,
                title: format!("{year}年全省科协工作要点"),
                year: i64::from(year),
                tasks: vec![NewTask {
                    number: "1".into(),
                    section: None,
                    text: task_text.clone(),
                    measures: vec!["乡镇科协应建尽建".into()],
                    deadline: kexie_domain::deadline::parse_deadline(
                        &format!("{year}年12月底前"),
                        Some(year),
                    ),
                    deadline_inherited: false,
                    leader: None,
                    department: Some("组织人事部".into()),
                    co_departments: Vec::new(),
                    units: vec![harbin.name.clone()],
                    implements_task_id: None,
                }],
                ..NewPlan::default()
            },
            false,
        )
        .await
        .unwrap();
    let plan = plan.plan_id.unwrap();
    let task = store
        .plan_tasks(&all, plan, chrono::NaiveDate::MIN)
        .await
        .unwrap()[0]
        .task_id;
    Fixture {
        province: province.org_id,
        harbin: harbin.org_id,
        person,
        plan,
        society: society.org_id,
        society_name: society.name,
        task,
        task_text,
        pilot,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_a_real_browser() {
    let (chromium, chromedriver) = match browser::find_programs() {
        Ok(found) => found,
        Err(missing) => {
            if std::env::var_os(browser::REQUIRE_ENV).is_some() {
                panic!("the browser tests must run but cannot: {missing}");
            }
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !!! SKIPPED: the browser tests did NOT run: {missing}\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            return;
        }
    };
    let started = Instant::now();
    let app = TestApp::start(Backend::Sqlite).await;
    let fixture = arrange(&app).await;
    let driver = Driver::start(chromium, chromedriver);
    let page = Page {
        client: driver.session().await,
        base: format!("http://{}", app.addr),
    };
    // The flows run in a task of their own so that the browser is closed even when one fails.
    let flows = tokio::spawn(run_flows(page.clone(), app, fixture));
    let outcome = flows.await;
    let _ = page.client.close().await;
    drop(driver);
    let ran = match outcome {
        Ok(ran) => ran,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let summary = format!(
        "e2e: {} flows passed in Chromium in {:.0?}: {}\nscreenshots: target/e2e/<flow>-desktop.png and -phone.png\n",
        ran.len(),
        started.elapsed(),
        ran.join(", ")
    );
    std::fs::write(browser::output_dir().join("summary.txt"), &summary).unwrap();
    eprintln!("{summary}");
}

async fn run_flows(page: Page, app: TestApp, f: Fixture) -> Vec<&'static str> {
    let mut ran = Vec::new();
    signing_in_by_keyboard(&page).await;
    ran.push("sign-in");
    browsing_the_organisation_tree(&page).await;
    ran.push("organisation-tree");
    creating_an_organisation_by_keyboard(&page, &app, f.harbin).await;
    ran.push("new-organisation");
    importing_people_and_watching_progress(&page, &app, f.harbin).await;
    ran.push("import");
    finding_a_person_by_pinyin_initials(&page).await;
    ran.push("pinyin-search");
    opening_a_governance_check(&page, f.society, &f.society_name).await;
    ran.push("governance");
    reporting_progress_on_a_task(&page, f.task, &f.task_text).await;
    ran.push("task-progress");
    every_other_page_on_a_phone(&page, &f).await;
    ran.push("all-pages");
    signing_out(&page, &app).await;
    ran.push("sign-out");
    ran
}

/// Sign-in with nothing but the keyboard: the field that has the focus, Tab, Enter.
async fn signing_in_by_keyboard(page: &Page) {
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
    page.keys(common::PASSWORD).await;
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
async fn browsing_the_organisation_tree(page: &Page) {
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
async fn creating_an_organisation_by_keyboard(page: &Page, app: &TestApp, harbin: i64) {
    page.open(&format!("/orgs/new?parent={harbin}")).await;
    // The first Tab lands on the skip link, which takes the focus past the menu.
    page.press(Key::Tab).await;
    assert_eq!(
        page.script("return document.activeElement.className").await,
        "skip"
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
async fn importing_people_and_watching_progress(page: &Page, app: &TestApp, harbin: i64) {
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
            browser::output_dir().join("import-running-desktop.png"),
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
async fn finding_a_person_by_pinyin_initials(page: &Page) {
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

/// The society's governance check: the council against its cap, the overdue term found.
async fn opening_a_governance_check(page: &Page, society: i64, name: &str) {
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
async fn reporting_progress_on_a_task(page: &Page, task: i64, text: &str) {
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
async fn every_other_page_on_a_phone(page: &Page, f: &Fixture) {
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
async fn signing_out(page: &Page, app: &TestApp) {
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
