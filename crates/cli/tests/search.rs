//! `kexie search reindex|update` as a user runs them.

mod support;

use support::{ok, ok_json, run};

#[test]
fn reindex_builds_from_the_database_and_update_applies_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let demo = ok_json(&run(dir.path(), &["demo", "--seed", "5", "--json"]));
    let rebuilt = ok_json(&run(dir.path(), &["search", "reindex", "--json"]));
    assert_eq!(rebuilt["persons"], demo["persons"]);
    assert_eq!(rebuilt["orgs"], demo["orgs"]);
    assert!(dir.path().join("search").join("meta.json").exists());

    // Nothing written since: nothing to apply.
    let idle = ok_json(&run(dir.path(), &["search", "update", "--json"]));
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
    let import = run(
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
    ok(&import);
    let updated = ok_json(&run(dir.path(), &["search", "update", "--json"]));
    assert_eq!(
        updated["changes"], 1,
        "one change for the whole file: {updated}"
    );
    assert_eq!(updated["persons"], 2);

    // The plain output says what happened, Chinese first.
    let plain = run(dir.path(), &["search", "reindex"]);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.starts_with("检索索引已重建"), "{text}");
}

#[test]
fn an_index_in_use_by_a_server_is_not_rebuilt_behind_its_back() {
    let dir = tempfile::tempdir().unwrap();
    ok_json(&run(dir.path(), &["migrate", "--json"]));
    // This process holds the index, as a running server would.
    let _held = kexie_search::SearchIndex::open(&dir.path().join("search")).unwrap();
    let out = run(dir.path(), &["search", "reindex"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("检索索引正被另一个 Kexie 进程使用"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}
