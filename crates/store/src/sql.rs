//! A small builder for queries whose shape depends on the request (filters, scope), numbering
//! `$n` placeholders as it goes. Both SQLite and PostgreSQL read `$n`.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bytes(Option<Vec<u8>>),
}

#[derive(Debug, Default)]
pub(crate) struct Sql {
    text: String,
    values: Vec<Value>,
    /// Write `?` instead of `$n` (see `Sql::bulk`).
    anonymous: bool,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            values: Vec::new(),
            anonymous: false,
        }
    }

    /// A statement with many placeholders (multi-row inserts, long `in` lists). SQLite looks a
    /// numbered placeholder's name up by walking the list of names, so binding n of them costs
    /// n²; anonymous `?` placeholders have no names and bind in constant time. Only `bind` may
    /// add placeholders to such a statement: they are numbered by position.
    pub fn bulk(backend: crate::Backend, text: &str) -> Sql {
        Sql {
            anonymous: backend == crate::Backend::Sqlite,
            ..Sql::new(text)
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.values.push(value);
        if self.anonymous {
            self.text.push('?');
        } else {
            self.text.push('$');
            self.text.push_str(&self.values.len().to_string());
        }
        self
    }

    pub fn bind_int(&mut self, v: i64) -> &mut Self {
        self.bind(Value::Int(v))
    }

    pub fn bind_text(&mut self, v: impl Into<String>) -> &mut Self {
        self.bind(Value::Text(v.into()))
    }

    /// `v1, v2, …`, each bound: the inside of an `in (…)`.
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = Value>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    /// `bind_list` of ids.
    pub fn bind_ints(&mut self, ids: &[i64]) -> &mut Self {
        self.bind_list(ids.iter().map(|id| Value::Int(*id)))
    }

    #[cfg(test)]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The query and its values as one string: a key for remembering its result.
    pub fn cache_key(&self) -> String {
        format!("{}\u{1f}{:?}", self.text, self.values)
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        bind_all(sqlx::query(&self.text), &self.values)
    }

    /// The query with the values moved into it rather than copied (bulk inserts bind a
    /// million values); the builder is left without values.
    pub fn take_query(&mut self) -> Query<'_, Any, AnyArguments<'_>> {
        std::mem::take(&mut self.values)
            .into_iter()
            .fold(sqlx::query(&self.text), |q, v| v.bind_to(q))
    }
}

impl Value {
    /// Binds this value to the query's next placeholder.
    fn bind_to<'q>(self, q: Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>> {
        match self {
            Value::Int(i) => q.bind(i),
            Value::OptInt(i) => q.bind(i),
            Value::Text(s) => q.bind(s),
            Value::OptText(s) => q.bind(s),
            Value::Bytes(b) => q.bind(b),
        }
    }
}

pub(crate) fn bind_all<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    values: &[Value],
) -> Query<'q, Any, AnyArguments<'q>> {
    values.iter().cloned().fold(q, |q, v| v.bind_to(q))
}

/// The half-open range of materialised paths under `path` ("/1/7/" → ["/1/7/", "/1/70")): '0'
/// follows '/' in every collation we use ("C" on PostgreSQL, binary on SQLite), so the range holds
/// exactly the paths that start with `path`, and an index serves it.
pub(crate) fn subtree_range(path: &str) -> (String, String) {
    let end = format!("{}0", &path[..path.len().saturating_sub(1)]);
    (path.to_string(), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_statements_use_anonymous_placeholders_on_sqlite_only() {
        let mut q = Sql::bulk(crate::Backend::Sqlite, "insert into t values (");
        q.bind_int(1).push(", ").bind_text("x").push(")");
        assert_eq!(q.text(), "insert into t values (?, ?)");
        let mut q = Sql::bulk(crate::Backend::Postgres, "insert into t values (");
        q.bind_int(1).push(", ").bind_text("x").push(")");
        assert_eq!(q.text(), "insert into t values ($1, $2)");
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut q = Sql::new("select * from org where a = ");
        q.bind_int(1).push(" and b = ").bind_text("x");
        assert_eq!(q.text(), "select * from org where a = $1 and b = $2");
    }

    #[test]
    fn subtree_range_holds_descendants_and_not_neighbours() {
        let (lo, hi) = subtree_range("/1/5/");
        for inside in ["/1/5/", "/1/5/9/", "/1/5/99/3/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/1/50/", "/1/6/", "/1/", "/1/4/9/"] {
            assert!(
                !(outside >= lo.as_str() && outside < hi.as_str()),
                "{outside}"
            );
        }
    }
}
