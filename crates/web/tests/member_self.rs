//! A member's own account: `/me` and its API show their own record (numbers in full, audited)
//! and nothing else; contact fields change directly, identity fields through a correction that
//! staff of the person's organisations approve or reject.

mod common;

use common::{Browser, TestApp, PASSWORD};
use kexie_domain::role::Role;
use kexie_store::{AuditFilter, Backend, NewAccount, NewPerson, Scope};
use serde_json::{json, Value};

on_both_databases!(
    a_member_sees_their_own_record_and_nothing_else,
    contact_changes_apply_directly_and_identity_changes_wait_for_staff,
    the_pages_show_the_record_and_the_queue,
);

struct Setup {
    county: i64,
    sibling: i64,
    me: i64,
    other: i64,
}

async fn setup(app: &TestApp) -> Setup {
    let county = app.org("C", "县科协", None, "230102000000").await;
    let sibling = app.org("D", "邻县科协", None, "230103000000").await;
    let all = Scope::everything();
    let person = |name: &str, id: &str, mobile: &str| NewPerson {
        org_id: county,
        name: name.into(),
        id_number: Some(id.into()),
        mobile: Some(mobile.into()),
        birth_date: Some(format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14])),
        ..NewPerson::default()
    };
    let me = app
        .store()
        .create_person(&all, &person("林晓", "230102198503120029", "13945678901"))
        .await
        .unwrap()
        .person_id;
    let other = app
        .store()
        .create_person(&all, &person("邻居甲", "11010519491231002X", "13811112222"))
        .await
        .unwrap()
        .person_id;
    app.store()
        .add_membership(
            &all,
            me,
            county,
            "普通会员",
            Some("HLJ-001"),
            Some("2020-01-01"),
        )
        .await
        .unwrap();
    app.store()
        .create_account(
            &all,
            &NewAccount {
                username: "lin.xiao".into(),
                display_name: None,
                role: Role::Member,
                org_id: None,
                person_id: Some(me),
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    Setup {
        county,
        sibling,
        me,
        other,
    }
}

async fn member_token(app: &TestApp) -> String {
    let account = app.store().account_by_username("lin.xiao").await.unwrap();
    app.token(account.account_id).await
}

async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_member_sees_their_own_record_and_nothing_else(backend: Backend) {
    let app = TestApp::start(backend).await;
    let s = setup(&app).await;
    let token = member_token(&app).await;

    let me: Value = app.api(&token, "/api/v1/me").await.json().await.unwrap();

    assert_eq!(me["person"]["name"], "林晓");
    assert_eq!(me["identity"]["id_number"], "230102198503120029");
    assert_eq!(me["identity"]["mobile"], "13945678901");
    assert_eq!(me["memberships"][0]["number"], "HLJ-001");
    let (unmasked, _) = app
        .store()
        .search_audit(&AuditFilter {
            action: Some("person.unmask".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(unmasked
        .iter()
        .any(|r| r.object == format!("person:{}", s.me)));
    // Nothing else: no other person, no organisation, no ledger, no queue.
    for path in [
        format!("/api/v1/persons/{}", s.other),
        format!("/api/v1/persons/{}/identity", s.other),
        format!("/api/v1/orgs/{}", s.county),
        format!("/api/v1/orgs/{}/ledger", s.county),
        format!("/api/v1/orgs/{}/members", s.county),
    ] {
        let status = app.api(&token, &path).await.status().as_u16();
        assert_eq!(status, 404, "{path}");
    }
    assert_eq!(app.api(&token, "/api/v1/corrections").await.status(), 403);
    let list: Value = app
        .api(&token, "/api/v1/persons")
        .await
        .json()
        .await
        .unwrap();
    assert!(!list.to_string().contains("邻居甲"));
    // Staff have no "own record".
    let staff = app.account("staff", Role::OrgStaff, Some(s.county)).await;
    let staff_token = app.token(staff).await;
    assert_eq!(app.api(&staff_token, "/api/v1/me").await.status(), 403);
}

async fn contact_changes_apply_directly_and_identity_changes_wait_for_staff(backend: Backend) {
    let app = TestApp::start(backend).await;
    let s = setup(&app).await;
    let token = member_token(&app).await;
    let patch = reqwest::Method::PATCH;
    let post = reqwest::Method::POST;

    let (status, row) = send(
        &app,
        &token,
        patch.clone(),
        "/me",
        json!({"mobile": "13800001111", "employer": "寒地作物研究所", "title": "中级"}),
    )
    .await;
    assert_eq!(status, 200, "{row}");
    assert_eq!(row["mobile"], "138****1111");
    assert_eq!(row["employer"], "寒地作物研究所");
    let (status, body) = send(
        &app,
        &token,
        patch.clone(),
        "/me",
        json!({"mobile": "12345"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("手机号"));
    // Identity fields are not contact fields: a PATCH does not change them.
    let (status, row) = send(&app, &token, patch, "/me", json!({"name": "别名"})).await;
    assert_eq!((status, row["name"].as_str()), (200, Some("林晓")));
    let (status, _) = send(
        &app,
        &token,
        post.clone(),
        "/me/corrections",
        json!({"id_number": "230102198503120028"}),
    )
    .await;
    assert_eq!(
        status, 422,
        "a wrong check character is refused before staff see it"
    );

    let (status, request) = send(
        &app,
        &token,
        post.clone(),
        "/me/corrections",
        json!({"name": "林小", "note": "户籍更名"}),
    )
    .await;
    assert_eq!(status, 201, "{request}");
    let id = request["correction_request_id"].as_i64().unwrap();
    assert_eq!(request["status"], "pending");
    let (status, _) = send(
        &app,
        &token,
        post.clone(),
        &format!("/corrections/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(status, 403, "a member cannot approve their own request");

    // Staff of a neighbouring county neither see nor decide it.
    let outsider = app
        .account("outsider", Role::OrgStaff, Some(s.sibling))
        .await;
    let outsider = app.token(outsider).await;
    let queue: Value = app
        .api(&outsider, "/api/v1/corrections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue, json!([]));
    let (status, _) = send(
        &app,
        &outsider,
        post.clone(),
        &format!("/corrections/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(status, 404);
    // A viewer of the county reads the queue but does not decide.
    let viewer = app.account("viewer", Role::OrgViewer, Some(s.county)).await;
    let viewer = app.token(viewer).await;
    let queue: Value = app
        .api(&viewer, "/api/v1/corrections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue[0]["name"], "林小");
    let (status, _) = send(
        &app,
        &viewer,
        post.clone(),
        &format!("/corrections/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);

    let staff = app.account("staff", Role::OrgStaff, Some(s.county)).await;
    let staff = app.token(staff).await;
    let (status, _) = send(
        &app,
        &staff,
        post.clone(),
        &format!("/corrections/{id}/reject"),
        json!({"reason": ""}),
    )
    .await;
    assert_eq!(status, 422, "a rejection needs a reason");
    let (status, decided) = send(
        &app,
        &staff,
        post.clone(),
        &format!("/corrections/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["status"], "approved");
    let person: Value = app
        .api(&staff, &format!("/api/v1/persons/{}", s.me))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(person["name"], "林小");
    let (status, _) = send(
        &app,
        &staff,
        post,
        &format!("/corrections/{id}/reject"),
        json!({"reason": "晚了"}),
    )
    .await;
    assert_eq!(status, 409, "decided once");
    let me: Value = app.api(&token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["corrections"][0]["status"], "approved");
}

async fn the_pages_show_the_record_and_the_queue(backend: Backend) {
    let app = TestApp::start(backend).await;
    let s = setup(&app).await;
    let member: Browser = app.browser();
    assert_eq!(member.sign_in("lin.xiao", PASSWORD).await.status(), 303);

    let home = member.get("/").await;
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/me");
    let page = member.get("/me").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("230102198503120029") && html.contains("13945678901"));
    assert!(html.contains("HLJ-001"));
    assert_eq!(
        member.get(&format!("/persons/{}", s.other)).await.status(),
        404
    );
    assert_eq!(
        member
            .get(&format!("/orgs/{}/ledger", s.county))
            .await
            .status(),
        404
    );
    assert_eq!(member.get("/corrections").await.status(), 403);

    let csrf = member.csrf("/me").await;
    let saved = member
        .post_form(
            "/me",
            &csrf,
            &[("email", "lin@example.cn"), ("department", "育种室")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let asked = member
        .post_form("/me/corrections", &csrf, &[("ethnicity", "满族")])
        .await;
    assert_eq!(asked.status(), 303);
    let html = member.get("/me").await.text().await.unwrap();
    assert!(html.contains("lin@example.cn") && html.contains("育种室") && html.contains("满族"));

    let staff = app.signed_in("staff", Role::OrgStaff, Some(s.county)).await;
    let html = staff.get("/corrections").await.text().await.unwrap();
    assert!(html.contains("林晓") && html.contains("满族"));
    let id = app
        .store()
        .corrections(&Scope::everything(), true)
        .await
        .unwrap()[0]
        .correction_request_id;
    let csrf = staff.csrf("/corrections").await;
    let rejected = staff
        .post_form(
            &format!("/corrections/{id}/reject"),
            &csrf,
            &[("reason", "请提供户籍证明")],
        )
        .await;
    assert_eq!(rejected.status(), 303);
    let html = member.get("/me").await.text().await.unwrap();
    assert!(html.contains("请提供户籍证明"));
    assert_eq!(staff.get("/me").await.status(), 403);
}
