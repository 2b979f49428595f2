//! Importing people: the whole file in one transaction or nothing (unless the caller asks to
//! skip invalid rows), with people already registered reported as duplicates.

use serde::Serialize;
use sqlx::Row;

use crate::audit::Outcome;
use crate::persons::PERSON_INSERT_COLUMNS;
use crate::progress::Track;
use crate::search_feed::Changed;
use crate::sql::{Sql, Value};
use crate::{
    ImportPhase, ImportProblem, ImportProgress, NewPerson, Scope, Store, StoreError, StoreResult,
};

/// Rows per multi-row insert: each statement stays under 2,000 bound values.
const PERSON_ROWS_PER_STATEMENT: usize = 70;
const MEMBERSHIP_ROWS_PER_STATEMENT: usize = 240;
/// Values per `in (…)` lookup.
const LOOKUP_CHUNK: usize = 900;

/// One row to import: a person and, optionally, their membership of the importing organisation.
#[derive(Debug, Clone)]
pub struct ImportPerson {
    pub row: usize,
    pub person: NewPerson,
    pub member_type: Option<String>,
    pub member_number: Option<String>,
    pub joined: Option<String>,
}

/// A person in the file who is already registered.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExistingMatch {
    pub row: usize,
    pub person_id: i64,
    /// `id_number` or `name_mobile`.
    pub reason: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PersonImportOutcome {
    pub created: usize,
    pub memberships: usize,
    pub existing: Vec<ExistingMatch>,
    /// Rows the database refused (membership number taken …), with a message.
    pub problems: Vec<ImportProblem>,
}

impl Store {
    /// Imports people kept by `org_id` (in scope, writable), each also made a member of it when
    /// `membership` is set. With `skip_invalid`, rows with problems are left out and the rest
    /// written; otherwise any problem writes nothing. A dry run writes nothing.
    #[tracing::instrument(skip_all, fields(rows = rows.len(), dry_run, skip_invalid), err)]
    #[allow(clippy::too_many_arguments)]
    pub async fn import_persons(
        &self,
        scope: &Scope,
        org_id: i64,
        rows: &[ImportPerson],
        membership: bool,
        dry_run: bool,
        skip_invalid: bool,
        progress: Option<&ImportProgress>,
    ) -> StoreResult<PersonImportOutcome> {
        let org = self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        progress.begin(ImportPhase::Checking, rows.len());
        let existing = self.registered_among(rows).await?;
        progress.advance(rows.len());
        let mut problems = Vec::new();
        if membership {
            let mut numbers = std::collections::HashMap::new();
            let mut to_check = Vec::new();
            for item in rows {
                let Some(number) = item.member_number.as_deref() else {
                    continue;
                };
                if let Some(first) = numbers.insert(number.to_string(), item.row) {
                    problems.push(ImportProblem {
                        row: item.row,
                        column: "会员编号",
                        code: "duplicate.in_file",
                        message: format!("会员编号 {number} 与第 {first} 行重复"),
                    });
                    continue;
                }
                to_check.push((item.row, number));
            }
            let taken = self.numbers_taken(org.org_id, &to_check).await?;
            for (row, number) in to_check {
                if taken.contains(number) {
                    problems.push(ImportProblem {
                        row,
                        column: "会员编号",
                        code: "duplicate.existing",
                        message: format!("会员编号 {number} 已被使用"),
                    });
                }
            }
            problems.sort_by_key(|p| p.row);
        }
        let mut created = 0;
        let mut memberships = 0;
        if (!existing.is_empty() || !problems.is_empty()) && !skip_invalid {
            return Ok(PersonImportOutcome {
                created,
                memberships,
                existing,
                problems,
            });
        }
        let skipped: std::collections::HashSet<usize> = existing
            .iter()
            .map(|e| e.row)
            .chain(problems.iter().map(|p| p.row))
            .collect();
        let keep: Vec<&ImportPerson> = rows
            .iter()
            .filter(|item| !skipped.contains(&item.row))
            .collect();
        progress.begin(ImportPhase::Writing, keep.len());
        let mut tx = self.write.begin().await?;
        let mark = self.search_mark(&mut tx, Changed::Person).await?;
        let now = crate::now_ms();
        // Multi-row statements: a round trip to the database per row costs more than the row.
        for chunk in keep.chunks(PERSON_ROWS_PER_STATEMENT) {
            let mut sql = Sql::bulk(self.backend, "insert into person (");
            sql.push(PERSON_INSERT_COLUMNS).push(") values ");
            for (i, item) in chunk.iter().enumerate() {
                let person = NewPerson {
                    org_id: org.org_id,
                    ..item.person.clone()
                };
                sql.push(if i == 0 { "(" } else { ", (" });
                for (j, v) in self.person_values(&person).into_iter().enumerate() {
                    if j > 0 {
                        sql.push(", ");
                    }
                    sql.bind(v);
                }
                sql.push(")");
            }
            sql.push(" returning person_id");
            let mut ids: Vec<i64> = sql
                .query()
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| {
                    StoreError::conflict_on_unique(
                        e,
                        "该身份证号已登记 / this ID number is already registered",
                    )
                })?
                .iter()
                .map(|r| r.try_get("person_id"))
                .collect::<Result<_, _>>()?;
            // Both databases number the rows of one VALUES list in order, so the ascending ids
            // are the rows' ids in the order written.
            ids.sort_unstable();
            created += ids.len();
            progress.advance(ids.len());
            if !membership {
                continue;
            }
            for part in chunk
                .iter()
                .zip(&ids)
                .collect::<Vec<_>>()
                .chunks(MEMBERSHIP_ROWS_PER_STATEMENT)
            {
                let mut sql = Sql::bulk(
                    self.backend,
                    "insert into membership (person_id, org_id, number, member_type, status, \
                     joined, created_at, updated_at) values ",
                );
                for (i, (item, person_id)) in part.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" })
                        .bind_int(**person_id)
                        .push(", ")
                        .bind_int(org.org_id)
                        .push(", ")
                        .bind(Value::OptText(item.member_number.clone()))
                        .push(", ")
                        .bind_text(
                            item.member_type
                                .clone()
                                .unwrap_or_else(|| "普通会员".into()),
                        )
                        .push(", 'active', ")
                        .bind(Value::OptText(item.joined.clone()))
                        .push(", ")
                        .bind_int(now)
                        .push(", ")
                        .bind_int(now)
                        .push(")");
                }
                sql.query().execute(&mut *tx).await?;
                memberships += part.len();
            }
        }
        if dry_run {
            tx.rollback().await?;
            return Ok(PersonImportOutcome {
                created: 0,
                memberships: 0,
                existing,
                problems,
            });
        }
        self.log_search_since(&mut tx, mark).await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "import.persons",
            &format!("org:{}", org.org_id),
            Outcome::Ok,
            &format!(
                "rows={created} memberships={memberships} skipped={}",
                existing.len() + problems.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(PersonImportOutcome {
            created,
            memberships,
            existing,
            problems,
        })
    }

    /// Rows whose person is already registered: the same ID number, or the same name and mobile
    /// phone. Looked up by keyed hash, a chunk of rows per query.
    async fn registered_among(&self, rows: &[ImportPerson]) -> StoreResult<Vec<ExistingMatch>> {
        let hashes: Vec<(Option<String>, Option<String>)> = rows
            .iter()
            .map(|item| self.identity_hashes(&item.person))
            .collect();
        let by_id = self
            .lookup_by(
                "select person_id, id_number_hash as k, name from person where id_number_hash in (",
                hashes.iter().filter_map(|h| h.0.clone()),
            )
            .await?;
        let by_mobile = self
            .lookup_by(
                "select person_id, mobile_hash as k, name from person where mobile_hash in (",
                hashes.iter().filter_map(|h| h.1.clone()),
            )
            .await?;
        let mut existing = Vec::new();
        for (item, (id_hash, mobile_hash)) in rows.iter().zip(&hashes) {
            let by_id = id_hash
                .as_ref()
                .and_then(|h| by_id.get(h))
                .and_then(|found| found.first())
                .map(|(person_id, _)| (*person_id, "id_number"));
            let name = item.person.name.trim();
            let by_mobile = || {
                mobile_hash
                    .as_ref()
                    .and_then(|h| by_mobile.get(h))
                    .and_then(|found| found.iter().find(|(_, n)| n == name))
                    .map(|(person_id, _)| (*person_id, "name_mobile"))
            };
            if let Some((person_id, reason)) = by_id.or_else(by_mobile) {
                existing.push(ExistingMatch {
                    row: item.row,
                    person_id,
                    reason,
                });
            }
        }
        Ok(existing)
    }

    /// People whose column `k` (selected by `head`, which ends in `in (`) is one of `keys`:
    /// key → (person id, name), lowest id first.
    async fn lookup_by(
        &self,
        head: &str,
        keys: impl Iterator<Item = String>,
    ) -> StoreResult<std::collections::HashMap<String, Vec<(i64, String)>>> {
        let keys: Vec<String> = keys.collect();
        let mut found: std::collections::HashMap<String, Vec<(i64, String)>> =
            std::collections::HashMap::new();
        for chunk in keys.chunks(LOOKUP_CHUNK) {
            let mut sql = Sql::bulk(self.backend, head);
            sql.bind_list(chunk.iter().map(|k| Value::Text(k.clone())));
            sql.push(") order by person_id");
            for r in sql.query().fetch_all(&self.read).await? {
                found
                    .entry(r.try_get("k")?)
                    .or_default()
                    .push((r.try_get("person_id")?, r.try_get("name")?));
            }
        }
        Ok(found)
    }

    /// Which of `numbers` are already membership numbers of `org_id`.
    async fn numbers_taken(
        &self,
        org_id: i64,
        numbers: &[(usize, &str)],
    ) -> StoreResult<std::collections::HashSet<String>> {
        let mut taken = std::collections::HashSet::new();
        for chunk in numbers.chunks(LOOKUP_CHUNK) {
            let mut sql = Sql::bulk(
                self.backend,
                "select number from membership where org_id = ",
            );
            sql.bind_int(org_id).push(" and number in (");
            sql.bind_list(chunk.iter().map(|(_, n)| Value::Text(n.to_string())));
            sql.push(")");
            for r in sql.query().fetch_all(&self.read).await? {
                taken.insert(r.try_get("number")?);
            }
        }
        Ok(taken)
    }
}
