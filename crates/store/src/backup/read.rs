//! Reading an archive: its header, its content decrypted and authenticated chunk by chunk, and
//! the check of what it holds against its manifest.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;

use super::archive::{self, Header};
use super::content::{self, ContentReader};
use super::digest::{self, TableDigest};
use super::{
    io_at, key_does_not_fit, sqlite, BackupError, Manifest, Passphrase, TableCheck, Verification,
};
use crate::FieldCipher;

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
pub(crate) struct Unpacked {
    pub key: FieldCipher,
    pub manifest: Manifest,
}

/// Decrypts and reads the whole content of the archive at `path`: the key goes to `on_key`
/// before any payload is read, the payload to `sink`. Every chunk is authenticated, and the
/// payload's length and SM3 are checked against the manifest.
pub(crate) fn read_content(
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
pub(crate) fn compare(
    manifest: &Manifest,
    found: &[TableDigest],
    mut problems: Vec<String>,
) -> Verification {
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
pub(crate) async fn check_sqlite_file(
    file: &Path,
    read: &Unpacked,
) -> Result<Verification, BackupError> {
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
