//! Importing people: the whole file in one transaction or nothing (unless the caller asks to
//! skip invalid rows), with people already registered reported as duplicates.
//!
//! A province's register is a million rows, so the work is spread over the machine: one
//! blocking thread encrypts, hashes and romanises the next chunk of rows while the database
//! writes the chunk before it, and the checks against the registry run on a reading connection
//! beside the writer. A load of more than a quarter of the registry sets the tables' secondary
//! indexes aside and builds them again, sorted, before the commit (SQLite only): inserting a
//! million random keys into five B-trees costs more than sorting them once.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::Row;

use crate::audit::Outcome;
use crate::persons::{identity_hashes, person_values_hashed, PERSON_INSERT_COLUMNS};
use crate::progress::Track;
use crate::search_feed::Changed;
use crate::sql::{Sql, Value};
use crate::{
    Backend, ImportPhase, ImportProblem, ImportProgress, NewPerson, Scope, Store, StoreError,
    StoreResult,
};

/// Rows per multi-row insert: each statement stays under 2,000 bound values.
const PERSON_ROWS_PER_STATEMENT: usize = 70;
const MEMBERSHIP_ROWS_PER_STATEMENT: usize = 240;
/// Values per `in (…)` lookup.
const LOOKUP_CHUNK: usize = 900;
/// The writer's page cache during an import (KiB): the random part of a million-row load into
/// a million-row registry (the hash, name and pinyin indexes) fits, the sheet beside it stays
/// under 1 GiB.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;
/// The writer's page cache while it builds the indexes a large load set aside (KiB).
const INDEX_BUILD_CACHE_KIB: i64 = 16 * 1024;
/// Rows prepared ahead of the writer, per hand-over.
const PREPARED_CHUNK: usize = 2_000;

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

/// A row ready to be written: its insert values computed once, its lookup hashes beside them.
struct Prepared {
    row: usize,
    name: String,
    id_hash: Option<String>,
    mobile_hash: Option<String>,
    values: Vec<Value>,
    member_type: Option<String>,
    member_number: Option<String>,
    joined: Option<String>,
}

impl Prepared {
    fn new(cipher: &crate::FieldCipher, item: ImportPerson, org_id: i64, now: i64) -> Prepared {
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

#[derive(Clone, Copy)]
struct Options {
    membership: bool,
    dry_run: bool,
    skip_invalid: bool,
}

/// What the import has found and written so far.
#[derive(Default)]
struct Tally {
    created: usize,
    memberships: usize,
    existing: Vec<ExistingMatch>,
    problems: Vec<ImportProblem>,
    /// Rows the file's own checks refused.
    refused: usize,
}

/// A chunk of prepared rows, and how many rows between them the file's checks refused.
struct Chunk {
    rows: Vec<Prepared>,
    refused: usize,
}

impl Chunk {
    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// A chunk checked against the registry: who is already registered, which membership numbers
/// are repeated or taken, and so which rows to leave out.
struct Checked {
    chunk: Chunk,
    existing: Vec<ExistingMatch>,
    problems: Vec<ImportProblem>,
    skipped: HashSet<usize>,
}

impl Store {
    /// Imports people kept by `org_id` (in scope, writable), each also made a member of it when
    /// `membership` is set. `rows` gives `None` for a row the file's own checks refused (the
    /// caller reports it). With `skip_invalid`, rows with problems are left out and the rest
    /// written; otherwise any problem writes nothing. A dry run writes nothing.
    #[tracing::instrument(skip_all, fields(dry_run, skip_invalid), err)]
    #[allow(clippy::too_many_arguments)]
    pub async fn import_persons<I>(
        &self,
        scope: &Scope,
        org_id: i64,
        rows: I,
        membership: bool,
        dry_run: bool,
        skip_invalid: bool,
        progress: Option<&ImportProgress>,
    ) -> StoreResult<PersonImportOutcome>
    where
        I: Iterator<Item = Option<ImportPerson>> + Send + 'static,
    {
        let options = Options {
            membership,
            dry_run,
            skip_invalid,
        };
        if self.backend != Backend::Sqlite {
            return self
                .import_persons_in(scope, org_id, rows, options, progress)
                .await;
        }
        // The index pages a load touches at random are kept in memory for its duration (a
        // page spilled to the WAL and read back costs more than the row), then let go: the
        // writer of a running server keeps its usual cache.
        self.writer_cache(IMPORT_CACHE_KIB).await?;
        let result = self
            .import_persons_in(scope, org_id, rows, options, progress)
            .await;
        self.writer_cache(crate::WRITER_CACHE_KIB).await?;
        result
    }

    /// Sets the writer's page cache; back to the running size, its sorts go back to one thread.
    async fn writer_cache(&self, kib: i64) -> StoreResult<()> {
        sqlx::query(&format!("pragma cache_size = -{kib}"))
            .execute(&self.write)
            .await?;
        if kib == crate::WRITER_CACHE_KIB {
            sqlx::query("pragma threads = 0")
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    async fn import_persons_in<I>(
        &self,
        scope: &Scope,
        org_id: i64,
        rows: I,
        options: Options,
        progress: Option<&ImportProgress>,
    ) -> StoreResult<PersonImportOutcome>
    where
        I: Iterator<Item = Option<ImportPerson>> + Send + 'static,
    {
        let Options {
            membership,
            dry_run,
            skip_invalid,
        } = options;
        let org = self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let total = rows.size_hint().1.unwrap_or(0);
        progress.begin(ImportPhase::Writing, total);
        // A dry run checks the rows against the registry and writes none (checking a million
        // rows takes seconds, writing them to roll them back a minute), so it does not hold the
        // writer either.
        let mut tx = if dry_run {
            None
        } else {
            Some(self.write.begin().await?)
        };
        let (set_aside, mark) = match tx.as_mut() {
            Some(tx) => (
                self.set_indexes_aside(tx, total, membership).await?,
                Some(self.search_mark(tx, Changed::Person).await?),
            ),
            None => (Vec::new(), None),
        };
        let (chunks, producer) = self.prepare_ahead(rows, org.org_id);
        let (mut checked, checker) = self.check_ahead(chunks, org.org_id, membership);
        let mut tally = Tally::default();
        // Turns false at the first problem unless problems are skipped; the rest of the file is
        // still checked so that the report names every problem.
        let mut writing = tx.is_some();
        while let Some(next) = checked.recv().await {
            let Checked {
                chunk,
                existing,
                problems,
                skipped,
            } = next?;
            tally.refused += chunk.refused;
            tally.existing.extend(existing);
            tally.problems.extend(problems);
            writing &= skip_invalid
                || (tally.refused == 0 && tally.existing.is_empty() && tally.problems.is_empty());
            let rows_in_chunk = chunk.len() + chunk.refused;
            if let (true, Some(tx)) = (writing, tx.as_mut()) {
                let keep: Vec<Prepared> = chunk
                    .rows
                    .into_iter()
                    .filter(|p| !skipped.contains(&p.row))
                    .collect();
                self.write_chunk(tx, org.org_id, membership, keep, &mut tally)
                    .await?;
            }
            progress.advance(rows_in_chunk);
        }
        // Both stages must have finished whole: a stage that died would have ended the stream
        // early, and what was written so far is not the file.
        producer
            .await
            .map_err(|e| StoreError::Other(format!("preparing rows: {e}")))?;
        checker
            .await
            .map_err(|e| StoreError::Other(format!("checking rows: {e}")))?;
        let Tally {
            created,
            memberships,
            existing,
            mut problems,
            ..
        } = tally;
        problems.sort_by_key(|p| p.row);
        let (mut tx, mark) = match (tx, mark, writing) {
            (Some(tx), Some(mark), true) => (tx, mark),
            (tx, _, _) => {
                if let Some(tx) = tx {
                    tx.rollback().await?;
                }
                return Ok(PersonImportOutcome {
                    created: 0,
                    memberships: 0,
                    existing,
                    problems,
                });
            }
        };
        if !set_aside.is_empty() {
            // SQLite sorts an index with helper threads only when the sort spills past the
            // page cache: a small cache and a thread per core build the indexes of a million
            // rows in about two thirds of the time. `import_persons` restores both.
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            for pragma in [
                format!("pragma threads = {threads}"),
                format!("pragma cache_size = -{INDEX_BUILD_CACHE_KIB}"),
            ] {
                sqlx::query(&pragma).execute(&mut *tx).await?;
            }
        }
        for create in set_aside {
            sqlx::query(&create)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    StoreError::conflict_on_unique(
                        e,
                        "该身份证号或会员编号已登记 / an ID number or membership number is already registered",
                    )
                })?;
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

    /// Encrypts, hashes and romanises the rows on a blocking thread, a chunk at a time, at most
    /// two chunks ahead of the writer (memory stays bounded).
    fn prepare_ahead<I>(
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
    fn check_ahead(
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

    /// Writes the kept rows of a chunk, and their memberships.
    async fn write_chunk(
        &self,
        tx: &mut sqlx::AnyConnection,
        org_id: i64,
        membership: bool,
        mut keep: Vec<Prepared>,
        tally: &mut Tally,
    ) -> StoreResult<()> {
        let now = crate::now_ms();
        // Multi-row statements: a round trip to the database per row costs more than the row.
        for part in keep.chunks_mut(PERSON_ROWS_PER_STATEMENT) {
            let mut sql = Sql::bulk(self.backend, "insert into person (");
            sql.push(PERSON_INSERT_COLUMNS).push(") values ");
            for (i, item) in part.iter_mut().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" });
                sql.bind_list(std::mem::take(&mut item.values));
                sql.push(")");
            }
            let ids = self.insert_returning_ids(tx, &mut sql, part.len()).await?;
            tally.created += ids.len();
            if !membership {
                continue;
            }
            for members in part
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
                for (i, (item, person_id)) in members.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" })
                        .bind_int(**person_id)
                        .push(", ")
                        .bind_int(org_id)
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
                sql.take_query().execute(&mut *tx).await?;
                tally.memberships += members.len();
            }
        }
        Ok(())
    }

    /// Runs a multi-row `insert into person` of `rows` rows and returns their ids in the order
    /// of the VALUES list. On SQLite the ids are the last inserted rowid and the ones before it:
    /// the table is AUTOINCREMENT and the import holds the only write transaction, so one
    /// statement's rows get consecutive ids (asking for them back with `returning` would send
    /// each id from the database thread as a message of its own). PostgreSQL returns them,
    /// numbered in the order of the list.
    async fn insert_returning_ids(
        &self,
        tx: &mut sqlx::AnyConnection,
        sql: &mut Sql,
        rows: usize,
    ) -> StoreResult<Vec<i64>> {
        let taken = |e| {
            StoreError::conflict_on_unique(
                e,
                "该身份证号已登记 / this ID number is already registered",
            )
        };
        if self.backend == Backend::Sqlite {
            sql.take_query().execute(&mut *tx).await.map_err(taken)?;
            // sqlx's Any driver does not pass SQLite's last rowid on: ask for it.
            let last: i64 = sqlx::query("select last_insert_rowid() as id")
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
            let first = last - rows as i64 + 1;
            return Ok((first..=last).collect());
        }
        sql.push(" returning person_id");
        let mut ids: Vec<i64> = sql
            .take_query()
            .fetch_all(&mut *tx)
            .await
            .map_err(taken)?
            .iter()
            .map(|r| r.try_get("person_id"))
            .collect::<Result<_, _>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// On SQLite, when the load is more than a quarter of the people already registered, drops the
    /// secondary indexes of the tables it writes (inside the import's transaction, so readers
    /// keep them and a failure restores them) and returns the statements that build them again.
    async fn set_indexes_aside(
        &self,
        tx: &mut sqlx::AnyConnection,
        rows: usize,
        membership: bool,
    ) -> StoreResult<Vec<String>> {
        if self.backend != Backend::Sqlite {
            return Ok(Vec::new());
        }
        let registered: i64 = sqlx::query("select count(*) as n from person")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        // Measured on the province (1M people, 2M memberships): inserting costs ~73 µs a row,
        // rebuilding ~11 s for what is there plus ~25 µs a row, so the two meet near a
        // quarter of the registry (100k rows: 7.3 s inserted, 13.8 s rebuilt; 1M rows: 74 s
        // inserted, 36 s rebuilt).
        if (rows as i64) * 4 <= registered {
            return Ok(Vec::new());
        }
        let tables = if membership {
            "'person', 'membership'"
        } else {
            "'person'"
        };
        // Indexes a table constraint made have no `sql` and cannot be dropped; they stay.
        let indexes = sqlx::query(&format!(
            "select name, sql from sqlite_master where type = 'index' and sql is not null \
             and tbl_name in ({tables}) order by name"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut create = Vec::new();
        for index in indexes {
            let name: String = index.try_get("name")?;
            sqlx::query(&format!("drop index \"{name}\""))
                .execute(&mut *tx)
                .await?;
            create.push(index.try_get("sql")?);
        }
        Ok(create)
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
