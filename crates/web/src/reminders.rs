//! The reminder loop of a `kexie serve` node: every round it runs the day's reminders (open
//! tasks past their date become overdue, in-app reminders are written) and, when SMTP is
//! configured, mails each new reminder to the accounts that see it in the app and have an
//! e-mail address. Mail never goes out inside a request.
//!
//! The store keeps the outbox (`claim_reminder_mail`): each reminder is mailed once per account,
//! across restarts and nodes; a failed send is logged without addresses or names and tried again
//! next round.

use std::time::Duration;

use chrono::NaiveDate;
use kexie_store::{ReminderMail, Store};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::person_input::beijing_today;

/// How a connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same machine or in tests.
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587); refuses a server without it.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpTls {
    /// `none`, `starttls` or `tls`, as written in `kexie.toml`.
    pub fn parse(text: &str) -> Option<SmtpTls> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }
}

/// Where and how reminder mail is sent.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, `address` or `Name <address>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .finish()
    }
}

/// A ready connection description to the mail server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Waiting for a mail server that does not answer holds a round this long at most.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Mails claimed per round: the rest wait for the next round.
const MAILS_PER_ROUND: i64 = 200;

impl SmtpSettings {
    /// What can be checked without building a connection: a sender address and a host. The
    /// configuration checks this when it is read; `kexie serve` builds the transport once.
    pub fn check(&self) -> Result<Mailbox, String> {
        let from: Mailbox = self.from.trim().parse().map_err(|e| {
            format!("smtp.from 不是有效的发件地址 / smtp.from is not a valid sender address: {e}")
        })?;
        if self.host.trim().is_empty() {
            return Err("smtp.host 不能为空 / smtp.host is empty".into());
        }
        Ok(from)
    }
}

impl Mailer {
    /// Checks the settings (sender address, TLS set-up) without connecting.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, String> {
        let from = settings.check()?;
        let host = settings.host.trim();
        let builder = match settings.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| format!("smtp：无法设置 STARTTLS / cannot set up STARTTLS: {e}"))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| format!("smtp：无法设置 TLS / cannot set up TLS: {e}"))?,
        };
        let mut builder = builder.port(settings.port).timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = settings.username.as_deref().filter(|u| !u.is_empty()) {
            let password = settings.password.clone().unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.to_string(), password));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one reminder.
    async fn send(&self, mail: &ReminderMail) -> Result<(), String> {
        let to_address = mail
            .email
            .parse()
            .map_err(|e| format!("stored address does not parse: {e}"))?;
        let to = Mailbox::new(mail.display_name.clone(), to_address);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject(mail))
            .singlepart(
                SinglePart::builder().header(ContentType::TEXT_PLAIN).body(
                    Body::new_with_encoding(body(mail), ContentTransferEncoding::Base64)
                        .map_err(|_| "body encoding".to_string())?,
                ),
            )
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// `【督办提醒】任务（3）已逾期：…` — the task's number and the start of its text.
fn subject(mail: &ReminderMail) -> String {
    let what = match mail.kind.as_str() {
        "overdue" => "已逾期",
        _ => "即将到期",
    };
    let short: String = mail.task_text.chars().take(40).collect();
    let more = if mail.task_text.chars().count() > 40 {
        "…"
    } else {
        ""
    };
    format!(
        "【督办提醒】任务（{}）{what}：{short}{more}",
        mail.task_number
    )
}

fn body(mail: &ReminderMail) -> String {
    let (zh, en) = match mail.kind.as_str() {
        "overdue" => ("应完成日期", "was due on"),
        _ => ("到期日期", "is due on"),
    };
    format!(
        "{message}\n\n计划：《{plan}》\n任务（{number}）：{text}\n{zh}：{due}\n\n\
         请登录 Kexie 查看任务并报送进展（任务编号 #{id}，路径 /tasks/{id}）。\n\
         Task ({number}) of \"{plan}\" {en} {due}. Sign in to Kexie to report progress \
         (task #{id}).\n\n此邮件由系统自动发送，请勿直接回复。\n",
        message = mail.message,
        plan = mail.plan_title,
        number = mail.task_number,
        text = mail.task_text,
        due = mail.due_on,
        id = mail.task_id,
    )
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub sent: usize,
    pub failed: usize,
}

/// One round: the day's reminders, then the mail of reminders not yet mailed. Errors are logged
/// (without personal data) and leave the rest for the next round.
pub async fn reminder_round(
    store: &Store,
    mailer: Option<&Mailer>,
    today: NaiveDate,
) -> RoundReport {
    let mut report = RoundReport::default();
    if let Err(e) = store.ensure_reminders(today).await {
        tracing::warn!(error = %e, "reminders did not run");
    }
    let Some(mailer) = mailer else {
        return report;
    };
    let due = match store.claim_reminder_mail(MAILS_PER_ROUND).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "reminder mail not claimed");
            return report;
        }
    };
    for mail in &due {
        match mailer.send(mail).await {
            Ok(()) => {
                report.sent += 1;
                if let Err(e) = store.reminder_mail_sent(mail).await {
                    tracing::warn!(error = %e, notification = mail.notification_id,
                        "reminder mail sent but not recorded");
                }
            }
            Err(e) => {
                report.failed += 1;
                // The server's answer may quote the recipient: log only which reminder failed.
                let kind = e.split(':').next().unwrap_or_default().to_string();
                tracing::warn!(notification = mail.notification_id, account = mail.account_id,
                    error_kind = %kind, "reminder mail failed; retried next round");
                if let Err(e) = store.reminder_mail_failed(mail).await {
                    tracing::warn!(error = %e, "failed reminder mail not released");
                }
            }
        }
    }
    if report.sent > 0 || report.failed > 0 {
        tracing::info!(
            sent = report.sent,
            failed = report.failed,
            "reminder mail round"
        );
    }
    report
}

/// The running loop; dropping it stops the loop.
pub type ReminderLoop = crate::jobs::AbortOnDrop;

/// Starts the loop: a round now, then one every `every`. Says once whether mail is sent.
pub fn spawn_reminders(store: Store, mailer: Option<Mailer>, every: Duration) -> ReminderLoop {
    match &mailer {
        Some(_) => tracing::info!("reminder mail: on (SMTP configured)"),
        None => {
            tracing::info!("reminder mail: off (no [smtp] configured); reminders are in-app only")
        }
    }
    crate::jobs::AbortOnDrop(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            reminder_round(&store, mailer.as_ref(), beijing_today()).await;
        }
    }))
}
