//! The organisations the scoping matrix reads and writes: a province, a city, two counties and
//! a township, each with a person, a work plan, a post and a pilot programme.

use kexie_store::{NewPerson, Scope};

use super::Check;
use crate::common::TestApp;

/// (org id, person id, person name) of one organisation of the tree.
pub type Target = (i64, i64, &'static str);

pub struct Tree {
    /// (org id, person id, person name) for: own county, its township, the sibling county,
    /// the city above, the province above that.
    pub own: Target,
    pub child: Target,
    pub sibling: Target,
    pub parent: Target,
    pub grandparent: Target,
    /// (org id, plan id, task id): a work plan issued by each organisation, its title and task
    /// naming the organisation's person, so that a leak shows.
    pub plans: Vec<(i64, i64, i64)>,
    /// (org id, post id, pilot id): the organisation's person holds a post there, and the
    /// organisation issued a pilot named after that person.
    pub network: Vec<(i64, i64, i64)>,
}

pub async fn tree(app: &TestApp) -> Tree {
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

impl Tree {
    /// The id a by-id route takes for `target`'s organisation (`None` for other checks).
    pub fn id_for(&self, check: Check, target: Target) -> Option<i64> {
        let plan = || self.plans.iter().find(|p| p.0 == target.0).unwrap();
        let network = || self.network.iter().find(|n| n.0 == target.0).unwrap();
        Some(match check {
            Check::OrgById => target.0,
            Check::PersonById => target.1,
            Check::PlanById => plan().1,
            Check::TaskById => plan().2,
            Check::PostById => network().1,
            Check::PilotById => network().2,
            _ => return None,
        })
    }
}
