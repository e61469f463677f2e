//! # por-chain
//!
//! Balance sources for proof-of-reserves audits: what was the balance of these
//! addresses at this block height (and this block hash)?
//!
//! Every source implements [`BalanceSource`]: given a [`BalanceQuery`] (a
//! chain, a snapshot height, optionally the block hash the attestation names,
//! and a list of addresses with their assets) it returns a [`Snapshot`]: one
//! [`BalanceRecord`] per queried item, the height and block hash the balances
//! refer to, and the provenance (source kind, endpoint without credentials, the
//! calls made).
//!
//! - [`bitcoin::BitcoinRpc`]: Bitcoin Core JSON-RPC. `scantxoutset` at the tip,
//!   then the blocks after the snapshot are undone with `getblock` verbosity 3;
//!   the node is never modified.
//! - [`esplora::Esplora`]: an Esplora REST API, from each address's confirmed
//!   history.
//! - [`evm::EvmRpc`]: an Ethereum JSON-RPC node, `eth_getBalance` and
//!   `eth_call` of ERC-20 `balanceOf` at the snapshot block.
//! - [`balances_file::OfflineSource`]: an offline balances CSV (what
//!   `por chain snapshot --out FILE` writes), for air-gapped audits.
//!
//! The logic that decides a figure (undoing Bitcoin blocks, summing an Esplora
//! history, decoding ABI words and hex quantities, reading the balances file)
//! is in pure functions tested without a network. Amounts are
//! [`por_tree::Amount`]; no float ever holds a balance.

pub mod addresses;
pub mod audit_reads;
pub mod balances_file;
pub mod bitcoin;
mod csv_rows;
mod error;
pub mod esplora;
pub mod evm;
pub mod http;
mod jsonrpc;
mod spec;
#[cfg(feature = "test-node")]
pub mod testnode;

use core::fmt;

use por_tree::{Amount, Asset};

pub use error::SourceError;
pub use http::{Endpoint, EndpointError, HttpConfig};
pub use spec::{SourceSpec, SourceSpecError, SourceSpecKind};

/// The asset identity every por crate shares (defined in `por-ownership`,
/// beside the contract's type).
pub use por_ownership::AssetId;
/// The chain vocabulary every por crate shares; this crate reads balances
/// on [`READABLE`] only.
pub use por_types::Chain;
/// The block hash every por crate shares (defined in `por-types`, beside `Chain`).
pub use por_types::{BlockHash, DisplayBlockHash, ParseBlockHashError};

/// The chains a source in this crate can read balances on.
pub const READABLE: [Chain; 2] = [Chain::Bitcoin, Chain::Ethereum];

/// Parses the name of a chain this crate can read (`bitcoin` or
/// `ethereum`, as files write them; no tickers).
///
/// # Errors
///
/// [`ParseChainError`] for any other text, including chains por knows but
/// reads no balances on.
pub fn parse_readable_chain(s: &str) -> Result<Chain, ParseChainError> {
    Chain::from_canonical_name(s)
        .ok()
        .filter(|c| READABLE.contains(c))
        .ok_or_else(|| ParseChainError(s.to_owned()))
}

/// A chain name that is not `bitcoin` or `ethereum`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseChainError(String);

impl fmt::Display for ParseChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Chain::from_canonical_name(&self.0) {
            Ok(c) => write!(
                f,
                "por reads no balances on {c}: expected bitcoin or ethereum"
            ),
            Err(_) => write!(
                f,
                "unknown chain {:?}: expected bitcoin or ethereum",
                self.0
            ),
        }
    }
}

impl std::error::Error for ParseChainError {}

/// What is being counted at an address: its identity ([`AssetId`]: the
/// chain's native coin, or an ERC-20 token at a contract address), and the
/// symbol and decimals it is reported under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryAsset {
    id: AssetId,
    asset: Asset,
}

impl QueryAsset {
    /// The asset `id`, reported under `asset`'s symbol and decimals.
    #[must_use]
    pub fn new(id: AssetId, asset: Asset) -> Self {
        QueryAsset { id, asset }
    }

    /// The native asset of `chain` (BTC in satoshi, ETH in wei), under this
    /// symbol.
    #[must_use]
    pub fn native(chain: Chain, asset: Asset) -> Self {
        QueryAsset::new(AssetId::native(chain), asset)
    }

    /// An ERC-20 token on `chain`: its symbol and decimals, and its contract
    /// address.
    #[must_use]
    pub fn erc20(chain: Chain, asset: Asset, contract: evm::EvmAddress) -> Self {
        QueryAsset::new(AssetId::token(chain, contract), asset)
    }

    /// Returns the identity: the chain, and the native coin or the contract.
    #[must_use]
    pub fn id(&self) -> AssetId {
        self.id
    }

    /// Returns the chain the asset is on.
    #[must_use]
    pub fn chain(&self) -> Chain {
        self.id.chain()
    }

    /// Returns the asset (symbol and decimals).
    #[must_use]
    pub fn asset(&self) -> &Asset {
        &self.asset
    }

    /// Returns the token contract, or `None` for the native asset.
    #[must_use]
    pub fn contract(&self) -> Option<evm::EvmAddress> {
        self.id.contract()
    }
}

/// One address and the asset whose balance is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryItem {
    /// The address as given (EVM addresses are normalised to lower case).
    pub address: String,
    /// The asset counted at that address.
    pub asset: QueryAsset,
}

/// A question to a balance source: the balances of these items on this chain
/// at this height, on the branch whose block at that height is `expected_block_hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceQuery {
    /// The chain.
    pub chain: Chain,
    /// The snapshot height.
    pub height: u64,
    /// The block hash the caller expects at `height` (from an attestation);
    /// the source fails if the chain has another block there.
    pub expected_block_hash: Option<BlockHash>,
    /// What to look up.
    pub items: Vec<QueryItem>,
}

impl BalanceQuery {
    /// Refuses an item whose asset is on another chain than the query's
    /// (`endpoint` names the source in the error): a source reads one chain.
    ///
    /// # Errors
    ///
    /// [`SourceError::Unsupported`] naming the item and both chains.
    pub fn require_items_on_chain(&self, endpoint: &str) -> Result<(), SourceError> {
        match self.items.iter().find(|i| i.asset.chain() != self.chain) {
            None => Ok(()),
            Some(item) => Err(SourceError::Unsupported {
                endpoint: endpoint.to_owned(),
                detail: format!(
                    "{} at {} is an asset of {}, in a query for chain {}",
                    item.asset.asset().symbol(),
                    item.address,
                    item.asset.chain(),
                    self.chain
                ),
            }),
        }
    }
}

/// The kind of a balance source, as recorded in a snapshot's provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceKind {
    /// Bitcoin Core JSON-RPC.
    BitcoinRpc,
    /// An Esplora REST API.
    Esplora,
    /// Ethereum JSON-RPC.
    EvmRpc,
    /// An offline balances file.
    OfflineFile,
}

impl SourceKind {
    /// Returns the name used in balances files and reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::BitcoinRpc => "bitcoin-rpc",
            SourceKind::Esplora => "esplora",
            SourceKind::EvmRpc => "evm-rpc",
            SourceKind::OfflineFile => "file",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where balances came from: the kind of source and its endpoint (a URL
/// without credentials, or a file path).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceInfo {
    /// The kind of source.
    pub kind: SourceKind,
    /// The endpoint without credentials, or the file.
    pub endpoint: String,
}

impl fmt::Display for SourceInfo {
    /// `kind endpoint`, for example `bitcoin-rpc http://127.0.0.1:8332/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.endpoint)
    }
}

/// One balance: an address's holding of an asset at a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceRecord {
    /// The address.
    pub address: String,
    /// The asset counted: its identity (the chain, and the native coin or
    /// the contract), symbol and decimals.
    pub asset: QueryAsset,
    /// The balance in the asset's base units.
    pub balance: Amount,
    /// The height the balance refers to.
    pub height: u64,
    /// The hash of the block at that height.
    pub block_hash: BlockHash,
    /// Where the balance came from, as written in the balances file's `source`
    /// column (`kind endpoint`).
    pub source: String,
}

impl BalanceRecord {
    /// The chain (the asset's).
    #[must_use]
    pub fn chain(&self) -> Chain {
        self.asset.chain()
    }
}

/// A call a source made, for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Call {
    /// The JSON-RPC method or the REST path (without the host).
    pub method: String,
    /// A short description of the parameters (block hash, address, ...).
    pub detail: String,
}

/// The answer of a balance source to a [`BalanceQuery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The chain.
    pub chain: Chain,
    /// The height the balances refer to.
    pub height: u64,
    /// The block hash at that height, as checked with the source.
    pub block_hash: BlockHash,
    /// The source.
    pub source: SourceInfo,
    /// One record per queried item, in the query's order.
    pub records: Vec<BalanceRecord>,
    /// Every call made, in order.
    pub calls: Vec<Call>,
}

/// A source of balances at a past block.
pub trait BalanceSource {
    /// Describes the source (kind and endpoint without credentials).
    fn info(&self) -> SourceInfo;

    /// Returns the balance of every queried item at the query's height.
    ///
    /// # Errors
    ///
    /// Returns a [`SourceError`] naming the endpoint and the call when the
    /// source cannot be reached, answers with an error or a malformed
    /// response, has another block at the height than the expected hash, or
    /// cannot serve the chain or an asset of the query.
    fn snapshot(&self, query: &BalanceQuery) -> Result<Snapshot, SourceError>;

    /// The preamble every source shares: refuses a query for a chain other
    /// than `served` (`who` names the source in the message), and a query
    /// with an item whose asset is on another chain than the query's.
    ///
    /// # Errors
    ///
    /// [`SourceError::Unsupported`] naming the chain asked for.
    fn require_chain(
        &self,
        query: &BalanceQuery,
        served: Chain,
        who: &str,
    ) -> Result<(), SourceError> {
        if query.chain != served {
            return Err(SourceError::Unsupported {
                endpoint: self.info().endpoint,
                detail: format!("{who} serves {served}, not chain {}", query.chain),
            });
        }
        query.require_items_on_chain(&self.info().endpoint)
    }

    /// The other shared step: the block the source has at the query's
    /// height must be the one the query expects, when it expects one.
    ///
    /// # Errors
    ///
    /// [`SourceError::BlockHashMismatch`] with both hashes as the chain
    /// displays them.
    fn require_block_hash(
        &self,
        query: &BalanceQuery,
        found: BlockHash,
    ) -> Result<(), SourceError> {
        match query.expected_block_hash {
            Some(expected) if expected != found => Err(SourceError::BlockHashMismatch {
                endpoint: self.info().endpoint,
                height: query.height,
                expected: expected.display_for(query.chain).to_string(),
                found: found.display_for(query.chain).to_string(),
            }),
            _ => Ok(()),
        }
    }
}

/// What a snapshot was taken from, for a JSON report: the chain, the height
/// and block hash checked, the source and every call made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Provenance {
    /// `bitcoin` or `ethereum`.
    pub chain: &'static str,
    /// The height the balances refer to.
    pub height: u64,
    /// The block hash at that height, as the chain's nodes display it.
    pub block_hash: String,
    /// The kind of source (`bitcoin-rpc`, `esplora`, `evm-rpc`, `file`).
    pub source: &'static str,
    /// The endpoint without credentials, or the file.
    pub endpoint: String,
    /// Every call made, in order.
    pub calls: Vec<Call>,
}

impl Snapshot {
    /// Returns where this snapshot came from, ready to serialise.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_chain::{BlockHash, Chain, Snapshot, SourceInfo, SourceKind};
    /// let s = Snapshot {
    ///     chain: Chain::Bitcoin,
    ///     height: 100,
    ///     block_hash: BlockHash::from_byte_array([0xab; 32]),
    ///     source: SourceInfo { kind: SourceKind::BitcoinRpc, endpoint: "http://127.0.0.1:8332".into() },
    ///     records: vec![],
    ///     calls: vec![],
    /// };
    /// let json = serde_json::to_string(&s.provenance())?;
    /// assert!(json.starts_with(r#"{"chain":"bitcoin","height":100,"block_hash":"abab"#));
    /// # Ok::<_, serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn provenance(&self) -> Provenance {
        Provenance {
            chain: self.chain.as_str(),
            height: self.height,
            block_hash: self.block_hash.display_for(self.chain).to_string(),
            source: self.source.kind.as_str(),
            endpoint: self.source.endpoint.clone(),
            calls: self.calls.clone(),
        }
    }
}
