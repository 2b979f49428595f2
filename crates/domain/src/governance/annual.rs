//! The society annual report (学会年报, seeds/002 item 7): membership and its growth, the bodies
//! and their changes in the year, the activities of the year by kind, and the findings. The
//! store fills it in; the office crate writes it as `.docx`; a published report is kept as JSON
//! and shown without sign-in, so it holds no personal data beyond office-holders' names.

use serde::{Deserialize, Serialize};

use super::finding::Finding;

/// A society's report for one calendar year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReport {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    /// The day the findings were checked on, `YYYY-MM-DD`.
    pub as_of: String,
    pub rule_set_version: String,
    pub members: MemberFigures,
    pub bodies: Vec<ReportBody>,
    /// Activities of the society and its branches held in the year, one line per kind recorded.
    pub activity_kinds: Vec<KindFigure>,
    pub activities: Vec<ReportActivity>,
    pub findings: Vec<Finding>,
}

impl AnnualReport {
    pub fn activity_total(&self) -> i64 {
        self.activity_kinds.iter().map(|k| k.count).sum()
    }

    pub fn participant_total(&self) -> i64 {
        self.activity_kinds.iter().map(|k| k.participants).sum()
    }
}

/// Individual membership in the year, and its growth against the target (15% a year for
/// national societies, seeds/002 item 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberFigures {
    pub at_start: i64,
    pub at_end: i64,
    pub joined: i64,
    pub left: i64,
    /// Net growth over members at start, in percent (none without members at start).
    pub rate_percent: Option<f64>,
    pub target_percent: f64,
    pub met: Option<bool>,
}

/// A term (届) as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTerm {
    pub number: i64,
    pub start_on: String,
    pub planned_end: String,
    pub actual_end: Option<String>,
}

/// An office-holder: a name and a position (Chinese), nothing else about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPost {
    pub name: String,
    pub position: String,
    /// For a post that ended in the year.
    pub ended_on: Option<String>,
}

/// A governing body: its term at the end of the year with the leading office-holders, and what
/// changed in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBody {
    /// `council`, `standing_council` … (the store's body kinds).
    pub kind: String,
    pub name: String,
    pub current_term: Option<ReportTerm>,
    /// Members of the current term (posts still held).
    pub members: i64,
    /// Holders of the leading posts (理事长, 副理事长, 秘书长, 监事长) of the current term.
    pub leaders: Vec<ReportPost>,
    pub terms_started: Vec<ReportTerm>,
    pub terms_ended: Vec<ReportTerm>,
    /// Posts of the terms that started in the year (posts carry no start date of their own).
    pub posts_taken: i64,
    pub posts_ended: Vec<ReportPost>,
}

/// Activities of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindFigure {
    /// The `ActivityKind` code.
    pub kind: String,
    pub kind_zh: String,
    pub count: i64,
    pub participants: i64,
}

/// An activity as the report lists it (its notes stay out: they may name people).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportActivity {
    pub held_on: String,
    pub title: String,
    pub kind_zh: String,
    /// The society itself or one of its branches.
    pub org_name: String,
    pub participants: i64,
}
