//! Slate pre-review, the people in posts: the secretary-general, officials, citations and figures.

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
fn a_slate_without_a_secretary_general_or_with_two_fails() {
    let report = check(&input(slate(10, 10, 1, 1)[1..].to_vec(), 1_000));
    assert_eq!(
        only(&report, rule::SECRETARY_GENERAL_MISSING).severity,
        Severity::Error
    );

    let mut members = council_of(10);
    members[1] = SlateMember {
        name: "测试乙".into(),
        ..secretary_general(true)
    };
    members[0].name = "测试甲".into();
    let report = check(&input(members, 1_000));
    let f = only(&report, rule::SECRETARY_GENERAL_MULTIPLE);
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("测试甲") && f.message.contains("测试乙"));
    assert!(found(&report, rule::SECRETARY_GENERAL_MISSING).is_empty());
    assert!(!report.ok);
}

#[test]
fn the_secretary_general_must_be_full_time() {
    let mut members = council_of(10);
    members[0].full_time = false;
    let report = check(&input(members, 1_000));
    let f = only(&report, rule::SECRETARY_GENERAL_NOT_FULL_TIME);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.figures["name"], "测试0号");
    assert!(!report.ok);
}

#[test]
fn the_secretary_general_must_be_appointed_by_the_council_on_the_presidents_nomination() {
    for (method, recorded) in [
        (Some(AppointmentMethod::Elected), "选举"),
        (Some(AppointmentMethod::Other), "其他"),
        (None, "未填写"),
    ] {
        let mut members = council_of(10);
        members[0].appointment = method;
        let report = check(&input(members, 1_000));
        let f = only(&report, rule::SECRETARY_GENERAL_APPOINTMENT);
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.contains(recorded), "{}", f.message);
        assert!(!report.ok);
    }
}

#[test]
fn each_official_holding_a_post_is_named_in_a_warning() {
    let mut members = council_of(10);
    members[2].positions = vec![Position::VicePresident];
    members[2].serving_official = true;
    members[3].retired_official = true;
    members.push(SlateMember {
        retired_official: true,
        ..person(20, &[Position::Supervisor], false)
    });
    members.push(SlateMember {
        serving_official: true,
        ..person(21, &[Position::Delegate], false)
    });
    let report = check(&input(members, 1_000));
    let hits = found(&report, rule::OFFICIAL_PART_TIME);
    assert_eq!(hits.len(), 3, "{hits:#?}");
    assert!(hits.iter().all(|f| f.severity == Severity::Warning));
    assert!(hits[0].message.contains("测试2号") && hits[0].message.contains("在职领导干部"));
    assert!(hits[0].message.contains("副理事长"));
    assert!(hits[1].message.contains("测试3号") && hits[1].message.contains("退（离）休"));
    assert!(hits[2].message.contains("测试20号") && hits[2].message.contains("监事"));
    assert!(
        report.ok,
        "officials need approval, they do not fail the slate"
    );
}

#[test]
fn every_finding_cites_its_document() {
    let mut members = council_of(151);
    members[0].full_time = false;
    members[1].serving_official = true;
    let report = check(&input(members, 1_000));
    assert!(report.findings.len() >= 3);
    for f in &report.findings {
        assert!(f.citation.contains("seeds/00"), "{f:?}");
    }
}

#[test]
fn the_figures_count_party_members_women_young_people_and_grassroots_in_each_body() {
    use kexie_domain::governance::Gender;
    let mut members = slate(4, 3, 2, 2);
    members[0].gender = Gender::Female;
    members[0].party_member = true;
    members[0].birth_date = NaiveDate::from_ymd_opt(1985, 1, 1);
    members[1].gender = Gender::Male;
    members[1].birth_date = NaiveDate::from_ymd_opt(1970, 1, 1);
    members[0].positions.push(Position::Delegate);
    let report = check(&input(members, 1_000));
    let council = report.figures.council;
    assert_eq!(council.members, 4);
    assert_eq!(
        (council.party_members.count, council.party_members.of),
        (1, 4)
    );
    assert_eq!(
        (
            council.women.count,
            council.women.of,
            council.gender_unknown
        ),
        (1, 2, 2)
    );
    assert_eq!(
        (council.young.count, council.young.of, council.age_unknown),
        (1, 2, 2)
    );
    assert_eq!(council.grassroots.share, Some(0.75));
    assert_eq!(report.figures.standing_council.members, 2);
    assert_eq!(report.figures.congress.members, 1);
    assert_eq!(report.figures.young_age_limit, 45);
}
