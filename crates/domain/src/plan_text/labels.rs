//! Labelled "who answers" fields: "责任单位：区科协、各街道" (seeds/001), "牵头单位：A；配合单位：B、C",
//! "牵头领导：…", "责任部门：…", on a line of their own or in parentheses at the end of a
//! paragraph.

use super::line::trim;

/// What the labels of one line name, by role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Labels {
    /// 牵头单位 / 主责单位: listed first in a task's units.
    pub lead_units: Vec<String>,
    /// 责任单位.
    pub units: Vec<String>,
    /// 配合单位 / 协办单位 / 参与单位: listed last.
    pub support_units: Vec<String>,
    /// 牵头部门 / 责任部门.
    pub departments: Vec<String>,
    /// 配合部门: listed after the others.
    pub support_departments: Vec<String>,
    /// 牵头领导 / 责任领导 / 分管领导.
    pub leaders: Vec<String>,
}

#[derive(Clone, Copy)]
enum Role {
    LeadUnit,
    Unit,
    SupportUnit,
    LeadDepartment,
    SupportDepartment,
    Leader,
}

const LABELS: &[(&str, Role)] = &[
    ("牵头单位", Role::LeadUnit),
    ("主责单位", Role::LeadUnit),
    ("主办单位", Role::LeadUnit),
    ("责任单位", Role::Unit),
    ("配合单位", Role::SupportUnit),
    ("协办单位", Role::SupportUnit),
    ("参与单位", Role::SupportUnit),
    ("协助单位", Role::SupportUnit),
    ("牵头部门", Role::LeadDepartment),
    ("责任部门", Role::LeadDepartment),
    ("配合部门", Role::SupportDepartment),
    ("牵头领导", Role::Leader),
    ("责任领导", Role::Leader),
    ("分管领导", Role::Leader),
];

impl Labels {
    pub fn is_empty(&self) -> bool {
        self == &Labels::default()
    }

    /// Adds `other`'s names after this one's, without repeats.
    pub fn extend(&mut self, other: Labels) {
        for (mine, theirs) in [
            (&mut self.lead_units, other.lead_units),
            (&mut self.units, other.units),
            (&mut self.support_units, other.support_units),
            (&mut self.departments, other.departments),
            (&mut self.support_departments, other.support_departments),
            (&mut self.leaders, other.leaders),
        ] {
            for name in theirs {
                if !mine.contains(&name) {
                    mine.push(name);
                }
            }
        }
    }
}

/// Whether the (half-width) line opens with a label, perhaps inside a parenthesis.
pub(super) fn starts_with_label(norm: &[char]) -> bool {
    let from = usize::from(norm.first() == Some(&'('));
    label_at(norm, from).is_some()
}

/// Reads every labelled field of `orig` (with its half-width copy `norm`).
pub(super) fn parse(orig: &[char], norm: &[char]) -> Labels {
    let found: Vec<(usize, usize, Role)> = (0..norm.len())
        .filter_map(|i| label_at(norm, i).map(|(value, role)| (i, value, role)))
        .collect();
    let mut labels = Labels::default();
    for (k, (_, value, role)) in found.iter().enumerate() {
        let end = found.get(k + 1).map_or(orig.len(), |next| next.0);
        let text: String = orig[*value..end.max(*value)].iter().collect();
        let names = split_names(&text);
        let list = match role {
            Role::LeadUnit => &mut labels.lead_units,
            Role::Unit => &mut labels.units,
            Role::SupportUnit => &mut labels.support_units,
            Role::LeadDepartment => &mut labels.departments,
            Role::SupportDepartment => &mut labels.support_departments,
            Role::Leader => &mut labels.leaders,
        };
        for name in names {
            if !list.contains(&name) {
                list.push(name);
            }
        }
    }
    labels
}

/// Takes labelled fields at the end of a line out of it: "…组织保证。(责任单位:区科协、各街道)"
/// or "…组织保证。责任单位：区科协". Returns the rest of the line and the fields.
pub(super) fn take_trailing(orig: &[char], norm: &[char]) -> (String, Labels) {
    let Some(at) = (0..norm.len()).find(|i| label_at(norm, *i).is_some()) else {
        return (trim(&orig.iter().collect::<String>()), Labels::default());
    };
    let before = at.checked_sub(1).map(|i| norm[i]);
    let (cut, end) = match before {
        Some('(') => {
            let close = norm[at..]
                .iter()
                .position(|c| *c == ')')
                .map_or(norm.len(), |i| at + i);
            (at - 1, close)
        }
        None | Some('。' | ';' | ',' | ' ' | '\u{3000}') => (at, norm.len()),
        // A label in the middle of a sentence is part of the sentence.
        Some(_) => return (trim(&orig.iter().collect::<String>()), Labels::default()),
    };
    let labels = parse(&orig[..end], &norm[..end]);
    let rest: String = orig[..cut]
        .iter()
        .chain(orig.get(end + 1..).unwrap_or_default())
        .collect();
    (trim(&rest), labels)
}

/// If a label followed by a colon starts at `i`: the index where its value starts, and its role.
fn label_at(norm: &[char], i: usize) -> Option<(usize, Role)> {
    LABELS.iter().find_map(|(word, role)| {
        let w: Vec<char> = word.chars().collect();
        if !norm.get(i..)?.starts_with(&w) {
            return None;
        }
        let mut j = i + w.len();
        while norm.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        matches!(norm.get(j), Some(':')).then_some((j + 1, *role))
    })
}

/// "区科协、区国资委，各街道。" → the names, in order.
fn split_names(text: &str) -> Vec<String> {
    text.split(|c: char| "、,，;；/／。".contains(c) || c.is_whitespace())
        .map(|s| trim(s.trim_matches(|c: char| "()（）:：.".contains(c))))
        .filter(|s| !s.is_empty())
        .collect()
}
