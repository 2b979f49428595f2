//! Importing people: the whole file in one transaction or nothing (unless the caller asks to
//! skip invalid rows), with people already registered reported as duplicates.

use serde::Serialize;
use sqlx::Row;

use crate::audit::Outcome;
use crate::search_feed::Changed;
use crate::{NewPerson, Scope, Store, StoreError, StoreResult};

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
    pub problems: Vec<(usize, &'static str, &'static str, String)>,
}

impl Store {
    /// Imports people kept by `org_id` (in scope, writable), each also made a member of it when
    /// `membership` is set. With `skip_invalid`, rows with problems are left out and the rest
    /// written; otherwise any problem writes nothing. A dry run writes nothing.
    #[tracing::instrument(skip_all, fields(rows = rows.len(), dry_run, skip_invalid), err)]
    pub async fn import_persons(
        &self,
        scope: &Scope,
        org_id: i64,
        rows: &[ImportPerson],
        membership: bool,
        dry_run: bool,
        skip_invalid: bool,
    ) -> StoreResult<PersonImportOutcome> {
        let org = self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let cipher = self.cipher();
        let mut existing = Vec::new();
        for item in rows {
            let id_hash = item
                .person
                .id_number
                .as_deref()
                .map(|v| cipher.lookup_hash("person.id_number", v));
            let mobile_hash = item
                .person
                .mobile
                .as_deref()
                .map(|v| cipher.lookup_hash("person.mobile", v));
            let found = sqlx::query(
                "select person_id, case when id_number_hash = $1 then 'id' else 'mobile' end as why \
                 from person where id_number_hash = $1 or (name = $2 and mobile_hash = $3) limit 1",
            )
            .bind(id_hash)
            .bind(item.person.name.trim())
            .bind(mobile_hash)
            .fetch_optional(&self.read)
            .await?;
            if let Some(r) = found {
                let why: String = r.try_get("why")?;
                existing.push(ExistingMatch {
                    row: item.row,
                    person_id: r.try_get("person_id")?,
                    reason: if why == "id" {
                        "id_number"
                    } else {
                        "name_mobile"
                    },
                });
            }
        }
        let mut problems = Vec::new();
        if membership {
            let mut numbers = std::collections::HashMap::new();
            for item in rows {
                let Some(number) = item.member_number.as_deref() else {
                    continue;
                };
                if let Some(first) = numbers.insert(number.to_string(), item.row) {
                    problems.push((
                        item.row,
                        "会员编号",
                        "duplicate.in_file",
                        format!("会员编号 {number} 与第 {first} 行重复"),
                    ));
                    continue;
                }
                let taken: i64 = sqlx::query(
                    "select count(*) as n from membership where org_id = $1 and number = $2",
                )
                .bind(org.org_id)
                .bind(number)
                .fetch_one(&self.read)
                .await?
                .try_get("n")?;
                if taken > 0 {
                    problems.push((
                        item.row,
                        "会员编号",
                        "duplicate.existing",
                        format!("会员编号 {number} 已被使用"),
                    ));
                }
            }
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
        let mut tx = self.write.begin().await?;
        let mark = self.search_mark(&mut tx, Changed::Person).await?;
        for item in rows {
            if existing.iter().any(|e| e.row == item.row)
                || problems.iter().any(|p| p.0 == item.row)
            {
                continue;
            }
            let person = NewPerson {
                org_id: org.org_id,
                ..item.person.clone()
            };
            let person_id = self.insert_person(&mut tx, &person).await?;
            created += 1;
            if membership {
                sqlx::query(
                    "insert into membership (person_id, org_id, number, member_type, status, joined, \
                     created_at, updated_at) values ($1, $2, $3, $4, 'active', $5, $6, $6)",
                )
                .bind(person_id)
                .bind(org.org_id)
                .bind(item.member_number.clone())
                .bind(item.member_type.clone().unwrap_or_else(|| "普通会员".into()))
                .bind(item.joined.clone())
                .bind(crate::now_ms())
                .execute(&mut *tx)
                .await?;
                memberships += 1;
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
}
