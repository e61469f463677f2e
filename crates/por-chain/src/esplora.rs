//! Esplora REST API (Blockstream's esplora, self-hosted electrs): balances at
//! a past height from each address's confirmed transaction history.
//!
//! - `GET /block-height/:height` gives the snapshot block hash (checked
//!   before and after the history is read, so a reorganisation is caught);
//! - `GET /address/:address/txs/chain[/:last_seen_txid]` pages through the
//!   confirmed history, newest first, until an empty page;
//! - the balance at the snapshot height is the sum of the outputs paying the
//!   address (`vout[].scriptpubkey_address`, `value` in satoshi) in
//!   transactions confirmed at or below that height, minus the outputs of the
//!   address spent by such transactions (`vin[].prevout`).
//!
//! The summing is the pure function [`balance_at_height`], tested without a
//! network.

use core::fmt;
use std::collections::HashSet;

use por_tree::Amount;
use serde::Deserialize;

use crate::http::{snippet, Client};
use crate::{
    BalanceQuery, BalanceRecord, BalanceSource, BlockHash, Call, Chain, Endpoint, HttpConfig,
    Snapshot, SourceError, SourceInfo, SourceKind,
};

/// The default limit on history pages read per address (25 transactions a
/// page: 100,000 transactions).
pub const DEFAULT_MAX_PAGES: u32 = 4000;

/// What one confirmed transaction did to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxEffect {
    /// The transaction id.
    pub txid: String,
    /// The height of the block that confirmed it.
    pub block_height: u64,
    /// The hash of that block.
    pub block_hash: BlockHash,
    /// The sum of its outputs paying the address.
    pub received: Amount,
    /// The sum of the address's outputs it spent.
    pub spent: Amount,
}

/// A history page that is not in Esplora's documented format.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HistoryError {
    /// The JSON does not have the documented fields.
    Json(String),
    /// A transaction of the confirmed history is not confirmed.
    Unconfirmed(String),
    /// A block hash that is not 64 hex digits.
    Hash(String),
    /// A sum exceeds 2^128-1 satoshi.
    Overflow,
    /// The address spends more than it received by the snapshot height.
    Negative {
        /// The height.
        height: u64,
    },
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::Json(e) => write!(f, "not in Esplora's documented format: {e}"),
            HistoryError::Unconfirmed(t) => {
                write!(f, "transaction {t} in the confirmed history has no block height")
            }
            HistoryError::Hash(h) => write!(f, "{h:?} is not a 64-hex-digit block hash"),
            HistoryError::Overflow => write!(f, "a sum of outputs exceeds 2^128-1 satoshi"),
            HistoryError::Negative { height } => write!(
                f,
                "the history spends more than it received by height {height}: pages are missing or inconsistent"
            ),
        }
    }
}

impl std::error::Error for HistoryError {}

#[derive(Deserialize)]
struct RawTx {
    txid: String,
    vin: Vec<RawVin>,
    vout: Vec<RawOut>,
    status: RawStatus,
}

#[derive(Deserialize)]
struct RawVin {
    prevout: Option<RawOut>,
}

#[derive(Deserialize)]
struct RawOut {
    scriptpubkey_address: Option<String>,
    value: u64,
}

#[derive(Deserialize)]
struct RawStatus {
    confirmed: bool,
    block_height: Option<u64>,
    block_hash: Option<String>,
}

/// Reads one page of `/address/:address/txs/chain` and returns what each
/// transaction did to `address`.
///
/// # Errors
///
/// Returns a [`HistoryError`] if the JSON is not the documented format, a
/// transaction is unconfirmed, or a sum overflows.
pub fn parse_history_page(json: &str, address: &str) -> Result<Vec<TxEffect>, HistoryError> {
    let txs: Vec<RawTx> =
        serde_json::from_str(json).map_err(|e| HistoryError::Json(e.to_string()))?;
    let mut out = Vec::with_capacity(txs.len());
    for tx in txs {
        let (true, Some(block_height), Some(hash)) = (
            tx.status.confirmed,
            tx.status.block_height,
            tx.status.block_hash,
        ) else {
            return Err(HistoryError::Unconfirmed(tx.txid));
        };
        let block_hash =
            BlockHash::from_hex(&hash).map_err(|_| HistoryError::Hash(hash.clone()))?;
        let mine = |o: &RawOut| o.scriptpubkey_address.as_deref() == Some(address);
        let sum = |values: &mut dyn Iterator<Item = u64>| {
            Amount::checked_sum(values.map(|v| Amount::from_base_units(u128::from(v))))
                .ok_or(HistoryError::Overflow)
        };
        let received = sum(&mut tx.vout.iter().filter(|o| mine(o)).map(|o| o.value))?;
        let spent = sum(&mut tx
            .vin
            .iter()
            .filter_map(|i| i.prevout.as_ref())
            .filter(|o| mine(o))
            .map(|o| o.value))?;
        out.push(TxEffect {
            txid: tx.txid,
            block_height,
            block_hash,
            received,
            spent,
        });
    }
    Ok(out)
}

/// The balance at `height`: received minus spent over the transactions
/// confirmed at or below `height`.
///
/// # Errors
///
/// Returns a [`HistoryError`] if a sum overflows or the spends exceed the
/// receipts (a history with pages missing).
pub fn balance_at_height(txs: &[TxEffect], height: u64) -> Result<Amount, HistoryError> {
    let upto = txs.iter().filter(|t| t.block_height <= height);
    let received =
        Amount::checked_sum(upto.clone().map(|t| t.received)).ok_or(HistoryError::Overflow)?;
    let spent = Amount::checked_sum(upto.map(|t| t.spent)).ok_or(HistoryError::Overflow)?;
    received
        .checked_sub(spent)
        .ok_or(HistoryError::Negative { height })
}

/// An Esplora REST API as a [`BalanceSource`].
#[derive(Debug)]
pub struct Esplora {
    client: Client,
    max_pages: u32,
}

impl Esplora {
    /// Creates a source for the API at `endpoint` (for example
    /// `http://127.0.0.1:3000` or `https://blockstream.info/api`).
    #[must_use]
    pub fn new(endpoint: Endpoint, config: HttpConfig) -> Self {
        Esplora {
            client: Client::new(endpoint, config),
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// Sets the most history pages read per address.
    #[must_use]
    pub fn with_max_pages(mut self, n: u32) -> Self {
        self.max_pages = n;
        self
    }

    fn endpoint(&self) -> String {
        self.client.endpoint().to_string()
    }

    fn malformed(&self, call: &str, detail: String) -> SourceError {
        SourceError::Malformed {
            endpoint: self.endpoint(),
            call: call.to_owned(),
            detail,
        }
    }

    fn get(&self, calls: &mut Vec<Call>, path: &str) -> Result<(u16, String), SourceError> {
        calls.push(Call {
            method: format!("GET {path}"),
            detail: String::new(),
        });
        let r = self
            .client
            .request(&format!("GET {path}"), path, None, false)?;
        Ok((r.status, r.body))
    }

    fn block_hash_at(&self, calls: &mut Vec<Call>, height: u64) -> Result<BlockHash, SourceError> {
        let path = format!("/block-height/{height}");
        let (status, body) = self.get(calls, &path)?;
        if status == 404 {
            let (tip_status, tip) = self.get(calls, "/blocks/tip/height")?;
            let tip: u64 = match (tip_status, tip.trim().parse()) {
                (200, Ok(t)) => t,
                _ => {
                    return Err(SourceError::Http {
                        endpoint: self.endpoint(),
                        call: format!("GET {path}"),
                        status,
                        body: snippet(&body),
                    })
                }
            };
            return Err(SourceError::HeightAboveTip {
                endpoint: self.endpoint(),
                height,
                tip,
            });
        }
        if status != 200 {
            return Err(SourceError::Http {
                endpoint: self.endpoint(),
                call: format!("GET {path}"),
                status,
                body: snippet(&body),
            });
        }
        BlockHash::from_hex(body.trim())
            .map_err(|e| self.malformed(&format!("GET {path}"), e.to_string()))
    }

    fn history(&self, calls: &mut Vec<Call>, address: &str) -> Result<Vec<TxEffect>, SourceError> {
        let mut all: Vec<TxEffect> = Vec::new();
        let mut seen = HashSet::new();
        let mut last: Option<String> = None;
        for _ in 0..self.max_pages {
            let path = match &last {
                None => format!("/address/{address}/txs/chain"),
                Some(txid) => format!("/address/{address}/txs/chain/{txid}"),
            };
            let call = format!("GET {path}");
            let (status, body) = self.get(calls, &path)?;
            if status != 200 {
                return Err(SourceError::Http {
                    endpoint: self.endpoint(),
                    call,
                    status,
                    body: snippet(&body),
                });
            }
            let page = parse_history_page(&body, address)
                .map_err(|e| self.malformed(&call, e.to_string()))?;
            let Some(tail) = page.last() else {
                return Ok(all);
            };
            last = Some(tail.txid.clone());
            for tx in page {
                if !seen.insert(tx.txid.clone()) {
                    return Err(self.malformed(
                        &call,
                        format!("transaction {} appears twice in the history", tx.txid),
                    ));
                }
                all.push(tx);
            }
            if last
                .as_deref()
                .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(self.malformed(&call, format!("txid {last:?} is not hex")));
            }
        }
        Err(SourceError::Unsupported {
            endpoint: self.endpoint(),
            detail: format!(
                "the history of {address} has more than {} pages; raise the limit or use Bitcoin Core",
                self.max_pages
            ),
        })
    }
}

impl BalanceSource for Esplora {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            kind: SourceKind::Esplora,
            endpoint: self.endpoint(),
        }
    }

    fn snapshot(&self, query: &BalanceQuery) -> Result<Snapshot, SourceError> {
        self.require_chain(query, Chain::Bitcoin, "Esplora")?;
        let mut calls = Vec::new();
        let height = query.height;
        let hash = self.block_hash_at(&mut calls, height)?;
        self.require_block_hash(query, hash)?;
        let source = self.info().to_string();
        let mut records = Vec::with_capacity(query.items.len());
        for item in &query.items {
            if item.asset.contract().is_some() {
                return Err(SourceError::Unsupported {
                    endpoint: self.endpoint(),
                    detail: format!(
                        "token {} at {}: Bitcoin has no token contracts",
                        item.asset.asset().symbol(),
                        item.address
                    ),
                });
            }
            if item.address.is_empty() || !item.address.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(SourceError::Unsupported {
                    endpoint: self.endpoint(),
                    detail: format!(
                        "{:?} is not a Bitcoin address (letters and digits only)",
                        item.address
                    ),
                });
            }
            let txs = self.history(&mut calls, &item.address)?;
            if let Some(t) = txs
                .iter()
                .find(|t| t.block_height == height && t.block_hash != hash)
            {
                return Err(SourceError::Reorg {
                    endpoint: self.endpoint(),
                    detail: format!(
                        "transaction {} is confirmed at height {height} in block {}, not in the snapshot block {}",
                        t.txid,
                        t.block_hash.display_for(Chain::Bitcoin),
                        hash.display_for(Chain::Bitcoin)
                    ),
                });
            }
            let balance = balance_at_height(&txs, height).map_err(|e| SourceError::Amount {
                endpoint: self.endpoint(),
                address: item.address.clone(),
                detail: e.to_string(),
            })?;
            records.push(BalanceRecord {
                address: item.address.clone(),
                asset: item.asset.clone(),
                balance,
                height,
                block_hash: hash,
                source: source.clone(),
            });
        }
        let again = self.block_hash_at(&mut calls, height)?;
        if again != hash {
            return Err(SourceError::Reorg {
                endpoint: self.endpoint(),
                detail: format!(
                    "block {height} was {} before the history was read and {} after",
                    hash.display_for(Chain::Bitcoin),
                    again.display_for(Chain::Bitcoin)
                ),
            });
        }
        Ok(Snapshot {
            chain: Chain::Bitcoin,
            height,
            block_hash: hash,
            source: self.info(),
            records,
            calls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(h: u64, received: u128, spent: u128) -> TxEffect {
        TxEffect {
            txid: format!("{h}"),
            block_height: h,
            block_hash: BlockHash::from_byte_array([0; 32]),
            received: Amount::from_base_units(received),
            spent: Amount::from_base_units(spent),
        }
    }

    #[test]
    fn balance_counts_only_up_to_the_height() {
        let txs = [
            effect(110, 5, 0),
            effect(105, 0, 7),
            effect(100, 3, 0),
            effect(90, 10, 0),
        ];
        assert_eq!(balance_at_height(&txs, 89).unwrap(), Amount::ZERO);
        assert_eq!(
            balance_at_height(&txs, 100).unwrap(),
            Amount::from_base_units(13)
        );
        assert_eq!(
            balance_at_height(&txs, 105).unwrap(),
            Amount::from_base_units(6)
        );
        assert_eq!(
            balance_at_height(&txs, 1000).unwrap(),
            Amount::from_base_units(11)
        );
        assert_eq!(
            balance_at_height(&txs[..2], 106),
            Err(HistoryError::Negative { height: 106 })
        );
    }

    #[test]
    fn page_parsing_matches_the_address_in_inputs_and_outputs() {
        let json = format!(
            r#"[{{"txid":"aa","version":2,"locktime":0,"size":1,"weight":4,"fee":100,
                "vin":[{{"txid":"bb","vout":0,"is_coinbase":false,"scriptsig":"","scriptsig_asm":"","sequence":1,
                         "prevout":{{"scriptpubkey":"00","scriptpubkey_asm":"","scriptpubkey_type":"v0_p2wpkh","scriptpubkey_address":"bc1qme","value":5000}}}}],
                "vout":[{{"scriptpubkey":"00","scriptpubkey_asm":"","scriptpubkey_type":"v0_p2wpkh","scriptpubkey_address":"bc1qother","value":3000}},
                        {{"scriptpubkey":"00","scriptpubkey_asm":"","scriptpubkey_type":"v0_p2wpkh","scriptpubkey_address":"bc1qme","value":1900}},
                        {{"scriptpubkey":"6a","scriptpubkey_asm":"OP_RETURN","scriptpubkey_type":"op_return","value":0}}],
                "status":{{"confirmed":true,"block_height":7,"block_hash":"{h}","block_time":1}}}}]"#,
            h = "ab".repeat(32)
        );
        let page = parse_history_page(&json, "bc1qme").unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].received, Amount::from_base_units(1900));
        assert_eq!(page[0].spent, Amount::from_base_units(5000));
        let unconfirmed = json.replace(
            r#""confirmed":true,"block_height":7"#,
            r#""confirmed":false,"block_height":null"#,
        );
        assert!(matches!(
            parse_history_page(&unconfirmed, "bc1qme"),
            Err(HistoryError::Unconfirmed(_))
        ));
        let float = json.replace("1900", "19.5");
        assert!(matches!(
            parse_history_page(&float, "bc1qme"),
            Err(HistoryError::Json(_))
        ));
    }
}
