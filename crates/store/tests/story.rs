//! The store's story, told on SQLite always and on PostgreSQL when `KEXIE_TEST_POSTGRES_URL` is
//! set. Each story is one async fn taking a fresh store; `stories!` makes a test of it per
//! database, named `sqlite::…` and `postgres::…` so the runner's output counts each.

#[path = "support/network.rs"]
mod network;

use kexie_store::stories;
use kexie_store::testing::{query_text, TestDb};
use kexie_store::{NewOrg, NewPerson, OrgFilter, Scope, StoreError};

use network::org;

stories!(
    migrating_loads_the_division_tree,
    divisions_are_found_by_name_and_pinyin_initials,
    an_org_tree_is_built_and_listed,
    a_county_scope_sees_only_its_subtree,
    people_are_stored_encrypted_found_by_hash_and_shown_masked,
    a_second_person_with_the_same_id_number_is_a_conflict,
    the_demo_data_set_loads,
    migrating_twice_changes_nothing,
    the_small_demo_is_valid_every_id_number_checks_and_every_org_has_a_division,
);

async fn migrating_loads_the_division_tree(db: &TestDb) {
    let store = &db.store;
    let provinces = store.division_children(None).await.unwrap();
    assert_eq!(provinces.len(), 31 + 3 - 3 + provinces.len() - 31, "sanity");
    assert!(provinces
        .iter()
        .any(|d| d.code == "230000000000" && d.name == "黑龙江省"));
    let harbin = store.division("230100000000").await.unwrap();
    assert_eq!(harbin.name, "哈尔滨市");
    assert_eq!(harbin.level, 2);
    assert_eq!(harbin.parent_code.as_deref(), Some("230000000000"));
}

async fn divisions_are_found_by_name_and_pinyin_initials(db: &TestDb) {
    let store = &db.store;
    let found = store.division_search("hrb", None, 10).await.unwrap();
    assert_eq!(found.first().map(|d| d.name.as_str()), Some("哈尔滨市"));
    let found = store.division_search("哈尔滨", None, 10).await.unwrap();
    assert_eq!(found[0].code, "230100000000");
    let under = store
        .division_search("南岗", Some("230000000000"), 10)
        .await
        .unwrap();
    assert!(under.iter().all(|d| d.code.starts_with("23")));
    assert!(!under.is_empty());
    // LIKE wildcards typed by a user are matched literally.
    assert!(store
        .division_search("%", None, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn an_org_tree_is_built_and_listed(db: &TestDb) {
    let store = &db.store;
    let province = org(store, "P", "黑龙江省科学技术协会", None, "230000000000").await;
    let city = org(
        store,
        "C",
        "哈尔滨市科学技术协会",
        Some(province),
        "230100000000",
    )
    .await;
    org(
        store,
        "D1",
        "南岗区科学技术协会",
        Some(city),
        "230103000000",
    )
    .await;
    org(
        store,
        "D2",
        "道里区科学技术协会",
        Some(city),
        "230102000000",
    )
    .await;

    let all = Scope::everything();
    let (children, total) = store
        .list_orgs(
            &all,
            &OrgFilter {
                parent_id: Some(city),
                limit: 50,
                ..OrgFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 2);
    // Sorted by pinyin: 道里 (dao) before 南岗 (nan).
    assert_eq!(children[0].code, "D2");
    assert_eq!(children[1].code, "D1");

    let (roots, _) = store
        .list_orgs(
            &all,
            &OrgFilter {
                q: Some("hrb".into()),
                limit: 50,
                ..OrgFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0].children, 2);

    let district = store.org_by_code(&all, "D1").await.unwrap();
    let chain = store.org_ancestors(&all, &district).await.unwrap();
    let names: Vec<_> = chain.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(names, ["P", "C"]);
    assert_eq!(district.division_name.as_deref(), Some("南岗区"));

    let duplicate = store
        .create_org(
            &all,
            &NewOrg {
                code: "D1".into(),
                name: "重复".into(),
                parent_id: Some(city),
                ..NewOrg::default()
            },
        )
        .await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))));
}

async fn a_county_scope_sees_only_its_subtree(db: &TestDb) {
    let store = &db.store;
    let province = org(store, "P", "省科协", None, "230000000000").await;
    let city = org(store, "C", "市科协", Some(province), "230100000000").await;
    let d1 = org(store, "D1", "南岗区科协", Some(city), "230103000000").await;
    let d2 = org(store, "D2", "道里区科协", Some(city), "230102000000").await;
    let town = org(store, "T1", "街道科协", Some(d1), "230103001000").await;
    let path = store.org(&Scope::everything(), d1).await.unwrap().path;
    let county = Scope::subtree(path, true, false);

    assert!(store.org(&county, d1).await.is_ok());
    assert!(store.org(&county, town).await.is_ok());
    for outside in [d2, city, province] {
        assert!(matches!(
            store.org(&county, outside).await,
            Err(StoreError::NotFound)
        ));
    }
    let (list, total) = store
        .list_orgs(
            &county,
            &OrgFilter {
                limit: 50,
                ..OrgFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert!(list.iter().all(|o| o.org_id == d1 || o.org_id == town));
    // Creating under a sibling's organisation is refused as if it did not exist.
    let sneaky = store
        .create_org(
            &county,
            &NewOrg {
                code: "X".into(),
                name: "X".into(),
                parent_id: Some(d2),
                ..NewOrg::default()
            },
        )
        .await;
    assert!(matches!(sneaky, Err(StoreError::NotFound)));
    let overview = store.overview(&county).await.unwrap();
    assert_eq!(overview.orgs, 2);
}

fn person(org_id: i64, name: &str, id: &str, mobile: &str) -> NewPerson {
    NewPerson {
        org_id,
        name: name.into(),
        id_number: Some(id.into()),
        mobile: Some(mobile.into()),
        employer: Some("寒地作物研究所".into()),
        grassroots: true,
        ..NewPerson::default()
    }
}

async fn people_are_stored_encrypted_found_by_hash_and_shown_masked(db: &TestDb) {
    let store = &db.store;
    let p = org(store, "P", "省科协", None, "230000000000").await;
    let all = Scope::everything();
    let created = store
        .create_person(
            &all,
            &person(p, "单晓明", "23010319900307002X", "13812345678"),
        )
        .await
        .unwrap();
    assert_eq!(created.id_number.as_deref(), Some("2301**********002X"));
    assert_eq!(created.mobile.as_deref(), Some("138****5678"));
    let found = store
        .person_by_id_number(&all, "23010319900307002X")
        .await
        .unwrap();
    assert_eq!(found.person_id, created.person_id);
    let plain = store
        .person_id_number(&all, created.person_id)
        .await
        .unwrap();
    assert_eq!(plain.as_deref(), Some("23010319900307002X"));
    // Pinyin initials honour the surname reading: 单 is "shan" as a surname.
    let (hits, _) = store.list_persons(&all, Some("sxm"), 10, 0).await.unwrap();
    assert_eq!(hits.len(), 1);
    // A scope without the right to unmask is refused.
    let viewer = Scope::subtree("/", false, false);
    assert!(matches!(
        store.person_id_number(&viewer, created.person_id).await,
        Err(StoreError::Forbidden)
    ));
}

async fn a_second_person_with_the_same_id_number_is_a_conflict(db: &TestDb) {
    let store = &db.store;
    let p = org(store, "P", "省科协", None, "230000000000").await;
    let all = Scope::everything();
    store
        .create_person(
            &all,
            &person(p, "王一", "23010319900307002X", "13812345678"),
        )
        .await
        .unwrap();
    let again = store
        .create_person(
            &all,
            &person(p, "王二", "23010319900307002X", "13912345678"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
}

async fn the_demo_data_set_loads(db: &TestDb) {
    let store = &db.store;
    assert!(store.is_empty().await.unwrap());
    let summary = store.load_demo_small(7).await.unwrap();
    assert!(summary.orgs > 100, "{summary:?}");
    assert!(summary.persons > 290, "{summary:?}");
    assert!(!store.is_empty().await.unwrap());
    let all = Scope::everything();
    let overview = store.overview(&all).await.unwrap();
    assert_eq!(overview.persons, summary.persons);
    assert_eq!(overview.memberships, summary.memberships);
    // The people and the grassroots among them are counted in one pass.
    let grassroots = query_text(
        &db.url,
        "select cast(count(*) as text) from person where grassroots = 1",
    )
    .await
    .unwrap();
    assert_eq!(overview.grassroots.to_string(), grassroots[0]);
    assert!(
        overview.grassroots > 0 && overview.grassroots < overview.persons,
        "{overview:?}"
    );

    // Remembered until the next write, then counted again.
    let org_id: i64 = query_text(&db.url, "select cast(min(org_id) as text) from org")
        .await
        .unwrap()[0]
        .parse()
        .unwrap();
    let frontline = NewPerson {
        grassroots: true,
        ..person(org_id, "基层一", "230103199003070029", "13712345678")
    };
    store.create_person(&all, &frontline).await.unwrap();
    let after = store.overview(&all).await.unwrap();
    assert_eq!(after.persons, overview.persons + 1);
    assert_eq!(after.grassroots, overview.grassroots + 1);
    assert_eq!(after.memberships, overview.memberships);
}

async fn migrating_twice_changes_nothing(db: &TestDb) {
    let store = &db.store;
    let before = store.division_children(Some("230000000000")).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(
        store.division_children(Some("230000000000")).await.unwrap(),
        before
    );
}

async fn the_small_demo_is_valid_every_id_number_checks_and_every_org_has_a_division(db: &TestDb) {
    let store = &db.store;
    store.load_demo_small(11).await.unwrap();
    let all = Scope::everything();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let (people, total) = store.list_persons(&all, None, 500, 0).await.unwrap();
    assert_eq!(people.len() as i64, total);
    for p in &people {
        let id = store
            .person_id_number(&all, p.person_id)
            .await
            .unwrap()
            .expect("an ID number");
        let parsed =
            kexie_domain::id_number::IdNumber::parse(&id, today).expect("a valid ID number");
        assert_eq!(Some(parsed.birth_date().to_string()), p.birth_date);
    }
    let root = store.org_by_code(&all, "23KX").await.unwrap();
    let orgs = store.export_orgs(&all, root.org_id, false).await.unwrap();
    assert!(orgs.len() > 200);
    assert!(
        orgs.iter().all(|o| o.division_code.is_some()),
        "every organisation has a division"
    );
}
