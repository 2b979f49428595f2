//! What a scraper leaves around a plan: site banners, page numbers and page furniture
//! (seeds/000 opens with a document-sharing site's banner), and a truncation note after which the
//! text is the site's, not the plan's (seeds/001).

use crate::deadline::{parse_deadline, DeadlineKind};

use super::line::Line;

/// Site banners, page furniture and page numbers left by the scraper.
pub(super) fn is_junk(line: &Line, plan_year: Option<i32>) -> bool {
    let lower: String = line.norm.iter().collect::<String>().to_lowercase();
    if JUNK_MARKS.iter().any(|m| lower.contains(m)) || (lower.contains('<') && lower.contains('>'))
    {
        return true;
    }
    if FURNITURE.iter().any(|w| lower == *w) {
        return true;
    }
    // "12", "- 3 -", "第3页 共73页": no words at all.
    let words: Vec<char> = line
        .norm
        .iter()
        .copied()
        .filter(|c| c.is_alphanumeric() && !c.is_ascii_digit() && !"第共页".contains(*c))
        .collect();
    words.is_empty() && parse_deadline(&lower, plan_year).kind == DeadlineKind::Unknown
}

/// Cuts a scraper's truncation note ("……(未完,全文共3500字,当前仅显示1767字…", seeds/001) off
/// a line. `true` when the note was there: the document text ends at it.
pub(super) fn cut_truncation(s: &str) -> (&str, bool) {
    let at = ["(未完", "（未完"].iter().filter_map(|m| s.find(m)).min();
    match at {
        Some(i) => (
            s[..i].trim_end_matches(|c: char| c == '…' || c == '.' || c.is_whitespace()),
            true,
        ),
        None => (s, false),
    }
}

/// Substrings that only a scraper's banner or page furniture contains (lowercase, half-width).
const JUNK_MARKS: &[&str] = &[
    "由会员分享",
    "可在线阅读",
    "页珍藏版",
    "冰豆网",
    "正式会员可完整阅读",
    "您的位置",
    "发表时间",
    "http://",
    "https://",
    "www.",
    ".doc",
    ".pdf",
    ".wps",
    "文档格式",
    "目录/提纲",
];

/// Whole lines that are page furniture.
const FURNITURE: &[&str] = &[
    "文章搜索",
    "相关文章",
    "相关推荐",
    "热门文章",
    "上一篇",
    "下一篇",
    "返回顶部",
    "打印本页",
    "关闭窗口",
    "收藏本文",
    "目录",
    "同上",
    "同前",
    "〃",
];
