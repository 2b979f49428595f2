//! Who sits on a slate: positions, how a post was filled, and the person record the rules read.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A post in a society's governing bodies (glossary of DESIGN.md). The code names are stable:
/// they appear in the JSON API and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    President,
    VicePresident,
    SecretaryGeneral,
    StandingMember,
    CouncilMember,
    ChiefSupervisor,
    Supervisor,
    Delegate,
}

impl Position {
    pub const ALL: [Position; 8] = [
        Position::President,
        Position::VicePresident,
        Position::SecretaryGeneral,
        Position::StandingMember,
        Position::CouncilMember,
        Position::ChiefSupervisor,
        Position::Supervisor,
        Position::Delegate,
    ];

    /// The code name used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Position::President => "president",
            Position::VicePresident => "vice_president",
            Position::SecretaryGeneral => "secretary_general",
            Position::StandingMember => "standing_member",
            Position::CouncilMember => "council_member",
            Position::ChiefSupervisor => "chief_supervisor",
            Position::Supervisor => "supervisor",
            Position::Delegate => "delegate",
        }
    }

    /// The name a society writes on its slate.
    pub fn zh_name(self) -> &'static str {
        match self {
            Position::President => "理事长",
            Position::VicePresident => "副理事长",
            Position::SecretaryGeneral => "秘书长",
            Position::StandingMember => "常务理事",
            Position::CouncilMember => "理事",
            Position::ChiefSupervisor => "监事长",
            Position::Supervisor => "监事",
            Position::Delegate => "代表",
        }
    }

    /// Accepts the Chinese name, the code name, and the titles an association (协会) uses for the
    /// same posts (会长, 副会长, 监事会主席, 会员代表).
    pub fn parse(text: &str) -> Option<Position> {
        let t = text.trim();
        Position::ALL
            .into_iter()
            .find(|p| p.zh_name() == t || p.code() == t)
            .or(match t {
                "会长" => Some(Position::President),
                "副会长" => Some(Position::VicePresident),
                "监事会主席" => Some(Position::ChiefSupervisor),
                "会员代表" | "会员代表大会代表" => Some(Position::Delegate),
                _ => None,
            })
    }

    /// Sits on the council (理事会). The president, vice-presidents, secretary-general and
    /// standing members are all council members too.
    pub fn is_council(self) -> bool {
        matches!(
            self,
            Position::President
                | Position::VicePresident
                | Position::SecretaryGeneral
                | Position::StandingMember
                | Position::CouncilMember
        )
    }

    /// Sits on the standing council (常务理事会).
    pub fn is_standing(self) -> bool {
        matches!(
            self,
            Position::President
                | Position::VicePresident
                | Position::SecretaryGeneral
                | Position::StandingMember
        )
    }

    /// Sits on the supervisory board (监事会).
    pub fn is_supervisory(self) -> bool {
        matches!(self, Position::ChiefSupervisor | Position::Supervisor)
    }
}

/// How a post was filled. The secretary-general is nominated by the president and appointed by
/// the council (seeds/002 item 5: 秘书长人选由理事长提名，理事会表决通过后实行聘任制).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentMethod {
    Elected,
    CouncilOnPresidentNomination,
    Other,
}

impl AppointmentMethod {
    pub fn code(self) -> &'static str {
        match self {
            AppointmentMethod::Elected => "elected",
            AppointmentMethod::CouncilOnPresidentNomination => "council_on_president_nomination",
            AppointmentMethod::Other => "other",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            AppointmentMethod::Elected => "选举",
            AppointmentMethod::CouncilOnPresidentNomination => "理事会聘任",
            AppointmentMethod::Other => "其他",
        }
    }

    /// Reads what a slate writes in its "产生方式" column: 理事会聘任 (or the document's own
    /// wording, 理事长提名 … 聘任) is the council appointment; 选举/当选 is an election; any
    /// other non-empty text is `Other`; a blank cell is `None`.
    pub fn parse(text: &str) -> Option<AppointmentMethod> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if let Some(m) = [
            AppointmentMethod::Elected,
            AppointmentMethod::CouncilOnPresidentNomination,
            AppointmentMethod::Other,
        ]
        .into_iter()
        .find(|m| m.code() == t)
        {
            return Some(m);
        }
        let council = t.contains("理事会聘任") || (t.contains("理事长提名") && t.contains("聘"));
        if council {
            Some(AppointmentMethod::CouncilOnPresidentNomination)
        } else if t.contains("选举") || t.contains("当选") {
            Some(AppointmentMethod::Elected)
        } else {
            Some(AppointmentMethod::Other)
        }
    }
}

/// Gender as a slate records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    #[default]
    Unknown,
}

impl Gender {
    /// 男/女 (or the code names); anything else is `Unknown`.
    pub fn parse(text: &str) -> Gender {
        match text.trim() {
            "男" | "男性" | "male" => Gender::Male,
            "女" | "女性" | "female" => Gender::Female,
            _ => Gender::Unknown,
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
            Gender::Unknown => "未知",
        }
    }
}

/// Whether a 政治面貌 entry makes the person a party member for the figures: full and
/// probationary members of the Communist Party of China count (中共党员, 中共预备党员).
pub fn is_party_member(political_status: &str) -> bool {
    matches!(
        political_status.trim(),
        "中共党员"
            | "中共预备党员"
            | "中国共产党党员"
            | "中国共产党预备党员"
            | "党员"
            | "预备党员"
    )
}

/// One person on a slate, with what the rules need to know about them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SlateMember {
    pub name: String,
    pub gender: Gender,
    pub birth_date: Option<NaiveDate>,
    pub positions: Vec<Position>,
    /// 基层一线科技工作者.
    pub grassroots_frontline: bool,
    /// From 政治面貌, see [`is_party_member`].
    pub party_member: bool,
    pub full_time: bool,
    pub employer: String,
    /// 在职领导干部.
    pub serving_official: bool,
    /// 退（离）休领导干部.
    pub retired_official: bool,
    pub appointment: Option<AppointmentMethod>,
}

impl SlateMember {
    pub fn holds(&self, position: Position) -> bool {
        self.positions.contains(&position)
    }

    pub fn is_council(&self) -> bool {
        self.positions.iter().any(|p| p.is_council())
    }

    pub fn is_standing(&self) -> bool {
        self.positions.iter().any(|p| p.is_standing())
    }

    pub fn is_supervisor(&self) -> bool {
        self.positions.iter().any(|p| p.is_supervisory())
    }

    pub fn is_delegate(&self) -> bool {
        self.holds(Position::Delegate)
    }

    /// Holds a post in the leadership (council or supervisory board); a congress delegate's seat
    /// is not a post in the sense of the rules on officials' part-time posts.
    pub fn holds_post(&self) -> bool {
        self.positions.iter().any(|p| *p != Position::Delegate)
    }

    /// Full years of age on `as_of`; `None` when the birth date is unknown or after `as_of`.
    pub fn age_on(&self, as_of: NaiveDate) -> Option<u32> {
        as_of.years_since(self.birth_date?)
    }

    /// The posts held, in Chinese, joined the way a slate writes them ("副理事长、常务理事").
    pub fn posts_zh(&self) -> String {
        let mut posts: Vec<Position> = self
            .positions
            .iter()
            .copied()
            .filter(|p| *p != Position::Delegate)
            .collect();
        posts.sort();
        posts.dedup();
        posts
            .iter()
            .map(|p| p.zh_name())
            .collect::<Vec<_>>()
            .join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_position_parses_from_its_chinese_name_and_code() {
        for p in Position::ALL {
            assert_eq!(Position::parse(p.zh_name()), Some(p));
            assert_eq!(Position::parse(p.code()), Some(p));
        }
        assert_eq!(Position::parse(" 会长 "), Some(Position::President));
        assert_eq!(Position::parse("主任"), None);
    }

    #[test]
    fn leaders_count_as_council_and_standing_members_but_supervisors_do_not() {
        for p in [
            Position::President,
            Position::VicePresident,
            Position::SecretaryGeneral,
            Position::StandingMember,
        ] {
            assert!(p.is_council() && p.is_standing(), "{p:?}");
        }
        assert!(Position::CouncilMember.is_council() && !Position::CouncilMember.is_standing());
        for p in [
            Position::ChiefSupervisor,
            Position::Supervisor,
            Position::Delegate,
        ] {
            assert!(!p.is_council() && !p.is_standing(), "{p:?}");
        }
    }

    #[test]
    fn appointment_methods_parse_from_the_slate_wording() {
        use AppointmentMethod::*;
        assert_eq!(
            AppointmentMethod::parse("理事会聘任"),
            Some(CouncilOnPresidentNomination)
        );
        assert_eq!(
            AppointmentMethod::parse("理事长提名，理事会表决通过后聘任"),
            Some(CouncilOnPresidentNomination)
        );
        assert_eq!(AppointmentMethod::parse("选举"), Some(Elected));
        assert_eq!(AppointmentMethod::parse("理事会选举产生"), Some(Elected));
        assert_eq!(AppointmentMethod::parse("当选"), Some(Elected));
        assert_eq!(AppointmentMethod::parse("上级委派"), Some(Other));
        assert_eq!(AppointmentMethod::parse("  "), None);
    }

    #[test]
    fn probationary_party_members_count_and_league_members_do_not() {
        assert!(is_party_member("中共党员"));
        assert!(is_party_member(" 中共预备党员 "));
        assert!(!is_party_member("共青团员"));
        assert!(!is_party_member("群众"));
        assert!(!is_party_member("民盟盟员"));
    }

    #[test]
    fn age_is_counted_in_full_years_and_unknown_for_future_births() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let mut m = SlateMember {
            birth_date: Some(d(1980, 6, 2)),
            ..SlateMember::default()
        };
        assert_eq!(m.age_on(d(2025, 6, 1)), Some(44));
        assert_eq!(m.age_on(d(2025, 6, 2)), Some(45));
        m.birth_date = Some(d(2030, 1, 1));
        assert_eq!(m.age_on(d(2025, 6, 1)), None);
    }
}
