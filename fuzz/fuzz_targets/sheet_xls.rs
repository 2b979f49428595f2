//! Any bytes uploaded as `.xls` (BIFF8 in a compound file): refused or read, never a panic of
//! ours, a hang or memory past the limits.
#![no_main]

use kexie_fuzz::{abort_on_our_panics, limits, parse_rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    abort_on_our_panics();
    if let Ok(sheet) = kexie_office::read_sheet_bytes(data, "upload.xls", &limits()) {
        parse_rows(&sheet);
    }
});
