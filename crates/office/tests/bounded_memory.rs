//! Hostile files are refused without the memory they ask for. A counting allocator measures
//! the peak while each is read; this file holds one test so nothing else runs beside it.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use common::*;
use kexie_office::{read_sheet_bytes, Limits};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Reads `bytes` and returns the error code and the peak memory above what was in use before.
fn peak_of(bytes: &[u8], name: &str, limits: &Limits) -> (String, usize) {
    let before = NOW.load(Relaxed);
    PEAK.store(before, Relaxed);
    let code = match read_sheet_bytes(bytes, name, limits) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.code().to_string(),
    };
    (code, PEAK.load(Relaxed) - before)
}

const MIB: usize = 1024 * 1024;

#[test]
fn hostile_files_are_refused_in_a_few_mebibytes() {
    let limits = Limits::default();

    // 1. A zip bomb: 1.1 GiB of spaces, about a MiB on disk.
    let bomb = xlsx_with_sheet(
        &mut |w| {
            w.write_all(SHEET_HEAD.as_bytes()).unwrap();
            let spaces = vec![b' '; MIB];
            for _ in 0..1100 {
                w.write_all(&spaces).unwrap();
            }
            w.write_all(b"</worksheet>").unwrap();
        },
        &[],
    );
    let (code, peak) = peak_of(&bomb, "bomb.xlsx", &limits);
    assert_eq!(code, "file.zip_bomb");
    assert!(peak < 4 * MIB, "zip bomb peak {peak}");

    // 2. A whole-grid dimension with a value in its last row: rows past the limit are never
    //    allocated for.
    let xml = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
        cell("A1", "代码"),
        cell("XFD1048576", "far")
    );
    let far = xlsx_with_sheet(&mut |w| w.write_all(xml.as_bytes()).unwrap(), &[]);
    let (code, peak) = peak_of(&far, "far.xlsx", &Limits::small());
    assert_eq!(code, "file.too_many_rows");
    assert!(peak < 4 * MIB, "far cell peak {peak}");

    // 3. An .xls with cells at opposite corners of a 65536 × 256 grid: calamine would build a
    //    dense range of 16.7 million cells.
    let corners = xls(&[label(0, 0, "代码"), label(65_535, 255, "far")]);
    let (code, peak) = peak_of(&corners, "corners.xls", &Limits::small());
    assert_eq!(code, "file.too_many_cells");
    assert!(peak < 4 * MIB, "xls corners peak {peak}");

    // 4. An .xls whose stream chain loops while claiming 256 MiB.
    let stream = biff_workbook(&[label(0, 0, "代码")]);
    let last = stream.len().div_ceil(512);
    let looped = compound_file(&stream, Some(256 << 20), &|fat| fat[last] = 1);
    let (code, peak) = peak_of(&looped, "loop.xls", &limits);
    assert_eq!(code, "file.unreadable");
    assert!(peak < 4 * MIB, "xls loop peak {peak}");
}
