//! The addresses file of `por chain snapshot`: what to look up.
//!
//! CSV with the header `chain,address,asset` and optionally the columns
//! `contract` and `decimals` (in that order):
//!
//! ```text
//! chain,address,asset,contract,decimals
//! bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,,
//! ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,,
//! ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,0xdac17f958d2ee523a2206206994597c13d831ec7,6
//! ```
//!
//! An empty `contract` means the chain's native asset, whose decimals are
//! implied (8 for Bitcoin, 18 for Ethereum; another value is refused). A
//! token row names its contract and its decimals.
//!
//! The rows go through the same identity rule as `por attest` and
//! `por audit` ([`por_audit::registry::AssetRegistry::resolve`]): a symbol
//! the asset registry knows as a token (`USDC`) with no contract is
//! refused (it would read the native coin), and so is a registered symbol
//! with another contract or decimals than the registry's.

use por_audit::registry::{AssetRegistry, IdentityError, Resolution};
use por_tree::Asset;

use crate::balances_file::{checked_address_key, FileError, FileErrorKind};
use crate::evm::EvmAddress;
use crate::{Chain, QueryAsset, QueryItem};

const COLUMNS: [&str; 5] = ["chain", "address", "asset", "contract", "decimals"];

/// One parsed row: the item (its asset on the row's chain) and the line
/// it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRow {
    /// The address and asset.
    pub item: QueryItem,
    /// The 1-based line.
    pub line: u64,
}

impl AddressRow {
    /// The chain (the asset's).
    #[must_use]
    pub fn chain(&self) -> Chain {
        self.item.asset.chain()
    }
}

/// Parses an addresses file held in memory. `file` names it in errors.
///
/// # Errors
///
/// Returns a [`FileError`] naming the file, line and column for malformed
/// CSV, a header that is not `chain,address,asset[,contract[,decimals]]`, a
/// row with a wrong number of fields, an invalid chain, address, asset
/// symbol, contract or decimals, a token on Bitcoin, a native asset with
/// other decimals than the chain's, an item listed twice, or no rows.
///
/// # Examples
///
/// ```
/// let rows = por_chain::addresses::parse(
///     b"chain,address,asset\nbitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC\n",
///     "addresses.csv",
/// )?;
/// assert_eq!(rows[0].item.asset.asset().decimals(), 8);
/// # Ok::<_, por_chain::balances_file::FileError>(())
/// ```
pub fn parse(bytes: &[u8], file: &str) -> Result<Vec<AddressRow>, FileError> {
    parse_with_registry(bytes, file, &AssetRegistry::builtin())
}

/// As [`parse`], with the auditor's asset registry deciding which contract
/// a symbol means.
///
/// # Errors
///
/// As [`parse`], and a row the registry contradicts (a registered token
/// without its contract, or with another contract or decimals).
pub fn parse_with_registry(
    bytes: &[u8],
    file: &str,
    registry: &AssetRegistry,
) -> Result<Vec<AddressRow>, FileError> {
    let records = crate::csv_rows::rows(
        bytes,
        file,
        "chain,address,asset[,contract[,decimals]]",
        |found| (3..=5).contains(&found.len()) && found == &COLUMNS[..found.len()],
    )?;
    let mut rows: Vec<AddressRow> = Vec::new();
    for record in records {
        let (line, record) = record?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let bad = |i: usize, msg: String| {
            FileError::new(
                file,
                line,
                Some((i + 1, COLUMNS[i])),
                FileErrorKind::Value(msg),
            )
        };
        let chain = crate::parse_readable_chain(field(0)).map_err(|e| bad(0, e.to_string()))?;
        let address = checked_address_key(chain, field(1)).map_err(|e| bad(1, e))?;
        let symbol = field(2);
        let decimals = match field(4) {
            "" => None,
            d => Some(d.parse::<u8>().map_err(|_| {
                bad(
                    4,
                    format!("invalid decimals {d:?}: expected an integer from 0 to 38"),
                )
            })?),
        };
        let asset = match field(3) {
            "" => {
                let native = chain.native_decimals();
                if decimals.is_some_and(|d| d != native) {
                    return Err(bad(
                        4,
                        format!("the native asset of {chain} has {native} decimals; leave the column empty or write {native}"),
                    ));
                }
                QueryAsset::native(
                    chain,
                    Asset::new(symbol, native).map_err(|e| bad(2, e.to_string()))?,
                )
            }
            contract => {
                if chain != Chain::Ethereum {
                    return Err(bad(
                        3,
                        format!("{chain} has no token contracts: leave the column empty"),
                    ));
                }
                let contract = EvmAddress::parse(contract).map_err(|e| bad(3, e.to_string()))?;
                let Some(d) = decimals else {
                    return Err(bad(
                        4,
                        "a token needs its decimals (for example 6 for USDT)".to_owned(),
                    ));
                };
                let asset = Asset::new(symbol, d).map_err(|e| {
                    bad(
                        if Asset::new(symbol, 0).is_err() { 2 } else { 4 },
                        e.to_string(),
                    )
                })?;
                QueryAsset::erc20(chain, asset, contract)
            }
        };
        let identity = registry.resolve(
            chain.as_str(),
            asset.asset().symbol(),
            asset.asset().decimals(),
            asset
                .contract()
                .as_ref()
                .map(EvmAddress::to_lower_hex)
                .as_deref(),
        );
        if let Resolution::Refused(e) = identity {
            let column = match e {
                IdentityError::DecimalsMismatch { .. } | IdentityError::NativeDecimals { .. } => 4,
                _ => 3,
            };
            return Err(bad(column, format!("{e} (asset registry)")));
        }
        if let Some(first) = rows.iter().find(|r| {
            r.chain() == chain
                && r.item.address == address
                && r.item.asset.asset().symbol() == asset.asset().symbol()
        }) {
            return Err(FileError::new(
                file,
                line,
                None,
                FileErrorKind::Duplicate {
                    key: format!("{chain} {address} {}", asset.asset().symbol()),
                    first_line: first.line,
                },
            ));
        }
        rows.push(AddressRow {
            item: QueryItem { address, asset },
            line,
        });
    }
    if rows.is_empty() {
        return Err(FileError::new(file, 1, None, FileErrorKind::Empty));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "chain,address,asset,contract,decimals\n\
        bitcoin,BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4,BTC,,\n\
        ethereum,0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1,ETH,,18\n\
        ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,0xdAC17F958D2ee523a2206206994597C13D831ec7,6\n";

    #[test]
    fn parses_native_and_tokens() {
        let rows = parse(GOOD.as_bytes(), "a.csv").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].item.address,
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
        );
        assert_eq!(
            rows[1].item.address,
            "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1"
        );
        assert_eq!(rows[2].item.asset.asset().decimals(), 6);
        assert_eq!(
            rows[2]
                .item
                .asset
                .contract()
                .as_ref()
                .map(EvmAddress::to_lower_hex)
                .as_deref(),
            Some("0xdac17f958d2ee523a2206206994597c13d831ec7")
        );
        assert_eq!(rows[2].line, 4);
        let short = parse(
            b"chain,address,asset\nethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH\n",
            "s.csv",
        )
        .unwrap();
        assert_eq!(short[0].item.asset.asset().decimals(), 18);
    }

    #[test]
    fn errors_name_line_and_column() {
        let col = |text: String| {
            let e = parse(text.as_bytes(), "a.csv").unwrap_err();
            (e.line(), e.column().map(|c| c.1))
        };
        assert_eq!(
            col(GOOD.replace(",ETH,,18", ",ETH,,8")),
            (3, Some("decimals"))
        );
        assert_eq!(
            col(GOOD.replace(
                ",BTC,,",
                ",BTC,0xdac17f958d2ee523a2206206994597c13d831ec7,8"
            )),
            (2, Some("contract"))
        );
        assert_eq!(col(GOOD.replace(",6\n", ",\n")), (4, Some("decimals")));
        assert_eq!(col(GOOD.replace(",6\n", ",x\n")), (4, Some("decimals")));
        assert_eq!(col(GOOD.replace(",6\n", ",39\n")), (4, Some("decimals")));
        assert_eq!(col(GOOD.replace(",USDT,", ",US DT,")), (4, Some("asset")));
        assert_eq!(
            col(GOOD.replace(
                "0xdAC17F958D2ee523a2206206994597C13D831ec7",
                "0xdAC17F958D2ee523a2206206994597C13D831Ec7"
            )),
            (4, Some("contract"))
        );
        assert_eq!(
            col(GOOD.replace("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1q-bad")),
            (2, Some("address"))
        );
        assert_eq!(col(GOOD.replace(",USDT,", ",ETH,")), (4, None));
        assert_eq!(
            col(GOOD.replace(
                "chain,address,asset,contract,decimals",
                "chain,address,asset,decimals"
            )),
            (1, None)
        );
        assert_eq!(col("chain,address,asset\n".to_owned()), (1, None));
    }

    #[test]
    fn the_core_registry_knows_exactly_the_chains_por_reads() {
        let core: Vec<(&str, u8)> = por_audit::registry::NATIVE_CHAINS
            .iter()
            .map(|c| (c.chain.as_str(), c.decimals))
            .collect();
        let here: Vec<(&str, u8)> = [Chain::Bitcoin, Chain::Ethereum]
            .iter()
            .map(|c| (c.as_str(), c.native_decimals()))
            .collect();
        assert_eq!(core, here);
    }

    #[test]
    fn registered_token_without_its_contract_is_refused() {
        let col = |text: &str| {
            let e = parse(text.as_bytes(), "a.csv").unwrap_err();
            (e.line(), e.column().map(|c| c.1), e.to_string())
        };
        // USDC with no contract would read the address's ETH as USDC.
        let (line, column, msg) =
            col("chain,address,asset\nethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDC\n");
        assert_eq!((line, column), (2, Some("contract")));
        assert!(
            msg.contains("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"),
            "{msg}"
        );
        // USDT at another contract than Tether's.
        let (_, column, _) = col(&GOOD.replace(
            "0xdAC17F958D2ee523a2206206994597C13D831ec7",
            "0x1111111111111111111111111111111111111111",
        ));
        assert_eq!(column, Some("contract"));
        // An unregistered token at the auditor's chosen contract is the auditor's call.
        assert!(parse(GOOD.replace(",USDT,", ",PTT,").as_bytes(), "a.csv").is_ok());
    }
}
