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
    /// A list or figures: only rows of the subtree.
    List,
    /// The official division tree: reference data, the same for every signed-in caller.
    Reference,
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
    ("page:/persons", "GET", Check::List),
    ("api:/auth/login", "POST", Check::Public),
    ("api:/auth/me", "GET", Check::OwnAccount),
    ("api:/orgs", "GET", Check::List),
    ("api:/orgs/{id}", "GET", Check::OrgById),
    ("api:/orgs/{id}/children", "GET", Check::OrgById),
    ("api:/orgs/{id}/members", "GET", Check::OrgById),
    ("api:/persons", "GET", Check::List),
    ("api:/persons/{id}", "GET", Check::PersonById),
    ("api:/stats/overview", "GET", Check::List),
    ("api:/divisions", "GET", Check::Reference),
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
    Tree {
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
    let path = path.replace("{id}", &id.to_string());
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
                        assert_eq!(status, 200, "{who} on {}", target.2);
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
                    if route.ends_with("/persons") {
                        for target in inside {
                            assert!(body.contains(target.2), "{who} misses {}", target.2);
                        }
                    }
                    if *route == "api:/stats/overview" {
                        let figures: Value = serde_json::from_str(&body).unwrap();
                        assert_eq!(figures["orgs"], 2, "{who}");
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
