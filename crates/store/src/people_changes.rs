//! Changing people and memberships: edits, deletion, duplicate detection (merging is in
//! `person_merge.rs`), membership status with its history. Integrity records are in
//! `integrity.rs`.

use kexie_domain::{mask, pinyin};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Outcome;
use crate::ledger::MEMBERSHIP_STATUSES;
use crate::search_feed::Changed;
use crate::sql::{Sql, Value};
use crate::{now_ms, NewPerson, PersonRow, Scope, Store, StoreError, StoreResult};

/// Why two records look like the same person.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateMatch {
    pub person_id: i64,
    pub name: String,
    pub org_name: String,
    /// `id_number`, `name_mobile` or `name_birth_employer`.
    pub reason: String,
}

/// What deleting a person does with the rows of a table that names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDelete {
    /// Personal data: erased with the person.
    Erase,
    /// The sign-in account: kept for its audit trail, unlinked and disabled.
    DisableAccount,
    /// An organisation's record of who held a post: no deletion while the person is named.
    Refuse,
}

/// Every table besides `membership` whose rows name a person by `person_id` (each has a foreign
/// key to `person`). A merge moves all of them to the record kept; deletion treats each as
/// marked. A new table that refers to people belongs here, or merging and deleting them fail.
pub(crate) const PERSON_REFERENCES: [(&str, OnDelete); 6] = [
    ("integrity_record", OnDelete::Erase),
    ("correction_request", OnDelete::Erase),
    ("account", OnDelete::DisableAccount),
    ("org_post", OnDelete::Refuse),
    ("post", OnDelete::Refuse),
    ("pilot_group_member", OnDelete::Refuse),
];

fn duplicate_from_row(r: &sqlx::any::AnyRow) -> StoreResult<DuplicateMatch> {
    Ok(DuplicateMatch {
        person_id: r.try_get("person_id")?,
        name: r.try_get("name")?,
        org_name: r.try_get("org_name")?,
        reason: r.try_get("reason")?,
    })
}

impl Store {
    /// Records that look like the same person as `new` (same ID number; or same name and mobile;
    /// or same name, birth date and employer), within scope.
    pub async fn find_duplicates(
        &self,
        scope: &Scope,
        new: &NewPerson,
        except: Option<i64>,
    ) -> StoreResult<Vec<DuplicateMatch>> {
        let mut sql = Sql::new(
            "select p.person_id, p.name, o.name as org_name, case \
             when p.id_number_hash = ",
        );
        let (id_hash, mobile_hash) = self.identity_hashes(new);
        sql.bind(Value::OptText(id_hash.clone()))
            .push(" then 'id_number' when p.mobile_hash = ")
            .bind(Value::OptText(mobile_hash.clone()))
            .push(
                " then 'name_mobile' else 'name_birth_employer' end as reason \
                   from person p join org o on o.org_id = p.org_id where (p.id_number_hash = ",
            )
            .bind(Value::OptText(id_hash))
            .push(" or (p.name = ")
            .bind_text(new.name.trim())
            .push(" and p.mobile_hash = ")
            .bind(Value::OptText(mobile_hash))
            .push(") or (p.name = ")
            .bind_text(new.name.trim())
            .push(" and p.birth_date = ")
            .bind(Value::OptText(new.birth_date.clone()))
            .push(" and p.employer = ")
            .bind(Value::OptText(new.employer.clone()))
            .push("))");
        if let Some(id) = except {
            sql.push(" and p.person_id <> ").bind_int(id);
        }
        scope.filter_person(&mut sql);
        sql.push(" order by p.person_id limit 20");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(duplicate_from_row).collect()
    }

    /// Records in scope that look like the same person as a stored one, compared through the
    /// stored hashes (the plaintext is never needed).
    pub async fn duplicates_of(
        &self,
        scope: &Scope,
        person_id: i64,
    ) -> StoreResult<Vec<DuplicateMatch>> {
        self.person(scope, person_id).await?;
        let mut sql = Sql::new(
            "select p.person_id, p.name, o.name as org_name, case \
             when p.id_number_hash = x.id_number_hash then 'id_number' \
             when p.mobile_hash = x.mobile_hash then 'name_mobile' else 'name_birth_employer' end as reason \
             from person x join person p on p.person_id <> x.person_id and (p.id_number_hash = x.id_number_hash \
             or (p.name = x.name and p.mobile_hash = x.mobile_hash) \
             or (p.name = x.name and p.birth_date = x.birth_date and p.employer = x.employer)) \
             join org o on o.org_id = p.org_id where x.person_id = ",
        );
        sql.bind_int(person_id);
        scope.filter_person(&mut sql);
        sql.push(" order by p.person_id limit 20");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(duplicate_from_row).collect()
    }

    /// Replaces a person's fields (all of `NewPerson`; `org_id` moves the record to another
    /// keeping organisation in scope). Identity numbers given as `None` are kept.
    pub async fn update_person(
        &self,
        scope: &Scope,
        person_id: i64,
        new: &NewPerson,
    ) -> StoreResult<PersonRow> {
        let old = self.person(scope, person_id).await?;
        if new.org_id != old.org_id {
            self.org(scope, new.org_id).await?;
        }
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write.begin().await?;
        self.write_person_in(&mut tx, scope, person_id, new, "person.update")
            .await?;
        tx.commit().await?;
        self.person(scope, person_id).await
    }

    /// Writes a person's new fields inside the caller's transaction, with its search change and
    /// audit record (`action`): the one path every edit takes, after the caller's checks.
    pub(crate) async fn write_person_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        scope: &Scope,
        person_id: i64,
        new: &NewPerson,
        action: &str,
    ) -> StoreResult<()> {
        if new.name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "姓名不能为空 / the name is required".into(),
            ));
        }
        let cipher = self.cipher();
        let mut sql = Sql::new("update person set org_id = ");
        sql.bind_int(new.org_id)
            .push(", name = ")
            .bind_text(new.name.trim())
            .push(", name_pinyin = ")
            .bind_text(pinyin::name_sort_key(&new.name))
            .push(", initials = ")
            .bind_text(pinyin::name_initials(&new.name));
        for (column, value) in [
            ("gender", &new.gender),
            ("birth_date", &new.birth_date),
            ("ethnicity", &new.ethnicity),
            ("email", &new.email),
            ("employer", &new.employer),
            ("department", &new.department),
            ("post", &new.post),
            ("title", &new.title),
            ("education", &new.education),
            ("degree", &new.degree),
            ("discipline", &new.discipline),
            ("political_status", &new.political_status),
        ] {
            sql.push(", ")
                .push(column)
                .push(" = ")
                .bind(Value::OptText(value.clone().filter(|v| !v.is_empty())));
        }
        sql.push(", grassroots = ")
            .bind_int(new.grassroots.into())
            .push(", serving_official = ")
            .bind_int(new.serving_official.into())
            .push(", retired_official = ")
            .bind_int(new.retired_official.into());
        if let Some(id) = new.id_number.as_deref().filter(|v| !v.is_empty()) {
            sql.push(", id_number_enc = ")
                .bind(Value::Bytes(Some(cipher.encrypt("person.id_number", id))))
                .push(", id_number_hash = ")
                .bind_text(cipher.lookup_hash("person.id_number", id))
                .push(", id_number_mask = ")
                .bind_text(mask::mask_id_number(id));
        }
        if let Some(m) = new.mobile.as_deref().filter(|v| !v.is_empty()) {
            sql.push(", mobile_enc = ")
                .bind(Value::Bytes(Some(cipher.encrypt("person.mobile", m))))
                .push(", mobile_hash = ")
                .bind_text(cipher.lookup_hash("person.mobile", m))
                .push(", mobile_mask = ")
                .bind_text(mask::mask_phone(m));
        }
        sql.push(", updated_at = ")
            .bind_int(now_ms())
            .push(" where person_id = ")
            .bind_int(person_id);
        sql.query().execute(&mut *tx).await.map_err(|e| {
            StoreError::conflict_on_unique(
                e,
                "该身份证号已登记 / this ID number is already registered",
            )
        })?;
        self.log_search_change(tx, Changed::Person, person_id, person_id)
            .await?;
        self.audit_in(
            tx,
            scope.actor(),
            action,
            &format!("person:{person_id}"),
            Outcome::Ok,
            "",
        )
        .await
    }

    /// Deletes a person with their memberships and integrity records (personal data is erased,
    /// PIPL art. 47); the audit trail keeps that it happened, not who it was. A person still
    /// named in a post or a pilot group is a conflict: those are the organisation's records.
    pub async fn delete_person(&self, scope: &Scope, person_id: i64) -> StoreResult<()> {
        self.person(scope, person_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.write.begin().await?;
        for (table, on_delete) in PERSON_REFERENCES {
            if on_delete != OnDelete::Refuse {
                continue;
            }
            let named: i64 = sqlx::query(&format!(
                "select count(*) as n from {table} where person_id = $1"
            ))
            .bind(person_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if named > 0 {
                return Err(StoreError::Conflict(
                    "此人仍在组织职务、理事会或试点工作组中有记录，不能删除 / the person is named \
                     in a post, a governing body or a pilot group and cannot be deleted"
                        .into(),
                ));
            }
        }
        sqlx::query(
            "delete from membership_event where membership_id in \
             (select membership_id from membership where person_id = $1)",
        )
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from membership where person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        for (table, on_delete) in PERSON_REFERENCES {
            let sql = match on_delete {
                OnDelete::Erase => format!("delete from {table} where person_id = $1"),
                OnDelete::DisableAccount => format!(
                    "update {table} set person_id = null, disabled = 1 where person_id = $1"
                ),
                OnDelete::Refuse => continue,
            };
            sqlx::query(&sql).bind(person_id).execute(&mut *tx).await?;
        }
        sqlx::query("delete from person where person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        self.log_search_change(&mut tx, Changed::Person, person_id, person_id)
            .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "person.delete",
            &format!("person:{person_id}"),
            Outcome::Ok,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a membership's status (active, lapsed, suspended, resigned, expelled), keeping the
    /// change in its history; leaving sets the date it ended, for the growth figures.
    pub async fn set_membership_status(
        &self,
        scope: &Scope,
        membership_id: i64,
        status: &str,
        on: &str,
        note: Option<&str>,
    ) -> StoreResult<()> {
        if !MEMBERSHIP_STATUSES.contains(&status) {
            return Err(StoreError::Invalid(format!(
                "未知的会员状态 / unknown status: {status}"
            )));
        }
        let row = sqlx::query("select org_id, status from membership where membership_id = $1")
            .bind(membership_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.org(scope, row.try_get("org_id")?).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let from: String = row.try_get("status")?;
        let left_on = (status != "active").then(|| on.to_string());
        let mut tx = self.write.begin().await?;
        sqlx::query("update membership set status = $1, left_on = $2, updated_at = $3 where membership_id = $4")
            .bind(status)
            .bind(left_on)
            .bind(now_ms())
            .bind(membership_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into membership_event (membership_id, at, account, action, from_value, to_value, note) \
             values ($1, $2, $3, 'status', $4, $5, $6)",
        )
        .bind(membership_id)
        .bind(now_ms())
        .bind(scope.actor().username.clone())
        .bind(from)
        .bind(status)
        .bind(note.map(str::to_string))
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "membership.status",
            &format!("membership:{membership_id}"),
            Outcome::Ok,
            &format!("to={status}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The membership types an organisation offers: the defaults and its own.
    pub async fn membership_types(&self, scope: &Scope, org_id: i64) -> StoreResult<Vec<String>> {
        self.org(scope, org_id).await?;
        let rows = sqlx::query(
            "select name from membership_type where org_id is null or org_id = $1 \
             order by org_id is not null, membership_type_id",
        )
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
    }

    /// Adds a membership type of an organisation's own.
    pub async fn add_membership_type(
        &self,
        scope: &Scope,
        org_id: i64,
        name: &str,
    ) -> StoreResult<()> {
        self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 20 {
            return Err(StoreError::Invalid(
                "会员类型名称应为 1 到 20 个字 / a type name has 1 to 20 characters".into(),
            ));
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("insert into membership_type (org_id, name, created_at) values ($1, $2, $3)")
            .bind(org_id)
            .bind(name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::conflict_on_unique(e, format!("会员类型 {name} 已存在 / type exists"))
            })?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "membership_type.create",
            &format!("org:{org_id}"),
            Outcome::Ok,
            name,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
