//! Kexie's one storage API over SQLite and PostgreSQL.
//!
//! Every query is written once, as runtime SQL with `$n` placeholders that both databases accept,
//! and runs through sqlx's `Any` driver. On SQLite, writes go through a pool of exactly one
//! connection (the single writer), so concurrent requests queue instead of failing with
//! `database is locked`; reads use their own pool and, in WAL mode, never wait for the writer.

mod account_admin;
mod account_email;
mod accounts;
mod audit;
pub mod backup;
mod coverage;
mod crypto;
pub mod demo;
mod demo_province;
mod divisions;
mod error;
mod governance;
mod integrity;
mod ledger;
mod member_self;
mod migrate;
mod org_changes;
mod org_export;
mod org_import;
mod orgs;
mod people_changes;
mod person_import;
mod person_merge;
mod person_values;
mod persons;
mod pilot_units;
mod pilots;
mod posts;
mod progress;
mod remembered;
mod scope;
mod sealer;
mod search_feed;
mod sessions;
mod sql;
mod stats;
pub mod testing;
mod workplan;

pub use accounts::{random_hex, Account, LoginOutcome, LoginPolicy, NewAccount, SessionInfo};
pub use audit::{AuditFilter, AuditRecord, AuditVerification, Outcome};
pub use coverage::{Coverage, CoverageGap, CoverageLevel};
pub use crypto::{Algorithm, FieldCipher, KeyError};
pub use divisions::Division;
pub use error::{StoreError, StoreResult};
pub use governance::{
    may_own_rules, BodyKind, GovernanceCheck, GovernanceFilter, GoverningBody, NewPost, NewTerm,
    PostRow, SocietyReview, SocietySummary, StoredRuleSet, TermRow,
};
pub use governance::{Activity, ActivityFilter, AnnualPublication, NewActivity};
pub use integrity::IntegrityRecord;
pub use ledger::{Growth, LedgerFilter, LedgerRow};
pub use member_self::{ContactChange, Correction, CorrectionInput};
pub use migrate::latest_schema_version;
pub use org_changes::{GroupMembership, OrgHistoryEntry, OrgPatch};
pub use org_export::OrgExport;
pub use org_import::{ImportOrg, ImportOutcome, ImportProblem};
pub use orgs::{NewOrg, Org, OrgFilter, OrgSummary};
pub use people_changes::DuplicateMatch;
pub use person_import::{ExistingMatch, ImportPerson, PersonImportOptions, PersonImportOutcome};
pub use persons::{Identity, MembershipRow, NewPerson, PersonRow};
pub use pilot_units::PilotImportUnit;
pub use pilots::{
    NewGroupMember, NewPilot, NewPilotCategory, NewPilotUnit, Pilot, PilotCategory,
    PilotGroupMember, PilotProgress, PilotSummary, PilotUnit, ProgressNote,
};
pub use posts::{KeyPersonFigure, NewOrgPost, OrgPost, OrgPostPatch};
pub use progress::{ImportPhase, ImportProgress, ProgressSnapshot};
pub use scope::{Actor, Scope};
pub use search_feed::{Changed, OrgDoc, OrgHit, PersonDoc, PersonHit, SearchChange};
pub use stats::{KindCount, Overview};
pub use workplan::{
    Attachment, GroupFigures, ImplementingTask, NewAttachment, NewPlan, NewReport, NewTask,
    Notification, Plan, PlanCreated, PlanFilter, PlanSection, ProgressReport, ReminderMail,
    ReminderRun, Rollup, Silent, StatusCounts, Supervision, Task, TaskHistoryEntry, TaskPatch,
    TaskStatus, TaskUnit, DUE_SOON_DAYS, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES, REMIND_DAYS,
};

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> StoreResult<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Invalid(
                "数据库地址必须以 sqlite:// 或 postgres:// 开头 / the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The store: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    cipher: Arc<FieldCipher>,
    remembered: Arc<remembered::Remembered>,
}

impl Store {
    /// Connects to the database named by `url` (`sqlite://…` or `postgres://…`). Does not migrate.
    pub async fn connect(url: &str, cipher: FieldCipher) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(url).map_err(|e| {
            StoreError::Invalid(format!("数据库地址无效 / invalid database URL: {e}"))
        })?;
        let (read, write) = match backend {
            Backend::Sqlite => {
                // Readers: two per core. Each SQLite connection is a thread of its own; more
                // of them than the cores can run only adds hand-overs between threads.
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                let readers = (2 * cores).clamp(4, 16) as u32;
                let read = sqlite_pool(readers).connect_with(options.clone()).await?;
                let write = sqlite_pool(1).connect_with(options).await?;
                (read, write)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                (pool.clone(), pool)
            }
        };
        Ok(Store {
            read,
            write,
            backend,
            cipher: Arc::new(cipher),
            remembered: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn cipher(&self) -> &FieldCipher {
        &self.cipher
    }

    /// Answers when the database does: the readiness probe.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.read).await?;
        Ok(())
    }

    /// Closes both pools, waiting for connections to return (SQLite checkpoints its WAL then).
    pub async fn close(&self) {
        for pool in [&self.read, &self.write] {
            pool.close().await;
            // A connection still on its way back when `close` starts (a spawned task in sqlx
            // 0.8) lands idle in the closed pool and stays open; the process would then exit
            // without SQLite's last close, leaving `-wal` and `-shm` files behind. Close again
            // until none is left.
            while pool.size() > 0 {
                tokio::task::yield_now().await;
                pool.close().await;
            }
        }
    }
}

/// The SQLite writer's page cache (KiB); SQLite's default is 2 MiB.
pub(crate) const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// The page size of a new SQLite database: 16 KiB instead of SQLite's 4 KiB. A bulk load of a
/// million people writes each page to the WAL and again to the database, a syscall or two per
/// page: with 16 KiB pages that load takes about a fifth less time, and the B-trees are a level
/// shallower. A database created with another page size keeps it until `vacuum`.
const PAGE_SIZE_PRAGMA: &str = "pragma page_size = 16384";

/// SQLite connections: WAL so readers never wait for the writer, `synchronous=FULL` so a committed
/// import survives a power cut, foreign keys on, and a busy timeout as a last resort.
fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(if max == 1 { 1 } else { 0 })
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                for pragma in [
                    // Only a new database takes it (before its first table); see PAGE_SIZE_PRAGMA.
                    PAGE_SIZE_PRAGMA,
                    "pragma journal_mode = wal",
                    "pragma synchronous = full",
                    "pragma foreign_keys = on",
                    "pragma busy_timeout = 10000",
                ] {
                    conn.execute(pragma).await?;
                }
                if max == 1 {
                    // The one writer keeps 64 MiB of pages (SQLite's default is 2 MiB): a bulk
                    // import touches the ID-number and phone hash indexes at random, and each
                    // page re-read from the OS costs more than the row written.
                    conn.execute(format!("pragma cache_size = -{WRITER_CACHE_KIB}").as_str())
                        .await?;
                }
                Ok(())
            })
        })
}

/// Trimmed text, or `None` when blank: how optional text fields are stored.
pub(crate) fn clean(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Today in Beijing (UTC+8): the date offices work by, and the default date of every check.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Milliseconds since the Unix epoch: the one timestamp format of every `*_at` column.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
