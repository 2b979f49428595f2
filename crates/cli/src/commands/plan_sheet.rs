//! A task breakdown table (任务分工表) as a spreadsheet, read into the same `PlanParse` that
//! pasted text gives. Columns are matched by header: 序号, 任务, 具体措施, 完成时限, 牵头领导,
//! 责任部门 (or 责任单位, 牵头部门, 牵头单位) and 配合部门.
//!
//! Rows read like the table does:
//! - a row with a number starts a task; "一、…" or "(一)…" in the number column, or a row with
//!   only the task column filled, is a section heading;
//! - a row with neither number nor task continues the task above (a merged cell): its measures
//!   are added, and the first deadline and leader met are the task's;
//! - a blank deadline, leader or department cell means "same as above" (a cell merged over
//!   several tasks); an inherited deadline is marked so, as for pasted text.

use kexie_domain::deadline::{parse_deadline, Deadline};
use kexie_domain::plan_text::{PlanError, PlanParse, PlanTask};
use kexie_office::columns::{ColumnMap, ColumnSpec};
use kexie_office::sheet::Sheet;

const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "number",
        names: &["序号", "编号", "任务序号"],
        required: false,
    },
    ColumnSpec {
        key: "text",
        names: &["任务", "重点任务", "工作任务", "任务内容", "主要任务"],
        required: true,
    },
    ColumnSpec {
        key: "measures",
        names: &["具体措施", "工作措施", "措施", "主要措施"],
        required: false,
    },
    ColumnSpec {
        key: "deadline",
        names: &["完成时限", "时限", "完成时间", "时间要求"],
        required: false,
    },
    ColumnSpec {
        key: "leader",
        names: &["牵头领导", "责任领导", "分管领导"],
        required: false,
    },
    ColumnSpec {
        key: "department",
        names: &["责任部门", "责任单位", "牵头部门", "牵头单位"],
        required: false,
    },
    ColumnSpec {
        key: "co",
        names: &["配合部门", "配合单位", "协办部门"],
        required: false,
    },
];

#[derive(Default)]
struct Draft {
    number: u32,
    section: Option<String>,
    text: String,
    measures: Vec<String>,
    deadline: Option<String>,
    leader: Option<String>,
    departments: Vec<String>,
}

const NUMERALS: &str = "一二三四五六七八九十";

/// "一", "一、", "（一）", "(二)" in the number column: a section heading.
fn heading_number(cell: &str) -> bool {
    let t: Vec<char> = cell
        .chars()
        .filter(|c| !matches!(c, '(' | ')' | '（' | '）' | '、' | '.' | '．'))
        .collect();
    !t.is_empty() && t.iter().all(|c| NUMERALS.contains(*c))
}

/// The digits of "(3)", "（3）", "3.", "3": "3".
fn task_number(cell: &str) -> Option<u32> {
    let half = kexie_domain::text::to_half_width(cell);
    let digits: String = half.chars().filter(|c| c.is_ascii_digit()).collect();
    let rest_ok = half
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '(' | ')' | '.' | '、' | ' '));
    if rest_ok {
        digits.parse().ok()
    } else {
        None
    }
}

fn lines(cell: Option<&str>) -> Vec<String> {
    cell.unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads a task breakdown table. Fails only when the 任务 column is missing.
pub fn parse_plan_sheet(sheet: &Sheet, plan_year: Option<i32>) -> Result<PlanParse, String> {
    let (map, _unknown) = ColumnMap::map(&sheet.headers, COLUMNS).map_err(|missing| {
        format!(
            "缺少必需的列：{} / missing columns: {}",
            missing.join("、"),
            missing.join(", ")
        )
    })?;
    let mut errors = Vec::new();
    let mut done: Vec<Draft> = Vec::new();
    let mut current: Option<Draft> = None;
    let mut section: Option<String> = None;
    let mut new_section = false;
    for (index, row) in sheet.rows.iter().enumerate() {
        let line = Sheet::row_number(index);
        let get = |key: &str| map.get(row, key);
        let (number, text) = (get("number"), get("text"));
        let rest = ["measures", "deadline", "leader", "department", "co"]
            .iter()
            .any(|k| get(k).is_some());
        if number.is_none() && text.is_none() && !rest {
            continue;
        }
        let number_heading = number.is_some_and(heading_number);
        if number_heading || (number.is_none() && text.is_some() && !rest) {
            let title = match (number, text) {
                (Some(n), Some(t)) if number_heading => {
                    let numbered = n.ends_with(['、', ')', '）', '.', '．']);
                    format!("{n}{}{t}", if numbered { "" } else { "、" })
                }
                (_, Some(t)) => t.to_string(),
                (Some(n), None) => n.to_string(),
                (None, None) => continue,
            };
            done.extend(current.take());
            section = Some(title);
            new_section = true;
            continue;
        }
        let draft = if number.is_some() || text.is_some() {
            let Some(n) = number.and_then(task_number) else {
                errors.push(PlanError {
                    line,
                    message: format!("序号“{}”无效，该任务已略过", number.unwrap_or("")),
                });
                done.extend(current.take());
                continue;
            };
            let last = current.as_ref().or(done.last()).map(|d| d.number);
            if last.is_some_and(|l| n <= l) && !(n == 1 && new_section) {
                errors.push(PlanError {
                    line,
                    message: format!("任务编号（{n}）不大于上一任务编号，该任务已略过"),
                });
                done.extend(current.take());
                continue;
            }
            done.extend(current.take());
            new_section = false;
            current.insert(Draft {
                number: n,
                section: section.clone(),
                text: text.unwrap_or("").to_string(),
                ..Draft::default()
            })
        } else if let Some(draft) = current.as_mut() {
            draft
        } else {
            errors.push(PlanError {
                line,
                message: "该行不属于任何任务（上方没有序号和任务），已略过".into(),
            });
            continue;
        };
        draft.measures.extend(lines(get("measures")));
        if draft.deadline.is_none() {
            draft.deadline = get("deadline").map(str::to_string);
        }
        if draft.leader.is_none() {
            draft.leader = get("leader").map(str::to_string);
        }
        for name in lines(get("department")).into_iter().chain(lines(get("co"))) {
            if !draft.departments.contains(&name) {
                draft.departments.push(name);
            }
        }
    }
    done.extend(current.take());
    Ok(PlanParse {
        tasks: fill_down(done, plan_year),
        errors,
    })
}

/// Fills blank cells from the task above, as merged cells mean.
fn fill_down(drafts: Vec<Draft>, plan_year: Option<i32>) -> Vec<PlanTask> {
    let mut tasks: Vec<PlanTask> = Vec::with_capacity(drafts.len());
    for d in drafts {
        let above = tasks.last();
        let (deadline, inherited): (Deadline, bool) = match (&d.deadline, above) {
            (Some(phrase), _) => (parse_deadline(phrase, plan_year), false),
            (None, Some(a)) if !a.deadline.input.is_empty() => (a.deadline.clone(), true),
            (None, _) => (parse_deadline("", plan_year), false),
        };
        let department = if d.departments.is_empty() {
            above.and_then(|a| a.department.clone())
        } else {
            Some(d.departments.join("、"))
        };
        let leader = d.leader.or_else(|| above.and_then(|a| a.leader.clone()));
        tasks.push(PlanTask {
            number: d.number.to_string(),
            section: d.section,
            text: d.text,
            measures: d.measures,
            deadline,
            deadline_inherited: inherited,
            leader,
            department,
            units: Vec::new(),
        });
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        Sheet::from_cells(headers, rows)
    }

    #[test]
    fn merged_cells_carry_down_and_continuation_rows_add_measures() {
        let s = sheet(
            &[
                "序号",
                "任务",
                "具体措施",
                "完成时限",
                "牵头领导",
                "牵头部门",
                "配合部门",
            ],
            &[
                &["一、", "深化改革", "", "", "", "", ""],
                &[
                    "(1)",
                    "建强组织",
                    "制定办法",
                    "2017年10月底前",
                    "甲领导",
                    "组织部",
                    "学会部",
                ],
                &["", "", "开展调研\n形成报告", "", "", "", ""],
                &["2", "服务会员", "建立制度", "", "", "", ""],
                &["二", "加强保障", "", "", "", "", ""],
                &[
                    "1",
                    "落实经费",
                    "编制预算",
                    "每年6月底前",
                    "乙领导",
                    "计财部",
                    "",
                ],
                &["1", "重复", "", "", "", "", ""],
            ],
        );
        let plan = parse_plan_sheet(&s, Some(2017)).unwrap();
        let numbers: Vec<&str> = plan.tasks.iter().map(|t| t.number.as_str()).collect();
        assert_eq!(numbers, ["1", "2", "1"]);
        let first = &plan.tasks[0];
        assert_eq!(first.measures, ["制定办法", "开展调研", "形成报告"]);
        assert_eq!(first.department.as_deref(), Some("组织部、学会部"));
        assert_eq!(first.section.as_deref(), Some("一、深化改革"));
        let second = &plan.tasks[1];
        assert!(second.deadline_inherited);
        assert_eq!(second.deadline.input, "2017年10月底前");
        assert_eq!(second.leader.as_deref(), Some("甲领导"));
        assert_eq!(plan.tasks[2].section.as_deref(), Some("二、加强保障"));
        assert_eq!(plan.errors.len(), 1);
        assert_eq!(plan.errors[0].line, 8);
    }

    #[test]
    fn the_task_column_is_required_and_bad_numbers_are_reported() {
        assert!(parse_plan_sheet(&sheet(&["序号"], &[]), None).is_err());
        let plan = parse_plan_sheet(
            &sheet(
                &["序号", "任务"],
                &[&["甲", "任务"], &["", ""], &["3", "好任务"]],
            ),
            None,
        )
        .unwrap();
        assert_eq!(plan.tasks.len(), 1);
        assert_eq!(plan.errors.len(), 1);
    }
}
