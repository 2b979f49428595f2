//! `kexie coverage --org CODE`: the gaps in the network below a 科协.

use kexie_store::Scope;

use crate::cli::{CoverageArgs, Global};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, args: CoverageArgs) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let scope = Scope::everything().acting_as(super::operator());
    let org = store.org_by_code(&scope, &args.org).await.map_err(|_| {
        Failure::Input(format!(
            "没有代码为 {} 的组织 / no organisation with code {}",
            args.org, args.org
        ))
    })?;
    let coverage = store.coverage(&scope, org.org_id).await?;
    store.close().await;
    if args.json {
        return super::print_json(&coverage);
    }
    println!("{}（{}）", org.name, org.code);
    for level in &coverage.levels {
        let pct = if level.divisions > 0 {
            level.covered as f64 * 100.0 / level.divisions as f64
        } else {
            0.0
        };
        println!(
            "  {:<9} {:>6} / {:<6} {:>5.1}%  空白点 / gaps: {}",
            level.level,
            level.covered,
            level.divisions,
            pct,
            level.gaps.len()
        );
        for gap in level.gaps.iter().take(20) {
            println!("      {} {}", gap.code, gap.name);
        }
        if level.gaps.len() > 20 {
            println!(
                "      … 另有 {} 个 / {} more (--json lists all)",
                level.gaps.len() - 20,
                level.gaps.len() - 20
            );
        }
    }
    if !coverage.key_persons.is_empty() {
        println!("  “四长”在任 / key persons in post:");
        for f in &coverage.key_persons {
            println!("      {:<9} {:<18} {:>4}", f.level, f.kind, f.persons);
        }
    }
    Ok(())
}
