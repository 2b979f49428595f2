//! Password policy for local accounts.
//!
//! GB/T 22239-2019 §8.1.4.1 a) asks that authentication information "具有复杂度要求"; the rules
//! below are how Kexie reads that: a minimum length, a mix of character classes, and a refusal
//! of the passwords attackers try first — common ones, ones built from the user name, and keyboard
//! or digit walks (NIST SP 800-63B §5.1.1.2 recommends the same blocklist checks). The rules
//! run in a fixed order and the first one broken is reported, so the user fixes one thing at a
//! time.

use thiserror::Error;

/// Minimum length, counted in characters (a Chinese character is one), not bytes.
pub const MIN_CHARS: usize = 12;

/// How many of the four classes (lowercase, uppercase, digit, other) a password must use.
pub const MIN_CLASSES: usize = 3;

/// A user name shorter than this is too likely to occur by chance to be refused inside a password.
const MIN_USERNAME_CHARS: usize = 3;

/// Passwords seen most often in leaked lists, worldwide and in China, one per line.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// A run shorter than this (for example "ab" or "12") is too common in good passwords to refuse.
const MIN_RUN: usize = 3;

/// Keyboard rows and columns, the alphabet and the digits. A run is a stretch of consecutive
/// characters of one of these, forwards or backwards. The column walk keeps its jumps ("z2",
/// "x3") because "1qaz2wsx3edc" is typed as one gesture.
const SEQUENCES: &[&str] = &[
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]",
];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordError {
    #[error("密码至少需要 12 个字符 / the password needs at least 12 characters")]
    TooShort,
    #[error(
        "密码需要包含小写字母、大写字母、数字、符号中的至少三类 / \
         the password needs at least three of: lowercase letters, uppercase letters, digits, symbols"
    )]
    Classes,
    #[error(
        "这个密码太常见，容易被猜中，请换一个 / \
         this password is too common and easy to guess; choose another"
    )]
    Common,
    #[error("密码不能包含用户名 / the password must not contain the user name")]
    ContainsUsername,
    #[error(
        "密码不能只是重复的字符或键盘、数字顺序 / \
         the password must not be only repeated characters or keyboard or digit sequences"
    )]
    Sequence,
}

impl PasswordError {
    pub fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort => "password.too_short",
            PasswordError::Classes => "password.classes",
            PasswordError::Common => "password.common",
            PasswordError::ContainsUsername => "password.contains_username",
            PasswordError::Sequence => "password.sequence",
        }
    }
}

/// Checks a new password against the policy. The password is taken verbatim: spaces count.
pub fn check_password(password: &str, username: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if class_count(password) < MIN_CLASSES {
        return Err(PasswordError::Classes);
    }
    if is_common(password) {
        return Err(PasswordError::Common);
    }
    if contains_username(password, username) {
        return Err(PasswordError::ContainsUsername);
    }
    if is_sequence(password) {
        return Err(PasswordError::Sequence);
    }
    Ok(())
}

/// Counts the classes used: lowercase ASCII, uppercase ASCII, ASCII digit, anything else.
fn class_count(password: &str) -> usize {
    let mut seen = [false; 4];
    for c in password.chars() {
        let class = match c {
            'a'..='z' => 0,
            'A'..='Z' => 1,
            '0'..='9' => 2,
            _ => 3,
        };
        seen[class] = true;
    }
    seen.iter().filter(|&&s| s).count()
}

/// The list is ASCII, so an ASCII case-insensitive comparison is exact.
fn is_common(password: &str) -> bool {
    common_passwords().any(|common| common.eq_ignore_ascii_case(password))
}

fn common_passwords() -> impl Iterator<Item = &'static str> {
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

fn contains_username(password: &str, username: &str) -> bool {
    let username = username.trim().to_lowercase();
    username.chars().count() >= MIN_USERNAME_CHARS && password.to_lowercase().contains(&username)
}

/// True when the whole password splits into runs of at least [`MIN_RUN`] characters, each
/// either one repeated character or a stretch of one of [`SEQUENCES`]. Case and the shift key
/// are ignored first, so "!QAZ@wsx" is read as "1qaz2wsx" and "Qwer1234!@#$" as three runs.
fn is_sequence(password: &str) -> bool {
    let chars: Vec<char> = password.chars().map(unshift).collect();
    let n = chars.len();
    if n == 0 {
        return false;
    }
    let ends = run_ends(&chars);
    // Position k is reachable when chars[..k] splits into runs. A run starting at a reachable i
    // makes every k in i + MIN_RUN ..= ends[i] reachable; a difference array keeps this linear.
    let mut diff = vec![0i64; n + 2];
    let mut open = 0i64;
    for (i, &end) in ends.iter().enumerate() {
        open += diff[i];
        let reachable = i == 0 || open > 0;
        if reachable && end >= i + MIN_RUN {
            diff[i + MIN_RUN] += 1;
            diff[end + 1] -= 1;
        }
    }
    open += diff[n];
    open > 0
}

/// For each position, the exclusive end of the longest run that starts there.
fn run_ends(chars: &[char]) -> Vec<usize> {
    let n = chars.len();
    let mut best: Vec<usize> = (1..=n).collect();
    let mut steps: Vec<Box<dyn Fn(char, char) -> bool>> = vec![Box::new(|a, b| a == b)];
    for seq in SEQUENCES {
        let seq: Vec<char> = seq.chars().collect();
        let backward = seq.clone();
        steps.push(Box::new(move |a, b| seq.windows(2).any(|w| w == [a, b])));
        steps.push(Box::new(move |a, b| {
            backward.windows(2).any(|w| w == [b, a])
        }));
    }
    for step in &steps {
        let mut end = n;
        for i in (0..n).rev() {
            if i + 1 == n || !step(chars[i], chars[i + 1]) {
                end = i + 1;
            }
            best[i] = best[i].max(end);
        }
    }
    best
}

/// Lowercases and maps a shifted symbol to the key it is typed on (US layout).
fn unshift(c: char) -> char {
    match c {
        '!' => '1',
        '@' => '2',
        '#' => '3',
        '$' => '4',
        '%' => '5',
        '^' => '6',
        '&' => '7',
        '*' => '8',
        '(' => '9',
        ')' => '0',
        '_' => '-',
        '+' => '=',
        '{' => '[',
        '}' => ']',
        '|' => '\\',
        ':' => ';',
        '"' => '\'',
        '<' => ',',
        '>' => '.',
        '?' => '/',
        '~' => '`',
        c => c.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "Tq7!mzR2wPx9";

    #[test]
    fn a_long_mixed_uncommon_password_is_accepted() {
        assert_eq!(check_password(GOOD, "zhangsan"), Ok(()));
    }

    #[test]
    fn eleven_characters_are_too_short_and_twelve_are_enough() {
        assert_eq!(
            check_password("Tq7!mzR2wPx", ""),
            Err(PasswordError::TooShort)
        );
        assert_eq!(check_password("Tq7!mzR2wPx9", ""), Ok(()));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let eleven = "科协Tq7!mzR2科";
        assert_eq!(eleven.chars().count(), 11);
        assert!(eleven.len() > 12);
        assert_eq!(check_password(eleven, ""), Err(PasswordError::TooShort));
        assert_eq!(check_password("科协Tq7!mzR2科协", ""), Ok(()));
    }

    #[test]
    fn two_classes_are_refused_and_three_are_enough() {
        assert_eq!(
            check_password("tqmzrwpx7k4n", ""),
            Err(PasswordError::Classes)
        );
        assert_eq!(
            check_password("TQMZRWPX!K?N", ""),
            Err(PasswordError::Classes)
        );
        assert_eq!(check_password("tqmzRwpx7k4n", ""), Ok(()));
        assert_eq!(check_password("tqmzrwpx7k4n!", ""), Ok(()));
    }

    #[test]
    fn a_non_ascii_character_counts_as_other() {
        assert_eq!(check_password("tqmzrwpx7k4n科", ""), Ok(()));
        assert_eq!(check_password("tqmzrwpxékvn7", ""), Ok(()));
    }

    #[test]
    fn common_passwords_that_meet_the_other_rules_are_refused() {
        for p in [
            "P@ssw0rd1234",
            "Admin@123456",
            "Qwer1234!@#$",
            "1qaz@WSX3edc",
            "Aa123456789!",
            "Password@123",
            "Kexie@123456",
        ] {
            assert_eq!(check_password(p, ""), Err(PasswordError::Common), "{p}");
        }
    }

    #[test]
    fn the_common_list_is_compared_ignoring_case() {
        assert_eq!(
            check_password("p@SSW0RD1234", ""),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password("ADMIN@123456", ""),
            Err(PasswordError::Common)
        );
    }

    #[test]
    fn every_line_of_the_common_list_is_refused() {
        for p in common_passwords() {
            assert!(check_password(p, "").is_err(), "{p} was accepted");
        }
    }

    #[test]
    fn the_common_list_is_large_clean_and_has_the_chinese_favourites() {
        let list: Vec<&str> = common_passwords().collect();
        assert!(list.len() >= 300, "only {} entries", list.len());
        let mut seen = std::collections::HashSet::new();
        for p in &list {
            assert!(p.is_ascii(), "{p}");
            assert!(seen.insert(p.to_ascii_lowercase()), "{p} is listed twice");
        }
        for p in [
            "woaini1314",
            "5201314",
            "1qaz2wsx",
            "qwertyuiop",
            "Aa123456",
            "Aa123456789",
            "P@ssw0rd",
            "Passw0rd!",
            "Admin@123",
            "Abc@123456",
            "Qq123456",
            "zxcvbnm",
            "147258369",
            "a123456789",
            "Woaini@1314",
            "Huawei@123",
            "Kexie@123456",
        ] {
            assert!(is_common(p), "{p} is missing");
        }
    }

    #[test]
    fn a_password_containing_the_username_is_refused_ignoring_case() {
        assert_eq!(
            check_password("xZhangSan#2024", "zhangsan"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(
            check_password("Tq7!mzR2wPx9wyz", "WYZ"),
            Err(PasswordError::ContainsUsername)
        );
    }

    #[test]
    fn a_username_shorter_than_three_characters_is_not_looked_for() {
        assert_eq!(check_password("Tq7!mzR2wPx9li", "li"), Ok(()));
        assert_eq!(check_password(GOOD, ""), Ok(()));
    }

    #[test]
    fn a_chinese_username_is_looked_for_too() {
        assert_eq!(
            check_password("Tq7!张三丰mzR2wPx9", "张三丰"),
            Err(PasswordError::ContainsUsername)
        );
    }

    #[test]
    fn keyboard_and_digit_walks_are_refused() {
        for p in [
            "Zaq1Xsw2Cde3",
            "Asdf1234Zxcv",
            "!QAZ2wsx#EDC4rfv",
            "Qwertyuiop123",
            "Abcdefgh9876",
            "Aaaaaaaa!!!!",
            "Mnbvcxz!@#$%",
        ] {
            assert_eq!(check_password(p, ""), Err(PasswordError::Sequence), "{p}");
        }
    }

    #[test]
    fn a_single_repeated_character_is_a_sequence() {
        assert!(is_sequence("aaaaaaaaaaaa"));
        assert!(is_sequence("AaAaAaAaAaAa"));
        assert!(is_sequence("科科科科科科科科科科科科"));
    }

    #[test]
    fn a_password_with_a_sequence_inside_is_not_a_sequence() {
        assert!(!is_sequence("Tq7!1234mzR2"));
        assert!(!is_sequence("qwer1234xq"));
        assert_eq!(check_password("Tq7!1234mzR2", ""), Ok(()));
    }

    #[test]
    fn every_error_has_a_code_and_a_bilingual_message() {
        for e in [
            PasswordError::TooShort,
            PasswordError::Classes,
            PasswordError::Common,
            PasswordError::ContainsUsername,
            PasswordError::Sequence,
        ] {
            assert!(e.code().starts_with("password."));
            assert!(e.to_string().contains(" / "), "{e}");
        }
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "密码至少需要 12 个字符 / the password needs at least 12 characters"
        );
    }
}
