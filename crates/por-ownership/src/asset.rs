//! What an asset is on chain: [`AssetId`], the one asset-identity type of
//! every por crate.
//!
//! It lives here, beside [`EvmAddress`], because a token's identity is an
//! address of this crate's: a chain (`por_types`' [`Chain`]) and, for a
//! token, its contract. `por-types` has no address type (an EVM address
//! needs keccak for EIP-55, which the browser modules do not compile), and
//! the crates that need the identity, `por-audit` (the registry, the
//! observed balances) and `por-chain` (what a source reads, the balances
//! file), already depend on this one; putting it here adds no arrow.

use crate::evm::EvmAddress;
use por_types::Chain;

/// What an asset is on chain: a chain's native coin, or a token contract on
/// it. Two claims or balances are about the same asset exactly when their
/// `AssetId`s are equal; the symbol never decides it (`ETH` and `ETHER` on
/// Ethereum are one asset, `USDC` under two contracts are two).
///
/// The symbol and decimals an asset is reported under are not part of its
/// identity: `por_chain::QueryAsset` holds them beside an `AssetId`, the
/// audit registry's `Identity` its decimals and network.
///
/// Defined in `por-ownership` (which owns [`EvmAddress`], the contract's
/// type) rather than `por-types`, which has no address type; both
/// `por-audit` and `por-chain` depend on this crate already.
///
/// ```
/// use por_ownership::{AssetId, Chain, EvmAddress};
/// let usdc = EvmAddress::parse("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")?;
/// let id = AssetId::token(Chain::Ethereum, usdc);
/// assert_eq!(id.contract_or_native(), "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48");
/// assert_ne!(id, AssetId::native(Chain::Ethereum));
/// assert_eq!(AssetId::native(Chain::Bitcoin).contract_or_native(), "native");
/// # Ok::<_, por_ownership::EvmFormatError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssetId {
    chain: Chain,
    contract: Option<EvmAddress>,
}

impl AssetId {
    /// The chain's native coin.
    #[must_use]
    pub fn native(chain: Chain) -> AssetId {
        AssetId {
            chain,
            contract: None,
        }
    }

    /// A token contract on `chain`.
    #[must_use]
    pub fn token(chain: Chain, contract: EvmAddress) -> AssetId {
        AssetId {
            chain,
            contract: Some(contract),
        }
    }

    /// The chain.
    #[must_use]
    pub fn chain(&self) -> Chain {
        self.chain
    }

    /// The token contract, or `None` for the native coin.
    #[must_use]
    pub fn contract(&self) -> Option<EvmAddress> {
        self.contract
    }

    /// The contract in lower-case hex, or `native`: as reports write it.
    #[must_use]
    pub fn contract_or_native(&self) -> String {
        self.contract
            .map_or_else(|| "native".to_owned(), |c| c.to_lower_hex())
    }
}
