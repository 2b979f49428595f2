//! The governance thresholds as data: a versioned rule set an administrator can store as JSON,
//! edit and validate (DESIGN.md, "Rules that vary are data").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::finding::rule;
use super::text::zh_fraction;

/// One band of the council-size cap: societies with at most `max_members_inclusive` individual
/// members (no limit when `None`) may have at most `cap` council members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeBand {
    pub max_members_inclusive: Option<u64>,
    pub cap: u32,
}

/// A required share kept as a fraction, so that "exactly three quarters" compares exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub numerator: u32,
    pub denominator: u32,
}

impl Share {
    pub const fn new(numerator: u32, denominator: u32) -> Share {
        Share {
            numerator,
            denominator,
        }
    }

    /// `part / whole >= numerator / denominator`, in integers. An empty body meets any share.
    pub fn is_met_by(self, part: usize, whole: usize) -> bool {
        whole == 0
            || (part as u128) * u128::from(self.denominator)
                >= u128::from(self.numerator) * (whole as u128)
    }

    /// The fewest people out of `whole` that meet the share (`None` for a zero denominator).
    pub fn minimum_of(self, whole: usize) -> Option<u128> {
        let need = u128::from(self.numerator) * (whole as u128);
        let d = u128::from(self.denominator);
        (d > 0).then(|| need.div_ceil(d))
    }

    /// As the documents write it: 四分之三, 三分之二; "7/11" past ten.
    pub fn zh(self) -> String {
        zh_fraction(self.numerator, self.denominator)
    }

    fn is_valid(self) -> bool {
        self.denominator > 0 && self.numerator <= self.denominator
    }
}

/// A versioned set of the governance thresholds, with the document each rule comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// e.g. "2018.1".
    pub version: String,
    /// Council-size caps by individual membership, smallest band first; the last band has no
    /// upper bound.
    pub council_size_bands: Vec<SizeBand>,
    /// Membership growth last year above which (strictly) a larger council may be allowed.
    pub growth_relaxation_percent: f64,
    pub council_grassroots_min: Share,
    pub standing_grassroots_min: Share,
    /// A term ending within this many days is reported as due soon.
    pub term_due_soon_days: u32,
    /// A branch with no recorded activity for this many months is reported as inactive.
    pub branch_inactive_months: u32,
    /// "Young" in the figures means younger than this (中青年: under 45).
    pub young_age_limit: u32,
    /// Rule id → the document and item the rule is taken from.
    pub citations: BTreeMap<String, String>,
}

const DOC_2018: &str = "《中国科协2018年学会改革工作要点》";
const DOC_HLJ: &str = "黑龙江省科协深化改革任务分工";

/// Where each rule comes from in the rule set of 2018 (item numbers of seeds/002 and seeds/000).
pub(crate) fn citation_2018(rule_id: &str) -> String {
    let item = match rule_id {
        rule::COUNCIL_SIZE_CAP | rule::COUNCIL_SIZE_PREVIOUS => "一、3",
        rule::COUNCIL_GRASSROOTS_SHARE | rule::STANDING_GRASSROOTS_SHARE => "一、2",
        rule::BRANCH_INACTIVE => "一、4",
        rule::PARTY_ORGANISATION_MISSING => "八、29",
        rule::OFFICIAL_PART_TIME => return format!("{DOC_HLJ}(33)（seeds/000）"),
        rule::TERM_OVERDUE | rule::TERM_DUE_SOON => return format!("{DOC_HLJ}(30)（seeds/000）"),
        _ => "二、5", // the secretary-general rules
    };
    format!("{DOC_2018}{item}（seeds/002）")
}

impl RuleSet {
    /// The rules of the national 2018 key points of society reform (seeds/002).
    pub fn default_2018() -> RuleSet {
        RuleSet {
            version: "2018.1".to_string(),
            // 不足2万人 → 150; 2万人以上 (up to and including 10万) → 180; 超过10万人 → 200.
            council_size_bands: vec![
                SizeBand {
                    max_members_inclusive: Some(19_999),
                    cap: 150,
                },
                SizeBand {
                    max_members_inclusive: Some(100_000),
                    cap: 180,
                },
                SizeBand {
                    max_members_inclusive: None,
                    cap: 200,
                },
            ],
            growth_relaxation_percent: 30.0,
            council_grassroots_min: Share::new(3, 4),
            standing_grassroots_min: Share::new(2, 3),
            term_due_soon_days: 180,
            branch_inactive_months: 24,
            young_age_limit: 45,
            citations: rule::ALL
                .iter()
                .map(|id| (id.to_string(), citation_2018(id)))
                .collect(),
        }
    }

    /// The council-size cap for a society with `individual_members` members. On a rule set that
    /// failed [`RuleSet::validate`] it still answers: the largest cap when no band matches, 0
    /// when there are no bands.
    pub fn cap_for(&self, individual_members: u64) -> u32 {
        self.council_size_bands
            .iter()
            .find(|b| {
                b.max_members_inclusive
                    .is_none_or(|m| individual_members <= m)
            })
            .or_else(|| self.council_size_bands.iter().max_by_key(|b| b.cap))
            .map_or(0, |b| b.cap)
    }

    /// The citation of a rule, or an empty string when the rule set has none.
    pub fn citation(&self, rule_id: &str) -> String {
        self.citations.get(rule_id).cloned().unwrap_or_default()
    }

    /// Parses a stored or edited rule set and validates it.
    pub fn from_json(json: &str) -> Result<RuleSet, RuleSetError> {
        let rules: RuleSet =
            serde_json::from_str(json).map_err(|e| RuleSetError::Json(e.to_string()))?;
        rules.validate()?;
        Ok(rules)
    }

    /// Rejects edits that make no sense, with a message an administrator can act on.
    pub fn validate(&self) -> Result<(), RuleSetError> {
        if self.version.trim().is_empty() {
            return Err(RuleSetError::EmptyVersion);
        }
        self.validate_bands()?;
        let g = self.growth_relaxation_percent;
        if !g.is_finite() || g < 0.0 {
            return Err(RuleSetError::GrowthThreshold(g));
        }
        for (what, share) in [
            ("理事会基层一线比例下限", self.council_grassroots_min),
            ("常务理事会基层一线比例下限", self.standing_grassroots_min),
        ] {
            if !share.is_valid() {
                return Err(RuleSetError::ShareOutOfRange {
                    what,
                    numerator: share.numerator,
                    denominator: share.denominator,
                });
            }
        }
        if !(1..=3650).contains(&self.term_due_soon_days) {
            return Err(RuleSetError::DueSoonDays(self.term_due_soon_days));
        }
        if !(1..=240).contains(&self.branch_inactive_months) {
            return Err(RuleSetError::InactiveMonths(self.branch_inactive_months));
        }
        if !(18..=100).contains(&self.young_age_limit) {
            return Err(RuleSetError::YoungAge(self.young_age_limit));
        }
        for id in rule::ALL {
            if self.citation(id).trim().is_empty() {
                return Err(RuleSetError::MissingCitation(id.to_string()));
            }
        }
        Ok(())
    }

    fn validate_bands(&self) -> Result<(), RuleSetError> {
        let bands = &self.council_size_bands;
        let Some(last) = bands.last() else {
            return Err(RuleSetError::NoBands);
        };
        if last.max_members_inclusive.is_some() {
            return Err(RuleSetError::LastBandBounded);
        }
        for (i, band) in bands.iter().enumerate() {
            let index = i + 1;
            if band.cap == 0 {
                return Err(RuleSetError::ZeroCap { index });
            }
            if i + 1 < bands.len() && band.max_members_inclusive.is_none() {
                return Err(RuleSetError::UnboundedBandNotLast { index });
            }
            if i == 0 {
                continue;
            }
            let prev = bands[i - 1];
            if let (Some(p), Some(m)) = (prev.max_members_inclusive, band.max_members_inclusive) {
                if m <= p {
                    return Err(RuleSetError::BandsNotIncreasing { index });
                }
            }
            if band.cap <= prev.cap {
                return Err(RuleSetError::CapsNotIncreasing {
                    index,
                    cap: band.cap,
                    previous: prev.cap,
                });
            }
        }
        Ok(())
    }
}

/// Why an edited rule set was refused. Band indexes count from 1, as an administrator reads them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleSetError {
    #[error("规则集不是有效的JSON：{0}")]
    Json(String),
    #[error("规则集版本号不能为空")]
    EmptyVersion,
    #[error("理事会规模上限至少要有一档")]
    NoBands,
    #[error("最后一档不应设个人会员数上限，否则更大的学会没有对应的理事人数上限")]
    LastBandBounded,
    #[error("只有最后一档可以不设个人会员数上限（第{index}档未设）")]
    UnboundedBandNotLast { index: usize },
    #[error("第{index}档的个人会员数上限必须大于上一档")]
    BandsNotIncreasing { index: usize },
    #[error("第{index}档的理事人数上限不能为0")]
    ZeroCap { index: usize },
    #[error("第{index}档的理事人数上限（{cap}人）必须大于上一档（{previous}人）")]
    CapsNotIncreasing {
        index: usize,
        cap: u32,
        previous: u32,
    },
    #[error("会员增长放宽门槛必须是不小于0的百分数（当前为{0}）")]
    GrowthThreshold(f64),
    #[error("{what}必须在0到1之间且分母不为0（当前为{numerator}/{denominator}）")]
    ShareOutOfRange {
        what: &'static str,
        numerator: u32,
        denominator: u32,
    },
    #[error("届满提醒期必须在1到3650天之间（当前为{0}天）")]
    DueSoonDays(u32),
    #[error("分支机构不活跃期限必须在1到240个月之间（当前为{0}个月）")]
    InactiveMonths(u32),
    #[error("中青年年龄界限必须在18到100岁之间（当前为{0}岁）")]
    YoungAge(u32),
    #[error("规则“{0}”缺少依据出处")]
    MissingCitation(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2018_rule_set_is_valid_and_cites_every_rule() {
        let rules = RuleSet::default_2018();
        assert_eq!(rules.validate(), Ok(()));
        assert_eq!(rules.citations.len(), rule::ALL.len());
        assert!(rules.citation(rule::COUNCIL_SIZE_CAP).contains("2018"));
    }

    #[test]
    fn caps_follow_the_membership_bands() {
        let rules = RuleSet::default_2018();
        assert_eq!(rules.cap_for(0), 150);
        assert_eq!(rules.cap_for(19_999), 150);
        assert_eq!(rules.cap_for(20_000), 180);
        assert_eq!(rules.cap_for(100_000), 180);
        assert_eq!(rules.cap_for(100_001), 200);
        assert_eq!(rules.cap_for(u64::MAX), 200);
    }

    #[test]
    fn exactly_the_required_share_passes_and_one_fewer_fails() {
        let three_quarters = Share::new(3, 4);
        assert!(three_quarters.is_met_by(75, 100));
        assert!(!three_quarters.is_met_by(74, 100));
        assert_eq!(three_quarters.minimum_of(101), Some(76));
        assert_eq!(three_quarters.zh(), "四分之三");
    }

    #[test]
    fn nonsensical_edits_are_refused_in_chinese() {
        let mut rules = RuleSet::default_2018();
        rules.council_size_bands[1].cap = 140;
        let err = rules.validate().unwrap_err();
        assert!(matches!(
            err,
            RuleSetError::CapsNotIncreasing { index: 2, .. }
        ));
        assert!(err.to_string().contains("第2档"));

        let mut rules = RuleSet::default_2018();
        rules.standing_grassroots_min = Share::new(4, 3);
        assert!(matches!(
            rules.validate(),
            Err(RuleSetError::ShareOutOfRange { .. })
        ));

        let mut rules = RuleSet::default_2018();
        rules.council_size_bands[2].max_members_inclusive = Some(500_000);
        assert_eq!(rules.validate(), Err(RuleSetError::LastBandBounded));

        let mut rules = RuleSet::default_2018();
        rules.growth_relaxation_percent = f64::NAN;
        assert!(matches!(
            rules.validate(),
            Err(RuleSetError::GrowthThreshold(_))
        ));

        let mut rules = RuleSet::default_2018();
        rules.citations.remove(rule::TERM_OVERDUE);
        assert!(matches!(
            rules.validate(),
            Err(RuleSetError::MissingCitation(_))
        ));
    }

    #[test]
    fn a_rule_set_round_trips_through_json_and_typos_are_refused() {
        let rules = RuleSet::default_2018();
        let json = serde_json::to_string(&rules).unwrap();
        assert_eq!(RuleSet::from_json(&json), Ok(rules));
        let typo = json.replace("\"term_due_soon_days\"", "\"term_due_son_days\"");
        assert!(matches!(
            RuleSet::from_json(&typo),
            Err(RuleSetError::Json(_))
        ));
    }
}
