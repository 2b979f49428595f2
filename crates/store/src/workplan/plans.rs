//! Plans: reading and listing them within scope.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{clean, filter_plan, filter_task, push_full_access, Plan};
use crate::divisions::escape_like;
use crate::sql::Sql;
use crate::{Scope, Store, StoreError, StoreResult};

/// A section of a plan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSection {
    pub plan_section_id: i64,
    pub parent_id: Option<i64>,
    /// 0 for "一、", 1 for "(一)", 2 for "1.".
    pub level: i64,
    pub title: String,
}

/// Filters of a plan list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Plans issued by this organisation.
    pub org_id: Option<i64>,
    pub year: Option<i64>,
    /// Title or document number contains.
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn plan_from_row(row: &AnyRow) -> StoreResult<Plan> {
    Ok(Plan {
        plan_id: row.try_get("plan_id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        title: row.try_get("title")?,
        doc_number: row.try_get("doc_number")?,
        issued_on: row.try_get("issued_on")?,
        year: row.try_get("year")?,
        implements_plan_id: row.try_get("implements_plan_id")?,
        tasks: row.try_get("tasks")?,
        full_access: row.try_get::<i64, _>("full_access")? != 0,
    })
}

fn plan_select(scope: &Scope) -> Sql {
    let mut sql = Sql::new(
        "select p.plan_id, p.org_id, o.name as org_name, p.title, p.doc_number, p.issued_on, \
         p.year, p.implements_plan_id, ",
    );
    push_full_access(scope, &mut sql);
    sql.push(", (select count(*) from task t where t.plan_id = p.plan_id");
    filter_task(scope, &mut sql);
    sql.push(") as tasks from plan p join org o on o.org_id = p.org_id where 1 = 1");
    filter_plan(scope, &mut sql);
    sql
}

impl Store {
    /// One plan, if the caller sees it (its issuer or one of its tasks' units is in scope).
    pub async fn plan(&self, scope: &Scope, plan_id: i64) -> StoreResult<Plan> {
        let mut sql = plan_select(scope);
        sql.push(" and p.plan_id = ").bind_int(plan_id);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        plan_from_row(&row)
    }

    /// A page of the plans the caller sees, newest year first, and the total matching.
    pub async fn list_plans(
        &self,
        scope: &Scope,
        filter: &PlanFilter,
    ) -> StoreResult<(Vec<Plan>, i64)> {
        let build = |sql: &mut Sql| {
            if let Some(org) = filter.org_id {
                sql.push(" and p.org_id = ").bind_int(org);
            }
            if let Some(year) = filter.year {
                sql.push(" and p.year = ").bind_int(year);
            }
            if let Some(q) = filter.q.as_deref().and_then(clean) {
                let pattern = format!("%{}%", escape_like(&q));
                sql.push(" and (p.title like ")
                    .bind_text(pattern.clone())
                    .push(" escape '\\' or p.doc_number like ")
                    .bind_text(pattern)
                    .push(" escape '\\')");
            }
        };
        let mut count = Sql::new(
            "select count(*) as n from plan p join org o on o.org_id = p.org_id where 1 = 1",
        );
        filter_plan(scope, &mut count);
        build(&mut count);
        let total: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
        let mut sql = plan_select(scope);
        build(&mut sql);
        sql.push(" order by p.year desc, p.plan_id desc limit ")
            .bind_int(filter.limit.clamp(1, 500))
            .push(" offset ")
            .bind_int(filter.offset.max(0));
        let rows = sql.query().fetch_all(&self.read).await?;
        let plans = rows.iter().map(plan_from_row).collect::<StoreResult<_>>()?;
        Ok((plans, total))
    }

    /// A plan's sections in order: all of them for its issuer, those holding a task the caller
    /// sees for a responsible unit.
    pub async fn plan_sections(
        &self,
        scope: &Scope,
        plan_id: i64,
    ) -> StoreResult<Vec<PlanSection>> {
        let plan = self.plan(scope, plan_id).await?;
        let mut sql = Sql::new(
            "select s.plan_section_id, s.parent_id, s.level, s.title from plan_section s \
             where s.plan_id = ",
        );
        sql.bind_int(plan.plan_id);
        if !plan.full_access {
            sql.push(
                " and exists (select 1 from task t join plan p on p.plan_id = t.plan_id \
                 where t.plan_section_id = s.plan_section_id",
            );
            filter_task(scope, &mut sql);
            sql.push(")");
        }
        sql.push(" order by s.position");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(PlanSection {
                    plan_section_id: r.try_get("plan_section_id")?,
                    parent_id: r.try_get("parent_id")?,
                    level: r.try_get("level")?,
                    title: r.try_get("title")?,
                })
            })
            .collect()
    }
}
