//! A re-election slate (换届名单), as the sheet reader hands it over (tab-separated text here,
//! one line per row): read, checked against the 2018 rules, and written out as the findings
//! workbook and the Word report, never a panic.
//!
//! Layout of an input: 4 bytes of individual members, 2 of the previous council size (0 for
//! none), 1 of last year's growth in percent (signed), then the slate.
#![no_main]

use kexie_domain::governance::{check_slate, RuleSet, SlateInput};
use kexie_fuzz::{abort_on_our_panics, today};
use kexie_office::{findings_xlsx, parse_slate_sheet, review_docx, Sheet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    abort_on_our_panics();
    if data.len() < 7 {
        return;
    }
    let individual_members = u64::from(u32::from_le_bytes([data[0], data[1], data[2], data[3]]));
    let previous = u32::from(u16::from_le_bytes([data[4], data[5]]));
    let growth = f64::from(data[6] as i8);
    let text = String::from_utf8_lossy(&data[7..]);
    let mut lines = text.split('\n').map(|line| {
        line.split('\t')
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>()
    });
    let sheet = Sheet {
        headers: lines.next().unwrap_or_default(),
        rows: lines.collect(),
    };
    let (members, report) = parse_slate_sheet(&sheet);
    if !report.errors.is_empty() {
        return;
    }
    let review = check_slate(
        &RuleSet::default_2018(),
        &SlateInput {
            members,
            individual_members,
            previous_council_size: (previous > 0).then_some(previous),
            member_growth_percent: Some(growth),
            as_of: today(),
        },
    );
    findings_xlsx(&review).expect("the findings workbook is written");
    review_docx("换届前置审核报告", &review).expect("the report is written");
});
