//! Ids of people and memberships outlive the rows: a deleted person's id is never handed out
//! again, and the merge trail survives deleting either record (issue 5, two bugs).

#[path = "support/people.rs"]
mod support;

use kexie_store::testing::{query_text, TestDb};
use kexie_store::{stories, NewPerson, Scope, Store};
use support::society;

stories!(
    deleting_the_survivor_of_a_merge_keeps_the_masked_trail,
    a_deleted_persons_id_is_never_given_to_the_next_person,
    a_deleted_membership_id_is_never_given_again,
);

async fn person(store: &Store, org: i64, name: &str, id_number: Option<&str>) -> i64 {
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id: org,
                name: name.into(),
                id_number: id_number.map(str::to_string),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

async fn deleting_the_survivor_of_a_merge_keeps_the_masked_trail(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    let survivor = person(store, s, "林晓", Some("230102198503120029")).await;
    let duplicate = person(store, s, "林晓", None).await;
    store
        .merge_persons(&all, survivor, duplicate)
        .await
        .unwrap();

    store.delete_person(&all, survivor).await.unwrap();

    let trail = query_text(
        &db.url,
        "select snapshot || '|' || cast(survivor_person_id as text) || '|' || \
         cast(merged_person_id as text) from person_merge",
    )
    .await
    .unwrap();
    assert_eq!(trail.len(), 1);
    assert!(trail[0].ends_with(&format!("|{survivor}|{duplicate}")));
    assert!(!trail[0].contains("230102198503120029"));
    assert!(store.person(&all, survivor).await.is_err());
}

async fn a_deleted_persons_id_is_never_given_to_the_next_person(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    person(store, s, "甲", None).await;
    let newest = person(store, s, "乙", None).await;
    store.delete_person(&all, newest).await.unwrap();

    let next = person(store, s, "丙", None).await;

    assert!(next > newest, "id {newest} was given again as {next}");
    // The audit trail's record of the deletion still names only the deleted person.
    let deleted = query_text(
        &db.url,
        &format!("select action from audit_log where object = 'person:{newest}' order by audit_id"),
    )
    .await
    .unwrap();
    assert_eq!(deleted, ["person.create", "person.delete"]);
}

async fn a_deleted_membership_id_is_never_given_again(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let s = society(store, "S", None).await;
    let a = person(store, s, "甲", None).await;
    let b = person(store, s, "乙", None).await;
    let gone = store
        .add_membership(&all, a, s, "普通会员", None, None)
        .await
        .unwrap();
    store.delete_person(&all, a).await.unwrap();

    let next = store
        .add_membership(&all, b, s, "普通会员", None, None)
        .await
        .unwrap();

    assert!(next > gone, "membership id {gone} was given again");
}
