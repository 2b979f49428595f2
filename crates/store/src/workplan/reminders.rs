//! Reminders: once a day, open tasks whose date has passed become overdue (with an audit
//! record each), and the issuer and the responsible units get an in-app notification for every
//! task that is overdue or due within a week. Those reminders are mailed by `mail.rs`'s outbox
//! when the server has SMTP configured (the web's reminder loop).
//!
//! The run is idempotent: a task is moved once, a notification is written once per
//! organisation, task, kind and date, so two nodes running it on the same day do no harm.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::Outcome;
use crate::sql::Sql;
use crate::{now_ms, Account, Actor, Scope, Store, StoreError, StoreResult};

/// How many days before a date a reminder comes.
pub const REMIND_DAYS: i64 = 7;

const META_KEY: &str = "workplan.reminded_on";

/// What a reminder run did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReminderRun {
    pub today: String,
    /// Tasks moved to overdue.
    pub overdue: usize,
    /// Notifications written.
    pub notified: usize,
}

/// An in-app notification for an organisation's accounts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub notification_id: i64,
    pub task_id: i64,
    /// `overdue` or `due_soon`.
    pub kind: String,
    /// The date concerned, `YYYY-MM-DD`.
    pub due_on: String,
    pub message: String,
    pub created_at: i64,
    pub read: bool,
}

/// A task a reminder is about.
struct Due {
    task_id: i64,
    due_on: String,
    number: String,
    text: String,
    plan_title: String,
    issuer: i64,
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(30).collect();
    if text.chars().count() > 30 {
        s.push('…');
    }
    s
}

impl Store {
    /// Moves open tasks whose first date lies before `today` to overdue and writes the
    /// notifications of the day, for plans whose issuer is in scope.
    #[tracing::instrument(skip(self, scope), err(level = "info"))]
    pub async fn run_reminders(&self, scope: &Scope, today: NaiveDate) -> StoreResult<ReminderRun> {
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let today_text = today.to_string();
        let soon = (today + Duration::days(REMIND_DAYS)).to_string();
        let select = |condition: &str, from: &str, to: Option<&str>| {
            let mut sql = Sql::new(
                "select t.task_id, t.first_due, t.number, t.text, p.title, p.org_id from task t \
                 join plan p on p.plan_id = t.plan_id join org o on o.org_id = p.org_id \
                 where t.status in ('not_started', 'in_progress', 'at_risk') and ",
            );
            sql.push(condition).bind_text(from);
            if let Some(to) = to {
                sql.push(" and t.first_due <= ").bind_text(to);
            }
            scope.filter_org(&mut sql, "o.path");
            sql.push(" order by t.task_id");
            sql
        };
        let read = |sql: Sql| async move {
            let rows = sql.query().fetch_all(&self.read).await?;
            rows.iter()
                .map(|r| {
                    Ok(Due {
                        task_id: r.try_get("task_id")?,
                        due_on: r.try_get("first_due")?,
                        number: r.try_get("number")?,
                        text: r.try_get("text")?,
                        plan_title: r.try_get("title")?,
                        issuer: r.try_get("org_id")?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()
        };
        let late = read(select("t.first_due < ", &today_text, None)).await?;
        let coming = read(select("t.first_due >= ", &today_text, Some(&soon))).await?;
        let mut tx = self.write.begin().await?;
        let mut overdue = 0;
        let mut notified = 0;
        for due in &late {
            let moved = sqlx::query(
                "update task set status = 'overdue', updated_at = $1 where task_id = $2 \
                 and status in ('not_started', 'in_progress', 'at_risk')",
            )
            .bind(now_ms())
            .bind(due.task_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                continue;
            }
            overdue += 1;
            self.audit_in(
                &mut tx,
                scope.actor(),
                "task.overdue",
                &format!("task:{}", due.task_id),
                Outcome::Ok,
                &format!("due={} today={today_text}", due.due_on),
            )
            .await?;
            let message = format!(
                "《{}》任务（{}）{} 已逾期：应于 {} 前完成",
                due.plan_title,
                due.number,
                short(&due.text),
                due.due_on
            );
            notified += self.notify(&mut tx, due, "overdue", &message).await?;
        }
        for due in &coming {
            let message = format!(
                "《{}》任务（{}）{} 将于 {} 到期",
                due.plan_title,
                due.number,
                short(&due.text),
                due.due_on
            );
            notified += self.notify(&mut tx, due, "due_soon", &message).await?;
        }
        if notified > 0 {
            self.audit_in(
                &mut tx,
                scope.actor(),
                "notification.create",
                "notification",
                Outcome::Ok,
                &format!("count={notified} today={today_text}"),
            )
            .await?;
        }
        sqlx::query(
            "insert into kexie_meta (key, value) values ($1, $2) \
             on conflict (key) do update set value = excluded.value",
        )
        .bind(META_KEY)
        .bind(&today_text)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ReminderRun {
            today: today_text,
            overdue,
            notified,
        })
    }

    /// Notifies the issuer and the task's linked units, once each.
    async fn notify(
        &self,
        tx: &mut AnyConnection,
        due: &Due,
        kind: &str,
        message: &str,
    ) -> StoreResult<usize> {
        let units = sqlx::query(
            "select distinct org_id from task_unit where task_id = $1 and org_id is not null",
        )
        .bind(due.task_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut orgs = vec![due.issuer];
        for row in units {
            let org: i64 = row.try_get("org_id")?;
            if !orgs.contains(&org) {
                orgs.push(org);
            }
        }
        let mut written = 0;
        for org in orgs {
            written += sqlx::query(
                "insert into notification (org_id, task_id, kind, due_on, message, created_at) \
                 values ($1, $2, $3, $4, $5, $6) on conflict do nothing",
            )
            .bind(org)
            .bind(due.task_id)
            .bind(kind)
            .bind(&due.due_on)
            .bind(message)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        Ok(written)
    }

    /// Runs the day's reminders for every plan unless they ran today already: each node's
    /// reminder loop calls it, and so does every page view that counts an account's
    /// notifications (the first view of a day need not wait for the loop). After the first
    /// call of a day this process answers from memory.
    pub async fn ensure_reminders(&self, today: NaiveDate) -> StoreResult<()> {
        let ran = || {
            let mut day = self
                .remembered
                .reminded_on
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            *day = (*day).max(Some(today));
        };
        let known = *self
            .remembered
            .reminded_on
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if known.is_some_and(|day| day >= today) {
            return Ok(());
        }
        let last: Option<String> = sqlx::query("select value from kexie_meta where key = $1")
            .bind(META_KEY)
            .fetch_optional(&self.read)
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        if last
            .as_deref()
            .is_some_and(|l| l >= today.to_string().as_str())
        {
            ran();
            return Ok(());
        }
        let scope = Scope::everything().acting_as(Actor::local("system:reminders"));
        self.run_reminders(&scope, today).await?;
        ran();
        Ok(())
    }

    /// Unread notifications of the account's organisation (0 for accounts without one).
    pub async fn unread_notifications(&self, scope: &Scope, account: &Account) -> StoreResult<i64> {
        let Some(org_id) = account.org_id else {
            return Ok(0);
        };
        let mut sql = Sql::new(
            "select count(*) as n from notification n join org o on o.org_id = n.org_id \
             where n.org_id = ",
        );
        sql.bind_int(org_id)
            .push(
                " and not exists (select 1 from notification_read r \
                 where r.notification_id = n.notification_id and r.account_id = ",
            )
            .bind_int(account.account_id)
            .push(")");
        scope.filter_org(&mut sql, "o.path");
        Ok(sql.query().fetch_one(&self.read).await?.try_get("n")?)
    }

    /// The newest notifications of the account's organisation, with whether the account read
    /// each.
    pub async fn notifications(
        &self,
        scope: &Scope,
        account: &Account,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        let Some(org_id) = account.org_id else {
            return Ok(Vec::new());
        };
        let mut sql = Sql::new(
            "select n.notification_id, n.task_id, n.kind, n.due_on, n.message, n.created_at, \
             (case when exists (select 1 from notification_read r where \
             r.notification_id = n.notification_id and r.account_id = ",
        );
        sql.bind_int(account.account_id)
            .push(
                ") then 1 else 0 end) as is_read from notification n \
                 join org o on o.org_id = n.org_id where n.org_id = ",
            )
            .bind_int(org_id);
        scope.filter_org(&mut sql, "o.path");
        sql.push(" order by n.notification_id desc limit ")
            .bind_int(limit.clamp(1, 500));
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(Notification {
                    notification_id: r.try_get("notification_id")?,
                    task_id: r.try_get("task_id")?,
                    kind: r.try_get("kind")?,
                    due_on: r.try_get("due_on")?,
                    message: r.try_get("message")?,
                    created_at: r.try_get("created_at")?,
                    read: r.try_get::<i64, _>("is_read")? != 0,
                })
            })
            .collect()
    }

    /// Marks every notification of the account's organisation read for the account.
    pub async fn mark_notifications_read(
        &self,
        scope: &Scope,
        account: &Account,
    ) -> StoreResult<u64> {
        let Some(org_id) = account.org_id else {
            return Ok(0);
        };
        self.org(scope, org_id).await?;
        let mut tx = self.write.begin().await?;
        let marked = sqlx::query(
            "insert into notification_read (notification_id, account_id, read_at) \
             select n.notification_id, $1, $2 from notification n where n.org_id = $3 \
             and not exists (select 1 from notification_read r \
             where r.notification_id = n.notification_id and r.account_id = $1)",
        )
        .bind(account.account_id)
        .bind(now_ms())
        .bind(org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked > 0 {
            self.audit_in(
                &mut tx,
                scope.actor(),
                "notification.read",
                &format!("org:{org_id}"),
                Outcome::Ok,
                &format!("count={marked}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(marked)
    }
}
