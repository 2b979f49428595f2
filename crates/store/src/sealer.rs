//! Authenticated encryption with a key expanded once: SM4-GCM or AES-256-GCM, for field values
//! (`crypto::FieldCipher`) and backup chunks (`backup::archive`).

use aes_gcm::aead::{Aead, AeadInPlace, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm};
use sm4::cipher::consts::U12;

use crate::crypto::{Algorithm, KeyError};

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// A 32-byte key expanded for both ciphers (SM4 uses its first 16 bytes): what field values
/// and backup chunks are sealed and opened with.
#[derive(Clone)]
pub(crate) struct Sealer {
    sm4: Sm4Gcm,
    aes: Aes256Gcm,
}

impl Sealer {
    pub(crate) fn new(key: &[u8; 32]) -> Sealer {
        Sealer {
            sm4: Sm4Gcm::new_from_slice(&key[..16]).expect("16-byte key"),
            aes: Aes256Gcm::new_from_slice(key).expect("32-byte key"),
        }
    }

    /// Encrypts `msg`: ciphertext and 16-byte tag.
    pub(crate) fn seal(
        &self,
        algorithm: Algorithm,
        nonce: &[u8; 12],
        aad: &[u8],
        msg: &[u8],
    ) -> Vec<u8> {
        let mut sealed = Vec::with_capacity(msg.len() + 16);
        sealed.extend_from_slice(msg);
        let tag = self.seal_in_place(algorithm, nonce, aad, &mut sealed);
        sealed.extend_from_slice(&tag);
        sealed
    }

    /// Encrypts `buffer` where it is (what [`Sealer::seal`] writes, less the tag) and returns
    /// the tag.
    pub(crate) fn seal_in_place(
        &self,
        algorithm: Algorithm,
        nonce: &[u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> [u8; 16] {
        match algorithm {
            Algorithm::Sm4Gcm => self
                .sm4
                .encrypt_in_place_detached(nonce.into(), aad, buffer),
            Algorithm::Aes256Gcm => self
                .aes
                .encrypt_in_place_detached(nonce.into(), aad, buffer),
        }
        .expect("GCM encryption of less than 64 GiB cannot fail")
        .into()
    }

    /// Decrypts what [`Sealer::seal`] wrote; any change to the ciphertext, nonce or associated
    /// data fails.
    pub(crate) fn open(
        &self,
        algorithm: Algorithm,
        nonce: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        let payload = Payload { msg: sealed, aad };
        match algorithm {
            Algorithm::Sm4Gcm => self.sm4.decrypt(nonce.into(), payload),
            Algorithm::Aes256Gcm => self.aes.decrypt(nonce.into(), payload),
        }
        .map_err(|_| KeyError::Decrypt)
    }
}
