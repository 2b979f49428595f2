//! Posts (任职) in organisations: a person holds a role in an organisation for a time, possibly as
//! one of the four key-person kinds (四长) of seeds/004. Not the posts of governing bodies in
//! council terms (`governance`): these are the simpler posts of the organisation network.

use chrono::NaiveDate;
use kexie_domain::network::{KeyPersonKind, PostMode, PostRole};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::Outcome;
use crate::sql::{subtree_range, Sql, Value};
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// A post as pages and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgPost {
    pub post_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub person_id: i64,
    pub person_name: String,
    /// `chair`, `vice_chair`, `secretary_general`, `committee_member`, `representative`,
    /// `contact`.
    pub role: String,
    /// `full_time`, `part_time` or `seconded`.
    pub mode: Option<String>,
    /// `hospital_director`, `school_principal`, `agri_station_head` or `tech_entrepreneur`.
    pub key_kind: Option<String>,
    /// YYYY-MM-DD.
    pub started_on: Option<String>,
    /// YYYY-MM-DD; the post is held until the day before.
    pub ended_on: Option<String>,
}

impl OrgPost {
    /// Whether the post is held on `day`.
    pub fn is_current(&self, day: NaiveDate) -> bool {
        let day = day.to_string();
        self.started_on.as_deref().is_none_or(|s| s <= day.as_str())
            && self.ended_on.as_deref().is_none_or(|e| e > day.as_str())
    }
}

/// A post to create, parsed at the boundary.
#[derive(Debug, Clone)]
pub struct NewOrgPost {
    pub person_id: i64,
    pub role: PostRole,
    pub mode: Option<PostMode>,
    pub key_kind: Option<KeyPersonKind>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

/// Changes to a post: `Some` fields are set (`Some(None)` clears an optional one).
#[derive(Debug, Clone, Default)]
pub struct OrgPostPatch {
    pub role: Option<PostRole>,
    pub mode: Option<Option<PostMode>>,
    pub key_kind: Option<Option<KeyPersonKind>>,
    pub started_on: Option<Option<NaiveDate>>,
    pub ended_on: Option<Option<NaiveDate>>,
}

/// Key persons in post at one level and of one kind (the coverage page's figures).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyPersonFigure {
    /// The division level of the organisations holding the posts: `province`, `city`, `county`,
    /// `township`, `village`, or `unplaced` for organisations without a division.
    pub level: String,
    /// The key-person kind code.
    pub kind: String,
    /// Distinct persons holding such a post on the day asked.
    pub persons: i64,
}

const POST_COLUMNS: &str = "p.org_post_id, p.org_id, o.name as org_name, p.person_id, \
    pe.name as person_name, p.role, p.mode, p.key_kind, p.started_on, p.ended_on";

const POST_FROM: &str = " from org_post p join org o on o.org_id = p.org_id \
    join person pe on pe.person_id = p.person_id where 1 = 1";

fn post_from_row(row: &AnyRow) -> StoreResult<OrgPost> {
    Ok(OrgPost {
        post_id: row.try_get("org_post_id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        person_id: row.try_get("person_id")?,
        person_name: row.try_get("person_name")?,
        role: row.try_get("role")?,
        mode: row.try_get("mode")?,
        key_kind: row.try_get("key_kind")?,
        started_on: row.try_get("started_on")?,
        ended_on: row.try_get("ended_on")?,
    })
}

fn check_post(
    role: PostRole,
    mode: Option<PostMode>,
    started: Option<NaiveDate>,
    ended: Option<NaiveDate>,
) -> StoreResult<()> {
    if role.needs_mode() && mode.is_none() {
        return Err(StoreError::Invalid(
            "副主席须注明专职、兼职或挂职 / a vice-chair's post must say full-time, part-time or seconded"
                .into(),
        ));
    }
    if let (Some(s), Some(e)) = (started, ended) {
        if e < s {
            return Err(StoreError::Invalid(format!(
                "离任日期 {e} 早于任职日期 {s} / the post ends before it starts"
            )));
        }
    }
    Ok(())
}

impl Store {
    /// The posts of an organisation in scope: those held on `today`, or all with `with_ended`.
    #[tracing::instrument(skip(self, scope), err)]
    pub async fn org_posts(
        &self,
        scope: &Scope,
        org_id: i64,
        today: NaiveDate,
        with_ended: bool,
    ) -> StoreResult<Vec<OrgPost>> {
        let org = self.org(scope, org_id).await?;
        let mut sql = Sql::new("select ");
        sql.push(POST_COLUMNS)
            .push(POST_FROM)
            .push(" and p.org_id = ")
            .bind_int(org.org_id);
        sql.push(
            " order by p.ended_on is not null, p.started_on is null, p.started_on, p.org_post_id",
        );
        let rows = sql.query().fetch_all(&self.read).await?;
        let posts = rows
            .iter()
            .map(post_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        // Role order of the documents: chair first, contacts last.
        let mut posts: Vec<OrgPost> = posts
            .into_iter()
            .filter(|p| with_ended || p.is_current(today))
            .collect();
        posts.sort_by_key(|p| {
            PostRole::ALL
                .iter()
                .position(|r| r.code() == p.role)
                .unwrap_or(usize::MAX)
        });
        Ok(posts)
    }

    /// One post, if its organisation is in scope.
    pub async fn org_post(&self, scope: &Scope, post_id: i64) -> StoreResult<OrgPost> {
        let mut sql = Sql::new("select ");
        sql.push(POST_COLUMNS)
            .push(POST_FROM)
            .push(" and p.org_post_id = ")
            .bind_int(post_id);
        scope.filter_org(&mut sql, "o.path");
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        post_from_row(&row)
    }

    /// Gives a person of the registry (in scope) a post in an organisation (in scope, writable).
    /// The same person may not hold the same role there twice at once.
    #[tracing::instrument(skip_all, err)]
    pub async fn add_org_post(
        &self,
        scope: &Scope,
        org_id: i64,
        new: &NewOrgPost,
    ) -> StoreResult<OrgPost> {
        self.org(scope, org_id).await?;
        self.person(scope, new.person_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        check_post(new.role, new.mode, new.started_on, new.ended_on)?;
        let mut tx = self.write.begin().await?;
        let open: i64 = sqlx::query(
            "select count(*) as n from org_post where org_id = $1 and person_id = $2 \
             and role = $3 and ended_on is null",
        )
        .bind(org_id)
        .bind(new.person_id)
        .bind(new.role.code())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if open > 0 && new.ended_on.is_none() {
            return Err(StoreError::Conflict(format!(
                "此人已在该组织担任{}，请先结束原任职 / the person already holds this post",
                new.role.zh_name()
            )));
        }
        let now = now_ms();
        let mut sql = Sql::new(
            "insert into org_post (org_id, person_id, role, mode, key_kind, started_on, ended_on, \
             created_at, updated_at) values (",
        );
        let values = [
            Value::Int(org_id),
            Value::Int(new.person_id),
            Value::Text(new.role.code().into()),
            Value::OptText(new.mode.map(|m| m.code().into())),
            Value::OptText(new.key_kind.map(|k| k.code().into())),
            Value::OptText(new.started_on.map(|d| d.to_string())),
            Value::OptText(new.ended_on.map(|d| d.to_string())),
            Value::Int(now),
            Value::Int(now),
        ];
        sql.bind_list(values);
        sql.push(") returning org_post_id");
        let post_id: i64 = sql
            .query()
            .fetch_one(&mut *tx)
            .await?
            .try_get("org_post_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "post.create",
            &format!("post:{post_id}"),
            Outcome::Ok,
            &format!(
                "org={org_id} person={} role={}",
                new.person_id,
                new.role.code()
            ),
        )
        .await?;
        tx.commit().await?;
        self.org_post(scope, post_id).await
    }

    /// Changes a post whose organisation is in scope (writable).
    #[tracing::instrument(skip_all, err)]
    pub async fn update_org_post(
        &self,
        scope: &Scope,
        post_id: i64,
        patch: &OrgPostPatch,
    ) -> StoreResult<OrgPost> {
        let old = self.org_post(scope, post_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let day = |s: &Option<String>| s.as_deref().and_then(crate::governance::parse_day);
        let role = patch
            .role
            .or_else(|| PostRole::parse(&old.role))
            .ok_or_else(|| StoreError::Other(format!("stored role {}", old.role)))?;
        let mode = patch
            .mode
            .unwrap_or_else(|| old.mode.as_deref().and_then(PostMode::parse));
        let key_kind = patch
            .key_kind
            .unwrap_or_else(|| old.key_kind.as_deref().and_then(KeyPersonKind::parse));
        let started = patch.started_on.unwrap_or_else(|| day(&old.started_on));
        let ended = patch.ended_on.unwrap_or_else(|| day(&old.ended_on));
        check_post(role, mode, started, ended)?;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "update org_post set role = $1, mode = $2, key_kind = $3, started_on = $4, \
             ended_on = $5, updated_at = $6 where org_post_id = $7",
        )
        .bind(role.code())
        .bind(mode.map(|m| m.code().to_string()))
        .bind(key_kind.map(|k| k.code().to_string()))
        .bind(started.map(|d| d.to_string()))
        .bind(ended.map(|d| d.to_string()))
        .bind(now_ms())
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
        let action = if old.ended_on.is_none() && ended.is_some() {
            "post.end"
        } else {
            "post.update"
        };
        self.audit_in(
            &mut tx,
            scope.actor(),
            action,
            &format!("post:{post_id}"),
            Outcome::Ok,
            &format!("org={}", old.org_id),
        )
        .await?;
        tx.commit().await?;
        self.org_post(scope, post_id).await
    }

    /// Ends a post on `day` (kept in the record, no longer current from that day). A post that
    /// has already ended keeps its date.
    pub async fn end_org_post(
        &self,
        scope: &Scope,
        post_id: i64,
        day: NaiveDate,
    ) -> StoreResult<OrgPost> {
        let post = self.org_post(scope, post_id).await?;
        if post.ended_on.is_some() {
            if !scope.can_write() {
                return Err(StoreError::Forbidden);
            }
            return Ok(post);
        }
        let patch = OrgPostPatch {
            ended_on: Some(Some(day)),
            ..OrgPostPatch::default()
        };
        self.update_org_post(scope, post_id, &patch).await
    }

    /// Key persons in post on `today` in the organisations of a subtree (given by its path), by
    /// the division level of the organisation and the key-person kind.
    pub(crate) async fn key_person_figures(
        &self,
        path: &str,
        today: NaiveDate,
    ) -> StoreResult<Vec<KeyPersonFigure>> {
        let (lo, hi) = subtree_range(path);
        let today = today.to_string();
        let rows = sqlx::query(
            "select d.level, p.key_kind, count(distinct p.person_id) as n from org_post p \
             join org o on o.org_id = p.org_id left join division d on d.code = o.division_code \
             where p.key_kind is not null and o.status <> 'dissolved' \
             and (p.started_on is null or p.started_on <= $1) \
             and (p.ended_on is null or p.ended_on > $2) and o.path >= $3 and o.path < $4 \
             group by d.level, p.key_kind",
        )
        .bind(&today)
        .bind(&today)
        .bind(&lo)
        .bind(&hi)
        .fetch_all(&self.read)
        .await?;
        let mut figures = Vec::new();
        for row in rows {
            let level: Option<i64> = row.try_get("level")?;
            let level = match level {
                Some(l) => crate::coverage::level_name(l),
                None => "unplaced",
            };
            figures.push(KeyPersonFigure {
                level: level.to_string(),
                kind: row.try_get("key_kind")?,
                persons: row.try_get("n")?,
            });
        }
        // Levels from the top down, kinds in the order of seeds/004.
        let rank = |f: &KeyPersonFigure| {
            let level = [
                "province", "city", "county", "township", "village", "unplaced",
            ]
            .iter()
            .position(|l| *l == f.level);
            let kind = KeyPersonKind::ALL.iter().position(|k| k.code() == f.kind);
            (level, kind)
        };
        figures.sort_by_key(rank);
        Ok(figures)
    }
}
