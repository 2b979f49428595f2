//! What the tests of posts and pilot programmes share: a county 科协 with a staff account signed
//! in through the API and the browser, and people of its registry.

use kexie_domain::role::Role;
use kexie_store::{Backend, NewPerson, Scope};
use serde_json::Value;

use crate::common::{self, Browser, TestApp};

pub struct Setup {
    pub app: TestApp,
    pub county: i64,
    pub token: String,
    pub browser: Browser,
}

/// A county 科协 (道里区) with a street below it, and a staff account of the county.
pub async fn setup(backend: Backend) -> Setup {
    let app = TestApp::start(backend).await;
    let county = app.org("D", "道里区科协", None, "230102000000").await;
    let account = app.account("staff", Role::OrgStaff, Some(county)).await;
    let token = app.token(account).await;
    let browser = app.browser();
    browser.sign_in("staff", common::PASSWORD).await;
    Setup {
        app,
        county,
        token,
        browser,
    }
}

pub async fn person(app: &TestApp, org_id: i64, name: &str) -> i64 {
    app.store()
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id,
                name: name.into(),
                employer: Some("某县人民医院".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

pub async fn send(
    s: &Setup,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> reqwest::Response {
    s.app.send(&s.token, method, path, &body).await
}

/// GET an API path as the county's staff and parse the JSON answer.
pub async fn get_json(s: &Setup, path: &str) -> Value {
    s.app.api_json(&s.token, path).await
}
