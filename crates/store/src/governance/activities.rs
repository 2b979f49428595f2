//! Activities (活动记录) of organisations: recorded, listed for an organisation or its subtree
//! (by year), deleted; every write audited. They show a branch is alive (`branch.inactive`,
//! seeds/002 item 4) and fill the annual report's activity figures (item 7).

use chrono::{Datelike, NaiveDate};
use kexie_domain::governance::{ActivityKind, BranchInfo};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::parse_day;
use crate::audit::Outcome;
use crate::sql::{subtree_range, Sql};
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// A recorded activity, with the name of the organisation that held it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub activity_id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub title: String,
    /// `academic_exchange`, `popularisation`, `training`, `consultation`, `meeting` or `other`.
    pub kind: String,
    pub participants: i64,
    pub notes: Option<String>,
    pub account: String,
    pub created_at: i64,
}

impl Activity {
    pub fn kind_zh(&self) -> &'static str {
        ActivityKind::parse(&self.kind).map_or("", ActivityKind::zh_name)
    }
}

/// An activity to record.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub held_on: NaiveDate,
    pub title: String,
    pub kind: ActivityKind,
    pub participants: i64,
    pub notes: Option<String>,
}

/// Which activities to list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Held in this calendar year.
    pub year: Option<i32>,
    /// The organisation and every organisation below it (a society and its branches), not the
    /// organisation alone.
    pub subtree: bool,
}

/// A title is a line, not an essay.
const TITLE_MAX: usize = 200;
const NOTES_MAX: usize = 2000;
/// More people than live in China took part in no activity.
const PARTICIPANTS_MAX: i64 = 2_000_000_000;
/// Activities a list shows at most (newest first).
const LIST_LIMIT: i64 = 5000;

impl NewActivity {
    fn checked(&self) -> StoreResult<(String, Option<String>)> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(StoreError::Invalid(
                "请填写活动名称 / the title is required".into(),
            ));
        }
        if title.chars().count() > TITLE_MAX {
            return Err(StoreError::Invalid(format!(
                "活动名称不能超过{TITLE_MAX}个字 / the title is longer than {TITLE_MAX} characters"
            )));
        }
        if !(0..=PARTICIPANTS_MAX).contains(&self.participants) {
            return Err(StoreError::Invalid(format!(
                "参加人数 {} 无效，应为 0 到 {PARTICIPANTS_MAX} 之间的整数 / participants must be between 0 and {PARTICIPANTS_MAX}",
                self.participants
            )));
        }
        if !(1900..=2999).contains(&self.held_on.year()) {
            return Err(StoreError::Invalid(format!(
                "活动日期 {} 不在合理范围内 / the date {} is out of range",
                self.held_on, self.held_on
            )));
        }
        let notes = self
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if notes.is_some_and(|n| n.chars().count() > NOTES_MAX) {
            return Err(StoreError::Invalid(format!(
                "备注不能超过{NOTES_MAX}个字 / the notes are longer than {NOTES_MAX} characters"
            )));
        }
        Ok((title.to_string(), notes.map(str::to_string)))
    }
}

fn from_row(r: &AnyRow) -> StoreResult<Activity> {
    Ok(Activity {
        activity_id: r.try_get("activity_id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        held_on: r.try_get("held_on")?,
        title: r.try_get("title")?,
        kind: r.try_get("kind")?,
        participants: r.try_get("participants")?,
        notes: r.try_get("notes")?,
        account: r.try_get("account")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Records an activity of an organisation (in scope, writable). Audited.
    #[tracing::instrument(skip_all, err)]
    pub async fn create_activity(
        &self,
        scope: &Scope,
        org_id: i64,
        new: &NewActivity,
    ) -> StoreResult<i64> {
        self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let (title, notes) = new.checked()?;
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "insert into activity (org_id, held_on, title, kind, participants, notes, account, \
             created_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning activity_id",
        )
        .bind(org_id)
        .bind(new.held_on.to_string())
        .bind(title)
        .bind(new.kind.code())
        .bind(new.participants)
        .bind(notes)
        .bind(scope.actor().username.clone())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("activity_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.activity.create",
            &format!("activity:{id}"),
            Outcome::Ok,
            &format!(
                "org={org_id} kind={} held_on={}",
                new.kind.code(),
                new.held_on
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The activities of an organisation in scope (or of its subtree, as far as the scope
    /// reaches), newest first.
    #[tracing::instrument(skip_all, err)]
    pub async fn activities(
        &self,
        scope: &Scope,
        org_id: i64,
        filter: &ActivityFilter,
    ) -> StoreResult<Vec<Activity>> {
        let org = self.org(scope, org_id).await?;
        let mut sql = Sql::new(
            "select a.activity_id, a.org_id, o.name as org_name, a.held_on, a.title, a.kind, \
             a.participants, a.notes, a.account, a.created_at from activity a \
             join org o on o.org_id = a.org_id where ",
        );
        if filter.subtree {
            let (lo, hi) = subtree_range(&org.path);
            sql.push("o.path >= ")
                .bind_text(lo)
                .push(" and o.path < ")
                .bind_text(hi);
        } else {
            sql.push("a.org_id = ").bind_int(org.org_id);
        }
        scope.filter_org(&mut sql, "o.path");
        if let Some(year) = filter.year {
            if !(1..=9998).contains(&year) {
                return Err(StoreError::Invalid(format!(
                    "年份 {year} 无效，应在 1 到 9998 之间 / year must be between 1 and 9998"
                )));
            }
            sql.push(" and a.held_on >= ")
                .bind_text(format!("{year:04}-01-01"))
                .push(" and a.held_on < ")
                .bind_text(format!("{:04}-01-01", year + 1));
        }
        sql.push(" order by a.held_on desc, a.activity_id desc limit ")
            .bind_int(LIST_LIMIT);
        sql.query()
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// One activity of an organisation in scope.
    pub async fn activity(&self, scope: &Scope, activity_id: i64) -> StoreResult<Activity> {
        let mut sql = Sql::new(
            "select a.activity_id, a.org_id, o.name as org_name, a.held_on, a.title, a.kind, \
             a.participants, a.notes, a.account, a.created_at from activity a \
             join org o on o.org_id = a.org_id where a.activity_id = ",
        );
        sql.bind_int(activity_id);
        scope.filter_org(&mut sql, "o.path");
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// Deletes an activity held by an organisation in scope or one below it (a society's page
    /// deletes its branches' too). An activity elsewhere is not found. Audited with what it was.
    #[tracing::instrument(skip_all, err)]
    pub async fn delete_activity(
        &self,
        scope: &Scope,
        org_id: i64,
        activity_id: i64,
    ) -> StoreResult<()> {
        let org = self.org(scope, org_id).await?;
        let (lo, hi) = subtree_range(&org.path);
        let mut sql = Sql::new(
            "select a.org_id, a.kind, a.held_on from activity a join org o on o.org_id = a.org_id \
             where a.activity_id = ",
        );
        sql.bind_int(activity_id)
            .push(" and o.path >= ")
            .bind_text(lo)
            .push(" and o.path < ")
            .bind_text(hi);
        scope.filter_org(&mut sql, "o.path");
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let org_id: i64 = row.try_get("org_id")?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let kind: String = row.try_get("kind")?;
        let held_on: String = row.try_get("held_on")?;
        let mut tx = self.write.begin().await?;
        let gone = sqlx::query("delete from activity where activity_id = $1")
            .bind(activity_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.activity.delete",
            &format!("activity:{activity_id}"),
            Outcome::Ok,
            &format!("org={org_id} kind={kind} held_on={held_on}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A society's branches (分支机构: its child organisations of kind `branch`, not dissolved)
    /// in scope, each with its founding date and the day of its latest activity held on or
    /// before `as_of`, for `check_branches`.
    pub(crate) async fn branch_infos(
        &self,
        scope: &Scope,
        org_id: i64,
        as_of: NaiveDate,
    ) -> StoreResult<Vec<BranchInfo>> {
        let mut sql = Sql::new(
            "select o.name, o.established, (select max(a.held_on) from activity a \
             where a.org_id = o.org_id and a.held_on <= ",
        );
        sql.bind_text(as_of.to_string())
            .push(") as last_activity from org o where o.kind = 'branch' and o.status <> 'dissolved' and o.parent_id = ")
            .bind_int(org_id);
        scope.filter_org(&mut sql, "o.path");
        sql.push(" order by o.name_pinyin, o.org_id");
        sql.query()
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                let day = |column: &str| -> StoreResult<Option<NaiveDate>> {
                    Ok(r.try_get::<Option<String>, _>(column)?
                        .as_deref()
                        .and_then(parse_day))
                };
                Ok(BranchInfo {
                    name: r.try_get("name")?,
                    last_activity: day("last_activity")?,
                    established: day("established")?,
                })
            })
            .collect()
    }
}
