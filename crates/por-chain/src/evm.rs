//! EVM JSON-RPC: native balances with `eth_getBalance` and ERC-20 balances
//! with `eth_call` of `balanceOf(address)` at the snapshot block.
//!
//! The block hash at the snapshot height is read with `eth_getBlockByNumber`
//! before and after the balance calls: if it is not the expected one, or it
//! changed in between (a reorganisation), the snapshot fails.

use core::fmt;

use por_tree::Amount;
use serde::Deserialize;

use crate::http::Client;
use crate::jsonrpc::JsonRpc;
use crate::{
    BalanceQuery, BalanceRecord, BalanceSource, BlockHash, Call, Chain, Endpoint, HttpConfig,
    Snapshot, SourceError, SourceInfo, SourceKind,
};

/// The selector of ERC-20 `balanceOf(address)`: the first four bytes of
/// keccak256("balanceOf(address)").
pub const BALANCE_OF_SELECTOR: [u8; 4] = [0x70, 0xa0, 0x82, 0x31];

/// The selector of ERC-20 `decimals()`: the first four bytes of
/// keccak256("decimals()").
pub const DECIMALS_SELECTOR: [u8; 4] = [0x31, 0x3c, 0xe5, 0x67];

/// The one EVM address type of por (ownership proofs, the registry's
/// contracts, balance queries): `0x` and 40 hex digits, mixed case only as
/// its EIP-55 checksum. Written here with `to_lower_hex`, as nodes take it.
pub use por_ownership::EvmAddress;

/// Why a string is not an EVM address (por-ownership's error; its
/// `Address` and `Checksum` variants are the ones parsing gives).
pub use por_ownership::EvmFormatError as ParseEvmAddressError;

/// Why a JSON-RPC quantity or ABI word is not a `u128`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HexValueError {
    /// Not `0x` followed by hex digits (quantities: no leading zeros
    /// required, but at least one digit).
    Format(String),
    /// The value is above `u128::MAX`.
    Overflow(String),
}

impl fmt::Display for HexValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HexValueError::Format(s) => {
                write!(f, "{s:?} is not 0x followed by hex digits")
            }
            HexValueError::Overflow(s) => {
                write!(f, "{s} is above 2^128-1, the largest amount por can hold")
            }
        }
    }
}

impl std::error::Error for HexValueError {}

/// Parses a JSON-RPC hex quantity (`"0x1bc16d674ec80000"`) into a `u128`.
///
/// # Errors
///
/// Returns a [`HexValueError`] if the text is not `0x` and 1 to 64 hex digits,
/// or the value exceeds `u128::MAX`.
///
/// # Examples
///
/// ```
/// assert_eq!(por_chain::evm::parse_quantity("0xde0b6b3a7640000")?, 1_000_000_000_000_000_000);
/// assert!(por_chain::evm::parse_quantity(&format!("0x1{}", "0".repeat(32))).is_err());
/// # Ok::<_, por_chain::evm::HexValueError>(())
/// ```
pub fn parse_quantity(s: &str) -> Result<u128, HexValueError> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| HexValueError::Format(s.to_owned()))?;
    if digits.is_empty() || digits.len() > 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HexValueError::Format(s.to_owned()));
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 32 {
        return Err(HexValueError::Overflow(s.to_owned()));
    }
    if significant.is_empty() {
        return Ok(0);
    }
    u128::from_str_radix(significant, 16).map_err(|_| HexValueError::Format(s.to_owned()))
}

/// Decodes the result of `balanceOf` (one ABI `uint256` word, `0x` and 64
/// hex digits) into a `u128`.
///
/// # Errors
///
/// Returns a [`HexValueError`] if the result is not exactly one 32-byte word
/// (an address without code answers `0x`), or the value exceeds `u128::MAX`.
pub fn decode_uint256_word(s: &str) -> Result<u128, HexValueError> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| HexValueError::Format(s.to_owned()))?;
    if digits.len() != 64 {
        return Err(HexValueError::Format(s.to_owned()));
    }
    parse_quantity(s)
}

/// Returns the `eth_call` data of `balanceOf(owner)`: the selector and the
/// address left-padded to 32 bytes, as `0x` hex.
#[must_use]
pub fn balance_of_calldata(owner: &EvmAddress) -> String {
    format!(
        "0x{}{}{}",
        hex::encode(BALANCE_OF_SELECTOR),
        "0".repeat(24),
        hex::encode(owner.to_byte_array())
    )
}

/// Formats a block number as a JSON-RPC quantity.
#[must_use]
pub fn to_quantity(n: u64) -> String {
    format!("0x{n:x}")
}

/// An Ethereum JSON-RPC endpoint as a [`BalanceSource`].
#[derive(Debug)]
pub struct EvmRpc {
    rpc: JsonRpc,
}

#[derive(Deserialize)]
struct BlockHeader {
    hash: String,
    number: String,
}

impl EvmRpc {
    /// Creates a source for the node at `endpoint`.
    #[must_use]
    pub fn new(endpoint: Endpoint, config: HttpConfig) -> Self {
        EvmRpc {
            rpc: JsonRpc::new(Client::new(endpoint, config), "2.0"),
        }
    }

    fn endpoint(&self) -> String {
        self.rpc.endpoint()
    }

    fn malformed(&self, call: &str, detail: String) -> SourceError {
        self.rpc.malformed(call, detail)
    }

    /// Calls `method` and returns its `result`, deserialised as `T`.
    fn call<T: for<'de> Deserialize<'de>>(
        &self,
        calls: &mut Vec<Call>,
        method: &str,
        params: serde_json::Value,
        detail: String,
    ) -> Result<T, SourceError> {
        self.rpc.call(calls, method, params, detail, false)
    }

    fn block_hash_at(&self, calls: &mut Vec<Call>, height: u64) -> Result<BlockHash, SourceError> {
        const M: &str = "eth_getBlockByNumber";
        let header: Option<BlockHeader> = self.call(
            calls,
            M,
            serde_json::json!([to_quantity(height), false]),
            to_quantity(height),
        )?;
        let Some(header) = header else {
            let tip: String = self.call(
                calls,
                "eth_blockNumber",
                serde_json::json!([]),
                String::new(),
            )?;
            let tip = parse_quantity(&tip)
                .map_err(|e| self.malformed("eth_blockNumber", e.to_string()))?;
            return Err(SourceError::HeightAboveTip {
                endpoint: self.endpoint(),
                height,
                tip: u64::try_from(tip).unwrap_or(u64::MAX),
            });
        };
        let number =
            parse_quantity(&header.number).map_err(|e| self.malformed(M, e.to_string()))?;
        if number != u128::from(height) {
            return Err(self.malformed(M, format!("asked for block {height}, got block {number}")));
        }
        BlockHash::from_hex(&header.hash).map_err(|e| self.malformed(M, e.to_string()))
    }
}

impl BalanceSource for EvmRpc {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            kind: SourceKind::EvmRpc,
            endpoint: self.endpoint(),
        }
    }

    fn snapshot(&self, query: &BalanceQuery) -> Result<Snapshot, SourceError> {
        self.require_chain(query, Chain::Ethereum, "an EVM JSON-RPC node")?;
        let mut calls = Vec::new();
        let hash = self.block_hash_at(&mut calls, query.height)?;
        self.require_block_hash(query, hash)?;
        let block = to_quantity(query.height);
        // A token listed with the wrong decimals would be misread by a power of ten: compare
        // with the contract's own decimals() where it has one (it is optional in ERC-20).
        let mut checked: Vec<EvmAddress> = Vec::new();
        for item in &query.items {
            let Some(token) = item.asset.contract() else {
                continue;
            };
            if checked.contains(&token) {
                continue;
            }
            checked.push(token);
            let word: String = self.call(
                &mut calls,
                "eth_call",
                serde_json::json!([{"to": token.to_lower_hex(), "data": format!("0x{}", hex::encode(DECIMALS_SELECTOR))}, block]),
                format!("{}.decimals()", token.to_lower_hex()),
            )?;
            if let Ok(declared) = decode_uint256_word(&word) {
                let expected = item.asset.asset().decimals();
                if declared != u128::from(expected) {
                    return Err(SourceError::Decimals {
                        endpoint: self.endpoint(),
                        contract: token.to_lower_hex(),
                        declared,
                        expected,
                    });
                }
            }
        }
        let source = self.info().to_string();
        let mut records = Vec::with_capacity(query.items.len());
        for item in &query.items {
            let owner = EvmAddress::parse(&item.address).map_err(|e| SourceError::Unsupported {
                endpoint: self.endpoint(),
                detail: e.to_string(),
            })?;
            let (method, units) = match item.asset.contract() {
                None => {
                    let q: String = self.call(
                        &mut calls,
                        "eth_getBalance",
                        serde_json::json!([owner.to_lower_hex(), block]),
                        owner.to_lower_hex(),
                    )?;
                    ("eth_getBalance", parse_quantity(&q))
                }
                Some(token) => {
                    let data = balance_of_calldata(&owner);
                    let word: String = self.call(
                        &mut calls,
                        "eth_call",
                        serde_json::json!([{"to": token.to_lower_hex(), "data": data}, block]),
                        format!(
                            "{}.balanceOf({})",
                            token.to_lower_hex(),
                            owner.to_lower_hex()
                        ),
                    )?;
                    ("eth_call", decode_uint256_word(&word))
                }
            };
            let units = units.map_err(|e| match e {
                HexValueError::Overflow(_) => SourceError::Amount {
                    endpoint: self.endpoint(),
                    address: owner.to_lower_hex(),
                    detail: format!("{} balance {e}", item.asset.asset().symbol()),
                },
                HexValueError::Format(_) => {
                    self.malformed(method, format!("{e} (balance of {})", owner.to_lower_hex()))
                }
            })?;
            records.push(BalanceRecord {
                address: owner.to_lower_hex(),
                asset: item.asset.clone(),
                balance: Amount::from_base_units(units),
                height: query.height,
                block_hash: hash,
                source: source.clone(),
            });
        }
        let again = self.block_hash_at(&mut calls, query.height)?;
        if again != hash {
            return Err(SourceError::Reorg {
                endpoint: self.endpoint(),
                detail: format!(
                    "block {} was {} before the balance calls and {} after",
                    query.height,
                    hash.display_for(Chain::Ethereum),
                    again.display_for(Chain::Ethereum)
                ),
            });
        }
        Ok(Snapshot {
            chain: Chain::Ethereum,
            height: query.height,
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
    use sha3::{Digest, Keccak256};

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("0x0").unwrap(), 0);
        assert_eq!(parse_quantity("0x00").unwrap(), 0);
        assert_eq!(parse_quantity("0xff").unwrap(), 255);
        assert_eq!(
            parse_quantity(&format!("0x{}", "f".repeat(32))).unwrap(),
            u128::MAX
        );
        assert_eq!(
            parse_quantity(&format!("0x{}{}", "0".repeat(32), "f".repeat(32))).unwrap(),
            u128::MAX
        );
        assert!(matches!(
            parse_quantity(&format!("0x1{}", "0".repeat(32))),
            Err(HexValueError::Overflow(_))
        ));
        for bad in [
            "",
            "0x",
            "ff",
            "0xg",
            "0x-1",
            " 0x1",
            &format!("0x{}", "0".repeat(65)),
        ] {
            assert!(
                matches!(parse_quantity(bad), Err(HexValueError::Format(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn abi_words() {
        let word = format!("0x{}{}", "0".repeat(32), "00000000000000000de0b6b3a7640000");
        assert_eq!(word.len(), 66);
        assert_eq!(
            decode_uint256_word(&word).unwrap(),
            1_000_000_000_000_000_000
        );
        assert!(matches!(
            decode_uint256_word("0x"),
            Err(HexValueError::Format(_))
        ));
        assert!(matches!(
            decode_uint256_word("0x01"),
            Err(HexValueError::Format(_))
        ));
        let huge = format!("0x{}{}", "0".repeat(31), "1".repeat(33));
        assert!(matches!(
            decode_uint256_word(&huge),
            Err(HexValueError::Overflow(_))
        ));
    }

    #[test]
    fn calldata_and_selector() {
        // keccak256("balanceOf(address)") starts with 70a08231.
        assert_eq!(
            &Keccak256::digest(b"balanceOf(address)")[..4],
            &BALANCE_OF_SELECTOR
        );
        let owner = EvmAddress::parse("0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1").unwrap();
        assert_eq!(
            balance_of_calldata(&owner),
            "0x70a0823100000000000000000000000090f8bf6a479f320ead074411a4b0e7944ea8c9c1"
        );
    }

    #[test]
    fn eip55_vectors() {
        // The test cases listed in EIP-55.
        for s in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0xde709f2102306220921060314715629080e2fb77",
        ] {
            let a = EvmAddress::parse(s).unwrap();
            assert_eq!(a.to_checksummed(), s);
        }
        let e = EvmAddress::parse("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d358").unwrap_err();
        assert!(matches!(e, ParseEvmAddressError::Checksum { .. }), "{e}");
        for bad in ["0x1234", "90f8bf6a479f320ead074411a4b0e7944ea8c9c1"] {
            let e = EvmAddress::parse(bad).unwrap_err();
            assert!(matches!(e, ParseEvmAddressError::Address { .. }), "{e}");
        }
    }
}
