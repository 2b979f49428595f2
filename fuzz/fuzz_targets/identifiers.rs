//! The identifiers typed into forms and spreadsheet cells: ID number (GB 11643-1999), unified
//! social credit code (GB 32100-2015), division code, mobile number, dates. Each is refused
//! with an error or parsed into a value that reads back as itself; the masks never panic.
#![no_main]

use kexie_domain::credit_code::CreditCode;
use kexie_domain::division::DivisionCode;
use kexie_domain::id_number::{Gender, IdNumber};
use kexie_domain::mask::{mask_id_number, mask_name, mask_phone};
use kexie_domain::phone::Mobile;
use kexie_domain::text::normalise_code;
use kexie_fuzz::{abort_on_our_panics, today};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    abort_on_our_panics();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = IdNumber::parse(text, today()) {
        let again = IdNumber::parse(id.as_str(), today()).expect("a parsed ID number reparses");
        assert_eq!(again.as_str(), id.as_str());
        assert!(id.birth_date() <= today());
        let _ = (
            id.gender(),
            id.region_code(),
            id.check_birth_date(id.birth_date()),
        );
    }
    if let Ok(code) = CreditCode::parse(text) {
        let again = CreditCode::parse(code.as_str()).expect("a parsed credit code reparses");
        assert_eq!(again.as_str(), code.as_str());
        let _ = (
            code.registration_authority(),
            code.org_type(),
            code.division_code(),
        );
        let _ = code.organisation_code();
    }
    if let Ok(division) = DivisionCode::parse(text) {
        let again = DivisionCode::parse(division.as_str()).expect("a parsed division reparses");
        assert_eq!(again.as_str(), division.as_str());
        let _ = (division.level(), division.prefix());
    }
    if let Ok(mobile) = Mobile::parse(text) {
        assert_eq!(
            Mobile::parse(mobile.as_str()).expect("reparses").as_str(),
            mobile.as_str()
        );
    }
    let _ = Gender::parse(text);
    let _ = kexie_office::parse_date(text);
    let _ = kexie_office::parse_bool_zh(text);
    let _ = kexie_office::parse_phone(text);
    let _ = normalise_code(text);
    let _ = (mask_id_number(text), mask_phone(text), mask_name(text));
    let safe = kexie_office::safe_cell(text);
    assert!(
        !safe.starts_with(['=', '+', '-', '@']),
        "an exported cell is never a formula"
    );
});
