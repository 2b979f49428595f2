//! Imports left running in the background (issue 5): the upload is checked and handed to a tokio
//! task, the browser goes to `/imports/{job}` and watches the phase and the rows done, then reads
//! the row-by-row report.
//!
//! Jobs are kept in this node's memory, a bounded number of them, and each is seen only by the
//! account that started it. A load balancer in front of several nodes must therefore send a
//! browser back to the node that took its upload (sticky sessions) until jobs become database
//! rows (DESIGN.md, "Past one machine"). Killing the node loses the job, never half a file: the
//! import writes in one transaction that is then never committed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use kexie_office::limits::Limits;
use kexie_office::report::ImportReport;
use kexie_store::{ImportPhase, ImportProgress, Scope, Store};

use crate::error::AppError;

/// Jobs kept, finished or not; the oldest finished one makes room for a new one.
const MAX_JOBS: usize = 64;
/// Imports one account may have running at once: each holds its file in memory until read.
const MAX_RUNNING_PER_ACCOUNT: usize = 2;

/// What is imported, and where people go.
#[derive(Debug, Clone)]
pub enum ImportKind {
    Orgs,
    /// People kept by this organisation and made its members.
    Persons {
        org_id: i64,
        org_name: String,
    },
}

/// The upload a job works on.
pub struct ImportRequest {
    pub kind: ImportKind,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub dry_run: bool,
    pub skip_invalid: bool,
    /// "Today" for the people checks (birth dates in the past).
    pub today: chrono::NaiveDate,
}

/// How a job ended.
pub enum JobOutcome {
    /// The file was read and checked: the report says what was written (maybe nothing).
    Finished {
        report: ImportReport,
        created: usize,
        memberships: usize,
    },
    /// The file could not be read, or the import failed: a message for the person.
    Failed { message: String },
}

pub struct ImportJob {
    pub id: String,
    account_id: i64,
    pub kind: ImportKind,
    pub file_name: String,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub progress: ImportProgress,
    outcome: Mutex<Option<JobOutcome>>,
}

impl ImportJob {
    /// The outcome, once the job has one.
    pub fn outcome(&self) -> MutexGuard<'_, Option<JobOutcome>> {
        lock(&self.outcome)
    }

    fn running(&self) -> bool {
        self.outcome().is_none()
    }
}

/// A poisoned lock only means a panic elsewhere while it was held; the data is still whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// This node's import jobs.
#[derive(Default)]
pub struct ImportJobs {
    jobs: Mutex<VecDeque<Arc<ImportJob>>>,
}

impl ImportJobs {
    /// The job `id` if `account_id` started it; anyone else is told it does not exist.
    pub fn get(&self, id: &str, account_id: i64) -> Option<Arc<ImportJob>> {
        lock(&self.jobs)
            .iter()
            .find(|j| j.id == id && j.account_id == account_id)
            .cloned()
    }

    /// Registers a job for `account_id`, making room if needed.
    fn add(&self, account_id: i64, request: &ImportRequest) -> Result<Arc<ImportJob>, AppError> {
        let mut jobs = lock(&self.jobs);
        let running = jobs
            .iter()
            .filter(|j| j.account_id == account_id && j.running())
            .count();
        if running >= MAX_RUNNING_PER_ACCOUNT {
            return Err(AppError::Conflict(format!(
                "您已有 {running} 个导入正在进行，请等其完成后再上传 / you already have {running} imports running: wait for one to finish"
            )));
        }
        if jobs.len() >= MAX_JOBS {
            match jobs.iter().position(|j| !j.running()) {
                Some(oldest_finished) => {
                    jobs.remove(oldest_finished);
                }
                None => {
                    return Err(AppError::Conflict(
                        "服务器正在进行的导入过多，请稍后再试 / too many imports are running: try again later".into(),
                    ))
                }
            }
        }
        let job = Arc::new(ImportJob {
            id: hex::encode(rand::random::<[u8; 12]>()),
            account_id,
            kind: request.kind.clone(),
            file_name: request.file_name.clone(),
            dry_run: request.dry_run,
            skip_invalid: request.skip_invalid,
            progress: ImportProgress::new(),
            outcome: Mutex::new(None),
        });
        jobs.push_back(job.clone());
        Ok(job)
    }

    /// Starts importing `request` in the background as `account_id` within `scope`; returns the
    /// job id to watch.
    pub fn start(
        &self,
        store: &Store,
        scope: Scope,
        account_id: i64,
        request: ImportRequest,
    ) -> Result<String, AppError> {
        let job = self.add(account_id, &request)?;
        let id = job.id.clone();
        let store = store.clone();
        tokio::spawn(async move {
            // The import runs in a task of its own so that even a panic ends the job as failed
            // instead of leaving it "running" for ever.
            let work = tokio::spawn({
                let job = job.clone();
                async move { run(&store, &scope, &job, request).await }
            });
            let outcome = match work.await {
                Ok(outcome) => outcome,
                Err(e) => failed(AppError::Internal(format!("import task ended: {e}"))),
            };
            let ok = matches!(outcome, JobOutcome::Finished { .. });
            tracing::info!(job = %job.id, ok, "import finished");
            // Counters first: whoever sees the outcome then sees final counters too.
            job.progress.finish(ok);
            *job.outcome() = Some(outcome);
        });
        Ok(id)
    }
}

/// A failure as the person sees it: plain, with a reference the log carries for server errors.
fn failed(error: AppError) -> JobOutcome {
    let body = error.body();
    let message = match error {
        AppError::Internal(_) => format!("{} ({})", body.error.message, body.error.reference),
        _ => body.error.message,
    };
    JobOutcome::Failed { message }
}

async fn run(store: &Store, scope: &Scope, job: &ImportJob, request: ImportRequest) -> JobOutcome {
    job.progress.begin(ImportPhase::Reading, 0);
    let ImportRequest {
        kind,
        file_name,
        bytes,
        dry_run,
        skip_invalid,
        today,
    } = request;
    let progress = Some(&job.progress);
    let result = match kind {
        ImportKind::Orgs => {
            // Read whole: a row may name a parent further down.
            let read = read_off_thread(move || {
                kexie_office::sheet::read_sheet_bytes(&bytes, &file_name, &Limits::default())
            });
            let sheet = match read.await {
                Ok(sheet) => sheet,
                Err(failure) => return failure,
            };
            job.progress.begin(ImportPhase::Reading, sheet.rows.len());
            crate::imports::import_orgs(store, scope, &sheet, dry_run, progress)
                .await
                .map(|r| (r.report, r.created, 0))
        }
        ImportKind::Persons { org_id, .. } => {
            // Read on a thread of its own and handed on as the rows before are checked and
            // written, as `kexie import persons` does: a million-row sheet is never held whole.
            let read = read_off_thread(move || {
                kexie_office::stream_sheet_bytes(bytes, file_name, &Limits::default())
            });
            let stream = match read.await {
                Ok(stream) => stream,
                Err(failure) => return failure,
            };
            job.progress
                .begin(ImportPhase::Reading, stream.expected_rows);
            let rows = kexie_office::PersonRows::streamed(stream, today);
            crate::imports::import_person_rows(
                store,
                scope,
                org_id,
                rows,
                dry_run,
                skip_invalid,
                progress,
            )
            .await
            .map(|r| (r.report, r.created, r.memberships))
        }
    };
    match result {
        Ok((report, created, memberships)) => JobOutcome::Finished {
            report,
            created,
            memberships,
        },
        Err(e) => failed(e.into()),
    }
}

/// Runs the opening of a spreadsheet (unpacking and parsing are CPU work) off the request
/// threads; a file refused becomes the job's failure.
async fn read_off_thread<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, kexie_office::OfficeError> + Send + 'static,
) -> Result<T, JobOutcome> {
    match tokio::task::spawn_blocking(read).await {
        Ok(Ok(read)) => Ok(read),
        Ok(Err(e)) => Err(failed(AppError::Unprocessable(e.to_string()))),
        Err(e) => Err(failed(AppError::Internal(format!(
            "reading task ended: {e}"
        )))),
    }
}

/// A spawned task that ends when its owner is dropped (an export abandoned half-way, the
/// server's reminder loop at shutdown).
pub struct AbortOnDrop(pub(crate) tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ImportRequest {
        ImportRequest {
            kind: ImportKind::Orgs,
            file_name: "orgs.csv".into(),
            bytes: Vec::new(),
            dry_run: false,
            skip_invalid: false,
            today: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        }
    }

    fn finish(job: &ImportJob) {
        job.progress.finish(false);
        *job.outcome() = Some(JobOutcome::Failed {
            message: "x".into(),
        });
    }

    #[test]
    fn an_account_runs_two_imports_at_once_and_a_third_waits() {
        let jobs = ImportJobs::default();
        let first = jobs.add(1, &request()).unwrap();
        jobs.add(1, &request()).unwrap();
        assert!(matches!(
            jobs.add(1, &request()),
            Err(AppError::Conflict(_))
        ));
        // Another account is not held up.
        jobs.add(2, &request()).unwrap();
        finish(&first);
        jobs.add(1, &request()).unwrap();
    }

    #[test]
    fn the_oldest_finished_job_makes_room_and_running_ones_are_kept() {
        let jobs = ImportJobs::default();
        let mut all = Vec::new();
        for account in 0..MAX_JOBS as i64 {
            all.push(jobs.add(account, &request()).unwrap());
        }
        // Every job running: no room.
        assert!(matches!(
            jobs.add(1000, &request()),
            Err(AppError::Conflict(_))
        ));
        finish(&all[5]);
        finish(&all[9]);
        let new = jobs.add(1000, &request()).unwrap();
        assert!(
            jobs.get(&all[5].id, 5).is_none(),
            "the oldest finished left"
        );
        assert!(jobs.get(&all[9].id, 9).is_some());
        assert!(jobs.get(&all[0].id, 0).is_some(), "running jobs stay");
        assert!(jobs.get(&new.id, 1000).is_some());
        assert!(
            jobs.get(&new.id, 999).is_none(),
            "another account sees nothing"
        );
    }
}
