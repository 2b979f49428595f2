//! The organisation network on both databases: moving subtrees, history, dissolving, group
//! membership, coverage.

use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_store::testing::TestDb;
use kexie_store::{stories, NewOrg, OrgPatch, Scope, Store, StoreError};

stories!(
    moving_an_organisation_moves_its_whole_subtree,
    an_organisation_cannot_move_under_itself,
    edits_are_recorded_in_the_history_with_old_and_new_values,
    dissolving_is_refused_while_live_organisations_remain_below,
    group_membership_joins_a_kexie_or_a_society,
    coverage_counts_the_divisions_that_have_a_kexie_of_their_own,
    coverage_is_for_a_kexie_at_county_level_or_above,
);

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

async fn moving_an_organisation_moves_its_whole_subtree(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let p = org(store, "P", OrgKind::Kexie, None, None).await;
    let a = org(store, "A", OrgKind::Kexie, Some(p), None).await;
    let b = org(store, "B", OrgKind::Kexie, Some(p), None).await;
    let a1 = org(store, "A1", OrgKind::Kexie, Some(a), None).await;
    let a11 = org(store, "A11", OrgKind::Society, Some(a1), None).await;
    let moved = store.move_org(&all, a1, b).await.unwrap();
    assert_eq!(moved.parent_id, Some(b));
    let b_path = store.org(&all, b).await.unwrap().path;
    assert_eq!(moved.path, format!("{b_path}{a1}/"));
    let leaf = store.org(&all, a11).await.unwrap();
    assert_eq!(leaf.path, format!("{b_path}{a1}/{a11}/"));
    assert_eq!(leaf.depth, 4);
    // Scopes follow: B's subtree now holds A1 and A11, A's does not.
    let under_b = Scope::subtree(b_path, false, false);
    assert!(store.org(&under_b, a11).await.is_ok());
    let a_path = store.org(&all, a).await.unwrap().path;
    let under_a = Scope::subtree(a_path, false, false);
    assert!(matches!(
        store.org(&under_a, a11).await,
        Err(StoreError::NotFound)
    ));
    let history = store.org_history(&all, a1).await.unwrap();
    assert_eq!(history[0].action, "move");
    assert_eq!(history[0].changes["subtree"], 2);
    // A move that leaves the mover's own scope is impossible: the target must be in scope.
    let county = Scope::subtree(store.org(&all, a).await.unwrap().path, true, false);
    assert!(matches!(
        store.move_org(&county, a, b).await,
        Err(StoreError::NotFound)
    ));
}

async fn an_organisation_cannot_move_under_itself(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let p = org(store, "P", OrgKind::Kexie, None, None).await;
    let a = org(store, "A", OrgKind::Kexie, Some(p), None).await;
    let a1 = org(store, "A1", OrgKind::Kexie, Some(a), None).await;
    assert!(matches!(
        store.move_org(&all, a, a1).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.move_org(&all, a, a).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.org(&all, a).await.unwrap().parent_id, Some(p));
}

async fn edits_are_recorded_in_the_history_with_old_and_new_values(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let p = org(store, "P", OrgKind::Kexie, None, None).await;
    let updated = store
        .update_org(
            &all,
            p,
            &OrgPatch {
                name: Some("哈尔滨市科学技术协会".into()),
                status: Some(OrgStatus::Dormant),
                contact_phone: Some("13812345678".into()),
                address: Some("  ".into()),
                ..OrgPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "哈尔滨市科学技术协会");
    assert_eq!(updated.status, "dormant");
    assert_eq!(updated.contact_phone.as_deref(), Some("138****5678"));
    let history = store.org_history(&all, p).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].action, "update");
    assert_eq!(history[0].changes["name"][0], "P组织");
    assert_eq!(history[0].changes["status"][1], "dormant");
    assert_eq!(history[0].changes["contact_phone"][1], "138****5678");
    assert!(
        history[0].changes.get("address").is_none(),
        "blank address was already blank"
    );
    assert_eq!(history[1].action, "create");
    // The new name is found by its pinyin initials.
    let (found, _) = store
        .list_orgs(
            &all,
            &kexie_store::OrgFilter {
                q: Some("hrb".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(matches!(
        store
            .update_org(
                &all,
                p,
                &OrgPatch {
                    name: Some(" ".into()),
                    ..OrgPatch::default()
                }
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let viewer = Scope::subtree("/", false, false);
    assert!(matches!(
        store.update_org(&viewer, p, &OrgPatch::default()).await,
        Err(StoreError::Forbidden)
    ));
}

async fn dissolving_is_refused_while_live_organisations_remain_below(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let p = org(store, "P", OrgKind::Kexie, None, None).await;
    let a = org(store, "A", OrgKind::Branch, Some(p), None).await;
    assert!(matches!(
        store.dissolve_org(&all, p).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.dissolve_org(&all, a).await.unwrap().status,
        "dissolved"
    );
    assert_eq!(
        store.dissolve_org(&all, p).await.unwrap().status,
        "dissolved"
    );
    assert_eq!(
        store.org_history(&all, p).await.unwrap()[0].action,
        "dissolve"
    );
}

async fn group_membership_joins_a_kexie_or_a_society(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let p = org(store, "P", OrgKind::Kexie, None, None).await;
    let e = org(store, "E", OrgKind::EnterpriseKexie, Some(p), None).await;
    let u = org(store, "U", OrgKind::UniversityKexie, Some(p), None).await;
    store
        .add_group_membership(&all, e, p, Some("2019-03-01"))
        .await
        .unwrap();
    assert!(matches!(
        store.add_group_membership(&all, e, u, None).await,
        Err(StoreError::Invalid(_))
    ));
    let as_host = store.group_memberships(&all, p).await.unwrap();
    assert_eq!(as_host.len(), 1);
    assert_eq!(as_host[0].member_org_id, e);
    assert_eq!(as_host[0].joined.as_deref(), Some("2019-03-01"));
    // Seen from inside the enterprise only, the membership would reveal the host: not shown.
    let inside = Scope::subtree(store.org(&all, e).await.unwrap().path, false, false);
    assert!(store
        .group_memberships(&inside, e)
        .await
        .unwrap()
        .is_empty());
}

async fn coverage_counts_the_divisions_that_have_a_kexie_of_their_own(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    // 哈尔滨市 with a 科协 in 道里区 and in two of 道里区's townships.
    let city = org(store, "C", OrgKind::Kexie, None, Some("230100000000")).await;
    let daoli = org(store, "D", OrgKind::Kexie, Some(city), Some("230102000000")).await;
    let towns = store.division_children(Some("230102000000")).await.unwrap();
    org(
        store,
        "T1",
        OrgKind::Kexie,
        Some(daoli),
        Some(&towns[0].code),
    )
    .await;
    org(
        store,
        "T2",
        OrgKind::Kexie,
        Some(daoli),
        Some(&towns[1].code),
    )
    .await;
    // Neither a society nor a dissolved 科协 nor a 科协 outside the subtree covers a division.
    org(
        store,
        "S",
        OrgKind::Society,
        Some(daoli),
        Some(&towns[2].code),
    )
    .await;
    let gone = org(
        store,
        "T3",
        OrgKind::Kexie,
        Some(daoli),
        Some(&towns[3].code),
    )
    .await;
    store.dissolve_org(&all, gone).await.unwrap();
    let elsewhere = org(store, "X", OrgKind::Kexie, None, None).await;
    org(
        store,
        "T4",
        OrgKind::Kexie,
        Some(elsewhere),
        Some(&towns[4].code),
    )
    .await;

    let counties: Vec<_> = store
        .division_children(Some("230100000000"))
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.name != "市辖区")
        .collect();
    let coverage = store.coverage(&all, city).await.unwrap();
    let levels: Vec<_> = coverage.levels.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(levels, ["county", "township"]);
    let county = &coverage.levels[0];
    assert_eq!(county.divisions, counties.len() as i64);
    assert_eq!(county.covered, 1);
    assert_eq!(county.gaps.len(), counties.len() - 1);
    assert!(!county.gaps.iter().any(|g| g.code == "230102000000"));
    let township = &coverage.levels[1];
    assert_eq!(township.covered, 2);
    assert_eq!(
        township.divisions - township.covered,
        township.gaps.len() as i64
    );
    assert!(township.gaps.iter().any(|g| g.code == towns[2].code));

    let county_view = store.coverage(&all, daoli).await.unwrap();
    assert_eq!(county_view.levels.len(), 1);
    assert_eq!(county_view.levels[0].level, "township");
    assert_eq!(county_view.levels[0].divisions, towns.len() as i64);
    assert_eq!(county_view.levels[0].covered, 2);
}

async fn coverage_is_for_a_kexie_at_county_level_or_above(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let society = org(store, "S", OrgKind::Society, None, Some("230000000000")).await;
    assert!(matches!(
        store.coverage(&all, society).await,
        Err(StoreError::Invalid(_))
    ));
    let town = org(store, "T", OrgKind::Kexie, None, Some("230102001000")).await;
    assert!(matches!(
        store.coverage(&all, town).await,
        Err(StoreError::Invalid(_))
    ));
    let none = org(store, "N", OrgKind::Kexie, None, None).await;
    assert!(matches!(
        store.coverage(&all, none).await,
        Err(StoreError::Invalid(_))
    ));
}
