//! The real application on port 0, over a fresh database, for black-box tests.

#![allow(dead_code)]

use std::net::SocketAddr;

use kexie_domain::org::OrgKind;
use kexie_domain::role::Role;
use kexie_search::{Feed, SearchIndex};
use kexie_store::testing::TestDb;
use kexie_store::{Actor, Backend, NewAccount, NewOrg, Scope, Store};
use kexie_web::{AppState, Settings};
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: TestDb,
    /// The node's search index (its feed polls every 50 ms).
    pub search: SearchIndex,
    _feed: Feed,
    _search_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        TestApp::start_with(backend, Settings::default()).await
    }

    pub async fn start_with(backend: Backend, settings: Settings) -> TestApp {
        let db = TestDb::new(backend).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let search_dir = tempfile::tempdir().unwrap();
        let search = SearchIndex::open(search_dir.path()).unwrap();
        let feed = search.spawn_feed(db.store.clone(), std::time::Duration::from_millis(50));
        let state = AppState::new(db.store.clone(), settings).with_search(search.clone());
        tokio::spawn(kexie_web::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        TestApp {
            addr,
            client,
            db,
            search,
            _feed: feed,
            _search_dir: search_dir,
            stop: Some(stop),
        }
    }

    /// Waits (bounded) until the search index has applied every change logged so far.
    pub async fn search_settled(&self) {
        for _ in 0..1000 {
            let logged = self.store().search_change_max().await.unwrap();
            if self.search.applied_through() >= logged {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the search index did not catch up");
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A browser of its own (its own cookie jar).
    pub fn browser(&self) -> Browser {
        Browser {
            base: format!("http://{}", self.addr),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_store(true)
                .build()
                .unwrap(),
        }
    }

    /// Creates an account with `PASSWORD` that need not change it.
    pub async fn account(&self, username: &str, role: Role, org_id: Option<i64>) -> i64 {
        self.store()
            .create_account(
                &Scope::everything(),
                &NewAccount {
                    username: username.into(),
                    display_name: None,
                    role,
                    org_id,
                    person_id: None,
                    password: PASSWORD.into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap()
            .account_id
    }

    /// A bearer token for an account.
    pub async fn token(&self, account_id: i64) -> String {
        self.store()
            .create_token(account_id, "test", 1, &Actor::local("test"))
            .await
            .unwrap()
            .1
    }

    /// A bearer token for a new account of `role` at `org_id`.
    pub async fn token_for(&self, username: &str, role: Role, org_id: Option<i64>) -> String {
        let account_id = self.account(username, role, org_id).await;
        self.token(account_id).await
    }

    /// GET an API path with a bearer token.
    pub async fn api(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// GET an API path with a bearer token and parse the JSON answer.
    pub async fn api_json(&self, token: &str, path: &str) -> serde_json::Value {
        self.api(token, path).await.json().await.unwrap()
    }

    /// Sends `body` as JSON to an API path with a bearer token.
    pub async fn send(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// A browser signed in as a new account of `role` at `org_id`.
    pub async fn signed_in(&self, username: &str, role: Role, org_id: Option<i64>) -> Browser {
        self.account(username, role, org_id).await;
        let browser = self.browser();
        let response = browser.sign_in(username, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in of {username}");
        browser
    }

    /// Creates an organisation (everything scope) and returns its id.
    pub async fn org(&self, code: &str, name: &str, parent: Option<i64>, division: &str) -> i64 {
        self.store()
            .create_org(
                &Scope::everything(),
                &NewOrg {
                    code: code.into(),
                    name: name.into(),
                    kind: Some(OrgKind::Kexie),
                    parent_id: parent,
                    division_code: Some(division.into()),
                    ..NewOrg::default()
                },
            )
            .await
            .unwrap()
            .org_id
    }
}

/// The password every test account gets.
pub const PASSWORD: &str = "Songhua-River-2017";

/// A browser: a client with its own cookies, following no redirects.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap()
    }

    /// The text of a page.
    pub async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// The CSRF token of the first form on a page.
    pub async fn csrf(&self, path: &str) -> String {
        let html = self.text(path).await;
        let marker = "name=\"_csrf\" value=\"";
        let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
        html[start..start + html[start..].find('"').unwrap()].to_string()
    }

    /// POSTs a form with the page's CSRF token added.
    pub async fn post_form(
        &self,
        path: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", csrf));
        self.client
            .post(format!("{}{}", self.base, path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf("/login").await;
        self.post_form(
            "/login",
            &csrf,
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Uploads `file` (name, bytes) to a page's form with the page's CSRF token and the text
    /// `fields`; the form page is `path` itself.
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> reqwest::Response {
        let csrf = self.csrf(path).await;
        let mut form = reqwest::multipart::Form::new().text("_csrf", csrf);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(file.1.to_vec()).file_name(file.0.to_string()),
        );
        self.client
            .post(format!("{}{}", self.base, path))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Follows an upload's redirect to its import job and reloads the page, as the browser
    /// does, until the job is done or failed; returns the job's path and its final page.
    pub async fn finish_import(&self, response: reqwest::Response) -> (String, String) {
        assert_eq!(response.status(), 303, "an upload starts a job");
        let job = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("a redirect to the job")
            .to_string();
        assert!(job.starts_with("/imports/"), "{job}");
        // Bounded so that a job that never ends fails the test instead of hanging it.
        for _ in 0..6000 {
            let page = self.get(&job).await;
            assert_eq!(page.status(), 200, "{job}");
            let html = page.text().await.unwrap();
            if html.contains("data-phase=\"done\"") || html.contains("data-phase=\"failed\"") {
                assert!(
                    !html.contains("http-equiv=\"refresh\""),
                    "a finished job stops reloading"
                );
                return (job, html);
            }
            assert!(
                html.contains("http-equiv=\"refresh\""),
                "a running job reloads itself"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the import {job} did not finish");
    }

    /// The session cookie's value, if signed in.
    pub fn session_cookie(&self, response: &reqwest::Response) -> Option<String> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("kexie_session="))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
            .filter(|v| !v.is_empty())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Makes a test per database of each async fn taking `Backend`: `sqlite::name` always,
/// `postgres::name` when `KEXIE_TEST_POSTGRES_URL` is set.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(kexie_store::Backend::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                if kexie_store::testing::postgres_url().is_none() {
                    eprintln!("skipped: KEXIE_TEST_POSTGRES_URL is not set");
                    return;
                }
                super::$name(kexie_store::Backend::Postgres).await;
            })*
        }
    };
}
