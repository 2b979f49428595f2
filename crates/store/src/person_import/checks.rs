//! The stage between preparing and writing: each chunk checked against the registry (people
//! already registered, membership numbers repeated or taken) on a reading connection, a chunk
//! ahead of the writer.
//!
//! The registry's keys (ID number and mobile hashes, the organisation's membership numbers) are
//! read once at the start as 64-bit fingerprints: a key whose fingerprint is not among them is
//! not registered, and only the rest, the people of the file already registered (and the rare
//! key that shares a fingerprint), are looked up by index. A million new rows against a million
//! registered cost three million index lookups otherwise, more than the writing.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Row};

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

/// The bits of a fingerprint kept: all of them, except in tests that make nearly every key
/// collide (`testing::coarse_fingerprints`) so that the lookups behind them are exercised.
pub(crate) static FINGERPRINT_MASK: AtomicU64 = AtomicU64::new(u64::MAX);

/// A key's fingerprint: SipHash with fixed keys (the same in every run of the process).
fn fingerprint(key: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish() & FINGERPRINT_MASK.load(Ordering::Relaxed)
}

/// Fingerprints of a set of keys: "not among them" is certain, "among them" is to be looked up.
#[derive(Default)]
struct Fingerprints(HashSet<u64>);

impl Fingerprints {
    fn may_hold(&self, key: &str) -> bool {
        !self.0.is_empty() && self.0.contains(&fingerprint(key))
    }

    /// The keys among `keys` that may be held.
    fn candidates<'a>(&self, keys: impl Iterator<Item = &'a str>) -> Vec<String> {
        keys.filter(|k| self.may_hold(k))
            .map(str::to_string)
            .collect()
    }
}

/// Registered people by lookup hash: hash → (person id, name), lowest id first.
type Found = HashMap<String, Vec<(i64, String)>>;

/// The registry the chunks are checked against.
struct Registry {
    ids: Fingerprints,
    mobiles: Fingerprints,
    /// The importing organisation's membership numbers (for an import of members).
    numbers: Fingerprints,
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

    /// The fingerprints of the registry's keys, read at the start: the people's ID number and
    /// mobile hashes, and for an import of members the organisation's membership numbers.
    async fn registry(
        &self,
        conn: &mut AnyConnection,
        registered: i64,
        org_id: i64,
        membership: bool,
    ) -> StoreResult<Registry> {
        let started = std::time::Instant::now();
        let capacity = usize::try_from(registered).unwrap_or(0);
        let ids = self.fingerprints(conn, "person", "id_number_hash", None, capacity);
        // The mobiles on a second reading connection at the same time when one is free: the
        // rows wait for the registry, and the database reads each column on a thread of its
        // connection's own.
        let (ids, mobiles) = match self.read.try_acquire() {
            Some(mut other) => {
                let mobiles =
                    self.fingerprints(&mut other, "person", "mobile_hash", None, capacity);
                tokio::try_join!(ids, mobiles)?
            }
            None => {
                let ids = ids.await?;
                let mobiles = self
                    .fingerprints(conn, "person", "mobile_hash", None, capacity)
                    .await?;
                (ids, mobiles)
            }
        };
        let numbers = match membership {
            false => Fingerprints::default(),
            true => {
                self.fingerprints(conn, "membership", "number", Some(org_id), 0)
                    .await?
            }
        };
        tracing::info!(
            ids = ids.0.len(),
            mobiles = mobiles.0.len(),
            numbers = numbers.0.len(),
            seconds = started.elapsed().as_secs_f64(),
            "import registry read"
        );
        Ok(Registry {
            ids,
            mobiles,
            numbers,
        })
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

/// Keys per page of the registry's keys read at the start.
const KEYS_PER_PAGE: i64 = 100_000;

impl Store {
    /// The fingerprints of the keys in `column` of `table` (of the organisation `org_id`, when
    /// given), read in key order a page at a time, each page's keys as one string: a row per
    /// key costs the driver a microsecond, more than the key. Each key comes as its length, a
    /// colon and the key, so that no key can be mistaken for two.
    async fn fingerprints(
        &self,
        conn: &mut AnyConnection,
        table: &str,
        column: &str,
        org_id: Option<i64>,
        capacity: usize,
    ) -> StoreResult<Fingerprints> {
        let concat = match self.backend {
            Backend::Sqlite => "group_concat",
            Backend::Postgres => "string_agg",
        };
        let mut set = HashSet::with_capacity(capacity);
        let mut last: Option<String> = None;
        loop {
            let mut sql = Sql::new(&format!(
                "select {concat}(cast(length(k) as text) || ':' || k, '') as keys, \
                 max(k) as last from (select {column} as k from {table} where "
            ));
            if let Some(org_id) = org_id {
                sql.push("org_id = ").bind_int(org_id).push(" and ");
            }
            match last.take() {
                None => sql.push(&format!("{column} is not null")),
                Some(last) => sql.push(&format!("{column} > ")).bind_text(last),
            };
            sql.push(&format!(" order by {column} limit {KEYS_PER_PAGE}) page"));
            let row = sql.query().fetch_one(&mut *conn).await?;
            let Some(keys) = row.try_get::<Option<String>, _>("keys")? else {
                break;
            };
            let mut rest = keys.as_str();
            let mut count = 0;
            while let Some((length, after)) = rest.split_once(':') {
                let length: usize = length.parse().map_err(|_| {
                    crate::StoreError::Other(format!("registry keys: bad length {length:?}"))
                })?;
                let end = after
                    .char_indices()
                    .nth(length)
                    .map_or(after.len(), |(i, _)| i);
                set.insert(fingerprint(&after[..end]));
                rest = &after[end..];
                count += 1;
            }
            last = row.try_get("last")?;
            if count < KEYS_PER_PAGE {
                break;
            }
        }
        Ok(Fingerprints(set))
    }
}
