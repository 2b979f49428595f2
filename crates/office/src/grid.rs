//! Collects streamed cells into a [`Sheet`] while enforcing [`Limits`].
//!
//! Every reader (CSV, xlsx, xls) feeds cells here one at a time, so the limits are counted in
//! one place and a reader stops at the first cell past a limit, before storing anything for it.

use std::borrow::Cow;

use calamine::{Data, DataRef};

use crate::cells::unsafe_cell;
use crate::error::OfficeError;
use crate::limits::Limits;
use crate::sheet::Sheet;

/// A row handed on by a streaming grid: the header row first, then every row below it in order
/// (empty rows in the middle as empty vectors).
pub(crate) enum Streamed {
    Headers {
        cells: Vec<String>,
        /// The rows below the header the file says it has (0: it does not say).
        expected_rows: usize,
    },
    Row(Vec<String>),
}

/// Where a streaming grid hands its rows, a batch at a time; it answers false when nobody
/// listens any more.
pub(crate) type Sink<'l> = Box<dyn FnMut(Vec<Streamed>) -> bool + Send + 'l>;

/// Rows a streaming grid hands on at a time: a hand-over per row would wake the reading side
/// a million times.
const ROWS_PER_BATCH: usize = 256;

pub(crate) struct Grid<'l> {
    limits: &'l Limits,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Streaming: rows are handed to the sink as soon as the next one begins, instead of kept.
    sink: Option<Sink<'l>>,
    /// Streaming: the row being filled (0 is the header row) and its cells.
    current: usize,
    filling: Vec<String>,
    /// Streaming: rows read and not yet handed on.
    pending: Vec<Streamed>,
    /// The rows below the header the file says it has, as the reader found out.
    expected_rows: usize,
    /// The header row's width: the room a new row is given.
    width: usize,
    /// Cells seen, empty or not: the work done.
    streamed: u64,
    /// Cell slots allocated in `rows` (gaps before a value and room reserved included): the
    /// memory held.
    slots: u64,
    /// Bytes of text held: shared strings repeated in many cells are copied into each.
    text_bytes: u64,
}

impl<'l> Grid<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Grid {
            limits,
            headers: Vec::new(),
            rows: Vec::new(),
            sink: None,
            current: 0,
            filling: Vec::new(),
            pending: Vec::new(),
            expected_rows: 0,
            width: 0,
            streamed: 0,
            slots: 0,
            text_bytes: 0,
        }
    }

    /// A grid that hands each row to `sink` once the reader has moved past it, holding one row
    /// at a time. The readers give cells row by row, top to bottom; a cell above the current
    /// row is refused.
    pub(crate) fn streaming(limits: &'l Limits, sink: Sink<'l>) -> Self {
        let mut grid = Grid::new(limits);
        grid.sink = Some(sink);
        grid
    }

    /// What the file says of its length (a CSV's lines, a worksheet's declared dimension), for
    /// progress: at most the row limit.
    pub(crate) fn expect_rows(&mut self, rows: usize) {
        self.expected_rows = rows.min(self.limits.max_rows);
    }

    /// Streaming: hands on the rows before `row` (the one being filled, then empty ones).
    fn move_to(&mut self, row: usize) -> Result<(), OfficeError> {
        if row < self.current {
            return Err(OfficeError::unreadable(
                format!("第 {} 行出现在第 {} 行之后", row + 1, self.current + 1),
                format!("row {} comes after row {}", row + 1, self.current + 1),
            ));
        }
        while self.current < row {
            self.hand_on()?;
            self.current += 1;
        }
        Ok(())
    }

    /// Streaming: hands the row being filled on, with the batch once it is full (the header
    /// row goes at once: the reading side waits for it).
    fn hand_on(&mut self) -> Result<(), OfficeError> {
        if self.sink.is_none() {
            return Ok(());
        }
        let item = if self.current == 0 {
            if self.headers.is_empty() {
                return Err(OfficeError::NoHeader);
            }
            Streamed::Headers {
                cells: std::mem::take(&mut self.headers),
                expected_rows: self.expected_rows,
            }
        } else {
            Streamed::Row(std::mem::take(&mut self.filling))
        };
        let headers = matches!(item, Streamed::Headers { .. });
        self.pending.push(item);
        if headers || self.pending.len() >= ROWS_PER_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Streaming: hands the rows not yet handed on to the sink.
    fn flush(&mut self) -> Result<(), OfficeError> {
        let Some(sink) = self.sink.as_mut() else {
            return Ok(());
        };
        if self.pending.is_empty() || sink(std::mem::take(&mut self.pending)) {
            Ok(())
        } else {
            Err(OfficeError::unreadable("读取已停止", "reading stopped"))
        }
    }

    /// Stores the value at 0-based `row` (0 is the header row) and `col`.
    pub(crate) fn push(&mut self, row: usize, col: usize, value: &str) -> Result<(), OfficeError> {
        self.streamed += 1;
        if self.streamed > self.limits.max_cells {
            return Err(OfficeError::TooManyCells {
                max: self.limits.max_cells,
            });
        }
        let value = clean(value);
        if value.is_empty() {
            return Ok(());
        }
        if row > self.limits.max_rows {
            return Err(OfficeError::TooManyRows {
                max: self.limits.max_rows,
            });
        }
        if col >= self.limits.max_columns {
            return Err(OfficeError::TooManyColumns {
                max: self.limits.max_columns,
            });
        }
        self.text_bytes += value.len() as u64;
        if self.text_bytes > self.limits.max_inflated_bytes {
            return Err(OfficeError::ZipBomb {
                part: "cells".into(),
            });
        }
        if row == 0 {
            self.width = self.width.max(col + 1);
        }
        let width = self.width;
        if self.sink.is_some() {
            self.move_to(row)?;
        }
        let target = if row == 0 {
            &mut self.headers
        } else if self.sink.is_some() {
            &mut self.filling
        } else {
            if self.rows.len() < row {
                self.rows.resize_with(row, Vec::new);
            }
            &mut self.rows[row - 1]
        };
        // Slots are counted as allocated: a row usually fills most columns, so it is given
        // room for the header's width at once (up to 64) instead of growing cell by cell.
        let before = target.capacity();
        if before == 0 {
            target.reserve_exact(width.min(64).max(col + 1));
        }
        if target.len() <= col {
            target.resize(col + 1, String::new());
        }
        self.slots += (target.capacity() - before) as u64;
        if self.slots > self.limits.max_cells {
            return Err(OfficeError::TooManyCells {
                max: self.limits.max_cells,
            });
        }
        target[col] = value.to_string();
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<Sheet, OfficeError> {
        if self.sink.is_some() {
            if self.current == 0 && self.headers.is_empty() {
                return Err(OfficeError::Empty);
            }
            self.hand_on()?;
            self.flush()?;
            return Ok(Sheet::default());
        }
        // Rows are only created up to the last one holding a value, so there is no empty tail
        // to drop; empty rows in the middle stay, keeping row numbers right.
        if self.headers.is_empty() {
            return Err(if self.rows.is_empty() {
                OfficeError::Empty
            } else {
                OfficeError::NoHeader
            });
        }
        Ok(Sheet {
            headers: std::mem::take(&mut self.headers),
            rows: std::mem::take(&mut self.rows),
        })
    }
}

impl Drop for Grid<'_> {
    /// A reader that stopped at an error still hands on the rows it read before it, ahead of
    /// the error.
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Trims every kind of space (U+3000 and U+00A0 included, and the zero-width ones Word pastes)
/// and undoes the formula guard of our own exports.
fn clean(value: &str) -> &str {
    let t = value.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{FEFF}' | '\u{200B}'));
    unsafe_cell(t)
}

/// Renders a cell the way the person saw it in Excel: integers without ".0", dates as
/// YYYY-MM-DD, booleans as TRUE/FALSE, errors as "#N/A" and the like.
/// Text cells are borrowed, not copied: a million-row sheet has millions of them.
pub(crate) fn render<'a>(value: &'a DataRef<'_>) -> Cow<'a, str> {
    Cow::Owned(match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => return Cow::Borrowed(s),
        DataRef::SharedString(s) => return Cow::Borrowed(s),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => render_number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(t) if dt.as_f64() < 1.0 => t.format("%H:%M:%S").to_string(),
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => render_number(dt.as_f64()),
        },
        DataRef::DateTime(dt) => render_number(dt.as_f64()),
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    })
}

pub(crate) fn render_data(value: &Data) -> String {
    let value = match value {
        Data::Empty => DataRef::Empty,
        Data::String(s) => DataRef::SharedString(s),
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(dt) => DataRef::DateTime(*dt),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::SharedString(s),
        Data::Error(e) => DataRef::Error(e.clone()),
    };
    render(&value).into_owned()
}

/// Integers (the usual case: codes, counts, years) print without a fraction; other numbers
/// print with at most 15 significant digits, as Excel shows them, so 0.1+0.2 is "0.3".
fn render_number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let magnitude = f.abs().log10().floor() as i32 + 1;
    let decimals = (15 - magnitude).clamp(0, 15) as usize;
    let s = format!("{f:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_render_as_excel_shows_them() {
        assert_eq!(render_number(42.0), "42");
        assert_eq!(render_number(-3.0), "-3");
        assert_eq!(render_number(0.1 + 0.2), "0.3");
        assert_eq!(render_number(1.5), "1.5");
        assert_eq!(render_number(1.1e17), "110000000000000000");
    }

    #[test]
    fn cells_are_trimmed_of_every_space() {
        assert_eq!(clean("\u{3000} 科协\u{00A0}"), "科协");
        assert_eq!(clean("'=1+1"), "=1+1");
    }

    #[test]
    fn limits_stop_a_far_away_cell_before_storing_it() {
        let limits = Limits::small();
        let mut grid = Grid::new(&limits);
        let err = grid.push(1_048_575, 0, "x").unwrap_err();
        assert_eq!(err.code(), "file.too_many_rows");
        let err = grid.push(1, 16_383, "x").unwrap_err();
        assert_eq!(err.code(), "file.too_many_columns");
        assert!(grid.rows.is_empty());
    }
}
