//! The data the browser flows find, arranged in the database before the browser starts.

use chrono::Datelike;
use kexie_domain::governance::{AppointmentMethod, Position};
use kexie_domain::role::Role;
use kexie_store::{BodyKind, NewPerson, NewPlan, NewPost, NewTask, NewTerm, Scope};

use crate::common::TestApp;

/// What the flows find in the database, arranged before the browser starts.
pub struct Fixture {
    pub province: i64,
    pub harbin: i64,
    pub person: i64,
    pub plan: i64,
    pub society: i64,
    pub society_name: String,
    pub task: i64,
    pub task_text: String,
    pub pilot: i64,
}

/// The small demo data set, an account for the province's administrator, a society whose
/// council term is overdue, a person whose surname has a special reading (单 is "shan"), and a
/// provincial work plan with a task for Harbin.
pub async fn arrange(app: &TestApp) -> Fixture {
    let store = app.store();
    let all = Scope::everything();
    store.load_demo_small(7).await.unwrap();
    let province = store.org_by_code(&all, "23KX").await.unwrap();
    let harbin = store.org_by_code(&all, "2301KX").await.unwrap();
    app.account("e2e.province", Role::OrgAdmin, Some(province.org_id))
        .await;
    let person = store
        .create_person(
            &all,
            &NewPerson {
                org_id: harbin.org_id,
                name: "单晓明".into(),
                employer: Some("冰城电子科技有限公司".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap()
        .person_id;

    // A key person in post in Harbin and a pilot programme with units, progress and a group.
    store
        .add_org_post(
            &all,
            harbin.org_id,
            &kexie_store::NewOrgPost {
                person_id: person,
                role: kexie_domain::network::PostRole::ViceChair,
                mode: Some(kexie_domain::network::PostMode::PartTime),
                key_kind: Some(kexie_domain::network::KeyPersonKind::TechEntrepreneur),
                started_on: None,
                ended_on: None,
            },
        )
        .await
        .unwrap();
    let pilot = store
        .create_pilot(
            &all,
            &kexie_store::NewPilot {
                org_id: harbin.org_id,
                name: "科协基层组织建设“四+一”试点".into(),
                doc_number: Some("哈科协发〔2018〕12号".into()),
                categories: vec![kexie_store::NewPilotCategory {
                    name: "企业科协".into(),
                    units: vec![kexie_store::NewPilotUnit {
                        name: Some("冰城电子科技有限公司".into()),
                        contact_name: Some("科普部 单晓明".into()),
                        contact_phone: Some("13800138000".into()),
                        ..kexie_store::NewPilotUnit::default()
                    }],
                }],
                group: vec![kexie_store::NewGroupMember {
                    role: kexie_domain::network::GroupRole::Leader,
                    person_id: Some(person),
                    name: None,
                    title: Some("副主席".into()),
                }],
                ..kexie_store::NewPilot::default()
            },
        )
        .await
        .unwrap()
        .summary
        .pilot_id;

    let society = store.org_by_code(&all, "23XH01").await.unwrap();
    let council = store
        .create_body(&all, society.org_id, BodyKind::Council, "")
        .await
        .unwrap();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let term = store
        .create_term(
            &all,
            council,
            &NewTerm {
                number: 7,
                start_on: day(2015, 5, 1),
                planned_end: day(2020, 4, 30),
                actual_end: None,
            },
        )
        .await
        .unwrap();
    for (name, position) in [
        ("甲会长", Position::President),
        ("乙理事", Position::CouncilMember),
    ] {
        let person = store
            .create_person(
                &all,
                &NewPerson {
                    org_id: society.org_id,
                    name: name.into(),
                    grassroots: true,
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap();
        store
            .add_post(
                &all,
                term,
                &NewPost {
                    person_id: person.person_id,
                    position,
                    appointment: AppointmentMethod::Elected,
                    full_time: false,
                },
            )
            .await
            .unwrap();
    }

    let year = chrono::Utc::now().year();
    let task_text = "推动基层科协组织全覆盖".to_string();
    let plan = store
        .create_plan(
            &all,
            &NewPlan {
                org_id: province.org_id,
                title: format!("{year}年全省科协工作要点"),
                year: i64::from(year),
                tasks: vec![NewTask {
                    number: "1".into(),
                    section: None,
                    text: task_text.clone(),
                    measures: vec!["乡镇科协应建尽建".into()],
                    deadline: kexie_domain::deadline::parse_deadline(
                        &format!("{year}年12月底前"),
                        Some(year),
                    ),
                    deadline_inherited: false,
                    leader: None,
                    department: Some("组织人事部".into()),
                    co_departments: Vec::new(),
                    units: vec![harbin.name.clone()],
                    implements_task_id: None,
                }],
                ..NewPlan::default()
            },
            false,
        )
        .await
        .unwrap();
    let plan = plan.plan_id.unwrap();
    let task = store
        .plan_tasks(&all, plan, chrono::NaiveDate::MIN)
        .await
        .unwrap()[0]
        .task_id;
    Fixture {
        province: province.org_id,
        harbin: harbin.org_id,
        person,
        plan,
        society: society.org_id,
        society_name: society.name,
        task,
        task_text,
        pilot,
    }
}
