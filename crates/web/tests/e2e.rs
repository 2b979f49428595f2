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
#[path = "e2e/fixture.rs"]
mod fixture;
#[path = "e2e/registry.rs"]
mod registry;
#[path = "e2e/work.rs"]
mod work;

use std::time::Instant;

use browser::{Driver, Page};
use common::TestApp;
use fixture::{arrange, Fixture};
use kexie_store::Backend;
use registry::*;
use work::*;

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
