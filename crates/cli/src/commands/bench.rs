//! `kexie bench`: in-process timings over the data in the data directory (build it first with
//! `kexie demo --scale province`). `scripts/bench` runs this with the rest of the suite and
//! writes docs/benchmarks.md. Timings are measured here, never asserted in tests.

use std::time::Instant;

use kexie_store::{LedgerFilter, OrgFilter, Scope, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::cli::{BenchArgs, Global};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

#[derive(Debug, Serialize)]
struct Figure {
    name: &'static str,
    p50_ms: f64,
    p99_ms: f64,
    iterations: usize,
    budget_ms: Option<f64>,
    /// The figure the budget applies to.
    measure: &'static str,
}

#[derive(Debug, Serialize)]
struct Report {
    database: &'static str,
    organisations: i64,
    persons: i64,
    memberships: i64,
    figures: Vec<Figure>,
    peak_rss_mb: Option<f64>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn time<F, Fut>(iterations: usize, mut f: F) -> Result<(f64, f64), Failure>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), kexie_store::StoreError>>,
{
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let t = Instant::now();
        f(i).await?;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    Ok((percentile(&samples, 0.5), percentile(&samples, 0.99)))
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn figure(
    name: &'static str,
    iterations: usize,
    budget_ms: Option<f64>,
    measure: &'static str,
    timed: (f64, f64),
) -> Figure {
    Figure {
        name,
        p50_ms: timed.0,
        p99_ms: timed.1,
        iterations,
        budget_ms,
        measure,
    }
}

pub async fn run(global: &Global, args: BenchArgs) -> CmdResult {
    if args.people_file.rows > 0 {
        return people_file(&args.people_file);
    }
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let report = measure(&store, &config.data_dir, args.iterations).await;
    store.close().await;
    super::print_json(&report?)
}

async fn measure(
    store: &Store,
    data_dir: &std::path::Path,
    iterations: usize,
) -> Result<Report, Failure> {
    let all = Scope::everything().acting_as(super::operator());
    let overview = store.overview(&all).await?;
    let root = store
        .org_by_code(&all, "23KX")
        .await
        .map_err(|_| Failure::Input("没有省级演示数据，请先运行 kexie demo --scale province / run kexie demo --scale province first".into()))?;
    // A provincial office's own view: its subtree, with the right to write.
    let province = Scope::subtree(root.path.clone(), true, true);
    let today = chrono::Utc::now().date_naive();
    let mut rng = StdRng::seed_from_u64(7);
    let (counties, _) = store
        .list_orgs(
            &all,
            &OrgFilter {
                kind: Some(kexie_domain::org::OrgKind::Kexie),
                limit: 500,
                ..OrgFilter::default()
            },
        )
        .await?;
    let pages = (overview.memberships / 50).clamp(1, 200);
    let offsets: Vec<i64> = (0..iterations)
        .map(|_| rng.gen_range(0..pages) * 50)
        .collect();
    let initials = ["wj", "lm", "zh", "ch", "sxm", "wf", "lj", "yh"];
    let mut figures = Vec::new();

    // The ledger as an office uses it: a filter, then page after page. Four filters over the
    // whole province, each paged through in turn; the first page of each (which counts the
    // total) is timed on its own below, the pages after it here.
    let ledgers: Vec<LedgerFilter> = [
        ("title", "中级"),
        ("title", "正高级"),
        ("gender", "female"),
        ("status", "active"),
    ]
    .into_iter()
    .map(|(field, value)| {
        let mut f = LedgerFilter {
            org_id: root.org_id,
            subtree: true,
            ..LedgerFilter::default()
        };
        match field {
            "title" => f.title = Some(value.into()),
            "gender" => f.gender = Some(value.into()),
            _ => f.status = Some(value.into()),
        }
        f
    })
    .collect();
    let cold = iterations.min(20);
    let t = time(cold, |i| {
        let (ledger, province) = (&ledgers[i % ledgers.len()], &province);
        store.forget_remembered_counts();
        async move {
            store
                .ledger(province, ledger, today, 50, 0)
                .await
                .map(|_| ())
        }
    })
    .await?;
    let first_pages = figure(
        "ledger: first page of a filter after a write (counts the total afresh)",
        cold,
        None,
        "p99",
        t,
    );
    // Warm the totals the office has just counted, as its first page did.
    for ledger in &ledgers {
        store.ledger(&province, ledger, today, 50, 0).await?;
    }
    let per_filter = (iterations / ledgers.len()).max(1);
    let t = time(per_filter * ledgers.len(), |i| {
        let ledger = &ledgers[i / per_filter];
        let offset = (i % per_filter) as i64 * 50 + 50;
        let province = &province;
        async move {
            store
                .ledger(province, ledger, today, 50, offset)
                .await
                .map(|_| ())
        }
    })
    .await?;
    figures.push(figure(
        "ledger page: 50 rows of the whole province, filtered, by pinyin (paging through)",
        per_filter * ledgers.len(),
        Some(20.0),
        "p99",
        t,
    ));
    figures.push(first_pages);
    let t = time(iterations.min(40), |i| {
        let (ledger, province, offset) = (&ledgers[0], &province, offsets[i]);
        async move {
            store
                .ledger(province, ledger, today, 50, offset)
                .await
                .map(|_| ())
        }
    })
    .await?;
    figures.push(figure(
        "ledger: jump to a random page (up to page 200)",
        iterations.min(40),
        None,
        "p99",
        t,
    ));

    let t = time(iterations.min(20), |_| async {
        store.coverage(&province, root.org_id).await.map(|_| ())
    })
    .await?;
    figures.push(figure(
        "coverage of the whole province",
        iterations.min(20),
        Some(100.0),
        "p50",
        t,
    ));

    let t = time(iterations.min(20), |_| {
        store.forget_remembered_counts();
        async { store.overview(&province).await.map(|_| ()) }
    })
    .await?;
    figures.push(figure(
        "member-count roll-up of the whole province, counted afresh (after a write)",
        iterations.min(20),
        Some(100.0),
        "p50",
        t,
    ));
    let t = time(iterations.min(20), |_| async {
        store.overview(&province).await.map(|_| ())
    })
    .await?;
    figures.push(figure(
        "member-count roll-up of the whole province, nothing written since (remembered)",
        iterations.min(20),
        None,
        "p50",
        t,
    ));

    // Search through the index (`<data-dir>/search/`, built here first if missing), hits checked
    // against the database as the API does: names and employers taken from the data.
    let index = super::search::open_index(data_dir)?;
    let built = index
        .catch_up(store)
        .await
        .map_err(super::search::failure)?;
    let ms = built.seconds * 1000.0;
    figures.push(figure(
        "search index: build (or catch up) from the database",
        1,
        None,
        "p50",
        (ms, ms),
    ));
    let (sample, _) = store.list_persons(&province, None, 200, 0).await?;
    let names: Vec<String> = sample.iter().map(|p| p.name.clone()).collect();
    let employers: Vec<String> = sample.iter().filter_map(|p| p.employer.clone()).collect();
    let initials: Vec<String> = initials.iter().map(|s| s.to_string()).collect();
    for (name, queries) in [
        ("search people by name (first 20, in scope)", &names),
        ("search people by employer (first 20, in scope)", &employers),
        (
            "search people by pinyin initials (first 20, in scope)",
            &initials,
        ),
    ] {
        if queries.is_empty() {
            continue;
        }
        let t = time(iterations, |i| {
            let (index, province, q) = (&index, &province, &queries[i % queries.len()]);
            async move {
                index
                    .find(store, province, q, Some(kexie_search::Kind::Person), 20)
                    .await
                    .map(|_| ())
                    .map_err(|e| kexie_store::StoreError::Other(e.to_string()))
            }
        })
        .await?;
        figures.push(figure(name, iterations, Some(20.0), "p99", t));
    }

    let picks: Vec<i64> = (0..iterations)
        .map(|_| {
            counties
                .choose(&mut rng)
                .map(|c| c.org_id)
                .unwrap_or(root.org_id)
        })
        .collect();
    let t = time(iterations, |i| {
        let (province, parent) = (&province, picks[i]);
        async move {
            store
                .list_orgs(
                    province,
                    &OrgFilter {
                        parent_id: Some(parent),
                        limit: 50,
                        ..OrgFilter::default()
                    },
                )
                .await
                .map(|_| ())
        }
    })
    .await?;
    figures.push(figure(
        "sub-units of an organisation (50, with counts)",
        iterations,
        None,
        "p99",
        t,
    ));

    // An office's own organisation list: everything in its subtree, first page by name.
    let mut subtrees = Vec::with_capacity(picks.len());
    for id in &picks {
        let org = store.org(&all, *id).await?;
        subtrees.push(Scope::subtree(org.path, false, false));
    }
    let t = time(iterations, |i| {
        let scope = &subtrees[i];
        async move {
            store
                .list_orgs(
                    scope,
                    &OrgFilter {
                        limit: 50,
                        ..OrgFilter::default()
                    },
                )
                .await
                .map(|_| ())
        }
    })
    .await?;
    figures.push(figure(
        "organisations of a 科协's subtree (first 50 of all levels below, with the total)",
        iterations,
        None,
        "p99",
        t,
    ));

    Ok(Report {
        database: store.backend().name(),
        organisations: overview.orgs,
        persons: overview.persons,
        memberships: overview.memberships,
        figures,
        peak_rss_mb: peak_rss_mb(),
    })
}

/// Writes a people sheet of `rows` synthetic people (born in Beijing's districts, so none is
/// already in the province demo) as `.csv` or `.xlsx`, for the import benchmarks.
pub fn people_file(args: &crate::cli::PeopleFileArgs) -> CmdResult {
    use std::io::Write;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let regions = [
        "110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111",
    ];
    let titles = ["正高级", "副高级", "中级", "初级", "无"];
    let mut seen = std::collections::HashSet::new();
    let mut row = |rng: &mut StdRng| -> [String; 8] {
        let (id, birth) = loop {
            let region = regions[rng.gen_range(0..regions.len())];
            let c = kexie_store::demo::synthetic_id_number(rng, region);
            if seen.insert(c.0.clone()) {
                break c;
            }
        };
        [
            format!("测试{}", rng.gen_range(0..1_000_000)),
            id,
            birth,
            format!(
                "1{}{:09}",
                rng.gen_range(3..=9),
                rng.gen_range(0..1_000_000_000u64)
            ),
            format!("单位{}", rng.gen_range(1..1000)),
            titles[rng.gen_range(0..titles.len())].to_string(),
            if rng.gen_ratio(4, 5) { "是" } else { "否" }.to_string(),
            "普通会员".to_string(),
        ]
    };
    let headers = [
        "姓名",
        "身份证号",
        "出生日期",
        "手机号",
        "工作单位",
        "职称",
        "是否基层一线",
        "会员类型",
    ];
    let fail = |e: String| Failure::Runtime(format!("{}: {e}", args.out.display()));
    if args.out.extension().is_some_and(|e| e == "xlsx") {
        let mut sheet =
            kexie_office::XlsxWriter::new("人员", &headers).map_err(|e| fail(e.to_string()))?;
        for _ in 0..args.rows {
            sheet
                .push_row(&row(&mut rng))
                .map_err(|e| fail(e.to_string()))?;
        }
        sheet.save(&args.out).map_err(|e| fail(e.to_string()))?;
    } else {
        let file = std::fs::File::create(&args.out).map_err(|e| fail(e.to_string()))?;
        let mut out = std::io::BufWriter::new(file);
        writeln!(out, "{}", headers.join(",")).map_err(|e| fail(e.to_string()))?;
        for _ in 0..args.rows {
            writeln!(out, "{}", row(&mut rng).join(",")).map_err(|e| fail(e.to_string()))?;
        }
        out.flush().map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}
