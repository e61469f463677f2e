//! The offline balances file: what the network sources saw, for air-gapped
//! audits.
//!
//! CSV (RFC 4180) with the header
//! `chain,address,asset,balance,height,block_hash,source,contract`:
//!
//! - `chain`: `bitcoin` or `ethereum`;
//! - `address`: as queried (EVM addresses in lower case);
//! - `asset`: the asset symbol (`BTC`, `ETH`, a token's symbol);
//! - `balance`: an integer number of the asset's **base units** (satoshi,
//!   wei, token base units), so the file needs no decimals to be exact;
//! - `height` and `block_hash`: the block the balance refers to (one height
//!   and hash per chain in a file);
//! - `source`: where the balance came from (`bitcoin-rpc http://host:8332`,
//!   `esplora https://...`, `evm-rpc http://...`), never with credentials;
//! - `contract`: the token contract the balance was read with (`0x…`, lower
//!   case), or empty for the chain's native coin. The audit matches a
//!   balance to a claim on this identity, never on the symbol.
//!
//! A file without the `contract` column (written before it existed) still
//! parses, but [`BalancesFile::states_contracts`] is then false: it does
//! not say what each balance was read with, and `por audit` refuses it.
//! Each row says so in its type: [`RowIdentity::Stated`] carries the
//! [`AssetId`] a file with the column states, [`RowIdentity::SymbolOnly`]
//! only the chain (the symbol is in [`BalanceRow::asset`]); nothing guesses
//! an identity for it, and [`rows_to_csv`] refuses to write it.
//!
//! [`parse`] reads bytes already in memory (no I/O); every error names the
//! file, the line and the column. [`to_csv`] writes records in this format.
//! [`OfflineSource`] answers queries from a parsed file.

use core::fmt;
use std::collections::HashMap;

use por_tree::{Amount, Asset};

use crate::evm::EvmAddress;
use crate::{
    AssetId, BalanceQuery, BalanceRecord, BalanceSource, BlockHash, Chain, Snapshot, SourceError,
    SourceInfo, SourceKind,
};

/// The header of a balances file.
pub const HEADER: [&str; 8] = [
    "chain",
    "address",
    "asset",
    "balance",
    "height",
    "block_hash",
    "source",
    "contract",
];

/// What a row says its balance was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowIdentity {
    /// A file with the `contract` column states it: the chain's native coin
    /// (an empty column) or the token contract the balance was read with.
    Stated(AssetId),
    /// A file without the `contract` column names the chain and the symbol
    /// only: the row does not say whether its balance is the native coin's
    /// or a token's. `por audit` refuses such a file; an
    /// [`OfflineSource`] answers a query with the row under the identity
    /// the query asks for (which `por audit` takes from the registry, by
    /// the attested symbol).
    SymbolOnly(Chain),
}

impl RowIdentity {
    /// The chain.
    #[must_use]
    pub fn chain(&self) -> Chain {
        match self {
            RowIdentity::Stated(id) => id.chain(),
            RowIdentity::SymbolOnly(chain) => *chain,
        }
    }

    /// The stated identity, or `None` when the file does not state it.
    #[must_use]
    pub fn stated(&self) -> Option<AssetId> {
        match self {
            RowIdentity::Stated(id) => Some(*id),
            RowIdentity::SymbolOnly(_) => None,
        }
    }
}

/// One row of a balances file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceRow {
    /// The address (EVM addresses in lower case).
    pub address: String,
    /// The asset symbol.
    pub asset: String,
    /// The chain, and the native coin or token contract the balance was read
    /// with when the file states it.
    pub identity: RowIdentity,
    /// The balance in base units.
    pub balance: Amount,
    /// The height.
    pub height: u64,
    /// The block hash at that height.
    pub block_hash: BlockHash,
    /// Where the balance came from.
    pub source: String,
    /// The line of the file (1-based, the header is line 1).
    pub line: u64,
}

impl BalanceRow {
    /// The chain.
    #[must_use]
    pub fn chain(&self) -> Chain {
        self.identity.chain()
    }
}

/// A parsed balances file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BalancesFile {
    rows: Vec<BalanceRow>,
    /// `(chain, address, asset)` to the row's index: an audit looks up
    /// thousands of entries.
    index: HashMap<(Chain, String, String), usize>,
    /// Whether the file has the `contract` column.
    states_contracts: bool,
}

impl BalancesFile {
    /// Returns the rows in file order.
    #[must_use]
    pub fn rows(&self) -> &[BalanceRow] {
        &self.rows
    }

    /// Returns the row of `(chain, address, asset)`.
    #[must_use]
    pub fn find(&self, chain: Chain, address: &str, asset: &str) -> Option<&BalanceRow> {
        self.index
            .get(&(chain, address.to_owned(), asset.to_owned()))
            .and_then(|&i| self.rows.get(i))
    }

    /// Whether the file says, per row, which contract (or the native coin)
    /// the balance was read with. A file without the `contract` column does
    /// not: its token and native rows cannot be told apart.
    #[must_use]
    pub fn states_contracts(&self) -> bool {
        self.states_contracts
    }

    /// Returns the height and block hash of a chain's rows, if it has any.
    #[must_use]
    pub fn snapshot_of(&self, chain: Chain) -> Option<(u64, BlockHash)> {
        self.rows
            .iter()
            .find(|r| r.chain() == chain)
            .map(|r| (r.height, r.block_hash))
    }
}

/// Where an error is in a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    file: String,
    line: u64,
    column: Option<(usize, &'static str)>,
    kind: FileErrorKind,
}

/// What is wrong with a CSV row or header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileErrorKind {
    /// The CSV itself is malformed (unbalanced quotes, invalid UTF-8, ...).
    Csv(String),
    /// The header is not the expected one.
    Header {
        /// The expected header.
        expected: String,
        /// The header found.
        found: String,
    },
    /// A row has another number of fields than the header.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A field has an invalid value; the text says what was expected.
    Value(String),
    /// The same key appears on two lines.
    Duplicate {
        /// The key (chain, address, asset).
        key: String,
        /// The first line it appeared on.
        first_line: u64,
    },
    /// A chain appears at two heights or block hashes in one file.
    MixedSnapshots {
        /// The chain.
        chain: Chain,
        /// The line of the chain's first row.
        first_line: u64,
    },
    /// The file has no rows.
    Empty,
}

impl FileError {
    pub(crate) fn new(
        file: &str,
        line: u64,
        column: Option<(usize, &'static str)>,
        kind: FileErrorKind,
    ) -> Self {
        FileError {
            file: file.to_owned(),
            line,
            column,
            kind,
        }
    }

    /// Returns the file name given to the parser.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Returns the 1-based line.
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Returns the 1-based column number and its name, if the error is in one field.
    #[must_use]
    pub fn column(&self) -> Option<(usize, &'static str)> {
        self.column
    }

    /// Returns what is wrong.
    #[must_use]
    pub fn kind(&self) -> &FileErrorKind {
        &self.kind
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: line {}", self.file, self.line)?;
        if let Some((n, name)) = self.column {
            write!(f, ", column {n} ({name})")?;
        }
        f.write_str(": ")?;
        match &self.kind {
            FileErrorKind::Csv(e) => write!(f, "malformed CSV: {e}"),
            FileErrorKind::Header { expected, found } => {
                write!(f, "header is {found:?}, expected {expected:?}")
            }
            FileErrorKind::FieldCount { expected, found } => {
                write!(f, "{found} fields, expected {expected} as in the header")
            }
            FileErrorKind::Value(e) => f.write_str(e),
            FileErrorKind::Duplicate { key, first_line } => {
                write!(f, "{key} is listed twice (first on line {first_line})")
            }
            FileErrorKind::MixedSnapshots { chain, first_line } => write!(
                f,
                "{chain} has another height or block hash than on line {first_line}; a file holds one snapshot per chain"
            ),
            FileErrorKind::Empty => write!(f, "no rows after the header"),
        }
    }
}

impl std::error::Error for FileError {}

/// Checks an address of `chain` and returns its comparison key
/// ([`por_types::address_key`], the audit's own): EVM addresses must be
/// hex (mixed case must be the EIP-55 checksum) and become lower case;
/// Bitcoin addresses are 14 to 90 letters and digits, bech32 lower-cased.
///
/// # Errors
///
/// Returns a message saying what was expected, also for a chain this crate
/// reads no balances on.
pub fn checked_address_key(chain: Chain, address: &str) -> Result<String, String> {
    match chain {
        Chain::Ethereum => EvmAddress::parse(address)
            .map(|a| por_types::address_key(Some(chain), &a.to_lower_hex()))
            .map_err(|e| e.to_string()),
        Chain::Bitcoin => {
            if address.len() < 14
                || address.len() > 90
                || !address.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(format!(
                    "invalid Bitcoin address {address:?}: expected 14 to 90 letters and digits"
                ));
            }
            Ok(por_types::address_key(Some(chain), address))
        }
        other => Err(format!(
            "por reads no balances on {other}: expected a bitcoin or ethereum address"
        )),
    }
}

/// Parses a balances file held in memory. `file` names it in errors.
///
/// # Errors
///
/// Returns a [`FileError`] naming the file, line and column for malformed
/// CSV, a wrong header, a row with a wrong number of fields, an invalid
/// chain, address, asset symbol, balance, height, block hash or empty
/// source, a `(chain, address, asset)` listed twice, a chain at two heights
/// or block hashes, or a file without rows.
pub fn parse(bytes: &[u8], file: &str) -> Result<BalancesFile, FileError> {
    let records = crate::csv_rows::rows(bytes, file, &HEADER.join(","), |found| {
        (found.len() == HEADER.len() || found.len() == HEADER.len() - 1)
            && found == &HEADER[..found.len()]
    })?;
    let states_contracts = records.width() == HEADER.len();
    let mut rows: Vec<BalanceRow> = Vec::new();
    let mut index: HashMap<(Chain, String, String), usize> = HashMap::new();
    let mut snapshots: HashMap<Chain, (u64, BlockHash, u64)> = HashMap::new();
    for record in records {
        let (line, record) = record?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let bad = |i: usize, msg: String| {
            FileError::new(
                file,
                line,
                Some((i + 1, HEADER[i])),
                FileErrorKind::Value(msg),
            )
        };
        let chain = crate::parse_readable_chain(field(0)).map_err(|e| bad(0, e.to_string()))?;
        let address = checked_address_key(chain, field(1)).map_err(|e| bad(1, e))?;
        let asset = Asset::new(field(2), 0).map_err(|e| bad(2, e.to_string()))?;
        let balance = Amount::from_base_units_str(field(3))
            .map_err(|e| bad(3, format!("{e} (the balance is in base units)")))?;
        let height: u64 = field(4).parse().map_err(|_| {
            bad(
                4,
                format!(
                    "invalid height {:?}: expected a block height (digits)",
                    field(4)
                ),
            )
        })?;
        let block_hash = BlockHash::from_hex(field(5)).map_err(|e| bad(5, e.to_string()))?;
        let source = field(6);
        if source.trim().is_empty() {
            return Err(bad(
                6,
                "empty source: expected where the balance came from".to_owned(),
            ));
        }
        let identity = if !states_contracts {
            RowIdentity::SymbolOnly(chain)
        } else {
            match field(7).trim() {
                "" => RowIdentity::Stated(AssetId::native(chain)),
                c if chain == Chain::Ethereum => RowIdentity::Stated(AssetId::token(
                    chain,
                    EvmAddress::parse(c).map_err(|e| bad(7, e.to_string()))?,
                )),
                _ => {
                    return Err(bad(
                        7,
                        format!("{chain} has no token contracts: leave the column empty"),
                    ))
                }
            }
        };
        let key = (chain, address.clone(), asset.symbol().to_owned());
        if let Some(&first) = index.get(&key) {
            return Err(FileError::new(
                file,
                line,
                None,
                FileErrorKind::Duplicate {
                    key: format!("{chain} {address} {}", asset.symbol()),
                    first_line: rows.get(first).map_or(0, |r| r.line),
                },
            ));
        }
        index.insert(key, rows.len());
        match snapshots.get(&chain) {
            Some(&(h, b, first_line)) if h != height || b != block_hash => {
                return Err(FileError::new(
                    file,
                    line,
                    Some(if h == height {
                        (6, HEADER[5])
                    } else {
                        (5, HEADER[4])
                    }),
                    FileErrorKind::MixedSnapshots { chain, first_line },
                ));
            }
            Some(_) => {}
            None => {
                snapshots.insert(chain, (height, block_hash, line));
            }
        }
        rows.push(BalanceRow {
            address,
            asset: asset.symbol().to_owned(),
            identity,
            balance,
            height,
            block_hash,
            source: source.to_owned(),
            line,
        });
    }
    if rows.is_empty() {
        return Err(FileError::new(file, 1, None, FileErrorKind::Empty));
    }
    Ok(BalancesFile {
        rows,
        index,
        states_contracts,
    })
}

/// Writes records as a balances file (with its header).
///
/// # Examples
///
/// ```
/// use por_chain::{balances_file, BalanceRecord, BlockHash, Chain, QueryAsset};
/// let rec = BalanceRecord {
///     address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".into(),
///     asset: QueryAsset::native(Chain::Bitcoin, por_tree::Asset::new("BTC", 8)?),
///     balance: por_tree::Amount::from_base_units(50_012_345),
///     height: 100,
///     block_hash: BlockHash::from_byte_array([0xab; 32]),
///     source: "bitcoin-rpc http://127.0.0.1:8332".into(),
/// };
/// let csv = balances_file::to_csv(&[rec]);
/// let back = balances_file::parse(csv.as_bytes(), "mem")?;
/// assert_eq!(back.rows()[0].balance.to_base_units(), 50_012_345);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn to_csv(records: &[BalanceRecord]) -> String {
    write_rows(records.iter().map(|r| (BalanceRow::from(r), r.asset.id())))
}

impl From<&BalanceRecord> for BalanceRow {
    /// The row a record is written as (`line` 0: not from a file): a record
    /// states what it was read with.
    fn from(r: &BalanceRecord) -> Self {
        BalanceRow {
            address: r.address.clone(),
            asset: r.asset.asset().symbol().to_owned(),
            identity: RowIdentity::Stated(r.asset.id()),
            balance: r.balance,
            height: r.height,
            block_hash: r.block_hash,
            source: r.source.clone(),
            line: 0,
        }
    }
}

/// A row that cannot be written: it comes from a file without the
/// `contract` column ([`RowIdentity::SymbolOnly`]), and an empty `contract`
/// would state that its balance is the native coin's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnstatedRow {
    /// `chain address symbol`.
    pub key: String,
    /// Its line in the file it was read from (0: not from a file).
    pub line: u64,
}

impl fmt::Display for UnstatedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the row for {}", self.key)?;
        if self.line > 0 {
            write!(f, " (line {})", self.line)?;
        }
        f.write_str(" comes from a file without the `contract` column, which does not say whether it is the native coin or a token: it cannot be written as a row that says which")
    }
}

impl std::error::Error for UnstatedRow {}

/// Writes rows as a balances file (with its header); `line` is ignored.
///
/// # Errors
///
/// [`UnstatedRow`] for the first row whose identity is not stated
/// ([`RowIdentity::SymbolOnly`]): the file has a `contract` column, and
/// nothing may be written in it that the row did not say.
pub fn rows_to_csv(rows: &[BalanceRow]) -> Result<String, UnstatedRow> {
    let mut stated = Vec::with_capacity(rows.len());
    for r in rows {
        match r.identity {
            RowIdentity::Stated(id) => stated.push((r, id)),
            RowIdentity::SymbolOnly(chain) => {
                return Err(UnstatedRow {
                    key: format!("{chain} {} {}", r.address, r.asset),
                    line: r.line,
                })
            }
        }
    }
    Ok(write_rows(stated))
}

/// Writes rows, each with the identity it states.
fn write_rows<R: core::borrow::Borrow<BalanceRow>>(
    rows: impl IntoIterator<Item = (R, AssetId)>,
) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every field is valid UTF-8.
    w.write_record(HEADER).expect("vecs don't error");
    for (r, id) in rows {
        let r = r.borrow();
        let chain = id.chain();
        w.write_record([
            chain.as_str(),
            &r.address,
            &r.asset,
            &r.balance.to_string(),
            &r.height.to_string(),
            &r.block_hash.display_for(chain).to_string(),
            &r.source,
            &id.contract().map(|c| c.to_lower_hex()).unwrap_or_default(),
        ])
        .expect("vecs don't error");
    }
    let bytes = w.into_inner().expect("vecs don't error");
    String::from_utf8(bytes).expect("every field is a str")
}

/// A parsed balances file as a [`BalanceSource`].
#[derive(Debug, Clone)]
pub struct OfflineSource {
    file: BalancesFile,
    name: String,
}

impl OfflineSource {
    /// Wraps a parsed file; `name` (its path) is the source's endpoint.
    #[must_use]
    pub fn new(file: BalancesFile, name: &str) -> Self {
        OfflineSource {
            file,
            name: name.to_owned(),
        }
    }
}

impl BalanceSource for OfflineSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            kind: SourceKind::OfflineFile,
            endpoint: self.name.clone(),
        }
    }

    fn snapshot(&self, query: &BalanceQuery) -> Result<Snapshot, SourceError> {
        let chain = query.chain;
        query.require_items_on_chain(&self.name)?;
        let Some((height, block_hash)) = self.file.snapshot_of(chain) else {
            return Err(SourceError::Missing {
                endpoint: self.name.clone(),
                detail: format!("no {chain} balances in the file"),
            });
        };
        if height != query.height {
            return Err(SourceError::Missing {
                endpoint: self.name.clone(),
                detail: format!(
                    "the file has {chain} balances at height {height}, not at the snapshot height {}",
                    query.height
                ),
            });
        }
        if let Some(expected) = query.expected_block_hash {
            if expected != block_hash {
                return Err(SourceError::BlockHashMismatch {
                    endpoint: self.name.clone(),
                    height,
                    expected: expected.display_for(chain).to_string(),
                    found: block_hash.display_for(chain).to_string(),
                });
            }
        }
        let mut records = Vec::with_capacity(query.items.len());
        for item in &query.items {
            let address = checked_address_key(chain, &item.address).map_err(|detail| {
                SourceError::Unsupported {
                    endpoint: self.name.clone(),
                    detail,
                }
            })?;
            let symbol = item.asset.asset().symbol();
            let row =
                self.file
                    .find(chain, &address, symbol)
                    .ok_or_else(|| SourceError::Missing {
                        endpoint: self.name.clone(),
                        detail: format!("no row for {chain} {address} {symbol}"),
                    })?;
            // A row that states its identity answers only a query for that
            // identity; a row of a file without the `contract` column does
            // not say, and answers under the identity the query asks for.
            match row.identity {
                RowIdentity::Stated(read) if read != item.asset.id() => {
                    let what = |id: AssetId| {
                        id.contract().map_or_else(
                            || "the native coin".to_owned(),
                            |c| format!("contract {}", c.to_lower_hex()),
                        )
                    };
                    return Err(SourceError::Missing {
                        endpoint: self.name.clone(),
                        detail: format!(
                            "the row for {chain} {address} {symbol} (line {}) was read with {}, not {}",
                            row.line,
                            what(read),
                            what(item.asset.id())
                        ),
                    });
                }
                RowIdentity::Stated(_) | RowIdentity::SymbolOnly(_) => {}
            }
            records.push(BalanceRecord {
                address,
                asset: item.asset.clone(),
                balance: row.balance,
                height,
                block_hash,
                source: row.source.clone(),
            });
        }
        Ok(Snapshot {
            chain,
            height,
            block_hash,
            source: self.info(),
            records,
            calls: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{QueryAsset, QueryItem};

    const GOOD: &str = "chain,address,asset,balance,height,block_hash,source,contract\n\
        bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,50012345,100,00000000000000000001aa0000000000000000000000000000000000000000ab,bitcoin-rpc http://127.0.0.1:8332,\n\
        ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,340282366920938463463374607431768211455,7,0x1111111111111111111111111111111111111111111111111111111111111111,evm-rpc http://127.0.0.1:8545,\n\
        ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,PTT,1,7,0x1111111111111111111111111111111111111111111111111111111111111111,\"evm-rpc http://127.0.0.1:8545, token\",0xe78a0f7e598cc8b0bb87894b0f60dd2a88d6a8ab\n";

    fn err(text: &str) -> FileError {
        parse(text.as_bytes(), "b.csv").unwrap_err()
    }

    #[test]
    fn parses_and_round_trips() {
        let f = parse(GOOD.as_bytes(), "b.csv").unwrap();
        assert_eq!(f.rows().len(), 3);
        assert_eq!(f.rows()[1].balance, Amount::MAX);
        assert_eq!(f.rows()[2].source, "evm-rpc http://127.0.0.1:8545, token");
        assert_eq!(f.rows()[2].line, 4);
        let records: Vec<BalanceRecord> = f
            .rows()
            .iter()
            .map(|r| BalanceRecord {
                address: r.address.clone(),
                asset: QueryAsset::new(
                    r.identity.stated().unwrap(),
                    Asset::new(&r.asset, 0).unwrap(),
                ),
                balance: r.balance,
                height: r.height,
                block_hash: r.block_hash,
                source: r.source.clone(),
            })
            .collect();
        assert_eq!(to_csv(&records), GOOD);
        assert!(f.states_contracts());
    }

    #[test]
    fn a_file_without_the_contract_column_says_so() {
        let legacy: String = GOOD
            .lines()
            .map(|l| {
                let cut = if l.starts_with("chain,") {
                    ",contract"
                } else {
                    ","
                };
                format!("{}\n", &l[..l.rfind(cut).unwrap()])
            })
            .collect();
        let f = parse(legacy.as_bytes(), "old.csv").unwrap();
        assert_eq!(f.rows().len(), 3);
        assert!(!f.states_contracts());
        // Its rows name the chain and symbol only, native coin and token
        // alike: none is taken for the native coin, and none can be written
        // back as a row that says which it is.
        assert_eq!(
            f.rows().iter().map(|r| r.identity).collect::<Vec<_>>(),
            [
                RowIdentity::SymbolOnly(Chain::Bitcoin),
                RowIdentity::SymbolOnly(Chain::Ethereum),
                RowIdentity::SymbolOnly(Chain::Ethereum)
            ]
        );
        let e = rows_to_csv(f.rows()).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("the row for bitcoin bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 BTC (line 2) comes from a file without the `contract` column"), "{e}");
        let stated = parse(GOOD.as_bytes(), "b.csv").unwrap();
        let mut mixed = stated.rows().to_vec();
        mixed.push(f.rows()[2].clone());
        assert_eq!(rows_to_csv(&mixed).unwrap_err().line, 4);
        assert_eq!(rows_to_csv(stated.rows()).unwrap(), GOOD);
        // A contract on Bitcoin is refused.
        let e = err(&GOOD.replace(
            "bitcoin-rpc http://127.0.0.1:8332,",
            "bitcoin-rpc http://127.0.0.1:8332,0xe78a0f7e598cc8b0bb87894b0f60dd2a88d6a8ab",
        ));
        assert_eq!(e.column(), Some((8, "contract")));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = err(&GOOD.replace("50012345", "0.5"));
        assert_eq!((e.line(), e.column()), (2, Some((4, "balance"))));
        assert!(
            e.to_string()
                .starts_with("b.csv: line 2, column 4 (balance): "),
            "{e}"
        );
        let e = err(&GOOD.replace("bitcoin,", "dogecoin,"));
        assert_eq!((e.line(), e.column()), (2, Some((1, "chain"))));
        let e = err(&GOOD.replace(
            "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,PTT",
            "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c,PTT",
        ));
        assert_eq!((e.line(), e.column()), (4, Some((2, "address"))));
        let e = err(&GOOD.replace(",100,", ",-1,"));
        assert_eq!(e.column(), Some((5, "height")));
        let e = err(&GOOD.replace("ab,bitcoin-rpc", "a,bitcoin-rpc"));
        assert_eq!(e.column(), Some((6, "block_hash")));
        let e = err(&GOOD.replace(",bitcoin-rpc http://127.0.0.1:8332", ","));
        assert_eq!(e.column(), Some((7, "source")));
        let e = err(&GOOD.replace(",PTT,1,", ",ETH,1,"));
        assert_eq!(
            (e.line(), e.kind()),
            (
                4,
                &FileErrorKind::Duplicate {
                    key: "ethereum 0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1 ETH".into(),
                    first_line: 3
                }
            )
        );
        let e = err(&GOOD.replace(",PTT,1,7,", ",PTT,1,8,"));
        assert_eq!(
            (e.line(), e.kind()),
            (
                4,
                &FileErrorKind::MixedSnapshots {
                    chain: Chain::Ethereum,
                    first_line: 3
                }
            )
        );
        let e = err(&GOOD.replace("chain,address", "chain,addr"));
        assert!(matches!(e.kind(), FileErrorKind::Header { .. }));
        let e = err(&GOOD.replace(",BTC,", ",BTC,,"));
        assert_eq!(
            (e.line(), e.kind()),
            (
                2,
                &FileErrorKind::FieldCount {
                    expected: 8,
                    found: 9
                }
            )
        );
        assert_eq!(
            err("chain,address,asset,balance,height,block_hash,source\n").kind(),
            &FileErrorKind::Empty
        );
        assert_eq!(err("").kind(), &FileErrorKind::Empty);
        let e = parse(
            b"chain,address,asset,balance,height,block_hash,source\n\"bitcoin,x\n",
            "q.csv",
        );
        assert!(e.is_err());
        let e = parse(b"chain,address,asset,balance,height,block_hash,source\nbitcoin,\xff\xfe,BTC,1,1,00,s\n", "u.csv").unwrap_err();
        assert!(matches!(e.kind(), FileErrorKind::Csv(_)), "{e}");
    }

    #[test]
    fn offline_source_answers_and_checks_the_snapshot() {
        let src = OfflineSource::new(parse(GOOD.as_bytes(), "b.csv").unwrap(), "b.csv");
        let eth = Asset::new("ETH", 18).unwrap();
        let q = BalanceQuery {
            chain: Chain::Ethereum,
            height: 7,
            expected_block_hash: Some(BlockHash::from_byte_array([0x11; 32])),
            items: vec![QueryItem {
                address: "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1".into(),
                asset: QueryAsset::native(Chain::Ethereum, eth.clone()),
            }],
        };
        let s = src.snapshot(&q).unwrap();
        assert_eq!(s.records[0].balance, Amount::MAX);
        assert_eq!(s.records[0].source, "evm-rpc http://127.0.0.1:8545");
        assert_eq!(s.source.to_string(), "file b.csv");

        let wrong_hash = BalanceQuery {
            expected_block_hash: Some(BlockHash::from_byte_array([0x12; 32])),
            ..q.clone()
        };
        assert!(matches!(
            src.snapshot(&wrong_hash),
            Err(SourceError::BlockHashMismatch { .. })
        ));
        let wrong_height = BalanceQuery {
            height: 8,
            ..q.clone()
        };
        assert!(matches!(
            src.snapshot(&wrong_height),
            Err(SourceError::Missing { .. })
        ));
        let mut missing = q;
        missing.items[0].asset =
            QueryAsset::native(Chain::Ethereum, Asset::new("USDT", 6).unwrap());
        let e = src.snapshot(&missing).unwrap_err();
        assert!(
            e.to_string()
                .contains("no row for ethereum 0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1 USDT"),
            "{e}"
        );
    }

    #[test]
    fn offline_source_refuses_a_row_read_with_another_contract() {
        let src = OfflineSource::new(parse(GOOD.as_bytes(), "b.csv").unwrap(), "b.csv");
        let ptt = Asset::new("PTT", 6).unwrap();
        let other = EvmAddress::parse("0x5555555555555555555555555555555555555555").unwrap();
        let q = |asset: QueryAsset| BalanceQuery {
            chain: Chain::Ethereum,
            height: 7,
            expected_block_hash: None,
            items: vec![QueryItem {
                address: "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1".into(),
                asset,
            }],
        };
        // The PTT row was read with 0xe78a…: not an answer for another
        // contract, nor for the native coin under the same symbol.
        for asset in [
            QueryAsset::erc20(Chain::Ethereum, ptt.clone(), other),
            QueryAsset::native(Chain::Ethereum, ptt.clone()),
        ] {
            let e = src.snapshot(&q(asset)).unwrap_err();
            assert!(
                e.to_string().contains("was read with contract 0xe78a"),
                "{e}"
            );
        }
        let right = EvmAddress::parse("0xe78a0f7e598cc8b0bb87894b0f60dd2a88d6a8ab").unwrap();
        assert!(src
            .snapshot(&q(QueryAsset::erc20(Chain::Ethereum, ptt, right)))
            .is_ok());
    }

    #[test]
    fn offline_source_answers_a_symbol_only_row_under_the_identity_asked_for() {
        // The file without the `contract` column: the PTT row does not say
        // what it was read with, so it answers the query's identity (which
        // `por audit` takes from the registry), contract or native.
        let legacy: String = GOOD
            .lines()
            .map(|l| format!("{}\n", &l[..l.rfind(',').unwrap()]))
            .collect();
        let src = OfflineSource::new(parse(legacy.as_bytes(), "old.csv").unwrap(), "old.csv");
        let ptt = Asset::new("PTT", 6).unwrap();
        let other = EvmAddress::parse("0x5555555555555555555555555555555555555555").unwrap();
        for asset in [
            QueryAsset::erc20(Chain::Ethereum, ptt.clone(), other),
            QueryAsset::native(Chain::Ethereum, ptt.clone()),
        ] {
            let q = BalanceQuery {
                chain: Chain::Ethereum,
                height: 7,
                expected_block_hash: None,
                items: vec![QueryItem {
                    address: "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1".into(),
                    asset: asset.clone(),
                }],
            };
            let s = src.snapshot(&q).unwrap();
            assert_eq!(s.records[0].asset, asset);
            assert_eq!(s.records[0].balance, Amount::from_base_units(1));
        }
    }

    #[test]
    fn a_query_item_on_another_chain_is_refused() {
        let src = OfflineSource::new(parse(GOOD.as_bytes(), "b.csv").unwrap(), "b.csv");
        let q = BalanceQuery {
            chain: Chain::Ethereum,
            height: 7,
            expected_block_hash: None,
            items: vec![QueryItem {
                address: "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1".into(),
                asset: QueryAsset::native(Chain::Bitcoin, Asset::new("ETH", 18).unwrap()),
            }],
        };
        let e = src.snapshot(&q).unwrap_err();
        assert!(matches!(e, SourceError::Unsupported { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("is an asset of bitcoin, in a query for chain ethereum"),
            "{e}"
        );
    }
}
