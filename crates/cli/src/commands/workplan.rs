//! `kexie workplan …`: reading a deadline phrase, the daily reminder run (for cron), and a
//! plan's supervision figures.

use chrono::NaiveDate;
use kexie_domain::deadline::{parse_deadline, Deadline, DeadlineKind, Every};
use kexie_store::Scope;

use crate::cli::{Global, ParseDeadlineArgs, RemindArgs, SuperviseArgs, WorkplanCommand};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, cmd: WorkplanCommand) -> CmdResult {
    match cmd {
        WorkplanCommand::ParseDeadline(args) => parse(args),
        WorkplanCommand::Remind(args) => remind(global, args).await,
        WorkplanCommand::Supervise(args) => supervise(global, args).await,
    }
}

fn parse(args: ParseDeadlineArgs) -> CmdResult {
    if let Some(year) = args.plan_year {
        if !(1900..=2200).contains(&year) {
            return Err(Failure::Input(format!(
                "计划年度 {year} 无效 / invalid plan year"
            )));
        }
    }
    let deadline = parse_deadline(&args.text, args.plan_year);
    if args.json {
        return super::print_json(&deadline);
    }
    println!("{}", describe(&deadline));
    Ok(())
}

/// One readable line, Chinese first: "截止 2017-10-31 / due 2017-10-31；节点 / milestone …".
pub fn describe(d: &Deadline) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let every = |e: Option<Every>| match e {
        Some(Every::Year) => "每年 / every year",
        Some(Every::Quarter) => "每季度 / every quarter",
        Some(Every::Month) => "每月 / every month",
        None => "",
    };
    let mut line = match d.kind {
        DeadlineKind::Due => format!("截止 / due {}", date(d.due)),
        DeadlineKind::Recurring => {
            let mut s = every(d.every).to_string();
            if let Some(due) = d.due {
                s.push_str(&format!("，首次截止 / first due {due}"));
            }
            if let Some(start) = d.start {
                s.push_str(&format!("，自 / from {start}"));
            }
            s
        }
        DeadlineKind::Range => {
            let mut s = format!("{} 至 / to {}", date(d.start), date(d.end));
            if d.every.is_some() {
                s.push_str(&format!("，{}", every(d.every)));
            }
            s
        }
        DeadlineKind::Ongoing => match d.start {
            Some(start) => format!("长期，自 / ongoing from {start}"),
            None => "长期 / ongoing".into(),
        },
        DeadlineKind::Unknown => "无法识别日期 / no date understood".into(),
    };
    for m in &d.milestones {
        line.push_str(&format!("；节点 / milestone {} {}", m.due, m.text));
    }
    if let Some(c) = &d.condition {
        line.push_str(&format!("；条件 / condition: {c}"));
    }
    line
}

fn day(text: Option<&str>) -> Result<NaiveDate, Failure> {
    match text {
        Some(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
            Failure::Input(format!("日期须为 YYYY-MM-DD / dates are YYYY-MM-DD: {t}"))
        }),
        None => Ok(kexie_store::today()),
    }
}

async fn remind(global: &Global, args: RemindArgs) -> CmdResult {
    let today = day(args.today.as_deref())?;
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let scope = Scope::everything().acting_as(super::operator());
    let run = store.run_reminders(&scope, today).await;
    store.close().await;
    let run = run?;
    if args.json {
        return super::print_json(&run);
    }
    println!(
        "{}：转为逾期 {} 项，提醒 {} 条 / {}: {} tasks now overdue, {} notifications",
        run.today, run.overdue, run.notified, run.today, run.overdue, run.notified
    );
    Ok(())
}

async fn supervise(global: &Global, args: SuperviseArgs) -> CmdResult {
    let today = day(args.today.as_deref())?;
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let scope = Scope::everything().acting_as(super::operator());
    let board = store.supervision(&scope, args.plan, today).await;
    store.close().await;
    let board = board.map_err(|e| match e {
        kexie_store::StoreError::NotFound => Failure::Input(format!(
            "没有编号为 {} 的计划 / no plan {}",
            args.plan, args.plan
        )),
        other => other.into(),
    })?;
    if args.json {
        return super::print_json(&board);
    }
    let c = &board.counts;
    println!(
        "{}：共 {} 项，完成 {}，推进中 {}，有风险 {}，逾期 {}，未启动 {}，取消 {}，平均进度 {}%",
        board.today,
        c.total,
        c.done,
        c.in_progress,
        c.at_risk,
        c.overdue,
        c.not_started,
        c.cancelled,
        c.percent
    );
    for t in &board.overdue {
        println!("  逾期 / overdue   ({}) {}", t.number, t.text);
    }
    for t in &board.due_soon {
        println!(
            "  将到期 / due {} ({}) {}",
            t.next_due.as_deref().unwrap_or(""),
            t.number,
            t.text
        );
    }
    for s in &board.not_reported {
        println!(
            "  本月未报送 / no report this month: {}（{}）",
            s.responsible,
            s.tasks.join("、")
        );
    }
    Ok(())
}
