//! What the stories of people share: societies with invented names, their members, and
//! invented but well-formed ID numbers.

#![allow(dead_code)]

use chrono::NaiveDate;
use kexie_domain::org::OrgKind;
use kexie_store::{NewOrg, NewPerson, Org, Scope, Store};

/// A society `{code}学会` (below `parent`, if given).
pub async fn society_org(store: &Store, code: &str, parent: Option<i64>) -> Org {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: format!("{code}学会"),
                kind: Some(OrgKind::Society),
                parent_id: parent,
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
}

/// The id of a new society (see `society_org`).
pub async fn society(store: &Store, code: &str, parent: Option<i64>) -> i64 {
    society_org(store, code, parent).await.org_id
}

/// A person kept by `org` and an ordinary member of it since `joined`: (person, membership).
pub async fn member(
    store: &Store,
    org: i64,
    name: &str,
    birth: &str,
    gender: &str,
    joined: &str,
) -> (i64, i64) {
    let all = Scope::everything();
    let p = store
        .create_person(
            &all,
            &NewPerson {
                org_id: org,
                name: name.into(),
                birth_date: Some(birth.into()),
                gender: Some(gender.into()),
                title: Some("中级".into()),
                grassroots: true,
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    let m = store
        .add_membership(&all, p.person_id, org, "普通会员", None, Some(joined))
        .await
        .unwrap();
    (p.person_id, m)
}

/// The day the ledgers are read on.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// An invented ID number born in Beijing's Dongcheng district, `n` making it unique.
pub fn id_number(n: usize) -> String {
    let first17 = format!(
        "110101{}{:02}{:02}{:03}",
        1960 + n % 40,
        1 + n % 12,
        1 + n % 28,
        n % 1000
    );
    let check = kexie_domain::id_number::check_char(&first17).unwrap();
    format!("{first17}{check}")
}
