//! The defences of an xlsx before calamine opens it: the archive's parts checked against the
//! limits (count, declared and actual sizes, compression ratio, what calamine will hold of
//! them) and scanned for DOCTYPE and ENTITY declarations.

use std::io::{Cursor, Read};
use std::mem::size_of;

use zip::ZipArchive;

use crate::error::OfficeError;
use crate::limits::Limits;

/// An xlsx has a few dozen parts; thousands mean a crafted archive whose central directory
/// alone would cost memory.
const MAX_PARTS: usize = 10_000;
/// Below this size a part's compression ratio says nothing (a run of empty rows in a small
/// sheet compresses well); above it, a ratio past the limit is padding.
const RATIO_FLOOR: u64 = 64 * 1024;

/// Checks every part of the archive against the limits before anything is parsed: declared
/// sizes, total, compression ratio, then the actual inflated bytes (the zip reader also stops at
/// the declared size), and refuses any XML part that declares a DOCTYPE or an entity. A
/// worksheet is scanned up to its root element only: XML allows a document type declaration
/// nowhere else, calamine streams the rest (it costs no memory), and neither it nor quick-xml
/// reads a DTD or expands an entity it declares, so a marker further down the sheet cannot act;
/// inflating a million-row sheet twice to look for one cost a second core for seconds.
pub(crate) fn inspect(bytes: &[u8], limits: &Limits) -> Result<(), OfficeError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| OfficeError::unreadable("压缩包损坏", format!("bad archive: {e}")))?;
    if archive.len() > MAX_PARTS {
        return Err(bomb(format!("{} parts", archive.len())));
    }
    let mut names = Vec::with_capacity(archive.len());
    let mut declared_total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(OfficeError::corrupt)?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        if part.encrypted() {
            return Err(OfficeError::Encrypted);
        }
        let size = part.size();
        declared_total = declared_total.saturating_add(size);
        let ratio = size / part.compressed_size().max(1);
        if size > limits.max_inflated_bytes
            || declared_total > limits.max_inflated_bytes
            || (size > RATIO_FLOOR && ratio > limits.max_compression_ratio)
        {
            return Err(bomb(name));
        }
        names.push((name, size));
    }
    check_kind(&names)?;
    let mut loaded: u64 = 0;
    for (i, (name, size)) in names.iter().enumerate() {
        if is_image(name) {
            continue;
        }
        let part = archive.by_index(i).map_err(OfficeError::corrupt)?;
        if is_worksheet(name) {
            scan_prolog(part.take(size + 1), name, *size)?;
            continue;
        }
        let shape = scan_part(part.take(size + 1), name, *size)?;
        loaded = loaded.saturating_add(load_cost(name, *size, &shape));
        if loaded > limits.max_inflated_bytes {
            return Err(bomb(name.clone()));
        }
    }
    Ok(())
}

/// A worksheet part: streamed by calamine, so it costs no memory when the workbook opens.
fn is_worksheet(name: &str) -> bool {
    name.to_ascii_lowercase().contains("worksheets/")
}

/// What calamine will hold in memory for a part when it opens the workbook. Worksheets are
/// streamed and cost nothing. Shared strings and relationships cost their text plus a small
/// struct per element (a shared string `<si><t>…</t></si>` has four '<' and costs a `String`
/// and its allocation, about 64 bytes: 16 per '<'). Styles are the trap: every `<xf>` gets its
/// own clone of the font name and number format it refers to, so a 1 MB font name used by
/// 100,000 one-line `<xf>` elements would cost 100 GB; the bound is elements × (a style + its
/// longest strings).
fn load_cost(name: &str, size: u64, shape: &Shape) -> u64 {
    if is_worksheet(name) {
        return 0;
    }
    let lower = name.to_ascii_lowercase();
    let per_element = if lower.ends_with("styles.xml") {
        2 * (size_of::<calamine::Style>() as u64 + 5 * shape.longest_text)
    } else {
        16
    };
    size.saturating_add(shape.elements.saturating_mul(per_element))
}

/// The shape of a part, as far as memory goes.
struct Shape {
    /// Count of '<': an upper bound of the elements.
    elements: u64,
    /// Longest run without '<': an upper bound of any attribute value or text node.
    longest_text: u64,
}

/// An error reading a part. The zip reader refuses to inflate past the declared size: that is
/// a lie about the size, which only a crafted archive tells.
pub(crate) fn inflate_error(name: &str, e: impl std::fmt::Display) -> OfficeError {
    let message = e.to_string();
    if message.contains("declared") {
        bomb(format!("{name} > declared size"))
    } else {
        OfficeError::corrupt(format!("{name}: {message}"))
    }
}

fn bomb(part: String) -> OfficeError {
    OfficeError::ZipBomb { part }
}

/// An xlsb or ods is a zip too; say what it is instead of failing on a missing part.
fn check_kind(names: &[(String, u64)]) -> Result<(), OfficeError> {
    let has = |wanted: &str| names.iter().any(|(n, _)| n.eq_ignore_ascii_case(wanted));
    if has("xl/workbook.xml") {
        Ok(())
    } else if has("xl/workbook.bin") {
        Err(OfficeError::Unsupported {
            format: "xlsb".into(),
        })
    } else if has("content.xml") {
        Err(OfficeError::Unsupported {
            format: "ods".into(),
        })
    } else {
        Err(OfficeError::unreadable(
            "压缩包中没有 Excel 工作簿",
            "no workbook in the archive",
        ))
    }
}

/// Pictures are never parsed as XML, and an SVG may legitimately carry a DOCTYPE.
fn is_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("/media/")
        && [
            ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".svg",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Streams one part, counting its real size and looking for `<!DOCTYPE` or `<!ENTITY` in any
/// case. NUL bytes are skipped so the UTF-16 spelling of the markers is caught as well. Both
/// markers begin with `<`, so only the bytes after each `<` are looked at (found with memchr:
/// a million-row sheet is a few hundred megabytes of XML).
fn scan_part(mut part: impl Read, name: &str, declared: u64) -> Result<Shape, OfficeError> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    let mut shape = Shape {
        elements: 0,
        longest_text: 0,
    };
    let mut run: u64 = 0;
    let mut after = MarkerWatch::default();
    loop {
        let n = part.read(&mut buf).map_err(|e| inflate_error(name, e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > declared {
            return Err(bomb(name.to_string()));
        }
        let chunk = &buf[..n];
        // Markers begun at the end of the previous chunk finish here.
        after.feed(chunk);
        let mut from = 0;
        for at in memchr::memchr_iter(b'<', chunk) {
            shape.elements += 1;
            run += (at - from) as u64;
            shape.longest_text = shape.longest_text.max(run);
            run = 0;
            from = at + 1;
            // Almost every `<` opens or closes an element: a letter, `/` or `?` follows, and
            // neither marker can begin there. Only `!`, a NUL (UTF-16) or the chunk's end is
            // looked at further.
            if matches!(chunk.get(from), Some(b) if *b != b'!' && *b != 0) {
                continue;
            }
            after.start();
            after.feed(&chunk[from..]);
        }
        run += (n - from) as u64;
        if after.found {
            return Err(OfficeError::Doctype {
                part: name.to_string(),
            });
        }
    }
    shape.longest_text = shape.longest_text.max(run);
    Ok(shape)
}

/// Scans a part's prolog, up to the start tag of its root element, for `<!DOCTYPE` or
/// `<!ENTITY` in any case (NUL bytes skipped, for UTF-16), stepping over comments and
/// processing instructions, whose text may hold anything.
fn scan_prolog(mut part: impl Read, name: &str, declared: u64) -> Result<(), OfficeError> {
    enum At {
        Text,
        /// After a `<`: the bytes so far, upper-cased.
        Tag([u8; 8], usize),
        /// Inside `<!-- … -->`: the dashes just read.
        Comment(u8),
        /// Inside `<? … ?>`: whether a `?` was just read.
        Instruction(bool),
    }
    let mut at = At::Text;
    let mut buf = vec![0u8; 16 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = part.read(&mut buf).map_err(|e| inflate_error(name, e))?;
        if n == 0 {
            return Ok(());
        }
        total += n as u64;
        if total > declared {
            return Err(bomb(name.to_string()));
        }
        for &b in buf[..n].iter().filter(|b| **b != 0) {
            at = match at {
                At::Text if b == b'<' => At::Tag([0; 8], 0),
                At::Text => At::Text,
                At::Tag(mut tag, len) => {
                    tag[len] = b.to_ascii_uppercase();
                    let so_far = &tag[..=len];
                    if so_far == b"!--" {
                        At::Comment(0)
                    } else if so_far[0] == b'?' {
                        At::Instruction(false)
                    } else if so_far[0] != b'!' {
                        // The root element: the prolog is over.
                        return Ok(());
                    } else if MarkerWatch::TAILS.contains(&so_far) {
                        return Err(OfficeError::Doctype {
                            part: name.to_string(),
                        });
                    } else if len + 1 < tag.len()
                        && (MarkerWatch::TAILS.iter().any(|t| t.starts_with(so_far))
                            || b"!--".starts_with(so_far))
                    {
                        At::Tag(tag, len + 1)
                    } else {
                        At::Text
                    }
                }
                At::Comment(dashes) if dashes >= 2 && b == b'>' => At::Text,
                At::Comment(dashes) if b == b'-' => At::Comment(dashes.saturating_add(1)),
                At::Comment(_) => At::Comment(0),
                At::Instruction(true) if b == b'>' => At::Text,
                At::Instruction(_) => At::Instruction(b == b'?'),
            };
        }
    }
}

/// The bytes after each `<`, NULs skipped and upper-cased, until they can no longer spell
/// `!DOCTYPE` or `!ENTITY`; a `<` near the end of a chunk is finished by the next one.
#[derive(Default)]
struct MarkerWatch {
    /// Open candidates: the bytes gathered after a `<` so far (at most eight).
    open: Vec<([u8; 8], usize)>,
    found: bool,
}

impl MarkerWatch {
    const TAILS: [&'static [u8]; 2] = [b"!DOCTYPE", b"!ENTITY"];

    fn start(&mut self) {
        self.open.push(([0; 8], 0));
    }

    /// Feeds the bytes that follow to every open candidate, closing those that match or can
    /// no longer match.
    fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while !self.open.is_empty() && i < bytes.len() {
            let b = bytes[i];
            i += 1;
            if b == 0 {
                continue;
            }
            let b = b.to_ascii_uppercase();
            let mut found = false;
            self.open.retain_mut(|(gathered, len)| {
                gathered[*len] = b;
                *len += 1;
                let so_far = &gathered[..*len];
                found |= Self::TAILS.contains(&so_far);
                let alive =
                    *len < gathered.len() && Self::TAILS.iter().any(|t| t.starts_with(so_far));
                alive && !found
            });
            self.found |= found;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per read, to split markers across reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn scan(bytes: &[u8], step: usize) -> Result<Shape, OfficeError> {
        scan_part(Trickle { bytes, step }, "part.xml", bytes.len() as u64)
    }

    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn markers_are_found_in_any_case_split_across_reads_and_in_utf16() {
        let hostile = [
            b"<?xml?><!DOCTYPE x><x/>".to_vec(),
            b"<x><!entity a 'b'></x>".to_vec(),
            b"<<!DocType x>".to_vec(),
            utf16("<?xml?><!DOCTYPE x><x/>"),
        ];
        for bytes in &hostile {
            for step in [1, 2, 3, 5, 7, 64 * 1024] {
                assert!(
                    matches!(scan(bytes, step), Err(OfficeError::Doctype { .. })),
                    "{:?} in reads of {step}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
    }

    #[test]
    fn a_worksheet_is_scanned_to_its_root_element() {
        let prolog = |bytes: &[u8], step| {
            scan_prolog(Trickle { bytes, step }, "sheet1.xml", bytes.len() as u64)
        };
        // Comments and processing instructions before the DOCTYPE do not hide it, even when
        // they hold what looks like a tag, however the reads split them.
        let long_prolog = format!(
            "<?xml?><!--<a> {}--><?pi <b> ?><!--> <c> --><!doctype w [<!ENTITY a 'b'>]><worksheet/>",
            "-".repeat(200_000)
        );
        for step in [1, 7, 64 * 1024] {
            for hostile in [
                long_prolog.as_bytes().to_vec(),
                utf16("<?xml?><!DOCTYPE x><x/>"),
                b"<!ENTITY a 'b'><x/>".to_vec(),
            ] {
                assert!(
                    matches!(prolog(&hostile, step), Err(OfficeError::Doctype { .. })),
                    "{} in reads of {step}",
                    String::from_utf8_lossy(&hostile[..40.min(hostile.len())])
                );
            }
            // Past the root's start tag a `<!DOCTYPE` is no declaration (XML allows none
            // there), and the rows are not inflated a second time to look for one.
            let ordinary = b"<?xml?><!-- note --><worksheet><!DOCTYPE x><c/></worksheet>";
            prolog(ordinary, step).unwrap();
        }
    }

    #[test]
    fn ordinary_xml_passes_and_its_shape_is_counted() {
        let bytes = b"<?xml?><!-- note --><r><c t=\"s\">DOCTYPE ENTITY!</c><c>12345678901</c></r>";
        for step in [1, 4, 64 * 1024] {
            let shape = scan(bytes, step).unwrap();
            assert_eq!(shape.elements, 8);
            // The longest run without '<': `c t="s">DOCTYPE ENTITY!`.
            assert_eq!(shape.longest_text, 23);
        }
    }
}
