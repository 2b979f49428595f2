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
mod digest;
mod pg;
mod sqlite;

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Connection, Row};

pub use archive::Header;
pub use digest::TableDigest;

use crate::{Backend, FieldCipher, StoreError};
use content::{ContentReader, ContentWriter, PayloadWriter};

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
pub struct Passphrase(String);

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

/// Where the field key comes from on restore, and what to do with the archive's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyPlan {
    Write,
    Replace,
    Keep,
    Environment,
}

/// Writes a backup of the database at `database_url` and of `cipher`'s key to `out`, which
/// must not exist. The archive appears only when complete.
pub async fn create(
    database_url: &str,
    cipher: &FieldCipher,
    out: &Path,
    passphrase: &Passphrase,
) -> Result<Created, BackupError> {
    let backend =
        Backend::from_url(database_url).map_err(|e| BackupError::Refused(e.to_string()))?;
    if out.exists() {
        return Err(exists(out));
    }
    let dir = parent(out);
    match backend {
        Backend::Sqlite => {
            let live = sqlite::file_of(database_url)?;
            // The snapshot holds everything the database does: it lives in a private directory
            // beside the archive and goes when this function returns.
            let work = tempfile::Builder::new()
                .prefix(".kexie-backup-")
                .tempdir_in(&dir)
                .map_err(|e| io_at(&dir, e))?;
            let snapshot = work.path().join("snapshot.db");
            sqlite::snapshot(&live, &snapshot).await?;
            let figures = sqlite::figures(&snapshot, cipher, false).await?;
            if !figures.key_fits {
                return Err(key_does_not_fit());
            }
            let header = Header::new("sqlite", figures.schema_version, cipher.algorithm());
            let key = header.derive_key(&passphrase.0)?;
            let file = File::open(&snapshot).map_err(|e| io_at(&snapshot, e))?;
            let mut source = BufReader::with_capacity(64 * 1024, file);
            write_archive(out, &header, key, cipher, "sqlite-file", |payload| {
                io::copy(&mut source, payload).map_err(BackupError::io)?;
                Ok(figures.tables)
            })
        }
        Backend::Postgres => {
            let mut conn = connect(database_url).await?;
            let schema_version = schema_version(&mut conn).await?;
            let fits = crate::audit::newest_record_fits(&mut conn, cipher).await?;
            conn.close().await?;
            if !fits {
                return Err(key_does_not_fit());
            }
            let header = Header::new("postgres", schema_version, cipher.algorithm());
            let key = header.derive_key(&passphrase.0)?;
            write_archive(out, &header, key, cipher, "pg_dump-plain", |payload| {
                let mut tables = digest::DumpDigest::default();
                pg::dump(database_url, &mut |data| {
                    tables.feed(data);
                    payload.write_all(data)
                })?;
                tables.finish().ok_or_else(|| {
                    BackupError::Failed("pg_dump 输出不完整 / pg_dump output incomplete".into())
                })
            })
        }
    }
}

/// Writes the archive to a temporary file beside `out`, then moves it into place.
fn write_archive(
    out: &Path,
    header: &Header,
    key: [u8; 32],
    cipher: &FieldCipher,
    kind: &str,
    payload: impl FnOnce(
        &mut PayloadWriter<'_, BufWriter<File>>,
    ) -> Result<Vec<TableDigest>, BackupError>,
) -> Result<Created, BackupError> {
    let dir = parent(out);
    let temp = tempfile::Builder::new()
        .prefix(".kexie-backup-")
        .suffix(".partial")
        .tempfile_in(&dir)
        .map_err(|e| io_at(&dir, e))?;
    let file = temp.reopen().map_err(|e| io_at(temp.path(), e))?;
    let mut content =
        ContentWriter::new(BufWriter::new(file), header, key).map_err(BackupError::io)?;
    content
        .record(content::KEY, cipher.to_text().as_bytes())
        .map_err(BackupError::io)?;
    let mut writer = PayloadWriter::new(&mut content);
    let tables = payload(&mut writer)?;
    let bytes = writer.bytes;
    let sm3 = writer.sm3();
    let manifest = Manifest {
        format: archive::FORMAT,
        kexie_version: header.kexie_version.clone(),
        created_at: header.created_at.clone(),
        backend: header.backend.clone(),
        schema_version: header.schema_version,
        hash_scheme: digest::SCHEME.to_string(),
        tables,
        payload: PayloadFigures {
            kind: kind.to_string(),
            bytes,
            sm3,
        },
    };
    let json = serde_json::to_vec(&manifest).map_err(|e| BackupError::Failed(e.to_string()))?;
    content
        .record(content::MANIFEST, &json)
        .map_err(BackupError::io)?;
    let file = content
        .finish()
        .map_err(BackupError::io)?
        .into_inner()
        .map_err(|e| BackupError::io(e.into_error()))?;
    file.sync_all().map_err(|e| io_at(out, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    drop(file);
    temp.persist_noclobber(out).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            exists(out)
        } else {
            io_at(out, e.error)
        }
    })?;
    crate::crypto::sync_dir(&dir).map_err(|e| io_at(&dir, e))?;
    Ok(Created {
        file: out.to_path_buf(),
        bytes: size,
        manifest,
    })
}

/// Reads the header of the archive at `path`.
pub fn read_header(path: &Path) -> Result<Header, BackupError> {
    let (header, _, _) = open_archive(path)?;
    Ok(header)
}

fn open_archive(path: &Path) -> Result<(Header, Vec<u8>, BufReader<File>), BackupError> {
    let file = File::open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            BackupError::Refused(format!(
                "备份文件不存在：{} / no such archive: {}",
                path.display(),
                path.display()
            ))
        } else {
            io_at(path, e)
        }
    })?;
    let mut input = BufReader::with_capacity(256 * 1024, file);
    let (header, raw) = Header::read(&mut input)?;
    Ok((header, raw, input))
}

/// What reading an archive's content gave.
struct Unpacked {
    key: FieldCipher,
    manifest: Manifest,
}

/// Decrypts and reads the whole content of the archive at `path`: the key goes to `on_key`
/// before any payload is read, the payload to `sink`. Every chunk is authenticated, and the
/// payload's length and SM3 are checked against the manifest.
fn read_content(
    path: &Path,
    passphrase: &Passphrase,
    on_key: &mut dyn FnMut(&FieldCipher) -> Result<(), BackupError>,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), BackupError>,
) -> Result<Unpacked, BackupError> {
    use sm3::Digest;
    let (header, raw, input) = open_archive(path)?;
    let key = header.derive_key(&passphrase.0)?;
    let mut reader = ContentReader::new(archive::ChunkReader::new(input, &header, raw, key));
    let mut buf = Vec::new();
    let out_of_order = |what: &str| {
        BackupError::Damaged(format!(
            "备份内容结构错误 / malformed archive content: {what}"
        ))
    };
    if reader.next(&mut buf).map_err(BackupError::io)? != content::KEY {
        return Err(out_of_order("key"));
    }
    let text = String::from_utf8(buf.clone()).map_err(|_| out_of_order("key"))?;
    let field_key = FieldCipher::from_text(&text).map_err(|_| out_of_order("key"))?;
    on_key(&field_key)?;
    let mut digest = sm3::Sm3::new();
    let mut bytes = 0u64;
    let manifest = loop {
        match reader.next(&mut buf).map_err(BackupError::io)? {
            content::DATA => {
                digest.update(&buf);
                bytes += buf.len() as u64;
                sink(&buf)?;
            }
            content::MANIFEST => {
                break serde_json::from_slice::<Manifest>(&buf)
                    .map_err(|e| out_of_order(&format!("manifest: {e}")))?
            }
            _ => return Err(out_of_order("record")),
        }
    };
    if reader.next(&mut buf).map_err(BackupError::io)? != content::END {
        return Err(out_of_order("end"));
    }
    reader.close().map_err(BackupError::io)?;
    let sm3 = hex::encode(digest.finalize());
    if manifest.payload.bytes != bytes || manifest.payload.sm3 != sm3 {
        return Err(BackupError::Damaged(
            "数据库内容与清单不符 / the database payload does not match the manifest".into(),
        ));
    }
    if manifest.backend != header.backend || manifest.schema_version != header.schema_version {
        return Err(BackupError::Damaged(
            "清单与文件头不符 / the manifest does not match the header".into(),
        ));
    }
    Ok(Unpacked {
        key: field_key,
        manifest,
    })
}

/// Compares figures with the manifest, table by table.
fn compare(manifest: &Manifest, found: &[TableDigest], mut problems: Vec<String>) -> Verification {
    let mut tables = Vec::new();
    for expected in &manifest.tables {
        let got = found.iter().find(|t| t.name == expected.name);
        let ok = got == Some(expected);
        if !ok {
            problems.push(match got {
                None => format!("表 {0} 缺失 / table {0} missing", expected.name),
                Some(g) => format!(
                    "表 {0}：清单 {1} 行，实有 {2} 行，散列{3} / table {0}: manifest {1} rows, found {2}, hash {4}",
                    expected.name,
                    expected.rows,
                    g.rows,
                    if g.hash == expected.hash { "相同" } else { "不同" },
                    if g.hash == expected.hash { "equal" } else { "differs" },
                ),
            });
        }
        tables.push(TableCheck {
            name: expected.name.clone(),
            rows: got.map(|g| g.rows).unwrap_or(0),
            hash: got.map(|g| g.hash.clone()).unwrap_or_default(),
            ok,
        });
    }
    for extra in found {
        if !manifest.tables.iter().any(|t| t.name == extra.name) {
            problems.push(format!(
                "表 {0} 不在清单中 / table {0} is not in the manifest",
                extra.name
            ));
        }
    }
    Verification {
        ok: problems.is_empty(),
        backend: manifest.backend.clone(),
        schema_version: manifest.schema_version,
        created_at: manifest.created_at.clone(),
        kexie_version: manifest.kexie_version.clone(),
        tables,
        problems,
    }
}

/// Checks a SQLite file against the manifest: integrity, migration level, key, every table.
async fn check_sqlite_file(file: &Path, read: &Unpacked) -> Result<Verification, BackupError> {
    let figures = sqlite::figures(file, &read.key, true).await?;
    let mut problems = Vec::new();
    if figures.integrity != "ok" {
        problems.push(format!(
            "完整性检查未通过 / integrity check failed: {}",
            figures.integrity.chars().take(300).collect::<String>()
        ));
    }
    if figures.schema_version != read.manifest.schema_version {
        problems.push(format!(
            "结构版本 {} 与清单的 {} 不符 / schema version {} differs from the manifest's {}",
            figures.schema_version,
            read.manifest.schema_version,
            figures.schema_version,
            read.manifest.schema_version
        ));
    }
    if !figures.key_fits {
        problems.push(key_does_not_fit().to_string());
    }
    Ok(compare(&read.manifest, &figures.tables, problems))
}

/// Checks an archive without restoring it: header, passphrase and authentication of every
/// chunk, the manifest, and every table's count and hash (a SQLite payload is unpacked to a
/// private temporary file to count it, then removed).
pub async fn verify(path: &Path, passphrase: &Passphrase) -> Result<Verification, BackupError> {
    let header = read_header(path)?;
    match header.backend.as_str() {
        "sqlite" => {
            let mut temp = tempfile::Builder::new()
                .prefix("kexie-verify-")
                .tempfile()
                .map_err(|e| BackupError::Failed(format!("临时文件 / temporary file: {e}")))?;
            let read = {
                let mut out = BufWriter::new(temp.as_file_mut());
                let read = read_content(path, passphrase, &mut |_| Ok(()), &mut |data| {
                    out.write_all(data).map_err(BackupError::io)
                })?;
                out.flush().map_err(BackupError::io)?;
                read
            };
            check_sqlite_file(temp.path(), &read).await
        }
        "postgres" => {
            let mut tables = digest::DumpDigest::default();
            let read = read_content(path, passphrase, &mut |_| Ok(()), &mut |data| {
                tables.feed(data);
                Ok(())
            })?;
            let found = tables.finish().ok_or_else(|| {
                BackupError::Damaged("pg_dump 内容不完整 / pg_dump payload incomplete".into())
            })?;
            Ok(compare(&read.manifest, &found, Vec::new()))
        }
        other => Err(BackupError::Damaged(format!(
            "未知的数据库类型 / unknown backend {other:?}"
        ))),
    }
}

/// Restores the archive at `path` into the database at `database_url`, and its key into
/// `data_dir`. Refused: an archive from a newer schema or the other database, a different key
/// already in place (unless `replace_key`), a SQLite database in use, a PostgreSQL database that
/// is not empty. SQLite: the file is written beside the target, checked, then renamed into
/// place. PostgreSQL: the archive is checked in full first, then fed to `psql` in one
/// transaction, and the restored database is dumped again and compared with the manifest.
pub async fn restore(
    path: &Path,
    passphrase: &Passphrase,
    database_url: &str,
    data_dir: &Path,
    replace_key: bool,
) -> Result<Restored, BackupError> {
    let backend =
        Backend::from_url(database_url).map_err(|e| BackupError::Refused(e.to_string()))?;
    let header = read_header(path)?;
    if header.backend != backend.name() {
        return Err(BackupError::Refused(format!(
            "这是 {} 数据库的备份，不能恢复到 {} / this is a backup of a {} database: it cannot be restored into {}",
            header.backend,
            backend.name(),
            header.backend,
            backend.name()
        )));
    }
    let latest = crate::migrate::latest_schema_version(backend);
    if header.schema_version > latest {
        return Err(BackupError::Refused(format!(
            "备份的数据库结构版本 {} 比本程序的 {} 新，请先升级 kexie / the archive's schema version {} is newer than this kexie's {}: upgrade kexie first",
            header.schema_version, latest, header.schema_version, latest
        )));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| io_at(data_dir, e))?;
    let mut plan = KeyPlan::Keep;
    let mut decide = |key: &FieldCipher| {
        plan = key_plan(key, data_dir, replace_key)?;
        Ok(())
    };
    match backend {
        Backend::Sqlite => {
            let target = sqlite::file_of(database_url)?;
            let dir = parent(&target);
            std::fs::create_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
            let mut temp = tempfile::Builder::new()
                .prefix(".kexie-restore-")
                .tempfile_in(&dir)
                .map_err(|e| io_at(&dir, e))?;
            let read = {
                let mut out = BufWriter::new(temp.as_file_mut());
                let read = read_content(path, passphrase, &mut decide, &mut |data| {
                    out.write_all(data).map_err(BackupError::io)
                })?;
                out.flush().map_err(BackupError::io)?;
                read
            };
            temp.as_file()
                .sync_all()
                .map_err(|e| io_at(temp.path(), e))?;
            let verification = check_sqlite_file(temp.path(), &read).await?;
            if !verification.ok {
                return Err(BackupError::Damaged(format!(
                    "恢复出的数据库未通过校验，未作任何改动 / the restored database fails its checks, nothing was changed: {}",
                    verification.problems.join("; ")
                )));
            }
            sqlite::ensure_unused(&target).await?;
            install_key(&read.key, data_dir, plan)?;
            temp.persist(&target).map_err(|e| io_at(&target, e.error))?;
            crate::crypto::sync_dir(&dir).map_err(|e| io_at(&dir, e))?;
            Ok(Restored {
                verification,
                key: plan.name(),
            })
        }
        Backend::Postgres => {
            let mut conn = connect(database_url).await?;
            let relations: i64 = sqlx::query(
                "select count(*) as n from pg_class c join pg_namespace n on n.oid = c.relnamespace \
                 where n.nspname not in ('pg_catalog', 'information_schema') \
                 and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'",
            )
            .fetch_one(&mut conn)
            .await?
            .try_get("n")?;
            conn.close().await?;
            if relations > 0 {
                return Err(BackupError::Refused(
                    "目标数据库不是空的，请恢复到新建的数据库（createdb） / the target database is not empty: restore into a new database (createdb)".into(),
                ));
            }
            // First pass: authenticate and count everything, touching nothing.
            let mut tables = digest::DumpDigest::default();
            let read = read_content(path, passphrase, &mut decide, &mut |data| {
                tables.feed(data);
                Ok(())
            })?;
            let found = tables.finish().ok_or_else(|| {
                BackupError::Damaged("pg_dump 内容不完整 / pg_dump payload incomplete".into())
            })?;
            let checked = compare(&read.manifest, &found, Vec::new());
            if !checked.ok {
                return Err(BackupError::Damaged(format!(
                    "备份未通过校验，未作任何改动 / the archive fails its checks, nothing was changed: {}",
                    checked.problems.join("; ")
                )));
            }
            // Second pass: into the database, in one transaction.
            let mut psql = pg::Restorer::start(database_url)?;
            let fed = read_content(path, passphrase, &mut |_| Ok(()), &mut |data| {
                psql.write(data).map_err(BackupError::io)
            })
            .map(|_| ());
            psql.finish(fed)?;
            install_key(&read.key, data_dir, plan)?;
            // The restored database, dumped again, must give the manifest's figures.
            let mut again = digest::DumpDigest::default();
            pg::dump(database_url, &mut |data| {
                again.feed(data);
                Ok(())
            })?;
            let again = again.finish().unwrap_or_default();
            let mut conn = connect(database_url).await?;
            let fits = crate::audit::newest_record_fits(&mut conn, &read.key).await?;
            conn.close().await?;
            let problems = if fits {
                Vec::new()
            } else {
                vec![key_does_not_fit().to_string()]
            };
            let verification = compare(&read.manifest, &again, problems);
            if !verification.ok {
                return Err(BackupError::Failed(format!(
                    "已恢复，但复核与清单不符 / restored, but the check against the manifest failed: {}",
                    verification.problems.join("; ")
                )));
            }
            Ok(Restored {
                verification,
                key: plan.name(),
            })
        }
    }
}

impl KeyPlan {
    fn name(self) -> &'static str {
        match self {
            KeyPlan::Write => "written",
            KeyPlan::Replace => "replaced",
            KeyPlan::Keep => "kept",
            KeyPlan::Environment => "environment",
        }
    }
}

/// Decides what to do with the archive's key before anything is written.
fn key_plan(key: &FieldCipher, data_dir: &Path, replace: bool) -> Result<KeyPlan, BackupError> {
    if let Ok(text) = std::env::var("KEXIE_FIELD_KEY") {
        let env = FieldCipher::from_text(&text).map_err(|e| BackupError::Refused(e.to_string()))?;
        return if env.same_key(key) {
            Ok(KeyPlan::Environment)
        } else {
            Err(BackupError::Refused(
                "KEXIE_FIELD_KEY 与备份中的字段加密密钥不同：请取消该变量（密钥将写入 field.key） / KEXIE_FIELD_KEY differs from the archive's field-encryption key: unset it (the key is then written to field.key)".into(),
            ))
        };
    }
    match FieldCipher::load_existing(data_dir).map_err(|e| BackupError::Refused(e.to_string()))? {
        None => Ok(KeyPlan::Write),
        Some(existing) if existing.same_key(key) => Ok(KeyPlan::Keep),
        Some(_) if replace => Ok(KeyPlan::Replace),
        Some(_) => Err(BackupError::Refused(format!(
            "数据目录 {} 已有另一个字段加密密钥；确认要用备份中的密钥替换它，请加 --replace-key / the data directory {} holds a different field-encryption key: add --replace-key to replace it with the archive's",
            data_dir.display(),
            data_dir.display()
        ))),
    }
}

fn install_key(key: &FieldCipher, data_dir: &Path, plan: KeyPlan) -> Result<(), BackupError> {
    match plan {
        KeyPlan::Write => key.install(data_dir, false),
        KeyPlan::Replace => key.install(data_dir, true),
        KeyPlan::Keep | KeyPlan::Environment => Ok(()),
    }
    .map_err(|e| BackupError::Failed(e.to_string()))
}

async fn connect(url: &str) -> Result<AnyConnection, BackupError> {
    sqlx::any::install_default_drivers();
    Ok(AnyConnection::connect(url).await?)
}

/// The migration level recorded in a database.
async fn schema_version(conn: &mut AnyConnection) -> Result<i64, BackupError> {
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

fn key_does_not_fit() -> BackupError {
    BackupError::Refused(
        "字段加密密钥与数据库不符（审计链的最新记录无法用它验证） / the field-encryption key does not belong to this database (the newest audit record does not verify with it)".into(),
    )
}

fn exists(path: &Path) -> BackupError {
    BackupError::Refused(format!(
        "文件已存在，不会覆盖：{} / the file already exists and is not overwritten: {}",
        path.display(),
        path.display()
    ))
}

fn io_at(path: &Path, e: io::Error) -> BackupError {
    BackupError::Failed(format!("{}: {e}", path.display()))
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
