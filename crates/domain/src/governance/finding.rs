//! What a check answers: findings with a stable rule id, a severity, a plain Chinese message and
//! the figures behind it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ruleset::RuleSet;

/// The rule ids. They are a stable contract: stored with findings, used by the API and the pages.
pub mod rule {
    pub const COUNCIL_SIZE_CAP: &str = "council.size_cap";
    pub const COUNCIL_SIZE_PREVIOUS: &str = "council.size_previous";
    pub const COUNCIL_GRASSROOTS_SHARE: &str = "council.grassroots_share";
    pub const STANDING_GRASSROOTS_SHARE: &str = "standing.grassroots_share";
    pub const SECRETARY_GENERAL_MISSING: &str = "secretary_general.missing";
    pub const SECRETARY_GENERAL_MULTIPLE: &str = "secretary_general.multiple";
    pub const SECRETARY_GENERAL_NOT_FULL_TIME: &str = "secretary_general.not_full_time";
    pub const SECRETARY_GENERAL_APPOINTMENT: &str = "secretary_general.appointment";
    pub const OFFICIAL_PART_TIME: &str = "official.part_time";
    pub const TERM_OVERDUE: &str = "term.overdue";
    pub const TERM_DUE_SOON: &str = "term.due_soon";
    pub const BRANCH_INACTIVE: &str = "branch.inactive";
    pub const PARTY_ORGANISATION_MISSING: &str = "party.organisation_missing";

    pub const ALL: [&str; 13] = [
        COUNCIL_SIZE_CAP,
        COUNCIL_SIZE_PREVIOUS,
        COUNCIL_GRASSROOTS_SHARE,
        STANDING_GRASSROOTS_SHARE,
        SECRETARY_GENERAL_MISSING,
        SECRETARY_GENERAL_MULTIPLE,
        SECRETARY_GENERAL_NOT_FULL_TIME,
        SECRETARY_GENERAL_APPOINTMENT,
        OFFICIAL_PART_TIME,
        TERM_OVERDUE,
        TERM_DUE_SOON,
        BRANCH_INACTIVE,
        PARTY_ORGANISATION_MISSING,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Breaks a rule: the slate does not pass.
    Error,
    /// Needs a person's attention or approval.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            Severity::Error => "不符合",
            Severity::Warning => "需关注",
            Severity::Info => "提示",
        }
    }
}

/// One finding. The figures are flattened into the JSON object:
/// `{"rule":"council.size_cap","severity":"error","message":"…","cap":150,"council_size":151,…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    /// Plain Chinese, with the figures in the text.
    pub message: String,
    /// The numbers (and names) behind the message.
    #[serde(flatten)]
    pub figures: Map<String, Value>,
    /// Set on a finding that a person may waive (membership grew past the threshold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxation_possible: Option<bool>,
    /// The document and item the rule comes from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub citation: String,
}

impl Finding {
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            figures: Map::new(),
            relaxation_possible: None,
            citation: String::new(),
        }
    }

    /// Adds one figure. Keys must not be one of the fixed field names.
    pub fn figure(mut self, key: &str, value: impl Into<Value>) -> Finding {
        debug_assert!(
            !matches!(
                key,
                "rule" | "severity" | "message" | "relaxation_possible" | "citation"
            ),
            "figure key {key} clashes with a field"
        );
        self.figures.insert(key.to_string(), value.into());
        self
    }

    pub fn relaxation(mut self, possible: bool) -> Finding {
        self.relaxation_possible = Some(possible);
        self
    }

    /// Attaches the rule set's citation for this finding's rule.
    pub fn cited(mut self, rules: &RuleSet) -> Finding {
        self.citation = rules.citation(&self.rule);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
