//! Document numbers (文号) of official documents: issuer's prefix, year in 〔〕, serial and 号,
//! as in `锡科协发〔2018〕61号` (seeds/004) and `苏科协发〔2018〕86号`.
//!
//! Checked loosely, the way the documents themselves vary: the year may be typed in 【】, [], ()
//! or （） and is stored in 〔〕 (GB/T 9704-2012 §7.2.3 prescribes the hexagonal brackets); a
//! missing final 号 is added. A prefix, a four-digit year and a serial number are required.

use std::fmt;

use serde::Serialize;

use crate::text::to_half_width;

/// A document number in its standard form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DocNumberError(pub String);

impl DocNumber {
    pub fn parse(text: &str) -> Result<DocNumber, DocNumberError> {
        let raw: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let shown = text.trim();
        let wrong = |why: &str| {
            DocNumberError(format!(
                "文号“{shown}”{why}，应形如 锡科协发〔2018〕61号 / the document number must look like 锡科协发〔2018〕61号"
            ))
        };
        if raw.is_empty() {
            return Err(wrong("为空"));
        }
        // Opening and closing brackets that stand for 〔〕.
        let open = ['〔', '【', '[', '(', '（', '［'];
        let close = ['〕', '】', ']', ')', '）', '］'];
        let Some(start) = raw.find(open) else {
            return Err(wrong("缺少年份括号〔〕"));
        };
        let prefix = &raw[..start];
        let after_open = &raw[start + raw[start..].chars().next().map_or(1, char::len_utf8)..];
        let Some(end) = after_open.find(close) else {
            return Err(wrong("年份括号未闭合"));
        };
        let year = to_half_width(&after_open[..end]);
        let rest = &after_open[end + after_open[end..].chars().next().map_or(1, char::len_utf8)..];
        if prefix.is_empty() {
            return Err(wrong("缺少发文机关代字"));
        }
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(wrong("括号中应为四位年份"));
        }
        let serial = to_half_width(rest.strip_suffix('号').unwrap_or(rest));
        if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_digit()) {
            return Err(wrong("缺少序号"));
        }
        let serial = serial.trim_start_matches('0');
        if serial.is_empty() {
            return Err(wrong("序号不能为 0"));
        }
        Ok(DocNumber(format!("{prefix}〔{year}〕{serial}号")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year in the brackets.
    pub fn year(&self) -> i32 {
        let start = self.0.find('〔').map_or(0, |i| i + '〔'.len_utf8());
        self.0[start..start + 4].parse().unwrap_or(0)
    }
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_documents_own_numbers_parse_as_written() {
        for s in ["锡科协发〔2018〕61号", "苏科协发〔2018〕86号"] {
            assert_eq!(DocNumber::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            DocNumber::parse("锡科协发〔2018〕61号").unwrap().year(),
            2018
        );
    }

    #[test]
    fn other_brackets_and_a_missing_hao_are_normalised() {
        for s in [
            "锡科协发[2018]61号",
            "锡科协发【2018】61",
            "锡科协发（２０１８）０６１号",
            " 锡科协发 (2018) 61 号 ",
        ] {
            assert_eq!(
                DocNumber::parse(s).unwrap().as_str(),
                "锡科协发〔2018〕61号",
                "{s}"
            );
        }
    }

    #[test]
    fn malformed_numbers_say_what_is_wrong() {
        let cases = [
            ("", "为空"),
            ("锡科协发2018年61号", "括号"),
            ("〔2018〕61号", "代字"),
            ("锡科协发〔18〕61号", "四位年份"),
            ("锡科协发〔2018〕号", "序号"),
            ("锡科协发〔2018〕六十一号", "序号"),
            ("锡科协发〔2018", "未闭合"),
        ];
        for (input, why) in cases {
            let err = DocNumber::parse(input).unwrap_err();
            assert!(err.0.contains(why), "{input}: {}", err.0);
        }
    }

    proptest! {
        #[test]
        fn a_well_formed_number_round_trips(prefix in "[锡苏京]科协[发函]", year in 1950u32..2100, serial in 1u32..10000) {
            let text = format!("{prefix}〔{year}〕{serial}号");
            let parsed = DocNumber::parse(&text).unwrap();
            prop_assert_eq!(parsed.as_str(), text.as_str());
            prop_assert_eq!(parsed.year(), year as i32);
        }

        #[test]
        fn any_text_gives_a_number_or_an_error_never_a_panic(s in "\\PC{0,20}") {
            let _ = DocNumber::parse(&s);
        }
    }
}
