//! Bitcoin Core JSON-RPC: exact balances at a past height without modifying
//! the node (no `invalidateblock`).
//!
//! 1. `getblockhash <height>` gives the snapshot block; it must equal the
//!    expected hash when one is given.
//! 2. `validateaddress` gives each address's `scriptPubKey` (outputs are
//!    matched by script, so the spelling of an address does not matter).
//! 3. `scantxoutset start ["raw(<script>)", ...]` gives the unspent outputs of
//!    those scripts at the tip it reports (`height`, `bestblock`).
//! 4. From `bestblock`, following `previousblockhash`, each block down to
//!    height + 1 is fetched with `getblock <hash> 3` (verbosity 3 includes each
//!    input's `prevout`) and undone: outputs paying a script in that block are
//!    subtracted, and outputs of the scripts spent in that block are added back.
//! 5. The walk must arrive at the snapshot block: otherwise the chain was
//!    reorganised under the query and the snapshot fails.
//!
//! Amounts arrive as JSON numbers with eight decimals (`0.00012345`); they are
//! read as their decimal text ([`RawValue`]) and parsed exactly, never through
//! `f64`. Steps 3 and 4 are pure functions ([`parse_scan`], [`parse_block`],
//! [`undo_block`]) tested without a node.

use core::fmt;
use std::collections::HashMap;

use por_tree::Amount;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::http::Client;
use crate::jsonrpc::{typed, JsonRpc};
use crate::{
    BalanceQuery, BalanceRecord, BalanceSource, BlockHash, Call, Chain, Endpoint, HttpConfig,
    Snapshot, SourceError, SourceInfo, SourceKind,
};

/// The default limit on the number of blocks undone (about two weeks of
/// blocks); see [`BitcoinRpc::with_max_undo_blocks`].
pub const DEFAULT_MAX_UNDO_BLOCKS: u64 = 2016;

/// Parses a Bitcoin Core amount (the decimal text of a JSON number such as
/// `0.00012345`) into satoshi, exactly.
///
/// # Errors
///
/// Returns a [`por_tree::ParseAmountError`] for a negative number, exponent
/// notation, more than 8 decimals or anything that is not a plain decimal.
///
/// # Examples
///
/// ```
/// let sats = por_chain::bitcoin::parse_btc_amount("0.00012345")?;
/// assert_eq!(sats.to_base_units(), 12_345);
/// # Ok::<_, por_tree::ParseAmountError>(())
/// ```
pub fn parse_btc_amount(text: &str) -> Result<Amount, por_tree::ParseAmountError> {
    Amount::from_decimal_str(text.trim(), 8)
}

/// A response of `scantxoutset` or `getblock` that does not have the
/// documented shape, or holds an amount that is not exact satoshi.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockDataError {
    /// The JSON does not have the documented fields.
    Json(String),
    /// An amount is not a valid number of satoshi.
    Amount {
        /// Where it is (txid and output or input index).
        location: String,
        /// Why.
        detail: String,
    },
    /// A non-coinbase input has no `prevout`: the node is older than
    /// Bitcoin Core 23.0 (the first with `getblock` verbosity 3).
    MissingPrevout {
        /// The transaction.
        txid: String,
        /// The input index.
        vin: usize,
    },
    /// A sum of outputs exceeds 2^128-1 satoshi.
    Overflow,
    /// `scantxoutset` reports `success: false` (the scan was aborted).
    ScanAborted,
    /// A block hash that is not 64 hex digits.
    Hash(String),
}

impl fmt::Display for BlockDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockDataError::Json(e) => write!(f, "not in Bitcoin Core's documented format: {e}"),
            BlockDataError::Amount { location, detail } => {
                write!(f, "amount of {location}: {detail}")
            }
            BlockDataError::MissingPrevout { txid, vin } => write!(
                f,
                "input {vin} of {txid} has no prevout: getblock verbosity 3 needs Bitcoin Core 23.0 or later"
            ),
            BlockDataError::Overflow => write!(f, "a sum of outputs exceeds 2^128-1 satoshi"),
            BlockDataError::ScanAborted => write!(f, "scantxoutset reports success: false (aborted)"),
            BlockDataError::Hash(h) => write!(f, "{h:?} is not a 64-hex-digit block hash"),
        }
    }
}

impl std::error::Error for BlockDataError {}

/// The UTXO set of the queried scripts at the tip `scantxoutset` scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanResult {
    /// The tip height of the scan.
    pub height: u64,
    /// The tip block hash of the scan.
    pub best_block: BlockHash,
    /// The unspent amount per script, in the order of the scripts given.
    pub balances: Vec<Amount>,
}

#[derive(Deserialize)]
struct RawScan<'a> {
    success: bool,
    height: u64,
    bestblock: String,
    #[serde(borrow)]
    unspents: Vec<RawUnspent<'a>>,
}

#[derive(Deserialize)]
struct RawUnspent<'a> {
    txid: String,
    vout: u32,
    #[serde(rename = "scriptPubKey")]
    script_pub_key: String,
    #[serde(borrow)]
    amount: &'a RawValue,
}

/// Folds a `scantxoutset` result into per-script balances. `scripts` are
/// lower-case hex `scriptPubKey`s.
///
/// # Errors
///
/// Returns a [`BlockDataError`] if the JSON is not the documented result, the
/// scan was aborted, an amount is not exact satoshi, or a sum overflows.
/// Unspents of other scripts are ignored.
pub fn parse_scan(json: &str, scripts: &[String]) -> Result<ScanResult, BlockDataError> {
    let raw: RawScan<'_> =
        serde_json::from_str(json).map_err(|e| BlockDataError::Json(e.to_string()))?;
    if !raw.success {
        return Err(BlockDataError::ScanAborted);
    }
    let best_block = BlockHash::from_hex(&raw.bestblock)
        .map_err(|_| BlockDataError::Hash(raw.bestblock.clone()))?;
    let index = ScriptIndex::new(scripts);
    let mut balances = vec![Amount::ZERO; scripts.len()];
    for u in &raw.unspents {
        let Some(i) = index.position(&u.script_pub_key) else {
            continue;
        };
        let amount = parse_btc_amount(u.amount.get()).map_err(|e| BlockDataError::Amount {
            location: format!("unspent {}:{}", u.txid, u.vout),
            detail: e.to_string(),
        })?;
        balances[i] = balances[i]
            .checked_add(amount)
            .ok_or(BlockDataError::Overflow)?;
    }
    Ok(ScanResult {
        height: raw.height,
        best_block,
        balances,
    })
}

/// Queried scripts (lower-case hex) to their index: a block has thousands of
/// outputs and an audit may query thousands of addresses.
struct ScriptIndex(HashMap<String, usize>);

impl ScriptIndex {
    fn new(scripts: &[String]) -> Self {
        ScriptIndex(
            scripts
                .iter()
                .enumerate()
                .map(|(i, s)| (s.to_ascii_lowercase(), i))
                .collect(),
        )
    }

    fn position(&self, script: &str) -> Option<usize> {
        if script.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.0.get(&script.to_ascii_lowercase()).copied();
        }
        self.0.get(script).copied()
    }
}

/// What one block did to the queried scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockEffect {
    /// The block hash.
    pub hash: BlockHash,
    /// The block height.
    pub height: u64,
    /// The previous block (`None` for the genesis block).
    pub previous: Option<BlockHash>,
    /// Per script: the sum of the outputs this block created paying it.
    pub received: Vec<Amount>,
    /// Per script: the sum of its outputs this block spent (from `prevout`).
    pub spent: Vec<Amount>,
}

#[derive(Deserialize)]
struct RawBlock<'a> {
    hash: String,
    height: u64,
    previousblockhash: Option<String>,
    #[serde(borrow)]
    tx: Vec<RawTx<'a>>,
}

#[derive(Deserialize)]
struct RawTx<'a> {
    txid: String,
    #[serde(borrow)]
    vin: Vec<RawVin<'a>>,
    #[serde(borrow)]
    vout: Vec<RawVout<'a>>,
}

#[derive(Deserialize)]
struct RawVin<'a> {
    coinbase: Option<String>,
    #[serde(borrow)]
    prevout: Option<RawPrevout<'a>>,
}

#[derive(Deserialize)]
struct RawPrevout<'a> {
    #[serde(borrow)]
    value: &'a RawValue,
    #[serde(rename = "scriptPubKey")]
    script_pub_key: RawScript,
}

#[derive(Deserialize)]
struct RawVout<'a> {
    #[serde(borrow)]
    value: &'a RawValue,
    n: u32,
    #[serde(rename = "scriptPubKey")]
    script_pub_key: RawScript,
}

#[derive(Deserialize)]
struct RawScript {
    hex: String,
}

/// Reads a `getblock <hash> 3` result and sums, per script, what the block
/// paid to it and what it spent from it.
///
/// # Errors
///
/// Returns a [`BlockDataError`] if the JSON is not the documented result, a
/// non-coinbase input has no `prevout`, an amount is not exact satoshi, or a
/// sum overflows.
pub fn parse_block(json: &str, scripts: &[String]) -> Result<BlockEffect, BlockDataError> {
    let raw: RawBlock<'_> =
        serde_json::from_str(json).map_err(|e| BlockDataError::Json(e.to_string()))?;
    let hash =
        BlockHash::from_hex(&raw.hash).map_err(|_| BlockDataError::Hash(raw.hash.clone()))?;
    let previous = raw
        .previousblockhash
        .as_deref()
        .map(|p| BlockHash::from_hex(p).map_err(|_| BlockDataError::Hash(p.to_owned())))
        .transpose()?;
    let index = ScriptIndex::new(scripts);
    let mut received = vec![Amount::ZERO; scripts.len()];
    let mut spent = vec![Amount::ZERO; scripts.len()];
    for tx in &raw.tx {
        for (i, vin) in tx.vin.iter().enumerate() {
            let Some(prevout) = &vin.prevout else {
                if vin.coinbase.is_some() {
                    continue;
                }
                return Err(BlockDataError::MissingPrevout {
                    txid: tx.txid.clone(),
                    vin: i,
                });
            };
            let Some(s) = index.position(&prevout.script_pub_key.hex) else {
                continue;
            };
            let amount =
                parse_btc_amount(prevout.value.get()).map_err(|e| BlockDataError::Amount {
                    location: format!("input {i} of {}", tx.txid),
                    detail: e.to_string(),
                })?;
            spent[s] = spent[s]
                .checked_add(amount)
                .ok_or(BlockDataError::Overflow)?;
        }
        for vout in &tx.vout {
            let Some(s) = index.position(&vout.script_pub_key.hex) else {
                continue;
            };
            let amount =
                parse_btc_amount(vout.value.get()).map_err(|e| BlockDataError::Amount {
                    location: format!("output {}:{}", tx.txid, vout.n),
                    detail: e.to_string(),
                })?;
            received[s] = received[s]
                .checked_add(amount)
                .ok_or(BlockDataError::Overflow)?;
        }
    }
    Ok(BlockEffect {
        hash,
        height: raw.height,
        previous,
        received,
        spent,
    })
}

/// A block whose undo would make a balance negative: the UTXO set and the
/// blocks do not describe one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UndoError {
    /// The index of the script.
    pub script: usize,
    /// The block height.
    pub height: u64,
}

impl fmt::Display for UndoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "undoing block {} makes the balance of script {} negative: the UTXO set and the blocks disagree",
            self.height, self.script
        )
    }
}

impl std::error::Error for UndoError {}

/// Undoes one block: the balances after it become the balances before it
/// (`before = after + spent - received`, per script).
///
/// # Errors
///
/// Returns an [`UndoError`] if a balance would go below zero or above
/// 2^128-1 (inconsistent data); `balances` is then unchanged.
///
/// # Panics
///
/// Panics if `balances` and the effect's vectors have different lengths
/// (they come from the same script list).
pub fn undo_block(balances: &mut [Amount], effect: &BlockEffect) -> Result<(), UndoError> {
    assert_eq!(
        balances.len(),
        effect.received.len(),
        "one balance per script"
    );
    assert_eq!(balances.len(), effect.spent.len(), "one balance per script");
    let mut next = Vec::with_capacity(balances.len());
    for (script, balance) in balances.iter().enumerate() {
        let err = UndoError {
            script,
            height: effect.height,
        };
        let before = balance
            .checked_add(effect.spent[script])
            .and_then(|b| b.checked_sub(effect.received[script]))
            .ok_or(err)?;
        next.push(before);
    }
    balances.copy_from_slice(&next);
    Ok(())
}

/// A Bitcoin Core node as a [`BalanceSource`].
#[derive(Debug)]
pub struct BitcoinRpc {
    rpc: JsonRpc,
    max_undo_blocks: u64,
}

#[derive(Deserialize)]
struct ValidateAddress {
    isvalid: bool,
    #[serde(rename = "scriptPubKey")]
    script_pub_key: Option<String>,
}

/// Bitcoin Core's `RPC_INVALID_PARAMETER`, returned by `getblockhash` for a
/// height above the tip.
const RPC_INVALID_PARAMETER: i64 = -8;

impl BitcoinRpc {
    /// Creates a source for the node at `endpoint` (credentials from the URL
    /// or [`Endpoint::with_credentials`], for example a `.cookie` file's
    /// content).
    #[must_use]
    pub fn new(endpoint: Endpoint, config: HttpConfig) -> Self {
        BitcoinRpc {
            rpc: JsonRpc::new(Client::new(endpoint, config), "1.0"),
            max_undo_blocks: DEFAULT_MAX_UNDO_BLOCKS,
        }
    }

    /// Sets the most blocks undone from the tip back to the snapshot (each is
    /// one `getblock` call of a few megabytes on mainnet).
    #[must_use]
    pub fn with_max_undo_blocks(mut self, n: u64) -> Self {
        self.max_undo_blocks = n;
        self
    }

    fn endpoint(&self) -> String {
        self.rpc.endpoint()
    }

    /// Calls `method` and passes the text of its `result` to `f`.
    fn call<T>(
        &self,
        calls: &mut Vec<Call>,
        method: &str,
        params: serde_json::Value,
        detail: String,
        slow: bool,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, SourceError> {
        self.rpc.call_raw(calls, method, params, detail, slow, f)
    }
}

impl BalanceSource for BitcoinRpc {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            kind: SourceKind::BitcoinRpc,
            endpoint: self.endpoint(),
        }
    }

    fn snapshot(&self, query: &BalanceQuery) -> Result<Snapshot, SourceError> {
        self.require_chain(query, Chain::Bitcoin, "a Bitcoin Core node")?;
        if let Some(item) = query.items.iter().find(|i| i.asset.contract().is_some()) {
            return Err(SourceError::Unsupported {
                endpoint: self.endpoint(),
                detail: format!(
                    "token {} at {}: Bitcoin has no token contracts",
                    item.asset.asset().symbol(),
                    item.address
                ),
            });
        }
        let mut calls = Vec::new();
        let height = query.height;

        // 1. The snapshot block.
        let hash_text = match self.call(
            &mut calls,
            "getblockhash",
            serde_json::json!([height]),
            height.to_string(),
            false,
            typed::<String>,
        ) {
            Err(SourceError::Rpc { code, .. }) if code == RPC_INVALID_PARAMETER => {
                let tip = self.call(
                    &mut calls,
                    "getblockcount",
                    serde_json::json!([]),
                    String::new(),
                    false,
                    typed::<u64>,
                )?;
                return Err(SourceError::HeightAboveTip {
                    endpoint: self.endpoint(),
                    height,
                    tip,
                });
            }
            other => other?,
        };
        let snapshot_hash = BlockHash::from_hex(&hash_text)
            .map_err(|e| self.rpc.malformed("getblockhash", e.to_string()))?;
        self.require_block_hash(query, snapshot_hash)?;

        if query.items.is_empty() {
            return Ok(Snapshot {
                chain: Chain::Bitcoin,
                height,
                block_hash: snapshot_hash,
                source: self.info(),
                records: Vec::new(),
                calls,
            });
        }

        // 2. The scripts of the addresses.
        let mut addresses: Vec<&str> = Vec::new();
        for item in &query.items {
            if !addresses.contains(&item.address.as_str()) {
                addresses.push(&item.address);
            }
        }
        let mut scripts = Vec::with_capacity(addresses.len());
        for address in &addresses {
            let v: ValidateAddress = self.call(
                &mut calls,
                "validateaddress",
                serde_json::json!([address]),
                (*address).to_owned(),
                false,
                typed,
            )?;
            match (v.isvalid, v.script_pub_key) {
                (true, Some(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    scripts.push(s.to_ascii_lowercase());
                }
                (true, _) => {
                    return Err(self
                        .rpc
                        .malformed("validateaddress", format!("no scriptPubKey for {address}")))
                }
                (false, _) => {
                    return Err(SourceError::Unsupported {
                        endpoint: self.endpoint(),
                        detail: format!(
                            "the node says {address} is not a valid address on its network"
                        ),
                    })
                }
            }
        }

        // 3. The UTXO set at the tip.
        let descriptors: Vec<String> = scripts.iter().map(|s| format!("raw({s})")).collect();
        let scan = self.call(
            &mut calls,
            "scantxoutset",
            serde_json::json!(["start", descriptors]),
            format!("{} scripts", scripts.len()),
            true,
            |text| parse_scan(text, &scripts).map_err(|e| e.to_string()),
        )?;
        if scan.height < height {
            return Err(SourceError::Reorg {
                endpoint: self.endpoint(),
                detail: format!(
                    "scantxoutset scanned tip {} at height {}, below the snapshot height {height}",
                    scan.best_block.display_for(Chain::Bitcoin),
                    scan.height
                ),
            });
        }
        let depth = scan.height - height;
        if depth > self.max_undo_blocks {
            return Err(SourceError::Unsupported {
                endpoint: self.endpoint(),
                detail: format!(
                    "the snapshot is {depth} blocks below the tip, more than the limit of {} blocks to undo",
                    self.max_undo_blocks
                ),
            });
        }

        // 4. Undo the blocks after the snapshot, from the scanned tip down.
        let mut balances = scan.balances;
        let mut cursor = scan.best_block;
        for expected_height in (height + 1..=scan.height).rev() {
            let shown = cursor.display_for(Chain::Bitcoin).to_string();
            let effect = self.call(
                &mut calls,
                "getblock",
                serde_json::json!([shown, 3]),
                shown.clone(),
                false,
                |text| parse_block(text, &scripts).map_err(|e| e.to_string()),
            )?;
            if effect.hash != cursor || effect.height != expected_height {
                return Err(self.rpc.malformed(
                    "getblock",
                    format!(
                        "asked for block {shown} at height {expected_height}, got {} at height {}",
                        effect.hash.display_for(Chain::Bitcoin),
                        effect.height
                    ),
                ));
            }
            undo_block(&mut balances, &effect).map_err(|e| SourceError::Amount {
                endpoint: self.endpoint(),
                address: addresses.get(e.script).copied().unwrap_or("?").to_owned(),
                detail: e.to_string(),
            })?;
            cursor = effect.previous.ok_or_else(|| {
                self.rpc.malformed(
                    "getblock",
                    format!("block {shown} has no previousblockhash"),
                )
            })?;
        }

        // 5. The walk must end at the snapshot block.
        if cursor != snapshot_hash {
            return Err(SourceError::Reorg {
                endpoint: self.endpoint(),
                detail: format!(
                    "walking back from tip {} (height {}) reached {} at height {height}, not the snapshot block {}",
                    scan.best_block.display_for(Chain::Bitcoin),
                    scan.height,
                    cursor.display_for(Chain::Bitcoin),
                    snapshot_hash.display_for(Chain::Bitcoin)
                ),
            });
        }

        let source = self.info().to_string();
        let records = query
            .items
            .iter()
            .map(|item| {
                let i = addresses
                    .iter()
                    .position(|a| *a == item.address)
                    .expect("every item's address was added to the list");
                BalanceRecord {
                    address: item.address.clone(),
                    asset: item.asset.clone(),
                    balance: balances[i],
                    height,
                    block_hash: snapshot_hash,
                    source: source.clone(),
                }
            })
            .collect();
        Ok(Snapshot {
            chain: Chain::Bitcoin,
            height,
            block_hash: snapshot_hash,
            source: self.info(),
            records,
            calls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0014751e76e8199196d454941c45d1b3a323f1433bd6";
    const B: &str = "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262";

    fn scripts() -> Vec<String> {
        vec![A.to_owned(), B.to_owned()]
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(
            parse_btc_amount("0.00012345").unwrap().to_base_units(),
            12_345
        );
        assert_eq!(
            parse_btc_amount("20999999.97690000")
                .unwrap()
                .to_base_units(),
            2_099_999_997_690_000
        );
        // 0.1 + 0.2 in f64 is 0.30000000000000004: exact parsing never sees that.
        assert_eq!(
            parse_btc_amount("0.30000000").unwrap().to_base_units(),
            30_000_000
        );
        assert!(parse_btc_amount("1e-8").is_err());
        assert!(parse_btc_amount("-0.1").is_err());
        assert!(parse_btc_amount("0.000000001").is_err());
    }

    #[test]
    fn scan_sums_per_script_and_ignores_others() {
        let json = format!(
            r#"{{"success":true,"txouts":9,"height":103,"bestblock":"{h}","unspents":[
              {{"txid":"{t}","vout":0,"scriptPubKey":"{A}","desc":"addr(x)#y","amount":0.00012345,"coinbase":false,"height":95}},
              {{"txid":"{t}","vout":1,"scriptPubKey":"{A}","desc":"addr(x)#y","amount":2.00000000,"coinbase":false,"height":102}},
              {{"txid":"{t}","vout":2,"scriptPubKey":"51","desc":"raw(51)#y","amount":7.00000000,"coinbase":false,"height":102}}
            ],"total_amount":9.00012345}}"#,
            h = "11".repeat(32),
            t = "22".repeat(32)
        );
        let r = parse_scan(&json, &scripts()).unwrap();
        assert_eq!(r.height, 103);
        assert_eq!(r.best_block, BlockHash::from_byte_array([0x11; 32]));
        assert_eq!(
            r.balances,
            vec![Amount::from_base_units(200_012_345), Amount::ZERO]
        );
        let aborted = json.replace(r#""success":true"#, r#""success":false"#);
        assert_eq!(
            parse_scan(&aborted, &scripts()),
            Err(BlockDataError::ScanAborted)
        );
        let floaty = json.replace("0.00012345", "1.2e-4");
        assert!(matches!(
            parse_scan(&floaty, &scripts()),
            Err(BlockDataError::Amount { .. })
        ));
    }

    #[test]
    fn undo_adds_spends_and_removes_receipts() {
        let effect = BlockEffect {
            hash: BlockHash::from_byte_array([1; 32]),
            height: 101,
            previous: Some(BlockHash::from_byte_array([0; 32])),
            received: vec![
                Amount::from_base_units(19_990_000),
                Amount::from_base_units(30_000_000),
            ],
            spent: vec![Amount::from_base_units(50_000_000), Amount::ZERO],
        };
        let mut balances = vec![
            Amount::from_base_units(20_002_345),
            Amount::from_base_units(100_000_000 + 30_000_000),
        ];
        undo_block(&mut balances, &effect).unwrap();
        assert_eq!(
            balances,
            vec![
                Amount::from_base_units(50_012_345),
                Amount::from_base_units(100_000_000)
            ]
        );

        let mut short = vec![
            Amount::from_base_units(19_989_999),
            Amount::from_base_units(30_000_000),
        ];
        let before = short.clone();
        let e = undo_block(
            &mut short,
            &BlockEffect {
                spent: vec![Amount::ZERO; 2],
                ..effect
            },
        )
        .unwrap_err();
        assert_eq!(
            e,
            UndoError {
                script: 0,
                height: 101
            }
        );
        assert_eq!(short, before, "unchanged on error");
    }

    #[test]
    fn blocks_without_prevouts_are_refused() {
        let json = format!(
            r#"{{"hash":"{h}","height":5,"previousblockhash":"{h}","tx":[{{"txid":"{t}","vin":[{{"txid":"{t}","vout":0,"scriptSig":{{"asm":"","hex":""}},"sequence":1}}],"vout":[]}}]}}"#,
            h = "33".repeat(32),
            t = "44".repeat(32)
        );
        assert_eq!(
            parse_block(&json, &scripts()),
            Err(BlockDataError::MissingPrevout {
                txid: "44".repeat(32),
                vin: 0
            })
        );
    }
}
