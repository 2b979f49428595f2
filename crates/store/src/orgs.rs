//! Organisations and their hierarchy.

use kexie_domain::mask;
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_domain::pinyin;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::divisions::escape_like;
use crate::search_feed::Changed;
use crate::sql::{Sql, Value};
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// An organisation as the pages and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Org {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub division_code: Option<String>,
    pub division_name: Option<String>,
    pub parent_id: Option<i64>,
    #[serde(skip)]
    pub path: String,
    pub depth: i64,
    pub credit_code: Option<String>,
    pub established: Option<String>,
    pub status: String,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    /// Masked (`138****5678`); the full number is encrypted at rest.
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

/// One line of an organisation list, with its counts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgSummary {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub division_name: Option<String>,
    pub children: i64,
    pub members: i64,
}

/// What it takes to create an organisation; validated by the caller's parsers (`OrgKind`,
/// `CreditCode`, `DivisionCode`) before it gets here.
#[derive(Debug, Clone, Default)]
pub struct NewOrg {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: Option<OrgKind>,
    pub division_code: Option<String>,
    pub parent_id: Option<i64>,
    pub credit_code: Option<String>,
    pub established: Option<String>,
    pub status: Option<OrgStatus>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

/// Filters of an organisation list.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    /// Only direct children of this organisation.
    pub parent_id: Option<i64>,
    /// Name contains, or pinyin initials start with.
    pub q: Option<String>,
    pub kind: Option<OrgKind>,
    pub limit: i64,
    pub offset: i64,
}

const ORG_COLUMNS: &str = "o.org_id, o.code, o.name, o.short_name, o.kind, o.division_code, \
    d.name as division_name, o.parent_id, o.path, o.depth, o.credit_code, o.established, o.status, \
    o.address, o.contact_name, o.contact_phone_mask, o.notes";

fn org_from_row(row: &AnyRow) -> StoreResult<Org> {
    Ok(Org {
        org_id: row.try_get("org_id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        kind: row.try_get("kind")?,
        division_code: row.try_get("division_code")?,
        division_name: row.try_get("division_name")?,
        parent_id: row.try_get("parent_id")?,
        path: row.try_get("path")?,
        depth: row.try_get("depth")?,
        credit_code: row.try_get("credit_code")?,
        established: row.try_get("established")?,
        status: row.try_get("status")?,
        address: row.try_get("address")?,
        contact_name: row.try_get("contact_name")?,
        contact_phone: row.try_get("contact_phone_mask")?,
        notes: row.try_get("notes")?,
    })
}

fn summary_from_row(row: &AnyRow) -> StoreResult<OrgSummary> {
    Ok(OrgSummary {
        org_id: row.try_get("org_id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        division_name: row.try_get("division_name")?,
        children: row.try_get("children")?,
        members: row.try_get("members")?,
    })
}

impl Store {
    /// Creates an organisation under `parent_id` (which must be in scope) or as a root (only
    /// with a scope that reaches everything).
    #[tracing::instrument(skip_all, err)]
    pub async fn create_org(&self, scope: &Scope, new: &NewOrg) -> StoreResult<Org> {
        if new.code.trim().is_empty() || new.name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "组织代码和名称不能为空 / code and name are required".into(),
            ));
        }
        let parent = match new.parent_id {
            Some(id) => Some(self.org(scope, id).await?),
            None if scope.is_everything() => None,
            None => return Err(StoreError::Forbidden),
        };
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let (parent_path, depth) = match &parent {
            Some(p) => (p.path.clone(), p.depth + 1),
            None => ("/".to_string(), 1),
        };
        let mut tx = self.write.begin().await?;
        let (org_id, _) = self
            .insert_org(&mut tx, scope, new, &parent_path, depth)
            .await?;
        self.log_search_change(&mut tx, Changed::Org, org_id, org_id)
            .await?;
        tx.commit().await?;
        self.org(scope, org_id).await
    }

    /// Inserts an organisation under a parent whose path and depth the caller has checked, with
    /// its history and audit records, inside the caller's transaction. Returns its id and path.
    pub(crate) async fn insert_org(
        &self,
        tx: &mut sqlx::AnyConnection,
        scope: &Scope,
        new: &NewOrg,
        parent_path: &str,
        depth: i64,
    ) -> StoreResult<(i64, String)> {
        let now = now_ms();
        let phone = new.contact_phone.as_deref().filter(|p| !p.is_empty());
        let mut sql = Sql::new(
            "insert into org (code, name, short_name, kind, division_code, parent_id, path, depth, \
             credit_code, established, status, address, contact_name, contact_phone_enc, \
             contact_phone_mask, notes, name_pinyin, initials, created_at, updated_at) values (",
        );
        let values = [
            Value::Text(new.code.trim().to_string()),
            Value::Text(new.name.trim().to_string()),
            Value::OptText(new.short_name.clone()),
            Value::Text(new.kind.unwrap_or(OrgKind::Other).code().to_string()),
            Value::OptText(new.division_code.clone()),
            Value::OptInt(new.parent_id),
            Value::Text(String::new()),
            Value::Int(depth),
            Value::OptText(new.credit_code.clone()),
            Value::OptText(new.established.clone()),
            Value::Text(new.status.unwrap_or(OrgStatus::Active).code().to_string()),
            Value::OptText(new.address.clone()),
            Value::OptText(new.contact_name.clone()),
            Value::Bytes(phone.map(|p| self.cipher().encrypt("org.contact_phone", p))),
            Value::OptText(phone.map(mask::mask_phone)),
            Value::OptText(new.notes.clone()),
            Value::Text(pinyin::sort_key(&new.name)),
            Value::Text(pinyin::initials_variants(&new.name)),
            Value::Int(now),
            Value::Int(now),
        ];
        sql.bind_list(values);
        sql.push(") returning org_id");
        let org_id: i64 = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::conflict_on_unique(
                    e,
                    format!("组织代码 {} 已存在 / code exists", new.code),
                )
            })?
            .try_get("org_id")?;
        let path = format!("{parent_path}{org_id}/");
        sqlx::query("update org set path = $1 where org_id = $2")
            .bind(&path)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        self.record_history(
            &mut *tx,
            scope,
            org_id,
            "create",
            &serde_json::json!({"code": [null, new.code.trim()], "parent_id": [null, new.parent_id]}),
        )
        .await?;
        Ok((org_id, path))
    }

    /// One organisation, if it is in scope.
    pub async fn org(&self, scope: &Scope, org_id: i64) -> StoreResult<Org> {
        self.org_where(scope, "o.org_id", Value::Int(org_id)).await
    }

    /// The organisation whose `column` is `value`, if it is in scope.
    async fn org_where(&self, scope: &Scope, column: &str, value: Value) -> StoreResult<Org> {
        let mut sql = Sql::new("select ");
        sql.push(ORG_COLUMNS)
            .push(" from org o left join division d on d.code = o.division_code where ")
            .push(column)
            .push(" = ")
            .bind(value);
        scope.filter_org(&mut sql, "o.path");
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        org_from_row(&row)
    }

    /// `org`, for read-only requests that know the generation they began at
    /// (`Scope::at_generation`): read once per generation, the scope checked here as
    /// `filter_org` would in SQL. Not for a request that writes and reads back.
    pub(crate) async fn org_for_reading(&self, scope: &Scope, org_id: i64) -> StoreResult<Org> {
        let Some(generation) = scope.generation() else {
            return self.org(scope, org_id).await;
        };
        let org = match self.remembered.orgs.get(&org_id, generation) {
            Some(org) => org,
            None => {
                let org = self.org(&Scope::everything(), org_id).await?;
                self.remembered.orgs.put(org_id, generation, org.clone());
                org
            }
        };
        if scope.contains_path(&org.path) {
            Ok(org)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// One organisation by its code, if it is in scope.
    pub async fn org_by_code(&self, scope: &Scope, code: &str) -> StoreResult<Org> {
        let code = Value::Text(code.trim().to_string());
        self.org_where(scope, "o.code", code).await
    }

    /// The chain from the root down to the organisation, within scope (for breadcrumbs).
    pub async fn org_ancestors(&self, scope: &Scope, org: &Org) -> StoreResult<Vec<OrgSummary>> {
        let ids: Vec<i64> = org
            .path
            .split('/')
            .filter_map(|s| s.parse().ok())
            .filter(|id| *id != org.org_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // One query for the whole chain; ancestors above the caller's scope are left out.
        let mut sql = Sql::new(
            "select o.org_id, o.code, o.name, o.kind, o.status, d.name as division_name, \
             cast(0 as bigint) as children, cast(0 as bigint) as members from org o \
             left join division d on d.code = o.division_code \
             where o.org_id in (",
        );
        sql.bind_ints(&ids).push(")");
        scope.filter_org(&mut sql, "o.path");
        sql.push(" order by o.depth");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// A page of organisations in scope with their counts, and the total matching.
    pub async fn list_orgs(
        &self,
        scope: &Scope,
        filter: &OrgFilter,
    ) -> StoreResult<(Vec<OrgSummary>, i64)> {
        let build = |sql: &mut Sql| {
            scope.filter_org(sql, "o.path");
            if let Some(parent) = filter.parent_id {
                sql.push(" and o.parent_id = ").bind_int(parent);
            }
            if let Some(kind) = filter.kind {
                sql.push(" and o.kind = ").bind_text(kind.code());
            }
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                sql.push(" and (o.name like ")
                    .bind_text(format!("%{}%", escape_like(q)))
                    .push(" escape '\\' or (' ' || o.initials) like ")
                    .bind_text(format!("% {}%", escape_like(&q.to_lowercase())))
                    .push(" escape '\\' or o.code = ")
                    .bind_text(q)
                    .push(")");
            }
        };
        let mut count = Sql::new("select count(*) as n from org o where 1 = 1");
        build(&mut count);
        let total: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
        let mut sql = Sql::new(
            "select o.org_id, o.code, o.name, o.kind, o.status, d.name as division_name, \
             (select count(*) from org c where c.parent_id = o.org_id) as children, \
             (select count(*) from membership m where m.org_id = o.org_id and m.status = 'active') as members \
             from org o left join division d on d.code = o.division_code where 1 = 1",
        );
        build(&mut sql);
        sql.push(" order by o.depth, o.kind = 'kexie' desc, o.name_pinyin limit ")
            .bind_int(filter.limit.clamp(1, 500))
            .push(" offset ")
            .bind_int(filter.offset.max(0));
        let rows = sql.query().fetch_all(&self.read).await?;
        let list = rows
            .iter()
            .map(summary_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((list, total))
    }

    /// The organisations at the top of the caller's scope (the roots of their subtrees).
    pub async fn scope_roots(&self, scope: &Scope) -> StoreResult<Vec<OrgSummary>> {
        let mut sql = Sql::new("select min(o.depth) as d from org o where 1 = 1");
        scope.filter_org(&mut sql, "o.path");
        let depth: Option<i64> = sql.query().fetch_one(&self.read).await?.try_get("d")?;
        let Some(depth) = depth else {
            return Ok(Vec::new());
        };
        let mut sql = Sql::new(
            "select o.org_id, o.code, o.name, o.kind, o.status, d.name as division_name, \
             (select count(*) from org c where c.parent_id = o.org_id) as children, \
             (select count(*) from membership m where m.org_id = o.org_id and m.status = 'active') as members \
             from org o left join division d on d.code = o.division_code where o.depth = ",
        );
        sql.bind_int(depth);
        scope.filter_org(&mut sql, "o.path");
        sql.push(" order by o.name_pinyin");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(summary_from_row).collect()
    }
}
