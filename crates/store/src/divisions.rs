//! The official division tree, shipped in `data/divisions` (NBS codes, see its README).

use std::io::Read;

use kexie_domain::division_data::{parse_division_csvs, DivisionRecord};
use kexie_domain::pinyin;
use serde::Serialize;
use sqlx::Row;

use crate::sql::{Sql, Value};
use crate::{Store, StoreError, StoreResult};

const PROVINCES: &[u8] = include_bytes!("../../../data/divisions/provinces.csv.gz");
const CITIES: &[u8] = include_bytes!("../../../data/divisions/cities.csv.gz");
const AREAS: &[u8] = include_bytes!("../../../data/divisions/areas.csv.gz");
const STREETS: &[u8] = include_bytes!("../../../data/divisions/streets.csv.gz");

/// Rows per multi-row insert: well under both databases' limits on bound parameters.
const BATCH: usize = 500;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Division {
    pub code: String,
    pub name: String,
    /// 1 province, 2 city, 3 county, 4 township, 5 village.
    pub level: i64,
    pub parent_code: Option<String>,
}

/// The size of the shipped data, so that test templates are rebuilt when it changes.
pub(crate) fn shipped_len() -> usize {
    PROVINCES.len() + CITIES.len() + AREAS.len() + STREETS.len()
}

fn gunzip(bytes: &[u8]) -> StoreResult<String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| {
            StoreError::Other(format!("区划数据无法解压 / division data unreadable: {e}"))
        })?;
    Ok(text)
}

/// The shipped tree, parents before children.
pub fn shipped_divisions() -> StoreResult<Vec<DivisionRecord>> {
    parse_division_csvs(
        &gunzip(PROVINCES)?,
        &gunzip(CITIES)?,
        &gunzip(AREAS)?,
        &gunzip(STREETS)?,
    )
    .map_err(|e| StoreError::Other(e.to_string()))
}

fn from_row(row: &sqlx::any::AnyRow) -> StoreResult<Division> {
    Ok(Division {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        level: row.try_get("level")?,
        parent_code: row.try_get("parent_code")?,
    })
}

impl Store {
    pub(crate) async fn load_divisions_if_empty(&self) -> StoreResult<()> {
        let count: i64 = sqlx::query("select count(*) as n from division")
            .fetch_one(&self.write)
            .await?
            .try_get("n")?;
        if count == 0 {
            self.load_divisions().await?;
        }
        Ok(())
    }

    /// Loads (or reloads) the shipped division tree in one transaction: new codes are added,
    /// existing ones get their current name; imported villages are left alone.
    pub async fn load_divisions(&self) -> StoreResult<usize> {
        let records = shipped_divisions()?;
        let mut tx = self.write.begin().await?;
        for chunk in records.chunks(BATCH) {
            let mut sql = Sql::new(
                "insert into division (code, name, level, parent_code, name_pinyin, initials) values ",
            );
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind_text(r.code.clone())
                    .push(", ")
                    .bind_text(r.name.clone())
                    .push(", ")
                    .bind_int(i64::from(r.level))
                    .push(", ")
                    .bind(Value::OptText(r.parent_code.clone()))
                    .push(", ")
                    .bind_text(pinyin::sort_key(&r.name))
                    .push(", ")
                    .bind_text(pinyin::initials_variants(&r.name))
                    .push(")");
            }
            sql.push(
                " on conflict (code) do update set name = excluded.name, \
                 name_pinyin = excluded.name_pinyin, initials = excluded.initials",
            );
            sql.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        tracing::info!(divisions = records.len(), "division tree loaded");
        Ok(records.len())
    }

    pub async fn division(&self, code: &str) -> StoreResult<Division> {
        let row =
            sqlx::query("select code, name, level, parent_code from division where code = $1")
                .bind(code)
                .fetch_optional(&self.read)
                .await?
                .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// Children of a division, or the provinces when `parent` is `None`, in code order.
    pub async fn division_children(&self, parent: Option<&str>) -> StoreResult<Vec<Division>> {
        let mut sql = Sql::new("select code, name, level, parent_code from division where ");
        match parent {
            Some(code) => sql.push("parent_code = ").bind_text(code),
            None => sql.push("parent_code is null"),
        };
        sql.push(" order by code");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(from_row).collect()
    }

    /// Divisions whose name contains `q` or whose pinyin initials start with it ("hrb" finds
    /// 哈尔滨市), optionally under a division; higher levels first.
    pub async fn division_search(
        &self,
        q: &str,
        under: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Division>> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let lower = q.to_lowercase();
        let mut sql =
            Sql::new("select code, name, level, parent_code from division where (name like ");
        sql.bind_text(format!("%{}%", escape_like(q)))
            .push(" escape '\\' or (' ' || initials) like ")
            .bind_text(format!("% {}%", escape_like(&lower)))
            .push(" escape '\\')");
        if let Some(under) = under {
            let prefix = significant_prefix(under);
            sql.push(" and code like ").bind_text(format!("{prefix}%"));
        }
        sql.push(" order by level, code limit ").bind_int(limit);
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(from_row).collect()
    }
}

/// The digits of a 12-digit code that identify it at its level (2, 4, 6, 9 or 12).
pub(crate) fn significant_prefix(code: &str) -> &str {
    let trimmed = code.trim_end_matches('0').len();
    let len = [2, 4, 6, 9, 12]
        .into_iter()
        .find(|&n| n >= trimmed)
        .unwrap_or(12);
    &code[..len.min(code.len())]
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_prefix_follows_the_level() {
        assert_eq!(significant_prefix("230000000000"), "23");
        assert_eq!(significant_prefix("230100000000"), "2301");
        assert_eq!(significant_prefix("230102000000"), "230102");
        assert_eq!(significant_prefix("230102001000"), "230102001");
        assert_eq!(significant_prefix("110101001001"), "110101001001");
        // 1101 is a real city-level code whose county digits may be zero-free.
        assert_eq!(significant_prefix("110100000000"), "1101");
    }
}
