//! What one line of a pasted work plan is: a task, a section heading, a deadline phrase, a
//! leader, a department, a list of responsible units, or text (a measure). Junk is `junk.rs`'s.
//!
//! Every test here looks at a half-width copy of the line (`（１）` reads as `(1)`); texts handed
//! back are cut from the line as written, at the same character positions.

use crate::deadline::{parse_deadline, DeadlineKind};
use crate::text::to_half_width;

use super::labels::{self, Labels};

/// A line as typed and its half-width copy, character for character.
pub(super) struct Line {
    pub orig: Vec<char>,
    pub norm: Vec<char>,
}

impl Line {
    pub fn new(s: &str) -> Line {
        Line {
            orig: s.chars().collect(),
            norm: to_half_width(s).chars().collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.norm.len()
    }

    /// The line as typed from character `from` on, trimmed.
    pub fn tail(&self, from: usize) -> String {
        trim(
            &self.orig[from.min(self.orig.len())..]
                .iter()
                .collect::<String>(),
        )
    }

    fn starts_with(&self, word: &str) -> bool {
        starts_with(&self.norm, word)
    }
}

pub(super) enum Kind {
    /// "(5)推动科协组织向园区…" (seeds/000) or "4.提高沟通服务能力。以增强…" (seeds/001): the
    /// latter's title is the text and the rest of the paragraph its measure.
    Task {
        number: u32,
        text: String,
        measure: Option<String>,
        labels: Labels,
    },
    /// 0 for "一、", 1 for "(一)", 2 for "1." / "1、".
    Heading {
        level: u8,
        text: String,
    },
    /// A line that only names who answers: "责任单位：A、B".
    Labels(Labels),
    Deadline,
    Leader,
    Department,
    /// Anything else: a measure, or prose outside the tasks. Trailing labels
    /// ("…(责任单位:区科协、各街道)") are taken out of the text.
    Text {
        text: String,
        labels: Labels,
    },
}

/// Longest line read as a section heading (seeds/000's longest is 15 characters).
const HEADING_MAX: usize = 40;
/// Longest line read as a deadline cell or a department cell.
const CELL_MAX: usize = 40;

pub(super) fn classify(line: &Line, plan_year: Option<i32>) -> Kind {
    if let Some(kind) = task(line).or_else(|| heading(line)) {
        return kind;
    }
    if labels::starts_with_label(&line.norm) {
        return Kind::Labels(labels::parse(&line.orig, &line.norm));
    }
    if is_deadline(line, plan_year) {
        return Kind::Deadline;
    }
    if is_leader(&line.norm) {
        return Kind::Leader;
    }
    if is_department(&line.norm) {
        return Kind::Department;
    }
    let (text, labels) = labels::take_trailing(&line.orig, &line.norm);
    Kind::Text { text, labels }
}

/// "(N)text", "（N）text", or a prose item "N.标题。正文".
fn task(line: &Line) -> Option<Kind> {
    let s = &line.norm;
    if s.first() == Some(&'(') {
        let (number, after) = digits(s, skip_spaces(s, 1))?;
        let close = skip_spaces(s, after);
        if s.get(close) != Some(&')') {
            return None;
        }
        let (text, labels) = labels::take_trailing(&line.orig[close + 1..], &s[close + 1..]);
        return Some(Kind::Task {
            number,
            text,
            measure: None,
            labels,
        });
    }
    let (number, after) = digits(s, 0)?;
    if !matches!(s.get(after), Some('.' | '、'))
        || s.get(after + 1).is_some_and(char::is_ascii_digit)
    {
        return None;
    }
    // A numbered line that is a whole paragraph is a task; a short one is a section heading.
    let body = after + 1;
    let stop = s[body..].iter().position(|c| *c == '。').map(|i| body + i);
    let sentence_follows = stop.is_some_and(|i| s[i + 1..].iter().any(|c| !c.is_whitespace()));
    if !sentence_follows && s.len() <= HEADING_MAX {
        return None;
    }
    let (rest, labels) = labels::take_trailing(&line.orig[body..], &s[body..]);
    let (text, measure) = match rest.split_once('。') {
        Some((title, body)) if !trim(body).is_empty() => (trim(title), Some(trim(body))),
        _ => (rest, None),
    };
    Some(Kind::Task {
        number,
        text,
        measure,
        labels,
    })
}

/// "一、…", "(一)…", "1.…" / "1、…" (short: see [`task`]).
fn heading(line: &Line) -> Option<Kind> {
    let s = &line.norm;
    let (level, body) = if let Some(n) = han_numeral(s, 0) {
        if s.get(n) != Some(&'、') {
            return None;
        }
        (0, n + 1)
    } else if s.first() == Some(&'(') {
        let n = han_numeral(s, 1)?;
        if s.get(n) != Some(&')') {
            return None;
        }
        (1, n + 1)
    } else {
        let (_, after) = digits(s, 0)?;
        if !matches!(s.get(after), Some('.' | '、'))
            || s.get(after + 1).is_some_and(char::is_ascii_digit)
        {
            return None;
        }
        (2, after + 1)
    };
    // "一、指导思想。坚持以…": the heading is the first sentence; the rest is prose.
    let end = s[body..]
        .iter()
        .position(|c| *c == '。')
        .map_or(s.len(), |i| body + i);
    let text = trim(&line.orig[..end].iter().collect::<String>());
    if end - body == 0 || trim(&line.tail(body)).is_empty() || (level == 2 && end > HEADING_MAX) {
        return None;
    }
    Some(Kind::Heading { level, text })
}

/// A 完成时限 cell: "2017年10月底前", "每年坚持(2017年取得阶段性成果)", "6月底前",
/// "(视网上科协平台建设进展情况)", "开展调查研究,视中国科协工作进展及时跟进" (all seeds/000).
pub(super) fn is_deadline(line: &Line, plan_year: Option<i32>) -> bool {
    let s = &line.norm;
    if s.len() > CELL_MAX || s.iter().any(|c| SENTENCE_ENDS.contains(*c)) {
        return false;
    }
    if DEADLINE_OPENERS.iter().any(|w| line.starts_with(w)) || starts_with_date(s) {
        return true;
    }
    // "(视…情况)", "开展调查研究,视…进展及时跟进": a schedule that depends on something.
    let conditional = s.split(|c| matches!(c, ',' | '(' | ')')).any(|clause| {
        starts_with(clause, "视") && !NOT_CONDITIONS.iter().any(|w| starts_with(clause, w))
    });
    if conditional {
        return true;
    }
    // "适时推进", "按期完成": a few words about timing.
    if s.len() <= 8 && TIMING_ENDS.iter().any(|w| ends_with(s, w)) {
        return true;
    }
    // Words after the date are the task itself ("2017年3月底前启动运行微信公众号"), but a
    // long line that merely mentions a date is a measure.
    let parsed = parse_deadline(&line.orig.iter().collect::<String>(), plan_year);
    parsed.kind != DeadlineKind::Unknown && (s.len() <= 20 || s[0] == '(')
}

/// Whether `next` continues the deadline phrase `phrase`, cut in two by the scraper:
/// "2019年" / "年底前" (seeds/000 item (28)), "每年坚持(2017年" / "取得阶段性成果)" (item (46)).
pub(super) fn continues_deadline(phrase: &str, next: &Line) -> bool {
    let s = &next.norm;
    if s.len() > CELL_MAX || s.iter().any(|c| SENTENCE_ENDS.contains(*c)) {
        return false;
    }
    let norm: Vec<char> = to_half_width(phrase).chars().collect();
    let open =
        norm.iter().filter(|c| **c == '(').count() > norm.iter().filter(|c| **c == ')').count();
    if open {
        return s.contains(&')') || !(is_leader(s) || is_department(s));
    }
    norm.last() == Some(&'年')
        && (["年底", "年内", "底前", "前", "上半年", "下半年"]
            .iter()
            .any(|w| next.starts_with(w))
            || starts_with_date(s))
}

/// Whether a short line finishes a section heading broken over two lines: "2.扩大科协基层" /
/// "组织的有效覆盖", "三、加强学会建设," / "改革学会治理结构和治理方式" (seeds/000).
pub(super) fn continues_heading(line: &Line) -> bool {
    line.len() <= 30
        && !line
            .norm
            .iter()
            .any(|c| SENTENCE_ENDS.contains(*c) || *c == ':')
}

/// A person's name in the 牵头领导 column: two to four Han characters, not a department.
pub(super) fn is_leader(s: &[char]) -> bool {
    (2..=4).contains(&s.len())
        && s.iter().all(|c| is_han(*c))
        && !is_department(s)
        && !NOT_NAMES.iter().any(|w| s.iter().copied().eq(w.chars()))
}

/// A 责任部门 cell: "学会部", "办公室", "机关各部门和直属各单位", "学会部、科普部".
pub(super) fn is_department(s: &[char]) -> bool {
    if !(2..=CELL_MAX).contains(&s.len())
        || !s
            .iter()
            .all(|c| is_han(*c) || matches!(c, '、' | '(' | ')' | '/' | '·'))
    {
        return false;
    }
    s.split(|c| matches!(c, '、' | '/'))
        .all(|part| part.len() >= 2 && DEPARTMENT_ENDS.iter().any(|w| ends_with(part, w)))
}

/// Trims whitespace (ideographic and no-break spaces included) and invisible characters.
pub(super) fn trim(s: &str) -> String {
    s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{feff}' | '\u{2060}')
    })
    .to_string()
}

/// The key two texts are compared by: half-width, without whitespace or punctuation.
pub(super) fn key(s: &str) -> String {
    to_half_width(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

fn starts_with(s: &[char], word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    s.starts_with(&w)
}

fn ends_with(s: &[char], word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    s.ends_with(&w)
}

/// "2017年…", "2017-2020…", "6月…": a line that opens with a date.
fn starts_with_date(s: &[char]) -> bool {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    match s.get(n) {
        Some('年' | '-') => n == 4,
        Some('月') => (1..=2).contains(&n),
        _ => false,
    }
}

/// 1 to 3 ASCII digits from `at`: the number and the index after it.
fn digits(s: &[char], at: usize) -> Option<(u32, usize)> {
    let n = s
        .get(at..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=3).contains(&n) {
        return None;
    }
    let number = s[at..at + n].iter().collect::<String>().parse().ok()?;
    Some((number, at + n))
}

/// The index after a Chinese numeral (一 … 九十九) starting at `at`.
fn han_numeral(s: &[char], at: usize) -> Option<usize> {
    let n = s
        .get(at..)?
        .iter()
        .take_while(|c| "一二三四五六七八九十".contains(**c))
        .count();
    (1..=3).contains(&n).then_some(at + n)
}

fn skip_spaces(s: &[char], at: usize) -> usize {
    at + s
        .get(at..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_whitespace()).count())
}

/// A cell or measure ending with one of these is a sentence, not a deadline or a department.
const SENTENCE_ENDS: &str = "。;!?";

const DEADLINE_OPENERS: &[&str] = &[
    "每年",
    "每季",
    "每月",
    "每半年",
    "长期",
    "持续",
    "常年",
    "常态",
    "年底",
    "年内",
    "上半年",
    "下半年",
    "全年",
    "适时",
    "及时",
    "尽快",
    "按期",
    "定期",
    "随时",
    "逐年",
    "当年",
    "本年",
];

const TIMING_ENDS: &[&str] = &["推进", "完成", "坚持", "跟进", "落实", "开展", "实施"];

/// Words opening with 视 that are not "depending on".
const NOT_CONDITIONS: &[&str] = &[
    "视频", "视察", "视野", "视角", "视觉", "视为", "视听", "视力",
];

/// How a department's name ends (seeds/000: 学会部, 办公室, 杂志社, 机关党委, 直属有关单位).
const DEPARTMENT_ENDS: &[&str] = &[
    "部", "室", "处", "社", "办", "中心", "会", "局", "委", "厅", "院", "校", "所", "单位", "协",
    "组", "站", "馆",
];

/// Two to four Han characters that are not a name.
const NOT_NAMES: &[&str] = &[
    "同上", "同前", "待定", "暂无", "全体", "领导", "相关", "有关",
];
