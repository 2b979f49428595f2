//! `kexie import …`: a spreadsheet in, all of it or nothing, with a row-by-row report.

use kexie_office::limits::Limits;
use kexie_office::report::ImportReport;
use kexie_store::Scope;

use crate::cli::{Global, ImportArgs, ImportCommand};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, cmd: ImportCommand) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    match cmd {
        ImportCommand::Orgs(args) => {
            let sheet = read(&args)?;
            let store = super::open_store(&config).await?;
            let scope = Scope::everything().acting_as(super::operator());
            let result =
                kexie_web::imports::import_orgs(&store, &scope, &sheet, args.dry_run).await;
            store.close().await;
            let result = result?;
            report(&args, &result.report, result.created)
        }
    }
}

fn read(args: &ImportArgs) -> Result<kexie_office::sheet::Sheet, Failure> {
    kexie_office::sheet::read_sheet(&args.file, &Limits::default())
        .map_err(|e| Failure::Input(format!("{}: {e}", args.file.display())))
}

/// Prints the report; a file with errors exits 2 (nothing was written).
fn report(args: &ImportArgs, report: &ImportReport, created: usize) -> CmdResult {
    if args.json {
        super::print_json(report)?;
    } else {
        for e in &report.errors {
            println!(
                "第 {} 行 / row {}  [{}] {}: {}",
                e.row, e.row, e.code, e.column, e.message
            );
        }
        if !report.unknown_columns.is_empty() {
            println!(
                "未识别的列（已忽略） / unknown columns (ignored): {}",
                report.unknown_columns.join("、")
            );
        }
        println!(
            "共 {} 行，有效 {} 行，错误 {} 处 / {} rows, {} valid, {} errors",
            report.rows,
            report.valid,
            report.errors.len(),
            report.rows,
            report.valid,
            report.errors.len()
        );
        if args.dry_run {
            println!("试运行，未写入任何数据 / dry run: nothing written");
        } else if report.errors.is_empty() {
            println!("已导入 {created} 个组织 / imported {created} organisations");
        }
    }
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(format!(
            "文件有 {} 处错误，未写入任何数据 / the file has {} errors: nothing was written",
            report.errors.len(),
            report.errors.len()
        )))
    }
}
