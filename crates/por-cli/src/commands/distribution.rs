//! `por distribution plan | proof | sign | verify`: the administrator's
//! pro-rata distribution (docs/distribution.md). The rule, the tree, the
//! proofs and the statement are `por_distribute`'s; this reads the files,
//! writes the plan directory atomically and prints.
//!
//! The plan directory:
//!
//! ```text
//! DIR/plan.json        format, assets, top-up flag, distribution root, unsigned statement body
//! DIR/payouts.csv      user_id,asset,claim,payout (base units; leaf order; the top-up as asset JPY)
//! DIR/held-back.csv    user_id,asset,claim,held (only with a holdback)
//! DIR/nodes.bin        the distribution tree (store.rs's format, 4 sums per column)
//! DIR/customers.bin    user id and salt per leaf (store.rs's format)
//! DIR/.por-output      the marker (`--force` may replace the directory)
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use clap::{Args, Subcommand};
use por_attest::{AttestedChain, ParsedAttestation};
use por_distribute::plan::VALUES_PER_COLUMN;
use por_distribute::policy::{Policy, DEFAULT_POLICY};
use por_distribute::statement::{AttestationRef, PolicyRef, StatementBody, StatementContext};
use por_distribute::tree::dpad_key;
use por_distribute::{
    check_proof, wide, ColumnTotals, DistributionProof, DistributionTree, Plan, PlanInput,
    StatementError, VerifiedStatement,
};
use por_tree::{Amount, AssetList, Customers, Ledger, LiabilitiesTree, PathStep, RootCommitment};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{inputs, output, progress, store, Outcome};

const PLAN_FILE: &str = "plan.json";
const PLAN_FORMAT: &str = "por-distribution-plan-v1";
const PAYOUTS: &str = "payouts.csv";
const HELD_BACK: &str = "held-back.csv";

/// `por distribution` subcommands.
#[derive(Debug, Subcommand)]
pub enum DistributionCommand {
    /// Plan a pro-rata distribution: verify the attestation, rebuild its
    /// liabilities tree, allocate what is available, build the distribution tree.
    Plan(PlanArgs),
    /// Write one customer's distribution proof (por-distribution-proof-v1).
    Proof(ProofArgs),
    /// Sign a plan's statement (por-distribution-v1) with the administrator's key.
    Sign(SignArgs),
    /// Check a customer's distribution proof against a signed statement.
    Verify(VerifyArgs),
}

/// Arguments of `por distribution plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The exchange's signed attestation (por-attestation-v1) the distribution starts from.
    #[arg(long, value_name = "FILE")]
    pub(crate) attestation: PathBuf,
    /// The balances export the attested liabilities tree was built from (CSV).
    #[arg(long, value_name = "FILE.csv")]
    pub(crate) liabilities: PathBuf,
    /// The snapshot secret of that tree (32 bytes, raw or 64 hex digits).
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_file: PathBuf,
    /// What is available per asset: an offline balances file
    /// (`chain,address,asset,balance,height,block_hash,source,contract`,
    /// base units), summed per asset. May be combined with
    /// --available-source for other chains.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "available_sources"
    )]
    pub(crate) available: Option<PathBuf>,
    /// Read what is available on chain instead: a source per chain
    /// (bitcoin=URL Bitcoin Core JSON-RPC, esplora=URL, ethereum=URL EVM
    /// JSON-RPC), at the block --available-at names, for the wallets in
    /// --available-addresses. Repeat for each chain.
    #[arg(long = "available-source", value_name = "KIND=URL", requires_all = ["available_addresses", "available_at"])]
    pub(crate) available_sources: Vec<String>,
    /// The administrator's wallets to read: CSV `chain,address,asset[,contract,decimals]`
    /// (as `por chain snapshot --addresses`).
    #[arg(long, value_name = "FILE")]
    pub(crate) available_addresses: Option<PathBuf>,
    /// The block to read each chain at: CHAIN=HEIGHT:HASH; the read fails if
    /// the chain has another block at that height.
    #[arg(long = "available-at", value_name = "CHAIN=HEIGHT:HASH")]
    pub(crate) available_at: Vec<String>,
    /// An asset registry (TOML) that extends or overrides the built-in one,
    /// for the token contracts in --available-addresses.
    #[arg(long, value_name = "FILE")]
    pub(crate) asset_registry: Option<PathBuf>,
    /// The distribution policy (TOML). Default: the shipped
    /// `policies/distribution-pro-rata.toml` (in kind, pro rata, no top-up,
    /// no holdback, no de-minimis).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// Directory to write the plan into (created atomically).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Replace DIR if it exists and was written by por (it holds the
    /// `.por-output` marker); any other directory is refused, untouched.
    #[arg(long)]
    pub(crate) force: bool,
    /// Print the unsigned statement body as JSON instead of a summary.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Arguments of `por distribution proof`.
#[derive(Debug, Args)]
pub struct ProofArgs {
    /// Directory written by `por distribution plan`.
    #[arg(long, value_name = "DIR")]
    pub(crate) plan: PathBuf,
    /// The customer's user id, exactly as in the balances export.
    #[arg(long, value_name = "ID")]
    pub(crate) user: String,
    /// Write the proof here.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// Arguments of `por distribution sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Directory written by `por distribution plan`.
    #[arg(long, value_name = "DIR")]
    pub(crate) plan: PathBuf,
    /// The administrator's secret key file (64 hex digits, as `por key generate` writes).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Write the signed statement here.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// Arguments of `por distribution verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The customer's distribution proof.
    #[arg(long, value_name = "FILE")]
    pub(crate) proof: PathBuf,
    /// The administrator's signed statement (por-distribution-v1).
    #[arg(long, value_name = "FILE")]
    pub(crate) statement: PathBuf,
    /// The administrator's public key (64 hex digits) as they publish it;
    /// without it, the statement's own key is reported by fingerprint for you to compare.
    #[arg(long, value_name = "HEX")]
    pub(crate) administrator_key: Option<String>,
}

pub fn run(cmd: DistributionCommand) -> Result<Outcome> {
    match cmd {
        DistributionCommand::Plan(a) => {
            plan(&a, &mut std::io::stdout().lock(), &mut std::io::stderr())
        }
        DistributionCommand::Proof(a) => proof(&a, &mut std::io::stderr()),
        DistributionCommand::Sign(a) => sign(&a, &mut std::io::stdout().lock()),
        DistributionCommand::Verify(a) => verify(&a, &mut std::io::stdout().lock()),
    }
}

/// `DIR/plan.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    format: String,
    assets: AssetList,
    top_up: bool,
    root: RootCommitment,
    statement: StatementBody,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `por distribution plan`, its summary to `out` and its refusals to `err`
/// (the demo captures both).
pub(crate) fn plan(args: &PlanArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    // 1. The attestation, verified.
    let att_name = args.attestation.display().to_string();
    let att_text =
        fs::read_to_string(&args.attestation).with_context(|| format!("cannot read {att_name}"))?;
    let parsed = ParsedAttestation::from_json(&att_text)
        .map_err(|e| anyhow::anyhow!("{att_name}: not a valid attestation: {e}"))?;
    let attestation = match parsed.verify_signature() {
        Ok(v) => v,
        Err(e) => {
            writeln!(
                err,
                "FAIL: {att_name}: {e}. Nothing was planned or written."
            )?;
            return Ok(Outcome::Fail);
        }
    };
    let (assets, attested_root) = attestation
        .root_commitment()
        .map_err(|e| anyhow::anyhow!("{att_name}: {e}"))?;

    // 2. The policy (before the long work, so a typo fails fast).
    let (policy_text, policy_name) = match &args.policy {
        Some(p) => (
            fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
            p.display().to_string(),
        ),
        None => (
            DEFAULT_POLICY.to_owned(),
            "policies/distribution-pro-rata.toml (shipped default)".to_owned(),
        ),
    };
    let policy =
        Policy::from_toml_str(&policy_text).map_err(|e| anyhow::anyhow!("{policy_name}: {e}"))?;
    let (de_minimis, top_up) = policy
        .resolve(&assets)
        .map_err(|e| anyhow::anyhow!("{policy_name}: {e}"))?;

    // 3. What is available: an offline file, balances read on chain, or both
    // (for different chains).
    let mut rows: Vec<(String, por_chain::balances_file::BalanceRow)> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    if let Some(path) = &args.available {
        let (file_rows, what) = read_available_file(path)?;
        let name = path.display().to_string();
        rows.extend(file_rows.into_iter().map(|r| (name.clone(), r)));
        sources.push(what);
    }
    for spec in &args.available_sources {
        let (read, what) = read_available_chain(args, spec)?;
        if let Some((from, r)) = rows
            .iter()
            .find(|(_, r)| read.iter().any(|x| x.chain() == r.chain()))
        {
            bail!(
                "--available-source {spec}: {} balances also come from {from} (line {}); give each chain one source",
                r.chain(),
                r.line
            );
        }
        rows.extend(
            read.into_iter()
                .map(|r| (format!("--available-source {spec}"), r)),
        );
        sources.push(what);
    }
    let available = sum_available(&rows, &attestation, &assets)?;
    let available_source = sources.join("; ");

    // 4. The liabilities tree, rebuilt and compared with the attested root.
    let secret = inputs::secret(&args.secret_file)?;
    let csv_name = args.liabilities.display().to_string();
    let spinner = progress::spinner("reading the balances export");
    let bytes = fs::read(&args.liabilities).with_context(|| format!("cannot read {csv_name}"))?;
    let ledger =
        Ledger::from_csv(&bytes, &assets).map_err(|e| anyhow::anyhow!("{csv_name}: {e}"))?;
    drop(bytes);
    spinner.set_message(format!(
        "rebuilding the liabilities tree of {} customers",
        ledger.len()
    ));
    let (ltree, customers) = LiabilitiesTree::build_consuming(&assets, ledger, &secret)
        .map_err(|e| anyhow::anyhow!("{csv_name}: {e}"))?;
    if ltree.root() != attested_root {
        spinner.finish_and_clear();
        writeln!(
            err,
            "FAIL: the liabilities tree rebuilt from {csv_name} and {} has root {} (height {}), but the attestation states {} (height {}){}. Nothing was planned or written.",
            args.secret_file.display(),
            ltree.root().hash,
            ltree.root().height,
            attested_root.hash,
            attested_root.height,
            if ltree.root().hash == attested_root.hash { ", and other totals" } else { "" }
        )?;
        return Ok(Outcome::Fail);
    }

    // 5. The plan and the distribution tree.
    let held = policy
        .held_flags(&customers)
        .map_err(|e| anyhow::anyhow!("{policy_name}: {e}"))?;
    spinner.set_message("allocating");
    let k = assets.len();
    let n = customers.len();
    let claims = ltree
        .levels()
        .first()
        .and_then(|l| l.sums().get(..n * k))
        .context("the rebuilt tree has no leaves")?;
    let plan = Plan::new(&PlanInput {
        assets: &assets,
        claims,
        available: &available,
        held_back: &held,
        de_minimis: &de_minimis,
        top_up: top_up.as_ref(),
    })?;
    drop(ltree);
    spinner.set_message("building the distribution tree");
    let width = plan.columns() * VALUES_PER_COLUMN;
    let dtree = DistributionTree::build(&customers, plan.values(), width, &dpad_key(&secret))?;
    let root = dtree.root();

    let top_terms = match (&top_up, &policy.top_up) {
        (Some(t), Some(p)) => Some((t, p.price_date.value.clone(), p.prices.source.clone())),
        _ => None,
    };
    let body = StatementBody::from_plan(
        &plan,
        StatementContext {
            assets: &assets,
            attestation: AttestationRef {
                id: attestation.id().to_hex(),
                exchange: attestation.body().exchange.id.clone(),
                snapshot: attestation.body().snapshot.label.clone(),
                liabilities_root: attested_root.hash,
            },
            root: &root,
            de_minimis: &de_minimis,
            top_up: top_terms,
            policy: PolicyRef {
                name: policy.name.clone(),
                sha256: sha256_hex(policy_text.as_bytes()),
            },
            available_source,
        },
    );

    // 6. The directory, atomically.
    spinner.set_message(format!("writing {}", args.out.display()));
    let tmp = store::begin_dir(&args.out, args.force, ".por-distribution-")?;
    let plan_file = PlanFile {
        format: PLAN_FORMAT.to_owned(),
        assets: assets.clone(),
        top_up: top_up.is_some(),
        root: root.clone(),
        statement: body.clone(),
    };
    store::write_new(&tmp.path().join(PLAN_FILE), |w| {
        serde_json::to_writer_pretty(&mut *w, &plan_file)?;
        w.write_all(b"\n")?;
        Ok(())
    })?;
    let names: Vec<&str> = assets
        .iter()
        .map(|a| a.symbol())
        .chain(top_up.as_ref().map(|_| "JPY"))
        .collect();
    store::write_new(&tmp.path().join(PAYOUTS), |w| {
        write_payouts(w, &plan, &customers, &names)
    })?;
    if held.iter().any(|h| *h) {
        store::write_new(&tmp.path().join(HELD_BACK), |w| {
            write_held(w, &plan, &customers, &names, &held)
        })?;
    }
    store::write_new(&tmp.path().join("nodes.bin"), |w| {
        store::write_levels(w, width, dtree.levels())
    })?;
    store::write_new(&tmp.path().join("customers.bin"), |w| {
        store::write_customers(w, &customers)
    })?;
    store::write_marker(tmp.path(), "distribution")?;
    store::replace_dir(tmp, &args.out)?;
    spinner.finish_and_clear();

    if args.json {
        serde_json::to_writer_pretty(&mut *out, &body)?;
        writeln!(out)?;
        return Ok(Outcome::Pass);
    }
    writeln!(
        out,
        "Planned the distribution of {n} customers over {k} asset(s){} under policy {:?}.",
        if top_up.is_some() {
            " and a JPY top-up"
        } else {
            ""
        },
        output::term(&policy.name)
    )?;
    writeln!(
        out,
        "  attestation {} (exchange {}, snapshot {}): its signature verifies against the key it names (fingerprint {}), and the liabilities tree rebuilt from {} has the attested root {}.",
        attestation.id(),
        output::term(&attestation.body().exchange.id),
        output::term(&attestation.body().snapshot.label),
        attestation.key_fingerprint(),
        csv_name,
        attested_root.hash
    )?;
    for (j, t) in plan.totals().iter().enumerate() {
        let (name, decimals) = match assets.get(j) {
            Some(a) => (a.symbol().to_owned(), a.decimals()),
            None => ("JPY top-up".to_owned(), 0),
        };
        write_totals(out, &name, decimals, t)?;
    }
    writeln!(
        out,
        "  distribution root {} (height {})",
        root.hash, root.height
    )?;
    writeln!(
        out,
        "Wrote {} ({PAYOUTS}{}, the distribution tree). Sign it: por distribution sign --plan {} --key KEY --out statement.json",
        args.out.display(),
        if held.iter().any(|h| *h) { format!(", {HELD_BACK}") } else { String::new() },
        args.out.display()
    )?;
    Ok(Outcome::Pass)
}

/// Reads an offline balances file: its rows, and how the statement names it
/// (not confirmed on chain by this command).
fn read_available_file(path: &Path) -> Result<(Vec<por_chain::balances_file::BalanceRow>, String)> {
    let name = path.display().to_string();
    let bytes = fs::read(path).with_context(|| format!("cannot read {name}"))?;
    let file = por_chain::balances_file::parse(&bytes, &name)?;
    ensure!(
        file.states_contracts(),
        "{name}: the file has no `contract` column, so it does not say which token each balance was read with; write it again with a current `por chain`"
    );
    let mut chains: Vec<String> = Vec::new();
    for row in file.rows() {
        let s = format!("{} at height {}", row.chain(), row.height);
        if !chains.contains(&s) {
            chains.push(s);
        }
    }
    let source = format!(
        "offline balances file {} (sha256 {}){}{}; not confirmed on chain by this command",
        path.file_name()
            .map_or(name.clone(), |f| f.to_string_lossy().into_owned()),
        sha256_hex(&bytes),
        if chains.is_empty() { "" } else { ": " },
        chains.join(", ")
    );
    Ok((file.rows().to_vec(), source))
}

/// Reads the administrator's wallets of one chain on chain, at the block
/// `--available-at` names for it (the source checks the block hash); how the
/// statement names it.
fn read_available_chain(
    args: &PlanArgs,
    spec_text: &str,
) -> Result<(Vec<por_chain::balances_file::BalanceRow>, String)> {
    let spec = por_chain::SourceSpec::parse(spec_text)
        .with_context(|| format!("--available-source {spec_text}"))?;
    let chain = spec.chain();
    let at = args
        .available_at
        .iter()
        .find(|a| {
            a.split_once('=')
                .is_some_and(|(c, _)| c.parse::<por_types::Chain>().ok() == Some(chain))
        })
        .with_context(|| {
            format!("--available-source {spec_text}: no --available-at {chain}=HEIGHT:HASH")
        })?;
    let (_, point) = at.split_once('=').unwrap_or_default();
    let (height, hash) = point
        .split_once(':')
        .with_context(|| format!("--available-at {at}: expected CHAIN=HEIGHT:HASH"))?;
    let height: u64 = height
        .parse()
        .with_context(|| format!("--available-at {at}: height {height:?} is not a block height"))?;
    let expected =
        por_chain::BlockHash::from_hex(hash).with_context(|| format!("--available-at {at}"))?;
    let path = args
        .available_addresses
        .as_deref()
        .context("--available-source needs --available-addresses")?;
    let name = path.display().to_string();
    let bytes = fs::read(path).with_context(|| format!("cannot read {name}"))?;
    let registry = super::chain::load_asset_registry(args.asset_registry.as_deref())?;
    let items: Vec<_> = por_chain::addresses::parse_with_registry(&bytes, &name, &registry)?
        .into_iter()
        .filter(|r| r.chain() == chain)
        .map(|r| r.item)
        .collect();
    ensure!(
        !items.is_empty(),
        "{name}: no {chain} wallets to read with --available-source {spec_text}"
    );
    let config = por_chain::HttpConfig {
        timeout: std::time::Duration::from_secs(60),
        slow_timeout: std::time::Duration::from_secs(3600),
        retries: 3,
        initial_backoff: std::time::Duration::from_millis(500),
    };
    let source = spec.connect(config, 10_000);
    let snap = source
        .snapshot(&por_chain::BalanceQuery {
            chain,
            height,
            expected_block_hash: Some(expected),
            items,
        })
        .map_err(|e| {
            anyhow::anyhow!(e).context(format!("--available-source {spec_text} at height {height}"))
        })?;
    let what = format!(
        "read by por from {} at {chain} height {} block {} ({} wallet balance(s), {} call(s))",
        snap.source,
        snap.height,
        snap.block_hash.display_for(chain),
        snap.records.len(),
        snap.calls.len()
    );
    Ok((
        snap.records
            .iter()
            .map(por_chain::balances_file::BalanceRow::from)
            .collect(),
        what,
    ))
}

/// Sums what is available per asset, checking each row's asset against the
/// attestation's (symbol, chain and contract); errors name where the row
/// came from.
fn sum_available(
    rows: &[(String, por_chain::balances_file::BalanceRow)],
    attestation: &por_attest::VerifiedAttestation,
    assets: &AssetList,
) -> Result<Vec<Amount>> {
    let mut available = vec![Amount::ZERO; assets.len()];
    for (name, row) in rows {
        // A file's row by its line; a row read on chain by its wallet.
        let at = if row.line == 0 {
            format!("wallet {}", row.address)
        } else {
            format!("line {}", row.line)
        };
        let j = assets.position(&row.asset).with_context(|| {
            format!(
                "{name}: {at}, column asset: {:?} is not an asset of the attestation ({})",
                output::term(&row.asset),
                assets
                    .iter()
                    .map(|a| a.symbol())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let attested = attestation.body().asset(&row.asset).with_context(|| {
            format!(
                "{name}: {at}: the attestation does not describe {}",
                row.asset
            )
        })?;
        // `read_available_file` refuses a file that does not state what its
        // rows were read with; rows read on chain always state it.
        let id = row.identity.stated().with_context(|| {
            format!(
                "{name}: {at}: the row does not say which token contract (or the native coin) {} was read with",
                row.asset
            )
        })?;
        let contract = id.contract().map(|c| c.to_lower_hex());
        let attested_contract = attested.contract.as_ref().map(|c| c.to_ascii_lowercase());
        ensure!(
            AttestedChain::from(id.chain()) == attested.chain && contract == attested_contract,
            "{name}: {at}, columns chain/contract: {} here is {} {}, but the attestation's {} is {} {}",
            row.asset,
            id.chain(),
            contract.as_deref().unwrap_or("(native)"),
            row.asset,
            attested.chain,
            attested_contract.as_deref().unwrap_or("(native)")
        );
        let slot = available.get_mut(j).context("an asset index")?;
        *slot = slot.checked_add(row.balance).with_context(|| {
            format!(
                "{name}: {at}, column balance: the total of {} exceeds 2^128-1 base units",
                row.asset
            )
        })?;
    }
    Ok(available)
}

fn write_payouts(
    w: &mut impl Write,
    plan: &Plan,
    customers: &Customers,
    names: &[&str],
) -> Result<()> {
    w.write_all(b"user_id,asset,claim,payout\n")?;
    for i in 0..customers.len() {
        let uid = output::csv_field(customers.user_id(i).context("leaf in range")?);
        for (j, name) in names.iter().enumerate() {
            let s = plan.split(i, j).context("split in range")?;
            writeln!(w, "{uid},{name},{},{}", s.claim, s.paid)?;
        }
    }
    Ok(())
}

fn write_held(
    w: &mut impl Write,
    plan: &Plan,
    customers: &Customers,
    names: &[&str],
    held: &[bool],
) -> Result<()> {
    w.write_all(b"user_id,asset,claim,held\n")?;
    for (i, _) in held.iter().enumerate().filter(|(_, h)| **h) {
        let uid = output::csv_field(customers.user_id(i).context("leaf in range")?);
        for (j, name) in names.iter().enumerate() {
            let s = plan.split(i, j).context("split in range")?;
            writeln!(w, "{uid},{name},{},{}", s.claim, s.held)?;
        }
    }
    Ok(())
}

/// `floor(part × 10000 ÷ whole)` as `12.34%` (`-` for a zero whole).
fn percent(part: Amount, whole: Amount) -> String {
    if whole == Amount::ZERO {
        return "-".to_owned();
    }
    match wide::mul_div_floor(part.to_base_units(), 10_000, whole.to_base_units()) {
        Some((bp, _)) => format!("{}.{:02}%", bp / 100, bp % 100),
        None => "-".to_owned(),
    }
}

fn write_totals(out: &mut dyn Write, name: &str, decimals: u8, t: &ColumnTotals) -> Result<()> {
    let d = |a: Amount| a.display_in(decimals).to_string();
    let allocated = t.available.min(t.claims);
    writeln!(
        out,
        "  {name}: claims {}, available {}, paid {}, held back {}, below de-minimis {}, kept by the estate {}; allocated {} of the claims",
        d(t.claims),
        d(t.available),
        d(t.paid),
        d(t.held_back),
        d(t.retained),
        d(t.kept_by_estate),
        percent(allocated, t.claims)
    )?;
    Ok(())
}

fn open_plan(dir: &Path) -> Result<PlanFile> {
    let path = dir.join(PLAN_FILE);
    let text = fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}: is {} a directory written by `por distribution plan`?",
            path.display(),
            dir.display()
        )
    })?;
    let plan: PlanFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a valid plan file", path.display()))?;
    ensure!(
        plan.format == PLAN_FORMAT,
        "{}: format is {:?}, expected {PLAN_FORMAT:?}",
        path.display(),
        plan.format
    );
    ensure!(
        plan.statement.distribution.root == plan.root.hash,
        "{}: the statement's root differs from the plan's: the file is corrupt",
        path.display()
    );
    Ok(plan)
}

fn width_of(plan: &PlanFile) -> usize {
    (plan.assets.len() + usize::from(plan.top_up)) * VALUES_PER_COLUMN
}

/// Checks that `nodes.bin`'s root is the plan's.
fn check_stored_root(dir: &Path, plan: &PlanFile) -> Result<store::NodesFile> {
    let mut nodes = store::NodesFile::open(dir, width_of(plan))?;
    let top = nodes.levels() - 1;
    let (hash, sums) = nodes.node(top, 0)?;
    ensure!(
        hash == plan.root.hash
            && sums == plan.root.sums
            && u32::try_from(top).ok() == Some(plan.root.height),
        "{}: the stored tree's root differs from plan.json's: the directory is corrupt",
        dir.display()
    );
    Ok(nodes)
}

/// `por distribution proof`; its note to `err`.
pub(crate) fn proof(args: &ProofArgs, err: &mut dyn Write) -> Result<Outcome> {
    let plan = open_plan(&args.plan)?;
    let mut nodes = check_stored_root(&args.plan, &plan)?;
    let Some((index, salt)) = store::find_customer(&args.plan, &args.user)? else {
        bail!(
            "no customer \"{}\" in the plan at {}",
            output::term(&args.user),
            args.plan.display()
        );
    };
    let (_, values) = nodes.node(0, index)?;
    let mut path = Vec::with_capacity(nodes.levels() - 1);
    let mut i = index;
    for level in 0..nodes.levels() - 1 {
        let (hash, sums) = nodes.node(level, i ^ 1)?;
        path.push(PathStep { hash, sums });
        i >>= 1;
    }
    let proof = DistributionProof::new(
        plan.assets.clone(),
        plan.top_up,
        args.user.clone(),
        salt,
        index,
        values,
        path,
        plan.root.clone(),
    );
    proof
        .verify(&plan.root)
        .with_context(|| format!("{}: the stored tree is inconsistent", args.plan.display()))?;
    output::write_file_atomic(&args.out, proof.to_json().as_bytes())?;
    writeln!(
        err,
        "Wrote the distribution proof of \"{}\" to {}.",
        output::term(&args.user),
        args.out.display()
    )?;
    Ok(Outcome::Pass)
}

/// `por distribution sign`; its summary to `out`.
pub(crate) fn sign(args: &SignArgs, out: &mut dyn Write) -> Result<Outcome> {
    let plan = open_plan(&args.plan)?;
    check_stored_root(&args.plan, &plan)?;
    let key_text = fs::read_to_string(&args.key)
        .with_context(|| format!("cannot read key file {}", args.key.display()))?;
    let key = por_attest::AttestationKey::from_hex(&key_text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.key.display()))?;
    let mut secret = [0u8; 32];
    hex::decode_to_slice(key.to_secret_hex(), &mut secret).context("a key's hex")?;
    let mut aux = [0u8; 32];
    getrandom::getrandom(&mut aux)
        .map_err(|e| anyhow::anyhow!("the OS random number generator failed: {e}"))?;
    let mut body = plan.statement;
    let text = body
        .sign(&secret, &aux)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.plan.display()))?;
    output::write_file_atomic(&args.out, text.as_bytes())?;
    writeln!(
        out,
        "Signed the distribution statement (por-distribution-v1) with the key of fingerprint {}: wrote {}.\nPublish it with the key's fingerprint; hand each customer their proof (`por distribution proof`).",
        key.fingerprint(),
        args.out.display()
    )?;
    Ok(Outcome::Pass)
}

/// `por distribution verify`; its verdict to `out`.
pub(crate) fn verify(args: &VerifyArgs, out: &mut dyn Write) -> Result<Outcome> {
    let st_name = args.statement.display().to_string();
    let st_text =
        fs::read_to_string(&args.statement).with_context(|| format!("cannot read {st_name}"))?;
    let proof_name = args.proof.display().to_string();
    let proof_text =
        fs::read_to_string(&args.proof).with_context(|| format!("cannot read {proof_name}"))?;
    let proof = DistributionProof::from_json(&proof_text)
        .map_err(|e| anyhow::anyhow!("{proof_name}: not a valid distribution proof: {e}"))?;
    let statement = match VerifiedStatement::from_json(&st_text) {
        Ok(s) => s,
        Err(e @ (StatementError::Json { .. } | StatementError::Invalid { .. })) => {
            bail!("{st_name}: not a valid distribution statement: {e}")
        }
        Err(e @ StatementError::MissingSignature) => {
            writeln!(out, "INCOMPLETE: {st_name}: {e}. Nothing was compared: ask the administrator for the signed statement.")?;
            return Ok(Outcome::Incomplete);
        }
        Err(e) => {
            writeln!(
                out,
                "NOT VERIFIED: {st_name}: ({}) {e}. Nothing in it was compared.",
                e.kind()
            )?;
            return Ok(Outcome::Fail);
        }
    };
    let body = statement.body();
    if let Some(expected) = &args.administrator_key {
        if !body.administrator_key.eq_ignore_ascii_case(expected.trim()) {
            writeln!(
                out,
                "NOT VERIFIED: {st_name} is signed by key {}, not by the administrator key you gave ({}).",
                body.administrator_key,
                output::term(expected.trim())
            )?;
            return Ok(Outcome::Fail);
        }
    }
    if let Err(e) = check_proof(&statement, &proof) {
        writeln!(
            out,
            "NOT VERIFIED: the distribution proof of \"{}\" does not match the signed statement.\n  ({}) {e}.",
            output::term(proof.user_id()),
            e.kind()
        )?;
        return Ok(Outcome::Fail);
    }
    writeln!(
        out,
        "VERIFIED: the distribution proof of \"{}\" is in the distribution root {} of the signed statement.",
        output::term(proof.user_id()),
        body.distribution.root
    )?;
    match &args.administrator_key {
        Some(_) => writeln!(out, "  The statement is signed by the administrator key you gave.")?,
        None => writeln!(
            out,
            "  The statement's signature verifies against the key it names (fingerprint {}). That shows it is intact, not whose key it is: compare the fingerprint with the one the administrator publishes.",
            statement.key_fingerprint()
        )?,
    }
    writeln!(
        out,
        "  It starts from attestation {} (exchange {}, snapshot {}, liabilities root {}).",
        body.attestation.id,
        output::term(&body.attestation.exchange),
        output::term(&body.attestation.snapshot),
        body.attestation.liabilities_root
    )?;
    for (j, a) in proof.assets().iter().enumerate() {
        let s = proof
            .split(j)
            .context("a verified proof has every column")?;
        let d = |x: Amount| x.display_in(a.decimals()).to_string();
        let mut line = format!(
            "  {}: your claim {}, your payout {}",
            a.symbol(),
            d(s.claim),
            d(s.paid)
        );
        if s.held > Amount::ZERO {
            line.push_str(&format!(
                ", held back {} (set aside: your claim is held back)",
                d(s.held)
            ));
        }
        if s.retained > Amount::ZERO {
            line.push_str(&format!(
                ", {} below the de-minimis threshold (kept by the estate)",
                d(s.retained)
            ));
        }
        let recovery = s
            .allocation()
            .map_or_else(|| "-".to_owned(), |a| percent(a, s.claim));
        line.push_str(&format!("; recovery {recovery} of your claim"));
        writeln!(out, "{line}")?;
    }
    if proof.has_top_up() {
        let s = proof
            .split(proof.assets().len())
            .context("a verified proof has every column")?;
        let price_source = body.price_source.as_deref().unwrap_or("");
        let date = body.top_up.as_ref().map_or("", |t| t.price_date.as_str());
        writeln!(
            out,
            "  JPY top-up: your shortfall valued at ¥{} (prices of {} from {}), paid ¥{}{}",
            s.claim,
            output::term(date),
            output::term(price_source),
            s.paid,
            if s.held > Amount::ZERO {
                format!(", held back ¥{}", s.held)
            } else {
                String::new()
            }
        )?;
    }
    writeln!(
        out,
        "  Whether these payouts were made, and whether what was available was on chain, is not shown by this proof."
    )?;
    Ok(Outcome::Pass)
}
