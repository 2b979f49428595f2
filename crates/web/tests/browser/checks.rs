//! The checks every flow makes on a page: screenshots at desktop and phone width, no sideways
//! scrolling on the phone, text alternatives for images and charts, labels for form fields.

use fantoccini::elements::Element;
use fantoccini::Locator;

use super::{output_dir, Page, SessionCommand, DESKTOP, PHONE};

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
                // WebDriver's "computed role" or "computed label" of the element: what the
                // browser's accessibility tree, and so a screen reader, makes of it.
                .issue_cmd(SessionCommand::get(format!(
                    "element/{}/{what}",
                    el.element_id()
                )))
                .await
                .unwrap();
            out.push(value.as_str().unwrap_or_default().to_string());
        }
        (out.remove(0), out.remove(0))
    }
}
