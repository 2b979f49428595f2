//! The search index's feed (issue 5): the change log that every write to people and
//! organisations adds a row to, in its own transaction, and the reads `kexie-search` builds its
//! documents from. The index holds no identity numbers or phones, so these reads never return them.
//!
//! A change names ids, not values: whoever applies it reads the rows as they are then, so applying
//! a change twice, or late, gives the same index.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::sql::{subtree_range, Sql};
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// What a change covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// People with ids `first..=last` (created, edited or deleted).
    Person,
    /// Organisations with ids `first..=last`.
    Org,
    /// An organisation that moved: its whole subtree and the people kept there (`first` = `last`).
    OrgTree,
}

impl Changed {
    fn code(self) -> &'static str {
        match self {
            Changed::Person => "person",
            Changed::Org => "org",
            Changed::OrgTree => "org_tree",
        }
    }

    fn parse(code: &str) -> StoreResult<Changed> {
        match code {
            "person" => Ok(Changed::Person),
            "org" => Ok(Changed::Org),
            "org_tree" => Ok(Changed::OrgTree),
            other => Err(StoreError::Other(format!("unknown search change {other}"))),
        }
    }
}

/// One row of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchChange {
    pub change_id: i64,
    pub changed: Changed,
    pub first_id: i64,
    pub last_id: i64,
}

/// Where a bulk write started: the largest id of its table before it (see `log_search_since`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SearchMark {
    changed: Changed,
    before: i64,
}

/// What the index holds of a person: searchable text and the keeping organisation's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDoc {
    pub person_id: i64,
    pub name: String,
    pub employer: Option<String>,
    pub department: Option<String>,
    pub discipline: Option<String>,
    /// The keeping organisation's materialised path: the scope filter.
    pub org_path: String,
}

/// What the index holds of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDoc {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub path: String,
}

/// A person found by search, as the caller may see them (no identity fields at all).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonHit {
    pub person_id: i64,
    pub name: String,
    pub employer: Option<String>,
    pub discipline: Option<String>,
    pub title: Option<String>,
    /// The keeping organisation.
    pub org_id: i64,
    pub org_name: String,
}

/// An organisation found by search.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgHit {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub division_name: Option<String>,
}

const PERSON_DOC: &str = "select p.person_id, p.name, p.employer, p.department, p.discipline, \
    o.path as org_path from person p join org o on o.org_id = p.org_id where 1 = 1";
const ORG_DOC: &str =
    "select o.org_id, o.code, o.name, o.short_name, o.path from org o where 1 = 1";

fn person_doc(r: &AnyRow) -> StoreResult<PersonDoc> {
    Ok(PersonDoc {
        person_id: r.try_get("person_id")?,
        name: r.try_get("name")?,
        employer: r.try_get("employer")?,
        department: r.try_get("department")?,
        discipline: r.try_get("discipline")?,
        org_path: r.try_get("org_path")?,
    })
}

fn org_doc(r: &AnyRow) -> StoreResult<OrgDoc> {
    Ok(OrgDoc {
        org_id: r.try_get("org_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        short_name: r.try_get("short_name")?,
        path: r.try_get("path")?,
    })
}

fn push_ids(sql: &mut Sql, column: &str, ids: &[i64]) {
    sql.push(" and ").push(column).push(" in (");
    sql.bind_ints(ids);
    sql.push(")");
}

impl Store {
    /// Records, inside the writer's transaction, that rows `first..=last` changed.
    pub(crate) async fn log_search_change(
        &self,
        conn: &mut AnyConnection,
        changed: Changed,
        first: i64,
        last: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "insert into search_change (entity, first_id, last_id, at) values ($1, $2, $3, $4)",
        )
        .bind(changed.code())
        .bind(first.min(last))
        .bind(first.max(last))
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The start of a bulk write (an import): with `log_search_since` after it, one change row
    /// covers every row the write added, whatever their number.
    pub(crate) async fn search_mark(
        &self,
        conn: &mut AnyConnection,
        changed: Changed,
    ) -> StoreResult<SearchMark> {
        Ok(SearchMark {
            changed,
            before: max_id(conn, changed).await?,
        })
    }

    /// Logs the rows added since `mark` (ids above the mark's; none, no row). Ids of other
    /// writers' rows in that range are harmless: applying a change rereads the rows.
    pub(crate) async fn log_search_since(
        &self,
        conn: &mut AnyConnection,
        mark: SearchMark,
    ) -> StoreResult<()> {
        let last = max_id(conn, mark.changed).await?;
        if last > mark.before {
            self.log_search_change(conn, mark.changed, mark.before + 1, last)
                .await?;
        }
        Ok(())
    }

    /// The database's name for the index (`search.epoch`, set by migration 0007).
    pub async fn search_epoch(&self) -> StoreResult<String> {
        let row = sqlx::query("select value from kexie_meta where key = 'search.epoch'")
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| StoreError::Other("search.epoch is missing".into()))?;
        Ok(row.try_get("value")?)
    }

    /// The newest change, 0 when there is none.
    pub async fn search_change_max(&self) -> StoreResult<i64> {
        Ok(sqlx::query(
            "select cast(coalesce(max(search_change_id), 0) as bigint) as n from search_change",
        )
        .fetch_one(&self.read)
        .await?
        .try_get("n")?)
    }

    /// Changes after `after`, oldest first, at most `limit`.
    pub async fn search_changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<SearchChange>> {
        let mut sql = Sql::new(
            "select search_change_id, entity, first_id, last_id from search_change \
             where search_change_id > ",
        );
        sql.bind_int(after)
            .push(" order by search_change_id limit ")
            .bind_int(limit.max(1));
        self.changes(sql).await
    }

    /// The changes with these ids that exist now (ids skipped over earlier, whose transactions
    /// had not committed yet when the index passed them).
    pub async fn search_changes_in(&self, ids: &[i64]) -> StoreResult<Vec<SearchChange>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "select search_change_id, entity, first_id, last_id from search_change where 1 = 1",
        );
        push_ids(&mut sql, "search_change_id", ids);
        sql.push(" order by search_change_id");
        self.changes(sql).await
    }

    async fn changes(&self, sql: Sql) -> StoreResult<Vec<SearchChange>> {
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                let entity: String = r.try_get("entity")?;
                Ok(SearchChange {
                    change_id: r.try_get("search_change_id")?,
                    changed: Changed::parse(&entity)?,
                    first_id: r.try_get("first_id")?,
                    last_id: r.try_get("last_id")?,
                })
            })
            .collect()
    }

    /// People in scope with ids in `after < id <= last`, by id, at most `limit`: page through a
    /// range by passing the last id seen as `after`.
    pub async fn persons_for_index(
        &self,
        scope: &Scope,
        after: i64,
        last: i64,
        limit: i64,
    ) -> StoreResult<Vec<PersonDoc>> {
        let mut sql = Sql::new(PERSON_DOC);
        sql.push(" and p.person_id > ")
            .bind_int(after)
            .push(" and p.person_id <= ")
            .bind_int(last);
        scope.filter_person(&mut sql);
        sql.push(" order by p.person_id limit ")
            .bind_int(limit.max(1));
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(person_doc).collect()
    }

    /// Organisations in scope with ids in `after < id <= last`, by id, at most `limit`.
    pub async fn orgs_for_index(
        &self,
        scope: &Scope,
        after: i64,
        last: i64,
        limit: i64,
    ) -> StoreResult<Vec<OrgDoc>> {
        let mut sql = Sql::new(ORG_DOC);
        sql.push(" and o.org_id > ")
            .bind_int(after)
            .push(" and o.org_id <= ")
            .bind_int(last);
        scope.filter_org(&mut sql, "o.path");
        sql.push(" order by o.org_id limit ").bind_int(limit.max(1));
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(org_doc).collect()
    }

    /// The organisations below `org_id` (itself included) and the people they keep, pages of
    /// `limit` after the ids given: what an `org_tree` change re-indexes. A gone organisation
    /// has nothing below it.
    pub async fn subtree_for_index(
        &self,
        scope: &Scope,
        org_id: i64,
        after: (i64, i64),
        limit: i64,
    ) -> StoreResult<(Vec<OrgDoc>, Vec<PersonDoc>)> {
        let Ok(top) = self.org(scope, org_id).await else {
            return Ok((Vec::new(), Vec::new()));
        };
        let (lo, hi) = subtree_range(&top.path);
        let mut sql = Sql::new(ORG_DOC);
        sql.push(" and o.path >= ")
            .bind_text(lo.clone())
            .push(" and o.path < ")
            .bind_text(hi.clone())
            .push(" and o.org_id > ")
            .bind_int(after.0)
            .push(" order by o.org_id limit ")
            .bind_int(limit.max(1));
        let orgs = sql.query().fetch_all(&self.read).await?;
        let mut sql = Sql::new(PERSON_DOC);
        sql.push(" and o.path >= ")
            .bind_text(lo)
            .push(" and o.path < ")
            .bind_text(hi)
            .push(" and p.person_id > ")
            .bind_int(after.1)
            .push(" order by p.person_id limit ")
            .bind_int(limit.max(1));
        let persons = sql.query().fetch_all(&self.read).await?;
        Ok((
            orgs.iter().map(org_doc).collect::<StoreResult<_>>()?,
            persons.iter().map(person_doc).collect::<StoreResult<_>>()?,
        ))
    }

    /// The largest person and organisation ids (what a full rebuild pages up to).
    pub async fn search_id_bounds(&self) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "select cast(coalesce((select max(person_id) from person), 0) as bigint) as p, \
             cast(coalesce((select max(org_id) from org), 0) as bigint) as o",
        )
        .fetch_one(&self.read)
        .await?;
        Ok((row.try_get("p")?, row.try_get("o")?))
    }

    /// The people among `ids` that the caller may see, in the order of `ids`: the index's
    /// candidates checked against the database, so a stale index never shows more than the
    /// person list would.
    pub async fn person_hits(&self, scope: &Scope, ids: &[i64]) -> StoreResult<Vec<PersonHit>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "select p.person_id, p.name, p.employer, p.discipline, p.title, p.org_id, \
             o.name as org_name from person p join org o on o.org_id = p.org_id where 1 = 1",
        );
        push_ids(&mut sql, "p.person_id", ids);
        scope.filter_person(&mut sql);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut hits = rows
            .iter()
            .map(|r| {
                Ok(PersonHit {
                    person_id: r.try_get("person_id")?,
                    name: r.try_get("name")?,
                    employer: r.try_get("employer")?,
                    discipline: r.try_get("discipline")?,
                    title: r.try_get("title")?,
                    org_id: r.try_get("org_id")?,
                    org_name: r.try_get("org_name")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        hits.sort_by_key(|h| ids.iter().position(|id| *id == h.person_id));
        Ok(hits)
    }

    /// The organisations among `ids` that the caller may see, in the order of `ids`.
    pub async fn org_hits(&self, scope: &Scope, ids: &[i64]) -> StoreResult<Vec<OrgHit>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "select o.org_id, o.code, o.name, o.kind, o.status, d.name as division_name \
             from org o left join division d on d.code = o.division_code where 1 = 1",
        );
        push_ids(&mut sql, "o.org_id", ids);
        scope.filter_org(&mut sql, "o.path");
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut hits = rows
            .iter()
            .map(|r| {
                Ok(OrgHit {
                    org_id: r.try_get("org_id")?,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    kind: r.try_get("kind")?,
                    status: r.try_get("status")?,
                    division_name: r.try_get("division_name")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        hits.sort_by_key(|h| ids.iter().position(|id| *id == h.org_id));
        Ok(hits)
    }
}

async fn max_id(conn: &mut AnyConnection, changed: Changed) -> StoreResult<i64> {
    let sql = match changed {
        Changed::Person => "select cast(coalesce(max(person_id), 0) as bigint) as n from person",
        Changed::Org | Changed::OrgTree => {
            "select cast(coalesce(max(org_id), 0) as bigint) as n from org"
        }
    };
    Ok(sqlx::query(sql).fetch_one(&mut *conn).await?.try_get("n")?)
}
