//! Terms on schedule, inactive branches, party organisation: boundaries in days and months.

use chrono::{Days, Months, NaiveDate};
use kexie_domain::governance::{
    check_branches, check_party, check_terms, rule, BranchInfo, RuleSet, Severity, TermInfo,
};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn term_ending(planned_end: NaiveDate) -> TermInfo {
    TermInfo {
        body: "理事会".into(),
        number: 8,
        start: planned_end - Months::new(60),
        planned_end,
        actual_end: None,
        has_successor: false,
    }
}

fn terms(planned_end: NaiveDate) -> Vec<kexie_domain::governance::Finding> {
    check_terms(
        &RuleSet::default_2018(),
        &[term_ending(planned_end)],
        as_of(),
    )
}

#[test]
fn a_term_ending_within_180_days_is_due_soon_and_181_days_out_is_fine() {
    for days in [0, 1, 179, 180] {
        let found = terms(as_of() + Days::new(days));
        assert_eq!(found.len(), 1, "{days} days");
        assert_eq!(found[0].rule, rule::TERM_DUE_SOON);
        assert_eq!(found[0].severity, Severity::Info);
        assert_eq!(found[0].figures["days_left"], days);
        assert!(found[0].message.contains(&format!("还有{days}天")));
    }
    assert!(terms(as_of() + Days::new(181)).is_empty());
}

#[test]
fn a_term_past_its_planned_end_without_a_new_term_is_overdue() {
    let found = terms(as_of() - Days::new(1));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, rule::TERM_OVERDUE);
    assert_eq!(found[0].severity, Severity::Error);
    assert_eq!(found[0].figures["days_overdue"], 1);
    assert_eq!(found[0].figures["term_number"], 8);
    assert!(found[0].message.contains("2025年6月29日") && found[0].message.contains("第8届"));
    assert!(found[0].citation.contains("seeds/000"));

    let found = terms(as_of() - Days::new(400));
    assert_eq!(found[0].figures["days_overdue"], 400);
}

#[test]
fn a_term_with_a_successor_is_not_reported() {
    let mut renewed = term_ending(as_of() - Days::new(30));
    renewed.has_successor = true;
    renewed.actual_end = Some(as_of() - Days::new(35));
    let mut soon = term_ending(as_of() + Days::new(10));
    soon.has_successor = true;
    assert!(check_terms(&RuleSet::default_2018(), &[renewed, soon], as_of()).is_empty());
}

#[test]
fn the_due_soon_window_comes_from_the_rule_set() {
    let mut rules = RuleSet::default_2018();
    rules.term_due_soon_days = 90;
    let t = term_ending(as_of() + Days::new(91));
    assert!(check_terms(&rules, &[t], as_of()).is_empty());
}

fn branch(last_activity: Option<NaiveDate>, established: Option<NaiveDate>) -> BranchInfo {
    BranchInfo {
        name: "测试专业委员会".into(),
        last_activity,
        established,
    }
}

fn branches(b: BranchInfo) -> Vec<kexie_domain::governance::Finding> {
    check_branches(&RuleSet::default_2018(), &[b], as_of())
}

#[test]
fn a_branch_is_inactive_from_24_months_without_activity() {
    let limit = as_of() - Months::new(24);
    assert!(branches(branch(Some(limit + Days::new(1)), None)).is_empty());

    let found = branches(branch(Some(limit), None));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, rule::BRANCH_INACTIVE);
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].figures["months_inactive"], 24);
    assert_eq!(found[0].figures["last_activity"], "2023-06-30");
    assert!(
        found[0].message.contains("测试专业委员会") && found[0].message.contains("2023年6月30日")
    );

    let found = branches(branch(Some(limit - Months::new(13)), None));
    assert_eq!(found[0].figures["months_inactive"], 37);
}

#[test]
fn a_branch_that_never_met_counts_from_its_founding() {
    let old = as_of() - Months::new(30);
    let found = branches(branch(None, Some(old)));
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("成立以来没有活动记录"));
    assert!(branches(branch(None, Some(as_of() - Months::new(3)))).is_empty());
    assert!(branches(branch(Some(as_of() - Months::new(2)), Some(old))).is_empty());
}

#[test]
fn a_branch_counts_from_the_later_of_its_last_activity_and_its_founding() {
    let last = as_of() - Months::new(40);
    let refounded = as_of() - Months::new(24);
    let found = branches(branch(Some(last), Some(refounded)));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].figures["months_inactive"], 24);
    assert!(
        found[0].message.contains("2022年2月28日"),
        "{}",
        found[0].message
    );
    assert!(branches(branch(Some(last), Some(refounded + Days::new(1)))).is_empty());
}

#[test]
fn a_branch_with_no_dates_at_all_is_reported() {
    let found = branches(branch(None, None));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].figures["months_inactive"], serde_json::Value::Null);
}

#[test]
fn a_missing_party_organisation_is_a_warning() {
    let found = check_party(false);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, rule::PARTY_ORGANISATION_MISSING);
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(check_party(true).is_empty());
}
