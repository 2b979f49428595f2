//! A load larger than the registry sets aside the `person` indexes whose keys it scatters and
//! builds them again before its commit (SQLite only). The indexes must come back exactly as
//! they were, answer lookups, and stay untouched when the load writes nothing; the writer
//! connection the import tuned is not the one the server writes with afterwards.

#[path = "support/people.rs"]
mod support;

use kexie_store::testing::{import_members, on_writer, query_text, TestDb};
use kexie_store::{ImportPerson, NewPerson, PersonImportOutcome};

use support::society;

/// Every index of the two tables, with the statement that made it.
async fn indexes(db: &TestDb) -> Vec<String> {
    query_text(
        &db.url,
        "select name || ': ' || coalesce(sql, '') from sqlite_master where type = 'index' \
         and tbl_name in ('person', 'membership') order by name",
    )
    .await
    .unwrap()
}

async fn count(db: &TestDb, table: &str) -> String {
    query_text(
        &db.url,
        &format!("select cast(count(*) as text) from {table}"),
    )
    .await
    .unwrap()
    .remove(0)
}

/// The writer of a running server after an import (which writes on a connection of its own,
/// without foreign-key checks and with a larger cache): its usual settings, and a row naming a
/// person who does not exist refused.
async fn assert_writer_as_usual(db: &TestDb, org: i64) {
    let settings = on_writer(
        &db.store,
        "select cast(foreign_keys as text) from pragma_foreign_keys() \
         union all select cast(cache_size as text) from pragma_cache_size()",
    )
    .await
    .unwrap();
    assert_eq!(settings, ["1", "-65536"]);
    let orphan = on_writer(
        &db.store,
        &format!(
            "insert into membership (person_id, org_id, member_type, status, created_at, \
             updated_at) values (987654321, {org}, '普通会员', 'active', 0, 0) returning 'x'"
        ),
    )
    .await
    .unwrap_err();
    assert!(orphan.to_string().contains("FOREIGN KEY"), "{orphan}");
}

/// Imports the rows into `org` as its members, for real (no dry run, no skipping).
async fn load(db: &TestDb, org: i64, rows: Vec<Option<ImportPerson>>) -> PersonImportOutcome {
    import_members(&db.store, org, rows, false).await
}

fn valid(rows: Vec<ImportPerson>) -> Vec<Option<ImportPerson>> {
    rows.into_iter().map(Some).collect()
}

fn rows(org: i64, n: usize) -> Vec<ImportPerson> {
    (0..n)
        .map(|i| ImportPerson {
            row: i + 2,
            person: NewPerson {
                org_id: org,
                name: format!("会员{i:04}"),
                id_number: Some(support::id_number(i)),
                mobile: Some(format!("138{i:08}")),
                ..NewPerson::default()
            },
            member_type: None,
            member_number: Some(format!("N{i:04}")),
            joined: Some("2025-01-01".into()),
        })
        .collect()
}

#[tokio::test]
async fn a_load_larger_than_the_registry_builds_the_indexes_it_set_aside_again() {
    // The second load must find the people through the rebuilt indexes: with four-bit
    // fingerprints every key of the first load is looked up by index.
    kexie_store::testing::coarse_fingerprints();
    let db = TestDb::sqlite().await;
    let s = society(&db.store, "LOAD", None).await;
    let before = indexes(&db).await;
    assert!(before
        .iter()
        .any(|i| i.starts_with("person_id_number_hash: CREATE UNIQUE")));

    // More rows than one prepared chunk (2,000) and than one statement of people or members.
    let outcome = load(&db, s, valid(rows(s, 2_500))).await;
    assert_eq!((outcome.created, outcome.memberships), (2_500, 2_500));
    assert_eq!(indexes(&db).await, before);
    // Each membership belongs to the person of its row: N0123 to 会员0123.
    let mismatched = query_text(
        &db.url,
        "select cast(count(*) as text) from membership m join person p using (person_id) \
         where substr(m.number, 2) <> substr(p.name, 3)",
    )
    .await
    .unwrap();
    assert_eq!(mismatched, ["0"]);
    assert_eq!(
        query_text(&db.url, "pragma integrity_check").await.unwrap(),
        ["ok"]
    );
    // The rebuilt indexes answer: the same file again finds every row registered, by ID
    // number, and every membership number taken.
    let again = load(&db, s, valid(rows(s, 2_500))).await;
    assert_eq!(again.created, 0);
    assert_eq!(again.existing.len(), 2_500);
    assert!(again.existing.iter().all(|e| e.reason == "id_number"));
    assert_eq!(again.problems.len(), 2_500);
    assert_eq!(count(&db, "person").await, "2500");
    assert_writer_as_usual(&db, s).await;
}

#[tokio::test]
async fn a_load_that_writes_nothing_leaves_every_index_in_place() {
    let db = TestDb::sqlite().await;
    let s = society(&db.store, "LOAD", None).await;
    let before = indexes(&db).await;

    // A row the file's own checks refused, half-way: nothing is written.
    let mut items = valid(rows(s, 300));
    items[150] = None;
    let outcome = load(&db, s, items).await;
    assert_eq!(outcome.created, 0);

    // A membership number repeated near the end, after thousands of rows were written.
    let mut repeated = rows(s, 2_500);
    repeated[2_400].member_number = Some("N0001".into());
    let outcome = load(&db, s, valid(repeated)).await;
    assert_eq!(outcome.created, 0);
    assert_eq!(outcome.problems.len(), 1);
    assert_eq!(outcome.problems[0].row, 2_402);

    assert_eq!(indexes(&db).await, before);
    assert_eq!(count(&db, "person").await, "0");
    assert_eq!(count(&db, "membership").await, "0");
    assert_eq!(
        query_text(&db.url, "pragma integrity_check").await.unwrap(),
        ["ok"]
    );
    assert_writer_as_usual(&db, s).await;
}
