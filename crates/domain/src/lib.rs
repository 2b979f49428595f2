//! Kexie's domain: pure types and rules, no I/O.
//!
//! Everything that crosses a boundary (a form field, a spreadsheet cell, a JSON body) is parsed
//! into one of these types once; code past the boundary holds the type, never the raw string.

pub mod credit_code;
pub mod deadline;
pub mod division;
pub mod division_data;
pub mod doc_number;
pub mod email;
pub mod governance;
pub mod id_number;
pub mod mask;
pub mod network;
pub mod org;
pub mod password;
pub mod phone;
pub mod pinyin;
pub mod plan_text;
pub mod role;
pub mod text;
pub mod totp;
