//! The one translation mechanism: every user-facing text of the pages is a key looked up here.
//! Simplified Chinese is the default; English is selectable (cookie `lang`, or the browser's
//! `Accept-Language` when it asks for English first).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

const ZH_CN: &str = include_str!("../locales/zh-CN.toml");
const EN: &str = include_str!("../locales/en.toml");

type Catalog = HashMap<String, String>;

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalog) {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, format!("{other:?}"));
            }
        }
    }
}

fn load(text: &str) -> Catalog {
    let table: toml::Table = text.parse().expect("locale files are valid TOML (tested)");
    let mut out = Catalog::new();
    flatten("", &table, &mut out);
    out
}

static CATALOGS: LazyLock<[Catalog; 2]> = LazyLock::new(|| [load(ZH_CN), load(EN)]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// The text for `key`; falls back to Chinese, then to the key itself (tests make sure every
    /// key used exists in both catalogues).
    pub fn t(&self, key: &str) -> &'static str {
        let catalogs: &'static [Catalog; 2] = &CATALOGS;
        let own = &catalogs[*self as usize];
        own.get(key)
            .or_else(|| catalogs[0].get(key))
            .map(String::as_str)
            .unwrap_or_else(|| {
                tracing::warn!(key, "missing translation");
                "?"
            })
    }

    /// The name of an organisation kind ("kexie" → 科协).
    pub fn kind(&self, code: &str) -> &'static str {
        self.t(&format!("kind.{code}"))
    }

    /// The name of an organisation status.
    pub fn status(&self, code: &str) -> &'static str {
        self.t(&format!("status.{code}"))
    }

    /// The name of a division level (1 province … 5 village).
    pub fn level(&self, level: &i64) -> &'static str {
        self.t(&format!("level.{level}"))
    }

    pub fn gender(&self, code: &Option<String>) -> &'static str {
        match code.as_deref() {
            Some("male") => self.t("person.male"),
            Some("female") => self.t("person.female"),
            _ => "",
        }
    }
}

impl Lang {
    /// The language a request asks for: the `lang` cookie, else the browser's first choice if it
    /// is English, else Chinese.
    pub fn from_request_parts_sync(parts: &Parts) -> Lang {
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        let from_browser = || {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|first| first.split(';').next())
                .filter(|l| l.trim().to_ascii_lowercase().starts_with("en"))
                .map(|_| Lang::En)
        };
        from_cookie.or_else(from_browser).unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Infallible> {
        Ok(Lang::from_request_parts_sync(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let [zh, en] = &*CATALOGS;
        let mut missing: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !zh.contains_key(*k)));
        assert!(
            missing.is_empty(),
            "keys in one catalogue only: {missing:?}"
        );
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let [zh, _] = &*CATALOGS;
        let mut used = Vec::new();
        for dir in [
            "templates/layouts",
            "templates/pages",
            "templates/components",
            "src",
            "src/pages",
            "src/api",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                for part in text.split(".t(\"").skip(1) {
                    if let Some(key) = part.split('"').next() {
                        used.push(key.to_string());
                    }
                }
            }
        }
        assert!(used.len() > 20, "found {} keys", used.len());
        let missing: Vec<_> = used.iter().filter(|k| !zh.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "keys without a translation: {missing:?}"
        );
    }

    #[test]
    fn every_org_kind_and_status_has_a_name() {
        for kind in kexie_domain::org::OrgKind::ALL {
            assert_ne!(Lang::ZhCn.kind(kind.code()), "?");
            assert_ne!(Lang::En.kind(kind.code()), "?");
        }
        for status in ["active", "dormant", "dissolved"] {
            assert_ne!(Lang::En.status(status), "?");
        }
    }
}
