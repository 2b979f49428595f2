//! Parsers for cell values shared by every import, and the formula guard for every export.

use chrono::{Datelike, NaiveDate};
use kexie_domain::text::to_half_width;

/// Why one cell was refused: a stable code for the report and a plain Chinese message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub code: &'static str,
    pub message: String,
}

impl CellError {
    pub fn new(code: &'static str, message: impl Into<String>) -> CellError {
        CellError {
            code,
            message: message.into(),
        }
    }
}

/// Parses a date as offices write it: `2018-05-01`, `2018/5/1`, `2018.5.1`, `2018年5月1日`,
/// `20180501`, a date followed by a time (`2018-05-01 00:00:00`, as CSV exports write), or an
/// Excel serial number (`43221`, what a date cell becomes when a sheet is saved as text).
pub fn parse_date(value: &str) -> Result<NaiveDate, CellError> {
    let s = to_half_width(value.trim());
    let s = s.trim();
    let bad = || {
        CellError::new(
            "date.format",
            format!("“{s}”不是有效日期，应写作 2018-05-01、2018/5/1 或 2018年5月1日"),
        )
    };
    if s.is_empty() {
        return Err(bad());
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
        let (y, m, d) = (n(0..4).ok_or_else(bad)?, n(4..6), n(6..8));
        return ymd(y as i32, m.unwrap_or(0), d.unwrap_or(0)).ok_or_else(bad);
    }
    if let Some(date) = excel_serial(s) {
        return date.ok_or_else(bad);
    }
    // Drop a time part: everything after the first space or 'T' that follows the date.
    let date_part = s.split([' ', 'T']).next().unwrap_or(s);
    let date_part = date_part.strip_suffix('日').unwrap_or(date_part);
    let parts: Vec<&str> = date_part.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return Err(bad());
    }
    let nums: Option<Vec<u32>> = parts.iter().map(|p| p.parse::<u32>().ok()).collect();
    let nums = nums.ok_or_else(bad)?;
    if parts[0].len() != 4 {
        return Err(bad());
    }
    ymd(nums[0] as i32, nums[1], nums[2]).ok_or_else(bad)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).filter(|date| date.year() >= 1000)
}

/// An Excel serial date (1900 date system): up to 7 digits, optionally with a time fraction.
/// Returns `None` when the text is not a serial at all, `Some(None)` when it is one but out of
/// range. Excel counts 1900-02-29, a day that never was (serial 60), for compatibility with
/// Lotus 1-2-3; serials from 61 on are therefore days since 1899-12-30.
fn excel_serial(s: &str) -> Option<Option<NaiveDate>> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    if whole.is_empty()
        || whole.len() > 7
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.is_empty()
    {
        return None;
    }
    let days: i64 = whole.parse().ok()?;
    let date = match days {
        1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)
            .and_then(|d| d.checked_add_days(chrono::Days::new(days as u64))),
        61..=2_958_465 => NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|d| d.checked_add_days(chrono::Days::new(days as u64))),
        _ => None,
    };
    Some(date.filter(|d| d.year() >= 1000))
}

/// Parses yes/no as written in Chinese forms: 是/否, Y/N, yes/no, true/false, 1/0, √/×.
pub fn parse_bool_zh(value: &str) -> Result<bool, CellError> {
    let s = to_half_width(value.trim()).trim().to_ascii_lowercase();
    match s.as_str() {
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "✔" | "有" | "对" => Ok(true),
        "否" | "n" | "no" | "false" | "0" | "×" | "✗" | "✘" | "无" | "错" => Ok(false),
        _ => Err(CellError::new(
            "enum.value",
            format!("“{}”应为“是”或“否”", value.trim()),
        )),
    }
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"): the
/// ASCII ones, tab and carriage return, and the full-width forms that Excel and WPS also accept.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Makes a value that a spreadsheet would evaluate into inert text by prefixing a single
/// quote; every other value is returned unchanged. Applied to every exported text cell.
pub fn safe_cell(value: &str) -> String {
    if is_risky(value) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

pub(crate) fn is_risky(value: &str) -> bool {
    value.starts_with(FORMULA_STARTS)
}

/// Undoes [`safe_cell`] on import, so an exported sheet reads back as it was written.
pub(crate) fn unsafe_cell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if is_risky(rest) => rest,
        _ => value,
    }
}

/// The text with each run of white space (ideographic and no-break spaces included) made one
/// plain space, and none at either end: stray spaces from copying are not part of a value. Text
/// already tidy, as nearly every cell is, is copied without being split.
pub(crate) fn collapse_spaces(v: &str) -> String {
    let mut previous_space = true;
    let tidy = v.chars().all(|c| {
        let ok = if c.is_whitespace() {
            c == ' ' && !previous_space
        } else {
            true
        };
        previous_space = c.is_whitespace();
        ok
    }) && !previous_space;
    if tidy || v.is_empty() {
        return v.to_string();
    }
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_space_become_one_and_tidy_text_is_kept_as_it_is() {
        assert_eq!(collapse_spaces("中国 科协"), "中国 科协");
        assert_eq!(collapse_spaces("中国  科协"), "中国 科协");
        assert_eq!(collapse_spaces("中国\t科协\u{3000}学会"), "中国 科协 学会");
        assert_eq!(collapse_spaces(" 科协"), "科协");
        assert_eq!(collapse_spaces("科协 "), "科协");
        assert_eq!(collapse_spaces("   "), "");
        assert_eq!(collapse_spaces(""), "");
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_written_form_of_a_date_parses() {
        for s in [
            "2018-05-01",
            "2018/5/1",
            "2018.5.1",
            "2018年5月1日",
            "20180501",
            "43221",
            "43221.0",
            " ２０１８－０５－０１ ",
            "2018-05-01 00:00:00",
            "2018-05-01T08:30:00",
        ] {
            assert_eq!(parse_date(s), Ok(d(2018, 5, 1)), "{s}");
        }
    }

    #[test]
    fn excel_serials_skip_the_phantom_leap_day() {
        assert_eq!(parse_date("1"), Ok(d(1900, 1, 1)));
        assert_eq!(parse_date("59"), Ok(d(1900, 2, 28)));
        assert_eq!(parse_date("61"), Ok(d(1900, 3, 1)));
        assert_eq!(parse_date("60").unwrap_err().code, "date.format");
    }

    #[test]
    fn impossible_dates_are_format_errors() {
        for s in [
            "2018-02-30",
            "2018-13-01",
            "18-5-1",
            "2018年5月",
            "明天",
            "",
            "0",
        ] {
            assert_eq!(parse_date(s).unwrap_err().code, "date.format", "{s}");
        }
    }

    #[test]
    fn yes_and_no_in_every_spelling() {
        for s in ["是", "Y", "yes", "1", "√", "TRUE"] {
            assert_eq!(parse_bool_zh(s), Ok(true), "{s}");
        }
        for s in ["否", "n", "No", "0", "×"] {
            assert_eq!(parse_bool_zh(s), Ok(false), "{s}");
        }
        assert_eq!(parse_bool_zh("也许").unwrap_err().code, "enum.value");
    }

    #[test]
    fn safe_cell_round_trips_through_unsafe_cell() {
        for s in ["=1+1", "-5", "plain", "'quoted", "＝SUM(A1)"] {
            assert_eq!(unsafe_cell(&safe_cell(s)), s);
        }
    }
}
