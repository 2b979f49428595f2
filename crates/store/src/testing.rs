//! Fresh databases for tests, on SQLite always and on PostgreSQL when `KEXIE_TEST_POSTGRES_URL`
//! names a server (`scripts/test` starts a throwaway cluster and sets it).
//!
//! Each test gets its own database. On PostgreSQL it is copied from a template that is migrated
//! once per set of migrations (the division tree makes migrating take a moment), under an advisory
//! lock because nextest runs every test in its own process.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor, Row};

use crate::crypto::{Algorithm, FieldCipher};
use crate::{Backend, Store, StoreResult};

/// A migrated store on a fresh database, and what keeps it alive.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL server for tests, if one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("KEXIE_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let template = sqlite_template().await.expect("SQLite template");
        std::fs::copy(&template, dir.path().join("kexie.db")).expect("copy the template");
        let url = format!("sqlite://{}/kexie.db?mode=rwc", dir.path().display());
        let store = Store::connect(&url, FieldCipher::generate(Algorithm::Sm4Gcm))
            .await
            .expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        TestDb {
            store,
            url,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> TestDb {
        let admin = postgres_url().expect(
            "KEXIE_TEST_POSTGRES_URL is not set: run scripts/test, which starts a PostgreSQL cluster",
        );
        let template = ensure_template(&admin).await.expect("PostgreSQL template");
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "kexie_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connect to PostgreSQL");
        conn.execute(format!("create database {name} template {template}").as_str())
            .await
            .expect("create test database");
        let url = with_database(&admin, &name);
        let store = Store::connect(&url, FieldCipher::generate(Algorithm::Sm4Gcm))
            .await
            .expect("open PostgreSQL");
        store.migrate().await.expect("migrate PostgreSQL");
        TestDb {
            store,
            url,
            _dir: None,
        }
    }
}

impl TestDb {
    /// Runs SQL on a connection of its own, bypassing the store (tests of tampering).
    pub async fn raw(&self, sql: &str) -> Result<(), sqlx::Error> {
        raw_sql(&self.url, sql).await
    }

    /// The SQLite database's files (main file and write-ahead log), for tests that look at the
    /// bytes on disk.
    pub fn sqlite_files(&self) -> Vec<std::path::PathBuf> {
        match &self._dir {
            Some(dir) => ["kexie.db", "kexie.db-wal"]
                .iter()
                .map(|f| dir.path().join(f))
                .filter(|p| p.exists())
                .collect(),
            None => Vec::new(),
        }
    }
}

/// Runs SQL on a database by URL, bypassing the store: tests that tamper with the data behind
/// Kexie's back use it.
pub async fn raw_sql(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    sqlx::raw_sql(sql).execute(&mut conn).await?;
    conn.close().await
}

/// Runs a query on a database by URL, bypassing the store, and returns the first column of every
/// row as text (tests that look behind Kexie's back: counts, `pragma integrity_check`).
pub async fn query_text(url: &str, sql: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let rows = sqlx::query(sql).fetch_all(&mut conn).await?;
    conn.close().await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// Runs a query on the store's own writer connection and returns the first column of every row
/// as text: tests of what an import leaves the writer of a running server with.
pub async fn on_writer(store: &Store, sql: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(sql).fetch_all(&store.write).await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// Makes a test per database of each async fn taking `&TestDb`: `sqlite::name` always,
/// `postgres::name` when `KEXIE_TEST_POSTGRES_URL` is set (and a skip notice otherwise).
#[macro_export]
macro_rules! stories {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let db = $crate::testing::TestDb::sqlite().await;
                super::$name(&db).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                if $crate::testing::postgres_url().is_none() {
                    eprintln!("skipped: KEXIE_TEST_POSTGRES_URL is not set");
                    return;
                }
                let db = $crate::testing::TestDb::postgres().await;
                super::$name(&db).await;
            })*
        }
    };
}

/// A migrated SQLite database file, built once per set of migrations under the system's temporary
/// directory (guarded by a file lock, since tests run in parallel processes), for tests to copy.
async fn sqlite_template() -> StoreResult<std::path::PathBuf> {
    let dir = std::env::temp_dir().join("kexie-test-templates");
    std::fs::create_dir_all(&dir).map_err(|e| crate::StoreError::Other(e.to_string()))?;
    let fingerprint = crate::migrate::fingerprint(Backend::Sqlite);
    let path = dir.join(format!("sqlite-{fingerprint}.db"));
    let lock = std::fs::File::create(dir.join(format!("sqlite-{fingerprint}.lock")))
        .map_err(|e| crate::StoreError::Other(e.to_string()))?;
    lock.lock()
        .map_err(|e| crate::StoreError::Other(e.to_string()))?;
    if !path.exists() {
        let work = tempfile::tempdir().map_err(|e| crate::StoreError::Other(e.to_string()))?;
        let url = format!("sqlite://{}/t.db?mode=rwc", work.path().display());
        let store = Store::connect(&url, FieldCipher::generate(Algorithm::Sm4Gcm)).await?;
        store.migrate().await?;
        let building = dir.join(format!("sqlite-{fingerprint}.building"));
        let _ = std::fs::remove_file(&building);
        sqlx::query(&format!("vacuum into '{}'", building.display()))
            .execute(&store.write)
            .await?;
        store.close().await;
        std::fs::rename(&building, &path).map_err(|e| crate::StoreError::Other(e.to_string()))?;
    }
    drop(lock);
    Ok(path)
}

/// Replaces the database name of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Creates (once per migration set) a migrated template database and returns its name.
async fn ensure_template(admin: &str) -> StoreResult<String> {
    let name = format!(
        "kexie_template_{}",
        crate::migrate::fingerprint(Backend::Postgres)
    );
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    conn.execute("select pg_advisory_lock(727274)").await?;
    let exists = sqlx::query("select count(*) as n from pg_database where datname = $1")
        .bind(&name)
        .fetch_one(&mut conn)
        .await?
        .try_get::<i64, _>("n")?
        > 0;
    if !exists {
        let building = format!("{name}_building");
        conn.execute(format!("drop database if exists {building}").as_str())
            .await?;
        conn.execute(format!("create database {building}").as_str())
            .await?;
        let store = Store::connect(
            &with_database(admin, &building),
            FieldCipher::generate(Algorithm::Sm4Gcm),
        )
        .await?;
        store.migrate().await?;
        store.close().await;
        conn.execute(format!("alter database {building} rename to {name}").as_str())
            .await?;
    }
    conn.execute("select pg_advisory_unlock(727274)").await?;
    Ok(name)
}

/// Makes the registry fingerprints of this process's imports four bits wide, so that nearly
/// every key seems registered and is looked up by index: what the imports find must not change.
/// nextest runs each test in a process of its own; under `cargo test` the others go the same
/// way, to the same results.
pub fn coarse_fingerprints() {
    crate::person_import::registry::FINGERPRINT_MASK
        .store(0xf, std::sync::atomic::Ordering::Relaxed);
}

/// Imports `rows` into `org_id` as its members, with every right (`None`: a row the file's own
/// checks refused). The imports of the store's and the search index's tests.
pub async fn import_members<I>(
    store: &Store,
    org_id: i64,
    rows: I,
    dry_run: bool,
) -> crate::PersonImportOutcome
where
    I: IntoIterator<Item = Option<crate::ImportPerson>>,
    I::IntoIter: Send + 'static,
{
    let options = crate::PersonImportOptions {
        membership: true,
        dry_run,
        skip_invalid: false,
        expected_rows: 0,
    };
    store
        .import_persons(
            &crate::Scope::everything(),
            org_id,
            rows.into_iter().map(Ok),
            options,
            None,
        )
        .await
        .expect("import")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5433/postgres", "x"),
            "postgres://u@127.0.0.1:5433/x"
        );
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5433/postgres?sslmode=disable", "x"),
            "postgres://u@127.0.0.1:5433/x?sslmode=disable"
        );
    }
}
