//! The change log that feeds the search index: every write to people and organisations logs the
//! ids it touched in its own transaction, an import one row for the whole file, a refused or dry
//! run write nothing.

#[path = "support/network.rs"]
mod network;

use kexie_domain::org::OrgKind;
use kexie_store::testing::TestDb;
use kexie_store::{stories, Changed, ImportOrg, NewOrg, NewPerson, Scope, Store};

use network::person;

stories!(
    each_write_logs_what_it_touched,
    an_organisation_import_is_one_change_and_a_refused_one_none,
    a_refused_write_logs_nothing,
);

/// The changes logged since `after`, as (kind, first, last).
async fn logged(store: &Store, after: i64) -> Vec<(Changed, i64, i64)> {
    store
        .search_changes_after(after, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.changed, c.first_id, c.last_id))
        .collect()
}

async fn org(store: &Store, code: &str, parent: Option<i64>) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: format!("{code}科学技术协会"),
                kind: Some(OrgKind::Kexie),
                parent_id: parent,
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

async fn each_write_logs_what_it_touched(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let start = store.search_change_max().await.unwrap();
    let city = org(store, "CITY", None).await;
    let county = org(store, "COUNTY", Some(city)).await;
    let other = org(store, "OTHER", Some(city)).await;
    let a = person(store, county, "张三").await;
    let b = person(store, county, "张叁").await;
    assert_eq!(
        logged(store, start).await,
        [
            (Changed::Org, city, city),
            (Changed::Org, county, county),
            (Changed::Org, other, other),
            (Changed::Person, a, a),
            (Changed::Person, b, b),
        ]
    );
    let mark = store.search_change_max().await.unwrap();
    store
        .update_person(
            &all,
            a,
            &NewPerson {
                org_id: county,
                name: "张三".into(),
                employer: Some("松花江种子站".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    store.merge_persons(&all, a, b).await.unwrap();
    store.move_org(&all, county, other).await.unwrap();
    store.dissolve_org(&all, county).await.unwrap();
    let c = person(store, other, "李四").await;
    store.delete_person(&all, c).await.unwrap();
    // A membership changes nothing search finds: nothing logged.
    let before_membership = store.search_change_max().await.unwrap();
    store
        .add_membership(&all, a, other, "普通会员", None, None)
        .await
        .unwrap();
    assert_eq!(store.search_change_max().await.unwrap(), before_membership);
    assert_eq!(
        logged(store, mark).await,
        [
            (Changed::Person, a, a),
            (Changed::Person, b, b),
            (Changed::OrgTree, county, county),
            (Changed::Org, county, county),
            (Changed::Person, c, c),
            (Changed::Person, c, c),
        ]
    );
}

async fn an_organisation_import_is_one_change_and_a_refused_one_none(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let city = org(store, "CITY", None).await;
    let rows: Vec<ImportOrg> = ["A1", "A2", "A3"]
        .iter()
        .enumerate()
        .map(|(i, code)| ImportOrg {
            row: i + 2,
            org: NewOrg {
                code: (*code).into(),
                name: format!("{code}企业科协"),
                kind: Some(OrgKind::EnterpriseKexie),
                ..NewOrg::default()
            },
            parent_code: Some("CITY".into()),
        })
        .collect();
    let mark = store.search_change_max().await.unwrap();
    store.import_orgs(&all, &rows, true, None).await.unwrap();
    assert!(
        logged(store, mark).await.is_empty(),
        "a dry run logs nothing"
    );
    let outcome = store.import_orgs(&all, &rows, false, None).await.unwrap();
    assert_eq!(outcome.created, 3);
    let changes = logged(store, mark).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    let (kind, first, last) = changes[0];
    assert_eq!(kind, Changed::Org);
    assert!(first > city);
    // The range covers every organisation of the file (on PostgreSQL also the ids the dry run
    // used up: harmless, applying a change rereads whatever rows exist).
    for code in ["A1", "A2", "A3"] {
        let id = store.org_by_code(&all, code).await.unwrap().org_id;
        assert!(
            (first..=last).contains(&id),
            "{code} {id} in {first}..={last}"
        );
    }
    // The same file again is refused whole (codes exist): nothing logged.
    let mark = store.search_change_max().await.unwrap();
    let again = store.import_orgs(&all, &rows, false, None).await.unwrap();
    assert_eq!(again.created, 0);
    assert!(logged(store, mark).await.is_empty());
}

async fn a_refused_write_logs_nothing(db: &TestDb) {
    let store = &db.store;
    let city = org(store, "CITY", None).await;
    let county = org(store, "COUNTY", Some(city)).await;
    let path = store.org(&Scope::everything(), county).await.unwrap().path;
    let viewer = Scope::subtree(path, false, false);
    let mark = store.search_change_max().await.unwrap();
    let refused = store
        .create_person(
            &viewer,
            &NewPerson {
                org_id: county,
                name: "王五".into(),
                ..NewPerson::default()
            },
        )
        .await;
    assert!(refused.is_err());
    // Outside the scope: not found, and nothing logged either.
    let outside = store
        .update_org(
            &viewer,
            city,
            &kexie_store::OrgPatch {
                notes: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(outside.is_err());
    assert!(logged(store, mark).await.is_empty());
}
