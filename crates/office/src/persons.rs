//! The people sheet (人员台账): one science and technology worker per row, and optionally their
//! membership of the organisation being imported into. Error codes follow the import report
//! contract: required, id_number.format, id_number.checksum, id_number.birth_date, phone.format,
//! email.format, date.format, enum.value, duplicate.in_file. The rows are checked in
//! `person_rows`.

use chrono::NaiveDate;
use kexie_domain::id_number::Gender;
use serde::{Deserialize, Serialize};

use crate::cells::CellError;
use crate::columns::ColumnSpec;

/// An optional column.
const fn col(key: &'static str, names: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        key,
        names,
        required: false,
    }
}

/// The columns of the people sheet in the template's order; only 姓名 is always required.
pub const PERSON_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "name",
        names: &["姓名", "名字", "name"],
        required: true,
    },
    col("gender", &["性别", "gender"]),
    col(
        "id_number",
        &[
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "证件号码",
            "身份证",
        ],
    ),
    col("birth_date", &["出生日期", "出生年月", "生日"]),
    col("ethnicity", &["民族"]),
    col(
        "mobile",
        &["手机号", "手机", "手机号码", "移动电话", "联系电话"],
    ),
    col("email", &["电子邮箱", "邮箱", "电子邮件", "email"]),
    col("employer", &["工作单位", "单位", "所在单位"]),
    col("department", &["部门", "所在部门", "科室"]),
    col("post", &["职务", "行政职务"]),
    col("title", &["职称", "专业技术职称", "职称级别"]),
    col("education", &["学历"]),
    col("degree", &["学位"]),
    col("discipline", &["学科", "专业", "学科专业", "所属学科"]),
    col("political_status", &["政治面貌"]),
    col("grassroots", &["是否基层一线", "基层一线", "是否一线"]),
    col("member_type", &["会员类型", "会员类别"]),
    col("member_number", &["会员编号", "会员号"]),
    col("joined", &["入会日期", "入会时间"]),
];

/// The headers of the template, in order.
pub const PERSON_HEADERS: [&str; 19] = [
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "民族",
    "手机号",
    "电子邮箱",
    "工作单位",
    "部门",
    "职务",
    "职称",
    "学历",
    "学位",
    "学科",
    "政治面貌",
    "是否基层一线",
    "会员类型",
    "会员编号",
    "入会日期",
];

/// Professional titles as the registry keeps them.
pub const TITLES: [&str; 5] = ["正高级", "副高级", "中级", "初级", "无"];

/// One valid row of the people sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub row: usize,
    pub name: String,
    pub gender: Option<Gender>,
    pub id_number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub ethnicity: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub employer: Option<String>,
    pub department: Option<String>,
    pub post: Option<String>,
    pub title: Option<String>,
    pub education: Option<String>,
    pub degree: Option<String>,
    pub discipline: Option<String>,
    pub political_status: Option<String>,
    pub grassroots: bool,
    pub member_type: Option<String>,
    pub member_number: Option<String>,
    pub joined: Option<NaiveDate>,
}

pub(crate) fn title(value: &str) -> Result<String, CellError> {
    let v = kexie_domain::text::to_half_width(value).trim().to_string();
    let mapped = match v.as_str() {
        "高级" | "正高" | "教授" | "研究员" | "主任医师" => "正高级",
        "副高" | "副教授" | "副研究员" | "副主任医师" | "高级工程师" => "副高级",
        "中" | "讲师" | "工程师" | "主治医师" | "助理研究员" => "中级",
        "初" | "助教" | "助理工程师" | "技术员" | "医师" => "初级",
        "" | "-" | "无职称" => "无",
        other => other,
    };
    if TITLES.contains(&mapped) {
        Ok(mapped.to_string())
    } else {
        Err(CellError::new(
            "enum.value",
            format!("职称“{v}”应为 正高级、副高级、中级、初级 或 无"),
        ))
    }
}
