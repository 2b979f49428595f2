//! The index fed from a real database, on SQLite and on PostgreSQL: writes through the store reach
//! search through the change log, imports log one change per file, moves re-scope a subtree,
//! a rebuild starts from the tables, and scope holds even when the index is stale.

use std::time::Duration;

use kexie_domain::org::OrgKind;
use kexie_search::{Kind, SearchIndex};
use kexie_store::testing::{import_members, TestDb};
use kexie_store::{stories, Backend, ImportPerson, NewOrg, NewPerson, Scope, Store};

stories!(
    a_person_created_through_the_store_is_found_after_catching_up,
    the_running_feed_finds_a_new_person_without_being_asked,
    edits_and_deletions_reach_the_index,
    an_import_is_one_change_and_all_its_people_are_found,
    a_moved_organisation_takes_its_people_into_the_new_scope,
    a_county_cannot_find_a_person_outside_its_subtree,
    a_stale_index_never_shows_what_the_database_would_not,
    a_rebuild_indexes_every_row_and_an_index_of_another_database_is_rebuilt,
    a_change_committed_after_a_later_one_is_still_applied,
);

async fn org(store: &Store, code: &str, name: &str, parent: Option<i64>) -> (i64, String) {
    let o = store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(OrgKind::Kexie),
                parent_id: parent,
                ..NewOrg::default()
            },
        )
        .await
        .expect("create org");
    (o.org_id, o.path)
}

async fn person(store: &Store, org_id: i64, name: &str, employer: &str) -> i64 {
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id,
                name: name.into(),
                employer: Some(employer.into()),
                ..NewPerson::default()
            },
        )
        .await
        .expect("create person")
        .person_id
}

async fn names(index: &SearchIndex, store: &Store, scope: &Scope, text: &str) -> Vec<String> {
    let found = index
        .find(store, scope, text, Some(Kind::Person), 20)
        .await
        .expect("search");
    found.persons.into_iter().map(|p| p.name).collect()
}

/// Two counties under a city, each with a person.
struct Tree {
    city: (i64, String),
    east: (i64, String),
    west: (i64, String),
}

async fn tree(store: &Store) -> Tree {
    let city = org(store, "CITY", "松江市科学技术协会", None).await;
    let east = org(store, "EAST", "东岸区科学技术协会", Some(city.0)).await;
    let west = org(store, "WEST", "西岸区科学技术协会", Some(city.0)).await;
    person(store, east.0, "张三", "东岸农业科学研究所").await;
    person(store, west.0, "张三丰", "西岸机械厂").await;
    Tree { city, east, west }
}

async fn a_person_created_through_the_store_is_found_after_catching_up(db: &TestDb) {
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    let first = index.catch_up(store).await.unwrap();
    assert!(first.rebuilt, "a new index is built from the tables");
    person(store, t.east.0, "单晓明", "东岸农业科学研究所").await;
    let all = Scope::everything();
    assert!(names(&index, store, &all, "shan").await.is_empty());
    let caught = index.catch_up(store).await.unwrap();
    assert_eq!(
        (caught.changes, caught.persons, caught.rebuilt),
        (1, 1, false)
    );
    assert_eq!(names(&index, store, &all, "shan").await, ["单晓明"]);
    assert_eq!(names(&index, store, &all, "sxm").await, ["单晓明"]);
    assert_eq!(
        index.applied_through(),
        store.search_change_max().await.unwrap()
    );
    // Nothing new: nothing applied.
    assert_eq!(index.catch_up(store).await.unwrap().changes, 0);
}

async fn the_running_feed_finds_a_new_person_without_being_asked(db: &TestDb) {
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    let _feed = index.spawn_feed(store.clone(), Duration::from_millis(20));
    person(store, t.west.0, "区明远", "西岸机械厂").await;
    // Poll, bounded: the feed applies the change on one of its rounds.
    let mut found = Vec::new();
    for _ in 0..500 {
        found = names(&index, store, &Scope::everything(), "ouming").await;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(found, ["区明远"]);
}

async fn edits_and_deletions_reach_the_index(db: &TestDb) {
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    let id = person(store, t.east.0, "曾一帆", "东岸农业科学研究所").await;
    index.catch_up(store).await.unwrap();
    let all = Scope::everything();
    assert_eq!(names(&index, store, &all, "zengyi").await, ["曾一帆"]);
    store
        .update_person(
            &all,
            id,
            &NewPerson {
                org_id: t.east.0,
                name: "曾一舟".into(),
                employer: Some("东岸食品公司".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    index.catch_up(store).await.unwrap();
    assert!(names(&index, store, &all, "曾一帆").await.is_empty());
    assert_eq!(names(&index, store, &all, "食品").await, ["曾一舟"]);
    store.delete_person(&all, id).await.unwrap();
    index.catch_up(store).await.unwrap();
    assert!(names(&index, store, &all, "zengyi").await.is_empty());
    assert_eq!(index.counts().unwrap().0, 2);

    store
        .update_org(
            &all,
            t.west.0,
            &kexie_store::OrgPatch {
                name: Some("西湾区科学技术协会".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    index.catch_up(store).await.unwrap();
    let found = index
        .find(store, &all, "xiwan", Some(Kind::Org), 10)
        .await
        .unwrap();
    assert_eq!(found.orgs.len(), 1);
    assert_eq!(found.orgs[0].name, "西湾区科学技术协会");
}

async fn an_import_is_one_change_and_all_its_people_are_found(db: &TestDb) {
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    index.catch_up(store).await.unwrap();
    let before = store.search_change_max().await.unwrap();
    let rows: Vec<Option<ImportPerson>> = ["王甲", "王乙", "王丙"]
        .iter()
        .enumerate()
        .map(|(i, name)| ImportPerson {
            row: i + 2,
            person: NewPerson {
                name: (*name).into(),
                employer: Some("东岸种子站".into()),
                ..NewPerson::default()
            },
            member_type: None,
            member_number: None,
            joined: None,
        })
        .map(Some)
        .collect();
    let all = Scope::everything();
    // A dry run logs nothing.
    import_members(store, t.east.0, rows.clone(), true).await;
    assert_eq!(store.search_change_max().await.unwrap(), before);
    let outcome = import_members(store, t.east.0, rows, false).await;
    assert_eq!(outcome.created, 3);
    let changes = store.search_changes_after(before, 10).await.unwrap();
    assert_eq!(changes.len(), 1, "one change for the whole file");
    let caught = index.catch_up(store).await.unwrap();
    assert_eq!(caught.persons, 3);
    assert_eq!(names(&index, store, &all, "种子站").await.len(), 3);
}

async fn a_moved_organisation_takes_its_people_into_the_new_scope(db: &TestDb) {
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    let town = org(store, "TOWN", "东岸街道科学技术协会", Some(t.east.0)).await;
    person(store, town.0, "李四", "东岸街道卫生院").await;
    index.catch_up(store).await.unwrap();
    let east = Scope::subtree(t.east.1.clone(), false, false);
    let west = Scope::subtree(t.west.1.clone(), false, false);
    assert_eq!(names(&index, store, &east, "李四").await, ["李四"]);
    assert!(names(&index, store, &west, "李四").await.is_empty());
    store
        .move_org(&Scope::everything(), town.0, t.west.0)
        .await
        .unwrap();
    index.catch_up(store).await.unwrap();
    assert!(names(&index, store, &east, "李四").await.is_empty());
    assert_eq!(names(&index, store, &west, "李四").await, ["李四"]);
    // The index itself holds the new paths, not only the database check.
    let in_west = index.candidates(&west, "街道", Kind::Org, 10).unwrap();
    assert_eq!(in_west, [town.0]);
}

async fn a_county_cannot_find_a_person_outside_its_subtree(db: &TestDb) {
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    index.catch_up(store).await.unwrap();
    let east = Scope::subtree(t.east.1.clone(), true, false);
    // 张三丰 of the western county matches "zs" and "张三" too, but is not the east's to see.
    assert_eq!(names(&index, store, &east, "zs").await, ["张三"]);
    assert_eq!(names(&index, store, &east, "张三").await, ["张三"]);
    assert!(names(&index, store, &east, "西岸").await.is_empty());
    let orgs = index
        .find(store, &east, "科学技术协会", None, 10)
        .await
        .unwrap()
        .orgs;
    assert_eq!(orgs.len(), 1, "only the own county: {orgs:?}");
    assert_eq!(orgs[0].org_id, t.east.0);
    let city = Scope::subtree(t.city.1.clone(), false, false);
    assert_eq!(names(&index, store, &city, "zs").await.len(), 2);
}

async fn a_stale_index_never_shows_what_the_database_would_not(db: &TestDb) {
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    index.catch_up(store).await.unwrap();
    // Behind the index's back (no catch-up yet), 张三 moves to the western county.
    let all = Scope::everything();
    let id = index.candidates(&all, "张三", Kind::Person, 1).unwrap()[0];
    store
        .update_person(
            &all,
            id,
            &NewPerson {
                org_id: t.west.0,
                name: "张三".into(),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    let east = Scope::subtree(t.east.1.clone(), false, false);
    // The index still files 张三 under the east; the database check drops him.
    assert_eq!(
        index.candidates(&east, "张三", Kind::Person, 5).unwrap(),
        [id]
    );
    assert!(names(&index, store, &east, "张三").await.is_empty());
}

async fn a_rebuild_indexes_every_row_and_an_index_of_another_database_is_rebuilt(db: &TestDb) {
    let store = &db.store;
    let dir = tempfile::tempdir().unwrap();
    let t = tree(store).await;
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        let rebuilt = index.rebuild(store).await.unwrap();
        assert_eq!((rebuilt.persons, rebuilt.orgs), (2, 3));
        assert_eq!(index.counts().unwrap(), (2, 3));
        assert_eq!(
            rebuilt.applied_through,
            store.search_change_max().await.unwrap()
        );
    }
    // Reopened, the index keeps its documents and its mark.
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.counts().unwrap(), (2, 3));
    assert_eq!(index.catch_up(store).await.unwrap().changes, 0);
    drop(index);
    // Only one process may write an index.
    let index = SearchIndex::open(dir.path()).unwrap();
    let second = SearchIndex::open(dir.path());
    assert!(matches!(second, Err(kexie_search::SearchError::Busy(_))));
    drop(index);
    // The same directory against another database: rebuilt from that one.
    let other = TestDb::new(store.backend()).await;
    org(&other.store, "ONLY", "独一科学技术协会", None).await;
    let index = SearchIndex::open(dir.path()).unwrap();
    let caught = index.catch_up(&other.store).await.unwrap();
    assert!(caught.rebuilt);
    assert_eq!(index.counts().unwrap(), (0, 1));
    let _ = t;
}

/// On PostgreSQL a change id is handed out before its transaction commits, so a later change
/// can be applied first; the index must still apply the earlier one when it commits. (On
/// SQLite writes are serialised and this cannot happen.)
async fn a_change_committed_after_a_later_one_is_still_applied(db: &TestDb) {
    use sqlx::{Connection, Executor};
    if db.store.backend() != Backend::Postgres {
        return;
    }
    let store = &db.store;
    let index = SearchIndex::in_memory().unwrap();
    let t = tree(store).await;
    index.catch_up(store).await.unwrap();
    let all = Scope::everything();
    let zhang = index.candidates(&all, "张三", Kind::Person, 1).unwrap()[0];
    // A slow writer renames 张三 and logs it, but has not committed yet.
    let mut slow = sqlx::PgConnection::connect(&db.url).await.unwrap();
    slow.execute("begin").await.unwrap();
    slow.execute(
        format!(
            "update person set name = '张三甲', name_pinyin = 'zhang san jia', initials = 'zsj' where person_id = {zhang}; \
             insert into search_change (entity, first_id, last_id, at) values ('person', {zhang}, {zhang}, 0)"
        )
        .as_str(),
    )
    .await
    .unwrap();
    // Meanwhile a later change commits and is applied.
    person(store, t.west.0, "李四", "西岸机械厂").await;
    index.catch_up(store).await.unwrap();
    assert_eq!(names(&index, store, &all, "李四").await, ["李四"]);
    slow.execute("commit").await.unwrap();
    index.catch_up(store).await.unwrap();
    assert_eq!(names(&index, store, &all, "zsj").await, ["张三甲"]);
}
