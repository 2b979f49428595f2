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
}

impl XlsxWriter {
    /// Starts a workbook whose first sheet is `sheet_name` with `headers` in row 1 (bold,
    /// frozen, columns sized for Chinese text).
    pub fn new(sheet_name: &str, headers: &[&str]) -> Result<XlsxWriter, OfficeError> {
        let mut writer = XlsxWriter {
            workbook: Workbook::new(),
            sheet: 0,
            next_row: 0,
            // "@" is Excel's Text number format: what a person later types there stays text.
            text: Format::new().set_num_format("@"),
        };
        writer.start_sheet(sheet_name, headers, true)?;
        Ok(writer)
    }

    /// Starts another sheet; later rows go to it. Earlier sheets are finished.
    pub fn add_sheet(&mut self, sheet_name: &str, headers: &[&str]) -> Result<(), OfficeError> {
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
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
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

    /// Appends one row to the current sheet.
    pub fn push_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), OfficeError> {
        if self.next_row >= MAX_ROWS {
            return Err(OfficeError::Write(format!(
                "超过 Excel 单表 {MAX_ROWS} 行上限 / more than {MAX_ROWS} rows in one sheet"
            )));
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
