//! The cells of an exported spreadsheet as a spreadsheet program reads them, and the check that
//! none of them would be evaluated.

use std::io::Read;

/// Characters that make a spreadsheet evaluate a cell (OWASP "CSV injection").
pub const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// The text of every cell of every sheet of an xlsx, as stored (no formula is allowed at all).
pub fn xlsx_cells(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut cells = Vec::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        if !(name.starts_with("xl/worksheets/") || name == "xl/sharedStrings.xml") {
            continue;
        }
        let mut xml = String::new();
        part.read_to_string(&mut xml).unwrap();
        assert!(
            !xml.contains("<f>") && !xml.contains("<f "),
            "{name} holds a formula"
        );
        for piece in xml.split("<t").skip(1) {
            let Some(start) = piece.find('>') else {
                continue;
            };
            if piece[..start].contains('/') {
                continue; // <t/>
            }
            let text = &piece[start + 1..piece.find("</t>").unwrap_or(piece.len())];
            cells.push(
                text.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            );
        }
    }
    cells
}

/// Cells of a CSV file as a spreadsheet reads them (quoted fields, doubled quotes).
pub fn csv_cells(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let (mut cell, mut quoted, mut chars) = (String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',' | '\n', false) => cells.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

pub fn assert_inert(what: &str, cells: &[String], payloads: &[&str]) {
    for cell in cells {
        assert!(
            !cell.starts_with(FORMULA_STARTS),
            "{what}: the cell {cell:?} would be evaluated"
        );
    }
    for p in payloads {
        assert!(
            cells.iter().any(|c| c == &format!("'{p}")),
            "{what}: {p:?} is missing or not neutralised"
        );
    }
}
