//! The registry an import is checked against, as fingerprints of its keys read once at the
//! start: a key whose fingerprint is not among them is not registered, and only the rest (the
//! people of the file already registered, and the rare key that shares a fingerprint) are
//! looked up by index (`checks`). A million new rows against a million registered cost three
//! million index lookups otherwise, more than the writing.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AnyConnection, Row};

use crate::sql::Sql;
use crate::{Backend, Store, StoreResult};

/// Keys per page of the registry's keys read at the start.
const KEYS_PER_PAGE: i64 = 100_000;

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
pub(super) struct Fingerprints(HashSet<u64>);

impl Fingerprints {
    fn may_hold(&self, key: &str) -> bool {
        !self.0.is_empty() && self.0.contains(&fingerprint(key))
    }

    /// The keys among `keys` that may be held.
    pub(super) fn candidates<'a>(&self, keys: impl Iterator<Item = &'a str>) -> Vec<String> {
        keys.filter(|k| self.may_hold(k))
            .map(str::to_string)
            .collect()
    }
}

/// The registry the chunks are checked against.
pub(super) struct Registry {
    pub(super) ids: Fingerprints,
    pub(super) mobiles: Fingerprints,
    /// The importing organisation's membership numbers (for an import of members).
    pub(super) numbers: Fingerprints,
}

impl Store {
    /// The fingerprints of the registry's keys, read at the start: the people's ID number and
    /// mobile hashes, and for an import of members the organisation's membership numbers.
    pub(super) async fn registry(
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
