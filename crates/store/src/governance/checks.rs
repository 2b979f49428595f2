//! Slate pre-reviews recorded with the report as it was, and the list of an organisation's
//! recorded checks.

use kexie_domain::governance::SlateReport;
use serde::Serialize;
use sqlx::Row;

use crate::audit::Outcome;
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// A recorded check.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceCheck {
    pub governance_check_id: i64,
    pub org_id: i64,
    pub kind: String,
    pub rule_set_version: String,
    pub as_of: String,
    pub ok: bool,
    pub account: String,
    pub created_at: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub report: serde_json::Value,
}

impl Store {
    /// Records a slate pre-review of an organisation in scope, with the report as it was (it
    /// names the rule-set version used). Audited.
    #[tracing::instrument(skip_all, err)]
    pub async fn record_slate_check(
        &self,
        scope: &Scope,
        org_id: i64,
        report: &SlateReport,
    ) -> StoreResult<i64> {
        self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let json = serde_json::to_string(report).map_err(|e| StoreError::Other(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "insert into governance_check (org_id, kind, rule_set_version, as_of, ok, report, \
             account, created_at) values ($1, 'slate', $2, $3, $4, $5, $6, $7) \
             returning governance_check_id",
        )
        .bind(org_id)
        .bind(&report.rule_set_version)
        .bind(report.figures.as_of.to_string())
        .bind(i64::from(report.ok))
        .bind(&json)
        .bind(scope.actor().username.clone())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("governance_check_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.check",
            &format!("governance_check:{id}"),
            Outcome::Ok,
            &format!(
                "org={org_id} kind=slate version={} ok={}",
                report.rule_set_version, report.ok
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The checks recorded for an organisation in scope, newest first.
    pub async fn governance_checks(
        &self,
        scope: &Scope,
        org_id: i64,
    ) -> StoreResult<Vec<GovernanceCheck>> {
        self.org(scope, org_id).await?;
        let rows = sqlx::query(
            "select governance_check_id, org_id, kind, rule_set_version, as_of, ok, report, account, \
             created_at from governance_check where org_id = $1 \
             order by created_at desc, governance_check_id desc limit 200",
        )
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let report: String = r.try_get("report")?;
                Ok(GovernanceCheck {
                    governance_check_id: r.try_get("governance_check_id")?,
                    org_id: r.try_get("org_id")?,
                    kind: r.try_get("kind")?,
                    rule_set_version: r.try_get("rule_set_version")?,
                    as_of: r.try_get("as_of")?,
                    ok: r.try_get::<i64, _>("ok")? != 0,
                    account: r.try_get("account")?,
                    created_at: r.try_get("created_at")?,
                    report: serde_json::from_str(&report)
                        .map_err(|e| StoreError::Other(e.to_string()))?,
                })
            })
            .collect()
    }
}
