//! A small builder for queries whose shape depends on the request (filters, scope), numbering
//! `$n` placeholders as it goes. Both SQLite and PostgreSQL read `$n`.

use std::borrow::Cow;

use sqlx::any::{AnyArguments, AnyTypeInfo, AnyTypeInfoKind};
use sqlx::encode::{Encode, IsNull};
use sqlx::error::BoxDynError;
use sqlx::query::Query;
use sqlx::{Any, Type};
use sqlx_core::any::{AnyArgumentBuffer, AnyValueKind};

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

    /// `row` with each `?` a placeholder bound, in order, to the next of `values`: a row of a
    /// multi-row insert whose constants are written in its text. On SQLite (anonymous
    /// placeholders) the template is written whole, not a placeholder at a time: a million-row
    /// import writes it a million times.
    pub fn push_row(&mut self, row: &str, values: impl IntoIterator<Item = Value>) -> &mut Self {
        let before = self.values.len();
        if self.anonymous {
            self.text.push_str(row);
            self.values.extend(values);
        } else {
            let mut values = values.into_iter();
            for (i, part) in row.split('?').enumerate() {
                if i > 0 {
                    if let Some(value) = values.next() {
                        self.bind(value);
                    }
                }
                self.text.push_str(part);
            }
        }
        debug_assert_eq!(
            row.matches('?').count(),
            self.values.len() - before,
            "{row}"
        );
        self
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
            .fold(sqlx::query(&self.text), |q, v| q.bind(v))
    }
}

/// A value is moved into the query's arguments. sqlx's own encoders for `String`, `Vec<u8>`
/// and any `Option` on the Any driver copy the value (they encode by reference), which cost a
/// copy of every text and blob of a million-row import. `AnyValueKind` is the Any driver's
/// argument value: public, but hidden from sqlx's documentation, so the version in Cargo.lock
/// is the one this is written against (`values_bind_on_both_databases` in the store's tests
/// binds every variant).
impl<'q> Encode<'q, Any> for Value {
    fn encode(self, buf: &mut AnyArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        let (value, null) = match self {
            Value::Int(i) | Value::OptInt(Some(i)) => (AnyValueKind::BigInt(i), IsNull::No),
            Value::Text(s) | Value::OptText(Some(s)) => {
                (AnyValueKind::Text(Cow::Owned(s)), IsNull::No)
            }
            Value::Bytes(Some(b)) => (AnyValueKind::Blob(Cow::Owned(b)), IsNull::No),
            Value::OptInt(None) => (AnyValueKind::Null(AnyTypeInfoKind::BigInt), IsNull::Yes),
            Value::OptText(None) => (AnyValueKind::Null(AnyTypeInfoKind::Text), IsNull::Yes),
            Value::Bytes(None) => (AnyValueKind::Null(AnyTypeInfoKind::Blob), IsNull::Yes),
        };
        buf.0.push(value);
        Ok(null)
    }

    fn encode_by_ref(&self, buf: &mut AnyArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        self.clone().encode(buf)
    }
}

/// Only the value's own kind matters to the Any driver; this is the type of a text.
impl Type<Any> for Value {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
}

pub(crate) fn bind_all<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    values: &[Value],
) -> Query<'q, Any, AnyArguments<'q>> {
    values.iter().cloned().fold(q, |q, v| q.bind(v))
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
    fn a_row_template_binds_its_placeholders_in_order_around_its_constants() {
        for (backend, expected) in [
            (crate::Backend::Sqlite, "values (?, 7, ?), (?, 7, ?)"),
            (crate::Backend::Postgres, "values ($1, 7, $2), ($3, 7, $4)"),
        ] {
            let row = || [Value::Int(1), Value::Text("x".into())];
            let mut q = Sql::bulk(backend, "values ");
            q.push_row("(?, 7, ?)", row())
                .push(", ")
                .push_row("(?, 7, ?)", row());
            assert_eq!(q.text(), expected);
            assert_eq!(q.values.len(), 4);
        }
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
