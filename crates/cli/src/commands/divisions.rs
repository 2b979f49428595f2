//! `kexie divisions load`: reload the shipped division tree.

use serde_json::json;

use crate::cli::{DivisionsCommand, Global};
use crate::config::Config;
use crate::failure::CmdResult;

pub async fn run(global: &Global, cmd: DivisionsCommand) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    match cmd {
        DivisionsCommand::Load(args) => {
            let n = store.load_divisions().await?;
            store
                .audit(
                    &super::operator(),
                    "divisions.load",
                    "division",
                    kexie_store::Outcome::Ok,
                    &format!("rows={n}"),
                )
                .await?;
            store.close().await;
            if args.json {
                super::print_json(&json!({"divisions": n}))
            } else {
                println!("已载入 {n} 个行政区划 / loaded {n} divisions");
                Ok(())
            }
        }
    }
}
