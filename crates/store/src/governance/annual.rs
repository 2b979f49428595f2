//! The society annual report (学会年报, seeds/002 item 7): built from the ledger's growth, the
//! bodies and their terms, the activities and the review; published by the society's staff (or
//! staff above it) as a snapshot that anyone may read, unpublished again at will. Both audited.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kexie_domain::governance::{
    ActivityKind, AnnualReport, KindFigure, MemberFigures, Position, ReportActivity, ReportBody,
    ReportPost, ReportTerm,
};
use serde::Serialize;
use sqlx::Row;

use super::{ActivityFilter, GoverningBody, TermRow};
use crate::audit::Outcome;
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// Individual membership of national societies is to grow by at least 15% a year (seeds/002
/// item 4); the ledger page measures against the same target.
pub const GROWTH_TARGET_PERCENT: f64 = 15.0;

/// A year whose report is published.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnualPublication {
    pub year: i32,
    pub account: String,
    /// Milliseconds since the Unix epoch.
    pub published_at: i64,
}

/// The posts a report names: the leading ones.
const LEADING: [Position; 4] = [
    Position::President,
    Position::VicePresident,
    Position::SecretaryGeneral,
    Position::ChiefSupervisor,
];

fn report_term(t: &TermRow) -> ReportTerm {
    ReportTerm {
        number: t.number,
        start_on: t.start_on.clone(),
        planned_end: t.planned_end.clone(),
        actual_end: t.actual_end.clone(),
    }
}

fn in_year(day: Option<&str>, year: i32) -> bool {
    day.is_some_and(|d| d.starts_with(&format!("{year:04}-")))
}

/// A body as of the end of `year`: the newest term started by then, its leading office-holders
/// still in post at the year's end, and the terms and posts that began or ended in the year.
fn report_body(body: &GoverningBody, year: i32) -> ReportBody {
    let year_end = format!("{year:04}-12-31");
    let current = body.terms.iter().find(|t| t.start_on <= year_end);
    let holding = |t: &TermRow| -> Vec<_> {
        t.posts
            .iter()
            .filter(|p| p.ended_on.as_deref().is_none_or(|e| e > year_end.as_str()))
            .cloned()
            .collect()
    };
    let (members, leaders) = match current {
        Some(t) => {
            let held = holding(t);
            let mut people: Vec<i64> = held.iter().map(|p| p.person_id).collect();
            people.sort_unstable();
            people.dedup();
            let mut leaders: Vec<(usize, ReportPost)> = held
                .iter()
                .filter_map(|p| {
                    let position = Position::parse(&p.position)?;
                    let rank = LEADING.iter().position(|l| *l == position)?;
                    Some((
                        rank,
                        ReportPost {
                            name: p.person_name.clone(),
                            position: position.zh_name().to_string(),
                            ended_on: None,
                        },
                    ))
                })
                .collect();
            leaders.sort_by_key(|(rank, _)| *rank);
            (
                people.len() as i64,
                leaders.into_iter().map(|(_, p)| p).collect(),
            )
        }
        None => (0, Vec::new()),
    };
    let started: Vec<&TermRow> = body
        .terms
        .iter()
        .filter(|t| in_year(Some(&t.start_on), year))
        .collect();
    ReportBody {
        kind: body.kind.clone(),
        name: body.name.clone(),
        current_term: current.map(report_term),
        members,
        leaders,
        terms_started: started.iter().map(|t| report_term(t)).collect(),
        terms_ended: body
            .terms
            .iter()
            .filter(|t| in_year(t.actual_end.as_deref(), year))
            .map(report_term)
            .collect(),
        posts_taken: started.iter().map(|t| t.posts.len() as i64).sum(),
        posts_ended: body
            .terms
            .iter()
            .flat_map(|t| &t.posts)
            .filter(|p| in_year(p.ended_on.as_deref(), year))
            .map(|p| ReportPost {
                name: p.person_name.clone(),
                position: p.position_zh().to_string(),
                ended_on: p.ended_on.clone(),
            })
            .collect(),
    }
}

fn check_year(year: i32) -> StoreResult<()> {
    if (1900..=9998).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "年份 {year} 无效，应在 1900 到 9998 之间 / year must be between 1900 and 9998"
        )))
    }
}

impl Store {
    /// The annual report of an organisation in scope (a society) for `year`, with the findings
    /// of a check on `as_of`.
    #[tracing::instrument(skip_all, err)]
    pub async fn annual_report(
        &self,
        scope: &Scope,
        org_id: i64,
        year: i32,
        as_of: NaiveDate,
    ) -> StoreResult<AnnualReport> {
        let org = self.org(scope, org_id).await?;
        check_year(year)?;
        let growth = self
            .growth(scope, org_id, year, GROWTH_TARGET_PERCENT)
            .await?;
        let review = self.society_review(scope, org_id, as_of).await?;
        let bodies = self.governing_bodies(scope, org_id).await?;
        let activities = self
            .activities(
                scope,
                org_id,
                &ActivityFilter {
                    year: Some(year),
                    subtree: true,
                },
            )
            .await?;
        let mut kinds: BTreeMap<ActivityKind, (i64, i64)> = BTreeMap::new();
        for a in &activities {
            if let Some(kind) = ActivityKind::parse(&a.kind) {
                let entry = kinds.entry(kind).or_default();
                entry.0 += 1;
                entry.1 += a.participants;
            }
        }
        Ok(AnnualReport {
            org_id: org.org_id,
            org_name: org.name,
            year,
            as_of: as_of.to_string(),
            rule_set_version: review.rule_set_version,
            members: MemberFigures {
                at_start: growth.at_start,
                at_end: growth.at_start + growth.net,
                joined: growth.joined,
                left: growth.left,
                rate_percent: growth.rate_percent,
                target_percent: growth.target_percent,
                met: growth.met,
            },
            bodies: bodies.iter().map(|b| report_body(b, year)).collect(),
            activity_kinds: kinds
                .into_iter()
                .map(|(kind, (count, participants))| KindFigure {
                    kind: kind.code().to_string(),
                    kind_zh: kind.zh_name().to_string(),
                    count,
                    participants,
                })
                .collect(),
            activities: activities
                .iter()
                .rev()
                .map(|a| ReportActivity {
                    held_on: a.held_on.clone(),
                    title: a.title.clone(),
                    kind_zh: a.kind_zh().to_string(),
                    org_name: a.org_name.clone(),
                    participants: a.participants,
                })
                .collect(),
            findings: review.findings,
        })
    }

    /// Publishes the annual report of an organisation in scope for `year` (staff of the
    /// organisation or above it): the report as it is now replaces any published before, and
    /// `/public/orgs/{id}/annual/{year}` shows it to anyone. Audited.
    #[tracing::instrument(skip_all, err)]
    pub async fn publish_annual_report(
        &self,
        scope: &Scope,
        org_id: i64,
        year: i32,
        as_of: NaiveDate,
    ) -> StoreResult<AnnualReport> {
        self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let report = self.annual_report(scope, org_id, year, as_of).await?;
        let json = serde_json::to_string(&report).map_err(|e| StoreError::Other(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        sqlx::query("delete from annual_report where org_id = $1 and year = $2")
            .bind(org_id)
            .bind(i64::from(year))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into annual_report (org_id, year, report, account, published_at) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(i64::from(year))
        .bind(json)
        .bind(scope.actor().username.clone())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.annual.publish",
            &format!("org:{org_id}"),
            Outcome::Ok,
            &format!("year={year}"),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Takes a published annual report down (the public address answers 404 again). Audited.
    #[tracing::instrument(skip_all, err)]
    pub async fn unpublish_annual_report(
        &self,
        scope: &Scope,
        org_id: i64,
        year: i32,
    ) -> StoreResult<()> {
        self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write.begin().await?;
        let gone = sqlx::query("delete from annual_report where org_id = $1 and year = $2")
            .bind(org_id)
            .bind(i64::from(year))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.annual.unpublish",
            &format!("org:{org_id}"),
            Outcome::Ok,
            &format!("year={year}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The years an organisation in scope has published, newest first.
    pub async fn annual_publications(
        &self,
        scope: &Scope,
        org_id: i64,
    ) -> StoreResult<Vec<AnnualPublication>> {
        self.org(scope, org_id).await?;
        sqlx::query(
            "select year, account, published_at from annual_report where org_id = $1 \
             order by year desc",
        )
        .bind(org_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(AnnualPublication {
                year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
                account: r.try_get("account")?,
                published_at: r.try_get("published_at")?,
            })
        })
        .collect()
    }

    /// A published annual report, for anyone: the only unscoped read of governance data. It
    /// returns the snapshot the organisation chose to publish, which holds figures and
    /// office-holders' names only.
    #[tracing::instrument(skip_all, err)]
    pub async fn published_annual_report(
        &self,
        org_id: i64,
        year: i32,
    ) -> StoreResult<Option<AnnualReport>> {
        let row = sqlx::query("select report from annual_report where org_id = $1 and year = $2")
            .bind(org_id)
            .bind(i64::from(year))
            .fetch_optional(&self.read)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get("report")?;
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| StoreError::Other(format!("stored annual report is invalid: {e}")))
    }
}
