//! Spreadsheets in and out: reading uploaded files safely, mapping their columns, validating
//! rows with `kexie-domain`, and writing exports that spreadsheets cannot turn into formulas.
//!
//! A file enters through [`read_sheet`] / [`read_sheet_bytes`] (bounded by [`Limits`]), becomes
//! a [`Sheet`] of text, and an import such as [`parse_org_sheet`] turns it into typed rows and an
//! [`ImportReport`]. Exports go through [`XlsxWriter`].

pub mod annual;
mod biff;
pub mod cells;
mod cfb;
pub mod columns;
mod csv_in;
pub mod docx;
pub mod error;
mod grid;
pub mod limits;
mod org_order;
pub mod org_template;
pub mod orgs;
mod person_rows;
pub mod persons;
pub mod phone;
pub mod pilot_units;
pub mod report;
mod row_check;
pub mod sheet;
pub mod slate;
mod xls_in;
mod xlsx_in;
mod xlsx_inspect;
pub mod xlsx_out;

pub use annual::annual_report_docx;
pub use cells::{parse_bool_zh, parse_date, safe_cell, CellError};
pub use columns::{ColumnMap, ColumnSpec};
pub use docx::Docx;
pub use error::OfficeError;
pub use limits::Limits;
pub use org_template::{org_template, ORG_HEADERS};
pub use orgs::{parse_org_sheet, OrgRow, ORG_COLUMNS};
pub use person_rows::{parse_person_sheet, PersonRows, SharedReport};
pub use persons::{PersonRow, PERSON_COLUMNS, PERSON_HEADERS};
pub use phone::parse_phone;
pub use pilot_units::{parse_pilot_unit_sheet, PilotUnitRow, PILOT_UNIT_COLUMNS};
pub use report::{Duplicate, ImportReport, RowError};
pub use sheet::{
    read_sheet, read_sheet_bytes, stream_sheet, stream_sheet_bytes, Sheet, SheetStream,
};
pub use slate::{findings_xlsx, parse_slate_sheet, review_docx, SLATE_COLUMNS, SLATE_HEADERS};
pub use xlsx_out::XlsxWriter;
