//! A work plan pasted as text (任务分工): read into tasks and line errors, never a panic or a
//! hang, whatever was pasted.
#![no_main]

use kexie_domain::plan_text::parse_plan_text;
use kexie_fuzz::{abort_on_our_panics, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    abort_on_our_panics();
    let (selector, rest) = split(data);
    let text = String::from_utf8_lossy(rest);
    let plan_year = (selector != 0).then(|| 1899 + i32::from(selector));
    let parsed = parse_plan_text(&text, plan_year);
    let lines = text.lines().count();
    for error in &parsed.errors {
        assert!(
            error.line >= 1 && error.line <= lines,
            "an error names a line of the text"
        );
    }
});
