//! Fixtures of the work-plan stories: organisations, tasks, plans and reports with invented
//! names.

#![allow(dead_code)]

use chrono::NaiveDate;
use kexie_domain::deadline::parse_deadline;
use kexie_domain::org::OrgKind;
use kexie_store::{NewOrg, NewPlan, NewReport, NewTask, Scope, Store};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub async fn org(store: &Store, code: &str, name: &str, parent: Option<i64>) -> (i64, String) {
    let org = store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: code.into(),
                name: name.into(),
                kind: Some(OrgKind::Kexie),
                parent_id: parent,
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    (org.org_id, org.path)
}

pub fn task(number: &str, text: &str, deadline: &str, units: &[&str]) -> NewTask {
    NewTask {
        number: number.into(),
        section: Some("一、重点任务".into()),
        text: text.into(),
        measures: vec![format!("{text}的措施")],
        deadline: parse_deadline(deadline, Some(2017)),
        deadline_inherited: false,
        leader: Some("甲副主席".into()),
        department: Some("组织部".into()),
        co_departments: Vec::new(),
        units: units.iter().map(|u| u.to_string()).collect(),
        implements_task_id: None,
    }
}

pub async fn plan(store: &Store, org_id: i64, title: &str, tasks: Vec<NewTask>) -> i64 {
    let new = NewPlan {
        org_id,
        title: title.into(),
        year: 2017,
        tasks,
        ..NewPlan::default()
    };
    store
        .create_plan(&Scope::everything(), &new, false)
        .await
        .unwrap()
        .plan_id
        .unwrap()
}

pub fn report(on: &str, percent: i64) -> NewReport {
    NewReport {
        reported_on: day(on),
        author: "联络员".into(),
        text: format!("完成 {percent}%"),
        percent,
        status: None,
        org_id: None,
        attachments: Vec::new(),
    }
}

pub async fn account(store: &Store, username: &str, org_id: i64) -> kexie_store::Account {
    store
        .create_account(
            &Scope::everything(),
            &kexie_store::NewAccount {
                username: username.into(),
                display_name: None,
                role: kexie_domain::role::Role::OrgStaff,
                org_id: Some(org_id),
                person_id: None,
                password: "Songhua-River-2017".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
}
