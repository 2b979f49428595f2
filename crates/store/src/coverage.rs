//! Coverage (消除空白点): which divisions below a 科协 have a 科协 of their own, by level.
//! `seeds/004` asks for a network "纵向到底、横向到边"; `seeds/000` items 5–9 for 科协 in every
//! township, park, university and enterprise.

use serde::Serialize;
use sqlx::Row;

use crate::divisions::significant_prefix;
use crate::sql::subtree_range;
use crate::{Scope, Store, StoreError, StoreResult};

/// Level names of the JSON contract, by division level.
const LEVEL_NAMES: [&str; 5] = ["province", "city", "county", "township", "village"];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageGap {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageLevel {
    /// `city`, `county`, `township` or `village`.
    pub level: String,
    pub divisions: i64,
    pub covered: i64,
    pub gaps: Vec<CoverageGap>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub org_id: i64,
    pub division_code: String,
    pub levels: Vec<CoverageLevel>,
    /// Key persons (四长, seeds/004) in post today in the organisation's subtree, by level
    /// (its own and every one below) and kind; levels and kinds with none are left out.
    pub key_persons: Vec<crate::KeyPersonFigure>,
}

/// The contract's name of a division level (1 = province … 5 = village).
pub(crate) fn level_name(level: i64) -> &'static str {
    LEVEL_NAMES[(level as usize).clamp(1, 5) - 1]
}

/// Placeholders of the statistical code list that are not divisions an office covers.
fn is_placeholder(name: &str) -> bool {
    name == "市辖区" || name.ends_with("直辖县级行政区划")
}

impl Store {
    /// Coverage of the divisions below a 科协 at county level or above: for every level below its
    /// own, how many divisions there are, how many have an active 科协 in its subtree, and the gaps.
    #[tracing::instrument(skip(self, scope), err)]
    pub async fn coverage(&self, scope: &Scope, org_id: i64) -> StoreResult<Coverage> {
        let org = self.org(scope, org_id).await?;
        let Some(division_code) = org.division_code.clone() else {
            return Err(StoreError::Invalid(
                "该组织没有行政区划，无法计算覆盖 / the organisation has no division".into(),
            ));
        };
        let division = self.division(&division_code).await?;
        if org.kind != "kexie" || division.level > 3 {
            return Err(StoreError::Invalid(
                "覆盖分析适用于县级及以上科协 / coverage is for a 科协 at county level or above"
                    .into(),
            ));
        }
        let (lo, hi) = subtree_range(&org.path);
        let prefix = significant_prefix(&division.code);
        let rows = sqlx::query(
            "select d.level, d.code, d.name, \
             (select count(*) from org o where o.division_code = d.code and o.kind = 'kexie' \
              and o.status <> 'dissolved' and o.path >= $1 and o.path < $2) as kexie \
             from division d where d.code like $3 and d.level > $4 order by d.level, d.code",
        )
        .bind(&lo)
        .bind(&hi)
        .bind(format!("{prefix}%"))
        .bind(division.level)
        .fetch_all(&self.read)
        .await?;
        let mut levels: Vec<CoverageLevel> = Vec::new();
        for row in rows {
            let level: i64 = row.try_get("level")?;
            let name: String = row.try_get("name")?;
            if is_placeholder(&name) {
                continue;
            }
            let level_name = level_name(level);
            if levels.last().map(|l| l.level.as_str()) != Some(level_name) {
                levels.push(CoverageLevel {
                    level: level_name.to_string(),
                    divisions: 0,
                    covered: 0,
                    gaps: Vec::new(),
                });
            }
            let entry = levels.last_mut().expect("pushed above");
            entry.divisions += 1;
            if row.try_get::<i64, _>("kexie")? > 0 {
                entry.covered += 1;
            } else {
                entry.gaps.push(CoverageGap {
                    code: row.try_get("code")?,
                    name,
                });
            }
        }
        let key_persons = self.key_person_figures(&org.path, crate::today()).await?;
        Ok(Coverage {
            org_id,
            division_code,
            levels,
            key_persons,
        })
    }
}
