//! What every sheet parser shares: mapping the header row (a missing required column is
//! reported on row 1 and nothing else is read), iterating the filled rows with their spreadsheet
//! row numbers, and reporting a cell's problem under the column's header as the file wrote it.

use crate::cells::CellError;
use crate::columns::{ColumnMap, ColumnSpec};
use crate::report::ImportReport;
use crate::sheet::Sheet;

pub(crate) fn filled(cells: &[String]) -> bool {
    cells.iter().any(|c| !c.trim().is_empty())
}

/// Maps the headers for `specs`. On a missing required column the report (with its row count and
/// one `column.missing` error per column) is returned as the error.
pub(crate) fn map_columns(
    sheet: &Sheet,
    specs: &[ColumnSpec],
) -> Result<(ColumnMap, ImportReport), ImportReport> {
    let mut report = ImportReport::default();
    match ColumnMap::map(&sheet.headers, specs) {
        Ok((map, unknown)) => {
            report.unknown_columns = unknown;
            Ok((map, report))
        }
        Err(missing) => {
            report.rows = sheet.rows.iter().filter(|r| filled(r)).count();
            for name in missing {
                let message = format!("缺少必填列“{name}”");
                report.push_error(1, name, "column.missing", message);
            }
            Err(report)
        }
    }
}

/// The filled rows of a sheet with their spreadsheet row numbers (header is row 1); each is
/// counted in `report.rows`.
pub(crate) fn filled_rows<'s>(
    sheet: &'s Sheet,
    report: &mut ImportReport,
) -> Vec<(usize, &'s [String])> {
    let rows: Vec<_> = sheet
        .rows
        .iter()
        .enumerate()
        .filter(|(_, cells)| filled(cells))
        .map(|(index, cells)| (Sheet::row_number(index), cells.as_slice()))
        .collect();
    report.rows += rows.len();
    rows
}

/// The checks of one row: every problem is reported, not only the first.
pub(crate) struct RowCheck<'a> {
    pub row: usize,
    pub cells: &'a [String],
    pub map: &'a ColumnMap,
    pub report: &'a mut ImportReport,
    pub ok: bool,
}

impl<'a> RowCheck<'a> {
    pub fn new(
        row: usize,
        cells: &'a [String],
        map: &'a ColumnMap,
        report: &'a mut ImportReport,
    ) -> RowCheck<'a> {
        RowCheck {
            row,
            cells,
            map,
            report,
            ok: true,
        }
    }

    /// Reports a problem with the cell of `key`.
    pub fn fail(&mut self, key: &str, error: CellError) {
        self.ok = false;
        let column = self.map.header(key).to_string();
        self.report
            .push_error(self.row, column, error.code, error.message);
    }

    /// The cell of `key`, `None` when the column is absent or the cell empty.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.map.get(self.cells, key)
    }
}
