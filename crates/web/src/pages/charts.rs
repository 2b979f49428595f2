//! Charts drawn on the server as SVG: no script, no fonts needed on the server (the browser
//! renders the text), and a text alternative for screen readers.

use std::fmt::Write;

/// Escapes text for SVG/XML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A horizontal bar chart of labelled counts. `title` is the accessible name.
pub fn bar_chart(title: &str, bars: &[(String, i64)]) -> String {
    let row = 26;
    let label_width = 150;
    let bar_width = 260;
    let height = row * bars.len().max(1) + 8;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" viewBox="0 0 {w} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><desc>{d}</desc>"#,
        w = label_width + bar_width + 70,
        t = escape(title),
        d = escape(
            &bars
                .iter()
                .map(|(l, v)| format!("{l}: {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = i * row + 4;
        let w = (*value as f64 / max as f64 * bar_width as f64).round() as i64;
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{label}</text><rect x="{bx}" y="{y}" width="{w}" height="18" rx="2" class="bar"/><text x="{vx}" y="{ty}" font-size="13">{value}</text>"#,
            lx = label_width - 8,
            ty = y + 14,
            label = escape(label),
            bx = label_width,
            vx = label_width as i64 + w + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar of a share chart: `part` of `whole`.
pub struct Share {
    pub label: String,
    pub part: i64,
    pub whole: i64,
}

/// Horizontal bars of shares (covered of all), each with "part / whole (percent)".
pub fn share_chart(title: &str, bars: &[Share]) -> String {
    let row = 30;
    let label_width = 110;
    let bar_width = 280;
    let height = row * bars.len().max(1) + 8;
    let mut svg = String::new();
    let describe = |b: &Share| {
        let pct = if b.whole > 0 {
            b.part as f64 * 100.0 / b.whole as f64
        } else {
            0.0
        };
        format!("{} / {} ({pct:.1}%)", b.part, b.whole)
    };
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" viewBox="0 0 {w} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><desc>{d}</desc>"#,
        w = label_width + bar_width + 150,
        t = escape(title),
        d = escape(
            &bars
                .iter()
                .map(|b| format!("{}: {}", b.label, describe(b)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i * row + 4;
        let w = if b.whole > 0 {
            (b.part as f64 / b.whole as f64 * bar_width as f64).round() as i64
        } else {
            0
        };
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{label}</text><rect x="{bx}" y="{y}" width="{bar_width}" height="20" rx="2" class="track"/><rect x="{bx}" y="{y}" width="{w}" height="20" rx="2" class="bar"/><text x="{vx}" y="{ty}" font-size="13">{value}</text>"#,
            lx = label_width - 8,
            ty = y + 15,
            label = escape(&b.label),
            bx = label_width,
            vx = label_width + bar_width + 6,
            value = escape(&describe(b)),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_described() {
        let svg = bar_chart("图", &[("<script>".into(), 3), ("学会".into(), 0)]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;: 3"));
        assert!(svg.contains("role=\"img\""));
    }

    #[test]
    fn shares_show_part_whole_and_percent() {
        let svg = share_chart(
            "覆盖",
            &[Share {
                label: "乡级".into(),
                part: 2,
                whole: 8,
            }],
        );
        assert!(svg.contains("2 / 8 (25.0%)"));
        assert!(svg.contains("width=\"70\""));
    }
}
