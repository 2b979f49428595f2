//! Checking a society: the stored posts and people become a slate for `check_slate`, the current
//! terms go to `check_terms`, the party organisation to `check_party`, the branches to
//! `check_branches`. The dashboard (`dashboard`) does it for every society of a subtree.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kexie_domain::governance::{
    check_branches, check_party, check_slate, check_terms, is_party_member, rule,
    AppointmentMethod, Finding, Gender, Position, Severity, SlateInput, SlateMember, SlateReport,
    TermInfo,
};
use serde::Serialize;
use sqlx::Row;

use super::{parse_day, BodyKind, GoverningBody};
use crate::{Scope, Store, StoreResult};

/// A society checked against the rules on one day.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SocietyReview {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    pub rule_set_version: String,
    /// Active individual memberships: they set the council-size cap.
    pub individual_members: i64,
    pub previous_council_size: Option<i64>,
    /// The current council, standing council and supervisory board as a slate.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub slate: SlateReport,
    /// Every finding: the slate's, the terms', the party organisation's.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
    /// A current term is past its planned end with no new term recorded (`term.overdue`).
    pub overdue: bool,
    /// The earliest planned end of a current term: the next re-election (换届).
    pub next_reelection: Option<String>,
}

impl SocietyReview {
    pub fn has_rule(&self, rule_id: &str) -> bool {
        self.findings.iter().any(|f| f.rule == rule_id)
    }
}

/// The people holding current posts in the council, standing council, supervisory board,
/// congress and secretariat, one slate member per person with every position they hold.
fn slate_from_bodies(
    bodies: &[GoverningBody],
    people: &BTreeMap<i64, PersonFacts>,
) -> Vec<SlateMember> {
    let mut members: BTreeMap<i64, SlateMember> = BTreeMap::new();
    for body in bodies {
        let slate_body = matches!(
            BodyKind::parse(&body.kind),
            Some(
                BodyKind::Council
                    | BodyKind::StandingCouncil
                    | BodyKind::SupervisoryBoard
                    | BodyKind::Congress
                    | BodyKind::Secretariat
            )
        );
        let Some(term) = body.current().filter(|_| slate_body) else {
            continue;
        };
        for post in term.posts.iter().filter(|p| p.ended_on.is_none()) {
            let (Some(position), Some(facts)) =
                (Position::parse(&post.position), people.get(&post.person_id))
            else {
                continue;
            };
            let m = members
                .entry(post.person_id)
                .or_insert_with(|| facts.member());
            if !m.positions.contains(&position) {
                m.positions.push(position);
            }
            m.full_time |= post.full_time;
            let appointment = AppointmentMethod::parse(&post.appointment);
            // The secretary-general's appointment is the one the rules read.
            if position == Position::SecretaryGeneral || m.appointment.is_none() {
                m.appointment = appointment;
            }
        }
    }
    members.into_values().collect()
}

/// What the rules read of a person record.
struct PersonFacts {
    name: String,
    gender: Option<String>,
    birth_date: Option<String>,
    political_status: Option<String>,
    grassroots: bool,
    serving_official: bool,
    retired_official: bool,
    employer: Option<String>,
}

impl PersonFacts {
    fn member(&self) -> SlateMember {
        SlateMember {
            name: self.name.clone(),
            gender: self
                .gender
                .as_deref()
                .map_or(Gender::Unknown, Gender::parse),
            birth_date: self.birth_date.as_deref().and_then(parse_day),
            positions: Vec::new(),
            grassroots_frontline: self.grassroots,
            party_member: self
                .political_status
                .as_deref()
                .is_some_and(is_party_member),
            full_time: false,
            employer: self.employer.clone().unwrap_or_default(),
            serving_official: self.serving_official,
            retired_official: self.retired_official,
            appointment: None,
        }
    }
}

impl Store {
    async fn post_holders(&self, org_id: i64) -> StoreResult<BTreeMap<i64, PersonFacts>> {
        let rows = sqlx::query(
            "select distinct pe.person_id, pe.name, pe.gender, pe.birth_date, pe.political_status, \
             pe.grassroots, pe.serving_official, pe.retired_official, pe.employer \
             from post p join term t on t.term_id = p.term_id \
             join governing_body b on b.governing_body_id = t.governing_body_id \
             join person pe on pe.person_id = p.person_id where b.org_id = $1",
        )
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = BTreeMap::new();
        for r in rows {
            out.insert(
                r.try_get::<i64, _>("person_id")?,
                PersonFacts {
                    name: r.try_get("name")?,
                    gender: r.try_get("gender")?,
                    birth_date: r.try_get("birth_date")?,
                    political_status: r.try_get("political_status")?,
                    grassroots: r.try_get::<i64, _>("grassroots")? != 0,
                    serving_official: r.try_get::<i64, _>("serving_official")? != 0,
                    retired_official: r.try_get::<i64, _>("retired_official")? != 0,
                    employer: r.try_get("employer")?,
                },
            );
        }
        Ok(out)
    }

    /// Checks an organisation in scope (usually a society) on `as_of`: its current council,
    /// standing council and supervisory board against `check_slate`, its current terms against
    /// `check_terms`, and whether it has a party organisation (`check_party`), with the rules
    /// that apply to it on that day.
    #[tracing::instrument(skip_all, err)]
    pub async fn society_review(
        &self,
        scope: &Scope,
        org_id: i64,
        as_of: NaiveDate,
    ) -> StoreResult<SocietyReview> {
        let org = self.org(scope, org_id).await?;
        let stored = self.rule_set_for_path(&org.path, as_of).await?;
        let rules = &stored.rules;
        let bodies = self.governing_bodies(scope, org_id).await?;
        let people = self.post_holders(org_id).await?;
        let members = slate_from_bodies(&bodies, &people);
        let individual_members: i64 = sqlx::query(
            "select count(*) as n from membership where org_id = $1 and status = 'active'",
        )
        .bind(org_id)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        // The previous council: the council's term before the current one.
        let previous_council_size = bodies
            .iter()
            .find(|b| b.kind == BodyKind::Council.code())
            .and_then(|b| b.past().first())
            .map(|t| {
                let mut people: Vec<i64> = t
                    .posts
                    .iter()
                    .filter(|p| Position::parse(&p.position).is_some_and(Position::is_council))
                    .map(|p| p.person_id)
                    .collect();
                people.sort_unstable();
                people.dedup();
                people.len() as i64
            });
        let slate = check_slate(
            rules,
            &SlateInput {
                members,
                individual_members: u64::try_from(individual_members).unwrap_or(0),
                previous_council_size: previous_council_size.and_then(|n| u32::try_from(n).ok()),
                member_growth_percent: None,
                as_of,
            },
        );
        let mut terms = Vec::new();
        for body in &bodies {
            let Some(t) = body.current() else { continue };
            let (Some(start), Some(planned_end)) =
                (parse_day(&t.start_on), parse_day(&t.planned_end))
            else {
                continue;
            };
            terms.push(TermInfo {
                body: body.name.clone(),
                number: u32::try_from(t.number).unwrap_or(0),
                start,
                planned_end,
                actual_end: t.actual_end.as_deref().and_then(parse_day),
                has_successor: false,
            });
        }
        let next_reelection = terms
            .iter()
            .map(|t| t.planned_end)
            .min()
            .map(|d| d.to_string());
        let mut findings = slate.findings.clone();
        findings.extend(check_terms(rules, &terms, as_of));
        let has_party = bodies
            .iter()
            .any(|b| b.kind == BodyKind::PartyOrganisation.code());
        findings.extend(check_party(has_party));
        let branches = self.branch_infos(scope, org_id, as_of).await?;
        findings.extend(check_branches(rules, &branches, as_of));
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        Ok(SocietyReview {
            org_id: org.org_id,
            code: org.code,
            name: org.name,
            as_of: as_of.to_string(),
            rule_set_version: stored.version,
            individual_members,
            previous_council_size,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            overdue: findings.iter().any(|f| f.rule == rule::TERM_OVERDUE),
            next_reelection,
            slate,
            findings,
        })
    }
}
