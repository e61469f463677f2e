//! Step (f): the signed attestation (`por-attestation-v1`): the liabilities
//! root, the snapshot blocks, the reserve wallets with their signatures and
//! the liability-reserve inputs, signed with a fresh BIP-340 key.
//!
//! With the planted problem on, one wallet is claimed twice: the BTC warm
//! wallet appears a second time, as performance-guarantee crypto, so its
//! coins would count for two purposes. The audit must catch it.

use anyhow::{anyhow, Context, Result};
use por_attest::{
    AssetTotal, Attestation, AttestationKey, AttestedAsset, AttestedBlockHash, AttestedChain,
    Category, Chain, ChainPoint, Exchange, Liabilities, OwnershipProof, ReserveEntry,
    ReserveInputsRef, SchemeRequest, Snapshot, SnapshotTime, Tier, WalletAddress,
};
use por_tree::{AssetList, LiabilitiesTree};

use super::wallets::{ChainSnapshot, Owner, Wallet};

/// The ERC-20 contract of the demo's stablecoin (USDC's mainnet address).
pub const USDC_CONTRACT: &str = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

/// The snapshot time in UTC (15:00 in Japan).
pub const SNAPSHOT_TIME: &str = "2026-09-30T06:00:00Z";

/// The wallet claimed twice when the problem is planted.
#[derive(Debug, Clone)]
pub struct Planted {
    /// Its address.
    pub address: String,
}

fn category(o: Owner) -> Category {
    match o {
        Owner::Customer => Category::Customer,
        Owner::Guarantee => Category::Guarantee,
        Owner::Own => Category::Corporate,
    }
}

fn tier(t: &str) -> Result<Tier> {
    t.parse::<Tier>().map_err(anyhow::Error::from)
}

fn entry(w: &Wallet, message: &str, cat: Category, tier_: Tier) -> Result<ReserveEntry> {
    let chain = AttestedChain::from_name(w.chain);
    let written = if chain.known() == Some(Chain::Ethereum) {
        w.address.to_ascii_lowercase()
    } else {
        w.address.clone()
    };
    let address = WalletAddress::new(&written).context("a demo wallet has no address")?;
    Ok(ReserveEntry {
        address,
        asset: w.asset.clone(),
        category: cat,
        tier: tier_,
        claimed: w.balance,
        proof: OwnershipProof {
            scheme: if chain.known() == Some(Chain::Bitcoin) {
                SchemeRequest::Bip322
            } else {
                SchemeRequest::Eip191
            }
            .into(),
            message: message.to_owned(),
            signature: w.signature.clone(),
            second_signature: None,
            redeem_script: None,
        },
        chain,
    })
}

/// Everything the attestation states.
pub struct Facts<'a> {
    /// The exchange id.
    pub exchange: &'a str,
    /// The snapshot label.
    pub label: &'a str,
    /// The tree.
    pub tree: &'a LiabilitiesTree,
    /// Its assets.
    pub assets: &'a AssetList,
    /// The wallets.
    pub wallets: &'a [Wallet],
    /// The snapshot blocks.
    pub snapshots: &'a [ChainSnapshot],
    /// The canonical message the wallets signed.
    pub message: &'a str,
    /// The liability-reserve inputs file's name beside the attestation.
    pub inputs_name: &'a str,
    /// Its bytes.
    pub inputs: &'a [u8],
}

/// Builds and signs the attestation with a fresh key. Returns the signed
/// document, the key's secret (hex, for the exchange's key file) and the
/// planted duplicate, if any.
pub fn sign(f: &Facts<'_>, plant: bool) -> Result<(String, AttestationKey, Option<Planted>)> {
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret)
        .map_err(|e| anyhow!("the OS random number generator failed: {e}"))?;
    let key = AttestationKey::from_secret_bytes(&secret)
        .map_err(|e| anyhow!("fresh attestation key: {e}"))?;
    let root = f.tree.root();
    let mut reserves = Vec::with_capacity(f.wallets.len() + 1);
    for w in f.wallets {
        reserves.push(entry(w, f.message, category(w.owner), tier(w.tier)?)?);
    }
    let planted = if plant {
        let w = f
            .wallets
            .iter()
            .find(|w| w.asset == "BTC" && w.tier == "warm")
            .context("the demo has a BTC warm wallet")?;
        reserves.push(entry(w, f.message, Category::Guarantee, Tier::Cold)?);
        Some(Planted {
            address: w.address.clone(),
        })
    } else {
        None
    };
    let chains = f
        .snapshots
        .iter()
        .map(|s| {
            Ok(ChainPoint {
                chain: AttestedChain::from_name(s.chain),
                height: s.height,
                block_hash: AttestedBlockHash::parse(&s.block_hash).map_err(|e| anyhow!(e))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let body = Attestation::builder(
        Exchange {
            id: f.exchange.to_owned(),
            public_key: key.public_key(),
        },
        Snapshot {
            label: f.label.to_owned(),
            time: SnapshotTime::parse(SNAPSHOT_TIME).map_err(|e| anyhow!(e))?,
        },
    )
    .chains(chains)
    .assets(f.assets.iter().map(|a| AttestedAsset {
        symbol: a.symbol().to_owned(),
        decimals: a.decimals(),
        chain: AttestedChain::from_name(super::wallets::chain_of(a.symbol())),
        contract: (a.symbol() == "USDC").then(|| USDC_CONTRACT.to_owned()),
    }))
    .reserves(reserves)
    .reserve_inputs(ReserveInputsRef::to_file(f.inputs_name, f.inputs, false))
    .build(Liabilities {
        root: root.hash,
        height: root.height,
        customers: f.tree.customers() as u64,
        totals: f
            .assets
            .iter()
            .zip(&root.sums)
            .map(|(a, s)| AssetTotal {
                asset: a.symbol().to_owned(),
                amount: *s,
            })
            .collect(),
    })
    .map_err(|e| anyhow!("the demo's attestation: {e}"))?;
    let mut aux = [0u8; 32];
    getrandom::getrandom(&mut aux)
        .map_err(|e| anyhow!("the OS random number generator failed: {e}"))?;
    let signed = body
        .sign(&key, &aux)
        .map_err(|e| anyhow!("signing the attestation: {e}"))?;
    Ok((signed, key, planted))
}
