//! Any bytes uploaded as `.xlsx`: refused with an error or read into a sheet, never a panic,
//! a hang or memory past the limits.
#![no_main]

use kexie_fuzz::{abort_on_our_panics, limits, parse_rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    abort_on_our_panics();
    if let Ok(sheet) = kexie_office::read_sheet_bytes(data, "upload.xlsx", &limits()) {
        parse_rows(&sheet);
    }
});
