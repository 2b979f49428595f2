//! The audit trail: a chain that names an edited record, records the database keeps, one for
//! every write, and no write without its record.

use kexie_store::testing::TestDb;
use kexie_store::{Actor, NewOrg, NewPerson, Scope, StoreError};

use super::county;

pub async fn the_audit_chain_verifies_and_names_an_edited_record(db: &TestDb) {
    let store = &db.store;
    county(store).await;
    for i in 0..5 {
        store
            .audit(
                &Actor::local("t"),
                "test.event",
                &format!("thing:{i}"),
                kexie_store::Outcome::Ok,
                "",
            )
            .await
            .unwrap();
    }
    let verified = store.verify_audit().await.unwrap();
    assert!(verified.ok, "{verified:?}");
    assert_eq!(verified.records, 7);
    let target = 4;
    let disable = match store.backend() {
        kexie_store::Backend::Sqlite => "drop trigger audit_log_no_update;",
        kexie_store::Backend::Postgres => "alter table audit_log disable trigger audit_log_guard;",
    };
    db.raw(&format!(
        "{disable} update audit_log set object = 'thing:forged' where audit_id = {target};"
    ))
    .await
    .unwrap();
    let broken = store.verify_audit().await.unwrap();
    assert!(!broken.ok);
    assert_eq!(broken.first_broken, Some(target));
}

pub async fn the_database_refuses_to_change_or_purge_young_audit_records(db: &TestDb) {
    let store = &db.store;
    county(store).await;
    assert!(db.raw("update audit_log set result = 'ok'").await.is_err());
    assert!(db.raw("delete from audit_log").await.is_err());
    let purge = store
        .purge_audit(&Actor::local("t"), chrono::Utc::now().timestamp_millis())
        .await;
    assert!(matches!(purge, Err(StoreError::Invalid(_))), "{purge:?}");
    // Records older than the retention period may go.
    assert_eq!(store.purge_audit(&Actor::local("t"), 0).await.unwrap(), 0);
    assert!(store.verify_audit().await.unwrap().ok);
}

pub async fn every_write_leaves_an_audit_record(db: &TestDb) {
    let store = &db.store;
    let (_, c) = county(store).await;
    let actor = Actor {
        account_id: None,
        username: "clerk".into(),
        client: "203.0.113.9".into(),
    };
    let scope = Scope::everything().acting_as(actor);
    let person = store
        .create_person(
            &scope,
            &NewPerson {
                org_id: c,
                name: "林晓".into(),
                id_number: Some("23010319900307002X".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    store
        .person_id_number(&scope, person.person_id)
        .await
        .unwrap();
    let (records, _) = store
        .search_audit(&kexie_store::AuditFilter {
            account: Some("clerk".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = records.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["person.unmask", "person.create"]);
    assert!(records.iter().all(|r| r.client == "203.0.113.9"));
    // Never the number itself.
    assert!(records
        .iter()
        .all(|r| !r.detail.contains("23010319900307002X") && !r.object.contains("230103")));
}

pub async fn an_action_whose_audit_record_cannot_be_written_does_not_happen(db: &TestDb) {
    let store = &db.store;
    let (p, _) = county(store).await;
    let block = match store.backend() {
        kexie_store::Backend::Sqlite => {
            "create trigger audit_block before insert on audit_log begin select raise(abort, 'audit disk full'); end;"
        }
        kexie_store::Backend::Postgres => {
            "create function audit_block() returns trigger language plpgsql as $$ begin raise exception 'audit disk full'; end; $$; \
             create trigger audit_block before insert on audit_log for each row execute function audit_block();"
        }
    };
    db.raw(block).await.unwrap();
    let all = Scope::everything();
    let created = store
        .create_org(
            &all,
            &NewOrg {
                code: "NEW".into(),
                name: "新组织".into(),
                parent_id: Some(p),
                ..NewOrg::default()
            },
        )
        .await;
    assert!(created.is_err());
    assert!(matches!(
        store.org_by_code(&all, "NEW").await,
        Err(StoreError::NotFound)
    ));
    let person = store
        .create_person(
            &all,
            &NewPerson {
                org_id: p,
                name: "林晓".into(),
                ..NewPerson::default()
            },
        )
        .await;
    assert!(person.is_err());
    assert_eq!(store.list_persons(&all, None, 10, 0).await.unwrap().1, 0);
}
