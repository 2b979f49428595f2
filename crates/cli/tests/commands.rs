//! The `kexie` binary as a user runs it: exit codes, one-line errors, `--json` output.

use std::process::{Command, Output};

fn kexie(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kexie"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("KEXIE_DATABASE_URL")
        .env_remove("KEXIE_FIELD_KEY")
        .env("KEXIE_LOG", "warn")
        .output()
        .expect("run kexie")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn config_example_prints_a_commented_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie(dir.path(), &["config", "example"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# kexie.toml"));
    assert!(text.contains("addr = \"127.0.0.1:8080\""));
}

#[test]
fn migrate_json_prints_one_json_document_and_creates_the_key_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = kexie(&data, &["migrate", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(doc["database"], "sqlite");
    assert!(doc["schema_version"].as_i64().unwrap() >= 1);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data.join("field.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn demo_loads_once_and_refuses_a_database_that_has_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie(
        dir.path(),
        &["demo", "--scale", "small", "--seed", "3", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["persons"].as_i64().unwrap() > 290);
    let again = kexie(dir.path(), &["demo"]);
    assert_eq!(again.status.code(), Some(2));
    let err = stderr(&again);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("错误 / Error:"));
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = kexie(dir.path(), &["demo", "--scale", "galaxy"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_bad_listen_address_is_one_clear_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie(dir.path(), &["serve", "--addr", "localhost"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("监听地址无效"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_bad_database_url_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie(dir.path(), &["migrate", "--database-url", "mysql://x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sqlite://"));
}

fn kexie_stdin(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kexie"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("KEXIE_DATABASE_URL")
        .env_remove("KEXIE_FIELD_KEY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_create_checks_the_password_policy_and_needs_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie_stdin(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "sys",
            "--role",
            "system_admin",
            "--password-stdin",
        ],
        "short\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("12"), "{}", stderr(&out));
    let out = kexie(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "sys",
            "--role",
            "system_admin",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--password-stdin"));
    let out = kexie_stdin(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "sys",
            "--role",
            "root",
            "--password-stdin",
        ],
        "Whatever-Long-Pass-1\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = kexie_stdin(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "sys",
            "--role",
            "system_admin",
            "--password-stdin",
            "--json",
        ],
        "Harbin-Ice-Lantern-88\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let account: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(account["role"], "system_admin");
    assert_eq!(account["must_change_password"], true);
    // The same username again is bad input.
    let again = kexie_stdin(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "sys",
            "--role",
            "audit_admin",
            "--password-stdin",
        ],
        "Harbin-Ice-Lantern-88\n",
    );
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn user_token_prints_a_token_that_can_be_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie_stdin(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "auditor",
            "--role",
            "audit_admin",
            "--password-stdin",
        ],
        "Harbin-Ice-Lantern-88\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kexie(
        dir.path(),
        &[
            "user",
            "token",
            "--username",
            "auditor",
            "--expires-days",
            "3",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["token"].as_str().unwrap().starts_with("kx_"));
    let id = doc["token_id"].to_string();
    assert!(kexie(dir.path(), &["user", "revoke-token", &id])
        .status
        .success());
    assert_eq!(
        kexie(dir.path(), &["user", "revoke-token", &id])
            .status
            .code(),
        Some(2)
    );
    let out = kexie(dir.path(), &["user", "token", "--username", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn audit_verify_names_a_record_edited_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = kexie(dir.path(), &["demo", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ok = kexie(dir.path(), &["audit", "verify", "--json"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert!(report["records"].as_i64().unwrap() > 500);

    let url = format!("sqlite://{}/kexie.db", dir.path().display());
    kexie_store::testing::raw_sql(
        &url,
        "drop trigger audit_log_no_update; update audit_log set detail = 'forged' where audit_id = 42;",
    )
    .await
    .unwrap();
    let broken = kexie(dir.path(), &["audit", "verify", "--json"]);
    assert_eq!(broken.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_broken"], 42);
    assert!(stderr(&broken).contains("42"));
    let text = kexie(dir.path(), &["audit", "verify"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("42"));
}

#[test]
fn audit_purge_needs_yes_and_keeps_young_records() {
    let dir = tempfile::tempdir().unwrap();
    kexie(dir.path(), &["migrate"]);
    let out = kexie(dir.path(), &["audit", "purge", "--before", "2099-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    kexie(dir.path(), &["demo"]);
    let out = kexie(
        dir.path(),
        &["audit", "purge", "--before", "2099-01-01", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("180"));
}
