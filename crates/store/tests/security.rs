//! The security core's story on both databases: lockout, sessions, tokens, the audit chain,
//! encryption at rest.

use kexie_domain::org::OrgKind;
use kexie_domain::role::Role;
use kexie_store::testing::TestDb;
use kexie_store::{
    stories, Actor, LoginOutcome, LoginPolicy, NewAccount, NewOrg, NewPerson, Scope, Store,
    StoreError,
};

#[path = "security/at_rest.rs"]
mod at_rest;
#[path = "security/audit.rs"]
mod audit;
#[path = "security/roles.rs"]
mod roles;

use audit::*;
use roles::*;

stories!(
    the_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password,
    a_success_resets_the_failure_count,
    a_session_ends_at_sign_out_and_when_idle,
    changing_the_password_ends_sessions_and_tokens,
    tokens_are_stored_hashed_and_can_be_revoked,
    an_api_request_reads_at_its_generation_and_a_write_is_seen_by_the_next,
    failures_are_counted_per_client_address,
    the_audit_chain_verifies_and_names_an_edited_record,
    the_database_refuses_to_change_or_purge_young_audit_records,
    every_write_leaves_an_audit_record,
    administrator_accounts_see_no_personal_data,
    account_scopes_follow_their_organisation,
    roles_cannot_cross_between_organisation_and_administrator,
    an_action_whose_audit_record_cannot_be_written_does_not_happen,
);

const PASSWORD: &str = "Heilongjiang-2017-kx";

async fn county(store: &Store) -> (i64, i64) {
    let all = Scope::everything();
    let province = store
        .create_org(
            &all,
            &NewOrg {
                code: "P".into(),
                name: "省科协".into(),
                kind: Some(OrgKind::Kexie),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    let county = store
        .create_org(
            &all,
            &NewOrg {
                code: "C".into(),
                name: "县科协".into(),
                kind: Some(OrgKind::Kexie),
                parent_id: Some(province.org_id),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    (province.org_id, county.org_id)
}

async fn account(store: &Store, username: &str, role: Role, org_id: Option<i64>) -> i64 {
    store
        .create_account(
            &Scope::everything(),
            &NewAccount {
                username: username.into(),
                display_name: None,
                role,
                org_id,
                person_id: None,
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
        .account_id
}

async fn the_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(
    db: &TestDb,
) {
    let store = &db.store;
    let (_, c) = county(store).await;
    account(store, "staff1", Role::OrgStaff, Some(c)).await;
    let policy = LoginPolicy::default();
    for attempt in 1..=4 {
        let outcome = store
            .login("staff1", "wrong-password-1", "10.0.0.1", &policy)
            .await
            .unwrap();
        assert_eq!(outcome, LoginOutcome::BadCredentials, "attempt {attempt}");
    }
    let fifth = store
        .login("staff1", "wrong-password-1", "10.0.0.1", &policy)
        .await
        .unwrap();
    assert!(matches!(fifth, LoginOutcome::Locked { .. }));
    let sixth = store
        .login("staff1", PASSWORD, "10.0.0.1", &policy)
        .await
        .unwrap();
    let LoginOutcome::Locked { until } = sixth else {
        panic!("not locked: {sixth:?}")
    };
    let minutes = (until - chrono::Utc::now().timestamp_millis()) / 60_000;
    assert!((14..=15).contains(&minutes), "{minutes}");
    let (records, _) = store
        .search_audit(&kexie_store::AuditFilter {
            action: Some("account.locked".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    // Unlocking lets the right password in again.
    let id = store
        .account_by_username("staff1")
        .await
        .unwrap()
        .account_id;
    store
        .unlock_account(id, &Actor::local("admin"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .login("staff1", PASSWORD, "10.0.0.1", &policy)
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));
}

async fn a_success_resets_the_failure_count(db: &TestDb) {
    let store = &db.store;
    let (_, c) = county(store).await;
    account(store, "staff1", Role::OrgStaff, Some(c)).await;
    let policy = LoginPolicy::default();
    for _ in 0..4 {
        store
            .login("staff1", "nope-nope-nope", "c", &policy)
            .await
            .unwrap();
    }
    assert!(matches!(
        store.login("staff1", PASSWORD, "c", &policy).await.unwrap(),
        LoginOutcome::Success(_)
    ));
    for _ in 0..4 {
        assert_eq!(
            store
                .login("staff1", "nope-nope-nope", "c", &policy)
                .await
                .unwrap(),
            LoginOutcome::BadCredentials
        );
    }
    assert_eq!(
        store
            .login("nobody-here", PASSWORD, "c", &policy)
            .await
            .unwrap(),
        LoginOutcome::BadCredentials
    );
}

async fn a_session_ends_at_sign_out_and_when_idle(db: &TestDb) {
    let store = &db.store;
    let id = account(store, "auditor", Role::AuditAdmin, None).await;
    let policy = LoginPolicy::default();
    let (session, csrf) = store.create_session(id, false).await.unwrap();
    let live = store
        .session(&session, &policy)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(live.csrf_token, csrf);
    assert_eq!(live.account.username, "auditor");
    store
        .end_session(&session, &live.account.actor("c"))
        .await
        .unwrap();
    assert!(store.session(&session, &policy).await.unwrap().is_none());

    let (idle, _) = store.create_session(id, false).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let strict = LoginPolicy {
        session_idle_minutes: 0,
        ..policy
    };
    assert!(store.session(&idle, &strict).await.unwrap().is_none());
    // An expired session is gone for good, whatever the policy.
    assert!(store.session(&idle, &policy).await.unwrap().is_none());
    let (old, _) = store.create_session(id, false).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let short = LoginPolicy {
        session_absolute_hours: 0,
        ..policy
    };
    assert!(store.session(&old, &short).await.unwrap().is_none());
}

async fn changing_the_password_ends_sessions_and_tokens(db: &TestDb) {
    let store = &db.store;
    let id = account(store, "sysadmin", Role::SystemAdmin, None).await;
    let policy = LoginPolicy::default();
    let (session, _) = store.create_session(id, false).await.unwrap();
    let (_, token) = store
        .create_token(id, "api", 30, &Actor::local("t"))
        .await
        .unwrap();
    // Asked once before, so that a remembered answer would show.
    assert!(store.token_account(&token).await.unwrap().is_some());
    store
        .set_password(id, "Another-Password-2018", &Actor::local("t"), false)
        .await
        .unwrap();
    assert!(store.session(&session, &policy).await.unwrap().is_none());
    assert!(store.token_account(&token).await.unwrap().is_none());
    assert!(store
        .check_password(id, "Another-Password-2018")
        .await
        .unwrap());
    assert!(!store.check_password(id, PASSWORD).await.unwrap());
}

async fn tokens_are_stored_hashed_and_can_be_revoked(db: &TestDb) {
    let store = &db.store;
    let id = account(store, "sysadmin", Role::SystemAdmin, None).await;
    let (token_id, token) = store
        .create_token(id, "script", 7, &Actor::local("t"))
        .await
        .unwrap();
    assert!(token.starts_with("kx_"));
    assert_eq!(
        store
            .token_account(&token)
            .await
            .unwrap()
            .unwrap()
            .account_id,
        id
    );
    assert!(store.token_account("kx_made_up").await.unwrap().is_none());
    store
        .revoke_token(&token_id.to_string(), &Actor::local("t"))
        .await
        .unwrap();
    assert!(store.token_account(&token).await.unwrap().is_none());
    assert!(matches!(
        store
            .revoke_token(&token_id.to_string(), &Actor::local("t"))
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn failures_are_counted_per_client_address(db: &TestDb) {
    let store = &db.store;
    let policy = LoginPolicy::default();
    for _ in 0..3 {
        store
            .login("ghost", "whatever-whatever", "192.0.2.7", &policy)
            .await
            .unwrap();
    }
    assert_eq!(store.client_failures("192.0.2.7").await.unwrap(), 3);
    assert_eq!(store.client_failures("192.0.2.8").await.unwrap(), 0);
}

/// What an API request does: the token gives the account and the data's generation; the ledger
/// then reads its organisation and total as remembered at that generation. A write (here a move
/// of the organisation out of the account's subtree, then a token revoked) is seen by the next
/// request, never hidden by what was remembered.
async fn an_api_request_reads_at_its_generation_and_a_write_is_seen_by_the_next(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (province, county) = county(store).await;
    let society = store
        .create_org(
            &all,
            &NewOrg {
                code: "S".into(),
                name: "县学会".into(),
                kind: Some(OrgKind::Society),
                parent_id: Some(county),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id;
    let person = store
        .create_person(
            &all,
            &NewPerson {
                org_id: society,
                name: "甲".into(),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id;
    store
        .add_membership(&all, person, society, "普通会员", None, Some("2021-01-01"))
        .await
        .unwrap();
    let id = account(store, "county.staff", Role::OrgStaff, Some(county)).await;
    let (_, token) = store
        .create_token(id, "api", 7, &Actor::local("t"))
        .await
        .unwrap();
    let filter = kexie_store::LedgerFilter {
        org_id: society,
        subtree: true,
        ..kexie_store::LedgerFilter::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let request = || async {
        let (account, generation) = store.token_caller(&token).await.unwrap()?;
        let scope = account.scope("127.0.0.1").at_generation(generation);
        Some((
            generation,
            store.ledger(&scope, &filter, today, 50, 0).await,
        ))
    };
    let (first, answer) = request().await.unwrap();
    let (rows, total) = answer.unwrap();
    assert_eq!((rows.len(), total), (1, 1));
    // Nothing written: the same generation, the same answer.
    let (again, answer) = request().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(answer.unwrap().1, 1);
    // The society moves to the province, outside the county: the next request does not see it.
    store.move_org(&all, society, province).await.unwrap();
    let (after, answer) = request().await.unwrap();
    assert!(after > first);
    assert!(matches!(answer, Err(StoreError::NotFound)));
    // A revoked token is refused at once, though its account was remembered.
    assert!(store.token_account(&token).await.unwrap().is_some());
    store
        .revoke_token(&token, &Actor::local("t"))
        .await
        .unwrap();
    assert!(request().await.is_none());
}
