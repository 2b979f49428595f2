//! Field encryption for personal data (ID numbers, phone numbers).
//!
//! Values are encrypted with SM4 in GCM mode (GB/T 32907-2016 block cipher; an authenticated mode,
//! as 等级保护 2.0 level 3 expects), or AES-256-GCM where configured. Each ciphertext is bound to its
//! column through the associated data, so a value copied into another column does not decrypt.
//! Exact lookups use a keyed SM3 hash (HMAC-SM3, GB/T 32905-2016) of the normalised value.
//! Keys live outside the database: in `field.key` in the data directory (created at first start,
//! readable by the owner only) or in the `KEXIE_FIELD_KEY` environment variable.

use std::path::Path;

use hmac::{Hmac, Mac};
use thiserror::Error;

use crate::sealer::Sealer;

type HmacSm3 = Hmac<sm3::Sm3>;

const HEADER: &str = "kexie-field-key-v1";
const SM4_GCM: u8 = 1;
const AES_256_GCM: u8 = 2;

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("字段加密密钥格式错误 / malformed field-encryption key: {0}")]
    Malformed(&'static str),
    #[error("无法读写密钥文件 {path} / cannot read or write key file: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("密文无法解密（密钥不符或数据损坏） / ciphertext does not decrypt (wrong key or damaged data)")]
    Decrypt,
}

/// Which cipher new values are written with. Both are always readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sm4Gcm,
    Aes256Gcm,
}

#[derive(Clone)]
pub struct FieldCipher {
    algorithm: Algorithm,
    enc_key: [u8; 32],
    mac_key: [u8; 32],
    // The keys expanded once: an import of a million people encrypts two million values and
    // hashes four million, and the key schedules cost as much as the values.
    sealer: Sealer,
    /// HMAC-SM3 with the key absorbed; cloned per hash.
    mac: HmacSm3,
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldCipher")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Bytes of a lookup hash (stored as twice as many hex digits).
const LOOKUP_HASH_BYTES: usize = 16;

impl FieldCipher {
    /// A fresh random key.
    pub fn generate(algorithm: Algorithm) -> FieldCipher {
        let mut enc_key = [0u8; 32];
        let mut mac_key = [0u8; 32];
        getrandom::getrandom(&mut enc_key).expect("the operating system's random source");
        getrandom::getrandom(&mut mac_key).expect("the operating system's random source");
        FieldCipher::new(algorithm, enc_key, mac_key)
    }

    fn new(algorithm: Algorithm, enc_key: [u8; 32], mac_key: [u8; 32]) -> FieldCipher {
        FieldCipher {
            algorithm,
            sealer: Sealer::new(&enc_key),
            mac: <HmacSm3 as Mac>::new_from_slice(&mac_key).expect("HMAC takes any key length"),
            enc_key,
            mac_key,
        }
    }

    /// Reads a key in its text form: `kexie-field-key-v1 sm4-gcm|aes-256-gcm <64 hex> <64 hex>`.
    pub fn from_text(text: &str) -> Result<FieldCipher, KeyError> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [header, algorithm, enc, mac] = parts[..] else {
            return Err(KeyError::Malformed("expected four fields"));
        };
        if header != HEADER {
            return Err(KeyError::Malformed("unknown header"));
        }
        let algorithm = match algorithm {
            "sm4-gcm" => Algorithm::Sm4Gcm,
            "aes-256-gcm" => Algorithm::Aes256Gcm,
            _ => return Err(KeyError::Malformed("unknown algorithm")),
        };
        let decode = |h: &str| -> Result<[u8; 32], KeyError> {
            hex::decode(h)
                .ok()
                .and_then(|v| <[u8; 32]>::try_from(v).ok())
                .ok_or(KeyError::Malformed("keys must be 64 hex digits"))
        };
        Ok(FieldCipher::new(algorithm, decode(enc)?, decode(mac)?))
    }

    pub fn to_text(&self) -> String {
        let algorithm = match self.algorithm {
            Algorithm::Sm4Gcm => "sm4-gcm",
            Algorithm::Aes256Gcm => "aes-256-gcm",
        };
        format!(
            "{HEADER} {algorithm} {} {}\n",
            hex::encode(self.enc_key),
            hex::encode(self.mac_key)
        )
    }

    /// The key from `KEXIE_FIELD_KEY` if set, else from `field.key` in `data_dir`, created with
    /// owner-only permissions when missing.
    pub fn load_or_create(data_dir: &Path, algorithm: Algorithm) -> Result<FieldCipher, KeyError> {
        if let Ok(text) = std::env::var("KEXIE_FIELD_KEY") {
            return FieldCipher::from_text(&text);
        }
        let path = data_dir.join("field.key");
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => FieldCipher::from_text(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Written whole or not at all: a kill half way must not leave an empty key
                // file that stops every later start.
                let key = FieldCipher::generate(algorithm);
                key.install(data_dir, false)?;
                Ok(key)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Encrypts `plain` for the column `field` ("person.id_number"): version byte, 12-byte nonce,
    /// ciphertext and tag.
    pub fn encrypt(&self, field: &str, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        // From the thread's CSPRNG (ChaCha12, seeded and reseeded from the operating system):
        // an import encrypts two million values, and a system call for each nonce cost more
        // than the encryption.
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut nonce);
        let version = match self.algorithm {
            Algorithm::Sm4Gcm => SM4_GCM,
            Algorithm::Aes256Gcm => AES_256_GCM,
        };
        // Sealed where it is written, in one allocation (two million values an import).
        let mut out = Vec::with_capacity(1 + 12 + plain.len() + 16);
        out.push(version);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain.as_bytes());
        let tag =
            self.sealer
                .seal_in_place(self.algorithm, &nonce, field.as_bytes(), &mut out[13..]);
        out.extend_from_slice(&tag);
        out
    }

    pub fn decrypt(&self, field: &str, data: &[u8]) -> Result<String, KeyError> {
        if data.len() < 13 + 16 {
            return Err(KeyError::Decrypt);
        }
        let algorithm = match data[0] {
            SM4_GCM => Algorithm::Sm4Gcm,
            AES_256_GCM => Algorithm::Aes256Gcm,
            _ => return Err(KeyError::Decrypt),
        };
        let nonce: [u8; 12] = data[1..13].try_into().map_err(|_| KeyError::Decrypt)?;
        let plain = self
            .sealer
            .open(algorithm, &nonce, field.as_bytes(), &data[13..])?;
        String::from_utf8(plain).map_err(|_| KeyError::Decrypt)
    }

    /// The cipher new values are written with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Whether two keys encrypt and hash alike (the algorithm for new values aside).
    pub fn same_key(&self, other: &FieldCipher) -> bool {
        self.enc_key == other.enc_key && self.mac_key == other.mac_key
    }

    /// The key from `KEXIE_FIELD_KEY` if set, else from `field.key` in `data_dir`; `None` when
    /// neither exists (nothing is created).
    pub fn load_existing(data_dir: &Path) -> Result<Option<FieldCipher>, KeyError> {
        if let Ok(text) = std::env::var("KEXIE_FIELD_KEY") {
            return FieldCipher::from_text(&text).map(Some);
        }
        let path = data_dir.join("field.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => FieldCipher::from_text(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(KeyError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Writes this key to `field.key` in `data_dir`, owner-only, all at once: a temporary file
    /// beside it is renamed into place, so a crash leaves the old key or the new one, never half
    /// of one. An existing key is replaced only when `replace` is set.
    pub fn install(&self, data_dir: &Path, replace: bool) -> Result<(), KeyError> {
        let path = data_dir.join("field.key");
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        use std::io::Write;
        let mut file = tempfile::Builder::new()
            .prefix(".field.key.")
            .tempfile_in(data_dir)
            .map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(io)?;
        }
        file.write_all(self.to_text().as_bytes()).map_err(io)?;
        file.as_file().sync_all().map_err(io)?;
        if replace {
            file.persist(&path).map_err(|e| io(e.error))?;
        } else {
            file.persist_noclobber(&path).map_err(|e| io(e.error))?;
        }
        sync_dir(data_dir).map_err(io)
    }

    /// The keyed lookup hash of an already-normalised value: the first 128 bits of its MAC, as
    /// 32 hex digits. Two different values of a registry of any size share one with a
    /// probability under 10^-20, and each hash is stored twice per person (row and index): the
    /// full 256 bits would add ~130 bytes to every person.
    pub fn lookup_hash(&self, field: &str, normalised: &str) -> String {
        let mac = self.mac_bytes(&[field.as_bytes(), &[0], normalised.as_bytes()]);
        // `encode_to_slice` writes bytes from a table; `hex::encode` collects a `char` at a time
        // and cost an import of a million people (two hashes a row) a quarter of a second.
        let mut digits = [0u8; 2 * LOOKUP_HASH_BYTES];
        hex::encode_to_slice(&mac[..LOOKUP_HASH_BYTES], &mut digits).expect("sized to fit");
        String::from_utf8_lossy(&digits).into_owned()
    }

    /// A keyed SM3 MAC over the parts, as hex (used for the audit chain).
    pub fn mac(&self, parts: &[&[u8]]) -> String {
        hex::encode(self.mac_bytes(parts))
    }

    fn mac_bytes(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// Makes a rename in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_round_trips_and_its_ciphertext_hides_it() {
        for algorithm in [Algorithm::Sm4Gcm, Algorithm::Aes256Gcm] {
            let key = FieldCipher::generate(algorithm);
            let sealed = key.encrypt("person.mobile", "13812345678");
            assert!(!String::from_utf8_lossy(&sealed).contains("13812345678"));
            assert_eq!(
                key.decrypt("person.mobile", &sealed).unwrap(),
                "13812345678"
            );
        }
    }

    #[test]
    fn a_ciphertext_moved_to_another_column_or_tampered_does_not_decrypt() {
        let key = FieldCipher::generate(Algorithm::Sm4Gcm);
        let mut sealed = key.encrypt("person.mobile", "13812345678");
        assert!(key.decrypt("person.id_number", &sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(key.decrypt("person.mobile", &sealed).is_err());
    }

    #[test]
    fn lookup_hashes_are_stable_per_key_and_differ_between_keys() {
        let a = FieldCipher::generate(Algorithm::Sm4Gcm);
        let b = FieldCipher::generate(Algorithm::Sm4Gcm);
        assert_eq!(a.lookup_hash("f", "x"), a.lookup_hash("f", "x"));
        assert_ne!(a.lookup_hash("f", "x"), b.lookup_hash("f", "x"));
        assert_ne!(a.lookup_hash("f", "x"), a.lookup_hash("g", "x"));
    }

    #[test]
    fn the_key_file_is_created_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let created = FieldCipher::load_or_create(dir.path(), Algorithm::Sm4Gcm).unwrap();
        let again = FieldCipher::load_or_create(dir.path(), Algorithm::Sm4Gcm).unwrap();
        assert_eq!(created.to_text(), again.to_text());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("field.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
