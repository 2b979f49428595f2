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
