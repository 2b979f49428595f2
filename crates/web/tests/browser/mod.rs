//! A real Chromium driven over WebDriver for the end-to-end tests: finds Debian's `chromium` and
//! `chromedriver`, starts the driver on a free loopback port in a process group of its own (so
//! that the browser it launches goes with it), and offers the checks every flow makes: a
//! screenshot at desktop and phone width, no horizontal scrolling on the phone, text
//! alternatives for images and charts, labels for form fields.

#![allow(dead_code)]

mod checks;
mod driver;

pub use driver::*;

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;

/// Desktop and phone widths of the screenshots; the phone is where horizontal scrolling hurts.
pub const DESKTOP: (u32, u32) = (1280, 900);
pub const PHONE: (u32, u32) = (375, 812);

/// Set by `scripts/test`: a missing browser then fails the run instead of skipping it.
pub const REQUIRE_ENV: &str = "KEXIE_E2E_REQUIRE";

/// A browser tab on the application, with the checks the flows share (in `checks`).
#[derive(Clone)]
pub struct Page {
    pub client: Client,
    pub base: String,
}

impl Page {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Opens a page and waits until it is loaded and has the keyboard: on a loaded machine a
    /// key pressed right after the navigation could otherwise reach no element at all.
    pub async fn open(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
        self.wait_for(
            "the page to be loaded with the keyboard focus",
            "return document.readyState === 'complete' && document.hasFocus();",
        )
        .await;
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
}
