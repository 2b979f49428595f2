//! Reading the first sheet of an uploaded file, whatever its format, into rows of text.

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use crate::error::OfficeError;
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
    read_sheet_bytes(&bytes, name, limits)
}

/// Reads the first sheet of an uploaded file. The format is decided by content (zip → xlsx,
/// OLE compound file → xls, anything else → CSV or tab-separated text); the file name's
/// extension only settles what the content leaves open.
pub fn read_sheet_bytes(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
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
        return guarded(|| xlsx_in::read_xlsx(bytes, limits));
    }
    if bytes.starts_with(OLE_MAGIC) {
        return guarded(|| xls_in::read_xls(bytes, limits));
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
    csv_in::read_csv(bytes, ext == "tsv" || ext == "txt", limits)
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
