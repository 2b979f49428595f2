//! A member's own account: contact fields changed directly, identity fields through correction
//! requests that staff decide; active sanctions flagged by person.

#[path = "support/people.rs"]
mod support;

use kexie_store::testing::{query_text, TestDb};
use kexie_store::{
    stories, ContactChange, CorrectionInput, IntegrityRecord, NewPerson, Scope, Store, StoreError,
};
use support::society_org;

stories!(
    a_member_changes_contact_fields_directly_and_it_is_audited,
    a_contact_change_that_makes_a_duplicate_is_refused,
    identity_corrections_wait_for_staff_and_approval_applies_them,
    a_rejection_needs_a_reason_and_a_decision_is_made_once,
    only_staff_of_the_persons_organisations_see_a_request,
    active_sanctions_are_flagged_until_they_expire,
);

async fn org(store: &Store, code: &str, parent: Option<i64>) -> (i64, String) {
    let o = society_org(store, code, parent).await;
    (o.org_id, o.path)
}

async fn person(store: &Store, org: i64, name: &str, mobile: Option<&str>) -> i64 {
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id: org,
                name: name.into(),
                gender: Some("female".into()),
                birth_date: Some("1985-03-12".into()),
                id_number: Some("230102198503120029".into()).filter(|_| mobile.is_none()),
                mobile: mobile.map(str::to_string),
                employer: Some("寒地作物研究所".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

async fn audit_actions(db: &TestDb, person: i64) -> Vec<String> {
    query_text(
        &db.url,
        &format!("select action from audit_log where object = 'person:{person}' order by audit_id"),
    )
    .await
    .unwrap()
}

async fn a_member_changes_contact_fields_directly_and_it_is_audited(db: &TestDb) {
    let store = &db.store;
    let (s, _) = org(store, "S", None).await;
    let me = person(store, s, "林晓", None).await;
    let own = Scope::own_person(me);

    let row = store
        .update_own_contact(
            &own,
            &ContactChange {
                mobile: Some("13945678901".into()),
                email: Some("lin@example.cn".into()),
                employer: Some("农业科学院".into()),
                ..ContactChange::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(row.mobile.as_deref(), Some("139****8901"));
    assert_eq!(row.employer.as_deref(), Some("农业科学院"));
    let fields = store.person_fields(&own, me).await.unwrap();
    assert_eq!(fields.email.as_deref(), Some("lin@example.cn"));
    // Identity fields are untouched by a contact change.
    assert_eq!(fields.birth_date.as_deref(), Some("1985-03-12"));
    assert_eq!(
        store
            .person_identity(&own, me)
            .await
            .unwrap()
            .id_number
            .as_deref(),
        Some("230102198503120029")
    );
    assert!(audit_actions(db, me)
        .await
        .contains(&"person.self_update".to_string()));
    // Staff rights are not a member's: the ordinary edit stays closed to them.
    let mut all_fields = fields.clone();
    all_fields.name = "别名".into();
    assert!(matches!(
        store.update_person(&own, me, &all_fields).await,
        Err(StoreError::Forbidden)
    ));
    // Staff scopes have no "own" record to change.
    assert!(matches!(
        store
            .update_own_contact(&Scope::everything(), &ContactChange::default())
            .await,
        Err(StoreError::Forbidden)
    ));
}

async fn a_contact_change_that_makes_a_duplicate_is_refused(db: &TestDb) {
    let store = &db.store;
    let (s, _) = org(store, "S", None).await;
    let (t, _) = org(store, "T", None).await;
    person(store, t, "林晓", Some("13945678901")).await;
    let me = person(store, s, "林晓", None).await;
    let own = Scope::own_person(me);

    let refused = store
        .update_own_contact(
            &own,
            &ContactChange {
                mobile: Some("13945678901".into()),
                ..ContactChange::default()
            },
        )
        .await;

    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(store.person(&own, me).await.unwrap().mobile, None);
}

async fn identity_corrections_wait_for_staff_and_approval_applies_them(db: &TestDb) {
    let store = &db.store;
    let (s, path) = org(store, "S", None).await;
    let me = person(store, s, "林晓", None).await;
    let own = Scope::own_person(me);

    let request = store
        .request_correction(
            &own,
            &CorrectionInput {
                name: Some("林小".into()),
                id_number: Some("11010519491231002X".into()),
                birth_date: Some("1949-12-31".into()),
                note: Some("户籍更名".into()),
                ..CorrectionInput::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(request.status, "pending");
    assert_eq!(request.id_number.as_deref(), Some("1101**********002X"));
    // Nothing changes until staff decide.
    assert_eq!(store.person(&own, me).await.unwrap().name, "林晓");
    let stored = query_text(&db.url, "select cast(count(*) as text) from correction_request where id_number_enc is not null and id_number_mask = '1101**********002X'")
        .await
        .unwrap();
    assert_eq!(stored, ["1"]);
    assert!(matches!(
        store
            .decide_correction(&own, request.correction_request_id, true, "")
            .await,
        Err(StoreError::Forbidden)
    ));
    let staff = Scope::subtree(path, true, false);
    let queue = store.corrections(&staff, true).await.unwrap();
    assert_eq!(queue.len(), 1);

    let done = store
        .decide_correction(&staff, request.correction_request_id, true, "")
        .await
        .unwrap();

    assert_eq!(done.status, "approved");
    let after = store.person(&own, me).await.unwrap();
    assert_eq!(after.name, "林小");
    assert_eq!(after.birth_date.as_deref(), Some("1949-12-31"));
    assert_eq!(
        store
            .person_identity(&own, me)
            .await
            .unwrap()
            .id_number
            .as_deref(),
        Some("11010519491231002X")
    );
    assert!(store.corrections(&staff, true).await.unwrap().is_empty());
    let actions = audit_actions(db, me).await;
    for a in ["correction.request", "person.correct", "correction.approve"] {
        assert!(
            actions.contains(&a.to_string()),
            "{a} missing from {actions:?}"
        );
    }
}

async fn a_rejection_needs_a_reason_and_a_decision_is_made_once(db: &TestDb) {
    let store = &db.store;
    let (s, path) = org(store, "S", None).await;
    let me = person(store, s, "林晓", None).await;
    let own = Scope::own_person(me);
    let staff = Scope::subtree(path, true, false);
    assert!(matches!(
        store
            .request_correction(&own, &CorrectionInput::default())
            .await,
        Err(StoreError::Invalid(_))
    ));
    let id = store
        .request_correction(
            &own,
            &CorrectionInput {
                ethnicity: Some("满族".into()),
                ..CorrectionInput::default()
            },
        )
        .await
        .unwrap()
        .correction_request_id;

    assert!(matches!(
        store.decide_correction(&staff, id, false, "  ").await,
        Err(StoreError::Invalid(_))
    ));
    let rejected = store
        .decide_correction(&staff, id, false, "请提供户籍证明")
        .await
        .unwrap();

    assert_eq!(rejected.status, "rejected");
    assert_eq!(rejected.reason.as_deref(), Some("请提供户籍证明"));
    assert!(matches!(
        store.decide_correction(&staff, id, true, "").await,
        Err(StoreError::Conflict(_))
    ));
    let mine = store.corrections(&own, false).await.unwrap();
    assert_eq!(mine[0].reason.as_deref(), Some("请提供户籍证明"));
    assert_eq!(store.person_fields(&own, me).await.unwrap().ethnicity, None);
}

async fn only_staff_of_the_persons_organisations_see_a_request(db: &TestDb) {
    let store = &db.store;
    let (keeper, _) = org(store, "K", None).await;
    let (society, society_path) = org(store, "M", None).await;
    let (_, other_path) = org(store, "O", None).await;
    let me = person(store, keeper, "林晓", None).await;
    store
        .add_membership(&Scope::everything(), me, society, "普通会员", None, None)
        .await
        .unwrap();
    let own = Scope::own_person(me);
    let id = store
        .request_correction(
            &own,
            &CorrectionInput {
                gender: Some("male".into()),
                ..CorrectionInput::default()
            },
        )
        .await
        .unwrap()
        .correction_request_id;

    let other = Scope::subtree(other_path, true, false);
    assert!(store.corrections(&other, true).await.unwrap().is_empty());
    assert!(matches!(
        store.decide_correction(&other, id, true, "").await,
        Err(StoreError::NotFound)
    ));
    let viewer = Scope::subtree(society_path.clone(), false, false);
    assert_eq!(store.corrections(&viewer, true).await.unwrap().len(), 1);
    assert!(matches!(
        store.decide_correction(&viewer, id, true, "").await,
        Err(StoreError::Forbidden)
    ));
    // Staff of a society the person belongs to decide, though another organisation keeps them.
    let society_staff = Scope::subtree(society_path, true, false);
    store
        .decide_correction(&society_staff, id, true, "")
        .await
        .unwrap();
    assert_eq!(
        store
            .person_fields(&own, me)
            .await
            .unwrap()
            .gender
            .as_deref(),
        Some("male")
    );
}

async fn active_sanctions_are_flagged_until_they_expire(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (s, path) = org(store, "S", None).await;
    let a = person(store, s, "甲", Some("13900000001")).await;
    let b = person(store, s, "乙", Some("13900000002")).await;
    let c = person(store, s, "丙", Some("13900000003")).await;
    let record = |kind: &str, expires: Option<&str>| IntegrityRecord {
        integrity_record_id: 0,
        org_id: s,
        kind: kind.into(),
        recorded_on: "2024-05-01".into(),
        description: "论文数据造假".into(),
        expires_on: expires.map(str::to_string),
        issuer: Some("某大学学术委员会".into()),
    };
    store
        .add_integrity_record(&all, a, &record("sanction", Some("2027-05-01")))
        .await
        .unwrap();
    store
        .add_integrity_record(&all, b, &record("sanction", Some("2025-05-01")))
        .await
        .unwrap();
    store
        .add_integrity_record(&all, c, &record("finding", None))
        .await
        .unwrap();
    let staff = Scope::subtree(path, false, false);

    let flagged = store
        .persons_with_active_sanctions(&staff, &[a, b, c], "2026-01-01")
        .await
        .unwrap();

    assert_eq!(flagged.into_iter().collect::<Vec<_>>(), [a]);
    let earlier = store
        .persons_with_active_sanctions(&staff, &[a, b, c], "2025-01-01")
        .await
        .unwrap();
    assert_eq!(earlier.len(), 2);
    assert_eq!(
        store.integrity_records(&all, a).await.unwrap()[0]
            .issuer
            .as_deref(),
        Some("某大学学术委员会")
    );
    assert!(matches!(
        store
            .persons_with_active_sanctions(&Scope::own_person(a), &[a], "2026-01-01")
            .await,
        Err(StoreError::Forbidden)
    ));
}
