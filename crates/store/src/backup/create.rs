//! Writing an archive: a snapshot of the database, sealed chunk by chunk into a temporary file
//! beside the destination, renamed into place only when complete.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;

use sqlx::Connection;

use super::archive::{self, Header};
use super::content::{self, ContentWriter, PayloadWriter};
use super::digest::{self, TableDigest};
use super::{
    connect, exists, io_at, key_does_not_fit, parent, pg, schema_version, sqlite, BackupError,
    Created, Manifest, Passphrase, PayloadFigures,
};
use crate::{Backend, FieldCipher};

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
