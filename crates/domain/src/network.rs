//! The organisation network's posts (任职), key persons (四长) and pilot programmes (试点):
//! the closed lists their fields take, each with a stable code and its Chinese name.
//!
//! Source: `seeds/004` (锡科协发〔2018〕61号): key persons "进入…科协组织任职、兼职、挂职", the
//! four kinds 医院院长、中小学校长、农技站站长、科技型企业家, and the leading group of 组长、副组长、
//! 成员 with an office (办公室).

/// Defines a closed list: variants with their code and Chinese name, `ALL`, `code`, `zh_name`
/// and `parse` (code or Chinese name, surrounding spaces ignored). The codes are stable: they
/// are stored and used by the API.
macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal / $zh:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// The Chinese name, as documents and spreadsheets write it.
            pub fn zh_name(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
            }

            /// By code or Chinese name.
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim();
                $name::ALL.iter().copied().find(|v| v.code() == t || v.zh_name() == t)
            }
        }
    };
}
pub(crate) use code_list;

code_list! {
    /// The role a post gives its holder in an organisation.
    PostRole {
        Chair = "chair" / "主席",
        ViceChair = "vice_chair" / "副主席",
        SecretaryGeneral = "secretary_general" / "秘书长",
        CommitteeMember = "committee_member" / "委员",
        Representative = "representative" / "代表",
        Contact = "contact" / "联络员",
    }
}

code_list! {
    /// How a post is held (seeds/004: "任职、兼职、挂职"); a vice-chair's post must say.
    PostMode {
        FullTime = "full_time" / "专职",
        PartTime = "part_time" / "兼职",
        Seconded = "seconded" / "挂职",
    }
}

code_list! {
    /// The four kinds of key persons (四长) of seeds/004.
    KeyPersonKind {
        HospitalDirector = "hospital_director" / "医院院长",
        SchoolPrincipal = "school_principal" / "学校校长",
        AgriStationHead = "agri_station_head" / "农技站站长",
        TechEntrepreneur = "tech_entrepreneur" / "科技型企业负责人",
    }
}

code_list! {
    /// Progress of one pilot unit.
    PilotStatus {
        NotStarted = "not_started" / "未开始",
        InProgress = "in_progress" / "进行中",
        Done = "done" / "已完成",
    }
}

code_list! {
    /// Roles in a pilot programme's leading group (领导小组).
    GroupRole {
        Leader = "leader" / "组长",
        Deputy = "deputy" / "副组长",
        Member = "member" / "成员",
        Office = "office" / "办公室",
    }
}

impl PostRole {
    /// Whether the role needs a mode (专职/兼职/挂职).
    pub fn needs_mode(self) -> bool {
        self == PostRole::ViceChair
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_chinese_names_both_parse() {
        assert_eq!(PostRole::parse("副主席"), Some(PostRole::ViceChair));
        assert_eq!(PostRole::parse(" vice_chair "), Some(PostRole::ViceChair));
        assert_eq!(PostMode::parse("挂职"), Some(PostMode::Seconded));
        assert_eq!(
            KeyPersonKind::parse("农技站站长"),
            Some(KeyPersonKind::AgriStationHead)
        );
        assert_eq!(GroupRole::parse("办公室"), Some(GroupRole::Office));
        assert_eq!(PilotStatus::parse("done"), Some(PilotStatus::Done));
        assert_eq!(PostRole::parse("理事长"), None);
    }

    #[test]
    fn every_value_round_trips_through_its_code_and_name() {
        for r in PostRole::ALL {
            assert_eq!(PostRole::parse(r.code()), Some(*r));
            assert_eq!(PostRole::parse(r.zh_name()), Some(*r));
        }
        for k in KeyPersonKind::ALL {
            assert_eq!(KeyPersonKind::parse(k.zh_name()), Some(*k));
        }
        assert!(PostRole::ViceChair.needs_mode() && !PostRole::Chair.needs_mode());
    }
}
