//! The society annual report on both databases: members, bodies and activities of the year;
//! published as a snapshot anyone may read, taken down again; only staff in scope may publish.

#[path = "support/activities.rs"]
mod support;

use kexie_domain::governance::{rule, ActivityKind, AppointmentMethod, Position};
use kexie_domain::org::OrgKind;
use kexie_store::testing::TestDb;
use kexie_store::{stories, BodyKind, NewPerson, NewPost, NewTerm, Scope, Store, StoreError};
use support::{activity, audit_count, d, org, scope_of, tree};

stories!(
    the_annual_report_counts_members_bodies_and_activities_of_the_year,
    publishing_shows_the_report_and_unpublishing_takes_it_down_audited,
    a_county_outside_the_scope_cannot_publish_and_a_viewer_may_not,
);

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
        (
            s,
            activity(d(2024, 5, 1), "年会", ActivityKind::Meeting, 120),
        ),
        (
            s,
            activity(
                d(2025, 3, 2),
                "科普进校园",
                ActivityKind::Popularisation,
                300,
            ),
        ),
        (
            s,
            activity(
                d(2025, 4, 2),
                "科普大篷车",
                ActivityKind::Popularisation,
                200,
            ),
        ),
        (
            b,
            activity(
                d(2025, 9, 9),
                "青年论坛",
                ActivityKind::AcademicExchange,
                40,
            ),
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
    assert_eq!(
        council.posts_ended[0].ended_on.as_deref(),
        Some("2025-11-01")
    );
    assert_eq!(r.activity_total(), 3);
    assert_eq!(r.participant_total(), 540);
    let popularisation = r
        .activity_kinds
        .iter()
        .find(|k| k.kind == "popularisation")
        .unwrap();
    assert_eq!(
        (popularisation.count, popularisation.participants),
        (2, 500)
    );
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
    store
        .unpublish_annual_report(&staff, s, 2025)
        .await
        .unwrap();
    assert_eq!(store.published_annual_report(s, 2025).await.unwrap(), None);
    for (action, n) in [
        ("governance.annual.publish", 2),
        ("governance.annual.unpublish", 1),
    ] {
        assert_eq!(audit_count(store, action).await, n, "{action}");
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
        store.annual_report(&outside, s, 2025, d(2026, 1, 15)).await,
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
