//! Row counts and hashes per table, computed the same way before a backup and after a restore.
//!
//! A table's hash is the sum, modulo 2^256, of the SM3 digests (GB/T 32905) of its rows'
//! canonical texts: it does not depend on the order rows come back in, so neither a primary key
//! nor a sort is needed, and a table is read once, streaming. The canonical text of a row is, on
//! SQLite, its columns in declaration order through `quote()` (exact for every storage class,
//! blobs in hex) joined by U+001F; on PostgreSQL, its line in `pg_dump`'s `COPY` data (the
//! server's text output of each column). Either is recomputed alike on the same backend, so a
//! restore proves itself by giving the same figures.

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};
use sqlx::{AnyConnection, Row};

use crate::StoreResult;

/// Names the hashing scheme in the manifest, so that a later one can be told apart.
pub const SCHEME: &str = "sm3-sum-v1";

/// One table's figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableDigest {
    pub name: String,
    pub rows: u64,
    /// Hex, 32 bytes.
    pub hash: String,
}

/// A running count and hash of rows.
#[derive(Debug, Default, Clone)]
pub struct RowSum {
    rows: u64,
    /// Little-endian 64-bit limbs of a 256-bit number.
    sum: [u64; 4],
}

impl RowSum {
    pub fn add(&mut self, row: &[u8]) {
        let digest = Sm3::digest(row);
        let mut carry = 0u64;
        for (i, limb) in self.sum.iter_mut().enumerate() {
            let start = 24 - 8 * i;
            let part = u64::from_be_bytes(digest[start..start + 8].try_into().expect("8 bytes"));
            let (a, c1) = limb.overflowing_add(part);
            let (b, c2) = a.overflowing_add(carry);
            *limb = b;
            carry = u64::from(c1) + u64::from(c2);
        }
        self.rows += 1;
    }

    pub fn finish(&self, name: &str) -> TableDigest {
        let mut bytes = Vec::with_capacity(32);
        for limb in self.sum.iter().rev() {
            bytes.extend_from_slice(&limb.to_be_bytes());
        }
        TableDigest {
            name: name.to_string(),
            rows: self.rows,
            hash: hex::encode(bytes),
        }
    }
}

/// `"name"`, with embedded quotes doubled.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table of a SQLite database, by name.
pub async fn sqlite_tables(conn: &mut AnyConnection) -> StoreResult<Vec<TableDigest>> {
    let names: Vec<String> =
        sqlx::query("select name from sqlite_master where type = 'table' order by name")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("name"))
            .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let columns: Vec<String> =
            sqlx::query("select name from pragma_table_info($1) order by cid")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get("name"))
                .collect::<Result<_, _>>()?;
        let mut sum = RowSum::default();
        if !columns.is_empty() {
            let text = columns
                .iter()
                .map(|c| format!("quote({})", ident(c)))
                .collect::<Vec<_>>()
                .join(" || char(31) || ");
            let sql = format!("select {text} as r from {}", ident(&name));
            let mut rows = sqlx::query(&sql).fetch(&mut *conn);
            while let Some(row) = rows.try_next().await? {
                let text: String = row.try_get("r")?;
                sum.add(text.as_bytes());
            }
        }
        out.push(sum.finish(&name));
    }
    Ok(out)
}

/// Reads plain-format `pg_dump` output as it streams past and sums each `COPY` block's lines.
#[derive(Debug, Default)]
pub struct DumpDigest {
    line: Vec<u8>,
    current: Option<(String, RowSum)>,
    tables: Vec<TableDigest>,
}

impl DumpDigest {
    pub fn feed(&mut self, mut data: &[u8]) {
        while let Some(end) = data.iter().position(|b| *b == b'\n') {
            self.line.extend_from_slice(&data[..end]);
            let line = std::mem::take(&mut self.line);
            self.on_line(&line);
            data = &data[end + 1..];
        }
        self.line.extend_from_slice(data);
    }

    fn on_line(&mut self, line: &[u8]) {
        match &mut self.current {
            Some((name, sum)) => {
                if line == b"\\." {
                    self.tables.push(sum.finish(name));
                    self.current = None;
                } else {
                    sum.add(line);
                }
            }
            None => {
                // COPY public.person (person_id, name, …) FROM stdin;
                if let Some(rest) = line.strip_prefix(b"COPY ") {
                    if line.ends_with(b" FROM stdin;") {
                        let name = String::from_utf8_lossy(qualified_name(rest)).into_owned();
                        self.current = Some((name, RowSum::default()));
                    }
                }
            }
        }
    }

    /// The tables, by name; `None` if the dump stopped inside a `COPY` block.
    pub fn finish(mut self) -> Option<Vec<TableDigest>> {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.on_line(&line);
        }
        if self.current.is_some() {
            return None;
        }
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        Some(self.tables)
    }
}

/// The leading `schema.table` of `rest`, each part plain or in double quotes (`""` inside).
fn qualified_name(rest: &[u8]) -> &[u8] {
    let mut i = 0;
    loop {
        if rest.get(i) == Some(&b'"') {
            i += 1;
            while i < rest.len() {
                if rest[i] == b'"' {
                    if rest.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        } else {
            while i < rest.len() && rest[i] != b'.' && rest[i] != b' ' {
                i += 1;
            }
        }
        if rest.get(i) == Some(&b'.') {
            i += 1;
        } else {
            return &rest[..i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_hash_ignores_row_order_but_not_content_or_repeats() {
        let mut a = RowSum::default();
        let mut b = RowSum::default();
        for row in ["1\tx", "2\ty", "3\tz"] {
            a.add(row.as_bytes());
        }
        for row in ["3\tz", "1\tx", "2\ty"] {
            b.add(row.as_bytes());
        }
        assert_eq!(a.finish("t"), b.finish("t"));
        let mut c = b.clone();
        c.add(b"1\tx");
        assert_ne!(a.finish("t").hash, c.finish("t").hash);
        let mut d = RowSum::default();
        for row in ["1\tx", "2\ty", "3\tZ"] {
            d.add(row.as_bytes());
        }
        assert_ne!(a.finish("t").hash, d.finish("t").hash);
    }

    #[test]
    fn copy_blocks_of_a_dump_are_counted_whatever_the_chunking() {
        let dump = "SET x = 1;\nCOPY public.a (a_id, name) FROM stdin;\n1\tone\n2\ttwo\n\\.\n\n\
                    COPY public.\"b c\" (x) FROM stdin;\n\\.\nSELECT 1;\n";
        let whole = {
            let mut d = DumpDigest::default();
            d.feed(dump.as_bytes());
            d.finish().unwrap()
        };
        assert_eq!(whole.len(), 2);
        assert_eq!(
            (whole[0].name.as_str(), whole[0].rows),
            ("public.\"b c\"", 0)
        );
        assert_eq!((whole[1].name.as_str(), whole[1].rows), ("public.a", 2));
        for size in 1..7 {
            let mut d = DumpDigest::default();
            for piece in dump.as_bytes().chunks(size) {
                d.feed(piece);
            }
            assert_eq!(d.finish().unwrap(), whole, "pieces of {size}");
        }
        let mut cut = DumpDigest::default();
        cut.feed(b"COPY public.a (a_id) FROM stdin;\n1\n");
        assert!(cut.finish().is_none());
    }
}
