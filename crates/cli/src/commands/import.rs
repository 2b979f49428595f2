//! `kexie import …`: a spreadsheet in, all of it or nothing, with a row-by-row report.

use kexie_office::limits::Limits;
use kexie_office::report::ImportReport;
use kexie_store::{ImportPhase, ImportProgress, Scope};

use crate::cli::{Global, ImportArgs, ImportCommand};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, cmd: ImportCommand) -> CmdResult {
    let config = Config::load(global, None)?;
    // Quiet beside the progress line unless a log level is asked for (KEXIE_LOG=info shows
    // how long each phase of a people import took).
    super::init_logging(&std::env::var("KEXIE_LOG").unwrap_or_else(|_| "warn".into()));
    match cmd {
        ImportCommand::Plan(args) => super::plan_import::run(global, args).await,
        ImportCommand::Orgs(args) => {
            let sheet = read(&args)?;
            let store = super::open_store(&config).await?;
            let scope = Scope::everything().acting_as(super::operator());
            let progress = ProgressLine::start();
            let result = kexie_web::imports::import_orgs(
                &store,
                &scope,
                &sheet,
                args.dry_run,
                Some(&progress.counters),
            )
            .await;
            progress.stop();
            store.close().await;
            let result = result?;
            report(
                &args.json,
                args.dry_run,
                &result.report,
                &format!(
                    "已导入 {} 个组织 / imported {} organisations",
                    result.created, result.created
                ),
            )
        }
        ImportCommand::Persons(args) => {
            // Read on a thread of its own while the rows before are checked and written: the
            // reading of a large .xlsx takes as long as writing it.
            let sheet = kexie_office::stream_sheet(&args.file, &command_line_limits())
                .map_err(|e| Failure::Input(format!("{}: {e}", args.file.display())))?;
            let store = super::open_store(&config).await?;
            let scope = Scope::everything().acting_as(super::operator());
            let org = match &args.org {
                Some(code) => store.org_by_code(&scope, code).await.map_err(|_| {
                    Failure::Input(format!(
                        "没有代码为 {code} 的组织 / no organisation with code {code}"
                    ))
                })?,
                None => {
                    let roots = store.scope_roots(&scope).await?;
                    match roots.as_slice() {
                        [one] => store.org(&scope, one.org_id).await?,
                        _ => {
                            return Err(Failure::Input(
                                "请用 --org 指定登记单位 / name the organisation with --org".into(),
                            ))
                        }
                    }
                }
            };
            let today = kexie_store::today();
            eprintln!(
                "正在导入约 {} 行… / importing about {} rows…",
                sheet.expected_rows, sheet.expected_rows
            );
            let progress = ProgressLine::start();
            let result = kexie_web::imports::import_person_rows(
                &store,
                &scope,
                org.org_id,
                kexie_office::PersonRows::streamed(sheet, today),
                args.dry_run,
                args.skip_invalid,
                Some(&progress.counters),
            )
            .await;
            progress.stop();
            store.close().await;
            let result = result?;
            let done = format!(
                "已导入 {} 人，会员 {} 条（{}） / imported {} people, {} memberships ({})",
                result.created,
                result.memberships,
                org.name,
                result.created,
                result.memberships,
                org.code
            );
            if args.skip_invalid && !args.dry_run {
                report(&args.json, false, &result.report, &done).or_else(|e| {
                    // The valid rows were written: errors are reported, the run succeeded.
                    if result.created > 0 || result.report.valid == 0 {
                        eprintln!("{done}");
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
            } else {
                report(&args.json, args.dry_run, &result.report, &done)
            }
        }
    }
}

/// A file the operator names on the command line may be larger than an upload (a province's
/// register is ~90 MB as CSV); the row, cell and inflation limits still bound memory.
fn command_line_limits() -> Limits {
    Limits {
        max_file_bytes: 1024 * 1024 * 1024,
        ..Limits::default()
    }
}

fn read(args: &ImportArgs) -> Result<kexie_office::sheet::Sheet, Failure> {
    kexie_office::sheet::read_sheet(&args.file, &command_line_limits())
        .map_err(|e| Failure::Input(format!("{}: {e}", args.file.display())))
}

/// Prints the report; a file with errors exits 2 (nothing was written).
fn report(json: &bool, dry_run: bool, report: &ImportReport, done: &str) -> CmdResult {
    if *json {
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
        if dry_run {
            println!("试运行，未写入任何数据 / dry run: nothing written");
        } else if report.errors.is_empty() {
            println!("{done}");
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

/// The import's phase and rows on one line of a terminal, redrawn a few times a second; nothing
/// when stderr is not a terminal (a pipe or a log keeps only the final report).
struct ProgressLine {
    counters: std::sync::Arc<ImportProgress>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl ProgressLine {
    fn start() -> ProgressLine {
        use std::io::IsTerminal;
        let counters = std::sync::Arc::new(ImportProgress::new());
        let ticker = std::io::stderr().is_terminal().then(|| {
            let counters = counters.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    let s = counters.snapshot();
                    let phase = match s.phase {
                        ImportPhase::Reading => "读取 / reading",
                        ImportPhase::Checking => "核对 / checking",
                        ImportPhase::Writing => "写入 / writing",
                        ImportPhase::Done | ImportPhase::Failed => return,
                    };
                    let percent = s.percent().map(|p| format!(" {p}%")).unwrap_or_default();
                    eprint!("\r\x1b[K{phase} {}/{}{percent}", s.done, s.total);
                }
            })
        });
        ProgressLine { counters, ticker }
    }

    fn stop(self) {
        if let Some(ticker) = self.ticker {
            ticker.abort();
            eprint!("\r\x1b[K");
        }
    }
}
