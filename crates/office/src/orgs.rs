//! The organisation sheet: one organisation per row, validated with the domain's parsers.

use std::collections::HashMap;

use chrono::NaiveDate;
use kexie_domain::credit_code::CreditCode;
use kexie_domain::division::DivisionCode;
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_domain::text::{normalise_code, to_half_width};
use serde::{Deserialize, Serialize};

use crate::cells::{collapse_spaces, parse_date, CellError};
use crate::columns::ColumnSpec;
use crate::org_order;
use crate::phone::parse_phone;
use crate::report::ImportReport;
use crate::row_check::{filled_rows, map_columns, RowCheck};
use crate::sheet::Sheet;

const fn col(key: &'static str, names: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec {
        key,
        names,
        required,
    }
}

/// The columns of the organisation sheet, in the canonical order of the template.
pub const ORG_COLUMNS: &[ColumnSpec] = &[
    col(
        "code",
        &["代码", "组织代码", "机构代码", "编码", "code"],
        true,
    ),
    col(
        "name",
        &["名称", "组织名称", "机构名称", "单位名称", "name"],
        true,
    ),
    col("short_name", &["简称", "short_name"], false),
    col(
        "kind",
        &["类型", "组织类型", "机构类型", "kind", "type"],
        false,
    ),
    col(
        "parent_code",
        &[
            "上级代码",
            "上级组织代码",
            "上级机构代码",
            "上级单位代码",
            "上级",
            "parent_code",
            "parent",
        ],
        false,
    ),
    col(
        "division_code",
        &[
            "区划代码",
            "行政区划代码",
            "统计用区划代码",
            "division_code",
        ],
        false,
    ),
    col(
        "credit_code",
        &[
            "统一社会信用代码",
            "社会信用代码",
            "信用代码",
            "credit_code",
        ],
        false,
    ),
    col(
        "established",
        &["成立日期", "成立时间", "established"],
        false,
    ),
    col("status", &["状态", "status"], false),
    col(
        "address",
        &["地址", "办公地址", "通讯地址", "详细地址", "address"],
        false,
    ),
    col(
        "contact_name",
        &["联系人", "contact_name", "contact"],
        false,
    ),
    col(
        "contact_phone",
        &["联系电话", "电话", "联系方式", "contact_phone", "phone"],
        false,
    ),
    col("notes", &["备注", "说明", "notes", "remark"], false),
];

/// One valid row of the organisation sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRow {
    /// Spreadsheet row number.
    pub row: usize,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    /// The parent's code; `None` for a root or when the store infers the parent from the
    /// division.
    pub parent_code: Option<String>,
    /// All 12 digits.
    pub division_code: Option<String>,
    pub credit_code: Option<String>,
    pub established: Option<NaiveDate>,
    pub status: OrgStatus,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

impl OrgRow {
    /// The row as cells in the order of [`crate::ORG_HEADERS`], for exports.
    pub fn to_cells(&self) -> Vec<String> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.code.clone(),
            self.name.clone(),
            opt(&self.short_name),
            self.kind.zh_name().to_string(),
            opt(&self.parent_code),
            opt(&self.division_code),
            opt(&self.credit_code),
            self.established
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            self.status.zh_name().to_string(),
            opt(&self.address),
            opt(&self.contact_name),
            opt(&self.contact_phone),
            opt(&self.notes),
        ]
    }
}

/// Validates every row of an organisation sheet. Returns the valid rows, parents defined in the
/// file before their children, and the report with every problem found. Parents not in the file
/// are left for the store to resolve.
pub fn parse_org_sheet(sheet: &Sheet) -> (Vec<OrgRow>, ImportReport) {
    let (map, mut report) = match map_columns(sheet, ORG_COLUMNS) {
        Ok(mapped) => mapped,
        Err(report) => return (Vec::new(), report),
    };
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    let mut candidates = Vec::new();
    for (number, cells) in filled_rows(sheet, &mut report) {
        let mut row = RowCheck::new(number, cells, &map, &mut report);
        let org = row.org();
        // A code seen before makes this row (not the first) a duplicate, valid or not.
        if let Some(code) = org
            .as_ref()
            .map(|o| o.code.clone())
            .or_else(|| row.code_only())
        {
            if let Some(&first) = first_row_of.get(&code) {
                let message = format!("代码“{code}”与第 {first} 行重复");
                row.fail("code", CellError::new("duplicate.in_file", message));
            } else {
                first_row_of.insert(code, row.row);
            }
        }
        if let (true, Some(org)) = (row.ok, org) {
            candidates.push(org);
        }
    }
    let ordered = org_order::parents_first(candidates, map.header("parent_code"), &mut report);
    report.valid = ordered.len();
    (ordered, report)
}

/// The organisation sheet's checks of one row.
impl RowCheck<'_> {
    /// Parses an optional cell; a parse error is reported and the value dropped.
    fn opt<T>(&mut self, key: &str, parse: impl FnOnce(&str) -> Result<T, CellError>) -> Option<T> {
        let value = self.get(key)?;
        parse(value).map_err(|e| self.fail(key, e)).ok()
    }

    /// A free-text cell, with runs of spaces (ideographic and no-break ones included) made
    /// one plain space: stray spaces from copying are not part of a name.
    fn text(&mut self, key: &str, max_chars: usize) -> Option<String> {
        self.opt(key, |v| {
            let tidy = collapse_spaces(v);
            if tidy.chars().count() > max_chars {
                let message = format!("不能超过 {max_chars} 个字");
                Err(CellError::new("field.too_long", message))
            } else {
                Ok(tidy)
            }
        })
    }

    fn required(&mut self, key: &str, value: Option<String>) -> Option<String> {
        if value.is_none() && self.get(key).is_none() {
            let message = format!("“{}”不能为空", self.map.header(key));
            self.fail(key, CellError::new("field.required", message));
        }
        value
    }

    fn code_only(&self) -> Option<String> {
        self.get("code").and_then(|v| parse_code(v).ok())
    }

    fn org(&mut self) -> Option<OrgRow> {
        let code = self.opt("code", parse_code);
        let code = self.required("code", code);
        let name = self.text("name", 200);
        let name = self.required("name", name);
        let short_name = self.text("short_name", 50);
        let kind = self.opt("kind", parse_kind).unwrap_or(OrgKind::Other);
        let mut parent_code = self.opt("parent_code", parse_code);
        if parent_code.is_some() && parent_code == code {
            let message = "上级代码不能是本组织自己的代码";
            self.fail("parent_code", CellError::new("parent.cycle", message));
            parent_code = None;
        }
        let division_code = self.opt("division_code", |v| {
            DivisionCode::parse(v)
                .map(|d| d.as_str().to_string())
                .map_err(|e| CellError::new(e.code(), e.to_string()))
        });
        let credit_code = self.opt("credit_code", |v| {
            CreditCode::parse(v)
                .map(|c| c.as_str().to_string())
                .map_err(|e| CellError::new(e.code(), e.to_string()))
        });
        let established = self.opt("established", parse_date);
        let status = self
            .opt("status", parse_status)
            .unwrap_or(OrgStatus::Active);
        let address = self.text("address", 300);
        let contact_name = self.text("contact_name", 50);
        let contact_phone = self.opt("contact_phone", parse_phone);
        let notes = self.text("notes", 1000);
        Some(OrgRow {
            row: self.row,
            code: code?,
            name: name?,
            short_name,
            kind,
            parent_code,
            division_code,
            credit_code,
            established,
            status,
            address,
            contact_name,
            contact_phone,
            notes,
        })
    }
}

/// Organisation codes are identifiers: ASCII letters, digits and `-_.`, at most 64, compared in
/// upper case after full-width forms and spaces are normalised.
fn parse_code(value: &str) -> Result<String, CellError> {
    let code = normalise_code(value);
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(code)
    } else {
        Err(CellError::new(
            "code.format",
            format!(
                "“{}”不是有效代码：只能由字母、数字和 - _ . 组成，不超过 64 位",
                value.trim()
            ),
        ))
    }
}

fn parse_kind(value: &str) -> Result<OrgKind, CellError> {
    let v = to_half_width(value).trim().to_ascii_lowercase();
    OrgKind::parse(&v).ok_or_else(|| {
        CellError::new(
            "enum.value",
            format!(
                "“{}”不是已知的组织类型，可填：科协、学会、企业科协、高校科协、农技协等",
                value.trim()
            ),
        )
    })
}

fn parse_status(value: &str) -> Result<OrgStatus, CellError> {
    let v = to_half_width(value).trim().to_ascii_lowercase();
    OrgStatus::parse(&v)
        .or(match v.as_str() {
            "活跃" | "存续" | "在用" => Some(OrgStatus::Active),
            "停止" | "休眠" | "暂停活动" => Some(OrgStatus::Dormant),
            "撤销" | "注销" => Some(OrgStatus::Dissolved),
            _ => None,
        })
        .ok_or_else(|| {
            CellError::new(
                "enum.value",
                format!(
                    "“{}”不是有效状态，应为 正常、停止活动 或 已撤销",
                    value.trim()
                ),
            )
        })
}
