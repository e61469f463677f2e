//! The balances export: one row per customer, one amount per asset.
//!
//! CSV with a header naming a `user_id` column and one column per asset
//! symbol; amounts are decimal strings in asset units ("0.5", "12"). Columns
//! may come in any order (`user_id` included), but every asset of the list
//! must have exactly one column, and any other column must be named in
//! [`CsvOptions::ignore_columns`]. The delimiter (`,`, `;` or tab) is the
//! one with which the header has a `user_id` field (comma first). Quoted
//! fields (RFC 4180) are accepted, so a user id may contain the delimiter. A
//! UTF-8 byte-order mark at the start is ignored; the bytes must be UTF-8
//! (a caller decodes other encodings first: line breaks survive decoding
//! from an ASCII-compatible encoding, so lines keep their numbers).
//!
//! # Long form
//!
//! A header of exactly `user_id`, `asset` and `amount` (in any order, plus
//! columns to ignore) is a long-form export, as exchanges write balances
//! of many assets: one row per customer and asset held, `asset` a symbol of
//! the list, `amount` in that asset's units. A customer's assets without a
//! row are 0 (the tree hashes them as 0: the format is unchanged); a second
//! row for the same customer and asset is an error naming both lines
//! ([`LedgerError::RepeatedAsset`]), an asset not in the list an error
//! naming the line ([`LedgerError::UnknownAsset`]). A customer's line is
//! that of their first row. (An asset list with a symbol `asset` or
//! `amount` makes such a header a wide one.) The ledger in memory is the
//! same as the wide export's: `k` amounts per customer, zeros included.
//!
//! Parsing works on bytes already in memory: the crate does no I/O. The CSV
//! reader ([`Ledger::from_csv`]) is behind the `csv` feature (on by default);
//! without it (the browser build) a ledger is built row by row with
//! [`Ledger::push`].
//!
//! # User ids
//!
//! A user id is hashed exactly as the bytes given (format v1 is unchanged:
//! `salt(u)` and `id(u)` take `utf8(user_id)` as it is in the export, never a
//! normalised form), but ids that a person could not tell apart are refused:
//!
//! - a control character (Unicode general category `Cc`: C0, DEL, C1) or a
//!   bidirectional formatting character (U+061C, U+200E, U+200F,
//!   U+202A–U+202E, U+2066–U+2069) anywhere is an error
//!   ([`LedgerError::UserIdControl`]);
//! - whitespace (Unicode `White_Space`) at the start or end is an error
//!   ([`LedgerError::UserIdSpace`]): `"alice "` and `"alice"` would be two
//!   customers who look like one;
//! - two ids that differ as bytes but are equal after Unicode NFC
//!   normalisation (`"e\u{301}lise"` and `"\u{e9}lise"`) are duplicates,
//!   reported with both lines when the tree is built
//!   ([`crate::BuildError::NormalizedDuplicateUser`], found by
//!   [`Ledger::normalized_duplicate`]).
//!
//! An export whose ids are already NFC (all ASCII ids are) is checked for
//! that at the cost of one ASCII test per id.

use alloc::collections::BTreeMap;
use core::fmt;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::amount::{Amount, ParseAmountError};
#[cfg(feature = "csv")]
use crate::asset::AssetList;
use crate::prelude::*;

/// How [`Ledger::from_csv_with`] reads an export beyond the strict default.
#[cfg(feature = "csv")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Header names of columns to skip (an e-mail address, a name): their
    /// cells are not read at all. Each must be in the header.
    pub ignore_columns: Vec<String>,
    /// Read an empty amount cell as 0 instead of refusing it.
    pub empty_as_zero: bool,
}

/// The delimiters tried on the header, in order.
#[cfg(feature = "csv")]
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The longest user id accepted, in bytes of UTF-8.
pub const MAX_USER_ID_BYTES: usize = 1024;

/// Customers and their balances, in the order of the export.
///
/// User ids are kept in one arena rather than one `String` each: ten million
/// small allocations cost more than hashing them.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    k: usize,
    arena: String,
    /// `offsets[i]..offsets[i + 1]` is row `i`'s user id; `offsets[0] == 0`.
    offsets: Vec<usize>,
    balances: Vec<Amount>,
    lines: Vec<u64>,
}

impl Ledger {
    /// Creates an empty ledger for `k` assets.
    #[must_use]
    pub fn new(k: usize) -> Self {
        Ledger {
            k,
            arena: String::new(),
            offsets: vec![0],
            balances: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Appends a customer. `line` is where it came from, for error messages.
    ///
    /// # Errors
    ///
    /// Returns a [`LedgerError`] if the user id is refused by
    /// [`check_user_id`], or the number of balances is not `k`.
    pub fn push(
        &mut self,
        user_id: &str,
        balances: &[Amount],
        line: u64,
    ) -> Result<(), LedgerError> {
        check_user_id(user_id, line)?;
        if balances.len() != self.k {
            return Err(LedgerError::WrongBalanceCount {
                line,
                expected: self.k,
                got: balances.len(),
            });
        }
        self.arena.push_str(user_id);
        self.offsets.push(self.arena.len());
        self.balances.extend_from_slice(balances);
        self.lines.push(line);
        Ok(())
    }

    /// Appends every row of `other` (with the same asset count).
    #[cfg(all(feature = "csv", feature = "parallel"))]
    fn append(&mut self, other: Ledger) {
        let base = self.arena.len();
        self.arena.push_str(&other.arena);
        self.offsets
            .extend(other.offsets.iter().skip(1).map(|o| o + base));
        self.balances.extend_from_slice(&other.balances);
        self.lines.extend_from_slice(&other.lines);
    }

    /// Returns the number of customers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Returns true if there are no customers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Returns the number of assets per row.
    #[must_use]
    pub fn asset_count(&self) -> usize {
        self.k
    }

    /// Returns row `i`'s user id.
    ///
    /// # Panics
    ///
    /// Panics if `i >= self.len()`.
    #[must_use]
    pub fn user_id(&self, i: usize) -> &str {
        &self.arena[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Returns row `i`'s balances, one per asset.
    ///
    /// # Panics
    ///
    /// Panics if `i >= self.len()`.
    #[must_use]
    pub fn balances(&self, i: usize) -> &[Amount] {
        &self.balances[i * self.k..(i + 1) * self.k]
    }

    /// Returns the line of the export row `i` came from.
    ///
    /// # Panics
    ///
    /// Panics if `i >= self.len()`.
    #[must_use]
    pub fn line(&self, i: usize) -> u64 {
        self.lines[i]
    }

    /// Returns the column totals, or the index of the first asset whose total
    /// exceeds `u128::MAX` base units.
    ///
    /// # Errors
    ///
    /// Returns the asset index whose sum overflows.
    pub fn totals(&self) -> Result<Vec<Amount>, usize> {
        let mut totals = vec![Amount::ZERO; self.k];
        for row in self.balances.chunks_exact(self.k.max(1)) {
            for (j, (t, b)) in totals.iter_mut().zip(row).enumerate() {
                *t = t.checked_add(*b).ok_or(j)?;
            }
        }
        Ok(totals)
    }

    /// Finds two rows whose user ids differ as bytes but are equal after
    /// Unicode NFC normalisation. Returns `(first, second)` rows, where
    /// `second` is the earliest row whose id NFC-equals an earlier row's;
    /// `None` when there is no such pair. Byte-equal ids are not reported
    /// here (the tree build finds those first).
    ///
    /// Only ids that are not already NFC are normalised: for an export whose
    /// ids are all NFC (every ASCII id is) this is one scan with no
    /// allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// # // The example reads a CSV export: `csv` feature only.
    /// # #[cfg(feature = "csv")] {
    /// use por_tree::{AssetList, Ledger};
    /// let assets = AssetList::from_spec("BTC:8")?;
    /// let csv = "user_id,BTC\n\u{e9}lise,1\nbob,2\ne\u{301}lise,3\n";
    /// let ledger = Ledger::from_csv(csv.as_bytes(), &assets)?;
    /// assert_eq!(ledger.normalized_duplicate(), Some((0, 2)));
    /// # }
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn normalized_duplicate(&self) -> Option<(usize, usize)> {
        // NFC forms of the ids that are not NFC themselves: usually none.
        let mut forms: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in 0..self.len() {
            let id = self.user_id(i);
            if id.is_ascii() || is_nfc_quick(id.chars()) == IsNormalized::Yes {
                continue;
            }
            let nfc: String = id.nfc().collect();
            if nfc != id {
                forms.entry(nfc).or_default();
            }
        }
        if forms.is_empty() {
            return None;
        }
        // Every row whose NFC form is one of those, in row order.
        for i in 0..self.len() {
            let id = self.user_id(i);
            let rows = if id.is_ascii() || is_nfc_quick(id.chars()) == IsNormalized::Yes {
                forms.get_mut(id)
            } else {
                let nfc: String = id.nfc().collect();
                forms.get_mut(nfc.as_str())
            };
            if let Some(rows) = rows {
                rows.push(i);
            }
        }
        forms
            .values()
            .filter_map(|rows| Some((*rows.first()?, *rows.get(1)?)))
            .min_by_key(|&(_, second)| second)
    }

    /// Parses a CSV balances export.
    ///
    /// # Errors
    ///
    /// Returns a [`LedgerError`] naming the line, the column and what was
    /// expected: an empty file, a bad or missing header, an unknown, missing or
    /// repeated column, a row with the wrong number of fields, invalid UTF-8, a
    /// user id refused by [`check_user_id`], or an amount that is not an exact decimal of
    /// the asset (see [`Amount::from_decimal_str`]). Duplicate user ids are
    /// found when the tree is built, where they cost nothing extra.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_tree::{AssetList, Ledger};
    /// let assets = AssetList::from_spec("BTC:8,ETH:18")?;
    /// let csv = b"user_id,BTC,ETH\nalice,0.5,1\nbob,2,0.25\n";
    /// let ledger = Ledger::from_csv(csv, &assets)?;
    /// assert_eq!(ledger.len(), 2);
    /// assert_eq!(ledger.balances(0)[0].to_base_units(), 50_000_000);
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "csv")]
    pub fn from_csv(bytes: &[u8], assets: &AssetList) -> Result<Ledger, LedgerError> {
        Ledger::from_csv_with(bytes, assets, &CsvOptions::default())
    }

    /// Parses a CSV balances export with [`CsvOptions`]: columns to ignore,
    /// empty amounts as 0. [`Ledger::from_csv`] is this with the defaults.
    ///
    /// # Errors
    ///
    /// As [`Ledger::from_csv`], plus [`LedgerError::IgnoredColumnAbsent`]
    /// for an ignored column the header does not have.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_tree::{AssetList, Ledger, ledger::CsvOptions};
    /// let assets = AssetList::from_spec("BTC:8")?;
    /// let csv = b"email;BTC;user_id\na@x;;alice\nb@x;2;bob\n";
    /// let options = CsvOptions { ignore_columns: vec!["email".into()], empty_as_zero: true };
    /// let ledger = Ledger::from_csv_with(csv, &assets, &options)?;
    /// assert_eq!(ledger.user_id(0), "alice");
    /// assert_eq!(ledger.balances(0)[0].to_base_units(), 0);
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "csv")]
    pub fn from_csv_with(
        bytes: &[u8],
        assets: &AssetList,
        options: &CsvOptions,
    ) -> Result<Ledger, LedgerError> {
        let (body, start, first_line) = parse_header(bytes, assets, options)?;
        let rows = &bytes[start..];
        let ledger = match body {
            Body::Wide(parser) => parser.parse_body(rows, first_line)?,
            Body::Long(parser) => parser.parse_ledger(rows, first_line)?,
        };
        finish_ledger(ledger, assets)
    }
}

/// The header of an export: how to read its rows, where they start (byte
/// offset) and the line of the first.
#[cfg(feature = "csv")]
fn parse_header<'a>(
    bytes: &[u8],
    assets: &'a AssetList,
    options: &CsvOptions,
) -> Result<(Body<'a>, usize, u64), LedgerError> {
    {
        let delimiter = detect_delimiter(bytes)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();

        // Header.
        if !read_record(&mut reader, &mut record)? {
            return Err(LedgerError::EmptyFile);
        }
        let mut lines = LineCounter {
            bytes,
            offset: 0,
            line: 1,
        };
        let header_line = lines.line_of(&record);
        let k = assets.len();
        let body_start = |reader: &csv::Reader<&[u8]>, lines: &LineCounter<'_>| {
            let start = usize::try_from(reader.position().byte())
                .unwrap_or(bytes.len())
                .min(bytes.len());
            let first = header_line + newlines(&bytes[lines.offset.min(start)..start]);
            (start, first)
        };
        if let Some(columns) = long_form_columns(&record, assets, options) {
            let (start, first_line) = body_start(&reader, &lines);
            let parser = LongParser {
                assets,
                columns,
                fields: record.len(),
                delimiter,
                empty_as_zero: options.empty_as_zero,
            };
            return Ok((Body::Long(parser), start, first_line));
        }
        // column position in the file -> what it holds
        let mut column_asset: Vec<Column> = Vec::with_capacity(record.len());
        let mut seen = vec![false; k];
        let mut seen_user = false;
        let mut ignored = vec![false; options.ignore_columns.len()];
        let mut unknown = Vec::new();
        for (col, field) in record.iter().enumerate() {
            let name = core::str::from_utf8(field).map_err(|_| LedgerError::InvalidUtf8 {
                line: header_line,
                column: col + 1,
                value: field.escape_ascii().to_string(),
            })?;
            let name = if col == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            if let Some(i) = options.ignore_columns.iter().position(|c| c == name) {
                ignored[i] = true;
                column_asset.push(Column::Ignored);
                continue;
            }
            if name == "user_id" {
                if seen_user {
                    return Err(LedgerError::RepeatedColumn {
                        column: col + 1,
                        name: name.to_owned(),
                    });
                }
                seen_user = true;
                column_asset.push(Column::UserId);
                continue;
            }
            let Some(a) = assets.position(name) else {
                unknown.push((col + 1, name.to_owned()));
                column_asset.push(Column::Ignored);
                continue;
            };
            if seen[a] {
                return Err(LedgerError::RepeatedColumn {
                    column: col + 1,
                    name: name.to_owned(),
                });
            }
            seen[a] = true;
            column_asset.push(Column::Asset(a));
        }
        if !unknown.is_empty() {
            return Err(LedgerError::UnknownColumns {
                columns: unknown,
                expected: assets.iter().map(|a| a.symbol().to_owned()).collect(),
            });
        }
        if !seen_user {
            // `user_id` itself was named as a column to ignore.
            return Err(LedgerError::NoUserIdColumn {
                header: String::from_utf8_lossy(
                    bytes.split(|&b| b == b'\n').next().unwrap_or_default(),
                )
                .trim_end_matches('\r')
                .chars()
                .take(200)
                .collect(),
            });
        }
        if let Some(i) = ignored.iter().position(|s| !s) {
            return Err(LedgerError::IgnoredColumnAbsent {
                name: options.ignore_columns[i].clone(),
            });
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(LedgerError::MissingColumn {
                name: assets
                    .get(missing)
                    .map(|a| a.symbol().to_owned())
                    .unwrap_or_default(),
            });
        }

        let (start, first_line) = body_start(&reader, &lines);
        let rows = RowParser {
            assets,
            decimals: assets.iter().map(crate::Asset::decimals).collect(),
            column_asset,
            delimiter,
            empty_as_zero: options.empty_as_zero,
        };
        Ok((Body::Wide(rows), start, first_line))
    }
}

/// The checks every parsed export ends with: at least one customer, and no
/// column total over `u128::MAX`.
#[cfg(feature = "csv")]
fn finish_ledger(ledger: Ledger, assets: &AssetList) -> Result<Ledger, LedgerError> {
    if ledger.is_empty() {
        return Err(LedgerError::NoCustomers);
    }
    if let Err(a) = ledger.totals() {
        return Err(LedgerError::TotalOverflow {
            symbol: assets
                .get(a)
                .map(|x| x.symbol().to_owned())
                .unwrap_or_default(),
        });
    }
    Ok(ledger)
}

/// The positions of `user_id`, `asset` and `amount` if the header is a
/// long-form export: exactly those three columns (in any order) besides
/// columns to ignore, and no asset of the list is named `asset` or
/// `amount` (then the header is a wide one).
#[cfg(feature = "csv")]
fn long_form_columns(
    header: &csv::ByteRecord,
    assets: &AssetList,
    options: &CsvOptions,
) -> Option<[usize; 3]> {
    if assets.position("asset").is_some() || assets.position("amount").is_some() {
        return None;
    }
    let mut found: [Option<usize>; 3] = [None; 3];
    for (col, field) in header.iter().enumerate() {
        let field = if col == 0 {
            field.strip_prefix("\u{feff}".as_bytes()).unwrap_or(field)
        } else {
            field
        };
        let slot = match field {
            b"user_id" => 0,
            b"asset" => 1,
            b"amount" => 2,
            other => {
                let ignored = core::str::from_utf8(other)
                    .is_ok_and(|name| options.ignore_columns.iter().any(|c| c == name));
                if ignored {
                    continue;
                }
                return None;
            }
        };
        if found[slot].replace(col).is_some() {
            return None;
        }
    }
    Some([found[0]?, found[1]?, found[2]?])
}

/// How the rows of a long-form export (`user_id,asset,amount`) are read.
#[cfg(feature = "csv")]
struct LongParser<'a> {
    assets: &'a AssetList,
    /// Positions of `user_id`, `asset` and `amount`.
    columns: [usize; 3],
    /// Fields per row (the header's).
    fields: usize,
    delimiter: u8,
    empty_as_zero: bool,
}

/// How the rows of an export are read: wide or long form.
#[cfg(feature = "csv")]
enum Body<'a> {
    Wide(RowParser<'a>),
    Long(LongParser<'a>),
}

#[cfg(feature = "csv")]
impl LongParser<'_> {
    /// Calls `f(user_id, asset, amount, line)` for each row of `body`
    /// (whole records, the first on line `first_line`).
    fn for_each_row(
        &self,
        body: &[u8],
        first_line: u64,
        mut f: impl FnMut(&str, usize, Amount, u64) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        let [user_col, asset_col, amount_col] = self.columns;
        let assets = self.assets;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(body);
        let mut record = csv::ByteRecord::new();
        let mut lines = LineCounter {
            bytes: body,
            offset: 0,
            line: first_line,
        };
        let utf8 = |line: u64, col: usize, field: &[u8]| -> Result<String, LedgerError> {
            core::str::from_utf8(field)
                .map(str::to_owned)
                .map_err(|_| LedgerError::InvalidUtf8 {
                    line,
                    column: col + 1,
                    value: field.escape_ascii().to_string(),
                })
        };
        while read_record(&mut reader, &mut record).map_err(|e| match e {
            LedgerError::Syntax { line, message } => LedgerError::Syntax {
                line: line + first_line - 1,
                message,
            },
            other => other,
        })? {
            let line = lines.line_of(&record);
            if record.len() != self.fields {
                return Err(LedgerError::FieldCount {
                    line,
                    expected: self.fields,
                    got: record.len(),
                });
            }
            let uid = utf8(line, user_col, record.get(user_col).unwrap_or_default())?;
            check_user_id(&uid, line)?;
            let symbol = utf8(line, asset_col, record.get(asset_col).unwrap_or_default())?;
            let Some(a) = assets.position(&symbol) else {
                return Err(LedgerError::UnknownAsset {
                    line,
                    column: asset_col + 1,
                    symbol,
                    expected: assets.iter().map(|a| a.symbol().to_owned()).collect(),
                });
            };
            let decimals = assets.get(a).map_or(0, crate::Asset::decimals);
            let cell = record.get(amount_col).unwrap_or_default();
            let amount = if cell.is_empty() && self.empty_as_zero {
                Amount::ZERO
            } else {
                Amount::from_decimal_bytes(cell, decimals).map_err(|source| {
                    LedgerError::Amount {
                        line,
                        column: amount_col + 1,
                        symbol: symbol.clone(),
                        source,
                    }
                })?
            };
            f(&uid, a, amount, line)?;
        }
        Ok(())
    }

    /// Parses the rows of a long-form export (one row per customer and
    /// asset held): a customer's assets without a row are 0, the customer's
    /// line is that of their first row, and customers come in the order of
    /// their first row.
    fn parse_ledger(&self, body: &[u8], first_line: u64) -> Result<Ledger, LedgerError> {
        use std::collections::HashMap;
        let k = self.assets.len();
        let mut rows: HashMap<String, usize> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut first_lines: Vec<u64> = Vec::new();
        let mut balances: Vec<Amount> = Vec::new();
        // line of the row that set (customer, asset), 0 if none
        let mut set_by: Vec<u64> = Vec::new();
        self.for_each_row(body, first_line, |uid, a, amount, line| {
            let row = match rows.get(uid) {
                Some(&row) => row,
                None => {
                    let row = names.len();
                    rows.insert(uid.to_owned(), row);
                    names.push(uid.to_owned());
                    first_lines.push(line);
                    balances.extend(core::iter::repeat_n(Amount::ZERO, k));
                    set_by.extend(core::iter::repeat_n(0u64, k));
                    row
                }
            };
            let slot = row * k + a;
            if set_by[slot] != 0 {
                return Err(LedgerError::RepeatedAsset {
                    line,
                    first_line: set_by[slot],
                    user_id: names[row].clone(),
                    symbol: self
                        .assets
                        .get(a)
                        .map(|x| x.symbol().to_owned())
                        .unwrap_or_default(),
                });
            }
            set_by[slot] = line;
            balances[slot] = amount;
            Ok(())
        })?;
        drop(rows);
        let mut ledger = Ledger::new(k);
        for (row, name) in names.iter().enumerate() {
            ledger.push(name, &balances[row * k..(row + 1) * k], first_lines[row])?;
        }
        Ok(ledger)
    }

    /// The rows of `body` one by one, not merged by customer.
    fn parse_rows(&self, body: &[u8], first_line: u64) -> Result<LongRows, LedgerError> {
        let mut rows = LongRows::default();
        rows.offsets.push(0);
        self.for_each_row(body, first_line, |uid, a, amount, line| {
            rows.arena.push_str(uid);
            rows.offsets.push(rows.arena.len());
            // a < MAX_ASSETS
            rows.assets.push(u32::try_from(a).unwrap_or(u32::MAX));
            rows.amounts.push(amount);
            rows.lines.push(line);
            Ok(())
        })?;
        Ok(rows)
    }
}

/// Rows of a long-form export as read, one per customer and asset (a
/// customer may have rows in several pieces of the file): what
/// [`CsvStream`] gives for a long-form export.
#[cfg(feature = "csv")]
#[derive(Debug, Clone, Default)]
pub struct LongRows {
    arena: String,
    offsets: Vec<usize>,
    assets: Vec<u32>,
    amounts: Vec<Amount>,
    lines: Vec<u64>,
}

#[cfg(feature = "csv")]
impl LongRows {
    /// The number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Row `i`'s user id.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn user_id(&self, i: usize) -> &str {
        &self.arena[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Row `i`'s asset (its index in the asset list).
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn asset(&self, i: usize) -> usize {
        self.assets[i] as usize
    }

    /// Row `i`'s amount in base units.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn amount(&self, i: usize) -> Amount {
        self.amounts[i]
    }

    /// Row `i`'s line in the file.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    #[must_use]
    pub fn line(&self, i: usize) -> u64 {
        self.lines[i]
    }
}

/// A piece of an export read by [`CsvStream`].
#[cfg(feature = "csv")]
#[derive(Debug, Clone)]
pub enum CsvRows {
    /// Rows of a wide export: one customer each (not yet checked for
    /// duplicates: that is the tree build's).
    Wide(Ledger),
    /// Rows of a long-form export, one per customer and asset.
    Long(LongRows),
}

/// A balances export read piece by piece, for a build that never holds the
/// whole file ([`crate::bounded`]). The rows are parsed exactly as
/// [`Ledger::from_csv_with`] parses them, with the same errors and line
/// numbers; what needs the whole file (duplicate ids, a long-form
/// customer's rows in several pieces, the column totals) is the caller's.
///
/// The caller reads the file in pieces: [`CsvStream::start`] on the first
/// (which must hold the whole header line), then [`CsvStream::parse`] on
/// each run of whole records, cut with [`CsvStream::boundary`].
#[cfg(feature = "csv")]
pub struct CsvStream<'a> {
    body: Body<'a>,
    delimiter: u8,
    next_line: u64,
}

#[cfg(feature = "csv")]
impl<'a> CsvStream<'a> {
    /// Reads the header from the start of the file. Returns the stream and
    /// the byte offset in `head` where the rows start.
    ///
    /// # Errors
    ///
    /// As [`Ledger::from_csv_with`] for the header.
    pub fn start(
        head: &[u8],
        assets: &'a AssetList,
        options: &CsvOptions,
    ) -> Result<(CsvStream<'a>, usize), LedgerError> {
        let (body, start, first_line) = parse_header(head, assets, options)?;
        let delimiter = match &body {
            Body::Wide(p) => p.delimiter,
            Body::Long(p) => p.delimiter,
        };
        Ok((
            CsvStream {
                body,
                delimiter,
                next_line: first_line,
            },
            start,
        ))
    }

    /// Whether the export is in long form (`user_id,asset,amount`).
    #[must_use]
    pub fn is_long(&self) -> bool {
        matches!(self.body, Body::Long(_))
    }

    /// The length of the longest prefix of `bytes` (which start at a record
    /// boundary) that ends at one: just after a line break outside quotes.
    /// 0 if there is none; the rest belongs to the next piece.
    #[must_use]
    pub fn boundary(&self, bytes: &[u8]) -> usize {
        if !bytes.contains(&b'"') {
            return bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        }
        // Quoted fields may hold line breaks: let the CSV reader find the
        // records, and keep all but the last (which may be cut short).
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        let mut end = 0;
        while let Ok(true) = reader.read_byte_record(&mut record) {
            let at = usize::try_from(reader.position().byte()).unwrap_or(bytes.len());
            if at >= bytes.len() {
                break;
            }
            end = at;
        }
        // the reader stops after the line break that ends a record
        end
    }

    /// Parses whole records (a prefix cut by [`CsvStream::boundary`], or
    /// the rest of the file at its end), the next piece of the file.
    ///
    /// # Errors
    ///
    /// As [`Ledger::from_csv_with`] for these rows, with the lines of the
    /// whole file.
    pub fn parse(&mut self, records: &[u8]) -> Result<CsvRows, LedgerError> {
        let first = self.next_line;
        self.next_line += newlines(records);
        match &self.body {
            Body::Wide(p) => p.parse_body(records, first).map(CsvRows::Wide),
            Body::Long(p) => p.parse_rows(records, first).map(CsvRows::Long),
        }
    }
}

/// Parses the rows after the header; with the `parallel` feature, large
/// files without quoted fields are cut at line breaks and parsed on every
/// core (a file with quotes is parsed in one piece, since a quoted field
/// may contain a line break).
#[cfg(feature = "csv")]
struct RowParser<'a> {
    assets: &'a AssetList,
    decimals: Vec<u8>,
    /// column position in the file -> what it holds
    column_asset: Vec<Column>,
    delimiter: u8,
    empty_as_zero: bool,
}

/// What a column of the export holds.
#[cfg(feature = "csv")]
#[derive(Debug, Clone, Copy)]
enum Column {
    UserId,
    Asset(usize),
    Ignored,
}

/// The delimiter with which the header (the first line) has a field
/// `user_id`: `,` first, then `;`, then tab.
#[cfg(feature = "csv")]
fn detect_delimiter(bytes: &[u8]) -> Result<u8, LedgerError> {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    if bytes.is_empty() {
        return Err(LedgerError::EmptyFile);
    }
    for d in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(first);
        let mut record = csv::ByteRecord::new();
        if matches!(reader.read_byte_record(&mut record), Ok(true))
            && record.iter().enumerate().any(|(i, f)| {
                let f = if i == 0 {
                    f.strip_prefix("\u{feff}".as_bytes()).unwrap_or(f)
                } else {
                    f
                };
                f == b"user_id"
            })
        {
            return Ok(d);
        }
    }
    let shown: String = String::from_utf8_lossy(first)
        .trim_start_matches('\u{feff}')
        .trim_end_matches('\r')
        .chars()
        .take(200)
        .collect();
    Err(LedgerError::NoUserIdColumn { header: shown })
}

#[cfg(feature = "csv")]
impl RowParser<'_> {
    fn parse_body(&self, body: &[u8], first_line: u64) -> Result<Ledger, LedgerError> {
        #[cfg(feature = "parallel")]
        {
            const MIN_PARALLEL: usize = 4 << 20;
            if body.len() >= MIN_PARALLEL && !body.contains(&b'"') {
                use rayon::prelude::*;
                let pieces = rayon::current_num_threads().max(1) * 8;
                let chunks = split_at_newlines(body, pieces);
                let counts: Vec<u64> = chunks.par_iter().map(|c| newlines(c)).collect();
                let mut starts = Vec::with_capacity(chunks.len());
                let mut line = first_line;
                for c in &counts {
                    starts.push(line);
                    line += c;
                }
                let parts: Vec<Result<Ledger, LedgerError>> = chunks
                    .par_iter()
                    .zip(starts)
                    .map(|(c, start)| self.parse_piece(c, start))
                    .collect();
                let mut ledger = Ledger::new(self.decimals.len());
                for part in parts {
                    ledger.append(part?);
                }
                return Ok(ledger);
            }
        }
        self.parse_piece(body, first_line)
    }

    fn parse_piece(&self, bytes: &[u8], first_line: u64) -> Result<Ledger, LedgerError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        let mut lines = LineCounter {
            bytes,
            offset: 0,
            line: first_line,
        };
        let k = self.decimals.len();
        let mut ledger = Ledger::new(k);
        let mut row = vec![Amount::ZERO; k];
        let expected_fields = self.column_asset.len();
        loop {
            let more = reader.read_byte_record(&mut record).map_err(|e| {
                let offset = e
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .unwrap_or(0)
                    .min(bytes.len());
                LedgerError::Syntax {
                    line: first_line + newlines(&bytes[..offset]),
                    message: e.to_string(),
                }
            })?;
            if !more {
                break;
            }
            let line = lines.line_of(&record);
            if record.len() != expected_fields {
                return Err(LedgerError::FieldCount {
                    line,
                    expected: expected_fields,
                    got: record.len(),
                });
            }
            let mut user_id = "";
            for (col, (field, target)) in record.iter().zip(&self.column_asset).enumerate() {
                match *target {
                    Column::Ignored => {}
                    Column::UserId => {
                        user_id =
                            core::str::from_utf8(field).map_err(|_| LedgerError::InvalidUtf8 {
                                line,
                                column: col + 1,
                                value: field.escape_ascii().to_string(),
                            })?;
                        check_user_id(user_id, line)?;
                    }
                    Column::Asset(a) if field.is_empty() && self.empty_as_zero => {
                        row[a] = Amount::ZERO;
                    }
                    Column::Asset(a) => {
                        row[a] = Amount::from_decimal_bytes(field, self.decimals[a]).map_err(
                            |source| LedgerError::Amount {
                                line,
                                column: col + 1,
                                symbol: self
                                    .assets
                                    .get(a)
                                    .map(|x| x.symbol().to_owned())
                                    .unwrap_or_default(),
                                source,
                            },
                        )?;
                    }
                }
            }
            ledger.push(user_id, &row, line)?;
        }
        Ok(ledger)
    }
}

/// Whether `c` may not appear in a user id: a control character (general
/// category `Cc`) or a bidirectional formatting character, which reorders
/// how the text around it is shown.
fn forbidden_in_user_id(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Checks one user id from line `line`: not empty, at most
/// [`MAX_USER_ID_BYTES`] bytes, no control or bidirectional formatting
/// character, no whitespace at either end. The id is never changed: what is
/// accepted is hashed exactly as given.
///
/// # Errors
///
/// [`LedgerError::EmptyUserId`], [`LedgerError::UserIdTooLong`],
/// [`LedgerError::UserIdControl`] (naming the character and its position)
/// or [`LedgerError::UserIdSpace`].
///
/// # Examples
///
/// ```
/// use por_tree::ledger::{check_user_id, LedgerError};
/// assert!(check_user_id("customer-42", 2).is_ok());
/// assert!(matches!(check_user_id("bob\u{7}", 3), Err(LedgerError::UserIdControl { line: 3, .. })));
/// assert!(matches!(check_user_id(" bob", 4), Err(LedgerError::UserIdSpace { line: 4, .. })));
/// ```
pub fn check_user_id(user_id: &str, line: u64) -> Result<(), LedgerError> {
    if user_id.is_empty() {
        return Err(LedgerError::EmptyUserId { line });
    }
    if user_id.len() > MAX_USER_ID_BYTES {
        return Err(LedgerError::UserIdTooLong {
            line,
            len: user_id.len(),
        });
    }
    if let Some((position, ch)) = user_id
        .chars()
        .enumerate()
        .find(|(_, c)| forbidden_in_user_id(*c))
    {
        return Err(LedgerError::UserIdControl {
            line,
            ch,
            position: position + 1,
        });
    }
    let first = user_id.chars().next();
    let last = user_id.chars().next_back();
    for (at_start, c) in [(true, first), (false, last)] {
        if let Some(ch) = c.filter(|c| c.is_whitespace()) {
            return Err(LedgerError::UserIdSpace { line, ch, at_start });
        }
    }
    Ok(())
}

/// Counts line breaks.
#[cfg(feature = "csv")]
fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Cuts `bytes` into about `pieces` parts, each ending just after a `\n`
/// (the last one at the end).
#[cfg(all(feature = "csv", feature = "parallel"))]
fn split_at_newlines(bytes: &[u8], pieces: usize) -> Vec<&[u8]> {
    let target = bytes.len() / pieces.max(1) + 1;
    let mut out = Vec::with_capacity(pieces + 1);
    let mut rest = bytes;
    while !rest.is_empty() {
        let cut = if rest.len() <= target {
            rest.len()
        } else {
            rest[target..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| target + p + 1)
        };
        let (piece, tail) = rest.split_at(cut);
        out.push(piece);
        rest = tail;
    }
    out
}

#[cfg(feature = "csv")]
fn read_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::ByteRecord,
) -> Result<bool, LedgerError> {
    reader.read_byte_record(record).map_err(|e| {
        let line = e.position().map_or(0, csv::Position::line);
        LedgerError::Syntax {
            line,
            message: e.to_string(),
        }
    })
}

/// Counts lines by bytes rather than trusting the CSV reader's counter,
/// which does not count the blank lines it skips.
#[cfg(feature = "csv")]
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

#[cfg(feature = "csv")]
impl LineCounter<'_> {
    /// Returns the 1-based line of the record starting at `record`'s byte offset.
    fn line_of(&mut self, record: &csv::ByteRecord) -> u64 {
        let mut target = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(self.offset)
            .min(self.bytes.len());
        // The reader reports where it started looking, before the blank
        // lines it skipped; a record itself never starts with a line break.
        while matches!(self.bytes.get(target), Some(b'\n' | b'\r')) {
            target += 1;
        }
        if target > self.offset {
            let newlines = self.bytes[self.offset..target]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line += newlines as u64;
            self.offset = target;
        }
        self.line
    }
}

/// A problem with a balances export, with the line and column where it is.
///
/// Lines and columns count from 1; the header is line 1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LedgerError {
    /// The file has no header line.
    EmptyFile,
    /// The file has a header but no customer rows.
    NoCustomers,
    /// The header has no `user_id` field with any of the delimiters `,`,
    /// `;` and tab.
    NoUserIdColumn {
        /// The header line as read (at most 200 characters).
        header: String,
    },
    /// Header columns that name no asset of the list and are not ignored.
    UnknownColumns {
        /// Column number and name of each.
        columns: Vec<(usize, String)>,
        /// The asset symbols that were expected.
        expected: Vec<String>,
    },
    /// A column to ignore that the header does not have.
    IgnoredColumnAbsent {
        /// The column name.
        name: String,
    },
    /// A header column that appears twice.
    RepeatedColumn {
        /// Column number of the second occurrence.
        column: usize,
        /// The column name.
        name: String,
    },
    /// An asset of the list without a column.
    MissingColumn {
        /// The asset symbol.
        name: String,
    },
    /// A row whose field count differs from the header's.
    FieldCount {
        /// Line number.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        got: usize,
    },
    /// A field that is not valid UTF-8.
    InvalidUtf8 {
        /// Line number.
        line: u64,
        /// Column number.
        column: usize,
        /// The field, bytes other than printable ASCII escaped (`\x8e`).
        value: String,
    },
    /// An empty user id.
    EmptyUserId {
        /// Line number.
        line: u64,
    },
    /// A user id longer than [`MAX_USER_ID_BYTES`].
    UserIdTooLong {
        /// Line number.
        line: u64,
        /// Its length in bytes.
        len: usize,
    },
    /// A user id with a control character (general category `Cc`) or a
    /// bidirectional formatting character.
    UserIdControl {
        /// Line number.
        line: u64,
        /// The character.
        ch: char,
        /// Its position in the id, in characters from 1.
        position: usize,
    },
    /// A user id that starts or ends with whitespace (Unicode `White_Space`).
    UserIdSpace {
        /// Line number.
        line: u64,
        /// The whitespace character.
        ch: char,
        /// Whether it is at the start (else at the end).
        at_start: bool,
    },
    /// A row with the wrong number of balances (programmatic use of [`Ledger::push`]).
    WrongBalanceCount {
        /// Line number.
        line: u64,
        /// The number of assets.
        expected: usize,
        /// The number given.
        got: usize,
    },
    /// An amount that is not an exact decimal of its asset.
    Amount {
        /// Line number.
        line: u64,
        /// Column number.
        column: usize,
        /// The column's asset.
        symbol: String,
        /// What is wrong with it.
        source: ParseAmountError,
    },
    /// The column total of an asset exceeds `u128::MAX` base units.
    TotalOverflow {
        /// The asset symbol.
        symbol: String,
    },
    /// A long-form row (`user_id,asset,amount`) naming an asset that is not
    /// in the list.
    UnknownAsset {
        /// Line number.
        line: u64,
        /// Column number of `asset`.
        column: usize,
        /// The symbol given.
        symbol: String,
        /// The asset symbols that were expected.
        expected: Vec<String>,
    },
    /// A long-form export with two rows for the same customer and asset.
    RepeatedAsset {
        /// Line number of the second row.
        line: u64,
        /// Line number of the first.
        first_line: u64,
        /// The user id.
        user_id: String,
        /// The asset symbol.
        symbol: String,
    },
    /// The CSV itself is malformed (for example an unterminated quote).
    Syntax {
        /// Line number.
        line: u64,
        /// The parser's description.
        message: String,
    },
}

impl LedgerError {
    /// Returns the line the problem is on, when it is on one.
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        match self {
            LedgerError::FieldCount { line, .. }
            | LedgerError::InvalidUtf8 { line, .. }
            | LedgerError::EmptyUserId { line }
            | LedgerError::UserIdTooLong { line, .. }
            | LedgerError::UserIdControl { line, .. }
            | LedgerError::UserIdSpace { line, .. }
            | LedgerError::WrongBalanceCount { line, .. }
            | LedgerError::Amount { line, .. }
            | LedgerError::UnknownAsset { line, .. }
            | LedgerError::RepeatedAsset { line, .. }
            | LedgerError::Syntax { line, .. } => Some(*line),
            LedgerError::NoUserIdColumn { .. }
            | LedgerError::UnknownColumns { .. }
            | LedgerError::IgnoredColumnAbsent { .. }
            | LedgerError::RepeatedColumn { .. }
            | LedgerError::MissingColumn { .. } => Some(1),
            LedgerError::EmptyFile
            | LedgerError::NoCustomers
            | LedgerError::TotalOverflow { .. } => None,
        }
    }
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::EmptyFile => write!(f, "the file is empty: expected a header `user_id,<SYMBOL>,...`"),
            LedgerError::NoCustomers => write!(f, "the file has a header but no customer rows"),
            LedgerError::NoUserIdColumn { header } => write!(
                f,
                "line 1: expected a header with a `user_id` column, separated by `,`, `;` or tab; found {header:?}"
            ),
            LedgerError::UnknownColumns { columns, expected } if columns.len() == 1 => write!(
                f,
                "line 1, column {}: unknown column {:?}; expected `user_id` and the assets {}",
                columns[0].0,
                columns[0].1,
                expected.join(", ")
            ),
            LedgerError::UnknownColumns { columns, expected } => {
                let list: Vec<String> = columns
                    .iter()
                    .map(|(c, n)| format!("{n:?} (column {c})"))
                    .collect();
                write!(
                    f,
                    "line 1: unknown columns {}; expected `user_id` and the assets {}",
                    list.join(", "),
                    expected.join(", ")
                )
            }
            LedgerError::IgnoredColumnAbsent { name } => {
                write!(f, "line 1: no column {name:?} to ignore in the header")
            }
            LedgerError::RepeatedColumn { column, name } => {
                write!(f, "line 1, column {column}: column {name:?} appears twice")
            }
            LedgerError::MissingColumn { name } => {
                write!(f, "line 1: no column for asset {name}; every asset needs one")
            }
            LedgerError::FieldCount { line, expected, got } => write!(
                f,
                "line {line}: expected {expected} fields like the header, found {got}"
            ),
            LedgerError::InvalidUtf8 { line, column, value } => {
                write!(f, "line {line}, column {column}: \"{value}\" is not valid UTF-8")
            }
            LedgerError::EmptyUserId { line } => write!(f, "line {line}, column user_id: empty user id"),
            LedgerError::UserIdTooLong { line, len } => write!(
                f,
                "line {line}, column user_id: user id of {len} bytes; at most {MAX_USER_ID_BYTES} are allowed"
            ),
            LedgerError::UserIdControl { line, ch, position } => write!(
                f,
                "line {line}, column 1 (user_id): control character U+{:04X} at character {position} of the user id; control and bidirectional formatting characters are not allowed",
                u32::from(*ch)
            ),
            LedgerError::UserIdSpace { line, ch, at_start } => write!(
                f,
                "line {line}, column 1 (user_id): the user id {} with whitespace U+{:04X}; remove it (ids are compared exactly, so \"a \" and \"a\" would be two customers)",
                if *at_start { "starts" } else { "ends" },
                u32::from(*ch)
            ),
            LedgerError::WrongBalanceCount { line, expected, got } => write!(
                f,
                "line {line}: expected {expected} balances, got {got}"
            ),
            LedgerError::Amount { line, column, symbol, source }
                if matches!(source.kind(), crate::amount::AmountErrorKind::Sign)
                    && source.input().starts_with('-') =>
            {
                write!(
                    f,
                    "line {line}, column {column} ({symbol}): negative balance {:?}: por counts what the exchange owes each customer, and a debit balance (the customer owes the exchange) is not a liability to the customer; the tree holds unsigned amounts, so it cannot be netted against other balances",
                    source.input()
                )
            }
            LedgerError::Amount { line, column, symbol, source } => {
                write!(f, "line {line}, column {column} ({symbol}): {source}")
            }
            LedgerError::TotalOverflow { symbol } => write!(
                f,
                "the total of column {symbol} exceeds 2^128-1 base units"
            ),
            LedgerError::UnknownAsset { line, column, symbol, expected } => write!(
                f,
                "line {line}, column {column} (asset): unknown asset {symbol:?}; expected one of {}",
                expected.join(", ")
            ),
            LedgerError::RepeatedAsset { line, first_line, user_id, symbol } => write!(
                f,
                "line {line}, column asset: a second {symbol} balance for user id {user_id:?} (the first is on line {first_line}); a long-form export has one row per customer and asset"
            ),
            LedgerError::Syntax { line, message } => write!(f, "line {line}: malformed CSV: {message}"),
        }
    }
}

impl core::error::Error for LedgerError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            LedgerError::Amount { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
#[cfg(feature = "csv")]
mod tests {
    use super::*;

    #[test]
    fn long_form_is_the_wide_ledger_without_its_zeros() {
        let assets = AssetList::from_spec("BTC:8,ETH:18,USDT:6").unwrap();
        let wide = "user_id,BTC,ETH,USDT\nalice,0.5,0,0\nbob,0,2,1.25\ncarol,0,0,0\n";
        let long =
            "asset,user_id,amount\r\nBTC,alice,0.5\nUSDT,bob,1.25\nETH,bob,2\n\ncarol,BTC,0\n";
        // (the last row has user_id and asset swapped on purpose: "carol" is
        // not an asset)
        let e = Ledger::from_csv(long.as_bytes(), &assets).unwrap_err();
        assert_eq!(e.line(), Some(6), "{e}");
        assert!(
            e.to_string()
                .contains("column 1 (asset): unknown asset \"carol\""),
            "{e}"
        );
        let long = long.replace("carol,BTC,0", "BTC,carol,0");
        let w = Ledger::from_csv(wide.as_bytes(), &assets).unwrap();
        let l = Ledger::from_csv(long.as_bytes(), &assets).unwrap();
        assert_eq!(l.len(), 3);
        for i in 0..3 {
            assert_eq!(l.user_id(i), w.user_id(i));
            assert_eq!(l.balances(i), w.balances(i));
        }
        assert_eq!((l.line(0), l.line(1), l.line(2)), (2, 3, 6));
        let secret = crate::SnapshotSecret::from_byte_array([5; 32]);
        let (tw, _) = crate::LiabilitiesTree::build(&assets, &w, &secret).unwrap();
        let (tl, _) = crate::LiabilitiesTree::build(&assets, &l, &secret).unwrap();
        assert_eq!(tw.root(), tl.root());
    }

    #[test]
    fn long_form_errors_name_line_and_column() {
        let assets = AssetList::from_spec("BTC:8,ETH:18").unwrap();
        let e = |csv: &str| Ledger::from_csv(csv.as_bytes(), &assets).unwrap_err();
        let x = e("user_id,asset,amount\na,BTC,1\na,ETH,1\na,BTC,2\n");
        assert!(
            matches!(
                x,
                LedgerError::RepeatedAsset {
                    line: 4,
                    first_line: 2,
                    ..
                }
            ),
            "{x}"
        );
        assert!(x.to_string().starts_with("line 4, column asset: a second BTC balance for user id \"a\" (the first is on line 2)"), "{x}");
        let x = e("user_id,asset,amount\na,BTC,0.123456789\n");
        assert!(x.to_string().starts_with("line 2, column 3 (BTC): "), "{x}");
        let x = e("user_id,asset,amount\na,BTC\n");
        assert!(
            matches!(
                x,
                LedgerError::FieldCount {
                    line: 2,
                    expected: 3,
                    got: 2
                }
            ),
            "{x}"
        );
        let x = e("user_id,asset,amount\n a,BTC,1\n");
        assert!(matches!(x, LedgerError::UserIdSpace { line: 2, .. }), "{x}");
        let x = e("user_id,asset,amount\n");
        assert!(matches!(x, LedgerError::NoCustomers), "{x}");
        let x = e("user_id,asset,amount\na,BTC,-1\n");
        assert!(x.to_string().contains("negative balance"), "{x}");
        // an extra column is an unknown column of a wide export unless ignored
        let x = e("user_id,asset,amount,email\na,BTC,1,x@y\n");
        assert!(matches!(x, LedgerError::UnknownColumns { .. }), "{x}");
        let options = CsvOptions {
            ignore_columns: vec!["email".into()],
            empty_as_zero: true,
        };
        let l = Ledger::from_csv_with(
            b"email;user_id;asset;amount\nx@y;a;ETH;\nx@y;a;BTC;3\n",
            &assets,
            &options,
        )
        .unwrap();
        assert_eq!(l.balances(0)[0].to_base_units(), 300_000_000);
        assert_eq!(l.balances(0)[1].to_base_units(), 0);
    }

    fn assets() -> AssetList {
        AssetList::from_spec("BTC:8,ETH:18").unwrap()
    }

    fn err(csv: &str) -> LedgerError {
        Ledger::from_csv(csv.as_bytes(), &assets()).unwrap_err()
    }

    #[test]
    fn parses_in_any_column_order_with_bom_and_quotes() {
        let l = Ledger::from_csv(
            "\u{feff}user_id,ETH,BTC\n\"a,b\",1,0.5\n\ncafé,0,12\n".as_bytes(),
            &assets(),
        )
        .unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l.user_id(0), "a,b");
        assert_eq!(l.balances(0)[0].to_base_units(), 50_000_000);
        assert_eq!(l.balances(0)[1].to_base_units(), 10u128.pow(18));
        assert_eq!(l.user_id(1), "café");
        assert_eq!(l.line(1), 4);
    }

    /// A body large enough for the parallel path (with the `parallel`
    /// feature) gives the same rows, lines and errors as the serial one.
    #[test]
    fn large_files_parse_the_same_in_pieces() {
        let mut csv = String::from("user_id,BTC,ETH\n");
        for i in 0..200_000 {
            csv.push_str(&format!(
                "user-{i:08},{}.{:02},{}\n",
                i % 97,
                i % 100,
                i % 13
            ));
            if i % 50_000 == 7 {
                csv.push('\n'); // blank lines are skipped but counted
            }
        }
        let l = Ledger::from_csv(csv.as_bytes(), &assets()).unwrap();
        assert_eq!(l.len(), 200_000);
        let last = l.len() - 1;
        assert_eq!(l.user_id(last), "user-00199999");
        assert_eq!(l.line(last), 200_001 + 4);
        assert_eq!(l.line(8), 11);
        assert_eq!(l.line(9), 12);
        // an error deep in the file names its own line
        let bad = csv.replacen("user-00150000,", "user-00150000,-", 1);
        let err = Ledger::from_csv(bad.as_bytes(), &assets()).unwrap_err();
        assert_eq!(err.line(), Some(150_001 + 4));
        // and the first error wins when several pieces fail
        let bad2 = bad.replacen("user-00010000,", "user-00010000,x", 1);
        let err = Ledger::from_csv(bad2.as_bytes(), &assets()).unwrap_err();
        assert_eq!(err.line(), Some(10_001 + 2));
    }

    #[test]
    fn exports_as_back_offices_write_them() {
        let clean =
            Ledger::from_csv(b"user_id,BTC,ETH\nalice,0.5,0\nbob,0,2\n", &assets()).unwrap();
        let options = CsvOptions {
            ignore_columns: vec!["email".into(), "name".into()],
            empty_as_zero: true,
        };
        for csv in [
            "email;ETH;user_id;BTC;name\r\na@x;;alice;0.5;A\r\n\r\nb@x;2;bob;;B\r\n",
            "\u{feff}name\tuser_id\tBTC\tETH\temail\nA\talice\t0.5\t\ta@x\nB\tbob\t0\t2\tb@x\n",
            "user_id,BTC,ETH,email,name\nalice,0.5,,\"a@x,y\",A\nbob,,2,b@x,B\n",
        ] {
            let got = Ledger::from_csv_with(csv.as_bytes(), &assets(), &options)
                .unwrap_or_else(|e| panic!("{csv:?}: {e}"));
            assert_eq!(got.len(), 2);
            for i in 0..2 {
                assert_eq!(got.user_id(i), clean.user_id(i));
                assert_eq!(got.balances(i), clean.balances(i));
            }
        }
        // Lines as the file counts them, blank lines included.
        let e = Ledger::from_csv_with(
            b"email;ETH;user_id;BTC;name\n\na@x;;alice;x;A\n",
            &assets(),
            &options,
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                LedgerError::Amount {
                    line: 3,
                    column: 4,
                    ..
                }
            ),
            "{e:?}"
        );
        // Without the options: the empty cell and the extra column are refused.
        let e = err("user_id;BTC;ETH\nalice;;1\n");
        assert!(
            e.to_string()
                .starts_with("line 2, column 2 (BTC): empty amount"),
            "{e}"
        );
        assert_eq!(
            Ledger::from_csv_with(
                b"user_id,BTC,ETH\na,1,2\n",
                &assets(),
                &CsvOptions {
                    ignore_columns: vec!["mail".into()],
                    empty_as_zero: false
                }
            )
            .unwrap_err(),
            LedgerError::IgnoredColumnAbsent {
                name: "mail".into()
            }
        );
        assert_eq!(
            err("user_id|BTC|ETH\na|1|2\n").to_string(),
            "line 1: expected a header with a `user_id` column, separated by `,`, `;` or tab; found \"user_id|BTC|ETH\""
        );
        // A debit balance is explained, not "write it without a sign".
        let e = err("user_id,BTC,ETH\nalice,-0.5,1\n").to_string();
        assert!(
            e.starts_with("line 2, column 2 (BTC): negative balance \"-0.5\""),
            "{e}"
        );
        assert!(e.contains("not a liability to the customer"), "{e}");
        assert!(!e.contains("without + or -"), "{e}");
    }

    #[test]
    fn every_bad_input_names_line_and_column() {
        assert_eq!(err(""), LedgerError::EmptyFile);
        assert_eq!(err("user_id,BTC,ETH\n"), LedgerError::NoCustomers);
        assert!(matches!(
            err("id,BTC,ETH\n"),
            LedgerError::NoUserIdColumn { .. }
        ));
        assert_eq!(
            err("user_id,BTC,email,ETH,DOGE\n"),
            LedgerError::UnknownColumns {
                columns: vec![(3, "email".into()), (5, "DOGE".into())],
                expected: vec!["BTC".into(), "ETH".into()],
            }
        );
        assert!(matches!(
            err("user_id,BTC,BTC,ETH\n"),
            LedgerError::RepeatedColumn { column: 3, .. }
        ));
        assert_eq!(
            err("user_id,BTC\n"),
            LedgerError::MissingColumn { name: "ETH".into() }
        );
        assert_eq!(
            err("user_id,BTC,ETH\na,1\n"),
            LedgerError::FieldCount {
                line: 2,
                expected: 3,
                got: 2
            }
        );
        assert!(matches!(
            err("user_id,BTC,ETH\na,1,-2\n"),
            LedgerError::Amount {
                line: 2,
                column: 3,
                ..
            }
        ));
        assert!(matches!(
            err("user_id,BTC,ETH\na,0.000000001,2\n"),
            LedgerError::Amount {
                line: 2,
                column: 2,
                ..
            }
        ));
        assert_eq!(
            err("user_id,BTC,ETH\n,1,2\n"),
            LedgerError::EmptyUserId { line: 2 }
        );
        let bad_utf8 = Ledger::from_csv(b"user_id,BTC,ETH\n\xff,1,2\n", &assets()).unwrap_err();
        assert_eq!(
            bad_utf8,
            LedgerError::InvalidUtf8 {
                line: 2,
                column: 1,
                value: "\\xff".into()
            }
        );
        let big = "340282366920938463463374607431768211455";
        let e = Ledger::from_csv(
            format!("user_id,BTC,ETH\na,0,{big}\nb,0,{big}\n").as_bytes(),
            &AssetList::from_spec("BTC:8,ETH:0").unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            e,
            LedgerError::TotalOverflow {
                symbol: "ETH".into()
            }
        );
    }

    #[test]
    fn user_ids_with_control_characters_are_refused_with_line_and_position() {
        for (id, ch, pos) in [
            ("bob\u{7}", '\u{7}', 4),
            ("a\u{1b}[32mPASS", '\u{1b}', 2),
            ("x\u{7f}", '\u{7f}', 2),
            ("\u{85}y", '\u{85}', 1),
            ("abc\u{202e}fed", '\u{202e}', 4),
            ("tab\there", '\t', 4),
        ] {
            let csv = format!("user_id,BTC,ETH\nalice,1,2\n\"{id}\",1,2\n");
            assert_eq!(
                err(&csv),
                LedgerError::UserIdControl {
                    line: 3,
                    ch,
                    position: pos
                },
                "{id:?}"
            );
        }
        let shown = err("user_id,BTC,ETH\nbob\u{7},1,2\n").to_string();
        assert!(shown.contains("line 2, column 1 (user_id)"), "{shown}");
        assert!(shown.contains("U+0007"), "{shown}");
    }

    #[test]
    fn user_ids_with_surrounding_whitespace_are_refused() {
        for (id, ch, at_start) in [
            (" alice", ' ', true),
            ("alice ", ' ', false),
            ("\u{3000}山田", '\u{3000}', true),
            ("bob\u{a0}", '\u{a0}', false),
        ] {
            let csv = format!("user_id,BTC,ETH\n\"{id}\",1,2\n");
            assert_eq!(
                err(&csv),
                LedgerError::UserIdSpace {
                    line: 2,
                    ch,
                    at_start
                },
                "{id:?}"
            );
        }
        // Inner spaces are fine.
        assert!(Ledger::from_csv(b"user_id,BTC,ETH\nyamada taro,1,2\n", &assets()).is_ok());
    }

    #[test]
    fn user_ids_equal_after_nfc_are_found_with_both_rows() {
        let csv = "user_id,BTC,ETH\n\u{e9}lise,1,2\nbob,1,2\ne\u{301}lise,1,2\n";
        let l = Ledger::from_csv(csv.as_bytes(), &assets()).unwrap();
        assert_eq!(l.normalized_duplicate(), Some((0, 2)));
        // Both decomposed: still one NFC form.
        let csv = "user_id,BTC,ETH\nx,1,2\ne\u{301}lise,1,2\ne\u{301}lise2,1,2\n\u{e9}lise,1,2\n";
        let l = Ledger::from_csv(csv.as_bytes(), &assets()).unwrap();
        assert_eq!(l.normalized_duplicate(), Some((1, 3)));
        // The Kelvin sign's NFC form is an ASCII K.
        let csv = "user_id,BTC,ETH\nK,1,2\n\u{212a},1,2\n";
        let l = Ledger::from_csv(csv.as_bytes(), &assets()).unwrap();
        assert_eq!(l.normalized_duplicate(), Some((0, 1)));
        // Distinct after normalisation: none.
        let csv = "user_id,BTC,ETH\n\u{e9}lise,1,2\nelise,1,2\n山田,1,2\n";
        let l = Ledger::from_csv(csv.as_bytes(), &assets()).unwrap();
        assert_eq!(l.normalized_duplicate(), None);
        // The id is kept as given, never normalised.
        assert_eq!(l.user_id(0), "\u{e9}lise");
    }
}
