//! The import report shared by every import: what was read, what was wrong, row by row.
//!
//! It is the answer to "bad input is answered, never absorbed" (DESIGN.md): every problem names
//! the spreadsheet row, the column as headed in the file, a stable code and a plain message.

use serde::{Deserialize, Serialize};

/// One problem in one cell (or, for `column.missing`, in the header row 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Spreadsheet row number as the person sees it (the header is row 1).
    pub row: usize,
    /// The column's header as written in the file.
    pub column: String,
    pub code: String,
    pub message: String,
}

/// A row that matches something already stored; `matches` is filled in by the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub row: usize,
    pub matches: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows that hold anything (empty rows are not counted).
    pub rows: usize,
    /// Rows without any error.
    pub valid: usize,
    pub errors: Vec<RowError>,
    pub duplicates: Vec<Duplicate>,
    /// Headers that match no known column: reported so a typo is noticed, but not fatal.
    pub unknown_columns: Vec<String>,
}

impl ImportReport {
    pub fn push_error(
        &mut self,
        row: usize,
        column: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(RowError {
            row,
            column: column.into(),
            code: code.into(),
            message: message.into(),
        });
    }

    /// Whether the file may be written: an import is all or nothing.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_the_documented_shape() {
        let mut report = ImportReport {
            rows: 2,
            valid: 1,
            ..ImportReport::default()
        };
        report.push_error(3, "身份证号", "id_number.checksum", "校验位错误");
        report.duplicates.push(Duplicate {
            row: 2,
            matches: serde_json::json!([{"id": 7}]),
        });
        report.unknown_columns.push("籍贯".into());
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(
            json,
            r#"{"rows":2,"valid":1,"errors":[{"row":3,"column":"身份证号","code":"id_number.checksum","message":"校验位错误"}],"duplicates":[{"row":2,"matches":[{"id":7}]}],"unknown_columns":["籍贯"]}"#
        );
        assert_eq!(serde_json::from_str::<ImportReport>(&json).unwrap(), report);
    }
}
