//! Reading a slate (换届前置审核) and writing its review: every fixture is built here.

use std::io::Read;

use chrono::NaiveDate;
use kexie_domain::governance::{
    check_slate, AppointmentMethod, Gender, Position, RuleSet, SlateInput,
};
use kexie_office::{
    findings_xlsx, parse_slate_sheet, read_sheet_bytes, review_docx, Limits, XlsxWriter,
};

fn sheet(headers: &[&str], rows: &[&[&str]]) -> kexie_office::Sheet {
    let mut w = XlsxWriter::new("名单", headers).unwrap();
    for r in rows {
        w.push_row(r).unwrap();
    }
    let bytes = w.into_bytes().unwrap();
    read_sheet_bytes(&bytes, "slate.xlsx", &Limits::default()).unwrap()
}

#[test]
fn a_slate_in_any_column_order_reads_into_members() {
    let s = sheet(
        &[
            "职务",
            "姓名",
            "是否基层一线",
            "性别",
            "出生日期",
            "政治面貌",
            "是否专职",
            "工作单位",
            "是否在职领导干部",
            "是否退休领导干部",
            "产生方式",
        ],
        &[
            &[
                "副理事长、常务理事",
                "张甲",
                "否",
                "女",
                "1975年3月1日",
                "中共党员",
                "否",
                "某大学",
                "是",
                "否",
                "选举",
            ],
            &[
                "秘书长",
                "李乙",
                "是",
                "男",
                "1980/5/1",
                "群众",
                "是",
                "学会秘书处",
                "否",
                "否",
                "理事会聘任",
            ],
            &["理事", "王丙", "是", "", "", "", "", "", "", "", ""],
        ],
    );
    let (members, report) = parse_slate_sheet(&s);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.rows, report.valid), (3, 3));
    assert_eq!(
        members[0].positions,
        [Position::VicePresident, Position::StandingMember]
    );
    assert_eq!(members[0].gender, Gender::Female);
    assert!(members[0].party_member && members[0].serving_official);
    assert!(!members[0].grassroots_frontline);
    assert_eq!(
        members[1].appointment,
        Some(AppointmentMethod::CouncilOnPresidentNomination)
    );
    assert!(members[1].full_time && !members[1].party_member);
    assert_eq!(members[1].birth_date, NaiveDate::from_ymd_opt(1980, 5, 1));
    assert_eq!(members[2].gender, Gender::Unknown);
    assert_eq!(members[2].appointment, None);
}

#[test]
fn bad_cells_are_named_by_row_and_column() {
    let s = sheet(
        &["姓名", "职务", "是否基层一线", "性别", "出生日期"],
        &[
            &["张甲", "理事长", "是", "男", "1970-01-01"],
            &["李乙", "主任", "是", "男", "1970-01-01"],
            &["王丙", "理事", "也许", "未说", "昨天"],
            &["", "理事", "", "", ""],
        ],
    );
    let (members, report) = parse_slate_sheet(&s);
    assert_eq!(members.len(), 1);
    assert_eq!(report.valid, 1);
    let found: Vec<(usize, &str, &str)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "职务", "enum.value"),
            (4, "性别", "enum.value"),
            (4, "出生日期", "date.format"),
            (4, "是否基层一线", "enum.value"),
            (5, "姓名", "field.required"),
            (5, "是否基层一线", "field.required"),
        ]
    );
    assert!(report.errors[0].message.contains("主任"));
}

#[test]
fn missing_required_columns_are_named() {
    let s = sheet(&["姓名", "性别"], &[&["张甲", "男"]]);
    let (members, report) = parse_slate_sheet(&s);
    assert!(members.is_empty());
    let missing: Vec<&str> = report.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(missing, ["职务", "是否基层一线"]);
}

#[test]
fn the_review_is_written_as_xlsx_and_as_a_word_document() {
    let s = sheet(
        &["姓名", "职务", "是否基层一线", "是否专职"],
        &[
            &["张甲", "理事长", "是", "否"],
            &["李乙", "理事", "否", "否"],
        ],
    );
    let (members, _) = parse_slate_sheet(&s);
    let report = check_slate(
        &RuleSet::default_2018(),
        &SlateInput {
            members,
            individual_members: 500,
            previous_council_size: None,
            member_growth_percent: None,
            as_of: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        },
    );
    assert!(!report.ok);
    let xlsx = findings_xlsx(&report).unwrap();
    let back = read_sheet_bytes(&xlsx, "findings.xlsx", &Limits::default()).unwrap();
    assert_eq!(back.headers, ["规则", "结论", "说明", "依据"]);
    assert!(back
        .rows
        .iter()
        .any(|r| r[0] == "secretary_general.missing" && r[3].contains("seeds/002")));
    let docx = review_docx("某学会换届前置审核报告", &report).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("某学会换届前置审核报告"));
    assert!(xml.contains("拟任名单中没有秘书长"));
    assert!(xml.contains("council.grassroots_share"));
    assert!(zip.by_name("[Content_Types].xml").is_ok());
}
