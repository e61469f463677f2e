//! `por attest`: the exchange signs its attestation for a snapshot.
//!
//! Inputs: the tree directory (`por tree build`), the reserves file the
//! custody team fills in (CSV or TOML, see `docs/attestation.md`), the
//! snapshot's label, time and per-chain block, and the attestation key.
//! Every ownership proof is verified before signing; proofs that are not
//! bound to this exchange, snapshot and root are refused (each row named)
//! unless `--allow-unbound`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use por_attest::{
    AssetTotal, AttestationBody, AttestedAsset, Category, ChainPoint, Exchange, Liabilities,
    OwnershipProof, ParsedAttestation, ReserveEntry, ReserveInputsRef, Snapshot, Tier, FORMAT,
};
use por_audit::audit::ownership::{self, OwnershipStatus};
use por_audit::registry::Resolution;
use por_tree::Amount;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::store::TreeDir;
use crate::{output, Outcome};

/// Arguments of `por attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The tree directory written by `por tree build`.
    #[arg(long, value_name = "DIR")]
    tree: PathBuf,
    /// The reserve wallets (CSV or TOML by extension): chain, address, asset,
    /// category, tier, balance (in asset units), scheme, message (empty for
    /// the canonical message), signature, and optionally second_signature,
    /// redeem_script.
    #[arg(long, value_name = "FILE")]
    reserves: PathBuf,
    /// The exchange id, as in the ownership messages.
    #[arg(long, value_name = "ID")]
    exchange: String,
    /// The snapshot label, as in the ownership messages.
    #[arg(long, value_name = "LABEL")]
    snapshot: String,
    /// The snapshot time, RFC 3339 UTC (2026-11-21T00:00:00Z).
    #[arg(long, value_name = "RFC3339")]
    time: String,
    /// Per chain, the block the balances refer to: CHAIN=HEIGHT:HASH.
    /// Repeat for each chain.
    #[arg(long = "chain", value_name = "CHAIN=HEIGHT:HASH", required = true)]
    chains: Vec<String>,
    /// Where an asset lives: SYMBOL=CHAIN or SYMBOL=CHAIN:CONTRACT (ERC-20).
    /// By default an asset is native to the chain of its reserve rows.
    #[arg(long = "asset", value_name = "SYMBOL=CHAIN[:CONTRACT]")]
    assets: Vec<String>,
    /// The attestation secret key (`por key generate`).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The liability-reserve inputs file to commit to (by name and SHA-256).
    #[arg(long, value_name = "FILE")]
    reserve_inputs: Option<PathBuf>,
    /// Embed the reserve inputs file's text in the attestation too.
    #[arg(long, requires = "reserve_inputs")]
    embed_reserve_inputs: bool,
    /// The previous attestation of this exchange (its id is linked).
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// Sign even if some ownership proofs are not bound to this exchange,
    /// snapshot and root (they are listed on stderr, and the audit will
    /// report them as failures).
    #[arg(long)]
    allow_unbound: bool,
    /// An asset registry (TOML, `por-asset-registry-v1`) that extends or
    /// overrides the built-in one: which contract each token symbol means.
    #[arg(long, value_name = "FILE")]
    asset_registry: Option<PathBuf>,
    /// Sign even if some reserves are on a chain por has no balance source
    /// for (anything but bitcoin and ethereum): the audit reports them as
    /// not checked and counts them for nothing.
    #[arg(long)]
    allow_unverifiable_chain: bool,
    /// Where to write the signed attestation (JSON).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(args: &AttestArgs) -> Result<Outcome> {
    let tree = TreeDir::open(&args.tree)?;
    let summary = &tree.summary;
    let key = super::key::read_key(&args.key)?;

    let chains = parse_chains(&args.chains)?;
    let rows = read_reserves(&args.reserves)?;
    let reserves_name = args.reserves.display().to_string();
    let root_hex = summary.root.hash.to_string();
    let canonical = format!(
        "por reserves v1\nexchange: {}\nsnapshot: {}\nliabilities: {root_hex}",
        args.exchange, args.snapshot
    );

    // Assets: the tree's (symbol, decimals) plus where each lives.
    let mut placement: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for spec in &args.assets {
        let (sym, rest) = spec
            .split_once('=')
            .with_context(|| format!("--asset {spec:?}: expected SYMBOL=CHAIN[:CONTRACT]"))?;
        let (chain, contract) = match rest.split_once(':') {
            Some((c, k)) => (c, Some(k.to_ascii_lowercase())),
            None => (rest, None),
        };
        if !chains.iter().any(|c| c.chain == chain) {
            bail!("--asset {spec:?}: chain {chain:?} has no --chain block");
        }
        placement.insert(sym.to_owned(), (chain.to_owned(), contract));
    }
    let asset_decimals: BTreeMap<String, u8> = summary
        .assets
        .iter()
        .map(|a| (a.symbol().to_owned(), a.decimals()))
        .collect();
    for r in &rows {
        if !chains.iter().any(|c| c.chain == r.chain) {
            bail!(
                "{reserves_name}: {}: field `chain`: {:?} has no --chain {}=HEIGHT:HASH block",
                r.at,
                r.chain,
                r.chain
            );
        }
        match placement.get(&r.asset) {
            Some((chain, _)) if *chain != r.chain => bail!(
                "{reserves_name}: {}: asset {} is on chain {chain}, not {}",
                r.at,
                r.asset,
                r.chain
            ),
            Some(_) => {}
            None => {
                placement.insert(r.asset.clone(), (r.chain.clone(), None));
            }
        }
        if !asset_decimals.contains_key(&r.asset) {
            bail!(
                "{reserves_name}: {}: field `asset`: {:?} is not an asset of the liabilities tree ({})",
                r.at,
                r.asset,
                summary.assets.iter().map(|a| a.symbol()).collect::<Vec<_>>().join(", ")
            );
        }
    }
    let mut assets = Vec::new();
    for a in summary.assets.iter() {
        let (chain, contract) = placement.get(a.symbol()).cloned().with_context(|| {
            format!(
                "asset {} of the tree has no reserve rows: say where it lives with --asset {}=CHAIN[:CONTRACT]",
                a.symbol(),
                a.symbol()
            )
        })?;
        assets.push(AttestedAsset {
            symbol: a.symbol().to_owned(),
            decimals: a.decimals(),
            chain,
            contract,
        });
    }
    check_asset_identities(args, &assets, &rows, &reserves_name)?;

    let mut reserves = Vec::with_capacity(rows.len());
    for r in &rows {
        let decimals = asset_decimals[&r.asset];
        let claimed = Amount::from_decimal_str(&r.balance, decimals).with_context(|| {
            format!(
                "{reserves_name}: {}: field `balance`: {:?} is not an amount of {} with at most {decimals} decimals",
                r.at, r.balance, r.asset
            )
        })?;
        let category: Category = r.category.parse().map_err(|e: por_types::UnknownName| {
            anyhow::anyhow!(
                "{reserves_name}: {}: field `category`: {:?}, expected one of {}",
                r.at,
                r.category,
                e.expected().join(", ")
            )
        })?;
        let tier: Tier = r.tier.parse().map_err(|e: por_types::UnknownName| {
            anyhow::anyhow!(
                "{reserves_name}: {}: field `tier`: {:?}, expected one of {}",
                r.at,
                r.tier,
                e.expected().join(", ")
            )
        })?;
        let message = match r.message.as_deref() {
            None | Some("") => canonical.clone(),
            Some(m) => m.to_owned(),
        };
        reserves.push(ReserveEntry {
            chain: r.chain.clone(),
            address: r.address.clone(),
            asset: r.asset.clone(),
            category,
            tier,
            claimed,
            proof: OwnershipProof {
                scheme: r
                    .scheme
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "auto".to_owned()),
                message,
                signature: r.signature.clone(),
                second_signature: r.second_signature.clone().filter(|s| !s.is_empty()),
                redeem_script: r.redeem_script.clone().filter(|s| !s.is_empty()),
            },
        });
    }

    let reserve_inputs = match &args.reserve_inputs {
        None => None,
        Some(p) => {
            let bytes = fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            let embedded = if args.embed_reserve_inputs {
                Some(String::from_utf8(bytes.clone()).map_err(|_| {
                    anyhow::anyhow!("{}: not UTF-8 text, cannot be embedded", p.display())
                })?)
            } else {
                None
            };
            Some(ReserveInputsRef {
                file: p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                sha256: hex::encode(Sha256::digest(&bytes)),
                embedded,
            })
        }
    };
    let previous = match &args.previous {
        None => None,
        Some(p) => {
            let text =
                fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
            let parsed = ParsedAttestation::from_json(&text)
                .map_err(|e| anyhow::anyhow!("--previous {}: {e}", p.display()))?;
            let prev = parsed
                .verify_signature()
                .map_err(|e| anyhow::anyhow!("--previous {}: {e}", p.display()))?;
            if prev.body().exchange.id != args.exchange {
                bail!(
                    "--previous {}: it is exchange {:?}'s attestation, not {:?}'s",
                    p.display(),
                    prev.body().exchange.id,
                    args.exchange
                );
            }
            Some(prev.id().to_hex())
        }
    };

    let body = AttestationBody {
        format: FORMAT.to_owned(),
        exchange: Exchange {
            id: args.exchange.clone(),
            public_key: key.public_key_hex(),
        },
        snapshot: Snapshot {
            label: args.snapshot.clone(),
            time: args.time.clone(),
        },
        chains,
        assets,
        liabilities: Liabilities {
            root: summary.root.hash,
            height: summary.root.height,
            customers: summary.customers,
            totals: summary
                .assets
                .iter()
                .zip(&summary.root.sums)
                .map(|(a, s)| AssetTotal {
                    asset: a.symbol().to_owned(),
                    amount: *s,
                })
                .collect(),
        },
        reserves,
        reserve_inputs,
        previous,
    };

    // One wallet listed twice (two categories, or a copy-paste): signed as
    // given, but said now, since the audit will fail it and count neither.
    // Keyed on the on-chain identity (the contract or the native coin),
    // as the audit does, never on the symbol.
    let mut seen: BTreeMap<(String, String, String), &str> = BTreeMap::new();
    for (entry, row) in body.reserves.iter().zip(&rows) {
        let what = body
            .assets
            .iter()
            .find(|a| a.symbol == entry.asset)
            .and_then(|a| a.contract.clone())
            .unwrap_or_else(|| "native".to_owned());
        let key = (
            entry.chain.clone(),
            por_audit::audit::attested_address_key(&entry.chain, &entry.address),
            what,
        );
        if let Some(first) = seen.insert(key, row.at.as_str()) {
            eprintln!(
                "warning: {reserves_name}: {}: {} {} {} is already listed at {first}; the audit counts neither claim",
                row.at, entry.chain, entry.address, entry.asset
            );
        }
    }

    // Every ownership proof, through the ownership module.
    let mut invalid = Vec::new();
    let mut unbound = Vec::new();
    // On every core; results in row order.
    let results: Vec<_> = {
        use rayon::prelude::*;
        body.reserves
            .par_iter()
            .map(|e| ownership::check_entry(&body, e))
            .collect()
    };
    for ((entry, row), result) in body.reserves.iter().zip(&rows).zip(results) {
        match result {
            Ok(OwnershipStatus::Bound { .. }) => {}
            Ok(OwnershipStatus::NotBound { scheme, binding }) => {
                unbound.push(format!(
                    "{}: {} {}: {scheme}, {binding}",
                    row.at, entry.chain, entry.address
                ));
            }
            Ok(status) => invalid.push(format!(
                "{}: {} {}: {}",
                row.at,
                entry.chain,
                entry.address,
                status.describe()
            )),
            Err(e) => invalid.push(format!(
                "{}: {} {}: {e}",
                row.at, entry.chain, entry.address
            )),
        }
    }
    if !invalid.is_empty() {
        bail!(
            "{reserves_name}: {} ownership proof(s) do not verify:\n  {}",
            invalid.len(),
            invalid.join("\n  ")
        );
    }
    if !unbound.is_empty() {
        if args.allow_unbound {
            eprintln!(
                "warning: {} ownership proof(s) are not bound to exchange {} snapshot {} root {root_hex} (signing anyway: --allow-unbound):\n  {}",
                unbound.len(),
                args.exchange,
                args.snapshot,
                unbound.join("\n  ")
            );
        } else {
            bail!(
                "{reserves_name}: {} ownership proof(s) are not bound to exchange {} snapshot {} root {root_hex} (sign the canonical message, or pass --allow-unbound):\n  {}",
                unbound.len(),
                args.exchange,
                args.snapshot,
                unbound.join("\n  ")
            );
        }
    }

    let mut aux = [0u8; 32];
    getrandom::getrandom(&mut aux)
        .map_err(|e| anyhow::anyhow!("the OS random number generator failed: {e}"))?;
    let signed = body.sign(&key, &aux).map_err(|e| anyhow::anyhow!("{e}"))?;
    let id = ParsedAttestation::from_json(&signed)
        .map_err(|e| anyhow::anyhow!("internal error: the signed attestation does not parse: {e}"))?
        .id();
    output::write_file_atomic(&args.out, signed.as_bytes())?;
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "attestation: {} ({} reserve entries, {} customers, root {root_hex})",
        args.out.display(),
        body.reserves.len(),
        summary.customers
    )?;
    writeln!(o, "id:          {id}")?;
    writeln!(
        o,
        "signed by:   {} (fingerprint {})",
        key.public_key_hex(),
        key.fingerprint()
    )?;
    Ok(Outcome::Pass)
}

/// The identity rule shared with `por chain snapshot` and `por audit`
/// (`por_audit::registry::AssetRegistry::resolve`): a token the registry knows must carry its
/// registered contract and decimals, an asset without a contract must have
/// the chain's native decimals (a token written as native would be read as
/// the native coin), and reserves on a chain por has no balance source for
/// need `--allow-unverifiable-chain`. Unregistered tokens are signed with a
/// warning: the audit reports them as not checked until the auditor
/// registers them.
fn check_asset_identities(
    args: &AttestArgs,
    assets: &[AttestedAsset],
    rows: &[Row],
    reserves_name: &str,
) -> Result<()> {
    let registry = super::chain::load_asset_registry(args.asset_registry.as_deref())?;
    let mut unverifiable: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in assets {
        match registry.resolve(&a.chain, &a.symbol, a.decimals, a.contract.as_deref()) {
            Resolution::Confirmed(_) => {}
            Resolution::Refused(e) => bail!(
                "asset {}: {}; say which contract it is with --asset {}=CHAIN:CONTRACT",
                crate::output::term(&a.symbol),
                crate::output::term(&e.to_string()),
                crate::output::term(&a.symbol)
            ),
            Resolution::NoBalanceSource { .. } => {
                let at: Vec<String> = rows
                    .iter()
                    .filter(|r| r.asset == a.symbol)
                    .map(|r| r.at.clone())
                    .collect();
                unverifiable
                    .entry(a.chain.as_str())
                    .or_default()
                    .push(format!("{} ({})", a.symbol, at.join(", ")));
            }
            Resolution::Unregistered { contract } => eprintln!(
                "warning: asset {} is token {contract} on {}, which the asset registry does not know: an audit reports its reserves as not checked unless the auditor registers it",
                crate::output::term(&a.symbol),
                crate::output::term(&a.chain)
            ),
            Resolution::OtherGeneration {
                contract,
                registered,
            } => eprintln!(
                "warning: asset {} is token {contract}, not the registered {}: an audit reports its reserves as not checked unless the auditor registers it",
                crate::output::term(&a.symbol),
                registered.join(", ")
            ),
            _ => {}
        }
    }
    if unverifiable.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = unverifiable
        .iter()
        .map(|(chain, what)| {
            format!(
                "{}: {}",
                crate::output::term(chain),
                crate::output::term(&what.join("; "))
            )
        })
        .collect();
    let readable = por_audit::registry::NATIVE_CHAINS
        .iter()
        .map(|c| c.chain)
        .collect::<Vec<_>>()
        .join(" and ");
    if args.allow_unverifiable_chain {
        eprintln!(
            "warning: {reserves_name}: reserves on chains por has no balance source for (only {readable} are read); signing anyway (--allow-unverifiable-chain), and an audit reports them as not checked:\n  {}",
            list.join("\n  ")
        );
        Ok(())
    } else {
        bail!(
            "{reserves_name}: reserves on chains por has no balance source for (only {readable} are read), so no audit can check them:\n  {}\n(sign anyway with --allow-unverifiable-chain; the audit will report them as not checked)",
            list.join("\n  ")
        )
    }
}

fn parse_chains(specs: &[String]) -> Result<Vec<ChainPoint>> {
    let mut out: Vec<ChainPoint> = Vec::new();
    for spec in specs {
        let err = || format!("--chain {spec:?}: expected CHAIN=HEIGHT:BLOCKHASH");
        let (chain, rest) = spec.split_once('=').with_context(err)?;
        let (height, hash) = rest.split_once(':').with_context(err)?;
        let height: u64 = height.parse().with_context(|| {
            format!("--chain {spec:?}: height {height:?} is not a block height")
        })?;
        let hash = hash.to_ascii_lowercase();
        let digits = hash.strip_prefix("0x").unwrap_or(&hash);
        if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("--chain {spec:?}: block hash {hash:?} is not 64 hex digits");
        }
        if out.iter().any(|c| c.chain == chain) {
            bail!("--chain {spec:?}: chain {chain} given twice");
        }
        out.push(ChainPoint {
            chain: chain.to_ascii_lowercase(),
            height,
            block_hash: hash,
        });
    }
    Ok(out)
}

/// One row of the reserves file, as typed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    #[serde(skip)]
    at: String,
    chain: String,
    address: String,
    asset: String,
    category: String,
    tier: String,
    balance: String,
    #[serde(default)]
    scheme: Option<String>,
    #[serde(default)]
    message: Option<String>,
    signature: String,
    #[serde(default)]
    second_signature: Option<String>,
    #[serde(default)]
    redeem_script: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    reserve: Vec<Row>,
}

/// Reads the reserves file: TOML (`[[reserve]]` tables) if it ends in
/// `.toml`, CSV with a header row otherwise.
fn read_reserves(path: &Path) -> Result<Vec<Row>> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let mut rows = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        let file: TomlFile = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let mut rows = file.reserve;
        for (i, r) in rows.iter_mut().enumerate() {
            r.at = format!("[[reserve]] #{}", i + 1);
        }
        rows
    } else {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .with_context(|| format!("{name}: cannot read the header row"))?
            .clone();
        for required in [
            "chain",
            "address",
            "asset",
            "category",
            "tier",
            "balance",
            "signature",
        ] {
            if !headers.iter().any(|h| h == required) {
                bail!(
                    "{name}: line 1: no `{required}` column (expected chain,address,asset,category,tier,balance,scheme,message,signature[,second_signature,redeem_script])"
                );
            }
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let line = rec.position().map_or(0, csv::Position::line);
            let mut row: Row = rec
                .deserialize(Some(&headers))
                .map_err(|e| anyhow::anyhow!("{name}: line {line}: {e}"))?;
            row.at = format!("line {line}");
            rows.push(row);
        }
        rows
    };
    if rows.is_empty() {
        bail!("{name}: no reserve rows");
    }
    for r in &mut rows {
        for (field, v) in [
            ("chain", &r.chain),
            ("address", &r.address),
            ("asset", &r.asset),
            ("signature", &r.signature),
        ] {
            if v.trim().is_empty() {
                bail!("{name}: {}: field `{field}` is empty", r.at);
            }
        }
        r.chain = r.chain.to_ascii_lowercase();
    }
    Ok(rows)
}
