//! Figures reported without a threshold: the documents ask for "a considerable share" of party
//! members and a rising share of young and women members (seeds/002 item 2), and a congress made
//! up mainly of grassroots frontline workers. The figures say where a slate stands.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::position::{Gender, SlateMember};

/// `count` of `of` people, and the share (rounded to four decimals; `None` when `of` is 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShareFigure {
    pub count: usize,
    pub of: usize,
    pub share: Option<f64>,
}

impl ShareFigure {
    pub fn new(count: usize, of: usize) -> ShareFigure {
        let share = (of > 0).then(|| (count as f64 / of as f64 * 10_000.0).round() / 10_000.0);
        ShareFigure { count, of, share }
    }
}

/// The make-up of one body (council, standing council or congress).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BodyFigures {
    pub members: usize,
    pub party_members: ShareFigure,
    /// Women among those whose gender is known.
    pub women: ShareFigure,
    pub gender_unknown: usize,
    /// Younger than the rule set's `young_age_limit` on the check date, among those whose birth
    /// date is known.
    pub young: ShareFigure,
    /// Birth date missing (or after the check date): left out of `young`.
    pub age_unknown: usize,
    pub grassroots: ShareFigure,
}

impl BodyFigures {
    pub fn of<'a>(
        people: impl IntoIterator<Item = &'a SlateMember>,
        as_of: NaiveDate,
        young_age_limit: u32,
    ) -> BodyFigures {
        let (mut members, mut party, mut grassroots) = (0, 0, 0);
        let (mut women, mut gender_known, mut young, mut age_known) = (0, 0, 0, 0);
        for m in people {
            members += 1;
            party += usize::from(m.party_member);
            grassroots += usize::from(m.grassroots_frontline);
            if m.gender != Gender::Unknown {
                gender_known += 1;
                women += usize::from(m.gender == Gender::Female);
            }
            if let Some(age) = m.age_on(as_of) {
                age_known += 1;
                young += usize::from(age < young_age_limit);
            }
        }
        BodyFigures {
            members,
            party_members: ShareFigure::new(party, members),
            women: ShareFigure::new(women, gender_known),
            gender_unknown: members - gender_known,
            young: ShareFigure::new(young, age_known),
            age_unknown: members - age_known,
            grassroots: ShareFigure::new(grassroots, members),
        }
    }
}

/// The figures of a slate, body by body.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlateFigures {
    pub as_of: NaiveDate,
    pub young_age_limit: u32,
    pub council: BodyFigures,
    pub standing_council: BodyFigures,
    /// The congress (会员代表大会): the members holding the 代表 position.
    pub congress: BodyFigures,
}

impl SlateFigures {
    pub fn of(members: &[SlateMember], as_of: NaiveDate, young_age_limit: u32) -> SlateFigures {
        let body = |keep: fn(&SlateMember) -> bool| {
            BodyFigures::of(members.iter().filter(|m| keep(m)), as_of, young_age_limit)
        };
        SlateFigures {
            as_of,
            young_age_limit,
            council: body(SlateMember::is_council),
            standing_council: body(SlateMember::is_standing),
            congress: body(SlateMember::is_delegate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::Position;

    fn person(gender: Gender, birth: Option<NaiveDate>, party: bool) -> SlateMember {
        SlateMember {
            gender,
            birth_date: birth,
            party_member: party,
            positions: vec![Position::CouncilMember],
            ..SlateMember::default()
        }
    }

    #[test]
    fn unknown_birth_dates_and_genders_are_left_out_of_the_shares_and_counted() {
        let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let young = NaiveDate::from_ymd_opt(1990, 1, 1);
        let old = NaiveDate::from_ymd_opt(1960, 1, 1);
        let people = [
            person(Gender::Female, young, true),
            person(Gender::Male, old, false),
            person(Gender::Unknown, None, true),
        ];
        let f = BodyFigures::of(&people, as_of, 45);
        assert_eq!(f.members, 3);
        assert_eq!(f.party_members, ShareFigure::new(2, 3));
        assert_eq!(f.party_members.share, Some(0.6667));
        assert_eq!((f.women.count, f.women.of, f.gender_unknown), (1, 2, 1));
        assert_eq!((f.young.count, f.young.of, f.age_unknown), (1, 2, 1));
    }

    #[test]
    fn an_empty_body_has_no_shares() {
        let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let f = BodyFigures::of(&[], as_of, 45);
        assert_eq!(f.grassroots.share, None);
    }
}
