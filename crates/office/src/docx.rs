//! The one Word (`.docx`, Office Open XML) writer: titles, headings, paragraphs and bordered
//! tables in 宋体 on A4, the least a report an office signs and files needs. The slate review
//! and the society annual report are both written with it.

use std::io::{Cursor, Write};

use crate::error::OfficeError;

/// A document being written, part by part.
#[derive(Debug, Default)]
pub struct Docx {
    body: String,
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn paragraph(text: &str, bold: bool, size_half_points: u32) -> String {
    let props = format!(
        "<w:rPr>{}<w:sz w:val=\"{size_half_points}\"/><w:rFonts w:eastAsia=\"宋体\"/></w:rPr>",
        if bold { "<w:b/>" } else { "" }
    );
    format!(
        "<w:p><w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        xml_escape(text)
    )
}

impl Docx {
    pub fn new() -> Docx {
        Docx::default()
    }

    /// The document's title: bold, 16 pt.
    pub fn title(&mut self, text: &str) -> &mut Docx {
        self.body.push_str(&paragraph(text, true, 32));
        self
    }

    /// A section heading: bold, 12 pt.
    pub fn heading(&mut self, text: &str) -> &mut Docx {
        self.body.push_str(&paragraph(text, true, 24));
        self
    }

    /// A paragraph of body text, 12 pt.
    pub fn paragraph(&mut self, text: &str) -> &mut Docx {
        self.body.push_str(&paragraph(text, false, 24));
        self
    }

    /// A table the width of the page with a bold header row; rows shorter than the header are
    /// padded with empty cells so that Word opens every row.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) -> &mut Docx {
        let cell = |text: &str, bold: bool| {
            format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>{}</w:tc>",
                paragraph(text, bold, 21)
            )
        };
        let xml = &mut self.body;
        xml.push_str(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>\
             <w:tblBorders><w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/>\
             <w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/>\
             <w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
             </w:tblBorders></w:tblPr><w:tr>",
        );
        for h in headers {
            xml.push_str(&cell(h, true));
        }
        xml.push_str("</w:tr>");
        for row in rows {
            xml.push_str("<w:tr>");
            for i in 0..headers.len().max(row.len()) {
                xml.push_str(&cell(row.get(i).map_or("", String::as_str), false));
            }
            xml.push_str("</w:tr>");
        }
        xml.push_str("</w:tbl>");
        self
    }

    /// The document as the bytes of a `.docx` file.
    pub fn into_bytes(self) -> Result<Vec<u8>, OfficeError> {
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
             <w:body>{}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
             <w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\"/></w:sectPr>\
             </w:body></w:document>",
            self.body
        );
        let parts = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
                 <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
                 </Types>"
                    .to_string(),
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
                 <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
                 </Relationships>"
                    .to_string(),
            ),
            ("word/document.xml", document),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let fail = |e: zip::result::ZipError| OfficeError::Write(e.to_string());
        for (name, text) in parts {
            zip.start_file(name, options).map_err(fail)?;
            zip.write_all(text.as_bytes())?;
        }
        Ok(zip.finish().map_err(fail)?.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(xml_escape("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }
}
