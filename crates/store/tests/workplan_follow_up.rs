//! Following work plans up on both databases: who sees a plan and its tasks, progress reports,
//! and the supervision dashboard.

#[path = "support/workplan.rs"]
mod support;

use kexie_store::testing::TestDb;
use kexie_store::{
    stories, AuditFilter, NewPlan, NewReport, Scope, StoreError, TaskPatch, TaskStatus,
};
use support::{day, org, plan, report, task};

stories!(
    a_plan_is_seen_by_its_issuer_and_by_units_for_their_own_tasks_only,
    progress_reports_move_percent_and_status,
    the_dashboard_counts_overdue_due_soon_silent_and_groups,
);

async fn a_plan_is_seen_by_its_issuer_and_by_units_for_their_own_tasks_only(db: &TestDb) {
    let store = &db.store;
    let today = day("2017-06-01");
    let (province, p_path) = org(store, "P", "省科协", None).await;
    let (city, c_path) = org(store, "C", "市科协", Some(province)).await;
    let (d1, d1_path) = org(store, "D1", "甲区科协", Some(city)).await;
    let (_, d2_path) = org(store, "D2", "乙区科协", Some(city)).await;
    let plan_id = plan(
        store,
        city,
        "市工作要点（内部）",
        vec![
            task("1", "交给甲区的任务", "2017年12月底前", &["D1"]),
            task("2", "机关自己的任务", "2017年12月底前", &[]),
        ],
    )
    .await;
    let ids: Vec<i64> = store
        .plan_tasks(&Scope::everything(), plan_id, today)
        .await
        .unwrap()
        .iter()
        .map(|t| t.task_id)
        .collect();
    for path in [&p_path, &c_path] {
        let scope = Scope::subtree(path.clone(), false, false);
        let plan = store.plan(&scope, plan_id).await.unwrap();
        assert!(plan.full_access);
        assert_eq!(plan.tasks, 2);
    }
    let unit = Scope::subtree(d1_path, true, false);
    let plan = store.plan(&unit, plan_id).await.unwrap();
    assert_eq!((plan.full_access, plan.tasks), (false, 1));
    let seen = store.plan_tasks(&unit, plan_id, today).await.unwrap();
    assert_eq!(seen.iter().map(|t| t.task_id).collect::<Vec<_>>(), [ids[0]]);
    assert_eq!(
        store
            .list_plans(&unit, &Default::default())
            .await
            .unwrap()
            .1,
        1
    );
    assert_eq!(
        store.assigned_tasks(&unit, today, 50).await.unwrap().len(),
        1
    );
    assert!(matches!(
        store.task(&unit, ids[1], today).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .report_progress(&unit, ids[1], &report("2017-05-30", 10), today)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .update_task(&unit, ids[0], &TaskPatch::default(), today)
            .await,
        Err(StoreError::Forbidden)
    ));
    let r = store
        .report_progress(&unit, ids[0], &report("2017-05-30", 10), today)
        .await
        .unwrap();
    assert_eq!(r.org_id, d1);
    // The neighbouring district sees nothing of it.
    let other = Scope::subtree(d2_path, true, false);
    assert!(matches!(
        store.plan(&other, plan_id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.plan_tasks(&other, plan_id, today).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.task(&other, ids[0], today).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.task_reports(&other, ids[0]).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.supervision(&other, plan_id, today).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .list_plans(&other, &Default::default())
            .await
            .unwrap()
            .1,
        0
    );
    assert!(store
        .assigned_tasks(&other, today, 50)
        .await
        .unwrap()
        .is_empty());
    // Viewers read but do not write; a plan cannot be issued for an organisation out of sight.
    let viewer = Scope::subtree(c_path, false, false);
    assert!(matches!(
        store
            .report_progress(&viewer, ids[0], &report("2017-05-30", 10), today)
            .await,
        Err(StoreError::Forbidden)
    ));
    let mut elsewhere = NewPlan {
        org_id: province,
        title: "越权".into(),
        year: 2017,
        ..NewPlan::default()
    };
    assert!(matches!(
        store.create_plan(&unit, &elsewhere, false).await,
        Err(StoreError::NotFound)
    ));
    elsewhere.org_id = d1;
    elsewhere.year = 1900;
    assert!(matches!(
        store.create_plan(&unit, &elsewhere, false).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.task_reports(&viewer, ids[0]).await.unwrap().len(), 1);
}

async fn progress_reports_move_percent_and_status(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let today = day("2017-06-01");
    let (city, _) = org(store, "C", "市科协", None).await;
    let plan_id = plan(
        store,
        city,
        "市工作要点",
        vec![task("1", "任务", "2017年12月底前", &[])],
    )
    .await;
    let id = store.plan_tasks(&all, plan_id, today).await.unwrap()[0].task_id;
    store
        .report_progress(&all, id, &report("2017-05-10", 40), today)
        .await
        .unwrap();
    let t = store.task(&all, id, today).await.unwrap();
    assert_eq!(
        (t.status, t.percent, t.last_report_on.as_deref()),
        (TaskStatus::InProgress, 40, Some("2017-05-10"))
    );
    // An older report is kept but does not move the figures.
    store
        .report_progress(&all, id, &report("2017-05-01", 20), today)
        .await
        .unwrap();
    assert_eq!(store.task(&all, id, today).await.unwrap().percent, 40);
    let mut risky = report("2017-05-20", 50);
    risky.status = Some(TaskStatus::AtRisk);
    store
        .report_progress(&all, id, &risky, today)
        .await
        .unwrap();
    assert_eq!(
        store.task(&all, id, today).await.unwrap().status,
        TaskStatus::AtRisk
    );
    for bad in [
        report("2017-06-02", 10),
        report("2017-05-30", 101),
        NewReport {
            text: " ".into(),
            ..report("2017-05-30", 10)
        },
    ] {
        assert!(matches!(
            store.report_progress(&all, id, &bad, today).await,
            Err(StoreError::Invalid(_))
        ));
    }
    store
        .report_progress(&all, id, &report("2017-05-31", 100), today)
        .await
        .unwrap();
    assert_eq!(
        store
            .task(&all, id, day("2018-01-01"))
            .await
            .unwrap()
            .status,
        TaskStatus::Done
    );
    let reports = store.task_reports(&all, id).await.unwrap();
    let dates: Vec<&str> = reports.iter().map(|r| r.reported_on.as_str()).collect();
    assert_eq!(
        dates,
        ["2017-05-31", "2017-05-20", "2017-05-10", "2017-05-01"]
    );
    store
        .update_task(
            &all,
            id,
            &TaskPatch {
                status: Some(TaskStatus::Cancelled),
                cancel_reason: Some("并入第 5 项".into()),
                ..TaskPatch::default()
            },
            today,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .report_progress(&all, id, &report("2017-06-01", 100), today)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let audit = store
        .search_audit(&AuditFilter {
            action: Some("task.".into()),
            limit: 20,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .0;
    assert_eq!(
        audit.iter().filter(|a| a.action == "task.report").count(),
        4
    );
    assert_eq!(
        audit.iter().filter(|a| a.action == "task.update").count(),
        1
    );
}

async fn the_dashboard_counts_overdue_due_soon_silent_and_groups(db: &TestDb) {
    let store = &db.store;
    let all = Scope::everything();
    let (city, _) = org(store, "C", "市科协", None).await;
    org(store, "D1", "甲区科协", Some(city)).await;
    let mut tasks = vec![
        task("1", "已逾期", "2017年5月底前", &[]),
        task("2", "快到期", "2017年6月底前", &["甲区科协"]),
        task("3", "还早", "2017年12月底前", &["各街道"]),
        task("4", "已报送", "2017年12月底前", &[]),
    ];
    tasks[2].leader = Some("乙副主席".into());
    tasks[3].department = Some("学会部".into());
    let created = store
        .create_plan(
            &all,
            &NewPlan {
                org_id: city,
                title: "市工作要点".into(),
                year: 2017,
                tasks,
                ..NewPlan::default()
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        (created.linked_units, created.unlinked_units.clone()),
        (1, vec!["各街道".to_string()])
    );
    let plan_id = created.plan_id.unwrap();
    let ids: Vec<i64> = store
        .plan_tasks(&all, plan_id, day("2017-06-10"))
        .await
        .unwrap()
        .iter()
        .map(|t| t.task_id)
        .collect();
    store
        .report_progress(&all, ids[3], &report("2017-06-02", 30), day("2017-06-10"))
        .await
        .unwrap();
    let board = store
        .supervision(&all, plan_id, day("2017-06-10"))
        .await
        .unwrap();
    assert_eq!(
        (
            board.counts.total,
            board.counts.overdue,
            board.counts.in_progress
        ),
        (4, 1, 1)
    );
    assert_eq!(
        board.overdue.iter().map(|t| t.task_id).collect::<Vec<_>>(),
        [ids[0]]
    );
    assert_eq!(
        board.due_soon.iter().map(|t| t.task_id).collect::<Vec<_>>(),
        [ids[1]]
    );
    let silent: Vec<(&str, Vec<i64>)> = board
        .not_reported
        .iter()
        .map(|s| (s.responsible.as_str(), s.task_ids.clone()))
        .collect();
    assert_eq!(
        silent,
        [
            ("组织部", vec![ids[0]]),
            ("甲区科协", vec![ids[1]]),
            ("各街道", vec![ids[2]])
        ]
    );
    let departments: Vec<(&str, i64)> = board
        .by_department
        .iter()
        .map(|g| (g.name.as_str(), g.counts.total))
        .collect();
    assert_eq!(departments, [("组织部", 3), ("学会部", 1)]);
    let leaders: Vec<(&str, i64)> = board
        .by_leader
        .iter()
        .map(|g| (g.name.as_str(), g.counts.total))
        .collect();
    assert_eq!(leaders, [("甲副主席", 3), ("乙副主席", 1)]);
    assert_eq!(board.by_unit.len(), 2);
    assert_eq!(board.by_unit[0].counts.total, 1);
}
