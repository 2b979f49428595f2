//! PostgreSQL: `pg_dump` (plain format, one consistent snapshot) for backups, `psql` in a single
//! transaction for restores. The password travels in `PGPASSWORD`, never on a command line that
//! other users of the machine could read.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::BackupError;

/// Finds a PostgreSQL client program: `KEXIE_PG_BIN`, then `PATH`, then the newest
/// `/usr/lib/postgresql/*/bin` (Debian's layout).
pub fn tool(name: &str) -> Result<PathBuf, BackupError> {
    if let Some(dir) = std::env::var_os("KEXIE_PG_BIN").filter(|d| !d.is_empty()) {
        let path = Path::new(&dir).join(name);
        if path.is_file() {
            return Ok(path);
        }
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let path = dir.join(name);
            if path.is_file() {
                return Ok(path);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let path = e.path().join("bin").join(name);
            path.is_file().then_some((version, path))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p).ok_or_else(|| {
        BackupError::Refused(format!(
            "找不到 PostgreSQL 客户端程序 {name}（请安装 postgresql-client 或设置 KEXIE_PG_BIN） / \
             {name} not found: install postgresql-client or set KEXIE_PG_BIN"
        ))
    })
}

/// Splits the password out of a `postgres://user:password@host/db` URL (percent-decoded).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = &authority[..at];
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_string(), None);
    };
    let without = format!(
        "{}{user}{}",
        &url[..scheme_end + 3],
        &url[scheme_end + 3 + at..]
    );
    (without, Some(percent_decode(password)))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn command(tool_name: &str, url: &str) -> Result<Command, BackupError> {
    let (url, password) = split_password(url);
    let mut cmd = Command::new(tool(tool_name)?);
    cmd.arg("--dbname").arg(url);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd.env("PGCONNECT_TIMEOUT", "30");
    Ok(cmd)
}

/// Keeps the first lines of a child's error output (they name the problem; later lines can
/// quote data, which must not reach a log).
fn first_error(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

fn spawn_stderr_reader(child: &mut Child) -> std::thread::JoinHandle<Vec<u8>> {
    let mut stderr = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    })
}

/// Runs `pg_dump` and hands its output, piece by piece, to `sink`.
pub fn dump(
    url: &str,
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<(), BackupError> {
    let mut child = command("pg_dump", url)?
        .args([
            "--format=plain",
            "--no-owner",
            "--no-privileges",
            "--encoding=UTF8",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BackupError::Failed(format!("pg_dump: {e}")))?;
    let errors = spawn_stderr_reader(&mut child);
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut buf = vec![0u8; 64 * 1024];
    let copied: std::io::Result<()> = (|| loop {
        let n = stdout.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        sink(&buf[..n])?;
    })();
    drop(stdout);
    if copied.is_err() {
        let _ = child.kill();
    }
    let status = child
        .wait()
        .map_err(|e| BackupError::Failed(format!("pg_dump: {e}")))?;
    let stderr = errors.join().unwrap_or_default();
    copied.map_err(BackupError::io)?;
    if !status.success() {
        return Err(BackupError::Failed(format!(
            "pg_dump 失败 / pg_dump failed: {}",
            first_error(&stderr)
        )));
    }
    Ok(())
}

/// A `psql` that runs what it is fed inside one transaction and stops at the first error. The
/// `COMMIT` is sent only after the whole payload has been read and authenticated: if this process
/// dies half way, psql sees its input end without one and the server rolls everything back
/// (`psql --single-transaction` would commit at end of input instead).
pub struct Restorer {
    child: Child,
    errors: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Restorer {
    pub fn start(url: &str) -> Result<Restorer, BackupError> {
        let mut child = command("psql", url)?
            .args(["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| BackupError::Failed(format!("psql: {e}")))?;
        let errors = Some(spawn_stderr_reader(&mut child));
        let mut restorer = Restorer { child, errors };
        restorer.write(b"BEGIN;\n").map_err(BackupError::io)?;
        Ok(restorer)
    }

    pub fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.child
            .stdin
            .as_mut()
            .expect("stdin is piped")
            .write_all(data)
    }

    /// Commits if everything was fed (`fed` is Ok), else stops psql so that nothing is; waits.
    pub fn finish(mut self, fed: Result<(), BackupError>) -> Result<(), BackupError> {
        let fed = match fed {
            Ok(()) => self.write(b"\nCOMMIT;\n").map_err(BackupError::io),
            Err(e) => {
                let _ = self.child.kill();
                Err(e)
            }
        };
        drop(self.child.stdin.take());
        let status = self
            .child
            .wait()
            .map_err(|e| BackupError::Failed(format!("psql: {e}")))?;
        let stderr = self
            .errors
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if let Err(e) = fed {
            // psql saw a broken pipe or was stopped: the archive's error says more, unless
            // psql stopped first on an error of its own.
            return Err(if status.success() || stderr.is_empty() {
                e
            } else {
                psql_failed(&stderr)
            });
        }
        if !status.success() {
            return Err(psql_failed(&stderr));
        }
        Ok(())
    }
}

fn psql_failed(stderr: &[u8]) -> BackupError {
    BackupError::Failed(format!(
        "恢复失败，数据库未改动 / restore failed, the database is unchanged: psql: {}",
        first_error(stderr)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_taken_out_of_the_url() {
        assert_eq!(
            split_password("postgres://kexie:s%40cret@db:5432/kexie?sslmode=disable"),
            (
                "postgres://kexie@db:5432/kexie?sslmode=disable".to_string(),
                Some("s@cret".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://kexie@127.0.0.1:5432/kexie"),
            ("postgres://kexie@127.0.0.1:5432/kexie".to_string(), None)
        );
        assert_eq!(
            split_password("postgres://u:p@h/d@x"),
            ("postgres://u@h/d@x".to_string(), Some("p".to_string()))
        );
    }
}
