//! Figures for dashboards, always within the caller's scope.

use serde::Serialize;
use sqlx::Row;

use crate::sql::Sql;
use crate::{Scope, Store, StoreResult};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindCount {
    pub kind: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    pub orgs: i64,
    pub persons: i64,
    pub memberships: i64,
    pub grassroots: i64,
    pub by_kind: Vec<KindCount>,
}

impl Store {
    /// Counts of organisations, people and members in scope. Remembered until the next write
    /// (see remembered.rs): dashboards ask for them at every visit.
    pub async fn overview(&self, scope: &Scope) -> StoreResult<Overview> {
        let count = |base: &str| {
            let mut sql = Sql::new(base);
            scope.filter_org(&mut sql, "o.path");
            sql
        };
        let generation = self.generation_of(scope).await?;
        let scalar = |sql: Sql| async move { self.cached_count(&sql, generation).await };
        let orgs = scalar(count("select count(*) as n from org o where 1 = 1")).await?;
        let persons = scalar(count(
            "select count(*) as n from person p join org o on o.org_id = p.org_id where 1 = 1",
        ))
        .await?;
        let grassroots = scalar(count(
            "select count(*) as n from person p join org o on o.org_id = p.org_id where p.grassroots = 1",
        ))
        .await?;
        let memberships = scalar(count(
            "select count(*) as n from membership m join org o on o.org_id = m.org_id \
             where m.status = 'active'",
        ))
        .await?;
        let mut sql = count("select o.kind, count(*) as n from org o where 1 = 1");
        sql.push(" group by o.kind order by count(*) desc, o.kind");
        let by_kind = sql
            .query()
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok(KindCount {
                    kind: r.try_get("kind")?,
                    count: r.try_get("n")?,
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Overview {
            orgs,
            persons,
            memberships,
            grassroots,
            by_kind,
        })
    }
}
