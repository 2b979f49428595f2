//! One module per command, each with its own `run`.

mod audit;
mod backup;
mod bench;
mod config;
mod coverage;
mod demo;
mod divisions;
mod export;
mod governance;
mod import;
mod migrate;
mod people_file;
mod plan_import;
mod plan_sheet;
pub mod search;
mod serve;
mod user;
mod workplan;

use std::path::Path;

use kexie_store::{FieldCipher, Store};

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(cli: Cli) -> CmdResult {
    match cli.command {
        Command::Serve(args) => serve::run(&cli.global, args).await,
        Command::Migrate(args) => migrate::run(&cli.global, args).await,
        Command::Demo(args) => demo::run(&cli.global, args).await,
        Command::Config(cmd) => config::run(cmd),
        Command::User(cmd) => user::run(&cli.global, cmd).await,
        Command::Audit(cmd) => audit::run(&cli.global, cmd).await,
        Command::Coverage(args) => coverage::run(&cli.global, args).await,
        Command::Bench(args) => bench::run(&cli.global, args).await,
        Command::Divisions(cmd) => divisions::run(&cli.global, cmd).await,
        Command::Import(cmd) => import::run(&cli.global, cmd).await,
        Command::Export(cmd) => export::run(&cli.global, cmd).await,
        Command::Workplan(cmd) => workplan::run(&cli.global, cmd).await,
        Command::Governance(cmd) => governance::run(&cli.global, cmd).await,
        Command::Backup(args) => backup::run(&cli.global, args).await,
        Command::Restore(args) => backup::restore(&cli.global, args).await,
        Command::Search(cmd) => search::run(&cli.global, cmd).await,
    }
}

/// Sets up logging to stderr (never stdout: `--json` output stays clean).
pub fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(format!("{level},sqlx=error"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Creates the data directory, loads the field key, opens and migrates the database.
pub async fn open_store(config: &Config) -> Result<Store, Failure> {
    ensure_dir(&config.data_dir)?;
    let cipher = FieldCipher::load_or_create(&config.data_dir, config.field_cipher)?;
    let store = Store::connect(&config.database_url, cipher)
        .await
        .map_err(|e| match e {
            kexie_store::StoreError::Invalid(m) => Failure::Input(m),
            other => Failure::Runtime(format!(
                "无法连接数据库 {} / cannot open the database: {other}",
                config.database_display()
            )),
        })?;
    store.migrate().await?;
    Ok(store)
}

fn ensure_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::Runtime(format!(
            "无法创建数据目录 {} / cannot create the data directory: {e}",
            dir.display()
        ))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The directory holds the key and the database: owner only.
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// The operator at the command line, for the audit trail: the login name of the OS user.
pub fn operator() -> kexie_store::Actor {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    kexie_store::Actor::local(format!("cli:{user}"))
}

/// Prints a value as the one JSON document of a `--json` command.
pub fn print_json(value: &impl serde::Serialize) -> CmdResult {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| Failure::Runtime(format!("JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
