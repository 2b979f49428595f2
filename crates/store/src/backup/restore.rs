//! Restoring an archive: refused before anything is written when it cannot end well, and done
//! all at once or not at all.

use std::io::{BufWriter, Write};
use std::path::Path;

use sqlx::{Connection, Row};

use super::read::{check_sqlite_file, compare, read_content, read_header};
use super::{
    connect, digest, io_at, key_does_not_fit, parent, pg, sqlite, BackupError, Passphrase, Restored,
};
use crate::{Backend, FieldCipher};

/// Where the field key comes from on restore, and what to do with the archive's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyPlan {
    Write,
    Replace,
    Keep,
    Environment,
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
