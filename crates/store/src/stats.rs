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
    ///
    /// Counted afresh, a province's members take the longest (two million memberships): they
    /// are counted on one reading connection while the rest is counted on another, the people
    /// and the grassroots among them in one pass over their index.
    pub async fn overview(&self, scope: &Scope) -> StoreResult<Overview> {
        let count = |base: &str| {
            let mut sql = Sql::new(base);
            scope.filter_org(&mut sql, "o.path");
            sql
        };
        let generation = self.generation_of(scope).await?;
        let members = count(
            "select count(*) as n from membership m join org o on o.org_id = m.org_id \
             where m.status = 'active'",
        );
        let memberships = self.cached_count(&members, generation);
        let rest = async {
            let orgs = count("select count(*) as n from org o where 1 = 1");
            let orgs = self.cached_count(&orgs, generation).await?;
            let people = count(
                "select count(*) as persons, \
                 coalesce(sum(case when p.grassroots = 1 then 1 else 0 end), 0) as grassroots \
                 from person p join org o on o.org_id = p.org_id where 1 = 1",
            );
            let [persons, grassroots] = self
                .cached_counts(&people, ["persons", "grassroots"], generation)
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
                .collect::<StoreResult<Vec<_>>>()?;
            StoreResult::Ok((orgs, persons, grassroots, by_kind))
        };
        let (memberships, (orgs, persons, grassroots, by_kind)) =
            tokio::try_join!(memberships, rest)?;
        Ok(Overview {
            orgs,
            persons,
            memberships,
            grassroots,
            by_kind,
        })
    }
}
