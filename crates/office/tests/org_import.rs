//! The organisation sheet: columns found by header, every problem reported with its row and
//! column, parents ordered before children.

mod common;

use chrono::NaiveDate;
use kexie_domain::credit_code::check_char;
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_office::{
    parse_org_sheet, read_sheet_bytes, ImportReport, Limits, OrgRow, Sheet, XlsxWriter, ORG_HEADERS,
};

fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
    Sheet::from_cells(headers, rows)
}

fn credit_code(first17: &str) -> String {
    format!("{first17}{}", check_char(first17).unwrap())
}

fn codes(rows: &[OrgRow]) -> Vec<&str> {
    rows.iter().map(|r| r.code.as_str()).collect()
}

fn error_codes(report: &ImportReport) -> Vec<(usize, &str, &str)> {
    report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect()
}

#[test]
fn a_full_row_round_trips_through_an_xlsx_export() {
    let credit = credit_code("51230100MJ0000001");
    let input = sheet(
        &ORG_HEADERS,
        &[&[
            "HRB-01",
            "某市科学技术协会",
            "某市科协",
            "科协",
            "",
            "2301",
            &credit,
            "2018/5/1",
            "正常",
            "某路 1 号",
            "联系人甲",
            "(0451)86612345",
            "备注文字",
        ]],
    );
    let (rows, report) = parse_org_sheet(&input);
    assert!(report.is_clean(), "{report:?}");
    let mut out = XlsxWriter::new("组织", &ORG_HEADERS).unwrap();
    out.push_row(&rows[0].to_cells()).unwrap();

    let back = read_sheet_bytes(&out.into_bytes().unwrap(), "orgs.xlsx", &Limits::small()).unwrap();
    let (again, report) = parse_org_sheet(&back);

    assert!(report.is_clean(), "{report:?}");
    assert_eq!(again, rows);
    let org = &rows[0];
    assert_eq!(org.row, 2);
    assert_eq!(org.kind, OrgKind::Kexie);
    assert_eq!(org.division_code.as_deref(), Some("230100000000"));
    assert_eq!(org.credit_code.as_deref(), Some(credit.as_str()));
    assert_eq!(org.established, NaiveDate::from_ymd_opt(2018, 5, 1));
    assert_eq!(org.status, OrgStatus::Active);
    assert_eq!(org.contact_phone.as_deref(), Some("0451-86612345"));
}

#[test]
fn headers_match_in_any_order_with_aliases_and_decorations() {
    let input = sheet(
        &[
            "机构名称（必填）",
            "籍贯",
            "组织代码*",
            "组织类型",
            "电话",
            "状态",
        ],
        &[&[
            "某大学科协",
            "x",
            "ＵＮＩ－０１",
            "university_kexie",
            "13800000000",
            "dormant",
        ]],
    );

    let (rows, report) = parse_org_sheet(&input);

    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.unknown_columns, vec!["籍贯".to_string()]);
    assert_eq!(
        rows[0].code, "UNI-01",
        "full-width letters and digits are normalised"
    );
    assert_eq!(rows[0].name, "某大学科协");
    assert_eq!(rows[0].kind, OrgKind::UniversityKexie);
    assert_eq!(rows[0].status, OrgStatus::Dormant);
    assert_eq!(rows[0].contact_phone.as_deref(), Some("13800000000"));
}

#[test]
fn full_width_digits_and_stray_spaces_are_normalised_not_rejected() {
    let input = sheet(
        &["代码", "名称", "区划代码", "成立日期", "联系电话"],
        &[&[
            " ａ１ ",
            "某市\u{3000}\u{3000}科协 ",
            "２３０１",
            "２０１８年５月１日",
            "１３８ ０００ ０００００",
        ]],
    );

    let (rows, report) = parse_org_sheet(&input);

    assert!(report.is_clean(), "{report:?}");
    assert_eq!(rows[0].code, "A1");
    assert_eq!(rows[0].name, "某市 科协");
    assert_eq!(rows[0].division_code.as_deref(), Some("230100000000"));
    assert_eq!(rows[0].established, NaiveDate::from_ymd_opt(2018, 5, 1));
    assert_eq!(rows[0].contact_phone.as_deref(), Some("13800000000"));
}

#[test]
fn empty_kind_and_status_take_their_defaults() {
    let (rows, report) = parse_org_sheet(&sheet(
        &["代码", "名称", "类型"],
        &[&["A1", "某农技协", ""]],
    ));
    assert!(report.is_clean());
    assert_eq!(rows[0].kind, OrgKind::Other);
    assert_eq!(rows[0].status, OrgStatus::Active);
}

#[test]
fn every_error_names_its_row_and_the_column_as_headed() {
    let bad_credit = {
        let mut c = credit_code("51230100MJ0000001");
        let last = c.pop().unwrap();
        c.push(if last == '0' { '1' } else { '0' });
        c
    };
    let input = sheet(
        &[
            "代码",
            "名称*",
            "类型",
            "区划代码",
            "统一社会信用代码",
            "成立日期",
            "状态",
            "联系电话",
        ],
        &[
            &["OK-1", "正常的行", "学会", "23", "", "2018年5月1日", "", ""],
            &[
                "",
                "",
                "街道",
                "1234567",
                "ABC",
                "2018-02-30",
                "活着",
                "12345",
            ],
            &[
                "代码有空格 和汉字",
                "某学会",
                "",
                "",
                &bad_credit,
                "",
                "",
                "",
            ],
        ],
    );

    let (rows, report) = parse_org_sheet(&input);

    assert_eq!(codes(&rows), vec!["OK-1"]);
    assert_eq!((report.rows, report.valid), (3, 1));
    assert_eq!(
        error_codes(&report),
        vec![
            (3, "代码", "field.required"),
            (3, "名称*", "field.required"),
            (3, "类型", "enum.value"),
            (3, "区划代码", "division_code.format"),
            (3, "统一社会信用代码", "credit_code.format"),
            (3, "成立日期", "date.format"),
            (3, "状态", "enum.value"),
            (3, "联系电话", "phone.format"),
            (4, "代码", "code.format"),
            (4, "统一社会信用代码", "credit_code.checksum"),
        ]
    );
    assert!(report.errors.iter().all(|e| !e.message.is_empty()));
}

#[test]
fn a_code_repeated_in_the_file_names_the_first_row() {
    let input = sheet(
        &["代码", "名称"],
        &[&["A", "甲"], &["B", "乙"], &[], &["a", "甲二"]],
    );

    let (rows, report) = parse_org_sheet(&input);

    assert_eq!(codes(&rows), vec!["A", "B"]);
    assert_eq!(error_codes(&report), vec![(5, "代码", "duplicate.in_file")]);
    assert!(report.errors[0].message.contains("第 2 行"));
    assert_eq!(report.rows, 3, "the empty row 4 is not counted");
}

#[test]
fn parents_defined_further_down_come_first() {
    let input = sheet(
        &["代码", "名称", "上级代码"],
        &[
            &["TOWN", "某镇科协", "COUNTY"],
            &["VILLAGE", "某村农技协", "TOWN"],
            &["COUNTY", "某县科协", "CITY"],
            &["CITY", "某市科协", "PROVINCE-IN-STORE"],
            &["SOLO", "独立学会", ""],
        ],
    );

    let (rows, report) = parse_org_sheet(&input);

    assert!(report.is_clean(), "{report:?}");
    assert_eq!(
        codes(&rows),
        vec!["CITY", "COUNTY", "TOWN", "VILLAGE", "SOLO"]
    );
    assert_eq!(rows[0].parent_code.as_deref(), Some("PROVINCE-IN-STORE"));
}

#[test]
fn a_parent_loop_is_reported_on_every_row_of_the_loop() {
    let input = sheet(
        &["代码", "名称", "上级"],
        &[
            &["A", "甲", "B"],
            &["B", "乙", "C"],
            &["C", "丙", "A"],
            &["D", "丁", "A"],
            &["E", "戊", "E"],
        ],
    );

    let (rows, report) = parse_org_sheet(&input);

    assert_eq!(codes(&rows), vec!["D"]);
    assert_eq!(
        error_codes(&report),
        vec![
            (6, "上级", "parent.cycle"),
            (2, "上级", "parent.cycle"),
            (3, "上级", "parent.cycle"),
            (4, "上级", "parent.cycle"),
        ]
    );
    assert!(report.errors[1].message.contains("A → B → C → A"));
}

#[test]
fn missing_required_columns_are_reported_on_the_header_row() {
    let (rows, report) = parse_org_sheet(&sheet(&["简称", "地址"], &[&["x", "y"]]));
    assert!(rows.is_empty());
    assert_eq!(
        error_codes(&report),
        vec![(1, "代码", "column.missing"), (1, "名称", "column.missing")]
    );
    assert_eq!(report.rows, 1);
}

#[test]
fn the_template_example_row_is_valid() {
    let sheet =
        read_sheet_bytes(&kexie_office::org_template(), "t.xlsx", &Limits::small()).unwrap();
    let (rows, report) = parse_org_sheet(&sheet);
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(rows.len(), 1);
}
