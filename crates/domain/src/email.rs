//! E-mail addresses, checked pragmatically.
//!
//! The full grammar of RFC 5322 accepts much that no mail system delivers; the ledgers need an
//! address that is plausibly deliverable: one `@`, a non-empty local part, a domain with a dot, no
//! spaces, at most 254 characters (RFC 5321 §4.5.3.1.3, the path limit less the angle brackets).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::text::to_half_width;

const MAX_LEN: usize = 254;

/// An e-mail address with its domain in lower case (domains are case-insensitive, RFC 5321 §2.4;
/// the local part is kept as written).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("电子邮箱为空")]
    Empty,
    #[error("电子邮箱最长 254 个字符，实为 {actual} 个")]
    TooLong { actual: usize },
    #[error("电子邮箱中不能有空格")]
    Whitespace,
    #[error("电子邮箱应包含一个 @，实有 {count} 个")]
    AtSign { count: usize },
    #[error("电子邮箱 @ 前面的部分为空")]
    EmptyLocalPart,
    #[error("电子邮箱的域名“{domain}”无效，应形如 example.org")]
    Domain { domain: String },
}

impl EmailError {
    pub fn code(&self) -> &'static str {
        "email.format"
    }
}

impl Email {
    /// Parses an address; full-width characters (a `＠` typed on a Chinese input method) are
    /// read as ASCII and surrounding spaces are ignored.
    pub fn parse(s: &str) -> Result<Email, EmailError> {
        let s = to_half_width(s);
        let s = s.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        let len = s.chars().count();
        if len > MAX_LEN {
            return Err(EmailError::TooLong { actual: len });
        }
        if s.chars().any(char::is_whitespace) {
            return Err(EmailError::Whitespace);
        }
        let count = s.matches('@').count();
        let Some((local, domain)) = s.split_once('@').filter(|_| count == 1) else {
            return Err(EmailError::AtSign { count });
        };
        if local.is_empty() {
            return Err(EmailError::EmptyLocalPart);
        }
        let labels_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
        if !labels_ok {
            return Err(EmailError::Domain {
                domain: domain.to_string(),
            });
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_domain_is_lowercased_and_the_local_part_kept() {
        let e = Email::parse("  Member.One@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "Member.One@example.org");
    }

    #[test]
    fn a_full_width_at_sign_is_read_as_ascii() {
        assert_eq!(
            Email::parse("member＠example.org").unwrap().as_str(),
            "member@example.org"
        );
    }

    #[test]
    fn each_problem_is_a_format_error_with_its_own_message() {
        let cases = [
            ("", EmailError::Empty),
            ("a b@example.org", EmailError::Whitespace),
            ("member.example.org", EmailError::AtSign { count: 0 }),
            ("a@b@example.org", EmailError::AtSign { count: 2 }),
            ("@example.org", EmailError::EmptyLocalPart),
            (
                "member@localhost",
                EmailError::Domain {
                    domain: "localhost".into(),
                },
            ),
            (
                "member@example..org",
                EmailError::Domain {
                    domain: "example..org".into(),
                },
            ),
            (
                "member@example.",
                EmailError::Domain {
                    domain: "example.".into(),
                },
            ),
        ];
        for (input, expected) in cases {
            let err = Email::parse(input).unwrap_err();
            assert_eq!(err, expected, "{input}");
            assert_eq!(err.code(), "email.format");
        }
        assert_eq!(
            Email::parse("a@b@c.org").unwrap_err().to_string(),
            "电子邮箱应包含一个 @，实有 2 个"
        );
    }

    #[test]
    fn more_than_254_characters_is_too_long() {
        let long = format!("{}@example.org", "a".repeat(243));
        assert_eq!(long.len(), 255);
        assert_eq!(
            Email::parse(&long).unwrap_err(),
            EmailError::TooLong { actual: 255 }
        );
        assert!(Email::parse(&long[1..]).is_ok());
    }

    #[test]
    fn serde_uses_the_normalised_string() {
        let back: Email = serde_json::from_str("\"a@EXAMPLE.org\"").unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), "\"a@example.org\"");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,300}") {
            let _ = Email::parse(&s);
        }

        #[test]
        fn plausible_addresses_parse(local in "[a-z0-9._]{1,20}", domain in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
            let e = Email::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(e.as_str(), format!("{local}@{domain}"));
        }
    }
}
