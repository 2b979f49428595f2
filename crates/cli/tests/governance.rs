//! `kexie governance check` end to end, on slates the tests write themselves.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use kexie_office::XlsxWriter;
use serde_json::Value;
use support::run;

const HEADERS: [&str; 11] = [
    "姓名",
    "性别",
    "出生日期",
    "职务",
    "是否基层一线",
    "政治面貌",
    "是否专职",
    "工作单位",
    "是否在职领导干部",
    "是否退休领导干部",
    "产生方式",
];

/// One person: (职务, 是否基层一线, 是否专职, 产生方式).
type Person = (&'static str, bool, bool, &'static str);

fn yes(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn write_slate(dir: &Path, name: &str, people: &[Person]) -> PathBuf {
    let mut w = XlsxWriter::new("名单", &HEADERS).unwrap();
    for (i, (position, grassroots, full_time, appointment)) in people.iter().enumerate() {
        let name = format!("成员{i:03}");
        w.push_row(&[
            name.as_str(),
            if i % 2 == 0 { "女" } else { "男" },
            "1978-04-01",
            position,
            yes(*grassroots),
            "中共党员",
            yes(*full_time),
            "某研究所",
            "否",
            "否",
            appointment,
        ])
        .unwrap();
    }
    let path = dir.join(name);
    w.save(&path).unwrap();
    path
}

/// A president, a secretary-general (full time, appointed by the council), and `members`
/// council members, all grassroots.
fn compliant(members: usize) -> Vec<Person> {
    let mut people = vec![
        ("理事长", true, false, "选举"),
        ("秘书长", true, true, "理事会聘任"),
    ];
    people.extend(std::iter::repeat_n(("理事", true, false, "选举"), members));
    people
}

fn check_json(data: &Path, slate: &Path, extra: &[&str]) -> (Output, Value) {
    let mut args = vec![
        "governance",
        "check",
        slate.to_str().unwrap(),
        "--individual-members",
        "5000",
        "--as-of",
        "2025-06-01",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = run(data, &args);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, doc)
}

fn rules(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_compliant_slate_is_ok_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let slate = write_slate(dir.path(), "ok.xlsx", &compliant(10));
    let (out, doc) = check_json(&dir.path().join("data"), &slate, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(doc["ok"], true, "{doc:#}");
    assert_eq!(doc["council_size"], 12);
    assert_eq!(doc["standing_size"], 2);
    assert_eq!(doc["supervisors"], 0);
    assert_eq!(doc["cap"], 150);
    assert_eq!(doc["rule_set_version"], "2018.1");
    assert_eq!(doc["figures"]["council"]["members"], 12);
    assert!(rules(&doc).is_empty());
}

#[test]
fn each_broken_rule_is_named_and_the_exit_code_stays_0() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let big = write_slate(dir.path(), "big.xlsx", &compliant(149));
    let (out, doc) = check_json(&data, &big, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["council_size"], 151);
    assert_eq!(rules(&doc), ["council.size_cap"]);
    // Growth above 30% makes it a warning a person may waive.
    let (_, doc) = check_json(&data, &big, &["--member-growth", "35"]);
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["findings"][0]["severity"], "warning");
    assert_eq!(doc["findings"][0]["relaxation_possible"], true);

    let mut no_sg = compliant(10);
    no_sg.remove(1);
    let path = write_slate(dir.path(), "no_sg.xlsx", &no_sg);
    let (out, doc) = check_json(&data, &path, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(rules(&doc), ["secretary_general.missing"]);

    let mut part_time = compliant(10);
    part_time[1] = ("秘书长", true, false, "选举");
    let path = write_slate(dir.path(), "part_time.xlsx", &part_time);
    let (_, doc) = check_json(&data, &path, &[]);
    assert_eq!(
        rules(&doc),
        [
            "secretary_general.not_full_time",
            "secretary_general.appointment"
        ]
    );

    // 100 council members, 74 of them grassroots: just under three quarters.
    let mut under = compliant(98);
    for p in under.iter_mut().skip(2).take(26) {
        p.1 = false;
    }
    let path = write_slate(dir.path(), "under.xlsx", &under);
    let (_, doc) = check_json(&data, &path, &[]);
    assert_eq!(rules(&doc), ["council.grassroots_share"]);
    assert_eq!(doc["findings"][0]["grassroots"], 74);
    assert_eq!(doc["findings"][0]["required_minimum"], 75);
    // One more grassroots member and it passes.
    under[2].1 = true;
    let path = write_slate(dir.path(), "exact.xlsx", &under);
    let (_, doc) = check_json(&data, &path, &[]);
    assert_eq!(doc["ok"], true, "{doc:#}");
}

#[test]
fn an_unreadable_file_or_bad_rows_exit_2_with_the_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, b"this is not a workbook").unwrap();
    let (out, _) = check_json(&data, &junk, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("错误 / Error:"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let mut bad = compliant(3);
    bad[2] = ("主任", true, false, "选举");
    let path = write_slate(dir.path(), "bad.xlsx", &bad);
    let out = run(
        &data,
        &[
            "governance",
            "check",
            path.to_str().unwrap(),
            "--individual-members",
            "500",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("第 4 行") && text.contains("主任"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 处错误"));

    let out = run(
        &data,
        &[
            "governance",
            "check",
            path.to_str().unwrap(),
            "--individual-members",
            "500",
            "--as-of",
            "明天",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_review_can_be_written_as_a_word_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut people = compliant(3);
    people.remove(1);
    let slate = write_slate(dir.path(), "s.xlsx", &people);
    let docx = dir.path().join("review.docx");
    let out = run(
        &dir.path().join("data"),
        &[
            "governance",
            "check",
            slate.to_str().unwrap(),
            "--individual-members",
            "500",
            "--out",
            docx.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("不符合") && text.contains("secretary_general.missing"));
    let bytes = std::fs::read(&docx).unwrap();
    assert!(bytes.starts_with(b"PK"));
}
