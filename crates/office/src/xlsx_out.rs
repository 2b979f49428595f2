//! Writing xlsx exports in constant memory: rows go to a temporary file as they are pushed, so
//! exporting five million people costs the same memory as exporting five.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

pub use crate::org_template::{org_template, ORG_HEADERS};

use crate::cells::safe_cell;
use crate::error::OfficeError;

/// Rows per worksheet in the xlsx format (ECMA-376, and Excel's own limit).
const MAX_ROWS: u32 = 1_048_576;

/// An xlsx being written, one sheet at a time, top to bottom. Every cell is written as text,
/// through [`safe_cell`]: an 18-digit ID number stays 18 digits instead of becoming
/// 1.10101E+17, and nothing can be evaluated as a formula.
pub struct XlsxWriter {
    workbook: Workbook,
    sheet: usize,
    next_row: u32,
    text: Format,
    /// Rows per sheet, header included (Excel's limit; lowered by tests).
    max_rows: u32,
    /// The current sheet's name and headers, and how many sheets it has run over, so that a
    /// sheet that fills up continues on "名称 (2)", "名称 (3)" … with the same headers.
    name: String,
    headers: Vec<String>,
    part: u32,
}

impl XlsxWriter {
    /// Starts a workbook whose first sheet is `sheet_name` with `headers` in row 1 (bold,
    /// frozen, columns sized for Chinese text).
    pub fn new(sheet_name: &str, headers: &[&str]) -> Result<XlsxWriter, OfficeError> {
        let mut workbook = Workbook::new();
        // Deflate's "fast" level instead of the default 6: compressing was a sixth of a ledger
        // export's time; at level 2 it takes about half that, for files about a quarter larger
        // (a 200,000-line ledger: 18.3 MB instead of 14.6 MB). Level 1 would be 24 MB.
        workbook.set_zip_compression_level(2);
        let mut writer = XlsxWriter {
            workbook,
            sheet: 0,
            next_row: 0,
            // "@" is Excel's Text number format: what a person later types there stays text.
            text: Format::new().set_num_format("@"),
            max_rows: MAX_ROWS,
            name: String::new(),
            headers: Vec::new(),
            part: 1,
        };
        writer.start_sheet(sheet_name, headers, true)?;
        Ok(writer)
    }

    /// Starts another sheet; later rows go to it. Earlier sheets are finished.
    pub fn add_sheet(&mut self, sheet_name: &str, headers: &[&str]) -> Result<(), OfficeError> {
        self.part = 1;
        self.start_sheet(sheet_name, headers, false)
    }

    fn start_sheet(
        &mut self,
        name: &str,
        headers: &[&str],
        first: bool,
    ) -> Result<(), OfficeError> {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_border(FormatBorder::Thin);
        self.name = name.to_string();
        self.headers = headers.iter().map(|h| h.to_string()).collect();
        let shown = if self.part > 1 {
            format!("{name} ({})", self.part)
        } else {
            name.to_string()
        };
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(shown)?;
        sheet.set_freeze_panes(1, 0)?;
        for (col, title) in headers.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| OfficeError::Write("列数过多".into()))?;
            sheet.set_column_width(col, column_width(title))?;
            sheet.set_column_format(col, &self.text)?;
            sheet.write_string_with_format(0, col, safe_cell(title), &header)?;
        }
        if !first {
            self.sheet += 1;
        }
        self.next_row = 1;
        Ok(())
    }

    /// Appends one row to the current sheet; a full sheet continues on the next one.
    pub fn push_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), OfficeError> {
        if self.next_row >= self.max_rows {
            // A province's ledger (2,000,000 lines) is more than one sheet holds.
            let (name, headers) = (self.name.clone(), self.headers.clone());
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            self.part += 1;
            self.start_sheet(&name, &headers, false)?;
        }
        let row = self.next_row;
        let sheet = self.workbook.worksheet_from_index(self.sheet)?;
        for (col, value) in cells.iter().enumerate() {
            let value = value.as_ref();
            if value.is_empty() {
                continue;
            }
            let col = u16::try_from(col).map_err(|_| OfficeError::Write("列数过多".into()))?;
            sheet.write_string_with_format(row, col, safe_cell(value), &self.text)?;
        }
        self.next_row += 1;
        Ok(())
    }

    pub fn save(mut self, path: impl AsRef<Path>) -> Result<(), OfficeError> {
        self.workbook.save(path.as_ref())?;
        Ok(())
    }

    pub fn into_bytes(mut self) -> Result<Vec<u8>, OfficeError> {
        Ok(self.workbook.save_to_buffer()?)
    }
}

/// A width (in Excel's character units) that fits the header and the values usually under it.
/// CJK characters are twice as wide as Latin ones.
fn column_width(header: &str) -> f64 {
    let header_width: usize = header
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    let typical = if ["地址", "名称", "备注", "说明"]
        .iter()
        .any(|k| header.contains(k))
    {
        36
    } else if ["信用代码", "身份证", "证件号"]
        .iter()
        .any(|k| header.contains(k))
    {
        24
    } else if ["代码", "电话", "日期", "号码"]
        .iter()
        .any(|k| header.contains(k))
    {
        16
    } else {
        10
    };
    (header_width + 4).max(typical).min(60) as f64
}

#[cfg(test)]
mod tests {
    use calamine::{Reader, Xlsx};

    use super::XlsxWriter;

    #[test]
    fn a_full_sheet_continues_on_the_next_with_the_same_headers() {
        let mut writer = XlsxWriter::new("台账", &["姓名", "编号"]).unwrap();
        writer.max_rows = 3;
        for i in 0..5 {
            writer
                .push_row(&[format!("会员{i}"), format!("M{i}")])
                .unwrap();
        }
        let bytes = writer.into_bytes().unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["台账", "台账 (2)", "台账 (3)"]);
        let mut names = Vec::new();
        for sheet in book.sheet_names() {
            let range = book.worksheet_range(&sheet).unwrap();
            let rows: Vec<Vec<String>> = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            assert_eq!(rows[0], ["姓名", "编号"], "{sheet}");
            names.extend(rows[1..].iter().map(|r| r[0].clone()));
        }
        assert_eq!(names, ["会员0", "会员1", "会员2", "会员3", "会员4"]);
    }
}
