//! `kexie export …`: to .xlsx, written to a temporary file and renamed into place, so a failed
//! export never leaves half a file.

use std::io::Write;

use kexie_store::Scope;

use crate::cli::{ExportCommand, Global};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, cmd: ExportCommand) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let scope = Scope::everything().acting_as(super::operator());
    let result = match cmd {
        ExportCommand::Orgs(args) => {
            let org = store.org_by_code(&scope, &args.org).await.map_err(|_| {
                Failure::Input(format!(
                    "没有代码为 {} 的组织 / no organisation with code {}",
                    args.org, args.org
                ))
            })?;
            let bytes =
                kexie_web::imports::export_orgs(&store, &scope, org.org_id, args.unmasked).await?;
            write_atomically(&args.out, &bytes)?;
            println!(
                "已导出到 {} / exported to {}",
                args.out.display(),
                args.out.display()
            );
            Ok(())
        }
        ExportCommand::Persons(args) => {
            let org = store.org_by_code(&scope, &args.org).await.map_err(|_| {
                Failure::Input(format!(
                    "没有代码为 {} 的组织 / no organisation with code {}",
                    args.org, args.org
                ))
            })?;
            let filter = kexie_store::LedgerFilter {
                org_id: org.org_id,
                subtree: true,
                ..Default::default()
            };
            let today = kexie_store::today();
            let (bytes, rows) =
                kexie_web::imports::export_ledger(&store, &scope, &filter, today).await?;
            write_atomically(&args.out, &bytes)?;
            println!(
                "已导出 {rows} 行到 {} / exported {rows} rows to {}",
                args.out.display(),
                args.out.display()
            );
            Ok(())
        }
    };
    store.close().await;
    result
}

fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let fail = |e: std::io::Error| {
        Failure::Runtime(format!("无法写入 {} / cannot write: {e}", path.display()))
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
