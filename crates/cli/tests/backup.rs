//! `kexie backup`, `kexie backup verify` and `kexie restore`, as an operator runs them.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use support::*;

fn archive_text(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// `kexie ARGS --passphrase-file F` on the data directory's SQLite database, F being a new file
/// in `dir` that holds `passphrase`.
fn with_passphrase_file(dir: &Path, passphrase: &str, data: &Path, args: &[&str]) -> Output {
    let file = dir.join("passphrase.txt");
    std::fs::write(&file, passphrase).unwrap();
    let mut args = args.to_vec();
    args.extend(["--passphrase-file", file.to_str().unwrap()]);
    kexie(data, None, &args)
}

/// The verification report's entry for one table.
fn table<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in {report}"))
}

#[test]
fn a_backup_verifies_until_one_byte_of_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    one_kexie(&data, None);
    let sheet = dir.path().join("people.csv");
    people_csv(&sheet, 0, 40);
    import_people(&data, None, &sheet, "CR01");
    let archive = dir.path().join("kexie.kxb");
    let a = archive_text(&archive);

    // The passphrase comes from a file or the environment, and is long enough.
    let out = kexie(&data, None, &["backup", "--out", &a]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("KEXIE_BACKUP_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    let out = with_passphrase_file(dir.path(), "too-short\n", &data, &["backup", "--out", &a]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("至少 12 个字符"), "{}", stderr(&out));
    assert!(stderr(&out).contains("at least 12 characters"));
    let out = with_passphrase_file(dir.path(), "\n", &data, &["backup", "--out", &a]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("为空"), "{}", stderr(&out));
    assert!(!archive.exists());

    let out = with_passphrase_file(
        dir.path(),
        &format!("{PASSPHRASE}\n"),
        &data,
        &["backup", "--out", &a, "--json"],
    );
    ok(&out);
    let created = json(&out);
    assert_eq!(table(&created["manifest"], "person")["rows"], 40);
    let tables = created["manifest"]["tables"].as_array().unwrap();
    assert!(tables.iter().any(|t| t["name"] == "audit_log"));
    assert_eq!(created["manifest"]["schema_version"], latest());
    let bytes = std::fs::read(&archive).unwrap();
    assert!(bytes.starts_with(b"KEXIE-BACKUP 1\n{"));
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    let (name, id_number) = person(7);
    assert!(
        !holds(id_number.as_bytes()) && !holds(name.as_bytes()) && !holds(b"CR01"),
        "nothing readable in the archive"
    );
    assert!(
        !entries(dir.path()).iter().any(|e| e.starts_with(".kexie")),
        "no temporary files beside the archive: {:?}",
        entries(dir.path())
    );
    // An archive is never overwritten.
    let again = kexie_sealed(&data, None, &["backup", "--out", &a]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("已存在"), "{}", stderr(&again));

    let out = kexie_sealed(&data, None, &["backup", "verify", &a, "--json"]);
    ok(&out);
    let report = json(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["backend"], "sqlite");
    let person = table(&report, "person");
    assert_eq!(
        (person["rows"].clone(), person["ok"].clone()),
        (40.into(), true.into())
    );

    // A wrong passphrase.
    let out = with_passphrase_file(
        dir.path(),
        "Another-Long-Passphrase\n",
        &data,
        &["backup", "verify", &a],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("口令错误"), "{}", stderr(&out));

    // One changed byte, in the header or in the sealed content, and verification fails.
    // The header's date stays a well-formed date: only the authentication can notice.
    let date = bytes
        .windows(14)
        .position(|w| w == b"\"created_at\":\"")
        .unwrap()
        + 17;
    for (what, at) in [
        ("header", date),
        ("content", bytes.len() / 2),
        ("end", bytes.len() - 1),
    ] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x01;
        let copy = dir.path().join(format!("tampered-{what}.kxb"));
        std::fs::write(&copy, &tampered).unwrap();
        let out = kexie_sealed(
            &data,
            None,
            &["backup", "verify", copy.to_str().unwrap(), "--json"],
        );
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert_eq!(json(&out)["ok"], false, "{what}");
    }
    // A cut-off archive.
    let cut = dir.path().join("cut.kxb");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let out = kexie_sealed(&data, None, &["backup", "verify", cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("不完整") || stderr(&out).contains("损坏"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn an_archive_from_a_newer_schema_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    one_kexie(&data, None);
    kexie_store::testing::raw_sql(
        &sqlite_url(&data),
        "insert into _sqlx_migrations (version, description, success, checksum, execution_time) \
         values (999, 'from a later kexie', 1, x'00', 0)",
    )
    .await
    .unwrap();
    let archive = dir.path().join("future.kxb");
    let a = archive_text(&archive);
    ok(&kexie_sealed(&data, None, &["backup", "--out", &a]));
    let verified = kexie_sealed(&data, None, &["backup", "verify", &a, "--json"]);
    ok(&verified);
    assert_eq!(json(&verified)["schema_version"], 999);

    let fresh = dir.path().join("fresh");
    let out = kexie_sealed(&fresh, None, &["restore", &a]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    let out = kexie_sealed(&fresh, None, &["restore", &a, "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let latest = latest();
    assert!(
        err.contains("999") && err.contains(&format!("比本程序的 {latest} 新")),
        "{err}"
    );
    assert!(
        err.contains(&format!("newer than this kexie's {latest}")),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        !fresh.join("kexie.db").exists() && !fresh.join("field.key").exists(),
        "nothing written: {:?}",
        fresh.exists().then(|| entries(&fresh))
    );
}

#[tokio::test]
async fn a_backup_restored_into_a_new_data_dir_serves_the_original_id_number() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original");
    ok(&kexie(&original, None, &["demo", "--json"]));
    let sheet = dir.path().join("people.csv");
    people_csv(&sheet, 9000, 3);
    import_people(&original, None, &sheet, "23XH01");
    let (name, id_number) = person(9001);
    let archive = dir.path().join("kexie.kxb");
    let a = archive_text(&archive);
    ok(&kexie_sealed(&original, None, &["backup", "--out", &a]));
    let people = count(&sqlite_url(&original), "person").await;

    // A new machine: an empty data directory, the archive and the passphrase.
    let restored = dir.path().join("restored");
    let out = kexie_sealed(&restored, None, &["restore", &a, "--yes", "--json"]);
    ok(&out);
    let report = json(&out);
    assert_eq!(report["key"], "written");
    assert_eq!(report["verification"]["ok"], true);
    assert_eq!(
        std::fs::read(restored.join("field.key")).unwrap(),
        std::fs::read(original.join("field.key")).unwrap()
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(restored.join("field.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(entries(&restored), ["field.key", "kexie.db"]);
    assert_eq!(count(&sqlite_url(&restored), "person").await, people);
    ok(&kexie(&restored, None, &["audit", "verify"]));

    let token = admin_token(&restored, None, "23KX");
    let server = Server::start(&restored, None);
    assert_eq!(unmasked_id_number(&server, &token, &name).await, id_number);
    drop(server);

    // A data directory with a key of its own is not given another one unasked.
    let other = dir.path().join("other");
    one_kexie(&other, None);
    let out = kexie_sealed(&other, None, &["restore", &a, "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--replace-key"), "{}", stderr(&out));
    assert_eq!(
        count(&sqlite_url(&other), "org").await,
        1,
        "the database is untouched"
    );
    let out = kexie_sealed(
        &other,
        None,
        &["restore", &a, "--yes", "--replace-key", "--json"],
    );
    ok(&out);
    assert_eq!(json(&out)["key"], "replaced");
    assert_eq!(count(&sqlite_url(&other), "person").await, people);
    assert_eq!(entries(&other), ["field.key", "kexie.db"]);
    ok(&kexie(&other, None, &["audit", "verify"]));
}

/// A database in use by a server is not replaced under it.
#[test]
fn restore_refuses_a_database_a_server_has_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    one_kexie(&data, None);
    let archive = dir.path().join("kexie.kxb");
    let a = archive_text(&archive);
    ok(&kexie_sealed(&data, None, &["backup", "--out", &a]));
    let server = Server::start(&data, None);
    let out = kexie_sealed(&data, None, &["restore", &a, "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("kexie serve"), "{}", stderr(&out));
    drop(server);
    ok(&kexie_sealed(&data, None, &["restore", &a, "--yes"]));
    assert!(!entries(&data).iter().any(|e| e.starts_with(".kexie")));
}

mod postgres {
    use super::*;

    #[tokio::test]
    async fn a_backup_restores_into_an_empty_postgresql_database() {
        let Some(admin) = kexie_store::testing::postgres_url() else {
            eprintln!("skipped: KEXIE_TEST_POSTGRES_URL is not set (the PostgreSQL backup test did not run)");
            return;
        };
        let stamp = format!(
            "{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let (from, into) = (
            format!("kx_backup_{stamp}_a"),
            format!("kx_backup_{stamp}_b"),
        );
        for db in [&from, &into] {
            kexie_store::testing::raw_sql(&admin, &format!("create database {db}"))
                .await
                .unwrap();
        }
        let (from_url, into_url) = (pg_database(&admin, &from), pg_database(&admin, &into));
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        one_kexie(&data, Some(&from_url));
        let sheet = dir.path().join("people.csv");
        people_csv(&sheet, 500, 5);
        import_people(&data, Some(&from_url), &sheet, "CR01");
        let archive = dir.path().join("kexie.kxb");
        let a = archive_text(&archive);
        ok(&kexie_sealed(
            &data,
            Some(&from_url),
            &["backup", "--out", &a],
        ));
        let out = kexie_sealed(&data, None, &["backup", "verify", &a, "--json"]);
        ok(&out);
        let report = json(&out);
        assert_eq!(report["backend"], "postgres");
        let people = table(&report, "public.person");
        assert_eq!(people["rows"], 5);

        // Not into SQLite, and into PostgreSQL only when the database is empty.
        let restored = dir.path().join("restored");
        let out = kexie_sealed(&restored, None, &["restore", &a, "--yes"]);
        assert_eq!(out.status.code(), Some(2));
        let out = kexie_sealed(&restored, Some(&from_url), &["restore", &a, "--yes"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));

        let out = kexie_sealed(
            &restored,
            Some(&into_url),
            &["restore", &a, "--yes", "--json"],
        );
        ok(&out);
        assert_eq!(json(&out)["key"], "written");
        assert_eq!(entries(&restored), ["field.key"]);
        assert_eq!(count(&into_url, "person").await, 5);
        ok(&kexie(&restored, Some(&into_url), &["audit", "verify"]));

        let token = admin_token(&restored, Some(&into_url), "CR01");
        let server = Server::start(&restored, Some(&into_url));
        let (name, id_number) = person(502);
        assert_eq!(unmasked_id_number(&server, &token, &name).await, id_number);
        drop(server);

        for db in [&from, &into] {
            kexie_store::testing::raw_sql(&admin, &format!("drop database {db} with (force)"))
                .await
                .unwrap();
        }
    }
}

/// The schema version this build's migrations reach.
fn latest() -> i64 {
    kexie_store::latest_schema_version(kexie_store::Backend::Sqlite)
}
