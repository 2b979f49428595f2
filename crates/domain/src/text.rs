//! Text normalisation shared by the identifier parsers.
//!
//! Spreadsheets and forms filled in on Chinese input methods often carry full-width digits and
//! letters (`１１０１…`), ideographic spaces (U+3000) and no-break spaces (U+00A0) copied from web
//! pages. Such input means the same thing as its ASCII form, so the parsers normalise it instead
//! of rejecting it.

/// Converts full-width ASCII (U+FF01–U+FF5E, Unicode "Halfwidth and Fullwidth Forms" block) to
/// ASCII and the ideographic space U+3000 to a plain space. Everything else is kept as is.
pub fn to_half_width(s: &str) -> String {
    // Most cells of an import are ASCII already: copied whole, not a `char` at a time.
    if s.is_ascii() {
        return s.to_string();
    }
    s.chars().map(half_width_char).collect()
}

fn half_width_char(c: char) -> char {
    match c {
        // The full-width forms sit at a fixed offset of 0xFEE0 from their ASCII counterparts.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Normalises a code as typed by a person: half-width, all whitespace removed (including U+3000
/// and U+00A0, both of which `char::is_whitespace` covers), ASCII letters in upper case.
pub fn normalise_code(s: &str) -> String {
    if s.is_ascii() {
        let code: Vec<u8> = s
            .bytes()
            .filter(|b| !char::from(*b).is_whitespace())
            .map(|b| b.to_ascii_uppercase())
            .collect();
        return String::from_utf8(code).expect("ASCII bytes are UTF-8");
    }
    s.chars()
        .map(half_width_char)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_letters_and_punctuation_become_ascii() {
        assert_eq!(to_half_width("１２３ＡＢｃ！～"), "123ABc!~");
    }

    #[test]
    fn ideographic_space_becomes_a_plain_space() {
        assert_eq!(to_half_width("a\u{3000}b"), "a b");
    }

    #[test]
    fn other_characters_are_kept() {
        // 、 and 。 (U+3001, U+3002) lie outside the full-width ASCII block.
        assert_eq!(to_half_width("张三、abc。"), "张三、abc。");
    }

    #[test]
    fn normalise_code_removes_every_kind_of_space_and_uppercases() {
        assert_eq!(
            normalise_code(" １１０１\u{3000}01\u{00A0}19900307 002ｘ\t\n"),
            "11010119900307002X"
        );
    }

    #[test]
    fn an_ascii_code_takes_the_same_spaces_out_as_any_other() {
        // Vertical tab and form feed are whitespace to `char::is_whitespace` too.
        assert_eq!(
            normalise_code(" 110101\t19900307\x0b002x\x0c\r\n"),
            "11010119900307002X"
        );
        assert_eq!(to_half_width(" a1 "), " a1 ");
    }

    #[test]
    fn normalise_code_keeps_non_ascii_letters() {
        assert_eq!(normalise_code("ä b"), "äB");
    }
}
