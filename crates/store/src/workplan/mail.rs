//! Reminder e-mail: the outbox of in-app reminders that also go out by mail.
//!
//! A reminder (`notification`) belongs to an organisation; its mail goes to each enabled
//! organisation account of that organisation that has an e-mail address. Each pair of reminder
//! and account is mailed once: the sender claims the pair (a row in `notification_mail`) before
//! it talks to the mail server and marks it sent afterwards, so a restart or a second node never
//! sends it again. A failed send gives the claim back and the next round retries; a claim left
//! by a node that died mid-send is taken over after `STALE_CLAIM_MS`.

use serde::Serialize;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};

use crate::audit::Outcome;
use crate::{now_ms, Actor, Store, StoreResult};

/// A claim older than this without a sent mark belongs to a sender that stopped: retry it.
const STALE_CLAIM_MS: i64 = 15 * 60 * 1000;

/// Reminders older than this are not mailed (an address added today does not bring a flood of
/// last month's reminders).
const MAIL_WITHIN_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// One reminder mail to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderMail {
    pub notification_id: i64,
    pub account_id: i64,
    /// The address, as validated when it was saved.
    pub email: String,
    pub display_name: Option<String>,
    /// `overdue` or `due_soon`.
    pub kind: String,
    /// The date concerned, `YYYY-MM-DD`.
    pub due_on: String,
    pub task_id: i64,
    pub task_number: String,
    pub task_text: String,
    pub plan_title: String,
    /// The in-app message.
    pub message: String,
}

fn system() -> Actor {
    Actor::local("system:reminders")
}

impl Store {
    /// Claims up to `limit` reminder mails not yet sent (or whose sender stopped), for reminders
    /// of the last week about tasks still open. The caller sends each and reports back with
    /// `reminder_mail_sent` or `reminder_mail_failed`.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn claim_reminder_mail(&self, limit: i64) -> StoreResult<Vec<ReminderMail>> {
        let now = now_ms();
        let rows = sqlx::query(
            "select n.notification_id, a.account_id, a.email, a.display_name, n.kind, n.due_on, \
             n.message, t.task_id, t.number, t.text, p.title, m.claimed_at \
             from notification n \
             join account a on a.org_id = n.org_id \
             join task t on t.task_id = n.task_id \
             join plan p on p.plan_id = t.plan_id \
             left join notification_mail m on m.notification_id = n.notification_id \
               and m.account_id = a.account_id \
             where n.created_at >= $1 and a.email is not null and a.disabled = 0 \
             and a.role in ('org_admin', 'org_staff', 'org_viewer') \
             and t.status not in ('done', 'cancelled') \
             and (m.notification_id is null or (m.sent_at is null and m.claimed_at < $2)) \
             order by n.notification_id, a.account_id limit $3",
        )
        .bind(now - MAIL_WITHIN_MS)
        .bind(now - STALE_CLAIM_MS)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.read)
        .await?;
        let mut claimed = Vec::new();
        let mut tx = self.write.begin().await?;
        for row in rows {
            let notification_id: i64 = row.try_get("notification_id")?;
            let account_id: i64 = row.try_get("account_id")?;
            let stale: Option<i64> = row.try_get("claimed_at")?;
            // Another node may claim the same pair at the same moment: only the one whose write
            // changes a row sends.
            let won = match stale {
                None => sqlx::query(
                    "insert into notification_mail (notification_id, account_id, claimed_at) \
                     values ($1, $2, $3) on conflict do nothing",
                )
                .bind(notification_id)
                .bind(account_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                Some(old) => sqlx::query(
                    "update notification_mail set claimed_at = $1 where notification_id = $2 \
                     and account_id = $3 and sent_at is null and claimed_at = $4",
                )
                .bind(now)
                .bind(notification_id)
                .bind(account_id)
                .bind(old)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            };
            if won == 0 {
                continue;
            }
            claimed.push(ReminderMail {
                notification_id,
                account_id,
                email: row.try_get("email")?,
                display_name: row.try_get("display_name")?,
                kind: row.try_get("kind")?,
                due_on: row.try_get("due_on")?,
                task_id: row.try_get("task_id")?,
                task_number: row.try_get("number")?,
                task_text: row.try_get("text")?,
                plan_title: row.try_get("title")?,
                message: row.try_get("message")?,
            });
        }
        if !claimed.is_empty() {
            self.audit_in(
                &mut tx,
                &system(),
                "notification.mail_claim",
                "notification_mail",
                Outcome::Ok,
                &format!("count={}", claimed.len()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records that the mail server took a reminder mail.
    pub async fn reminder_mail_sent(&self, mail: &ReminderMail) -> StoreResult<()> {
        let sent = sqlx::query(
            "update notification_mail set sent_at = $1 where notification_id = $2 \
             and account_id = $3",
        )
        .bind(now_ms());
        self.settle_mail(mail, sent, Outcome::Ok).await
    }

    /// Gives a claim back after a failed send, so that the next round tries again.
    pub async fn reminder_mail_failed(&self, mail: &ReminderMail) -> StoreResult<()> {
        let released = sqlx::query(
            "delete from notification_mail where notification_id = $1 and account_id = $2 \
             and sent_at is null",
        );
        self.settle_mail(mail, released, Outcome::Failed).await
    }

    /// Ends a claim with `query` (its last two parameters the reminder and the account) and
    /// audits the outcome, in one transaction.
    async fn settle_mail<'q>(
        &self,
        mail: &ReminderMail,
        query: Query<'q, Any, AnyArguments<'q>>,
        outcome: Outcome,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        query
            .bind(mail.notification_id)
            .bind(mail.account_id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(
            &mut tx,
            &system(),
            "notification.mail",
            &format!("task:{}", mail.task_id),
            outcome,
            &format!(
                "notification={} account={} kind={}",
                mail.notification_id, mail.account_id, mail.kind
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
