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
}
