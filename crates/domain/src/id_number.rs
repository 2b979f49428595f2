//! Citizen identity numbers (公民身份号码), GB 11643-1999.
//!
//! Layout (GB 11643-1999 §4): six digits of address code (the county where the number was
//! issued), eight digits of birth date `YYYYMMDD`, three digits of sequence (odd for men, even for
//! women, §5.3), one check character computed with ISO 7064:1983 MOD 11-2 (§5.4, §7).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

use crate::division::is_province_code;
use crate::mask::mask_id_number;
use crate::text::normalise_code;

/// Weights of positions 1–17, `2^(18-i) mod 11` (GB 11643-1999 §7.1).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of `sum mod 11` (GB 11643-1999 §7.2).
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A citizen identity number that has passed every check of GB 11643-1999. Always 18 ASCII
/// characters, the last one a digit or `X`.
///
/// `Debug` shows the masked form so the number cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdNumberError {
    #[error("身份证号为空")]
    Empty,
    #[error("身份证号应为 18 位，实为 {actual} 位")]
    Length { actual: usize },
    #[error("身份证号第 {position} 位“{found}”不是数字")]
    NotDigit { position: usize, found: char },
    #[error("身份证号第 18 位（校验位）“{found}”应为数字或 X")]
    BadCheckChar { found: char },
    #[error("身份证号前两位 {code} 不是有效的省级行政区划代码")]
    Province { code: String },
    #[error("身份证号第 7–14 位 {digits} 不是有效的出生日期")]
    BirthDateInvalid { digits: String },
    #[error("身份证号中的出生日期 {date} 晚于今天（{today}）")]
    BirthDateInFuture { date: NaiveDate, today: NaiveDate },
    #[error("身份证号中的出生日期 {date} 早于 1900-01-01")]
    BirthDateTooEarly { date: NaiveDate },
    #[error("身份证号校验位错误：应为 {expected}，实为 {found}")]
    Checksum { expected: char, found: char },
    #[error("出生日期 {given} 与身份证号中的出生日期 {in_id_number} 不一致")]
    BirthDateMismatch {
        given: NaiveDate,
        in_id_number: NaiveDate,
    },
}

impl IdNumberError {
    /// Stable code for import reports and the API.
    pub fn code(&self) -> &'static str {
        match self {
            IdNumberError::Empty
            | IdNumberError::Length { .. }
            | IdNumberError::NotDigit { .. }
            | IdNumberError::BadCheckChar { .. }
            | IdNumberError::Province { .. } => "id_number.format",
            IdNumberError::BirthDateInvalid { .. }
            | IdNumberError::BirthDateInFuture { .. }
            | IdNumberError::BirthDateTooEarly { .. }
            | IdNumberError::BirthDateMismatch { .. } => "id_number.birth_date",
            IdNumberError::Checksum { .. } => "id_number.checksum",
        }
    }
}

/// The earliest birth date accepted: nobody alive or on a current ledger was born before it.
fn earliest_birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("1900-01-01 is a valid date")
}

/// The check character for the first 17 characters of an identity number, or `None` unless
/// they are exactly 17 ASCII digits (GB 11643-1999 §7). For generators of synthetic data.
pub fn check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(CHECK_CHARS[(sum % 11) as usize]))
}

impl IdNumber {
    /// Parses an identity number as typed or pasted: full-width characters and spaces are
    /// normalised and a lowercase `x` is read as `X`. `today` bounds the birth date.
    pub fn parse(s: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let s = normalise_code(s);
        let length = s.chars().count();
        if length == 0 {
            return Err(IdNumberError::Empty);
        }
        if length != 18 {
            return Err(IdNumberError::Length { actual: length });
        }
        let mut chars = s.chars();
        if let Some((i, found)) = chars
            .by_ref()
            .take(17)
            .enumerate()
            .find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(IdNumberError::NotDigit {
                position: i + 1,
                found,
            });
        }
        let last = chars.next().expect("18 characters counted above");
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(IdNumberError::BadCheckChar { found: last });
        }
        // All 18 characters are ASCII from here on, so byte slicing is safe.
        if !is_province_code(&s[..2]) {
            return Err(IdNumberError::Province {
                code: s[..2].to_string(),
            });
        }
        let date = birth_date_of(&s[6..14]).ok_or_else(|| IdNumberError::BirthDateInvalid {
            digits: s[6..14].to_string(),
        })?;
        if date > today {
            return Err(IdNumberError::BirthDateInFuture { date, today });
        }
        if date < earliest_birth() {
            return Err(IdNumberError::BirthDateTooEarly { date });
        }
        let expected = check_char(&s[..17]).expect("17 ASCII digits checked above");
        if expected != last {
            return Err(IdNumberError::Checksum {
                expected,
                found: last,
            });
        }
        Ok(IdNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as its 18 bytes: a key that needs no allocation (a file of a million people
    /// keeps one per row to find a number given twice).
    pub fn to_bytes(&self) -> [u8; 18] {
        self.0
            .as_bytes()
            .try_into()
            .expect("18 ASCII characters, checked by parse")
    }

    /// The birth date encoded in positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0[6..14]).expect("checked by parse")
    }

    /// Odd sequence digit (position 17) for men, even for women (GB 11643-1999 §5.3).
    pub fn gender(&self) -> Gender {
        let digit = self.0.as_bytes()[16] - b'0';
        if digit % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The six-digit address code (positions 1–6): the county of issue, which may no longer exist.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// Whether a separately recorded birth date agrees with the one in the number.
    pub fn agrees_with(&self, birth: NaiveDate) -> bool {
        self.birth_date() == birth
    }

    /// Like [`IdNumber::agrees_with`], but answers with the error an importer reports.
    pub fn check_birth_date(&self, given: NaiveDate) -> Result<(), IdNumberError> {
        if self.agrees_with(given) {
            Ok(())
        } else {
            Err(IdNumberError::BirthDateMismatch {
                given,
                in_id_number: self.birth_date(),
            })
        }
    }
}

fn birth_date_of(digits: &str) -> Option<NaiveDate> {
    let year = digits.get(..4)?.parse().ok()?;
    let month = digits.get(4..6)?.parse().ok()?;
    let day = digits.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber")
            .field(&mask_id_number(&self.0))
            .finish()
    }
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Gender as recorded on an identity number or a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GenderError {
    #[error("性别“{value}”无法识别，应为“男”或“女”")]
    Unknown { value: String },
}

impl GenderError {
    pub fn code(&self) -> &'static str {
        "gender.format"
    }
}

impl Gender {
    pub const ALL: [Gender; 2] = [Gender::Male, Gender::Female];

    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }

    /// Reads 男/女 (also 男性/女性), male/female or M/F, in any case, with spaces ignored.
    pub fn parse(s: &str) -> Result<Gender, GenderError> {
        match normalise_code(s).as_str() {
            "男" | "男性" | "MALE" | "M" => Ok(Gender::Male),
            "女" | "女性" | "FEMALE" | "F" => Ok(Gender::Female),
            _ => Err(GenderError::Unknown {
                value: s.trim().to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(s, today())
    }

    // The example of GB 11643-1999 annex: weighted sum 167, 167 mod 11 = 2, check char X.
    const STANDARD_EXAMPLE: &str = "11010519491231002X";

    #[test]
    fn the_standard_example_parses_with_its_parts() {
        let id = parse(STANDARD_EXAMPLE).unwrap();
        assert_eq!(id.as_str(), STANDARD_EXAMPLE);
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.region_code(), "110105");
    }

    #[test]
    fn hand_checked_check_chars() {
        // Weighted sums worked out by hand: 167 → X, 222 → X (222 mod 11 = 2), 161 → 5 (mod 7),
        // 316 → 4 (mod 8), 100 → 0 (mod 1).
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(check_char("11010119900307803"), Some('X'));
        assert_eq!(check_char("32010220000229123"), Some('5'));
        assert_eq!(check_char("65010219991231456"), Some('4'));
        assert_eq!(check_char("81000020010101007"), Some('0'));
        assert_eq!(check_char("8100002001010100"), None);
        assert_eq!(check_char("8100002001010100A"), None);
    }

    #[test]
    fn full_width_spaces_and_lowercase_x_are_normalised() {
        let id = parse(" １１０１０５ 19491231 002ｘ\u{3000}").unwrap();
        assert_eq!(id.as_str(), STANDARD_EXAMPLE);
        assert_eq!(
            parse("11010519491231002x").unwrap().as_str(),
            STANDARD_EXAMPLE
        );
        // The byte key is the normalised number: the same person however it was typed.
        assert_eq!(&id.to_bytes(), STANDARD_EXAMPLE.as_bytes());
        assert_ne!(
            id.to_bytes(),
            parse("320102200002291235").unwrap().to_bytes()
        );
    }

    #[test]
    fn a_leap_day_birth_and_an_odd_sequence_digit_read_as_male() {
        let id = parse("320102200002291235").unwrap();
        assert_eq!(id.birth_date(), date(2000, 2, 29));
        assert_eq!(id.gender(), Gender::Male);
    }

    #[test]
    fn wrong_length_is_a_format_error() {
        let err = parse("1101051949123100").unwrap_err();
        assert_eq!(err, IdNumberError::Length { actual: 16 });
        assert_eq!(err.code(), "id_number.format");
        assert_eq!(err.to_string(), "身份证号应为 18 位，实为 16 位");
        assert_eq!(parse("  ").unwrap_err(), IdNumberError::Empty);
        assert_eq!(parse("").unwrap_err().code(), "id_number.format");
    }

    #[test]
    fn a_letter_among_the_digits_is_a_format_error() {
        let err = parse("1101051949A231002X").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::NotDigit {
                position: 11,
                found: 'A'
            }
        );
        assert_eq!(err.code(), "id_number.format");
        let err = parse("11010519491231002Y").unwrap_err();
        assert_eq!(err, IdNumberError::BadCheckChar { found: 'Y' });
        assert_eq!(err.code(), "id_number.format");
    }

    #[test]
    fn an_unknown_province_is_a_format_error() {
        // 99 is no province; the check char is right so only the province is wrong.
        let first17 = "99010519491231002";
        let s = format!("{first17}{}", check_char(first17).unwrap());
        let err = parse(&s).unwrap_err();
        assert_eq!(err, IdNumberError::Province { code: "99".into() });
        assert_eq!(err.code(), "id_number.format");
    }

    #[test]
    fn an_impossible_date_is_a_birth_date_error() {
        // 1999-02-29 does not exist.
        let first17 = "11010519990229002";
        let s = format!("{first17}{}", check_char(first17).unwrap());
        let err = parse(&s).unwrap_err();
        assert_eq!(err.code(), "id_number.birth_date");
        assert_eq!(
            err.to_string(),
            "身份证号第 7–14 位 19990229 不是有效的出生日期"
        );
    }

    #[test]
    fn a_birth_date_after_today_or_before_1900_is_a_birth_date_error() {
        let first17 = "11010520250602002";
        let future = format!("{first17}{}", check_char(first17).unwrap());
        let err = parse(&future).unwrap_err();
        assert_eq!(err.code(), "id_number.birth_date");
        assert!(matches!(err, IdNumberError::BirthDateInFuture { .. }));
        // The second example of GB 11643-1999, born 1880: well-formed but out of our range.
        let err = parse("440524188001010014").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::BirthDateTooEarly {
                date: date(1880, 1, 1)
            }
        );
        assert_eq!(err.code(), "id_number.birth_date");
    }

    #[test]
    fn a_wrong_check_char_names_the_expected_one() {
        let err = parse("110105194912310023").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::Checksum {
                expected: 'X',
                found: '3'
            }
        );
        assert_eq!(err.code(), "id_number.checksum");
        assert_eq!(err.to_string(), "身份证号校验位错误：应为 X，实为 3");
    }

    #[test]
    fn a_disagreeing_birth_date_field_is_a_birth_date_error() {
        let id = parse(STANDARD_EXAMPLE).unwrap();
        assert!(id.agrees_with(date(1949, 12, 31)));
        assert!(id.check_birth_date(date(1949, 12, 31)).is_ok());
        let err = id.check_birth_date(date(1949, 12, 1)).unwrap_err();
        assert_eq!(err.code(), "id_number.birth_date");
        assert_eq!(
            err.to_string(),
            "出生日期 1949-12-01 与身份证号中的出生日期 1949-12-31 不一致"
        );
    }

    #[test]
    fn serialises_as_the_plain_string_and_debugs_masked() {
        let id = parse(STANDARD_EXAMPLE).unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"11010519491231002X\""
        );
        assert_eq!(format!("{id:?}"), "IdNumber(\"1101**********002X\")");
    }

    #[test]
    fn gender_reads_the_usual_spellings() {
        for s in ["男", "男性", "male", "Male", "M", "m", " 男 "] {
            assert_eq!(Gender::parse(s), Ok(Gender::Male), "{s}");
        }
        for s in ["女", "female", "F", "ｆ"] {
            assert_eq!(Gender::parse(s), Ok(Gender::Female), "{s}");
        }
        let err = Gender::parse("未知").unwrap_err();
        assert_eq!(err.code(), "gender.format");
        assert_eq!(err.to_string(), "性别“未知”无法识别，应为“男”或“女”");
        assert_eq!(Gender::Male.zh_name(), "男");
        assert_eq!(Gender::Female.code(), "female");
        assert_eq!(
            serde_json::to_string(&Gender::Female).unwrap(),
            "\"female\""
        );
    }

    const PROVINCES: [u32; 34] = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
        52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ];

    prop_compose! {
        /// A synthetic, valid identity number born between 1900-01-01 and `today()`.
        fn valid_id()(
            province in proptest::sample::select(&PROVINCES[..]),
            rest in 0u32..10_000,
            days in 0i64..=(today() - earliest_birth()).num_days(),
            sequence in 0u32..1000,
        ) -> String {
            let birth = earliest_birth() + chrono::Duration::days(days);
            let first17 = format!("{province:02}{rest:04}{}{sequence:03}", birth.format("%Y%m%d"));
            let check = check_char(&first17).unwrap();
            format!("{first17}{check}")
        }
    }

    proptest! {
        #[test]
        fn generated_valid_ids_parse_and_round_trip(s in valid_id()) {
            let id = parse(&s).unwrap();
            prop_assert_eq!(id.as_str(), s.as_str());
            prop_assert_eq!(parse(id.as_str()).unwrap(), id.clone());
            prop_assert!(id.agrees_with(id.birth_date()));
        }

        #[test]
        fn changing_any_one_of_the_first_17_digits_fails(
            s in valid_id(), position in 0usize..17, delta in 1u8..10,
        ) {
            let mut bytes = s.into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(parse(&changed).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_misses(s in "[0-9xX１ 　]{15,20}") {
            let _ = parse(&s);
        }
    }
}
