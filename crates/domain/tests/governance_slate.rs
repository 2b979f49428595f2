//! Slate pre-review, council size and make-up: each rule id at and around its boundary.

use chrono::NaiveDate;
use kexie_domain::governance::{
    check_slate, rule, AppointmentMethod, Finding, Position, RuleSet, Severity, SlateInput,
    SlateMember, SlateReport,
};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn person(n: usize, positions: &[Position], grassroots: bool) -> SlateMember {
    SlateMember {
        name: format!("测试{n}号"),
        positions: positions.to_vec(),
        grassroots_frontline: grassroots,
        ..SlateMember::default()
    }
}

fn secretary_general(grassroots: bool) -> SlateMember {
    SlateMember {
        full_time: true,
        appointment: Some(AppointmentMethod::CouncilOnPresidentNomination),
        ..person(0, &[Position::SecretaryGeneral], grassroots)
    }
}

/// A council of `council` members of whom `grassroots` are grassroots frontline; the first
/// `standing` of them (a proper secretary-general first) sit on the standing council, and
/// `standing_grassroots` of those are grassroots.
fn slate(
    council: usize,
    grassroots: usize,
    standing: usize,
    standing_grassroots: usize,
) -> Vec<SlateMember> {
    assert!(standing >= 1 && standing <= council && standing_grassroots <= standing);
    assert!(grassroots >= standing_grassroots);
    assert!(grassroots - standing_grassroots <= council - standing);
    let mut members = vec![secretary_general(standing_grassroots > 0)];
    for i in 1..standing {
        members.push(person(
            i,
            &[Position::StandingMember],
            i < standing_grassroots,
        ));
    }
    for i in standing..council {
        let g = i - standing < grassroots - standing_grassroots;
        members.push(person(i, &[Position::CouncilMember], g));
    }
    members
}

/// A council of `size` members, all grassroots, with a proper secretary-general.
fn council_of(size: usize) -> Vec<SlateMember> {
    slate(size, size, 1, 1)
}

fn input(members: Vec<SlateMember>, individual_members: u64) -> SlateInput {
    SlateInput {
        members,
        individual_members,
        previous_council_size: None,
        member_growth_percent: None,
        as_of: as_of(),
    }
}

fn check(input: &SlateInput) -> SlateReport {
    check_slate(&RuleSet::default_2018(), input)
}

fn found<'a>(report: &'a SlateReport, rule_id: &str) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule_id)
        .collect()
}

fn only<'a>(report: &'a SlateReport, rule_id: &str) -> &'a Finding {
    let hits = found(report, rule_id);
    assert_eq!(
        hits.len(),
        1,
        "expected one {rule_id} in {:#?}",
        report.findings
    );
    hits[0]
}

#[test]
fn a_proper_slate_has_no_findings() {
    let report = check(&input(council_of(150), 19_999));
    assert!(report.ok);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(
        (report.council_size, report.standing_size, report.cap),
        (150, 1, 150)
    );
    assert_eq!(report.rule_set_version, "2018.1");
}

#[test]
fn the_council_may_reach_the_cap_of_its_membership_band_but_not_pass_it() {
    for (members, cap) in [
        (0, 150),
        (19_999, 150),
        (20_000, 180),
        (100_000, 180),
        (100_001, 200),
    ] {
        let at_cap = check(&input(council_of(cap), members));
        assert_eq!(at_cap.cap as usize, cap, "{members} members");
        assert!(
            found(&at_cap, rule::COUNCIL_SIZE_CAP).is_empty(),
            "{members} members"
        );
        assert!(at_cap.ok);

        let over = check(&input(council_of(cap + 1), members));
        let f = only(&over, rule::COUNCIL_SIZE_CAP);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.relaxation_possible, None);
        assert_eq!(f.figures["council_size"], cap + 1);
        assert_eq!(f.figures["cap"], cap);
        assert!(
            f.message.contains(&format!("{}人", cap + 1))
                && f.message.contains(&format!("{cap}人"))
        );
        assert!(!over.ok);
    }
}

#[test]
fn growth_strictly_above_thirty_percent_makes_an_oversized_council_a_waivable_warning() {
    let mut at_threshold = input(council_of(151), 10_000);
    at_threshold.member_growth_percent = Some(30.0);
    let report = check(&at_threshold);
    let f = only(&report, rule::COUNCIL_SIZE_CAP);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.relaxation_possible, None);
    assert!(f.message.contains("未超过30%"));
    assert!(!report.ok);

    let mut above = at_threshold.clone();
    above.member_growth_percent = Some(30.1);
    let report = check(&above);
    let f = only(&report, rule::COUNCIL_SIZE_CAP);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.relaxation_possible, Some(true));
    assert!(f.message.contains("30.1%"));
    assert!(report.ok, "a warning alone does not fail the slate");
}

#[test]
fn a_council_already_below_the_cap_may_not_grow_past_the_previous_term() {
    let mut same = input(council_of(120), 10_000);
    same.previous_council_size = Some(120);
    assert!(found(&check(&same), rule::COUNCIL_SIZE_PREVIOUS).is_empty());

    let mut larger = input(council_of(121), 10_000);
    larger.previous_council_size = Some(120);
    let report = check(&larger);
    let f = only(&report, rule::COUNCIL_SIZE_PREVIOUS);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.figures["previous_council_size"], 120);
    assert_eq!(f.figures["council_size"], 121);
    assert!(!report.ok);

    larger.member_growth_percent = Some(31.0);
    let f = only(&check(&larger), rule::COUNCIL_SIZE_PREVIOUS).clone();
    assert_eq!(
        (f.severity, f.relaxation_possible),
        (Severity::Warning, Some(true))
    );
}

#[test]
fn a_previous_council_at_the_cap_or_unknown_does_not_limit_the_new_one() {
    let mut at_cap = input(council_of(150), 10_000);
    at_cap.previous_council_size = Some(150);
    assert!(check(&at_cap).findings.is_empty());

    let mut shrinking = input(council_of(140), 10_000);
    shrinking.previous_council_size = Some(100);
    shrinking.individual_members = 50_000; // cap 180: previous was below it, new is larger
    assert_eq!(
        found(&check(&shrinking), rule::COUNCIL_SIZE_PREVIOUS).len(),
        1
    );

    assert!(check(&input(council_of(149), 10_000)).findings.is_empty());
}

#[test]
fn exactly_three_quarters_of_the_council_from_the_grassroots_passes_and_one_fewer_fails() {
    assert!(found(
        &check(&input(slate(100, 75, 1, 1), 1_000)),
        rule::COUNCIL_GRASSROOTS_SHARE
    )
    .is_empty());
    assert!(found(
        &check(&input(slate(4, 3, 1, 1), 1_000)),
        rule::COUNCIL_GRASSROOTS_SHARE
    )
    .is_empty());

    let report = check(&input(slate(100, 74, 1, 1), 1_000));
    let f = only(&report, rule::COUNCIL_GRASSROOTS_SHARE);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.figures["grassroots"], 74);
    assert_eq!(f.figures["council_size"], 100);
    assert_eq!(f.figures["required_minimum"], 75);
    assert!(
        f.message.contains("74人") && f.message.contains("四分之三"),
        "{}",
        f.message
    );
    assert!(!report.ok);

    // 3/4 of 101 is 75.75: 76 pass, 75 do not.
    assert!(found(
        &check(&input(slate(101, 76, 1, 1), 1_000)),
        rule::COUNCIL_GRASSROOTS_SHARE
    )
    .is_empty());
    assert_eq!(
        found(
            &check(&input(slate(101, 75, 1, 1), 1_000)),
            rule::COUNCIL_GRASSROOTS_SHARE
        )
        .len(),
        1
    );
}

#[test]
fn exactly_two_thirds_of_the_standing_council_from_the_grassroots_passes_and_one_fewer_fails() {
    let grassroots_share = |standing, standing_grassroots| {
        let report = check(&input(
            slate(
                120,
                standing_grassroots + 120 - standing,
                standing,
                standing_grassroots,
            ),
            1_000,
        ));
        found(&report, rule::STANDING_GRASSROOTS_SHARE)
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(grassroots_share(30, 20).is_empty());
    assert!(grassroots_share(3, 2).is_empty());
    let fails = grassroots_share(30, 19);
    assert_eq!(fails.len(), 1);
    assert_eq!(fails[0].severity, Severity::Error);
    assert_eq!(fails[0].figures["standing_size"], 30);
    assert!(fails[0].message.contains("三分之二"));
    assert_eq!(grassroots_share(3, 1).len(), 1);
}

#[test]
fn an_empty_standing_council_is_not_checked_for_its_grassroots_share() {
    let members: Vec<SlateMember> = (0..4)
        .map(|i| person(i, &[Position::CouncilMember], true))
        .collect();
    let report = check(&input(members, 1_000));
    assert_eq!(report.standing_size, 0);
    assert!(found(&report, rule::STANDING_GRASSROOTS_SHARE).is_empty());
    assert_eq!(
        only(&report, rule::SECRETARY_GENERAL_MISSING).severity,
        Severity::Error
    );
}

#[test]
fn leaders_count_in_the_council_and_the_standing_council_but_supervisors_do_not() {
    let members = vec![
        secretary_general(true),
        person(1, &[Position::President], true),
        person(2, &[Position::VicePresident], true),
        person(3, &[Position::CouncilMember], true),
        person(4, &[Position::ChiefSupervisor], false),
        person(5, &[Position::Supervisor], false),
        person(6, &[Position::Delegate], false),
    ];
    let report = check(&input(members, 1_000));
    assert_eq!(
        (
            report.council_size,
            report.standing_size,
            report.supervisors
        ),
        (4, 3, 2)
    );
    assert!(report.ok, "{:#?}", report.findings);
}
