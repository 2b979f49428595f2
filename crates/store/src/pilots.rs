//! Pilot programmes (试点): a programme issued by an organisation under a document number, its
//! categories of units, each unit's progress, and its leading group (seeds/004, 附件1 and 附件2
//! of 锡科协发〔2018〕61号). A pilot is in the scope of whoever sees its issuing organisation.

use std::collections::HashMap;

use chrono::NaiveDate;
use kexie_domain::network::{GroupRole, PilotStatus};
use serde::Serialize;
use sqlx::Row;

use crate::audit::Outcome;
use crate::clean;
use crate::sql::Sql;
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// A unit to add: an organisation of the registry (`org_id`) or a name in free text.
#[derive(Debug, Clone, Default)]
pub struct NewPilotUnit {
    pub org_id: Option<i64>,
    pub name: Option<String>,
    pub contact_name: Option<String>,
    /// Normalised (`kexie_office::parse_phone`); encrypted at rest, shown masked.
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewPilotCategory {
    pub name: String,
    pub units: Vec<NewPilotUnit>,
}

/// A member of the leading group: a person of the registry or a name in free text, with the
/// post they hold (职务, e.g. "党组书记、副主席").
#[derive(Debug, Clone)]
pub struct NewGroupMember {
    pub role: GroupRole,
    pub person_id: Option<i64>,
    pub name: Option<String>,
    pub title: Option<String>,
}

/// A pilot programme to create; `doc_number` already in its standard form (`DocNumber`).
#[derive(Debug, Clone, Default)]
pub struct NewPilot {
    pub org_id: i64,
    pub name: String,
    pub doc_number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub categories: Vec<NewPilotCategory>,
    pub group: Vec<NewGroupMember>,
}

/// Units by progress status.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotProgress {
    pub units: i64,
    pub not_started: i64,
    pub in_progress: i64,
    pub done: i64,
}

impl PilotProgress {
    fn count(&mut self, status: &str) {
        self.add(status, 1);
    }

    fn add(&mut self, status: &str, n: i64) {
        self.units += n;
        match PilotStatus::parse(status) {
            Some(PilotStatus::Done) => self.done += n,
            Some(PilotStatus::InProgress) => self.in_progress += n,
            _ => self.not_started += n,
        }
    }
}

/// A line of the list of pilot programmes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotSummary {
    pub pilot_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub doc_number: Option<String>,
    pub issued_on: Option<String>,
    pub progress: PilotProgress,
}

/// A dated progress note of a unit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressNote {
    pub status: String,
    pub noted_on: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotUnit {
    pub unit_id: i64,
    /// The organisation of the registry, when the unit is one.
    pub org_id: Option<i64>,
    pub name: String,
    pub contact_name: Option<String>,
    /// Masked (`138****5678`).
    pub contact_phone: Option<String>,
    /// `not_started`, `in_progress` or `done`.
    pub status: String,
    /// The day of the latest progress note.
    pub status_on: Option<String>,
    pub note: Option<String>,
    /// Every progress note, oldest first.
    pub history: Vec<ProgressNote>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotCategory {
    pub category_id: i64,
    pub name: String,
    pub progress: PilotProgress,
    pub units: Vec<PilotUnit>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotGroupMember {
    pub member_id: i64,
    /// `leader`, `deputy`, `member` or `office`.
    pub role: String,
    pub person_id: Option<i64>,
    pub name: String,
    pub title: Option<String>,
}

/// A pilot programme with everything in it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pilot {
    #[serde(flatten)]
    pub summary: PilotSummary,
    pub categories: Vec<PilotCategory>,
    pub group: Vec<PilotGroupMember>,
}

/// The columns of a pilot's summary, for `summary_from_row`.
const SUMMARY_SELECT: &str = "select pl.pilot_id, pl.org_id, o.name as org_name, pl.name, \
     pl.doc_number, pl.issued_on from pilot pl join org o on o.org_id = pl.org_id where ";

impl Store {
    /// Creates a pilot programme issued by an organisation in scope (writable). Units and group
    /// members taken from the registry must be in scope too.
    #[tracing::instrument(skip_all, err)]
    pub async fn create_pilot(&self, scope: &Scope, new: &NewPilot) -> StoreResult<Pilot> {
        self.org(scope, new.org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let name = new.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "试点名称不能为空 / the pilot needs a name".into(),
            ));
        }
        let mut units = Vec::new();
        for category in &new.categories {
            for unit in &category.units {
                units.push((category.name.trim(), self.resolve_unit(scope, unit).await?));
            }
        }
        let mut group = Vec::new();
        for member in &new.group {
            group.push(self.resolve_member(scope, member).await?);
        }
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let pilot_id: i64 = sqlx::query(
            "insert into pilot (org_id, name, doc_number, issued_on, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6) returning pilot_id",
        )
        .bind(new.org_id)
        .bind(name)
        .bind(new.doc_number.as_deref().and_then(clean))
        .bind(new.issued_on.map(|d| d.to_string()))
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("pilot_id")?;
        for category in &new.categories {
            self.category_id(&mut tx, pilot_id, &category.name).await?;
        }
        for (category, unit) in &units {
            let category_id = self.category_id(&mut tx, pilot_id, category).await?;
            self.insert_unit(&mut tx, category_id, unit).await?;
        }
        for member in &group {
            self.insert_member(&mut tx, pilot_id, member).await?;
        }
        self.audit_in(
            &mut tx,
            scope.actor(),
            "pilot.create",
            &format!("pilot:{pilot_id}"),
            Outcome::Ok,
            &format!("org={} units={}", new.org_id, units.len()),
        )
        .await?;
        tx.commit().await?;
        self.pilot(scope, pilot_id).await
    }

    /// The pilot programmes in scope, newest first, with their progress; `issuer` narrows the
    /// list to those issued by one organisation.
    pub async fn pilots(
        &self,
        scope: &Scope,
        issuer: Option<i64>,
    ) -> StoreResult<Vec<PilotSummary>> {
        let mut sql = Sql::new(SUMMARY_SELECT);
        sql.push("1 = 1");
        scope.filter_org(&mut sql, "o.path");
        if let Some(org) = issuer {
            sql.push(" and pl.org_id = ").bind_int(org);
        }
        sql.push(" order by pl.issued_on is null, pl.issued_on desc, pl.pilot_id desc");
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut list = rows
            .iter()
            .map(summary_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        // Units by status for every pilot of the list, in one query.
        let mut sql = Sql::new(
            "select c.pilot_id, u.status, count(*) as n from pilot_unit u \
             join pilot_category c on c.pilot_category_id = u.pilot_category_id \
             join pilot pl on pl.pilot_id = c.pilot_id join org o on o.org_id = pl.org_id \
             where 1 = 1",
        );
        scope.filter_org(&mut sql, "o.path");
        if let Some(org) = issuer {
            sql.push(" and pl.org_id = ").bind_int(org);
        }
        sql.push(" group by c.pilot_id, u.status");
        for row in sql.query().fetch_all(&self.read).await? {
            let pilot_id: i64 = row.try_get("pilot_id")?;
            let status: String = row.try_get("status")?;
            let n: i64 = row.try_get("n")?;
            if let Some(summary) = list.iter_mut().find(|p| p.pilot_id == pilot_id) {
                summary.progress.add(&status, n);
            }
        }
        Ok(list)
    }

    /// A pilot programme's summary (no progress counted), if its issuing organisation is in
    /// scope: the look-up a write makes before it checks the right.
    pub async fn pilot_summary(&self, scope: &Scope, pilot_id: i64) -> StoreResult<PilotSummary> {
        let mut sql = Sql::new(SUMMARY_SELECT);
        sql.push("pl.pilot_id = ").bind_int(pilot_id);
        scope.filter_org(&mut sql, "o.path");
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        summary_from_row(&row)
    }

    /// One pilot programme, if its issuing organisation is in scope.
    pub async fn pilot(&self, scope: &Scope, pilot_id: i64) -> StoreResult<Pilot> {
        let mut summary = self.pilot_summary(scope, pilot_id).await?;
        let mut categories: Vec<PilotCategory> = sqlx::query(
            "select pilot_category_id, name from pilot_category where pilot_id = $1 \
             order by position, pilot_category_id",
        )
        .bind(pilot_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(PilotCategory {
                category_id: r.try_get("pilot_category_id")?,
                name: r.try_get("name")?,
                progress: PilotProgress::default(),
                units: Vec::new(),
            })
        })
        .collect::<StoreResult<_>>()?;
        let units = sqlx::query(
            "select u.pilot_unit_id, u.pilot_category_id, u.org_id, u.name, u.contact_name, \
             u.contact_phone_mask, u.status, u.status_on, u.note from pilot_unit u \
             join pilot_category c on c.pilot_category_id = u.pilot_category_id \
             where c.pilot_id = $1 order by u.pilot_unit_id",
        )
        .bind(pilot_id)
        .fetch_all(&self.read)
        .await?;
        let notes = sqlx::query(
            "select g.pilot_unit_id, g.status, g.noted_on, g.note from pilot_progress g \
             join pilot_unit u on u.pilot_unit_id = g.pilot_unit_id \
             join pilot_category c on c.pilot_category_id = u.pilot_category_id \
             where c.pilot_id = $1 order by g.noted_on, g.pilot_progress_id",
        )
        .bind(pilot_id)
        .fetch_all(&self.read)
        .await?;
        // Each unit's notes, oldest first, gathered in one pass.
        let mut histories: HashMap<i64, Vec<ProgressNote>> = HashMap::new();
        for n in &notes {
            histories
                .entry(n.try_get("pilot_unit_id")?)
                .or_default()
                .push(ProgressNote {
                    status: n.try_get("status")?,
                    noted_on: n.try_get("noted_on")?,
                    note: n.try_get("note")?,
                });
        }
        for r in units {
            let unit_id: i64 = r.try_get("pilot_unit_id")?;
            let category_id: i64 = r.try_get("pilot_category_id")?;
            let history = histories.remove(&unit_id).unwrap_or_default();
            let unit = PilotUnit {
                unit_id,
                org_id: r.try_get("org_id")?,
                name: r.try_get("name")?,
                contact_name: r.try_get("contact_name")?,
                contact_phone: r.try_get("contact_phone_mask")?,
                status: r.try_get("status")?,
                status_on: r.try_get("status_on")?,
                note: r.try_get("note")?,
                history,
            };
            if let Some(c) = categories.iter_mut().find(|c| c.category_id == category_id) {
                c.progress.count(&unit.status);
                summary.progress.count(&unit.status);
                c.units.push(unit);
            }
        }
        let group = sqlx::query(
            "select pilot_group_member_id, role, person_id, name, title from pilot_group_member \
             where pilot_id = $1 order by pilot_group_member_id",
        )
        .bind(pilot_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(PilotGroupMember {
                member_id: r.try_get("pilot_group_member_id")?,
                role: r.try_get("role")?,
                person_id: r.try_get("person_id")?,
                name: r.try_get("name")?,
                title: r.try_get("title")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let mut group = group;
        group.sort_by_key(|m| GroupRole::ALL.iter().position(|r| r.code() == m.role));
        Ok(Pilot {
            summary,
            categories,
            group,
        })
    }
}

fn summary_from_row(row: &sqlx::any::AnyRow) -> StoreResult<PilotSummary> {
    Ok(PilotSummary {
        pilot_id: row.try_get("pilot_id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        name: row.try_get("name")?,
        doc_number: row.try_get("doc_number")?,
        issued_on: row.try_get("issued_on")?,
        progress: PilotProgress::default(),
    })
}
