//! Mainland China mobile numbers.
//!
//! Eleven digits beginning 13–19 (numbering plan of the Ministry of Industry and Information
//! Technology). People write them with the country code (+86, 0086, 86), spaces and hyphens;
//! those are stripped, not rejected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::mask::mask_phone;
use crate::text::normalise_code;

/// An 11-digit mainland mobile number. `Debug` shows the masked form to keep it out of logs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mobile(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MobileError {
    #[error("手机号为空")]
    Empty,
    #[error("手机号中的“{found}”不是数字")]
    NotDigit { found: char },
    #[error("手机号应为 11 位数字，实为 {actual} 位")]
    Length { actual: usize },
    #[error("手机号应以 13–19 开头，实为 {prefix}")]
    Prefix { prefix: String },
}

impl MobileError {
    pub fn code(&self) -> &'static str {
        "phone.format"
    }
}

impl Mobile {
    pub fn parse(s: &str) -> Result<Mobile, MobileError> {
        let mut s = normalise_code(s);
        s.retain(|c| c != '-');
        if s.is_empty() {
            return Err(MobileError::Empty);
        }
        // A mobile number never starts with 8 or 0, so a leading 86 is always the country code.
        let country = ["+86", "0086", "86"]
            .iter()
            .find(|p| s.starts_with(*p))
            .map_or(0, |p| p.len());
        let national = &s[country..];
        if let Some(found) = national.chars().find(|c| !c.is_ascii_digit()) {
            return Err(MobileError::NotDigit { found });
        }
        if national.len() != 11 {
            return Err(MobileError::Length {
                actual: national.len(),
            });
        }
        let second = national.as_bytes()[1];
        if !national.starts_with('1') || !(b'3'..=b'9').contains(&second) {
            return Err(MobileError::Prefix {
                prefix: national[..2].to_string(),
            });
        }
        s.drain(..country);
        Ok(Mobile(s))
    }

    /// The 11 digits, without country code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Mobile").field(&mask_phone(&self.0)).finish()
    }
}

impl FromStr for Mobile {
    type Err = MobileError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mobile::parse(s)
    }
}

impl Serialize for Mobile {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Mobile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Mobile::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn country_codes_spaces_hyphens_and_full_width_digits_are_stripped() {
        for s in [
            "13800138000",
            "+86 138 0013 8000",
            "+86-138-0013-8000",
            "0086 13800138000",
            "8613800138000",
            "１３８ ００１３ ８０００",
            "138－0013－8000",
        ] {
            assert_eq!(Mobile::parse(s).unwrap().as_str(), "13800138000", "{s}");
        }
    }

    #[test]
    fn wrong_length_is_a_format_error() {
        let err = Mobile::parse("1380013800").unwrap_err();
        assert_eq!(err, MobileError::Length { actual: 10 });
        assert_eq!(err.code(), "phone.format");
        assert_eq!(err.to_string(), "手机号应为 11 位数字，实为 10 位");
        assert_eq!(Mobile::parse("").unwrap_err(), MobileError::Empty);
    }

    #[test]
    fn a_landline_or_a_bad_prefix_is_a_format_error() {
        let err = Mobile::parse("12800138000").unwrap_err();
        assert_eq!(
            err,
            MobileError::Prefix {
                prefix: "12".into()
            }
        );
        assert_eq!(err.to_string(), "手机号应以 13–19 开头，实为 12");
        assert_eq!(err.code(), "phone.format");
        let err = Mobile::parse("010-6800-1234").unwrap_err();
        assert_eq!(
            err,
            MobileError::Prefix {
                prefix: "01".into()
            }
        );
    }

    #[test]
    fn letters_are_a_format_error() {
        let err = Mobile::parse("138OO138000").unwrap_err();
        assert_eq!(err, MobileError::NotDigit { found: 'O' });
        assert_eq!(err.code(), "phone.format");
    }

    #[test]
    fn serde_uses_the_digits_and_debug_is_masked() {
        let m = Mobile::parse("+86 13800138000").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"13800138000\"");
        let back: Mobile = serde_json::from_str("\"138-0013-8000\"").unwrap();
        assert_eq!(back, m);
        assert_eq!(format!("{m:?}"), "Mobile(\"138****8000\")");
    }

    proptest! {
        #[test]
        fn valid_numbers_parse_with_any_country_code(
            second in 3u8..=9, rest in "[0-9]{9}",
            prefix in proptest::sample::select(&["", "+86", "86", "0086", "+86 "][..]),
        ) {
            let national = format!("1{second}{rest}");
            let m = Mobile::parse(&format!("{prefix}{national}")).unwrap();
            prop_assert_eq!(m.as_str(), national.as_str());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Mobile::parse(&s);
        }
    }
}
