//! Placing a parsed date expression on the calendar.
//!
//! Each expression covers a span of days; a deadline is the last of them ("2017年6月" is due
//! 30 June), the start of a range is the first ("2017年至2020年" runs from 1 January 2017).
//! Where a phrase names part of a month the reading is: 上旬 and 月初 by the 10th, 中旬 by the
//! 20th, 月中 the 15th, 下旬 and 月底 the last day; 年初 by the end of January, 年中 30 June.

use chrono::{Datelike, NaiveDate};

use super::when::{Part, Spec, When, Within, YearRef};

/// The days an expression covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resolved {
    Single(Period),
    Range(Period),
    Since(NaiveDate),
}

impl Resolved {
    /// The year later expressions without a year of their own belong to.
    pub fn first_year(&self) -> i32 {
        match self {
            Resolved::Single(p) | Resolved::Range(p) => p.start.year(),
            Resolved::Since(d) => d.year(),
        }
    }
}

/// Calendar dates for `w`; `None` when a date does not exist or a needed year is missing.
pub(super) fn resolve(w: &When, plan_year: Option<i32>) -> Option<Resolved> {
    match w {
        When::Single(a) => period(a, plan_year, None).map(Resolved::Single),
        When::Since(a) => period(a, plan_year, None).map(|p| Resolved::Since(p.start)),
        When::Range(a, b) => {
            let pa = period(a, plan_year, None)?;
            let base = pa.start.year();
            let month = match a.part {
                Part::Month(m, _) => Some(m),
                _ => None,
            };
            let mut pb = period(b, Some(base), month)?;
            if pb.end < pa.start && b.year.is_none() {
                // "2017年11月至3月": the end is in the next year.
                pb = period(b, Some(base.checked_add(1)?), month)?;
            }
            (pb.end >= pa.start).then_some(Resolved::Range(Period {
                start: pa.start,
                end: pb.end,
            }))
        }
    }
}

fn period(s: &Spec, base: Option<i32>, month: Option<u32>) -> Option<Period> {
    let y = match s.year {
        Some(YearRef::Abs(y)) => y,
        Some(YearRef::Rel(k)) => base?.checked_add(k)?,
        None => base?,
    };
    let ymd = |m, d| NaiveDate::from_ymd_opt(y, m, d);
    let span = |m1, d1, m2, d2| {
        Some(Period {
            start: ymd(m1, d1)?,
            end: ymd(m2, d2)?,
        })
    };
    match s.part {
        Part::Year => span(1, 1, 12, 31),
        Part::YearStart => span(1, 1, 1, 31),
        Part::YearMid => span(6, 30, 6, 30),
        Part::YearEnd => span(12, 31, 12, 31),
        Part::Half(1) => span(1, 1, 6, 30),
        Part::Half(2) => span(7, 1, 12, 31),
        Part::Half(_) => None,
        Part::Quarter(q @ 1..=4) => span(3 * q - 2, 1, 3 * q, last_day(y, 3 * q)?),
        Part::Quarter(_) => None,
        Part::Month(m, w) => {
            let last = last_day(y, m)?;
            let (d1, d2) = match w {
                Within::Whole => (1, last),
                Within::Early => (1, 10),
                Within::Mid => (11, 20),
                Within::Middle => (15, 15),
                Within::Late => (21, last),
                Within::End => (last, last),
                Within::Day(d) => (d, d),
            };
            span(m, d1, m, d2)
        }
        Part::Day(d) => {
            let m = month?;
            span(m, d, m, d)
        }
    }
}

/// The last day of a month, `None` if the month does not exist.
pub(super) fn last_day(y: i32, m: u32) -> Option<u32> {
    if !(1..=12).contains(&m) {
        return None;
    }
    let first_of_next = if m == 12 {
        NaiveDate::from_ymd_opt(y.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    first_of_next.pred_opt().map(|d| d.day())
}
