//! `kexie import plan` and `kexie workplan` as a user runs them. seeds/000 is read at run time
//! and only its structure is asserted (it names real people).

mod support;

use std::path::Path;

use serde_json::Value;
use support::{json, ok, run, stderr};

fn seed_000() -> Option<std::path::PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seeds/000_058b7e57b501da7f.txt");
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: seed file {} not found", path.display());
        None
    }
}

/// A data directory with a city 科协 `CITY` and a district `D1` below it.
fn with_orgs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orgs.csv");
    std::fs::write(
        &csv,
        "代码,名称,类型,上级代码\nCITY,某市科协,科协,\nD1,甲区科协,科协,CITY\n",
    )
    .unwrap();
    let out = run(dir.path(), &["import", "orgs", csv.to_str().unwrap()]);
    ok(&out);
    dir
}

#[test]
fn seed_000_pasted_as_text_dry_run_json_is_the_plan_parse_and_writes_nothing() {
    let Some(seed) = seed_000() else { return };
    let dir = with_orgs();
    let out = run(
        dir.path(),
        &[
            "import",
            "plan",
            seed.to_str().unwrap(),
            "--org",
            "CITY",
            "--dry-run",
            "--json",
        ],
    );
    ok(&out);
    let doc = json(&out);
    let mut keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["errors", "tasks"]);
    assert_eq!(doc["errors"], Value::Array(Vec::new()));
    let tasks = doc["tasks"].as_array().unwrap();
    let numbers: Vec<&str> = tasks
        .iter()
        .map(|t| t["number"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (3..=50).map(|n: i32| n.to_string()).collect();
    assert_eq!(numbers, expected);
    for t in tasks {
        assert!(
            !t["measures"].as_array().unwrap().is_empty(),
            "({}) has no measure",
            t["number"]
        );
        for key in [
            "section",
            "text",
            "deadline",
            "leader",
            "department",
            "units",
        ] {
            assert!(t.get(key).is_some(), "({}) lacks {key}", t["number"]);
        }
    }
    let by = |n: &str| tasks.iter().find(|t| t["number"] == n).unwrap();
    assert_eq!(by("5")["deadline"]["input"], "2017年10月底前");
    assert_eq!(by("5")["deadline"]["kind"], "due");
    assert_eq!(by("5")["deadline"]["due"], "2017-10-31");
    // The year comes from the text: "6月底前" is read in 2017.
    assert_eq!(by("34")["deadline"]["due"], "2017-06-30");
    // (8) sits under the merged cells of (7): the leader and department are carried down.
    assert!(by("8")["leader"].is_string());
    assert_eq!(by("8")["leader"], by("7")["leader"]);
    assert_eq!(by("8")["department"], "科普部");
    assert_eq!(by("8")["deadline_inherited"], true);
    // Nothing was written.
    let none = run(
        dir.path(),
        &["workplan", "supervise", "--plan", "1", "--json"],
    );
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));
}

#[test]
fn seed_000_imported_goes_overdue_as_the_days_pass() {
    let Some(seed) = seed_000() else { return };
    let dir = with_orgs();
    let out = run(
        dir.path(),
        &[
            "import",
            "plan",
            seed.to_str().unwrap(),
            "--org",
            "CITY",
            "--title",
            "任务分工方案",
            "--doc-number",
            "科协发〔2017〕1号",
            "--json",
        ],
    );
    ok(&out);
    let created = json(&out);
    assert_eq!(
        (created["plan_id"].as_i64(), created["tasks"].as_i64()),
        (Some(1), Some(48))
    );
    let before = run(
        dir.path(),
        &[
            "workplan",
            "supervise",
            "--plan",
            "1",
            "--today",
            "2017-05-01",
            "--json",
        ],
    );
    ok(&before);
    let before = json(&before);
    assert_eq!(before["counts"]["total"], 48);
    assert_eq!(before["counts"]["overdue"], 0);
    assert!(!before["due_soon"].as_array().unwrap().is_empty());
    let after = json(&run(
        dir.path(),
        &[
            "workplan",
            "supervise",
            "--plan",
            "1",
            "--today",
            "2017-11-01",
            "--json",
        ],
    ));
    let overdue = after["counts"]["overdue"].as_i64().unwrap();
    assert!(overdue >= 10, "{overdue}");
    let reminded = run(
        dir.path(),
        &["workplan", "remind", "--today", "2017-11-01", "--json"],
    );
    ok(&reminded);
    assert_eq!(json(&reminded)["overdue"].as_i64(), Some(overdue));
    let again = json(&run(
        dir.path(),
        &["workplan", "remind", "--today", "2017-11-01", "--json"],
    ));
    assert_eq!(
        (again["overdue"].as_i64(), again["notified"].as_i64()),
        (Some(0), Some(0))
    );
    let verify = run(dir.path(), &["audit", "verify", "--json"]);
    assert_eq!(json(&verify)["ok"], true);
}

#[test]
fn a_table_in_xlsx_reads_like_pasted_text() {
    let dir = with_orgs();
    let file = dir.path().join("plan.xlsx");
    let mut sheet = kexie_office::xlsx_out::XlsxWriter::new(
        "任务分工",
        &[
            "序号",
            "任务",
            "具体措施",
            "完成时限",
            "牵头领导",
            "责任单位",
        ],
    )
    .unwrap();
    for row in [
        ["一、", "扩大覆盖", "", "", "", ""],
        [
            "(1)",
            "推动组织向园区延伸",
            "制定指导意见",
            "2017年10月底前",
            "甲主席",
            "甲区科协",
        ],
        ["", "", "开展试点", "", "", ""],
        ["(2)", "完善会员制度", "制定管理办法", "", "", "组织部"],
    ] {
        sheet.push_row(&row).unwrap();
    }
    sheet.save(&file).unwrap();
    let out = run(
        dir.path(),
        &[
            "import",
            "plan",
            file.to_str().unwrap(),
            "--org",
            "CITY",
            "--dry-run",
            "--json",
        ],
    );
    ok(&out);
    let doc = json(&out);
    assert_eq!(doc["errors"], Value::Array(Vec::new()));
    let tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(
        tasks[0]["measures"],
        serde_json::json!(["制定指导意见", "开展试点"])
    );
    assert_eq!(tasks[0]["section"], "一、扩大覆盖");
    assert_eq!(tasks[1]["deadline"]["due"], "2017-10-31");
    assert_eq!(tasks[1]["deadline_inherited"], true);
    assert_eq!(tasks[1]["leader"], "甲主席");
    let out = run(
        dir.path(),
        &[
            "import",
            "plan",
            file.to_str().unwrap(),
            "--org",
            "CITY",
            "--json",
        ],
    );
    ok(&out);
    // "甲区科协" names the district: it is linked and sees its task.
    assert_eq!(json(&out)["linked_units"], 1);

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "序号,措施\n1,x\n").unwrap();
    let out = run(
        dir.path(),
        &["import", "plan", bad.to_str().unwrap(), "--org", "CITY"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("任务"), "{err}");
}

#[test]
fn a_plan_that_cannot_be_read_whole_is_not_written() {
    let dir = with_orgs();
    let text = dir.path().join("plan.txt");
    std::fs::write(&text, "(2)甲任务。\n措施一。\n(1)乙任务。\n措施二。\n").unwrap();
    let out = run(
        dir.path(),
        &["import", "plan", text.to_str().unwrap(), "--org", "CITY"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("第 3 行"));
    let none = run(dir.path(), &["workplan", "supervise", "--plan", "1"]);
    assert_eq!(none.status.code(), Some(2));
    let out = run(
        dir.path(),
        &["import", "plan", text.to_str().unwrap(), "--org", "NOWHERE"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("NOWHERE"));
}

#[test]
fn parse_deadline_prints_the_domain_json_or_a_readable_line() {
    let dir = tempfile::tempdir().unwrap();
    let phrase = "2017年至2020年(2017年5月底前出台方案)";
    let out = run(
        dir.path(),
        &["workplan", "parse-deadline", phrase, "--json"],
    );
    ok(&out);
    let expected =
        serde_json::to_value(kexie_domain::deadline::parse_deadline(phrase, None)).unwrap();
    assert_eq!(json(&out), expected);
    let out = run(
        dir.path(),
        &[
            "workplan",
            "parse-deadline",
            "6月底前",
            "--plan-year",
            "2017",
            "--json",
        ],
    );
    assert_eq!(json(&out)["due"], "2017-06-30");
    let out = run(dir.path(), &["workplan", "parse-deadline", phrase]);
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(line.trim().lines().count(), 1);
    assert!(
        line.contains("2017-01-01") && line.contains("2020-12-31") && line.contains("2017-05-31")
    );
    let out = run(dir.path(), &["workplan", "parse-deadline", "说不清"]);
    assert!(String::from_utf8(out.stdout).unwrap().contains("无法识别"));
    let out = run(
        dir.path(),
        &[
            "workplan",
            "parse-deadline",
            "6月底前",
            "--plan-year",
            "99999",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}
