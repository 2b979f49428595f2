//! The governance rules engine: checks a society's slate, terms, branches and party organisation
//! against the reform rules (DESIGN.md, "Rules taken from the documents").
//!
//! Pure code: the caller loads the [`RuleSet`] (a versioned JSON document an administrator can
//! edit) and the facts, and gets [`Finding`]s back. Each finding carries a stable rule id (see
//! [`rule`]), a severity, a plain Chinese message with the figures in it, the figures themselves
//! and the document the rule comes from.
//!
//! - [`check_slate`]: council size cap and previous-term size (seeds/002 item 3), grassroots
//!   shares of council and standing council (item 2), the secretary-general (item 5), officials
//!   holding posts (seeds/000 item 33); plus the make-up figures of each body.
//! - [`check_terms`], [`check_branches`], [`check_party`]: terms on schedule, inactive branches,
//!   party organisation coverage.

mod activity;
mod annual;
mod figures;
mod finding;
mod position;
mod ruleset;
mod schedule;
mod slate;
mod text;

pub use activity::ActivityKind;
pub use annual::{
    AnnualReport, KindFigure, MemberFigures, ReportActivity, ReportBody, ReportPost, ReportTerm,
};
pub use figures::{BodyFigures, ShareFigure, SlateFigures};
pub use finding::{rule, Finding, Severity};
pub use position::{is_party_member, AppointmentMethod, Gender, Position, SlateMember};
pub use ruleset::{RuleSet, RuleSetError, Share, SizeBand};
pub use schedule::{check_branches, check_party, check_terms, BranchInfo, TermInfo};
pub use slate::{check_slate, SlateInput, SlateReport};
