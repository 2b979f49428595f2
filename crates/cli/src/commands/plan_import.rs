//! `kexie import plan FILE --org CODE`: a work plan pasted as text (`.txt`, read by
//! `parse_plan_text`: the layout of seeds/000 or seeds/001) or a task breakdown table (`.xlsx`,
//! `.xls`, `.csv`), all of it or nothing. `--dry-run --json` prints what was read, in the JSON
//! of `PlanParse`, and writes nothing.

use std::path::Path;

use chrono::Datelike;

use kexie_domain::plan_text::{parse_plan_text, PlanParse};
use kexie_office::limits::Limits;
use kexie_store::{NewPlan, NewTask, Scope};

use super::plan_sheet::parse_plan_sheet;
use crate::cli::{Global, ImportPlanArgs};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, args: ImportPlanArgs) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let issued_on = match args.issued_on.as_deref() {
        Some(d) => Some(
            kexie_office::parse_date(d)
                .map_err(|e| Failure::Input(format!("--issued-on：{}", e.message)))?,
        ),
        None => None,
    };
    let stated_year = args.year.or(issued_on.map(|d| d.year()));
    let (parsed, inferred_year) = read(&args.file, stated_year)?;
    let year = stated_year
        .or(inferred_year)
        .unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(8)).year());
    let store = super::open_store(&config).await?;
    let scope = Scope::everything().acting_as(super::operator());
    let org = match store.org_by_code(&scope, &args.org).await {
        Ok(org) => org,
        Err(_) => {
            store.close().await;
            return Err(Failure::Input(format!(
                "没有代码为 {} 的组织 / no organisation with code {}",
                args.org, args.org
            )));
        }
    };
    let title = args.title.clone().unwrap_or_else(|| {
        args.file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "工作计划".into())
    });
    let new = NewPlan {
        org_id: org.org_id,
        title,
        doc_number: args.doc_number.clone(),
        issued_on: issued_on.map(|d| d.to_string()),
        year: i64::from(year),
        implements_plan_id: args.implements,
        tasks: parsed.tasks.iter().map(NewTask::from_parsed).collect(),
    };
    let clean = parsed.errors.is_empty() && !parsed.tasks.is_empty();
    let outcome = if clean {
        Some(store.create_plan(&scope, &new, args.dry_run).await)
    } else {
        None
    };
    store.close().await;
    let outcome = outcome.transpose()?;
    if args.json && args.dry_run {
        super::print_json(&parsed)?;
    } else if args.json {
        match &outcome {
            Some(created) => super::print_json(created)?,
            None => super::print_json(&parsed)?,
        }
    } else {
        for e in &parsed.errors {
            println!("第 {} 行 / line {}: {}", e.line, e.line, e.message);
        }
        println!(
            "读取任务 {} 项（{} 年），问题 {} 处 / {} tasks read (year {year}), {} problems",
            parsed.tasks.len(),
            year,
            parsed.errors.len(),
            parsed.tasks.len(),
            parsed.errors.len()
        );
        if let Some(created) = &outcome {
            if !created.unlinked_units.is_empty() {
                println!(
                    "未对应到组织的责任单位（按文字保存） / units kept as text: {}",
                    created.unlinked_units.join("、")
                );
            }
            match created.plan_id {
                Some(id) => println!(
                    "已导入计划 {id}：任务 {} 项，栏目 {} 个 / imported plan {id}: {} tasks, {} sections",
                    created.tasks, created.sections, created.tasks, created.sections
                ),
                None => println!("试运行，未写入任何数据 / dry run: nothing written"),
            }
        }
    }
    if parsed.tasks.is_empty() {
        return Err(Failure::Input(
            "文件中没有找到编号的任务 / no numbered task found in the file".into(),
        ));
    }
    if !parsed.errors.is_empty() {
        return Err(Failure::Input(format!(
            "文件有 {} 处问题，未写入任何数据 / the file has {} problems: nothing was written",
            parsed.errors.len(),
            parsed.errors.len()
        )));
    }
    Ok(())
}

/// Reads the file as pasted text or as a sheet; returns what was read and the year the text
/// suggests (the earliest 20xx年 it names), for deadlines written without a year.
fn read(file: &Path, year: Option<i32>) -> Result<(PlanParse, Option<i32>), Failure> {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let unreadable = |e: &dyn std::fmt::Display| Failure::Input(format!("{}: {e}", file.display()));
    if matches!(ext.as_str(), "txt" | "text" | "md") {
        let bytes = std::fs::read(file).map_err(|e| unreadable(&e))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Failure::Input(format!(
                "{}: 文本须为 UTF-8 编码 / the text must be UTF-8",
                file.display()
            ))
        })?;
        let text = text.trim_start_matches('\u{feff}');
        let inferred = first_year(text);
        return Ok((parse_plan_text(text, year.or(inferred)), inferred));
    }
    let sheet = kexie_office::read_sheet(file, &Limits::default()).map_err(|e| unreadable(&e))?;
    let all: String = sheet.rows.iter().flatten().map(String::as_str).collect();
    let inferred = first_year(&all);
    let parsed = parse_plan_sheet(&sheet, year.or(inferred)).map_err(Failure::Input)?;
    Ok((parsed, inferred))
}

/// The earliest year written as "20xx年" (plans name their own year first and later ones after).
fn first_year(text: &str) -> Option<i32> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(5)
        .filter(|w| w[4] == '年' && w[..4].iter().all(|c| c.is_ascii_digit()))
        .filter_map(|w| w[..4].iter().collect::<String>().parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
        .min()
}

#[cfg(test)]
mod tests {
    use super::first_year;

    #[test]
    fn the_plan_year_is_the_earliest_named() {
        assert_eq!(
            first_year("2020年全面完成(2017年5月底前出台方案)"),
            Some(2017)
        );
        assert_eq!(first_year("长期坚持"), None);
        assert_eq!(first_year("1234年"), None);
    }
}
