//! The index on disk (or in memory for tests): its schema, its documents, and the state of the
//! feed kept in the payload of each commit, so the documents and the high-water mark they reflect
//! are saved together or not at all.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kexie_store::{OrgDoc, PersonDoc};
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis;
use crate::tokenize;
use crate::SearchError;

/// Bump when the schema or the analyses change: an index of another version is rebuilt.
pub(crate) const FORMAT: u32 = 1;

/// Memory of the one indexing thread: enough for tens of thousands of documents per segment,
/// little next to the server's budget.
const WRITER_MEMORY: usize = 48 * 1024 * 1024;

/// The fields of every document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// "p123" or "o45": what an update deletes by.
    pub key: Field,
    /// "person" or "org".
    pub kind: Field,
    /// The person's or organisation's id (fast: read back for each hit).
    pub id: Field,
    /// Materialised paths of the organisation (the person's keeping organisation) and of its
    /// ancestors: a scope root matches one of them exactly.
    pub scope: Field,
    pub name: Field,
    pub name_exact: Field,
    pub code: Field,
    pub text: Field,
    pub words: Field,
    pub pinyin: Field,
    pub initials: Field,
}

fn text_field(tokenizer: &str, positions: bool) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(if positions {
                IndexRecordOption::WithFreqsAndPositions
            } else {
                IndexRecordOption::WithFreqs
            }),
    )
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING),
        id: b.add_u64_field("id", NumericOptions::default().set_indexed().set_fast()),
        scope: b.add_text_field("scope", STRING),
        name: b.add_text_field("name", text_field(tokenize::NAME, true)),
        name_exact: b.add_text_field("name_exact", STRING),
        code: b.add_text_field("code", STRING),
        text: b.add_text_field("text", text_field(tokenize::TEXT, true)),
        words: b.add_text_field("words", text_field(tokenize::WORDS, false)),
        pinyin: b.add_text_field("pinyin", STRING),
        initials: b.add_text_field("initials", STRING),
    };
    (b.build(), fields)
}

/// What the last commit saved besides the documents.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FeedState {
    pub format: u32,
    /// The database the index was built from (`search.epoch`).
    pub epoch: String,
    /// Every change up to this id is in the index, except `gaps`.
    pub applied: i64,
    /// Change ids below `applied` not seen yet, with when they were first missed (ms): on
    /// PostgreSQL a transaction may commit its change after a later one has been applied.
    #[serde(default)]
    pub gaps: Vec<(i64, i64)>,
}

pub(crate) struct Inner {
    pub reader: IndexReader,
    pub writer: Mutex<IndexWriter>,
    pub fields: Fields,
    pub state: Mutex<Option<FeedState>>,
    /// One catch-up or rebuild at a time.
    pub applying: tokio::sync::Mutex<()>,
    pub dir: Option<PathBuf>,
}

/// The search index: cheap to clone, shared by the requests and the feed.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) inner: Arc<Inner>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if needed. An index of another format is derived
    /// data of no use: it is removed and started afresh (the feed then rebuilds it).
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let io = |e: std::io::Error| {
            SearchError::Io(format!(
                "无法使用检索索引目录 {} / cannot use the search index directory: {e}",
                dir.display()
            ))
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema();
        let existing = Index::open_in_dir(dir).ok();
        let index = match existing {
            Some(index)
                if index.schema() == schema
                    && read_state(&index).is_none_or(|s| s.format == FORMAT) =>
            {
                index
            }
            other => {
                if other.is_some() {
                    tracing::warn!("search index of another format: starting afresh");
                }
                drop(other);
                std::fs::remove_dir_all(dir).map_err(io)?;
                std::fs::create_dir_all(dir).map_err(io)?;
                let directory = MmapDirectory::open(dir)
                    .map_err(|e| SearchError::Io(format!("{}: {e}", dir.display())))?;
                Index::create(directory, schema, tantivy::IndexSettings::default())?
            }
        };
        SearchIndex::with_index(index, fields, Some(dir.to_path_buf()))
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        SearchIndex::with_index(Index::create_in_ram(schema), fields, None)
    }

    fn with_index(
        index: Index,
        fields: Fields,
        dir: Option<PathBuf>,
    ) -> Result<SearchIndex, SearchError> {
        tokenize::register(&index);
        let writer = index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => SearchError::Busy(
                    "检索索引正被另一个 Kexie 进程使用（运行中的服务会自行维护索引） / the search \
                     index is in use by another Kexie process (a running server keeps it up to date itself)"
                        .into(),
                ),
                other => other.into(),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let state = read_state(&index);
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                reader,
                writer: Mutex::new(writer),
                fields,
                state: Mutex::new(state),
                applying: tokio::sync::Mutex::new(()),
                dir,
            }),
        })
    }

    /// Where the index lives (none in memory).
    pub fn dir(&self) -> Option<&Path> {
        self.inner.dir.as_deref()
    }

    /// The newest change the index reflects (0 before the first build).
    pub fn applied_through(&self) -> i64 {
        self.state().map(|s| s.applied).unwrap_or(0)
    }

    /// How many people and organisations the index holds.
    pub fn counts(&self) -> Result<(u64, u64), SearchError> {
        let searcher = self.inner.reader.searcher();
        let count = |kind: &str| -> Result<u64, SearchError> {
            let q = TermQuery::new(
                Term::from_field_text(self.inner.fields.kind, kind),
                IndexRecordOption::Basic,
            );
            Ok(searcher.search(&q, &tantivy::collector::Count)? as u64)
        };
        Ok((count("person")?, count("org")?))
    }

    /// Whether the index has been built from this database: until then searches find nothing.
    pub fn is_ready(&self) -> bool {
        self.state().is_some()
    }

    pub(crate) fn set_state(&self, state: Option<FeedState>) {
        *self.inner.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
    }

    pub(crate) fn state(&self) -> Option<FeedState> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn read_state(index: &Index) -> Option<FeedState> {
    let payload = index.load_metas().ok()?.payload?;
    serde_json::from_str(&payload).ok()
}

impl Inner {
    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves nothing half-done that a later commit would
        // save: tantivy commits only what was added before it, whole.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn person_document(&self, p: &PersonDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, format!("p{}", p.person_id));
        doc.add_text(f.kind, "person");
        doc.add_u64(f.id, p.person_id as u64);
        for path in analysis::path_prefixes(&p.org_path) {
            doc.add_text(f.scope, path);
        }
        doc.add_text(f.name, &p.name);
        doc.add_text(f.name_exact, analysis::exact(&p.name));
        doc.add_text(f.words, &p.name);
        for value in [&p.employer, &p.department, &p.discipline]
            .into_iter()
            .flatten()
        {
            doc.add_text(f.text, value);
            doc.add_text(f.words, value);
        }
        for term in analysis::pinyin_terms(&p.name, true) {
            doc.add_text(f.pinyin, term);
        }
        for term in analysis::initials_terms(&p.name, true) {
            doc.add_text(f.initials, term);
        }
        doc
    }

    pub fn org_document(&self, o: &OrgDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, format!("o{}", o.org_id));
        doc.add_text(f.kind, "org");
        doc.add_u64(f.id, o.org_id as u64);
        for path in analysis::path_prefixes(&o.path) {
            doc.add_text(f.scope, path);
        }
        doc.add_text(f.code, analysis::exact(&o.code));
        for name in std::iter::once(&o.name).chain(o.short_name.as_ref()) {
            doc.add_text(f.name, name);
            doc.add_text(f.name_exact, analysis::exact(name));
            doc.add_text(f.words, name);
            for term in analysis::pinyin_terms(name, false) {
                doc.add_text(f.pinyin, term);
            }
            for term in analysis::initials_terms(name, false) {
                doc.add_text(f.initials, term);
            }
        }
        doc
    }

    /// Replaces people: each document deletes the older one with its key.
    pub fn put_persons(&self, persons: &[PersonDoc]) -> Result<(), SearchError> {
        let docs: Vec<_> = persons.iter().map(|p| self.person_document(p)).collect();
        let writer = self.writer();
        for (p, doc) in persons.iter().zip(docs) {
            writer.delete_term(Term::from_field_text(
                self.fields.key,
                &format!("p{}", p.person_id),
            ));
            writer.add_document(doc)?;
        }
        Ok(())
    }

    pub fn put_orgs(&self, orgs: &[OrgDoc]) -> Result<(), SearchError> {
        let docs: Vec<_> = orgs.iter().map(|o| self.org_document(o)).collect();
        let writer = self.writer();
        for (o, doc) in orgs.iter().zip(docs) {
            writer.delete_term(Term::from_field_text(
                self.fields.key,
                &format!("o{}", o.org_id),
            ));
            writer.add_document(doc)?;
        }
        Ok(())
    }

    /// Deletes the documents of `kind` with ids `first..=last` (before their rows are re-read: a
    /// row gone from the database stays gone from the index).
    pub fn delete_range(&self, kind: &str, first: i64, last: i64) -> Result<(), SearchError> {
        let writer = self.writer();
        let f = &self.fields;
        if first == last {
            let prefix = if kind == "person" { "p" } else { "o" };
            writer.delete_term(Term::from_field_text(f.key, &format!("{prefix}{first}")));
            return Ok(());
        }
        let range = RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_u64(f.id, first.max(0) as u64)),
            std::ops::Bound::Included(Term::from_field_u64(f.id, last.max(0) as u64)),
        );
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, kind),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (Occur::Must, Box::new(range)),
        ]);
        writer.delete_query(Box::new(query))?;
        Ok(())
    }

    pub fn delete_all(&self) -> Result<(), SearchError> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Commits what was added with the feed's new state, then shows it to searches.
    pub fn commit(&self, state: FeedState) -> Result<(), SearchError> {
        let payload =
            serde_json::to_string(&state).map_err(|e| SearchError::Io(format!("payload: {e}")))?;
        {
            let mut writer = self.writer();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(state);
        Ok(())
    }

    /// Drops what was added since the last commit (a rebuild or catch-up that failed half-way).
    pub fn rollback(&self) {
        if let Err(e) = self.writer().rollback() {
            tracing::warn!(error = %e, "search index rollback failed");
        }
    }
}
