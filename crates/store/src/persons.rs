//! Science and technology workers and their memberships.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::Outcome;
use crate::divisions::escape_like;
use crate::person_values::{identity_hashes, person_values, PERSON_INSERT_COLUMNS};
use crate::search_feed::Changed;
use crate::sql::Sql;
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// A person as lists and pages show them: identity fields masked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRow {
    pub person_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    /// Masked: `1101**********002X`.
    pub id_number: Option<String>,
    /// Masked: `138****5678`.
    pub mobile: Option<String>,
    pub employer: Option<String>,
    pub title: Option<String>,
    pub discipline: Option<String>,
    pub grassroots: bool,
}

/// A person's unmasked identity fields.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    pub id_number: Option<String>,
    pub mobile: Option<String>,
}

/// A membership as a person's page shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipRow {
    pub membership_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub number: Option<String>,
    pub member_type: String,
    pub status: String,
    pub joined: Option<String>,
}

/// A person to register, already parsed and validated by the domain types.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub org_id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub ethnicity: Option<String>,
    /// Normalised (`IdNumber::as_str`).
    pub id_number: Option<String>,
    /// Normalised (`Mobile::as_str`).
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub employer: Option<String>,
    pub department: Option<String>,
    pub post: Option<String>,
    pub title: Option<String>,
    pub education: Option<String>,
    pub degree: Option<String>,
    pub discipline: Option<String>,
    pub political_status: Option<String>,
    pub grassroots: bool,
    pub serving_official: bool,
    pub retired_official: bool,
}

const PERSON_COLUMNS: &str = "p.person_id, p.org_id, o.name as org_name, p.name, p.gender, \
    p.birth_date, p.id_number_mask, p.mobile_mask, p.employer, p.title, p.discipline, p.grassroots";

fn person_from_row(row: &AnyRow) -> StoreResult<PersonRow> {
    Ok(PersonRow {
        person_id: row.try_get("person_id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        name: row.try_get("name")?,
        gender: row.try_get("gender")?,
        birth_date: row.try_get("birth_date")?,
        id_number: row.try_get("id_number_mask")?,
        mobile: row.try_get("mobile_mask")?,
        employer: row.try_get("employer")?,
        title: row.try_get("title")?,
        discipline: row.try_get("discipline")?,
        grassroots: row.try_get::<i64, _>("grassroots")? != 0,
    })
}

impl Store {
    /// Registers a person kept by `new.org_id` (in scope, writable). A person whose ID number is
    /// already registered is a conflict.
    #[tracing::instrument(skip_all, err)]
    pub async fn create_person(&self, scope: &Scope, new: &NewPerson) -> StoreResult<PersonRow> {
        self.org(scope, new.org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write.begin().await?;
        let person_id = self.insert_person(&mut tx, new).await?;
        self.log_search_change(&mut tx, Changed::Person, person_id, person_id)
            .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "person.create",
            &format!("person:{person_id}"),
            Outcome::Ok,
            "",
        )
        .await?;
        tx.commit().await?;
        self.person(scope, person_id).await
    }

    /// The keyed lookup hashes of a person's ID number and mobile phone (none for an empty one):
    /// what duplicate checks compare and what the insert stores.
    pub(crate) fn identity_hashes(&self, new: &NewPerson) -> (Option<String>, Option<String>) {
        identity_hashes(self.cipher(), new)
    }

    /// Inserts a person (identity fields encrypted, hashed and masked) inside the caller's
    /// transaction; a registered ID number is a conflict.
    pub(crate) async fn insert_person(
        &self,
        tx: &mut sqlx::AnyConnection,
        new: &NewPerson,
    ) -> StoreResult<i64> {
        let values = person_values(self.cipher(), new.clone(), now_ms());
        let mut sql = Sql::new("insert into person (");
        sql.push(PERSON_INSERT_COLUMNS).push(") values (");
        sql.bind_list(values);
        sql.push(") returning person_id");
        let person_id: i64 = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::conflict_on_unique(
                    e,
                    "该身份证号已登记 / this ID number is already registered",
                )
            })?
            .try_get("person_id")?;
        Ok(person_id)
    }

    /// One person, masked, if in scope.
    pub async fn person(&self, scope: &Scope, person_id: i64) -> StoreResult<PersonRow> {
        let mut sql = Sql::new("select ");
        sql.push(PERSON_COLUMNS)
            .push(" from person p join org o on o.org_id = p.org_id where p.person_id = ")
            .bind_int(person_id);
        scope.filter_person(&mut sql);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        person_from_row(&row)
    }

    /// The full ID number and mobile of a person in scope, for a caller allowed to unmask. The
    /// unmasking is recorded before anything is revealed: no record, no number.
    pub async fn person_identity(&self, scope: &Scope, person_id: i64) -> StoreResult<Identity> {
        let mut sql = Sql::new(
            "select p.id_number_enc, p.mobile_enc from person p join org o on o.org_id = p.org_id \
             where p.person_id = ",
        );
        sql.bind_int(person_id);
        scope.filter_person(&mut sql);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !scope.can_unmask() {
            return Err(StoreError::Forbidden);
        }
        self.audit(
            scope.actor(),
            "person.unmask",
            &format!("person:{person_id}"),
            Outcome::Ok,
            "fields=id_number,mobile",
        )
        .await?;
        Ok(Identity {
            id_number: self.open_field("person.id_number", row.try_get("id_number_enc")?)?,
            mobile: self.open_field("person.mobile", row.try_get("mobile_enc")?)?,
        })
    }

    /// Decrypts an encrypted field's value as read from its column (none stays none).
    pub(crate) fn open_field(
        &self,
        field: &str,
        sealed: Option<Vec<u8>>,
    ) -> StoreResult<Option<String>> {
        sealed
            .map(|s| {
                self.cipher()
                    .decrypt(field, &s)
                    .map_err(|e| StoreError::Other(e.to_string()))
            })
            .transpose()
    }

    /// The full ID number alone (see `person_identity`).
    pub async fn person_id_number(
        &self,
        scope: &Scope,
        person_id: i64,
    ) -> StoreResult<Option<String>> {
        Ok(self.person_identity(scope, person_id).await?.id_number)
    }

    /// Finds a person in scope by exact (normalised) ID number, through the keyed hash.
    pub async fn person_by_id_number(
        &self,
        scope: &Scope,
        id_number: &str,
    ) -> StoreResult<PersonRow> {
        let hash = self.cipher().lookup_hash("person.id_number", id_number);
        let mut sql = Sql::new("select ");
        sql.push(PERSON_COLUMNS)
            .push(" from person p join org o on o.org_id = p.org_id where p.id_number_hash = ")
            .bind_text(hash);
        scope.filter_person(&mut sql);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        person_from_row(&row)
    }

    /// A page of people in scope, sorted by the pinyin of the name, and the total matching.
    /// `q` matches a name, pinyin initials or an employer.
    pub async fn list_persons(
        &self,
        scope: &Scope,
        q: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<PersonRow>, i64)> {
        let build = |sql: &mut Sql| {
            scope.filter_person(sql);
            if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
                let like = format!("%{}%", escape_like(q));
                sql.push(" and (p.name like ")
                    .bind_text(like.clone())
                    .push(" escape '\\' or p.initials like ")
                    .bind_text(format!("{}%", escape_like(&q.to_lowercase())))
                    .push(" escape '\\' or p.employer like ")
                    .bind_text(like)
                    .push(" escape '\\')");
            }
        };
        let mut count = Sql::new(
            "select count(*) as n from person p join org o on o.org_id = p.org_id where 1 = 1",
        );
        build(&mut count);
        let total: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
        let mut sql = Sql::new("select ");
        sql.push(PERSON_COLUMNS)
            .push(" from person p join org o on o.org_id = p.org_id where 1 = 1");
        build(&mut sql);
        sql.push(" order by p.name_pinyin, p.person_id limit ")
            .bind_int(limit.clamp(1, 500))
            .push(" offset ")
            .bind_int(offset.max(0));
        let rows = sql.query().fetch_all(&self.read).await?;
        let list = rows
            .iter()
            .map(person_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((list, total))
    }

    /// Adds an individual membership of `org_id` (in scope, writable).
    pub async fn add_membership(
        &self,
        scope: &Scope,
        person_id: i64,
        org_id: i64,
        member_type: &str,
        number: Option<&str>,
        joined: Option<&str>,
    ) -> StoreResult<i64> {
        self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "insert into membership (person_id, org_id, number, member_type, status, joined, \
             created_at, updated_at) values ($1, $2, $3, $4, 'active', $5, $6, $7) returning membership_id",
        )
        .bind(person_id)
        .bind(org_id)
        .bind(number.map(str::to_string))
        .bind(member_type.to_string())
        .bind(joined.map(str::to_string))
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, "会员编号已存在 / membership number exists"))?;
        let membership_id: i64 = row.try_get("membership_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "membership.create",
            &format!("membership:{membership_id}"),
            Outcome::Ok,
            &format!("person={person_id} org={org_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(membership_id)
    }

    /// A person's memberships in organisations the caller may see.
    pub async fn person_memberships(
        &self,
        scope: &Scope,
        person_id: i64,
    ) -> StoreResult<Vec<MembershipRow>> {
        self.person(scope, person_id).await?;
        let mut sql = Sql::new(
            "select m.membership_id, m.org_id, o.name as org_name, m.number, m.member_type, m.status, \
             m.joined from membership m join org o on o.org_id = m.org_id where m.person_id = ",
        );
        sql.bind_int(person_id);
        if scope.person_id() != Some(person_id) {
            scope.filter_org(&mut sql, "o.path");
        }
        sql.push(" order by m.joined, m.membership_id");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(MembershipRow {
                    membership_id: r.try_get("membership_id")?,
                    org_id: r.try_get("org_id")?,
                    org_name: r.try_get("org_name")?,
                    number: r.try_get("number")?,
                    member_type: r.try_get("member_type")?,
                    status: r.try_get("status")?,
                    joined: r.try_get("joined")?,
                })
            })
            .collect()
    }

    /// Active members of one organisation (in scope), by pinyin, and their total.
    pub async fn org_members(
        &self,
        scope: &Scope,
        org_id: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<PersonRow>, i64)> {
        let org = self.org(scope, org_id).await?;
        let total: i64 = sqlx::query(
            "select count(*) as n from membership m where m.org_id = $1 and m.status = 'active'",
        )
        .bind(org.org_id)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        let mut sql = Sql::new("select ");
        sql.push(PERSON_COLUMNS).push(
            " from membership m join person p on p.person_id = m.person_id \
             join org o on o.org_id = p.org_id where m.status = 'active' and m.org_id = ",
        );
        sql.bind_int(org.org_id)
            .push(" order by p.name_pinyin, p.person_id limit ")
            .bind_int(limit.clamp(1, 500))
            .push(" offset ")
            .bind_int(offset.max(0));
        let rows = sql.query().fetch_all(&self.read).await?;
        let list = rows
            .iter()
            .map(person_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((list, total))
    }
}
