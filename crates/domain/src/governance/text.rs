//! How numbers, fractions and dates are written in findings: the way the documents write them.

use chrono::NaiveDate;

const DIGITS: [&str; 11] = [
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
];

/// 四分之三 for 3/4; digits ("7/11") when either part is past ten.
pub(crate) fn zh_fraction(numerator: u32, denominator: u32) -> String {
    match (
        DIGITS.get(numerator as usize),
        DIGITS.get(denominator as usize),
    ) {
        (Some(n), Some(d)) if denominator > 0 => format!("{d}分之{n}"),
        _ => format!("{numerator}/{denominator}"),
    }
}

/// 2024年5月1日.
pub(crate) fn zh_date(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

/// `part` of `whole` as a percentage with one decimal ("74.3%"); "—" for an empty whole.
pub(crate) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A growth figure as written ("30.1%"), without a trailing ".0" for whole numbers.
pub(crate) fn growth(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}%")
    } else {
        format!("{value}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_dates_and_percentages_read_like_the_documents() {
        assert_eq!(zh_fraction(2, 3), "三分之二");
        assert_eq!(zh_fraction(7, 11), "7/11");
        assert_eq!(zh_fraction(1, 0), "1/0");
        let d = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
        assert_eq!(zh_date(d), "2024年5月1日");
        assert_eq!(percent(3, 4), "75.0%");
        assert_eq!(percent(0, 0), "—");
        assert_eq!(growth(30.0), "30%");
        assert_eq!(growth(30.1), "30.1%");
    }
}
