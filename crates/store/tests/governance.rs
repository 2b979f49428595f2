//! Society governance on both databases: bodies, terms and posts; the rule sets as versioned
//! data; checks of a society and a 科协's dashboard on an injected date.

use chrono::NaiveDate;
use kexie_domain::governance::{rule, AppointmentMethod, Position, RuleSet};
use kexie_domain::org::OrgKind;
use kexie_store::testing::TestDb;
use kexie_store::{
    stories, AuditFilter, BodyKind, GovernanceFilter, NewOrg, NewPerson, NewPost, NewTerm, Scope,
    Store, StoreError,
};

stories!(
    bodies_terms_and_posts_are_recorded_scoped_and_audited,
    a_society_with_a_proper_council_has_no_errors,
    the_secretary_general_is_missing_when_their_post_ends,
    a_term_past_its_planned_end_is_overdue_on_the_injected_date,
    the_dashboard_lists_societies_with_overdue_terms_first,
    editing_the_rules_creates_a_new_audited_version,
    invalid_rule_edits_are_refused_and_only_provincial_kexie_may_edit,
    recorded_checks_keep_the_rule_set_version_they_used,
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn org(
    store: &Store,
    code: &str,
    kind: OrgKind,
    parent: Option<i64>,
    division: Option<&str>,
) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: format!("{code}组织"),
                kind: Some(kind),
                parent_id: parent,
                division_code: division.map(str::to_string),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

async fn person(store: &Store, org_id: i64, name: &str, grassroots: bool) -> i64 {
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id,
                name: name.into(),
                gender: Some("female".into()),
                birth_date: Some("1980-03-01".into()),
                political_status: Some("中共党员".into()),
                grassroots,
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

/// A province 科协, a society under it with a council term 2021-07-01 … 2026-06-30, a party
/// organisation, and four council members (president, secretary-general appointed by the
/// council and full time, two members), all grassroots. Returns (province, society, council
/// term, secretary-general's post).
async fn society(store: &Store) -> (i64, i64, i64, i64) {
    let all = Scope::everything();
    let province = org(store, "P", OrgKind::Kexie, None, Some("230000000000")).await;
    let s = org(store, "S", OrgKind::Society, Some(province), None).await;
    let council = store
        .create_body(&all, s, BodyKind::Council, "")
        .await
        .unwrap();
    store
        .create_body(&all, s, BodyKind::PartyOrganisation, "学会党委")
        .await
        .unwrap();
    let term = store
        .create_term(
            &all,
            council,
            &NewTerm {
                number: 8,
                start_on: d(2021, 7, 1),
                planned_end: d(2026, 6, 30),
                actual_end: None,
            },
        )
        .await
        .unwrap();
    let mut sg_post = 0;
    for (name, position) in [
        ("甲会长", Position::President),
        ("乙秘书", Position::SecretaryGeneral),
        ("丙理事", Position::CouncilMember),
        ("丁理事", Position::CouncilMember),
    ] {
        let p = person(store, s, name, true).await;
        let sg = position == Position::SecretaryGeneral;
        let post = store
            .add_post(
                &all,
                term,
                &NewPost {
                    person_id: p,
                    position,
                    appointment: if sg {
                        AppointmentMethod::CouncilOnPresidentNomination
                    } else {
                        AppointmentMethod::Elected
                    },
                    full_time: sg,
                },
            )
            .await
            .unwrap();
        if sg {
            sg_post = post;
        }
    }
    (province, s, term, sg_post)
}

async fn bodies_terms_and_posts_are_recorded_scoped_and_audited(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (province, s, _, _) = society(store).await;
    let council = store.governing_bodies(&all, s).await.unwrap()[0].governing_body_id;
    // A new term closes the one before it.
    store
        .create_term(
            &all,
            council,
            &NewTerm {
                number: 9,
                start_on: d(2026, 6, 28),
                planned_end: d(2031, 6, 27),
                actual_end: None,
            },
        )
        .await
        .unwrap();
    let bodies = store.governing_bodies(&all, s).await.unwrap();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0].kind, "council");
    assert_eq!(bodies[0].name, "理事会");
    assert_eq!(bodies[1].kind, "party_organisation");
    let current = bodies[0].current().unwrap();
    assert_eq!(current.number, 9);
    assert!(current.posts.is_empty());
    let past = &bodies[0].past()[0];
    assert_eq!(past.actual_end.as_deref(), Some("2026-06-28"));
    assert_eq!(past.posts.len(), 4);
    assert_eq!(past.posts[0].position, "president");
    assert_eq!(past.posts[0].person_name, "甲会长");
    // The same term number twice is a conflict; an end before the start is refused.
    let again = NewTerm {
        number: 9,
        start_on: d(2026, 7, 1),
        planned_end: d(2031, 6, 30),
        actual_end: None,
    };
    assert!(matches!(
        store.create_term(&all, council, &again).await,
        Err(StoreError::Conflict(_))
    ));
    let backwards = NewTerm {
        number: 10,
        start_on: d(2026, 7, 1),
        planned_end: d(2026, 6, 30),
        actual_end: None,
    };
    assert!(matches!(
        store.create_term(&all, council, &backwards).await,
        Err(StoreError::Invalid(_))
    ));
    // Outside the scope the body does not exist; a viewer inside may not write.
    let other = org(store, "Q", OrgKind::Kexie, None, None).await;
    let q_path = store.org(&all, other).await.unwrap().path;
    let outside = Scope::subtree(q_path, true, false);
    assert!(matches!(
        store.governing_bodies(&outside, s).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.create_term(&outside, council, &backwards).await,
        Err(StoreError::NotFound)
    ));
    let p_path = store.org(&all, province).await.unwrap().path;
    let viewer = Scope::subtree(p_path, false, false);
    assert!(store.governing_bodies(&viewer, s).await.is_ok());
    assert!(matches!(
        store
            .create_body(&viewer, s, BodyKind::Secretariat, "")
            .await,
        Err(StoreError::Forbidden)
    ));
    let (records, _) = store
        .search_audit(&AuditFilter {
            action: Some("governance.term.create".into()),
            limit: 50,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
}

async fn a_society_with_a_proper_council_has_no_errors(db: &TestDb) {
    let store = &db.store;
    let (_, s, _, _) = society(store).await;
    let review = store
        .society_review(&Scope::everything(), s, d(2024, 1, 1))
        .await
        .unwrap();
    assert_eq!(review.errors, 0, "{:#?}", review.findings);
    assert!(review.slate.ok);
    assert_eq!(review.slate.council_size, 4);
    assert_eq!(review.slate.cap, 150);
    assert_eq!(review.rule_set_version, "2018.1");
    assert_eq!(review.next_reelection.as_deref(), Some("2026-06-30"));
    assert!(!review.overdue);
    assert_eq!(review.slate.figures.council.women.count, 4);
    assert_eq!(review.slate.figures.council.party_members.count, 4);
}

async fn the_secretary_general_is_missing_when_their_post_ends(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s, _, sg_post) = society(store).await;
    store.end_post(&all, sg_post, d(2024, 2, 1)).await.unwrap();
    let review = store.society_review(&all, s, d(2024, 3, 1)).await.unwrap();
    assert!(review.has_rule(rule::SECRETARY_GENERAL_MISSING));
    assert!(!review.slate.ok);
    assert_eq!(review.slate.council_size, 3);
}

async fn a_term_past_its_planned_end_is_overdue_on_the_injected_date(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (_, s, _, _) = society(store).await;
    let before = store.society_review(&all, s, d(2026, 3, 1)).await.unwrap();
    assert!(before.has_rule(rule::TERM_DUE_SOON));
    assert!(!before.overdue);
    let on_the_day = store.society_review(&all, s, d(2026, 6, 30)).await.unwrap();
    assert!(!on_the_day.overdue);
    let after = store.society_review(&all, s, d(2026, 7, 1)).await.unwrap();
    assert!(after.overdue);
    let finding = after
        .findings
        .iter()
        .find(|f| f.rule == rule::TERM_OVERDUE)
        .unwrap();
    assert_eq!(finding.figures["days_overdue"], 1);
    assert_eq!(finding.figures["term_number"], 8);
}

async fn the_dashboard_lists_societies_with_overdue_terms_first(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (province, overdue, _, _) = society(store).await;
    // A second society, renewed in time, without a party organisation.
    let fresh = org(store, "A", OrgKind::Society, Some(province), None).await;
    let council = store
        .create_body(&all, fresh, BodyKind::Council, "")
        .await
        .unwrap();
    store
        .create_term(
            &all,
            council,
            &NewTerm {
                number: 1,
                start_on: d(2025, 1, 1),
                planned_end: d(2030, 1, 1),
                actual_end: None,
            },
        )
        .await
        .unwrap();
    let as_of = d(2026, 8, 1);
    let list = store
        .governance_dashboard(&all, province, as_of, &GovernanceFilter::default())
        .await
        .unwrap();
    let ids: Vec<i64> = list.iter().map(|s| s.org_id).collect();
    assert_eq!(ids, [overdue, fresh]);
    assert!(list[0].overdue && !list[1].overdue);
    let party = store
        .governance_dashboard(
            &all,
            province,
            as_of,
            &GovernanceFilter {
                rule: Some(rule::PARTY_ORGANISATION_MISSING.into()),
                ..GovernanceFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(party.len(), 1);
    assert_eq!(party[0].org_id, fresh);
    // A 科协 beside the province sees none of it.
    let other = org(store, "Q", OrgKind::Kexie, None, None).await;
    let q_path = store.org(&all, other).await.unwrap().path;
    let beside = Scope::subtree(q_path, false, false);
    assert!(matches!(
        store
            .governance_dashboard(&beside, province, as_of, &GovernanceFilter::default())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .governance_dashboard(&beside, other, as_of, &GovernanceFilter::default())
        .await
        .unwrap()
        .is_empty());
}

fn edited(version: &str, cap: u32) -> RuleSet {
    let mut rules = RuleSet::default_2018();
    rules.version = version.into();
    rules.council_size_bands[0].cap = cap;
    rules
}

async fn editing_the_rules_creates_a_new_audited_version(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (province, s, _, _) = society(store).await;
    let p_path = store.org(&all, province).await.unwrap().path;
    let admin = Scope::subtree(p_path, true, false);
    let before = store.rule_set_for(&admin, s, d(2025, 1, 1)).await.unwrap();
    assert_eq!(before.version, "2018.1");
    assert_eq!(before.rule_set_id, None);
    let saved = store
        .save_rule_set(
            &admin,
            Some(province),
            &edited("HL-2025.1", 120),
            d(2025, 1, 1),
        )
        .await
        .unwrap();
    assert_eq!(saved.version, "HL-2025.1");
    assert_eq!(saved.org_id, Some(province));
    assert_eq!(saved.rules.council_size_bands[0].cap, 120);
    store
        .save_rule_set(
            &admin,
            Some(province),
            &edited("HL-2026.1", 110),
            d(2026, 1, 1),
        )
        .await
        .unwrap();
    // Each version applies from its own day.
    for (day, version, cap) in [
        (d(2024, 12, 31), "2018.1", 150),
        (d(2025, 6, 1), "HL-2025.1", 120),
        (d(2026, 6, 1), "HL-2026.1", 110),
    ] {
        let review = store.society_review(&all, s, day).await.unwrap();
        assert_eq!(review.rule_set_version, version, "{day}");
        assert_eq!(review.slate.cap, cap, "{day}");
    }
    let versions = store
        .rule_set_versions(&admin, Some(province))
        .await
        .unwrap();
    let names: Vec<&str> = versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(names, ["HL-2026.1", "HL-2025.1"]);
    let (records, _) = store
        .search_audit(&AuditFilter {
            action: Some("governance.rule_set".into()),
            limit: 50,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().any(|r| r.detail.contains("HL-2025.1")));
    // A rule set stored for everywhere applies where no province has its own.
    let other = org(store, "Q", OrgKind::Kexie, None, None).await;
    store
        .save_rule_set(&all, None, &edited("CN-2025.1", 140), d(2025, 1, 1))
        .await
        .unwrap();
    assert_eq!(
        store
            .rule_set_for(&all, other, d(2025, 6, 1))
            .await
            .unwrap()
            .version,
        "CN-2025.1"
    );
    assert_eq!(
        store
            .rule_set_for(&all, s, d(2025, 6, 1))
            .await
            .unwrap()
            .version,
        "HL-2025.1"
    );
}

async fn invalid_rule_edits_are_refused_and_only_provincial_kexie_may_edit(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (province, s, _, _) = society(store).await;
    let p_path = store.org(&all, province).await.unwrap().path;
    let admin = Scope::subtree(p_path.clone(), true, false);
    let mut bad = edited("HL-bad", 150);
    bad.council_size_bands[1].cap = 140;
    match store
        .save_rule_set(&admin, Some(province), &bad, d(2025, 1, 1))
        .await
    {
        Err(StoreError::Invalid(m)) => assert!(m.contains("第2档"), "{m}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    store
        .save_rule_set(&admin, Some(province), &edited("HL-1", 140), d(2025, 1, 1))
        .await
        .unwrap();
    assert!(matches!(
        store
            .save_rule_set(&admin, Some(province), &edited("HL-1", 130), d(2025, 2, 1))
            .await,
        Err(StoreError::Conflict(_))
    ));
    // A society (or a city 科协) owns no rules; a viewer changes nothing; the command line
    // alone stores rules for everywhere.
    assert!(matches!(
        store
            .save_rule_set(&admin, Some(s), &edited("S-1", 140), d(2025, 1, 1))
            .await,
        Err(StoreError::Forbidden)
    ));
    let viewer = Scope::subtree(p_path, false, false);
    assert!(matches!(
        store
            .save_rule_set(&viewer, Some(province), &edited("HL-2", 140), d(2025, 1, 1))
            .await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store
            .save_rule_set(&admin, None, &edited("CN-1", 140), d(2025, 1, 1))
            .await,
        Err(StoreError::Forbidden)
    ));
    let other = org(store, "Q", OrgKind::Kexie, None, None).await;
    let q_path = store.org(&all, other).await.unwrap().path;
    assert!(matches!(
        store
            .save_rule_set(
                &Scope::subtree(q_path, true, false),
                Some(province),
                &edited("X-1", 140),
                d(2025, 1, 1)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    let versions = store.rule_set_versions(&all, Some(province)).await.unwrap();
    assert_eq!(versions.len(), 1);
}

async fn recorded_checks_keep_the_rule_set_version_they_used(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (province, s, _, _) = society(store).await;
    let as_of = d(2025, 6, 1);
    let first = store.society_review(&all, s, as_of).await.unwrap();
    store
        .record_slate_check(&all, s, &first.slate)
        .await
        .unwrap();
    store
        .save_rule_set(
            &all,
            Some(province),
            &edited("HL-2025.1", 120),
            d(2025, 1, 1),
        )
        .await
        .unwrap();
    let second = store.society_review(&all, s, as_of).await.unwrap();
    store
        .record_slate_check(&all, s, &second.slate)
        .await
        .unwrap();
    let checks = store.governance_checks(&all, s).await.unwrap();
    let versions: Vec<&str> = checks.iter().map(|c| c.rule_set_version.as_str()).collect();
    assert_eq!(versions, ["HL-2025.1", "2018.1"]);
    assert_eq!(checks[1].report["cap"], 150);
    assert_eq!(checks[0].report["cap"], 120);
    assert_eq!(checks[1].as_of, "2025-06-01");
}
