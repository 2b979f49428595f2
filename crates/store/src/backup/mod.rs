//! Backups: one encrypted archive holds the database, the field-encryption key and a manifest
//! (schema version, row count and hash of every table); it is checked without restoring, and
//! restored all at once or not at all.
//!
//! The field-encryption key travels inside the archive, sealed with everything else under a key
//! derived from the operator's passphrase (argon2id): the archive and the passphrase are all a
//! new machine needs, and the archive alone reveals nothing. See `archive.rs` for the file format,
//! `content.rs` for what the encrypted stream carries and `digest.rs` for the table hashes.

mod archive;
mod content;
mod create;
mod digest;
mod pg;
mod read;
mod restore;
mod sqlite;

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Connection, Row};

pub use archive::Header;
pub use create::create;
pub use digest::TableDigest;
pub use read::{read_header, verify};
pub use restore::restore;

use crate::StoreError;

/// Why a backup, check or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Refused before anything was done: bad input or a situation the operator must resolve.
    #[error("{0}")]
    Refused(String),
    /// The archive is damaged, altered, cut short, or the passphrase is wrong.
    #[error("{0}")]
    Damaged(String),
    /// Something failed while running (disk, database, a PostgreSQL tool).
    #[error("{0}")]
    Failed(String),
}

impl BackupError {
    pub(crate) fn io(e: io::Error) -> BackupError {
        if e.get_ref()
            .is_some_and(|inner| inner.is::<archive::ChunkError>())
        {
            return BackupError::Damaged(e.to_string());
        }
        match e.kind() {
            io::ErrorKind::InvalidData
            | io::ErrorKind::InvalidInput
            | io::ErrorKind::UnexpectedEof => {
                BackupError::Damaged(format!("备份内容损坏 / damaged archive content: {e}"))
            }
            _ => BackupError::Failed(format!("读写失败 / input/output error: {e}")),
        }
    }
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> BackupError {
        BackupError::Failed(e.to_string())
    }
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> BackupError {
        BackupError::Failed(format!("数据库 / database: {e}"))
    }
}

/// A passphrase fit to seal a backup: at least 12 characters.
pub struct Passphrase(pub(crate) String);

impl Passphrase {
    pub const MIN_CHARS: usize = 12;

    pub fn new(text: String) -> Result<Passphrase, BackupError> {
        if text.is_empty() {
            return Err(BackupError::Refused(
                "备份口令为空 / the backup passphrase is empty".into(),
            ));
        }
        if text.chars().count() < Self::MIN_CHARS {
            return Err(BackupError::Refused(format!(
                "备份口令至少 {n} 个字符 / the backup passphrase must be at least {n} characters",
                n = Self::MIN_CHARS
            )));
        }
        Ok(Passphrase(text))
    }
}

/// What the archive says it holds, sealed inside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub kexie_version: String,
    pub created_at: String,
    pub backend: String,
    pub schema_version: i64,
    /// How table hashes are computed (`sm3-sum-v1`, see `digest.rs`).
    pub hash_scheme: String,
    pub tables: Vec<TableDigest>,
    pub payload: PayloadFigures,
}

/// The database payload: a SQLite file or plain `pg_dump` output.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PayloadFigures {
    /// `sqlite-file` or `pg_dump-plain`.
    pub kind: String,
    pub bytes: u64,
    /// SM3, hex.
    pub sm3: String,
}

/// A backup written.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub file: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
}

/// One table as checked against the manifest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TableCheck {
    pub name: String,
    pub rows: u64,
    pub hash: String,
    pub ok: bool,
}

/// The outcome of checking an archive (or a restored database) against its manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub backend: String,
    pub schema_version: i64,
    pub created_at: String,
    pub kexie_version: String,
    pub tables: Vec<TableCheck>,
    /// What did not match, one line each.
    pub problems: Vec<String>,
}

/// A restore done.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub verification: Verification,
    /// `written`, `replaced`, `kept` (the data directory already held it) or `environment`
    /// (`KEXIE_FIELD_KEY` holds it).
    pub key: &'static str,
}

pub(crate) async fn connect(url: &str) -> Result<AnyConnection, BackupError> {
    sqlx::any::install_default_drivers();
    Ok(AnyConnection::connect(url).await?)
}

/// The migration level recorded in a database.
pub(crate) async fn schema_version(conn: &mut AnyConnection) -> Result<i64, BackupError> {
    sqlx::query("select coalesce(max(version), 0) as v from _sqlx_migrations")
        .fetch_one(conn)
        .await
        .and_then(|r| r.try_get::<i64, _>("v"))
        .map_err(|_| {
            BackupError::Refused(
                "这不是 Kexie 数据库（没有迁移记录） / not a Kexie database (no migrations recorded)".into(),
            )
        })
}

pub(crate) fn key_does_not_fit() -> BackupError {
    BackupError::Refused(
        "字段加密密钥与数据库不符（审计链的最新记录无法用它验证） / the field-encryption key does not belong to this database (the newest audit record does not verify with it)".into(),
    )
}

pub(crate) fn exists(path: &Path) -> BackupError {
    BackupError::Refused(format!(
        "文件已存在，不会覆盖：{} / the file already exists and is not overwritten: {}",
        path.display(),
        path.display()
    ))
}

pub(crate) fn io_at(path: &Path, e: io::Error) -> BackupError {
    BackupError::Failed(format!("{}: {e}", path.display()))
}

pub(crate) fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
