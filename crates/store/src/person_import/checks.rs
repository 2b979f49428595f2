//! The stage between preparing and writing: each chunk checked against the registry (people
//! already registered, membership numbers repeated or taken) on a reading connection, a chunk
//! ahead of the writer.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Row};

use super::stages::{Chunk, Prepared};
use super::ExistingMatch;
use crate::sql::{Sql, Value};
use crate::{Backend, ImportProblem, Store, StoreResult};

/// Values per `in (…)` lookup.
const LOOKUP_CHUNK: usize = 900;
/// Up to this many people registered, the import reads their lookup hashes (and the importing
/// organisation's membership numbers) once and checks every chunk in memory: a province moving
/// its register into a new system checks a million rows against a few hundred people, and a
/// query per chunk costs more than the answer. Past it, each chunk is looked up by index. A
/// static so that tests can send a small registry down the second path
/// (`testing::look_registry_up_by_index`).
pub(crate) static LOAD_REGISTRY_UP_TO: AtomicI64 = AtomicI64::new(100_000);

/// The page cache of the connection that checks a load against a large registry (KiB): the
/// two hash indexes and the membership numbers of a million-person registry.
const CHECK_CACHE_KIB: i64 = 160 * 1024;

/// Registered people by lookup hash: hash → (person id, name), lowest id first.
type Found = HashMap<String, Vec<(i64, String)>>;

/// The registry the chunks are checked against.
enum Registry {
    /// Read whole at the start (a small registry).
    Loaded {
        by_id: Found,
        by_mobile: Found,
        numbers: HashSet<String>,
    },
    /// Looked up a chunk at a time on a reading connection.
    Indexed,
}

/// Adds rows of (person_id, k, name) to `found`, in their order.
fn add_found(found: &mut Found, rows: Vec<sqlx::any::AnyRow>) -> StoreResult<()> {
    for r in rows {
        found
            .entry(r.try_get("k")?)
            .or_default()
            .push((r.try_get("person_id")?, r.try_get("name")?));
    }
    Ok(())
}

/// The numbers among `wanted` that are in `numbers`.
fn taken_among(numbers: &HashSet<String>, wanted: &[(usize, &str)]) -> HashSet<String> {
    wanted
        .iter()
        .filter(|(_, n)| numbers.contains(*n))
        .map(|(_, n)| n.to_string())
        .collect()
}

/// The rows whose person is among the registered: by ID number, else by name and mobile.
fn existing_among(rows: &[Prepared], by_id: &Found, by_mobile: &Found) -> Vec<ExistingMatch> {
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
    existing
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
    /// Checks each chunk against the registry (on a reading connection) while the writer
    /// writes the one before, and hands it on with what was found.
    pub(super) fn check_ahead(
        &self,
        mut chunks: tokio::sync::mpsc::Receiver<Chunk>,
        registered: i64,
        org_id: i64,
        membership: bool,
    ) -> (
        tokio::sync::mpsc::Receiver<StoreResult<Checked>>,
        tokio::task::JoinHandle<()>,
    ) {
        let store = self.clone();
        let (sender, receiver) = tokio::sync::mpsc::channel(1);
        let checker = tokio::spawn(async move {
            let mut conn = match store.checking_connection(registered).await {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = sender.send(Err(e)).await;
                    return;
                }
            };
            let registry = match store
                .registry(&mut conn, registered, org_id, membership)
                .await
            {
                Ok(registry) => registry,
                Err(e) => {
                    let _ = sender.send(Err(e)).await;
                    return;
                }
            };
            // Membership numbers seen in the file: number → first row.
            let mut numbers = HashMap::new();
            while let Some(chunk) = chunks.recv().await {
                let checked = store
                    .check_chunk(
                        &mut conn,
                        &registry,
                        org_id,
                        membership,
                        chunk,
                        &mut numbers,
                    )
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

    /// The reading connection the checks run on. A large registry is looked up a chunk at a
    /// time through its hash and membership-number indexes, which a million rows visit all
    /// over: on SQLite the connection keeps them in a cache of its own (a reader's default is
    /// 2 MiB, and each page read again from the OS is a system call and a copy), and is closed
    /// after the import rather than handed back to the pool with it.
    async fn checking_connection(&self, registered: i64) -> StoreResult<PoolConnection<Any>> {
        let mut conn = self.read.acquire().await?;
        if self.backend == Backend::Sqlite
            && registered > LOAD_REGISTRY_UP_TO.load(Ordering::Relaxed)
        {
            conn.close_on_drop();
            sqlx::query(&format!("pragma cache_size = -{CHECK_CACHE_KIB}"))
                .execute(&mut *conn)
                .await?;
        }
        Ok(conn)
    }

    /// Checks a chunk against the registry and the rows before it: people already registered,
    /// membership numbers repeated in the file or taken.
    async fn check_chunk(
        &self,
        conn: &mut AnyConnection,
        registry: &Registry,
        org_id: i64,
        membership: bool,
        chunk: Chunk,
        numbers: &mut HashMap<String, usize>,
    ) -> StoreResult<Checked> {
        let existing = self.registered_among(conn, registry, &chunk.rows).await?;
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
            let taken = match registry {
                Registry::Loaded { numbers, .. } => taken_among(numbers, &to_check),
                Registry::Indexed => self.numbers_taken(conn, org_id, &to_check).await?,
            };
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
    /// phone. A small registry was read whole; a large one is looked up by keyed hash on a
    /// reading connection (the registry as committed, with its indexes), a chunk per query.
    async fn registered_among(
        &self,
        conn: &mut AnyConnection,
        registry: &Registry,
        rows: &[Prepared],
    ) -> StoreResult<Vec<ExistingMatch>> {
        match registry {
            Registry::Loaded {
                by_id, by_mobile, ..
            } => Ok(existing_among(rows, by_id, by_mobile)),
            Registry::Indexed => {
                let ids = rows.iter().filter_map(|p| p.id_hash.clone()).collect();
                let by_id = self.people_by(conn, "id_number_hash", Some(ids)).await?;
                let mobiles = rows.iter().filter_map(|p| p.mobile_hash.clone()).collect();
                let by_mobile = self.people_by(conn, "mobile_hash", Some(mobiles)).await?;
                Ok(existing_among(rows, &by_id, &by_mobile))
            }
        }
    }

    /// People by their lookup hash in `column` (`id_number_hash` or `mobile_hash`): every one
    /// that has one (`keys` None), or those whose hash is among `keys`, `LOOKUP_CHUNK` a query.
    async fn people_by(
        &self,
        conn: &mut AnyConnection,
        column: &str,
        keys: Option<Vec<String>>,
    ) -> StoreResult<Found> {
        let head = format!("select person_id, {column} as k, name from person where {column} ");
        let mut found = Found::new();
        let Some(keys) = keys else {
            let mut all = Sql::new(&head);
            all.push("is not null order by person_id");
            add_found(&mut found, all.query().fetch_all(&mut *conn).await?)?;
            return Ok(found);
        };
        for chunk in keys.chunks(LOOKUP_CHUNK) {
            let mut sql = Sql::bulk(self.backend, &head);
            sql.push("in (")
                .bind_list(chunk.iter().map(|k| Value::Text(k.clone())));
            sql.push(") order by person_id");
            add_found(&mut found, sql.query().fetch_all(&mut *conn).await?)?;
        }
        Ok(found)
    }

    /// The registry of `registered` people to check against: read whole when it is small,
    /// else looked up by index.
    async fn registry(
        &self,
        conn: &mut AnyConnection,
        registered: i64,
        org_id: i64,
        membership: bool,
    ) -> StoreResult<Registry> {
        if registered > LOAD_REGISTRY_UP_TO.load(Ordering::Relaxed) {
            return Ok(Registry::Indexed);
        }
        let by_id = self.people_by(conn, "id_number_hash", None).await?;
        let by_mobile = self.people_by(conn, "mobile_hash", None).await?;
        let mut numbers = HashSet::new();
        if membership {
            let mut sql = Sql::new("select number from membership where org_id = ");
            sql.bind_int(org_id).push(" and number is not null");
            for r in sql.query().fetch_all(&mut *conn).await? {
                numbers.insert(r.try_get("number")?);
            }
        }
        Ok(Registry::Loaded {
            by_id,
            by_mobile,
            numbers,
        })
    }

    /// Which of `numbers` are already membership numbers of `org_id`.
    async fn numbers_taken(
        &self,
        conn: &mut AnyConnection,
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
            for r in sql.query().fetch_all(&mut *conn).await? {
                taken.insert(r.try_get("number")?);
            }
        }
        Ok(taken)
    }
}
