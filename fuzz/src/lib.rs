//! What the fuzz targets share: the limits they read with, how they treat a panic inside
//! calamine, and the second pass every sheet goes through (the row parsers).

use std::sync::Once;

use chrono::NaiveDate;
use kexie_office::{parse_org_sheet, parse_person_sheet, parse_slate_sheet, Limits, Sheet};

/// The test limits: small enough that every limit can be crossed by an input the fuzzer finds,
/// and that no accepted input costs more than a few MiB (libFuzzer's RSS limit is 2 GiB).
pub fn limits() -> Limits {
    Limits::small()
}

/// A fixed "today", so a crash reproduces whatever the day.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("a real date")
}

static HOOK: Once = Once::new();

/// libFuzzer aborts at any panic, caught or not. `kexie_office::read_sheet_bytes` deliberately
/// catches a panic inside calamine (a third-party parser) and answers "文件结构损坏", so such a
/// panic reaches no user; any other panic is ours and must abort. Set `KEXIE_FUZZ_STRICT=1` to
/// stop at calamine's panics too (to report them upstream).
pub fn abort_on_our_panics() {
    HOOK.call_once(|| {
        if std::env::var_os("KEXIE_FUZZ_STRICT").is_some() {
            return;
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                previous(info);
                std::process::abort();
            }
        }));
    });
}

/// Runs the row parsers of every import over a sheet that was read: they meet whatever cells
/// the reader let through.
pub fn parse_rows(sheet: &Sheet) {
    let _ = parse_org_sheet(sheet);
    let _ = parse_person_sheet(sheet, today());
    let _ = parse_slate_sheet(sheet);
}

/// Splits an input into a selector byte and the rest.
pub fn split(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((first, rest)) => (*first, rest),
        None => (0, data),
    }
}
