//! Properties of the slate check over arbitrary slates and rule sets.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use kexie_domain::governance::{
    check_branches, check_slate, check_terms, rule, AppointmentMethod, BranchInfo, Gender,
    Position, RuleSet, Share, SizeBand, SlateInput, SlateMember, TermInfo,
};
use proptest::prelude::*;

fn any_date() -> impl Strategy<Value = NaiveDate> {
    let lo = NaiveDate::MIN.num_days_from_ce();
    let hi = NaiveDate::MAX.num_days_from_ce();
    prop_oneof![
        (lo..=hi).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap()),
        (700_000..=760_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap()),
    ]
}

fn member() -> impl Strategy<Value = SlateMember> {
    (
        (
            "[甲乙丙丁]{0,3}",
            prop::sample::select(vec![Gender::Male, Gender::Female, Gender::Unknown]),
        ),
        prop::option::of(any_date()),
        prop::collection::vec(prop::sample::select(Position::ALL.to_vec()), 0..4),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        prop::option::of(prop::sample::select(vec![
            AppointmentMethod::Elected,
            AppointmentMethod::CouncilOnPresidentNomination,
            AppointmentMethod::Other,
        ])),
    )
        .prop_map(
            |((name, gender), birth_date, positions, flags, appointment)| SlateMember {
                name,
                gender,
                birth_date,
                positions,
                grassroots_frontline: flags.0,
                party_member: flags.1,
                full_time: flags.2,
                employer: String::new(),
                serving_official: flags.3,
                retired_official: flags.4,
                appointment,
            },
        )
}

fn slate() -> impl Strategy<Value = SlateInput> {
    (
        prop::collection::vec(member(), 0..40),
        prop_oneof![any::<u64>(), 0u64..200_000],
        prop::option::of(any::<u32>()),
        prop::option::of(prop_oneof![any::<f64>(), -50.0f64..100.0]),
        any_date(),
    )
        .prop_map(
            |(members, individual_members, previous_council_size, member_growth_percent, as_of)| {
                SlateInput {
                    members,
                    individual_members,
                    previous_council_size,
                    member_growth_percent,
                    as_of,
                }
            },
        )
}

/// Any rule set at all, including ones `validate` refuses.
fn any_rules() -> impl Strategy<Value = RuleSet> {
    (
        prop::collection::vec((prop::option::of(any::<u64>()), any::<u32>()), 0..4),
        any::<f64>(),
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()),
        (any::<u32>(), any::<u32>(), any::<u32>()),
    )
        .prop_map(|(bands, growth, shares, (days, months, young))| RuleSet {
            version: "测试".into(),
            council_size_bands: bands
                .into_iter()
                .map(|(max_members_inclusive, cap)| SizeBand {
                    max_members_inclusive,
                    cap,
                })
                .collect(),
            growth_relaxation_percent: growth,
            council_grassroots_min: Share::new(shares.0, shares.1),
            standing_grassroots_min: Share::new(shares.2, shares.3),
            term_due_soon_days: days,
            branch_inactive_months: months,
            young_age_limit: young,
            citations: Default::default(),
        })
}

/// A valid rule set with arbitrary grassroots shares.
fn rules_with_shares() -> impl Strategy<Value = RuleSet> {
    (1u32..=12, 1u32..=12)
        .prop_flat_map(|(cd, sd)| (0..=cd, Just(cd), 0..=sd, Just(sd)))
        .prop_map(|(cn, cd, sn, sd)| RuleSet {
            council_grassroots_min: Share::new(cn, cd),
            standing_grassroots_min: Share::new(sn, sd),
            ..RuleSet::default_2018()
        })
}

fn grassroots_rules(input: &SlateInput, rules: &RuleSet) -> BTreeSet<String> {
    check_slate(rules, input)
        .findings
        .into_iter()
        .map(|f| f.rule)
        .filter(|r| r == rule::COUNCIL_GRASSROOTS_SHARE || r == rule::STANDING_GRASSROOTS_SHARE)
        .collect()
}

proptest! {
    #[test]
    fn check_slate_never_panics_and_always_serialises(rules in any_rules(), input in slate()) {
        let report = check_slate(&rules, &input);
        prop_assert_eq!(report.ok, !report.findings.iter().any(|f| f.is_error()));
        serde_json::to_string(&report).unwrap();
        let report = check_slate(&RuleSet::default_2018(), &input);
        prop_assert!(report.council_size <= input.members.len());
        prop_assert!(report.standing_size <= report.council_size);
    }

    #[test]
    fn adding_a_grassroots_member_never_creates_a_grassroots_finding(
        rules in rules_with_shares(),
        input in slate(),
        newcomer in member(),
    ) {
        let before = grassroots_rules(&input, &rules);
        let mut grown = input.clone();
        grown.members.push(SlateMember { grassroots_frontline: true, ..newcomer });
        let after = grassroots_rules(&grown, &rules);
        prop_assert!(after.is_subset(&before), "before {:?}, after {:?}", before, after);
    }

    #[test]
    fn the_council_grassroots_finding_is_exactly_four_grassroots_under_three_members(input in slate()) {
        let council: Vec<&SlateMember> = input.members.iter().filter(|m| m.is_council()).collect();
        let g = council.iter().filter(|m| m.grassroots_frontline).count();
        let expected = !council.is_empty() && 4 * g < 3 * council.len();
        let found = grassroots_rules(&input, &RuleSet::default_2018()).contains(rule::COUNCIL_GRASSROOTS_SHARE);
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn terms_and_branches_never_panic(
        rules in any_rules(),
        dates in prop::collection::vec((any_date(), any_date(), prop::option::of(any_date())), 0..8),
        flags in prop::collection::vec(any::<bool>(), 8),
        as_of in any_date(),
    ) {
        let terms: Vec<TermInfo> = dates.iter().zip(&flags).enumerate().map(|(i, ((a, b, c), f))| TermInfo {
            body: "理事会".into(), number: i as u32, start: *a, planned_end: *b, actual_end: *c, has_successor: *f,
        }).collect();
        let branches: Vec<BranchInfo> = dates.iter().map(|(a, _, c)| BranchInfo {
            name: "测试分会".into(), last_activity: *c, established: Some(*a),
        }).collect();
        for f in check_terms(&rules, &terms, as_of).iter().chain(&check_branches(&rules, &branches, as_of)) {
            serde_json::to_string(f).unwrap();
        }
    }
}
