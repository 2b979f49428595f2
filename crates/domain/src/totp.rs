//! Time-based one-time passwords, the second factor GB/T 22239-2019 §8.1.4.1 d) asks for at
//! level 3 ("两种或两种以上组合的鉴别技术").
//!
//! RFC 6238 with the parameters every authenticator app assumes (Google Authenticator, Microsoft
//! Authenticator, the WeChat mini-program authenticators): HMAC-SHA1, 6 digits, 30-second steps,
//! counted from the Unix epoch. The secret is shown to the user as RFC 4648 base32, inside an
//! `otpauth://` URI that the app reads from a QR code.

use std::fmt;

use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::text::normalise_code;

/// Length of a generated secret: 160 bits, the HMAC-SHA1 output size (RFC 4226 §4 R6).
const SECRET_BYTES: usize = 20;
const DIGITS: u32 = 6;
const STEP_SECONDS: i64 = 30;
/// Steps accepted either side of the current one, for clocks that drift (RFC 6238 §5.2).
const DRIFT_STEPS: i64 = 1;

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A shared TOTP secret. `Debug` hides the bytes so the secret never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// 20 bytes from the operating system's random number generator.
    pub fn generate() -> TotpSecret {
        let mut bytes = vec![0u8; SECRET_BYTES];
        // Failure means the OS has no entropy source at all; nothing sensible can go on.
        getrandom::getrandom(&mut bytes)
            .expect("the operating system random number generator failed");
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> TotpSecret {
        TotpSecret(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// RFC 4648 §6 base32, upper case, without `=` padding (the form authenticator apps expect).
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// Reads base32 as a person types or pastes it: lower case, spaces, full-width characters and
    /// trailing `=` padding are accepted. `None` for an empty secret, a character outside the
    /// alphabet or a length no whole number of bytes encodes to.
    pub fn from_base32(s: &str) -> Option<TotpSecret> {
        let normalised = normalise_code(s);
        let bytes = base32_decode(normalised.trim_end_matches('='))?;
        (!bytes.is_empty()).then_some(TotpSecret(bytes))
    }

    /// The key URI that authenticator apps read from a QR code
    /// (github.com/google/google-authenticator/wiki/Key-Uri-Format).
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
             &algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            account = percent_encode(account),
            secret = self.to_base32(),
        )
    }

    /// The 6-digit code, zero-padded, for the step containing `unix_seconds`.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        code_for_counter(&self.0, step_of(unix_seconds), DIGITS)
    }

    /// Checks a code typed by the user against the current step and one step either side. On
    /// success returns the matched step counter: the caller stores it and refuses a later code
    /// whose counter is not greater, so one code cannot be used twice (RFC 6238 §5.2).
    ///
    /// Spaces and full-width digits are accepted; anything that is not then six ASCII digits is
    /// refused. The comparison takes the same time whichever digits are wrong.
    pub fn verify(&self, code: &str, unix_seconds: i64) -> Option<i64> {
        let code = normalise_code(code);
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = step_of(unix_seconds);
        let mut matched = None;
        // All candidates are computed and compared, so the time taken does not reveal which step
        // matched; the latest match wins, which blocks the most codes from reuse.
        for step in current - DRIFT_STEPS..=current + DRIFT_STEPS {
            let expected = code_for_counter(&self.0, step, DIGITS);
            if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
                matched = Some(step);
            }
        }
        matched
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

/// The RFC 6238 §4.2 time step: whole 30-second periods since the epoch (floored for times
/// before it, which never occur in practice but must not panic).
fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// HOTP (RFC 4226 §5.3): HMAC-SHA1 of the big-endian counter, dynamic truncation, the last
/// `digits` decimal digits, zero-padded.
fn code_for_counter(key: &[u8], counter: i64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    // A negative counter is reinterpreted as its two's complement; only pre-1970 times give one.
    mac.update(&(counter as u64).to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32_ALPHABET[((buffer >> bits) & 0x1f) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32_ALPHABET[((buffer << (5 - bits)) & 0x1f) as usize] as char);
    }
    out
}

/// Decodes unpadded upper-case base32. Leftover bits after the last whole byte are ignored,
/// as authenticator apps do.
fn base32_decode(s: &str) -> Option<Vec<u8>> {
    // 8 characters carry 5 bytes; a final group of 1, 3 or 6 characters ends mid-byte.
    if matches!(s.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// Percent-encodes everything except RFC 3986 §2.3 unreserved characters, byte by byte in UTF-8.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RFC 6238 appendix B: the SHA1 key is the ASCII string "12345678901234567890".
    const RFC_KEY: &[u8] = b"12345678901234567890";
    const RFC_VECTORS: &[(i64, &str)] = &[
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(RFC_KEY)
    }

    #[test]
    fn eight_digit_codes_match_rfc_6238_appendix_b() {
        for &(time, expected) in RFC_VECTORS {
            assert_eq!(
                code_for_counter(RFC_KEY, step_of(time), 8),
                expected,
                "t={time}"
            );
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_of_the_rfc_vectors() {
        for &(time, expected) in RFC_VECTORS {
            assert_eq!(rfc_secret().code_at(time), &expected[2..], "t={time}");
        }
    }

    #[test]
    fn a_code_is_zero_padded_to_six_digits() {
        // 1111111109 gives 07081804, whose last six digits start with 0.
        let code = rfc_secret().code_at(1_111_111_109);
        assert_eq!(code, "081804");
        assert_eq!(rfc_secret().code_at(59), "287082");
    }

    #[test]
    fn the_current_code_verifies_and_returns_its_step() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        assert_eq!(secret.verify(&secret.code_at(now), now), Some(now / 30));
    }

    #[test]
    fn a_code_one_step_either_side_is_accepted() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let step = now / 30;
        assert_eq!(
            secret.verify(&secret.code_at(now - 30), now),
            Some(step - 1)
        );
        assert_eq!(
            secret.verify(&secret.code_at(now + 30), now),
            Some(step + 1)
        );
    }

    #[test]
    fn a_code_two_steps_away_is_refused() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        assert_eq!(secret.verify(&secret.code_at(now - 60), now), None);
        assert_eq!(secret.verify(&secret.code_at(now + 60), now), None);
    }

    #[test]
    fn spaces_and_full_width_digits_around_a_code_are_accepted() {
        let secret = rfc_secret();
        assert_eq!(secret.verify(" 287 082 ", 59), Some(1));
        assert_eq!(secret.verify("２８７０８２", 59), Some(1));
    }

    #[test]
    fn malformed_codes_are_refused() {
        let secret = rfc_secret();
        for code in [
            "",
            " ",
            "28708",
            "2870822",
            "28708a",
            "-28708",
            "+287082",
            "287.082",
            "２８７０８",
            "科协科协科协",
            "94287082",
        ] {
            assert_eq!(secret.verify(code, 59), None, "{code:?}");
        }
    }

    #[test]
    fn extreme_times_do_not_panic() {
        let secret = rfc_secret();
        for t in [i64::MIN, -1, 0, i64::MAX] {
            let code = secret.code_at(t);
            assert_eq!(code.len(), 6);
            assert!(secret.verify(&code, t).is_some());
        }
    }

    #[test]
    fn generated_secrets_are_twenty_random_bytes() {
        let a = TotpSecret::generate();
        let b = TotpSecret::generate();
        assert_eq!(a.as_bytes().len(), 20);
        assert_ne!(a, b);
        assert_eq!(a.to_base32().len(), 32);
    }

    #[test]
    fn base32_matches_rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            let secret = TotpSecret::from_bytes(plain.as_bytes());
            assert_eq!(secret.to_base32(), encoded);
            assert_eq!(TotpSecret::from_base32(encoded), Some(secret));
        }
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn base32_as_people_type_it_is_accepted() {
        let expected = Some(rfc_secret());
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            expected
        );
        assert_eq!(
            TotpSecret::from_base32("MZXW6YTBOI======"),
            Some(TotpSecret::from_bytes(b"foobar"))
        );
    }

    #[test]
    fn bad_base32_is_refused() {
        for s in [
            "", "  ", "M", "MZX", "MZXW6Y", "MZXW6YT1", "MZXW6YT8", "MZ-XQ", "秘钥",
        ] {
            assert_eq!(TotpSecret::from_base32(s), None, "{s:?}");
        }
    }

    #[test]
    fn the_otpauth_uri_has_the_app_parameters_and_encodes_names() {
        let uri = rfc_secret().otpauth_uri("中国科协", "zhang san@example.cn");
        assert_eq!(
            uri,
            "otpauth://totp/%E4%B8%AD%E5%9B%BD%E7%A7%91%E5%8D%8F:zhang%20san%40example.cn\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E4%B8%AD%E5%9B%BD%E7%A7%91%E5%8D%8F\
             &algorithm=SHA1&digits=6&period=30"
        );
        let plain = rfc_secret().otpauth_uri("Kexie", "admin");
        assert!(plain.starts_with("otpauth://totp/Kexie:admin?secret="));
        assert!(plain.contains("&issuer=Kexie&"));
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let shown = format!("{:?}", rfc_secret());
        assert_eq!(shown, "TotpSecret(..)");
    }

    proptest! {
        #[test]
        fn base32_round_trips(bytes in prop::collection::vec(any::<u8>(), 1..64)) {
            let secret = TotpSecret::from_bytes(&bytes);
            let encoded = secret.to_base32();
            prop_assert!(!encoded.contains('='));
            prop_assert_eq!(TotpSecret::from_base32(&encoded), Some(secret.clone()));
            prop_assert_eq!(TotpSecret::from_base32(&encoded.to_lowercase()), Some(secret));
        }

        #[test]
        fn from_base32_never_panics(s in "\\PC*") {
            let _ = TotpSecret::from_base32(&s);
        }

        #[test]
        fn verify_never_panics(code in "\\PC{0,12}", t in any::<i64>()) {
            let _ = TotpSecret::from_bytes(RFC_KEY).verify(&code, t);
        }

        #[test]
        fn every_code_verifies_at_its_own_time(t in 0i64..4_000_000_000) {
            let secret = rfc_secret();
            let step = t.div_euclid(30);
            // The next step's code equals this one about once in a million; then it wins.
            let matched = secret.verify(&secret.code_at(t), t);
            prop_assert!(matches!(matched, Some(s) if s == step || s == step + 1), "{matched:?}");
        }
    }
}
