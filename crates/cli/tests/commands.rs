//! The `kexie` binary as a user runs it: exit codes, one-line errors, `--json` output.

#[path = "commands/registry.rs"]
mod registry;
mod support;

use support::{json, kexie_stdin, ok, run, stderr};

#[test]
fn config_example_prints_a_commented_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["config", "example"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# kexie.toml"));
    assert!(text.contains("addr = \"127.0.0.1:8080\""));
}

#[test]
fn migrate_json_prints_one_json_document_and_creates_the_key_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(&data, &["migrate", "--json"]);
    ok(&out);
    let doc = json(&out);
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
    let out = run(
        dir.path(),
        &["demo", "--scale", "small", "--seed", "3", "--json"],
    );
    ok(&out);
    let doc = json(&out);
    assert!(doc["persons"].as_i64().unwrap() > 290);
    let again = run(dir.path(), &["demo"]);
    assert_eq!(again.status.code(), Some(2));
    let err = stderr(&again);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("错误 / Error:"));
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(dir.path(), &["demo", "--scale", "galaxy"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_bad_listen_address_is_one_clear_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["serve", "--addr", "localhost"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("监听地址无效"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_bad_database_url_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["migrate", "--database-url", "mysql://x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sqlite://"));
}

/// `kexie user create --username NAME --role ROLE --password-stdin EXTRA` with `password` on
/// standard input.
fn user_create(
    dir: &std::path::Path,
    username: &str,
    role: &str,
    extra: &[&str],
    password: &str,
) -> std::process::Output {
    let mut args = vec![
        "user",
        "create",
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
    ];
    args.extend_from_slice(extra);
    kexie_stdin(dir, None, &args, password)
}

#[test]
fn user_create_checks_the_password_policy_and_needs_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_create(dir.path(), "sys", "system_admin", &[], "short\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("12"), "{}", stderr(&out));
    let out = run(
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
    let out = user_create(dir.path(), "sys", "root", &[], "Whatever-Long-Pass-1\n");
    assert_eq!(out.status.code(), Some(2));
    let out = user_create(
        dir.path(),
        "sys",
        "system_admin",
        &["--json"],
        "Harbin-Ice-Lantern-88\n",
    );
    ok(&out);
    let account = json(&out);
    assert_eq!(account["role"], "system_admin");
    assert_eq!(account["must_change_password"], true);
    // The same username again is bad input.
    let again = user_create(
        dir.path(),
        "sys",
        "audit_admin",
        &[],
        "Harbin-Ice-Lantern-88\n",
    );
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn user_token_prints_a_token_that_can_be_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_create(
        dir.path(),
        "auditor",
        "audit_admin",
        &[],
        "Harbin-Ice-Lantern-88\n",
    );
    ok(&out);
    let out = run(
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
    ok(&out);
    let doc = json(&out);
    assert!(doc["token"].as_str().unwrap().starts_with("kx_"));
    let id = doc["token_id"].to_string();
    assert!(run(dir.path(), &["user", "revoke-token", &id])
        .status
        .success());
    assert_eq!(
        run(dir.path(), &["user", "revoke-token", &id])
            .status
            .code(),
        Some(2)
    );
    let out = run(dir.path(), &["user", "token", "--username", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn audit_verify_names_a_record_edited_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["demo", "--json"]);
    ok(&out);
    let verified = run(dir.path(), &["audit", "verify", "--json"]);
    ok(&verified);
    let report = json(&verified);
    assert_eq!(report["ok"], true);
    assert!(report["records"].as_i64().unwrap() > 500);

    let url = format!("sqlite://{}/kexie.db", dir.path().display());
    kexie_store::testing::raw_sql(
        &url,
        "drop trigger audit_log_no_update; update audit_log set detail = 'forged' where audit_id = 42;",
    )
    .await
    .unwrap();
    let broken = run(dir.path(), &["audit", "verify", "--json"]);
    assert_eq!(broken.status.code(), Some(1));
    let report = json(&broken);
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_broken"], 42);
    assert!(stderr(&broken).contains("42"));
    let text = run(dir.path(), &["audit", "verify"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("42"));
}

#[test]
fn audit_purge_needs_yes_and_keeps_young_records() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["migrate"]);
    let out = run(dir.path(), &["audit", "purge", "--before", "2099-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    run(dir.path(), &["demo"]);
    let out = run(
        dir.path(),
        &["audit", "purge", "--before", "2099-01-01", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("180"));
}

#[test]
fn serve_demo_refuses_a_database_that_does_not_hold_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orgs.csv");
    std::fs::write(
        &csv,
        "代码,名称,类型,区划代码\nREAL,真实科协,科协,230000000000\n",
    )
    .unwrap();
    assert!(run(dir.path(), &["import", "orgs", csv.to_str().unwrap()])
        .status
        .success());
    let out = run(dir.path(), &["serve", "--demo", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("演示"), "{}", stderr(&out));
}
