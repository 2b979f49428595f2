//! The supervision report (督查通报) of a plan as an `.xlsx`: the overall figures, overdue
//! tasks, tasks due within 30 days, who has not reported this month, figures by department,
//! leader and unit, and every task. A `.docx` version is not built yet.

use kexie_office::error::OfficeError;
use kexie_office::xlsx_out::XlsxWriter;
use kexie_store::{GroupFigures, Plan, StatusCounts, Supervision, Task};

fn units(t: &Task) -> String {
    t.units
        .iter()
        .map(|u| u.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn counts_row(name: &str, c: &StatusCounts) -> Vec<String> {
    vec![
        name.to_string(),
        c.total.to_string(),
        c.done.to_string(),
        c.in_progress.to_string(),
        c.at_risk.to_string(),
        c.overdue.to_string(),
        c.not_started.to_string(),
        c.cancelled.to_string(),
        format!("{}%", c.percent),
    ]
}

const COUNT_HEADERS: [&str; 9] = [
    "名称",
    "任务数",
    "已完成",
    "推进中",
    "有风险",
    "已逾期",
    "未启动",
    "已取消",
    "平均进度",
];

fn groups(sheet: &mut XlsxWriter, name: &str, list: &[GroupFigures]) -> Result<(), OfficeError> {
    sheet.add_sheet(name, &COUNT_HEADERS)?;
    for g in list {
        sheet.push_row(&counts_row(&g.name, &g.counts))?;
    }
    Ok(())
}

pub fn supervision_xlsx(
    plan: &Plan,
    tasks: &[Task],
    board: &Supervision,
) -> Result<Vec<u8>, OfficeError> {
    let mut sheet = XlsxWriter::new("总体情况", &["项目", "内容"])?;
    let c = &board.counts;
    for (k, v) in [
        ("计划", plan.title.clone()),
        ("发文单位", plan.org_name.clone()),
        ("文号", opt(&plan.doc_number)),
        ("年度", plan.year.to_string()),
        ("统计日期", board.today.clone()),
        ("任务总数", c.total.to_string()),
        ("已完成", c.done.to_string()),
        ("推进中", c.in_progress.to_string()),
        ("有风险", c.at_risk.to_string()),
        ("已逾期", c.overdue.to_string()),
        ("未启动", c.not_started.to_string()),
        ("已取消", c.cancelled.to_string()),
        ("平均进度", format!("{}%", c.percent)),
        ("30日内到期", board.due_soon.len().to_string()),
        ("本月未报送的责任方", board.not_reported.len().to_string()),
    ] {
        sheet.push_row(&[k.to_string(), v])?;
    }
    sheet.add_sheet(
        "逾期任务",
        &[
            "序号",
            "任务",
            "完成时限",
            "牵头领导",
            "责任部门",
            "责任单位",
            "进度",
            "最近报送",
        ],
    )?;
    for t in &board.overdue {
        sheet.push_row(&[
            format!("({})", t.number),
            t.text.clone(),
            t.deadline.input.clone(),
            opt(&t.leader),
            opt(&t.department),
            units(t),
            format!("{}%", t.percent),
            opt(&t.last_report_on),
        ])?;
    }
    sheet.add_sheet(
        "30日内到期",
        &[
            "序号",
            "任务",
            "到期日",
            "牵头领导",
            "责任部门",
            "责任单位",
            "状态",
            "进度",
        ],
    )?;
    for t in &board.due_soon {
        sheet.push_row(&[
            format!("({})", t.number),
            t.text.clone(),
            opt(&t.next_due),
            opt(&t.leader),
            opt(&t.department),
            units(t),
            t.status.zh_name().to_string(),
            format!("{}%", t.percent),
        ])?;
    }
    sheet.add_sheet("本月未报送", &["责任方", "任务序号"])?;
    for s in &board.not_reported {
        let numbers: Vec<String> = s.tasks.iter().map(|n| format!("({n})")).collect();
        sheet.push_row(&[s.responsible.clone(), numbers.join("、")])?;
    }
    groups(&mut sheet, "按责任部门", &board.by_department)?;
    groups(&mut sheet, "按牵头领导", &board.by_leader)?;
    groups(&mut sheet, "按责任单位", &board.by_unit)?;
    sheet.add_sheet(
        "全部任务",
        &[
            "栏目",
            "序号",
            "任务",
            "具体措施",
            "完成时限",
            "牵头领导",
            "责任部门",
            "配合部门",
            "责任单位",
            "状态",
            "进度",
            "最近报送",
        ],
    )?;
    for t in tasks {
        sheet.push_row(&[
            opt(&t.section),
            format!("({})", t.number),
            t.text.clone(),
            t.measures.join("\n"),
            t.deadline.input.clone(),
            opt(&t.leader),
            opt(&t.department),
            t.co_departments.join("、"),
            units(t),
            t.status.zh_name().to_string(),
            format!("{}%", t.percent),
            opt(&t.last_report_on),
        ])?;
    }
    sheet.into_bytes()
}
