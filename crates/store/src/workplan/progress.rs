//! Progress reports (进展报送): the issuer or a responsible unit says how far a task has come.
//! A report may carry files (`attachments.rs`), written in the report's transaction.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::attachments::{check_attachments, Attachment, NewAttachment};
use super::{clean, TaskStatus};
use crate::audit::Outcome;
use crate::sql::Sql;
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// A progress report to record.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub reported_on: NaiveDate,
    /// Who writes it (a name; the account is recorded apart).
    pub author: String,
    pub text: String,
    /// 0–100.
    pub percent: i64,
    /// `in_progress`, `at_risk` or `done`; without it 100% means done and anything above 0%
    /// starts a task not yet started.
    pub status: Option<TaskStatus>,
    /// The organisation reporting: the issuer or a responsible unit in scope. `None` takes the
    /// issuer for its staff and the caller's unit for a unit.
    pub org_id: Option<i64>,
    /// Files to attach (checked by content; none is written unless all pass).
    pub attachments: Vec<NewAttachment>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressReport {
    pub progress_report_id: i64,
    pub task_id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `YYYY-MM-DD`.
    pub reported_on: String,
    pub author: String,
    pub text: String,
    pub percent: i64,
    pub status: Option<String>,
    /// The account that entered it.
    pub account: String,
    pub attachments: Vec<Attachment>,
}

fn report_from_row(row: &AnyRow) -> StoreResult<ProgressReport> {
    Ok(ProgressReport {
        progress_report_id: row.try_get("progress_report_id")?,
        task_id: row.try_get("task_id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        reported_on: row.try_get("reported_on")?,
        author: row.try_get("author")?,
        text: row.try_get("text")?,
        percent: row.try_get("percent")?,
        status: row.try_get("status")?,
        account: row.try_get("account")?,
        attachments: Vec::new(),
    })
}

impl Store {
    /// The organisations that may report on a task for the caller: the issuer (when in scope)
    /// first, then the task's units in scope.
    pub async fn reporting_orgs(
        &self,
        scope: &Scope,
        task_id: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        let (plan_id, full) = self.visible_task(scope, task_id).await?;
        let mut out = Vec::new();
        if full {
            let row = sqlx::query(
                "select o.org_id, o.name from plan p join org o on o.org_id = p.org_id \
                 where p.plan_id = $1",
            )
            .bind(plan_id)
            .fetch_one(&self.read)
            .await?;
            out.push((row.try_get("org_id")?, row.try_get("name")?));
        }
        let mut sql = Sql::new(
            "select o.org_id, o.name from task_unit u join org o on o.org_id = u.org_id \
             where u.task_id = ",
        );
        sql.bind_int(task_id);
        scope.filter_org(&mut sql, "o.path");
        sql.push(" order by u.position");
        for row in sql.query().fetch_all(&self.read).await? {
            let id: i64 = row.try_get("org_id")?;
            if !out.iter().any(|(o, _)| *o == id) {
                out.push((id, row.try_get("name")?));
            }
        }
        Ok(out)
    }

    /// Records a progress report and moves the task's percent, last report date and status.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn report_progress(
        &self,
        scope: &Scope,
        task_id: i64,
        new: &NewReport,
        today: NaiveDate,
    ) -> StoreResult<ProgressReport> {
        let orgs = self.reporting_orgs(scope, task_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let org_id = match new.org_id {
            Some(id) if orgs.iter().any(|(o, _)| *o == id) => id,
            Some(_) => return Err(StoreError::NotFound),
            None => orgs.first().map(|(o, _)| *o).ok_or(StoreError::NotFound)?,
        };
        let text = clean(&new.text).ok_or_else(|| {
            StoreError::Invalid("进展情况不能为空 / the report needs a text".into())
        })?;
        let author = clean(&new.author).ok_or_else(|| {
            StoreError::Invalid("报送人不能为空 / the report needs an author".into())
        })?;
        if !(0..=100).contains(&new.percent) {
            return Err(StoreError::Invalid(
                "完成进度应在 0 到 100 之间 / percent must be 0 to 100".into(),
            ));
        }
        if new.reported_on > today {
            return Err(StoreError::Invalid(
                "报送日期不能晚于今天 / the report date cannot be in the future".into(),
            ));
        }
        if let Some(s) = new.status {
            if !matches!(
                s,
                TaskStatus::InProgress | TaskStatus::AtRisk | TaskStatus::Done
            ) {
                return Err(StoreError::Invalid(
                    "报送时只能标记为推进中、有风险或已完成 / a report may set in_progress, at_risk or done"
                        .into(),
                ));
            }
        }
        let media = check_attachments(&new.attachments)?;
        let row = sqlx::query("select status, last_report_on from task where task_id = $1")
            .bind(task_id)
            .fetch_one(&self.read)
            .await?;
        let stored: String = row.try_get("status")?;
        let last: Option<String> = row.try_get("last_report_on")?;
        if stored == "cancelled" {
            return Err(StoreError::Invalid(
                "任务已取消，无需报送 / the task is cancelled".into(),
            ));
        }
        let reported_on = new.reported_on.to_string();
        let latest = last.as_deref().is_none_or(|l| reported_on.as_str() >= l);
        let status = match new.status {
            Some(s) => s.code(),
            None if latest && new.percent == 100 => "done",
            None if stored == "not_started" && new.percent > 0 => "in_progress",
            None => stored.as_str(),
        };
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let report_id: i64 = sqlx::query(
            "insert into progress_report (task_id, org_id, reported_on, author, text, percent, \
             status, account, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             returning progress_report_id",
        )
        .bind(task_id)
        .bind(org_id)
        .bind(&reported_on)
        .bind(&author)
        .bind(&text)
        .bind(new.percent)
        .bind(new.status.map(|s| s.code().to_string()))
        .bind(scope.actor().username.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("progress_report_id")?;
        self.insert_attachments(&mut tx, report_id, &new.attachments, &media)
            .await?;
        if latest {
            sqlx::query(
                "update task set percent = $1, last_report_on = $2, status = $3, updated_at = $4 \
                 where task_id = $5",
            )
            .bind(new.percent)
            .bind(&reported_on)
            .bind(status)
            .bind(now)
            .bind(task_id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("update task set status = $1, updated_at = $2 where task_id = $3")
                .bind(status)
                .bind(now)
                .bind(task_id)
                .execute(&mut *tx)
                .await?;
        }
        self.audit_in(
            &mut tx,
            scope.actor(),
            "task.report",
            &format!("task:{task_id}"),
            Outcome::Ok,
            &format!(
                "report={report_id} org={org_id} percent={} status={status} files={}",
                new.percent,
                new.attachments.len()
            ),
        )
        .await?;
        tx.commit().await?;
        let mut reports = self.task_reports(scope, task_id).await?;
        reports.retain(|r| r.progress_report_id == report_id);
        reports.pop().ok_or(StoreError::NotFound)
    }

    /// A task's progress reports, newest first: all of them for the issuer, those of
    /// organisations in scope for a responsible unit.
    pub async fn task_reports(
        &self,
        scope: &Scope,
        task_id: i64,
    ) -> StoreResult<Vec<ProgressReport>> {
        let (_, full) = self.visible_task(scope, task_id).await?;
        let mut sql = Sql::new(
            "select r.progress_report_id, r.task_id, r.org_id, o.name as org_name, r.reported_on, \
             r.author, r.text, r.percent, r.status, r.account from progress_report r \
             join org o on o.org_id = r.org_id where r.task_id = ",
        );
        sql.bind_int(task_id);
        if !full {
            scope.filter_org(&mut sql, "o.path");
        }
        sql.push(" order by r.reported_on desc, r.progress_report_id desc");
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut reports = rows
            .iter()
            .map(report_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let ids: Vec<i64> = reports.iter().map(|r| r.progress_report_id).collect();
        for file in self.report_attachments(&ids).await? {
            if let Some(r) = reports
                .iter_mut()
                .find(|r| r.progress_report_id == file.progress_report_id)
            {
                r.attachments.push(file);
            }
        }
        Ok(reports)
    }
}
