//! Importing people: the whole file in one transaction or nothing (unless the caller asks to
//! skip invalid rows), with people already registered reported as duplicates.
//!
//! A province's register is a million rows, so the work is spread over the machine: one
//! blocking thread encrypts, hashes and romanises the next chunk of rows (`stages`), a task
//! checks the chunk before against the registry on a reading connection (`checks`), and the
//! writer (`writer`) inserts the chunk before that. The registry is checked through
//! fingerprints of its keys read at the start (`registry`), so that only the rows it may hold
//! are looked up.
//! A load of more than a quarter of the registry sets aside the indexes whose keys it scatters
//! (ID number and mobile hashes, names) and builds them again, sorted, before the commit (SQLite
//! only): inserting a million random keys into four B-trees costs more than sorting them once.

mod checks;
pub(crate) mod registry;
mod stages;
mod writer;

use serde::Serialize;
use sqlx::Row;

use crate::progress::Track;
use crate::{
    ImportPhase, ImportProblem, ImportProgress, NewPerson, Scope, Store, StoreError, StoreResult,
};
use checks::Checked;
use stages::Prepared;

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

/// How an import writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonImportOptions {
    /// Each person also becomes a member of the importing organisation.
    pub membership: bool,
    /// Check everything against the registry, write nothing.
    pub dry_run: bool,
    /// Leave out the rows with problems and write the rest (otherwise any problem writes
    /// nothing).
    pub skip_invalid: bool,
    /// The rows the file says it has, when the rows are still being read (0: the rows'
    /// size hint): for progress, and for choosing how to write a large load.
    pub expected_rows: usize,
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

impl Tally {
    /// Nothing found that stops an import which does not skip invalid rows.
    fn clean(&self) -> bool {
        self.refused == 0 && self.existing.is_empty() && self.problems.is_empty()
    }
}

impl Store {
    /// Imports people kept by `org_id` (in scope, writable). `rows` gives `Ok(None)` for a row
    /// the file's own checks refused (the caller reports it), and `Err(message)` when the file
    /// could not be read further: nothing is written then, and the import fails with it.
    #[tracing::instrument(skip_all, fields(dry_run = options.dry_run, skip_invalid = options.skip_invalid), err)]
    pub async fn import_persons<I>(
        &self,
        scope: &Scope,
        org_id: i64,
        rows: I,
        options: PersonImportOptions,
        progress: Option<&ImportProgress>,
    ) -> StoreResult<PersonImportOutcome>
    where
        I: Iterator<Item = Result<Option<ImportPerson>, String>> + Send + 'static,
    {
        let org = self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let total = match options.expected_rows {
            0 => rows.size_hint().1.unwrap_or(0),
            expected => expected,
        };
        progress.begin(ImportPhase::Writing, total);
        // How to write and how to check both depend on how many are registered already.
        let registered: i64 = sqlx::query("select count(*) as n from person")
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        // The rows are prepared and the registry read (on reading connections) while the
        // writer begins: setting a large load's indexes aside reads every page of them.
        let (chunks, producer) = self.prepare_ahead(rows);
        let (mut checked, checker) =
            self.check_ahead(chunks, registered, org.org_id, options.membership);
        // A dry run checks the rows against the registry and writes none (checking a million
        // rows takes seconds, writing them to roll them back a minute), so it does not hold the
        // writer either.
        let mut writer = match options.dry_run {
            true => None,
            false => Some(
                self.begin_import(org.org_id, total, registered, options.membership)
                    .await?,
            ),
        };
        let mut tally = Tally::default();
        let started = std::time::Instant::now();
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
            progress.advance(chunk.len() + chunk.refused);
            // At the first problem the writing stops, unless problems are skipped; the rest of
            // the file is still checked so that the report names every problem.
            if !(options.skip_invalid || tally.clean()) {
                if let Some(writer) = writer.take() {
                    writer.abandon().await?;
                }
            }
            if let Some(writer) = writer.as_mut() {
                let keep: Vec<Prepared> = chunk
                    .rows
                    .into_iter()
                    .filter(|p| !skipped.contains(&p.row))
                    .collect();
                self.write_chunk(writer, options.membership, keep, &mut tally)
                    .await?;
            }
        }
        // Both stages must have finished whole: a stage that died would have ended the stream
        // early, and what was written so far is not the file.
        producer
            .await
            .map_err(|e| StoreError::Other(format!("preparing rows: {e}")))?
            .map_err(StoreError::Invalid)?;
        checker
            .await
            .map_err(|e| StoreError::Other(format!("checking rows: {e}")))?;
        tally.problems.sort_by_key(|p| p.row);
        tracing::info!(
            rows = tally.created,
            seconds = started.elapsed().as_secs_f64(),
            "import rows written"
        );
        match writer {
            Some(writer) => {
                self.finish_import(writer, scope, org.org_id, &tally)
                    .await?
            }
            None => {
                tally.created = 0;
                tally.memberships = 0;
            }
        }
        Ok(PersonImportOutcome {
            created: tally.created,
            memberships: tally.memberships,
            existing: tally.existing,
            problems: tally.problems,
        })
    }
}
