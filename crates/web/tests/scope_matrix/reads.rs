//! The reads of the scoping matrix: every GET route of `MATRIX`, for each target of the tree.

use kexie_domain::role::Role;
use kexie_store::Scope;
use serde_json::Value;

use super::tree::{Target, Tree};
use super::{Check, MATRIX};
use crate::common::{Browser, TestApp};

/// One signed-in caller reading routes: pages through its browser, the API with its token.
pub struct Reader<'a> {
    pub app: &'a TestApp,
    pub browser: &'a Browser,
    pub token: &'a str,
}

impl Reader<'_> {
    async fn fetch(&self, route: &str, id: i64) -> (u16, String) {
        let (kind, path) = route.split_once(':').unwrap();
        let mut path = path
            .replace("{id}", &id.to_string())
            .replace("{year}", "2025");
        if path == "/search" {
            // Every person of the tree is a 王: a search for the surname reaches all of them.
            path.push_str("?q=%E7%8E%8B");
        }
        let response = match kind {
            "api" => self.app.api(self.token, &format!("/api/v1{path}")).await,
            _ => self.browser.get(&path).await,
        };
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// The route answers 404 for `id` and names nothing of `target`.
    async fn assert_hidden(&self, who: &str, route: &str, id: i64, target: Target) {
        let (status, body) = self.fetch(route, id).await;
        assert_eq!(status, 404, "{who} on {}", target.2);
        assert!(!body.contains(target.2), "{who} leaked {}", target.2);
    }
}

/// Every GET route of `MATRIX` as `role` of the own county: answers inside the subtree, nothing
/// of the organisations beside or above it.
pub async fn reads(reader: &Reader<'_>, role: Role, t: &Tree) {
    let app = reader.app;
    let inside = [t.own, t.child];
    let outside = [t.sibling, t.parent, t.grandparent];
    for (route, methods, check) in MATRIX {
        if !methods.contains("GET") {
            continue;
        }
        let who = format!("{role:?} {route}");
        match check {
            Check::OrgById
            | Check::PersonById
            | Check::PlanById
            | Check::TaskById
            | Check::PostById
            | Check::PilotById => {
                for target in inside {
                    let id = t.id_for(*check, target).unwrap();
                    let (status, body) = reader.fetch(route, id).await;
                    if matches!(check, Check::PlanById | Check::TaskById) {
                        assert_eq!(status, 200, "{who} on {}", target.2);
                        // Lists that start empty (reports, roll-up) and the export aside.
                        if ![".xlsx", "/reports", "/rollup"]
                            .iter()
                            .any(|e| route.ends_with(e))
                        {
                            assert!(body.contains(target.2), "{who} misses {}", target.2);
                        }
                    } else {
                        // Inside the subtree the route answers (a viewer may get 403 on an
                        // edit form, a township 422 on coverage), but never "not found".
                        assert!(
                            status != 404 && status < 500,
                            "{who} on {}: {status}",
                            target.2
                        );
                    }
                }
                for target in outside {
                    let id = t.id_for(*check, target).unwrap();
                    reader.assert_hidden(&who, route, id, target).await;
                }
            }
            Check::List => {
                let (status, body) = reader.fetch(route, 0).await;
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
                let (status, _) = reader.fetch(route, 0).await;
                let expected = if role == Role::OrgAdmin && route.starts_with("page:/admin") {
                    200
                } else {
                    403
                };
                assert_eq!(status, expected, "{who}");
            }
            Check::OrgForm => {
                let (status, _) = reader.fetch(route, 0).await;
                let expected = if role == Role::OrgViewer { 403 } else { 200 };
                assert_eq!(status, expected, "{who}");
            }
            Check::Published => {
                for target in inside.into_iter().chain(outside) {
                    reader.assert_hidden(&who, route, target.0, target).await;
                }
            }
            Check::OwnJob => {
                let (status, _) = reader.fetch(route, 0).await;
                assert_eq!(status, 404, "{who}: nobody's job");
            }
            Check::AttachmentById => {
                let (status, _) = reader.fetch(route, 0).await;
                assert_eq!(status, 404, "{who}: no such file");
            }
            Check::MemberOnly => {
                let (status, _) = reader.fetch(route, 0).await;
                assert_eq!(status, 403, "{who}");
            }
            // POST only: the loop checks GET routes.
            Check::CorrectionById => {}
            Check::OwnAccount | Check::Public | Check::Reference => {
                if route.contains("totp") || *route == "page:/login" {
                    continue;
                }
                let (status, body) = reader.fetch(route, 0).await;
                assert!(status == 200 || status == 303, "{who}: {status}");
                for target in outside {
                    assert!(!body.contains(target.2), "{who} leaked {}", target.2);
                }
            }
        }
    }
}
