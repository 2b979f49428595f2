//! A 科协's governance dashboard: every society of its subtree checked with `society_review`.

use chrono::NaiveDate;
use kexie_domain::governance::Finding;
use serde::Serialize;
use sqlx::Row;

use crate::sql::{subtree_range, Sql};
use crate::{Scope, Store, StoreResult};

/// One line of a 科协's governance dashboard.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SocietySummary {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub rule_set_version: String,
    pub council_size: usize,
    pub individual_members: i64,
    pub errors: usize,
    pub warnings: usize,
    pub overdue: bool,
    pub next_reelection: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub findings: Vec<Finding>,
}

/// Filters of the dashboard.
#[derive(Debug, Clone, Default)]
pub struct GovernanceFilter {
    /// Name contains.
    pub q: Option<String>,
    /// Only societies with a finding of this rule id.
    pub rule: Option<String>,
    /// Only societies with an error or a warning.
    pub problems_only: bool,
}

/// Societies a dashboard shows at most.
const DASHBOARD_LIMIT: i64 = 2000;

impl Store {
    /// The societies in a 科协's subtree (in scope) with their findings on `as_of`: overdue
    /// terms first, then by errors, warnings and the next re-election.
    #[tracing::instrument(skip_all, err)]
    pub async fn governance_dashboard(
        &self,
        scope: &Scope,
        org_id: i64,
        as_of: NaiveDate,
        filter: &GovernanceFilter,
    ) -> StoreResult<Vec<SocietySummary>> {
        let top = self.org(scope, org_id).await?;
        let (lo, hi) = subtree_range(&top.path);
        let mut sql =
            Sql::new("select o.org_id from org o where o.kind = 'society' and o.path >= ");
        sql.bind_text(lo).push(" and o.path < ").bind_text(hi);
        scope.filter_org(&mut sql, "o.path");
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            sql.push(" and o.name like ")
                .bind_text(format!("%{}%", crate::divisions::escape_like(q)))
                .push(" escape '\\'");
        }
        sql.push(" order by o.name_pinyin limit ")
            .bind_int(DASHBOARD_LIMIT);
        let ids: Vec<i64> = sql
            .query()
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| r.try_get("org_id"))
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            let r = self.society_review(scope, id, as_of).await?;
            if filter.problems_only && r.errors + r.warnings == 0 {
                continue;
            }
            if let Some(rule_id) = filter.rule.as_deref().filter(|r| !r.is_empty()) {
                if !r.has_rule(rule_id) {
                    continue;
                }
            }
            out.push(SocietySummary {
                org_id: r.org_id,
                code: r.code,
                name: r.name,
                rule_set_version: r.rule_set_version,
                council_size: r.slate.council_size,
                individual_members: r.individual_members,
                errors: r.errors,
                warnings: r.warnings,
                overdue: r.overdue,
                next_reelection: r.next_reelection,
                findings: r.findings,
            });
        }
        out.sort_by(|a, b| {
            (
                !a.overdue,
                usize::MAX - a.errors,
                usize::MAX - a.warnings,
                &a.next_reelection,
            )
                .cmp(&(
                    !b.overdue,
                    usize::MAX - b.errors,
                    usize::MAX - b.warnings,
                    &b.next_reelection,
                ))
        });
        Ok(out)
    }
}
