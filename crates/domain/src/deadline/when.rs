//! The grammar of a date expression ("2017年10月底前", "2017—2020年", "三季度").
//!
//! ```text
//! when   := NUM SEP expr                       "2017—2020年", "3-6月": NUM takes expr's unit
//!         | expr [SEP (expr | 今)] [SUFFIX] [起|开始|以来|以后]
//! expr   := ISO | year [part] | part
//! year   := NUM 年 [度] | NUM (4 ASCII digits, bare) | 今年 | 明年 | 去年 | …
//! part   := 上半年 | 下半年 | 年底 | 年末 | 年内 | 年中 | 年初 | [第] NUM 季度 [末] | Q NUM
//!         | NUM 月 [上旬|中旬|下旬|初|中|底|末|份|NUM 日]
//!         | NUM 底                             typo "2017年10底前" (only after a year)
//!         | 底 | 末 | 内 | 中 | 初             only after a year ("2019年底前")
//!         | NUM 日                             only as the end of a range
//! SEP    := 至 | 到 | -+                       (every dash was folded to "-")
//! SUFFIX := 前 | 之前 | 以前 | 止 | 为止 | 内 | 以内
//! ```
//!
//! Parsing only checks shape; whether 13月 or 2月30日 exist is decided in `calendar.rs`, so
//! that "2017年13月底前" is not understood at all rather than read as "2017年".

use std::ops::Range;

use super::chars::{is_numeral, Cur, Num};

/// Years outside this span are not years ("干满2-3年" is a duration).
const YEARS: std::ops::RangeInclusive<u32> = 1900..=2199;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum YearRef {
    Abs(i32),
    /// 今年 (0), 明年/次年 (+1), 去年 (-1): relative to the plan year, or within a range to
    /// the year of its start.
    Rel(i32),
}

/// What an expression starts with; a bare number before a dash takes this unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    Year,
    Month,
    Quarter,
    Day,
    Word,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Year,
    /// 年初: by the end of January.
    YearStart,
    /// 年中: 30 June.
    YearMid,
    /// 年底/年末/底: 31 December.
    YearEnd,
    Half(u32),
    Quarter(u32),
    Month(u32, Within),
    /// A day whose month comes from the start of the range ("3月1日至15日").
    Day(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Within {
    Whole,
    /// 上旬 and 月初: by the 10th.
    Early,
    /// 中旬: by the 20th.
    Mid,
    /// 月中: the 15th.
    Middle,
    /// 下旬: by the last day.
    Late,
    /// 月底/月末: the last day.
    End,
    Day(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Spec {
    pub year: Option<YearRef>,
    pub part: Part,
    lead: Lead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Single(Spec),
    Range(Spec, Spec),
    /// "2017年起", "2017年至今": open-ended from the start of the expression.
    Since(Spec),
}

/// A date expression found in a text, with the chars it occupies.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub when: When,
    pub span: Range<usize>,
}

/// The first date expression in `s`. An expression starts only where a number or a keyword
/// starts: never right after a numeral (the 年内 of "三年内" is not "this year") nor after
/// 每/逐/半/第 (recurrence, "半年内", quarters read from their 第).
pub(super) fn find(s: &[char]) -> Option<Found> {
    (0..s.len()).find_map(|i| {
        let blocked = i > 0 && {
            let p = s[i - 1];
            is_numeral(p) || matches!(p, '每' | '逐' | '半' | '第' | '.' | '/')
        };
        if blocked {
            return None;
        }
        let mut c = Cur::new(s, i);
        when(&mut c).map(|when| Found { when, span: i..c.i })
    })
}

fn when(c: &mut Cur) -> Option<When> {
    let start = c.i;
    if let Some(w) = bare_pair(c, None) {
        suffix(c);
        return Some(w);
    }
    c.i = start;
    let a = expr(c)?;
    if a.part == Part::Year && a.lead == Lead::Year {
        // "2017年3-6月": the months share the year.
        let save = c.i;
        if let Some(w) = bare_pair(c, a.year) {
            suffix(c);
            return Some(w);
        }
        c.i = save;
    }
    let save = c.i;
    if sep(c) {
        if c.eat_any(&["今", "现在"]) {
            return Some(When::Since(a));
        }
        if let Some(b) = expr(c) {
            suffix(c);
            return Some(When::Range(a, b));
        }
        c.i = save;
    }
    suffix(c);
    if c.eat_any(&["起", "开始", "以来", "以后", "之后"]) {
        return Some(When::Since(a));
    }
    Some(When::Single(a))
}

/// `NUM SEP expr`, the number taking the unit that `expr` starts with. With `year` given
/// (after "2017年"), `expr` may only be a part of that year.
fn bare_pair(c: &mut Cur, year: Option<YearRef>) -> Option<When> {
    let n = c.number()?;
    if !sep(c) {
        return None;
    }
    let b = match year {
        Some(_) => {
            let (part, lead) = part(c, false)?;
            Spec { year, part, lead }
        }
        None => expr(c)?,
    };
    let part = match b.lead {
        Lead::Year if year.is_none() && YEARS.contains(&n.value) => {
            let a = Spec {
                year: Some(YearRef::Abs(n.value as i32)),
                part: Part::Year,
                lead: Lead::Year,
            };
            return Some(When::Range(a, b));
        }
        Lead::Month => Part::Month(n.value, Within::Whole),
        Lead::Quarter => Part::Quarter(n.value),
        Lead::Day => Part::Day(n.value),
        _ => return None,
    };
    let a = Spec {
        year: b.year,
        part,
        lead: b.lead,
    };
    Some(When::Range(a, b))
}

fn sep(c: &mut Cur) -> bool {
    if c.eat_any(&["至", "到"]) {
        return true;
    }
    let mut any = false;
    while c.eat("-") {
        any = true;
    }
    any
}

fn suffix(c: &mut Cur) {
    c.eat_any(&["之前", "以前", "前", "为止", "止", "以内", "内"]);
}

fn expr(c: &mut Cur) -> Option<Spec> {
    let start = c.i;
    if let Some(s) = iso(c) {
        return Some(s);
    }
    c.i = start;
    let year = year(c);
    let year_lead = match year {
        Some(YearRef::Abs(_)) => Lead::Year,
        _ => Lead::Word,
    };
    match part(c, year.is_some()) {
        Some((part, lead)) => Some(Spec {
            year,
            part,
            lead: if year.is_some() { year_lead } else { lead },
        }),
        None if year.is_some() => Some(Spec {
            year,
            part: Part::Year,
            lead: year_lead,
        }),
        None => {
            c.i = start;
            None
        }
    }
}

/// `2018-06-11`, `2018/6/11`, `2018.6.11`.
fn iso(c: &mut Cur) -> Option<Spec> {
    let y = c.number().filter(|n| n.ascii_digits == 4)?;
    let sep = c.peek().filter(|s| matches!(s, '-' | '/' | '.'))?;
    c.eat(&sep.to_string());
    let m = c.number().filter(|n| (1..=2).contains(&n.ascii_digits))?;
    if !c.eat(&sep.to_string()) {
        return None;
    }
    let d = c.number().filter(|n| (1..=2).contains(&n.ascii_digits))?;
    if !YEARS.contains(&y.value) {
        return None;
    }
    Some(Spec {
        year: Some(YearRef::Abs(y.value as i32)),
        part: Part::Month(m.value, Within::Day(d.value)),
        lead: Lead::Year,
    })
}

const YEAR_WORDS: &[(&str, i32)] = &[
    ("今年", 0),
    ("本年", 0),
    ("当年", 0),
    ("明年", 1),
    ("次年", 1),
    ("来年", 1),
    ("翌年", 1),
    ("下一年", 1),
    ("去年", -1),
    ("上一年", -1),
    ("上年", -1),
];

fn year(c: &mut Cur) -> Option<YearRef> {
    let start = c.i;
    if let Some(n) = c.number() {
        if YEARS.contains(&n.value) {
            if c.eat("年") {
                c.eat("度");
                return Some(YearRef::Abs(n.value as i32));
            }
            // A bare "2017" only where nothing else could follow it.
            let bare_end = match c.peek() {
                None => true,
                Some(ch) => "()-至到,;、。 ".contains(ch),
            };
            if n.ascii_digits == 4 && bare_end {
                return Some(YearRef::Abs(n.value as i32));
            }
        }
        c.i = start;
        return None;
    }
    for &(word, k) in YEAR_WORDS {
        if c.eat(word) {
            c.eat("度");
            return Some(YearRef::Rel(k));
        }
    }
    None
}

/// 中 and 初 also begin ordinary words (中央, 初步): take them as dates only before what may
/// follow a date.
fn loose_end(c: &Cur) -> bool {
    match c.peek() {
        None => true,
        Some(ch) => "前之以起(,;。、-至到完左".contains(ch),
    }
}

fn part(c: &mut Cur, has_year: bool) -> Option<(Part, Lead)> {
    let start = c.i;
    let word = |p| Some((p, Lead::Word));
    if c.eat_any(&["上半年", "前半年"]) {
        return word(Part::Half(1));
    }
    if c.eat_any(&["下半年", "后半年"]) {
        return word(Part::Half(2));
    }
    if c.eat_any(&["年底", "年末", "年终"]) {
        return word(Part::YearEnd);
    }
    if c.eat_any(&["年内", "全年"]) {
        return word(Part::Year);
    }
    if has_year && c.eat_any(&["底", "末", "终"]) {
        return word(Part::YearEnd);
    }
    if has_year && c.eat("内") {
        return word(Part::Year);
    }
    for (lit, p) in [("年中", Part::YearMid), ("年初", Part::YearStart)] {
        if c.eat(lit) && loose_end(c) {
            return word(p);
        }
        c.i = start;
    }
    for (lit, p) in [("中", Part::YearMid), ("初", Part::YearStart)] {
        if has_year && c.eat(lit) && loose_end(c) {
            return word(p);
        }
        c.i = start;
    }
    if c.eat_any(&["Q", "q"]) {
        if let Some(n) = c.number().filter(|n| n.ascii_digits == 1) {
            c.eat_any(&["末", "底"]);
            return Some((Part::Quarter(n.value), Lead::Quarter));
        }
        c.i = start;
    }
    let ordinal = c.eat("第");
    if let Some(n) = c.number() {
        if c.eat_any(&["季度", "季"]) {
            c.eat_any(&["末", "底"]);
            return Some((Part::Quarter(n.value), Lead::Quarter));
        }
        if !ordinal {
            if c.eat("月") {
                return Some((Part::Month(n.value, within(c)), Lead::Month));
            }
            // "2017年10底前" (seeds/000 item (6)): the 月 was forgotten.
            if has_year && c.eat_any(&["底", "末"]) {
                return Some((Part::Month(n.value, Within::End), Lead::Month));
            }
            if c.eat_any(&["日", "号"]) {
                return Some((Part::Day(n.value), Lead::Day));
            }
        }
    }
    c.i = start;
    None
}

fn within(c: &mut Cur) -> Within {
    if c.eat("上旬") {
        return Within::Early;
    }
    if c.eat("中旬") {
        return Within::Mid;
    }
    if c.eat("下旬") {
        return Within::Late;
    }
    if c.eat_any(&["底", "末"]) {
        return Within::End;
    }
    if c.eat("份") {
        return if c.eat_any(&["底", "末"]) {
            Within::End
        } else {
            Within::Whole
        };
    }
    let start = c.i;
    if let Some(Num { value, .. }) = c.number() {
        if c.eat_any(&["日", "号"]) || c.sees_any(&["前", "之前", "以前"]) {
            return Within::Day(value);
        }
    }
    c.i = start;
    for (lit, w) in [("初", Within::Early), ("中", Within::Middle)] {
        if c.eat(lit) && loose_end(c) {
            return w;
        }
        c.i = start;
    }
    Within::Whole
}
