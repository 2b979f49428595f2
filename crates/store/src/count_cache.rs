//! Totals of large listings, remembered until the data changes.
//!
//! A ledger page shows 50 rows and the number of lines matching; the rows come from an index
//! walk in a millisecond, but the total of a province's ledger means counting hundreds of
//! thousands of memberships. Offices page through the same filter many times, so the total is
//! kept, keyed by the exact query, together with the data's generation: the highest audit id.
//! Every write appends an audit row in its own transaction (the store's rule), whichever process
//! or node made it, so a changed generation means "counted before something was written" and
//! the total is counted again. Reading the generation is one primary-key lookup.

use std::collections::HashMap;
use std::sync::Mutex;

use sqlx::Row;

use crate::sql::Sql;
use crate::{Account, Org, Store, StoreResult};

/// How many distinct queries are remembered; the map is emptied when it is full (cheap, and a
/// busy office's working set is a handful of filters).
const CAPACITY: usize = 512;

/// Where a page of a sorted listing ended: its last row's sort key (pinyin, person id, row id).
pub(crate) type Anchor = (String, i64, i64);

#[derive(Debug, Default)]
pub(crate) struct CountCache {
    counts: Mutex<HashMap<String, (i64, i64)>>,
    /// The end of a page served, keyed by the listing and the offset where the next page starts:
    /// "next page" then continues from there instead of stepping over every row before it.
    anchors: Mutex<HashMap<(String, i64), (i64, Anchor)>>,
    /// Organisations by id, as read at a generation: every request names one.
    orgs: Mutex<HashMap<i64, (i64, Org)>>,
    /// The account behind a bearer token (by the token's hash), as read at a generation, with
    /// the token's expiry: every API request starts by asking.
    tokens: Mutex<HashMap<String, (i64, i64, Account)>>,
}

fn remember<K: std::hash::Hash + Eq, V>(map: &Mutex<HashMap<K, V>>, key: K, value: V) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(key, value);
}

impl CountCache {
    fn get(&self, key: &str, generation: i64) -> Option<i64> {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts
            .get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, n)| *n)
    }

    pub(crate) fn anchor(&self, key: &str, offset: i64, generation: i64) -> Option<Anchor> {
        let anchors = self.anchors.lock().unwrap_or_else(|e| e.into_inner());
        anchors
            .get(&(key.to_string(), offset))
            .filter(|(g, _)| *g == generation)
            .map(|(_, a)| a.clone())
    }

    pub(crate) fn put_anchor(&self, key: String, offset: i64, generation: i64, anchor: Anchor) {
        remember(&self.anchors, (key, offset), (generation, anchor));
    }

    pub(crate) fn org(&self, org_id: i64, generation: i64) -> Option<Org> {
        let orgs = self.orgs.lock().unwrap_or_else(|e| e.into_inner());
        orgs.get(&org_id)
            .filter(|(g, _)| *g == generation)
            .map(|(_, o)| o.clone())
    }

    pub(crate) fn put_org(&self, generation: i64, org: Org) {
        remember(&self.orgs, org.org_id, (generation, org));
    }

    /// The account of a token hash read at `generation`, unless the token has expired by `now`.
    pub(crate) fn token(&self, hash: &str, generation: i64, now: i64) -> Option<Account> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens
            .get(hash)
            .filter(|(g, expires, _)| *g == generation && *expires > now)
            .map(|(_, _, a)| a.clone())
    }

    pub(crate) fn put_token(&self, hash: String, generation: i64, expires: i64, account: Account) {
        remember(&self.tokens, hash, (generation, expires, account));
    }
}

impl Store {
    /// Forgets every remembered total, as a write would: benchmarks time the counting itself.
    pub fn forget_remembered_counts(&self) {
        self.counts
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.counts
            .anchors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.counts
            .orgs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The data's generation: the highest audit id (0 in an empty database).
    pub(crate) async fn generation(&self) -> StoreResult<i64> {
        let row =
            sqlx::query("select cast(coalesce(max(audit_id), 0) as bigint) as g from audit_log")
                .fetch_one(&self.read)
                .await?;
        Ok(row.try_get("g")?)
    }

    /// `count` (a query selecting one bigint column `n`), from the cache when nothing was written
    /// since `generation`, when it was last counted.
    pub(crate) async fn cached_count(&self, count: &Sql, generation: i64) -> StoreResult<i64> {
        let key = count.cache_key();
        if let Some(n) = self.counts.get(&key, generation) {
            return Ok(n);
        }
        let n: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
        remember(&self.counts.counts, key, (generation, n));
        Ok(n)
    }
}
