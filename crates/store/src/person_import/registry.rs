//! The registry an import is checked against, as fingerprints of its keys read once at the
//! start: a key whose fingerprint is not among them is not registered, and only the rest (the
//! people of the file already registered, and the rare key that shares a fingerprint) are
//! looked up by index (`checks`). A million new rows against a million registered cost three
//! million index lookups otherwise, more than the writing. The lookup hashes are keyed MACs,
//! already as good as random: each is read as its first 16 hex digits, which are its
//! fingerprint, so that reading two million of them costs neither the database nor the import
//! a hash of its own.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::sql::Sql;
use crate::{Backend, Store, StoreResult};

/// Keys per page of the registry's keys read at the start.
const KEYS_PER_PAGE: i64 = 100_000;

/// The bits of a fingerprint kept: all of them, except in tests that make nearly every key
/// collide (`testing::coarse_fingerprints`) so that the lookups behind them are exercised.
pub(crate) static FINGERPRINT_MASK: AtomicU64 = AtomicU64::new(u64::MAX);

/// What the keys of a set are, which decides how they are fingerprinted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Keys {
    /// Lookup hashes (`FieldCipher::lookup_hash`: keyed MAC digits, as good as random): the
    /// fingerprint is the number their first 16 hex digits spell, read without hashing.
    Digests,
    /// Any text (membership numbers): SipHash.
    Text,
}

/// Hex digits of a digest that make its fingerprint.
const DIGEST_DIGITS: usize = 16;

/// A key's fingerprint (the same in every run of the process).
fn fingerprint(keys: Keys, key: &str) -> u64 {
    let digest = match keys {
        Keys::Digests => key.as_bytes().get(..DIGEST_DIGITS).and_then(digest_number),
        Keys::Text => None,
    };
    // A digest that is not one (a value written by hand) is fingerprinted as text, on both
    // sides alike.
    masked(digest.unwrap_or_else(|| {
        let mut hasher = std::hash::DefaultHasher::new();
        key.hash(&mut hasher);
        hasher.finish()
    }))
}

/// A fingerprint with only the bits kept (`FINGERPRINT_MASK`).
fn masked(fingerprint: u64) -> u64 {
    fingerprint & FINGERPRINT_MASK.load(Ordering::Relaxed)
}

/// The number that 16 hex digits spell, or `None` for anything else.
fn digest_number(digits: &[u8]) -> Option<u64> {
    let mut bytes = [0u8; DIGEST_DIGITS / 2];
    hex::decode_to_slice(digits, &mut bytes).ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// Hashes a fingerprint for the set by taking it as it is: fingerprints are already spread
/// evenly, and hashing each of two million again cost more than the set.
#[derive(Default)]
struct AsIs(u64);

impl Hasher for AsIs {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Fingerprints of a set of keys: "not among them" is certain, "among them" is to be looked up.
pub(super) struct Fingerprints {
    keys: Keys,
    set: HashSet<u64, BuildHasherDefault<AsIs>>,
}

impl Fingerprints {
    fn new(keys: Keys, capacity: usize) -> Fingerprints {
        Fingerprints {
            keys,
            set: HashSet::with_capacity_and_hasher(capacity, BuildHasherDefault::default()),
        }
    }

    fn may_hold(&self, key: &str) -> bool {
        !self.set.is_empty() && self.set.contains(&fingerprint(self.keys, key))
    }

    /// The keys among `keys` that may be held.
    pub(super) fn candidates<'a>(&self, keys: impl Iterator<Item = &'a str>) -> Vec<String> {
        keys.filter(|k| self.may_hold(k))
            .map(str::to_string)
            .collect()
    }

    fn len(&self) -> usize {
        self.set.len()
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
        let people = |column| Column {
            table: "person",
            column,
            org_id: None,
            keys: Keys::Digests,
        };
        let ids = self.fingerprints(conn, people("id_number_hash"), capacity);
        // The mobiles on a second reading connection at the same time when one is free: the
        // rows wait for the registry, and the database reads each column on a thread of its
        // connection's own.
        let (ids, mobiles) = match self.read.try_acquire() {
            Some(mut other) => {
                let mobiles = self.fingerprints(&mut other, people("mobile_hash"), capacity);
                tokio::try_join!(ids, mobiles)?
            }
            None => {
                let ids = ids.await?;
                let mobiles = self
                    .fingerprints(conn, people("mobile_hash"), capacity)
                    .await?;
                (ids, mobiles)
            }
        };
        let numbers = Column {
            table: "membership",
            column: "number",
            org_id: Some(org_id),
            keys: Keys::Text,
        };
        let numbers = match membership {
            false => Fingerprints::new(Keys::Text, 0),
            true => self.fingerprints(conn, numbers, 0).await?,
        };
        tracing::info!(
            ids = ids.len(),
            mobiles = mobiles.len(),
            numbers = numbers.len(),
            seconds = started.elapsed().as_secs_f64(),
            "import registry read"
        );
        Ok(Registry {
            ids,
            mobiles,
            numbers,
        })
    }

    /// The fingerprints of the keys in a column, read in key order a page at a time, each
    /// page's keys as one string: a row per key costs the driver a microsecond, more than the
    /// key.
    async fn fingerprints(
        &self,
        conn: &mut AnyConnection,
        column: Column,
        capacity: usize,
    ) -> StoreResult<Fingerprints> {
        let mut set = Fingerprints::new(column.keys, capacity);
        let mut last: Option<String> = None;
        loop {
            // Digests come as their first 16 digits each, which is all their fingerprints
            // take; a page where one is not 16 hex digits is read again as text.
            let digests = match column.keys {
                Keys::Digests => {
                    let sql = column.page(self.backend, PageOf::DigestDigits, last.clone());
                    Page::of_digests(&sql.query().fetch_one(&mut *conn).await?)?
                }
                Keys::Text => None,
            };
            let page = match digests {
                Some(page) => page,
                None => {
                    let sql = column.page(self.backend, PageOf::Keys, last.take());
                    Page::of_keys(&sql.query().fetch_one(&mut *conn).await?, column.keys)?
                }
            };
            let count = page.fingerprints.len();
            set.set.extend(page.fingerprints);
            last = page.last;
            if count < KEYS_PER_PAGE as usize {
                break;
            }
        }
        Ok(set)
    }
}

/// A column of keys the registry is read from.
struct Column {
    table: &'static str,
    column: &'static str,
    /// Only the keys of this organisation's rows.
    org_id: Option<i64>,
    keys: Keys,
}

/// How a page of keys comes from the database.
#[derive(Clone, Copy)]
enum PageOf {
    /// The first 16 digits of each (digests), one after another.
    DigestDigits,
    /// Each key whole, as its length in characters, a colon and the key, so that no key can
    /// be mistaken for two.
    Keys,
}

impl Column {
    /// The query of the page of keys after `last`: the keys as one string, how many, and the
    /// last.
    fn page(&self, backend: Backend, of: PageOf, last: Option<String>) -> Sql {
        let concat = match backend {
            Backend::Sqlite => "group_concat",
            Backend::Postgres => "string_agg",
        };
        let key = match of {
            PageOf::DigestDigits => format!("substr(k, 1, {DIGEST_DIGITS})"),
            PageOf::Keys => "cast(length(k) as text) || ':' || k".to_string(),
        };
        let Column {
            table,
            column,
            org_id,
            ..
        } = self;
        let mut sql = Sql::new(&format!(
            "select {concat}({key}, '') as keys, count(*) as n, max(k) as last \
             from (select {column} as k from {table} where "
        ));
        if let Some(org_id) = org_id {
            sql.push("org_id = ").bind_int(*org_id).push(" and ");
        }
        match last {
            None => sql.push(&format!("{column} is not null")),
            Some(last) => sql.push(&format!("{column} > ")).bind_text(last),
        };
        sql.push(&format!(" order by {column} limit {KEYS_PER_PAGE}) page"));
        sql
    }
}

/// A page of the registry's keys, as their fingerprints.
struct Page {
    fingerprints: Vec<u64>,
    last: Option<String>,
}

impl Page {
    /// A page of digest digits (`PageOf::DigestDigits`), or `None` when a key in it was not a
    /// digest (shorter than 16 characters, or not hex).
    fn of_digests(row: &AnyRow) -> StoreResult<Option<Page>> {
        let keys: Option<String> = row.try_get("keys")?;
        let count: i64 = row.try_get("n")?;
        let digits = keys.as_deref().unwrap_or("").as_bytes();
        if digits.len() != DIGEST_DIGITS * usize::try_from(count).unwrap_or(0) {
            return Ok(None);
        }
        let Some(fingerprints) = digits
            .chunks(DIGEST_DIGITS)
            .map(|digits| digest_number(digits).map(masked))
            .collect::<Option<Vec<u64>>>()
        else {
            return Ok(None);
        };
        Ok(Some(Page {
            fingerprints,
            last: row.try_get("last")?,
        }))
    }

    /// A page of whole keys (`PageOf::Keys`) of the kind `keys`.
    fn of_keys(row: &AnyRow, keys: Keys) -> StoreResult<Page> {
        let text: Option<String> = row.try_get("keys")?;
        let mut fingerprints = Vec::new();
        let mut rest = text.as_deref().unwrap_or("");
        while let Some((length, after)) = rest.split_once(':') {
            let length: usize = length.parse().map_err(|_| {
                crate::StoreError::Other(format!("registry keys: bad length {length:?}"))
            })?;
            let end = after
                .char_indices()
                .nth(length)
                .map_or(after.len(), |(i, _)| i);
            fingerprints.push(fingerprint(keys, &after[..end]));
            rest = &after[end..];
        }
        Ok(Page {
            fingerprints,
            last: row.try_get("last")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_fingerprinted_by_its_first_sixteen_digits() {
        let digest = "0123456789abcdef0123456789abcdef";
        assert_eq!(fingerprint(Keys::Digests, digest), 0x0123_4567_89ab_cdef);
        // The digits a page of digests brings spell the same number.
        assert_eq!(
            digest_number(&digest.as_bytes()[..DIGEST_DIGITS]),
            Some(0x0123_4567_89ab_cdef)
        );
        // Text is hashed, even when it looks like a digest.
        assert_ne!(fingerprint(Keys::Text, digest), 0x0123_4567_89ab_cdef);
    }

    #[test]
    fn a_value_that_is_not_a_digest_is_hashed_as_text() {
        for key in [
            "by-hand",
            "zzzzzzzzzzzzzzzzzzzz",
            "0123456789abcde",
            "会员编号0123456789abcdef",
        ] {
            assert_eq!(digest_number(key.as_bytes().get(..16).unwrap_or(b"")), None);
            assert_eq!(
                fingerprint(Keys::Digests, key),
                fingerprint(Keys::Text, key),
                "{key}"
            );
        }
    }
}
