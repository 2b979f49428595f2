//! `kexie search reindex|update`: the full-text index in `<data-dir>/search/`. A running server
//! keeps its index up to date itself (and holds it: these commands then refuse, saying so).

use std::path::{Path, PathBuf};

use kexie_search::{SearchError, SearchIndex};
use serde_json::json;

use crate::cli::{Global, SearchCommand};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

/// Where a node keeps its index: derived data, rebuilt when missing.
pub fn search_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("search")
}

pub fn open_index(data_dir: &Path) -> Result<SearchIndex, Failure> {
    SearchIndex::open(&search_dir(data_dir)).map_err(failure)
}

pub fn failure(e: SearchError) -> Failure {
    match e {
        SearchError::Invalid(m) => Failure::Input(m),
        SearchError::Store(s) => s.into(),
        other => Failure::Runtime(other.to_string()),
    }
}

pub async fn run(global: &Global, cmd: SearchCommand) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let index = open_index(&config.data_dir)?;
    let result = match cmd {
        SearchCommand::Reindex(args) => {
            let r = index.rebuild(&store).await.map_err(failure)?;
            if args.json {
                super::print_json(&json!({
                    "persons": r.persons,
                    "orgs": r.orgs,
                    "applied_through": r.applied_through,
                    "seconds": r.seconds,
                }))
            } else {
                println!(
                    "检索索引已重建：{} 名科技工作者，{} 个组织，用时 {:.1} 秒 / search index rebuilt: {} people, {} organisations in {:.1} s",
                    r.persons, r.orgs, r.seconds, r.persons, r.orgs, r.seconds
                );
                Ok(())
            }
        }
        SearchCommand::Update(args) => {
            let r = index.catch_up(&store).await.map_err(failure)?;
            if args.json {
                super::print_json(&r)
            } else {
                println!(
                    "检索索引已更新：{} 条变更，{} 名科技工作者，{} 个组织{}，用时 {:.1} 秒 / search index updated: {} changes, {} people, {} organisations{} in {:.1} s",
                    r.changes,
                    r.persons,
                    r.orgs,
                    if r.rebuilt { "（全部重建）" } else { "" },
                    r.seconds,
                    r.changes,
                    r.persons,
                    r.orgs,
                    if r.rebuilt { " (rebuilt)" } else { "" },
                    r.seconds
                );
                Ok(())
            }
        }
    };
    store.close().await;
    result
}
