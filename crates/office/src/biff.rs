//! A dry run of calamine's .xls parser: what it will allocate, computed from the records.
//!
//! calamine parses every sheet of an .xls when the file is opened and turns each into a dense
//! range spanning its cells' bounding box, after reserving room for the area its `Dimensions`
//! record claims. Two cells at opposite corners of a 65536 × 256 sheet, or a claimed area of
//! four billion rows, would cost gigabytes; so would one long shared string repeated in every
//! cell, or formulas naming a long sheet name over and over. This walks the same records
//! (MS-XLS §2.4) the way calamine 0.38 does and adds up an upper bound of the memory, before
//! calamine is allowed near the file.

use std::mem::size_of;

use calamine::Data;

use crate::error::OfficeError;
use crate::limits::Limits;

struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: Vec<&'a [u8]>,
}

impl Record<'_> {
    fn total_len(&self) -> u64 {
        (self.data.len() + self.cont.iter().map(|c| c.len()).sum::<usize>()) as u64
    }
}

/// Records as calamine's `RecordIter` splits them: Continue records (0x003C) are attached to
/// the record before them.
fn records(mut s: &[u8]) -> impl Iterator<Item = Result<Record<'_>, ()>> {
    std::iter::from_fn(move || {
        if s.is_empty() {
            return None;
        }
        let Some((typ, data, rest)) = split(s) else {
            s = &[];
            return Some(Err(()));
        };
        s = rest;
        let mut cont = Vec::new();
        while s.len() > 4 && u16_at(s, 0) == 0x003C {
            let Some((_, c, rest)) = split(s) else {
                s = &[];
                return Some(Err(()));
            };
            cont.push(c);
            s = rest;
        }
        Some(Ok(Record { typ, data, cont }))
    })
}

fn split(s: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    if s.len() < 4 {
        return None;
    }
    let len = u16_at(s, 2) as usize;
    let body = s.get(4..4 + len)?;
    Some((u16_at(s, 0), body, &s[4 + len..]))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn malformed() -> OfficeError {
    OfficeError::unreadable("xls 文件记录损坏", "corrupt xls records")
}

/// Refuses the workbook stream when calamine would need more than the limits allow.
pub(crate) fn check(stream: &[u8], limits: &Limits) -> Result<(), OfficeError> {
    let mut sheets = Vec::new();
    let mut sst: Vec<u64> = Vec::new();
    // Longest text a formula token can pull in: a sheet or defined name (≤ 3 UTF-8 bytes per
    // byte of its record).
    let mut longest_name: u64 = 0;
    for record in records(stream) {
        let r = record.map_err(|_| malformed())?;
        match r.typ {
            0x002F if r.data.len() >= 2 && u16_at(r.data, 0) != 0 => {
                return Err(OfficeError::Encrypted)
            }
            0x0085 if r.data.len() >= 6 => {
                sheets.push(u32_at(r.data, 0) as usize);
                longest_name = longest_name.max(3 * r.total_len());
            }
            0x0085 => return Err(malformed()),
            0x0018 => longest_name = longest_name.max(3 * r.total_len()),
            0x00FC => sst = sst_lengths(&r).ok_or_else(malformed)?,
            0x000A => break,
            _ => {}
        }
    }
    let (mut memory, mut scanned) = (0u64, 0usize);
    for pos in sheets {
        let sheet = stream.get(pos..).ok_or_else(malformed)?;
        let (cost, read) = sheet_cost(sheet, &sst, longest_name, limits)?;
        // Sheets are disjoint parts of the stream. Many sheet entries pointing at the same
        // bytes would make calamine (and this check) parse them over and over.
        scanned += read;
        if scanned > stream.len() {
            return Err(malformed());
        }
        memory = memory.saturating_add(cost);
        if memory > limits.max_inflated_bytes {
            return Err(OfficeError::ZipBomb {
                part: "Workbook".into(),
            });
        }
    }
    Ok(())
}

/// Bounding box of cell positions.
#[derive(Default)]
struct Area(Option<(u32, u32, u32, u32)>);

impl Area {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64
        })
    }
}

/// The memory calamine will hold for one sheet, and the bytes of the stream the sheet spans.
fn sheet_cost(
    sheet: &[u8],
    sst: &[u64],
    longest_name: u64,
    limits: &Limits,
) -> Result<(u64, usize), OfficeError> {
    let (mut values, mut formulas) = (Area::default(), Area::default());
    let (mut pushed, mut reserved, mut formula_count, mut text) = (0u64, 0u64, 0u64, 0u64);
    let mut fmla_pos = (0u32, 0u32);
    let (mut seen_bof, mut depth, mut read) = (false, 0usize, 0usize);
    for record in records(sheet) {
        let r = record.map_err(|_| malformed())?;
        read += 4 * (1 + r.cont.len()) + r.total_len() as usize;
        let d = r.data;
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let pos = || (u16_at(d, 0) as u32, u16_at(d, 2) as u32);
        let need = |n: usize| {
            if d.len() < n {
                Err(malformed())
            } else {
                Ok(())
            }
        };
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x0200 => {
                let area = dimensions_area(d).ok_or_else(malformed)?;
                if area > limits.max_cells {
                    return Err(OfficeError::TooManyCells {
                        max: limits.max_cells,
                    });
                }
                reserved = reserved.max(pushed + area);
            }
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x0207 => {
                let at = if r.typ == 0x0207 {
                    fmla_pos
                } else {
                    need(6)?;
                    pos()
                };
                values.add(at.0, at.1);
                pushed += 1;
                if matches!(r.typ, 0x0204 | 0x00D6 | 0x0207) {
                    text += 3 * r.total_len();
                }
            }
            0x00FD => {
                need(10)?;
                if let Some(len) = sst.get(u32_at(d, 6) as usize) {
                    let (row, col) = pos();
                    values.add(row, col);
                    pushed += 1;
                    text += len;
                }
            }
            0x00BD => {
                need(6)?;
                let (row, first) = pos();
                let last = u16_at(d, d.len() - 2) as u32;
                let n = last.checked_sub(first).ok_or_else(malformed)? + 1;
                if d.len() != 6 + 6 * n as usize {
                    return Err(malformed());
                }
                values.add(row, first);
                values.add(row, last);
                pushed += n as u64;
            }
            0x0006 => {
                need(20)?;
                fmla_pos = pos();
                values.add(fmla_pos.0, fmla_pos.1);
                formulas.add(fmla_pos.0, fmla_pos.1);
                pushed += 1;
                formula_count += 1;
                // Each formula byte may name a sheet or a defined name; the fallback text for an
                // unreadable formula is about a hundred bytes.
                text += (d.len() as u64 - 20) * (longest_name + 32) + 128;
            }
            0x000A => break,
            _ => {}
        }
    }
    for area in [values.cells(), formulas.cells()] {
        if area > limits.max_cells {
            return Err(OfficeError::TooManyCells {
                max: limits.max_cells,
            });
        }
    }
    // Vectors grow by doubling, so their capacity is at most twice what was pushed. The dense
    // range and its text count twice: reading a sheet returns a clone of it.
    let vectors = reserved.max(2 * pushed) * size_of::<(u32, u32, Data)>() as u64
        + 2 * formula_count * size_of::<(u32, u32, String)>() as u64;
    let dense =
        values.cells() * size_of::<Data>() as u64 + formulas.cells() * size_of::<String>() as u64;
    Ok((vectors + 2 * (dense + text), read))
}

/// The area a `Dimensions` record claims, computed as calamine does (MS-XLS §2.4.90), or
/// `None` where calamine's own arithmetic would overflow.
fn dimensions_area(d: &[u8]) -> Option<u64> {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (
            u16_at(d, 0) as u32,
            u16_at(d, 2) as u32,
            u16_at(d, 4) as u32,
            u16_at(d, 6) as u32,
        ),
        14 | 16 => (
            u32_at(d, 0),
            u32_at(d, 4),
            u16_at(d, 8) as u32,
            u16_at(d, 10) as u32,
        ),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (end_r, end_c) = if rl >= 1 && cl >= 1 {
        (rl - 1, cl - 1)
    } else {
        (rf, cf)
    };
    let rows = end_r.checked_sub(rf)? as u64 + 1;
    let cols = end_c.checked_sub(cf)? as u64 + 1;
    Some(rows * cols)
}

/// The UTF-8 size bound of every string in the shared string table, walking the strings as
/// calamine's `read_rich_extended_string` does (MS-XLS §2.5.293), Continue records included.
fn sst_lengths(r: &Record<'_>) -> Option<Vec<u64>> {
    let mut data = r.data.get(8..)?;
    let mut cont = r.cont.iter();
    let mut out = Vec::new();
    loop {
        if data.is_empty() {
            match cont.next() {
                Some(next) => data = next,
                None => return Some(out),
            }
        }
        if data.is_empty() {
            out.push(0);
            continue;
        }
        let cch = u16_at(data.get(..3)?, 0) as usize;
        let flags = data[2];
        data = &data[3..];
        let runs = if flags & 0x8 != 0 {
            let n = u16_at(data.get(..2)?, 0) as usize;
            data = &data[2..];
            n
        } else {
            0
        };
        let ext = if flags & 0x4 != 0 {
            let n = i32::from_le_bytes(data.get(..4)?.try_into().ok()?) as usize;
            data = &data[4..];
            n
        } else {
            0
        };
        let (mut left, mut wide) = (cch, flags & 0x1 != 0);
        loop {
            let l = if wide {
                (data.len() / 2).min(left)
            } else {
                data.len().min(left)
            };
            data = &data[if wide { 2 * l } else { l }..];
            left -= l;
            if left == 0 {
                break;
            }
            data = cont.next()?;
            wide = data.first()? & 0x1 != 0;
            data = &data[1..];
        }
        let mut skip = runs.checked_mul(4)?.checked_add(ext)?;
        while skip > 0 {
            if data.is_empty() {
                data = cont.next()?;
            }
            let l = skip.min(data.len());
            data = &data[l..];
            skip -= l;
        }
        out.push(3 * cch as u64);
    }
}
