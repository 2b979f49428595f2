//! CSV and tab-separated text: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
//! text"), or GBK/GB18030 (what Excel and WPS write on a Chinese Windows by default).

use std::borrow::Cow;

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

use crate::error::OfficeError;
use crate::grid::Grid;
use crate::sheet::Sheet;

pub(crate) fn read_csv(
    bytes: &[u8],
    prefer_tab: bool,
    mut grid: Grid<'_>,
) -> Result<Sheet, OfficeError> {
    let text = decode(bytes)?;
    let delimiter = delimiter(&text, prefer_tab);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    // Lines less the header: the rows, unless fields hold newlines.
    let lines =
        memchr::memchr_iter(b'\n', text.as_bytes()).count() + usize::from(!text.ends_with('\n'));
    grid.expect_rows(lines.saturating_sub(1));
    let mut record = csv::StringRecord::new();
    let mut row = 0usize;
    loop {
        // The csv reader skips blank lines, but a spreadsheet shows each as an empty row. The
        // lines a record consumed, less its own (one, plus newlines inside quoted fields), are
        // the blank lines before it.
        let line_before = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let zh = format!("第 {} 行附近格式错误", row + 1);
                return Err(OfficeError::unreadable(
                    zh,
                    format!("near row {}: {e}", row + 1),
                ));
            }
        }
        let consumed = reader.position().line() - line_before;
        let own = 1 + record
            .iter()
            .map(|f| f.matches('\n').count() as u64)
            .sum::<u64>();
        row += consumed.saturating_sub(own) as usize;
        for (col, value) in record.iter().enumerate() {
            grid.push(row, col, value)?;
        }
        row += 1;
    }
    grid.finish()
}

/// Decodes the bytes to text. UTF-8 is tried first because GBK text is almost never valid
/// UTF-8, while the reverse is not true: any byte string decodes as something in GB18030.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, OfficeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|_| OfficeError::Encoding);
    }
    for (bom, encoding) in [(&b"\xFF\xFE"[..], UTF_16LE), (&b"\xFE\xFF"[..], UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return encoding
                .decode_without_bom_handling_and_without_replacement(rest)
                .map(|t| Cow::Owned(t.into_owned()))
                .ok_or(OfficeError::Encoding);
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| Cow::Owned(t.into_owned()))
        .ok_or(OfficeError::Encoding)
}

/// Comma unless the first line has more tabs than commas (or any tab, for .tsv/.txt files):
/// text copied out of Excel and "Unicode text" exports are tab-separated.
fn delimiter(text: &str, prefer_tab: bool) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let tabs = first.matches('\t').count();
    let commas = first.matches(',').count();
    if tabs > commas || (prefer_tab && tabs > 0) {
        b'\t'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Streamed;
    use crate::limits::Limits;

    fn read(bytes: &[u8]) -> Sheet {
        read_csv(bytes, false, Grid::new(&Limits::small())).unwrap()
    }

    /// The rows a streaming grid hands on, as a sheet, and the length it announced.
    fn stream(bytes: &[u8]) -> Result<(Sheet, usize), OfficeError> {
        let limits = Limits::small();
        let mut items = Vec::new();
        let grid = Grid::streaming(
            &limits,
            Box::new(|batch| {
                items.extend(batch);
                true
            }),
        );
        read_csv(bytes, false, grid)?;
        let mut sheet = Sheet::default();
        let mut expected = 0;
        for item in items {
            match item {
                Streamed::Headers {
                    cells,
                    expected_rows,
                } => {
                    assert!(sheet.headers.is_empty() && sheet.rows.is_empty());
                    sheet.headers = cells;
                    expected = expected_rows;
                }
                Streamed::Row(cells) => sheet.rows.push(cells),
            }
        }
        Ok((sheet, expected))
    }

    #[test]
    fn a_streamed_sheet_hands_on_the_same_rows_as_one_read_whole() {
        let bytes = b"a,b\n1,2\n\n3,4\n\"x\ny\",5\n\n6,7\n\n\n";
        let (streamed, expected) = stream(bytes).unwrap();
        assert_eq!(streamed, read(bytes));
        // Ten lines less the header: an upper bound, for progress.
        assert_eq!(expected, 9);
        assert_eq!(stream(b"").unwrap_err().code(), "file.empty");
        assert_eq!(stream(b"\n\n,\n").unwrap_err().code(), "file.empty");
        assert_eq!(stream(b"a\n1\n").unwrap().0.rows, vec![vec!["1"]]);
    }

    #[test]
    fn blank_lines_in_the_middle_keep_row_numbers() {
        let sheet = read(b"a,b\n1,2\n\n3,4\n\"x\ny\",5\n\n6,7\n\n\n");
        assert_eq!(sheet.headers, vec!["a", "b"]);
        assert_eq!(sheet.rows.len(), 6);
        assert!(sheet.rows[1].is_empty());
        assert_eq!(sheet.rows[2], vec!["3", "4"]);
        assert_eq!(sheet.rows[3], vec!["x\ny", "5"]);
        assert!(sheet.rows[4].is_empty());
        assert_eq!(sheet.rows[5], vec!["6", "7"]);
    }

    #[test]
    fn tabs_win_when_the_header_has_more_of_them() {
        let sheet = read("代码\t名称\nKX1\t某市科协, 本级\n".as_bytes());
        assert_eq!(sheet.rows[0], vec!["KX1", "某市科协, 本级"]);
    }

    #[test]
    fn utf16_unicode_text_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "代码\t名称\r\nA\tB\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(read(&bytes).rows, vec![vec!["A", "B"]]);
    }

    #[test]
    fn quoted_fields_may_span_lines_without_shifting_rows() {
        let sheet = read(b"a,b\n\"x\ny\",1\n2,3\n");
        assert_eq!(sheet.rows, vec![vec!["x\ny", "1"], vec!["2", "3"]]);
    }
}
