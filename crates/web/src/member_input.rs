//! What a member sends about their own record, parsed with the domain's parsers: contact fields
//! they change directly, identity fields they ask staff to correct.

use chrono::NaiveDate;
use kexie_store::{ContactChange, CorrectionInput, NewPerson};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::person_input::{
    invalid, parse_birth_date, parse_email, parse_gender, parse_id_number, parse_mobile,
    parse_title, text,
};

/// New contact fields (left out: kept; empty: cleared, except the mobile phone, which can only
/// be replaced).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ContactInput {
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub employer: Option<String>,
    pub department: Option<String>,
    pub post: Option<String>,
    /// 正高级, 副高级, 中级, 初级 or 无.
    pub title: Option<String>,
    pub education: Option<String>,
    pub degree: Option<String>,
    pub discipline: Option<String>,
}

/// Identity fields to correct (left out or empty: unchanged) and a note for the staff.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CorrectionBody {
    pub name: Option<String>,
    /// male, female, 男 or 女.
    pub gender: Option<String>,
    /// YYYY-MM-DD.
    pub birth_date: Option<String>,
    pub ethnicity: Option<String>,
    /// GB 11643-1999, 18 characters.
    pub id_number: Option<String>,
    pub note: Option<String>,
}

/// Longer than any real value of these fields: refused rather than stored.
const MAX_FIELD_CHARS: usize = 100;

fn bounded(field: &str, v: &Option<String>) -> Result<Option<String>, AppError> {
    match v {
        Some(s) if s.trim().chars().count() > MAX_FIELD_CHARS => Err(invalid(
            field,
            format!("不能超过 {MAX_FIELD_CHARS} 个字 / at most {MAX_FIELD_CHARS} characters"),
        )),
        Some(s) => Ok(Some(s.trim().to_string())),
        None => Ok(None),
    }
}

impl ContactInput {
    pub fn parse(&self) -> Result<ContactChange, AppError> {
        let mobile = parse_mobile(&self.mobile)?;
        // An empty email is kept as sent: it clears the field.
        let email = parse_email(&self.email)?.or_else(|| self.email.clone());
        parse_title(&self.title)?;
        Ok(ContactChange {
            mobile,
            email,
            employer: bounded("工作单位", &self.employer)?,
            department: bounded("部门", &self.department)?,
            post: bounded("职务", &self.post)?,
            title: bounded("职称", &self.title)?,
            education: bounded("学历", &self.education)?,
            degree: bounded("学位", &self.degree)?,
            discipline: bounded("学科", &self.discipline)?,
        })
    }
}

impl CorrectionBody {
    /// Parses the request against the person's current fields: a new ID number must agree with
    /// the birth date (the new one, or the one on record) and brings its own birth date and
    /// gender along when they differ from the record (GB 11643-1999 §6).
    pub fn parse(
        &self,
        current: &NewPerson,
        today: NaiveDate,
    ) -> Result<CorrectionInput, AppError> {
        let name = text(&self.name);
        if name.as_ref().is_some_and(|n| n.chars().count() > 50) {
            return Err(invalid("姓名", "不能超过 50 个字 / at most 50 characters"));
        }
        let id = parse_id_number(&self.id_number, today)?;
        let mut birth = parse_birth_date(&self.birth_date)?;
        let mut gender = parse_gender(&self.gender)?;
        if let Some(id) = &id {
            let on_record = current
                .birth_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            match birth {
                Some(b) => id.check_birth_date(b).map_err(|e| invalid("出生日期", e))?,
                None if on_record != Some(id.birth_date()) => birth = Some(id.birth_date()),
                None => {}
            }
            if let Some(g) = gender {
                if g != id.gender() {
                    return Err(invalid(
                        "性别",
                        "与身份证号所示性别不符 / does not agree with the ID number",
                    ));
                }
            } else if current.gender.as_deref() != Some(id.gender().code()) {
                gender = Some(id.gender());
            }
        }
        Ok(CorrectionInput {
            name,
            gender: gender.map(|g| g.code().to_string()),
            birth_date: birth.map(|d| d.to_string()),
            ethnicity: bounded("民族", &self.ethnicity)?.filter(|s| !s.is_empty()),
            id_number: id.map(|i| i.as_str().to_string()),
            note: bounded("说明", &self.note)?.filter(|s| !s.is_empty()),
        })
    }
}
