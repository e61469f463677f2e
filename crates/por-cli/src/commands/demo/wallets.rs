//! Steps (c) and (d): the demo exchange's reserve wallets, sized from the
//! liabilities, each with fresh keys and a signature over the canonical
//! message; and the offline balances file standing in for chain data.
//!
//! Per asset with liabilities `L` (the tree's root sum):
//!
//! | owner     | tier | share of `L` | why |
//! |-----------|------|--------------|-----|
//! | customer  | cold | 98.5% (two wallets, 60/40) | ≥ 95% of customer crypto cold (PSA) |
//! | customer  | warm | 1%   | |
//! | customer  | hot  | 2.5% | |
//! | guarantee | cold | 3.5% | performance-guarantee crypto = non-cold customer crypto |
//! | own       | hot  | 0.5% | the exchange's own float |
//!
//! So customer wallets alone hold 102% of `L` (segregation holds with a 2%
//! margin), 96.6% of it cold.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use por_tree::{Amount, AssetList, RootCommitment};

use super::sign;

/// Whose the funds in a wallet are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Customers' segregated crypto.
    Customer,
    /// Performance-guarantee crypto (履行保証暗号資産).
    Guarantee,
    /// The exchange's own crypto.
    Own,
}

impl Owner {
    /// The reserve-inputs `owner` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Customer => "customer",
            Owner::Guarantee => "guarantee",
            Owner::Own => "own",
        }
    }

    /// The attestation `category`: customer, guarantee or corporate.
    pub fn category(self) -> &'static str {
        match self {
            Owner::Customer => "customer",
            Owner::Guarantee => "guarantee",
            Owner::Own => "corporate",
        }
    }
}

/// One reserve wallet of the demo exchange.
#[derive(Debug, Clone)]
pub struct Wallet {
    /// `bitcoin` or `ethereum`.
    pub chain: &'static str,
    /// Asset symbol.
    pub asset: String,
    /// Asset decimals.
    pub decimals: u8,
    /// Address as shown to people (bech32, or EIP-55 for EVM).
    pub address: String,
    /// Whose funds.
    pub owner: Owner,
    /// `cold`, `warm` or `hot`.
    pub tier: &'static str,
    /// Script or account type (`P2WPKH`, `P2TR`, `P2WSH 2-of-3`, `EOA`).
    pub script: &'static str,
    /// `bip322-simple`, `bip322-full` or `eip191`.
    pub form: &'static str,
    /// The signature over the canonical message.
    pub signature: String,
    /// Multisig witness script (hex), empty otherwise.
    pub witness_script: String,
    /// Balance claimed (and held on chain), in base units.
    pub balance: Amount,
}

/// `(owner, tier, share of L in basis points of 1/10000, Bitcoin script)`.
const PLAN: [(Owner, &str, u128, BtcScript); 6] = [
    (Owner::Customer, "cold", 5_910, BtcScript::Multisig),
    (Owner::Customer, "cold", 3_940, BtcScript::Taproot),
    (Owner::Customer, "warm", 100, BtcScript::Taproot),
    (Owner::Customer, "hot", 250, BtcScript::Wpkh),
    (Owner::Guarantee, "cold", 350, BtcScript::Multisig),
    (Owner::Own, "hot", 50, BtcScript::Wpkh),
];

#[derive(Debug, Clone, Copy)]
enum BtcScript {
    Wpkh,
    Taproot,
    Multisig,
}

/// Where an asset lives: `BTC` on Bitcoin, the rest on Ethereum (`USDC` as
/// an ERC-20 token).
pub fn chain_of(symbol: &str) -> &'static str {
    if symbol == "BTC" {
        "bitcoin"
    } else {
        "ethereum"
    }
}

fn share(total: Amount, bp: u128) -> Result<Amount> {
    let v = total
        .to_base_units()
        .checked_mul(bp)
        .context("liabilities too large to size the reserve wallets")?
        / 10_000;
    Ok(Amount::from_base_units(v))
}

/// Generates the wallets for every asset of the tree, sized from its root
/// sums, each signing `message`.
pub fn generate(
    assets: &AssetList,
    root: &RootCommitment,
    message: &[u8],
    mut tick: impl FnMut(),
) -> Result<Vec<Wallet>> {
    let mut out = Vec::new();
    for (asset, total) in assets.iter().zip(&root.sums) {
        let chain = chain_of(asset.symbol());
        for (owner, tier, bp, btc) in PLAN {
            let (address, signature, script, form, witness_script) = if chain == "bitcoin" {
                let s = match btc {
                    BtcScript::Wpkh => sign::p2wpkh(message)?,
                    BtcScript::Taproot => sign::p2tr(message)?,
                    BtcScript::Multisig => sign::p2wsh_2_of_3(message)?,
                };
                (s.address, s.signature, s.script, s.form, s.witness_script)
            } else {
                let s = sign::eoa(message)?;
                (s.address, s.signature, "EOA", "eip191", String::new())
            };
            // Round the customer cold wallet up so rounding never leaves
            // the customer wallets a base unit short.
            let mut balance = share(*total, bp)?;
            if owner == Owner::Customer && tier == "cold" && bp == PLAN[0].2 {
                balance = balance
                    .checked_add(Amount::from_base_units(1))
                    .context("balance overflow")?;
            }
            out.push(Wallet {
                chain,
                asset: asset.symbol().to_owned(),
                decimals: asset.decimals(),
                address,
                owner,
                tier,
                script,
                form,
                signature,
                witness_script,
                balance,
            });
            tick();
        }
    }
    Ok(out)
}

/// The wallet list, `wallets.csv`: what the custody team knows about each wallet.
pub fn wallets_csv(wallets: &[Wallet]) -> String {
    let mut s = String::from(
        "chain,asset,address,owner,category,tier,script,signature_form,balance,witness_script\n",
    );
    for w in wallets {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{}",
            w.chain,
            w.asset,
            w.address,
            w.owner.as_str(),
            w.owner.category(),
            w.tier,
            w.script,
            w.form,
            w.balance.display_in(w.decimals),
            w.witness_script
        );
    }
    s
}

/// The ownership claims in the layout `por ownership verify-file` reads:
/// `chain,address,message,signature`.
pub fn claims_csv(wallets: &[Wallet], message: &str) -> String {
    let mut s = String::from("chain,address,message,signature\n");
    for w in wallets {
        let _ = writeln!(
            s,
            "{},{},{},{}",
            w.chain,
            w.address,
            crate::output::csv_field(message),
            w.signature
        );
    }
    s
}

/// The snapshot each chain's balances refer to.
#[derive(Debug, Clone)]
pub struct ChainSnapshot {
    /// `bitcoin` or `ethereum`.
    pub chain: &'static str,
    /// Block height.
    pub height: u64,
    /// Block hash (hex, as explorers show it).
    pub block_hash: String,
}

/// Synthetic but plausible snapshot blocks, deterministic in `seed`: a
/// Bitcoin hash with the leading zeros of real proof of work.
pub fn chain_snapshots(seed: u64) -> Vec<ChainSnapshot> {
    use sha2::Digest;
    let h = |tag: &str| -> [u8; 32] {
        let mut d = sha2::Sha256::new();
        d.update(tag.as_bytes());
        d.update(seed.to_be_bytes());
        d.finalize().into()
    };
    let mut btc = h("por demo bitcoin block");
    btc[..9].fill(0);
    vec![
        ChainSnapshot {
            chain: "bitcoin",
            height: 918_000 + seed % 1_000,
            block_hash: hex::encode(btc),
        },
        ChainSnapshot {
            chain: "ethereum",
            height: 23_480_000 + seed % 10_000,
            block_hash: format!("0x{}", hex::encode(h("por demo ethereum block"))),
        },
    ]
}

/// The offline balances file (`chain,address,asset,balance,height,block_hash,source,contract`,
/// balances in base units, EVM addresses in lower case), written by
/// `por_chain`'s own writer and read back with its parser (what an audit
/// does), which must find every wallet at its chain's snapshot block.
pub fn balances_file(wallets: &[Wallet], snapshots: &[ChainSnapshot], seed: u64) -> Result<String> {
    use por_chain::balances_file::{self as bf, BalanceRow};
    use por_chain::BlockHash;
    let chain = |name: &str| por_chain::parse_readable_chain(name).map_err(anyhow::Error::from);
    let mut rows = Vec::with_capacity(wallets.len());
    for w in wallets {
        let snap = snapshots
            .iter()
            .find(|c| c.chain == w.chain)
            .with_context(|| format!("no snapshot block for chain {}", w.chain))?;
        let c = chain(w.chain)?;
        let id = if w.asset == "USDC" {
            por_chain::AssetId::token(
                c,
                por_chain::evm::EvmAddress::parse(super::attest::USDC_CONTRACT)
                    .map_err(|e| anyhow::anyhow!("demo USDC contract: {e}"))?,
            )
        } else {
            por_chain::AssetId::native(c)
        };
        rows.push(BalanceRow {
            address: bf::checked_address_key(c, &w.address)
                .map_err(|e| anyhow::anyhow!("demo wallet {}: {e}", w.address))?,
            asset: w.asset.clone(),
            identity: bf::RowIdentity::Stated(id),
            balance: w.balance,
            height: snap.height,
            block_hash: BlockHash::from_hex(&snap.block_hash)
                .map_err(|e| anyhow::anyhow!("demo block hash: {e}"))?,
            source: format!("demo-synthetic seed {seed}"),
            line: 0,
        });
    }
    let text = bf::rows_to_csv(&rows)?;
    let back = bf::parse(text.as_bytes(), "chain/balances.csv")
        .map_err(|e| anyhow::anyhow!("the demo's balances file does not read back: {e}"))?;
    for r in &rows {
        let found = back
            .find(r.chain(), &r.address, &r.asset)
            .with_context(|| format!("{} {} missing after reading back", r.address, r.asset))?;
        anyhow::ensure!(found.balance == r.balance, "{} read back wrong", r.address);
    }
    Ok(text)
}
