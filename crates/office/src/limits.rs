//! Bounds on what an uploaded file may make us do.
//!
//! An import runs on a server shared by a whole province: one hostile or careless file must not
//! exhaust its memory. Every reader checks these limits while it streams and stops at the first
//! one crossed, before allocating for what lies beyond.

/// Limits for reading one file. `Limits::default()` suits a provincial ledger; tests use
/// [`Limits::small`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Size of the uploaded file itself.
    pub max_file_bytes: u64,
    /// Data rows below the header row.
    pub max_rows: usize,
    /// Columns holding a value (the header row included).
    pub max_columns: usize,
    /// Cells streamed from the sheet (empty ones too: they cost time) and cell slots kept.
    pub max_cells: u64,
    /// Bytes after decompression (xlsx parts) or expansion (xls ranges, shared strings copied
    /// into cells): the memory budget of one file's expanded form.
    pub max_inflated_bytes: u64,
    /// Largest inflated/compressed ratio of an xlsx part bigger than a few KiB. Ordinary sheet
    /// XML compresses 5–50×; deflate tops out near 1,000×, which only padding reaches.
    pub max_compression_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_rows: 2_000_000,
            max_columns: 200,
            max_cells: 60_000_000,
            max_inflated_bytes: 1024 * 1024 * 1024,
            max_compression_ratio: 200,
        }
    }
}

impl Limits {
    /// Tight limits for tests: small enough that a test can cross each one cheaply.
    pub fn small() -> Self {
        Limits {
            max_file_bytes: 1024 * 1024,
            max_rows: 1_000,
            max_columns: 50,
            max_cells: 20_000,
            max_inflated_bytes: 4 * 1024 * 1024,
            max_compression_ratio: 200,
        }
    }
}
