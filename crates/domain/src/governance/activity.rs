//! Kinds of activity (活动) an organisation records: what a society's annual report counts
//! (seeds/002 item 7) and what shows a branch is alive (item 4).

use crate::network::code_list;

code_list! {
    /// The kind of an activity.
    ActivityKind {
        AcademicExchange = "academic_exchange" / "学术交流",
        Popularisation = "popularisation" / "科普活动",
        Training = "training" / "培训",
        Consultation = "consultation" / "决策咨询",
        Meeting = "meeting" / "会议",
        Other = "other" / "其他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_code_and_its_chinese_name() {
        for &k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.code()), Some(k));
            assert_eq!(ActivityKind::parse(k.zh_name()), Some(k));
        }
        assert_eq!(ActivityKind::parse("聚餐"), None);
    }
}
