//! `kexie search reindex|update` as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn kexie(data_dir: &Path, args: &[&str]) -> Output {
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

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn reindex_builds_from_the_database_and_update_applies_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let demo = json(&kexie(dir.path(), &["demo", "--seed", "5", "--json"]));
    let rebuilt = json(&kexie(dir.path(), &["search", "reindex", "--json"]));
    assert_eq!(rebuilt["persons"], demo["persons"]);
    assert_eq!(rebuilt["orgs"], demo["orgs"]);
    assert!(dir.path().join("search").join("meta.json").exists());

    // Nothing written since: nothing to apply.
    let idle = json(&kexie(dir.path(), &["search", "update", "--json"]));
    assert_eq!(
        (idle["changes"].as_i64(), idle["rebuilt"].as_bool()),
        (Some(0), Some(false))
    );

    let sheet = dir.path().join("people.csv");
    std::fs::write(
        &sheet,
        "姓名,手机号,工作单位\n甲乙丙,13912340001,松花江种子站\n丁戊己,13912340002,松花江种子站\n",
    )
    .unwrap();
    let import = kexie(
        dir.path(),
        &[
            "import",
            "persons",
            sheet.to_str().unwrap(),
            "--org",
            "23KX",
            "--json",
        ],
    );
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let updated = json(&kexie(dir.path(), &["search", "update", "--json"]));
    assert_eq!(
        updated["changes"], 1,
        "one change for the whole file: {updated}"
    );
    assert_eq!(updated["persons"], 2);

    // The plain output says what happened, Chinese first.
    let plain = kexie(dir.path(), &["search", "reindex"]);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.starts_with("检索索引已重建"), "{text}");
}

#[test]
fn an_index_in_use_by_a_server_is_not_rebuilt_behind_its_back() {
    let dir = tempfile::tempdir().unwrap();
    json(&kexie(dir.path(), &["migrate", "--json"]));
    // This process holds the index, as a running server would.
    let _held = kexie_search::SearchIndex::open(&dir.path().join("search")).unwrap();
    let out = kexie(dir.path(), &["search", "reindex"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("检索索引正被另一个 Kexie 进程使用"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}
