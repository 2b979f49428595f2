//! The society annual report as `.docx`: a zip Word opens, with the figures, the bodies and
//! their changes, the activities and the findings in `word/document.xml`.

use std::io::Read;

use kexie_domain::governance::{
    rule, AnnualReport, Finding, KindFigure, MemberFigures, ReportActivity, ReportBody, ReportPost,
    ReportTerm, Severity,
};
use kexie_office::annual_report_docx;

fn report() -> AnnualReport {
    let term = |number, start: &str, end: &str, actual: Option<&str>| ReportTerm {
        number,
        start_on: start.into(),
        planned_end: end.into(),
        actual_end: actual.map(str::to_string),
    };
    AnnualReport {
        org_id: 7,
        org_name: "某省测试学会".into(),
        year: 2025,
        as_of: "2026-01-15".into(),
        rule_set_version: "2018.1".into(),
        members: MemberFigures {
            at_start: 4,
            at_end: 5,
            joined: 2,
            left: 1,
            rate_percent: Some(25.0),
            target_percent: 15.0,
            met: Some(true),
        },
        bodies: vec![ReportBody {
            kind: "council".into(),
            name: "理事会".into(),
            current_term: Some(term(9, "2025-06-30", "2030-06-29", None)),
            members: 2,
            leaders: vec![ReportPost {
                name: "赵理事长".into(),
                position: "理事长".into(),
                ended_on: None,
            }],
            terms_started: vec![term(9, "2025-06-30", "2030-06-29", None)],
            terms_ended: vec![term(8, "2020-06-30", "2025-06-30", Some("2025-06-30"))],
            posts_taken: 3,
            posts_ended: vec![ReportPost {
                name: "钱秘书长".into(),
                position: "秘书长".into(),
                ended_on: Some("2025-11-01".into()),
            }],
        }],
        activity_kinds: vec![KindFigure {
            kind: "popularisation".into(),
            kind_zh: "科普活动".into(),
            count: 2,
            participants: 500,
        }],
        activities: vec![ReportActivity {
            held_on: "2025-03-02".into(),
            title: "科普进校园 <第一场>".into(),
            kind_zh: "科普活动".into(),
            org_name: "某省测试学会".into(),
            participants: 300,
        }],
        findings: vec![Finding::new(
            rule::SECRETARY_GENERAL_MISSING,
            Severity::Error,
            "没有秘书长。",
        )],
    }
}

fn document_xml(bytes: Vec<u8>) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert!(zip.by_name("[Content_Types].xml").is_ok());
    assert!(zip.by_name("_rels/.rels").is_ok());
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn the_annual_report_docx_carries_figures_bodies_activities_and_findings() {
    let xml = document_xml(annual_report_docx(&report()).unwrap());
    for expected in [
        "某省测试学会2025年度年报",
        "年初个人会员",
        "25.0%（目标 15%，已达到）",
        "理事会：第9届（2025-06-30 至 2030-06-29），年末在任2人。",
        "理事长 赵理事长",
        "第8届于2025-06-30结束",
        "钱秘书长（秘书长）于2025-11-01离任",
        "本年度共开展活动2次，参加500人次",
        "科普进校园 &lt;第一场&gt;",
        "secretary_general.missing",
    ] {
        assert!(xml.contains(expected), "{expected} missing from {xml}");
    }
}

#[test]
fn an_empty_year_says_so_instead_of_leaving_tables_out_silently() {
    let mut r = report();
    r.bodies.clear();
    r.activity_kinds.clear();
    r.activities.clear();
    r.findings.clear();
    r.members.rate_percent = None;
    r.members.met = None;
    let xml = document_xml(annual_report_docx(&r).unwrap());
    assert!(xml.contains("尚未登记组织机构"));
    assert!(xml.contains("本年度没有登记活动"));
    assert!(xml.contains("未发现不符合规则的情况"));
    assert!(xml.contains("年初无会员"));
}
