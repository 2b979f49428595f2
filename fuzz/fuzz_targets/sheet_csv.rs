//! Any bytes uploaded as `.csv`, `.tsv` or `.txt` (UTF-8, UTF-16 or GBK, comma or tab):
//! refused or read, then through every row parser, never a panic.
#![no_main]

use kexie_fuzz::{abort_on_our_panics, limits, parse_rows, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    abort_on_our_panics();
    let (selector, bytes) = split(data);
    let name = ["upload.csv", "upload.tsv", "upload.txt", "upload"][usize::from(selector % 4)];
    if let Ok(sheet) = kexie_office::read_sheet_bytes(bytes, name, &limits()) {
        parse_rows(&sheet);
    }
});
