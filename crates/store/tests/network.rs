//! Posts and key persons, pilot programmes: on both databases.

use chrono::NaiveDate;
use kexie_domain::network::{GroupRole, KeyPersonKind, PilotStatus, PostMode, PostRole};
use kexie_domain::org::OrgKind;
use kexie_store::testing::{query_text, TestDb};
use kexie_store::{
    stories, NewGroupMember, NewOrg, NewOrgPost, NewPerson, NewPilot, NewPilotCategory,
    NewPilotUnit, PilotImportUnit, Scope, Store, StoreError,
};

stories!(
    a_post_is_held_until_it_ends_and_only_within_scope,
    a_vice_chair_says_how_the_post_is_held_and_a_post_is_not_held_twice,
    key_persons_in_post_are_counted_by_level_and_kind,
    a_pilot_keeps_its_units_group_and_progress_per_category,
    a_pilot_is_seen_and_changed_only_within_the_issuers_scope,
    importing_units_is_all_or_nothing_and_links_registry_organisations,
);

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn org(store: &Store, code: &str, name: &str, parent: Option<i64>, division: &str) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(OrgKind::Kexie),
                parent_id: parent,
                division_code: Some(division.into()),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

async fn person(store: &Store, org_id: i64, name: &str) -> i64 {
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id,
                name: name.into(),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

/// City (哈尔滨), two districts below it, a street below the first district.
struct Tree {
    city: i64,
    d1: i64,
    d2: i64,
    t1: i64,
}

async fn tree(store: &Store) -> Tree {
    let city = org(store, "C", "市科协", None, "230100000000").await;
    let d1 = org(store, "D1", "一区科协", Some(city), "230102000000").await;
    let d2 = org(store, "D2", "二区科协", Some(city), "230103000000").await;
    let t1 = org(store, "T1", "一街道科协", Some(d1), "230102001000").await;
    Tree { city, d1, d2, t1 }
}

async fn scope_of(store: &Store, org_id: i64, write: bool) -> Scope {
    let path = store.org(&Scope::everything(), org_id).await.unwrap().path;
    Scope::subtree(path, write, false)
}

fn post(person_id: i64, role: PostRole, key: Option<KeyPersonKind>) -> NewOrgPost {
    NewOrgPost {
        person_id,
        role,
        mode: None,
        key_kind: key,
        started_on: Some(day("2018-07-01")),
        ended_on: None,
    }
}

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

fn unit(name: &str, phone: Option<&str>) -> NewPilotUnit {
    NewPilotUnit {
        name: Some(name.into()),
        contact_name: Some("办公室 联系人".into()),
        contact_phone: phone.map(str::to_string),
        ..NewPilotUnit::default()
    }
}

async fn pilot_of(store: &Store, scope: &Scope, issuer: i64, units_org: i64) -> kexie_store::Pilot {
    let leader = person(store, issuer, "组长甲").await;
    store
        .create_pilot(
            scope,
            &NewPilot {
                org_id: issuer,
                name: "“四+一”试点".into(),
                doc_number: Some("锡科协发〔2018〕61号".into()),
                issued_on: Some(day("2018-06-11")),
                categories: vec![
                    NewPilotCategory {
                        name: "县级科协试点".into(),
                        units: vec![NewPilotUnit {
                            org_id: Some(units_org),
                            ..NewPilotUnit::default()
                        }],
                    },
                    NewPilotCategory {
                        name: "企业科协".into(),
                        units: vec![unit("甲集团", Some("13800138000")), unit("乙特钢", None)],
                    },
                ],
                group: vec![
                    NewGroupMember {
                        role: GroupRole::Member,
                        person_id: None,
                        name: Some("成员乙".into()),
                        title: Some("学会部部长".into()),
                    },
                    NewGroupMember {
                        role: GroupRole::Leader,
                        person_id: Some(leader),
                        name: None,
                        title: Some("党组书记、副主席".into()),
                    },
                ],
            },
        )
        .await
        .unwrap()
}

async fn a_pilot_keeps_its_units_group_and_progress_per_category(db: &TestDb) {
    let store = &db.store;
    let t = tree(store).await;
    let city = scope_of(store, t.city, true).await;
    let pilot = pilot_of(store, &city, t.city, t.d1).await;
    assert_eq!(
        pilot.summary.doc_number.as_deref(),
        Some("锡科协发〔2018〕61号")
    );
    assert_eq!(pilot.categories.len(), 2);
    assert_eq!(pilot.categories[0].units[0].name, "一区科协");
    assert_eq!(pilot.categories[0].units[0].org_id, Some(t.d1));
    let firm = &pilot.categories[1].units[0];
    assert_eq!(firm.contact_phone.as_deref(), Some("138****8000"));
    // The leader comes first, named from the registry.
    assert_eq!(pilot.group[0].role, "leader");
    assert_eq!(pilot.group[0].name, "组长甲");
    // The phone number is stored encrypted, never in plain text.
    let raw = query_text(
        &db.url,
        "select contact_phone_mask from pilot_unit where contact_phone_enc is not null",
    )
    .await
    .unwrap();
    assert_eq!(raw, ["138****8000"]);

    let (firm_a, firm_b) = (firm.unit_id, pilot.categories[1].units[1].unit_id);
    let id = pilot.summary.pilot_id;
    store
        .report_pilot_progress(
            &city,
            id,
            firm_a,
            PilotStatus::InProgress,
            day("2018-08-01"),
            Some("已吸纳两名四长"),
        )
        .await
        .unwrap();
    store
        .report_pilot_progress(
            &city,
            id,
            firm_a,
            PilotStatus::Done,
            day("2018-12-01"),
            Some("完成"),
        )
        .await
        .unwrap();
    // A note dated before the latest is kept in the history but does not change the status.
    store
        .report_pilot_progress(
            &city,
            id,
            firm_a,
            PilotStatus::InProgress,
            day("2018-09-01"),
            None,
        )
        .await
        .unwrap();
    store
        .report_pilot_progress(
            &city,
            id,
            firm_b,
            PilotStatus::InProgress,
            day("2018-08-01"),
            None,
        )
        .await
        .unwrap();
    let pilot = store.pilot(&city, id).await.unwrap();
    let firms = &pilot.categories[1];
    assert_eq!(
        (
            firms.progress.units,
            firms.progress.not_started,
            firms.progress.in_progress,
            firms.progress.done
        ),
        (2, 0, 1, 1)
    );
    assert_eq!(firms.units[0].status, "done");
    assert_eq!(firms.units[0].note.as_deref(), Some("完成"));
    assert_eq!(firms.units[0].history.len(), 3);
    assert_eq!(firms.units[0].history[1].noted_on, "2018-09-01");
    let county_level = &pilot.categories[0].progress;
    assert_eq!((county_level.units, county_level.not_started), (1, 1));
    assert_eq!(
        (pilot.summary.progress.units, pilot.summary.progress.done),
        (3, 1)
    );
    let list = store.pilots(&city, None).await.unwrap();
    assert_eq!(list[0].progress, pilot.summary.progress);
    // A unit of another pilot (or none) is not found through this one.
    assert!(matches!(
        store
            .report_pilot_progress(
                &city,
                id,
                firm_a + 1000,
                PilotStatus::Done,
                day("2019-01-01"),
                None
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_pilot_is_seen_and_changed_only_within_the_issuers_scope(db: &TestDb) {
    let store = &db.store;
    let t = tree(store).await;
    let county = scope_of(store, t.d1, true).await;
    let sibling = scope_of(store, t.d2, true).await;
    let pilot = pilot_of(store, &county, t.d1, t.t1).await;
    let id = pilot.summary.pilot_id;
    assert_eq!(store.pilots(&county, None).await.unwrap().len(), 1);
    assert!(store.pilots(&sibling, None).await.unwrap().is_empty());
    assert!(matches!(
        store.pilot(&sibling, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .add_pilot_unit(&sibling, id, "企业科协", &unit("渗透", None))
            .await,
        Err(StoreError::NotFound)
    ));
    let viewer = scope_of(store, t.d1, false).await;
    assert!(matches!(
        store
            .add_pilot_unit(&viewer, id, "企业科协", &unit("丙公司", None))
            .await,
        Err(StoreError::Forbidden)
    ));
    // A unit from the registry outside the scope is not found, and nothing is created.
    let outside = NewPilotUnit {
        org_id: Some(t.d2),
        ..NewPilotUnit::default()
    };
    assert!(matches!(
        store
            .add_pilot_unit(&county, id, "县级科协试点", &outside)
            .await,
        Err(StoreError::NotFound)
    ));
    // Issuing a pilot for an organisation outside the scope is not found either.
    let mut foreign = NewPilot {
        org_id: t.d2,
        name: "渗透".into(),
        ..NewPilot::default()
    };
    assert!(matches!(
        store.create_pilot(&county, &foreign).await,
        Err(StoreError::NotFound)
    ));
    foreign.org_id = t.d1;
    foreign.name = " ".into();
    assert!(matches!(
        store.create_pilot(&county, &foreign).await,
        Err(StoreError::Invalid(_))
    ));
    let added = store
        .add_pilot_unit(&county, id, "新类别", &unit("丙公司", None))
        .await
        .unwrap();
    let again = store
        .add_pilot_unit(&county, id, "新类别", &unit("丙公司", None))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    let pilot = store.pilot(&county, id).await.unwrap();
    assert_eq!(pilot.categories.last().unwrap().name, "新类别");
    assert_eq!(pilot.categories.last().unwrap().units[0].unit_id, added);
    store
        .add_pilot_group_member(
            &county,
            id,
            &NewGroupMember {
                role: GroupRole::Office,
                person_id: None,
                name: Some("办公室主任丁".into()),
                title: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .pilot(&county, id)
            .await
            .unwrap()
            .group
            .last()
            .unwrap()
            .role,
        "office"
    );
}

fn row(row: usize, category: &str, name: &str) -> PilotImportUnit {
    PilotImportUnit {
        row,
        category: category.into(),
        name: name.into(),
        contact_name: Some("科普部 联系人".into()),
        contact_phone: Some("0510-81234567".into()),
    }
}

async fn importing_units_is_all_or_nothing_and_links_registry_organisations(db: &TestDb) {
    let store = &db.store;
    let t = tree(store).await;
    let city = scope_of(store, t.city, true).await;
    let pilot = pilot_of(store, &city, t.city, t.d1).await;
    let id = pilot.summary.pilot_id;
    let bad = [
        row(2, "街道科协", "一街道科协"),
        row(3, "企业科协", "甲集团"),
        row(4, "街道科协", "一街道科协"),
    ];
    let outcome = store
        .import_pilot_units(&city, id, &bad, false)
        .await
        .unwrap();
    assert_eq!(outcome.created, 0);
    let rows: Vec<_> = outcome
        .problems
        .iter()
        .map(|p| (p.row, p.column, p.code))
        .collect();
    assert_eq!(
        rows,
        [
            (3, "单位名称", "unit.duplicate"),
            (4, "单位名称", "unit.duplicate")
        ]
    );
    assert_eq!(
        store.pilot(&city, id).await.unwrap().summary.progress.units,
        3
    );

    let good = [
        row(2, "街道科协", "一街道科协"),
        row(3, "社区科协", "东亭社区"),
    ];
    let dry = store
        .import_pilot_units(&city, id, &good, true)
        .await
        .unwrap();
    assert_eq!((dry.created, dry.problems.len()), (0, 0));
    assert_eq!(
        store.pilot(&city, id).await.unwrap().summary.progress.units,
        3
    );
    let done = store
        .import_pilot_units(&city, id, &good, false)
        .await
        .unwrap();
    assert_eq!(done.created, 2);
    let pilot = store.pilot(&city, id).await.unwrap();
    let street = pilot
        .categories
        .iter()
        .find(|c| c.name == "街道科协")
        .unwrap();
    assert_eq!(
        street.units[0].org_id,
        Some(t.t1),
        "linked by its registry name"
    );
    let community = pilot
        .categories
        .iter()
        .find(|c| c.name == "社区科协")
        .unwrap();
    assert_eq!(community.units[0].org_id, None);
    let masked = community.units[0].contact_phone.clone().unwrap();
    assert_eq!(masked, kexie_domain::mask::mask_phone("0510-81234567"));
    assert!(!masked.contains("1234"));
}
