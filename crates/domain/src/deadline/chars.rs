//! Normalising a phrase and reading it one char at a time.
//!
//! Work-plan tables are typed by hand and scraped from web pages: full-width digits and
//! parentheses, every kind of dash, stray spaces and line breaks inside a cell, and now and then
//! traditional characters. The grammar reads a normalised copy; texts handed back to the caller
//! (milestones, conditions) are cut from the original characters at the same positions.

use std::ops::Range;

/// A phrase after normalisation. `norm` and `orig` have the same length: `norm[i]` is what the
/// grammar sees of the character the writer typed as `orig[i]`.
#[derive(Debug, Clone, Default)]
pub(super) struct Chars {
    pub norm: Vec<char>,
    pub orig: Vec<char>,
}

impl Chars {
    fn push(&mut self, norm: char, orig: char) {
        self.norm.push(norm);
        self.orig.push(orig);
    }

    fn is_empty(&self) -> bool {
        self.norm.is_empty()
    }

    /// The writer's text, trimmed of punctuation at both ends.
    pub fn text(&self) -> String {
        self.text_without(0..0)
    }

    /// The writer's text with `cut` (a date expression) taken out, trimmed.
    pub fn text_without(&self, cut: Range<usize>) -> String {
        let keep = |i: &usize| !cut.contains(i);
        let s: String = (0..self.orig.len())
            .filter(keep)
            .map(|i| self.orig[i])
            .collect();
        s.trim_matches(|c: char| TRIM.contains(c) || c.is_whitespace())
            .to_string()
    }
}

/// Punctuation trimmed from the ends of a milestone or condition text (parentheses left over
/// from nested or broken groups included).
const TRIM: &str = ",，;；:：。.、-—－~～()（）";

/// Characters that separate clauses (after normalisation).
const CLAUSE_BREAKS: &str = ",;。";

pub(super) fn normalise(input: &str) -> Chars {
    let raw: Vec<char> = input.chars().filter(|c| !is_invisible(*c)).collect();
    let mut out = Chars::default();
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c.is_whitespace() {
            // Drop a run of whitespace, except between two ASCII words ("App 上线" keeps none,
            // "Office 2016" keeps one).
            let mut j = i;
            while j < raw.len() && raw[j].is_whitespace() {
                j += 1;
            }
            let before = out.norm.last().is_some_and(|p| p.is_ascii_alphanumeric());
            let after = raw.get(j).is_some_and(|n| fold(*n).is_ascii_alphanumeric());
            if before && after {
                out.push(' ', ' ');
            }
            i = j;
            continue;
        }
        out.push(fold(c), c);
        i += 1;
    }
    out
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{00ad}'
    )
}

/// One character as the grammar wants to see it.
fn fold(c: char) -> char {
    let c = match c {
        // Full-width ASCII: ０-９, （）, －, ／, ．, ～, ，, ；, ：
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '﹙' => '(',
        '﹚' => ')',
        _ => c,
    };
    match c {
        '—' | '–' | '―' | '‐' | '‑' | '‒' | '−' | '﹣' | '~' | '〜' | '⁓' => '-',
        '，' => ',',
        '；' => ';',
        // The few traditional characters that occur in the keywords (seeds/002 and seeds/003
        // are in traditional script).
        '長' => '长',
        '續' => '续',
        '內' => '内',
        '堅' => '坚',
        '開' => '开',
        '進' => '进',
        '終' => '终',
        '態' => '态',
        '當' => '当',
        '來' => '来',
        '後' => '后',
        '號' => '号',
        '為' => '为',
        '經' => '经',
        '斷' => '断',
        '據' => '据',
        '視' => '视',
        '結' => '结',
        '與' => '与',
        '間' => '间',
        _ => c,
    }
}

/// Splits a phrase into the text outside parentheses and the parenthesised groups, in order.
/// A stray `)` is dropped; a `(` never closed runs to the end (a cell cut in two by the scraper,
/// as in seeds/000 item (46): "每年坚持(2017年" / "取得阶段性成果)").
pub(super) fn split_parens(all: &Chars) -> (Chars, Vec<Chars>) {
    let mut main = Chars::default();
    let mut groups = Vec::new();
    let mut group = Chars::default();
    let mut depth = 0usize;
    let mut after_group = false;
    for (&n, &o) in all.norm.iter().zip(&all.orig) {
        match n {
            '(' => {
                if depth > 0 {
                    group.push(n, o);
                }
                depth += 1;
            }
            ')' if depth == 0 => {}
            ')' => {
                depth -= 1;
                if depth == 0 {
                    groups.push(std::mem::take(&mut group));
                    after_group = true;
                } else {
                    group.push(n, o);
                }
            }
            _ if depth > 0 => group.push(n, o),
            _ => {
                // Keep what stood before and after a group from running together.
                if after_group && !main.is_empty() {
                    main.push(',', ',');
                }
                after_group = false;
                main.push(n, o);
            }
        }
    }
    if depth > 0 {
        groups.push(group);
    }
    (main, groups)
}

/// Splits at commas, semicolons and full stops; empty clauses are dropped.
pub(super) fn clauses(all: &Chars) -> Vec<Chars> {
    let mut out = Vec::new();
    let mut cur = Chars::default();
    for (&n, &o) in all.norm.iter().zip(&all.orig) {
        if CLAUSE_BREAKS.contains(n) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(n, o);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `needle` occurs in `hay`.
pub(super) fn contains(hay: &[char], needle: &str) -> bool {
    let needle: Vec<char> = needle.chars().collect();
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Whether `hay` starts with `needle`.
pub(super) fn starts_with(hay: &[char], needle: &str) -> bool {
    let mut it = hay.iter();
    needle.chars().all(|c| it.next() == Some(&c))
}

/// A number as written: ASCII digits or Chinese numerals.
#[derive(Debug, Clone, Copy)]
pub(super) struct Num {
    pub value: u32,
    /// How many ASCII digits it was written with; 0 for Chinese numerals.
    pub ascii_digits: usize,
}

/// A cursor over normalised chars.
pub(super) struct Cur<'a> {
    s: &'a [char],
    pub i: usize,
}

impl<'a> Cur<'a> {
    pub fn new(s: &'a [char], i: usize) -> Self {
        Cur { s, i }
    }

    pub fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    /// Consumes `lit` if the text continues with it.
    pub fn eat(&mut self, lit: &str) -> bool {
        if starts_with(&self.s[self.i.min(self.s.len())..], lit) {
            self.i += lit.chars().count();
            true
        } else {
            false
        }
    }

    /// Consumes the first of `lits` the text continues with (list longer words first).
    pub fn eat_any(&mut self, lits: &[&str]) -> bool {
        lits.iter().any(|l| self.eat(l))
    }

    /// Whether the text continues with one of `lits`, without consuming it.
    pub fn sees_any(&self, lits: &[&str]) -> bool {
        let rest = &self.s[self.i.min(self.s.len())..];
        lits.iter().any(|l| starts_with(rest, l))
    }

    /// Reads a number: `2017`, `１０` (already folded), `十月`'s 十, `二〇一八`, `二十一`.
    /// Consumes nothing when there is no number or it is absurdly long (digit soup).
    pub fn number(&mut self) -> Option<Num> {
        let start = self.i;
        let mut j = start;
        while self.s.get(j).is_some_and(char::is_ascii_digit) {
            j += 1;
        }
        if j > start {
            if j - start > 9 {
                return None;
            }
            let value = self.s[start..j].iter().collect::<String>().parse().ok()?;
            self.i = j;
            return Some(Num {
                value,
                ascii_digits: j - start,
            });
        }
        while let Some(&c) = self.s.get(j) {
            // A letter O typed for 〇 inside a year ("二O一八").
            let zero_typo = matches!(c, 'O' | 'o') && j > start;
            if cn_digit(c).is_none() && cn_unit(c).is_none() && !zero_typo {
                break;
            }
            j += 1;
        }
        if j == start || j - start > 8 {
            return None;
        }
        let value = cn_value(&self.s[start..j])?;
        self.i = j;
        Some(Num {
            value,
            ascii_digits: 0,
        })
    }
}

fn cn_digit(c: char) -> Option<u32> {
    let d = match c {
        '〇' | '零' | 'O' | 'o' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    Some(d)
}

fn cn_unit(c: char) -> Option<u32> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1000),
        _ => None,
    }
}

/// Whether `c` can be part of a number (a date expression never starts right after one).
pub(super) fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || (cn_digit(c).is_some() && !c.is_ascii()) || cn_unit(c).is_some()
}

/// `二十一` = 21 (positional, with 十/百/千); `二〇一八` = 2018 (digit by digit).
fn cn_value(s: &[char]) -> Option<u32> {
    if s.iter().any(|c| cn_unit(*c).is_some()) {
        let (mut total, mut pending) = (0u32, 0u32);
        for &c in s {
            if let Some(u) = cn_unit(c) {
                total = total.checked_add(pending.max(1).checked_mul(u)?)?;
                pending = 0;
            } else {
                pending = cn_digit(c)?;
            }
        }
        total.checked_add(pending)
    } else {
        s.iter().try_fold(0u32, |acc, c| {
            acc.checked_mul(10)?.checked_add(cn_digit(*c)?)
        })
    }
}
