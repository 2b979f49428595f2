//! xlsx: the archive is inspected before calamine sees it (`xlsx_inspect`), then the first
//! sheet is streamed cell by cell, so neither a zip bomb nor a sheet claiming `A1:XFD1048576`
//! costs memory.

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use crate::error::OfficeError;
use crate::grid::{render, Grid};
use crate::limits::Limits;
use crate::sheet::Sheet;
use crate::xlsx_inspect::{inflate_error, inspect};

pub(crate) fn read_xlsx(
    bytes: &[u8],
    limits: &Limits,
    mut grid: Grid<'_>,
) -> Result<Sheet, OfficeError> {
    inspect(bytes, limits)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(OfficeError::corrupt)?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(OfficeError::Empty)?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(OfficeError::corrupt)?;
    // The declared dimension only tells progress how far there is to go.
    grid.expect_rows(cells.dimensions().end.0 as usize);
    // The declared dimension is ignored: only cells actually present are visited.
    while let Some(cell) = cells.next_cell().map_err(|e| inflate_error(&first, e))? {
        let (row, col) = cell.get_position();
        grid.push(row as usize, col as usize, &render(cell.get_value()))?;
    }
    grid.finish()
}
