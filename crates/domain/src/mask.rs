//! Masked display of personal data (DESIGN.md, "Personal data is protected by default").
//!
//! The usual forms are `1101**********002X` for an identity number, `138****5678` for a mobile
//! number and `张**` for a name. Input of an unexpected length is still masked: the result has
//! as many characters as the input, never panics, and shows at most half of them.

/// Keeps `head` characters at the start and `tail` at the end of `s` (of `n` characters),
/// replacing the rest with `*`. ASCII (every ID number and phone) is masked byte by byte.
fn keep_ends(s: &str, n: usize, head: usize, tail: usize) -> String {
    if s.is_ascii() {
        let mut bytes = s.as_bytes().to_vec();
        if let Some(middle) = bytes.get_mut(head..n.saturating_sub(tail)) {
            middle.fill(b'*');
        }
        return String::from_utf8(bytes).unwrap_or_default();
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < head || i + tail >= n { c } else { '*' })
        .collect()
}

/// How many characters to show at each end of an input of `n` characters: at most `wanted`,
/// and together never more than half of `n`.
fn safe_end(n: usize, wanted: usize) -> usize {
    wanted.min(n / 4)
}

/// `11010519491231002X` → `1101**********002X`: first 4 and last 4 shown (region prefix and
/// sequence, neither the birth date).
pub fn mask_id_number(s: &str) -> String {
    let n = s.chars().count();
    let keep = safe_end(n, 4);
    keep_ends(s, n, keep, keep)
}

/// `13812345678` → `138****5678`: first 3 and last 4 of an 11-digit number; other lengths show
/// at most a quarter of the characters at each end.
pub fn mask_phone(s: &str) -> String {
    let n = s.chars().count();
    if n == 11 {
        return keep_ends(s, n, 3, 4);
    }
    keep_ends(s, n, safe_end(n, 3), safe_end(n, 4))
}

/// `张三丰` → `张**`: the first character kept, every other one replaced; a one-character name
/// is shown as is. Surrounding spaces are dropped.
pub fn mask_name(s: &str) -> String {
    let name = s.trim();
    keep_ends(name, name.chars().count(), 1, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn id_numbers_show_four_and_four() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
    }

    #[test]
    fn an_old_15_digit_id_number_shows_three_and_three() {
        assert_eq!(mask_id_number("110105491231002"), "110*********002");
    }

    #[test]
    fn mobile_numbers_show_three_and_four() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }

    #[test]
    fn other_phone_numbers_show_at_most_half() {
        assert_eq!(mask_phone("010-68001234"), "010******234");
        assert_eq!(mask_phone("12345"), "1***5");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn names_keep_their_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("王"), "王");
        assert_eq!(mask_name(" 欧阳一二 "), "欧***");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn short_or_empty_input_is_all_stars() {
        assert_eq!(mask_id_number(""), "");
        assert_eq!(mask_id_number("123"), "***");
        assert_eq!(mask_phone(""), "");
    }

    fn stars(s: &str) -> usize {
        s.chars().filter(|&c| c == '*').count()
    }

    proptest! {
        #[test]
        fn id_masks_keep_length_and_show_at_most_half(s in "\\PC{0,40}") {
            let masked = mask_id_number(&s);
            let n = s.chars().count();
            prop_assert_eq!(masked.chars().count(), n);
            prop_assert!(stars(&masked) >= n - n / 2);
        }

        #[test]
        fn phone_masks_keep_length_and_hide_the_middle(s in "\\PC{0,30}") {
            let masked = mask_phone(&s);
            let n = s.chars().count();
            prop_assert_eq!(masked.chars().count(), n);
            let least_hidden = if n == 11 { 4 } else { n - n / 2 };
            prop_assert!(stars(&masked) >= least_hidden);
        }

        #[test]
        fn name_masks_never_panic_and_keep_length(s in "\\PC{0,20}") {
            let masked = mask_name(&s);
            prop_assert_eq!(masked.chars().count(), s.trim().chars().count());
        }
    }
}
