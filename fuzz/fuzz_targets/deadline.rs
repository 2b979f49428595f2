//! 完成时限 phrases as plans write them: read without a panic, whatever the text or plan year,
//! and the dates derived from the reading are consistent.
#![no_main]

use chrono::Duration;
use kexie_domain::deadline::parse_deadline;
use kexie_fuzz::{abort_on_our_panics, split, today};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    abort_on_our_panics();
    let (selector, rest) = split(data);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // Plan years from 1900 to 2155, or none.
    let plan_year = (selector != 0).then(|| 1899 + i32::from(selector));
    let deadline = parse_deadline(text, plan_year);
    let dates = deadline.due_dates();
    assert!(
        dates.windows(2).all(|w| w[0] < w[1]),
        "due dates are sorted and distinct"
    );
    for day in [
        today(),
        today() - Duration::days(365 * 30),
        today() + Duration::days(365 * 30),
    ] {
        if let Some(next) = deadline.next_due(day) {
            assert!(next >= day, "the next due date is not in the past");
        }
        let _ = deadline.is_overdue(day);
    }
    // Tasks keep their deadline as JSON: it must read back as it was.
    let json = serde_json::to_string(&deadline).expect("a deadline serialises");
    let back: kexie_domain::deadline::Deadline =
        serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back, deadline);
});
