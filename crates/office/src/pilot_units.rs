//! The unit sheet of a pilot programme, as 附件2 of seeds/004 lays it out: 类别, 单位名称, 联系人,
//! 联系电话. A name cell may list several units ("惠山区科协、滨湖区科协"); each becomes a unit of
//! the row. A 类别 cell left empty takes the category of the row above, since a merged cell
//! spanning several rows reads as empty below its first row.

use serde::{Deserialize, Serialize};

use crate::cells::{collapse_spaces, CellError};
use crate::columns::ColumnSpec;
use crate::phone::parse_phone;
use crate::report::ImportReport;
use crate::row_check::{filled_rows, map_columns, RowCheck};
use crate::sheet::Sheet;

/// The columns of the unit sheet.
pub const PILOT_UNIT_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "category",
        names: &["类别", "试点类别", "类型", "category"],
        required: true,
    },
    ColumnSpec {
        key: "name",
        names: &[
            "单位名称",
            "试点单位",
            "科协组织名称",
            "组织名称",
            "名称",
            "name",
        ],
        required: true,
    },
    ColumnSpec {
        key: "contact_name",
        names: &["联系人", "contact_name", "contact"],
        required: false,
    },
    ColumnSpec {
        key: "contact_phone",
        names: &["联系电话", "电话", "联系方式", "contact_phone", "phone"],
        required: false,
    },
];

/// One unit of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotUnitRow {
    /// Spreadsheet row number.
    pub row: usize,
    pub category: String,
    pub name: String,
    pub contact_name: Option<String>,
    /// Normalised (`parse_phone`).
    pub contact_phone: Option<String>,
}

const MAX_NAME: usize = 200;

/// Validates every row of a unit sheet: the valid units and the report of every problem.
pub fn parse_pilot_unit_sheet(sheet: &Sheet) -> (Vec<PilotUnitRow>, ImportReport) {
    let (map, mut report) = match map_columns(sheet, PILOT_UNIT_COLUMNS) {
        Ok(mapped) => mapped,
        Err(report) => return (Vec::new(), report),
    };
    let mut units = Vec::new();
    let mut category_above: Option<String> = None;
    for (number, cells) in filled_rows(sheet, &mut report) {
        let mut row = RowCheck::new(number, cells, &map, &mut report);
        let category = match row.get("category").map(collapse_spaces) {
            Some(c) if c.chars().count() > MAX_NAME => {
                row.fail("category", too_long());
                None
            }
            Some(c) => Some(c),
            None => category_above.clone().or_else(|| {
                let message = format!("“{}”不能为空", row.map.header("category"));
                row.fail("category", CellError::new("field.required", message));
                None
            }),
        };
        category_above = category.clone();
        let names: Vec<String> = row
            .get("name")
            .map(|v| {
                v.split(['、', '，', ',', '；', ';', '\n'])
                    .map(collapse_spaces)
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if names.is_empty() {
            let message = format!("“{}”不能为空", row.map.header("name"));
            row.fail("name", CellError::new("field.required", message));
        } else if names.iter().any(|n| n.chars().count() > MAX_NAME) {
            row.fail("name", too_long());
        }
        let contact_name = row.get("contact_name").map(collapse_spaces);
        if contact_name
            .as_ref()
            .is_some_and(|c| c.chars().count() > 50)
        {
            row.fail(
                "contact_name",
                CellError::new("field.too_long", "不能超过 50 个字"),
            );
        }
        let contact_phone = match row.get("contact_phone").map(parse_phone) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                row.fail("contact_phone", e);
                None
            }
            None => None,
        };
        if !row.ok {
            continue;
        }
        let Some(category) = category else { continue };
        report.valid += 1;
        for name in names {
            units.push(PilotUnitRow {
                row: number,
                category: category.clone(),
                name,
                contact_name: contact_name.clone(),
                contact_phone: contact_phone.clone(),
            });
        }
    }
    (units, report)
}

fn too_long() -> CellError {
    CellError::new("field.too_long", format!("不能超过 {MAX_NAME} 个字"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        Sheet::from_cells(headers, rows)
    }

    #[test]
    fn the_documents_table_reads_with_several_units_per_cell() {
        let s = sheet(
            &["类别", "科协组织名称", "联系人", "联系电话"],
            &[
                &[
                    "县级科协试点",
                    "甲市科协",
                    "办公室 联系人甲",
                    "0510-81234567",
                ],
                &["区级科协试点", "乙区科协、丙区科协", "办公室 联系人甲", ""],
                &["", "丁区科协", "", "13800138000"],
            ],
        );
        let (units, report) = parse_pilot_unit_sheet(&s);
        assert!(report.is_clean(), "{report:?}");
        assert_eq!((report.rows, report.valid), (3, 3));
        let names: Vec<_> = units
            .iter()
            .map(|u| (u.row, u.category.as_str(), u.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (2, "县级科协试点", "甲市科协"),
                (3, "区级科协试点", "乙区科协"),
                (3, "区级科协试点", "丙区科协"),
                (4, "区级科协试点", "丁区科协"),
            ]
        );
        assert_eq!(units[1].contact_name.as_deref(), Some("办公室 联系人甲"));
        assert_eq!(units[3].contact_phone.as_deref(), Some("13800138000"));
    }

    #[test]
    fn every_problem_names_its_row_and_column_as_headed() {
        let s = sheet(
            &["试点类别", "单位名称", "联系电话"],
            &[&["", "甲单位", ""], &["企业科协", "", "12345"]],
        );
        let (units, report) = parse_pilot_unit_sheet(&s);
        assert!(units.is_empty());
        let errors: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (2, "试点类别", "field.required"),
                (3, "单位名称", "field.required"),
                (3, "联系电话", "phone.format"),
            ]
        );
        assert_eq!(report.valid, 0);
    }

    #[test]
    fn a_missing_required_column_is_reported_on_the_header_row() {
        let s = sheet(&["类别", "联系人"], &[&["企业科协", "某人"]]);
        let (units, report) = parse_pilot_unit_sheet(&s);
        assert!(units.is_empty());
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].row, 1);
        assert_eq!(report.errors[0].column, "单位名称");
        assert_eq!(report.errors[0].code, "column.missing");
    }
}
