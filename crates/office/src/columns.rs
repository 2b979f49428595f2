//! Matching a file's header row to the columns an import knows.
//!
//! Offices rename, reorder and decorate headers ("代码*", "名称（必填）", "联系 电话",
//! full-width letters): matching ignores all of that, so any order and the listed aliases work.

use kexie_domain::text::to_half_width;

/// A column an import understands.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Stable key the import code asks for.
    pub key: &'static str,
    /// The canonical Chinese header first, then aliases.
    pub names: &'static [&'static str],
    pub required: bool,
}

#[derive(Debug, Clone)]
struct Entry {
    key: &'static str,
    canonical: &'static str,
    /// Position in the file and the header as written there.
    found: Option<(usize, String)>,
}

/// Where each known column sits in a file.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    entries: Vec<Entry>,
}

impl ColumnMap {
    /// Maps `headers` onto `specs`. Returns the map and the headers that matched nothing, or
    /// the canonical names of the required columns that are missing.
    pub fn map(
        headers: &[String],
        specs: &[ColumnSpec],
    ) -> Result<(ColumnMap, Vec<String>), Vec<String>> {
        let mut entries: Vec<Entry> = specs
            .iter()
            .map(|s| Entry {
                key: s.key,
                canonical: s.names.first().copied().unwrap_or(s.key),
                found: None,
            })
            .collect();
        let mut unknown = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            let norm = normalise_header(header);
            if norm.is_empty() {
                continue;
            }
            let hit = specs
                .iter()
                .position(|s| s.names.iter().any(|n| normalise_header(n) == norm));
            match hit {
                // A second column with the same meaning is not used: say so rather than guess.
                Some(i) if entries[i].found.is_none() => {
                    entries[i].found = Some((index, header.trim().to_string()));
                }
                _ => unknown.push(header.trim().to_string()),
            }
        }
        let missing: Vec<String> = specs
            .iter()
            .zip(&entries)
            .filter(|(s, e)| s.required && e.found.is_none())
            .map(|(_, e)| e.canonical.to_string())
            .collect();
        if missing.is_empty() {
            Ok((ColumnMap { entries }, unknown))
        } else {
            Err(missing)
        }
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The cell of `row` in the column `key`; `None` when the column is absent or the cell
    /// empty. Rows may be shorter than the header row: missing cells are empty.
    pub fn get<'a>(&self, row: &'a [String], key: &str) -> Option<&'a str> {
        let (index, _) = self.entry(key)?.found.as_ref()?;
        row.get(*index).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    /// Whether the file has the column `key`.
    pub fn has(&self, key: &str) -> bool {
        self.entry(key).is_some_and(|e| e.found.is_some())
    }

    /// The header of `key` as written in the file (for error reports); the canonical name when
    /// the file lacks the column, the key itself when no spec has it.
    pub fn header<'s>(&'s self, key: &'s str) -> &'s str {
        match self.entry(key) {
            Some(Entry {
                found: Some((_, h)),
                ..
            }) => h,
            Some(e) => e.canonical,
            None => key,
        }
    }
}

/// Half-width, no whitespace, Latin lower case, without the "required" decorations.
fn normalise_header(s: &str) -> String {
    let mut t: String = to_half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    loop {
        let before = t.len();
        for mark in ["(必填)", "(选填)", "(可选)", "*"] {
            if let Some(rest) = t.strip_suffix(mark) {
                t = rest.to_string();
            }
            if let Some(rest) = t.strip_prefix(mark) {
                t = rest.to_string();
            }
        }
        if t.len() == before {
            return t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec {
            key: "code",
            names: &["代码", "组织代码"],
            required: true,
        },
        ColumnSpec {
            key: "phone",
            names: &["联系电话", "Phone"],
            required: false,
        },
    ];

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn decorations_spaces_width_and_case_are_ignored() {
        let (map, unknown) = ColumnMap::map(
            &headers(&["ＰＨＯＮＥ", " 组织 代码（必填）*", "籍贯"]),
            SPECS,
        )
        .unwrap();
        let row = headers(&["13800000000", "KX01", "x"]);
        assert_eq!(map.get(&row, "code"), Some("KX01"));
        assert_eq!(map.get(&row, "phone"), Some("13800000000"));
        assert_eq!(map.header("code"), "组织 代码（必填）*");
        assert_eq!(unknown, vec!["籍贯".to_string()]);
    }

    #[test]
    fn missing_required_columns_are_named_canonically() {
        let err = ColumnMap::map(&headers(&["联系电话"]), SPECS).unwrap_err();
        assert_eq!(err, vec!["代码".to_string()]);
    }

    #[test]
    fn absent_columns_and_short_rows_read_as_none() {
        let (map, _) = ColumnMap::map(&headers(&["代码"]), SPECS).unwrap();
        assert_eq!(map.get(&headers(&["A"]), "phone"), None);
        assert_eq!(map.get(&[], "code"), None);
        assert_eq!(map.header("phone"), "联系电话");
    }
}
