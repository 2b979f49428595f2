//! `kexie migrate`: bring the database to this binary's schema.

use serde_json::json;

use crate::cli::{Global, JsonFlag};
use crate::config::Config;
use crate::failure::CmdResult;

pub async fn run(global: &Global, args: JsonFlag) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging(if args.json { "warn" } else { &config.log_level });
    let store = super::open_store(&config).await?;
    let version = store.schema_version();
    store.close().await;
    if args.json {
        super::print_json(&json!({
            "database": store.backend().name(),
            "schema_version": version,
        }))
    } else {
        println!(
            "数据库已是最新结构（版本 {version}） / database is at schema version {version}: {}",
            config.database_display()
        );
        Ok(())
    }
}
