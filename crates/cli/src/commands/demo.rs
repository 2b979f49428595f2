//! `kexie demo`: load the demo data set into an empty database.

use crate::cli::{DemoArgs, Global, Scale};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, args: DemoArgs) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging(if args.json { "warn" } else { &config.log_level });
    let store = super::open_store(&config).await?;
    if !store.is_empty().await? {
        store.close().await;
        return Err(Failure::Input(
            "数据库中已有组织数据，演示数据只能载入空数据库 / the database already holds organisations: demo data loads only into an empty one".into(),
        ));
    }
    let summary = match args.scale {
        Scale::Small => store.load_demo_small(args.seed).await?,
        Scale::Province => {
            if !(args.fraction > 0.0 && args.fraction <= 1.0) {
                return Err(Failure::Input(
                    "--fraction 应在 0 到 1 之间 / --fraction must be in (0, 1]".into(),
                ));
            }
            let quiet = args.json;
            store
                .load_demo_province(args.seed, args.fraction, |line| {
                    if !quiet {
                        eprintln!("{line}");
                    }
                })
                .await?
        }
    };
    store.close().await;
    if args.json {
        super::print_json(&summary)
    } else {
        println!(
            "演示数据已载入：{} 个组织，{} 名科技工作者，{} 条会员记录 / demo data loaded: {} organisations, {} people, {} memberships",
            summary.orgs, summary.persons, summary.memberships, summary.orgs, summary.persons, summary.memberships
        );
        Ok(())
    }
}
