//! Hostile and careless files are refused with a clear code, before they cost memory.

mod common;

use common::*;
use kexie_office::{read_sheet, read_sheet_bytes, Limits, OfficeError};

fn refuse(bytes: &[u8], name: &str) -> OfficeError {
    read_sheet_bytes(bytes, name, &Limits::small()).unwrap_err()
}

/// An xlsx whose sheet XML is a long run of spaces: a few KiB compressed, `mib` MiB inflated.
pub fn spaces_bomb(mib: usize) -> Vec<u8> {
    xlsx_with_sheet(
        &mut |w| {
            w.write_all(SHEET_HEAD.as_bytes()).unwrap();
            w.write_all(b"<sheetData>").unwrap();
            let spaces = vec![b' '; 1024 * 1024];
            for _ in 0..mib {
                w.write_all(&spaces).unwrap();
            }
            w.write_all(b"</sheetData></worksheet>").unwrap();
        },
        &[],
    )
}

#[test]
fn a_zip_bomb_is_refused() {
    let bomb = spaces_bomb(16);
    assert!(bomb.len() < 200 * 1024, "the fixture itself is small");
    assert_eq!(refuse(&bomb, "bomb.xlsx").code(), "file.zip_bomb");
}

#[test]
fn a_part_whose_ratio_is_absurd_is_refused_even_under_the_size_limit() {
    let limits = Limits {
        max_inflated_bytes: 1 << 30,
        ..Limits::small()
    };
    let bomb = spaces_bomb(2);
    let err = read_sheet_bytes(&bomb, "bomb.xlsx", &limits).unwrap_err();
    assert_eq!(err.code(), "file.zip_bomb");
}

#[test]
fn a_part_larger_than_its_declared_size_is_refused() {
    let mut bytes = spaces_bomb(1);
    // Rewrite the sheet's declared uncompressed size (local header offset 22, central
    // directory offset 24) to a modest 100 KiB: its ratio now looks ordinary.
    let name = b"xl/worksheets/sheet1.xml";
    for (signature, size_at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let at = (0..bytes.len() - 4)
            .find(|&i| {
                &bytes[i..i + 4] == signature && {
                    let name_at = if size_at == 22 { i + 30 } else { i + 46 };
                    bytes.get(name_at..name_at + name.len()) == Some(&name[..])
                }
            })
            .unwrap();
        bytes[at + size_at..at + size_at + 4].copy_from_slice(&(100 * 1024u32).to_le_bytes());
    }
    let limits = Limits {
        max_compression_ratio: 1_000_000,
        ..Limits::small()
    };
    let err = read_sheet_bytes(&bytes, "liar.xlsx", &limits).unwrap_err();
    assert_eq!(err.code(), "file.zip_bomb");
}

#[test]
fn a_doctype_or_entity_in_any_xml_part_is_refused() {
    let with_dtd = format!(
        r#"<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaa">]>{}<sheetData>{}</sheetData></worksheet>"#,
        &SHEET_HEAD[SHEET_HEAD.find("<worksheet").unwrap()..],
        cell("A1", "&a;")
    );
    let bytes = xlsx_with_sheet(&mut |w| w.write_all(with_dtd.as_bytes()).unwrap(), &[]);
    let err = refuse(&bytes, "dtd.xlsx");
    assert_eq!(err.code(), "file.doctype");
    assert!(err.to_string().contains("sheet1.xml"));

    let entity = br#"<?xml version="1.0"?><!entity x SYSTEM "file:///etc/passwd"><sst/>"#;
    let bytes = xlsx_with_sheet_data_and(&[("xl/sharedStrings.xml", entity)]);
    assert_eq!(refuse(&bytes, "e.xlsx").code(), "file.doctype");

    let utf16: Vec<u8> = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE x><x/>"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let bytes = xlsx_with_sheet_data_and(&[("xl/styles.xml", &utf16)]);
    assert_eq!(refuse(&bytes, "u.xlsx").code(), "file.doctype");
}

fn xlsx_with_sheet_data_and(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let xml = format!(
        "{SHEET_HEAD}<sheetData>{}</sheetData></worksheet>",
        cell("A1", "代码")
    );
    xlsx_with_sheet(&mut |w| w.write_all(xml.as_bytes()).unwrap(), extra)
}

#[test]
fn a_sheet_claiming_the_whole_grid_with_one_far_cell_is_refused() {
    let xml = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
        cell("A1", "代码"),
        cell("XFD1048576", "far")
    );
    let bytes = xlsx_with_sheet(&mut |w| w.write_all(xml.as_bytes()).unwrap(), &[]);
    assert_eq!(refuse(&bytes, "far.xlsx").code(), "file.too_many_rows");

    let far_right = xlsx_with_sheet_data(&format!("{}{}", cell("A1", "代码"), cell("XFD1", "x")));
    assert_eq!(
        refuse(&far_right, "wide.xlsx").code(),
        "file.too_many_columns"
    );
}

#[test]
fn a_dimension_alone_costs_nothing() {
    let xml = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData>{}</sheetData></worksheet>"#,
        cell("A1", "代码")
    );
    let bytes = xlsx_with_sheet(&mut |w| w.write_all(xml.as_bytes()).unwrap(), &[]);
    let sheet = read_sheet_bytes(&bytes, "dim.xlsx", &Limits::small()).unwrap();
    assert_eq!(sheet.headers, strings(&["代码"]));
    assert!(sheet.rows.is_empty());
}

#[test]
fn millions_of_empty_cells_stop_at_the_cell_limit() {
    let limits = Limits::small();
    let mut data = String::new();
    for r in 1..=1_000u64 {
        data.push_str(&format!("<row r=\"{r}\">"));
        for c in [
            "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q",
            "R", "S", "T", "U",
        ] {
            data.push_str(&format!("<c r=\"{c}{r}\" s=\"1\"/>"));
        }
        data.push_str("</row>");
    }
    assert!(21_000 > limits.max_cells);
    let err = read_sheet_bytes(&xlsx_with_sheet_data(&data), "empty.xlsx", &limits).unwrap_err();
    assert_eq!(err.code(), "file.too_many_cells");
}

#[test]
fn a_csv_with_more_rows_than_the_limit_is_refused() {
    let limits = Limits::small();
    let mut csv = String::from("代码,名称\n");
    for i in 0..=limits.max_rows {
        csv.push_str(&format!("K{i},某科协\n"));
    }
    assert_eq!(
        refuse(csv.as_bytes(), "many.csv").code(),
        "file.too_many_rows"
    );

    let trailing_blank_lines = format!("代码,名称\nK1,某科协\n{}", "\n".repeat(5_000));
    let sheet = read_sheet_bytes(trailing_blank_lines.as_bytes(), "a.csv", &limits).unwrap();
    assert_eq!(
        sheet.rows.len(),
        1,
        "blank lines at the end are dropped, not counted"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_parsing() {
    let limits = Limits::small();
    let big = vec![b'a'; limits.max_file_bytes as usize + 1];
    assert_eq!(refuse(&big, "big.csv").code(), "file.too_large");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &big).unwrap();
    assert_eq!(
        read_sheet(&path, &limits).unwrap_err().code(),
        "file.too_large"
    );
}

#[test]
fn text_that_is_neither_utf8_nor_gbk_is_an_encoding_error() {
    // 0x80 alone is not a GB18030 lead byte sequence that decodes.
    assert_eq!(
        refuse(b"a,b\n\xFF\xFF\xFF\n", "x.csv").code(),
        "file.encoding"
    );
}

#[test]
fn an_xls_whose_sector_chain_loops_is_refused() {
    // The stream's last sector points back to its first, and the directory claims 256 MiB:
    // followed naively, the chain would be copied until memory runs out.
    let stream = biff_workbook(&[label(0, 0, "代码")]);
    let last = stream.len().div_ceil(512);
    let bytes = compound_file(&stream, Some(256 << 20), &|fat| fat[last] = 1);
    assert_eq!(refuse(&bytes, "loop.xls").code(), "file.unreadable");
}

#[test]
fn an_xls_with_cells_at_opposite_corners_is_refused() {
    let bytes = xls(&[label(0, 0, "代码"), label(65_535, 255, "far")]);
    assert_eq!(refuse(&bytes, "corners.xls").code(), "file.too_many_cells");

    let claimed = xls(&[dimensions(u32::MAX, 256), label(0, 0, "代码")]);
    assert_eq!(
        refuse(&claimed, "claimed.xls").code(),
        "file.too_many_cells"
    );
}

#[test]
fn an_encrypted_office_file_is_named_as_such() {
    // Password-protected xlsx files are compound files holding an EncryptedPackage stream.
    let mut bytes = xls(&[label(0, 0, "代码")]);
    let at = bytes.len() - 512 + 128;
    let name: Vec<u8> = "EncryptedPackage\0"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes[at..at + name.len()].copy_from_slice(&name);
    assert_eq!(refuse(&bytes, "secret.xlsx").code(), "file.encrypted");
}

#[test]
fn styles_that_clone_a_huge_font_name_into_every_format_are_refused() {
    // calamine copies a format's font into each <xf>: one 600 KB name used by 20,000 formats
    // would cost 12 GB once parsed, from a part under 1 MB.
    let mut styles = format!(
        r#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><name val="{}"/></font></fonts><cellXfs count="20000">"#,
        "a".repeat(600 * 1024)
    );
    for _ in 0..20_000 {
        styles.push_str(r#"<xf fontId="0"/>"#);
    }
    styles.push_str("</cellXfs></styleSheet>");
    let bytes = xlsx_with_sheet_data_and(&[("xl/styles.xml", styles.as_bytes())]);
    let limits = Limits {
        max_compression_ratio: u64::MAX,
        ..Limits::small()
    };
    let err = read_sheet_bytes(&bytes, "styles.xlsx", &limits).unwrap_err();
    assert_eq!(err.code(), "file.zip_bomb");
    assert!(err.to_string().contains("styles.xml"));
}

/// An .xls whose workbook globals carry `extra` records right after their BOF.
fn xls_with_globals(extra: &[u8], cells: &[Vec<u8>]) -> Vec<u8> {
    let mut stream = biff_workbook(cells);
    let after_bof = 4 + 16;
    stream.splice(after_bof..after_bof, extra.iter().copied());
    // The BoundSheet8 record that follows holds the sheet's position in its first 4 bytes.
    let at = after_bof + extra.len() + 4;
    let pos = u32::from_le_bytes(stream[at..at + 4].try_into().unwrap()) + extra.len() as u32;
    stream[at..at + 4].copy_from_slice(&pos.to_le_bytes());
    compound_file(&stream, None, &|_| {})
}

#[test]
fn a_record_too_short_for_its_fields_is_answered_as_corrupt_not_a_crash() {
    // A CodePage record without its two bytes: calamine 0.38 reads them anyway and panics
    // (found by scripts/fuzz sheet_xls); the reader answers "文件结构损坏" instead.
    let good = xls_with_globals(
        &record(0x0042, &1200u16.to_le_bytes()),
        &[label(0, 0, "代码")],
    );
    assert_eq!(
        read_sheet_bytes(&good, "good.xls", &Limits::small())
            .unwrap()
            .headers,
        ["代码"]
    );

    let short = xls_with_globals(&record(0x0042, &[]), &[label(0, 0, "代码")]);
    let refused = refuse(&short, "short.xls");
    assert_eq!(refused.code(), "file.unreadable");
    assert!(refused.to_string().contains("损坏"), "{refused}");
}

/// A streamed sheet's headers, and its rows in order then the error that ended it, if any.
type Streamed = (Vec<String>, Vec<Result<Vec<String>, OfficeError>>);

/// The sheet as a stream: its rows in order, then the error that ended it, if any.
fn stream_all(bytes: &[u8], name: &str) -> Result<Streamed, OfficeError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut stream = kexie_office::stream_sheet(&path, &Limits::small())?;
    let headers = std::mem::take(&mut stream.headers);
    Ok((headers, stream.collect()))
}

#[test]
fn a_streamed_sheet_broken_further_down_ends_with_its_error_and_no_more_rows() {
    let rows: String = (2..=300)
        .map(|r| {
            format!(
                r#"<row r="{r}">{}</row>"#,
                cell(&format!("A{r}"), &format!("v{r}"))
            )
        })
        .collect();
    // Row 301 closes an element it never opened.
    let data = format!(
        r#"<row r="1">{}</row>{rows}<row r="301"><c r="A301" t="inlineStr"><is><t>x</t></c></row>"#,
        cell("A1", "姓名")
    );
    let (headers, items) = stream_all(&xlsx_with_sheet_data(&data), "broken.xlsx").unwrap();
    assert_eq!(headers, ["姓名"]);
    let last = items.last().unwrap();
    assert_eq!(last.as_ref().unwrap_err().code(), "file.unreadable");
    assert!(items[..items.len() - 1].iter().all(|r| r.is_ok()));
    assert_eq!(items[0].as_ref().unwrap(), &["v2"]);

    // A DOCTYPE in the worksheet is found while the cells are read: the stream ends with it.
    let with_dtd = format!(
        r#"<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaa">]>{}<sheetData>{}</sheetData></worksheet>"#,
        &SHEET_HEAD[SHEET_HEAD.find("<worksheet").unwrap()..],
        cell("A1", "姓名")
    );
    let bytes = xlsx_with_sheet(&mut |w| w.write_all(with_dtd.as_bytes()).unwrap(), &[]);
    let code = match stream_all(&bytes, "dtd.xlsx") {
        Err(e) => e.code(),
        Ok((_, items)) => items.last().unwrap().as_ref().unwrap_err().code(),
    };
    assert_eq!(code, "file.doctype");

    // Rows out of order cannot be handed on one at a time.
    let data = format!(
        r#"<row r="1">{}</row><row r="3">{}</row><row r="2">{}</row>"#,
        cell("A1", "姓名"),
        cell("A3", "b"),
        cell("A2", "a")
    );
    let (_, items) = stream_all(&xlsx_with_sheet_data(&data), "order.xlsx").unwrap();
    // The blank row 2 was handed on when row 3 began; row 3 never is.
    assert_eq!(items.len(), 2);
    assert!(items[0].as_ref().unwrap().is_empty());
    assert_eq!(items[1].as_ref().unwrap_err().code(), "file.unreadable");
}
