//! How far a long import has come, for a progress line on the terminal or a page that refreshes
//! itself (issue 5: "long imports show progress … and can be left running in the background").
//!
//! Three atomics and no lock: the import updates them once per row or batch at the cost of an
//! atomic add, and any thread reads them at any moment. A reader may catch a phase change half
//! done (a new phase with the old count); `snapshot` clamps, so it never shows more than 100%.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use serde::Serialize;

/// The steps of an import, in order; `Done` and `Failed` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    /// Reading the file and checking each row on its own.
    Reading,
    /// Checking the rows against the database (duplicates, parents, numbers taken).
    Checking,
    /// Writing the rows in the import's one transaction.
    Writing,
    Done,
    Failed,
}

impl ImportPhase {
    const ALL: [ImportPhase; 5] = [
        ImportPhase::Reading,
        ImportPhase::Checking,
        ImportPhase::Writing,
        ImportPhase::Done,
        ImportPhase::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportPhase::Reading => "reading",
            ImportPhase::Checking => "checking",
            ImportPhase::Writing => "writing",
            ImportPhase::Done => "done",
            ImportPhase::Failed => "failed",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, ImportPhase::Done | ImportPhase::Failed)
    }
}

/// The live counters of one import.
#[derive(Debug, Default)]
pub struct ImportProgress {
    phase: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
}

/// What a reader sees: the phase and the rows done of the phase's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProgressSnapshot {
    pub phase: ImportPhase,
    pub done: u64,
    pub total: u64,
}

impl ProgressSnapshot {
    /// Whole per cent of the phase done; `None` while the total is not known.
    pub fn percent(&self) -> Option<u64> {
        (self.total > 0).then(|| self.done * 100 / self.total)
    }
}

impl ImportProgress {
    /// A new import, reading its file.
    pub fn new() -> ImportProgress {
        ImportProgress::default()
    }

    /// Enters `phase`, with `total` rows to go through and none done yet.
    pub fn begin(&self, phase: ImportPhase, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total as u64, Ordering::Relaxed);
        self.phase.store(phase as u8, Ordering::Release);
    }

    /// Counts `rows` more rows of the current phase as done.
    pub fn advance(&self, rows: usize) {
        self.done.fetch_add(rows as u64, Ordering::Relaxed);
    }

    /// Ends the import, keeping the counts of the phase it ended in.
    pub fn finish(&self, ok: bool) {
        let phase = if ok {
            ImportPhase::Done
        } else {
            ImportPhase::Failed
        };
        if ok {
            self.done
                .store(self.total.load(Ordering::Relaxed), Ordering::Relaxed);
        }
        self.phase.store(phase as u8, Ordering::Release);
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let phase = ImportPhase::ALL[usize::from(self.phase.load(Ordering::Acquire)).min(4)];
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed).min(total);
        ProgressSnapshot { phase, done, total }
    }
}

/// The store's import entry points take an `Option<&ImportProgress>` (the command line may pass
/// none): these let them report in one line either way.
pub(crate) trait Track {
    fn begin(self, phase: ImportPhase, total: usize);
    fn advance(self, rows: usize);
}

impl Track for Option<&ImportProgress> {
    fn begin(self, phase: ImportPhase, total: usize) {
        if let Some(p) = self {
            p.begin(phase, total);
        }
    }

    fn advance(self, rows: usize) {
        if let Some(p) = self {
            p.advance(rows);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_count_their_own_rows_and_never_pass_the_total() {
        let p = ImportProgress::new();
        assert_eq!(p.snapshot().phase, ImportPhase::Reading);
        p.begin(ImportPhase::Checking, 10);
        p.advance(4);
        assert_eq!(
            p.snapshot(),
            ProgressSnapshot {
                phase: ImportPhase::Checking,
                done: 4,
                total: 10
            }
        );
        assert_eq!(p.snapshot().percent(), Some(40));
        p.advance(20);
        assert_eq!(p.snapshot().done, 10, "clamped to the total");
        p.begin(ImportPhase::Writing, 10);
        assert_eq!(p.snapshot().done, 0);
        p.finish(true);
        let s = p.snapshot();
        assert_eq!((s.phase, s.done, s.total), (ImportPhase::Done, 10, 10));
        assert!(s.phase.is_final());
    }

    #[test]
    fn a_failure_keeps_where_it_stopped_and_an_unknown_total_has_no_percent() {
        let p = ImportProgress::new();
        assert_eq!(p.snapshot().percent(), None);
        p.begin(ImportPhase::Writing, 8);
        p.advance(3);
        p.finish(false);
        let s = p.snapshot();
        assert_eq!((s.phase, s.done), (ImportPhase::Failed, 3));
        None::<&ImportProgress>.advance(1);
    }
}
