//! Spreadsheets in and out, Word reports: parsing, column mapping, row validation.
//! Built with the organisation and people imports (issues 4 and 5).
