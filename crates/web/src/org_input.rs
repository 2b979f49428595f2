//! Organisation input from forms and JSON, parsed into the store's types with the domain's
//! parsers. A bad field is a 422 that names the field and the problem.

use chrono::NaiveDate;
use kexie_domain::credit_code::CreditCode;
use kexie_domain::division::DivisionCode;
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_domain::phone::Mobile;
use kexie_store::{NewOrg, OrgPatch, Store};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::person_input::invalid;

/// An organisation to create, or changes to one (`PATCH`: absent fields stay, empty strings
/// clear optional ones).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrgInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub short_name: Option<String>,
    /// Kind code (`kexie`, `society` …) or its Chinese name (科协, 学会 …).
    pub kind: Option<String>,
    /// 2, 4, 6, 9 or 12 digits; stored as 12.
    pub division_code: Option<String>,
    /// The parent organisation; on `PATCH` a new parent moves the whole subtree.
    pub parent_id: Option<i64>,
    /// Unified social credit code (GB 32100-2015).
    pub credit_code: Option<String>,
    /// YYYY-MM-DD.
    pub established: Option<String>,
    /// active, dormant or dissolved (or 正常, 停止活动, 已撤销).
    pub status: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim)
}

/// A phone number as offices write them: a mobile, or a landline with area code and extension.
pub fn parse_phone(text: &str) -> Result<String, AppError> {
    if let Ok(mobile) = Mobile::parse(text) {
        return Ok(mobile.as_str().to_string());
    }
    let t = kexie_domain::text::to_half_width(text).trim().to_string();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if (7..=18).contains(&digits) && t.chars().all(|c| c.is_ascii_digit() || "-() ".contains(c)) {
        Ok(t)
    } else {
        Err(invalid(
            "联系电话",
            "应为手机号或带区号的固定电话 / a mobile or landline number",
        ))
    }
}

impl OrgInput {
    /// Parses the optional fields shared by create and update into a patch (validated).
    async fn patch(&self, store: &Store) -> Result<OrgPatch, AppError> {
        let kind = match blank(&self.kind).filter(|k| !k.is_empty()) {
            Some(k) => Some(
                OrgKind::parse(k).ok_or_else(|| invalid("类型", format!("未知的组织类型 {k}")))?,
            ),
            None => None,
        };
        let status = match blank(&self.status).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                OrgStatus::parse(s).ok_or_else(|| invalid("状态", format!("未知的状态 {s}")))?,
            ),
            None => None,
        };
        let division_code = match blank(&self.division_code) {
            Some("") => Some(String::new()),
            Some(code) => {
                let code = DivisionCode::parse(code).map_err(|e| invalid("区划代码", e))?;
                store.division(code.as_str()).await.map_err(|_| {
                    invalid("区划代码", format!("没有代码为 {} 的区划", code.as_str()))
                })?;
                Some(code.as_str().to_string())
            }
            None => None,
        };
        let credit_code = match blank(&self.credit_code) {
            Some("") => Some(String::new()),
            Some(c) => Some(
                CreditCode::parse(c)
                    .map_err(|e| invalid("统一社会信用代码", e))?
                    .as_str()
                    .to_string(),
            ),
            None => None,
        };
        let established = match blank(&self.established) {
            Some("") => Some(String::new()),
            Some(d) => Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| invalid("成立日期", "应为 YYYY-MM-DD"))?
                    .to_string(),
            ),
            None => None,
        };
        let contact_phone = match blank(&self.contact_phone) {
            Some("") => Some(String::new()),
            Some(p) => Some(parse_phone(p)?),
            None => None,
        };
        Ok(OrgPatch {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind,
            division_code,
            parent_id: self.parent_id,
            credit_code,
            established,
            status,
            address: self.address.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone,
            notes: self.notes.clone(),
        })
    }

    /// Changes to an existing organisation.
    pub async fn to_patch(&self, store: &Store) -> Result<OrgPatch, AppError> {
        if self.code.as_deref().is_some_and(|c| !c.trim().is_empty()) {
            return Err(invalid(
                "代码",
                "组织代码创建后不能修改 / the code cannot change",
            ));
        }
        self.patch(store).await
    }

    /// A new organisation.
    pub async fn to_new(&self, store: &Store) -> Result<NewOrg, AppError> {
        let p = self.patch(store).await?;
        let some = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        Ok(NewOrg {
            code: blank(&self.code)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| invalid("代码", "必填 / required"))?
                .to_string(),
            name: some(p.name).ok_or_else(|| invalid("名称", "必填 / required"))?,
            short_name: some(p.short_name),
            kind: p.kind,
            division_code: some(p.division_code),
            parent_id: p.parent_id,
            credit_code: some(p.credit_code),
            established: some(p.established),
            status: p.status,
            address: some(p.address),
            contact_name: some(p.contact_name),
            contact_phone: some(p.contact_phone),
            notes: some(p.notes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_phone;

    #[test]
    fn phones_are_mobiles_or_landlines() {
        assert_eq!(parse_phone("138 1234 5678").unwrap(), "13812345678");
        assert_eq!(parse_phone("0451-86612345").unwrap(), "0451-86612345");
        assert!(parse_phone("（0451）86612345").is_ok());
        assert!(parse_phone("call me").is_err());
        assert!(parse_phone("123").is_err());
    }
}
