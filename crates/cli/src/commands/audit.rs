//! `kexie audit …`: verify and purge the audit trail.

use chrono::NaiveDate;

use crate::cli::{AuditCommand, Global};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, cmd: AuditCommand) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let result = match cmd {
        AuditCommand::Verify(args) => {
            let report = store.verify_audit().await?;
            if args.json {
                super::print_json(&report)?;
            } else if report.ok {
                println!(
                    "审计链完整：{} 条记录 / audit chain intact: {} records",
                    report.records, report.records
                );
            } else {
                println!(
                    "审计链断裂：第 {} 号记录 / audit chain broken at record {}: {}",
                    report.first_broken.unwrap_or_default(),
                    report.first_broken.unwrap_or_default(),
                    report.reason.clone().unwrap_or_default()
                );
            }
            if report.ok {
                Ok(())
            } else {
                Err(Failure::Runtime(format!(
                    "审计链校验失败，首个异常记录 {} / audit chain verification failed at record {}",
                    report.first_broken.unwrap_or_default(),
                    report.first_broken.unwrap_or_default()
                )))
            }
        }
        AuditCommand::Purge(args) => {
            if !args.yes {
                return Err(Failure::Input(
                    "清除不可撤销，请加 --yes 确认 / purging cannot be undone: add --yes".into(),
                ));
            }
            let day = NaiveDate::parse_from_str(&args.before, "%Y-%m-%d").map_err(|_| {
                Failure::Input(format!(
                    "日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {}",
                    args.before
                ))
            })?;
            let before = day
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp_millis())
                .unwrap_or(0);
            let deleted = store.purge_audit(&super::operator(), before).await?;
            println!("已清除 {deleted} 条审计记录 / purged {deleted} audit records");
            Ok(())
        }
    };
    store.close().await;
    result
}
