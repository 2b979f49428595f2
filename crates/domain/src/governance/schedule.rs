//! Checks over time: terms renewed on schedule (按期换届, seeds/000 item 30), branches that have
//! long been inactive (seeds/002 item 4), and party organisation coverage (seeds/002 item 29).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::finding::{rule, Finding, Severity};
use super::ruleset::{citation_2018, RuleSet};
use super::text::zh_date;

/// One term (届) of a governing body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermInfo {
    /// The body, e.g. "第八届理事会"'s "理事会", or the society's name and body.
    pub body: String,
    pub number: u32,
    pub start: NaiveDate,
    pub planned_end: NaiveDate,
    #[serde(default)]
    pub actual_end: Option<NaiveDate>,
    /// A new term has been recorded after this one.
    #[serde(default)]
    pub has_successor: bool,
}

/// A branch (分支机构) and the last activity recorded for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchInfo {
    pub name: String,
    #[serde(default)]
    pub last_activity: Option<NaiveDate>,
    #[serde(default)]
    pub established: Option<NaiveDate>,
}

/// `term.overdue`: the planned end is before `as_of` and no new term is recorded (`error`).
/// `term.due_soon`: the planned end is `as_of` or within `term_due_soon_days` days after it
/// (`info`). Terms with a successor are done with and not reported.
pub fn check_terms(rules: &RuleSet, terms: &[TermInfo], as_of: NaiveDate) -> Vec<Finding> {
    let window = i64::from(rules.term_due_soon_days);
    terms
        .iter()
        .filter(|t| !t.has_successor)
        .filter_map(|t| {
            let days_left = t.planned_end.signed_duration_since(as_of).num_days();
            let what = format!("{}第{}届（{}起）", t.body, t.number, zh_date(t.start));
            let finding = if days_left < 0 {
                Finding::new(
                    rule::TERM_OVERDUE,
                    Severity::Error,
                    format!(
                        "{what}应于{}届满，已超期{}天，尚未换届。",
                        zh_date(t.planned_end),
                        -days_left
                    ),
                )
                .figure("days_overdue", -days_left)
            } else if days_left <= window {
                Finding::new(
                    rule::TERM_DUE_SOON,
                    Severity::Info,
                    format!(
                        "{what}将于{}届满，还有{days_left}天，请及早筹备换届和前置审核。",
                        zh_date(t.planned_end)
                    ),
                )
                .figure("days_left", days_left)
            } else {
                return None;
            };
            Some(
                finding
                    .figure("body", t.body.as_str())
                    .figure("term_number", t.number)
                    .figure("planned_end", t.planned_end.to_string())
                    .cited(rules),
            )
        })
        .collect()
}

/// Full months from `from` to `to` (0 when `to` is earlier).
fn full_months(from: NaiveDate, to: NaiveDate) -> u32 {
    let diff = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let Ok(mut months) = u32::try_from(diff) else {
        return 0;
    };
    while months > 0
        && from
            .checked_add_months(Months::new(months))
            .is_none_or(|d| d > to)
    {
        months -= 1;
    }
    months
}

/// `branch.inactive` (`warning`): no activity recorded for `branch_inactive_months` months or
/// more, counted from the later of the last activity and the founding date (a branch founded,
/// or founded anew, is given the full period). A branch with neither date is reported too:
/// nothing shows it is active.
pub fn check_branches(rules: &RuleSet, branches: &[BranchInfo], as_of: NaiveDate) -> Vec<Finding> {
    let limit = rules.branch_inactive_months;
    branches
        .iter()
        .filter_map(|b| {
            // `None` orders before any date, so this is the later of the two dates known.
            let since = b.last_activity.max(b.established);
            let months = since.map(|d| full_months(d, as_of));
            let message = match (b.last_activity, b.established, months) {
                (_, _, Some(m)) if m < limit => return None,
                (Some(a), Some(e), Some(m)) if e > a => format!(
                    "分支机构“{}”最近一次活动在{}，{}重新成立以来没有活动记录，已{m}个月（满{limit}个月），应进行清理或调整。",
                    b.name,
                    zh_date(a),
                    zh_date(e)
                ),
                (Some(d), _, Some(m)) => format!(
                    "分支机构“{}”最近一次活动在{}，已{m}个月没有活动记录（满{limit}个月），应进行清理或调整。",
                    b.name,
                    zh_date(d)
                ),
                (None, Some(d), Some(m)) => format!(
                    "分支机构“{}”自{}成立以来没有活动记录，已{m}个月（满{limit}个月），应进行清理或调整。",
                    b.name,
                    zh_date(d)
                ),
                _ => format!(
                    "分支机构“{}”没有活动记录，也没有成立日期，无法确认是否正常开展活动。",
                    b.name
                ),
            };
            let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
            Some(
                Finding::new(rule::BRANCH_INACTIVE, Severity::Warning, message)
                    .figure("branch", b.name.as_str())
                    .figure("last_activity", date(b.last_activity))
                    .figure("established", date(b.established))
                    .figure("months_inactive", months)
                    .figure("inactive_months_limit", limit)
                    .cited(rules),
            )
        })
        .collect()
}

/// `party.organisation_missing` (`warning`): no party organisation recorded. The rule has no
/// threshold, so it takes no rule set; it cites the 2018 key points.
pub fn check_party(has_party_org: bool) -> Vec<Finding> {
    if has_party_org {
        return Vec::new();
    }
    let mut finding = Finding::new(
        rule::PARTY_ORGANISATION_MISSING,
        Severity::Warning,
        "没有登记党组织。学会应在理事会层面建立党委，办事机构应建立基层党组织（应建未建）。",
    )
    .figure("has_party_organisation", false);
    finding.citation = citation_2018(rule::PARTY_ORGANISATION_MISSING);
    vec![finding]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_months_count_whole_months_including_month_ends() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(full_months(d(2022, 3, 15), d(2024, 3, 14)), 23);
        assert_eq!(full_months(d(2022, 3, 15), d(2024, 3, 15)), 24);
        assert_eq!(full_months(d(2020, 2, 29), d(2022, 2, 28)), 24);
        assert_eq!(full_months(d(2024, 1, 31), d(2024, 2, 29)), 1);
        assert_eq!(full_months(d(2025, 1, 1), d(2024, 1, 1)), 0);
    }
}
