//! The scoping matrix: role × route × target (own organisation, child, sibling, parent).
//!
//! A county's staff must not read, list, update or delete a record of a sibling county through
//! any route. Every route of the web crate must have an entry in `MATRIX`: a new route without
//! one fails `every_route_has_a_matrix_entry`, so scoping is decided for each route on purpose.

mod common;
#[path = "scope_matrix/reads.rs"]
mod reads;
#[path = "scope_matrix/tree.rs"]
mod tree;
#[path = "scope_matrix/writes.rs"]
mod writes;

use common::TestApp;
use kexie_domain::role::Role;
use kexie_store::Backend;
use tree::tree;

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

async fn staff_of_a_county_see_their_subtree_and_nothing_beside_or_above_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let t = tree(&app).await;
    app.search_settled().await;
    for role in [Role::OrgAdmin, Role::OrgStaff, Role::OrgViewer] {
        let username = format!("county.{}", role.code());
        let browser = app.signed_in(&username, role, Some(t.own.0)).await;
        let account = app.store().account_by_username(&username).await.unwrap();
        let token = app.token(account.account_id).await;
        let reader = reads::Reader {
            app: &app,
            browser: &browser,
            token: &token,
        };
        reads::reads(&reader, role, &t).await;
        writes::writes(&app, &browser, &token, role, &t).await;
        writes::plan_writes(&app, &browser, &token, role, &t).await;
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
