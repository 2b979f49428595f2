//! The compound file (OLE2) container of .xls, read the way calamine reads it, to hand the
//! workbook stream to the BIFF check in [`crate::biff`] before calamine opens the file.
//!
//! calamine follows sector chains without a bound: a chain that loops back on itself makes it
//! grow a buffer until memory runs out, and a DIFAT that names one sector many times multiplies
//! the FAT. This reader walks the same chains with the same rules (MS-CFB §2.2–2.6 as calamine
//! 0.38 implements them) but refuses loops, repeated FAT sectors and sectors past the end.

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED: u32 = 0xFFFF_FFFA;
/// Streams shorter than this live in the mini stream (MS-CFB §2.6.3 mini stream cutoff).
const MINI_CUTOFF: usize = 4096;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CfbProblem {
    /// An Office file encrypted with a password (its content is an `EncryptedPackage`).
    Encrypted,
    /// Not a workbook: no `Workbook` or `Book` stream.
    NoWorkbook,
    Malformed(&'static str),
}

use CfbProblem::Malformed;

struct Sectors<'a> {
    data: &'a [u8],
    size: usize,
    /// Highest id calamine accepts.
    max_id: usize,
}

impl Sectors<'_> {
    /// A whole sector inside the data. calamine pads a short read with zeros and keeps the
    /// padding for later reads, so a sector that is not whole is refused instead of mirrored.
    fn get(&self, id: u32) -> Result<&[u8], CfbProblem> {
        let id = id as usize;
        let start = id.checked_mul(self.size).ok_or(Malformed("sector id"))?;
        if id > self.max_id || start + self.size > self.data.len() {
            return Err(Malformed("sector past the end"));
        }
        Ok(&self.data[start..start + self.size])
    }

    /// Follows a chain through `fats` until it ends or `len` bytes are read, as calamine does,
    /// but never visits more sectors than exist: more steps than that means a loop.
    fn chain(&self, mut id: u32, fats: &[u32], len: usize) -> Result<Vec<u8>, CfbProblem> {
        let mut out = Vec::new();
        let mut steps = 0usize;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > self.max_id + 1 {
                return Err(Malformed("sector chain loops"));
            }
            let sector = self.get(id)?;
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            id = *fats.get(id as usize).ok_or(Malformed("sector id"))?;
        }
        Ok(out)
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4).map(|c| u32_at(c, 0))
}

struct Entry {
    name: String,
    start: u32,
    len: usize,
}

/// The bytes of the workbook stream (`Workbook`, or `Book` for BIFF5), as calamine will read
/// them.
pub(crate) fn workbook_stream(file: &[u8]) -> Result<Vec<u8>, CfbProblem> {
    if file.len() < 512 || file[..8] != *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" {
        return Err(Malformed("header"));
    }
    let version = u16_at(file, 26);
    let size = match u16_at(file, 30) {
        9 => 512,
        12 => 4096,
        _ => return Err(Malformed("sector size")),
    };
    if u16_at(file, 32) != 6 || file.len() < size {
        return Err(Malformed("header"));
    }
    let sectors = Sectors {
        data: &file[size..],
        size,
        max_id: file.len() / size,
    };
    let mut difat: Vec<u32> = u32s(&file[76..512]).collect();
    let mut id = u32_at(file, 68);
    let mut difat_sectors = 0;
    while id < RESERVED {
        difat_sectors += 1;
        if difat_sectors > sectors.max_id + 1 {
            return Err(Malformed("DIFAT loops"));
        }
        difat.extend(u32s(sectors.get(id)?));
        id = difat.pop().ok_or(Malformed("DIFAT"))?;
    }
    let fat_ids: Vec<u32> = difat.into_iter().filter(|&i| i < DIFSECT).collect();
    if fat_ids.len() > sectors.max_id + 1 {
        return Err(Malformed("FAT sectors repeat"));
    }
    let mut fats = Vec::with_capacity(fat_ids.len() * size / 4);
    for id in fat_ids {
        fats.extend(u32s(sectors.get(id)?));
    }
    let dirs: Vec<Entry> = sectors
        .chain(u32_at(file, 48), &fats, usize::MAX)?
        .chunks_exact(128)
        .map(|c| entry(c, size))
        .collect::<Result<_, _>>()?;
    let root = dirs.first().ok_or(Malformed("no root"))?;
    if version != 3 && root.start == ENDOFCHAIN {
        return Err(Malformed("no root"));
    }
    if dirs
        .iter()
        .any(|d| d.name.eq_ignore_ascii_case("EncryptedPackage"))
    {
        return Err(CfbProblem::Encrypted);
    }
    let mini_fat_len = u32_at(file, 64) as usize;
    let (mini_fats, mini_data) = if mini_fat_len > 0 {
        let data = sectors.chain(root.start, &fats, root.len)?;
        let mini_fat = sectors.chain(u32_at(file, 60), &fats, mini_fat_len * size)?;
        (u32s(&mini_fat).collect(), data)
    } else {
        (Vec::new(), Vec::new())
    };
    let mini = Sectors {
        data: &mini_data,
        size: 64,
        max_id: sectors.max_id * 8,
    };
    for name in ["Workbook", "Book"] {
        let Some(d) = dirs.iter().find(|d| d.name.eq_ignore_ascii_case(name)) else {
            continue;
        };
        return if d.len < MINI_CUTOFF {
            mini.chain(d.start, &mini_fats, d.len)
        } else {
            sectors.chain(d.start, &fats, d.len)
        };
    }
    Err(CfbProblem::NoWorkbook)
}

/// A directory entry (MS-CFB §2.6.1): UTF-16 name, starting sector, stream size (32 bits in
/// version 3 files, whose sectors are 512 bytes; 64 bits in version 4).
fn entry(raw: &[u8], sector_size: usize) -> Result<Entry, CfbProblem> {
    let units: Vec<u16> = raw[..64].chunks_exact(2).map(|c| u16_at(c, 0)).collect();
    let mut name = String::from_utf16_lossy(&units);
    if let Some(nul) = name.find('\0') {
        name.truncate(nul);
    }
    let len = if sector_size == 512 {
        u32_at(raw, 120) as u64
    } else {
        u32_at(raw, 120) as u64 | (u32_at(raw, 124) as u64) << 32
    };
    Ok(Entry {
        name,
        start: u32_at(raw, 116),
        len: usize::try_from(len).map_err(|_| Malformed("stream size"))?,
    })
}
