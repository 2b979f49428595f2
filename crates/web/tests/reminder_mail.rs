//! Reminder e-mail, on both databases, through a tiny SMTP server written here (plain text on
//! loopback, `tls = "none"`): a reminder arrives once per account and event, with the task's
//! number and text in the encoded subject and body; a later round, or a restarted sender, does
//! not send it again; a refused mail is retried next round; accounts without an address, or
//! disabled, get none. The account page sets the address, checked before it is saved.

mod common;
#[path = "common/workplan.rs"]
mod workplan;

use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::NaiveDate;
use common::TestApp;
use kexie_domain::email::Email;
use kexie_domain::role::Role;
use kexie_store::{Actor, Backend, NewTask};
use kexie_web::reminders::{reminder_round, Mailer, SmtpSettings, SmtpTls};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use workplan::{one_task_plan, task};

on_both_databases!(
    a_reminder_is_mailed_once_per_account_and_event,
    a_refused_mail_is_retried_next_round,
    the_account_page_sets_a_checked_address,
);

/// One mail as the sink received it.
#[derive(Debug, Clone)]
struct Received {
    recipients: Vec<String>,
    data: String,
}

/// A mail server that speaks just enough SMTP; `refuse_rcpt` answers RCPT with a temporary
/// failure.
struct Sink {
    port: u16,
    mails: Arc<Mutex<Vec<Received>>>,
}

async fn sink(refuse_rcpt: bool) -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut recipients = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "MAIL" => b"250 ok\r\n",
                        "RCPT" if refuse_rcpt => b"451 try again later\r\n",
                        "RCPT" => {
                            recipients.push(line[8..].trim().to_string());
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            write.write_all(b"354 go on\r\n").await.unwrap();
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            store.lock().unwrap().push(Received {
                                recipients: std::mem::take(&mut recipients),
                                data,
                            });
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    Sink { port, mails }
}

impl Sink {
    fn mailer(&self) -> Mailer {
        Mailer::new(&SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Kexie 督办 <kexie@example.org>".into(),
        })
        .unwrap()
    }

    fn mails(&self) -> Vec<Received> {
        self.mails.lock().unwrap().clone()
    }
}

/// The subject, its RFC 2047 encoded words decoded.
fn subject(data: &str) -> String {
    let mut header = String::new();
    let mut inside = false;
    for line in data.lines() {
        if let Some(rest) = line.strip_prefix("Subject:") {
            header.push_str(rest.trim());
            inside = true;
        } else if inside && line.starts_with([' ', '\t']) {
            header.push(' ');
            header.push_str(line.trim());
        } else {
            inside = false;
        }
    }
    let mut bytes = Vec::new();
    for word in header.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        match lower
            .strip_prefix("=?utf-8?b?")
            .and_then(|_| word.get(10..word.len() - 2))
        {
            Some(b64) => bytes.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
            ),
            None => bytes.extend(word.as_bytes()),
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// The body, its base64 decoded.
fn body(data: &str) -> String {
    let (_, encoded) = data.split_once("\n\n").unwrap();
    let joined: String = encoded.split_whitespace().collect();
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap(),
    )
    .unwrap()
}

const TASK_TEXT: &str = "建强基层组织，扩大有效覆盖。";

/// A city with a plan of one task due 2017-10-31 and three accounts: one with an address, one
/// without, one disabled with an address. Returns the address that should get mail.
async fn city_with_a_task(app: &TestApp) -> &'static str {
    let store = app.store();
    let city = app.org("C", "市科协", None, "230100000000").await;
    let with = app.account("city.staff", Role::OrgStaff, Some(city)).await;
    app.account("city.viewer", Role::OrgViewer, Some(city))
        .await;
    let disabled = app.account("city.gone", Role::OrgStaff, Some(city)).await;
    let actor = Actor::local("test");
    let address = "staff@city.example.cn";
    store
        .set_account_email(with, Some(&Email::parse(address).unwrap()), &actor)
        .await
        .unwrap();
    store
        .set_account_email(
            disabled,
            Some(&Email::parse("gone@city.example.cn").unwrap()),
            &actor,
        )
        .await
        .unwrap();
    store
        .set_account_disabled(disabled, true, &actor)
        .await
        .unwrap();
    let task = NewTask {
        number: "3".into(),
        measures: vec!["制定基层组织建设办法。".into()],
        department: Some("组织部".into()),
        ..task(TASK_TEXT, "2017年10月底前", &[])
    };
    one_task_plan(app, city, task).await;
    address
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn a_reminder_is_mailed_once_per_account_and_event(backend: Backend) {
    let app = TestApp::start(backend).await;
    let address = city_with_a_task(&app).await;
    let sink = sink(false).await;
    let store = app.store();

    // Three days before the date: a "due soon" reminder, mailed to the one address.
    let round = reminder_round(store, Some(&sink.mailer()), day("2017-10-28")).await;
    assert_eq!((round.sent, round.failed), (1, 0));
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipients, vec![format!("<{address}>")]);
    let subject_text = subject(&mails[0].data);
    assert!(
        subject_text.contains("任务（3）") && subject_text.contains("即将到期"),
        "{subject_text}"
    );
    assert!(subject_text.contains("建强基层组织"), "{subject_text}");
    let body_text = body(&mails[0].data);
    assert!(body_text.contains(TASK_TEXT), "{body_text}");
    assert!(body_text.contains("2017-10-31"), "{body_text}");
    assert!(body_text.contains("市科协改革任务分工"), "{body_text}");

    // The next round, and a sender started afresh (a restart), send nothing again.
    let again = reminder_round(store, Some(&sink.mailer()), day("2017-10-29")).await;
    assert_eq!(again.sent, 0);
    let restarted = reminder_round(store, Some(&sink.mailer()), day("2017-10-29")).await;
    assert_eq!(restarted.sent, 0);
    assert_eq!(sink.mails().len(), 1);

    // Once the date passed, "overdue" is a new event: one more mail.
    let late = reminder_round(store, Some(&sink.mailer()), day("2017-11-01")).await;
    assert_eq!(late.sent, 1);
    let mails = sink.mails();
    assert_eq!(mails.len(), 2);
    assert!(subject(&mails[1].data).contains("已逾期"));

    // Without a mailer the round still writes the in-app reminders, and sends nothing.
    let off = reminder_round(store, None, day("2017-11-02")).await;
    assert_eq!(off.sent, 0);
    assert_eq!(sink.mails().len(), 2);
}

async fn a_refused_mail_is_retried_next_round(backend: Backend) {
    let app = TestApp::start(backend).await;
    city_with_a_task(&app).await;
    let refusing = sink(true).await;
    let store = app.store();

    let round = reminder_round(store, Some(&refusing.mailer()), day("2017-10-28")).await;
    assert_eq!((round.sent, round.failed), (0, 1));
    assert!(refusing.mails().is_empty());

    let working = sink(false).await;
    let retry = reminder_round(store, Some(&working.mailer()), day("2017-10-28")).await;
    assert_eq!((retry.sent, retry.failed), (1, 0));
    assert_eq!(working.mails().len(), 1);
    let once_more = reminder_round(store, Some(&working.mailer()), day("2017-10-28")).await;
    assert_eq!(once_more.sent, 0);
}

async fn the_account_page_sets_a_checked_address(backend: Backend) {
    let app = TestApp::start(backend).await;
    let city = app.org("C", "市科协", None, "230100000000").await;
    let browser = app
        .signed_in("city.staff", Role::OrgStaff, Some(city))
        .await;
    let csrf = browser.csrf("/account").await;

    let refused = browser
        .post_form("/account/email", &csrf, &[("email", "staff at city")])
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("电子邮箱"), "{html}");

    let saved = browser
        .post_form(
            "/account/email",
            &csrf,
            &[("email", " Staff@City.Example.CN ")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let page = browser.get("/account").await.text().await.unwrap();
    assert!(page.contains("Staff@city.example.cn"), "{page}");
    let id = app
        .store()
        .account_by_username("city.staff")
        .await
        .unwrap()
        .account_id;
    assert_eq!(
        app.store().account_email(id).await.unwrap().as_deref(),
        Some("Staff@city.example.cn")
    );

    let cleared = browser
        .post_form("/account/email", &csrf, &[("email", "")])
        .await;
    assert_eq!(cleared.status(), 303);
    assert_eq!(app.store().account_email(id).await.unwrap(), None);
}
