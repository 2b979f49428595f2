//! `kexie governance check SLATE.xlsx`: the slate pre-review (换届前置审核) of a society, against
//! the rules stored in the database (the ones that apply to `--org`, or to everywhere).

use chrono::NaiveDate;
use kexie_domain::governance::{check_slate, SlateInput};
use kexie_office::limits::Limits;
use kexie_store::Scope;

use crate::cli::{Global, GovernanceCheckArgs, GovernanceCommand};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, cmd: GovernanceCommand) -> CmdResult {
    match cmd {
        GovernanceCommand::Check(args) => check(global, args).await,
    }
}

async fn check(global: &Global, args: GovernanceCheckArgs) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let as_of = match args.as_of.as_deref() {
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            Failure::Input(format!(
                "--as-of 应写作 YYYY-MM-DD，实为“{text}” / --as-of must be YYYY-MM-DD"
            ))
        })?,
        None => kexie_store::today(),
    };
    if let Some(g) = args.member_growth.filter(|g| !g.is_finite()) {
        return Err(Failure::Input(format!(
            "--member-growth 必须是数字 / must be a number: {g}"
        )));
    }
    // The file first: an unreadable slate needs no database.
    let sheet = kexie_office::sheet::read_sheet(&args.file, &Limits::default())
        .map_err(|e| Failure::Input(format!("{}: {e}", args.file.display())))?;
    let (members, report) = kexie_office::parse_slate_sheet(&sheet);
    if !report.errors.is_empty() {
        for e in &report.errors {
            println!(
                "第 {} 行 / row {}  [{}] {}: {}",
                e.row, e.row, e.code, e.column, e.message
            );
        }
        return Err(Failure::Input(format!(
            "名单有 {} 处错误，未审核 / the slate has {} errors: not checked",
            report.errors.len(),
            report.errors.len()
        )));
    }
    let store = super::open_store(&config).await?;
    let scope = Scope::everything().acting_as(super::operator());
    let result = async {
        let org = match args.org.as_deref() {
            Some(code) => Some(store.org_by_code(&scope, code).await.map_err(|_| {
                Failure::Input(format!(
                    "没有代码为 {code} 的组织 / no organisation with code {code}"
                ))
            })?),
            None => None,
        };
        let stored = match &org {
            Some(o) => store.rule_set_for(&scope, o.org_id, as_of).await?,
            None => store.rule_set_everywhere(as_of).await?,
        };
        let review = check_slate(
            &stored.rules,
            &SlateInput {
                members,
                individual_members: args.individual_members,
                previous_council_size: args.previous_council_size,
                member_growth_percent: args.member_growth,
                as_of,
            },
        );
        if let Some(o) = &org {
            store.record_slate_check(&scope, o.org_id, &review).await?;
        }
        Ok::<_, Failure>((review, org.map(|o| o.name)))
    }
    .await;
    store.close().await;
    let (review, org_name) = result?;
    if let Some(out) = &args.out {
        let title = format!("{}换届前置审核报告", org_name.as_deref().unwrap_or(""));
        let bytes = match out.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("docx") => kexie_office::review_docx(&title, &review),
            _ => kexie_office::findings_xlsx(&review),
        }
        .map_err(|e| Failure::Runtime(e.to_string()))?;
        std::fs::write(out, bytes).map_err(|e| {
            Failure::Runtime(format!("无法写入 {} / cannot write: {e}", out.display()))
        })?;
    }
    if args.json {
        return super::print_json(&review);
    }
    println!(
        "{} / {}：理事会 {} 人（上限 {}），常务理事会 {} 人，监事 {} 人；规则集 {}",
        if review.ok { "符合" } else { "不符合" },
        if review.ok {
            "complies"
        } else {
            "does not comply"
        },
        review.council_size,
        review.cap,
        review.standing_size,
        review.supervisors,
        review.rule_set_version
    );
    for f in &review.findings {
        println!("  [{}] {} {}", f.severity.zh_name(), f.rule, f.message);
    }
    Ok(())
}
