//! Posts (任职) and key persons (四长) on both databases.

#[path = "support/network.rs"]
mod support;

use kexie_domain::network::{KeyPersonKind, PostMode, PostRole};
use kexie_store::testing::{query_text, TestDb};
use kexie_store::{stories, Scope, StoreError};
use support::{day, person, post, scope_of, tree};

stories!(
    a_post_is_held_until_it_ends_and_only_within_scope,
    a_vice_chair_says_how_the_post_is_held_and_a_post_is_not_held_twice,
    key_persons_in_post_are_counted_by_level_and_kind,
);

async fn a_post_is_held_until_it_ends_and_only_within_scope(db: &TestDb) {
    let store = &db.store;
    let t = tree(store).await;
    let holder = person(store, t.d1, "甲校长").await;
    let outsider = person(store, t.d2, "乙院长").await;
    let county = scope_of(store, t.d1, true).await;
    let created = store
        .add_org_post(
            &county,
            t.t1,
            &post(
                holder,
                PostRole::Chair,
                Some(KeyPersonKind::SchoolPrincipal),
            ),
        )
        .await
        .unwrap();
    assert_eq!(created.person_name, "甲校长");
    assert_eq!(created.org_name, "一街道科协");
    assert_eq!(created.key_kind.as_deref(), Some("school_principal"));
    let today = day("2020-01-01");
    let current = store.org_posts(&county, t.t1, today, false).await.unwrap();
    assert_eq!(current.len(), 1);

    // A person of the sibling district, an organisation of the sibling district: not found.
    let outside_person = store
        .add_org_post(&county, t.t1, &post(outsider, PostRole::Contact, None))
        .await;
    assert!(matches!(outside_person, Err(StoreError::NotFound)));
    let outside_org = store
        .add_org_post(&county, t.d2, &post(holder, PostRole::Contact, None))
        .await;
    assert!(matches!(outside_org, Err(StoreError::NotFound)));
    let sibling = scope_of(store, t.d2, true).await;
    assert!(matches!(
        store.org_post(&sibling, created.post_id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.end_org_post(&sibling, created.post_id, today).await,
        Err(StoreError::NotFound)
    ));
    // A viewer sees the post but may not end it.
    let viewer = scope_of(store, t.d1, false).await;
    assert!(matches!(
        store.end_org_post(&viewer, created.post_id, today).await,
        Err(StoreError::Forbidden)
    ));

    let ended = store
        .end_org_post(&county, created.post_id, day("2019-12-31"))
        .await
        .unwrap();
    assert_eq!(ended.ended_on.as_deref(), Some("2019-12-31"));
    assert!(store
        .org_posts(&county, t.t1, today, false)
        .await
        .unwrap()
        .is_empty());
    let all = store.org_posts(&county, t.t1, today, true).await.unwrap();
    assert_eq!(all.len(), 1);
    // Held on the day before it ended, not on the day itself.
    assert!(all[0].is_current(day("2019-12-30")) && !all[0].is_current(day("2019-12-31")));
    let audit = query_text(
        &db.url,
        "select action from audit_log where action like 'post.%' order by audit_id",
    )
    .await
    .unwrap();
    assert_eq!(audit, ["post.create", "post.end"]);
}

async fn a_vice_chair_says_how_the_post_is_held_and_a_post_is_not_held_twice(db: &TestDb) {
    let store = &db.store;
    let t = tree(store).await;
    let all = Scope::everything();
    let holder = person(store, t.d1, "丙站长").await;
    let no_mode = store
        .add_org_post(&all, t.d1, &post(holder, PostRole::ViceChair, None))
        .await;
    assert!(matches!(no_mode, Err(StoreError::Invalid(m)) if m.contains("兼职")));
    let mut seconded = post(
        holder,
        PostRole::ViceChair,
        Some(KeyPersonKind::AgriStationHead),
    );
    seconded.mode = Some(PostMode::Seconded);
    let held = store.add_org_post(&all, t.d1, &seconded).await.unwrap();
    assert_eq!(held.mode.as_deref(), Some("seconded"));
    let twice = store.add_org_post(&all, t.d1, &seconded).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))));
    let mut backwards = post(holder, PostRole::Representative, None);
    backwards.ended_on = Some(day("2018-01-01"));
    assert!(matches!(
        store.add_org_post(&all, t.d1, &backwards).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn key_persons_in_post_are_counted_by_level_and_kind(db: &TestDb) {
    let store = &db.store;
    let t = tree(store).await;
    let all = Scope::everything();
    let a = person(store, t.d1, "校长甲").await;
    let b = person(store, t.d1, "院长乙").await;
    let c = person(store, t.d1, "校长丙").await;
    let d = person(store, t.d2, "企业家丁").await;
    let e = person(store, t.d1, "院长戊").await;
    use KeyPersonKind::*;
    for (org_id, who, role, kind) in [
        (t.d1, a, PostRole::CommitteeMember, Some(SchoolPrincipal)),
        // The same person twice at the same level and kind counts once.
        (t.d1, a, PostRole::Representative, Some(SchoolPrincipal)),
        (t.t1, b, PostRole::Chair, Some(HospitalDirector)),
        (t.t1, c, PostRole::CommitteeMember, Some(SchoolPrincipal)),
        (t.t1, e, PostRole::Contact, None),
        (t.d2, d, PostRole::CommitteeMember, Some(TechEntrepreneur)),
    ] {
        store
            .add_org_post(&all, org_id, &post(who, role, kind))
            .await
            .unwrap();
    }
    // An ended post no longer counts.
    let ended = store
        .add_org_post(
            &all,
            t.t1,
            &post(e, PostRole::Representative, Some(HospitalDirector)),
        )
        .await
        .unwrap();
    store
        .end_org_post(&all, ended.post_id, day("2019-01-01"))
        .await
        .unwrap();

    let figures = |c: kexie_store::Coverage| {
        c.key_persons
            .into_iter()
            .map(|f| (f.level, f.kind, f.persons))
            .collect::<Vec<_>>()
    };
    let s = |x: &str| x.to_string();
    let district = store.coverage(&all, t.d1).await.unwrap();
    assert_eq!(
        district.levels[0].level, "township",
        "existing fields unchanged"
    );
    assert_eq!(
        figures(district),
        [
            (s("county"), s("school_principal"), 1),
            (s("township"), s("hospital_director"), 1),
            (s("township"), s("school_principal"), 1),
        ]
    );
    let city = store.coverage(&all, t.city).await.unwrap();
    assert_eq!(
        figures(city),
        [
            (s("county"), s("school_principal"), 1),
            (s("county"), s("tech_entrepreneur"), 1),
            (s("township"), s("hospital_director"), 1),
            (s("township"), s("school_principal"), 1),
        ]
    );
}
