//! People on both databases: duplicates, merging, integrity records, deletion, membership
//! types. The ledgers are in `people/ledger.rs`.

#[path = "support/people.rs"]
mod support;

#[path = "people/ledger.rs"]
mod ledger;

use kexie_domain::network::PostRole;
use kexie_store::testing::TestDb;
use kexie_store::{stories, IntegrityRecord, NewOrgPost, NewPerson, Scope, StoreError};

use support::{member, society};

stories!(
    duplicates_are_found_by_id_number_mobile_or_name_birth_and_employer,
    merging_moves_memberships_and_keeps_a_masked_trail,
    a_person_named_in_a_post_is_merged_with_it_and_not_deleted,
    integrity_records_are_kept_and_deletion_erases_a_person,
    membership_types_are_the_defaults_plus_the_organisations_own,
);

fn person(org: i64, name: &str) -> NewPerson {
    NewPerson {
        org_id: org,
        name: name.into(),
        ..NewPerson::default()
    }
}

async fn duplicates_are_found_by_id_number_mobile_or_name_birth_and_employer(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    let a = store
        .create_person(
            &all,
            &NewPerson {
                id_number: Some("230102198503120029".into()),
                mobile: Some("13945678901".into()),
                birth_date: Some("1985-03-12".into()),
                employer: Some("寒地作物研究所".into()),
                ..person(s, "林晓")
            },
        )
        .await
        .unwrap();
    let by_id = store
        .find_duplicates(
            &all,
            &NewPerson {
                id_number: Some("230102198503120029".into()),
                ..person(s, "别名")
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (by_id[0].person_id, by_id[0].reason.as_str()),
        (a.person_id, "id_number")
    );
    let by_mobile = store
        .find_duplicates(
            &all,
            &NewPerson {
                mobile: Some("13945678901".into()),
                ..person(s, "林晓")
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(by_mobile[0].reason, "name_mobile");
    let by_birth = store
        .find_duplicates(
            &all,
            &NewPerson {
                birth_date: Some("1985-03-12".into()),
                employer: Some("寒地作物研究所".into()),
                ..person(s, "林晓")
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(by_birth[0].reason, "name_birth_employer");
    assert!(store
        .find_duplicates(
            &all,
            &NewPerson {
                mobile: Some("13945678901".into()),
                ..person(s, "别人")
            },
            None
        )
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .find_duplicates(
            &all,
            &NewPerson {
                id_number: Some("230102198503120029".into()),
                ..person(s, "x")
            },
            Some(a.person_id)
        )
        .await
        .unwrap()
        .is_empty());
}

async fn merging_moves_memberships_and_keeps_a_masked_trail(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s1 = society(store, "S1", None).await;
    let s2 = society(store, "S2", None).await;
    let (keep, _) = member(store, s1, "林晓", "1985-03-12", "female", "2020-01-01").await;
    let (dup, _) = member(store, s1, "林晓", "1985-03-12", "female", "2021-01-01").await;
    store
        .add_membership(
            &all,
            dup,
            s2,
            "青年会员",
            Some("S2-001"),
            Some("2022-01-01"),
        )
        .await
        .unwrap();
    let merged = store.merge_persons(&all, keep, dup).await.unwrap();
    assert_eq!(merged.person_id, keep);
    let memberships = store.person_memberships(&all, keep).await.unwrap();
    let orgs: Vec<_> = memberships.iter().map(|m| m.org_id).collect();
    assert_eq!(orgs, [s1, s2], "S1 once, S2 moved over");
    assert!(matches!(
        store.person(&all, dup).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.merge_persons(&all, keep, keep).await,
        Err(StoreError::Invalid(_))
    ));
}

/// Every table that names a person is moved by a merge; deletion refuses while a post names
/// them (the organisation's record of who held it), with a conflict rather than a database error.
async fn a_person_named_in_a_post_is_merged_with_it_and_not_deleted(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    let (keep, _) = member(store, s, "林晓", "1985-03-12", "female", "2020-01-01").await;
    let (dup, _) = member(store, s, "林晓", "1985-03-12", "female", "2021-01-01").await;
    store
        .add_org_post(
            &all,
            s,
            &NewOrgPost {
                person_id: dup,
                role: PostRole::ALL[0],
                mode: None,
                key_kind: None,
                started_on: None,
                ended_on: None,
            },
        )
        .await
        .unwrap();

    store.merge_persons(&all, keep, dup).await.unwrap();

    let posts = store
        .org_posts(&all, s, support::today(), true)
        .await
        .unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].person_id, keep,
        "the post moved to the record kept"
    );
    assert!(matches!(
        store.delete_person(&all, keep).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store.person(&all, keep).await.is_ok(),
        "nothing was deleted"
    );
}

async fn integrity_records_are_kept_and_deletion_erases_a_person(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    let (p, _) = member(store, s, "林晓", "1985-03-12", "female", "2020-01-01").await;
    let record = IntegrityRecord {
        integrity_record_id: 0,
        org_id: s,
        kind: "sanction".into(),
        recorded_on: "2024-05-01".into(),
        description: "论文数据造假，取消评奖资格三年".into(),
        expires_on: Some("2027-05-01".into()),
        issuer: None,
    };
    store.add_integrity_record(&all, p, &record).await.unwrap();
    let bad = IntegrityRecord {
        kind: "rumour".into(),
        ..record.clone()
    };
    assert!(matches!(
        store.add_integrity_record(&all, p, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    // Dates and lengths are checked here, for the page and the API alike.
    for bad in [
        IntegrityRecord {
            recorded_on: "2024-13-01".into(),
            ..record.clone()
        },
        IntegrityRecord {
            expires_on: Some("2024-04-30".into()),
            ..record.clone()
        },
        IntegrityRecord {
            issuer: Some("某".repeat(101)),
            ..record.clone()
        },
    ] {
        assert!(matches!(
            store.add_integrity_record(&all, p, &bad).await,
            Err(StoreError::Invalid(_))
        ));
    }
    let records = store.integrity_records(&all, p).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].expires_on.as_deref(), Some("2027-05-01"));
    store.delete_person(&all, p).await.unwrap();
    assert!(matches!(
        store.person(&all, p).await,
        Err(StoreError::NotFound)
    ));
    let viewer = Scope::subtree("/", false, false);
    let (q, _) = member(store, s, "王五", "1985-03-12", "male", "2020-01-01").await;
    assert!(matches!(
        store.delete_person(&viewer, q).await,
        Err(StoreError::Forbidden)
    ));
}

async fn membership_types_are_the_defaults_plus_the_organisations_own(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    let other = society(store, "T", None).await;
    store
        .add_membership_type(&all, s, "单位联络员")
        .await
        .unwrap();
    let types = store.membership_types(&all, s).await.unwrap();
    assert_eq!(
        types,
        [
            "普通会员",
            "学生会员",
            "青年会员",
            "资深会员",
            "外籍会员",
            "荣誉会员",
            "单位联络员"
        ]
    );
    assert_eq!(store.membership_types(&all, other).await.unwrap().len(), 6);
    assert!(matches!(
        store.add_membership_type(&all, s, "单位联络员").await,
        Err(StoreError::Conflict(_))
    ));
}
