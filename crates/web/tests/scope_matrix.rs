//! The scoping matrix: role × route × target (own organisation, child, sibling, parent).
//!
//! A county's staff must not read, list, update or delete a record of a sibling county through
//! any route. Every route of the web crate must have an entry in `MATRIX`: a new route without
//! one fails `every_route_has_a_matrix_entry`, so scoping is decided for each route on purpose.

mod common;

use common::{Browser, TestApp};
use kexie_domain::role::Role;
use kexie_store::{Backend, NewPerson, Scope};
use serde_json::Value;

/// How a route is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Check {
    /// Needs no sign-in and shows no organisation data.
    Public,
    /// Concerns the signed-in account only (its profile, password, second factor, sign-out).
    OwnAccount,
    /// An administrator's tool: organisation staff get 403 (more in tests/security.rs).
    AdminTool,
    /// `{id}` is an organisation: 200 inside the subtree, 404 outside.
    OrgById,
    /// `{id}` is a person: 200 inside the subtree, 404 outside.
    PersonById,
    /// The form for a new organisation: its parent is checked when it is posted.
    OrgForm,
    /// A list or figures: only rows of the subtree.
    List,
    /// The official division tree: reference data, the same for every signed-in caller.
    Reference,
    /// `{id}` is a work plan: 200 when its issuer is inside the subtree, 404 outside.
    PlanById,
    /// `{id}` is a task of a work plan: as its plan.
    TaskById,
    /// Needs no sign-in: `{id}`'s annual report for `{year}`, shown only once the organisation
    /// has published it; nothing is published here, so every organisation answers 404 (the
    /// published case is in tests/annual_report.rs).
    Published,
    /// `{job}` is a background import: only the account that started it sees it, anyone else
    /// gets 404 (tests/imports.rs); a job id nobody started is 404 too.
    OwnJob,
    /// `{id}` is a file of a progress report: read by who sees the report, 404 for anyone else
    /// (tests/workplan_files.rs); an id that names no file is 404 too.
    AttachmentById,
    /// A member's own record: organisation roles get 403 (tests/member_self.rs checks that a
    /// member sees their own record and nothing else).
    MemberOnly,
    /// `{id}` is a correction request: decided by staff of an organisation that keeps or counts
    /// the person, 404 for anyone else (POST only; tests/member_self.rs).
    CorrectionById,
    /// `{id}` is a post (任职): as its organisation.
    PostById,
    /// `{id}` is a pilot programme: as its issuing organisation.
    PilotById,
}

/// Every route: (`api:` or `page:` + the path as written in its router, method, check).
const MATRIX: &[(&str, &str, Check)] = &[
    ("page:/healthz", "GET", Check::Public),
    ("page:/readyz", "GET", Check::Public),
    ("page:/static/app.css", "GET", Check::Public),
    ("page:/lang", "GET", Check::Public),
    ("page:/login", "GET POST", Check::Public),
    ("page:/logout", "POST", Check::OwnAccount),
    ("page:/password", "GET POST", Check::OwnAccount),
    ("page:/login/totp", "GET POST", Check::OwnAccount),
    ("page:/account", "GET", Check::OwnAccount),
    ("page:/account/totp", "GET POST", Check::OwnAccount),
    ("page:/account/email", "POST", Check::OwnAccount),
    ("page:/admin/accounts", "GET POST", Check::AdminTool),
    (
        "page:/admin/accounts/{id}/{action}",
        "POST",
        Check::AdminTool,
    ),
    ("page:/audit", "GET", Check::AdminTool),
    ("page:/audit/export.csv", "GET", Check::AdminTool),
    ("page:/", "GET", Check::List),
    ("page:/orgs", "GET", Check::List),
    ("page:/orgs/{id}", "GET", Check::OrgById),
    ("page:/orgs/new", "GET POST", Check::OrgForm),
    ("page:/orgs/import", "GET POST", Check::OrgForm),
    ("page:/orgs/import/template.xlsx", "GET", Check::Reference),
    ("page:/orgs/{id}/export.xlsx", "GET", Check::OrgById),
    ("page:/orgs/{id}/ledger", "GET", Check::OrgById),
    ("page:/orgs/{id}/ledger.xlsx", "GET", Check::OrgById),
    ("page:/orgs/{id}/persons/import", "GET POST", Check::OrgById),
    ("page:/orgs/{id}/edit", "GET POST", Check::OrgById),
    ("page:/orgs/{id}/dissolve", "POST", Check::OrgById),
    ("page:/orgs/{id}/groups", "POST", Check::OrgById),
    ("page:/orgs/{id}/coverage", "GET", Check::OrgById),
    ("page:/orgs/{id}/coverage.xlsx", "GET", Check::OrgById),
    ("page:/divisions", "GET", Check::Reference),
    ("page:/persons", "GET", Check::List),
    ("page:/persons/{id}", "GET", Check::PersonById),
    ("page:/persons/{id}/unmask", "POST", Check::PersonById),
    ("page:/persons/{id}/integrity", "POST", Check::PersonById),
    ("page:/persons/{id}/duplicates", "GET", Check::PersonById),
    ("page:/persons/{id}/merge", "GET POST", Check::PersonById),
    ("page:/persons/import", "GET POST", Check::OrgForm),
    ("page:/imports/{job}", "GET", Check::OwnJob),
    ("api:/auth/login", "POST", Check::Public),
    ("api:/auth/me", "GET", Check::OwnAccount),
    ("api:/orgs", "GET POST", Check::List),
    ("api:/orgs/{id}", "GET PATCH DELETE", Check::OrgById),
    ("api:/orgs/{id}/coverage", "GET", Check::OrgById),
    ("api:/orgs/{id}/history", "GET", Check::OrgById),
    ("api:/orgs/{id}/ledger", "GET", Check::OrgById),
    ("api:/orgs/{id}/growth", "GET", Check::OrgById),
    ("api:/orgs/{id}/groups", "GET POST", Check::OrgById),
    ("api:/orgs/{id}/children", "GET", Check::OrgById),
    ("api:/orgs/{id}/members", "GET", Check::OrgById),
    ("api:/persons", "GET POST", Check::List),
    ("api:/persons/{id}", "GET PATCH DELETE", Check::PersonById),
    ("api:/persons/{id}/duplicates", "GET", Check::PersonById),
    ("api:/persons/{id}/identity", "GET", Check::PersonById),
    ("api:/persons/{id}/integrity", "GET POST", Check::PersonById),
    ("api:/persons/{id}/merge", "POST", Check::PersonById),
    ("api:/stats/overview", "GET", Check::List),
    ("api:/divisions", "GET", Check::Reference),
    ("page:/governance", "GET", Check::List),
    ("page:/orgs/{id}/governance", "GET", Check::OrgById),
    ("page:/orgs/{id}/governance/bodies", "POST", Check::OrgById),
    ("page:/orgs/{id}/governance/terms", "POST", Check::OrgById),
    ("page:/orgs/{id}/governance/posts", "POST", Check::OrgById),
    (
        "page:/orgs/{id}/governance/dashboard",
        "GET",
        Check::OrgById,
    ),
    (
        "page:/orgs/{id}/governance/dashboard.xlsx",
        "GET",
        Check::OrgById,
    ),
    (
        "page:/orgs/{id}/governance/rules",
        "GET POST",
        Check::OrgById,
    ),
    (
        "page:/orgs/{id}/governance/slate",
        "GET POST",
        Check::OrgById,
    ),
    ("api:/orgs/{id}/governance", "GET", Check::OrgById),
    ("page:/orgs/{id}/activities", "GET POST", Check::OrgById),
    (
        "page:/orgs/{id}/activities/{activity}/delete",
        "POST",
        Check::OrgById,
    ),
    (
        "page:/orgs/{id}/governance/annual.docx",
        "GET",
        Check::OrgById,
    ),
    ("page:/orgs/{id}/governance/annual", "POST", Check::OrgById),
    (
        "page:/public/orgs/{id}/annual/{year}",
        "GET",
        Check::Published,
    ),
    ("api:/orgs/{id}/activities", "GET POST", Check::OrgById),
    // Checks an uploaded slate; with an org_id the org is looked up in the caller's scope
    // (tests/governance_check.rs).
    ("api:/governance/check", "POST", Check::OrgForm),
    ("api:/orgs/{id}/governance/dashboard", "GET", Check::OrgById),
    (
        "api:/orgs/{id}/governance/rules",
        "GET POST",
        Check::OrgById,
    ),
    ("page:/plans", "GET", Check::List),
    ("page:/plans/new", "GET POST", Check::OrgForm),
    ("page:/plans/{id}", "GET", Check::PlanById),
    ("page:/plans/{id}/dashboard", "GET", Check::PlanById),
    ("page:/plans/{id}/report.xlsx", "GET", Check::PlanById),
    ("page:/tasks/{id}", "GET", Check::TaskById),
    ("page:/tasks/{id}/reports", "POST", Check::TaskById),
    ("page:/tasks/{id}/status", "POST", Check::TaskById),
    ("page:/tasks/{id}/link", "POST", Check::TaskById),
    ("page:/attachments/{id}", "GET", Check::AttachmentById),
    ("api:/attachments/{id}", "GET", Check::AttachmentById),
    ("page:/notifications", "GET", Check::OwnAccount),
    ("page:/notifications/read", "POST", Check::OwnAccount),
    ("api:/plans", "GET POST", Check::List),
    ("api:/plans/{id}", "GET", Check::PlanById),
    ("api:/plans/{id}/tasks", "GET", Check::PlanById),
    ("api:/plans/{id}/supervision", "GET", Check::PlanById),
    ("api:/tasks/{id}", "GET PATCH", Check::TaskById),
    ("api:/tasks/{id}/reports", "GET POST", Check::TaskById),
    ("api:/tasks/{id}/rollup", "GET", Check::TaskById),
    ("api:/notifications", "GET", Check::OwnAccount),
    ("page:/search", "GET", Check::List),
    ("api:/search", "GET", Check::List),
    ("page:/me", "GET POST", Check::MemberOnly),
    ("page:/me/corrections", "POST", Check::MemberOnly),
    ("api:/me", "GET PATCH", Check::MemberOnly),
    ("api:/me/corrections", "POST", Check::MemberOnly),
    ("page:/corrections", "GET", Check::List),
    ("api:/corrections", "GET", Check::List),
    (
        "page:/corrections/{id}/{action}",
        "POST",
        Check::CorrectionById,
    ),
    (
        "api:/corrections/{id}/approve",
        "POST",
        Check::CorrectionById,
    ),
    (
        "api:/corrections/{id}/reject",
        "POST",
        Check::CorrectionById,
    ),
    ("page:/orgs/{id}/posts", "POST", Check::OrgById),
    ("page:/posts/{id}/end", "POST", Check::PostById),
    ("page:/pilots", "GET", Check::List),
    ("page:/pilots/new", "GET POST", Check::OrgForm),
    ("page:/pilots/{id}", "GET", Check::PilotById),
    ("page:/pilots/{id}/units", "POST", Check::PilotById),
    ("page:/pilots/{id}/group", "POST", Check::PilotById),
    ("page:/pilots/{id}/progress", "POST", Check::PilotById),
    ("page:/pilots/{id}/import", "GET POST", Check::PilotById),
    ("api:/orgs/{id}/posts", "GET POST", Check::OrgById),
    ("api:/posts/{id}", "GET PATCH DELETE", Check::PostById),
    ("api:/pilots", "GET POST", Check::List),
    ("api:/pilots/{id}", "GET", Check::PilotById),
];

/// The routes declared in the web crate's source: `.route("…"` in `src/**`, API ones marked.
fn declared_routes() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut routes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let kind = if file.starts_with(src.join("api")) {
            "api"
        } else {
            "page"
        };
        for part in text.split(".route(").skip(1) {
            let rest = part.trim_start();
            if let Some(rest) = rest.strip_prefix('"') {
                routes.push(format!("{kind}:{}", &rest[..rest.find('"').unwrap()]));
            }
        }
    }
    routes.sort();
    routes
}

#[test]
fn every_route_has_a_matrix_entry() {
    let declared = declared_routes();
    assert!(declared.len() >= 25, "found only {declared:?}");
    let missing: Vec<_> = declared
        .iter()
        .filter(|r| !MATRIX.iter().any(|(m, _, _)| m == r))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a scoping decision in MATRIX: {missing:?}"
    );
    let stale: Vec<_> = MATRIX
        .iter()
        .filter(|(m, _, _)| !declared.iter().any(|r| r == m))
        .collect();
    assert!(
        stale.is_empty(),
        "MATRIX entries for routes that no longer exist: {stale:?}"
    );
}

on_both_databases!(staff_of_a_county_see_their_subtree_and_nothing_beside_or_above_it);

struct Tree {
    /// (org id, person id, person name) for: own county, its township, the sibling county,
    /// the city above, the province above that.
    own: (i64, i64, &'static str),
    child: (i64, i64, &'static str),
    sibling: (i64, i64, &'static str),
    parent: (i64, i64, &'static str),
    grandparent: (i64, i64, &'static str),
    /// (org id, plan id, task id): a work plan issued by each organisation, its title and task
    /// naming the organisation's person, so that a leak shows.
    plans: Vec<(i64, i64, i64)>,
    /// (org id, post id, pilot id): the organisation's person holds a post there, and the
    /// organisation issued a pilot named after that person.
    network: Vec<(i64, i64, i64)>,
}

async fn tree(app: &TestApp) -> Tree {
    let p = app.org("P", "省科协甲", None, "230000000000").await;
    let c = app.org("C", "市科协乙", Some(p), "230100000000").await;
    let d1 = app.org("D1", "一区科协丙", Some(c), "230102000000").await;
    let d2 = app.org("D2", "二区科协丁", Some(c), "230103000000").await;
    let t1 = app.org("T1", "街道科协戊", Some(d1), "230102001000").await;
    let all = Scope::everything();
    let mut ids = Vec::new();
    for (org, name) in [
        (d1, "王一区"),
        (t1, "王街道"),
        (d2, "王二区"),
        (c, "王市里"),
        (p, "王省里"),
    ] {
        let person = app
            .store()
            .create_person(
                &all,
                &NewPerson {
                    org_id: org,
                    name: name.into(),
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap();
        app.store()
            .add_membership(&all, person.person_id, org, "普通会员", None, None)
            .await
            .unwrap();
        ids.push((org, person.person_id, name));
    }
    let mut plans = Vec::new();
    for (org, _, name) in &ids {
        let new = kexie_store::NewPlan {
            org_id: *org,
            title: format!("{name}工作要点"),
            year: 2017,
            tasks: vec![kexie_store::NewTask {
                number: "1".into(),
                section: None,
                text: format!("{name}的任务"),
                measures: vec![format!("{name}的措施")],
                deadline: kexie_domain::deadline::parse_deadline("2017年10月底前", Some(2017)),
                deadline_inherited: false,
                leader: None,
                department: None,
                co_departments: Vec::new(),
                units: Vec::new(),
                implements_task_id: None,
            }],
            ..kexie_store::NewPlan::default()
        };
        let plan_id = app
            .store()
            .create_plan(&all, &new, false)
            .await
            .unwrap()
            .plan_id
            .unwrap();
        let task_id = app
            .store()
            .plan_tasks(&all, plan_id, chrono::NaiveDate::MIN)
            .await
            .unwrap()[0]
            .task_id;
        plans.push((*org, plan_id, task_id));
    }
    let mut network = Vec::new();
    for (org, person, name) in &ids {
        let post = app
            .store()
            .add_org_post(
                &all,
                *org,
                &kexie_store::NewOrgPost {
                    person_id: *person,
                    role: kexie_domain::network::PostRole::Contact,
                    mode: None,
                    key_kind: None,
                    started_on: None,
                    ended_on: None,
                },
            )
            .await
            .unwrap();
        let pilot = kexie_store::NewPilot {
            org_id: *org,
            name: format!("{name}试点"),
            ..kexie_store::NewPilot::default()
        };
        let pilot = app.store().create_pilot(&all, &pilot).await.unwrap();
        network.push((*org, post.post_id, pilot.summary.pilot_id));
    }
    Tree {
        plans,
        network,
        own: ids[0],
        child: ids[1],
        sibling: ids[2],
        parent: ids[3],
        grandparent: ids[4],
    }
}

async fn fetch(
    app: &TestApp,
    browser: &Browser,
    token: &str,
    route: &str,
    id: i64,
) -> (u16, String) {
    let (kind, path) = route.split_once(':').unwrap();
    let mut path = path
        .replace("{id}", &id.to_string())
        .replace("{year}", "2025");
    if path == "/search" {
        // Every person of the tree is a 王: a search for the surname reaches all of them.
        path.push_str("?q=%E7%8E%8B");
    }
    let response = match kind {
        "api" => app.api(token, &format!("/api/v1{path}")).await,
        _ => browser.get(&path).await,
    };
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn staff_of_a_county_see_their_subtree_and_nothing_beside_or_above_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let t = tree(&app).await;
    app.search_settled().await;
    for role in [Role::OrgAdmin, Role::OrgStaff, Role::OrgViewer] {
        let username = format!("county.{}", role.code());
        let browser = app.signed_in(&username, role, Some(t.own.0)).await;
        let account = app.store().account_by_username(&username).await.unwrap();
        let token = app.token(account.account_id).await;
        let inside = [t.own, t.child];
        let outside = [t.sibling, t.parent, t.grandparent];
        for (route, methods, check) in MATRIX {
            if !methods.contains("GET") {
                continue;
            }
            let who = format!("{role:?} {route}");
            match check {
                Check::OrgById | Check::PersonById => {
                    let pick =
                        |x: (i64, i64, &str)| if *check == Check::OrgById { x.0 } else { x.1 };
                    for target in inside {
                        let (status, _) = fetch(&app, &browser, &token, route, pick(target)).await;
                        // Inside the subtree the route answers (a viewer may get 403 on an edit
                        // form, a township 422 on coverage), but never "not found".
                        assert!(
                            status != 404 && status < 500,
                            "{who} on {}: {status}",
                            target.2
                        );
                    }
                    for target in outside {
                        let (status, body) =
                            fetch(&app, &browser, &token, route, pick(target)).await;
                        assert_eq!(status, 404, "{who} on {}", target.2);
                        assert!(!body.contains(target.2), "{who} leaked {}", target.2);
                    }
                }
                Check::PlanById | Check::TaskById => {
                    let pick = |x: (i64, i64, &str)| {
                        let (_, plan, task) = t.plans.iter().find(|p| p.0 == x.0).unwrap();
                        if *check == Check::PlanById {
                            *plan
                        } else {
                            *task
                        }
                    };
                    for target in inside {
                        let (status, body) =
                            fetch(&app, &browser, &token, route, pick(target)).await;
                        assert_eq!(status, 200, "{who} on {}", target.2);
                        // Lists that start empty (reports, roll-up) and the export aside.
                        if ![".xlsx", "/reports", "/rollup"]
                            .iter()
                            .any(|e| route.ends_with(e))
                        {
                            assert!(body.contains(target.2), "{who} misses {}", target.2);
                        }
                    }
                    for target in outside {
                        let (status, body) =
                            fetch(&app, &browser, &token, route, pick(target)).await;
                        assert_eq!(status, 404, "{who} on {}", target.2);
                        assert!(!body.contains(target.2), "{who} leaked {}", target.2);
                    }
                }
                Check::PostById | Check::PilotById => {
                    let pick = |x: (i64, i64, &str)| {
                        let (_, post, pilot) = t.network.iter().find(|n| n.0 == x.0).unwrap();
                        if *check == Check::PostById {
                            *post
                        } else {
                            *pilot
                        }
                    };
                    for target in inside {
                        let (status, _) = fetch(&app, &browser, &token, route, pick(target)).await;
                        assert!(
                            status != 404 && status < 500,
                            "{who} on {}: {status}",
                            target.2
                        );
                    }
                    for target in outside {
                        let (status, body) =
                            fetch(&app, &browser, &token, route, pick(target)).await;
                        assert_eq!(status, 404, "{who} on {}", target.2);
                        assert!(!body.contains(target.2), "{who} leaked {}", target.2);
                    }
                }
                Check::List => {
                    let (status, body) = fetch(&app, &browser, &token, route, 0).await;
                    assert_eq!(status, 200, "{who}");
                    for target in outside {
                        assert!(!body.contains(target.2), "{who} leaked {}", target.2);
                    }
                    if route.ends_with("/persons") || route.ends_with("/search") {
                        for target in inside {
                            assert!(body.contains(target.2), "{who} misses {}", target.2);
                        }
                    }
                    if *route == "api:/stats/overview" {
                        let figures: Value = serde_json::from_str(&body).unwrap();
                        // Earlier roles' write checks add organisations under the own county.
                        let own_path = app
                            .store()
                            .org(&Scope::everything(), t.own.0)
                            .await
                            .unwrap()
                            .path;
                        let expected = app
                            .store()
                            .overview(&Scope::subtree(own_path, false, false))
                            .await
                            .unwrap()
                            .orgs;
                        assert_eq!(figures["orgs"], expected, "{who}");
                        assert_eq!(figures["persons"], 2, "{who}");
                    }
                }
                Check::AdminTool => {
                    let (status, _) = fetch(&app, &browser, &token, route, 0).await;
                    let expected = if role == Role::OrgAdmin && route.starts_with("page:/admin") {
                        200
                    } else {
                        403
                    };
                    assert_eq!(status, expected, "{who}");
                }
                Check::OrgForm => {
                    let (status, _) = fetch(&app, &browser, &token, route, 0).await;
                    let expected = if role == Role::OrgViewer { 403 } else { 200 };
                    assert_eq!(status, expected, "{who}");
                }
                Check::Published => {
                    for target in inside.iter().chain(&outside) {
                        let (status, body) = fetch(&app, &browser, &token, route, target.0).await;
                        assert_eq!(status, 404, "{who} on {}", target.2);
                        assert!(!body.contains(target.2), "{who} leaked {}", target.2);
                    }
                }
                Check::OwnJob => {
                    let (status, _) = fetch(&app, &browser, &token, route, 0).await;
                    assert_eq!(status, 404, "{who}: nobody's job");
                }
                Check::AttachmentById => {
                    let (status, _) = fetch(&app, &browser, &token, route, 0).await;
                    assert_eq!(status, 404, "{who}: no such file");
                }
                Check::MemberOnly => {
                    let (status, _) = fetch(&app, &browser, &token, route, 0).await;
                    assert_eq!(status, 403, "{who}");
                }
                // POST only: the loop checks GET routes.
                Check::CorrectionById => {}
                Check::OwnAccount | Check::Public | Check::Reference => {
                    if route.contains("totp") || *route == "page:/login" {
                        continue;
                    }
                    let (status, body) = fetch(&app, &browser, &token, route, 0).await;
                    assert!(status == 200 || status == 303, "{who}: {status}");
                    for target in outside {
                        assert!(!body.contains(target.2), "{who} leaked {}", target.2);
                    }
                }
            }
        }
        writes(&app, &browser, &token, role, &t).await;
        plan_writes(&app, &browser, &token, role, &t).await;
        // The organisation page of the own county lists its township but not the sibling.
        let html = browser
            .get(&format!("/orgs/{}", t.own.0))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("街道科协戊") && !html.contains("二区科协丁"));
    }
}

/// Changing records: outside the subtree every write is "not found"; inside, a viewer is
/// refused and staff and administrators succeed.
async fn writes(app: &TestApp, browser: &Browser, token: &str, role: Role, t: &Tree) {
    let inside = [t.own, t.child];
    let outside = [t.sibling, t.parent, t.grandparent];
    let writer = role != Role::OrgViewer;
    let api = |method: reqwest::Method, path: String, body: serde_json::Value| {
        app.client
            .request(method, app.url(&path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    for (n, target) in outside.iter().enumerate() {
        let who = format!("{role:?} on {}", target.2);
        let patch = api(
            reqwest::Method::PATCH,
            format!("/api/v1/orgs/{}", target.0),
            serde_json::json!({"notes": "x"}),
        )
        .await
        .unwrap();
        assert_eq!(patch.status(), 404, "PATCH {who}");
        let delete = api(
            reqwest::Method::DELETE,
            format!("/api/v1/orgs/{}", target.0),
            serde_json::json!({}),
        )
        .await
        .unwrap();
        assert_eq!(delete.status(), 404, "DELETE {who}");
        let create = api(
            reqwest::Method::POST,
            "/api/v1/orgs".into(),
            serde_json::json!({"code": format!("X{n}{}", role.code()), "name": "渗透", "parent_id": target.0}),
        )
        .await
        .unwrap();
        assert_eq!(create.status(), 404, "POST under {who}");
        let csrf = browser.csrf(&format!("/orgs/{}", t.own.0)).await;
        let page_edit = browser
            .post_form(
                &format!("/orgs/{}/edit", target.0),
                &csrf,
                &[("name", "渗透")],
            )
            .await;
        assert_eq!(page_edit.status(), 404, "page edit {who}");
        let page_dissolve = browser
            .post_form(&format!("/orgs/{}/dissolve", target.0), &csrf, &[])
            .await;
        assert_eq!(page_dissolve.status(), 404, "page dissolve {who}");
        // Moving an own organisation under an outside one.
        let mv = api(
            reqwest::Method::PATCH,
            format!("/api/v1/orgs/{}", t.child.0),
            serde_json::json!({"parent_id": target.0}),
        )
        .await
        .unwrap();
        // A viewer may change nothing at all (403 whatever the target says); a writer learns
        // nothing about the outside organisation either.
        assert_eq!(
            mv.status(),
            if writer { 404 } else { 403 },
            "move under {who}"
        );
    }
    for target in inside {
        let patch = api(
            reqwest::Method::PATCH,
            format!("/api/v1/orgs/{}", target.0),
            serde_json::json!({"notes": format!("{role:?}")}),
        )
        .await
        .unwrap();
        assert_eq!(
            patch.status(),
            if writer { 200 } else { 403 },
            "PATCH {role:?} on {}",
            target.2
        );
    }
    let create = api(
        reqwest::Method::POST,
        "/api/v1/orgs".into(),
        serde_json::json!({"code": format!("N-{}", role.code()), "name": "新建企业科协", "kind": "企业科协", "parent_id": t.own.0}),
    )
    .await
    .unwrap();
    assert_eq!(
        create.status(),
        if writer { 201 } else { 403 },
        "POST {role:?} under own"
    );
}

/// Work plans: outside the subtree every write on a plan or task is "not found"; inside, a
/// viewer is refused and staff and administrators report and issue plans.
async fn plan_writes(app: &TestApp, browser: &Browser, token: &str, role: Role, t: &Tree) {
    let writer = role != Role::OrgViewer;
    let task_of = |org: i64| t.plans.iter().find(|p| p.0 == org).unwrap().2;
    let api = |method: reqwest::Method, path: String, body: serde_json::Value| {
        app.client
            .request(method, app.url(&path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let csrf = browser.csrf("/plans").await;
    for target in [t.sibling, t.parent, t.grandparent] {
        let who = format!("{role:?} on {}", target.2);
        let task = task_of(target.0);
        let report = api(
            reqwest::Method::POST,
            format!("/api/v1/tasks/{task}/reports"),
            serde_json::json!({"text": "渗透", "percent": 50}),
        )
        .await
        .unwrap();
        assert_eq!(report.status(), 404, "report {who}");
        let patch = api(
            reqwest::Method::PATCH,
            format!("/api/v1/tasks/{task}"),
            serde_json::json!({"status": "done"}),
        )
        .await
        .unwrap();
        assert_eq!(patch.status(), 404, "PATCH task {who}");
        let plan = api(
            reqwest::Method::POST,
            "/api/v1/plans".into(),
            serde_json::json!({"org_id": target.0, "title": "渗透", "year": 2017}),
        )
        .await
        .unwrap();
        assert_eq!(plan.status(), 404, "POST plan {who}");
        for (path, fields) in [
            ("reports", vec![("text", "渗透"), ("percent", "50")]),
            ("status", vec![("status", "done")]),
            ("link", vec![("implements", "")]),
        ] {
            let page = browser
                .post_form(&format!("/tasks/{task}/{path}"), &csrf, &fields)
                .await;
            assert_eq!(page.status(), 404, "page {path} {who}");
        }
        let html = browser
            .get(&format!("/tasks/{task}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!html.contains("渗透") && !html.contains(target.2), "{who}");
    }
    let own = task_of(t.own.0);
    let report = api(
        reqwest::Method::POST,
        format!("/api/v1/tasks/{own}/reports"),
        serde_json::json!({"text": format!("{role:?} 报送"), "percent": 10}),
    )
    .await
    .unwrap();
    assert_eq!(
        report.status(),
        if writer { 201 } else { 403 },
        "report {role:?} on own"
    );
    let plan = api(
        reqwest::Method::POST,
        "/api/v1/plans".into(),
        serde_json::json!({"org_id": t.child.0, "title": format!("{role:?} 计划"), "year": 2017,
            "tasks": [{"number": "1", "text": "街道任务", "deadline": "2017年12月底前"}]}),
    )
    .await
    .unwrap();
    assert_eq!(
        plan.status(),
        if writer { 201 } else { 403 },
        "POST plan {role:?} under own"
    );
}
