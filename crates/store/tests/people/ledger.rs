//! Ledgers on both databases: filters, pinyin order, paging, subtrees, growth, and the bulk
//! import that fills them.

use kexie_store::testing::{import_members, TestDb};
use kexie_store::{stories, LedgerFilter, NewPerson, Scope, StoreError};

use crate::support::{id_number, member, society, today};

stories!(
    a_ledger_filters_sorts_by_pinyin_and_pages,
    a_subtree_ledger_includes_the_organisations_below,
    paging_a_ledger_matches_one_long_page_and_totals_follow_writes,
    a_bulk_import_links_every_membership_to_its_own_person,
    a_bulk_import_with_colliding_fingerprints_finds_the_same,
    registry_keys_that_are_not_digests_hide_no_one,
    a_file_unreadable_further_down_writes_nothing,
    growth_counts_members_at_start_joined_and_left,
);

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

/// Imports go in multi-row statements: every membership must still belong to its own row's
/// person across statement boundaries, and a second import finds every row registered.
/// Person `i` of an imported file kept by `org`: 会员0007, with an ID number and a mobile number
/// of their own (`prefix` and `i`).
fn numbered(org: i64, i: usize, prefix: &str) -> NewPerson {
    NewPerson {
        org_id: org,
        name: format!("会员{i:04}"),
        id_number: Some(id_number(i)),
        mobile: Some(format!("{prefix}{i:08}")),
        ..NewPerson::default()
    }
}

async fn a_bulk_import_links_every_membership_to_its_own_person(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "BULK", None).await;
    let rows: Vec<kexie_store::ImportPerson> = (0..530)
        .map(|i| kexie_store::ImportPerson {
            row: i + 2,
            person: numbered(s, i, "139"),
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
    // A dry run checks everything and writes nothing.
    let dry = import_members(store, s, rows.clone().into_iter().map(Some), true).await;
    assert_eq!((dry.created, dry.memberships), (0, 0));
    assert!(dry.existing.is_empty() && dry.problems.is_empty());
    let filter = LedgerFilter {
        org_id: s,
        ..LedgerFilter::default()
    };
    assert_eq!(
        store.ledger(&all, &filter, today(), 10, 0).await.unwrap().1,
        0
    );

    let outcome = import_members(store, s, rows.clone().into_iter().map(Some), false).await;
    assert_eq!((outcome.created, outcome.memberships), (530, 530));
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
    let mut again = rows;
    again[300].person.id_number = Some(id_number(5000));
    let outcome = import_members(store, s, again.into_iter().map(Some), false).await;
    assert_eq!(outcome.created, 0);
    assert_eq!(outcome.existing.len(), 530);
    assert_eq!(outcome.existing[300].reason, "name_mobile");
    assert_eq!(outcome.existing[0].reason, "id_number");
    // The membership numbers are taken too.
    assert_eq!(outcome.problems.len(), 530);
    assert_eq!(outcome.problems[0].code, "duplicate.existing");
}

/// The same import and checks when the registry's fingerprints collide (four bits wide): every
/// key seems registered and is looked up by index, and only the registered are found.
async fn a_bulk_import_with_colliding_fingerprints_finds_the_same(db: &TestDb) {
    kexie_store::testing::coarse_fingerprints();
    a_bulk_import_links_every_membership_to_its_own_person(db).await;
}

/// A lookup hash in the registry that is not a digest (a value written by hand): the registry
/// is read in pages of the first 16 digits of each hash, and a page holding such a value is
/// read again whole, so every person registered is still found (by the other key for the two
/// whose hash was overwritten).
async fn registry_keys_that_are_not_digests_hide_no_one(db: &TestDb) {
    let store = &db.store;
    let s = society(store, "HAND", None).await;
    let rows: Vec<kexie_store::ImportPerson> = (0..40)
        .map(|i| kexie_store::ImportPerson {
            row: i + 2,
            person: numbered(s, i, "137"),
            member_type: None,
            member_number: None,
            joined: None,
        })
        .collect();
    let first = import_members(store, s, rows.clone().into_iter().map(Some), false).await;
    assert_eq!(first.created, 40);
    db.raw("update person set id_number_hash = 'by-hand' where name = '会员0007'")
        .await
        .unwrap();
    db.raw(&format!(
        "update person set mobile_hash = '{}' where name = '会员0021'",
        "z".repeat(32)
    ))
    .await
    .unwrap();

    let again = import_members(store, s, rows.into_iter().map(Some), false).await;
    assert_eq!(again.created, 0);
    assert_eq!(again.existing.len(), 40);
    for found in &again.existing {
        let expected = if found.row == 7 + 2 {
            "name_mobile"
        } else {
            "id_number"
        };
        assert_eq!(found.reason, expected, "row {}", found.row);
    }
}

/// The rows of a file still being read: one that turns out unreadable after thousands of rows
/// were written fails the import with the reader's message, and none of them stays, even when
/// invalid rows are skipped.
async fn a_file_unreadable_further_down_writes_nothing(db: &TestDb) {
    let store = &db.store;
    let s = society(store, "BROKEN", None).await;
    let items = (0..2_600).map(move |i| {
        if i == 2_500 {
            return Err("第 2502 行附近格式错误".to_string());
        }
        Ok(Some(kexie_store::ImportPerson {
            row: i + 2,
            person: NewPerson {
                org_id: s,
                name: format!("会员{i:04}"),
                id_number: Some(id_number(i)),
                ..NewPerson::default()
            },
            member_type: None,
            member_number: None,
            joined: None,
        }))
    });
    let options = kexie_store::PersonImportOptions {
        membership: true,
        skip_invalid: true,
        expected_rows: 2_600,
        ..Default::default()
    };
    let err = store
        .import_persons(&Scope::everything(), s, items, options, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("第 2502 行附近格式错误"), "{err}");
    let filter = LedgerFilter {
        org_id: s,
        ..LedgerFilter::default()
    };
    let all = Scope::everything();
    assert_eq!(
        store.ledger(&all, &filter, today(), 10, 0).await.unwrap().1,
        0
    );
    let (people, total) = store.list_persons(&all, Some("会员"), 10, 0).await.unwrap();
    assert!(people.is_empty() && total == 0);
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
