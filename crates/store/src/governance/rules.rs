//! The governance rule sets as data (DESIGN.md, "Rules that vary are data"): each edit is a new
//! row with its version, the day it applies from and who made it; rows are never changed.
//!
//! A version belongs to a provincial or national 科协 and applies to its subtree; an organisation
//! is checked against the newest version, valid on the day of the check, of its nearest
//! ancestor that has one. With none stored, the national rules of 2018 apply
//! (`RuleSet::default_2018`, seeds/002).

use chrono::NaiveDate;
use kexie_domain::division::{DivisionCode, DivisionLevel};
use kexie_domain::governance::RuleSet;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::parse_day;
use crate::audit::Outcome;
use crate::{now_ms, Org, Scope, Store, StoreError, StoreResult};

/// A stored version of the rules.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredRuleSet {
    /// `None` for the built-in rules of 2018, which no one has edited yet.
    pub rule_set_id: Option<i64>,
    /// The 科协 whose subtree the version applies to (`None`: everywhere).
    pub org_id: Option<i64>,
    pub version: String,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    pub account: String,
    /// Milliseconds since the Unix epoch (0 for the built-in rules).
    pub created_at: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub rules: RuleSet,
}

impl StoredRuleSet {
    fn builtin() -> StoredRuleSet {
        StoredRuleSet {
            rule_set_id: None,
            org_id: None,
            version: RuleSet::default_2018().version,
            valid_from: "2018-01-01".into(),
            account: "builtin".into(),
            created_at: 0,
            rules: RuleSet::default_2018(),
        }
    }
}

const COLUMNS: &str =
    "r.rule_set_id, r.org_id, r.version, r.valid_from, r.rules, r.account, r.created_at";

fn from_row(r: &AnyRow) -> StoreResult<StoredRuleSet> {
    let json: String = r.try_get("rules")?;
    let rules = RuleSet::from_json(&json)
        .map_err(|e| StoreError::Other(format!("stored rule set is invalid: {e}")))?;
    Ok(StoredRuleSet {
        rule_set_id: Some(r.try_get("rule_set_id")?),
        org_id: r.try_get("org_id")?,
        version: r.try_get("version")?,
        valid_from: r.try_get("valid_from")?,
        account: r.try_get("account")?,
        created_at: r.try_get("created_at")?,
        rules,
    })
}

/// Whether an organisation may own a rule set: a 科协 with no parent (national) or on a
/// province's division.
pub fn may_own_rules(org: &Org) -> bool {
    org.kind == "kexie"
        && (org.parent_id.is_none()
            || org
                .division_code
                .as_deref()
                .and_then(|d| DivisionCode::parse(d).ok())
                .is_some_and(|d| d.level() == DivisionLevel::Province))
}

impl Store {
    /// The rules an organisation in scope is checked against on `as_of`.
    pub async fn rule_set_for(
        &self,
        scope: &Scope,
        org_id: i64,
        as_of: NaiveDate,
    ) -> StoreResult<StoredRuleSet> {
        let org = self.org(scope, org_id).await?;
        self.rule_set_for_path(&org.path, as_of).await
    }

    /// The rules that apply where no 科协 has its own (stored for everywhere, or the built-in
    /// rules of 2018) on `as_of`: what a slate checked without an organisation is held to.
    pub async fn rule_set_everywhere(&self, as_of: NaiveDate) -> StoreResult<StoredRuleSet> {
        self.rule_set_for_path("/", as_of).await
    }

    pub(crate) async fn rule_set_for_path(
        &self,
        path: &str,
        as_of: NaiveDate,
    ) -> StoreResult<StoredRuleSet> {
        let sql = format!(
            "select {COLUMNS}, coalesce(o.depth, 0) as owner_depth from rule_set r \
             left join org o on o.org_id = r.org_id where r.valid_from <= $1 \
             and (r.org_id is null or substr($2, 1, length(o.path)) = o.path) \
             order by owner_depth desc, r.valid_from desc, r.rule_set_id desc limit 1"
        );
        let row = sqlx::query(&sql)
            .bind(as_of.to_string())
            .bind(path.to_string())
            .fetch_optional(&self.read)
            .await?;
        match row {
            Some(r) => from_row(&r),
            None => Ok(StoredRuleSet::builtin()),
        }
    }

    /// Every version owned by a 科协 in scope (`None`: the versions that apply everywhere),
    /// newest first, ending with the built-in rules when none apply everywhere.
    pub async fn rule_set_versions(
        &self,
        scope: &Scope,
        owner: Option<i64>,
    ) -> StoreResult<Vec<StoredRuleSet>> {
        if let Some(id) = owner {
            self.org(scope, id).await?;
        }
        let sql = format!(
            "select {COLUMNS} from rule_set r where coalesce(r.org_id, 0) = $1 \
             order by r.valid_from desc, r.rule_set_id desc"
        );
        let mut out = sqlx::query(&sql)
            .bind(owner.unwrap_or(0))
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        if owner.is_none() && out.is_empty() {
            out.push(StoredRuleSet::builtin());
        }
        Ok(out)
    }

    /// Stores an edited rule set as a new version owned by `owner` (a provincial or national
    /// 科协 in scope; `None`, everywhere, only from the command line), valid from `valid_from`.
    /// The rules are validated first (`RuleSet::validate`: `Invalid` names the problem), and a
    /// version name already used by the owner is a conflict. Audited in the same transaction.
    #[tracing::instrument(skip_all, err)]
    pub async fn save_rule_set(
        &self,
        scope: &Scope,
        owner: Option<i64>,
        rules: &RuleSet,
        valid_from: NaiveDate,
    ) -> StoreResult<StoredRuleSet> {
        match owner {
            Some(id) => {
                let org = self.org(scope, id).await?;
                if !scope.can_write() || !may_own_rules(&org) {
                    return Err(StoreError::Forbidden);
                }
            }
            None if scope.is_everything() => {}
            None => return Err(StoreError::Forbidden),
        }
        rules
            .validate()
            .map_err(|e| StoreError::Invalid(format!("规则集无效：{e} / invalid rule set")))?;
        let json = serde_json::to_string(rules).map_err(|e| StoreError::Other(e.to_string()))?;
        let version = rules.version.trim().to_string();
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "insert into rule_set (org_id, version, valid_from, rules, account, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning rule_set_id",
        )
        .bind(owner)
        .bind(&version)
        .bind(valid_from.to_string())
        .bind(&json)
        .bind(scope.actor().username.clone())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_on_unique(
                e,
                format!("规则集版本“{version}”已存在，请使用新的版本号 / the version exists"),
            )
        })?
        .try_get("rule_set_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.rule_set",
            &format!("rule_set:{id}"),
            Outcome::Ok,
            &format!(
                "version={version} valid_from={valid_from} owner={}",
                owner.map_or("all".to_string(), |o| o.to_string())
            ),
        )
        .await?;
        tx.commit().await?;
        let row = sqlx::query(&format!(
            "select {COLUMNS} from rule_set r where r.rule_set_id = $1"
        ))
        .bind(id)
        .fetch_one(&self.read)
        .await?;
        let stored = from_row(&row)?;
        debug_assert!(parse_day(&stored.valid_from).is_some());
        Ok(stored)
    }
}
