//! Roles and scopes: administrators see no personal data, an account's scope follows its
//! organisation, and no role crosses between organisation work and administration.

use kexie_domain::role::Role;
use kexie_store::testing::TestDb;
use kexie_store::{Actor, NewAccount, NewPerson, Scope, StoreError};

use super::{account, county, PASSWORD};

pub async fn administrator_accounts_see_no_personal_data(db: &TestDb) {
    let store = &db.store;
    let (_, c) = county(store).await;
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id: c,
                name: "林晓".into(),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    for (name, role) in [
        ("sys", Role::SystemAdmin),
        ("sec", Role::SecurityAdmin),
        ("aud", Role::AuditAdmin),
    ] {
        let id = account(store, name, role, None).await;
        let scope = store.account(id).await.unwrap().scope("c");
        let (people, total) = store.list_persons(&scope, None, 50, 0).await.unwrap();
        assert!(people.is_empty() && total == 0, "{name}");
        assert_eq!(store.overview(&scope).await.unwrap().persons, 0);
    }
    let with_org = store
        .create_account(
            &Scope::everything(),
            &NewAccount {
                username: "sys2".into(),
                display_name: None,
                role: Role::SystemAdmin,
                org_id: Some(c),
                person_id: None,
                password: PASSWORD.into(),
                must_change_password: true,
            },
        )
        .await;
    assert!(matches!(with_org, Err(StoreError::Invalid(_))));
}

pub async fn account_scopes_follow_their_organisation(db: &TestDb) {
    let store = &db.store;
    let (p, c) = county(store).await;
    let staff = account(store, "county.staff", Role::OrgStaff, Some(c)).await;
    let scope = store.account(staff).await.unwrap().scope("c");
    assert!(store.org(&scope, c).await.is_ok());
    assert!(matches!(
        store.org(&scope, p).await,
        Err(StoreError::NotFound)
    ));
    assert!(scope.can_write());
    let viewer = account(store, "county.viewer", Role::OrgViewer, Some(c)).await;
    let scope = store.account(viewer).await.unwrap().scope("c");
    assert!(!scope.can_write() && !scope.can_unmask());
    // A county administrator cannot create an account at the province.
    let admin = account(store, "county.admin", Role::OrgAdmin, Some(c)).await;
    let scope = store.account(admin).await.unwrap().scope("c");
    let above = store
        .create_account(
            &scope,
            &NewAccount {
                username: "sneaky".into(),
                display_name: None,
                role: Role::OrgAdmin,
                org_id: Some(p),
                person_id: None,
                password: PASSWORD.into(),
                must_change_password: true,
            },
        )
        .await;
    assert!(matches!(above, Err(StoreError::NotFound)));
    let admin_role = store
        .create_account(
            &scope,
            &NewAccount {
                username: "sneaky2".into(),
                display_name: None,
                role: Role::SystemAdmin,
                org_id: None,
                person_id: None,
                password: PASSWORD.into(),
                must_change_password: true,
            },
        )
        .await;
    assert!(matches!(admin_role, Err(StoreError::Forbidden)));
}

pub async fn roles_cannot_cross_between_organisation_and_administrator(db: &TestDb) {
    let store = &db.store;
    let (_, c) = county(store).await;
    let staff = account(store, "staff", Role::OrgStaff, Some(c)).await;
    let actor = Actor::local("security");
    assert!(store
        .set_role(staff, Role::AuditAdmin, &actor)
        .await
        .is_err());
    store
        .set_role(staff, Role::OrgViewer, &actor)
        .await
        .unwrap();
    assert_eq!(store.account(staff).await.unwrap().role, Role::OrgViewer);
    let sys = account(store, "sys", Role::SystemAdmin, None).await;
    store.set_role(sys, Role::AuditAdmin, &actor).await.unwrap();
    assert!(store.set_role(sys, Role::OrgAdmin, &actor).await.is_err());
}
