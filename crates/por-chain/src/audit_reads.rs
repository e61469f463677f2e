//! What `por audit` reads on chain, and how what was read becomes the
//! audit's [`ObservedBalance`]s.
//!
//! Which balances to read is decided by the auditor's registry, never by
//! the attestation: a token with its registered contract, the native coin
//! only for an asset whose identity is native. An asset the registry does
//! not confirm (unregistered, another contract, a native query with token
//! decimals) is not read at all; the audit reports why. No hash is expected
//! at the attested height: the source reports the hash it sees, and the
//! audit compares it with the attested one (a mismatch is a failed check,
//! not an input error).
//!
//! Pure: the caller owns the sources ([`crate::BalanceSource`]) and makes
//! the calls.

use core::fmt;

use por_attest::Attestation;
use por_audit::audit::ObservedBalance;
use por_audit::registry::{AssetRegistry, Resolution};
use por_tree::asset::Asset;

use crate::balances_file::{BalancesFile, RowIdentity};
use crate::{BalanceQuery, Chain, QueryAsset, QueryItem, Snapshot, READABLE};

/// One read an audit makes: the balances of one attestation's entries on
/// one chain at its attested height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRead {
    /// The attestation's index in the list given.
    pub attestation: usize,
    /// The query (its chain, the attested height, the items).
    pub query: BalanceQuery,
}

/// An attestation whose assets cannot be queried as the registry
/// confirms them (not reachable for a registry that parsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The attestation's index.
    pub attestation: usize,
    /// Why.
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlanError {}

/// The reads an audit makes for `bodies` (attestations, parsed but not yet
/// trusted: reading costs nothing, and the audit trusts nothing it reads
/// before the signature verifies) on the chains `with_source` says a source
/// was given for. Each item once per query, in entry order.
///
/// # Errors
/// [`PlanError`] when a confirmed identity does not make a query asset.
pub fn plan_reads(
    bodies: &[&Attestation],
    registry: &AssetRegistry,
    with_source: impl Fn(Chain) -> bool,
) -> Result<Vec<PlannedRead>, PlanError> {
    let mut out = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        for point in &body.chains {
            let Some(chain) = point.chain.known().filter(|c| READABLE.contains(c)) else {
                continue;
            };
            if !with_source(chain) {
                continue;
            }
            let mut items = Vec::new();
            for e in body.reserves.iter().filter(|e| e.chain == point.chain) {
                let Some(def) = body.asset(&e.asset) else {
                    continue;
                };
                let Resolution::Confirmed(identity) = registry.resolve(
                    def.chain.as_str(),
                    &def.symbol,
                    def.decimals,
                    def.contract.as_deref(),
                ) else {
                    continue;
                };
                let asset = Asset::new(&def.symbol, identity.decimals).map_err(|e| PlanError {
                    attestation: i,
                    message: format!("asset {}: {e}", def.symbol),
                })?;
                let item = QueryItem {
                    address: e.address.as_str().to_owned(),
                    asset: QueryAsset::new(identity.asset, asset),
                };
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            if items.is_empty() {
                continue;
            }
            out.push(PlannedRead {
                attestation: i,
                query: BalanceQuery {
                    chain,
                    height: point.height,
                    expected_block_hash: None,
                    items,
                },
            });
        }
    }
    Ok(out)
}

/// The balances a source returned, as the audit matches them: on their
/// chain, address, contract (or native coin) and height. Each record's
/// identity is the one its query item asked for (every source checks that
/// an item's chain is the query's).
#[must_use]
pub fn observed(snapshot: &Snapshot) -> Vec<ObservedBalance> {
    let source = snapshot.source.to_string();
    snapshot
        .records
        .iter()
        .map(|r| ObservedBalance {
            asset_id: r.asset.id(),
            address: r.address.clone(),
            asset: r.asset.asset().symbol().to_owned(),
            balance: r.balance,
            height: r.height,
            block_hash: r.block_hash,
            source: source.clone(),
        })
        .collect()
}

/// An offline balances file whose rows do not say what each balance was
/// read with (no `contract` column): none of them can be matched to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoContractColumn {
    /// The file.
    pub name: String,
}

impl fmt::Display for NoContractColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: line 1: no `contract` column: the file does not say which token contract (or the native coin) each balance was read with, so no balance in it can be matched to a claim; write it again with `por chain snapshot`",
            self.name
        )
    }
}

impl std::error::Error for NoContractColumn {}

/// The balances of an offline file named `name`, each with the identity it
/// was read with.
///
/// # Errors
/// [`NoContractColumn`] for a file that does not state contracts (its rows
/// are [`RowIdentity::SymbolOnly`]).
pub fn observed_from_file(
    file: &BalancesFile,
    name: &str,
) -> Result<Vec<ObservedBalance>, NoContractColumn> {
    let refused = || NoContractColumn {
        name: name.to_owned(),
    };
    if !file.states_contracts() {
        return Err(refused());
    }
    file.rows()
        .iter()
        .map(|r| match r.identity {
            RowIdentity::Stated(asset_id) => Ok(ObservedBalance {
                asset_id,
                address: r.address.clone(),
                asset: r.asset.clone(),
                balance: r.balance,
                height: r.height,
                block_hash: r.block_hash,
                source: format!("file {name} ({})", r.source),
            }),
            RowIdentity::SymbolOnly(_) => Err(refused()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evm::EvmAddress;

    fn body() -> Attestation {
        let text = include_str!("../../../vectors/attestation-v1-body.example.json");
        // The example's all-zero key is no valid x-only key: any valid one.
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["exchange"]["public_key"] = por_attest::AttestationKey::from_secret_bytes(&[7; 32])
            .unwrap()
            .public_key_hex()
            .into();
        let mut body: Attestation = serde_json::from_value(v).unwrap();
        // A token entry (registered USDT), an unregistered token and the
        // same ETH wallet listed twice.
        let mut usdt = body.reserves[1].clone();
        usdt.asset = "USDT".into();
        let mut fake = body.reserves[1].clone();
        fake.asset = "FAKE".into();
        body.assets.push(por_attest::AttestedAsset {
            symbol: "FAKE".into(),
            decimals: 6,
            chain: Chain::Ethereum.into(),
            contract: Some("0x1111111111111111111111111111111111111111".into()),
        });
        let again = body.reserves[1].clone();
        body.reserves.extend([usdt, fake, again]);
        body
    }

    #[test]
    fn the_registry_decides_what_is_read_and_each_item_is_read_once() {
        let b = body();
        let reads = plan_reads(&[&b], &AssetRegistry::builtin(), |_| true).unwrap();
        assert_eq!(reads.len(), 2);
        assert_eq!(
            (reads[0].query.chain, reads[0].query.height),
            (Chain::Bitcoin, 870_000)
        );
        assert_eq!(reads[0].query.expected_block_hash, None);
        let eth = &reads[1].query;
        assert_eq!((eth.chain, eth.height), (Chain::Ethereum, 21_000_000));
        // ETH once (listed twice), USDT on its registered contract, FAKE
        // (unregistered) not at all.
        let what: Vec<_> = eth
            .items
            .iter()
            .map(|i| {
                (
                    i.asset.asset().symbol().to_owned(),
                    i.asset.contract().as_ref().map(EvmAddress::to_lower_hex),
                )
            })
            .collect();
        assert_eq!(
            what,
            [
                ("ETH".to_owned(), None),
                (
                    "USDT".to_owned(),
                    Some("0xdac17f958d2ee523a2206206994597c13d831ec7".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn only_chains_with_a_source_are_read() {
        let b = body();
        let reads = plan_reads(&[&b, &b], &AssetRegistry::builtin(), |c| {
            c == Chain::Bitcoin
        })
        .unwrap();
        assert_eq!(
            reads.iter().map(|r| r.attestation).collect::<Vec<_>>(),
            [0, 1]
        );
        assert!(reads.iter().all(|r| r.query.chain == Chain::Bitcoin));
    }
}
