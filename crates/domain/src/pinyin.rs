//! Pinyin keys for sorting and searching Chinese names.
//!
//! Offices sort ledgers by the pinyin of the name, and people type pinyin initials ("hrb" for
//! 哈尔滨市) into search boxes. Surnames with special readings (单 shàn, 曾 zēng, 区 ōu …) sort by
//! the surname reading, not the common one.

use std::borrow::Cow;

use pinyin::ToPinyin;

/// Surnames read differently from the character's most common reading. Compound surnames come
/// first so that 万俟 is matched before 万.
const SURNAME_READINGS: &[(&str, &[&str])] = &[
    ("万俟", &["mo", "qi"]),
    ("尉迟", &["yu", "chi"]),
    ("长孙", &["zhang", "sun"]),
    ("单", &["shan"]),
    ("曾", &["zeng"]),
    ("区", &["ou"]),
    ("仇", &["qiu"]),
    ("解", &["xie"]),
    ("朴", &["piao"]),
    ("查", &["zha"]),
    ("盖", &["ge"]),
    ("乐", &["yue"]),
    ("缪", &["miao"]),
    ("覃", &["qin"]),
    ("翟", &["zhai"]),
    ("种", &["chong"]),
    ("秘", &["bi"]),
    ("员", &["yun"]),
    ("繁", &["po"]),
    ("莘", &["shen"]),
    ("召", &["shao"]),
    ("冼", &["xian"]),
    ("句", &["gou"]),
    ("阚", &["kan"]),
    ("黑", &["he"]),
    ("折", &["she"]),
    ("长", &["chang"]),
];

/// Pinyin syllables of a text, one per character; characters without a reading (Latin letters,
/// digits) are kept as lowercase text of their own. The readings are the pinyin table's own
/// strings: only a character without one costs an allocation.
fn syllables(text: &str) -> Vec<Cow<'static, str>> {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c.to_pinyin() {
            Some(p) => Cow::Borrowed(p.plain()),
            None => Cow::Owned(c.to_lowercase().collect()),
        })
        .collect()
}

/// Syllables of a person's name, with the surname read as a surname.
fn name_syllables(name: &str) -> Vec<Cow<'static, str>> {
    let name = name.trim();
    for (surname, reading) in SURNAME_READINGS {
        if let Some(rest) = name.strip_prefix(surname) {
            let mut out: Vec<Cow<'static, str>> =
                reading.iter().map(|s| Cow::Borrowed(*s)).collect();
            out.extend(syllables(rest));
            return out;
        }
    }
    syllables(name)
}

/// The first letter of each syllable.
fn first_letters(syllables: &[Cow<'static, str>]) -> String {
    syllables.iter().filter_map(|s| s.chars().next()).collect()
}

/// The sort key of a text: syllables separated by spaces ("ha er bin shi"), so that 哈尔滨 sorts
/// before 哈密 as a dictionary would.
pub fn sort_key(text: &str) -> String {
    syllables(text).join(" ")
}

/// The sort key of a person's name, honouring surname readings.
pub fn name_sort_key(name: &str) -> String {
    name_syllables(name).join(" ")
}

/// Initials of a text ("hrbs" for 哈尔滨市).
pub fn initials(text: &str) -> String {
    first_letters(&syllables(text))
}

/// Initials of a person's name, honouring surname readings ("sxm" for 单晓明).
pub fn name_initials(name: &str) -> String {
    first_letters(&name_syllables(name))
}

/// The sort key and the initials of a person's name, read once (a million-row import needs
/// both for every row).
pub fn name_keys(name: &str) -> (String, String) {
    let syllables = name_syllables(name);
    (syllables.join(" "), first_letters(&syllables))
}

/// Every spelling of a text's initials that people type, space-separated. The syllable "er" is
/// typed as "e" by some and "r" by others (哈尔滨 is "hrb" to most people), so both are kept; at
/// most eight variants.
pub fn initials_variants(text: &str) -> String {
    let mut variants = vec![String::new()];
    for syllable in syllables(text) {
        let Some(first) = syllable.chars().next() else {
            continue;
        };
        if syllable == "er" && variants.len() < 8 {
            let with_r: Vec<String> = variants.iter().map(|v| format!("{v}r")).collect();
            variants.iter_mut().for_each(|v| v.push('e'));
            variants.extend(with_r);
        } else {
            variants.iter_mut().for_each(|v| v.push(first));
        }
    }
    variants.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_names_give_their_initials() {
        assert_eq!(initials("哈尔滨市"), "hebs");
        assert_eq!(sort_key("哈尔滨"), "ha er bin");
        assert_eq!(initials_variants("哈尔滨市"), "hebs hrbs");
    }

    #[test]
    fn surnames_with_special_readings_sort_by_the_surname_reading() {
        assert_eq!(name_sort_key("单晓明"), "shan xiao ming");
        assert_eq!(name_sort_key("曾一"), "zeng yi");
        assert_eq!(name_initials("区明"), "om");
        assert_eq!(name_sort_key("万俟明"), "mo qi ming");
        // A surname reading applies only at the start of the name.
        assert_eq!(sort_key("简单"), "jian dan");
        // Both keys at once, as the import takes them.
        assert_eq!(
            name_keys(" 单A晓明"),
            ("shan a xiao ming".to_string(), "saxm".to_string())
        );
    }

    #[test]
    fn latin_letters_and_digits_are_kept() {
        assert_eq!(initials("A1科协"), "a1kx");
    }
}
