//! Posts and pilot programmes from JSON bodies and forms, parsed with the domain's types
//! (`PostRole`, `KeyPersonKind`, `DocNumber` …) before they reach the store.

use chrono::NaiveDate;
use kexie_domain::doc_number::DocNumber;
use kexie_domain::network::{GroupRole, KeyPersonKind, PostMode, PostRole};
use kexie_store::{
    NewGroupMember, NewOrgPost, NewPilot, NewPilotCategory, NewPilotUnit, OrgPostPatch,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;

fn bad(message: String) -> AppError {
    AppError::Unprocessable(message)
}

fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// A day `YYYY-MM-DD`, or none for an empty value.
pub fn day(field: &str, v: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    blank(v)
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                bad(format!(
                    "{field}：日期应为 YYYY-MM-DD / {field} must be YYYY-MM-DD"
                ))
            })
        })
        .transpose()
}

pub fn role(v: &str) -> Result<PostRole, AppError> {
    PostRole::parse(v).ok_or_else(|| {
        bad(format!(
            "role：“{v}”不是已知职务，可填 主席、副主席、秘书长、委员、代表、联络员 / unknown role"
        ))
    })
}

pub fn mode(v: Option<&str>) -> Result<Option<PostMode>, AppError> {
    blank(v)
        .map(|m| {
            PostMode::parse(m).ok_or_else(|| {
                bad(format!("mode：“{m}”应为 专职、兼职 或 挂职 / mode must be full_time, part_time or seconded"))
            })
        })
        .transpose()
}

pub fn key_kind(v: Option<&str>) -> Result<Option<KeyPersonKind>, AppError> {
    blank(v)
        .map(|k| {
            KeyPersonKind::parse(k).ok_or_else(|| {
                bad(format!(
                    "key_kind：“{k}”应为 医院院长、学校校长、农技站站长 或 科技型企业负责人 / unknown key-person kind"
                ))
            })
        })
        .transpose()
}

pub fn group_role(v: &str) -> Result<GroupRole, AppError> {
    GroupRole::parse(v).ok_or_else(|| {
        bad(format!("role：“{v}”应为 组长、副组长、成员 或 办公室 / role must be leader, deputy, member or office"))
    })
}

/// A post to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PostInput {
    /// A person of the registry in the caller's scope.
    pub person_id: i64,
    /// chair, vice_chair, secretary_general, committee_member, representative, contact (or
    /// 主席, 副主席 …).
    pub role: String,
    /// full_time, part_time, seconded (专职, 兼职, 挂职); required for a vice-chair.
    pub mode: Option<String>,
    /// hospital_director, school_principal, agri_station_head, tech_entrepreneur.
    pub key_kind: Option<String>,
    /// YYYY-MM-DD.
    pub started_on: Option<String>,
    /// YYYY-MM-DD.
    pub ended_on: Option<String>,
}

impl PostInput {
    pub fn to_new(&self) -> Result<NewOrgPost, AppError> {
        Ok(NewOrgPost {
            person_id: self.person_id,
            role: role(&self.role)?,
            mode: mode(self.mode.as_deref())?,
            key_kind: key_kind(self.key_kind.as_deref())?,
            started_on: day("started_on", self.started_on.as_deref())?,
            ended_on: day("ended_on", self.ended_on.as_deref())?,
        })
    }
}

/// Changes to a post: fields left out stay; an empty string clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PostPatchInput {
    pub role: Option<String>,
    pub mode: Option<String>,
    pub key_kind: Option<String>,
    pub started_on: Option<String>,
    pub ended_on: Option<String>,
}

impl PostPatchInput {
    pub fn to_patch(&self) -> Result<OrgPostPatch, AppError> {
        Ok(OrgPostPatch {
            role: self.role.as_deref().map(role).transpose()?,
            mode: self.mode.as_deref().map(|m| mode(Some(m))).transpose()?,
            key_kind: self
                .key_kind
                .as_deref()
                .map(|k| key_kind(Some(k)))
                .transpose()?,
            started_on: self
                .started_on
                .as_deref()
                .map(|d| day("started_on", Some(d)))
                .transpose()?,
            ended_on: self
                .ended_on
                .as_deref()
                .map(|d| day("ended_on", Some(d)))
                .transpose()?,
        })
    }
}

/// A unit of a pilot programme: `org_id` of the registry, or a `name` in free text.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UnitInput {
    pub org_id: Option<i64>,
    pub name: Option<String>,
    pub contact_name: Option<String>,
    /// A mobile or a landline (0510-81234567); stored encrypted, shown masked.
    pub contact_phone: Option<String>,
}

impl UnitInput {
    pub fn to_new(&self) -> Result<NewPilotUnit, AppError> {
        let contact_phone = blank(self.contact_phone.as_deref())
            .map(|p| {
                kexie_office::parse_phone(p)
                    .map_err(|e| bad(format!("contact_phone：{}", e.message)))
            })
            .transpose()?;
        Ok(NewPilotUnit {
            org_id: self.org_id,
            name: self.name.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CategoryInput {
    pub name: String,
    #[serde(default)]
    pub units: Vec<UnitInput>,
}

/// A member of the leading group: `person_id` of the registry, or a `name` in free text.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct GroupMemberInput {
    /// leader, deputy, member, office (组长, 副组长, 成员, 办公室).
    pub role: String,
    pub person_id: Option<i64>,
    pub name: Option<String>,
    /// Their post, e.g. 党组书记、副主席.
    pub title: Option<String>,
}

impl GroupMemberInput {
    pub fn to_new(&self) -> Result<NewGroupMember, AppError> {
        Ok(NewGroupMember {
            role: group_role(&self.role)?,
            person_id: self.person_id,
            name: self.name.clone(),
            title: self.title.clone(),
        })
    }
}

/// A pilot programme to create.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PilotInput {
    /// The issuing organisation, in the caller's scope.
    pub org_id: i64,
    pub name: String,
    /// 文号, e.g. 锡科协发〔2018〕61号.
    pub doc_number: Option<String>,
    /// YYYY-MM-DD.
    pub issued_on: Option<String>,
    #[serde(default)]
    pub categories: Vec<CategoryInput>,
    #[serde(default)]
    pub group: Vec<GroupMemberInput>,
}

/// A document number in its standard form, or none when empty.
pub fn doc_number(v: Option<&str>) -> Result<Option<String>, AppError> {
    blank(v)
        .map(|d| {
            DocNumber::parse(d)
                .map(|n| n.as_str().to_string())
                .map_err(|e| bad(e.0))
        })
        .transpose()
}

impl PilotInput {
    pub fn to_new(&self) -> Result<NewPilot, AppError> {
        let mut categories = Vec::new();
        for c in &self.categories {
            let units = c
                .units
                .iter()
                .map(UnitInput::to_new)
                .collect::<Result<_, _>>()?;
            categories.push(NewPilotCategory {
                name: c.name.clone(),
                units,
            });
        }
        Ok(NewPilot {
            org_id: self.org_id,
            name: self.name.clone(),
            doc_number: doc_number(self.doc_number.as_deref())?,
            issued_on: day("issued_on", self.issued_on.as_deref())?,
            categories,
            group: self
                .group
                .iter()
                .map(GroupMemberInput::to_new)
                .collect::<Result<_, _>>()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pilot_body_is_parsed_with_the_domain_types() {
        let input: PilotInput = serde_json::from_value(serde_json::json!({
            "org_id": 1, "name": "试点", "doc_number": "锡科协发[2018]61", "issued_on": "2018-06-11",
            "categories": [{"name": "企业科协", "units": [{"name": "甲", "contact_phone": "0510 81234567"}]}],
            "group": [{"role": "组长", "name": "某人"}]
        }))
        .unwrap();
        let new = input.to_new().unwrap();
        assert_eq!(new.doc_number.as_deref(), Some("锡科协发〔2018〕61号"));
        assert_eq!(
            new.categories[0].units[0].contact_phone.as_deref(),
            Some("0510-81234567")
        );
        assert_eq!(new.group[0].role, GroupRole::Leader);
    }

    #[test]
    fn bad_values_name_the_field() {
        let mut input = PilotInput {
            org_id: 1,
            name: "试点".into(),
            doc_number: Some("61号".into()),
            ..PilotInput::default()
        };
        assert!(input.to_new().unwrap_err().to_string().contains("文号"));
        input.doc_number = None;
        input.issued_on = Some("2018/6/11".into());
        assert!(input
            .to_new()
            .unwrap_err()
            .to_string()
            .contains("issued_on"));
        let post = PostInput {
            person_id: 1,
            role: "理事长".into(),
            mode: None,
            key_kind: None,
            started_on: None,
            ended_on: None,
        };
        assert!(post.to_new().unwrap_err().to_string().contains("role"));
    }
}
