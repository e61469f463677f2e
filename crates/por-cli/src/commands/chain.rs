//! `por chain snapshot`: balances of listed addresses at a snapshot height,
//! from a Bitcoin Core node, an Esplora API or an EVM node, written as an
//! offline balances file for air-gapped audits.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use clap::Subcommand;
use por_audit::registry::AssetRegistry;
use por_chain::{
    addresses, balances_file, BalanceQuery, BlockHash, HttpConfig, SourceError, SourceSpec,
};

use crate::Outcome;

/// `por chain` subcommands.
#[derive(Debug, Subcommand)]
pub enum ChainCommand {
    /// Fetch the balances of the listed addresses at a block height and
    /// write them as an offline balances file (CSV).
    ///
    /// Exit status: 0 written; 1 the chain has another block at that height
    /// than --block-hash; 2 bad input or the source failed.
    Snapshot(SnapshotArgs),
}

/// Arguments of `por chain snapshot`, as typed.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// The source: bitcoin=URL (Bitcoin Core JSON-RPC), esplora=URL (Esplora
    /// REST API) or ethereum=URL (EVM JSON-RPC).
    #[arg(long, value_name = "KIND=URL")]
    source: String,
    /// A file holding `user:password` for the source, such as Bitcoin Core's
    /// `.cookie` file (`__cookie__:...`). Safer than credentials in the URL.
    #[arg(long, value_name = "FILE")]
    cookie: Option<PathBuf>,
    /// The addresses to look up: CSV `chain,address,asset[,contract,decimals]`.
    /// Rows of other chains than the source's are skipped. A symbol the
    /// asset registry knows as a token must name the registered contract.
    #[arg(long, value_name = "FILE")]
    addresses: PathBuf,
    /// An asset registry (TOML, `por-asset-registry-v1`) that extends or
    /// overrides the built-in one (see docs/audit.md).
    #[arg(long, value_name = "FILE")]
    asset_registry: Option<PathBuf>,
    /// The snapshot block height.
    #[arg(long)]
    height: u64,
    /// The block hash expected at that height (from the attestation); the
    /// snapshot fails if the chain has another block there.
    #[arg(long, value_name = "HEX")]
    block_hash: Option<String>,
    /// The balances file to write (replaced atomically).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Keep the rows of other chains already in --out (to build one file for
    /// several chains with one run per chain).
    #[arg(long)]
    merge: bool,
    /// Seconds before one call times out (Bitcoin Core's scantxoutset gets
    /// 60 times as long: it reads the whole UTXO set).
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// Retries of a call after a transient failure (no connection, timeout,
    /// HTTP 429 or 5xx), with exponential backoff from 0.5 s.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// Bitcoin Core: the most blocks undone from the tip back to the snapshot.
    #[arg(long, default_value_t = por_chain::bitcoin::DEFAULT_MAX_UNDO_BLOCKS, value_name = "N")]
    max_undo_blocks: u64,
}

/// Runs a `por chain` subcommand.
pub fn run(cmd: ChainCommand) -> anyhow::Result<Outcome> {
    match cmd {
        ChainCommand::Snapshot(args) => snapshot(&args),
    }
}

fn read_cookie(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--cookie {}: cannot read", path.display()))?;
    let line = text.trim_end_matches(['\n', '\r']);
    if !line.contains(':') || line.contains('\n') {
        bail!(
            "--cookie {}: expected one line user:password (as in Bitcoin Core's .cookie file)",
            path.display()
        );
    }
    Ok(line.to_owned())
}

/// The built-in asset registry, extended or overridden by `--asset-registry
/// FILE` (shared by `por chain snapshot`, `por attest` and `por audit`).
///
/// # Errors
/// The file cannot be read, is not UTF-8, or does not parse (the error
/// names the field); the CLI exits 2.
pub(crate) fn load_asset_registry(path: Option<&Path>) -> anyhow::Result<AssetRegistry> {
    let builtin = AssetRegistry::builtin();
    let Some(path) = path else {
        return Ok(builtin);
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--asset-registry {name}: cannot read (or not UTF-8)"))?;
    let file =
        AssetRegistry::from_toml(&text, &name).map_err(|e| anyhow!("--asset-registry {e}"))?;
    Ok(builtin.extended_with(file))
}

fn snapshot(args: &SnapshotArgs) -> anyhow::Result<Outcome> {
    let mut spec = SourceSpec::parse(&args.source).context("--source")?;
    if let Some(path) = &args.cookie {
        spec = spec.with_credentials(&read_cookie(path)?);
    }
    let chain = spec.chain();
    let expected_block_hash = args
        .block_hash
        .as_deref()
        .map(BlockHash::from_hex)
        .transpose()
        .context("--block-hash")?;
    let name = args.addresses.display().to_string();
    let bytes = std::fs::read(&args.addresses).with_context(|| format!("{name}: cannot read"))?;
    let registry = load_asset_registry(args.asset_registry.as_deref())?;
    let rows = addresses::parse_with_registry(&bytes, &name, &registry)?;
    let skipped = rows.iter().filter(|r| r.chain() != chain).count();
    let items: Vec<_> = rows
        .into_iter()
        .filter(|r| r.chain() == chain)
        .map(|r| r.item)
        .collect();
    if items.is_empty() {
        bail!("{name}: no {chain} rows to look up with the {chain} source");
    }
    if skipped > 0 {
        eprintln!("note: skipping {skipped} row(s) of other chains in {name}");
    }
    let existing: Vec<balances_file::BalanceRow> = if args.merge && args.out.exists() {
        let out_name = args.out.display().to_string();
        let bytes = std::fs::read(&args.out).with_context(|| format!("{out_name}: cannot read"))?;
        let file = balances_file::parse(&bytes, &out_name)?;
        // Its rows would be written again under the `contract` column, where
        // an empty value says "the native coin": a file that never said so
        // is not merged into.
        if !file.states_contracts() {
            bail!(
                "{out_name}: line 1: no `contract` column: the file does not say which token contract (or the native coin) each balance was read with, so its rows cannot be merged into a file that says it; write the balances again without --merge"
            );
        }
        file.rows()
            .iter()
            .filter(|r| r.chain() != chain)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };

    let config = HttpConfig {
        timeout: Duration::from_secs(args.timeout),
        slow_timeout: Duration::from_secs(args.timeout.saturating_mul(60)),
        retries: args.retries,
        initial_backoff: Duration::from_millis(500),
    };
    let source = spec.connect(config, args.max_undo_blocks);
    let query = BalanceQuery {
        chain,
        height: args.height,
        expected_block_hash,
        items,
    };
    let snap = match source.snapshot(&query) {
        Ok(s) => s,
        Err(e @ SourceError::BlockHashMismatch { .. }) => {
            eprintln!("failed: {e}");
            return Ok(Outcome::Fail);
        }
        Err(e) => {
            return Err(anyhow!(e).context(format!(
                "{} snapshot at height {}",
                source.info(),
                args.height
            )))
        }
    };

    let mut rows = existing;
    rows.extend(snap.records.iter().map(balances_file::BalanceRow::from));
    crate::output::write_file_atomic(&args.out, balances_file::rows_to_csv(&rows)?.as_bytes())?;

    println!(
        "{chain} height {} block {}: {} balance(s) from {} ({} calls) written to {}",
        snap.height,
        snap.block_hash.display_for(chain),
        snap.records.len(),
        snap.source,
        snap.calls.len(),
        args.out.display()
    );
    for r in &snap.records {
        println!(
            "  {} {} {} ({})",
            crate::output::term(&r.address),
            r.balance.display_in(r.asset.asset().decimals()),
            crate::output::term(r.asset.asset().symbol()),
            r.asset.id().contract_or_native()
        );
    }
    Ok(Outcome::Pass)
}
