//! The full-text index over people and organisations (issue 5): one search box finds them by
//! name, employer, discipline, pinyin and pinyin initials, within the caller's scope.
//!
//! The index is derived data in the data directory (`<data-dir>/search/`). Writes reach it
//! through the change log that the store writes in the same transaction as each change
//! (`search_change`): `SearchIndex::spawn_feed` applies new rows every fraction of a second, and
//! `SearchIndex::rebuild` (`kexie search reindex`) starts again from the tables. The index holds
//! no identity numbers and no phones.
//!
//! Scope is enforced twice: the index filters by the materialised paths of each document's
//! organisation and its ancestors, and every hit is checked against the database in one query
//! before it is returned, so a stale index can hide a fresh record but never show a forbidden one.

mod analysis;
mod feed;
mod index;
mod query;
#[cfg(test)]
mod tests;
mod tokenize;

use kexie_store::{OrgHit, PersonHit, Scope, Store, StoreError};
use serde::Serialize;
use tantivy::collector::TopDocs;

pub use feed::{CaughtUp, Feed, Rebuilt};
pub use index::SearchIndex;
pub use query::MAX_QUERY_CHARS;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Bad input from the caller, with a message Chinese first.
    #[error("{0}")]
    Invalid(String),
    /// Another process holds the index.
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    Io(String),
    #[error("检索索引错误 / search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Person,
    Org,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Org => "org",
        }
    }

    /// `person` or `org`.
    pub fn parse(s: &str) -> Result<Kind, SearchError> {
        match s {
            "person" => Ok(Kind::Person),
            "org" => Ok(Kind::Org),
            other => Err(SearchError::Invalid(format!(
                "kind 只能是 person 或 org / kind must be person or org, not {other}"
            ))),
        }
    }
}

/// The hits of one search, each kind in order of relevance.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Found {
    pub orgs: Vec<OrgHit>,
    pub persons: Vec<PersonHit>,
}

/// The largest number of hits of each kind a search returns.
pub const MAX_LIMIT: usize = 100;

impl SearchIndex {
    /// The ids of the best matches of `text` among documents of `kind` in the caller's scope,
    /// best first: the index alone (see `find` for what callers get).
    pub fn candidates(
        &self,
        scope: &Scope,
        text: &str,
        kind: Kind,
        limit: usize,
    ) -> Result<Vec<i64>, SearchError> {
        let Some(query) = query::build(&self.inner.fields, text, kind, scope) else {
            return Ok(Vec::new());
        };
        if !self.is_ready() {
            return Ok(Vec::new());
        }
        let searcher = self.inner.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, address) in top {
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("id")?;
            if let Some(id) = column.first(address.doc_id) {
                ids.push(id as i64);
            }
        }
        Ok(ids)
    }

    /// Searches people and organisations (or one `kind`) for `text`, at most `limit` of each,
    /// as the caller may see them. Empty text finds nothing; overlong text is refused.
    pub async fn find(
        &self,
        store: &Store,
        scope: &Scope,
        text: &str,
        kind: Option<Kind>,
        limit: usize,
    ) -> Result<Found, SearchError> {
        let text = text.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::Invalid(format!(
                "检索词不能超过 {MAX_QUERY_CHARS} 个字 / the search text is longer than {MAX_QUERY_CHARS} characters"
            )));
        }
        let limit = limit.clamp(1, MAX_LIMIT);
        // A few more than asked: the database drops any the index still holds in a stale place.
        let ask = limit + limit / 2 + 5;
        let mut found = Found::default();
        if kind != Some(Kind::Person) {
            let ids = self.candidates(scope, text, Kind::Org, ask)?;
            found.orgs = store.org_hits(scope, &ids).await?;
            found.orgs.truncate(limit);
        }
        if kind != Some(Kind::Org) {
            let ids = self.candidates(scope, text, Kind::Person, ask)?;
            found.persons = store.person_hits(scope, &ids).await?;
            found.persons.truncate(limit);
        }
        Ok(found)
    }
}
