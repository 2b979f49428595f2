//! Society governance (学会治理): the governing bodies of an organisation, their terms (届) and
//! the posts people hold in them (`bodies`); the governance rule sets as versioned data
//! (`rules`); and the checks of a society (`review`), of a 科协's societies (`dashboard`) and the
//! recorded slate pre-reviews (`checks`).
//!
//! The rules themselves are pure code in `kexie_domain::governance`; here the facts are loaded
//! from the database, scoped like every other read, and handed to it.

mod activities;
mod annual;
mod bodies;
mod checks;
mod dashboard;
mod review;
mod rules;

pub use activities::{Activity, ActivityFilter, NewActivity};
pub use annual::AnnualPublication;
pub use bodies::{GoverningBody, NewPost, NewTerm, PostRow, TermRow};
pub use checks::GovernanceCheck;
pub use dashboard::{GovernanceFilter, SocietySummary};
pub use review::SocietyReview;
pub use rules::{may_own_rules, StoredRuleSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kinds of governing body. The code names are stable: they are stored and used by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BodyKind {
    Congress,
    Council,
    StandingCouncil,
    SupervisoryBoard,
    Secretariat,
    PartyOrganisation,
    YouthCommittee,
    Branch,
}

impl BodyKind {
    pub const ALL: [BodyKind; 8] = [
        BodyKind::Congress,
        BodyKind::Council,
        BodyKind::StandingCouncil,
        BodyKind::SupervisoryBoard,
        BodyKind::Secretariat,
        BodyKind::PartyOrganisation,
        BodyKind::YouthCommittee,
        BodyKind::Branch,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BodyKind::Congress => "congress",
            BodyKind::Council => "council",
            BodyKind::StandingCouncil => "standing_council",
            BodyKind::SupervisoryBoard => "supervisory_board",
            BodyKind::Secretariat => "secretariat",
            BodyKind::PartyOrganisation => "party_organisation",
            BodyKind::YouthCommittee => "youth_committee",
            BodyKind::Branch => "branch",
        }
    }

    /// The name the documents use (glossary of DESIGN.md).
    pub fn zh_name(self) -> &'static str {
        match self {
            BodyKind::Congress => "会员代表大会",
            BodyKind::Council => "理事会",
            BodyKind::StandingCouncil => "常务理事会",
            BodyKind::SupervisoryBoard => "监事会",
            BodyKind::Secretariat => "秘书处",
            BodyKind::PartyOrganisation => "党组织",
            BodyKind::YouthCommittee => "青年工作委员会",
            BodyKind::Branch => "分支机构",
        }
    }

    /// The code name or the Chinese name.
    pub fn parse(text: &str) -> Option<BodyKind> {
        let t = text.trim();
        BodyKind::ALL
            .into_iter()
            .find(|k| k.code() == t || k.zh_name() == t)
    }
}

/// Dates are stored as `YYYY-MM-DD` text.
pub(crate) fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}
