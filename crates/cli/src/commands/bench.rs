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

/// Runs `f` `iterations` times and gives the figure: the median and 99th percentile in ms.
async fn timed<F, Fut>(
    name: &'static str,
    iterations: usize,
    budget_ms: Option<f64>,
    measure: &'static str,
    mut f: F,
) -> Result<Figure, Failure>
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
    Ok(Figure {
        name,
        p50_ms: percentile(&samples, 0.5),
        p99_ms: percentile(&samples, 0.99),
        iterations,
        budget_ms,
        measure,
    })
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn run(global: &Global, args: BenchArgs) -> CmdResult {
    if args.people_file.rows > 0 {
        return super::people_file::run(&args.people_file);
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
    let today = kexie_store::today();
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
    let first_pages = timed(
        "ledger: first page of a filter after a write (counts the total afresh)",
        cold,
        None,
        "p99",
        |i| {
            let (ledger, province) = (&ledgers[i % ledgers.len()], &province);
            store.forget_remembered_counts();
            async move {
                store
                    .ledger(province, ledger, today, 50, 0)
                    .await
                    .map(|_| ())
            }
        },
    )
    .await?;
    // Warm the totals the office has just counted, as its first page did.
    for ledger in &ledgers {
        store.ledger(&province, ledger, today, 50, 0).await?;
    }
    let per_filter = (iterations / ledgers.len()).max(1);
    figures.push(
        timed(
            "ledger page: 50 rows of the whole province, filtered, by pinyin (paging through)",
            per_filter * ledgers.len(),
            Some(20.0),
            "p99",
            |i| {
                let ledger = &ledgers[i / per_filter];
                let offset = (i % per_filter) as i64 * 50 + 50;
                let province = &province;
                async move {
                    store
                        .ledger(province, ledger, today, 50, offset)
                        .await
                        .map(|_| ())
                }
            },
        )
        .await?,
    );
    figures.push(first_pages);
    figures.push(
        timed(
            "ledger: jump to a random page (up to page 200)",
            iterations.min(40),
            None,
            "p99",
            |i| {
                let (ledger, province, offset) = (&ledgers[0], &province, offsets[i]);
                async move {
                    store
                        .ledger(province, ledger, today, 50, offset)
                        .await
                        .map(|_| ())
                }
            },
        )
        .await?,
    );

    figures.push(
        timed(
            "coverage of the whole province",
            iterations.min(20),
            Some(100.0),
            "p50",
            |_| async { store.coverage(&province, root.org_id).await.map(|_| ()) },
        )
        .await?,
    );

    figures.push(
        timed(
            "member-count roll-up of the whole province, counted afresh (after a write)",
            iterations.min(20),
            Some(100.0),
            "p50",
            |_| {
                store.forget_remembered_counts();
                async { store.overview(&province).await.map(|_| ()) }
            },
        )
        .await?,
    );
    figures.push(
        timed(
            "member-count roll-up of the whole province, nothing written since (remembered)",
            iterations.min(20),
            None,
            "p50",
            |_| async { store.overview(&province).await.map(|_| ()) },
        )
        .await?,
    );

    // Search through the index (`<data-dir>/search/`, built here first if missing), hits checked
    // against the database as the API does: names and employers taken from the data.
    let index = super::search::open_index(data_dir)?;
    let built = index
        .catch_up(store)
        .await
        .map_err(super::search::failure)?;
    let ms = built.seconds * 1000.0;
    figures.push(Figure {
        name: "search index: build (or catch up) from the database",
        p50_ms: ms,
        p99_ms: ms,
        iterations: 1,
        budget_ms: None,
        measure: "p50",
    });
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
        let figure = timed(name, iterations, Some(20.0), "p99", |i| {
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
        figures.push(figure);
    }

    let picks: Vec<i64> = (0..iterations)
        .map(|_| {
            counties
                .choose(&mut rng)
                .map(|c| c.org_id)
                .unwrap_or(root.org_id)
        })
        .collect();
    figures.push(
        timed(
            "sub-units of an organisation (50, with counts)",
            iterations,
            None,
            "p99",
            |i| {
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
            },
        )
        .await?,
    );

    // An office's own organisation list: everything in its subtree, first page by name.
    let mut subtrees = Vec::with_capacity(picks.len());
    for id in &picks {
        let org = store.org(&all, *id).await?;
        subtrees.push(Scope::subtree(org.path, false, false));
    }
    figures.push(
        timed(
            "organisations of a 科协's subtree (first 50 of all levels below, with the total)",
            iterations,
            None,
            "p99",
            |i| {
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
            },
        )
        .await?,
    );

    Ok(Report {
        database: store.backend().name(),
        organisations: overview.orgs,
        persons: overview.persons,
        memberships: overview.memberships,
        figures,
        peak_rss_mb: peak_rss_mb(),
    })
}
