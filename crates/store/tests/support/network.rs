//! What the stories of posts and pilot programmes share: a small tree of 科协 on real divisions,
//! people, and scopes of its organisations. Other stories take its `org` and `person` too.

#![allow(dead_code)]

use chrono::NaiveDate;
use kexie_domain::network::{KeyPersonKind, PostRole};
use kexie_domain::org::OrgKind;
use kexie_store::{NewOrg, NewOrgPost, NewPerson, Scope, Store};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub async fn org(
    store: &Store,
    code: &str,
    name: &str,
    parent: Option<i64>,
    division: &str,
) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(OrgKind::Kexie),
                parent_id: parent,
                division_code: Some(division.into()),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

pub async fn person(store: &Store, org_id: i64, name: &str) -> i64 {
    store
        .create_person(
            &Scope::everything(),
            &NewPerson {
                org_id,
                name: name.into(),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id
}

/// City (哈尔滨), two districts below it, a street below the first district.
pub struct Tree {
    pub city: i64,
    pub d1: i64,
    pub d2: i64,
    pub t1: i64,
}

pub async fn tree(store: &Store) -> Tree {
    let city = org(store, "C", "市科协", None, "230100000000").await;
    let d1 = org(store, "D1", "一区科协", Some(city), "230102000000").await;
    let d2 = org(store, "D2", "二区科协", Some(city), "230103000000").await;
    let t1 = org(store, "T1", "一街道科协", Some(d1), "230102001000").await;
    Tree { city, d1, d2, t1 }
}

pub async fn scope_of(store: &Store, org_id: i64, write: bool) -> Scope {
    let path = store.org(&Scope::everything(), org_id).await.unwrap().path;
    Scope::subtree(path, write, false)
}

pub fn post(person_id: i64, role: PostRole, key: Option<KeyPersonKind>) -> NewOrgPost {
    NewOrgPost {
        person_id,
        role,
        mode: None,
        key_kind: key,
        started_on: Some(day("2018-07-01")),
        ended_on: None,
    }
}
