//! What the work-plan tests share: a city's plan of one task, written straight into the store.

use kexie_domain::deadline::parse_deadline;
use kexie_store::{NewPlan, NewTask, Scope};

use crate::common::TestApp;

/// Task "1" with its text, deadline phrase (read with 2017) and responsible units; a test sets
/// what else it needs with `..task(…)`.
pub fn task(text: &str, deadline: &str, units: &[&str]) -> NewTask {
    NewTask {
        number: "1".into(),
        section: None,
        text: text.into(),
        measures: Vec::new(),
        deadline: parse_deadline(deadline, Some(2017)),
        deadline_inherited: false,
        leader: None,
        department: None,
        co_departments: Vec::new(),
        units: units.iter().map(|u| u.to_string()).collect(),
        implements_task_id: None,
    }
}

/// The 2017 plan "市科协改革任务分工" of `org_id` with the one task; the task's id.
pub async fn one_task_plan(app: &TestApp, org_id: i64, task: NewTask) -> i64 {
    let all = Scope::everything();
    let plan = NewPlan {
        org_id,
        title: "市科协改革任务分工".into(),
        year: 2017,
        tasks: vec![task],
        ..NewPlan::default()
    };
    let created = app.store().create_plan(&all, &plan, false).await.unwrap();
    let today = chrono::Utc::now().date_naive();
    app.store()
        .plan_tasks(&all, created.plan_id.unwrap(), today)
        .await
        .unwrap()[0]
        .task_id
}
