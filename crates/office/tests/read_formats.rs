//! Every supported format reads into the same rows of text.

mod common;

use common::*;
use kexie_office::{read_sheet, read_sheet_bytes, Limits, XlsxWriter};
use rust_xlsxwriter::{Format, Workbook};

fn read(bytes: &[u8], name: &str) -> kexie_office::Sheet {
    read_sheet_bytes(bytes, name, &Limits::small()).unwrap()
}

#[test]
fn utf8_with_bom_and_gbk_csv_give_the_same_rows() {
    let text = "代码,名称,联系电话\r\nKX01,某市科学技术协会,0451-86612345\r\nKX02,某县科协,\r\n";
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend(text.as_bytes());
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);

    let from_utf8 = read(&utf8, "orgs.csv");
    let from_gbk = read(&gbk, "orgs.csv");

    assert_eq!(from_utf8, from_gbk);
    assert_eq!(from_utf8.headers, strings(&["代码", "名称", "联系电话"]));
    assert_eq!(from_utf8.rows[1], strings(&["KX02", "某县科协"]));
}

#[test]
fn tab_separated_text_is_read() {
    let sheet = read("代码\t名称\nKX01\t某市科协\n".as_bytes(), "paste.txt");
    assert_eq!(sheet.rows, vec![strings(&["KX01", "某市科协"])]);
}

#[test]
fn xlsx_cells_render_as_the_person_saw_them() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(0, 0, "代码").unwrap();
    sheet.write_string(0, 1, "成立日期").unwrap();
    sheet.write_string(0, 2, "人数").unwrap();
    sheet.write_string(1, 0, "\u{3000}KX01 ").unwrap();
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2018, 5, 1).unwrap();
    sheet.write_datetime_with_format(1, 1, &day, &date).unwrap();
    sheet.write_number(1, 2, 42.0).unwrap();
    sheet.write_number(3, 2, 1.5).unwrap();
    sheet.write_string(6, 5, "   ").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let sheet = read(&bytes, "any-name.bin");

    assert_eq!(
        sheet.rows.len(),
        3,
        "row 5 and the blank row 7 are not kept"
    );
    assert_eq!(sheet.rows[0], strings(&["KX01", "2018-05-01", "42"]));
    assert!(sheet.rows[1].is_empty(), "the empty row 3 keeps its place");
    assert_eq!(sheet.rows[2], strings(&["", "", "1.5"]));
}

#[test]
fn an_exported_sheet_reads_back_as_written() {
    let mut out = XlsxWriter::new("人员", &["姓名", "身份证号", "备注"]).unwrap();
    out.push_row(&["测试甲", "11010519491231002X", "=HYPERLINK(\"x\")"])
        .unwrap();
    out.push_row(&["测试乙", "110105194912310029", "-3"])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.xlsx");
    out.save(&path).unwrap();

    let sheet = read_sheet(&path, &Limits::small()).unwrap();

    assert_eq!(sheet.headers, strings(&["姓名", "身份证号", "备注"]));
    assert_eq!(
        sheet.rows[0],
        strings(&["测试甲", "11010519491231002X", "=HYPERLINK(\"x\")"])
    );
    assert_eq!(sheet.rows[1][1], "110105194912310029", "no 1.1E+17");
}

#[test]
fn a_file_named_xlsx_that_is_text_is_not_guessed_at() {
    let err = read_sheet_bytes(
        b"<html><table></table></html>",
        "export.xls",
        &Limits::small(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "file.unsupported");
    let err = read_sheet_bytes(b"\x01\x02garbage", "a.xlsx", &Limits::small()).unwrap_err();
    assert_eq!(err.code(), "file.unreadable");
}

#[test]
fn empty_files_and_headerless_sheets_are_refused() {
    assert_eq!(
        read_sheet_bytes(b"", "a.csv", &Limits::small())
            .unwrap_err()
            .code(),
        "file.empty"
    );
    assert_eq!(
        read_sheet_bytes(b"\n\n", "a.csv", &Limits::small())
            .unwrap_err()
            .code(),
        "file.empty"
    );
    let err = read_sheet_bytes(b"\nKX01,x\n", "a.csv", &Limits::small()).unwrap_err();
    assert_eq!(err.code(), "file.no_header");
    assert!(err.to_string().contains(" / "), "Chinese, then English");
}

#[test]
fn a_legacy_xls_is_read() {
    let bytes = xls(&[
        dimensions(2, 2),
        label(0, 0, "代码"),
        label(0, 1, "名称"),
        number(1, 0, 42.0),
        label(1, 1, "某科协"),
    ]);

    let sheet = read(&bytes, "old.xls");

    assert_eq!(sheet.headers, strings(&["代码", "名称"]));
    assert_eq!(sheet.rows, vec![strings(&["42", "某科协"])]);
}

#[test]
fn the_org_template_reads_back_with_the_canonical_headers() {
    let sheet = read(&kexie_office::org_template(), "template.xlsx");
    assert_eq!(sheet.headers, strings(&kexie_office::ORG_HEADERS));
    assert_eq!(sheet.rows.len(), 1);
}
