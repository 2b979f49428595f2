//! Work-plan supervision on both databases: a pasted plan stored whole, the cascading roll-up,
//! and the automatic overdue status with an injected clock (more in workplan_follow_up.rs).
//!
//! Leaders and departments in fixtures are invented; seeds/000 is read at run time and only its
//! structure is asserted (it names real people).

#[path = "support/workplan.rs"]
mod support;

use kexie_domain::plan_text::parse_plan_text;
use kexie_store::testing::TestDb;
use kexie_store::{
    stories, AuditFilter, NewPlan, NewTask, Scope, StoreError, TaskPatch, TaskStatus,
};
use support::{account, day, org, plan, report, task};

stories!(
    seed_000_pasted_as_text_is_stored_with_measures_deadlines_and_carried_down_cells,
    progress_of_lower_plans_rolls_up_to_the_task_they_carry_out,
    open_tasks_become_overdue_when_a_date_or_milestone_passes,
);

async fn seed_000_pasted_as_text_is_stored_with_measures_deadlines_and_carried_down_cells(
    db: &TestDb,
) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seeds/000_058b7e57b501da7f.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipped: seed file {} not found", path.display());
        return;
    };
    let store = &db.store;
    let all = Scope::everything();
    let (province, _) = org(store, "P", "省科协", None).await;
    let parsed = parse_plan_text(&text, Some(2017));
    let new = NewPlan {
        org_id: province,
        title: "任务分工方案".into(),
        doc_number: Some("科协发〔2017〕1号".into()),
        issued_on: Some("2017-04-01".into()),
        year: 2017,
        implements_plan_id: None,
        tasks: parsed.tasks.iter().map(NewTask::from_parsed).collect(),
    };
    // A dry run checks and writes nothing.
    let checked = store.create_plan(&all, &new, true).await.unwrap();
    assert_eq!((checked.plan_id, checked.tasks), (None, 48));
    assert_eq!(
        store.list_plans(&all, &Default::default()).await.unwrap().1,
        0
    );

    let created = store.create_plan(&all, &new, false).await.unwrap();
    let plan_id = created.plan_id.unwrap();
    let tasks = store
        .plan_tasks(&all, plan_id, day("2017-04-01"))
        .await
        .unwrap();
    let numbers: Vec<String> = tasks.iter().map(|t| t.number.clone()).collect();
    let expected: Vec<String> = (3..=50).map(|n: i32| n.to_string()).collect();
    assert_eq!(numbers, expected);
    for t in &tasks {
        assert!(!t.measures.is_empty(), "({}) has no measure", t.number);
        assert_eq!(t.status, TaskStatus::NotStarted);
    }
    let by = |n: &str| tasks.iter().find(|t| t.number == n).unwrap();
    assert_eq!(by("45").measures.len(), 5);
    assert_eq!(by("5").deadline.input, "2017年10月底前");
    assert_eq!(by("5").deadline.due, Some(day("2017-10-31")));
    assert_eq!(by("5").next_due.as_deref(), Some("2017-10-31"));
    assert_eq!(by("13").deadline.start, Some(day("2017-01-01")));
    assert_eq!(by("34").deadline.due, Some(day("2017-06-30")));
    // (8) sits under merged cells: leader, department and deadline are those of (7).
    assert!(by("8").leader.is_some());
    assert_eq!(by("8").leader, by("7").leader);
    assert_eq!(by("8").department.as_deref(), Some("科普部"));
    assert_eq!(by("8").deadline.input, by("7").deadline.input);
    assert!(by("8").deadline_inherited && !by("7").deadline_inherited);
    // Two departments: the first leads, the other works with it.
    assert_eq!(by("10").co_departments.len(), 1);
    assert!(by("10").department.is_some());
    assert_eq!(
        by("8").section.as_deref(),
        Some("2.扩大科协基层组织的有效覆盖")
    );
    let sections = store.plan_sections(&all, plan_id).await.unwrap();
    assert_eq!(sections.len(), created.sections);
    assert!(sections.len() >= 8, "{}", sections.len());
    let audit = store
        .search_audit(&AuditFilter {
            action: Some("plan.create".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .0;
    assert_eq!(audit.len(), 1, "the dry run left no record");
    assert_eq!(audit[0].object, format!("plan:{plan_id}"));
}

async fn progress_of_lower_plans_rolls_up_to_the_task_they_carry_out(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let today = day("2017-09-01");
    let (city, city_path) = org(store, "C", "市科协", None).await;
    let (d1, d1_path) = org(store, "D1", "甲区科协", Some(city)).await;
    let (d2, _) = org(store, "D2", "乙区科协", Some(city)).await;
    let (street, _) = org(store, "S1", "甲街道科协", Some(d1)).await;
    let city_plan = plan(
        store,
        city,
        "市工作要点",
        vec![task(
            "1",
            "建强基层组织",
            "2017年12月底前",
            &["甲区科协", "乙区科协"],
        )],
    )
    .await;
    let top = store.plan_tasks(&all, city_plan, today).await.unwrap()[0].clone();
    assert_eq!(top.units.iter().filter(|u| u.org_id.is_some()).count(), 2);

    // Each district carries the city's task out; a street carries out its district's.
    let d1_scope = Scope::subtree(d1_path.clone(), true, false);
    let mut lower = task("1", "区里建强基层组织", "2017年11月底前", &[]);
    lower.implements_task_id = Some(top.task_id);
    let d1_plan = NewPlan {
        org_id: d1,
        title: "甲区落实方案".into(),
        year: 2017,
        implements_plan_id: Some(city_plan),
        tasks: vec![lower.clone()],
        ..NewPlan::default()
    };
    let d1_plan = store
        .create_plan(&d1_scope, &d1_plan, false)
        .await
        .unwrap()
        .plan_id
        .unwrap();
    let d1_task = store.plan_tasks(&all, d1_plan, today).await.unwrap()[0].task_id;
    let d2_plan = plan(
        store,
        d2,
        "乙区落实方案",
        vec![task("1", "乙区任务", "2017年11月底前", &[])],
    )
    .await;
    let d2_task = store.plan_tasks(&all, d2_plan, today).await.unwrap()[0].task_id;
    store
        .link_task(&all, d2_task, Some(top.task_id))
        .await
        .unwrap();
    let s_plan = plan(
        store,
        street,
        "街道落实方案",
        vec![task("1", "街道任务", "2017年10月底前", &[])],
    )
    .await;
    let s_task = store.plan_tasks(&all, s_plan, today).await.unwrap()[0].task_id;
    store.link_task(&all, s_task, Some(d1_task)).await.unwrap();

    store
        .report_progress(&all, d1_task, &report("2017-08-20", 60), today)
        .await
        .unwrap();
    store
        .report_progress(&all, d2_task, &report("2017-08-21", 100), today)
        .await
        .unwrap();
    store
        .report_progress(&all, s_task, &report("2017-08-22", 20), today)
        .await
        .unwrap();

    let city_scope = Scope::subtree(city_path, false, false);
    let rollup = store.rollup(&city_scope, top.task_id, today).await.unwrap();
    let seen: Vec<(i64, i64)> = rollup
        .implementing
        .iter()
        .map(|i| (i.depth, i.task.task_id))
        .collect();
    assert_eq!(seen, [(1, d1_task), (1, d2_task), (2, s_task)]);
    assert_eq!(
        (
            rollup.counts.total,
            rollup.counts.done,
            rollup.counts.in_progress
        ),
        (3, 1, 2)
    );
    assert_eq!(rollup.counts.percent, (60 + 100 + 20) / 3);
    assert_eq!(rollup.last_report_on.as_deref(), Some("2017-08-22"));
    assert_eq!(
        store
            .task(&city_scope, top.task_id, today)
            .await
            .unwrap()
            .implementers,
        2
    );
    // Later the street's date passes: the roll-up shows it overdue.
    let later = store
        .rollup(&city_scope, top.task_id, day("2017-11-01"))
        .await
        .unwrap();
    assert_eq!(later.counts.overdue, 1);

    // District 1 sees the city's task as a unit, and below it only its own subtree.
    let from_d1 = store.rollup(&d1_scope, top.task_id, today).await.unwrap();
    let seen: Vec<i64> = from_d1
        .implementing
        .iter()
        .map(|i| i.task.task_id)
        .collect();
    assert_eq!(seen, [d1_task, s_task]);
    // A higher plan cannot carry out a lower one, nor a task out of sight be linked.
    assert!(matches!(
        store.link_task(&all, top.task_id, Some(d1_task)).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.link_task(&d1_scope, d1_task, Some(d2_task)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.link_task(&all, d1_task, Some(d2_task)).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn open_tasks_become_overdue_when_a_date_or_milestone_passes(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (city, _) = org(store, "C", "市科协", None).await;
    let (d1, _) = org(store, "D1", "甲区科协", Some(city)).await;
    let plan_id = plan(
        store,
        city,
        "市工作要点",
        vec![
            task("1", "按期完成", "2017年10月底前", &["甲区科协"]),
            task(
                "2",
                "分段推进",
                "2017年至2020年(2017年5月底前出台方案)",
                &[],
            ),
            task("3", "长期坚持", "长期坚持", &[]),
            task("4", "已经完成", "2017年3月底前", &[]),
        ],
    )
    .await;
    let ids: Vec<i64> = store
        .plan_tasks(&all, plan_id, day("2017-01-01"))
        .await
        .unwrap()
        .iter()
        .map(|t| t.task_id)
        .collect();
    store
        .update_task(
            &all,
            ids[3],
            &TaskPatch {
                status: Some(TaskStatus::Done),
                ..TaskPatch::default()
            },
            day("2017-01-02"),
        )
        .await
        .unwrap();
    let all_ref = &all;
    let statuses = |today: &'static str| async move {
        store
            .plan_tasks(all_ref, plan_id, day(today))
            .await
            .unwrap()
            .iter()
            .map(|t| t.status)
            .collect::<Vec<_>>()
    };
    use TaskStatus::*;
    assert_eq!(
        statuses("2017-05-31").await,
        [NotStarted, NotStarted, NotStarted, Done]
    );
    // The milestone of (2) passes first, then the date of (1); (3) has no date, (4) is done.
    assert_eq!(
        statuses("2017-06-01").await,
        [NotStarted, Overdue, NotStarted, Done]
    );
    assert_eq!(
        statuses("2017-10-31").await,
        [NotStarted, Overdue, NotStarted, Done]
    );
    assert_eq!(
        statuses("2017-11-01").await,
        [Overdue, Overdue, NotStarted, Done]
    );

    // A week ahead the issuer and the unit are reminded, once.
    let run = store.run_reminders(&all, day("2017-10-25")).await.unwrap();
    assert_eq!((run.overdue, run.notified), (1, 2 + 1), "{run:?}");
    let again = store.run_reminders(&all, day("2017-10-25")).await.unwrap();
    assert_eq!((again.overdue, again.notified), (0, 0));
    // The run writes the status of (2), with an audit record.
    let audit = store
        .search_audit(&AuditFilter {
            action: Some("task.overdue".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .0;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].object, format!("task:{}", ids[1]));
    let run = store.run_reminders(&all, day("2017-11-01")).await.unwrap();
    assert_eq!((run.overdue, run.notified), (1, 2));
    let unit_admin = account(store, "unit", d1).await;
    let d1_scope = unit_admin.scope("test");
    let notes = store
        .notifications(&d1_scope, &unit_admin, 10)
        .await
        .unwrap();
    let kinds: Vec<&str> = notes.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, ["overdue", "due_soon"]);
    assert_eq!(
        store
            .unread_notifications(&d1_scope, &unit_admin)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .mark_notifications_read(&d1_scope, &unit_admin)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .unread_notifications(&d1_scope, &unit_admin)
            .await
            .unwrap(),
        0
    );

    // A later deadline opens the task again; done is never overdue.
    let moved = store
        .update_task(
            &all,
            ids[0],
            &TaskPatch {
                deadline: Some("2018年6月底前".into()),
                ..TaskPatch::default()
            },
            day("2017-11-02"),
        )
        .await
        .unwrap();
    assert_eq!(moved.status, NotStarted);
    assert_eq!(moved.next_due.as_deref(), Some("2018-06-30"));
    // Days already reminded are not run again by `ensure_reminders`.
    store.ensure_reminders(day("2017-11-01")).await.unwrap();
    assert_eq!(
        statuses("2017-11-02").await,
        [NotStarted, Overdue, NotStarted, Done]
    );
}
