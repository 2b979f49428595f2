//! Contact telephone numbers as offices write them: a mainland mobile, or a landline with or
//! without its area code and extension.

use kexie_domain::phone::Mobile;
use kexie_domain::text::to_half_width;

use crate::cells::CellError;

/// Parses a mobile (via [`Mobile::parse`]) or a landline: `0451-86612345`, `(0451)86612345`,
/// `010 12345678`, `86612345-801`, `0451-86612345转801`, and service numbers `400-810-0000`.
/// Returns the normalised form: the 11 mobile digits, or `area-local[-extension]`.
pub fn parse_phone(value: &str) -> Result<String, CellError> {
    if let Ok(mobile) = Mobile::parse(value) {
        return Ok(mobile.as_str().to_string());
    }
    landline(value).ok_or_else(|| {
        CellError::new(
            "phone.format",
            format!(
                "“{}”不是有效电话号码，应为 11 位手机号或 0451-86612345 这样的固定电话",
                value.trim()
            ),
        )
    })
}

fn landline(value: &str) -> Option<String> {
    let s: String = to_half_width(value)
        .replace("转", "-")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    // 400/800 service numbers: ten digits, hyphens anywhere.
    let digits_only: String = s.chars().filter(|&c| c != '-').collect();
    if digits_only.len() == 10
        && (digits_only.starts_with("400") || digits_only.starts_with("800"))
        && digits_only.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(digits_only);
    }
    // An area code in parentheses is the same as one followed by a hyphen.
    let s = match s.strip_prefix('(').and_then(|r| r.split_once(')')) {
        Some((area, rest)) => format!("{area}-{rest}"),
        None => s,
    };
    let parts: Vec<&str> = s.split('-').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (area, local, ext) = match parts.as_slice() {
        [one] if one.starts_with('0') => {
            // Area code written straight before the number: 010 and 02x have three digits,
            // every other area code four (the national numbering plan of MIIT).
            let cut = if one.starts_with("01") || one.starts_with("02") {
                3
            } else {
                4
            };
            (Some(one.get(..cut)?), one.get(cut..)?, None)
        }
        [local] => (None, *local, None),
        [area, local] if area.starts_with('0') => (Some(*area), *local, None),
        [local, ext] => (None, *local, Some(*ext)),
        [area, local, ext] => (Some(*area), *local, Some(*ext)),
        _ => return None,
    };
    let area_ok = area.is_none_or(|a| a.starts_with('0') && (3..=4).contains(&a.len()));
    let local_ok = (7..=8).contains(&local.len()) && !local.starts_with(['0', '1']);
    let ext_ok = ext.is_none_or(|e| (1..=6).contains(&e.len()));
    if !(area_ok && local_ok && ext_ok) {
        return None;
    }
    let mut out = String::new();
    if let Some(a) = area {
        out.push_str(a);
        out.push('-');
    }
    out.push_str(local);
    if let Some(e) = ext {
        out.push('-');
        out.push_str(e);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines_are_normalised() {
        let cases = [
            ("138 0013 8000", "13800138000"),
            ("0451-86612345", "0451-86612345"),
            ("(0451)86612345", "0451-86612345"),
            ("（0451）86612345", "0451-86612345"),
            ("010 62345678", "010-62345678"),
            ("01062345678", "010-62345678"),
            ("86612345-801", "86612345-801"),
            ("0451-86612345转801", "0451-86612345-801"),
            ("86612345", "86612345"),
            ("400-810-0000", "4008100000"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_phone(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn nonsense_is_a_format_error() {
        for s in [
            "12345",
            "0451-0661234",
            "电话",
            "138001380001",
            "0451--86612345",
        ] {
            assert_eq!(parse_phone(s).unwrap_err().code, "phone.format", "{s}");
        }
    }
}
