//! The units and leading group of a pilot programme: adding them by hand or from a spreadsheet
//! (all or nothing), and each unit's progress with a dated note.

use std::collections::HashSet;

use chrono::NaiveDate;
use kexie_domain::mask;
use kexie_domain::network::{GroupRole, PilotStatus};
use sqlx::Row;

use crate::audit::Outcome;
use crate::clean;
use crate::pilots::{NewGroupMember, NewPilotUnit};
use crate::sql::Sql;
use crate::{now_ms, ImportOutcome, ImportProblem, Scope, Store, StoreError, StoreResult};

/// A unit whose registry organisation (if any) has been found in scope.
pub(crate) struct ResolvedUnit {
    org_id: Option<i64>,
    name: String,
    contact_name: Option<String>,
    contact_phone: Option<String>,
}

pub(crate) struct ResolvedMember {
    role: GroupRole,
    person_id: Option<i64>,
    name: String,
    title: Option<String>,
}

/// One row of a unit sheet (columns 类别, 单位名称, 联系人, 联系电话), already checked by `office`.
#[derive(Debug, Clone)]
pub struct PilotImportUnit {
    /// Spreadsheet row number.
    pub row: usize,
    pub category: String,
    pub name: String,
    pub contact_name: Option<String>,
    /// Normalised.
    pub contact_phone: Option<String>,
}

/// Trimmed text, or `None` when blank.
fn text(t: &Option<String>) -> Option<String> {
    t.as_deref().and_then(clean)
}

impl Store {
    /// Checks a unit: a registry organisation must be in scope (its name is taken); a unit in
    /// free text must have a name.
    pub(crate) async fn resolve_unit(
        &self,
        scope: &Scope,
        unit: &NewPilotUnit,
    ) -> StoreResult<ResolvedUnit> {
        let (org_id, name) = match unit.org_id {
            Some(id) => (Some(id), self.org(scope, id).await?.name),
            None => match text(&unit.name) {
                Some(n) => (None, n),
                None => {
                    return Err(StoreError::Invalid(
                        "试点单位须选择组织或填写名称 / a unit needs an organisation or a name"
                            .into(),
                    ))
                }
            },
        };
        Ok(ResolvedUnit {
            org_id,
            name,
            contact_name: text(&unit.contact_name),
            contact_phone: text(&unit.contact_phone),
        })
    }

    pub(crate) async fn resolve_member(
        &self,
        scope: &Scope,
        member: &NewGroupMember,
    ) -> StoreResult<ResolvedMember> {
        let name = match member.person_id {
            Some(id) => self.person(scope, id).await?.name,
            None => text(&member.name).ok_or_else(|| {
                StoreError::Invalid(
                    "领导小组成员须选择人员或填写姓名 / a group member needs a person or a name"
                        .into(),
                )
            })?,
        };
        Ok(ResolvedMember {
            role: member.role,
            person_id: member.person_id,
            name,
            title: text(&member.title),
        })
    }

    /// The id of a pilot's category by name, created (last in order) when new.
    pub(crate) async fn category_id(
        &self,
        tx: &mut sqlx::AnyConnection,
        pilot_id: i64,
        name: &str,
    ) -> StoreResult<i64> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "试点类别不能为空 / a category needs a name".into(),
            ));
        }
        let found = sqlx::query(
            "select pilot_category_id from pilot_category where pilot_id = $1 and name = $2",
        )
        .bind(pilot_id)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = found {
            return Ok(row.try_get("pilot_category_id")?);
        }
        let id = sqlx::query(
            "insert into pilot_category (pilot_id, name, position) values ($1, $2, \
             (select coalesce(max(position), cast(0 as bigint)) + 1 from pilot_category \
             where pilot_id = $3)) returning pilot_category_id",
        )
        .bind(pilot_id)
        .bind(name)
        .bind(pilot_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("pilot_category_id")?;
        Ok(id)
    }

    pub(crate) async fn insert_unit(
        &self,
        tx: &mut sqlx::AnyConnection,
        category_id: i64,
        unit: &ResolvedUnit,
    ) -> StoreResult<i64> {
        let now = now_ms();
        let phone = unit.contact_phone.as_deref();
        let id = sqlx::query(
            "insert into pilot_unit (pilot_category_id, org_id, name, contact_name, \
             contact_phone_enc, contact_phone_mask, status, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, 'not_started', $7, $8) returning pilot_unit_id",
        )
        .bind(category_id)
        .bind(unit.org_id)
        .bind(&unit.name)
        .bind(unit.contact_name.clone())
        .bind(phone.map(|p| self.cipher().encrypt("pilot_unit.contact_phone", p)))
        .bind(phone.map(mask::mask_phone))
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_on_unique(
                e,
                format!(
                    "该类别已有试点单位“{}” / the category already has this unit",
                    unit.name
                ),
            )
        })?
        .try_get("pilot_unit_id")?;
        Ok(id)
    }

    pub(crate) async fn insert_member(
        &self,
        tx: &mut sqlx::AnyConnection,
        pilot_id: i64,
        member: &ResolvedMember,
    ) -> StoreResult<i64> {
        let id = sqlx::query(
            "insert into pilot_group_member (pilot_id, role, person_id, name, title, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning pilot_group_member_id",
        )
        .bind(pilot_id)
        .bind(member.role.code())
        .bind(member.person_id)
        .bind(&member.name)
        .bind(member.title.clone())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("pilot_group_member_id")?;
        Ok(id)
    }

    /// Adds a unit to a category of a pilot in scope (writable); a new category name adds it.
    #[tracing::instrument(skip_all, err)]
    pub async fn add_pilot_unit(
        &self,
        scope: &Scope,
        pilot_id: i64,
        category: &str,
        unit: &NewPilotUnit,
    ) -> StoreResult<i64> {
        self.pilot_summary(scope, pilot_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let unit = self.resolve_unit(scope, unit).await?;
        let mut tx = self.write.begin().await?;
        let category_id = self.category_id(&mut tx, pilot_id, category).await?;
        let unit_id = self.insert_unit(&mut tx, category_id, &unit).await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "pilot.unit.create",
            &format!("pilot:{pilot_id}"),
            Outcome::Ok,
            &format!("unit={unit_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(unit_id)
    }

    /// Adds a member to the leading group of a pilot in scope (writable).
    #[tracing::instrument(skip_all, err)]
    pub async fn add_pilot_group_member(
        &self,
        scope: &Scope,
        pilot_id: i64,
        member: &NewGroupMember,
    ) -> StoreResult<i64> {
        self.pilot_summary(scope, pilot_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let member = self.resolve_member(scope, member).await?;
        let mut tx = self.write.begin().await?;
        let id = self.insert_member(&mut tx, pilot_id, &member).await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "pilot.group.create",
            &format!("pilot:{pilot_id}"),
            Outcome::Ok,
            &format!("member={id} role={}", member.role.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a unit's progress on `day` with a note; the unit shows the latest by date.
    #[tracing::instrument(skip_all, err)]
    pub async fn report_pilot_progress(
        &self,
        scope: &Scope,
        pilot_id: i64,
        unit_id: i64,
        status: PilotStatus,
        day: NaiveDate,
        note: Option<&str>,
    ) -> StoreResult<()> {
        self.pilot_summary(scope, pilot_id).await?;
        let unit = sqlx::query(
            "select u.pilot_unit_id from pilot_unit u \
             join pilot_category c on c.pilot_category_id = u.pilot_category_id \
             where u.pilot_unit_id = $1 and c.pilot_id = $2",
        )
        .bind(unit_id)
        .bind(pilot_id)
        .fetch_optional(&self.read)
        .await?;
        if unit.is_none() {
            return Err(StoreError::NotFound);
        }
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "insert into pilot_progress (pilot_unit_id, status, noted_on, note, account, at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(unit_id)
        .bind(status.code())
        .bind(day.to_string())
        .bind(note.map(str::to_string))
        .bind(&scope.actor().username)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        // The latest note by date (a note dated earlier than the current one keeps the status).
        sqlx::query(
            "update pilot_unit set status = $1, status_on = $2, note = $3, updated_at = $4 \
             where pilot_unit_id = $5 and (status_on is null or status_on <= $6)",
        )
        .bind(status.code())
        .bind(day.to_string())
        .bind(note.map(str::to_string))
        .bind(now_ms())
        .bind(unit_id)
        .bind(day.to_string())
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "pilot.progress",
            &format!("pilot:{pilot_id}"),
            Outcome::Ok,
            &format!("unit={unit_id} status={}", status.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports units into a pilot in scope (writable): all rows or none. A unit named exactly as
    /// one organisation of the caller's registry is linked to it. A unit already in its category,
    /// in the pilot or earlier in the file, is a problem of its row.
    #[tracing::instrument(skip_all, fields(rows = rows.len(), dry_run), err)]
    pub async fn import_pilot_units(
        &self,
        scope: &Scope,
        pilot_id: i64,
        rows: &[PilotImportUnit],
        dry_run: bool,
    ) -> StoreResult<ImportOutcome> {
        let pilot = self.pilot(scope, pilot_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let mut seen: HashSet<(String, String)> = pilot
            .categories
            .iter()
            .flat_map(|c| c.units.iter().map(|u| (c.name.clone(), u.name.clone())))
            .collect();
        let mut problems = Vec::new();
        let mut resolved = Vec::new();
        for item in rows {
            let key = (
                item.category.trim().to_string(),
                item.name.trim().to_string(),
            );
            if !seen.insert(key.clone()) {
                problems.push(ImportProblem {
                    row: item.row,
                    column: "单位名称",
                    code: "unit.duplicate",
                    message: format!("类别“{}”中已有单位“{}”", key.0, key.1),
                });
                continue;
            }
            let mut sql = Sql::new("select o.org_id from org o where o.name = ");
            sql.bind_text(key.1.clone());
            scope.filter_org(&mut sql, "o.path");
            sql.push(" limit 2");
            let found = sql.query().fetch_all(&self.read).await?;
            let org_id = match found.as_slice() {
                [one] => Some(one.try_get::<i64, _>("org_id")?),
                _ => None,
            };
            let unit = ResolvedUnit {
                org_id,
                name: key.1,
                contact_name: text(&item.contact_name),
                contact_phone: text(&item.contact_phone),
            };
            resolved.push((key.0, unit));
        }
        if !problems.is_empty() || dry_run {
            return Ok(ImportOutcome {
                created: 0,
                problems,
            });
        }
        let mut tx = self.write.begin().await?;
        for (category, unit) in &resolved {
            let category_id = self.category_id(&mut tx, pilot_id, category).await?;
            self.insert_unit(&mut tx, category_id, unit).await?;
        }
        self.audit_in(
            &mut tx,
            scope.actor(),
            "import.pilot_units",
            &format!("pilot:{pilot_id}"),
            Outcome::Ok,
            &format!("rows={}", resolved.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(ImportOutcome {
            created: resolved.len(),
            problems,
        })
    }
}
