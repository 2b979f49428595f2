//! Arbitrary bytes never panic the readers, and arbitrary text never panics the cell parsers.

mod common;

use common::*;
use kexie_office::{
    parse_bool_zh, parse_date, parse_org_sheet, parse_phone, read_sheet_bytes, safe_cell, Limits,
    Sheet,
};
use proptest::prelude::*;

fn valid_xlsx() -> Vec<u8> {
    xlsx_with_sheet_data(&format!(
        "<row r=\"1\">{}{}</row><row r=\"2\">{}<c r=\"B2\"><v>42</v></c></row>",
        cell("A1", "代码"),
        cell("B1", "人数"),
        cell("A2", "KX01")
    ))
}

fn valid_xls() -> Vec<u8> {
    xls(&[dimensions(2, 2), label(0, 0, "代码"), number(1, 0, 42.0)])
}

/// A valid file with a few bytes overwritten: gets past the magic numbers into the parsers.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    prop::collection::vec((0..len, any::<u8>()), 1..8).prop_map(move |edits| {
        let mut bytes = base.clone();
        for (at, value) in edits {
            bytes[at] = value;
        }
        bytes
    })
}

fn with_magic() -> impl Strategy<Value = Vec<u8>> {
    let magics: [&[u8]; 3] = [
        b"PK\x03\x04",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        b"\xEF\xBB\xBF",
    ];
    (
        prop::sample::select(magics.to_vec()),
        prop::collection::vec(any::<u8>(), 0..2048),
    )
        .prop_map(|(magic, rest)| {
            let mut bytes = magic.to_vec();
            bytes.extend(rest);
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reading_arbitrary_bytes_never_panics(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..4096),
            with_magic(),
            mutated(valid_xlsx()),
            mutated(valid_xls()),
        ],
        name in prop::sample::select(vec!["a.csv", "a.xlsx", "a.xls", "a.txt", ""]),
    ) {
        if let Ok(sheet) = read_sheet_bytes(&bytes, name, &Limits::small()) {
            let _ = parse_org_sheet(&sheet);
        }
    }

    #[test]
    fn cell_parsers_never_panic(s in "\\PC{0,24}", digits in "[0-9０-９./年月日 -]{0,16}") {
        for v in [&s, &digits] {
            let _ = parse_date(v);
            let _ = parse_bool_zh(v);
            let _ = parse_phone(v);
            prop_assert!(!safe_cell(v).starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']));
        }
    }

    #[test]
    fn any_text_grid_validates_without_panicking(
        rows in prop::collection::vec(prop::collection::vec("\\PC{0,12}", 0..14), 0..12),
    ) {
        let sheet = Sheet {
            headers: kexie_office::ORG_HEADERS.iter().map(|s| s.to_string()).collect(),
            rows,
        };
        let (valid, report) = parse_org_sheet(&sheet);
        prop_assert_eq!(valid.len(), report.valid);
        prop_assert!(report.valid <= report.rows);
    }
}
