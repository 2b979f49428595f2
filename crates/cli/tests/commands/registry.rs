//! The registry through the binary: organisations and people imported and exported as
//! spreadsheets, row-by-row errors, coverage.

use crate::support::{json, ok, run, stderr};

#[test]
fn organisations_round_trip_through_xlsx() {
    let a = tempfile::tempdir().unwrap();
    assert!(run(a.path(), &["demo"]).status.success());
    let first = a.path().join("orgs.xlsx");
    let out = run(
        a.path(),
        &[
            "export",
            "orgs",
            "--org",
            "23KX",
            "--out",
            first.to_str().unwrap(),
            "--unmasked",
        ],
    );
    ok(&out);

    let b = tempfile::tempdir().unwrap();
    let dry = run(
        b.path(),
        &[
            "import",
            "orgs",
            first.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    let report = json(&dry);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    let rows = report["rows"].as_u64().unwrap();
    assert!(rows > 20, "{rows}");
    assert_eq!(report["valid"], rows);
    let real = run(b.path(), &["import", "orgs", first.to_str().unwrap()]);
    ok(&real);

    let second = b.path().join("again.xlsx");
    let out = run(
        b.path(),
        &[
            "export",
            "orgs",
            "--org",
            "23KX",
            "--out",
            second.to_str().unwrap(),
            "--unmasked",
        ],
    );
    ok(&out);
    let read = |p: &std::path::Path| {
        kexie_office::read_sheet(p, &kexie_office::Limits::default()).unwrap()
    };
    let (x, y) = (read(&first), read(&second));
    assert_eq!(x.headers, y.headers);
    let mut xr = x.rows.clone();
    let mut yr = y.rows.clone();
    xr.sort();
    yr.sort();
    assert_eq!(xr, yr, "the second export equals the first");
}

#[test]
fn a_file_with_errors_is_reported_row_by_row_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["demo"]);
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "名称,代码,类型,上级代码,统一社会信用代码\n\
         新企业科协,NEW1,企业科协,2301KX,\n\
         ,NEW2,学会,23KX,\n\
         坏代码,NEW3,科协,23KX,91350100M000100Y44\n\
         无上级,NEW4,科协,NOPE,\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["import", "orgs", csv.to_str().unwrap(), "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let errors: Vec<(u64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(errors.contains(&(3, "field.required".into())), "{errors:?}");
    assert!(
        errors.contains(&(4, "credit_code.checksum".into())),
        "{errors:?}"
    );
    assert!(errors.contains(&(5, "parent.unknown".into())), "{errors:?}");
    assert_eq!(report["rows"], 4);
    assert_eq!(report["valid"], 1);
    // Nothing was written: the valid first row is not there either.
    let export = dir.path().join("check.xlsx");
    run(
        dir.path(),
        &[
            "export",
            "orgs",
            "--org",
            "2301KX",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    let sheet = kexie_office::read_sheet(&export, &kexie_office::Limits::default()).unwrap();
    assert!(!sheet.rows.iter().any(|r| r[0] == "NEW1"));
}

#[test]
fn coverage_prints_json_with_every_level_below() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["demo"]);
    let out = run(dir.path(), &["coverage", "--org", "23KX", "--json"]);
    ok(&out);
    let doc = json(&out);
    let levels: Vec<&str> = doc["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["city", "county", "township"]);
    // The demo gives every city and county a 科协.
    assert_eq!(doc["levels"][0]["covered"], doc["levels"][0]["divisions"]);
    assert_eq!(doc["levels"][1]["covered"], doc["levels"][1]["divisions"]);
    assert!(doc["levels"][2]["gaps"].as_array().unwrap().len() > 1000);
    let unknown = run(dir.path(), &["coverage", "--org", "NOPE"]);
    assert_eq!(unknown.status.code(), Some(2));
}

fn people_xlsx(path: &std::path::Path, rows: &[[&str; 6]]) {
    let mut w = kexie_office::XlsxWriter::new(
        "人员",
        &[
            "姓名",
            "身份证号码",
            "手机",
            "工作单位",
            "会员编号",
            "入会日期",
        ],
    )
    .unwrap();
    for r in rows {
        w.push_row(r).unwrap();
    }
    w.save(path).unwrap();
}

#[test]
fn people_import_reports_rows_writes_all_or_nothing_and_finds_existing_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo"]).status.success());
    let file = dir.path().join("people.xlsx");
    people_xlsx(
        &file,
        &[
            [
                "林晓",
                "230102198503120029",
                "13945678901",
                "寒地作物研究所",
                "HX-1",
                "2024-05-01",
            ],
            ["王五", "230102198503120021", "", "", "HX-2", ""],
            ["赵六", "", "1394567890", "", "HX-3", "2024年5月1日"],
        ],
    );
    let out = run(
        dir.path(),
        &[
            "import",
            "persons",
            file.to_str().unwrap(),
            "--org",
            "23XH01",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report = json(&out);
    let errors: Vec<(u64, String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                3,
                "身份证号码".to_string(),
                "id_number.checksum".to_string()
            ),
            (4, "手机".into(), "phone.format".into())
        ]
    );
    assert_eq!(
        (report["rows"].as_u64(), report["valid"].as_u64()),
        (Some(3), Some(1))
    );

    // --skip-invalid writes the valid row and reports the others.
    let out = run(
        dir.path(),
        &[
            "import",
            "persons",
            file.to_str().unwrap(),
            "--org",
            "23XH01",
            "--skip-invalid",
            "--json",
        ],
    );
    ok(&out);
    let ledger = dir.path().join("ledger.xlsx");
    assert!(run(
        dir.path(),
        &[
            "export",
            "persons",
            "--org",
            "23XH01",
            "--out",
            ledger.to_str().unwrap()
        ]
    )
    .status
    .success());
    let sheet = kexie_office::read_sheet(&ledger, &kexie_office::Limits::default()).unwrap();
    let lin: Vec<_> = sheet.rows.iter().filter(|r| r[0] == "林晓").collect();
    assert_eq!(lin.len(), 1);
    assert_eq!(lin[0][3], "2301**********0029", "exports are masked");
    assert!(!std::fs::read(&ledger)
        .unwrap()
        .windows(18)
        .any(|w| w == b"230102198503120029"));

    // The same person again is a duplicate of the registered one.
    let again = dir.path().join("again.csv");
    std::fs::write(&again, "姓名,身份证号\n林晓,230102198503120029\n").unwrap();
    let out = run(
        dir.path(),
        &[
            "import",
            "persons",
            again.to_str().unwrap(),
            "--org",
            "23XH01",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    assert_eq!(report["errors"][0]["code"], "duplicate.existing");
    assert_eq!(report["duplicates"][0]["row"], 2);
    assert!(report["duplicates"][0]["matches"][0]["person_id"]
        .as_i64()
        .is_some());
}

#[test]
fn a_gbk_csv_imports_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo"]).status.success());
    let text = "姓名,手机号,是否基层一线\n区明,13812340000,是\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let file = dir.path().join("gbk.csv");
    std::fs::write(&file, &gbk).unwrap();
    let out = run(
        dir.path(),
        &[
            "import",
            "persons",
            file.to_str().unwrap(),
            "--org",
            "23XH02",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{} {}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json(&out);
    assert_eq!(report["valid"], 1);
}
