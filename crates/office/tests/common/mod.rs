//! Fixture builders: every file a test reads is generated here, none is committed.
#![allow(dead_code)]

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

pub const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// A minimal xlsx whose first sheet is `sheet_xml` (a whole worksheet document, written in
/// pieces so a huge sheet never sits in memory), plus any `extra` parts.
pub fn xlsx_with_sheet(
    sheet_xml: &mut dyn FnMut(&mut dyn Write),
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    for (name, body) in extra {
        zip.start_file(*name, options).unwrap();
        zip.write_all(body).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options.large_file(true))
        .unwrap();
    sheet_xml(&mut zip);
    zip.finish().unwrap().into_inner()
}

/// A minimal xlsx whose sheet is the given `<sheetData>` content.
pub fn xlsx_with_sheet_data(sheet_data: &str) -> Vec<u8> {
    let xml = format!("{SHEET_HEAD}<sheetData>{sheet_data}</sheetData></worksheet>");
    xlsx_with_sheet(&mut |w| w.write_all(xml.as_bytes()).unwrap(), &[])
}

/// An inline-string cell.
pub fn cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

// ---- .xls: BIFF8 records in a compound file -------------------------------------------------

pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn bof(kind: u16) -> Vec<u8> {
    let mut d = vec![0u8; 16];
    d[..2].copy_from_slice(&0x0600u16.to_le_bytes());
    d[2..4].copy_from_slice(&kind.to_le_bytes());
    record(0x0809, &d)
}

/// A Label cell (MS-XLS 2.4.148) with an uncompressed UTF-16 string.
pub fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = Vec::new();
    for v in [row, col, 0, units.len() as u16] {
        d.extend(v.to_le_bytes());
    }
    d.push(1);
    for u in units {
        d.extend(u.to_le_bytes());
    }
    record(0x0204, &d)
}

/// A Number cell (MS-XLS 2.4.180).
pub fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut d = Vec::new();
    for v in [row, col, 0] {
        d.extend(v.to_le_bytes());
    }
    d.extend(value.to_le_bytes());
    record(0x0203, &d)
}

/// A Dimensions record (MS-XLS 2.4.90): first row, last row + 1, first col, last col + 1.
pub fn dimensions(rows: u32, cols: u16) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(0u32.to_le_bytes());
    d.extend(rows.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(cols.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    record(0x0200, &d)
}

/// A workbook stream with one sheet made of `cells` records, padded past the 4096-byte mini
/// stream cutoff so the compound file needs only regular sectors.
pub fn biff_workbook(cells: &[Vec<u8>]) -> Vec<u8> {
    let name = "Sheet1";
    let mut bound = vec![0u8; 4]; // position, patched below
    bound.extend([0, 0, name.len() as u8, 0]);
    bound.extend(name.bytes());
    let mut globals = bof(0x0005);
    let bound_at = globals.len() + 4;
    globals.extend(record(0x0085, &bound));
    globals.extend(record(0x000A, &[]));
    let sheet_pos = globals.len() as u32;
    globals[bound_at..bound_at + 4].copy_from_slice(&sheet_pos.to_le_bytes());
    let mut stream = globals;
    stream.extend(bof(0x0010));
    for c in cells {
        stream.extend_from_slice(c);
    }
    stream.extend(record(0x000A, &[]));
    stream.extend(record(0x1234, &[0u8; 4200]));
    stream
}

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;

/// A version 3 compound file (512-byte sectors) holding `stream` as "Workbook". `declared_len`
/// overrides the size in the directory and `fat_tamper` may rewrite the FAT, to build broken
/// files.
pub fn compound_file(
    stream: &[u8],
    declared_len: Option<u32>,
    fat_tamper: &dyn Fn(&mut Vec<u32>),
) -> Vec<u8> {
    let data_sectors = stream.len().div_ceil(512);
    // Sector 0 holds the FAT (enough for 127 sectors), 1..=n the stream, n+1 the directory.
    assert!(data_sectors + 2 <= 128);
    let dir_sector = data_sectors as u32 + 1;
    let mut fat = vec![FREESECT; 128];
    fat[0] = 0xFFFF_FFFD;
    for s in 1..=data_sectors as u32 {
        fat[s as usize] = if s as usize == data_sectors {
            ENDOFCHAIN
        } else {
            s + 1
        };
    }
    fat[dir_sector as usize] = ENDOFCHAIN;
    fat_tamper(&mut fat);

    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    header[44..48].copy_from_slice(&1u32.to_le_bytes());
    header[48..52].copy_from_slice(&dir_sector.to_le_bytes());
    header[56..60].copy_from_slice(&4096u32.to_le_bytes());
    header[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
    header[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
    for i in 0..109 {
        let v = if i == 0 { 0 } else { FREESECT };
        header[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }

    let mut file = header;
    file.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    let mut body = stream.to_vec();
    body.resize(data_sectors * 512, 0);
    file.extend(body);
    let len = declared_len.unwrap_or(stream.len() as u32);
    file.extend(dir_entry("Root Entry", 5, ENDOFCHAIN, 0, 1));
    file.extend(dir_entry("Workbook", 2, 1, len, FREESECT));
    file.extend(vec![0u8; 256]);
    file
}

fn dir_entry(name: &str, kind: u8, start: u32, len: u32, child: u32) -> Vec<u8> {
    let mut e = vec![0u8; 128];
    let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
    for (i, u) in units.iter().enumerate() {
        e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    e[64..66].copy_from_slice(&(2 * units.len() as u16).to_le_bytes());
    e[66] = kind;
    e[67] = 1;
    e[68..72].copy_from_slice(&FREESECT.to_le_bytes());
    e[72..76].copy_from_slice(&FREESECT.to_le_bytes());
    e[76..80].copy_from_slice(&child.to_le_bytes());
    e[116..120].copy_from_slice(&start.to_le_bytes());
    e[120..124].copy_from_slice(&len.to_le_bytes());
    e
}

/// A well-formed .xls whose sheet holds `cells`.
pub fn xls(cells: &[Vec<u8>]) -> Vec<u8> {
    compound_file(&biff_workbook(cells), None, &|_| {})
}
