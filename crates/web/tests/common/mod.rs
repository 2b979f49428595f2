//! The real application on port 0, over a fresh database, for black-box tests.

#![allow(dead_code)]

use std::net::SocketAddr;

use kexie_store::testing::TestDb;
use kexie_store::{Backend, Store};
use kexie_web::{AppState, Settings};
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: TestDb,
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
        let state = AppState::new(db.store.clone(), settings);
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
            stop: Some(stop),
        }
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
