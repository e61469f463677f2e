//! `por audit`: a regulator's or auditor's check of one or more
//! attestations against chain data, and optionally the full balances
//! export, customer proofs and liability-reserve inputs.
//!
//! This module gathers the data (files, nodes); the checks are
//! `por_audit::audit::run`, pure functions the browser can reuse.

pub(crate) mod html;
mod terminal;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use por_attest::{Attestation, ParsedAttestation, XOnlyKey};
use por_audit::audit::{
    self, AuditInput, DistributionRun, NamedText, ObservedBalance, RebuiltTree, RebuiltTreeV2,
    Register, ReserveRun,
};
use por_audit::registry::AssetRegistry;
use por_chain::bitcoin::DEFAULT_MAX_UNDO_BLOCKS;
use por_chain::{audit_reads, balances_file, BalanceSource, Chain, HttpConfig, SourceSpec};
use por_distribute::policy::DEFAULT_POLICY;
use por_tree::{Ledger, LiabilitiesTree};

use crate::{inputs, output, Outcome};

/// Arguments of `por audit`.
#[derive(Debug, Args)]
#[command(
    after_help = "Outcome: PASS (exit 0) only when every check ran and passed; FAIL (exit 1) when a check failed; \
INCOMPLETE (exit 3) when nothing failed but something could not be checked, each such item listed with why. \
Only reserves confirmed on chain count. A full PASS needs chain data for every reserve (--chain or --balances), \
--liabilities with --secret-file, --sample-proofs, --reserve-inputs, --min-cold-percent, and every previous attestation \
an attestation names. See docs/outcomes.md."
)]
pub struct AuditArgs {
    /// An attestation (por-attestation-v1). Repeat for a history (oldest
    /// first) or for several exchanges.
    #[arg(long = "attestation", value_name = "FILE", required = true)]
    attestations: Vec<PathBuf>,
    /// An attestation public key the exchange published (x-only, 64 hex
    /// digits). Repeat for several exchanges. With it, an attestation signed
    /// by any other key fails its signature check.
    #[arg(long = "expect-key", value_name = "HEX")]
    expect_keys: Vec<String>,
    /// A chain source: bitcoin=URL (Bitcoin Core RPC; user:password@ in the
    /// URL), esplora=URL, or ethereum=URL (JSON-RPC). Repeat per chain.
    #[arg(long = "chain", value_name = "KIND=URL", conflicts_with = "balances")]
    chains: Vec<String>,
    /// An offline balances file (`por chain snapshot --out`), instead of nodes.
    #[arg(long, value_name = "FILE")]
    balances: Option<PathBuf>,
    /// An asset registry (TOML, `por-asset-registry-v1`) that extends or
    /// overrides the built-in one: which token contract each symbol means.
    /// Balances are read only with the registry's contracts.
    #[arg(long, value_name = "FILE")]
    asset_registry: Option<PathBuf>,
    /// The full balances export the tree was built from (with --secret-file):
    /// rebuild the tree and compare it with the last attestation.
    #[arg(long, value_name = "CSV", requires = "secret_file")]
    liabilities: Option<PathBuf>,
    /// The snapshot secret (for --liabilities).
    #[arg(long, value_name = "FILE", requires = "liabilities")]
    secret_file: Option<PathBuf>,
    /// A directory of customer proofs (*.json: por-proof-v1, or por-proof-v2 for an attested v2 root) to verify against the attested roots.
    #[arg(long, value_name = "DIR")]
    sample_proofs: Option<PathBuf>,
    /// Liability-reserve inputs (TOML or JSON): run the in-force checks, the
    /// reserve requirement and the stress scenarios over the last
    /// attestation's verified wallets.
    #[arg(long, value_name = "FILE")]
    reserve_inputs: Option<PathBuf>,
    /// A policy by shipped name or file (as for `por reserve requirement`).
    #[arg(long, value_name = "NAME|FILE", requires = "reserve_inputs")]
    policy: Vec<String>,
    /// Stress scenarios (shipped ids, `all`, files, directories); default all shipped.
    #[arg(long, value_name = "NAME|FILE|DIR", num_args = 1.., requires = "reserve_inputs")]
    scenarios: Vec<String>,
    /// Minimum cold share of customer assets per asset, in percent (e.g. 95);
    /// without it the split is reported but not judged (the cold-share
    /// checks are then not checked, and the outcome at best INCOMPLETE).
    #[arg(long, value_name = "PERCENT")]
    min_cold_percent: Option<String>,
    /// An administrator's signed distribution (`por distribution sign`)
    /// starting from the last attestation: check its signature, rebuild its
    /// claims and payouts from --liabilities and --secret-file, and compare
    /// what it distributes with the customer assets confirmed on chain.
    #[arg(long, value_name = "FILE")]
    distribution: Option<PathBuf>,
    /// The distribution policy the statement names (by hash). Default: the
    /// shipped policies/distribution-pro-rata.toml.
    #[arg(long, value_name = "FILE", requires = "distribution")]
    distribution_policy: Option<PathBuf>,
    /// Write the JSON report (por-audit-report-v1) here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// List every check on the terminal, not only failures and a summary.
    #[arg(long)]
    verbose: bool,
    /// Per-request timeout for chain sources, in seconds.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    timeout: u64,
    /// Retries per request for chain sources.
    #[arg(long, default_value_t = 3)]
    retries: u32,
}

pub fn run(args: &AuditArgs) -> Result<Outcome> {
    let mut input = AuditInput::default();
    for k in &args.expect_keys {
        let k = k.trim();
        // 64 hex digits in either case, and a point on the curve: a key
        // that is none could never match, and would fail every attestation.
        let Ok(key) = XOnlyKey::from_hex(&k.to_ascii_lowercase()) else {
            bail!("--expect-key {k:?}: expected 64 hex digits (an x-only public key from `por key generate`)");
        };
        input.trusted_keys.push(key);
    }
    for p in &args.attestations {
        input.attestations.push(NamedText {
            name: p.display().to_string(),
            text: read_text(p)?,
        });
    }
    // Parse (without trusting) to know what to fetch; the core parses and
    // verifies again.
    let mut parsed = Vec::new();
    for a in &input.attestations {
        parsed.push(
            ParsedAttestation::from_json(&a.text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", a.name))?,
        );
    }

    let asset_registry = super::chain::load_asset_registry(args.asset_registry.as_deref())?;
    if let Some(path) = &args.balances {
        input.balances = Some(read_balances_file(path)?);
    } else if !args.chains.is_empty() {
        input.balances = Some(fetch_balances(args, &parsed, &asset_registry)?);
    }
    input.asset_registry = Some(asset_registry);

    let mut register = None;
    if let (Some(csv), Some(secret_path)) = (&args.liabilities, &args.secret_file) {
        let last = parsed.last().context("no attestation")?;
        let attested = |e: &dyn std::fmt::Display| {
            anyhow::anyhow!(
                "{}: {e}",
                args.attestations
                    .last()
                    .map_or(String::new(), |p| p.display().to_string())
            )
        };
        let secret = inputs::secret(secret_path)?;
        let name = csv.display().to_string();
        let bytes = fs::read(csv).with_context(|| format!("cannot read {name}"))?;
        if let Some(l) = last.body_unverified().liabilities.v2() {
            // Format v2: rebuilt at the attested height and proof units.
            let root = l.root_v2().map_err(|e| attested(&e))?;
            let assets = root.assets.asset_list();
            let ledger =
                Ledger::from_csv(&bytes, &assets).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            input.rebuilt_v2 = Some(
                match por_tree::v2::TreeV2::build_with_units(
                    &root.assets,
                    &ledger,
                    &secret,
                    root.height,
                ) {
                    Ok(t) => RebuiltTreeV2::Built(Box::new(t)),
                    Err(e) => RebuiltTreeV2::Unbuildable(format!(
                        "{name} cannot be built as a format v2 tree at the attested height {} and proof units: {e}",
                        root.height
                    )),
                },
            );
        } else {
            let (assets, _) = last
                .body_unverified()
                .root_commitment()
                .map_err(|e| attested(&e))?;
            let ledger =
                Ledger::from_csv(&bytes, &assets).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret)
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            input.rebuilt = Some(RebuiltTree {
                assets,
                root: tree.root(),
                customers: u64::try_from(ledger.len())?,
            });
            register = Some(Register {
                tree,
                customers,
                secret,
            });
        }
    }
    if let Some(path) = &args.distribution {
        let policy = match &args.distribution_policy {
            Some(p) => NamedText {
                name: p.display().to_string(),
                text: read_text(p)?,
            },
            None => NamedText {
                name: "policies/distribution-pro-rata.toml (shipped default)".into(),
                text: DEFAULT_POLICY.to_owned(),
            },
        };
        input.distribution = Some(DistributionRun {
            statement: NamedText {
                name: path.display().to_string(),
                text: read_text(path)?,
            },
            policy,
            register,
        });
    }

    if let Some(dir) = &args.sample_proofs {
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .with_context(|| format!("cannot read proof directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut proofs = Vec::new();
        for f in files {
            proofs.push(NamedText {
                name: f.display().to_string(),
                text: read_text(&f)?,
            });
        }
        input.customer_proofs = Some(proofs);
    }

    if let Some(path) = &args.reserve_inputs {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        input.reserve = Some(ReserveRun {
            name: path.display().to_string(),
            bytes,
            inputs: super::reserve::load_inputs(path)?,
            policies: super::reserve::load_policies(&args.policy)?,
            scenarios: super::reserve::load_scenarios(&args.scenarios)?,
        });
    }

    if let Some(p) = &args.min_cold_percent {
        input.min_cold_bp = Some(parse_percent_bp(p)?);
    }

    let report = audit::run(&input).map_err(|e| anyhow::anyhow!("{e}"))?;

    if let Some(path) = &args.json {
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        output::write_file_atomic(path, text.as_bytes())?;
    }
    if let Some(path) = &args.html {
        output::write_file_atomic(path, html::render(&report).as_bytes())?;
    }
    terminal::print(
        &report,
        args.verbose,
        args.json.as_deref(),
        args.html.as_deref(),
    )?;
    Ok(match report.outcome {
        audit::Outcome::Pass => Outcome::Pass,
        audit::Outcome::Fail => Outcome::Fail,
        audit::Outcome::Incomplete => Outcome::Incomplete,
    })
}

fn read_text(p: &Path) -> Result<String> {
    let bytes = fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            p.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// `95`, `95.5`, `99.99` → basis points.
fn parse_percent_bp(s: &str) -> Result<u32> {
    let err = || {
        format!(
            "--min-cold-percent {s:?}: expected a percentage from 0 to 100 with at most 2 decimals"
        )
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        bail!(err());
    }
    let whole: u32 = whole.parse().with_context(err)?;
    let frac: u32 = format!("{frac:0<2}").parse().with_context(err)?;
    let bp = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .with_context(err)?;
    if bp > 10_000 {
        bail!(err());
    }
    Ok(bp)
}

/// The balances of an offline file, each with the identity it was read
/// with (chain, address, native coin or contract).
///
/// # Errors
/// The file cannot be read or parsed, or has no `contract` column (it does
/// not say what each balance was read with).
pub(crate) fn read_balances_file(path: &Path) -> Result<Vec<ObservedBalance>> {
    let name = path.display().to_string();
    let bytes = fs::read(path).with_context(|| format!("cannot read {name}"))?;
    let file = balances_file::parse(&bytes, &name)?;
    Ok(audit_reads::observed_from_file(&file, &name)?)
}

/// Reads, for each attestation's chain with a source given, what
/// [`audit_reads::plan_reads`] says an audit reads.
fn fetch_balances(
    args: &AuditArgs,
    parsed: &[ParsedAttestation],
    asset_registry: &AssetRegistry,
) -> Result<Vec<ObservedBalance>> {
    let config = HttpConfig {
        timeout: Duration::from_secs(args.timeout),
        slow_timeout: Duration::from_secs(args.timeout.saturating_mul(60)),
        retries: args.retries,
        initial_backoff: Duration::from_millis(500),
    };
    let mut sources: BTreeMap<Chain, Box<dyn BalanceSource>> = BTreeMap::new();
    for spec in &args.chains {
        let parsed = SourceSpec::parse(spec).with_context(|| format!("--chain {spec:?}"))?;
        let chain = parsed.chain();
        if sources
            .insert(chain, parsed.connect(config, DEFAULT_MAX_UNDO_BLOCKS))
            .is_some()
        {
            bail!("--chain {spec:?}: a second source for {chain}");
        }
    }
    let bodies: Vec<&Attestation> = parsed.iter().map(|p| p.body_unverified()).collect();
    let reads = audit_reads::plan_reads(&bodies, asset_registry, |c| sources.contains_key(&c))
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: {e}",
                args.attestations
                    .get(e.attestation)
                    .map_or(String::new(), |p| p.display().to_string())
            )
        })?;
    let mut out = Vec::new();
    for read in reads {
        let name = args
            .attestations
            .get(read.attestation)
            .map_or(String::new(), |p| p.display().to_string());
        let Some(source) = sources.get(&read.query.chain) else {
            continue;
        };
        let snap = source.snapshot(&read.query).map_err(|e| {
            anyhow::anyhow!(e).context(format!(
                "{name}: {} balances at height {}",
                source.info(),
                read.query.height
            ))
        })?;
        out.extend(audit_reads::observed(&snap));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_parsing() {
        assert_eq!(parse_percent_bp("95").unwrap(), 9500);
        assert_eq!(parse_percent_bp("95.5").unwrap(), 9550);
        assert_eq!(parse_percent_bp("0.01").unwrap(), 1);
        assert_eq!(parse_percent_bp("100").unwrap(), 10_000);
        for bad in ["", "100.01", "-1", "9.999", "abc", "1e2", ".5"] {
            assert!(parse_percent_bp(bad).is_err(), "{bad}");
        }
    }
}
