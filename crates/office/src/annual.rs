//! The society annual report (学会年报, seeds/002 item 7) as a Word document: membership and
//! its growth, the bodies and their changes, the activities by kind, the findings.

use kexie_domain::governance::{AnnualReport, ReportBody, ReportTerm};

use crate::docx::Docx;
use crate::error::OfficeError;

fn term_text(t: &ReportTerm) -> String {
    format!(
        "第{}届（{} 至 {}）",
        t.number,
        t.start_on,
        t.actual_end.as_deref().unwrap_or(&t.planned_end)
    )
}

/// The lines that describe one body: its term at the year's end, its leaders, the changes.
pub fn body_lines(body: &ReportBody) -> Vec<String> {
    let mut lines = Vec::new();
    match &body.current_term {
        Some(t) => lines.push(format!(
            "{}：{}，年末在任{}人。",
            body.name,
            term_text(t),
            body.members
        )),
        None => lines.push(format!("{}：尚未登记届次。", body.name)),
    }
    if !body.leaders.is_empty() {
        let names: Vec<String> = body
            .leaders
            .iter()
            .map(|p| format!("{} {}", p.position, p.name))
            .collect();
        lines.push(format!("主要负责人：{}。", names.join("，")));
    }
    for t in &body.terms_started {
        lines.push(format!(
            "本年换届：第{}届自{}开始，任职{}人。",
            t.number, t.start_on, body.posts_taken
        ));
    }
    for t in &body.terms_ended {
        if let Some(end) = &t.actual_end {
            lines.push(format!("第{}届于{}结束。", t.number, end));
        }
    }
    for p in &body.posts_ended {
        lines.push(format!(
            "{}（{}）于{}离任。",
            p.name,
            p.position,
            p.ended_on.as_deref().unwrap_or("")
        ));
    }
    lines
}

/// Growth as written: "25.0%（目标 15%，已达到）", or "—" without members at the start.
pub fn growth_text(report: &AnnualReport) -> String {
    let m = &report.members;
    match (m.rate_percent, m.met) {
        (Some(rate), Some(met)) => format!(
            "{rate:.1}%（目标 {}%，{}）",
            m.target_percent,
            if met { "已达到" } else { "未达到" }
        ),
        _ => format!("—（年初无会员，目标 {}%）", m.target_percent),
    }
}

/// The annual report as a `.docx`.
pub fn annual_report_docx(report: &AnnualReport) -> Result<Vec<u8>, OfficeError> {
    let mut doc = Docx::new();
    doc.title(&format!("{}{}年度年报", report.org_name, report.year));
    doc.paragraph(&format!(
        "报告年度：{}年；合规检查日期：{}；规则集版本：{}。",
        report.year, report.as_of, report.rule_set_version
    ));

    doc.heading("一、会员发展");
    let m = &report.members;
    let rows: Vec<Vec<String>> = [
        ("年初个人会员", m.at_start.to_string()),
        ("本年新入会", m.joined.to_string()),
        ("本年退出", m.left.to_string()),
        ("年末个人会员", m.at_end.to_string()),
        ("增长率", growth_text(report)),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect();
    doc.table(&["项目", "数值"], &rows);

    doc.heading("二、组织机构及变化");
    if report.bodies.is_empty() {
        doc.paragraph("尚未登记组织机构。");
    }
    for body in &report.bodies {
        for line in body_lines(body) {
            doc.paragraph(&line);
        }
    }

    doc.heading("三、活动开展");
    if report.activity_kinds.is_empty() {
        doc.paragraph("本年度没有登记活动。");
    } else {
        doc.paragraph(&format!(
            "本年度共开展活动{}次，参加{}人次（含分支机构）。",
            report.activity_total(),
            report.participant_total()
        ));
        let rows: Vec<Vec<String>> = report
            .activity_kinds
            .iter()
            .map(|k| {
                vec![
                    k.kind_zh.clone(),
                    k.count.to_string(),
                    k.participants.to_string(),
                ]
            })
            .collect();
        doc.table(&["类别", "次数", "参加人次"], &rows);
        let rows: Vec<Vec<String>> = report
            .activities
            .iter()
            .map(|a| {
                vec![
                    a.held_on.clone(),
                    a.title.clone(),
                    a.kind_zh.clone(),
                    a.org_name.clone(),
                    a.participants.to_string(),
                ]
            })
            .collect();
        doc.table(&["日期", "活动名称", "类别", "举办单位", "人数"], &rows);
    }

    doc.heading("四、合规检查");
    if report.findings.is_empty() {
        doc.paragraph("未发现不符合规则的情况。");
    } else {
        let rows: Vec<Vec<String>> = report
            .findings
            .iter()
            .map(|f| {
                vec![
                    f.rule.clone(),
                    f.severity.zh_name().to_string(),
                    f.message.clone(),
                    f.citation.clone(),
                ]
            })
            .collect();
        doc.table(&["规则", "结论", "说明", "依据"], &rows);
    }
    doc.into_bytes()
}
