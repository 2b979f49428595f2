//! Statistical division codes (统计用区划代码) of the National Bureau of Statistics.
//!
//! Twelve digits: province (2), city (2), county (2), township (3), village (3). The first six
//! digits follow GB/T 2260 (administrative division codes); the last six are the NBS rules for
//! townships and villages. A code stands for the deepest level whose part is not all zeros.
//!
//! Some real codes look irregular and must be accepted: direct-administered cities use `1101`
//! "市辖区" as their city part; provinces use `xx90` for county-level units directly under them;
//! cities without counties (e.g. 441900 东莞) have townships straight under the city, so the
//! county part is `00` while the township part is not.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::text::normalise_code;

/// Whether two characters are a province-level code of GB/T 2260: 11–15 north, 21–23 north-east,
/// 31–37 east, 41–46 centre-south, 50–54 south-west, 61–65 north-west, 71 Taiwan, 81–82 Hong Kong
/// and Macao.
pub fn is_province_code(two: &str) -> bool {
    matches!(
        two,
        "11" | "12"
            | "13"
            | "14"
            | "15"
            | "21"
            | "22"
            | "23"
            | "31"
            | "32"
            | "33"
            | "34"
            | "35"
            | "36"
            | "37"
            | "41"
            | "42"
            | "43"
            | "44"
            | "45"
            | "46"
            | "50"
            | "51"
            | "52"
            | "53"
            | "54"
            | "61"
            | "62"
            | "63"
            | "64"
            | "65"
            | "71"
            | "81"
            | "82"
    )
}

/// The five levels of the division tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl DivisionLevel {
    pub const ALL: [DivisionLevel; 5] = [
        DivisionLevel::Province,
        DivisionLevel::City,
        DivisionLevel::County,
        DivisionLevel::Township,
        DivisionLevel::Village,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DivisionLevel::Province => "province",
            DivisionLevel::City => "city",
            DivisionLevel::County => "county",
            DivisionLevel::Township => "township",
            DivisionLevel::Village => "village",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            DivisionLevel::Province => "省级",
            DivisionLevel::City => "地级",
            DivisionLevel::County => "县级",
            DivisionLevel::Township => "乡级",
            DivisionLevel::Village => "村级",
        }
    }

    /// 1 for a province down to 5 for a village.
    pub fn depth(self) -> u8 {
        match self {
            DivisionLevel::Province => 1,
            DivisionLevel::City => 2,
            DivisionLevel::County => 3,
            DivisionLevel::Township => 4,
            DivisionLevel::Village => 5,
        }
    }

    /// How many leading digits of the 12 are significant at this level.
    pub fn prefix_len(self) -> usize {
        match self {
            DivisionLevel::Province => 2,
            DivisionLevel::City => 4,
            DivisionLevel::County => 6,
            DivisionLevel::Township => 9,
            DivisionLevel::Village => 12,
        }
    }
}

/// A 12-digit division code with a valid province part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DivisionCodeError {
    #[error("行政区划代码为空")]
    Empty,
    #[error("行政区划代码第 {position} 位“{found}”不是数字")]
    NotDigit { position: usize, found: char },
    #[error("行政区划代码应为 2、4、6、9 或 12 位数字，实为 {actual} 位")]
    Length { actual: usize },
    #[error("行政区划代码前两位 {code} 不是有效的省级行政区划代码")]
    Province { code: String },
}

impl DivisionCodeError {
    pub fn code(&self) -> &'static str {
        "division_code.format"
    }
}

impl DivisionCode {
    /// Parses 2, 4, 6, 9 or 12 digits (full-width digits and spaces are normalised) and pads
    /// the code to 12 digits with zeros.
    pub fn parse(s: &str) -> Result<DivisionCode, DivisionCodeError> {
        let s = normalise_code(s);
        if s.is_empty() {
            return Err(DivisionCodeError::Empty);
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(DivisionCodeError::NotDigit {
                position: i + 1,
                found: c,
            });
        }
        if !matches!(s.len(), 2 | 4 | 6 | 9 | 12) {
            return Err(DivisionCodeError::Length { actual: s.len() });
        }
        if !is_province_code(&s[..2]) {
            return Err(DivisionCodeError::Province {
                code: s[..2].to_string(),
            });
        }
        Ok(DivisionCode(format!("{s:0<12}")))
    }

    /// All 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The deepest level whose part of the code is not all zeros.
    pub fn level(&self) -> DivisionLevel {
        let s = &self.0;
        if s.ends_with("0000000000") {
            DivisionLevel::Province
        } else if s.ends_with("00000000") {
            DivisionLevel::City
        } else if s.ends_with("000000") {
            DivisionLevel::County
        } else if s.ends_with("000") {
            DivisionLevel::Township
        } else {
            DivisionLevel::Village
        }
    }

    /// The significant digits for the code's level (2, 4, 6, 9 or 12): every code in the subtree
    /// starts with them, so `LIKE 'prefix%'` finds the subtree.
    pub fn prefix(&self) -> &str {
        &self.0[..self.level().prefix_len()]
    }

    /// Same as [`DivisionCode::prefix`]: the short form people write.
    pub fn short(&self) -> &str {
        self.prefix()
    }

    /// The code one level up, with this level's part set to zeros; `None` for a province. The
    /// parent may skip a level where the code does (a township of 东莞 has the city as parent).
    pub fn parent(&self) -> Option<DivisionCode> {
        let level = self.level();
        let keep = match level {
            DivisionLevel::Province => return None,
            DivisionLevel::City => 2,
            DivisionLevel::County => 4,
            DivisionLevel::Township => 6,
            DivisionLevel::Village => 9,
        };
        Some(DivisionCode(format!("{:0<12}", &self.0[..keep])))
    }

    /// Whether `other` lies in this code's subtree; a code contains itself.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(self.prefix())
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DivisionCode {
    type Err = DivisionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DivisionCode::parse(s)
    }
}

impl Serialize for DivisionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DivisionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        DivisionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn short_codes_are_padded_to_twelve_digits() {
        assert_eq!(code("11").as_str(), "110000000000");
        assert_eq!(code("1101").as_str(), "110100000000");
        assert_eq!(code("110105").as_str(), "110105000000");
        assert_eq!(code("110105001").as_str(), "110105001000");
        assert_eq!(code("110105001001").as_str(), "110105001001");
        assert_eq!(code(" １１０１ ").as_str(), "110100000000");
    }

    #[test]
    fn level_and_prefix_follow_the_trailing_zeros() {
        let cases = [
            ("110000000000", DivisionLevel::Province, "11"),
            ("110100000000", DivisionLevel::City, "1101"),
            ("110105000000", DivisionLevel::County, "110105"),
            ("110105001000", DivisionLevel::Township, "110105001"),
            ("110105001001", DivisionLevel::Village, "110105001001"),
            // A county-level city directly under its province (省直辖县级行政区划).
            ("429004000000", DivisionLevel::County, "429004"),
            // A township straight under a city without counties.
            ("441900003000", DivisionLevel::Township, "441900003"),
        ];
        for (s, level, prefix) in cases {
            let c = code(s);
            assert_eq!(c.level(), level, "{s}");
            assert_eq!(c.prefix(), prefix, "{s}");
            assert_eq!(c.short(), prefix, "{s}");
        }
    }

    #[test]
    fn parents_climb_one_level_or_skip_a_missing_one() {
        assert_eq!(code("110105001001").parent(), Some(code("110105001")));
        assert_eq!(code("110105001").parent(), Some(code("110105")));
        assert_eq!(code("110105").parent(), Some(code("1101")));
        assert_eq!(code("1101").parent(), Some(code("11")));
        assert_eq!(code("11").parent(), None);
        assert_eq!(code("441900003000").parent(), Some(code("4419")));
    }

    #[test]
    fn a_code_contains_its_subtree_and_itself_only() {
        let city = code("1101");
        assert!(city.contains(&code("110105001001")));
        assert!(city.contains(&city));
        assert!(!city.contains(&code("1102")));
        assert!(!city.contains(&code("11")));
        assert!(code("4419").contains(&code("441900003000")));
    }

    #[test]
    fn bad_input_is_a_format_error_with_a_precise_message() {
        let err = DivisionCode::parse("11010").unwrap_err();
        assert_eq!(err, DivisionCodeError::Length { actual: 5 });
        assert_eq!(err.code(), "division_code.format");
        assert_eq!(
            err.to_string(),
            "行政区划代码应为 2、4、6、9 或 12 位数字，实为 5 位"
        );
        let err = DivisionCode::parse("11a1").unwrap_err();
        assert_eq!(
            err,
            DivisionCodeError::NotDigit {
                position: 3,
                found: 'A'
            }
        );
        assert_eq!(err.code(), "division_code.format");
        let err = DivisionCode::parse("990100").unwrap_err();
        assert_eq!(err, DivisionCodeError::Province { code: "99".into() });
        assert_eq!(
            err.to_string(),
            "行政区划代码前两位 99 不是有效的省级行政区划代码"
        );
        assert_eq!(
            DivisionCode::parse("").unwrap_err(),
            DivisionCodeError::Empty
        );
        assert_eq!(
            DivisionCode::parse("00").unwrap_err().code(),
            "division_code.format"
        );
    }

    #[test]
    fn serde_uses_the_twelve_digit_string() {
        let c = code("1101");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"110100000000\"");
        let back: DivisionCode = serde_json::from_str("\"1101\"").unwrap();
        assert_eq!(back, c);
        assert!(serde_json::from_str::<DivisionCode>("\"1\"").is_err());
        assert_eq!(
            serde_json::to_string(&DivisionLevel::Township).unwrap(),
            "\"township\""
        );
    }

    #[test]
    fn levels_are_named_and_ordered() {
        let depths: Vec<u8> = DivisionLevel::ALL.iter().map(|l| l.depth()).collect();
        assert_eq!(depths, [1, 2, 3, 4, 5]);
        assert_eq!(DivisionLevel::City.zh_name(), "地级");
        assert_eq!(DivisionLevel::Village.code(), "village");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = DivisionCode::parse(&s);
        }

        #[test]
        fn valid_codes_round_trip_and_chain_up_to_their_province(
            province in proptest::sample::select(&["11", "32", "44", "65", "82"][..]),
            rest in "[0-9]{10}",
        ) {
            let c = DivisionCode::parse(&format!("{province}{rest}")).unwrap();
            prop_assert_eq!(DivisionCode::parse(c.as_str()).unwrap(), c.clone());
            prop_assert_eq!(DivisionCode::parse(c.prefix()).unwrap(), c.clone());
            let mut current = c.clone();
            while let Some(parent) = current.parent() {
                prop_assert!(parent.level() < current.level());
                prop_assert!(parent.contains(&c));
                current = parent;
            }
            prop_assert_eq!(current.level(), DivisionLevel::Province);
            prop_assert_eq!(current.prefix(), province);
        }
    }
}
