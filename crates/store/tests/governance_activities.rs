//! Activities, inactive branches and the annual report on both databases: activities recorded,
//! listed and deleted within the scope and audited; `branch.inactive` fed from them on an
//! injected date; the annual report built, published and taken down.

use chrono::NaiveDate;
use kexie_domain::governance::{rule, ActivityKind, AppointmentMethod, Position, Severity};
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_store::testing::TestDb;
use kexie_store::{
    stories, ActivityFilter, AuditFilter, BodyKind, NewActivity, NewOrg, NewPerson, NewPost,
    NewTerm, OrgPatch, Scope, Store, StoreError,
};

stories!(
    activities_are_recorded_listed_by_year_and_subtree_and_audited,
    activities_outside_the_scope_do_not_exist_and_viewers_cannot_write,
    bad_activities_are_refused_in_chinese,
    a_branch_without_activity_for_24_months_is_a_warning_from_the_day,
    a_branch_counts_from_its_founding_and_dissolved_branches_are_left_out,
    the_annual_report_counts_members_bodies_and_activities_of_the_year,
    publishing_shows_the_report_and_unpublishing_takes_it_down_audited,
    a_county_outside_the_scope_cannot_publish_and_a_viewer_may_not,
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn org(
    store: &Store,
    code: &str,
    name: &str,
    kind: OrgKind,
    parent: Option<i64>,
    established: Option<&str>,
) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(kind),
                parent_id: parent,
                established: established.map(str::to_string),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

/// A province 科协 with a society under it and one branch of the society (founded
/// 2020-01-15). Returns (province, society, branch).
async fn tree(store: &Store) -> (i64, i64, i64) {
    let p = org(store, "P", "省科协甲", OrgKind::Kexie, None, None).await;
    let s = org(store, "S", "测试学会", OrgKind::Society, Some(p), None).await;
    let b = org(
        store,
        "S-B1",
        "青年工作专业委员会",
        OrgKind::Branch,
        Some(s),
        Some("2020-01-15"),
    )
    .await;
    (p, s, b)
}

fn activity(held_on: NaiveDate, title: &str, kind: ActivityKind, n: i64) -> NewActivity {
    NewActivity {
        held_on,
        title: title.into(),
        kind,
        participants: n,
        notes: Some("  ".into()),
    }
}

async fn scope_of(store: &Store, org_id: i64, write: bool) -> Scope {
    let path = store.org(&Scope::everything(), org_id).await.unwrap().path;
    Scope::subtree(path, write, false)
}

async fn activities_are_recorded_listed_by_year_and_subtree_and_audited(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s, b) = tree(store).await;
    let a1 = activity(d(2024, 5, 1), "年会", ActivityKind::Meeting, 120);
    let a2 = activity(d(2025, 3, 2), "科普进校园", ActivityKind::Popularisation, 300);
    let a3 = activity(d(2025, 9, 9), "青年论坛", ActivityKind::AcademicExchange, 40);
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
        let (records, _) = store
            .search_audit(&AuditFilter {
                action: Some(action.into()),
                limit: 50,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(records.len(), n, "{action}");
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
            &activity(d(2022, 3, 10), "学术沙龙", ActivityKind::AcademicExchange, 30),
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
    assert!(!before.has_rule(rule::BRANCH_INACTIVE), "{:#?}", before.findings);
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

async fn person(store: &Store, org_id: i64, name: &str) -> i64 {
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id,
                name: name.into(),
                // The president's identity is on record: the report must not carry it.
                id_number: (name == "赵理事长").then(|| "23010319900307002X".into()),
                mobile: (name == "赵理事长").then(|| "13800138000".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

/// The society of `tree` with: 4 members at the start of 2025, 2 joined and 1 left in 2025; a
/// council whose 8th term ended 2025-06-30 and 9th started then, with a president and a
/// secretary-general (whose post ended 2025-11-01); activities in 2024 and 2025.
async fn society_with_a_year(store: &Store) -> (i64, i64) {
    let all = Scope::everything();
    let (p, s, b) = tree(store).await;
    let mut ids = Vec::new();
    for (i, joined) in [
        "2020-01-01",
        "2021-01-01",
        "2022-01-01",
        "2023-01-01",
        "2025-03-01",
        "2025-04-01",
    ]
    .iter()
    .enumerate()
    {
        let pid = person(store, s, &format!("会员{i}")).await;
        ids.push(
            store
                .add_membership(&all, pid, s, "individual", None, Some(joined))
                .await
                .unwrap(),
        );
    }
    store
        .set_membership_status(&all, ids[0], "resigned", "2025-05-01", None)
        .await
        .unwrap();
    let council = store
        .create_body(&all, s, BodyKind::Council, "")
        .await
        .unwrap();
    let term = |number, start_on, planned_end| NewTerm {
        number,
        start_on,
        planned_end,
        actual_end: None,
    };
    store
        .create_term(&all, council, &term(8, d(2020, 6, 30), d(2025, 6, 30)))
        .await
        .unwrap();
    let ninth = store
        .create_term(&all, council, &term(9, d(2025, 6, 30), d(2030, 6, 29)))
        .await
        .unwrap();
    let mut sg = 0;
    for (name, position) in [
        ("赵理事长", Position::President),
        ("钱秘书长", Position::SecretaryGeneral),
        ("孙理事", Position::CouncilMember),
    ] {
        let pid = person(store, s, name).await;
        let post = store
            .add_post(
                &all,
                ninth,
                &NewPost {
                    person_id: pid,
                    position,
                    appointment: AppointmentMethod::Elected,
                    full_time: false,
                },
            )
            .await
            .unwrap();
        if position == Position::SecretaryGeneral {
            sg = post;
        }
    }
    store.end_post(&all, sg, d(2025, 11, 1)).await.unwrap();
    for (org_id, a) in [
        (s, activity(d(2024, 5, 1), "年会", ActivityKind::Meeting, 120)),
        (
            s,
            activity(d(2025, 3, 2), "科普进校园", ActivityKind::Popularisation, 300),
        ),
        (
            s,
            activity(d(2025, 4, 2), "科普大篷车", ActivityKind::Popularisation, 200),
        ),
        (
            b,
            activity(d(2025, 9, 9), "青年论坛", ActivityKind::AcademicExchange, 40),
        ),
    ] {
        store.create_activity(&all, org_id, &a).await.unwrap();
    }
    (p, s)
}

async fn the_annual_report_counts_members_bodies_and_activities_of_the_year(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s) = society_with_a_year(store).await;
    let r = store
        .annual_report(&all, s, 2025, d(2026, 1, 15))
        .await
        .unwrap();
    assert_eq!(r.org_name, "测试学会");
    assert_eq!(r.year, 2025);
    assert_eq!(
        (
            r.members.at_start,
            r.members.joined,
            r.members.left,
            r.members.at_end
        ),
        (4, 2, 1, 5)
    );
    assert_eq!(r.members.rate_percent, Some(25.0));
    assert_eq!(r.members.met, Some(true));
    let council = &r.bodies[0];
    assert_eq!(council.name, "理事会");
    assert_eq!(council.current_term.as_ref().unwrap().number, 9);
    assert_eq!(council.terms_started.len(), 1);
    assert_eq!(council.terms_ended[0].number, 8);
    assert_eq!(council.posts_taken, 3);
    assert_eq!(council.members, 2, "the secretary-general left in November");
    assert_eq!(council.leaders.len(), 1);
    assert_eq!(council.leaders[0].name, "赵理事长");
    assert_eq!(council.leaders[0].position, "理事长");
    assert_eq!(council.posts_ended[0].name, "钱秘书长");
    assert_eq!(council.posts_ended[0].ended_on.as_deref(), Some("2025-11-01"));
    assert_eq!(r.activity_total(), 3);
    assert_eq!(r.participant_total(), 540);
    let popularisation = r
        .activity_kinds
        .iter()
        .find(|k| k.kind == "popularisation")
        .unwrap();
    assert_eq!((popularisation.count, popularisation.participants), (2, 500));
    assert_eq!(r.activities[0].title, "科普进校园", "in the order held");
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule == rule::SECRETARY_GENERAL_MISSING));
    // The report carries no ID numbers or phone numbers, masked or not.
    let json = serde_json::to_string(&r).unwrap();
    for needle in ["230103", "002X", "13800", "****"] {
        assert!(!json.contains(needle), "{needle} in {json}");
    }
}

async fn publishing_shows_the_report_and_unpublishing_takes_it_down_audited(db: &TestDb) {
    let store = &db.store;
    let (p, s) = society_with_a_year(store).await;
    let staff = scope_of(store, p, true).await;
    assert_eq!(store.published_annual_report(s, 2025).await.unwrap(), None);
    assert!(matches!(
        store.unpublish_annual_report(&staff, s, 2025).await,
        Err(StoreError::NotFound)
    ));
    let made = store
        .publish_annual_report(&staff, s, 2025, d(2026, 1, 15))
        .await
        .unwrap();
    let shown = store.published_annual_report(s, 2025).await.unwrap();
    assert_eq!(shown.as_ref(), Some(&made));
    assert_eq!(store.published_annual_report(s, 2024).await.unwrap(), None);
    // Publishing again replaces the snapshot.
    store
        .publish_annual_report(&staff, s, 2025, d(2026, 2, 1))
        .await
        .unwrap();
    let list = store.annual_publications(&staff, s).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].year, 2025);
    assert_eq!(
        store
            .published_annual_report(s, 2025)
            .await
            .unwrap()
            .unwrap()
            .as_of,
        "2026-02-01"
    );
    store.unpublish_annual_report(&staff, s, 2025).await.unwrap();
    assert_eq!(store.published_annual_report(s, 2025).await.unwrap(), None);
    for (action, n) in [
        ("governance.annual.publish", 2),
        ("governance.annual.unpublish", 1),
    ] {
        let (records, _) = store
            .search_audit(&AuditFilter {
                action: Some(action.into()),
                limit: 50,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(records.len(), n, "{action}");
    }
}

async fn a_county_outside_the_scope_cannot_publish_and_a_viewer_may_not(db: &TestDb) {
    let store = &db.store;
    let (p, s) = society_with_a_year(store).await;
    let county = org(store, "D", "某县科协", OrgKind::Kexie, None, None).await;
    let outside = scope_of(store, county, true).await;
    assert!(matches!(
        store
            .publish_annual_report(&outside, s, 2025, d(2026, 1, 15))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .annual_report(&outside, s, 2025, d(2026, 1, 15))
            .await,
        Err(StoreError::NotFound)
    ));
    let viewer = scope_of(store, p, false).await;
    assert!(matches!(
        store
            .publish_annual_report(&viewer, s, 2025, d(2026, 1, 15))
            .await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store
            .publish_annual_report(&Scope::everything(), s, 1800, d(2026, 1, 15))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.published_annual_report(s, 2025).await.unwrap(), None);
}
