//! The CSV framing both of this crate's files share (the balances file and
//! the addresses file): an optional UTF-8 BOM, a header checked against the
//! expected columns, then records of the header's width, each with its
//! 1-based line. What the fields mean stays with each file.

use csv::StringRecord;

use crate::balances_file::{FileError, FileErrorKind};

/// The records after the header, each of the header's width, with its line.
pub(crate) struct Rows<'a> {
    file: &'a str,
    width: usize,
    records: csv::StringRecordsIntoIter<&'a [u8]>,
}

impl Rows<'_> {
    /// The header's width.
    pub(crate) fn width(&self) -> usize {
        self.width
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<(u64, StringRecord), FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = match self.records.next()? {
            Ok(r) => r,
            Err(e) => return Some(Err(csv_error(self.file, &e))),
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != self.width {
            return Some(Err(FileError::new(
                self.file,
                line,
                None,
                FileErrorKind::FieldCount {
                    expected: self.width,
                    found: record.len(),
                },
            )));
        }
        Some(Ok((line, record)))
    }
}

/// Reads the header of `bytes` and returns the records after it. `accept`
/// says whether the header's fields are acceptable; `expected` describes
/// the header in the error when they are not.
///
/// # Errors
///
/// [`FileErrorKind::Empty`] for a file without a header,
/// [`FileErrorKind::Header`] for a header `accept` refuses, and (from the
/// iterator) [`FileErrorKind::Csv`] and [`FileErrorKind::FieldCount`] with
/// the line.
pub(crate) fn rows<'a>(
    bytes: &'a [u8],
    file: &'a str,
    expected: &str,
    accept: impl FnOnce(&[&str]) -> bool,
) -> Result<Rows<'a>, FileError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .into_records();
    let header = match records.next() {
        None => return Err(FileError::new(file, 1, None, FileErrorKind::Empty)),
        Some(r) => r.map_err(|e| csv_error(file, &e))?,
    };
    let found: Vec<&str> = header.iter().collect();
    if !accept(&found) {
        return Err(FileError::new(
            file,
            1,
            None,
            FileErrorKind::Header {
                expected: expected.to_owned(),
                found: found.join(","),
            },
        ));
    }
    Ok(Rows {
        file,
        width: found.len(),
        records,
    })
}

pub(crate) fn csv_error(file: &str, e: &csv::Error) -> FileError {
    let line = e.position().map_or(0, csv::Position::line);
    FileError::new(file, line, None, FileErrorKind::Csv(e.to_string()))
}
