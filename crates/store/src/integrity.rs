//! Integrity records (诚信档案, seeds/002 item 15): findings and sanctions about a person, kept by
//! the recording organisation. Active sanctions are flagged wherever a person is nominated or
//! appointed, so that whoever fills a post sees them before deciding.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::Outcome;
use crate::governance::parse_day;
use crate::sql::Sql;
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// Longest description and issuer kept: a record is a summary, the file stays with its issuer.
const MAX_DESCRIPTION_CHARS: usize = 2000;
const MAX_ISSUER_CHARS: usize = 100;

/// An integrity record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrityRecord {
    #[serde(default)]
    pub integrity_record_id: i64,
    #[serde(default)]
    pub org_id: i64,
    /// `finding` or `sanction`.
    pub kind: String,
    pub recorded_on: String,
    pub description: String,
    pub expires_on: Option<String>,
    /// The body that issued it, when not the recording organisation.
    #[serde(default)]
    pub issuer: Option<String>,
}

impl IntegrityRecord {
    /// A sanction in force on `as_of` (YYYY-MM-DD): recorded on or before that day and not
    /// expired. `persons_with_active_sanctions` asks the same in SQL.
    pub fn in_force(&self, as_of: &str) -> bool {
        self.kind == "sanction"
            && self.recorded_on.as_str() <= as_of
            && self.expires_on.as_deref().is_none_or(|e| e >= as_of)
    }
}

/// A date field of a record, `YYYY-MM-DD`, named in the error.
fn day(text: &str, zh: &str, en: &str) -> StoreResult<chrono::NaiveDate> {
    parse_day(text).ok_or_else(|| {
        StoreError::Invalid(format!(
            "{zh}：“{text}”不是有效日期，应写作 2025-06-30 / {en} must be YYYY-MM-DD"
        ))
    })
}

impl Store {
    /// Records a finding or sanction about a person, by an organisation in scope. Every way in
    /// (page, API) is checked here: the kind, a description, the dates (the expiry not before
    /// the date recorded) and the lengths.
    pub async fn add_integrity_record(
        &self,
        scope: &Scope,
        person_id: i64,
        record: &IntegrityRecord,
    ) -> StoreResult<i64> {
        self.person(scope, person_id).await?;
        self.org(scope, record.org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let description = record.description.trim();
        let issuer = record
            .issuer
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if !matches!(record.kind.as_str(), "finding" | "sanction") || description.is_empty() {
            return Err(StoreError::Invalid(
                "诚信记录须注明类型（finding/sanction）和内容 / kind and description are required"
                    .into(),
            ));
        }
        let recorded_on = day(&record.recorded_on, "记录日期", "recorded_on")?;
        let expires_on = match record.expires_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(day(text, "有效期至", "expires_on")?),
        };
        if expires_on.is_some_and(|e| e < recorded_on) {
            return Err(StoreError::Invalid(
                "有效期至不能早于记录日期 / the expiry is before the date recorded".into(),
            ));
        }
        if description.chars().count() > MAX_DESCRIPTION_CHARS
            || issuer.is_some_and(|s| s.chars().count() > MAX_ISSUER_CHARS)
        {
            return Err(StoreError::Invalid(format!(
                "内容不超过 {MAX_DESCRIPTION_CHARS} 字，出具单位不超过 {MAX_ISSUER_CHARS} 字 / \
                 text at most {MAX_DESCRIPTION_CHARS}, issuer at most {MAX_ISSUER_CHARS} characters"
            )));
        }
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "insert into integrity_record (person_id, org_id, kind, recorded_on, description, expires_on, \
             created_at, issuer) values ($1, $2, $3, $4, $5, $6, $7, $8) returning integrity_record_id",
        )
        .bind(person_id)
        .bind(record.org_id)
        .bind(&record.kind)
        .bind(recorded_on.to_string())
        .bind(description)
        .bind(expires_on.map(|d| d.to_string()))
        .bind(now_ms())
        .bind(issuer.map(str::to_string))
        .fetch_one(&mut *tx)
        .await?
        .try_get("integrity_record_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "integrity.create",
            &format!("person:{person_id}"),
            Outcome::Ok,
            &record.kind,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A person's integrity records, newest first (`IntegrityRecord::in_force` tells which
    /// sanctions still apply).
    pub async fn integrity_records(
        &self,
        scope: &Scope,
        person_id: i64,
    ) -> StoreResult<Vec<IntegrityRecord>> {
        self.person(scope, person_id).await?;
        let rows = sqlx::query(
            "select integrity_record_id, org_id, kind, recorded_on, description, expires_on, issuer \
             from integrity_record where person_id = $1 order by recorded_on desc",
        )
        .bind(person_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IntegrityRecord {
                    integrity_record_id: r.try_get("integrity_record_id")?,
                    org_id: r.try_get("org_id")?,
                    kind: r.try_get("kind")?,
                    recorded_on: r.try_get("recorded_on")?,
                    description: r.try_get("description")?,
                    expires_on: r.try_get("expires_on")?,
                    issuer: r.try_get("issuer")?,
                })
            })
            .collect()
    }

    /// Which of `person_ids` have a sanction in force on `as_of` (YYYY-MM-DD): recorded on or
    /// before that day and not expired. Only the flag is told, never the record; staff scopes
    /// only (a member's own account sees no one else's).
    pub async fn persons_with_active_sanctions(
        &self,
        scope: &Scope,
        person_ids: &[i64],
        as_of: &str,
    ) -> StoreResult<HashSet<i64>> {
        if scope.person_id().is_some() {
            return Err(StoreError::Forbidden);
        }
        let mut found = HashSet::new();
        for chunk in person_ids.chunks(500) {
            let mut sql = Sql::new(
                "select distinct person_id from integrity_record where kind = 'sanction' \
                 and recorded_on <= ",
            );
            sql.bind_text(as_of)
                .push(" and (expires_on is null or expires_on >= ")
                .bind_text(as_of)
                .push(") and person_id in (");
            sql.bind_ints(chunk);
            sql.push(")");
            for row in sql.query().fetch_all(&self.read).await? {
                found.insert(row.try_get("person_id")?);
            }
        }
        Ok(found)
    }
}
