//! `kexie bench --rows N --out FILE`: a synthetic people sheet for the import benchmarks.

use std::io::Write;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::cli::PeopleFileArgs;
use crate::failure::{CmdResult, Failure};

/// Writes a people sheet of `rows` synthetic people (born in Beijing's districts, so none is
/// already in the province demo) as `.csv` or `.xlsx`, for the import benchmarks.
pub fn run(args: &PeopleFileArgs) -> CmdResult {
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
