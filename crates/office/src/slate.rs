//! The slate of a society's re-election (换届前置审核): one person per row, read into the domain's
//! `SlateMember`s for `check_slate`; and the review's findings written out as `.xlsx` and as a
//! Word (`.docx`) report.
//!
//! Columns, matched by header in any order: 姓名, 性别, 出生日期, 职务 (one or more positions
//! separated by 、), 是否基层一线, 政治面貌, 是否专职, 工作单位, 是否在职领导干部, 是否退休领导干部,
//! 产生方式 (optional: 理事会聘任 for a secretary-general nominated by the president and appointed
//! by the council, seeds/002 item 5).

use kexie_domain::governance::{
    is_party_member, AppointmentMethod, BodyFigures, Gender, Position, SlateMember, SlateReport,
};

use crate::cells::{parse_bool_zh, parse_date, CellError};
use crate::columns::ColumnSpec;
use crate::docx::Docx;
use crate::error::OfficeError;
use crate::report::ImportReport;
use crate::row_check::{filled_rows, map_columns, RowCheck};
use crate::sheet::Sheet;
use crate::xlsx_out::XlsxWriter;

const fn col(key: &'static str, names: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec {
        key,
        names,
        required,
    }
}

/// The columns of a slate.
pub const SLATE_COLUMNS: &[ColumnSpec] = &[
    col("name", &["姓名", "name"], true),
    col("gender", &["性别", "gender"], false),
    col("birth_date", &["出生日期", "出生年月", "birth_date"], false),
    col("positions", &["职务", "拟任职务", "positions"], true),
    col(
        "grassroots",
        &[
            "是否基层一线",
            "基层一线",
            "是否基层一线科技工作者",
            "grassroots",
        ],
        true,
    ),
    col("political_status", &["政治面貌", "political_status"], false),
    col("full_time", &["是否专职", "专职", "full_time"], false),
    col("employer", &["工作单位", "单位", "employer"], false),
    col(
        "serving_official",
        &["是否在职领导干部", "在职领导干部", "serving_official"],
        false,
    ),
    col(
        "retired_official",
        &[
            "是否退休领导干部",
            "是否退（离）休领导干部",
            "退休领导干部",
            "retired_official",
        ],
        false,
    ),
    col("appointment", &["产生方式", "appointment"], false),
];

/// The headers in the order a blank slate has them.
pub const SLATE_HEADERS: [&str; 11] = [
    "姓名",
    "性别",
    "出生日期",
    "职务",
    "是否基层一线",
    "政治面貌",
    "是否专职",
    "工作单位",
    "是否在职领导干部",
    "是否退休领导干部",
    "产生方式",
];

/// Reads every row of a slate. Returns the people of the valid rows and the report of every
/// problem; a slate with errors should not be checked (the answer would be about another slate).
pub fn parse_slate_sheet(sheet: &Sheet) -> (Vec<SlateMember>, ImportReport) {
    let (map, mut report) = match map_columns(sheet, SLATE_COLUMNS) {
        Ok(mapped) => mapped,
        Err(report) => return (Vec::new(), report),
    };
    let mut members = Vec::new();
    for (number, cells) in filled_rows(sheet, &mut report) {
        let mut row = RowCheck::new(number, cells, &map, &mut report);
        let member = row.member();
        if row.ok {
            members.push(member);
        }
    }
    report.valid = members.len();
    (members, report)
}

/// The slate's checks of one row.
impl RowCheck<'_> {
    fn flag(&mut self, key: &str, required: bool) -> bool {
        match self.get(key) {
            Some(v) => parse_bool_zh(v)
                .map_err(|e| self.fail(key, e))
                .unwrap_or(false),
            None if required => {
                let message = format!("“{}”不能为空，应为“是”或“否”", self.map.header(key));
                self.fail(key, CellError::new("field.required", message));
                false
            }
            None => false,
        }
    }

    fn member(&mut self) -> SlateMember {
        let name = self.get("name").unwrap_or("").to_string();
        if name.is_empty() {
            self.fail("name", CellError::new("field.required", "“姓名”不能为空"));
        }
        let gender = match self.get("gender") {
            Some(v) => match Gender::parse(v) {
                Gender::Unknown => {
                    let message = format!("“{v}”应为“男”或“女”");
                    self.fail("gender", CellError::new("enum.value", message));
                    Gender::Unknown
                }
                g => g,
            },
            None => Gender::Unknown,
        };
        let birth_date = match self.get("birth_date") {
            Some(v) => parse_date(v).map_err(|e| self.fail("birth_date", e)).ok(),
            None => None,
        };
        let positions = self.positions();
        let grassroots_frontline = self.flag("grassroots", true);
        let party_member = self.get("political_status").is_some_and(is_party_member);
        let full_time = self.flag("full_time", false);
        let serving_official = self.flag("serving_official", false);
        let retired_official = self.flag("retired_official", false);
        SlateMember {
            name,
            gender,
            birth_date,
            positions,
            grassroots_frontline,
            party_member,
            full_time,
            employer: self.get("employer").unwrap_or("").to_string(),
            serving_official,
            retired_official,
            appointment: self.get("appointment").and_then(AppointmentMethod::parse),
        }
    }

    /// 副理事长、常务理事 → both positions. Separators as people type them: 、，, ；; / and spaces.
    fn positions(&mut self) -> Vec<Position> {
        let Some(text) = self.get("positions") else {
            self.fail(
                "positions",
                CellError::new("field.required", "“职务”不能为空"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        for part in text
            .split(['、', '，', ',', '；', ';', '/', ' ', '\u{3000}'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match Position::parse(part) {
                Some(p) if !out.contains(&p) => out.push(p),
                Some(_) => {}
                None => unknown.push(part.to_string()),
            }
        }
        if !unknown.is_empty() {
            let message = format!(
                "“{}”不是已知职务，可填：理事长、副理事长、秘书长、常务理事、理事、监事长、监事、代表",
                unknown.join("、")
            );
            self.fail("positions", CellError::new("enum.value", message));
        }
        out
    }
}

/// The rows of a findings table: 规则, 结论, 说明, 依据.
fn finding_rows(report: &SlateReport) -> Vec<[String; 4]> {
    report
        .findings
        .iter()
        .map(|f| {
            [
                f.rule.clone(),
                f.severity.zh_name().to_string(),
                f.message.clone(),
                f.citation.clone(),
            ]
        })
        .collect()
}

/// The figures of each body as lines: 理事会 12人：党员 …
fn figure_lines(report: &SlateReport) -> Vec<String> {
    let share = |count: usize, of: usize| {
        if of == 0 {
            "—".to_string()
        } else {
            format!("{count}/{of}（{:.1}%）", count as f64 * 100.0 / of as f64)
        }
    };
    let line = |body: &str, f: &BodyFigures| {
        format!(
            "{body}{}人：基层一线{}，党员{}，女性{}，{}岁以下{}",
            f.members,
            share(f.grassroots.count, f.grassroots.of),
            share(f.party_members.count, f.party_members.of),
            share(f.women.count, f.women.of),
            report.figures.young_age_limit,
            share(f.young.count, f.young.of),
        )
    };
    vec![
        line("理事会", &report.figures.council),
        line("常务理事会", &report.figures.standing_council),
        line("会员代表大会", &report.figures.congress),
    ]
}

fn summary(report: &SlateReport) -> String {
    format!(
        "结论：{}。理事会{}人（上限{}人），常务理事会{}人，监事{}人；规则集版本 {}；审核日期 {}。",
        if report.ok {
            "符合规则"
        } else {
            "不符合规则"
        },
        report.council_size,
        report.cap,
        report.standing_size,
        report.supervisors,
        report.rule_set_version,
        report.figures.as_of
    )
}

/// The findings of a slate review as an `.xlsx`: a sheet of findings, a sheet of figures.
pub fn findings_xlsx(report: &SlateReport) -> Result<Vec<u8>, OfficeError> {
    let mut sheet = XlsxWriter::new("审核结果", &["规则", "结论", "说明", "依据"])?;
    for row in finding_rows(report) {
        sheet.push_row(&row)?;
    }
    if report.findings.is_empty() {
        sheet.push_row(&["", "符合", "未发现问题", ""])?;
    }
    sheet.add_sheet("构成", &["说明"])?;
    sheet.push_row(&[summary(report)])?;
    for line in figure_lines(report) {
        sheet.push_row(&[line])?;
    }
    sheet.into_bytes()
}

/// The slate review as a Word document (`.docx`, Office Open XML): title, conclusion, the
/// findings table with the document each rule comes from, and the make-up of each body.
pub fn review_docx(title: &str, report: &SlateReport) -> Result<Vec<u8>, OfficeError> {
    let mut doc = Docx::new();
    doc.title(title).paragraph(&summary(report));
    doc.heading("一、审核发现");
    if report.findings.is_empty() {
        doc.paragraph("未发现不符合规则的情况。");
    } else {
        let rows: Vec<Vec<String>> = finding_rows(report).into_iter().map(Vec::from).collect();
        doc.table(&["规则", "结论", "说明", "依据"], &rows);
    }
    doc.heading("二、人员构成");
    for line in figure_lines(report) {
        doc.paragraph(&line);
    }
    doc.into_bytes()
}
