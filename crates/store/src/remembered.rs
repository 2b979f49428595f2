//! What the store remembers between requests until the data changes.
//!
//! A ledger page shows 50 rows and the number of lines matching; the rows come from an index
//! walk in a millisecond, but the total of a province's ledger means counting hundreds of
//! thousands of memberships. Offices page through the same filter many times, so the total is
//! kept, keyed by the exact query, together with the data's generation: the highest audit id.
//! Every write appends an audit row in its own transaction (the store's rule), whichever process
//! or node made it, so a changed generation means "read before something was written" and the
//! value is read again. Reading the generation is one primary-key lookup, made once per API
//! request (`Store::token_caller`) and carried in its `Scope`.
//!
//! The same holds for where the last page served ended (so "next page" continues from there),
//! for organisations by id and for the account behind a bearer token: every API request names
//! both. And the day the work-plan reminders last ran, which only moves forward.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use sqlx::Row;

use crate::sql::Sql;
use crate::{Account, Org, Scope, Store, StoreResult};

/// How many values of one kind are remembered; the map is emptied when it is full (cheap, and a
/// busy office's working set is a handful of filters).
const CAPACITY: usize = 512;

/// Where a page of a sorted listing ended: its last row's sort key (pinyin, person id, row id).
pub(crate) type Anchor = (String, i64, i64);

/// Values by key, each as read at a generation.
#[derive(Debug)]
pub(crate) struct Memo<K, V>(Mutex<HashMap<K, (i64, V)>>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// The value of `key`, if it was read at `generation`.
    pub(crate) fn get(&self, key: &K, generation: i64) -> Option<V> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn put(&self, key: K, generation: i64, value: V) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, (generation, value));
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[derive(Debug, Default)]
pub(crate) struct Remembered {
    /// Totals by the query that counts them.
    pub counts: Memo<String, i64>,
    /// The end of a page served, keyed by the listing and the offset where the next page starts.
    pub anchors: Memo<(String, i64), Anchor>,
    /// Organisations by id.
    pub orgs: Memo<i64, Org>,
    /// The account behind a bearer token, by the token's hash, with the token's expiry.
    pub tokens: Memo<String, (i64, Account)>,
    /// The last day this process saw the day's work-plan reminders done (by it or another
    /// node): every page view asks, and only the first of a day needs the database.
    pub reminded_on: Mutex<Option<chrono::NaiveDate>>,
}

impl Store {
    /// Forgets every remembered total, as a write would: benchmarks time the counting itself.
    pub fn forget_remembered_counts(&self) {
        self.remembered.counts.clear();
        self.remembered.anchors.clear();
        self.remembered.orgs.clear();
    }

    /// The data's generation: the highest audit id (0 in an empty database).
    pub(crate) async fn generation(&self) -> StoreResult<i64> {
        let row =
            sqlx::query("select cast(coalesce(max(audit_id), 0) as bigint) as g from audit_log")
                .fetch_one(&self.read)
                .await?;
        Ok(row.try_get("g")?)
    }

    /// The generation the scope's request began at, or the current one.
    pub(crate) async fn generation_of(&self, scope: &Scope) -> StoreResult<i64> {
        match scope.generation() {
            Some(generation) => Ok(generation),
            None => self.generation().await,
        }
    }

    /// Totals counted by one query (bigint columns named `columns`), from memory when nothing
    /// was written since `generation`, when they were last counted.
    pub(crate) async fn cached_counts<const N: usize>(
        &self,
        count: &Sql,
        columns: [&str; N],
        generation: i64,
    ) -> StoreResult<[i64; N]> {
        let key = count.cache_key();
        let keys = columns.map(|column| format!("{key}\n#{column}"));
        let remembered = keys
            .each_ref()
            .map(|key| self.remembered.counts.get(key, generation));
        if remembered.iter().all(Option::is_some) {
            return Ok(remembered.map(Option::unwrap_or_default));
        }
        let row = count.query().fetch_one(&self.read).await?;
        let mut totals = [0; N];
        for (total, column) in totals.iter_mut().zip(columns) {
            *total = row.try_get(column)?;
        }
        for (key, total) in keys.into_iter().zip(totals) {
            self.remembered.counts.put(key, generation, total);
        }
        Ok(totals)
    }

    /// `count` (a query selecting one bigint column `n`), remembered as `cached_counts` does.
    pub(crate) async fn cached_count(&self, count: &Sql, generation: i64) -> StoreResult<i64> {
        let [n] = self.cached_counts(count, ["n"], generation).await?;
        Ok(n)
    }
}
