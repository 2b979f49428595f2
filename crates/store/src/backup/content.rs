//! What the encrypted chunks carry: a gzip stream of records, each a tag byte, a 32-bit length
//! and that many bytes, in this order:
//!
//! - `K`: the field-encryption key, in its text form;
//! - `D`, any number: the database payload (the SQLite snapshot file, or `pg_dump` output);
//! - `M`: the manifest (JSON);
//! - `Z`: the end (no bytes).

use std::io::{self, Read, Write};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sm3::{Digest, Sm3};

use super::archive::{ChunkReader, ChunkWriter, Header};

pub const KEY: u8 = b'K';
pub const DATA: u8 = b'D';
pub const MANIFEST: u8 = b'M';
pub const END: u8 = b'Z';

const DATA_RECORD: usize = 64 * 1024;

fn limit(tag: u8) -> Option<usize> {
    match tag {
        KEY => Some(4 * 1024),
        DATA => Some(DATA_RECORD),
        MANIFEST => Some(64 * 1024 * 1024),
        END => Some(0),
        _ => None,
    }
}

pub struct ContentWriter<W: Write> {
    gz: GzEncoder<ChunkWriter<W>>,
}

impl<W: Write> ContentWriter<W> {
    pub fn new(out: W, header: &Header, key: [u8; 32]) -> io::Result<ContentWriter<W>> {
        let chunks = ChunkWriter::new(out, header, key)?;
        Ok(ContentWriter {
            gz: GzEncoder::new(chunks, flate2::Compression::new(3)),
        })
    }

    pub fn record(&mut self, tag: u8, data: &[u8]) -> io::Result<()> {
        self.gz.write_all(&[tag])?;
        self.gz.write_all(&(data.len() as u32).to_be_bytes())?;
        self.gz.write_all(data)
    }

    /// Writes the end record, the gzip trailer and the last chunk; returns the file.
    pub fn finish(mut self) -> io::Result<W> {
        self.record(END, &[])?;
        self.gz.finish()?.finish()
    }
}

/// The payload as it is written: `D` records, with its length and SM3 digest.
pub struct PayloadWriter<'a, W: Write> {
    content: &'a mut ContentWriter<W>,
    pub bytes: u64,
    digest: Sm3,
}

impl<'a, W: Write> PayloadWriter<'a, W> {
    pub fn new(content: &'a mut ContentWriter<W>) -> PayloadWriter<'a, W> {
        PayloadWriter {
            content,
            bytes: 0,
            digest: Sm3::new(),
        }
    }

    pub fn sm3(self) -> String {
        hex::encode(self.digest.finalize())
    }
}

impl<W: Write> Write for PayloadWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(DATA_RECORD);
        if n > 0 {
            self.content.record(DATA, &data[..n])?;
            self.digest.update(&data[..n]);
            self.bytes += n as u64;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub struct ContentReader<R: Read> {
    gz: GzDecoder<ChunkReader<R>>,
}

impl<R: Read> ContentReader<R> {
    pub fn new(chunks: ChunkReader<R>) -> ContentReader<R> {
        ContentReader {
            gz: GzDecoder::new(chunks),
        }
    }

    /// The next record's tag, its bytes in `buf`.
    pub fn next(&mut self, buf: &mut Vec<u8>) -> io::Result<u8> {
        let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        let mut head = [0u8; 5];
        self.gz.read_exact(&mut head)?;
        let tag = head[0];
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let max = limit(tag).ok_or_else(|| bad(format!("unknown record {tag}")))?;
        if len > max {
            return Err(bad(format!("record {} too long", tag as char)));
        }
        buf.clear();
        buf.resize(len, 0);
        self.gz.read_exact(buf)?;
        Ok(tag)
    }

    /// After the end record: nothing may follow, in the gzip stream or in the chunks.
    pub fn close(self) -> io::Result<()> {
        let mut gz = self.gz;
        let mut rest = Vec::new();
        gz.read_to_end(&mut rest)?;
        let mut chunks = gz.into_inner();
        chunks.read_to_end(&mut rest)?;
        if rest.is_empty() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "data after the end record",
            ))
        }
    }
}
