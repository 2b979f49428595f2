//! .xls (BIFF8, and BIFF5 from older writers): checked by [`crate::cfb`] and [`crate::biff`]
//! for what calamine would allocate, then read by calamine.

use std::io::Cursor;

use calamine::{Reader, Xls, XlsError};

use crate::biff;
use crate::cfb::{self, CfbProblem};
use crate::error::OfficeError;
use crate::grid::{render_data, Grid};
use crate::limits::Limits;
use crate::sheet::Sheet;

pub(crate) fn read_xls(
    bytes: &[u8],
    limits: &Limits,
    mut grid: Grid<'_>,
) -> Result<Sheet, OfficeError> {
    let stream = cfb::workbook_stream(bytes).map_err(|p| match p {
        CfbProblem::Encrypted => OfficeError::Encrypted,
        CfbProblem::NoWorkbook => OfficeError::Unsupported {
            format: "OLE (doc/ppt?)".into(),
        },
        CfbProblem::Malformed(what) => {
            OfficeError::unreadable("xls 文件结构损坏", format!("corrupt xls container: {what}"))
        }
    })?;
    biff::check(&stream, limits)?;
    drop(stream);
    let mut workbook = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsError::Password => OfficeError::Encrypted,
        e => OfficeError::corrupt(e),
    })?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(OfficeError::Empty)?;
    let range = workbook
        .worksheet_range(&first)
        .map_err(OfficeError::corrupt)?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    grid.expect_rows((row0 as usize + range.height()).saturating_sub(1));
    for (row, col, value) in range.used_cells() {
        grid.push(
            row0 as usize + row,
            col0 as usize + col,
            &render_data(value),
        )?;
    }
    grid.finish()
}
