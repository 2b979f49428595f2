//! The stage between preparing and writing: each chunk checked against the registry (people
//! already registered, membership numbers repeated or taken) on a reading connection, a chunk
//! ahead of the writer. Only the rows whose keys the registry's fingerprints (`registry`) may
//! hold are looked up by index.

use std::collections::{HashMap, HashSet};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Row};

use super::registry::Registry;
use super::stages::{Chunk, Prepared};
use super::ExistingMatch;
use crate::sql::{Sql, Value};
use crate::{Backend, ImportProblem, Store, StoreResult};

/// Values per `in (…)` lookup.
const LOOKUP_CHUNK: usize = 900;
/// Past this many people registered, the connection that looks rows up keeps the indexes it
/// visits in a cache of its own.
const LARGE_REGISTRY: i64 = 100_000;
/// The page cache of the connection that checks a load against a large registry (KiB): the
/// two hash indexes and the membership numbers of a million-person registry, which a file of
/// people already registered visits all over.
const CHECK_CACHE_KIB: i64 = 160 * 1024;

/// Registered people by lookup hash: hash → (person id, name), lowest id first.
type Found = HashMap<String, Vec<(i64, String)>>;

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

    /// The reading connection the checks run on. When the registry is large, the people a
    /// file shares with it are looked up all over its hash and membership-number indexes: on
    /// SQLite the connection keeps them in a cache of its own (a reader's default is 2 MiB,
    /// and each page read again from the OS is a system call and a copy), and is closed after
    /// the import rather than handed back to the pool with it.
    async fn checking_connection(&self, registered: i64) -> StoreResult<PoolConnection<Any>> {
        let mut conn = self.read.acquire().await?;
        if self.backend == Backend::Sqlite && registered > LARGE_REGISTRY {
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
            let candidates = registry
                .numbers
                .candidates(to_check.iter().map(|(_, n)| *n));
            let taken = self.numbers_taken(conn, org_id, &candidates).await?;
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
    /// phone. The rows whose hashes the registry may hold are looked up by index on the reading
    /// connection (the registry as committed), `LOOKUP_CHUNK` a query.
    async fn registered_among(
        &self,
        conn: &mut AnyConnection,
        registry: &Registry,
        rows: &[Prepared],
    ) -> StoreResult<Vec<ExistingMatch>> {
        let ids = registry
            .ids
            .candidates(rows.iter().filter_map(|p| p.id_hash.as_deref()));
        let by_id = self.people_by(conn, "id_number_hash", ids).await?;
        let mobiles = registry
            .mobiles
            .candidates(rows.iter().filter_map(|p| p.mobile_hash.as_deref()));
        let by_mobile = self.people_by(conn, "mobile_hash", mobiles).await?;
        Ok(existing_among(rows, &by_id, &by_mobile))
    }

    /// People whose lookup hash in `column` (`id_number_hash` or `mobile_hash`) is among `keys`.
    async fn people_by(
        &self,
        conn: &mut AnyConnection,
        column: &str,
        keys: Vec<String>,
    ) -> StoreResult<Found> {
        let head = format!("select person_id, {column} as k, name from person where {column} in (");
        let mut found = Found::new();
        for chunk in keys.chunks(LOOKUP_CHUNK) {
            let mut sql = Sql::bulk(self.backend, &head);
            sql.bind_list(chunk.iter().map(|k| Value::Text(k.clone())));
            sql.push(") order by person_id");
            add_found(&mut found, sql.query().fetch_all(&mut *conn).await?)?;
        }
        Ok(found)
    }

    /// Which of `numbers` are already membership numbers of `org_id`.
    async fn numbers_taken(
        &self,
        conn: &mut AnyConnection,
        org_id: i64,
        numbers: &[String],
    ) -> StoreResult<HashSet<String>> {
        let mut taken = HashSet::new();
        for chunk in numbers.chunks(LOOKUP_CHUNK) {
            let mut sql = Sql::bulk(
                self.backend,
                "select number from membership where org_id = ",
            );
            sql.bind_int(org_id).push(" and number in (");
            sql.bind_list(chunk.iter().map(|n| Value::Text(n.clone())));
            sql.push(")");
            for r in sql.query().fetch_all(&mut *conn).await? {
                taken.insert(r.try_get("number")?);
            }
        }
        Ok(taken)
    }
}
