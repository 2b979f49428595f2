//! Checking a people sheet row by row: each row's cells against the column rules and the rows
//! before it (the same ID number, or name and mobile, twice in one file).

use foldhash::HashMap;
use foldhash::HashMapExt;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;
use kexie_domain::email::Email;
use kexie_domain::id_number::{Gender, IdNumber};
use kexie_domain::phone::Mobile;

use crate::cells::{collapse_spaces, parse_bool_zh, parse_date, CellError};
use crate::columns::ColumnMap;
use crate::error::OfficeError;
use crate::persons::{title, PersonRow, PERSON_COLUMNS};
use crate::report::ImportReport;
use crate::row_check::{filled, map_columns};
use crate::sheet::{Sheet, SheetStream};

/// Validates every row of a people sheet; `today` bounds birth dates. Returns the valid rows
/// and the report.
pub fn parse_person_sheet(sheet: Sheet, today: NaiveDate) -> (Vec<PersonRow>, ImportReport) {
    let checked = PersonRows::new(sheet, today);
    let report = checked.report();
    // A sheet in memory has been read whole: no row is unreadable.
    let valid: Vec<PersonRow> = checked.filter_map(|r| r.ok().flatten()).collect();
    (valid, report.take())
}

/// The report rows are checked into, shared with whoever reads it once they are all taken
/// (the rows are taken on another thread while an import writes them).
#[derive(Clone, Default)]
pub struct SharedReport(Arc<Mutex<ImportReport>>);

impl SharedReport {
    fn lock(&self) -> MutexGuard<'_, ImportReport> {
        // A checker that panicked left a report as far as it got: still the best account.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The report as it stands, taken out.
    pub fn take(&self) -> ImportReport {
        std::mem::take(&mut *self.lock())
    }
}

/// The rows whose ID numbers the table of numbers seen is sized for at the start.
const SEEN_SIZED_UP_TO: usize = 1_000_000;

/// The rows of a people sheet, checked one at a time as an import consumes them: each filled
/// row comes out as `Some(valid row)` or `None` (its errors are in the report). The sheet's
/// cells are freed as its rows are checked, so a million-row file is never held twice. Rows read
/// from a [`SheetStream`] are checked while the file is still being read; a file that turns
/// out unreadable further down gives one `Err` and ends.
pub struct PersonRows {
    rows: Box<dyn Iterator<Item = Result<Vec<String>, OfficeError>> + Send>,
    /// Index of the next row below the header (0 is spreadsheet row 2).
    index: usize,
    /// The rows the file says it has below the header.
    expected_rows: usize,
    map: Option<ColumnMap>,
    today: NaiveDate,
    seen_id: HashMap<[u8; 18], usize>,
    /// Name and mobile, joined by a NUL.
    seen_mobile: HashMap<String, usize>,
    report: SharedReport,
}

impl PersonRows {
    pub fn new(sheet: Sheet, today: NaiveDate) -> PersonRows {
        let expected_rows = sheet.rows.len();
        let rows = Box::new(sheet.rows.into_iter().map(Ok));
        PersonRows::over(sheet.headers, rows, expected_rows, today)
    }

    /// The rows of a sheet being read.
    pub fn streamed(mut stream: SheetStream, today: NaiveDate) -> PersonRows {
        let headers = std::mem::take(&mut stream.headers);
        let expected_rows = stream.expected_rows;
        PersonRows::over(headers, Box::new(stream), expected_rows, today)
    }

    fn over(
        headers: Vec<String>,
        rows: Box<dyn Iterator<Item = Result<Vec<String>, OfficeError>> + Send>,
        expected_rows: usize,
        today: NaiveDate,
    ) -> PersonRows {
        let header_sheet = Sheet {
            headers,
            rows: Vec::new(),
        };
        let (map, report) = match map_columns(&header_sheet, PERSON_COLUMNS) {
            Ok((map, report)) => (Some(map), report),
            // A missing required column: the report says so and no row is read.
            Err(report) => (None, report),
        };
        PersonRows {
            rows,
            index: 0,
            expected_rows,
            map,
            today,
            // Sized for the rows the file declares (up to a bound: the declaration is the
            // file's word), so that a million rows do not move the table as it grows.
            seen_id: HashMap::with_capacity(expected_rows.min(SEEN_SIZED_UP_TO)),
            seen_mobile: HashMap::new(),
            report: SharedReport(Arc::new(Mutex::new(report))),
        }
    }

    /// The rows the file says it has below its header (blank ones included): for progress.
    pub fn expected_rows(&self) -> usize {
        self.expected_rows
    }

    /// Whether the rows can be read at all: false when a required column is missing (the report
    /// says which), and then no row comes out.
    pub fn readable(&self) -> bool {
        self.map.is_some()
    }

    /// The report the rows are checked into: complete once the rows have all been taken.
    pub fn report(&self) -> SharedReport {
        self.report.clone()
    }

    /// Checks one filled row: the valid row, or `None` with its errors reported.
    fn check(&mut self, row: usize, cells: &[String]) -> Option<PersonRow> {
        let map = self.map.as_ref()?;
        let today = self.today;
        let seen_id = &mut self.seen_id;
        let seen_mobile = &mut self.seen_mobile;
        let mut errors: Vec<(&str, CellError)> = Vec::new();
        let get = |key: &str| map.get(cells, key);
        let text = |key: &str| get(key).map(collapse_spaces);
        let name = text("name");
        if name.is_none() {
            errors.push(("name", CellError::new("required", "“姓名”不能为空")));
        }
        let id = get("id_number").and_then(|v| match IdNumber::parse(v, today) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(("id_number", CellError::new(e.code(), e.to_string())));
                None
            }
        });
        let mobile = get("mobile").and_then(|v| match Mobile::parse(v) {
            Ok(m) => Some(m.as_str().to_string()),
            Err(e) => {
                errors.push(("mobile", CellError::new(e.code(), e.to_string())));
                None
            }
        });
        if get("id_number").is_none() && get("mobile").is_none() {
            errors.push((
                "id_number",
                CellError::new("required", "身份证号和手机号至少填写一项，用以识别本人"),
            ));
        }
        let mut birth = get("birth_date").and_then(|v| {
            parse_date(v)
                .map_err(|e| errors.push(("birth_date", e)))
                .ok()
        });
        if let (Some(id), Some(b)) = (&id, birth) {
            if let Err(e) = id.check_birth_date(b) {
                errors.push(("birth_date", CellError::new(e.code(), e.to_string())));
            }
        }
        birth = birth.or_else(|| id.as_ref().map(|i| i.birth_date()));
        let gender = match get("gender") {
            Some(v) => match Gender::parse(v) {
                Ok(g) => Some(g),
                Err(e) => {
                    errors.push(("gender", CellError::new("enum.value", e.to_string())));
                    None
                }
            },
            None => id.as_ref().map(|i| i.gender()),
        };
        let email = get("email").and_then(|v| match Email::parse(v) {
            Ok(e) => Some(e.as_str().to_string()),
            Err(e) => {
                errors.push(("email", CellError::new(e.code(), e.to_string())));
                None
            }
        });
        let title = get("title").and_then(|v| title(v).map_err(|e| errors.push(("title", e))).ok());
        let grassroots = get("grassroots")
            .map(|v| {
                parse_bool_zh(v)
                    .map_err(|e| errors.push(("grassroots", e)))
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        let joined =
            get("joined").and_then(|v| parse_date(v).map_err(|e| errors.push(("joined", e))).ok());
        // The same person twice in one file: same ID number, or same name and mobile.
        if let Some(id) = &id {
            let key = id.to_bytes();
            match seen_id.get(&key) {
                Some(first) => errors.push((
                    "id_number",
                    CellError::new(
                        "duplicate.in_file",
                        format!("与第 {first} 行的身份证号相同"),
                    ),
                )),
                None => {
                    seen_id.insert(key, row);
                }
            }
        } else if let (Some(n), Some(m)) = (&name, &mobile) {
            let key = format!("{n}\0{m}");
            match seen_mobile.get(&key) {
                Some(first) => errors.push((
                    "mobile",
                    CellError::new(
                        "duplicate.in_file",
                        format!("与第 {first} 行的姓名和手机号相同"),
                    ),
                )),
                None => {
                    seen_mobile.insert(key, row);
                }
            }
        }
        if errors.is_empty() {
            return Some(PersonRow {
                row,
                name: name.unwrap_or_default(),
                gender,
                id_number: id.map(|i| i.as_str().to_string()),
                birth_date: birth,
                ethnicity: text("ethnicity"),
                mobile,
                email,
                employer: text("employer"),
                department: text("department"),
                post: text("post"),
                title,
                education: text("education"),
                degree: text("degree"),
                discipline: text("discipline"),
                political_status: text("political_status"),
                grassroots,
                member_type: text("member_type"),
                member_number: text("member_number"),
                joined,
            });
        }
        let mut report = self.report.lock();
        for (key, e) in errors {
            report.push_error(row, map.header(key).to_string(), e.code, e.message);
        }
        None
    }
}

impl Iterator for PersonRows {
    /// A checked row (`None`: refused, its errors in the report), or why the file could not be
    /// read further (then nothing more comes).
    type Item = Result<Option<PersonRow>, OfficeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.map.as_ref()?;
        while let Some(cells) = self.rows.next() {
            let index = self.index;
            self.index += 1;
            let cells = match cells {
                Ok(cells) => cells,
                Err(e) => {
                    self.map = None;
                    return Some(Err(e));
                }
            };
            if !filled(&cells) {
                continue;
            }
            let row = Sheet::row_number(index);
            let checked = self.check(row, &cells);
            let mut report = self.report.lock();
            report.rows += 1;
            report.valid += usize::from(checked.is_some());
            return Some(Ok(checked));
        }
        None
    }

    /// At most one item per sheet row (blank rows give none).
    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.map.is_none() {
            return (0, Some(0));
        }
        (0, self.rows.size_hint().1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        Sheet::from_cells(headers, rows)
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn every_error_names_its_row_column_and_code() {
        let s = sheet(
            &[
                "手机号码",
                "姓名",
                "公民身份号码",
                "电子邮箱",
                "出生日期",
                "职称",
                "是否基层一线",
                "籍贯",
            ],
            &[
                &[
                    "13812345678",
                    "林晓",
                    "230102198503120029",
                    "lx@example.cn",
                    "1985-03-12",
                    "中级",
                    "是",
                    "黑龙江",
                ],
                &["", "", "230102198503120021", "bad-mail", "", "", "", ""],
                &["1381234567", "王五", "", "", "", "教授", "否", ""],
                &[
                    "",
                    "赵六",
                    "230102198503120029",
                    "",
                    "1986-01-01",
                    "大师",
                    "也许",
                    "",
                ],
                &["", "孙七", "", "", "", "", "", ""],
                &["１３９ １２３４ ５６７８", "周八", "", "", "", "", "", ""],
            ],
        );
        let (rows, report) = parse_person_sheet(s, today());
        let got: Vec<(usize, &str, &str)> = report
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "姓名", "required"),
                (3, "公民身份号码", "id_number.checksum"),
                (3, "电子邮箱", "email.format"),
                (4, "手机号码", "phone.format"),
                (5, "出生日期", "id_number.birth_date"),
                (5, "职称", "enum.value"),
                (5, "是否基层一线", "enum.value"),
                (5, "公民身份号码", "duplicate.in_file"),
                (6, "公民身份号码", "required"),
            ]
        );
        assert_eq!(report.unknown_columns, ["籍贯"]);
        assert_eq!((report.rows, report.valid), (6, 2));
        assert_eq!(rows[0].gender, Some(Gender::Female));
        assert!(rows[0].grassroots);
        // Full-width digits and stray spaces are normalised, not rejected.
        assert_eq!(rows[1].mobile.as_deref(), Some("13912345678"));
    }

    #[test]
    fn the_birth_date_and_gender_come_from_the_id_number_when_missing() {
        let s = sheet(&["姓名", "身份证号"], &[&["林晓", "230102198503120037"]]);
        let (rows, report) = parse_person_sheet(s, today());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(rows[0].birth_date, NaiveDate::from_ymd_opt(1985, 3, 12));
        assert_eq!(rows[0].gender, Some(Gender::Male));
    }
}
