//! `por attest`: the exchange signs its attestation for a snapshot.
//!
//! Inputs: the tree directory (`por tree build`), the reserves file the
//! custody team fills in (CSV or TOML, see `docs/attestation.md`), the
//! snapshot's label, time and per-chain block, and the attestation key.
//! Every ownership proof is verified before signing; proofs that are not
//! bound to this exchange, snapshot and root are refused (each row named)
//! unless `--allow-unbound`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use por_attest::{
    AttestationId, AttestedBlockHash, ChainPoint, ParsedAttestation, ReserveInputsRef, SnapshotTime,
};
use por_audit::draft::{
    self, Draft, DraftRequest, Finding, Placement, ReserveRow, ReservesSyntax, TreeFacts,
};
use por_ownership::ReservesMessage;

use crate::output::term;
use crate::store::TreeDir;
use crate::{output, Outcome};

/// Arguments of `por attest`.
#[derive(Debug, Args)]
#[command(
    after_help = "Chains: reserves on bitcoin and ethereum (their main networks) are \
attested and audited end to end: ownership signature, and balance read at the attested block. \
Ownership proofs on litecoin, dogecoin, dash, bitcoin-cash, bitcoin-sv and tron verify, but por \
has no balance source for them: refused unless --allow-unverifiable-chain, and reported by the \
audit as not checked. Any other chain is refused. The custody team's part (what every wallet \
signs, templates per wallet type): docs/custody.md."
)]
pub struct AttestArgs {
    /// The tree directory written by `por tree build`; for a format v2 tree,
    /// its directory or its published por-root-v2 file (the attestation then
    /// carries the por-root-v2, without the customer count).
    #[arg(long, value_name = "DIR")]
    tree: PathBuf,
    /// The reserve wallets (CSV or TOML by extension): chain, address, asset,
    /// category, tier, balance (in asset units), scheme, message (empty for
    /// the canonical message), signature, and optionally second_signature,
    /// redeem_script.
    #[arg(long, value_name = "FILE")]
    reserves: PathBuf,
    /// The exchange id, byte for byte as in the ownership messages (`por
    /// ownership message` prints the message every wallet signs).
    #[arg(long, value_name = "ID")]
    exchange: String,
    /// The snapshot label, byte for byte as in the ownership messages.
    #[arg(long, value_name = "LABEL")]
    snapshot: String,
    /// The snapshot time, RFC 3339: 2026-11-21T00:00:00Z, or with an offset
    /// (2026-11-21T09:00:00+09:00), which is converted to UTC before signing.
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
    /// The previous attestation of this exchange (its id is linked; a wallet
    /// that signed its message again is named as such).
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
    // A format v2 tree (its directory, or its published por-root-v2): the
    // attestation carries the por-root-v2.
    let v2 = super::tree_v2::read_root(&args.tree)?;
    let v2_facts = v2.as_ref().map(|(root, _)| {
        (
            root.assets.asset_list(),
            por_tree::RootCommitment {
                hash: root.hash,
                sums: root.totals_base_units(),
                height: u32::from(root.height),
            },
        )
    });
    let tree = if v2.is_some() {
        None
    } else {
        Some(TreeDir::open(&args.tree)?)
    };
    let (tree_assets, tree_root, customers) = match (&tree, &v2_facts, &v2) {
        (Some(t), _, _) => (
            &t.summary.assets,
            &t.summary.root,
            Some(t.summary.customers),
        ),
        (None, Some((assets, root)), Some((_, customers))) => {
            (assets, root, customers.map(|n| n as u64))
        }
        _ => bail!("internal error: neither a v1 nor a v2 tree"),
    };
    let key = super::key::read_key(&args.key)?;
    let time = por_attest::normalize_time(&args.time)
        .map_err(|e| anyhow::anyhow!("--time (snapshot.time): {e}"))?;

    let chains = parse_chains(&args.chains)?;
    let reserves_name = args.reserves.display().to_string();
    let rows = read_reserves(&args.reserves)?;
    let placements = parse_placements(&args.assets, &chains)?;
    let root_hex = tree_root.hash.to_string();
    let registry = super::chain::load_asset_registry(args.asset_registry.as_deref())?;
    let previous = previous_attestation(args)?;
    let request = DraftRequest {
        exchange: args.exchange.clone(),
        public_key: key.public_key(),
        snapshot: args.snapshot.clone(),
        time: SnapshotTime::parse(&time)
            .map_err(|e| anyhow::anyhow!("--time (snapshot.time): {e}"))?,
        tree: TreeFacts {
            assets: tree_assets,
            root: tree_root,
            customers: customers.unwrap_or(0),
            root_v2: v2.as_ref().map(|(r, _)| r),
        },
        chains,
        placements,
        reserves_name: reserves_name.clone(),
        rows: &rows,
        reserve_inputs: reserve_inputs(args)?,
        previous: previous.as_ref().map(|(id, _)| *id),
        recognise: previous.into_iter().map(|(_, m)| m).collect(),
    };
    let Draft { body, findings } = draft::draft(&request, &registry)
        .map_err(|e| anyhow::anyhow!("{}", term(&e.to_string())))?;
    report_findings(args, &reserves_name, &root_hex, &findings)?;

    let mut aux = [0u8; 32];
    getrandom::getrandom(&mut aux)
        .map_err(|e| anyhow::anyhow!("the OS random number generator failed: {e}"))?;
    let signed = body.sign(&key, &aux).map_err(|e| anyhow::anyhow!("{e}"))?;
    let id = ParsedAttestation::from_json(&signed)
        .map_err(|e| anyhow::anyhow!("internal error: the signed attestation does not parse: {e}"))?
        .id();
    output::write_file_atomic(&args.out, signed.as_bytes())?;
    let mut o = std::io::stdout().lock();
    match (&v2, customers) {
        (None, Some(n)) => writeln!(
            o,
            "attestation: {} ({} reserve entries, {n} customers, root {root_hex})",
            args.out.display(),
            body.reserves.len(),
        )?,
        _ => writeln!(
            o,
            "attestation: {} ({} reserve entries, tree format v2: root {root_hex}, its totals and root blinding factors; the customer count is not in the attestation)",
            args.out.display(),
            body.reserves.len(),
        )?,
    }
    writeln!(o, "id:          {id}")?;
    if time == args.time {
        writeln!(o, "time:        {time}")?;
    } else {
        // Only a time that parsed gets here: plain ASCII, safe to print.
        writeln!(o, "time:        {time} (UTC; --time was {})", args.time)?;
    }
    writeln!(
        o,
        "signed by:   {} (fingerprint {})",
        key.public_key_hex(),
        key.fingerprint()
    )?;
    Ok(Outcome::Pass)
}

/// Says what the audit will not pass or not check, in the order an
/// exchange fixes them: asset identities, chains por cannot read, duplicate
/// wallets, ownership proofs. Refuses to sign (an error) for proofs that do
/// not verify, and for unbound proofs or unreadable chains unless allowed.
fn report_findings(
    args: &AttestArgs,
    reserves_name: &str,
    root_hex: &str,
    findings: &[Finding],
) -> Result<()> {
    for f in findings {
        match f {
            Finding::Unregistered {
                symbol,
                chain,
                contract,
            } => eprintln!(
                "warning: asset {} is token {contract} on {}, which the asset registry does not know: an audit reports its reserves as not checked unless the auditor registers it",
                term(symbol),
                term(chain)
            ),
            Finding::OtherGeneration {
                symbol,
                contract,
                registered,
            } => eprintln!(
                "warning: asset {} is token {contract}, not the registered {}: an audit reports its reserves as not checked unless the auditor registers it",
                term(symbol),
                registered.join(", ")
            ),
            _ => {}
        }
    }
    let unverifiable: Vec<String> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::NoBalanceSource { chain, assets } => {
                Some(format!("{}: {}", term(chain), term(&assets.join("; "))))
            }
            _ => None,
        })
        .collect();
    if !unverifiable.is_empty() {
        let readable = por_audit::registry::NATIVE_CHAINS
            .iter()
            .map(|c| c.chain.as_str())
            .collect::<Vec<_>>()
            .join(" and ");
        if args.allow_unverifiable_chain {
            eprintln!(
                "warning: {reserves_name}: reserves on chains por has no balance source for (only {readable} are read); signing anyway (--allow-unverifiable-chain), and an audit reports them as not checked:\n  {}",
                unverifiable.join("\n  ")
            );
        } else {
            bail!(
                "{reserves_name}: reserves on chains por has no balance source for (only {readable} are read), so no audit can check them:\n  {}\n(sign anyway with --allow-unverifiable-chain; the audit will report them as not checked)",
                unverifiable.join("\n  ")
            );
        }
    }
    // One wallet listed twice (two categories, or a copy-paste): signed as
    // given, but said now, since the audit will fail it and count neither.
    for f in findings {
        if let Finding::Duplicate {
            at,
            first,
            chain,
            address,
            asset,
        } = f
        {
            eprintln!(
                "warning: {reserves_name}: {at}: {chain} {address} {asset} is already listed at {first}; the audit counts neither claim"
            );
        }
    }
    let invalid: Vec<String> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::InvalidProof {
                at,
                chain,
                address,
                why,
            } => Some(format!("{at}: {chain} {address}: {why}")),
            _ => None,
        })
        .collect();
    if !invalid.is_empty() {
        bail!(
            "{reserves_name}: {} ownership proof(s) do not verify:\n  {}\n\
             A row with an empty `message` is checked over this snapshot's canonical message, \
             exactly what `por ownership message --exchange {:?} --snapshot {:?} --root {root_hex}` prints; \
             if custody signed another text, check --exchange and --snapshot, and sign again for this tree \
             (docs/custody.md).",
            invalid.len(),
            invalid.join("\n  "),
            args.exchange,
            args.snapshot,
        );
    }
    let unbound: Vec<String> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::NotBound {
                at,
                chain,
                address,
                scheme,
                binding,
            } => Some(format!("{at}: {chain} {address}: {scheme}, {binding}")),
            _ => None,
        })
        .collect();
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
    Ok(())
}

/// `--asset SYMBOL=CHAIN[:CONTRACT]`, each on a chain with a `--chain` block.
fn parse_placements(specs: &[String], chains: &[ChainPoint]) -> Result<Vec<Placement>> {
    let mut out = Vec::new();
    for spec in specs {
        let (sym, rest) = spec
            .split_once('=')
            .with_context(|| format!("--asset {spec:?}: expected SYMBOL=CHAIN[:CONTRACT]"))?;
        let (chain, contract) = match rest.split_once(':') {
            Some((c, k)) => (c, Some(k.to_ascii_lowercase())),
            None => (rest, None),
        };
        let chain = chain
            .to_ascii_lowercase()
            .parse::<por_types::Chain>()
            .map_err(|e| anyhow::anyhow!("--asset {spec:?}: {e}"))?;
        if !chains.iter().any(|c| c.chain == chain.into()) {
            bail!("--asset {spec:?}: chain {chain:?} has no --chain block");
        }
        out.retain(|p: &Placement| p.symbol != sym);
        out.push(Placement {
            symbol: sym.to_owned(),
            chain: chain.to_string(),
            contract,
        });
    }
    Ok(out)
}

/// `--reserve-inputs FILE`: committed to by name and SHA-256 (and embedded
/// with `--embed-reserve-inputs`).
fn reserve_inputs(args: &AttestArgs) -> Result<Option<ReserveInputsRef>> {
    let Some(p) = &args.reserve_inputs else {
        return Ok(None);
    };
    let bytes = fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
    if args.embed_reserve_inputs && std::str::from_utf8(&bytes).is_err() {
        bail!("{}: not UTF-8 text, cannot be embedded", p.display());
    }
    let file = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Some(ReserveInputsRef::to_file(
        &file,
        &bytes,
        args.embed_reserve_inputs,
    )))
}

/// `--previous FILE`: this exchange's earlier attestation, verified; its id,
/// and the canonical message its wallets signed (so that a wallet that
/// signed the previous snapshot's message again is diagnosed as such).
fn previous_attestation(args: &AttestArgs) -> Result<Option<(AttestationId, ReservesMessage)>> {
    let Some(p) = &args.previous else {
        return Ok(None);
    };
    let text = fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
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
    let b = prev.body();
    let message = ReservesMessage::new(
        &b.exchange.id,
        &b.snapshot.label,
        &b.liabilities.root().to_string(),
    )
    .map_err(|e| anyhow::anyhow!("--previous {}: {e}", p.display()))?;
    Ok(Some((prev.id(), message)))
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
        let chain = chain
            .to_ascii_lowercase()
            .parse::<por_types::Chain>()
            .map_err(|e| {
                anyhow::anyhow!(
                    "--chain {spec:?}: {e}; por has no ownership scheme and no balance source for it"
                )
            })?;
        let hash = hash.to_ascii_lowercase();
        let Ok(block_hash) = AttestedBlockHash::parse(&hash) else {
            bail!("--chain {spec:?}: block hash {hash:?} is not 64 hex digits");
        };
        if out.iter().any(|c| c.chain == chain.into()) {
            bail!("--chain {spec:?}: chain {chain} given twice");
        }
        out.push(ChainPoint {
            chain: chain.into(),
            height,
            block_hash,
        });
    }
    Ok(out)
}

/// Reads the reserves file: TOML (`[[reserve]]` tables) if it ends in
/// `.toml`, CSV with a header row otherwise.
fn read_reserves(path: &Path) -> Result<Vec<ReserveRow>> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let syntax = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        ReservesSyntax::Toml
    } else {
        ReservesSyntax::Csv
    };
    draft::parse_reserves(&text, &name, syntax).map_err(|e| anyhow::anyhow!("{e}"))
}
