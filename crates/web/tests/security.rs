//! The security core, black-box: lockout, sessions, CSRF, first password, second factor, the
//! administrators' pages.

#[path = "security/admin.rs"]
mod admin;
mod common;

use common::{TestApp, PASSWORD};
use kexie_domain::role::Role;
use kexie_domain::totp::TotpSecret;
use kexie_store::{Actor, Backend};
use serde_json::{json, Value};

use admin::*;

on_both_databases!(
    the_sixth_sign_in_after_five_failures_is_refused_even_with_the_right_password,
    the_json_sign_in_gives_a_token_401_423_and_415,
    a_session_cookie_replayed_after_sign_out_is_refused,
    a_post_without_a_valid_csrf_token_is_refused,
    a_first_password_must_be_changed_and_the_old_session_dies,
    the_second_factor_is_asked_for_when_enabled,
    administrators_see_no_personal_data_and_only_their_own_tools,
    the_audit_administrator_searches_and_exports_the_trail,
    the_system_administrator_creates_accounts_with_a_one_time_password,
    a_county_administrator_cannot_place_accounts_above_itself,
    pages_carry_security_headers,
    a_mandatory_second_factor_sends_administrators_to_set_it_up,
);

async fn county(app: &TestApp) -> (i64, i64) {
    let p = app.org("P", "省科协", None, "230000000000").await;
    let c = app.org("C", "县科协", Some(p), "230102000000").await;
    (p, c)
}

async fn the_sixth_sign_in_after_five_failures_is_refused_even_with_the_right_password(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (_, c) = county(&app).await;
    app.account("staff", Role::OrgStaff, Some(c)).await;
    let browser = app.browser();
    for attempt in 1..=4 {
        let r = browser.sign_in("staff", "Wrong-Password-99").await;
        assert_eq!(r.status(), 401, "attempt {attempt}");
        assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    }
    let fifth = browser.sign_in("staff", "Wrong-Password-99").await;
    assert_eq!(fifth.status(), 423);
    let sixth = browser.sign_in("staff", PASSWORD).await;
    assert_eq!(sixth.status(), 423);
    let html = sixth.text().await.unwrap();
    assert!(html.contains("锁定"), "{html}");
    assert!(html.contains("解锁时间"));
    // The JSON sign-in says the same with 423.
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "staff", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 423);
}

async fn the_json_sign_in_gives_a_token_401_423_and_415(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, c) = county(&app).await;
    app.account("staff", Role::OrgStaff, Some(c)).await;
    let login = |body: Value| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&body)
            .send()
    };
    let ok = login(json!({"username": "staff", "password": PASSWORD}))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let token = ok.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me: Value = app
        .api(&token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "staff");
    assert_eq!(me["role"], "org_staff");
    let bad = login(json!({"username": "staff", "password": "nope"}))
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["error"]["code"],
        "unauthorized"
    );
    let form = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body(r#"{"username":"staff","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    // No token, a made-up token: 401.
    assert_eq!(app.get("/api/v1/orgs").await.status(), 401);
    assert_eq!(app.api("kx_made_up", "/api/v1/orgs").await.status(), 401);
}

async fn a_session_cookie_replayed_after_sign_out_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, c) = county(&app).await;
    app.account("staff", Role::OrgStaff, Some(c)).await;
    let browser = app.browser();
    let signed_in = browser.sign_in("staff", PASSWORD).await;
    let cookie = browser
        .session_cookie(&signed_in)
        .expect("a session cookie");
    let set_cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly")
            || signed_in.headers().get_all("set-cookie").iter().any(|v| v
                .to_str()
                .unwrap()
                .contains("kexie_session")
                && v.to_str().unwrap().contains("HttpOnly"))
    );
    assert_eq!(browser.get("/").await.status(), 200);
    let csrf = browser.csrf("/").await;
    let out = browser.post_form("/logout", &csrf, &[]).await;
    assert_eq!(out.status(), 303);
    // The old cookie, sent by hand from another client, is refused.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/"))
        .header("cookie", format!("kexie_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 303);
    assert!(replay.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

async fn a_post_without_a_valid_csrf_token_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, c) = county(&app).await;
    let browser = app.signed_in("staff", Role::OrgStaff, Some(c)).await;
    let none = browser
        .client
        .post(format!("{}/logout", browser.base))
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 403);
    let wrong = browser.post_form("/logout", "0123456789abcdef", &[]).await;
    assert_eq!(wrong.status(), 403);
    // Still signed in: the refused POSTs did nothing.
    assert_eq!(browser.get("/").await.status(), 200);
    // The sign-in form is protected too.
    let fresh = app.browser();
    let r = fresh
        .client
        .post(format!("{}/login", fresh.base))
        .form(&[("username", "staff"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn a_first_password_must_be_changed_and_the_old_session_dies(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, c) = county(&app).await;
    app.store()
        .create_account(
            &kexie_store::Scope::everything(),
            &kexie_store::NewAccount {
                username: "newbie".into(),
                display_name: None,
                role: Role::OrgStaff,
                org_id: Some(c),
                person_id: None,
                password: PASSWORD.into(),
                must_change_password: true,
            },
        )
        .await
        .unwrap();
    let browser = app.browser();
    let r = browser.sign_in("newbie", PASSWORD).await;
    assert_eq!(r.headers()["location"], "/password");
    let old_cookie = browser.session_cookie(&r).unwrap();
    let r = browser.get("/orgs").await;
    assert_eq!(r.headers()["location"], "/password");
    let csrf = browser.csrf("/password").await;
    let weak = browser
        .post_form(
            "/password",
            &csrf,
            &[
                ("current", PASSWORD),
                ("new", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status(), 422);
    let strong = "Mudanjiang-Snow-2024";
    let ok = browser
        .post_form(
            "/password",
            &csrf,
            &[("current", PASSWORD), ("new", strong), ("confirm", strong)],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(browser.get("/").await.status(), 200);
    let replay = app
        .client
        .get(app.url("/"))
        .header("cookie", format!("kexie_session={old_cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        303,
        "the session from before the change is gone"
    );
}

async fn the_second_factor_is_asked_for_when_enabled(backend: Backend) {
    let app = TestApp::start(backend).await;
    let id = app.account("auditor", Role::AuditAdmin, None).await;
    let secret = TotpSecret::generate();
    let store = app.store();
    store.set_totp_secret(id, secret.as_bytes()).await.unwrap();
    let now = chrono::Utc::now().timestamp();
    let step = secret.verify(&secret.code_at(now - 30), now).unwrap();
    assert!(store
        .use_totp_step(id, step, true, &Actor::local("t"))
        .await
        .unwrap());

    let browser = app.browser();
    let r = browser.sign_in("auditor", PASSWORD).await;
    assert_eq!(r.headers()["location"], "/login/totp");
    // Nothing else opens until the code is given.
    assert_eq!(
        browser.get("/audit").await.headers()["location"],
        "/login/totp"
    );
    let csrf = browser.csrf("/login/totp").await;
    let wrong = browser
        .post_form("/login/totp", &csrf, &[("code", "000000")])
        .await;
    assert_eq!(wrong.status(), 401);
    let code = secret.code_at(chrono::Utc::now().timestamp());
    let right = browser
        .post_form("/login/totp", &csrf, &[("code", &code)])
        .await;
    assert_eq!(right.status(), 303);
    assert_eq!(browser.get("/audit").await.status(), 200);
    // The same code is not accepted twice.
    let again = app.browser();
    again.sign_in("auditor", PASSWORD).await;
    let csrf = again.csrf("/login/totp").await;
    assert_eq!(
        again
            .post_form("/login/totp", &csrf, &[("code", &code)])
            .await
            .status(),
        401
    );
}

async fn pages_carry_security_headers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let r = app.get("/login").await;
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("kexie_pre="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
}
