//! The JSON the API sends: report shape, flattened findings, stable codes.

use chrono::NaiveDate;
use kexie_domain::governance::{
    check_party, check_slate, AppointmentMethod, Position, RuleSet, SlateInput, SlateMember,
};
use serde_json::{json, Value};

fn oversized_slate(growth: Option<f64>) -> SlateInput {
    let mut members: Vec<SlateMember> = (0..151)
        .map(|i| SlateMember {
            name: format!("测试{i}号"),
            positions: vec![Position::CouncilMember],
            grassroots_frontline: true,
            ..SlateMember::default()
        })
        .collect();
    members[0].positions = vec![Position::SecretaryGeneral];
    members[0].full_time = true;
    members[0].appointment = Some(AppointmentMethod::CouncilOnPresidentNomination);
    SlateInput {
        members,
        individual_members: 12_000,
        previous_council_size: None,
        member_growth_percent: growth,
        as_of: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
    }
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn the_report_has_the_documented_shape() {
    let report = check_slate(&RuleSet::default_2018(), &oversized_slate(None));
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(
        keys(&v),
        [
            "cap",
            "council_size",
            "figures",
            "findings",
            "ok",
            "rule_set_version",
            "standing_size",
            "supervisors"
        ]
    );
    assert_eq!(v["ok"], false);
    assert_eq!(v["council_size"], 151);
    assert_eq!(v["standing_size"], 1);
    assert_eq!(v["supervisors"], 0);
    assert_eq!(v["cap"], 150);
    assert_eq!(v["rule_set_version"], "2018.1");

    let finding = &v["findings"][0];
    assert_eq!(finding["rule"], "council.size_cap");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["council_size"], 151);
    assert_eq!(finding["cap"], 150);
    assert_eq!(finding["individual_members"], 12_000);
    assert!(finding["message"].as_str().unwrap().contains("151人"));
    assert!(finding.get("relaxation_possible").is_none());
    assert!(finding.get("figures").is_none(), "figures are flattened");

    assert_eq!(
        keys(&v["figures"]),
        [
            "as_of",
            "congress",
            "council",
            "standing_council",
            "young_age_limit"
        ]
    );
    assert_eq!(
        keys(&v["figures"]["council"]),
        [
            "age_unknown",
            "gender_unknown",
            "grassroots",
            "members",
            "party_members",
            "women",
            "young"
        ]
    );
    assert_eq!(
        v["figures"]["council"]["grassroots"],
        json!({"count": 151, "of": 151, "share": 1.0})
    );
    assert_eq!(
        v["figures"]["council"]["young"],
        json!({"count": 0, "of": 0, "share": null})
    );
    assert_eq!(v["figures"]["as_of"], "2025-06-30");

    let back: kexie_domain::governance::SlateReport = serde_json::from_value(v).unwrap();
    assert_eq!(back, report);
}

#[test]
fn a_waivable_finding_says_so_in_json() {
    let report = check_slate(&RuleSet::default_2018(), &oversized_slate(Some(35.5)));
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["findings"][0]["severity"], "warning");
    assert_eq!(v["findings"][0]["relaxation_possible"], true);
    assert_eq!(v["findings"][0]["member_growth_percent"], 35.5);
}

#[test]
fn a_party_finding_is_pinned_field_by_field() {
    let v = serde_json::to_value(check_party(false)).unwrap();
    assert_eq!(
        v,
        json!([{
            "rule": "party.organisation_missing",
            "severity": "warning",
            "message": "没有登记党组织。学会应在理事会层面建立党委，办事机构应建立基层党组织（应建未建）。",
            "has_party_organisation": false,
            "citation": "《中国科协2018年学会改革工作要点》八、29（seeds/002）"
        }])
    );
}

#[test]
fn a_slate_arrives_as_json_with_code_names() {
    let input: SlateInput = serde_json::from_value(json!({
        "members": [
            {"name": "测试甲", "gender": "female", "birth_date": "1988-02-29",
             "positions": ["secretary_general", "delegate"], "grassroots_frontline": true,
             "full_time": true, "appointment": "council_on_president_nomination"},
            {"name": "测试乙", "positions": ["council_member"]}
        ],
        "individual_members": 5000,
        "as_of": "2025-06-30"
    }))
    .unwrap();
    assert_eq!(
        input.members[0].positions,
        [Position::SecretaryGeneral, Position::Delegate]
    );
    assert_eq!(input.previous_council_size, None);
    let report = check_slate(&RuleSet::default_2018(), &input);
    assert_eq!(report.council_size, 2);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings); // 1 of 2 grassroots < 3/4
}

#[test]
fn the_rule_set_is_stored_as_readable_json() {
    let v = serde_json::to_value(RuleSet::default_2018()).unwrap();
    assert_eq!(v["version"], "2018.1");
    assert_eq!(
        v["council_size_bands"],
        json!([
            {"max_members_inclusive": 19_999, "cap": 150},
            {"max_members_inclusive": 100_000, "cap": 180},
            {"max_members_inclusive": null, "cap": 200}
        ])
    );
    assert_eq!(
        v["council_grassroots_min"],
        json!({"numerator": 3, "denominator": 4})
    );
    assert_eq!(
        v["standing_grassroots_min"],
        json!({"numerator": 2, "denominator": 3})
    );
    assert_eq!(v["growth_relaxation_percent"], 30.0);
    assert_eq!(v["term_due_soon_days"], 180);
    assert_eq!(v["branch_inactive_months"], 24);
    assert_eq!(v["citations"].as_object().unwrap().len(), 13);
}
