//! Files carried by progress reports (附件): PDF, Word (.docx), Excel (.xlsx), JPEG and PNG, at
//! most `MAX_BYTES` each and `MAX_FILES` per report. The type is read from the content and must
//! agree with the name's extension, so a renamed executable or an old binary `.doc` is refused.
//! Files live in the database (every node serves them, backups hold them) and are read by who
//! sees the report, each download audited.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::Outcome;
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// Largest file accepted (20 MB).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// Files per report.
pub const MAX_ATTACHMENTS: usize = 5;

/// A file to attach, as uploaded.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A file attached to a report (without its content).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub attachment_id: i64,
    pub progress_report_id: i64,
    pub file_name: String,
    /// The type read from the content, e.g. `application/pdf`.
    pub media_type: String,
    pub size: i64,
}

/// The media type of a file from its first bytes, checked against its extension.
fn sniff(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let zip_has = |entry: &[u8]| bytes.windows(entry.len()).any(|w| w == entry);
    let by_content = if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", &["pdf"][..]))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", &["png"][..]))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", &["jpg", "jpeg"][..]))
    } else if bytes.starts_with(b"PK\x03\x04") && zip_has(b"[Content_Types].xml") {
        // Office Open XML is a zip whose entry names (stored in the clear) say which kind.
        if zip_has(b"word/") {
            Some((
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &["docx"][..],
            ))
        } else if zip_has(b"xl/") {
            Some((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &["xlsx"][..],
            ))
        } else {
            None
        }
    } else {
        None
    };
    match by_content {
        Some((media, exts)) if exts.contains(&ext.as_str()) => Ok(media),
        Some((_, exts)) => Err(format!(
            "附件“{name}”的内容是 .{} 文件，与扩展名不符 / the content of {name} is a .{} file, \
             not what its name says",
            exts[0], exts[0]
        )),
        None => Err(format!(
            "附件“{name}”不是 PDF、Word(.docx)、Excel(.xlsx)、JPG 或 PNG 文件 / {name} is not a \
             PDF, .docx, .xlsx, JPEG or PNG file"
        )),
    }
}

/// Checks the files of one report before anything is written.
pub(crate) fn check_attachments(files: &[NewAttachment]) -> StoreResult<Vec<&'static str>> {
    if files.len() > MAX_ATTACHMENTS {
        return Err(StoreError::Invalid(format!(
            "每次报送最多 {MAX_ATTACHMENTS} 个附件，实有 {} 个 / at most {MAX_ATTACHMENTS} files per \
             report, {} given",
            files.len(),
            files.len()
        )));
    }
    files
        .iter()
        .map(|f| {
            let name = f.file_name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(StoreError::Invalid(
                    "附件须有文件名（最长 200 个字符） / a file needs a name of at most 200 \
                     characters"
                        .into(),
                ));
            }
            if f.bytes.len() > MAX_ATTACHMENT_BYTES {
                return Err(StoreError::Invalid(format!(
                    "附件“{name}”超过 20 MB / {name} is larger than 20 MB"
                )));
            }
            sniff(name, &f.bytes).map_err(StoreError::Invalid)
        })
        .collect()
}

/// The last part of an uploaded name (browsers may send a path).
fn base_name(name: &str) -> String {
    name.trim()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_string()
}

impl Store {
    /// Writes a report's files inside the report's transaction.
    pub(crate) async fn insert_attachments(
        &self,
        tx: &mut AnyConnection,
        report_id: i64,
        files: &[NewAttachment],
        media: &[&'static str],
    ) -> StoreResult<()> {
        for (position, (file, media_type)) in files.iter().zip(media).enumerate() {
            sqlx::query(
                "insert into report_attachment (progress_report_id, position, file_name, \
                 media_type, size, content, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(report_id)
            .bind(position as i64)
            .bind(base_name(&file.file_name))
            .bind(*media_type)
            .bind(file.bytes.len() as i64)
            .bind(file.bytes.clone())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    /// The files of reports, in their order.
    pub(crate) async fn report_attachments(
        &self,
        report_ids: &[i64],
    ) -> StoreResult<Vec<Attachment>> {
        let mut out = Vec::new();
        for chunk in report_ids.chunks(400) {
            let mut sql = crate::sql::Sql::new(
                "select report_attachment_id, progress_report_id, file_name, media_type, size \
                 from report_attachment where progress_report_id in (",
            );
            sql.bind_ints(chunk);
            sql.push(") order by progress_report_id, position");
            for row in sql.query().fetch_all(&self.read).await? {
                out.push(Attachment {
                    attachment_id: row.try_get("report_attachment_id")?,
                    progress_report_id: row.try_get("progress_report_id")?,
                    file_name: row.try_get("file_name")?,
                    media_type: row.try_get("media_type")?,
                    size: row.try_get("size")?,
                });
            }
        }
        Ok(out)
    }

    /// One file with its content, if the caller sees its report; the download is audited.
    #[tracing::instrument(skip(self, scope), err(level = "info"))]
    pub async fn attachment(
        &self,
        scope: &Scope,
        attachment_id: i64,
    ) -> StoreResult<(Attachment, Vec<u8>)> {
        let row = sqlx::query(
            "select a.progress_report_id, r.task_id from report_attachment a \
             join progress_report r on r.progress_report_id = a.progress_report_id \
             where a.report_attachment_id = $1",
        )
        .bind(attachment_id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let report_id: i64 = row.try_get("progress_report_id")?;
        let task_id: i64 = row.try_get("task_id")?;
        // Seen exactly when its report is: the issuer sees all, a unit its own organisations'.
        let reports = self.task_reports(scope, task_id).await?;
        let report = reports
            .into_iter()
            .find(|r| r.progress_report_id == report_id)
            .ok_or(StoreError::NotFound)?;
        let meta = report
            .attachments
            .into_iter()
            .find(|a| a.attachment_id == attachment_id)
            .ok_or(StoreError::NotFound)?;
        let content: Vec<u8> =
            sqlx::query("select content from report_attachment where report_attachment_id = $1")
                .bind(attachment_id)
                .fetch_one(&self.read)
                .await?
                .try_get("content")?;
        let mut tx = self.write.begin().await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "attachment.download",
            &format!("task:{task_id}"),
            Outcome::Ok,
            &format!("attachment={attachment_id} report={report_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok((meta, content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content_and_must_match_the_name() {
        assert_eq!(
            sniff("方案.pdf", b"%PDF-1.7\n...").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            sniff("a.PNG", b"\x89PNG\r\n\x1a\n...").unwrap(),
            "image/png"
        );
        assert_eq!(
            sniff("a.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(),
            "image/jpeg"
        );
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert!(sniff("报告.docx", docx)
            .unwrap()
            .contains("wordprocessingml"));
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        assert!(sniff("表.xlsx", xlsx).unwrap().contains("spreadsheetml"));
        // A PDF named .docx, a program named .pdf, an old binary .doc, a plain zip: refused.
        assert!(sniff("报告.docx", b"%PDF-1.4")
            .unwrap_err()
            .contains(".pdf"));
        assert!(sniff("a.pdf", b"MZ\x90\x00").is_err());
        assert!(sniff("a.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").is_err());
        assert!(sniff("a.xlsx", b"PK\x03\x04 just a zip").is_err());
    }

    #[test]
    fn too_many_or_too_large_files_are_refused() {
        let pdf = |n: usize| NewAttachment {
            file_name: "a.pdf".into(),
            bytes: [b"%PDF-".as_slice(), &vec![b'x'; n]].concat(),
        };
        assert!(check_attachments(&vec![pdf(1); 5]).is_ok());
        assert!(check_attachments(&vec![pdf(1); 6]).is_err());
        assert!(check_attachments(&[pdf(MAX_ATTACHMENT_BYTES)]).is_err());
        assert_eq!(base_name("C:\\Users\\x\\进展.pdf"), "进展.pdf");
    }
}
