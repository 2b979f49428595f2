//! Debian's `chromium` and `chromedriver`: found on the path, the driver started on a free
//! loopback port in a process group of its own, and stopped with everything it launched.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use super::DESKTOP;

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The browser and its driver, or why they cannot be used.
pub fn find_programs() -> Result<(PathBuf, PathBuf), String> {
    // `KEXIE_CHROMIUM` / `KEXIE_CHROMEDRIVER` name other binaries; otherwise they are looked
    // for on the PATH.
    let named =
        |var: &str| std::env::var_os(var).map(|v| Some(PathBuf::from(v)).filter(|p| p.is_file()));
    let browser = named("KEXIE_CHROMIUM")
        .unwrap_or_else(|| on_path(&["chromium", "chromium-browser", "google-chrome"]));
    let driver = named("KEXIE_CHROMEDRIVER").unwrap_or_else(|| on_path(&["chromedriver"]));
    match (browser, driver) {
        (Some(b), Some(d)) => Ok((b, d)),
        (b, d) => Err(format!(
            "chromium: {}, chromedriver: {} (Debian: apt-get install chromium chromium-driver fonts-noto-cjk; scripts/test installs them)",
            b.map(|p| p.display().to_string()).unwrap_or_else(|| "missing".into()),
            d.map(|p| p.display().to_string()).unwrap_or_else(|| "missing".into()),
        )),
    }
}

/// `target/e2e` of the workspace: screenshots and the run's summary.
pub fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e can be created");
    dir
}

/// chromedriver, in a process group of its own; dropping it ends the group, browser included.
pub struct Driver {
    child: Child,
    pub port: u16,
    _profile: tempfile::TempDir,
    profile_dir: PathBuf,
    browser: PathBuf,
}

impl Driver {
    pub fn start(browser: PathBuf, driver: PathBuf) -> Driver {
        use std::os::unix::process::CommandExt;
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
            probe.local_addr().unwrap().port()
        };
        let log = std::fs::File::create(output_dir().join("chromedriver.log")).unwrap();
        // No `--allowed-ips`: with it chromedriver listens on every interface; without it only on
        // loopback (127.0.0.1 and ::1), and servers started by tests listen on loopback only.
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let profile_dir = profile.path().to_path_buf();
        let mut driver = Driver {
            child,
            port,
            _profile: profile,
            profile_dir,
            browser,
        };
        // Until it listens; bounded so that a driver that never comes up fails the test.
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                let open = non_loopback_listeners(port);
                assert!(
                    open.is_empty(),
                    "chromedriver listens beyond loopback on port {port}: {open:?}"
                );
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited at start: {status} (see target/e2e/chromedriver.log)");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("chromedriver did not listen on port {port}");
    }

    /// A new headless Chromium session, Chinese first, at desktop size.
    pub async fn session(&self) -> Client {
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            "--lang=zh-CN".into(),
            format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
            format!("--user-data-dir={}", self.profile_dir.display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.browser.display().to_string(),
                "args": args,
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session (see target/e2e/chromedriver.log)");
        // A headless window is not always given the system's focus (on a loaded machine it
        // may never get it): `document.hasFocus()` stays false and keys reach no element. The
        // flows test keyboard use, so the page is told it has the focus, as a person's
        // browser window would.
        client
            .issue_cmd(SessionCommand::post(
                "goog/cdp/execute",
                json!({ "cmd": "Emulation.setFocusEmulationEnabled", "params": { "enabled": true } }),
            ))
            .await
            .expect("chromedriver runs a DevTools command");
        client
    }
}

/// A WebDriver command fantoccini has no method for, on the session's own path: a GET, or a
/// POST of a JSON body.
#[derive(Debug)]
pub struct SessionCommand {
    path: String,
    body: Option<Value>,
}

impl SessionCommand {
    pub fn get(path: String) -> SessionCommand {
        SessionCommand { path, body: None }
    }

    pub fn post(path: &str, body: Value) -> SessionCommand {
        SessionCommand {
            path: path.to_string(),
            body: Some(body),
        }
    }
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        match &self.body {
            Some(body) => (Method::POST, Some(body.to_string())),
            None => (Method::GET, None),
        }
    }
}

/// Listening sockets on `port` bound to anything but loopback, read from `/proc/net/tcp{,6}`
/// (addresses as the kernel prints them: hex, each 32-bit word in host byte order).
fn non_loopback_listeners(port: u16) -> Vec<String> {
    const LISTEN: &str = "0A";
    const LOOPBACK_V4: &str = "0100007F";
    const LOOPBACK_V6: &str = "00000000000000000000000001000000";
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((address, hex_port)) = local.split_once(':') else {
                continue;
            };
            if *state == LISTEN
                && u16::from_str_radix(hex_port, 16) == Ok(port)
                && address != LOOPBACK_V4
                && address != LOOPBACK_V6
            {
                found.push(format!("{table}: {local}"));
            }
        }
    }
    found
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group this test started: chromedriver and the browser it launched. The group id
        // goes after `--`: procps-ng's `kill -KILL -20858` reads `-2…` as a signal number and
        // calls kill(-2, SIGKILL), and with a pid that starts with 1 it calls kill(-1, SIGKILL),
        // which as root ends every process on the machine, the test runner included.
        let group = self.child.id();
        if group > 1 {
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
