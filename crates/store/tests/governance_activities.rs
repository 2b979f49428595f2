//! Activities and inactive branches on both databases: activities recorded, listed and deleted
//! within the scope and audited; `branch.inactive` fed from them on an injected date.

#[path = "support/activities.rs"]
mod support;

use kexie_domain::governance::{rule, ActivityKind, Severity};
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_store::testing::TestDb;
use kexie_store::{stories, ActivityFilter, OrgPatch, Scope, StoreError};
use support::{activity, audit_count, d, org, scope_of, tree};

stories!(
    activities_are_recorded_listed_by_year_and_subtree_and_audited,
    activities_outside_the_scope_do_not_exist_and_viewers_cannot_write,
    bad_activities_are_refused_in_chinese,
    a_branch_without_activity_for_24_months_is_a_warning_from_the_day,
    a_branch_counts_from_its_founding_and_dissolved_branches_are_left_out,
);

async fn activities_are_recorded_listed_by_year_and_subtree_and_audited(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s, b) = tree(store).await;
    let a1 = activity(d(2024, 5, 1), "年会", ActivityKind::Meeting, 120);
    let a2 = activity(
        d(2025, 3, 2),
        "科普进校园",
        ActivityKind::Popularisation,
        300,
    );
    let a3 = activity(
        d(2025, 9, 9),
        "青年论坛",
        ActivityKind::AcademicExchange,
        40,
    );
    store.create_activity(&all, s, &a1).await.unwrap();
    store.create_activity(&all, s, &a2).await.unwrap();
    let branch_one = store.create_activity(&all, b, &a3).await.unwrap();

    let own = store
        .activities(&all, s, &ActivityFilter::default())
        .await
        .unwrap();
    assert_eq!(own.len(), 2);
    assert_eq!(own[0].title, "科普进校园", "newest first");
    assert_eq!(own[0].kind, "popularisation");
    assert_eq!(own[0].kind_zh(), "科普活动");
    assert_eq!(own[0].participants, 300);
    assert_eq!(own[0].notes, None, "blank notes are not kept");
    let year = ActivityFilter {
        year: Some(2025),
        subtree: true,
    };
    let of_2025 = store.activities(&all, s, &year).await.unwrap();
    let titles: Vec<_> = of_2025.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["青年论坛", "科普进校园"]);
    assert_eq!(of_2025[0].org_name, "青年工作专业委员会");

    store.delete_activity(&all, s, branch_one).await.unwrap();
    assert_eq!(store.activities(&all, s, &year).await.unwrap().len(), 1);
    assert!(matches!(
        store.delete_activity(&all, s, branch_one).await,
        Err(StoreError::NotFound)
    ));
    for (action, n) in [
        ("governance.activity.create", 3),
        ("governance.activity.delete", 1),
    ] {
        assert_eq!(audit_count(store, action).await, n, "{action}");
    }
}

async fn activities_outside_the_scope_do_not_exist_and_viewers_cannot_write(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (p, s, b) = tree(store).await;
    let other = org(store, "Q", "省科协乙", OrgKind::Kexie, None, None).await;
    let id = store
        .create_activity(
            &all,
            s,
            &activity(d(2025, 1, 1), "年会", ActivityKind::Meeting, 1),
        )
        .await
        .unwrap();
    let outside = scope_of(store, other, true).await;
    assert!(matches!(
        store
            .activities(&outside, s, &ActivityFilter::default())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .create_activity(
                &outside,
                s,
                &activity(d(2025, 1, 1), "渗透", ActivityKind::Other, 1)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_activity(&outside, s, id).await,
        Err(StoreError::NotFound)
    ));
    let viewer = scope_of(store, p, false).await;
    assert_eq!(
        store
            .activities(&viewer, s, &ActivityFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store.delete_activity(&viewer, s, id).await,
        Err(StoreError::Forbidden)
    ));
    // An activity of the society is not the branch's to delete, even for everyone.
    assert!(matches!(
        store.delete_activity(&all, b, id).await,
        Err(StoreError::NotFound)
    ));
    // The branch's staff see their own activities but not the society's above them.
    let branch_staff = scope_of(store, b, true).await;
    assert!(matches!(
        store
            .activities(&branch_staff, s, &ActivityFilter::default())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .activities(&branch_staff, b, &ActivityFilter::default())
        .await
        .unwrap()
        .is_empty());
}

async fn bad_activities_are_refused_in_chinese(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s, _) = tree(store).await;
    for bad in [
        activity(d(2025, 1, 1), "   ", ActivityKind::Meeting, 1),
        activity(d(2025, 1, 1), &"长".repeat(201), ActivityKind::Meeting, 1),
        activity(d(2025, 1, 1), "年会", ActivityKind::Meeting, -1),
        activity(d(1800, 1, 1), "年会", ActivityKind::Meeting, 1),
    ] {
        match store.create_activity(&all, s, &bad).await {
            Err(StoreError::Invalid(m)) => assert!(m.chars().next().unwrap() > '\u{2e80}', "{m}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        store
            .activities(
                &all,
                s,
                &ActivityFilter {
                    year: Some(i32::MAX),
                    subtree: false
                }
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store
        .activities(&all, s, &ActivityFilter::default())
        .await
        .unwrap()
        .is_empty());
}

async fn a_branch_without_activity_for_24_months_is_a_warning_from_the_day(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s, b) = tree(store).await;
    store
        .create_activity(
            &all,
            b,
            &activity(
                d(2022, 3, 10),
                "学术沙龙",
                ActivityKind::AcademicExchange,
                30,
            ),
        )
        .await
        .unwrap();
    // An activity held after the day of the check does not count on that day.
    store
        .create_activity(
            &all,
            b,
            &activity(d(2024, 6, 1), "年会", ActivityKind::Meeting, 50),
        )
        .await
        .unwrap();
    let before = store.society_review(&all, s, d(2024, 3, 9)).await.unwrap();
    assert!(
        !before.has_rule(rule::BRANCH_INACTIVE),
        "{:#?}",
        before.findings
    );
    let on_the_day = store.society_review(&all, s, d(2024, 3, 10)).await.unwrap();
    let f = on_the_day
        .findings
        .iter()
        .find(|f| f.rule == rule::BRANCH_INACTIVE)
        .expect("branch.inactive on the day 24 months have passed");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("青年工作专业委员会"), "{}", f.message);
    assert!(f.message.contains("2022年3月10日"), "{}", f.message);
    assert_eq!(f.figures["last_activity"], "2022-03-10");
    assert_eq!(f.figures["months_inactive"], 24);
    assert!(on_the_day.warnings >= 1);
    // The later activity makes the branch active again once it has been held.
    let after = store.society_review(&all, s, d(2024, 6, 1)).await.unwrap();
    assert!(!after.has_rule(rule::BRANCH_INACTIVE));
    // The dashboard of the province shows the same finding.
    let p = store.org(&all, s).await.unwrap().parent_id.unwrap();
    let dash = store
        .governance_dashboard(&all, p, d(2024, 3, 10), &Default::default())
        .await
        .unwrap();
    assert!(dash[0]
        .findings
        .iter()
        .any(|f| f.rule == rule::BRANCH_INACTIVE));
}

async fn a_branch_counts_from_its_founding_and_dissolved_branches_are_left_out(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s, b) = tree(store).await;
    // Founded 2020-01-15 with no activity: inactive from 2022-01-15.
    let day_before = store.society_review(&all, s, d(2022, 1, 14)).await.unwrap();
    assert!(!day_before.has_rule(rule::BRANCH_INACTIVE));
    let review = store.society_review(&all, s, d(2022, 1, 15)).await.unwrap();
    let f = review
        .findings
        .iter()
        .find(|f| f.rule == rule::BRANCH_INACTIVE)
        .unwrap();
    assert!(f.message.contains("成立以来没有活动记录"), "{}", f.message);
    // A dissolved branch is no longer checked.
    store
        .update_org(
            &all,
            b,
            &OrgPatch {
                status: Some(OrgStatus::Dissolved),
                ..OrgPatch::default()
            },
        )
        .await
        .unwrap();
    let review = store.society_review(&all, s, d(2022, 1, 15)).await.unwrap();
    assert!(!review.has_rule(rule::BRANCH_INACTIVE));
}
