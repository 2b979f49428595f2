//! Fixtures of the activity and annual-report stories: a province, a society and its branch
//! with invented names.

#![allow(dead_code)]

use chrono::NaiveDate;
use kexie_domain::governance::ActivityKind;
use kexie_domain::org::OrgKind;
use kexie_store::{AuditFilter, NewActivity, NewOrg, Scope, Store};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub async fn org(
    store: &Store,
    code: &str,
    name: &str,
    kind: OrgKind,
    parent: Option<i64>,
    established: Option<&str>,
) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(kind),
                parent_id: parent,
                established: established.map(str::to_string),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

/// A province 科协 with a society under it and one branch of the society (founded
/// 2020-01-15). Returns (province, society, branch).
pub async fn tree(store: &Store) -> (i64, i64, i64) {
    let p = org(store, "P", "省科协甲", OrgKind::Kexie, None, None).await;
    let s = org(store, "S", "测试学会", OrgKind::Society, Some(p), None).await;
    let b = org(
        store,
        "S-B1",
        "青年工作专业委员会",
        OrgKind::Branch,
        Some(s),
        Some("2020-01-15"),
    )
    .await;
    (p, s, b)
}

pub fn activity(held_on: NaiveDate, title: &str, kind: ActivityKind, n: i64) -> NewActivity {
    NewActivity {
        held_on,
        title: title.into(),
        kind,
        participants: n,
        notes: Some("  ".into()),
    }
}

pub async fn scope_of(store: &Store, org_id: i64, write: bool) -> Scope {
    let path = store.org(&Scope::everything(), org_id).await.unwrap().path;
    Scope::subtree(path, write, false)
}

/// How many audit records of `action` there are (up to 50).
pub async fn audit_count(store: &Store, action: &str) -> usize {
    let filter = AuditFilter {
        action: Some(action.into()),
        limit: 50,
        ..AuditFilter::default()
    };
    store.search_audit(&filter).await.unwrap().0.len()
}
