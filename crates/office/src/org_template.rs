//! The organisation import template offered for download.

use kexie_domain::credit_code::check_char;
use kexie_domain::org::{OrgKind, OrgStatus};

use crate::orgs::ORG_COLUMNS;
use crate::xlsx_out::XlsxWriter;

/// The headers of the organisation sheet in canonical order (the first name of each of
/// [`ORG_COLUMNS`]).
pub const ORG_HEADERS: [&str; 13] = [
    "代码",
    "名称",
    "简称",
    "类型",
    "上级代码",
    "区划代码",
    "统一社会信用代码",
    "成立日期",
    "状态",
    "地址",
    "联系人",
    "联系电话",
    "备注",
];

/// What each column means, for the "说明" sheet.
const EXPLANATIONS: [&str; 13] = [
    "组织的唯一代码，由字母、数字和 - _ . 组成；同一文件中不得重复",
    "组织全称",
    "常用简称，可不填",
    "组织类型，填中文名称或英文代码，见下方列表；不填视为“其他”",
    "上级组织的代码；上级可在本文件中（顺序不限），也可是系统中已有的组织；顶级组织或按区划自动归属时不填",
    "所在地的统计用区划代码，2、4、6、9 或 12 位数字",
    "18 位统一社会信用代码，可不填",
    "如 2018-05-01、2018/5/1 或 2018年5月1日",
    "正常、停止活动 或 已撤销；不填视为“正常”",
    "办公地址",
    "联系人姓名",
    "11 位手机号，或 0451-86612345 这样的固定电话",
    "其他说明",
];

/// An xlsx with the headers, one example row of invented data, and a second sheet "说明"
/// explaining each column and the accepted kind names.
pub fn org_template() -> Vec<u8> {
    build().expect("the template is built from constants and always writes")
}

fn build() -> Result<Vec<u8>, crate::OfficeError> {
    let mut out = XlsxWriter::new("组织", &ORG_HEADERS)?;
    // Invented data that passes validation, so the template itself imports cleanly: a credit
    // code completed with its own check character, a made-up address, person and number.
    let first17 = "51110101MJ0000001";
    let credit = format!("{first17}{}", check_char(first17).unwrap_or('0'));
    out.push_row(&[
        "SL-0001",
        "示例区科学技术协会",
        "示例区科协",
        OrgKind::Kexie.zh_name(),
        "",
        "110101",
        credit.as_str(),
        "2018-05-01",
        OrgStatus::Active.zh_name(),
        "示例路 1 号",
        "示例联系人",
        "010-60000000",
        "示例行，导入前请删除",
    ])?;
    out.add_sheet("说明", &["列名", "是否必填", "说明", "也可写作"])?;
    for ((spec, header), text) in ORG_COLUMNS.iter().zip(ORG_HEADERS).zip(EXPLANATIONS) {
        let required = if spec.required { "必填" } else { "选填" };
        let aliases = spec.names[1..].join("、");
        out.push_row(&[header, required, text, aliases.as_str()])?;
    }
    out.push_row(&[""])?;
    out.push_row(&["类型名称", "英文代码"])?;
    for kind in OrgKind::ALL {
        out.push_row(&[kind.zh_name(), kind.code()])?;
    }
    out.into_bytes()
}
