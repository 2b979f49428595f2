//! Organisation kinds and statuses, as named in the glossary of DESIGN.md.

use serde::{Deserialize, Serialize};

/// What kind of body an organisation is. The code names are stable: they appear in the JSON API,
/// in spreadsheets (where the Chinese name is accepted too) and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Kexie,
    Society,
    Branch,
    EnterpriseKexie,
    ParkKexie,
    UniversityKexie,
    HospitalAssociation,
    SchoolAssociation,
    RuralTechAssociation,
    ExpertWorkstation,
    SocietyWorkstation,
    PopularisationBase,
    Department,
    Other,
}

impl OrgKind {
    pub const ALL: [OrgKind; 14] = [
        OrgKind::Kexie,
        OrgKind::Society,
        OrgKind::Branch,
        OrgKind::EnterpriseKexie,
        OrgKind::ParkKexie,
        OrgKind::UniversityKexie,
        OrgKind::HospitalAssociation,
        OrgKind::SchoolAssociation,
        OrgKind::RuralTechAssociation,
        OrgKind::ExpertWorkstation,
        OrgKind::SocietyWorkstation,
        OrgKind::PopularisationBase,
        OrgKind::Department,
        OrgKind::Other,
    ];

    /// The code name stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::Kexie => "kexie",
            OrgKind::Society => "society",
            OrgKind::Branch => "branch",
            OrgKind::EnterpriseKexie => "enterprise_kexie",
            OrgKind::ParkKexie => "park_kexie",
            OrgKind::UniversityKexie => "university_kexie",
            OrgKind::HospitalAssociation => "hospital_association",
            OrgKind::SchoolAssociation => "school_association",
            OrgKind::RuralTechAssociation => "rural_tech_association",
            OrgKind::ExpertWorkstation => "expert_workstation",
            OrgKind::SocietyWorkstation => "society_workstation",
            OrgKind::PopularisationBase => "popularisation_base",
            OrgKind::Department => "department",
            OrgKind::Other => "other",
        }
    }

    /// The name an office writes in its spreadsheets.
    pub fn zh_name(self) -> &'static str {
        match self {
            OrgKind::Kexie => "科协",
            OrgKind::Society => "学会",
            OrgKind::Branch => "分支机构",
            OrgKind::EnterpriseKexie => "企业科协",
            OrgKind::ParkKexie => "园区科协",
            OrgKind::UniversityKexie => "高校科协",
            OrgKind::HospitalAssociation => "医院科协",
            OrgKind::SchoolAssociation => "学校科协",
            OrgKind::RuralTechAssociation => "农技协",
            OrgKind::ExpertWorkstation => "院士专家工作站",
            OrgKind::SocietyWorkstation => "学会工作站",
            OrgKind::PopularisationBase => "科普基地",
            OrgKind::Department => "内设部门",
            OrgKind::Other => "其他",
        }
    }

    /// Accepts the code name or the Chinese name (with a few spellings offices use).
    pub fn parse(text: &str) -> Option<OrgKind> {
        let t = text.trim();
        OrgKind::ALL
            .into_iter()
            .find(|k| k.code() == t || k.zh_name() == t)
            .or(match t {
                "协会" | "研究会" => Some(OrgKind::Society),
                "专委会" | "专业委员会" => Some(OrgKind::Branch),
                "农村专业技术协会" => Some(OrgKind::RuralTechAssociation),
                "医院协会" => Some(OrgKind::HospitalAssociation),
                _ => None,
            })
    }
}

/// Lifecycle of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgStatus {
    Active,
    Dormant,
    Dissolved,
}

impl OrgStatus {
    pub fn code(self) -> &'static str {
        match self {
            OrgStatus::Active => "active",
            OrgStatus::Dormant => "dormant",
            OrgStatus::Dissolved => "dissolved",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            OrgStatus::Active => "正常",
            OrgStatus::Dormant => "停止活动",
            OrgStatus::Dissolved => "已撤销",
        }
    }

    pub fn parse(text: &str) -> Option<OrgStatus> {
        [OrgStatus::Active, OrgStatus::Dormant, OrgStatus::Dissolved]
            .into_iter()
            .find(|s| s.code() == text.trim() || s.zh_name() == text.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_code_and_its_chinese_name() {
        for kind in OrgKind::ALL {
            assert_eq!(OrgKind::parse(kind.code()), Some(kind));
            assert_eq!(OrgKind::parse(kind.zh_name()), Some(kind));
        }
        assert_eq!(OrgKind::parse(" 研究会 "), Some(OrgKind::Society));
        assert_eq!(OrgKind::parse("街道"), None);
    }

    #[test]
    fn kinds_serialise_to_their_code_names() {
        let json = serde_json::to_string(&OrgKind::UniversityKexie).unwrap();
        assert_eq!(json, "\"university_kexie\"");
    }
}
