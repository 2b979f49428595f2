//! Unified social credit codes (统一社会信用代码), GB 32100-2015.
//!
//! Eighteen characters (GB 32100-2015 §4): registration authority (1), organisation type (1),
//! division code of the registration authority (6 digits, GB/T 2260), organisation code (9,
//! GB 11714), check character (1). The alphabet leaves out I, O, Z, S and V so that they cannot
//! be mistaken for 1, 0, 2, 5 and U (§4.1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::text::normalise_code;

/// The 31 code characters; a character's value is its index (GB 32100-2015 §4.1, table 1).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17, `3^(i-1) mod 31` (GB 32100-2015 §5, table 2).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value_of(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    ALPHABET.iter().position(|&a| a == b).map(|i| i as u32)
}

/// The check character for the first 17 characters of a code, or `None` unless they are 17
/// characters of the code alphabet (GB 32100-2015 §5: `31 − (Σ value × weight mod 31)`, where 31
/// stands for 0). For generators of synthetic data.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    let mut count = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(ALPHABET[check as usize]))
}

/// A unified social credit code whose alphabet, layout and check character are right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码为空")]
    Empty,
    #[error("统一社会信用代码应为 18 位，实为 {actual} 位")]
    Length { actual: usize },
    #[error("统一社会信用代码第 {position} 位“{found}”不是允许的字符（数字或除 I、O、Z、S、V 以外的大写字母）")]
    BadChar { position: usize, found: char },
    #[error(
        "统一社会信用代码第 {position} 位“{found}”应为数字（第 3–8 位是登记管理机关行政区划码）"
    )]
    DivisionNotDigit { position: usize, found: char },
    #[error("统一社会信用代码校验位错误：应为 {expected}，实为 {found}")]
    Checksum { expected: char, found: char },
}

impl CreditCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            CreditCodeError::Checksum { .. } => "credit_code.checksum",
            _ => "credit_code.format",
        }
    }
}

impl CreditCode {
    /// Parses a code as typed or pasted: full-width characters, spaces and lowercase letters are
    /// normalised.
    pub fn parse(s: &str) -> Result<CreditCode, CreditCodeError> {
        let s = normalise_code(s);
        let chars: Vec<char> = s.chars().collect();
        if chars.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        if chars.len() != 18 {
            return Err(CreditCodeError::Length {
                actual: chars.len(),
            });
        }
        for (i, &c) in chars.iter().enumerate() {
            if value_of(c).is_none() {
                return Err(CreditCodeError::BadChar {
                    position: i + 1,
                    found: c,
                });
            }
        }
        if let Some(i) = (2..8).find(|&i| !chars[i].is_ascii_digit()) {
            return Err(CreditCodeError::DivisionNotDigit {
                position: i + 1,
                found: chars[i],
            });
        }
        // All 18 characters are ASCII from here on.
        let expected = check_char(&s[..17]).expect("17 alphabet characters checked above");
        if expected != chars[17] {
            return Err(CreditCodeError::Checksum {
                expected,
                found: chars[17],
            });
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: the registration authority (e.g. 5 civil affairs, 9 market regulation).
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Position 2: the organisation type within that authority.
    pub fn org_type(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// Positions 3–8: the division code of the registration authority.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the organisation code (GB 11714).
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CreditCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The public example 91350100M000100Y43, worked by hand. Values (M = 21, Y = 30) times
    /// weights: 9·1, 1·3, 3·9, 5·27, 0·19, 1·26, 0·16, 0·17, 21·20, 0·29, 0·25, 0·13, 1·8,
    /// 0·24, 0·10, 30·30, 4·28; their sum 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640;
    /// 1640 mod 31 = 28; 31 − 28 = 3.
    #[test]
    fn the_public_example_checks_out_by_hand_arithmetic() {
        let products = [9, 3, 27, 135, 0, 26, 0, 0, 420, 0, 0, 0, 8, 0, 0, 900, 112];
        let sum: u32 = products.iter().sum();
        assert_eq!(sum, 1640);
        assert_eq!(31 - sum % 31, 3);
        assert_eq!(check_char("91350100M000100Y4"), Some('3'));
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.registration_authority(), '9');
        assert_eq!(code.org_type(), '1');
        assert_eq!(code.division_code(), "350100");
        assert_eq!(code.organisation_code(), "M000100Y4");
    }

    #[test]
    fn constructed_examples_with_hand_computed_check_chars() {
        // (first 17, weighted sum, check): check = 31 − sum mod 31, shown as its alphabet letter.
        let table = [
            // 1815 mod 31 = 17, 31 − 17 = 14 → E
            ("91110108MA01ABCD1", 1815, 'E'),
            // 2131 mod 31 = 23, 31 − 23 = 8 → 8
            ("51440300MJL123456", 2131, '8'),
            // 328 mod 31 = 18, 31 − 18 = 13 → D
            ("12100000400000624", 328, 'D'),
            // 97 mod 31 = 4, 31 − 4 = 27 → U
            ("Y1110000000000001", 97, 'U'),
        ];
        for (first17, sum, check) in table {
            let computed: u32 = first17
                .chars()
                .zip(WEIGHTS)
                .map(|(c, w)| value_of(c).unwrap() * w)
                .sum();
            assert_eq!(computed, sum, "{first17}");
            assert_eq!(check_char(first17), Some(check), "{first17}");
            assert!(CreditCode::parse(&format!("{first17}{check}")).is_ok());
        }
    }

    #[test]
    fn a_sum_divisible_by_31_gives_check_zero() {
        // All zeros: sum 0 → 31 − 0 = 31, which stands for 0.
        assert_eq!(check_char("00000000000000000"), Some('0'));
        // Position 1 (weight 1) and position 16 (weight 30) set: 1 + 30 = 31 ≡ 0 (mod 31).
        assert_eq!(check_char("10000000000000010"), Some('0'));
    }

    #[test]
    fn full_width_lowercase_and_spaces_are_normalised() {
        let code = CreditCode::parse(" ９１３５０１００ｍ０００１００ｙ４３ ").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(CreditCode::parse("91350100m000100y43").unwrap(), code);
    }

    #[test]
    fn format_errors_name_the_problem() {
        let err = CreditCode::parse("91350100M000100Y4").unwrap_err();
        assert_eq!(err, CreditCodeError::Length { actual: 17 });
        assert_eq!(err.code(), "credit_code.format");
        assert_eq!(err.to_string(), "统一社会信用代码应为 18 位，实为 17 位");

        let err = CreditCode::parse("91350100O000100Y43").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::BadChar {
                position: 9,
                found: 'O'
            }
        );
        assert_eq!(err.code(), "credit_code.format");

        let err = CreditCode::parse("9135A100M000100Y43").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::DivisionNotDigit {
                position: 5,
                found: 'A'
            }
        );
        assert_eq!(err.code(), "credit_code.format");

        assert_eq!(CreditCode::parse(" ").unwrap_err(), CreditCodeError::Empty);
    }

    #[test]
    fn a_wrong_check_char_is_a_checksum_error() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::Checksum {
                expected: '3',
                found: '4'
            }
        );
        assert_eq!(err.code(), "credit_code.checksum");
        assert_eq!(
            err.to_string(),
            "统一社会信用代码校验位错误：应为 3，实为 4"
        );
    }

    #[test]
    fn serde_uses_the_plain_string() {
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            "\"91350100M000100Y43\""
        );
        let back: CreditCode = serde_json::from_str("\"91350100M000100Y43\"").unwrap();
        assert_eq!(back, code);
        assert!(serde_json::from_str::<CreditCode>("\"91350100M000100Y44\"").is_err());
    }

    const ALPHABET_STR: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    prop_compose! {
        fn valid_code()(
            head in "[0-9ABCDEFGHJKLMNPQRTUWXY]{2}",
            division in "[0-9]{6}",
            organisation in "[0-9ABCDEFGHJKLMNPQRTUWXY]{9}",
        ) -> String {
            let first17 = format!("{head}{division}{organisation}");
            let check = check_char(&first17).unwrap();
            format!("{first17}{check}")
        }
    }

    proptest! {
        #[test]
        fn generated_valid_codes_parse_and_round_trip(s in valid_code()) {
            let code = CreditCode::parse(&s).unwrap();
            prop_assert_eq!(code.as_str(), s.as_str());
            prop_assert_eq!(CreditCode::parse(&s.to_lowercase()).unwrap(), code);
        }

        #[test]
        fn changing_any_one_of_the_first_17_chars_fails(
            s in valid_code(), position in 0usize..17, delta in 1usize..31,
        ) {
            let mut chars: Vec<char> = s.chars().collect();
            let value = ALPHABET_STR.find(chars[position]).unwrap();
            chars[position] = ALPHABET_STR.as_bytes()[(value + delta) % 31] as char;
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = CreditCode::parse(&s);
        }
    }
}
