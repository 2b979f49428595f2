//! People and membership on both databases: ledgers, growth, statuses, duplicates, merging,
//! integrity records, deletion.

use chrono::NaiveDate;
use kexie_domain::org::OrgKind;
use kexie_store::testing::TestDb;
use kexie_store::{
    stories, IntegrityRecord, LedgerFilter, NewOrg, NewPerson, Scope, Store, StoreError,
};

stories!(
    a_ledger_filters_sorts_by_pinyin_and_pages,
    a_subtree_ledger_includes_the_organisations_below,
    paging_a_ledger_matches_one_long_page_and_totals_follow_writes,
    a_bulk_import_links_every_membership_to_its_own_person,
    growth_counts_members_at_start_joined_and_left,
    duplicates_are_found_by_id_number_mobile_or_name_birth_and_employer,
    merging_moves_memberships_and_keeps_a_masked_trail,
    integrity_records_are_kept_and_deletion_erases_a_person,
    membership_types_are_the_defaults_plus_the_organisations_own,
);

async fn society(store: &Store, code: &str, parent: Option<i64>) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: format!("{code}学会"),
                kind: Some(OrgKind::Society),
                parent_id: parent,
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

async fn member(
    store: &Store,
    org: i64,
    name: &str,
    birth: &str,
    gender: &str,
    joined: &str,
) -> (i64, i64) {
    let all = Scope::everything();
    let p = store
        .create_person(
            &all,
            &NewPerson {
                org_id: org,
                name: name.into(),
                birth_date: Some(birth.into()),
                gender: Some(gender.into()),
                title: Some("中级".into()),
                grassroots: true,
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    let m = store
        .add_membership(&all, p.person_id, org, "普通会员", None, Some(joined))
        .await
        .unwrap();
    (p.person_id, m)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

async fn a_ledger_filters_sorts_by_pinyin_and_pages(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    member(store, s, "赵一", "1990-01-01", "male", "2020-01-01").await;
    member(store, s, "安二", "1960-05-05", "female", "2020-01-01").await;
    member(store, s, "单三", "2000-03-03", "female", "2021-01-01").await;
    let (_, lapsed) = member(store, s, "白四", "1980-01-01", "male", "2019-01-01").await;
    store
        .set_membership_status(&all, lapsed, "lapsed", "2025-06-30", None)
        .await
        .unwrap();
    let filter = LedgerFilter {
        org_id: s,
        ..LedgerFilter::default()
    };
    let (rows, total) = store.ledger(&all, &filter, today(), 50, 0).await.unwrap();
    assert_eq!(total, 3);
    let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
    // an, shan (单 as a surname), zhao.
    assert_eq!(names, ["安二", "单三", "赵一"]);
    let women = LedgerFilter {
        gender: Some("female".into()),
        ..filter.clone()
    };
    assert_eq!(
        store.ledger(&all, &women, today(), 50, 0).await.unwrap().1,
        2
    );
    let young = LedgerFilter {
        age_max: Some(36),
        ..filter.clone()
    };
    let (rows, _) = store.ledger(&all, &young, today(), 50, 0).await.unwrap();
    let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["单三", "赵一"]);
    let senior = LedgerFilter {
        age_min: Some(60),
        ..filter.clone()
    };
    assert_eq!(
        store.ledger(&all, &senior, today(), 50, 0).await.unwrap().1,
        1
    );
    let lapsed_only = LedgerFilter {
        status: Some("lapsed".into()),
        ..filter.clone()
    };
    assert_eq!(
        store
            .ledger(&all, &lapsed_only, today(), 50, 0)
            .await
            .unwrap()
            .0[0]
            .name,
        "白四"
    );
    let (page2, total) = store.ledger(&all, &filter, today(), 2, 2).await.unwrap();
    assert_eq!((page2.len(), total), (1, 3));
    assert_eq!(page2[0].name, "赵一");
}

/// Pages continue from where the last one ended and totals are remembered: both must give what
/// one long page gives, and both must notice a write.
async fn paging_a_ledger_matches_one_long_page_and_totals_follow_writes(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let parent = society(store, "P", None).await;
    let child = society(store, "C", Some(parent)).await;
    let names = [
        "张三", "李四", "王五", "张三", "赵六", "单七", "安八", "曾九", "白十",
    ];
    for i in 0..23 {
        let org = if i % 3 == 0 { child } else { parent };
        let (person, _) = member(
            store,
            org,
            names[i % names.len()],
            "1980-01-01",
            "male",
            "2020-01-01",
        )
        .await;
        if i % 5 == 0 {
            // The same person in both organisations: two lines of the subtree's ledger.
            let other = if org == child { parent } else { child };
            store
                .add_membership(&all, person, other, "普通会员", None, Some("2021-01-01"))
                .await
                .unwrap();
        }
    }
    let filter = LedgerFilter {
        org_id: parent,
        subtree: true,
        ..LedgerFilter::default()
    };
    let lines = |rows: &[kexie_store::LedgerRow]| -> Vec<i64> {
        rows.iter().map(|r| r.membership_id).collect()
    };
    let (whole, total) = store.ledger(&all, &filter, today(), 100, 0).await.unwrap();
    assert_eq!(total, 28);
    assert_eq!(whole.len(), 28);
    let mut paged = Vec::new();
    for offset in (0..total).step_by(4) {
        let (rows, t) = store
            .ledger(&all, &filter, today(), 4, offset)
            .await
            .unwrap();
        assert_eq!(t, total);
        paged.extend(lines(&rows));
    }
    assert_eq!(paged, lines(&whole));
    // Again, now from the remembered page ends: the same lines.
    let mut again = Vec::new();
    for offset in (0..total).step_by(4) {
        again.extend(lines(
            &store
                .ledger(&all, &filter, today(), 4, offset)
                .await
                .unwrap()
                .0,
        ));
    }
    assert_eq!(again, paged);

    // A new member sorted first (安 an): the total and every page after it move.
    member(store, child, "阿一", "1990-01-01", "male", "2022-01-01").await;
    let (first, total) = store.ledger(&all, &filter, today(), 4, 0).await.unwrap();
    assert_eq!(total, 29);
    assert_eq!(first[0].name, "阿一");
    let (whole, _) = store.ledger(&all, &filter, today(), 100, 0).await.unwrap();
    let mut paged = Vec::new();
    for offset in (0..total).step_by(4) {
        paged.extend(lines(
            &store
                .ledger(&all, &filter, today(), 4, offset)
                .await
                .unwrap()
                .0,
        ));
    }
    assert_eq!(paged, lines(&whole));
}

/// An invented ID number born in Beijing's Dongcheng district, `n` making it unique.
fn id_number(n: usize) -> String {
    let first17 = format!(
        "110101{}{:02}{:02}{:03}",
        1960 + n % 40,
        1 + n % 12,
        1 + n % 28,
        n % 1000
    );
    let check = kexie_domain::id_number::check_char(&first17).unwrap();
    format!("{first17}{check}")
}

/// Imports go in multi-row statements: every membership must still belong to its own row's
/// person across statement boundaries, and a second import finds every row registered.
async fn a_bulk_import_links_every_membership_to_its_own_person(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "BULK", None).await;
    let rows: Vec<kexie_store::ImportPerson> = (0..530)
        .map(|i| kexie_store::ImportPerson {
            row: i + 2,
            person: NewPerson {
                org_id: s,
                name: format!("会员{i:04}"),
                id_number: Some(id_number(i)),
                mobile: Some(format!("139{i:08}")),
                ..NewPerson::default()
            },
            member_type: Some(
                if i.is_multiple_of(2) {
                    "普通会员"
                } else {
                    "学生会员"
                }
                .into(),
            ),
            member_number: Some(format!("M{i:04}")),
            joined: Some("2024-03-01".into()),
        })
        .collect();
    let outcome = store
        .import_persons(&all, s, &rows, true, false, false, None)
        .await
        .unwrap();
    assert_eq!((outcome.created, outcome.memberships), (530, 530));
    let filter = LedgerFilter {
        org_id: s,
        ..LedgerFilter::default()
    };
    let (lines, total) = store.ledger(&all, &filter, today(), 1000, 0).await.unwrap();
    assert_eq!(total, 530);
    for line in &lines {
        let i: usize = line.name["会员".len()..].parse().unwrap();
        assert_eq!(line.number.as_deref(), Some(format!("M{i:04}").as_str()));
        let expected = if i.is_multiple_of(2) {
            "普通会员"
        } else {
            "学生会员"
        };
        assert_eq!(line.member_type, expected, "row {i}");
    }

    // Again: every row is registered; one by name and phone only (a new ID number).
    let mut again = rows.clone();
    again[300].person.id_number = Some(id_number(5000));
    let outcome = store
        .import_persons(&all, s, &again, true, false, false, None)
        .await
        .unwrap();
    assert_eq!(outcome.created, 0);
    assert_eq!(outcome.existing.len(), 530);
    assert_eq!(outcome.existing[300].reason, "name_mobile");
    assert_eq!(outcome.existing[0].reason, "id_number");
    // The membership numbers are taken too.
    assert_eq!(outcome.problems.len(), 530);
    assert_eq!(outcome.problems[0].2, "duplicate.existing");
}

async fn a_subtree_ledger_includes_the_organisations_below(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    let branch = society(store, "B", Some(s)).await;
    member(store, s, "甲", "1990-01-01", "male", "2020-01-01").await;
    member(store, branch, "乙", "1990-01-01", "male", "2020-01-01").await;
    let own = LedgerFilter {
        org_id: s,
        ..LedgerFilter::default()
    };
    assert_eq!(store.ledger(&all, &own, today(), 50, 0).await.unwrap().1, 1);
    let tree = LedgerFilter {
        subtree: true,
        ..own
    };
    assert_eq!(
        store.ledger(&all, &tree, today(), 50, 0).await.unwrap().1,
        2
    );
    // From the branch's own scope the society above does not exist.
    let branch_scope = Scope::subtree(store.org(&all, branch).await.unwrap().path, false, false);
    let above = LedgerFilter {
        org_id: s,
        ..LedgerFilter::default()
    };
    assert!(matches!(
        store.ledger(&branch_scope, &above, today(), 50, 0).await,
        Err(StoreError::NotFound)
    ));
}

async fn growth_counts_members_at_start_joined_and_left(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    for i in 0..10 {
        member(
            store,
            s,
            &format!("老会员{i}"),
            "1980-01-01",
            "male",
            "2024-03-01",
        )
        .await;
    }
    let (_, gone) = member(store, s, "离开者", "1980-01-01", "male", "2024-03-01").await;
    store
        .set_membership_status(&all, gone, "resigned", "2025-04-01", None)
        .await
        .unwrap();
    for i in 0..3 {
        member(
            store,
            s,
            &format!("新会员{i}"),
            "1995-01-01",
            "female",
            "2025-05-01",
        )
        .await;
    }
    let g = store.growth(&all, s, 2025, 15.0).await.unwrap();
    assert_eq!((g.at_start, g.joined, g.left, g.net), (11, 3, 1, 2));
    assert!((g.rate_percent.unwrap() - 200.0 / 11.0).abs() < 1e-9);
    assert_eq!(g.met, Some(true));
    let before = store.growth(&all, s, 2023, 15.0).await.unwrap();
    assert_eq!(before.at_start, 0);
    assert_eq!(before.rate_percent, None);
}

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
