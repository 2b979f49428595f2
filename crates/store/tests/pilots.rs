//! Pilot programmes (试点): units, leading group, progress, import, scope; on both databases.

#[path = "support/network.rs"]
mod support;

use kexie_domain::network::{GroupRole, PilotStatus};
use kexie_store::testing::{query_text, TestDb};
use kexie_store::{
    stories, NewGroupMember, NewPilot, NewPilotCategory, NewPilotUnit, PilotImportUnit, Scope,
    Store, StoreError,
};
use support::{day, person, scope_of, tree};

stories!(
    a_pilot_keeps_its_units_group_and_progress_per_category,
    a_pilot_is_seen_and_changed_only_within_the_issuers_scope,
    importing_units_is_all_or_nothing_and_links_registry_organisations,
);

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
    // The third note, dated before the latest, is kept in the history but does not change the
    // status.
    for (unit, status, on, note) in [
        (
            firm_a,
            PilotStatus::InProgress,
            "2018-08-01",
            Some("已吸纳两名四长"),
        ),
        (firm_a, PilotStatus::Done, "2018-12-01", Some("完成")),
        (firm_a, PilotStatus::InProgress, "2018-09-01", None),
        (firm_b, PilotStatus::InProgress, "2018-08-01", None),
    ] {
        store
            .report_pilot_progress(&city, id, unit, status, day(on), note)
            .await
            .unwrap();
    }
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
