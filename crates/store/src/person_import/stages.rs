//! The stages before the writer: rows prepared (encrypted, hashed, romanised) on a blocking
//! thread, then checked against the registry on a reading connection, each a chunk ahead.

use std::collections::{HashMap, HashSet};

use sqlx::Row;

use super::{ExistingMatch, ImportPerson};
use crate::persons::{identity_hashes, person_values_hashed};
use crate::sql::{Sql, Value};
use crate::{FieldCipher, ImportProblem, NewPerson, Store, StoreResult};

/// Values per `in (…)` lookup.
const LOOKUP_CHUNK: usize = 900;
/// Rows prepared ahead of the writer, per hand-over.
const PREPARED_CHUNK: usize = 2_000;

/// A row ready to be written: its insert values computed once, its lookup hashes beside them.
pub(super) struct Prepared {
    pub(super) row: usize,
    name: String,
    id_hash: Option<String>,
    mobile_hash: Option<String>,
    pub(super) values: Vec<Value>,
    pub(super) member_type: Option<String>,
    pub(super) member_number: Option<String>,
    pub(super) joined: Option<String>,
}

impl Prepared {
    fn new(cipher: &FieldCipher, item: ImportPerson, org_id: i64, now: i64) -> Prepared {
        let person = NewPerson {
            org_id,
            ..item.person
        };
        let (id_hash, mobile_hash) = identity_hashes(cipher, &person);
        let values =
            person_values_hashed(cipher, &person, (id_hash.clone(), mobile_hash.clone()), now);
        Prepared {
            row: item.row,
            name: person.name.trim().to_string(),
            id_hash,
            mobile_hash,
            values,
            member_type: item.member_type,
            member_number: item.member_number,
            joined: item.joined,
        }
    }
}

/// A chunk of prepared rows, and how many rows between them the file's checks refused.
pub(super) struct Chunk {
    pub(super) rows: Vec<Prepared>,
    pub(super) refused: usize,
}

impl Chunk {
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }
}

/// A chunk checked against the registry: who is already registered, which membership numbers
/// are repeated or taken, and so which rows to leave out.
pub(super) struct Checked {
    pub(super) chunk: Chunk,
    pub(super) existing: Vec<ExistingMatch>,
    pub(super) problems: Vec<ImportProblem>,
    pub(super) skipped: HashSet<usize>,
}

impl Store {
    /// Encrypts, hashes and romanises the rows on a blocking thread, a chunk at a time, at most
    /// two chunks ahead of the writer (memory stays bounded).
    pub(super) fn prepare_ahead<I>(
        &self,
        rows: I,
        org_id: i64,
    ) -> (
        tokio::sync::mpsc::Receiver<Chunk>,
        tokio::task::JoinHandle<()>,
    )
    where
        I: Iterator<Item = Option<ImportPerson>> + Send + 'static,
    {
        let cipher = self.cipher.clone();
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        let now = crate::now_ms();
        let producer = tokio::task::spawn_blocking(move || {
            let mut rows = rows;
            loop {
                let mut chunk = Chunk {
                    rows: Vec::with_capacity(PREPARED_CHUNK),
                    refused: 0,
                };
                for item in rows.by_ref().take(PREPARED_CHUNK) {
                    match item {
                        Some(item) => chunk.rows.push(Prepared::new(&cipher, item, org_id, now)),
                        None => chunk.refused += 1,
                    }
                }
                // A closed channel means the import stopped on an error: stop preparing.
                if chunk.len() + chunk.refused == 0 || sender.blocking_send(chunk).is_err() {
                    break;
                }
            }
        });
        (receiver, producer)
    }

    /// Checks each chunk against the registry (on a reading connection) while the writer
    /// writes the one before, and hands it on with what was found.
    pub(super) fn check_ahead(
        &self,
        mut chunks: tokio::sync::mpsc::Receiver<Chunk>,
        org_id: i64,
        membership: bool,
    ) -> (
        tokio::sync::mpsc::Receiver<StoreResult<Checked>>,
        tokio::task::JoinHandle<()>,
    ) {
        let store = self.clone();
        let (sender, receiver) = tokio::sync::mpsc::channel(1);
        let checker = tokio::spawn(async move {
            // Membership numbers seen in the file: number → first row.
            let mut numbers = HashMap::new();
            while let Some(chunk) = chunks.recv().await {
                let checked = store
                    .check_chunk(org_id, membership, chunk, &mut numbers)
                    .await;
                let failed = checked.is_err();
                // A closed channel means the import stopped: stop checking.
                if sender.send(checked).await.is_err() || failed {
                    break;
                }
            }
        });
        (receiver, checker)
    }

    /// Checks a chunk against the registry and the rows before it: people already registered,
    /// membership numbers repeated in the file or taken.
    async fn check_chunk(
        &self,
        org_id: i64,
        membership: bool,
        chunk: Chunk,
        numbers: &mut HashMap<String, usize>,
    ) -> StoreResult<Checked> {
        let existing = self.registered_among(&chunk.rows).await?;
        let mut skipped: HashSet<usize> = existing.iter().map(|e| e.row).collect();
        let mut problems = Vec::new();
        if membership {
            let mut to_check = Vec::new();
            for item in &chunk.rows {
                let Some(number) = item.member_number.as_deref() else {
                    continue;
                };
                if let Some(first) = numbers.get(number) {
                    problems.push(ImportProblem {
                        row: item.row,
                        column: "会员编号",
                        code: "duplicate.in_file",
                        message: format!("会员编号 {number} 与第 {first} 行重复"),
                    });
                    skipped.insert(item.row);
                    continue;
                }
                numbers.insert(number.to_string(), item.row);
                to_check.push((item.row, number));
            }
            let taken = self.numbers_taken(org_id, &to_check).await?;
            for (row, number) in to_check {
                if taken.contains(number) {
                    problems.push(ImportProblem {
                        row,
                        column: "会员编号",
                        code: "duplicate.existing",
                        message: format!("会员编号 {number} 已被使用"),
                    });
                    skipped.insert(row);
                }
            }
        }
        Ok(Checked {
            chunk,
            existing,
            problems,
            skipped,
        })
    }

    /// Rows whose person is already registered: the same ID number, or the same name and mobile
    /// phone. Looked up by keyed hash on a reading connection (the registry as committed, with
    /// its indexes), a chunk of rows per query.
    async fn registered_among(&self, rows: &[Prepared]) -> StoreResult<Vec<ExistingMatch>> {
        let by_id = self
            .lookup_by(
                "select person_id, id_number_hash as k, name from person where id_number_hash in (",
                rows.iter().filter_map(|p| p.id_hash.clone()),
            )
            .await?;
        let by_mobile = self
            .lookup_by(
                "select person_id, mobile_hash as k, name from person where mobile_hash in (",
                rows.iter().filter_map(|p| p.mobile_hash.clone()),
            )
            .await?;
        let mut existing = Vec::new();
        for item in rows {
            let by_id = item
                .id_hash
                .as_ref()
                .and_then(|h| by_id.get(h))
                .and_then(|found| found.first())
                .map(|(person_id, _)| (*person_id, "id_number"));
            let by_mobile = || {
                item.mobile_hash
                    .as_ref()
                    .and_then(|h| by_mobile.get(h))
                    .and_then(|found| found.iter().find(|(_, n)| *n == item.name))
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
    ) -> StoreResult<HashMap<String, Vec<(i64, String)>>> {
        let keys: Vec<String> = keys.collect();
        let mut found: HashMap<String, Vec<(i64, String)>> = HashMap::new();
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
    ) -> StoreResult<HashSet<String>> {
        let mut taken = HashSet::new();
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
