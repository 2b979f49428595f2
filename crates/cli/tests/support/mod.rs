//! What the tests of the binary share: running it, invented people, a server.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub const PASSPHRASE: &str = "Songhua-River-Ice-2026";

/// `kexie ARGS --data-dir DIR`, with the environment cleared of Kexie settings; `url` sets the
/// database (default: SQLite in the data directory).
pub fn kexie_cmd(data_dir: &Path, url: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kexie"));
    cmd.args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("KEXIE_DATABASE_URL")
        .env_remove("KEXIE_FIELD_KEY")
        .env_remove("KEXIE_BACKUP_PASSPHRASE")
        .env("KEXIE_LOG", "warn");
    if let Some(url) = url {
        cmd.arg("--database-url").arg(url);
    }
    cmd
}

pub fn kexie(data_dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    kexie_cmd(data_dir, url, args).output().expect("run kexie")
}

/// `kexie ARGS --data-dir DIR` on the default database (SQLite in the data directory).
pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    kexie(data_dir, None, args)
}

/// `kexie` with `input` written to its standard input (for `--password-stdin`).
pub fn kexie_stdin(data_dir: &Path, url: Option<&str>, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = kexie_cmd(data_dir, url, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kexie");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `kexie` with the backup passphrase in its environment variable.
pub fn kexie_sealed(data_dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    kexie_cmd(data_dir, url, args)
        .env("KEXIE_BACKUP_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("run kexie")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {} / {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

/// The JSON document of a run that succeeded.
#[track_caller]
pub fn ok_json(o: &Output) -> serde_json::Value {
    ok(o);
    json(o)
}

#[track_caller]
pub fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "kexie failed ({:?}): {} {}",
        o.status.code(),
        stderr(o),
        String::from_utf8_lossy(&o.stdout)
    );
}

/// One invented person: a test name and a valid ID number (GB 11643) for someone born in
/// 东城区 (110101), unique for every `n`.
pub fn person(n: u64) -> (String, String) {
    let birth = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap()
        + chrono::Duration::days((n / 1000) as i64);
    let first17 = format!("110101{}{:03}", birth.format("%Y%m%d"), n % 1000);
    let check = kexie_domain::id_number::check_char(&first17).expect("17 digits");
    (format!("测试{n}"), format!("{first17}{check}"))
}

/// A people sheet (.csv) of persons `first .. first + count`.
pub fn people_csv(path: &Path, first: u64, count: u64) {
    let mut text = String::from("姓名,身份证号\n");
    for n in first..first + count {
        let (name, id) = person(n);
        text.push_str(&format!("{name},{id}\n"));
    }
    std::fs::write(path, text).expect("write the people sheet");
}

/// A data directory with the schema, one 科协 (code `CR01`) and nothing else.
pub fn one_kexie(data_dir: &Path, url: Option<&str>) {
    std::fs::create_dir_all(data_dir).unwrap();
    let sheet = data_dir.with_extension("orgs.csv");
    std::fs::write(
        &sheet,
        "代码,名称,类型,区划代码\nCR01,测试市科学技术协会,科协,110000000000\n",
    )
    .unwrap();
    ok(&kexie(
        data_dir,
        url,
        &["import", "orgs", sheet.to_str().unwrap()],
    ));
}

/// `kexie import persons SHEET --org ORG`, which must succeed.
pub fn import_people(data_dir: &Path, url: Option<&str>, sheet: &Path, org: &str) {
    ok(&kexie(
        data_dir,
        url,
        &["import", "persons", sheet.to_str().unwrap(), "--org", org],
    ));
}

/// The entries of a directory, by name.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `kexie serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data_dir: &Path, url: Option<&str>) -> Server {
        let mut child = kexie_cmd(data_dir, url, &["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kexie serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("kexie serve printed its address")
                .unwrap();
            if let Some(i) = line.find("http://") {
                break line[i..].trim().to_string();
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bearer token for a new organisation administrator of `org`.
pub fn admin_token(data_dir: &Path, url: Option<&str>, org: &str) -> String {
    ok(&kexie_stdin(
        data_dir,
        url,
        &[
            "user",
            "create",
            "--username",
            "keeper",
            "--role",
            "org_admin",
            "--org",
            org,
            "--password-stdin",
        ],
        "Harbin-Ice-Lantern-88\n",
    ));
    let out = kexie(
        data_dir,
        url,
        &["user", "token", "--username", "keeper", "--json"],
    );
    ok(&out);
    json(&out)["token"].as_str().unwrap().to_string()
}

/// Signs in with the token and reads a person's full ID number through the API (the unmasking
/// endpoint, recorded in the audit trail).
pub async fn unmasked_id_number(server: &Server, token: &str, name: &str) -> String {
    let http = reqwest::Client::new();
    let list: serde_json::Value = http
        .get(format!("{}/api/v1/persons", server.base))
        .query(&[("q", name)])
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let items: Vec<&serde_json::Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == name)
        .collect();
    assert_eq!(items.len(), 1, "one person named {name}: {list}");
    assert!(
        items[0]["id_number"]
            .as_str()
            .is_some_and(|m| m.contains('*')),
        "the list shows the number masked: {list}"
    );
    let id = items[0]["person_id"].as_i64().unwrap();
    let identity: serde_json::Value = http
        .get(format!("{}/api/v1/persons/{id}/identity", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    identity["id_number"].as_str().unwrap().to_string()
}

/// The URL of another database on the same PostgreSQL server.
pub fn pg_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = &base[..base.rfind('/').expect("a database in the URL")];
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("kexie.db").display())
}

pub async fn count(url: &str, table: &str) -> i64 {
    let rows = kexie_store::testing::query_text(
        url,
        &format!("select cast(count(*) as text) from {table}"),
    )
    .await
    .unwrap();
    rows[0].parse().unwrap()
}
