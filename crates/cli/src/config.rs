//! Configuration, in layers: built-in defaults, then `kexie.toml` in the data directory, then
//! `KEXIE_*` environment variables, then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::Global;
use crate::failure::Failure;

/// The commented example printed by `kexie config example`; a test parses it, so it stays valid.
pub const EXAMPLE: &str = r#"# kexie.toml: configuration of Kexie, read from the data directory.
# Precedence: built-in defaults < this file < KEXIE_* environment variables < command-line flags.

# Address the web server listens on (KEXIE_ADDR, --addr).
addr = "127.0.0.1:8080"

# Database (KEXIE_DATABASE_URL, --database-url). Default: the SQLite file kexie.db in the data
# directory. For PostgreSQL: "postgres://kexie:secret@db.example:5432/kexie".
# database_url = "sqlite://./kexie-data/kexie.db?mode=rwc"

[security]
# Mark session cookies Secure: set to true when Kexie is served over HTTPS (KEXIE_SECURE_COOKIES).
secure_cookies = false
# Cipher for new values of personal fields: "sm4-gcm" (GB/T 32907) or "aes-256-gcm".
# The key lives in field.key in the data directory, or in KEXIE_FIELD_KEY.
field_cipher = "sm4-gcm"
# Consecutive wrong passwords that lock an account, and for how many minutes.
lockout_threshold = 5
lockout_minutes = 15
# Sessions end after this long without a request, and this long after sign-in in any case.
session_idle_minutes = 30
session_absolute_hours = 12
# Make the three administrators (system, security, audit) set up one-time codes (TOTP).
require_totp_for_administrators = false
# Behind a reverse proxy that sets X-Forwarded-For: take the client address from it.
trust_proxy = false

# Reminder e-mail: when this section is present, reminders of overdue and soon-due tasks also go
# by mail to the accounts that see them and have an e-mail address. Without it: in-app only.
# [smtp]
# host = "smtp.example.org"
# port = 587
# tls = "starttls"            # "none" (local relay only), "starttls" or "tls"
# username = "kexie@example.org"
# password = "..."            # or KEXIE_SMTP_PASSWORD
# from = "Kexie 督办提醒 <kexie@example.org>"

[log]
# Log filter (KEXIE_LOG), e.g. "info" or "info,kexie_store=debug". Logs never carry personal data.
level = "info"
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    database_url: Option<String>,
    #[serde(default)]
    security: FileSecurity,
    #[serde(default)]
    log: FileLog,
    smtp: Option<FileSmtp>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSmtp {
    host: String,
    port: Option<i64>,
    tls: Option<String>,
    username: Option<String>,
    password: Option<String>,
    from: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSecurity {
    secure_cookies: Option<bool>,
    field_cipher: Option<String>,
    lockout_threshold: Option<i64>,
    lockout_minutes: Option<i64>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    require_totp_for_administrators: Option<bool>,
    trust_proxy: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLog {
    level: Option<String>,
}

/// The configuration in force.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub addr: SocketAddr,
    pub secure_cookies: bool,
    pub field_cipher: kexie_store::Algorithm,
    pub log_level: String,
    pub policy: kexie_store::LoginPolicy,
    pub require_totp_for_administrators: bool,
    pub trust_proxy: bool,
    /// Reminder e-mail; `None`: reminders in-app only.
    pub smtp: Option<kexie_web::reminders::SmtpSettings>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parse_bool(name: &str, value: &str) -> Result<bool, Failure> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Failure::Input(format!(
            "{name} 应为 true 或 false / {name} must be true or false, not {value:?}"
        ))),
    }
}

impl Config {
    /// Reads the layers. `addr_flag` is `serve --addr`.
    pub fn load(global: &Global, addr_flag: Option<&str>) -> Result<Config, Failure> {
        let data_dir = global.data_dir.clone();
        let file = read_file(&data_dir.join("kexie.toml"))?;

        let addr_text = addr_flag
            .map(str::to_string)
            .or_else(|| env("KEXIE_ADDR"))
            .or(file.addr)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr = addr_text.parse().map_err(|_| {
            Failure::Input(format!(
                "监听地址无效 / invalid listen address {addr_text:?} (expected HOST:PORT, e.g. 127.0.0.1:8080)"
            ))
        })?;

        // --database-url and KEXIE_DATABASE_URL arrive together through clap.
        let database_url = global
            .database_url
            .clone()
            .filter(|u| !u.is_empty())
            .or(file.database_url)
            .unwrap_or_else(|| {
                format!("sqlite://{}?mode=rwc", data_dir.join("kexie.db").display())
            });

        let secure_cookies = match env("KEXIE_SECURE_COOKIES") {
            Some(v) => parse_bool("KEXIE_SECURE_COOKIES", &v)?,
            None => file.security.secure_cookies.unwrap_or(false),
        };
        let field_cipher = match file.security.field_cipher.as_deref().unwrap_or("sm4-gcm") {
            "sm4-gcm" => kexie_store::Algorithm::Sm4Gcm,
            "aes-256-gcm" => kexie_store::Algorithm::Aes256Gcm,
            other => {
                return Err(Failure::Input(format!(
                    "未知的加密算法 / unknown field_cipher {other:?} (sm4-gcm or aes-256-gcm)"
                )))
            }
        };
        let log_level = env("KEXIE_LOG")
            .or(file.log.level)
            .unwrap_or_else(|| "info".into());
        let defaults = kexie_store::LoginPolicy::default();
        let positive = |name: &str, value: Option<i64>, default: i64| match value {
            Some(v) if v >= 1 => Ok(v),
            Some(v) => Err(Failure::Input(format!(
                "security.{name} 必须是正整数 / security.{name} must be a positive number, not {v}"
            ))),
            None => Ok(default),
        };
        let security = &file.security;
        let policy = kexie_store::LoginPolicy {
            lock_threshold: positive(
                "lockout_threshold",
                security.lockout_threshold,
                defaults.lock_threshold,
            )?,
            lock_minutes: positive(
                "lockout_minutes",
                security.lockout_minutes,
                defaults.lock_minutes,
            )?,
            session_idle_minutes: positive(
                "session_idle_minutes",
                security.session_idle_minutes,
                defaults.session_idle_minutes,
            )?,
            session_absolute_hours: positive(
                "session_absolute_hours",
                security.session_absolute_hours,
                defaults.session_absolute_hours,
            )?,
        };
        let require_totp_for_administrators =
            security.require_totp_for_administrators.unwrap_or(false);
        let trust_proxy = security.trust_proxy.unwrap_or(false);
        let smtp = file.smtp.map(smtp_settings).transpose()?;
        Ok(Config {
            smtp,
            policy,
            require_totp_for_administrators,
            trust_proxy,
            data_dir,
            database_url,
            addr,
            secure_cookies,
            field_cipher,
            log_level,
        })
    }

    /// The database URL with any password hidden, for messages.
    pub fn database_display(&self) -> String {
        match (self.database_url.find("://"), self.database_url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.database_url[scheme + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => format!(
                        "{}://{user}:***{}",
                        &self.database_url[..scheme],
                        &self.database_url[at..]
                    ),
                    None => self.database_url.clone(),
                }
            }
            _ => self.database_url.clone(),
        }
    }
}

/// The `[smtp]` section, with the password from `KEXIE_SMTP_PASSWORD` when set.
fn smtp_settings(file: FileSmtp) -> Result<kexie_web::reminders::SmtpSettings, Failure> {
    use kexie_web::reminders::{SmtpSettings, SmtpTls};
    let tls_text = file.tls.as_deref().unwrap_or("starttls");
    let tls = SmtpTls::parse(tls_text).ok_or_else(|| {
        Failure::Input(format!(
            "smtp.tls 应为 none、starttls 或 tls / smtp.tls must be none, starttls or tls, not {tls_text:?}"
        ))
    })?;
    let default_port = match tls {
        SmtpTls::None => 25,
        SmtpTls::StartTls => 587,
        SmtpTls::Tls => 465,
    };
    let port = match file.port {
        None => default_port,
        Some(p) => u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
            Failure::Input(format!(
                "smtp.port 应在 1 到 65535 之间 / smtp.port must be 1 to 65535, not {p}"
            ))
        })?,
    };
    let settings = SmtpSettings {
        host: file.host,
        port,
        tls,
        username: file.username.filter(|u| !u.trim().is_empty()),
        password: env("KEXIE_SMTP_PASSWORD").or(file.password),
        from: file.from,
    };
    // Refuse a bad sender or host now, not at the first reminder.
    settings.check().map_err(Failure::Input)?;
    Ok(settings)
}

fn read_file(path: &Path) -> Result<FileConfig, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| {
            Failure::Input(format!(
                "配置文件 {} 有误 / invalid configuration file: {}",
                path.display(),
                e.message()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(Failure::Runtime(format!(
            "无法读取配置文件 {} / cannot read configuration: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_example_is_a_valid_configuration() {
        let parsed: FileConfig = toml::from_str(EXAMPLE).expect("example parses");
        assert_eq!(parsed.addr.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(parsed.security.field_cipher.as_deref(), Some("sm4-gcm"));
    }

    #[test]
    fn the_example_smtp_section_parses_when_uncommented() {
        let uncommented: String = EXAMPLE
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with("[smtp]")
                        || ["host", "port", "tls", "username", "password", "from"]
                            .iter()
                            .any(|k| rest.starts_with(&format!("{k} ="))) =>
                {
                    rest.to_string()
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let parsed: FileConfig = toml::from_str(&uncommented).expect("example parses");
        let smtp = smtp_settings(parsed.smtp.expect("smtp section")).unwrap();
        assert_eq!(smtp.host, "smtp.example.org");
        assert_eq!(smtp.port, 587);
        assert_eq!(smtp.tls, kexie_web::reminders::SmtpTls::StartTls);
    }

    #[test]
    fn a_bad_smtp_section_is_refused_with_the_key_named() {
        let dir = tempfile::tempdir().unwrap();
        let global = Global {
            data_dir: dir.path().into(),
            database_url: None,
        };
        for (text, key) in [
            (
                "[smtp]\nhost = \"h.example\"\ntls = \"ssl\"\nfrom = \"a@b.cn\"\n",
                "smtp.tls",
            ),
            (
                "[smtp]\nhost = \"h.example\"\nport = 70000\nfrom = \"a@b.cn\"\n",
                "smtp.port",
            ),
            (
                "[smtp]\nhost = \"h.example\"\nfrom = \"not an address\"\n",
                "smtp.from",
            ),
        ] {
            std::fs::write(dir.path().join("kexie.toml"), text).unwrap();
            let err = Config::load(&global, None).unwrap_err();
            assert!(err.to_string().contains(key), "{err}");
            assert_eq!(err.exit_code(), 2);
        }
        std::fs::write(dir.path().join("kexie.toml"), "addr = \"127.0.0.1:1\"\n").unwrap();
        assert!(Config::load(&global, None).unwrap().smtp.is_none());
    }

    #[test]
    fn a_misspelt_key_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kexie.toml"), "adr = \"1\"\n").unwrap();
        let global = Global {
            data_dir: dir.path().into(),
            database_url: None,
        };
        let err = Config::load(&global, None).unwrap_err();
        assert!(err.to_string().contains("adr"), "{err}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn flags_override_the_file_and_passwords_are_hidden() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kexie.toml"),
            "addr = \"127.0.0.1:9000\"\ndatabase_url = \"postgres://k:secret@db:5432/k\"\n",
        )
        .unwrap();
        let global = Global {
            data_dir: dir.path().into(),
            database_url: None,
        };
        let from_file = Config::load(&global, None).unwrap();
        assert_eq!(from_file.addr.port(), 9000);
        assert_eq!(from_file.database_display(), "postgres://k:***@db:5432/k");
        let from_flag = Config::load(&global, Some("127.0.0.1:9100")).unwrap();
        assert_eq!(from_flag.addr.port(), 9100);
    }
}
