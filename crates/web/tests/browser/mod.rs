//! A real Chromium driven over WebDriver for the end-to-end tests: finds Debian's `chromium` and
//! `chromedriver`, starts the driver on a free loopback port in a process group of its own (so
//! that the browser it launches goes with it), and offers the checks every flow makes: a
//! screenshot at desktop and phone width, no horizontal scrolling on the phone, text
//! alternatives for images and charts, labels for form fields.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Desktop and phone widths of the screenshots; the phone is where horizontal scrolling hurts.
pub const DESKTOP: (u32, u32) = (1280, 900);
pub const PHONE: (u32, u32) = (375, 812);

/// Set by `scripts/test`: a missing browser then fails the run instead of skipping it.
pub const REQUIRE_ENV: &str = "KEXIE_E2E_REQUIRE";

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
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session (see target/e2e/chromedriver.log)")
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
        // The group this test started: chromedriver and the browser it launched.
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// WebDriver's "computed role" or "computed label" of an element: what the browser's
/// accessibility tree, and so a screen reader, makes of it.
#[derive(Debug)]
struct Computed {
    element: String,
    what: &'static str,
}

impl WebDriverCompatibleCommand for Computed {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/element/{}/{}",
            session.unwrap_or_default(),
            self.element,
            self.what
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::GET, None)
    }
}

/// A browser tab on the application, with the checks the flows share.
#[derive(Clone)]
pub struct Page {
    pub client: Client,
    pub base: String,
}

/// What a person checks on every page of a flow.
const LAYOUT_PROBE: &str = r#"
const doc = document.documentElement;
const wide = [];
if (doc.scrollWidth > doc.clientWidth) {
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > doc.clientWidth + 1 && !el.closest('.table-wrap')) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).replace(/ /g, '.') : '') + ' right=' + Math.round(r.right));
    }
  }
}
return { scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 8) };
"#;

/// Images need `alt`; charts (`svg`, `role="img"`) need a name: `aria-label`,
/// `aria-labelledby` or a `<title>`; form fields need a label.
const A11Y_PROBE: &str = r#"
const bad = [];
const named = (el) => {
  if ((el.getAttribute('aria-label') || '').trim()) return true;
  const by = el.getAttribute('aria-labelledby');
  if (by && by.split(/\s+/).some(id => (document.getElementById(id)?.textContent || '').trim())) return true;
  const title = el.tagName.toLowerCase() === 'svg' ? el.querySelector(':scope > title') : null;
  return !!(title && title.textContent.trim());
};
for (const img of document.querySelectorAll('img, input[type=image], area')) {
  if (!img.hasAttribute('alt')) bad.push('no alt: ' + img.outerHTML.slice(0, 100));
}
let charts = 0;
for (const svg of document.querySelectorAll('svg')) {
  if (svg.closest('[aria-hidden=true]')) continue;
  if (svg.parentElement && svg.parentElement.closest('svg')) continue;
  charts++;
  if (svg.getAttribute('role') !== 'img' || !named(svg)) bad.push('chart without role=img and a name: ' + svg.outerHTML.slice(0, 100));
}
for (const el of document.querySelectorAll('[role=img]')) {
  if (!named(el)) bad.push('role=img without a name: ' + el.outerHTML.slice(0, 100));
}
for (const f of document.querySelectorAll('input, select, textarea')) {
  if (f.type === 'hidden') continue;
  const labelled = (f.id && document.querySelector('label[for="' + CSS.escape(f.id) + '"]'))
    || f.closest('label') || named(f) || (f.getAttribute('title') || '').trim();
  if (!labelled) bad.push('field without a label: ' + f.outerHTML.slice(0, 100));
}
return { bad, charts };
"#;

impl Page {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn open(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// The element, which a person can see.
    pub async fn visible(&self, css: &str) -> Element {
        let el = self.find(css).await;
        assert!(el.is_displayed().await.unwrap(), "{css} is not visible");
        el
    }

    /// The visible text of an element.
    pub async fn text(&self, css: &str) -> String {
        self.visible(css)
            .await
            .text()
            .await
            .unwrap()
            .trim()
            .to_string()
    }

    /// A link by its exact text, visible.
    pub async fn link(&self, text: &str) -> Element {
        let el = self
            .client
            .find(Locator::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("link “{text}”: {e}"));
        assert!(el.is_displayed().await.unwrap(), "link “{text}” is hidden");
        el
    }

    pub async fn script(&self, js: &str) -> Value {
        self.client.execute(js, Vec::new()).await.unwrap()
    }

    /// Types on the keyboard, key by key, into whatever has the focus.
    pub async fn keys(&self, text: &str) {
        let mut actions = KeyActions::new("keyboard".into());
        for ch in text.chars() {
            actions = actions
                .then(KeyAction::Down { value: ch })
                .then(KeyAction::Up { value: ch });
        }
        self.client.perform_actions(actions).await.unwrap();
    }

    pub async fn press(&self, key: Key) {
        self.keys(&char::from(key).to_string()).await;
    }

    /// The `id` (or else `name`) of the focused element.
    pub async fn focused(&self) -> String {
        let v = self
            .script("const a = document.activeElement; return a ? (a.id || a.getAttribute('name') || a.tagName.toLowerCase()) : '';")
            .await;
        v.as_str().unwrap_or("").to_string()
    }

    /// Presses Tab until the element `id` has the focus; returns how many presses it took.
    pub async fn tab_to(&self, id: &str) -> usize {
        for presses in 0..40 {
            if self.focused().await == id {
                return presses;
            }
            self.press(Key::Tab).await;
        }
        panic!("Tab never reached #{id}");
    }

    /// Polls a JavaScript condition until it holds (the page may reload meanwhile); bounded so
    /// that a condition that never holds fails the test.
    pub async fn wait_for(&self, what: &str, js: &str) {
        for _ in 0..600 {
            if let Ok(Value::Bool(true)) = self.client.execute(js, Vec::new()).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("waited in vain for {what}");
    }

    /// Screenshots at desktop and phone width, and at phone width nothing may scroll sideways.
    pub async fn check_widths(&self, flow: &str) {
        let dir = output_dir();
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        std::fs::write(
            dir.join(format!("{flow}-desktop.png")),
            self.client.screenshot().await.unwrap(),
        )
        .unwrap();
        self.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
        let layout = self.script(LAYOUT_PROBE).await;
        std::fs::write(
            dir.join(format!("{flow}-phone.png")),
            self.client.screenshot().await.unwrap(),
        )
        .unwrap();
        let client = layout["client"].as_u64().unwrap();
        let scroll = layout["scroll"].as_u64().unwrap();
        assert!(
            client <= u64::from(PHONE.0),
            "{flow}: the window did not narrow to a phone ({client}px)"
        );
        assert!(
            scroll <= client,
            "{flow}: at {}px the page scrolls sideways ({scroll}px wide): {}",
            PHONE.0,
            layout["wide"]
        );
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        self.check_text_alternatives(flow).await;
    }

    /// Proves the sideways-scrolling check can fail: a 600px box on a phone is caught.
    pub async fn assert_overflow_is_caught(&self) {
        self.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
        self.script("const d = document.createElement('div'); d.id = 'too-wide'; d.style.width = '600px'; d.textContent = 'x'; document.querySelector('main').append(d);")
            .await;
        let layout = self.script(LAYOUT_PROBE).await;
        self.script("document.getElementById('too-wide').remove();")
            .await;
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        assert!(
            layout["scroll"].as_u64() > layout["client"].as_u64()
                && layout["wide"].to_string().contains("too-wide"),
            "the probe missed a 600px box: {layout}"
        );
    }

    /// Every image and chart on the page has a text alternative, every field a label; returns
    /// how many charts were checked.
    pub async fn check_text_alternatives(&self, flow: &str) -> u64 {
        let found = self.script(A11Y_PROBE).await;
        let bad = found["bad"].as_array().cloned().unwrap_or_default();
        assert!(bad.is_empty(), "{flow} on {}: {bad:#?}", self.path().await);
        // And what the accessibility tree itself makes of each picture: an image with a name.
        let pictures = self
            .client
            .find_all(Locator::Css("svg[role=img], img:not([alt='']), [role=img]"))
            .await
            .unwrap();
        for picture in &pictures {
            let (role, name) = self.accessible(picture).await;
            assert!(
                role == "image" || role == "img",
                "{flow}: a chart is a {role:?} to a screen reader"
            );
            assert!(!name.trim().is_empty(), "{flow}: a chart has no name");
        }
        found["charts"].as_u64().unwrap_or(0)
    }

    /// The computed role and name of an element.
    pub async fn accessible(&self, el: &Element) -> (String, String) {
        let mut out = Vec::new();
        for what in ["computedrole", "computedlabel"] {
            let value = self
                .client
                .issue_cmd(Computed {
                    element: el.element_id().to_string(),
                    what,
                })
                .await
                .unwrap();
            out.push(value.as_str().unwrap_or_default().to_string());
        }
        (out.remove(0), out.remove(0))
    }
}
