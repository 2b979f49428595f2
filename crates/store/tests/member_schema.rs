//! Migration 0012 rebuilds SQLite's person and membership tables with AUTOINCREMENT: every column,
//! index, trigger and foreign key must come out as it went in, and the rows with them.

use kexie_store::testing::query_text;
use kexie_store::{Algorithm, FieldCipher, Store};

/// Everything about the schema that must survive the rebuild, one line per fact: the SQL of
/// every index and trigger, every table's columns and foreign keys.
async fn schema(url: &str) -> Vec<String> {
    let mut facts = query_text(
        url,
        "select type || ' ' || name || ' on ' || tbl_name || ': ' || coalesce(sql, '') \
         from sqlite_master where type in ('index', 'trigger', 'view') order by name",
    )
    .await
    .unwrap();
    let tables = query_text(
        url,
        "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' \
         order by name",
    )
    .await
    .unwrap();
    for t in tables {
        facts.extend(
            query_text(
                url,
                &format!(
                    "select '{t} column ' || name || ' ' || type || ' ' || \"notnull\" || ' ' || \
                     coalesce(dflt_value, '-') || ' ' || pk from pragma_table_info('{t}')"
                ),
            )
            .await
            .unwrap(),
        );
        facts.extend(
            query_text(
                url,
                &format!(
                    "select '{t} references ' || \"table\" || '(' || coalesce(\"to\", '') || ') \
                     from ' || \"from\" || ' ' || on_delete from pragma_foreign_key_list('{t}')"
                ),
            )
            .await
            .unwrap(),
        );
    }
    facts.sort();
    facts
}

#[tokio::test]
async fn the_rebuild_keeps_every_column_index_trigger_and_foreign_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/k.db?mode=rwc", dir.path().display());
    let store = Store::connect(&url, FieldCipher::generate(Algorithm::Sm4Gcm))
        .await
        .unwrap();
    store.migrate_below(12).await.unwrap();
    kexie_store::testing::raw_sql(
        &url,
        "insert into org (org_id, code, name, kind, path, depth, name_pinyin, initials, \
         created_at, updated_at) values (1, 'S', 'S学会', 'society', '/1/', 1, 's', 's', 0, 0); \
         insert into person (person_id, org_id, name, name_pinyin, initials, created_at, updated_at) \
         values (7, 1, '甲', 'jia', 'j', 0, 0); \
         insert into membership (membership_id, person_id, org_id, member_type, created_at, updated_at) \
         values (9, 7, 1, '普通会员', 0, 0);",
    )
    .await
    .unwrap();
    let before = schema(&url).await;

    store.migrate().await.unwrap();

    let after: Vec<String> = schema(&url)
        .await
        .into_iter()
        // What 0012 adds beside the rebuild: the correction requests and an issuer column.
        .filter(|f| !f.starts_with("correction_request") && !f.contains("on correction_request"))
        .filter(|f| f != "integrity_record column issuer TEXT 0 - 0")
        .collect();
    // The one intended change besides AUTOINCREMENT: the merge trail no longer holds the survivor
    // by a foreign key, so deleting the survivor keeps the trail.
    let mut expected: Vec<String> = before
        .into_iter()
        .filter(|f| !f.starts_with("person_merge references person(person_id)"))
        .collect();
    expected.sort();
    let lost: Vec<_> = expected.iter().filter(|f| !after.contains(f)).collect();
    let gained: Vec<_> = after.iter().filter(|f| !expected.contains(f)).collect();
    assert!(
        lost.is_empty() && gained.is_empty(),
        "lost {lost:?}, gained {gained:?}"
    );
    let created = query_text(
        &url,
        "select name from sqlite_master where type = 'table' and sql like '%autoincrement%' \
         order by name",
    )
    .await
    .unwrap();
    assert_eq!(
        created,
        ["correction_request", "membership", "person", "person_merge"]
    );
    let kept = query_text(
        &url,
        "select p.name || ' ' || cast(m.membership_id as text) from person p \
         join membership m on m.person_id = p.person_id where p.person_id = 7",
    )
    .await
    .unwrap();
    assert_eq!(kept, ["甲 9"]);
    let check = query_text(
        &url,
        "select cast(count(*) as text) from pragma_foreign_key_check",
    )
    .await
    .unwrap();
    assert_eq!(check, ["0"]);
    // The rebuilt tables have the planner's statistics again (0013): without them a province's
    // ledger total was planned ten times slower.
    let analysed = query_text(
        &url,
        "select distinct tbl from sqlite_stat1 where tbl in ('person', 'membership') order by tbl",
    )
    .await
    .unwrap();
    assert_eq!(analysed, ["membership", "person"]);
    store.close().await;
}

/// Migration 0014 cuts the lookup hashes stored before it to the 128 bits computed since: a
/// person registered with a full-length hash is still found by ID number and phone.
#[tokio::test]
async fn people_hashed_at_full_length_are_found_after_the_hashes_are_shortened() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/k.db?mode=rwc", dir.path().display());
    let cipher = FieldCipher::generate(Algorithm::Sm4Gcm);
    let store = Store::connect(&url, cipher.clone()).await.unwrap();
    store.migrate_below(14).await.unwrap();
    let id = "11010519491231002X";
    let full = |field: &str, value: &str| cipher.mac(&[field.as_bytes(), &[0], value.as_bytes()]);
    let (id_hash, mobile_hash) = (
        full("person.id_number", id),
        full("person.mobile", "13912345678"),
    );
    assert_eq!(id_hash.len(), 64);
    kexie_store::testing::raw_sql(
        &url,
        &format!(
            "insert into org (org_id, code, name, kind, path, depth, name_pinyin, initials, \
             created_at, updated_at) values (1, 'S', 'S学会', 'society', '/1/', 1, 's', 's', 0, 0); \
             insert into person (person_id, org_id, name, name_pinyin, initials, id_number_hash, \
             mobile_hash, created_at, updated_at) \
             values (7, 1, '甲', 'jia', 'j', '{id_hash}', '{mobile_hash}', 0, 0);"
        ),
    )
    .await
    .unwrap();

    store.migrate().await.unwrap();

    let scope = kexie_store::Scope::everything();
    let found = store.person_by_id_number(&scope, id).await.unwrap();
    assert_eq!(found.person_id, 7);
    let stored = query_text(
        &url,
        "select id_number_hash || ' ' || mobile_hash from person",
    )
    .await
    .unwrap();
    assert_eq!(
        stored,
        [format!("{} {}", &id_hash[..32], &mobile_hash[..32])]
    );
    store.close().await;
}
