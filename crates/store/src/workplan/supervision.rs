//! Supervision figures (督查): a plan's tasks by status, what is overdue or due soon, who has not
//! reported this month, figures by department, leader and responsible unit, and the roll-up of
//! the lower plans' tasks that carry a task out.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::{task_select, Task, TaskStatus};
use crate::{Scope, Store, StoreResult};

/// How far ahead "due soon" looks.
pub const DUE_SOON_DAYS: i64 = 30;

/// Tasks by status.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCounts {
    pub total: i64,
    pub not_started: i64,
    pub in_progress: i64,
    pub at_risk: i64,
    pub overdue: i64,
    pub done: i64,
    pub cancelled: i64,
    /// The average reported percent of the tasks that are not cancelled.
    pub percent: i64,
}

impl StatusCounts {
    fn of(tasks: impl IntoIterator<Item = (TaskStatus, i64)>) -> StatusCounts {
        let mut c = StatusCounts::default();
        let mut percent_sum = 0;
        let mut counted = 0;
        for (status, percent) in tasks {
            c.total += 1;
            match status {
                TaskStatus::NotStarted => c.not_started += 1,
                TaskStatus::InProgress => c.in_progress += 1,
                TaskStatus::AtRisk => c.at_risk += 1,
                TaskStatus::Overdue => c.overdue += 1,
                TaskStatus::Done => c.done += 1,
                TaskStatus::Cancelled => c.cancelled += 1,
            }
            if status != TaskStatus::Cancelled {
                // A task marked done counts as complete whatever its last report said.
                percent_sum += if status == TaskStatus::Done {
                    100
                } else {
                    percent
                };
                counted += 1;
            }
        }
        if counted > 0 {
            c.percent = percent_sum / counted;
        }
        c
    }
}

/// The figures of one department, leader or unit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupFigures {
    pub name: String,
    pub counts: StatusCounts,
}

/// Who has not reported this month, with the tasks concerned.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Silent {
    /// A responsible unit, else the lead department, else the lead leader.
    pub responsible: String,
    /// Task numbers as written.
    pub tasks: Vec<String>,
    pub task_ids: Vec<i64>,
}

/// A plan's supervision dashboard as of `today`, over the tasks the caller sees.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Supervision {
    pub plan_id: i64,
    pub today: String,
    pub counts: StatusCounts,
    pub overdue: Vec<Task>,
    /// Open tasks with a date in the next 30 days.
    pub due_soon: Vec<Task>,
    pub not_reported: Vec<Silent>,
    pub by_department: Vec<GroupFigures>,
    pub by_leader: Vec<GroupFigures>,
    pub by_unit: Vec<GroupFigures>,
}

/// A task of a lower plan that carries out the task rolled up.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImplementingTask {
    /// 1 for a task that implements the task directly, 2 for one below that …
    pub depth: i64,
    pub task: Task,
}

/// Everything that carries a task out, in the caller's scope, rolled up.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rollup {
    pub task_id: i64,
    pub counts: StatusCounts,
    pub last_report_on: Option<String>,
    pub implementing: Vec<ImplementingTask>,
}

const UNNAMED: &str = "（未指定）";

fn groups(tasks: &[Task], names: impl Fn(&Task) -> Vec<String>) -> Vec<GroupFigures> {
    let mut order: Vec<String> = Vec::new();
    let mut members: Vec<Vec<(TaskStatus, i64)>> = Vec::new();
    for t in tasks {
        for name in names(t) {
            let i = match order.iter().position(|n| *n == name) {
                Some(i) => i,
                None => {
                    order.push(name);
                    members.push(Vec::new());
                    order.len() - 1
                }
            };
            members[i].push((t.status, t.percent));
        }
    }
    order
        .into_iter()
        .zip(members)
        .map(|(name, m)| GroupFigures {
            name,
            counts: StatusCounts::of(m),
        })
        .collect()
}

impl Supervision {
    /// The figures of a plan's tasks (as `plan_tasks` gives them for `today`) as of `today`.
    pub fn of(plan_id: i64, tasks: &[Task], today: NaiveDate) -> Supervision {
        let soon = today + Duration::days(DUE_SOON_DAYS);
        let month_start = today.with_day(1).unwrap_or(today).to_string();
        let live = |t: &&Task| !matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled);
        let overdue = tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Overdue)
            .cloned()
            .collect();
        let mut due_soon: Vec<Task> = tasks
            .iter()
            .filter(|t| t.status.is_open())
            .filter(|t| {
                t.next_due
                    .as_deref()
                    .is_some_and(|d| d <= soon.to_string().as_str())
            })
            .cloned()
            .collect();
        due_soon.sort_by(|a, b| a.next_due.cmp(&b.next_due));
        let mut not_reported: Vec<Silent> = Vec::new();
        for t in tasks.iter().filter(live) {
            if t.last_report_on
                .as_deref()
                .is_some_and(|d| d >= month_start.as_str())
            {
                continue;
            }
            let mut who: Vec<String> = t.units.iter().map(|u| u.name.clone()).collect();
            if who.is_empty() {
                who.push(
                    t.department
                        .clone()
                        .or_else(|| t.leader.clone())
                        .unwrap_or_else(|| UNNAMED.into()),
                );
            }
            for name in who {
                match not_reported.iter_mut().find(|s| s.responsible == name) {
                    Some(s) => {
                        s.tasks.push(t.number.clone());
                        s.task_ids.push(t.task_id);
                    }
                    None => not_reported.push(Silent {
                        responsible: name,
                        tasks: vec![t.number.clone()],
                        task_ids: vec![t.task_id],
                    }),
                }
            }
        }
        Supervision {
            plan_id,
            today: today.to_string(),
            counts: StatusCounts::of(tasks.iter().map(|t| (t.status, t.percent))),
            overdue,
            due_soon,
            not_reported,
            by_department: groups(tasks, |t| {
                vec![t.department.clone().unwrap_or_else(|| UNNAMED.into())]
            }),
            by_leader: groups(tasks, |t| {
                vec![t.leader.clone().unwrap_or_else(|| UNNAMED.into())]
            }),
            by_unit: groups(tasks, |t| t.units.iter().map(|u| u.name.clone()).collect()),
        }
    }
}

impl Store {
    /// A plan's supervision figures as of `today`, over the tasks the caller sees.
    #[tracing::instrument(skip(self, scope), err(level = "info"))]
    pub async fn supervision(
        &self,
        scope: &Scope,
        plan_id: i64,
        today: NaiveDate,
    ) -> StoreResult<Supervision> {
        let tasks = self.plan_tasks(scope, plan_id, today).await?;
        Ok(Supervision::of(plan_id, &tasks, today))
    }

    /// The tasks of lower plans that carry out `task_id`, directly or through a task in
    /// between, whose issuers are in scope; with their figures rolled up.
    #[tracing::instrument(skip(self, scope), err(level = "info"))]
    pub async fn rollup(
        &self,
        scope: &Scope,
        task_id: i64,
        today: NaiveDate,
    ) -> StoreResult<Rollup> {
        let top = self.task(scope, task_id, today).await?;
        let mut seen: HashSet<i64> = HashSet::from([top.task_id]);
        let mut frontier = vec![top.task_id];
        let mut implementing: Vec<ImplementingTask> = Vec::new();
        // Issuers are strictly above the plans that implement them, so chains are as short as
        // the organisation tree is deep; the bound guards against data edited by hand.
        for depth in 1..=12 {
            if frontier.is_empty() {
                break;
            }
            let mut sql = task_select(scope, today);
            scope.filter_org(&mut sql, "o.path");
            sql.push(" and t.implements_task_id in (");
            sql.bind_ints(&frontier);
            sql.push(") order by o.path, t.position");
            let mut level = self.fetch_tasks(&sql, today).await?;
            level.retain(|t| seen.insert(t.task_id));
            frontier = level.iter().map(|t| t.task_id).collect();
            implementing.extend(
                level
                    .into_iter()
                    .map(|task| ImplementingTask { depth, task }),
            );
        }
        Ok(Rollup {
            task_id: top.task_id,
            counts: StatusCounts::of(implementing.iter().map(|i| (i.task.status, i.task.percent))),
            last_report_on: implementing
                .iter()
                .filter_map(|i| i.task.last_report_on.clone())
                .max(),
            implementing,
        })
    }
}
