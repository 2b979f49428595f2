//! Deadlines written the way work plans write them.
//!
//! The "完成时限" column of a task breakdown table (seeds/000) holds phrases, not dates:
//! "2017年10月底前", "每年坚持", "2017年至2020年(2017年5月底前出台方案)", "长期坚持",
//! "2017年(视网上科协平台建设进展情况)". [`parse_deadline`] turns one such phrase into a
//! [`Deadline`] the supervision module can compare with today. It never fails: a phrase it does
//! not understand comes back as [`DeadlineKind::Unknown`] with the text kept, for a person to
//! read.
//!
//! How a phrase is read:
//! - the text outside parentheses gives the schedule: the first date expression in it (see
//!   `when.rs` for the grammar), a recurrence word (每年, 每季度, 每月) or an ongoing word
//!   (长期, 持续, 常年, 常态化);
//! - each clause inside parentheses that holds a date becomes a milestone, the rest of the clause
//!   its text; a clause without a date becomes (part of) the condition, as does a clause outside
//!   parentheses that opens with 视/根据/按照 ("视中国科协工作进展及时跟进");
//! - words after the date ("2017年3月底前启动运行微信公众号") are the task itself, not part of
//!   the schedule, and are not kept apart from `input`.
//!
//! A date without a year takes the plan year (`6月底前`); inside parentheses it takes the year
//! of the main schedule first. Without either it cannot be placed and is not understood.

mod calendar;
mod chars;
mod when;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use calendar::Resolved;
use chars::Chars;

/// What kind of schedule a phrase describes. Serialised in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Done by one date: `due`.
    Due,
    /// Repeats: `every`; `start` when it repeats from a date on, `due` when the phrase names the
    /// first occurrence ("每年6月底前" in the plan year).
    Recurring,
    /// Runs from `start` to `end`.
    Range,
    /// Goes on with no end (长期坚持, 持续推进); `start` when it names one ("2017年起").
    Ongoing,
    /// Not understood; every date is null.
    Unknown,
}

/// How often a recurring task comes round. Serialised in lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Year,
    Quarter,
    Month,
}

impl Every {
    fn months(self) -> u32 {
        match self {
            Every::Year => 12,
            Every::Quarter => 3,
            Every::Month => 1,
        }
    }
}

/// An intermediate date inside a schedule: "(2017年5月底前出台方案)".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Milestone {
    pub due: NaiveDate,
    pub text: String,
}

/// A parsed deadline phrase. The JSON shape (field names and order, dates as `YYYY-MM-DD`) is a
/// stable contract: it is stored with tasks and returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deadline {
    /// The phrase as written.
    pub input: String,
    pub kind: DeadlineKind,
    pub due: Option<NaiveDate>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// Set for `recurring`; also for a `range` that repeats inside it ("2017年至2020年每年").
    pub every: Option<Every>,
    pub milestones: Vec<Milestone>,
    /// What the schedule depends on: "视网上科协平台建设进展情况".
    pub condition: Option<String>,
}

impl Deadline {
    fn unknown(input: &str, condition: Option<String>) -> Self {
        Deadline {
            input: input.to_string(),
            kind: DeadlineKind::Unknown,
            due: None,
            start: None,
            end: None,
            every: None,
            milestones: Vec::new(),
            condition,
        }
    }

    /// Every date the task must meet: `due` (or `end` of a range) and the milestones, in
    /// calendar order without repeats.
    pub fn due_dates(&self) -> Vec<NaiveDate> {
        let mut dates: Vec<NaiveDate> = self
            .due
            .or(self.end)
            .into_iter()
            .chain(self.milestones.iter().map(|m| m.due))
            .collect();
        dates.sort_unstable();
        dates.dedup();
        dates
    }

    /// The first due date on or after `today`. A recurring deadline with a first occurrence
    /// comes round again: "每年6月底前" read in 2017 is next due on 30 June of today's year, or
    /// the next one if that has passed.
    pub fn next_due(&self, today: NaiveDate) -> Option<NaiveDate> {
        let recurring = match (self.kind, self.every, self.due) {
            (DeadlineKind::Recurring, Some(every), Some(first)) => {
                roll_forward(first, every.months(), today)
            }
            _ => None,
        };
        self.due_dates()
            .into_iter()
            .filter(|d| *d >= today)
            .chain(recurring)
            .min()
    }

    /// Whether some due date or milestone lies strictly before `today`. Whether the work was done
    /// in time is the supervision module's business: this only says a date has passed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_dates().iter().any(|d| *d < today)
    }
}

/// Reads a deadline phrase; `plan_year` is the year of the plan it comes from, used for dates
/// written without a year. Never panics; anything not understood is `unknown`.
pub fn parse_deadline(text: &str, plan_year: Option<i32>) -> Deadline {
    let all = chars::normalise(text);
    let (main, groups) = chars::split_parens(&all);

    // The first date expression decides; one that names a date that does not exist
    // ("2017年13月底前") leaves the phrase without a date rather than falling back to another.
    let schedule =
        when::find(&main.norm).and_then(|found| calendar::resolve(&found.when, plan_year));
    let every = recurrence(&main.norm);
    let ongoing = ONGOING.iter().any(|w| chars::contains(&main.norm, w));

    // Dates in parentheses without a year belong to the main schedule's year.
    let context_year = schedule.map(|s| s.first_year()).or(plan_year);
    let mut milestones = Vec::new();
    let mut conditions = Vec::new();
    for clause in groups.iter().flat_map(chars::clauses) {
        match milestone(&clause, context_year) {
            Some(m) => milestones.push(m),
            None => conditions.push(clause.text()),
        }
    }
    conditions.extend(
        chars::clauses(&main)
            .into_iter()
            .filter(|c| {
                CONDITION_OPENERS
                    .iter()
                    .any(|w| chars::starts_with(&c.norm, w))
            })
            .map(|c| c.text()),
    );
    conditions.retain(|c| !c.is_empty());
    let condition = (!conditions.is_empty()).then(|| conditions.join("；"));

    let mut d = Deadline::unknown(text, condition);
    d.every = every;
    match (schedule, every) {
        (Some(Resolved::Range(p)), _) => {
            d.kind = DeadlineKind::Range;
            d.start = Some(p.start);
            d.end = Some(p.end);
        }
        (Some(Resolved::Since(start)), Some(_)) => {
            d.kind = DeadlineKind::Recurring;
            d.start = Some(start);
        }
        (Some(Resolved::Since(start)), None) => {
            d.kind = DeadlineKind::Ongoing;
            d.start = Some(start);
        }
        (Some(Resolved::Single(p)), Some(_)) => {
            d.kind = DeadlineKind::Recurring;
            d.due = Some(p.end);
        }
        (Some(Resolved::Single(p)), None) => {
            d.kind = DeadlineKind::Due;
            d.due = Some(p.end);
        }
        (None, Some(_)) => d.kind = DeadlineKind::Recurring,
        (None, None) if ongoing => d.kind = DeadlineKind::Ongoing,
        (None, None) => {
            // Only dates in parentheses ("(2017年底前完成)" as a whole cell, or words before
            // them): the task is due by the last of them.
            match milestones.iter().map(|m| m.due).max() {
                Some(last) => {
                    d.kind = DeadlineKind::Due;
                    d.due = Some(last);
                }
                None => return d,
            }
        }
    }
    // Milestones may fall after `due`: in "2017年取得阶段性成果(2020年全面完成转型升级)"
    // (seeds/000 item (7)) 2017 is the first result and 2020 the final one. Both are kept as
    // written; `due_dates` and `next_due` look at all of them.
    d.milestones = milestones;
    d
}

/// Words for work without an end date.
const ONGOING: &[&str] = &[
    "长期", "持续", "常年", "常态", "长效", "经常", "始终", "不断", "逐步",
];

/// A clause opening with one of these says what the schedule depends on.
const CONDITION_OPENERS: &[&str] = &["视", "根据", "按照", "依据", "依照", "待", "结合"];

fn recurrence(s: &[char]) -> Option<Every> {
    const WORDS: &[(&str, Every)] = &[
        ("每年", Every::Year),
        ("逐年", Every::Year),
        ("按年度", Every::Year),
        ("每一年", Every::Year),
        ("每季", Every::Quarter),
        ("逐季", Every::Quarter),
        ("按季度", Every::Quarter),
        ("每个季度", Every::Quarter),
        ("每月", Every::Month),
        ("逐月", Every::Month),
        ("按月", Every::Month),
        ("每个月", Every::Month),
    ];
    // The word that comes first in the text wins.
    (0..s.len()).find_map(|i| {
        WORDS
            .iter()
            .find(|(w, _)| chars::starts_with(&s[i..], w))
            .map(|(_, e)| *e)
    })
}

fn milestone(clause: &Chars, year: Option<i32>) -> Option<Milestone> {
    let found = when::find(&clause.norm)?;
    let due = match calendar::resolve(&found.when, year)? {
        Resolved::Single(p) | Resolved::Range(p) => p.end,
        Resolved::Since(_) => return None,
    };
    Some(Milestone {
        due,
        text: clause.text_without(found.span),
    })
}

/// The first of `first`, `first` + `step` months, `first` + 2 × `step` months … on or after
/// `today`. A month-end date stays a month-end date (31 March, 30 June, 30 September).
fn roll_forward(first: NaiveDate, step: u32, today: NaiveDate) -> Option<NaiveDate> {
    if first >= today {
        return Some(first);
    }
    let months_apart = (i64::from(today.year()) - i64::from(first.year())) * 12
        + i64::from(today.month())
        - i64::from(first.month());
    // Start just below the answer and step over month-length differences.
    let k0 = months_apart.max(0) / i64::from(step);
    (k0..k0 + 3)
        .filter_map(|k| add_months(first, k.checked_mul(i64::from(step))?))
        .find(|d| *d >= today)
}

fn add_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let index = i64::from(date.year()) * 12 + i64::from(date.month0()) + months;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    let last = calendar::last_day(year, month)?;
    let month_end = calendar::last_day(date.year(), date.month()) == Some(date.day());
    let day = if month_end {
        last
    } else {
        date.day().min(last)
    };
    NaiveDate::from_ymd_opt(year, month, day)
}
