//! Work-plan supervision (督查督办): plans with their sections and numbered tasks, who answers
//! for each task, progress reports, cascading plans, overdue status and reminders.
//!
//! Scoping. A plan belongs to its issuing organisation: a caller whose scope holds that
//! organisation sees the whole plan ("full access") and, with write rights, changes it. A caller
//! whose scope holds one of a task's responsible units (责任单位 linked to an organisation) sees
//! that task, the plan's title, and reports progress on it ("unit access"). Anything else is
//! "not found".
//!
//! Time. Whether a task is overdue depends on the day: every function that decides it takes
//! `today`, so tests move time and the web passes today's date in Beijing. A task whose status
//! is open (not started, in progress, at risk) is overdue once a due date or milestone of its
//! deadline lies before today (`Deadline::is_overdue`): reads show it so at once, and
//! `run_reminders` writes the change with its audit record.

mod attachments;
mod create;
mod mail;
mod plans;
mod progress;
mod reminders;
mod supervision;
mod tasks;

use chrono::NaiveDate;
use kexie_domain::deadline::Deadline;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::sql::Sql;
use crate::{Scope, StoreError, StoreResult};

pub use attachments::{Attachment, NewAttachment, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES};
pub use create::{NewPlan, NewTask, PlanCreated};
pub use mail::ReminderMail;
pub use plans::{PlanFilter, PlanSection};
pub use progress::{NewReport, ProgressReport};
pub use reminders::{Notification, ReminderRun, REMIND_DAYS};
pub use supervision::{
    GroupFigures, ImplementingTask, Rollup, Silent, StatusCounts, Supervision, DUE_SOON_DAYS,
};
pub use tasks::{TaskHistoryEntry, TaskPatch};

/// A task's status. Serialised in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    AtRisk,
    Overdue,
    Done,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::AtRisk,
        TaskStatus::Overdue,
        TaskStatus::Done,
        TaskStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::AtRisk => "at_risk",
            TaskStatus::Overdue => "overdue",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "未启动",
            TaskStatus::InProgress => "推进中",
            TaskStatus::AtRisk => "有风险",
            TaskStatus::Overdue => "已逾期",
            TaskStatus::Done => "已完成",
            TaskStatus::Cancelled => "已取消",
        }
    }

    /// The code or the Chinese name.
    pub fn parse(text: &str) -> Option<TaskStatus> {
        let t = text.trim();
        TaskStatus::ALL
            .into_iter()
            .find(|s| s.code() == t || s.zh_name() == t)
    }

    /// Statuses that turn into `overdue` when a date passes.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            TaskStatus::NotStarted | TaskStatus::InProgress | TaskStatus::AtRisk
        )
    }
}

/// A plan as lists and pages show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub plan_id: i64,
    /// The issuing organisation.
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    /// 文号.
    pub doc_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub issued_on: Option<String>,
    pub year: i64,
    /// The higher plan this one carries out.
    pub implements_plan_id: Option<i64>,
    /// Tasks the caller sees.
    pub tasks: i64,
    /// The caller sees the whole plan (its issuer is in scope), not only tasks of its units.
    pub full_access: bool,
}

/// A responsible unit as written, and the organisation it names when it names one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskUnit {
    pub name: String,
    pub org_id: Option<i64>,
}

/// A task as pages and the API show it, its status as of the day asked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub task_id: i64,
    pub plan_id: i64,
    pub plan_title: String,
    /// The issuing organisation.
    pub org_id: i64,
    pub org_name: String,
    pub section: Option<String>,
    pub number: String,
    pub text: String,
    pub measures: Vec<String>,
    /// The deadline phrase as written (`input`) and its parsed schedule.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub deadline: Deadline,
    /// The deadline is the one of the task above (a blank, merged cell).
    pub deadline_inherited: bool,
    /// The next date the task must meet on or after the day asked (`YYYY-MM-DD`).
    pub next_due: Option<String>,
    /// 牵头领导 (a name: the people registry links later).
    pub leader: Option<String>,
    /// 牵头/责任部门.
    pub department: Option<String>,
    /// 配合部门.
    pub co_departments: Vec<String>,
    pub units: Vec<TaskUnit>,
    pub status: TaskStatus,
    pub percent: i64,
    pub last_report_on: Option<String>,
    /// The higher task this one carries out.
    pub implements_task_id: Option<i64>,
    /// Tasks of lower plans (in scope) that carry this one out.
    pub implementers: i64,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    pub full_access: bool,
}

/// The status as of `today`: an open task whose first date has passed is overdue.
pub(crate) fn push_status(sql: &mut Sql, today: NaiveDate) {
    sql.push("(case when t.status in ('not_started', 'in_progress', 'at_risk') and t.first_due < ")
        .bind_text(today.to_string())
        .push(" then 'overdue' else t.status end)");
}

/// Appends the condition that task `t` of plan `p` is visible: its issuer is in scope, or one of
/// its responsible units is.
pub(crate) fn filter_task(scope: &Scope, sql: &mut Sql) {
    sql.push(" and (exists (select 1 from org vo where vo.org_id = p.org_id");
    scope.filter_org(sql, "vo.path");
    sql.push(
        ") or exists (select 1 from task_unit vu join org vuo on vuo.org_id = vu.org_id \
         where vu.task_id = t.task_id",
    );
    scope.filter_org(sql, "vuo.path");
    sql.push("))");
}

/// Appends the condition that plan `p` is visible: its issuer is in scope, or a responsible
/// unit of one of its tasks is.
pub(crate) fn filter_plan(scope: &Scope, sql: &mut Sql) {
    sql.push(" and (exists (select 1 from org vo where vo.org_id = p.org_id");
    scope.filter_org(sql, "vo.path");
    sql.push(
        ") or exists (select 1 from task vt join task_unit vu on vu.task_id = vt.task_id \
         join org vuo on vuo.org_id = vu.org_id where vt.plan_id = p.plan_id",
    );
    scope.filter_org(sql, "vuo.path");
    sql.push("))");
}

/// A select column `full_access`: 1 when plan `p`'s issuer is in scope.
pub(crate) fn push_full_access(scope: &Scope, sql: &mut Sql) {
    sql.push("(case when exists (select 1 from org fo where fo.org_id = p.org_id");
    scope.filter_org(sql, "fo.path");
    sql.push(") then 1 else 0 end) as full_access");
}

const TASK_FROM: &str = " from task t join plan p on p.plan_id = t.plan_id \
    join org o on o.org_id = p.org_id \
    left join plan_section s on s.plan_section_id = t.plan_section_id where 1 = 1";

/// `select … from task t …` with every column `task_from_row` reads, ready for conditions.
pub(crate) fn task_select(scope: &Scope, today: NaiveDate) -> Sql {
    let mut sql = Sql::new(
        "select t.task_id, t.plan_id, p.title as plan_title, p.org_id, o.name as org_name, \
         s.title as section, t.number, t.text, t.measures, t.deadline, t.deadline_inherited, \
         t.leader, t.department, t.co_departments, t.percent, t.last_report_on, \
         t.implements_task_id, t.cancel_reason, ",
    );
    push_status(&mut sql, today);
    sql.push(" as status, ");
    push_full_access(scope, &mut sql);
    sql.push(
        ", (select count(*) from task i join plan ip on ip.plan_id = i.plan_id \
         join org io on io.org_id = ip.org_id where i.implements_task_id = t.task_id",
    );
    scope.filter_org(&mut sql, "io.path");
    sql.push(") as implementers");
    sql.push(TASK_FROM);
    sql
}

pub(crate) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn status_from(code: &str) -> StoreResult<TaskStatus> {
    TaskStatus::parse(code)
        .ok_or_else(|| StoreError::Other(format!("unknown task status in the database: {code}")))
}

pub(crate) fn task_from_row(row: &AnyRow, today: NaiveDate) -> StoreResult<Task> {
    let deadline_json: String = row.try_get("deadline")?;
    let deadline: Deadline = serde_json::from_str(&deadline_json)
        .map_err(|e| StoreError::Other(format!("stored deadline: {e}")))?;
    let status: String = row.try_get("status")?;
    let status = status_from(&status)?;
    let next_due = match status {
        TaskStatus::Done | TaskStatus::Cancelled => None,
        _ => deadline.next_due(today).map(|d| d.to_string()),
    };
    Ok(Task {
        task_id: row.try_get("task_id")?,
        plan_id: row.try_get("plan_id")?,
        plan_title: row.try_get("plan_title")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        section: row.try_get("section")?,
        number: row.try_get("number")?,
        text: row.try_get("text")?,
        measures: json_list(&row.try_get::<String, _>("measures")?),
        deadline,
        deadline_inherited: row.try_get::<i64, _>("deadline_inherited")? != 0,
        next_due,
        leader: row.try_get("leader")?,
        department: row.try_get("department")?,
        co_departments: json_list(&row.try_get::<String, _>("co_departments")?),
        units: Vec::new(),
        status,
        percent: row.try_get("percent")?,
        last_report_on: row.try_get("last_report_on")?,
        implements_task_id: row.try_get("implements_task_id")?,
        implementers: row.try_get("implementers")?,
        cancel_reason: row.try_get("cancel_reason")?,
        full_access: row.try_get::<i64, _>("full_access")? != 0,
    })
}

/// The earliest date a deadline must meet, as stored in `task.first_due`.
pub(crate) fn first_due(deadline: &Deadline) -> Option<String> {
    deadline.due_dates().first().map(|d| d.to_string())
}

/// The materialised path of the organisation that issued a plan.
pub(crate) async fn issuer_path<'e>(
    conn: impl Executor<'e, Database = Any>,
    plan_id: i64,
) -> StoreResult<String> {
    Ok(sqlx::query(
        "select o.path from plan p join org o on o.org_id = p.org_id where p.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_one(conn)
    .await?
    .try_get("path")?)
}

pub(crate) use crate::clean;
