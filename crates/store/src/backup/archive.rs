//! The archive file: a readable, versioned header, then the content encrypted in chunks.
//!
//! ```text
//! KEXIE-BACKUP 1\n                      magic and format version
//! {"format":1,"backend":…,"kdf":…}\n    the header: JSON on one line, public, authenticated
//! [flag u8][length u32 BE][ciphertext]   chunks of at most `chunk_size` bytes of content
//! ```
//!
//! The content key is derived from the passphrase with argon2id (salt and costs in the header).
//! Each chunk is sealed with SM4-GCM (GB/T 32907) or AES-256-GCM under a nonce made of a random
//! 7-byte prefix, the chunk's number and its "last" flag, with the two header lines as associated
//! data: a changed byte anywhere, reordered or dropped chunks and a cut-off end all fail to
//! decrypt (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015, as `age`
//! uses it). Reading and writing go chunk by chunk; nothing holds the whole archive in memory.

use std::io::{self, BufRead, Read, Write};

use serde::{Deserialize, Serialize};

use super::BackupError;
use crate::sealer::Sealer;
use crate::Algorithm;

pub const MAGIC: &str = "KEXIE-BACKUP";
pub const FORMAT: u32 = 1;
const CHUNK_SIZE: u32 = 64 * 1024;
const TAG_LEN: usize = 16;
const MORE: u8 = 0;
const LAST: u8 = 1;

/// The public header: what the archive holds and how to derive its key. Nothing secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: u32,
    pub kexie_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The database's migration level when it was backed up.
    pub schema_version: i64,
    /// `sm4-gcm` or `aes-256-gcm`.
    pub cipher: String,
    pub kdf: Kdf,
    /// Hex, 7 bytes.
    pub nonce_prefix: String,
    pub chunk_size: u32,
    /// `gzip`.
    pub compression: String,
}

/// How the content key comes from the passphrase.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Kdf {
    /// `argon2id` (RFC 9106).
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hex, 16 bytes.
    pub salt: String,
}

impl Header {
    /// A header for a new archive, with a fresh salt and nonce prefix. Argon2id costs follow
    /// RFC 9106's second recommended option (64 MiB, 3 passes).
    pub fn new(backend: &str, schema_version: i64, algorithm: Algorithm) -> Header {
        let mut salt = [0u8; 16];
        let mut prefix = [0u8; 7];
        getrandom::getrandom(&mut salt).expect("the operating system's random source");
        getrandom::getrandom(&mut prefix).expect("the operating system's random source");
        Header {
            format: FORMAT,
            kexie_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            backend: backend.to_string(),
            schema_version,
            cipher: cipher_name(algorithm).to_string(),
            kdf: Kdf {
                algorithm: "argon2id".into(),
                memory_kib: 64 * 1024,
                iterations: 3,
                parallelism: 1,
                salt: hex::encode(salt),
            },
            nonce_prefix: hex::encode(prefix),
            chunk_size: CHUNK_SIZE,
            compression: "gzip".into(),
        }
    }

    /// The two header lines as they are written, and authenticated with every chunk.
    pub fn to_bytes(&self) -> Vec<u8> {
        let json = serde_json::to_string(self).expect("a header serialises");
        format!("{MAGIC} {FORMAT}\n{json}\n").into_bytes()
    }

    /// Reads and checks the two header lines; returns the header and its exact bytes.
    pub fn read(input: &mut impl BufRead) -> Result<(Header, Vec<u8>), BackupError> {
        let not_ours = || {
            BackupError::Damaged(
                "不是 Kexie 备份文件（文件头不符） / not a Kexie backup (unknown header)".into(),
            )
        };
        let mut raw = Vec::new();
        let first = read_line(input, 64, &mut raw).map_err(BackupError::io)?;
        let first = std::str::from_utf8(&first).map_err(|_| not_ours())?;
        let version = first
            .strip_prefix(MAGIC)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(not_ours)?;
        if version != FORMAT.to_string() {
            return Err(BackupError::Refused(format!(
                "备份格式版本 {version} 不受本程序支持（支持 {FORMAT}） / archive format {version} is not supported by this kexie (it reads {FORMAT})"
            )));
        }
        let json = read_line(input, 4096, &mut raw).map_err(BackupError::io)?;
        let header: Header = serde_json::from_slice(&json).map_err(|e| {
            BackupError::Damaged(format!("备份文件头损坏 / damaged archive header: {e}"))
        })?;
        header.check()?;
        Ok((header, raw))
    }

    fn check(&self) -> Result<(), BackupError> {
        let bad = |what: &str| {
            BackupError::Damaged(format!(
                "备份文件头损坏：{what} / damaged archive header: {what}"
            ))
        };
        if self.format != FORMAT {
            return Err(bad("format"));
        }
        algorithm(&self.cipher).ok_or_else(|| bad("cipher"))?;
        let k = &self.kdf;
        // Bounds keep a forged header from asking for gigabytes of memory or hours of work.
        if k.algorithm != "argon2id"
            || !(8 * 1024..=1024 * 1024).contains(&k.memory_kib)
            || !(1..=16).contains(&k.iterations)
            || !(1..=16).contains(&k.parallelism)
        {
            return Err(bad("kdf"));
        }
        if hex::decode(&k.salt).map(|s| s.len()) != Ok(16) {
            return Err(bad("salt"));
        }
        if hex::decode(&self.nonce_prefix).map(|s| s.len()) != Ok(7) {
            return Err(bad("nonce_prefix"));
        }
        if !(4 * 1024..=4 * 1024 * 1024).contains(&self.chunk_size) {
            return Err(bad("chunk_size"));
        }
        if self.compression != "gzip" {
            return Err(bad("compression"));
        }
        Ok(())
    }

    /// The content key: argon2id of the passphrase with the header's salt and costs.
    pub fn derive_key(&self, passphrase: &str) -> Result<[u8; 32], BackupError> {
        let params = argon2::Params::new(
            self.kdf.memory_kib,
            self.kdf.iterations,
            self.kdf.parallelism,
            Some(32),
        )
        .map_err(|e| BackupError::Damaged(format!("kdf: {e}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = hex::decode(&self.kdf.salt).map_err(|_| BackupError::Damaged("salt".into()))?;
        let mut key = [0u8; 32];
        argon
            .hash_password_into(passphrase.as_bytes(), &salt, &mut key)
            .map_err(|e| BackupError::Failed(format!("argon2id: {e}")))?;
        Ok(key)
    }

    fn algorithm(&self) -> Algorithm {
        algorithm(&self.cipher).unwrap_or(Algorithm::Sm4Gcm)
    }

    fn prefix(&self) -> [u8; 7] {
        let mut prefix = [0u8; 7];
        if let Ok(bytes) = hex::decode(&self.nonce_prefix) {
            if bytes.len() == 7 {
                prefix.copy_from_slice(&bytes);
            }
        }
        prefix
    }
}

pub fn cipher_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Sm4Gcm => "sm4-gcm",
        Algorithm::Aes256Gcm => "aes-256-gcm",
    }
}

fn algorithm(name: &str) -> Option<Algorithm> {
    match name {
        "sm4-gcm" => Some(Algorithm::Sm4Gcm),
        "aes-256-gcm" => Some(Algorithm::Aes256Gcm),
        _ => None,
    }
}

/// One line of at most `limit` bytes, without its newline; the raw bytes go to `raw` too.
fn read_line(input: &mut impl BufRead, limit: u64, raw: &mut Vec<u8>) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    input.take(limit).read_until(b'\n', &mut line)?;
    raw.extend_from_slice(&line);
    if line.pop() != Some(b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "不是 Kexie 备份文件（文件头不完整） / not a Kexie backup (incomplete header)",
        ));
    }
    Ok(line)
}

fn nonce(prefix: &[u8; 7], counter: u32, flag: u8) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..7].copy_from_slice(prefix);
    n[7..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = flag;
    n
}

/// Encrypts what is written to it, chunk by chunk; [`ChunkWriter::finish`] seals the last one.
pub struct ChunkWriter<W: Write> {
    inner: W,
    algorithm: Algorithm,
    sealer: Sealer,
    prefix: [u8; 7],
    aad: Vec<u8>,
    counter: u32,
    chunk_size: usize,
    buf: Vec<u8>,
}

impl<W: Write> ChunkWriter<W> {
    /// Writes the header to `inner` and returns a writer for the content.
    pub fn new(mut inner: W, header: &Header, key: [u8; 32]) -> io::Result<ChunkWriter<W>> {
        let aad = header.to_bytes();
        inner.write_all(&aad)?;
        Ok(ChunkWriter {
            inner,
            algorithm: header.algorithm(),
            sealer: Sealer::new(&key),
            prefix: header.prefix(),
            aad,
            counter: 0,
            chunk_size: header.chunk_size as usize,
            buf: Vec::with_capacity(header.chunk_size as usize),
        })
    }

    fn emit(&mut self, flag: u8) -> io::Result<()> {
        let sealed = self.sealer.seal(
            self.algorithm,
            &nonce(&self.prefix, self.counter, flag),
            &self.aad,
            &self.buf,
        );
        self.inner.write_all(&[flag])?;
        self.inner.write_all(&(sealed.len() as u32).to_be_bytes())?;
        self.inner.write_all(&sealed)?;
        self.buf.clear();
        self.counter = self.counter.checked_add(1).ok_or_else(|| {
            io::Error::other("备份过大 / archive too large (chunk counter overflow)")
        })?;
        Ok(())
    }

    /// Seals the last chunk and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(LAST)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for ChunkWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // A full chunk is sealed only once more data arrives, so the last one is always
        // sealed by `finish` with the last flag.
        if self.buf.len() == self.chunk_size {
            self.emit(MORE)?;
        }
        let n = data.len().min(self.chunk_size - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Decrypts chunk by chunk; a damaged, reordered or truncated archive is an error, never
/// silently short content.
pub struct ChunkReader<R: Read> {
    inner: R,
    algorithm: Algorithm,
    sealer: Sealer,
    prefix: [u8; 7],
    aad: Vec<u8>,
    counter: u32,
    chunk_size: usize,
    plain: Vec<u8>,
    pos: usize,
    done: bool,
}

/// Why a chunk could not be read: carried inside `io::Error` through the decompressor.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    #[error("口令错误或备份已损坏 / wrong passphrase or damaged archive")]
    FirstChunk,
    #[error("备份已损坏或被改动（第 {0} 块无法通过认证） / archive damaged or altered (chunk {0} fails authentication)")]
    Chunk(u32),
    #[error("备份不完整（文件被截断） / archive incomplete (the file was cut short)")]
    Truncated,
    #[error("备份末尾有多余数据 / unexpected data after the end of the archive")]
    Trailing,
}

impl<R: Read> ChunkReader<R> {
    pub fn new(inner: R, header: &Header, raw_header: Vec<u8>, key: [u8; 32]) -> ChunkReader<R> {
        ChunkReader {
            inner,
            algorithm: header.algorithm(),
            sealer: Sealer::new(&key),
            prefix: header.prefix(),
            aad: raw_header,
            counter: 0,
            chunk_size: header.chunk_size as usize,
            plain: Vec::new(),
            pos: 0,
            done: false,
        }
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let fail = |e: ChunkError| io::Error::new(io::ErrorKind::InvalidData, e);
        let mut head = [0u8; 5];
        if let Err(e) = self.inner.read_exact(&mut head) {
            return Err(if e.kind() == io::ErrorKind::UnexpectedEof {
                fail(ChunkError::Truncated)
            } else {
                e
            });
        }
        let flag = head[0];
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let counter = self.counter;
        let damaged = || {
            if counter == 0 {
                fail(ChunkError::FirstChunk)
            } else {
                fail(ChunkError::Chunk(counter))
            }
        };
        if flag > LAST || !(TAG_LEN..=self.chunk_size + TAG_LEN).contains(&len) {
            return Err(damaged());
        }
        let mut sealed = vec![0u8; len];
        if let Err(e) = self.inner.read_exact(&mut sealed) {
            return Err(if e.kind() == io::ErrorKind::UnexpectedEof {
                fail(ChunkError::Truncated)
            } else {
                e
            });
        }
        self.plain = self
            .sealer
            .open(
                self.algorithm,
                &nonce(&self.prefix, self.counter, flag),
                &self.aad,
                &sealed,
            )
            .map_err(|_| damaged())?;
        self.pos = 0;
        self.counter = self.counter.checked_add(1).ok_or_else(damaged)?;
        if flag == LAST {
            self.done = true;
            let mut extra = [0u8; 1];
            if self.inner.read(&mut extra)? != 0 {
                return Err(fail(ChunkError::Trailing));
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for ChunkReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(content: &[u8]) -> (Header, Vec<u8>) {
        let mut header = Header::new("sqlite", 6, Algorithm::Sm4Gcm);
        header.chunk_size = 4096;
        let mut w = ChunkWriter::new(Vec::new(), &header, [7u8; 32]).unwrap();
        w.write_all(content).unwrap();
        (header, w.finish().unwrap())
    }

    fn unseal(bytes: &[u8], key: [u8; 32]) -> io::Result<Vec<u8>> {
        let mut input = io::BufReader::new(bytes);
        let (header, raw) = Header::read(&mut input).map_err(io::Error::other)?;
        let mut out = Vec::new();
        ChunkReader::new(input, &header, raw, key).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn content_of_any_length_round_trips() {
        for len in [0, 1, 4095, 4096, 4097, 3 * 4096, 10_000] {
            let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let (_, bytes) = sealed(&content);
            assert_eq!(unseal(&bytes, [7u8; 32]).unwrap(), content, "length {len}");
        }
    }

    #[test]
    fn any_changed_byte_a_wrong_key_or_a_cut_end_fails() {
        let content = vec![42u8; 10_000];
        let (_, bytes) = sealed(&content);
        assert!(unseal(&bytes, [8u8; 32]).is_err());
        for i in (0..bytes.len()).step_by(97) {
            let mut tampered = bytes.clone();
            tampered[i] ^= 0x01;
            assert!(unseal(&tampered, [7u8; 32]).is_err(), "byte {i}");
        }
        assert!(unseal(&bytes[..bytes.len() - 1], [7u8; 32]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(unseal(&longer, [7u8; 32]).is_err());
    }
}
