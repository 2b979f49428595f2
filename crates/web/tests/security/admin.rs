//! The administrators' pages: no personal data, only their own tools, accounts placed within
//! the administrator's reach, the audit trail, a mandatory second factor.

use kexie_domain::role::Role;
use kexie_domain::totp::TotpSecret;
use kexie_store::Backend;
use serde_json::Value;

use super::county;
use crate::common::{TestApp, PASSWORD};

pub async fn administrators_see_no_personal_data_and_only_their_own_tools(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, c) = county(&app).await;
    app.store()
        .create_person(
            &kexie_store::Scope::everything(),
            &kexie_store::NewPerson {
                org_id: c,
                name: "林晓".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for (name, role, home) in [
        ("sys", Role::SystemAdmin, "/admin/accounts"),
        ("sec", Role::SecurityAdmin, "/admin/accounts"),
        ("aud", Role::AuditAdmin, "/audit"),
    ] {
        let browser = app.signed_in(name, role, None).await;
        assert_eq!(browser.get("/").await.headers()["location"], home, "{name}");
        let html = browser.get("/persons").await.text().await.unwrap();
        assert!(!html.contains("林晓"), "{name} saw a person");
        let token = app
            .token(
                app.store()
                    .account_by_username(name)
                    .await
                    .unwrap()
                    .account_id,
            )
            .await;
        let list: Value = app
            .api(&token, "/api/v1/persons")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 0, "{name}");
    }
    let staff = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    assert_eq!(staff.get("/audit").await.status(), 403);
    assert_eq!(staff.get("/admin/accounts").await.status(), 403);
    let auditor = app.browser();
    auditor.sign_in("aud", PASSWORD).await;
    assert_eq!(auditor.get("/admin/accounts").await.status(), 403);
}

pub async fn the_audit_administrator_searches_and_exports_the_trail(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, c) = county(&app).await;
    app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    let auditor = app.signed_in("auditor", Role::AuditAdmin, None).await;
    let html = auditor
        .get("/audit?action=login.")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("login.success"));
    assert!(html.contains(">staff<"));
    let csv = auditor.get("/audit/export.csv?account=staff").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("\u{feff}编号,时间,账号"));
    assert!(text.contains("\"login.success\""));
    let html = auditor
        .get("/audit?action=audit.export")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("audit.export"),
        "the export itself is audited"
    );
    assert_eq!(auditor.get("/audit?from=yesterday").await.status(), 400);
}

pub async fn the_system_administrator_creates_accounts_with_a_one_time_password(backend: Backend) {
    let app = TestApp::start(backend).await;
    county(&app).await;
    let sys = app.signed_in("sys", Role::SystemAdmin, None).await;
    let csrf = sys.csrf("/admin/accounts").await;
    let r = sys
        .post_form(
            "/admin/accounts",
            &csrf,
            &[
                ("username", "county.clerk"),
                ("role", "org_staff"),
                ("org_code", "C"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let marker = "<code class=\"mono secret\">";
    let start = html.find(marker).expect("the password is shown once") + marker.len();
    let password = &html[start..start + html[start..].find('<').unwrap()];
    let clerk = app.browser();
    let first = clerk.sign_in("county.clerk", password).await;
    assert_eq!(first.headers()["location"], "/password");
    // The security administrator changes roles, and cannot create accounts.
    let sec = app.signed_in("sec", Role::SecurityAdmin, None).await;
    let csrf = sec.csrf("/admin/accounts").await;
    let id = app
        .store()
        .account_by_username("county.clerk")
        .await
        .unwrap()
        .account_id;
    let r = sec
        .post_form(
            &format!("/admin/accounts/{id}/role"),
            &csrf,
            &[("role", "org_viewer")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.store().account(id).await.unwrap().role, Role::OrgViewer);
    let r = sec
        .post_form(
            "/admin/accounts",
            &csrf,
            &[
                ("username", "x.y.z"),
                ("role", "org_staff"),
                ("org_code", "C"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = sec
        .post_form(&format!("/admin/accounts/{id}/reset"), &csrf, &[])
        .await;
    assert_eq!(r.status(), 403);
}

pub async fn a_county_administrator_cannot_place_accounts_above_itself(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (p, c) = county(&app).await;
    let admin = app.signed_in("county.admin", Role::OrgAdmin, Some(c)).await;
    let csrf = admin.csrf("/admin/accounts").await;
    let above = admin
        .post_form(
            "/admin/accounts",
            &csrf,
            &[
                ("username", "prov.x"),
                ("role", "org_staff"),
                ("org_code", "P"),
            ],
        )
        .await;
    assert_eq!(above.status(), 404);
    let admin_role = admin
        .post_form(
            "/admin/accounts",
            &csrf,
            &[("username", "sys.x"), ("role", "system_admin")],
        )
        .await;
    assert_eq!(admin_role.status(), 403);
    let own = admin
        .post_form(
            "/admin/accounts",
            &csrf,
            &[
                ("username", "county.y"),
                ("role", "org_viewer"),
                ("org_code", "C"),
            ],
        )
        .await;
    assert_eq!(own.status(), 200);
    // An account at the province is invisible and untouchable for the county administrator.
    let prov = app.account("prov.staff", Role::OrgStaff, Some(p)).await;
    let html = admin.get("/admin/accounts").await.text().await.unwrap();
    assert!(!html.contains("prov.staff"));
    assert!(html.contains("county.y"));
    let r = admin
        .post_form(&format!("/admin/accounts/{prov}/disable"), &csrf, &[])
        .await;
    assert_eq!(r.status(), 404);
}

pub async fn a_mandatory_second_factor_sends_administrators_to_set_it_up(backend: Backend) {
    let app = TestApp::start_with(
        backend,
        kexie_web::Settings {
            require_totp_for_administrators: true,
            ..Default::default()
        },
    )
    .await;
    let sys = app.signed_in("sys", Role::SystemAdmin, None).await;
    assert_eq!(
        sys.get("/admin/accounts").await.headers()["location"],
        "/account/totp"
    );
    let html = sys.get("/account/totp").await.text().await.unwrap();
    let marker = "<code class=\"mono secret\">";
    let start = html.find(marker).expect("the key is shown") + marker.len();
    let key = &html[start..start + html[start..].find('<').unwrap()];
    let secret = TotpSecret::from_base32(key).unwrap();
    let csrf = sys.csrf("/account/totp").await;
    let code = secret.code_at(chrono::Utc::now().timestamp());
    let r = sys
        .post_form("/account/totp", &csrf, &[("code", &code)])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(sys.get("/admin/accounts").await.status(), 200);
    // Organisation staff are not asked.
    let (_, c) = county(&app).await;
    let staff = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    assert_eq!(staff.get("/orgs").await.status(), 200);
}
