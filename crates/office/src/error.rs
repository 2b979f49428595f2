//! Why a file as a whole could not be read or written.
//!
//! Row-level problems are not errors of this kind: they go into the import report
//! ([`crate::report::ImportReport`]) so that every bad row is named at once. An `OfficeError`
//! means the file itself was refused, and its message is shown to the person who uploaded it:
//! plain Chinese first, then English after " / ".

use thiserror::Error;

#[derive(Debug, Error)]
pub enum OfficeError {
    #[error(
        "文件过大（{size} 字节，上限 {max} 字节） / file too large ({size} bytes, limit {max})"
    )]
    TooLarge { size: u64, max: u64 },
    #[error("文件解压后过大或压缩比异常（{part}），疑似压缩炸弹，已拒绝 / the archive inflates beyond the limits ({part}): refused as a possible zip bomb")]
    ZipBomb { part: String },
    #[error("文件内含 DOCTYPE 或 ENTITY 声明（{part}），已拒绝 / the file contains a DOCTYPE or ENTITY declaration ({part}): refused")]
    Doctype { part: String },
    #[error("数据行数超过上限 {max} 行，请拆分文件 / more than {max} data rows: split the file")]
    TooManyRows { max: usize },
    #[error("列数超过上限 {max} 列 / more than {max} columns")]
    TooManyColumns { max: usize },
    #[error("单元格数超过上限 {max} 个，请拆分文件 / more than {max} cells: split the file")]
    TooManyCells { max: u64 },
    #[error("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV / unknown text encoding: save the CSV as UTF-8 or GBK")]
    Encoding,
    #[error("文件有密码保护，请取消密码后再上传 / the file is password-protected: remove the password and upload it again")]
    Encrypted,
    #[error("不支持的文件格式（{format}），请另存为 .xlsx 或 .csv / unsupported format ({format}): save as .xlsx or .csv")]
    Unsupported { format: String },
    #[error("文件无法读取：{zh} / the file cannot be read: {en}")]
    Unreadable { zh: String, en: String },
    #[error("文件中没有数据 / the file has no data")]
    Empty,
    #[error(
        "第 1 行应为表头（列名），实为空行 / row 1 should hold the column headers but is empty"
    )]
    NoHeader,
    #[error("读写文件失败：{0} / file input/output failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("生成表格失败：{0} / writing the spreadsheet failed: {0}")]
    Write(String),
}

impl OfficeError {
    /// A stable code for the API and the import report; the message may change, the code not.
    pub fn code(&self) -> &'static str {
        match self {
            OfficeError::TooLarge { .. } => "file.too_large",
            OfficeError::ZipBomb { .. } => "file.zip_bomb",
            OfficeError::Doctype { .. } => "file.doctype",
            OfficeError::TooManyRows { .. } => "file.too_many_rows",
            OfficeError::TooManyColumns { .. } => "file.too_many_columns",
            OfficeError::TooManyCells { .. } => "file.too_many_cells",
            OfficeError::Encoding => "file.encoding",
            OfficeError::Encrypted => "file.encrypted",
            OfficeError::Unsupported { .. } => "file.unsupported",
            OfficeError::Unreadable { .. } => "file.unreadable",
            OfficeError::Empty => "file.empty",
            OfficeError::NoHeader => "file.no_header",
            OfficeError::Io(_) => "file.io",
            OfficeError::Write(_) => "file.write",
        }
    }

    pub(crate) fn unreadable(zh: impl Into<String>, en: impl Into<String>) -> OfficeError {
        OfficeError::Unreadable {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A file a spreadsheet library could not parse; its message is technical English.
    pub(crate) fn corrupt(detail: impl std::fmt::Display) -> OfficeError {
        OfficeError::unreadable("文件已损坏或格式不正确", detail.to_string())
    }
}

impl From<rust_xlsxwriter::XlsxError> for OfficeError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        OfficeError::Write(e.to_string())
    }
}
