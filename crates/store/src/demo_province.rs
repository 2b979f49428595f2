//! The province-scale demo data set (`kexie demo --scale province`): one real province's
//! division tree with a 科协 at every county and about two thirds of the townships, about 50,000
//! organisations of all kinds, 300 societies, 1,000,000 people with valid-format invented
//! identities and 2,000,000 memberships. Deterministic for a seed; written with multi-row inserts
//! in large transactions, so it takes minutes, not hours. `fraction` scales the counts (0.1 for
//! the quick benchmark).

use std::time::Instant;

use kexie_domain::org::OrgKind;
use kexie_domain::pinyin;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sqlx::Row;

use crate::demo::{synthetic_id_number, DemoSummary, DEMO_PROVINCE};
use crate::search_feed::Changed;
use crate::sql::{Sql, Value};
use crate::{now_ms, Backend, NewOrg, NewPerson, Scope, Store, StoreResult};

/// Parameters per statement: SQLite binds `$n` parameters in time that grows with the statement,
/// so many moderate statements beat a few huge ones.
const MAX_PARAMS: usize = 2_000;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "单", "区",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "红", "文", "玉", "兰", "志", "宏",
    "晓", "海", "春", "雪", "鹏", "飞", "宇", "欣", "然", "博", "琳", "婷", "思", "远", "嘉", "宁",
    "松", "江", "北", "辰", "冰", "雁",
];
const TITLES: &[&str] = &["正高级", "副高级", "中级", "中级", "初级", "无"];
const DISCIPLINES: &[&str] = &[
    "作物学",
    "临床医学",
    "计算机科学与技术",
    "机械工程",
    "化学工程",
    "林学",
    "水利工程",
    "土木工程",
    "电子科学与技术",
    "数学",
    "物理学",
    "畜牧学",
    "兽医学",
    "食品科学与工程",
    "环境科学",
];
const MEMBER_TYPES: &[&str] = &[
    "普通会员",
    "普通会员",
    "普通会员",
    "青年会员",
    "学生会员",
    "资深会员",
];

/// Grassroots organisation kinds and how many per county (before scaling).
const GRASSROOTS: &[(OrgKind, &str, usize)] = &[
    (OrgKind::EnterpriseKexie, "企业科协", 200),
    (OrgKind::SchoolAssociation, "学校科协", 50),
    (OrgKind::PopularisationBase, "科普基地", 30),
    (OrgKind::HospitalAssociation, "医院科协", 16),
    (OrgKind::ExpertWorkstation, "院士专家工作站", 8),
];

async fn bulk_insert(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &str,
    rows: &[Vec<Value>],
) -> StoreResult<()> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for chunk in rows.chunks((MAX_PARAMS / width).max(1)) {
        let mut sql = Sql::new(&format!("insert into {table} ({columns}) values "));
        for (i, row) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.iter().enumerate() {
                if j > 0 {
                    sql.push(", ");
                }
                sql.bind(v.clone());
            }
            sql.push(")");
        }
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    async fn next_id(&self, table: &str, column: &str) -> StoreResult<i64> {
        let n: i64 = sqlx::query(&format!(
            "select cast(coalesce(max({column}), 0) as bigint) as n from {table}"
        ))
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        Ok(n + 1)
    }

    /// After inserting explicit ids, PostgreSQL's identity sequences must move past them.
    async fn advance_sequence(&self, table: &str, column: &str) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query(&format!(
                "select setval(pg_get_serial_sequence('{table}', '{column}'), (select max({column}) from {table}))"
            ))
            .execute(&self.write)
            .await?;
        }
        Ok(())
    }

    /// Builds the province-scale data set into an empty database; `progress` hears each step.
    pub async fn load_demo_province(
        &self,
        seed: u64,
        fraction: f64,
        progress: impl Fn(String),
    ) -> StoreResult<DemoSummary> {
        let started = Instant::now();
        let all = Scope::everything();
        let mut rng = StdRng::seed_from_u64(seed);
        let scale = |n: usize| ((n as f64 * fraction).round() as usize).max(1);
        let province = self.division(DEMO_PROVINCE).await?;
        let root = self
            .create_org(
                &all,
                &NewOrg {
                    code: "23KX".into(),
                    name: format!("{}科学技术协会", province.name),
                    kind: Some(OrgKind::Kexie),
                    division_code: Some(province.code.clone()),
                    ..NewOrg::default()
                },
            )
            .await?;

        // The 科协 tree along the divisions: every city and county, two townships in three.
        let mut counties = Vec::new();
        let mut townships = Vec::new();
        for city in self.division_children(Some(&province.code)).await? {
            let city_org = self
                .create_org(
                    &all,
                    &NewOrg {
                        code: format!("{}KX", &city.code[..4]),
                        name: format!("{}科学技术协会", city.name),
                        kind: Some(OrgKind::Kexie),
                        division_code: Some(city.code.clone()),
                        parent_id: Some(root.org_id),
                        ..NewOrg::default()
                    },
                )
                .await?;
            for county in self.division_children(Some(&city.code)).await? {
                let county_org = self
                    .create_org(
                        &all,
                        &NewOrg {
                            code: format!("{}KX", &county.code[..6]),
                            name: format!("{}科学技术协会", county.name),
                            kind: Some(OrgKind::Kexie),
                            division_code: Some(county.code.clone()),
                            parent_id: Some(city_org.org_id),
                            ..NewOrg::default()
                        },
                    )
                    .await?;
                for town in self.division_children(Some(&county.code)).await? {
                    if rng.gen_ratio(2, 3) {
                        townships.push((
                            town,
                            county_org.path.clone(),
                            county_org.depth,
                            county_org.org_id,
                        ));
                    }
                }
                counties.push(county_org);
            }
        }
        progress(format!(
            "科协组织：{} 个县级 / county 科协: {}",
            counties.len(),
            counties.len()
        ));

        // Everything else goes in bulk with ids assigned here, so paths can be computed.
        let mut next = self.next_id("org", "org_id").await?;
        let now = now_ms();
        let mut org_rows: Vec<Vec<Value>> = Vec::new();
        let mut org_row = |id: i64,
                           code: String,
                           name: String,
                           kind: OrgKind,
                           division: Option<String>,
                           parent: i64,
                           parent_path: &str,
                           depth: i64| {
            let path = format!("{parent_path}{id}/");
            org_rows.push(vec![
                Value::Int(id),
                Value::Text(code),
                Value::Text(name.clone()),
                Value::Text(kind.code().into()),
                Value::OptText(division),
                Value::Int(parent),
                Value::Text(path.clone()),
                Value::Int(depth),
                Value::Text("active".into()),
                Value::Text(pinyin::sort_key(&name)),
                Value::Text(pinyin::initials_variants(&name)),
                Value::Int(now),
                Value::Int(now),
            ]);
            path
        };
        let mut grassroots_ids = Vec::new();
        for (town, parent_path, depth, parent) in &townships {
            let id = next;
            next += 1;
            let path = org_row(
                id,
                format!("{}KX", &town.code[..9]),
                format!("{}科学技术协会", town.name),
                OrgKind::Kexie,
                Some(town.code.clone()),
                *parent,
                parent_path,
                depth + 1,
            );
            let rural = scale(7);
            for k in 0..rural {
                let rid = next;
                next += 1;
                org_row(
                    rid,
                    format!("{}NJ{k:02}", &town.code[..9]),
                    format!("{}第{}农村专业技术协会", town.name, k + 1),
                    OrgKind::RuralTechAssociation,
                    Some(town.code.clone()),
                    id,
                    &path,
                    depth + 2,
                );
                grassroots_ids.push(rid);
            }
        }
        for county in &counties {
            let division = county.division_code.clone();
            let short = county.name.trim_end_matches("科学技术协会");
            for (kind, label, per_county) in GRASSROOTS {
                for k in 0..scale(*per_county) {
                    let id = next;
                    next += 1;
                    let code = format!(
                        "{}{}{:04}",
                        county.code.trim_end_matches("KX"),
                        &kind.code()[..2].to_uppercase(),
                        k
                    );
                    org_row(
                        id,
                        code,
                        format!("{short}{label}{}", k + 1),
                        *kind,
                        division.clone(),
                        county.org_id,
                        &county.path,
                        county.depth + 1,
                    );
                    grassroots_ids.push(id);
                }
            }
        }
        // 300 provincial societies, each with two branches.
        let mut societies = Vec::new();
        for k in 0..300usize.min(scale(300).max(30)) {
            let id = next;
            next += 1;
            let discipline = DISCIPLINES[k % DISCIPLINES.len()];
            let path = org_row(
                id,
                format!("23XH{k:03}"),
                format!(
                    "{}{discipline}学会{}",
                    province.name,
                    k / DISCIPLINES.len() + 1
                ),
                OrgKind::Society,
                Some(province.code.clone()),
                root.org_id,
                &root.path,
                2,
            );
            for b in 0..2 {
                let bid = next;
                next += 1;
                org_row(
                    bid,
                    format!("23XH{k:03}-{b}"),
                    format!(
                        "{discipline}学会{}第{}专业委员会",
                        k / DISCIPLINES.len() + 1,
                        b + 1
                    ),
                    OrgKind::Branch,
                    Some(province.code.clone()),
                    id,
                    &path,
                    3,
                );
            }
            societies.push(id);
        }
        let mut tx = self.write.begin().await?;
        bulk_insert(&mut tx, "org", "org_id, code, name, kind, division_code, parent_id, path, depth, status, name_pinyin, initials, created_at, updated_at", &org_rows).await?;
        self.log_search_change(&mut tx, Changed::Org, root.org_id, next - 1)
            .await?;
        tx.commit().await?;
        self.advance_sequence("org", "org_id").await?;
        progress(format!(
            "组织 / organisations: {}",
            org_rows.len() + counties.len() + 14
        ));
        drop(org_rows);

        // People and memberships, in batches of 100,000 per transaction.
        let people = scale(1_000_000);
        let regions: Vec<String> = counties
            .iter()
            .filter_map(|c| c.division_code.as_ref().map(|d| d[..6].to_string()))
            .collect();
        let mut person_id = self.next_id("person", "person_id").await?;
        let mut membership_id = self.next_id("membership", "membership_id").await?;
        let columns = format!("person_id, {}", crate::person_values::PERSON_INSERT_COLUMNS);
        let mut seen_ids = std::collections::HashSet::new();
        let mut written = 0;
        let mut memberships = 0;
        while written < people {
            let batch = (people - written).min(100_000);
            let mut person_rows = Vec::with_capacity(batch);
            let mut member_rows = Vec::with_capacity(batch * 2);
            for _ in 0..batch {
                let region = regions.choose(&mut rng).expect("counties exist");
                let (id_number, birth) = loop {
                    let candidate = synthetic_id_number(&mut rng, region);
                    if seen_ids.insert(candidate.0.clone()) {
                        break candidate;
                    }
                };
                let surname = SURNAMES.choose(&mut rng).expect("non-empty");
                let given: String = (0..rng.gen_range(1..=2))
                    .map(|_| *GIVEN.choose(&mut rng).expect("non-empty"))
                    .collect();
                let home = if rng.gen_ratio(3, 5) {
                    *societies.choose(&mut rng).expect("societies")
                } else {
                    *grassroots_ids.choose(&mut rng).unwrap_or(&root.org_id)
                };
                let discipline = DISCIPLINES.choose(&mut rng).expect("non-empty");
                let new = NewPerson {
                    org_id: home,
                    name: format!("{surname}{given}"),
                    gender: Some(
                        if id_number.as_bytes()[16] % 2 == 1 {
                            "male"
                        } else {
                            "female"
                        }
                        .into(),
                    ),
                    birth_date: Some(birth),
                    id_number: Some(id_number),
                    mobile: Some(format!(
                        "1{}{:09}",
                        rng.gen_range(3..=9),
                        rng.gen_range(0..1_000_000_000u64)
                    )),
                    employer: Some(format!("{}单位{}", discipline, rng.gen_range(1..500))),
                    title: Some(TITLES.choose(&mut rng).expect("non-empty").to_string()),
                    discipline: Some(discipline.to_string()),
                    grassroots: rng.gen_ratio(4, 5),
                    ..NewPerson::default()
                };
                let mut row = vec![Value::Int(person_id)];
                row.extend(crate::person_values::person_values(
                    self.cipher(),
                    new,
                    crate::now_ms(),
                ));
                person_rows.push(row);
                let first = *societies.choose(&mut rng).expect("societies");
                let second = if rng.gen_bool(0.5) {
                    *societies.choose(&mut rng).expect("societies")
                } else {
                    home
                };
                for (k, org) in [first, second].into_iter().enumerate() {
                    if k == 1 && org == first {
                        continue;
                    }
                    let joined = format!(
                        "{}-{:02}-01",
                        rng.gen_range(2005..=2026),
                        rng.gen_range(1..=12)
                    );
                    member_rows.push(vec![
                        Value::Int(membership_id),
                        Value::Int(person_id),
                        Value::Int(org),
                        Value::Text(format!("M{person_id}-{k}")),
                        Value::Text(
                            MEMBER_TYPES
                                .choose(&mut rng)
                                .expect("non-empty")
                                .to_string(),
                        ),
                        Value::Text("active".into()),
                        Value::Text(joined),
                        Value::Int(now),
                        Value::Int(now),
                    ]);
                    membership_id += 1;
                }
                person_id += 1;
            }
            let mut tx = self.write.begin().await?;
            bulk_insert(&mut tx, "person", &columns, &person_rows).await?;
            bulk_insert(&mut tx, "membership", "membership_id, person_id, org_id, number, member_type, status, joined, created_at, updated_at", &member_rows).await?;
            self.log_search_change(
                &mut tx,
                Changed::Person,
                person_id - batch as i64,
                person_id - 1,
            )
            .await?;
            tx.commit().await?;
            written += batch;
            memberships += member_rows.len();
            progress(format!("人员 / people: {written} / {people}，会员 / memberships: {memberships}（{:.0} 秒 / s）", started.elapsed().as_secs_f64()));
        }
        self.advance_sequence("person", "person_id").await?;
        self.advance_sequence("membership", "membership_id").await?;
        self.audit(
            all.actor(),
            "demo.province",
            "org",
            crate::Outcome::Ok,
            &format!("seed={seed} fraction={fraction} people={written}"),
        )
        .await?;
        self.mark_demo("province").await?;
        // Fresh statistics, so the planners choose the indexes at this size.
        sqlx::query("analyze").execute(&self.write).await?;
        let orgs: i64 = sqlx::query("select count(*) as n from org")
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        Ok(DemoSummary {
            orgs,
            persons: written as i64,
            memberships: memberships as i64,
        })
    }
}
