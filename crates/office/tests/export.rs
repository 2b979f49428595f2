//! Exports cannot be turned into formulas and keep long numbers as text.

use std::io::{Cursor, Read};

use kexie_office::{safe_cell, XlsxWriter};

#[test]
fn every_risky_first_character_is_neutralised() {
    for risky in ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"] {
        let value = format!("{risky}SUM(A1:A9)");
        assert_eq!(safe_cell(&value), format!("'{value}"), "{risky:?}");
    }
    for harmless in ["科协", "110105194912310029", "a=b", " =1", "", "'"] {
        assert_eq!(safe_cell(harmless), harmless);
    }
}

fn sheet_xml(xlsx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn cells_are_written_as_text_with_a_bold_frozen_header() {
    let mut out = XlsxWriter::new("人员", &["姓名", "身份证号"]).unwrap();
    out.push_row(&["测试甲", "110105194912310029"]).unwrap();
    out.push_row(&["=1+1".to_string(), "12".to_string()])
        .unwrap();

    let xml = sheet_xml(&out.into_bytes().unwrap());

    assert!(xml.contains("110105194912310029"));
    assert!(
        !xml.contains("<v>110105194912310029</v>"),
        "not a number cell"
    );
    assert!(xml.contains("'=1+1"));
    assert!(!xml.contains("<f>"), "no formula anywhere");
    assert!(xml.contains(r#"state="frozen""#));
}

#[test]
fn the_template_explains_every_column_on_a_second_sheet() {
    let template = kexie_office::org_template();
    let mut zip = zip::ZipArchive::new(Cursor::new(&template[..])).unwrap();
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    assert!(workbook.contains(r#"name="组织""#) && workbook.contains(r#"name="说明""#));
    let mut notes = String::new();
    zip.by_name("xl/worksheets/sheet2.xml")
        .unwrap()
        .read_to_string(&mut notes)
        .unwrap();
    for header in kexie_office::ORG_HEADERS {
        assert!(notes.contains(header), "{header}");
    }
    assert!(notes.contains("农技协") && notes.contains("rural_tech_association"));
}
