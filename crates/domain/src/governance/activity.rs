//! Kinds of activity (活动) an organisation records: what a society's annual report counts
//! (seeds/002 item 7) and what shows a branch is alive (item 4).

use serde::{Deserialize, Serialize};

/// The kind of an activity. The codes are stable: they are stored and used by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 学术交流
    AcademicExchange,
    /// 科普活动
    Popularisation,
    /// 培训
    Training,
    /// 决策咨询
    Consultation,
    /// 会议
    Meeting,
    /// 其他
    Other,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 6] = [
        ActivityKind::AcademicExchange,
        ActivityKind::Popularisation,
        ActivityKind::Training,
        ActivityKind::Consultation,
        ActivityKind::Meeting,
        ActivityKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActivityKind::AcademicExchange => "academic_exchange",
            ActivityKind::Popularisation => "popularisation",
            ActivityKind::Training => "training",
            ActivityKind::Consultation => "consultation",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Other => "other",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            ActivityKind::AcademicExchange => "学术交流",
            ActivityKind::Popularisation => "科普活动",
            ActivityKind::Training => "培训",
            ActivityKind::Consultation => "决策咨询",
            ActivityKind::Meeting => "会议",
            ActivityKind::Other => "其他",
        }
    }

    /// The code or the Chinese name.
    pub fn parse(text: &str) -> Option<ActivityKind> {
        let t = text.trim();
        ActivityKind::ALL
            .into_iter()
            .find(|k| k.code() == t || k.zh_name() == t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_code_and_its_chinese_name() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.code()), Some(k));
            assert_eq!(ActivityKind::parse(k.zh_name()), Some(k));
        }
        assert_eq!(ActivityKind::parse("聚餐"), None);
    }
}
