//! How text becomes index terms, and how a query's text becomes the same terms.
//!
//! Chinese has no spaces, so two analyses run side by side (issue 5):
//!
//! - character grams: each run of Chinese characters gives its bigrams at consecutive positions
//!   (科学技术 → 科学 学技 技术), so a query's bigrams as a phrase find exactly the names that
//!   contain the query, whatever a segmenter would have made of them: 科学技术 finds
//!   中国科学技术协会. Names also get every single character, so a surname alone finds people.
//! - words from jieba's search mode (中国 科学 技术 科学技术 协会): they do not decide what matches,
//!   they rank a hit on a whole word above a hit that only happens to contain its characters.
//!
//! Pinyin terms come from `kexie_domain::pinyin`, which reads a surname as a surname (单 shàn,
//! 曾 zēng, 区 ōu …): every prefix of the full pinyin from each syllable on, and every prefix of
//! the initials, so "shan", "shanxiao", "xiaoming" and "sxm" all find 单晓明 with one term lookup.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use kexie_domain::pinyin;
use kexie_domain::text::to_half_width;

/// The dictionary is loaded once per process, on first use.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Longest pinyin prefix indexed: longer queries are cut to it (they still narrow by the rest of
/// the query's terms).
pub const MAX_PINYIN_PREFIX: usize = 24;

/// A term and its position within a field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gram {
    pub text: String,
    pub position: usize,
    /// Byte offsets in the analysed text.
    pub from: usize,
    pub to: usize,
}

/// CJK ideographs: the unified block, extension A, compatibility ideographs and the
/// supplementary-plane extensions (rare characters in names).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{323AF}')
}

/// Full-width letters and digits as ASCII, lower case: what both sides of the index see.
pub fn normalise(text: &str) -> String {
    to_half_width(text).to_lowercase()
}

/// One piece of a text: a run of Chinese characters, or a run of letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Cjk(&'a str, usize),
    Word(&'a str, usize),
}

/// Splits a (normalised) text into runs, with their byte offsets; anything else separates runs.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let class = |c: char| {
        if is_cjk(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        }
    };
    let mut out = Vec::new();
    // The start and class of the run being read.
    let mut run: Option<(usize, bool)> = None;
    for (i, c) in text.char_indices() {
        let now = class(c);
        if let Some((start, cjk)) = run {
            if now == Some(cjk) {
                continue;
            }
            out.push(piece(text, start, i, cjk));
        }
        run = now.map(|cjk| (i, cjk));
    }
    if let Some((start, cjk)) = run {
        out.push(piece(text, start, text.len(), cjk));
    }
    out
}

fn piece(text: &str, from: usize, to: usize, cjk: bool) -> Piece<'_> {
    if cjk {
        Piece::Cjk(&text[from..to], from)
    } else {
        Piece::Word(&text[from..to], from)
    }
}

/// The character grams of a text. Each Chinese character takes one position and gives the
/// bigram that starts there (and, with `unigrams` or when it stands alone, itself); each word of
/// letters and digits takes one position. Runs are a position apart, so a phrase never spans two.
pub fn grams(text: &str, unigrams: bool) -> Vec<Gram> {
    let mut out = Vec::new();
    let mut position = 0;
    for piece in pieces(text) {
        match piece {
            Piece::Word(w, at) => {
                out.push(Gram {
                    text: w.to_string(),
                    position,
                    from: at,
                    to: at + w.len(),
                });
                position += 1;
            }
            Piece::Cjk(run, at) => {
                let chars: Vec<(usize, char)> = run.char_indices().collect();
                for (k, (offset, c)) in chars.iter().enumerate() {
                    let from = at + offset;
                    if unigrams || chars.len() == 1 {
                        out.push(Gram {
                            text: c.to_string(),
                            position,
                            from,
                            to: from + c.len_utf8(),
                        });
                    }
                    if let Some((_, next)) = chars.get(k + 1) {
                        out.push(Gram {
                            text: format!("{c}{next}"),
                            position,
                            from,
                            to: from + c.len_utf8() + next.len_utf8(),
                        });
                    }
                    position += 1;
                }
            }
        }
        position += 1;
    }
    out
}

/// Words of a text by jieba's search mode (a long word and the shorter words inside it), lower
/// case, single Chinese characters and punctuation left out.
pub fn words(text: &str) -> Vec<Gram> {
    JIEBA
        .cut_for_search(text, true)
        .into_iter()
        .enumerate()
        .filter(|(_, t)| {
            let mut chars = t.word.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => !is_cjk(c) && c.is_alphanumeric(),
                (Some(_), Some(_)) => t.word.chars().any(char::is_alphanumeric),
                _ => false,
            }
        })
        .map(|(i, t)| Gram {
            text: t.word.to_lowercase(),
            position: i,
            from: t.byte_start,
            to: t.byte_end,
        })
        .collect()
}

/// Pinyin terms of a name: every prefix (up to `MAX_PINYIN_PREFIX` letters) of the full pinyin
/// starting at each syllable, so a query typed from the start of the surname or of the given
/// name finds it. `person` reads the first character(s) as a surname.
pub fn pinyin_terms(name: &str, person: bool) -> Vec<String> {
    let key = if person {
        pinyin::name_sort_key(name)
    } else {
        pinyin::sort_key(name)
    };
    let syllables: Vec<&str> = key.split(' ').filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    for start in 0..syllables.len() {
        let tail: String = syllables[start..].concat();
        push_prefixes(&mut out, &tail);
    }
    dedupe(out)
}

/// Initials terms of a name: every prefix of its initials (each spelling: 哈尔滨 is "hrb" and
/// "heb"), from the first syllable only, as the person and organisation lists match them.
pub fn initials_terms(name: &str, person: bool) -> Vec<String> {
    let variants = if person {
        pinyin::name_initials(name)
    } else {
        pinyin::initials_variants(name)
    };
    let mut out = Vec::new();
    for variant in variants.split(' ').filter(|v| !v.is_empty()) {
        push_prefixes(&mut out, variant);
    }
    dedupe(out)
}

fn push_prefixes(out: &mut Vec<String>, text: &str) {
    let text = normalise(text);
    let mut end = 0;
    for (count, c) in text.chars().enumerate() {
        if count >= MAX_PINYIN_PREFIX {
            break;
        }
        end += c.len_utf8();
        out.push(text[..end].to_string());
    }
}

fn dedupe(mut terms: Vec<String>) -> Vec<String> {
    terms.sort();
    terms.dedup();
    terms
}

/// A name as one exact term (the exact-match bonus): normalised, spaces removed.
pub fn exact(name: &str) -> String {
    normalise(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The materialised path of an organisation and every ancestor's ("/1/7/42/" → "/1/",
/// "/1/7/", "/1/7/42/"): a scope root matches any of them exactly.
pub fn path_prefixes(path: &str) -> Vec<String> {
    path.char_indices()
        .filter(|(i, c)| *c == '/' && *i > 0)
        .map(|(i, _)| path[..=i].to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(grams: &[Gram]) -> Vec<(&str, usize)> {
        grams
            .iter()
            .map(|g| (g.text.as_str(), g.position))
            .collect()
    }

    #[test]
    fn chinese_runs_give_bigrams_at_consecutive_positions() {
        assert_eq!(
            texts(&grams("科学技术", false)),
            [("科学", 0), ("学技", 1), ("技术", 2)]
        );
        assert_eq!(
            texts(&grams("张三", true)),
            [("张", 0), ("张三", 0), ("三", 1)]
        );
    }

    #[test]
    fn words_and_lone_characters_keep_their_own_positions() {
        let g = grams(&normalise("ＩＢＭ 中国·研究院 5G 所"), false);
        let t: Vec<&str> = g.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(t, ["ibm", "中国", "研究", "究院", "5g", "所"]);
        // Two runs never sit at adjacent positions, so no phrase spans the separator.
        let zhongguo = g.iter().find(|g| g.text == "中国").unwrap().position;
        let yanjiu = g.iter().find(|g| g.text == "研究").unwrap().position;
        assert!(yanjiu > zhongguo + 1);
    }

    #[test]
    fn jieba_finds_the_words_inside_a_long_name() {
        let w: Vec<String> = words("中国科学技术协会")
            .into_iter()
            .map(|g| g.text)
            .collect();
        for expected in ["中国", "科学", "技术", "协会"] {
            assert!(w.iter().any(|x| x == expected), "{expected} in {w:?}");
        }
    }

    #[test]
    fn a_surname_with_a_special_reading_is_indexed_by_that_reading() {
        let p = pinyin_terms("单晓明", true);
        assert!(p.contains(&"shan".to_string()));
        assert!(p.contains(&"shanxiaoming".to_string()));
        assert!(p.contains(&"xiaoming".to_string()));
        assert!(!p.iter().any(|t| t.starts_with("dan")));
        assert_eq!(initials_terms("单晓明", true), ["s", "sx", "sxm"]);
    }

    #[test]
    fn organisation_initials_keep_both_spellings_of_er() {
        let i = initials_terms("哈尔滨市科协", false);
        assert!(i.contains(&"hrbs".to_string()) && i.contains(&"hebs".to_string()));
    }

    #[test]
    fn a_path_gives_itself_and_its_ancestors() {
        assert_eq!(path_prefixes("/1/7/42/"), ["/1/", "/1/7/", "/1/7/42/"]);
    }
}
