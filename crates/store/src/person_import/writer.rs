//! The writer of an import: one transaction, multi-row inserts, and on SQLite the bulk-load
//! settings (a larger page cache while rows go in; indexes set aside and built again, sorted,
//! on the sorter's threads).

use sqlx::{Any, Row, Transaction};

use super::stages::Prepared;
use super::Tally;
use crate::audit::Outcome;
use crate::person_values::PERSON_OWN_COLUMNS;
use crate::search_feed::{Changed, SearchMark};
use crate::sql::{Sql, Value};
use crate::{Backend, Scope, Store, StoreError, StoreResult};

/// Rows per multi-row insert of people (24 bound values a row, 6,720 a statement: SQLite takes
/// up to 32,766, PostgreSQL 65,535). Each statement is a message to the database's thread and
/// back: in interleaved runs of a million rows into a million-person registry, 280 rows a
/// statement (and 1,000 memberships) beat 70 (and 280) in each of ten pairs, by 0.1–1.9 s,
/// with less system time, though SQLite's binding runs 1.6% more instructions.
const PERSON_ROWS_PER_STATEMENT: usize = 280;
/// Rows per multi-row insert of memberships (four bound values a row).
const MEMBERSHIP_ROWS_PER_STATEMENT: usize = 1_000;
/// The writer's page cache during an import (KiB): the random part of a million-row load into
/// a million-row registry (the hash, name and pinyin indexes) fits, the sheet beside it stays
/// under 1 GiB.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;
/// The writer's page cache while it builds the indexes a large load set aside (KiB): small, so
/// that SQLite's sort spills and runs on helper threads, in runs that fit the processor's
/// caches (a first load of a million people built its nine indexes in 2.8–3.0 s with 2–4 MiB,
/// 3.6–4.1 s with 16 MiB, 3.0–3.2 s with 1 MiB).
const INDEX_BUILD_CACHE_KIB: i64 = 4 * 1024;

/// An import's write transaction, and what it must do before it commits.
pub(super) struct Writer {
    tx: Transaction<'static, Any>,
    mark: SearchMark,
    /// The statements that build the indexes set aside again.
    set_aside: Vec<String>,
    people: RowsInsert,
    memberships: RowsInsert,
}

/// A multi-row insert of an import: the statement's head (table and columns) and the template
/// of one row (`Sql::push_row`), side by side. What every row of the import shares (the
/// organisation, the time) is written into the template, so that fewer values are bound.
struct RowsInsert {
    head: String,
    row: String,
}

impl RowsInsert {
    /// The inserts of people (their own columns bound) and of their memberships (person,
    /// number, type and date bound) into `org_id` at `now`.
    ///
    /// On SQLite they are `insert or fail`: a statement of many rows that may abort keeps a
    /// statement journal, a copy of every page it touches first, so that it can undo itself
    /// alone. An import's failure rolls the whole transaction back, so it needs no such copy,
    /// and `or fail` (stop at the failing row, keep the transaction) makes SQLite leave it out.
    fn for_import(backend: Backend, org_id: i64, now: i64) -> (RowsInsert, RowsInsert) {
        let insert = match backend {
            Backend::Sqlite => "insert or fail into",
            Backend::Postgres => "insert into",
        };
        let own = vec!["?"; PERSON_OWN_COLUMNS.split(',').count()].join(", ");
        let people = RowsInsert {
            head: format!(
                "{insert} person (org_id, {PERSON_OWN_COLUMNS}, created_at, updated_at) values "
            ),
            row: format!("({org_id}, {own}, {now}, {now})"),
        };
        let memberships = RowsInsert {
            head: format!(
                "{insert} membership (person_id, org_id, number, member_type, status, joined, \
                 created_at, updated_at) values "
            ),
            row: format!("(?, {org_id}, ?, coalesce(?, '普通会员'), 'active', ?, {now}, {now})"),
        };
        (people, memberships)
    }

    /// The statement inserting `rows`, each given as its bound values in order.
    fn statement<V>(&self, backend: Backend, rows: impl Iterator<Item = V>) -> Sql
    where
        V: IntoIterator<Item = Value>,
    {
        let mut sql = Sql::bulk(backend, &self.head);
        for (i, values) in rows.enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_row(&self.row, values);
        }
        sql
    }
}

impl Store {
    /// Begins the import's transaction for `rows` rows into a registry of `registered` people,
    /// setting indexes aside for a large load.
    ///
    /// On SQLite the transaction runs on the writer connection with the import's settings: a
    /// page cache that holds the index pages a load touches at random (a page spilled to the
    /// WAL and read back costs more than the row), and no foreign-key checks (each row's
    /// checks looked its organisation and its person up again: a tenth of a first load's
    /// time). The rows can only name the
    /// importing organisation, checked below inside the transaction, and the people the
    /// import itself has just written. The connection is closed after the import instead of
    /// going back to the pool, whatever the outcome: the writer of a running server keeps its
    /// usual cache, sorts on one thread and checks foreign keys.
    pub(super) async fn begin_import(
        &self,
        org_id: i64,
        rows: usize,
        registered: i64,
        membership: bool,
    ) -> StoreResult<Writer> {
        let mut conn = self.write.acquire().await?;
        if self.backend == Backend::Sqlite {
            conn.close_on_drop();
            for pragma in [
                format!("pragma cache_size = -{IMPORT_CACHE_KIB}"),
                // Only outside a transaction does SQLite take it.
                "pragma foreign_keys = off".to_string(),
            ] {
                sqlx::query(&pragma).execute(&mut *conn).await?;
            }
        }
        // A transaction that owns its pool connection: sqlx builds one only through this
        // constructor, public but hidden from its documentation (what `Pool::begin` calls),
        // pinned by Cargo.lock like `AnyValueKind` in `sql.rs`.
        let mut tx = Transaction::begin(conn, None).await?;
        let mut org = Sql::new("select org_id from org where org_id = ");
        org.bind_int(org_id);
        if org.query().fetch_optional(&mut *tx).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let set_aside = self
            .set_indexes_aside(&mut tx, rows, registered, membership)
            .await?;
        let mark = self.search_mark(&mut tx, Changed::Person).await?;
        let (people, memberships) = RowsInsert::for_import(self.backend, org_id, crate::now_ms());
        Ok(Writer {
            tx,
            mark,
            set_aside,
            people,
            memberships,
        })
    }

    /// Builds the indexes set aside again, logs the rows for the search index, records the
    /// import in the audit trail and commits.
    pub(super) async fn finish_import(
        &self,
        writer: Writer,
        scope: &Scope,
        org_id: i64,
        tally: &Tally,
    ) -> StoreResult<()> {
        let Writer {
            mut tx,
            mark,
            set_aside,
            ..
        } = writer;
        let started = std::time::Instant::now();
        let rebuilt = set_aside.len();
        if !set_aside.is_empty() {
            // SQLite sorts an index with helper threads only when the sort spills past the
            // page cache: a small cache and a thread per core build the indexes of a million
            // rows in about two thirds of the time. The connection is closed after the import.
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            for pragma in [
                format!("pragma threads = {threads}"),
                format!("pragma cache_size = -{INDEX_BUILD_CACHE_KIB}"),
            ] {
                sqlx::query(&pragma).execute(&mut *tx).await?;
            }
        }
        for create in set_aside {
            sqlx::query(&create)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    StoreError::conflict_on_unique(
                        e,
                        "该身份证号或会员编号已登记 / an ID number or membership number is already registered",
                    )
                })?;
        }
        let built = started.elapsed();
        self.log_search_since(&mut tx, mark).await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "import.persons",
            &format!("org:{org_id}"),
            Outcome::Ok,
            &format!(
                "rows={} memberships={} skipped={}",
                tally.created,
                tally.memberships,
                tally.existing.len() + tally.problems.len()
            ),
        )
        .await?;
        let committing = std::time::Instant::now();
        tx.commit().await?;
        tracing::info!(
            indexes_rebuilt = rebuilt,
            index_seconds = built.as_secs_f64(),
            commit_seconds = committing.elapsed().as_secs_f64(),
            "import committed"
        );
        Ok(())
    }

    /// Writes the kept rows of a chunk, and their memberships of the importing organisation
    /// when `membership`.
    pub(super) async fn write_chunk(
        &self,
        writer: &mut Writer,
        membership: bool,
        mut keep: Vec<Prepared>,
        tally: &mut Tally,
    ) -> StoreResult<()> {
        let tx = &mut *writer.tx;
        let ids = self.insert_people(tx, &writer.people, &mut keep).await?;
        tally.created += ids.len();
        if membership {
            tally.memberships += self
                .insert_memberships(tx, &writer.memberships, keep, &ids)
                .await?;
        }
        Ok(())
    }

    /// Inserts the people of a chunk with multi-row statements (a round trip to the database
    /// per row costs more than the row) and returns their ids, in order.
    async fn insert_people(
        &self,
        tx: &mut sqlx::AnyConnection,
        insert: &RowsInsert,
        keep: &mut [Prepared],
    ) -> StoreResult<Vec<i64>> {
        let taken = |e| {
            StoreError::conflict_on_unique(
                e,
                "该身份证号已登记 / this ID number is already registered",
            )
        };
        let mut ids = Vec::with_capacity(keep.len());
        for part in keep.chunks_mut(PERSON_ROWS_PER_STATEMENT) {
            let rows = part.iter_mut().map(|item| std::mem::take(&mut item.values));
            let mut sql = insert.statement(self.backend, rows);
            if self.backend == Backend::Sqlite {
                sql.take_query().execute(&mut *tx).await.map_err(taken)?;
                continue;
            }
            // PostgreSQL returns the ids, numbered in the order of the list.
            sql.push(" returning person_id");
            let mut returned: Vec<i64> = sql
                .take_query()
                .fetch_all(&mut *tx)
                .await
                .map_err(taken)?
                .iter()
                .map(|r| r.try_get("person_id"))
                .collect::<Result<_, _>>()?;
            returned.sort_unstable();
            ids.extend(returned);
        }
        if self.backend == Backend::Sqlite && !keep.is_empty() {
            // The chunk's people have the last inserted rowid and the ones before it: the table
            // is AUTOINCREMENT and the import holds the only write transaction, so its rows get
            // consecutive ids. (Asking for them with `returning` would send each id from the
            // database thread as a message of its own; sqlx's Any driver does not pass SQLite's
            // last rowid on, so it is asked for, once a chunk.)
            let last: i64 = sqlx::query("select last_insert_rowid() as id")
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
            ids.extend(last - keep.len() as i64 + 1..=last);
        }
        Ok(ids)
    }

    /// Inserts the memberships of a chunk's people (`ids`, in the order of `keep`); returns
    /// how many.
    async fn insert_memberships(
        &self,
        tx: &mut sqlx::AnyConnection,
        insert: &RowsInsert,
        mut keep: Vec<Prepared>,
        ids: &[i64],
    ) -> StoreResult<usize> {
        for (part, ids) in keep
            .chunks_mut(MEMBERSHIP_ROWS_PER_STATEMENT)
            .zip(ids.chunks(MEMBERSHIP_ROWS_PER_STATEMENT))
        {
            let rows = part.iter_mut().zip(ids).map(|(item, person_id)| {
                [
                    Value::Int(*person_id),
                    Value::OptText(item.member_number.take()),
                    Value::OptText(item.member_type.take()),
                    Value::OptText(item.joined.take()),
                ]
            });
            let mut sql = insert.statement(self.backend, rows);
            sql.take_query().execute(&mut *tx).await?;
        }
        Ok(keep.len())
    }

    /// On SQLite, when the load is more than a quarter of the people already registered, drops
    /// the secondary indexes of the tables it writes whose keys it scatters (inside the
    /// import's transaction, so readers keep them and a failure restores them) and returns the
    /// statements that build them again.
    ///
    /// The indexes led by the organisation or the person stay: an import's people and
    /// memberships all belong to one organisation and its people are numbered after everyone
    /// registered, so their keys go in one after another at one place of each such index,
    /// in pages the cache holds. Measured on the province (1M rows into 1M people and 2M
    /// memberships), keeping the four `membership` indexes took the index build from 8.1–8.5 s
    /// to 3.8–3.9 s and the rows 0–0.6 s longer.
    async fn set_indexes_aside(
        &self,
        tx: &mut sqlx::AnyConnection,
        rows: usize,
        registered: i64,
        membership: bool,
    ) -> StoreResult<Vec<String>> {
        if self.backend != Backend::Sqlite {
            return Ok(Vec::new());
        }
        // Measured on the province (1M people, 2M memberships) with every index set aside:
        // inserting costs ~73 µs a row, rebuilding ~11 s for what is there plus ~25 µs a row,
        // so the two meet near a quarter of the registry (100k rows: 7.3 s inserted, 13.8 s
        // rebuilt; 1M rows: 74 s inserted, 36 s rebuilt).
        if (rows as i64) * 4 <= registered {
            return Ok(Vec::new());
        }
        let tables = if membership {
            "'person', 'membership'"
        } else {
            "'person'"
        };
        // Indexes a table constraint made have no `sql` and cannot be dropped; they stay.
        let indexes = sqlx::query(&format!(
            "select m.name, m.sql from sqlite_master m where m.type = 'index' \
             and m.sql is not null and m.tbl_name in ({tables}) \
             and (select i.name from pragma_index_info(m.name) i where i.seqno = 0) \
                 not in ('org_id', 'person_id') \
             order by m.name"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut create = Vec::new();
        for index in indexes {
            let name: String = index.try_get("name")?;
            sqlx::query(&format!("drop index \"{name}\""))
                .execute(&mut *tx)
                .await?;
            create.push(index.try_get("sql")?);
        }
        Ok(create)
    }
}

impl Writer {
    /// Rolls the import back: a problem was found and invalid rows are not skipped.
    pub(super) async fn abandon(self) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
