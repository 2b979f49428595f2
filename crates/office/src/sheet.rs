//! Reading the first sheet of an uploaded file, whatever its format, into rows of text.

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use crate::error::OfficeError;
use crate::grid::{Grid, Streamed};
use crate::limits::Limits;
use crate::{csv_in, xls_in, xlsx_in};

/// The first sheet of a file as trimmed text. `headers` is spreadsheet row 1 and `rows[i]` is
/// row `i + 2`; a row may be shorter than the headers (missing cells are empty). Empty rows in
/// the middle are kept as empty vectors so that row numbers stay right; there are none at the
/// end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// A sheet of the given headers and rows, as a reader would give it (tests build them).
    pub fn from_cells(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        let strings = |cells: &[&str]| cells.iter().map(|s| s.to_string()).collect();
        Sheet {
            headers: strings(headers),
            rows: rows.iter().map(|r| strings(r)).collect(),
        }
    }

    /// The spreadsheet row number of `rows[index]`, as a person sees it.
    pub fn row_number(index: usize) -> usize {
        index + 2
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads the first sheet of the file at `path`, refusing it before reading when it is larger
/// than `limits.max_file_bytes`.
pub fn read_sheet(path: &Path, limits: &Limits) -> Result<Sheet, OfficeError> {
    let (bytes, name) = read_file(path, limits)?;
    read_sheet_bytes(&bytes, &name, limits)
}

/// Batches of rows a [`SheetStream`]'s reader may be ahead.
const BATCHES_AHEAD: usize = 16;

/// The first sheet of a file, read on a thread of its own and handed on a row at a time while
/// the rows before are being used: the header row, what the file says of its length, and the
/// rows below in order (`Err` once, last, when the file turns out unreadable or past a limit
/// further down: whatever the rows before were used for must then be undone).
pub struct SheetStream {
    pub headers: Vec<String>,
    /// The rows below the header the file says it has (a CSV's lines, a worksheet's declared
    /// dimension; 0 when it does not say): for progress only.
    pub expected_rows: usize,
    batches: std::sync::mpsc::Receiver<Result<Vec<Streamed>, OfficeError>>,
    batch: std::vec::IntoIter<Streamed>,
}

impl Iterator for SheetStream {
    type Item = Result<Vec<String>, OfficeError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.batch.next() {
                Some(Streamed::Row(cells)) => return Some(Ok(cells)),
                Some(Streamed::Headers { .. }) => return Some(Err(OfficeError::NoHeader)),
                None => match self.batches.recv().ok()? {
                    Ok(batch) => self.batch = batch.into_iter(),
                    Err(e) => return Some(Err(e)),
                },
            }
        }
    }
}

/// Opens the file at `path` as a [`SheetStream`], under the same limits as [`read_sheet`]:
/// returns once the header row is read (or the file is refused). A consumer that stops early
/// drops the stream, and the reading thread stops at its next row.
pub fn stream_sheet(path: &Path, limits: &Limits) -> Result<SheetStream, OfficeError> {
    let (bytes, name) = read_file(path, limits)?;
    stream_sheet_bytes(bytes, name, limits)
}

/// [`stream_sheet`] of a file already in memory (an upload): the rows are handed on as they
/// are read, so the sheet is never held whole beside the file. Blocks until the header row is
/// read.
pub fn stream_sheet_bytes(
    bytes: Vec<u8>,
    name: String,
    limits: &Limits,
) -> Result<SheetStream, OfficeError> {
    let limits = limits.clone();
    let (sender, batches) = std::sync::mpsc::sync_channel(BATCHES_AHEAD);
    std::thread::Builder::new()
        .name("sheet-reader".into())
        .spawn(move || {
            let grid = Grid::streaming(&limits, Box::new(|batch| sender.send(Ok(batch)).is_ok()));
            // The grid hands on the rows read before an error (or a panic) ahead of it.
            if let Err(e) = guarded(|| read_into(&bytes, &name, &limits, grid)) {
                let _ = sender.send(Err(e));
            }
        })?;
    let first = match batches.recv() {
        Ok(Ok(first)) => first,
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err(OfficeError::Empty),
    };
    let mut batch = first.into_iter();
    match batch.next() {
        Some(Streamed::Headers {
            cells,
            expected_rows,
        }) => Ok(SheetStream {
            headers: cells,
            expected_rows,
            batches,
            batch,
        }),
        _ => Err(OfficeError::NoHeader),
    }
}

/// The bytes and the name of the file at `path`, refused before reading when larger than the
/// limit.
fn read_file(path: &Path, limits: &Limits) -> Result<(Vec<u8>, String), OfficeError> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limits.max_file_bytes {
        return Err(OfficeError::TooLarge {
            size,
            max: limits.max_file_bytes,
        });
    }
    // The file may grow while we read it: never read more than one byte past the limit.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    Ok((bytes, name.to_string()))
}

/// Reads the first sheet of an uploaded file. The format is decided by content (zip → xlsx,
/// OLE compound file → xls, anything else → CSV or tab-separated text); the file name's
/// extension only settles what the content leaves open.
pub fn read_sheet_bytes(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Sheet, OfficeError> {
    read_into(bytes, file_name, limits, Grid::new(limits))
}

/// Reads the first sheet into `grid`: kept whole, or handed on row by row.
fn read_into(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
    grid: Grid<'_>,
) -> Result<Sheet, OfficeError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(OfficeError::TooLarge {
            size: bytes.len() as u64,
            max: limits.max_file_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(OfficeError::Empty);
    }
    let ext = extension(file_name);
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
        return guarded(|| xlsx_in::read_xlsx(bytes, limits, grid));
    }
    if bytes.starts_with(OLE_MAGIC) {
        return guarded(|| xls_in::read_xls(bytes, limits, grid));
    }
    if matches!(
        ext.as_str(),
        "xlsx" | "xlsm" | "xls" | "et" | "xlsb" | "ods"
    ) {
        // Some systems export an HTML table and name it .xls; Excel opens it, we cannot.
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_lowercase();
        if head
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            return Err(OfficeError::Unsupported {
                format: format!("HTML .{ext}"),
            });
        }
        return Err(OfficeError::unreadable(
            format!("扩展名为 .{ext}，但内容不是 Excel 工作簿"),
            format!("named .{ext} but not an Excel workbook"),
        ));
    }
    csv_in::read_csv(bytes, ext == "tsv" || ext == "txt", grid)
}

fn extension(file_name: &str) -> String {
    Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The spreadsheet libraries are fuzzed but not proven: a malformed file that makes one panic
/// is answered as unreadable instead of taking the request (or the import job) down.
fn guarded(read: impl FnOnce() -> Result<Sheet, OfficeError>) -> Result<Sheet, OfficeError> {
    catch_unwind(AssertUnwindSafe(read))
        .unwrap_or_else(|_| Err(OfficeError::unreadable("文件结构损坏", "corrupt structure")))
}
