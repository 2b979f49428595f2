//! Member ledgers (台账) and growth: per organisation or for a whole subtree, filtered, sorted by
//! the pinyin of the name, paged; and members at start, joined, left and growth per year against
//! a target (15% a year for national societies, seeds/002 item 8).

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::sql::{subtree_range, Sql};
use crate::{Scope, Store, StoreError, StoreResult};

/// Filters of a ledger. Empty fields do not filter.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LedgerFilter {
    pub org_id: i64,
    /// The organisation and everything below it, or only its own members.
    #[serde(default)]
    pub subtree: bool,
    pub member_type: Option<String>,
    /// active, lapsed, suspended, resigned, expelled (default: active).
    pub status: Option<String>,
    pub title: Option<String>,
    /// Age band, inclusive, as of `as_of`.
    pub age_min: Option<i64>,
    pub age_max: Option<i64>,
    /// male or female.
    pub gender: Option<String>,
    pub discipline: Option<String>,
    pub grassroots: Option<bool>,
    /// Name, pinyin initials or employer.
    pub q: Option<String>,
}

/// One line of a ledger (identity fields masked).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerRow {
    pub membership_id: i64,
    pub person_id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub id_number: Option<String>,
    pub mobile: Option<String>,
    pub employer: Option<String>,
    pub title: Option<String>,
    pub discipline: Option<String>,
    pub grassroots: bool,
    pub org_id: i64,
    pub org_name: String,
    pub number: Option<String>,
    pub member_type: String,
    pub status: String,
    pub joined: Option<String>,
}

/// Growth of an organisation's individual membership in one year.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Growth {
    pub year: i32,
    pub at_start: i64,
    pub joined: i64,
    pub left: i64,
    pub net: i64,
    /// Net growth over members at start, in percent (none without members at start).
    pub rate_percent: Option<f64>,
    pub target_percent: f64,
    pub met: Option<bool>,
}

pub(crate) const MEMBERSHIP_STATUSES: [&str; 5] =
    ["active", "lapsed", "suspended", "resigned", "expelled"];

fn date_years_before(as_of: chrono::NaiveDate, years: i64) -> String {
    use chrono::Datelike;
    // No age is a thousand years: clamping first keeps the subtraction from overflowing on an
    // absurd filter (age_min=9223372036854775807 panicked).
    let year = as_of.year() - years.clamp(-1000, 1000) as i32;
    chrono::NaiveDate::from_ymd_opt(year, as_of.month(), as_of.day().min(28))
        .unwrap_or(as_of)
        .to_string()
}

impl Store {
    /// A page of a ledger and the number of lines matching.
    pub async fn ledger(
        &self,
        scope: &Scope,
        filter: &LedgerFilter,
        as_of: chrono::NaiveDate,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<LedgerRow>, i64)> {
        let org = self.org_for_reading(scope, filter.org_id).await?;
        // Which organisations' memberships: conditions on `o`, the membership's organisation.
        let orgs = |sql: &mut Sql| {
            if filter.subtree {
                let (lo, hi) = subtree_range(&org.path);
                sql.push(" and o.path >= ")
                    .bind_text(lo)
                    .push(" and o.path < ")
                    .bind_text(hi);
            } else {
                sql.push(" and m.org_id = ").bind_int(org.org_id);
            }
            scope.filter_org(sql, "o.path");
        };
        // Everything else: conditions on the membership `m` and the person `p`.
        let build = |sql: &mut Sql| {
            sql.push(" and m.status = ").bind_text(
                filter
                    .status
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "active".into()),
            );
            let text = |sql: &mut Sql, column: &str, value: &Option<String>| {
                if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                    sql.push(" and ").push(column).push(" = ").bind_text(v);
                }
            };
            text(sql, "m.member_type", &filter.member_type);
            text(sql, "p.title", &filter.title);
            text(sql, "p.gender", &filter.gender);
            text(sql, "p.discipline", &filter.discipline);
            if let Some(g) = filter.grassroots {
                sql.push(" and p.grassroots = ").bind_int(g.into());
            }
            // Age band: born after (as_of - max - 1 years) and on or before (as_of - min years).
            if let Some(min) = filter.age_min {
                sql.push(" and p.birth_date <= ")
                    .bind_text(date_years_before(as_of, min));
            }
            if let Some(max) = filter.age_max {
                sql.push(" and p.birth_date > ")
                    .bind_text(date_years_before(as_of, max.saturating_add(1)));
            }
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let like = format!("%{}%", crate::divisions::escape_like(q));
                sql.push(" and (p.name like ")
                    .bind_text(like.clone())
                    .push(" escape '\\' or p.initials like ")
                    .bind_text(format!(
                        "{}%",
                        crate::divisions::escape_like(&q.to_lowercase())
                    ))
                    .push(" escape '\\' or p.employer like ")
                    .bind_text(like)
                    .push(" escape '\\')");
            }
        };
        const FROM: &str = " from membership m join person p on p.person_id = m.person_id \
             join org o on o.org_id = m.org_id where 1 = 1";
        let mut count = Sql::new("select count(*) as n");
        count.push(FROM);
        orgs(&mut count);
        build(&mut count);
        let generation = self.generation_of(scope).await?;
        let total = self.cached_count(&count, generation).await?;
        let limit = limit.clamp(1, 10_000);
        let offset = offset.max(0);
        if offset >= total {
            return Ok((Vec::new(), total));
        }
        // The next page continues from where the last one served ended, when it is known.
        let listing = count.cache_key();
        let anchor = (offset > 0)
            .then(|| {
                let key = (listing.clone(), offset);
                self.remembered.anchors.get(&key, generation)
            })
            .flatten();
        // Two ways to the page. A large share of all memberships is best found by walking the
        // people in pinyin order (an index) and keeping those that match, stopping after the
        // page: a province's ledger costs a few hundred index steps, not a sort of 2,000,000
        // rows. A small subtree is best found first and sorted. SQLite keeps the join order of
        // CROSS JOIN, which forces the walk; PostgreSQL plans either form by its statistics.
        let skip = if anchor.is_some() { 0 } else { offset };
        let memberships = self.membership_estimate(generation).await?;
        let walk_steps = (skip + limit) as f64 * memberships as f64 / total.max(1) as f64;
        let walk = walk_steps < total as f64 * 4.0;
        let mut sql = Sql::new(
            "select m.membership_id, p.person_id, p.name, p.name_pinyin, p.gender, p.birth_date, \
             p.id_number_mask, p.mobile_mask, p.employer, p.title, p.discipline, p.grassroots, \
             m.org_id, m.number, m.member_type, m.status, m.joined, ",
        );
        if walk {
            // The organisation is looked up row by row (a primary-key step each). Joined as a
            // table, SQLite would first build a Bloom filter over every organisation, which
            // costs more than the whole walk of a page.
            sql.push(
                "(select name from org where org_id = m.org_id) as org_name \
                 from person p cross join membership m where m.person_id = p.person_id \
                 and exists (select 1 from org o where o.org_id = m.org_id",
            );
            orgs(&mut sql);
            sql.push(")");
        } else {
            sql.push("o.name as org_name").push(FROM);
            orgs(&mut sql);
        }
        build(&mut sql);
        if let Some((pinyin, person_id, membership_id)) = &anchor {
            sql.push(" and p.name_pinyin >= ")
                .bind_text(pinyin.clone())
                .push(" and (p.name_pinyin > ")
                .bind_text(pinyin.clone())
                .push(" or p.person_id > ")
                .bind_int(*person_id)
                .push(" or (p.person_id = ")
                .bind_int(*person_id)
                .push(" and m.membership_id > ")
                .bind_int(*membership_id)
                .push("))");
        }
        sql.push(" order by p.name_pinyin, p.person_id, m.membership_id limit ")
            .bind_int(limit)
            .push(" offset ")
            .bind_int(skip);
        let rows = sql.query().fetch_all(&self.read).await?;
        if let Some(last) = rows.last().filter(|_| rows.len() as i64 == limit) {
            let anchor = (
                last.try_get("name_pinyin")?,
                last.try_get("person_id")?,
                last.try_get("membership_id")?,
            );
            self.remembered
                .anchors
                .put((listing, offset + limit), generation, anchor);
        }
        let list = rows
            .iter()
            .map(|r| {
                Ok(LedgerRow {
                    membership_id: r.try_get("membership_id")?,
                    person_id: r.try_get("person_id")?,
                    name: r.try_get("name")?,
                    gender: r.try_get("gender")?,
                    birth_date: r.try_get("birth_date")?,
                    id_number: r.try_get("id_number_mask")?,
                    mobile: r.try_get("mobile_mask")?,
                    employer: r.try_get("employer")?,
                    title: r.try_get("title")?,
                    discipline: r.try_get("discipline")?,
                    grassroots: r.try_get::<i64, _>("grassroots")? != 0,
                    org_id: r.try_get("org_id")?,
                    org_name: r.try_get("org_name")?,
                    number: r.try_get("number")?,
                    member_type: r.try_get("member_type")?,
                    status: r.try_get("status")?,
                    joined: r.try_get("joined")?,
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok((list, total))
    }

    /// About how many memberships there are (the highest id, never less than the true count),
    /// remembered like the totals.
    async fn membership_estimate(&self, generation: i64) -> StoreResult<i64> {
        let sql =
            Sql::new("select cast(coalesce(max(membership_id), 0) as bigint) as n from membership");
        self.cached_count(&sql, generation).await
    }

    /// Growth of an organisation's own individual membership in `year`.
    pub async fn growth(
        &self,
        scope: &Scope,
        org_id: i64,
        year: i32,
        target_percent: f64,
    ) -> StoreResult<Growth> {
        let org = self.org(scope, org_id).await?;
        // Dates below are written YYYY-MM-DD, and `year + 1` must not overflow (year=2147483647
        // panicked, found by scripts/api-fuzz).
        if !(1..=9998).contains(&year) {
            return Err(StoreError::Invalid(format!(
                "年份 {year} 无效，应在 1 到 9998 之间 / year must be between 1 and 9998"
            )));
        }
        if !target_percent.is_finite() {
            return Err(StoreError::Invalid(
                "增长目标应为有限的数 / the growth target must be a finite number".into(),
            ));
        }
        let start = format!("{year:04}-01-01");
        let next = format!("{:04}-01-01", year + 1);
        let row = sqlx::query(
            "select \
             cast(coalesce(sum(case when joined < $2 and (left_on is null or left_on >= $2) then 1 else 0 end), 0) as bigint) as at_start, \
             cast(coalesce(sum(case when joined >= $2 and joined < $3 then 1 else 0 end), 0) as bigint) as joined_n, \
             cast(coalesce(sum(case when left_on >= $2 and left_on < $3 then 1 else 0 end), 0) as bigint) as left_n \
             from membership where org_id = $1",
        )
        .bind(org.org_id)
        .bind(&start)
        .bind(&next)
        .fetch_one(&self.read)
        .await?;
        let at_start: i64 = row.try_get("at_start")?;
        let joined: i64 = row.try_get("joined_n")?;
        let left: i64 = row.try_get("left_n")?;
        let net = joined - left;
        let rate_percent = (at_start > 0).then(|| net as f64 * 100.0 / at_start as f64);
        Ok(Growth {
            year,
            at_start,
            joined,
            left,
            net,
            rate_percent,
            target_percent,
            met: rate_percent.map(|r| r >= target_percent),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::date_years_before;

    #[test]
    fn age_bands_count_back_whole_years() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(date_years_before(d, 45), "1981-11-22");
        let leap = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(date_years_before(leap, 1), "2023-02-28");
    }

    #[test]
    fn an_absurd_age_is_a_date_nobody_was_born_on_not_an_overflow() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(date_years_before(d, i64::MAX), "1026-11-22");
        assert_eq!(date_years_before(d, i64::MIN), "3026-11-22");
    }
}
