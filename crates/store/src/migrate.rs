//! Migrations, one numbered list per database, embedded in the binary.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::{Backend, Store, StoreResult};

macro_rules! migrations {
    ($dir:literal: $($version:literal $name:literal),* $(,)?) => {
        &[$(($version, $name, include_str!(concat!("../migrations/", $dir, "/", $name, ".sql")))),*]
    };
}

type Embedded = &'static [(i64, &'static str, &'static str)];

// One line per migration, numbered alike for both databases.
const SQLITE: Embedded = migrations!("sqlite":
    1 "0001_foundation",
    2 "0002_security",
    3 "0003_org_network",
    4 "0004_people",
    5 "0005_workplan",
    6 "0006_governance",
    7 "0007_search",
    8 "0008_rollup_index",
    9 "0009_activities",
    10 "0010_plan_followup",
    11 "0011_posts_pilots",
    12 "0012_member_self",
    13 "0013_statistics",
    14 "0014_short_lookup_hashes",
);
const POSTGRES: Embedded = migrations!("postgres":
    1 "0001_foundation",
    2 "0002_security",
    3 "0003_org_network",
    4 "0004_people",
    5 "0005_workplan",
    6 "0006_governance",
    7 "0007_search",
    8 "0008_rollup_index",
    9 "0009_activities",
    10 "0010_plan_followup",
    11 "0011_posts_pilots",
    12 "0012_member_self",
    13 "0013_statistics",
    14 "0014_short_lookup_hashes",
);

/// A digest that changes whenever a database's migrations or the shipped divisions do (names
/// the template databases of tests).
pub(crate) fn fingerprint(backend: Backend) -> String {
    use sm3::Digest;
    let mut digest = sm3::Sm3::new();
    digest.update(crate::divisions::shipped_len().to_le_bytes());
    let list = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    for (version, _, sql) in list {
        digest.update(version.to_le_bytes());
        digest.update(sql.as_bytes());
    }
    hex::encode(&digest.finalize()[..8])
}

fn migrator(backend: Backend) -> Migrator {
    let list = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    Migrator {
        migrations: Cow::Owned(
            list.iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(name),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect(),
        ),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }
}

impl Store {
    /// Applies pending migrations, then loads the shipped division tree if the table is empty.
    pub async fn migrate(&self) -> StoreResult<()> {
        migrator(self.backend).run(&self.write).await?;
        self.load_divisions_if_empty().await?;
        Ok(())
    }

    /// Applies only the migrations numbered below `version`: tests of one migration look at the
    /// schema before it and after it.
    #[doc(hidden)]
    pub async fn migrate_below(&self, version: i64) -> StoreResult<()> {
        let mut migrator = migrator(self.backend);
        migrator.migrations = Cow::Owned(
            migrator
                .migrations
                .iter()
                .filter(|m| m.version < version)
                .cloned()
                .collect(),
        );
        migrator.run(&self.write).await?;
        Ok(())
    }

    /// The newest migration this binary knows: backups record it.
    pub fn schema_version(&self) -> i64 {
        latest_schema_version(self.backend)
    }
}

/// The newest migration this binary knows for a database: a backup from a newer one is refused.
pub fn latest_schema_version(backend: Backend) -> i64 {
    let list = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    list.last().map(|m| m.0).unwrap_or(0)
}
