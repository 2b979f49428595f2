//! The `kexie` binary as a user runs it: exit codes, one-line errors, `--json` output.

mod support;

use support::{json, kexie_stdin, ok, run, stderr};

#[test]
fn config_example_prints_a_commented_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["config", "example"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# kexie.toml"));
    assert!(text.contains("addr = \"127.0.0.1:8080\""));
}

#[test]
fn migrate_json_prints_one_json_document_and_creates_the_key_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(&data, &["migrate", "--json"]);
    ok(&out);
    let doc = json(&out);
    assert_eq!(doc["database"], "sqlite");
    assert!(doc["schema_version"].as_i64().unwrap() >= 1);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data.join("field.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn demo_loads_once_and_refuses_a_database_that_has_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["demo", "--scale", "small", "--seed", "3", "--json"],
    );
    ok(&out);
    let doc = json(&out);
    assert!(doc["persons"].as_i64().unwrap() > 290);
    let again = run(dir.path(), &["demo"]);
    assert_eq!(again.status.code(), Some(2));
    let err = stderr(&again);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("错误 / Error:"));
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(dir.path(), &["demo", "--scale", "galaxy"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_bad_listen_address_is_one_clear_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["serve", "--addr", "localhost"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("监听地址无效"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_bad_database_url_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["migrate", "--database-url", "mysql://x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sqlite://"));
}

/// `kexie user create --username NAME --role ROLE --password-stdin EXTRA` with `password` on
/// standard input.
fn user_create(
    dir: &std::path::Path,
    username: &str,
    role: &str,
    extra: &[&str],
    password: &str,
) -> std::process::Output {
    let mut args = vec![
        "user",
        "create",
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
    ];
    args.extend_from_slice(extra);
    kexie_stdin(dir, None, &args, password)
}

#[test]
fn user_create_checks_the_password_policy_and_needs_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_create(dir.path(), "sys", "system_admin", &[], "short\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("12"), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "sys",
            "--role",
            "system_admin",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--password-stdin"));
    let out = user_create(dir.path(), "sys", "root", &[], "Whatever-Long-Pass-1\n");
    assert_eq!(out.status.code(), Some(2));
    let out = user_create(
        dir.path(),
        "sys",
        "system_admin",
        &["--json"],
        "Harbin-Ice-Lantern-88\n",
    );
    ok(&out);
    let account = json(&out);
    assert_eq!(account["role"], "system_admin");
    assert_eq!(account["must_change_password"], true);
    // The same username again is bad input.
    let again = user_create(
        dir.path(),
        "sys",
        "audit_admin",
        &[],
        "Harbin-Ice-Lantern-88\n",
    );
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn user_token_prints_a_token_that_can_be_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_create(
        dir.path(),
        "auditor",
        "audit_admin",
        &[],
        "Harbin-Ice-Lantern-88\n",
    );
    ok(&out);
    let out = run(
        dir.path(),
        &[
            "user",
            "token",
            "--username",
            "auditor",
            "--expires-days",
            "3",
            "--json",
        ],
    );
    ok(&out);
    let doc = json(&out);
    assert!(doc["token"].as_str().unwrap().starts_with("kx_"));
    let id = doc["token_id"].to_string();
    assert!(run(dir.path(), &["user", "revoke-token", &id])
        .status
        .success());
    assert_eq!(
        run(dir.path(), &["user", "revoke-token", &id])
            .status
            .code(),
        Some(2)
    );
    let out = run(dir.path(), &["user", "token", "--username", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn audit_verify_names_a_record_edited_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["demo", "--json"]);
    ok(&out);
    let verified = run(dir.path(), &["audit", "verify", "--json"]);
    ok(&verified);
    let report = json(&verified);
    assert_eq!(report["ok"], true);
    assert!(report["records"].as_i64().unwrap() > 500);

    let url = format!("sqlite://{}/kexie.db", dir.path().display());
    kexie_store::testing::raw_sql(
        &url,
        "drop trigger audit_log_no_update; update audit_log set detail = 'forged' where audit_id = 42;",
    )
    .await
    .unwrap();
    let broken = run(dir.path(), &["audit", "verify", "--json"]);
    assert_eq!(broken.status.code(), Some(1));
    let report = json(&broken);
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_broken"], 42);
    assert!(stderr(&broken).contains("42"));
    let text = run(dir.path(), &["audit", "verify"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("42"));
}

#[test]
fn audit_purge_needs_yes_and_keeps_young_records() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["migrate"]);
    let out = run(dir.path(), &["audit", "purge", "--before", "2099-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    run(dir.path(), &["demo"]);
    let out = run(
        dir.path(),
        &["audit", "purge", "--before", "2099-01-01", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("180"));
}

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

#[test]
fn serve_demo_refuses_a_database_that_does_not_hold_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orgs.csv");
    std::fs::write(
        &csv,
        "代码,名称,类型,区划代码\nREAL,真实科协,科协,230000000000\n",
    )
    .unwrap();
    assert!(run(dir.path(), &["import", "orgs", csv.to_str().unwrap()])
        .status
        .success());
    let out = run(dir.path(), &["serve", "--demo", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("演示"), "{}", stderr(&out));
}
