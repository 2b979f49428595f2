//! Governing bodies, their terms and the posts people hold in them.

use chrono::NaiveDate;
use kexie_domain::governance::{AppointmentMethod, Position};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::BodyKind;
use crate::audit::Outcome;
use crate::sql::{Sql, Value};
use crate::{now_ms, Org, Scope, Store, StoreError, StoreResult};

/// A body with its terms, newest first.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoverningBody {
    pub governing_body_id: i64,
    pub org_id: i64,
    /// `congress`, `council`, `standing_council`, `supervisory_board`, `secretariat`,
    /// `party_organisation`, `youth_committee` or `branch`.
    pub kind: String,
    pub name: String,
    pub terms: Vec<TermRow>,
}

impl GoverningBody {
    /// The term now running: the newest one.
    pub fn current(&self) -> Option<&TermRow> {
        self.terms.first()
    }

    /// The terms before the current one.
    pub fn past(&self) -> &[TermRow] {
        self.terms.get(1..).unwrap_or(&[])
    }
}

/// A term (届) with the posts held in it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermRow {
    pub term_id: i64,
    pub governing_body_id: i64,
    pub number: i64,
    /// `YYYY-MM-DD`.
    pub start_on: String,
    pub planned_end: String,
    pub actual_end: Option<String>,
    pub posts: Vec<PostRow>,
}

/// A post in a term, with the person's name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostRow {
    pub post_id: i64,
    pub term_id: i64,
    pub person_id: i64,
    pub person_name: String,
    /// The domain's `Position` code: `president`, `secretary_general` …
    pub position: String,
    /// `elected`, `council_on_president_nomination` or `other`.
    pub appointment: String,
    pub full_time: bool,
    pub ended_on: Option<String>,
}

impl PostRow {
    pub fn position_zh(&self) -> &'static str {
        Position::parse(&self.position).map_or("", Position::zh_name)
    }

    pub fn appointment_zh(&self) -> &'static str {
        AppointmentMethod::parse(&self.appointment).map_or("", AppointmentMethod::zh_name)
    }
}

/// A new term of a body.
#[derive(Debug, Clone)]
pub struct NewTerm {
    pub number: i64,
    pub start_on: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_end: Option<NaiveDate>,
}

/// A post to record in a term.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub person_id: i64,
    pub position: Position,
    pub appointment: AppointmentMethod,
    pub full_time: bool,
}

fn post_from_row(r: &AnyRow) -> StoreResult<PostRow> {
    Ok(PostRow {
        post_id: r.try_get("post_id")?,
        term_id: r.try_get("term_id")?,
        person_id: r.try_get("person_id")?,
        person_name: r.try_get("person_name")?,
        position: r.try_get("position")?,
        appointment: r.try_get("appointment")?,
        full_time: r.try_get::<i64, _>("full_time")? != 0,
        ended_on: r.try_get("ended_on")?,
    })
}

impl Store {
    /// The organisation that holds a body, if both are in scope.
    async fn body_org(&self, scope: &Scope, body_id: i64) -> StoreResult<(Org, String)> {
        let row =
            sqlx::query("select org_id, name from governing_body where governing_body_id = $1")
                .bind(body_id)
                .fetch_optional(&self.read)
                .await?
                .ok_or(StoreError::NotFound)?;
        let org = self.org(scope, row.try_get("org_id")?).await?;
        Ok((org, row.try_get("name")?))
    }

    /// Records a governing body of an organisation (in scope, writable).
    #[tracing::instrument(skip_all, err)]
    pub async fn create_body(
        &self,
        scope: &Scope,
        org_id: i64,
        kind: BodyKind,
        name: &str,
    ) -> StoreResult<i64> {
        self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let name = match name.trim() {
            "" => kind.zh_name(),
            n => n,
        };
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "insert into governing_body (org_id, kind, name, created_at) values ($1, $2, $3, $4) \
             returning governing_body_id",
        )
        .bind(org_id)
        .bind(kind.code())
        .bind(name)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_on_unique(e, format!("已有名为“{name}”的机构 / the body exists"))
        })?
        .try_get("governing_body_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.body.create",
            &format!("governing_body:{id}"),
            Outcome::Ok,
            &format!("org={org_id} kind={}", kind.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a new term of a body. The term before it, if still open, ends the day the new
    /// one starts: a body has one current term.
    #[tracing::instrument(skip_all, err)]
    pub async fn create_term(
        &self,
        scope: &Scope,
        body_id: i64,
        new: &NewTerm,
    ) -> StoreResult<i64> {
        self.body_org(scope, body_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        if new.number < 1 {
            return Err(StoreError::Invalid(
                "届次必须从1开始 / the term number starts at 1".into(),
            ));
        }
        if new.planned_end <= new.start_on {
            return Err(StoreError::Invalid(
                "届满日期必须晚于开始日期 / the planned end must be after the start".into(),
            ));
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "update term set actual_end = $1 where governing_body_id = $2 and actual_end is null \
             and number < $3",
        )
        .bind(new.start_on.to_string())
        .bind(body_id)
        .bind(new.number)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query(
            "insert into term (governing_body_id, number, start_on, planned_end, actual_end, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning term_id",
        )
        .bind(body_id)
        .bind(new.number)
        .bind(new.start_on.to_string())
        .bind(new.planned_end.to_string())
        .bind(new.actual_end.map(|d| d.to_string()))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_on_unique(e, format!("第{}届已登记 / the term exists", new.number))
        })?
        .try_get("term_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.term.create",
            &format!("term:{id}"),
            Outcome::Ok,
            &format!("body={body_id} number={}", new.number),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a post in a term. The term's organisation and the person must both be in scope.
    #[tracing::instrument(skip_all, err)]
    pub async fn add_post(&self, scope: &Scope, term_id: i64, new: &NewPost) -> StoreResult<i64> {
        let body_id: i64 = sqlx::query("select governing_body_id from term where term_id = $1")
            .bind(term_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get("governing_body_id")?;
        self.body_org(scope, body_id).await?;
        self.person(scope, new.person_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "insert into post (term_id, person_id, position, appointment, full_time, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning post_id",
        )
        .bind(term_id)
        .bind(new.person_id)
        .bind(new.position.code())
        .bind(new.appointment.code())
        .bind(i64::from(new.full_time))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("post_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.post.create",
            &format!("post:{id}"),
            Outcome::Ok,
            &format!(
                "term={term_id} person={} position={}",
                new.person_id,
                new.position.code()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ends a post (a resignation, a death, a removal) on `ended_on`.
    #[tracing::instrument(skip_all, err)]
    pub async fn end_post(
        &self,
        scope: &Scope,
        post_id: i64,
        ended_on: NaiveDate,
    ) -> StoreResult<()> {
        let row = sqlx::query(
            "select t.governing_body_id from post p join term t on t.term_id = p.term_id \
             where p.post_id = $1",
        )
        .bind(post_id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        self.body_org(scope, row.try_get("governing_body_id")?)
            .await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("update post set ended_on = $1 where post_id = $2")
            .bind(ended_on.to_string())
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "governance.post.end",
            &format!("post:{post_id}"),
            Outcome::Ok,
            &format!("ended_on={ended_on}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The bodies of an organisation in scope, each with its terms (newest first) and their
    /// posts, in the order of [`BodyKind`].
    pub async fn governing_bodies(
        &self,
        scope: &Scope,
        org_id: i64,
    ) -> StoreResult<Vec<GoverningBody>> {
        let org = self.org(scope, org_id).await?;
        let bodies = sqlx::query(
            "select governing_body_id, org_id, kind, name from governing_body where org_id = $1 \
             order by governing_body_id",
        )
        .bind(org.org_id)
        .fetch_all(&self.read)
        .await?;
        let terms = sqlx::query(
            "select t.term_id, t.governing_body_id, t.number, t.start_on, t.planned_end, t.actual_end \
             from term t join governing_body b on b.governing_body_id = t.governing_body_id \
             where b.org_id = $1 order by t.number desc",
        )
        .bind(org.org_id)
        .fetch_all(&self.read)
        .await?;
        let mut sql = Sql::new(
            "select p.post_id, p.term_id, p.person_id, pe.name as person_name, p.position, \
             p.appointment, p.full_time, p.ended_on from post p join term t on t.term_id = p.term_id \
             join governing_body b on b.governing_body_id = t.governing_body_id \
             join person pe on pe.person_id = p.person_id where b.org_id = ",
        );
        sql.bind(Value::Int(org.org_id))
            .push(" order by p.term_id, p.post_id");
        let posts = sql
            .query()
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(post_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut out = Vec::new();
        for b in &bodies {
            let body_id: i64 = b.try_get("governing_body_id")?;
            let mut body_terms = Vec::new();
            for t in terms.iter() {
                if t.try_get::<i64, _>("governing_body_id")? != body_id {
                    continue;
                }
                let term_id: i64 = t.try_get("term_id")?;
                body_terms.push(TermRow {
                    term_id,
                    governing_body_id: body_id,
                    number: t.try_get("number")?,
                    start_on: t.try_get("start_on")?,
                    planned_end: t.try_get("planned_end")?,
                    actual_end: t.try_get("actual_end")?,
                    posts: posts
                        .iter()
                        .filter(|p| p.term_id == term_id)
                        .cloned()
                        .collect(),
                });
            }
            out.push(GoverningBody {
                governing_body_id: body_id,
                org_id: b.try_get("org_id")?,
                kind: b.try_get("kind")?,
                name: b.try_get("name")?,
                terms: body_terms,
            });
        }
        out.sort_by_key(|b| (BodyKind::parse(&b.kind), b.governing_body_id));
        Ok(out)
    }
}
