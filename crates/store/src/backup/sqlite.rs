//! SQLite: a consistent snapshot with `VACUUM INTO` (readers and the writer go on meanwhile),
//! checks of a database file no one else has open, and putting a restored file in place.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection, Executor, Row};

use super::digest::{self, TableDigest};
use super::BackupError;
use crate::FieldCipher;

/// The database file a `sqlite:` URL names.
pub fn file_of(url: &str) -> Result<PathBuf, BackupError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| BackupError::Refused(format!("数据库地址无效 / invalid database URL: {e}")))?;
    let path = options.get_filename().to_path_buf();
    if path.as_os_str().is_empty() || path.to_string_lossy().starts_with("file:sqlx-in-memory") {
        return Err(BackupError::Refused(
            "内存数据库无法备份或恢复 / an in-memory database cannot be backed up or restored"
                .into(),
        ));
    }
    Ok(path)
}

async fn connect(options: SqliteConnectOptions) -> Result<AnyConnection, BackupError> {
    sqlx::any::install_default_drivers();
    let url = options.to_url_lossy();
    AnyConnection::connect(url.as_str())
        .await
        .map_err(|e| BackupError::Failed(format!("SQLite: {e}")))
}

/// A file only this process looks at: opened read-only and immutable, so SQLite writes no
/// journal or shared-memory file beside it.
pub async fn open_quiet(path: &Path) -> Result<AnyConnection, BackupError> {
    connect(
        SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(true),
    )
    .await
}

/// Writes a consistent snapshot of the live database `live` to `snapshot` (which must not exist).
pub async fn snapshot(live: &Path, snapshot: &Path) -> Result<(), BackupError> {
    if !live.is_file() {
        return Err(BackupError::Refused(format!(
            "数据库文件不存在：{} / no database file at {}",
            live.display(),
            live.display()
        )));
    }
    let mut conn = connect(
        SqliteConnectOptions::new()
            .filename(live)
            .create_if_missing(false),
    )
    .await?;
    conn.execute("pragma busy_timeout = 30000").await?;
    sqlx::query("vacuum into $1")
        .bind(snapshot.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

/// What a database file holds: its migration level, whether the key fits its audit trail, its
/// integrity check and every table's figures.
pub struct FileFigures {
    pub schema_version: i64,
    pub key_fits: bool,
    pub integrity: String,
    pub tables: Vec<TableDigest>,
}

pub async fn figures(
    path: &Path,
    cipher: &FieldCipher,
    integrity_check: bool,
) -> Result<FileFigures, BackupError> {
    let mut conn = open_quiet(path).await?;
    let schema_version = super::schema_version(&mut conn).await?;
    let key_fits = crate::audit::newest_record_fits(&mut conn, cipher).await?;
    let integrity = if integrity_check {
        let rows = sqlx::query("pragma integrity_check")
            .fetch_all(&mut conn)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()?
            .join("; ")
    } else {
        "ok".to_string()
    };
    let tables = digest::sqlite_tables(&mut conn).await?;
    conn.close().await?;
    Ok(FileFigures {
        schema_version,
        key_fits,
        integrity,
        tables,
    })
}

fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes sure no process has the database open before it is replaced: open it, checkpoint its
/// write-ahead log and close it. SQLite removes the `-wal` and `-shm` files when the last
/// connection closes, so if they are still there, someone else (a running `kexie serve`) has it.
pub async fn ensure_unused(target: &Path) -> Result<(), BackupError> {
    if target.exists() {
        let opened = connect(
            SqliteConnectOptions::new()
                .filename(target)
                .create_if_missing(false),
        )
        .await;
        if let Ok(mut conn) = opened {
            let _ = conn.execute("pragma wal_checkpoint(truncate)").await;
            let _ = conn.close().await;
        }
    }
    for suffix in ["-wal", "-shm"] {
        if side_file(target, suffix).exists() {
            return Err(BackupError::Refused(format!(
                "数据库正在使用（{} 存在），请先停止 kexie serve / the database is in use ({} exists): stop kexie serve first",
                side_file(target, suffix).display(),
                side_file(target, suffix).display()
            )));
        }
    }
    Ok(())
}
