//! Tasks: reading them within scope (as the issuer or as a responsible unit), changing them, and
//! linking a lower plan's task to the higher task it carries out.

use chrono::NaiveDate;
use kexie_domain::deadline::parse_deadline;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sqlx::Row;

use super::{
    clean, filter_task, first_due, issuer_path, push_full_access, task_from_row, task_select, Task,
    TaskStatus, TaskUnit,
};
use crate::audit::Outcome;
use crate::sql::{Sql, Value as Bind};
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// Changes to a task by its issuer. `None` leaves a field alone; an empty text clears it.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub status: Option<TaskStatus>,
    /// A new deadline phrase, read with the plan's year.
    pub deadline: Option<String>,
    pub leader: Option<String>,
    pub department: Option<String>,
    /// The task's text (not empty).
    pub text: Option<String>,
    pub measures: Option<Vec<String>>,
    pub co_departments: Option<Vec<String>>,
    /// Responsible units by name, linked again to organisations of the issuer's subtree.
    pub units: Option<Vec<String>>,
    /// Why the task is cancelled: required with the status `cancelled`.
    pub cancel_reason: Option<String>,
}

/// One change of a task, as its history shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskHistoryEntry {
    pub changed_at: i64,
    pub account: String,
    /// Field → `[old, new]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub changes: Value,
}

fn cleaned(list: &[String]) -> Vec<String> {
    list.iter().filter_map(|s| clean(s)).collect()
}

impl Store {
    /// One task, if the caller sees it, with its status as of `today`.
    pub async fn task(&self, scope: &Scope, task_id: i64, today: NaiveDate) -> StoreResult<Task> {
        let mut sql = task_select(scope, today);
        sql.push(" and t.task_id = ").bind_int(task_id);
        filter_task(scope, &mut sql);
        self.fetch_tasks(&sql, today)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// The tasks of a plan the caller sees, in the plan's order.
    pub async fn plan_tasks(
        &self,
        scope: &Scope,
        plan_id: i64,
        today: NaiveDate,
    ) -> StoreResult<Vec<Task>> {
        let plan = self.plan(scope, plan_id).await?;
        let mut sql = task_select(scope, today);
        sql.push(" and t.plan_id = ").bind_int(plan.plan_id);
        filter_task(scope, &mut sql);
        sql.push(" order by t.position");
        self.fetch_tasks(&sql, today).await
    }

    /// Tasks of any plan whose responsible units include an organisation in scope: what a
    /// department or unit has been given to do, soonest due first.
    pub async fn assigned_tasks(
        &self,
        scope: &Scope,
        today: NaiveDate,
        limit: i64,
    ) -> StoreResult<Vec<Task>> {
        let mut sql = task_select(scope, today);
        sql.push(
            " and exists (select 1 from task_unit au join org auo on auo.org_id = au.org_id \
             where au.task_id = t.task_id",
        );
        scope.filter_org(&mut sql, "auo.path");
        sql.push(") order by t.first_due is null, t.first_due, t.task_id limit ")
            .bind_int(limit.clamp(1, 1000));
        self.fetch_tasks(&sql, today).await
    }

    /// The tasks a `task_select` query finds, with their responsible units.
    pub(crate) async fn fetch_tasks(&self, sql: &Sql, today: NaiveDate) -> StoreResult<Vec<Task>> {
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut tasks = rows
            .iter()
            .map(|r| task_from_row(r, today))
            .collect::<StoreResult<Vec<_>>>()?;
        self.load_units(&mut tasks).await?;
        Ok(tasks)
    }

    /// Fills in the responsible units of tasks.
    async fn load_units(&self, tasks: &mut [Task]) -> StoreResult<()> {
        for chunk in tasks.chunks_mut(400) {
            let ids: Vec<i64> = chunk.iter().map(|t| t.task_id).collect();
            let mut sql =
                Sql::new("select task_id, name, org_id from task_unit where task_id in (");
            sql.bind_ints(&ids);
            sql.push(") order by task_id, position");
            for row in sql.query().fetch_all(&self.read).await? {
                let id: i64 = row.try_get("task_id")?;
                if let Some(task) = chunk.iter_mut().find(|t| t.task_id == id) {
                    task.units.push(TaskUnit {
                        name: row.try_get("name")?,
                        org_id: row.try_get("org_id")?,
                    });
                }
            }
        }
        Ok(())
    }

    /// The plan of a task the caller sees, and whether the caller sees it as the issuer.
    pub(crate) async fn visible_task(
        &self,
        scope: &Scope,
        task_id: i64,
    ) -> StoreResult<(i64, bool)> {
        let mut sql = Sql::new("select t.plan_id, ");
        push_full_access(scope, &mut sql);
        sql.push(" from task t join plan p on p.plan_id = t.plan_id where t.task_id = ")
            .bind_int(task_id);
        filter_task(scope, &mut sql);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((
            row.try_get("plan_id")?,
            row.try_get::<i64, _>("full_access")? != 0,
        ))
    }

    /// Changes a task of a plan whose issuer is in scope. A responsible unit reports progress
    /// instead (`report_progress`) and gets `Forbidden` here.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn update_task(
        &self,
        scope: &Scope,
        task_id: i64,
        patch: &TaskPatch,
        today: NaiveDate,
    ) -> StoreResult<Task> {
        let old = self.task(scope, task_id, today).await?;
        if !scope.can_write() || !old.full_access {
            return Err(StoreError::Forbidden);
        }
        let mut changes = Map::new();
        let mut sets: Vec<(&str, Bind)> = Vec::new();
        let stored_status: String = sqlx::query("select status from task where task_id = $1")
            .bind(task_id)
            .fetch_one(&self.read)
            .await?
            .try_get("status")?;
        if let Some(status) = patch.status.filter(|s| s.code() != stored_status) {
            if status == TaskStatus::Cancelled {
                let reason = patch
                    .cancel_reason
                    .as_deref()
                    .and_then(clean)
                    .ok_or_else(|| {
                        StoreError::Invalid(
                            "取消任务须说明原因 / cancelling a task needs a reason".into(),
                        )
                    })?;
                changes.insert("cancel_reason".into(), json!([null, reason]));
                sets.push(("cancel_reason", Bind::OptText(Some(reason))));
            }
            changes.insert("status".into(), json!([stored_status, status.code()]));
            sets.push(("status", Bind::Text(status.code().into())));
        }
        if let Some(text) = &patch.text {
            let text = clean(text).ok_or_else(|| {
                StoreError::Invalid("任务内容不能为空 / the task needs a text".into())
            })?;
            if text != old.text {
                changes.insert("text".into(), json!([old.text, text]));
                sets.push(("text", Bind::Text(text)));
            }
        }
        for (field, new, old) in [
            ("measures", &patch.measures, &old.measures),
            ("co_departments", &patch.co_departments, &old.co_departments),
        ] {
            if let Some(new) = new {
                let new = cleaned(new);
                if &new != old {
                    changes.insert(field.into(), json!([old, new]));
                    sets.push((field, Bind::Text(json!(new).to_string())));
                }
            }
        }
        let new_units = match &patch.units {
            Some(units) => {
                let new = cleaned(units);
                let before: Vec<String> = old.units.iter().map(|u| u.name.clone()).collect();
                (new != before).then(|| {
                    changes.insert("units".into(), json!([before, new]));
                    new
                })
            }
            None => None,
        };
        if let Some(phrase) = &patch.deadline {
            let phrase = phrase.trim();
            if phrase != old.deadline.input {
                let year: i64 = sqlx::query("select year from plan where plan_id = $1")
                    .bind(old.plan_id)
                    .fetch_one(&self.read)
                    .await?
                    .try_get("year")?;
                let deadline = parse_deadline(phrase, i32::try_from(year).ok());
                changes.insert("deadline".into(), json!([old.deadline.input, phrase]));
                sets.push(("first_due", Bind::OptText(first_due(&deadline))));
                sets.push((
                    "deadline",
                    Bind::Text(
                        serde_json::to_string(&deadline)
                            .map_err(|e| StoreError::Other(e.to_string()))?,
                    ),
                ));
                sets.push(("deadline_inherited", Bind::Int(0)));
                // An overdue task whose new deadline has not passed is open again.
                if stored_status == "overdue" && patch.status.is_none() {
                    let reopened = if old.percent > 0 {
                        "in_progress"
                    } else {
                        "not_started"
                    };
                    sets.push(("status", Bind::Text(reopened.into())));
                }
            }
        }
        for (field, new, old) in [
            ("leader", &patch.leader, &old.leader),
            ("department", &patch.department, &old.department),
        ] {
            if let Some(new) = new {
                let new = clean(new);
                if &new != old {
                    changes.insert(field.into(), json!([old, new]));
                    sets.push((field, Bind::OptText(new)));
                }
            }
        }
        if sets.is_empty() && new_units.is_none() {
            return Ok(old);
        }
        let mut sql = Sql::new("update task set updated_at = ");
        sql.bind_int(now_ms());
        for (column, value) in sets {
            sql.push(", ").push(column).push(" = ").bind(value);
        }
        sql.push(" where task_id = ").bind_int(task_id);
        let mut tx = self.write.begin().await?;
        sql.query().execute(&mut *tx).await?;
        if let Some(units) = &new_units {
            let path = issuer_path(&mut *tx, old.plan_id).await?;
            sqlx::query("delete from task_unit where task_id = $1")
                .bind(task_id)
                .execute(&mut *tx)
                .await?;
            for (i, name) in units.iter().enumerate() {
                let org = self.unit_org(&mut tx, &path, name, true).await?;
                sqlx::query(
                    "insert into task_unit (task_id, position, name, org_id) values ($1, $2, $3, $4)",
                )
                .bind(task_id)
                .bind(i as i64)
                .bind(name)
                .bind(org)
                .execute(&mut *tx)
                .await?;
            }
        }
        let changes = Value::Object(changes).to_string();
        sqlx::query(
            "insert into task_change (task_id, changed_at, account, changes) values ($1, $2, $3, $4)",
        )
        .bind(task_id)
        .bind(now_ms())
        .bind(scope.actor().username.clone())
        .bind(&changes)
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "task.update",
            &format!("task:{task_id}"),
            Outcome::Ok,
            &changes,
        )
        .await?;
        tx.commit().await?;
        self.task(scope, task_id, today).await
    }

    /// The changes made to a task by its issuer, newest first.
    pub async fn task_changes(
        &self,
        scope: &Scope,
        task_id: i64,
    ) -> StoreResult<Vec<TaskHistoryEntry>> {
        self.visible_task(scope, task_id).await?;
        let rows = sqlx::query(
            "select changed_at, account, changes from task_change where task_id = $1 \
             order by task_change_id desc",
        )
        .bind(task_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let changes: String = r.try_get("changes")?;
                Ok(TaskHistoryEntry {
                    changed_at: r.try_get("changed_at")?,
                    account: r.try_get("account")?,
                    changes: serde_json::from_str(&changes).unwrap_or(Value::Null),
                })
            })
            .collect()
    }

    /// Links a task to the higher task it carries out (`None` unlinks). The caller must hold the
    /// task's plan as its issuer and see the higher task, whose issuer must be above.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn link_task(
        &self,
        scope: &Scope,
        task_id: i64,
        implements: Option<i64>,
    ) -> StoreResult<()> {
        let (plan_id, full) = self.visible_task(scope, task_id).await?;
        if !scope.can_write() || !full {
            return Err(StoreError::Forbidden);
        }
        if let Some(higher) = implements {
            let path = issuer_path(&self.read, plan_id).await?;
            self.check_cascade(scope, "task", higher, &path).await?;
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("update task set implements_task_id = $1, updated_at = $2 where task_id = $3")
            .bind(implements)
            .bind(now_ms())
            .bind(task_id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "task.link",
            &format!("task:{task_id}"),
            Outcome::Ok,
            &format!(
                "implements={}",
                implements.map(|i| i.to_string()).unwrap_or_default()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
