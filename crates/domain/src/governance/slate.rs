//! Pre-review of a slate (换届前置审核): council size, grassroots shares, the secretary-general and
//! officials holding posts, checked against a [`RuleSet`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::figures::SlateFigures;
use super::finding::{rule, Finding, Severity};
use super::position::{AppointmentMethod, Position, SlateMember};
use super::ruleset::{RuleSet, Share};
use super::text::{growth, percent};

/// A proposed slate and the society's numbers the rules depend on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlateInput {
    pub members: Vec<SlateMember>,
    /// Individual members of the society, which sets the council-size cap.
    pub individual_members: u64,
    /// Council size of the previous term, when there was one.
    #[serde(default)]
    pub previous_council_size: Option<u32>,
    /// Growth of individual membership last year, in percent.
    #[serde(default)]
    pub member_growth_percent: Option<f64>,
    /// The date ages are counted on.
    pub as_of: NaiveDate,
}

/// The answer to a slate pre-review. `ok` is false when any finding is an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlateReport {
    pub ok: bool,
    pub council_size: usize,
    pub standing_size: usize,
    pub supervisors: usize,
    pub cap: u32,
    pub rule_set_version: String,
    pub findings: Vec<Finding>,
    pub figures: SlateFigures,
}

/// Checks a slate. Never panics, whatever the input; a rule set that fails
/// [`RuleSet::validate`] gives answers of little use but no crash.
pub fn check_slate(rules: &RuleSet, input: &SlateInput) -> SlateReport {
    let council: Vec<&SlateMember> = input.members.iter().filter(|m| m.is_council()).collect();
    let standing: Vec<&SlateMember> = council
        .iter()
        .copied()
        .filter(|m| m.is_standing())
        .collect();
    let cap = rules.cap_for(input.individual_members);

    let mut findings = size_findings(rules, input, council.len(), cap);
    findings.extend(grassroots_finding(
        rule::COUNCIL_GRASSROOTS_SHARE,
        ("理事会", "council_size"),
        rules.council_grassroots_min,
        &council,
    ));
    findings.extend(grassroots_finding(
        rule::STANDING_GRASSROOTS_SHARE,
        ("常务理事会", "standing_size"),
        rules.standing_grassroots_min,
        &standing,
    ));
    findings.extend(secretary_general_findings(&input.members));
    findings.extend(official_findings(&input.members));
    let findings: Vec<Finding> = findings.into_iter().map(|f| f.cited(rules)).collect();

    SlateReport {
        ok: !findings.iter().any(Finding::is_error),
        council_size: council.len(),
        standing_size: standing.len(),
        supervisors: input.members.iter().filter(|m| m.is_supervisor()).count(),
        cap,
        rule_set_version: rules.version.clone(),
        findings,
        figures: SlateFigures::of(&input.members, input.as_of, rules.young_age_limit),
    }
}

/// `council.size_cap` and `council.size_previous` (seeds/002 item 3). Membership growth strictly
/// above the threshold makes either a warning that a person may waive: the document allows a
/// larger council then ("可适当放宽"), but only by someone's decision, never automatically.
fn size_findings(rules: &RuleSet, input: &SlateInput, size: usize, cap: u32) -> Vec<Finding> {
    let threshold = rules.growth_relaxation_percent;
    let relaxable = input.member_growth_percent.is_some_and(|g| g > threshold);
    let growth_note = match input.member_growth_percent {
        Some(g) if relaxable => format!(
            "；上年度个人会员增长{}，超过{}，可适当放宽，须经审核同意",
            growth(g),
            growth(threshold)
        ),
        Some(g) => format!(
            "；上年度个人会员增长{}，未超过{}，不适用放宽",
            growth(g),
            growth(threshold)
        ),
        None => String::new(),
    };
    let severity = if relaxable {
        Severity::Warning
    } else {
        Severity::Error
    };
    let with_growth = |f: Finding| {
        let f = f
            .figure("council_size", size)
            .figure("cap", cap)
            .figure("individual_members", input.individual_members)
            .figure("growth_relaxation_percent", threshold);
        let f = match input.member_growth_percent {
            Some(g) => f.figure("member_growth_percent", g),
            None => f,
        };
        if relaxable {
            f.relaxation(true)
        } else {
            f
        }
    };

    let mut findings = Vec::new();
    if size > cap as usize {
        let message = format!(
            "理事会{size}人，超过上限{cap}人（个人会员{}人的学会，理事人数一般不超过{cap}人）{growth_note}。",
            input.individual_members
        );
        findings.push(with_growth(Finding::new(
            rule::COUNCIL_SIZE_CAP,
            severity,
            message,
        )));
    }
    if let Some(previous) = input.previous_council_size {
        if previous < cap && size > previous as usize {
            let message = format!(
                "上一届理事会{previous}人，已低于上限{cap}人；本届理事会{size}人，原则上不应超过上一届{growth_note}。"
            );
            let finding = Finding::new(rule::COUNCIL_SIZE_PREVIOUS, severity, message)
                .figure("previous_council_size", previous);
            findings.push(with_growth(finding));
        }
    }
    findings
}

/// `council.grassroots_share` and `standing.grassroots_share` (seeds/002 item 2): exactly the
/// required share passes; an empty body is not checked (a missing council shows elsewhere).
fn grassroots_finding(
    rule_id: &str,
    (body, size_key): (&str, &str),
    required: Share,
    people: &[&SlateMember],
) -> Option<Finding> {
    let size = people.len();
    let grassroots = people.iter().filter(|m| m.grassroots_frontline).count();
    if size == 0 || required.is_met_by(grassroots, size) {
        return None;
    }
    let minimum = required.minimum_of(size);
    let need = minimum.map_or(String::new(), |n| format!("（至少应有{n}人）"));
    let message = format!(
        "{body}{size}人中基层一线科技工作者{grassroots}人，占{}，低于{}{need}。",
        percent(grassroots, size),
        required.zh()
    );
    let finding = Finding::new(rule_id, Severity::Error, message)
        .figure(size_key, size)
        .figure("grassroots", grassroots)
        .figure("required_numerator", required.numerator)
        .figure("required_denominator", required.denominator);
    Some(match minimum.and_then(|n| u64::try_from(n).ok()) {
        Some(n) => finding.figure("required_minimum", n),
        None => finding,
    })
}

fn display_name(m: &SlateMember) -> &str {
    let name = m.name.trim();
    if name.is_empty() {
        "（未填姓名）"
    } else {
        name
    }
}

/// The `secretary_general.*` rules (seeds/002 item 5): one secretary-general, full-time,
/// nominated by the president and appointed by the council.
fn secretary_general_findings(members: &[SlateMember]) -> Vec<Finding> {
    let sgs: Vec<&SlateMember> = members
        .iter()
        .filter(|m| m.holds(Position::SecretaryGeneral))
        .collect();
    let names: Vec<&str> = sgs.iter().map(|m| display_name(m)).collect();
    let mut findings = Vec::new();
    match sgs.len() {
        0 => findings.push(
            Finding::new(
                rule::SECRETARY_GENERAL_MISSING,
                Severity::Error,
                "拟任名单中没有秘书长。秘书长由理事长提名、理事会表决通过后聘任，应为专职人员。",
            )
            .figure("secretaries_general", 0),
        ),
        1 => {}
        n => findings.push(
            Finding::new(
                rule::SECRETARY_GENERAL_MULTIPLE,
                Severity::Error,
                format!(
                    "拟任名单中有{n}名秘书长（{}），只能有一名。",
                    names.join("、")
                ),
            )
            .figure("secretaries_general", n)
            .figure("names", names.clone()),
        ),
    }
    for (m, name) in sgs.iter().zip(&names) {
        if !m.full_time {
            findings.push(
                Finding::new(
                    rule::SECRETARY_GENERAL_NOT_FULL_TIME,
                    Severity::Error,
                    format!("秘书长{name}不是专职人员；秘书长应为专职。"),
                )
                .figure("name", *name),
            );
        }
        if m.appointment != Some(AppointmentMethod::CouncilOnPresidentNomination) {
            let recorded = m.appointment.map_or("未填写", |a| a.zh_name());
            let code = m.appointment.map_or(Value::Null, |a| a.code().into());
            findings.push(
                Finding::new(
                    rule::SECRETARY_GENERAL_APPOINTMENT,
                    Severity::Error,
                    format!(
                        "秘书长{name}的产生方式为“{recorded}”；秘书长应由理事长提名、理事会表决通过后聘任。"
                    ),
                )
                .figure("name", *name)
                .figure("appointment", code),
            );
        }
    }
    findings
}

/// `official.part_time` (seeds/000 item 33): a serving or retired official holding a post needs
/// the approval the rules on part-time posts require. One warning per person, naming them.
fn official_findings(members: &[SlateMember]) -> Vec<Finding> {
    members
        .iter()
        .filter(|m| (m.serving_official || m.retired_official) && m.holds_post())
        .map(|m| {
            let kind = if m.serving_official {
                "在职领导干部"
            } else {
                "退（离）休领导干部"
            };
            let name = display_name(m);
            let posts: Vec<&str> = m
                .positions
                .iter()
                .filter(|p| **p != Position::Delegate)
                .map(|p| p.code())
                .collect();
            Finding::new(
                rule::OFFICIAL_PART_TIME,
                Severity::Warning,
                format!(
                    "{name}（{kind}）拟任{}，须按领导干部在社会团体兼职的有关规定履行审批手续。",
                    m.posts_zh()
                ),
            )
            .figure("name", name)
            .figure("posts", posts)
            .figure("serving_official", m.serving_official)
            .figure("retired_official", m.retired_official)
        })
        .collect()
}
