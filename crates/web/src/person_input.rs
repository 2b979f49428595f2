//! Person input from JSON (and forms), parsed with the domain's parsers into `NewPerson`.

use chrono::NaiveDate;
use kexie_domain::email::Email;
use kexie_domain::id_number::{Gender, IdNumber};
use kexie_domain::phone::Mobile;
use kexie_store::NewPerson;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;

/// A person to register or the new values of one (identity numbers left out are kept).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PersonInput {
    /// The keeping organisation.
    pub org_id: i64,
    pub name: String,
    /// male, female, 男 or 女.
    pub gender: Option<String>,
    /// YYYY-MM-DD; must agree with the ID number when both are given.
    pub birth_date: Option<String>,
    pub ethnicity: Option<String>,
    /// GB 11643-1999, 18 characters.
    pub id_number: Option<String>,
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
    pub political_status: Option<String>,
    #[serde(default)]
    pub grassroots: bool,
    #[serde(default)]
    pub serving_official: bool,
    #[serde(default)]
    pub retired_official: bool,
}

/// A field's value refused, the field named first (as the forms label it).
pub(crate) fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::Unprocessable(format!("{field}：{message}"))
}

/// A text field trimmed; none when left out or empty.
pub(crate) fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

// The parsers of the identity and contact fields that a staff edit and a member's own request
// share: each takes the field as sent and gives none for an empty one.

pub(crate) fn parse_id_number(
    v: &Option<String>,
    today: NaiveDate,
) -> Result<Option<IdNumber>, AppError> {
    text(v)
        .map(|v| IdNumber::parse(&v, today).map_err(|e| invalid("身份证号", e)))
        .transpose()
}

pub(crate) fn parse_birth_date(v: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    text(v)
        .map(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| invalid("出生日期", "应为 YYYY-MM-DD"))
        })
        .transpose()
}

pub(crate) fn parse_gender(v: &Option<String>) -> Result<Option<Gender>, AppError> {
    text(v)
        .map(|v| Gender::parse(&v).map_err(|e| invalid("性别", e)))
        .transpose()
}

/// Normalised (`Mobile::as_str`).
pub(crate) fn parse_mobile(v: &Option<String>) -> Result<Option<String>, AppError> {
    text(v)
        .map(|v| {
            Mobile::parse(&v)
                .map(|m| m.as_str().to_string())
                .map_err(|e| invalid("手机号", e))
        })
        .transpose()
}

/// Normalised (`Email::as_str`).
pub(crate) fn parse_email(v: &Option<String>) -> Result<Option<String>, AppError> {
    text(v)
        .map(|v| {
            Email::parse(&v)
                .map(|m| m.as_str().to_string())
                .map_err(|e| invalid("电子邮箱", e))
        })
        .transpose()
}

/// A title of the national scale (`kexie_office::persons::TITLES`), trimmed.
pub(crate) fn parse_title(v: &Option<String>) -> Result<Option<String>, AppError> {
    match text(v) {
        Some(t) if !kexie_office::persons::TITLES.contains(&t.as_str()) => {
            Err(invalid("职称", "应为 正高级、副高级、中级、初级 或 无"))
        }
        t => Ok(t),
    }
}

impl PersonInput {
    pub fn parse(&self, today: NaiveDate) -> Result<NewPerson, AppError> {
        if self.name.trim().is_empty() {
            return Err(invalid("姓名", "必填 / required"));
        }
        let id = parse_id_number(&self.id_number, today)?;
        let birth = parse_birth_date(&self.birth_date)?;
        if let (Some(id), Some(b)) = (&id, birth) {
            id.check_birth_date(b).map_err(|e| invalid("出生日期", e))?;
        }
        let gender = parse_gender(&self.gender)?.or(id.as_ref().map(|i| i.gender()));
        let mobile = parse_mobile(&self.mobile)?;
        let email = parse_email(&self.email)?;
        let title = parse_title(&self.title)?;
        Ok(NewPerson {
            org_id: self.org_id,
            name: self.name.trim().to_string(),
            gender: gender.map(|g| g.code().to_string()),
            birth_date: birth
                .or(id.as_ref().map(|i| i.birth_date()))
                .map(|d| d.to_string()),
            ethnicity: text(&self.ethnicity),
            id_number: id.map(|i| i.as_str().to_string()),
            mobile,
            email,
            employer: text(&self.employer),
            department: text(&self.department),
            post: text(&self.post),
            title,
            education: text(&self.education),
            degree: text(&self.degree),
            discipline: text(&self.discipline),
            political_status: text(&self.political_status),
            grassroots: self.grassroots,
            serving_official: self.serving_official,
            retired_official: self.retired_official,
        })
    }
}

/// Today in Beijing (one definition, in the store).
pub use kexie_store::today as beijing_today;
