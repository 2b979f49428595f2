//! People pages and API: masked by default, unmasked on request for those allowed, audited.

mod common;

use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::{AuditFilter, Backend, NewPerson, Scope};
use serde_json::Value;

on_both_databases!(
    staff_unmask_a_person_once_and_the_audit_trail_records_it,
    a_viewer_sees_masks_only,
);

async fn setup(app: &TestApp) -> (i64, i64) {
    let c = app.org("C", "县科协", None, "230102000000").await;
    let person = app
        .store()
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id: c,
                name: "林晓".into(),
                id_number: Some("230102198503120029".into()),
                mobile: Some("13945678901".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    (c, person.person_id)
}

async fn staff_unmask_a_person_once_and_the_audit_trail_records_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (c, id) = setup(&app).await;
    let staff = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    let html = staff
        .get(&format!("/persons/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("2301**********0029") && html.contains("139****8901"));
    assert!(!html.contains("230102198503120029"));
    let csrf = staff.csrf(&format!("/persons/{id}")).await;
    let shown = staff
        .post_form(&format!("/persons/{id}/unmask"), &csrf, &[])
        .await;
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.headers()["cache-control"], "no-store");
    let html = shown.text().await.unwrap();
    assert!(html.contains("230102198503120029") && html.contains("13945678901"));
    let token = app
        .token(
            app.store()
                .account_by_username("staff")
                .await
                .unwrap()
                .account_id,
        )
        .await;
    let identity: Value = app
        .api(&token, &format!("/api/v1/persons/{id}/identity"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(identity["id_number"], "230102198503120029");
    let (records, _) = app
        .store()
        .search_audit(&AuditFilter {
            action: Some("person.unmask".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert!(records
        .iter()
        .all(|r| r.account == "staff" && r.object == format!("person:{id}")));
}

async fn a_viewer_sees_masks_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (c, id) = setup(&app).await;
    let viewer = app.signed_in("viewer", Role::OrgViewer, Some(c)).await;
    let html = viewer
        .get(&format!("/persons/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("/unmask"));
    let csrf = viewer.csrf("/").await;
    assert_eq!(
        viewer
            .post_form(&format!("/persons/{id}/unmask"), &csrf, &[])
            .await
            .status(),
        403
    );
    let token = app
        .token(
            app.store()
                .account_by_username("viewer")
                .await
                .unwrap()
                .account_id,
        )
        .await;
    assert_eq!(
        app.api(&token, &format!("/api/v1/persons/{id}/identity"))
            .await
            .status(),
        403
    );
}
