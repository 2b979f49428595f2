//! The demo data set: one real province (黑龙江省, from the shipped division tree), its 科协 at
//! each level, a dozen societies and a few hundred synthetic people. Names are drawn at random
//! from common characters; ID numbers have the right format and check character but are invented.
//! Deterministic for a given seed.

use kexie_domain::id_number::check_char;
use kexie_domain::org::OrgKind;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sqlx::Row;

use kexie_domain::role::Role;

use crate::{
    random_hex, Actor, Division, NewAccount, NewOrg, NewPerson, Scope, Store, StoreError,
    StoreResult,
};

/// The demo province: Heilongjiang, whose provincial 科协 reform plan is `seeds/000`.
pub const DEMO_PROVINCE: &str = "230000000000";

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "单", "区", "仇",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "红", "文", "玉", "兰", "志", "宏",
    "晓", "海", "春", "雪", "鹏", "飞", "宇", "欣", "然", "博", "琳", "婷", "思", "远", "嘉", "宁",
];
const SOCIETIES: &[&str] = &[
    "农学会",
    "医学会",
    "计算机学会",
    "机械工程学会",
    "化学化工学会",
    "林学会",
    "水利学会",
    "营养学会",
    "土木建筑学会",
    "电子学会",
    "数学会",
    "物理学会",
];
const TITLES: &[&str] = &["正高级", "副高级", "中级", "初级", "无"];
const DISCIPLINES: &[&str] = &[
    "作物学",
    "临床医学",
    "计算机科学与技术",
    "机械工程",
    "化学工程",
    "林学",
    "水利工程",
    "营养与食品卫生学",
    "土木工程",
    "电子科学与技术",
    "数学",
    "物理学",
];
const EMPLOYERS: &[&str] = &[
    "省农业科学院",
    "省人民医院",
    "松江理工大学",
    "北疆重型机械有限公司",
    "龙江化工集团",
    "省林业科学研究院",
    "省水利水电勘测设计研究院",
    "兴安县人民医院",
    "寒地作物研究所",
    "冰城电子科技有限公司",
    "松江师范大学",
    "县农业技术推广中心",
];
const POLITICAL: &[&str] = &[
    "中共党员",
    "群众",
    "民盟盟员",
    "九三学社社员",
    "中共党员",
    "群众",
];
const MEMBER_TYPES: &[&str] = &[
    "普通会员",
    "普通会员",
    "普通会员",
    "青年会员",
    "学生会员",
    "资深会员",
];

#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub orgs: i64,
    pub persons: i64,
    pub memberships: i64,
}

/// A synthetic but valid-format ID number for someone born in `region` (6 digits).
pub fn synthetic_id_number(rng: &mut impl Rng, region: &str) -> (String, String) {
    let year = rng.gen_range(1958..=2001);
    let month = rng.gen_range(1..=12);
    let day = rng.gen_range(1..=28);
    let seq = rng.gen_range(0..1000);
    let first17 = format!("{region}{year:04}{month:02}{day:02}{seq:03}");
    let check = check_char(&first17).expect("17 digits");
    (
        format!("{first17}{check}"),
        format!("{year:04}-{month:02}-{day:02}"),
    )
}

fn synthetic_name(rng: &mut impl Rng) -> String {
    let surname = SURNAMES.choose(rng).expect("non-empty");
    let n = if rng.gen_bool(0.6) { 2 } else { 1 };
    let given: String = (0..n)
        .map(|_| *GIVEN.choose(rng).expect("non-empty"))
        .collect();
    format!("{surname}{given}")
}

fn kexie_name(division: &Division) -> String {
    format!("{}科学技术协会", division.name)
}

impl Store {
    /// Marks the database as holding demo data (`kexie_meta.demo`): only such a database gets
    /// demo accounts with printed passwords.
    pub(crate) async fn mark_demo(&self, scale: &str) -> StoreResult<()> {
        sqlx::query(
            "insert into kexie_meta (key, value) values ('demo', $1) \
             on conflict (key) do update set value = excluded.value",
        )
        .bind(scale)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Whether the database was filled by `kexie demo` / `serve --demo`.
    pub async fn is_demo(&self) -> StoreResult<bool> {
        let row = sqlx::query("select value from kexie_meta where key = 'demo'")
            .fetch_optional(&self.read)
            .await?;
        Ok(row.is_some())
    }

    /// Whether the database holds any organisation yet (demo data is loaded only into an empty one).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query("select count(*) as n from org")
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        Ok(n == 0)
    }

    /// Builds the small demo data set.
    #[tracing::instrument(skip(self), err)]
    pub async fn load_demo_small(&self, seed: u64) -> StoreResult<DemoSummary> {
        let all = Scope::everything();
        let mut rng = StdRng::seed_from_u64(seed);
        let province = self.division(DEMO_PROVINCE).await?;
        let root = self
            .create_org(
                &all,
                &NewOrg {
                    code: "23KX".into(),
                    name: kexie_name(&province),
                    short_name: Some("省科协".into()),
                    kind: Some(OrgKind::Kexie),
                    division_code: Some(province.code.clone()),
                    address: Some("哈尔滨市南岗区科协大厦".into()),
                    contact_name: Some("办公室".into()),
                    contact_phone: Some("13904510000".into()),
                    ..NewOrg::default()
                },
            )
            .await?;

        // A 科协 for every city and county; townships in the first two counties of the capital get
        // one two times in three, so the coverage view has real gaps to show.
        let mut county_orgs = Vec::new();
        for city in self.division_children(Some(&province.code)).await? {
            let city_org = self
                .create_org(
                    &all,
                    &NewOrg {
                        code: format!("{}KX", &city.code[..4]),
                        name: kexie_name(&city),
                        kind: Some(OrgKind::Kexie),
                        division_code: Some(city.code.clone()),
                        parent_id: Some(root.org_id),
                        ..NewOrg::default()
                    },
                )
                .await?;
            for (i, county) in self
                .division_children(Some(&city.code))
                .await?
                .into_iter()
                .enumerate()
            {
                if county.name == "市辖区" {
                    continue;
                }
                let county_org = self
                    .create_org(
                        &all,
                        &NewOrg {
                            code: format!("{}KX", &county.code[..6]),
                            name: kexie_name(&county),
                            kind: Some(OrgKind::Kexie),
                            division_code: Some(county.code.clone()),
                            parent_id: Some(city_org.org_id),
                            ..NewOrg::default()
                        },
                    )
                    .await?;
                if city.code.starts_with("2301") && i < 3 {
                    for township in self.division_children(Some(&county.code)).await? {
                        if rng.gen_ratio(2, 3) {
                            self.create_org(
                                &all,
                                &NewOrg {
                                    code: format!("{}KX", &township.code[..9]),
                                    name: kexie_name(&township),
                                    kind: Some(OrgKind::Kexie),
                                    division_code: Some(township.code.clone()),
                                    parent_id: Some(county_org.org_id),
                                    ..NewOrg::default()
                                },
                            )
                            .await?;
                        }
                    }
                }
                county_orgs.push((county, county_org));
            }
        }

        // Provincial societies, each with two branches.
        let mut societies = Vec::new();
        for (i, name) in SOCIETIES.iter().enumerate() {
            let society = self
                .create_org(
                    &all,
                    &NewOrg {
                        code: format!("23XH{:02}", i + 1),
                        name: format!("{}{}", province.name, name),
                        kind: Some(OrgKind::Society),
                        division_code: Some(province.code.clone()),
                        parent_id: Some(root.org_id),
                        established: Some(format!("{}-05-1{}", 1978 + i * 3, i % 10)),
                        ..NewOrg::default()
                    },
                )
                .await?;
            for (j, branch) in ["青年工作委员会", "科普工作委员会"].iter().enumerate()
            {
                let branch_org = self
                    .create_org(
                        &all,
                        &NewOrg {
                            code: format!("23XH{:02}-{}", i + 1, j + 1),
                            name: format!("{}{}", name, branch),
                            kind: Some(OrgKind::Branch),
                            division_code: Some(province.code.clone()),
                            parent_id: Some(society.org_id),
                            ..NewOrg::default()
                        },
                    )
                    .await?;
                // The youth committee met two months ago; the popularisation committee never
                // did, so the governance pages show `branch.inactive` for it (seeds/002 item 4).
                if j == 0 {
                    self.create_activity(
                        &all,
                        branch_org.org_id,
                        &crate::NewActivity {
                            held_on: crate::today() - chrono::Days::new(60),
                            title: format!("{branch}青年学术沙龙"),
                            kind: kexie_domain::governance::ActivityKind::AcademicExchange,
                            participants: 40 + i as i64,
                            notes: None,
                        },
                    )
                    .await?;
                }
            }
            societies.push(society);
        }

        // Grassroots units in the capital.
        let capital = self.org_by_code(&all, "2301KX").await?;
        for (i, (name, kind)) in [
            ("松江理工大学科学技术协会", OrgKind::UniversityKexie),
            ("松江师范大学科学技术协会", OrgKind::UniversityKexie),
            ("冰城高新技术产业开发区科学技术协会", OrgKind::ParkKexie),
            ("北疆重型机械有限公司科学技术协会", OrgKind::EnterpriseKexie),
            ("冰城电子科技有限公司科学技术协会", OrgKind::EnterpriseKexie),
            ("省人民医院科学技术协会", OrgKind::HospitalAssociation),
            ("寒地作物院士专家工作站", OrgKind::ExpertWorkstation),
        ]
        .into_iter()
        .enumerate()
        {
            self.create_org(
                &all,
                &NewOrg {
                    code: format!("2301JC{:02}", i + 1),
                    name: name.into(),
                    kind: Some(kind),
                    division_code: capital.division_code.clone(),
                    parent_id: Some(capital.org_id),
                    ..NewOrg::default()
                },
            )
            .await?;
        }

        // People: members of one or two societies, born in the province's counties.
        let mut persons = 0;
        let mut memberships = 0;
        for n in 0..300 {
            let (county, _) = &county_orgs[rng.gen_range(0..county_orgs.len())];
            let (id_number, birth) = synthetic_id_number(&mut rng, &county.code[..6]);
            let society_index = rng.gen_range(0..societies.len());
            let society = &societies[society_index];
            let gender = if id_number.as_bytes()[16] % 2 == 1 {
                "male"
            } else {
                "female"
            };
            let person = self
                .create_person(
                    &all,
                    &NewPerson {
                        org_id: society.org_id,
                        name: synthetic_name(&mut rng),
                        gender: Some(gender.into()),
                        birth_date: Some(birth),
                        ethnicity: Some(
                            if rng.gen_ratio(1, 8) {
                                "满族"
                            } else {
                                "汉族"
                            }
                            .into(),
                        ),
                        id_number: Some(id_number),
                        mobile: Some(format!(
                            "13{}{:08}",
                            rng.gen_range(0..10),
                            rng.gen_range(0..100_000_000)
                        )),
                        employer: Some(EMPLOYERS[society_index].into()),
                        title: Some(TITLES.choose(&mut rng).expect("non-empty").to_string()),
                        discipline: Some(DISCIPLINES[society_index].into()),
                        political_status: Some(
                            POLITICAL.choose(&mut rng).expect("non-empty").to_string(),
                        ),
                        grassroots: rng.gen_ratio(4, 5),
                        ..NewPerson::default()
                    },
                )
                .await;
            let person = match person {
                Ok(p) => p,
                // Two invented numbers can coincide; skip the second.
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            };
            persons += 1;
            let joined = format!(
                "{}-{:02}-01",
                rng.gen_range(2010..=2025),
                rng.gen_range(1..=12)
            );
            let member_type = MEMBER_TYPES.choose(&mut rng).expect("non-empty");
            self.add_membership(
                &all,
                person.person_id,
                society.org_id,
                member_type,
                Some(&format!("{}-{:05}", society.code, n + 1)),
                Some(&joined),
            )
            .await?;
            memberships += 1;
            if rng.gen_ratio(1, 4) {
                let other = &societies[(society_index + 1) % societies.len()];
                self.add_membership(
                    &all,
                    person.person_id,
                    other.org_id,
                    "普通会员",
                    Some(&format!("{}-{:05}", other.code, n + 1)),
                    Some(&joined),
                )
                .await?;
                memberships += 1;
            }
        }
        let orgs: i64 = sqlx::query("select count(*) as n from org")
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        self.mark_demo("small").await?;
        Ok(DemoSummary {
            orgs,
            persons,
            memberships,
        })
    }
}

/// A demo account and the password it got at this start.
#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    pub username: String,
    pub role: String,
    pub org: Option<String>,
    pub password: String,
}

/// The demo accounts: one per role, each placed where that role makes sense.
const DEMO_ACCOUNTS: &[(&str, Role, Option<&str>)] = &[
    ("demo.province", Role::OrgAdmin, Some("23KX")),
    ("demo.harbin", Role::OrgStaff, Some("2301KX")),
    ("demo.daoli", Role::OrgViewer, Some("230102KX")),
    ("demo.member", Role::Member, None),
    ("demo.sysadmin", Role::SystemAdmin, None),
    ("demo.security", Role::SecurityAdmin, None),
    ("demo.auditor", Role::AuditAdmin, None),
];

impl Store {
    /// Creates the demo accounts if missing and gives each a new random password, printed once
    /// by `serve --demo`. Demo mode is the only place accounts exist without an operator creating
    /// them, and the demo banner says so on every page.
    pub async fn reset_demo_accounts(&self) -> StoreResult<Vec<DemoAccount>> {
        if !self.is_demo().await? {
            return Err(StoreError::Invalid(
                "该数据库不是演示数据库，不能创建演示账号 / this database does not hold demo data: no demo accounts are created in it".into(),
            ));
        }
        let all = Scope::everything().acting_as(Actor::local("demo"));
        let mut out = Vec::new();
        for (username, role, org_code) in DEMO_ACCOUNTS {
            let password = format!("Demo-{}-{}", random_hex(4), random_hex(2).to_uppercase());
            let org = match org_code {
                Some(code) => Some(self.org_by_code(&all, code).await?),
                None => None,
            };
            let person_id = if *role == Role::Member {
                let (people, _) = self.list_persons(&all, None, 1, 0).await?;
                people.first().map(|p| p.person_id)
            } else {
                None
            };
            match self.account_by_username(username).await {
                Ok(existing) => {
                    self.set_password(existing.account_id, &password, all.actor(), false)
                        .await?;
                }
                Err(StoreError::NotFound) => {
                    self.create_account(
                        &all,
                        &NewAccount {
                            username: username.to_string(),
                            display_name: None,
                            role: *role,
                            org_id: org.as_ref().map(|o| o.org_id),
                            person_id,
                            password: password.clone(),
                            must_change_password: false,
                        },
                    )
                    .await?;
                }
                Err(e) => return Err(e),
            }
            out.push(DemoAccount {
                username: username.to_string(),
                role: role.code().to_string(),
                org: org.map(|o| o.name),
                password,
            });
        }
        Ok(out)
    }
}
