//! `por demo`: the newcomer's path. One command synthesizes a plausible
//! exchange and runs every part of the system on it, in one process, through
//! the same library functions the other commands use (docs/demo.md).
//!
//! Each step is a function: (a) customers, (b) tree and proofs, (c) reserve
//! wallets with fresh keys and signatures, (d) the offline balances file,
//! (e) liability-reserve inputs, (h) reserve requirement and stress, (j) the
//! folder for the browser page.

mod administrator;
mod attest;
mod audit;
mod customers;
mod publish;
mod reserve_inputs;
mod sign;
mod wallets;

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use por_ownership::{self as ownership, ReservesMessage};
use por_tree::{AssetList, Customers, Ledger, LiabilitiesTree, RootCommitment};

use crate::commands::{reserve, tree};
use crate::{inputs, output, progress, store, Outcome};

/// The demo exchange's id in the signed message and the attestation.
pub const EXCHANGE: &str = "sakura-demo-exchange";

/// Up to this many customers (the default size) the demo exports every
/// proof, as an exchange would; above it, an even sample. Writing one file
/// per customer is I/O, not computation: 100,000 proof files (400 MB) take
/// about 4 s on a quiet 2-core machine, but 10 million would be 40 GB. The
/// sample shows the same thing, and `por tree export-proofs` writes every
/// proof from the stored tree (the demo prints the command).
pub const EXPORT_ALL_UP_TO: usize = 100_000;
/// How many proofs the sample holds above [`EXPORT_ALL_UP_TO`].
pub const SAMPLE: usize = 10_000;

/// Arguments of `por demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many customers the synthetic exchange has.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    customers: usize,
    /// Directory to write everything into (created; must not exist unless --force).
    #[arg(long, value_name = "DIR", default_value = "demo-out")]
    out: PathBuf,
    /// Replace DIR if it exists and was written by por (it holds the
    /// `.por-output` marker); any other directory is refused, untouched.
    #[arg(long)]
    force: bool,
    /// Seed of the synthetic customers (the same seed gives the same
    /// balances export; wallet keys are always fresh).
    #[arg(long, value_name = "N", default_value_t = 2026)]
    seed: u64,
    /// Leave out the deliberately planted problem (one wallet claimed twice):
    /// the audit then passes.
    #[arg(long)]
    no_planted_problem: bool,
}

/// What a v1 proof shows its holder besides their own balances, in the
/// demo's words (docs/tree-v1.md, "What a proof reveals").
pub const PROOF_REVEALS: &str = concat!(
    "A v1 proof also shows whoever holds it, about other customers (and nothing else):\n",
    "  - level 0: one other customer's exact balances (no name: only a hash of their id);\n",
    "  - each level above: the summed balances of the next 2, 4, 8, ... other customers;\n",
    "  - its length (the tree height): the number of customers, to within a factor of 2."
);

/// Where the demo writes what (relative to `--out`). Documented in docs/demo.md.
pub mod layout {
    /// The exchange's balances export (confidential).
    pub const BALANCES: &str = "exchange/balances.csv";
    /// The snapshot secret (confidential).
    pub const SECRET: &str = "exchange/snapshot.secret";
    /// The liabilities tree directory (confidential).
    pub const TREE: &str = "exchange/tree";
    /// Every customer's proof (or a sample), with `index.csv`.
    pub const PROOFS: &str = "exchange/proofs";
    /// The wallet list.
    pub const WALLETS: &str = "exchange/wallets.csv";
    /// The signed ownership claims (`por ownership verify-file` layout).
    pub const CLAIMS: &str = "exchange/ownership-claims.csv";
    /// The canonical message every wallet signed.
    pub const MESSAGE: &str = "exchange/message.txt";
    /// The offline balances file standing in for chain data.
    pub const CHAIN_BALANCES: &str = "chain/balances.csv";
    /// The liability-reserve inputs.
    pub const RESERVE_INPUTS: &str = "exchange/reserve-inputs.toml";
    /// `por reserve requirement` output.
    pub const REQUIREMENT: &str = "audit/reserve-requirement.txt";
    /// `por reserve stress` output.
    pub const STRESS: &str = "audit/reserve-stress.txt";
    /// The folder for `por serve --dir`: what the exchange publishes.
    pub const PUBLISHED: &str = "published";
    /// A copy of the browser page (when `scripts/build-www` has built it).
    pub const WWW: &str = "www";
    /// The signed attestation (published).
    pub const ATTESTATION: &str = "published/attestation.json";
    /// The liability-reserve inputs the attestation commits to (published beside it).
    pub const PUBLISHED_INPUTS: &str = "published/reserve-inputs.toml";
    /// The attestation's secret key (confidential).
    pub const ATTESTATION_KEY: &str = "exchange/attestation.key";
    /// The audit's HTML report.
    pub const REPORT_HTML: &str = "audit/report.html";
    /// The audit's JSON report (por-audit-report-v1).
    pub const REPORT_JSON: &str = "audit/report.json";
}

struct Step {
    n: usize,
    total: usize,
    started: Instant,
}

impl Step {
    fn begin(&mut self, title: &str) {
        self.n += 1;
        self.started = Instant::now();
        // A status line for people watching; logs and pipes get the paragraphs only.
        if std::io::stderr().is_terminal() {
            eprintln!("[{}/{}] {title} ...", self.n, self.total);
        }
    }

    /// Prints the step's paragraph (what it proves, where its output is).
    fn done(&self, out: &mut impl Write, title: &str, text: &str) -> Result<()> {
        writeln!(
            out,
            "\n[{}/{}] {title} ({:.1} s)",
            self.n,
            self.total,
            self.started.elapsed().as_secs_f64()
        )?;
        for line in text.lines() {
            writeln!(out, "      {line}")?;
        }
        out.flush()?;
        Ok(())
    }
}

pub fn run(args: &DemoArgs) -> Result<Outcome> {
    let created = prepare_out(args)?;
    let result = run_steps(args);
    if result.is_err() && created {
        // No half-written demo folder: it was created by this run (any old
        // one was a previous demo's output, removed above).
        let _ = fs::remove_dir_all(&args.out);
    }
    result
}

/// Checks `--customers` and `--out`; removes a previous demo's folder with
/// `--force`. Returns whether the folder is now this run's to create.
fn prepare_out(args: &DemoArgs) -> Result<bool> {
    if args.customers < 10 {
        bail!(
            "--customers {}: the demo needs at least 10 customers",
            args.customers
        );
    }
    let out_dir = &args.out;
    // Refuses an existing folder without --force, and any folder por did
    // not write (no marker) even with it: nothing in it is deleted.
    store::check_replaceable(out_dir, args.force)?;
    if fs::symlink_metadata(out_dir).is_ok() {
        fs::remove_dir_all(out_dir)
            .with_context(|| format!("cannot remove {}", out_dir.display()))?;
    }
    fs::create_dir_all(out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    store::write_marker(out_dir, "demo")?;
    Ok(true)
}

fn run_steps(args: &DemoArgs) -> Result<Outcome> {
    let out_dir = &args.out;
    for sub in ["exchange", "chain", "audit"] {
        fs::create_dir_all(out_dir.join(sub))
            .with_context(|| format!("cannot create {}", out_dir.join(sub).display()))?;
    }
    // exchange/ holds what only the exchange sees (every balance, the
    // snapshot secret, the attestation key): readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = out_dir.join("exchange");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot set the permissions of {}", dir.display()))?;
    }
    let p = |rel: &str| out_dir.join(rel);
    let shown = |rel: &str| p(rel).display().to_string();
    let t0 = Instant::now();
    let mut stdout = std::io::stdout().lock();
    let mut step = Step {
        n: 0,
        total: 10,
        started: t0,
    };
    writeln!(
        stdout,
        "por demo: a synthetic exchange, {EXCHANGE}, with {} customers, through every step of a proof of reserves.",
        args.customers
    )?;

    // (a) customers
    step.begin("synthesizing customers");
    customers::write_balances_csv(&p(layout::BALANCES), args.customers, args.seed)?;
    step.done(
        &mut stdout,
        "Customers",
        &format!(
            "Synthesized {} customers holding BTC, ETH and USDC (an ERC-20 stablecoin): skewed like\n\
             real exchanges (6% empty accounts, most balances small, a thin tail of whales), with\n\
             numeric UIDs, e-mail logins and a few Japanese names; --seed {} reproduces them.\n\
             This is the exchange's confidential balances export: {}",
            args.customers,
            args.seed,
            shown(layout::BALANCES)
        ),
    )?;

    // (b) tree and proofs
    step.begin("building the liabilities tree");
    let assets = AssetList::from_spec(customers::ASSETS_SPEC)?;
    let (tree, cust) = build_tree(out_dir, &assets)?;
    let root = tree.root();
    let mut totals = Vec::new();
    output::write_amounts(&mut totals, "", &assets, &root.sums)?;
    step.done(
        &mut stdout,
        "Liabilities tree",
        &format!(
            "Built the Merkle-sum tree of {} customers (same code as `por tree build`). Its root\n\
             commits to every balance and its sums are what the exchange owes; publishing it lets\n\
             each customer check with their own proof that their balances are counted in it.\n\
             root    {}\nheight  {}\n{}\
             Tree: {}  (secret salts: {})",
            tree.customers(),
            root.hash,
            root.height,
            String::from_utf8_lossy(&totals)
                .lines()
                .map(|l| format!("total   {}\n", l.trim_start()))
                .collect::<String>(),
            shown(layout::TREE),
            shown(layout::SECRET)
        ),
    )?;

    step.begin("exporting proofs");
    let (written, sampled) = export_proofs(&tree, &cust, &p(layout::PROOFS))?;
    let sample_note = if sampled {
        format!(
            "\nAbove {EXPORT_ALL_UP_TO} customers the demo writes an even sample ({written} proofs spread over\n\
             the tree), not all: one file per customer is disk-bound. Every proof, when you want them:\n\
             {} tree export-proofs --tree {} --out DIR",
            por_command(),
            shown(layout::TREE)
        )
    } else {
        String::new()
    };
    step.done(
        &mut stdout,
        "Customer proofs",
        &format!(
            "Wrote {written} inclusion proofs (por-proof-v1): each shows one customer that their\n\
             balances are a leaf under the published root, with the sibling sums on the way up.\n\
             {PROOF_REVEALS}\n\
             Proofs: {}  (confidential: index.csv maps user ids to files; each customer gets\n\
             only their own proof){sample_note}",
            shown(layout::PROOFS)
        ),
    )?;

    // (c) wallets
    step.begin("generating reserve wallets and signing");
    let (ws, message, wallets_text) = wallets_step(out_dir, &assets, &root)?;
    step.done(&mut stdout, "Reserve wallets", &wallets_text)?;

    // (d) chain balances
    step.begin("writing the chain snapshot");
    let snaps = wallets::chain_snapshots(args.seed);
    output::write_file_atomic(
        &p(layout::CHAIN_BALANCES),
        wallets::balances_file(&ws, &snaps, args.seed)?.as_bytes(),
    )?;
    step.done(
        &mut stdout,
        "Chain snapshot",
        &format!(
            "Wrote the offline balances file an auditor checks claims against, standing in for\n\
             chain data at the snapshot blocks ({}). Customer wallets hold 102%\n\
             of the liabilities per asset, 96.6% of it cold; guarantee crypto matches the non-cold\n\
             customer crypto.\n\
             Balances: {}",
            snaps
                .iter()
                .map(|s| format!("{} {}", s.chain, s.height))
                .collect::<Vec<_>>()
                .join(", "),
            shown(layout::CHAIN_BALANCES)
        ),
    )?;

    // (e) + (h) reserve inputs, requirement and stress
    step.begin("liability reserve: requirement and stress");
    let rr = run_reserve(out_dir, &assets, &root, &ws, args.customers)?;
    step.done(&mut stdout, "Liability reserve", &rr)?;

    // (f) attestation
    step.begin("signing the attestation");
    let (planted, attestation_text) = attestation_step(
        out_dir,
        &tree,
        &assets,
        &ws,
        &snaps,
        &message,
        !args.no_planted_problem,
    )?;
    step.done(&mut stdout, "Attestation", &attestation_text)?;

    // (j) published folder
    step.begin("preparing the browser page's folder");
    let pubs = publish::write(out_dir, &tree, &cust, &assets, args.seed)?;
    step.done(&mut stdout, "Published folder", &pubs.text)?;
    // The audit rebuilds its own tree: free this one first (10M customers
    // would otherwise hold two).
    drop(tree);
    drop(cust);

    // (g) + (i) audit and report
    step.begin("auditing");
    let (audit_text, as_expected) = audit_step(out_dir, &assets, planted.is_some())?;
    step.done(&mut stdout, "Audit", &audit_text)?;

    // (k) the administrator's distribution after a failure
    step.begin("the administrator's distribution");
    let admin = administrator::run(&args.out, &pubs.sample_proof)?;
    step.done(&mut stdout, "Administrator's distribution", &admin.text)?;

    writeln!(
        stdout,
        "{}",
        next_steps(out_dir, t0.elapsed().as_secs_f64(), &pubs, &root, &admin)
    )?;
    Ok(if as_expected {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

/// Step (c): fresh reserve wallets, each signing this tree's canonical
/// message, checked by the ownership verifier; their files and the step's
/// paragraph.
fn wallets_step(
    out_dir: &Path,
    assets: &AssetList,
    root: &RootCommitment,
) -> Result<(Vec<wallets::Wallet>, String, String)> {
    let p = |rel: &str| out_dir.join(rel);
    let shown = |rel: &str| p(rel).display().to_string();
    let expected = reserves_message(root)?;
    let message = expected.to_text();
    let bar = progress::bar((assets.len() * 6) as u64, "wallets");
    let ws = wallets::generate(assets, root, message.as_bytes(), || bar.inc(1))?;
    bar.finish_and_clear();
    let verified = verify_wallets(&ws, &expected)?;
    output::write_file_atomic(&p(layout::MESSAGE), message.as_bytes())?;
    output::write_file_atomic(&p(layout::WALLETS), wallets::wallets_csv(&ws).as_bytes())?;
    output::write_file_atomic(
        &p(layout::CLAIMS),
        wallets::claims_csv(&ws, &message).as_bytes(),
    )?;
    let kinds: Vec<String> = ["P2WPKH", "P2TR", "P2WSH 2-of-3", "EOA"]
        .iter()
        .map(|k| format!("{} {k}", ws.iter().filter(|w| w.script == *k).count()))
        .collect();
    let text = format!(
            "Generated {} wallets with fresh keys ({}) across tiers (cold,\n\
             warm, hot) and owners (customer, performance guarantee, the exchange's own), and signed\n\
             the canonical message binding them to this exchange and this tree's root (BIP-322 for\n\
             Bitcoin, EIP-191 for Ethereum):\n\
             {}\n\
             The ownership verifier checked each one as an auditor would:\n{verified}.\n\
             Wallets: {}  Signed claims: {}",
            ws.len(),
            kinds.join(", "),
            message.replace('\n', "\n  ").trim_end(),
            shown(layout::WALLETS),
            shown(layout::CLAIMS)
        );
    Ok((ws, message, text))
}

/// Step (f): the signed attestation (with the planted duplicate when
/// `plant`), its key and the published reserve inputs; the step's paragraph.
fn attestation_step(
    out_dir: &Path,
    tree: &LiabilitiesTree,
    assets: &AssetList,
    ws: &[wallets::Wallet],
    snaps: &[wallets::ChainSnapshot],
    message: &str,
    plant: bool,
) -> Result<(Option<attest::Planted>, String)> {
    let p = |rel: &str| out_dir.join(rel);
    let shown = |rel: &str| p(rel).display().to_string();
    let inputs_bytes = fs::read(p(layout::RESERVE_INPUTS))
        .with_context(|| format!("cannot read {}", shown(layout::RESERVE_INPUTS)))?;
    let facts = attest::Facts {
        exchange: EXCHANGE,
        label: reserve_inputs::VALUATION_DATE,
        tree,
        assets,
        wallets: ws,
        snapshots: snaps,
        message,
        inputs_name: "reserve-inputs.toml",
        inputs: &inputs_bytes,
    };
    let (signed, key, planted) = attest::sign(&facts, plant)?;
    fs::create_dir_all(p(layout::PUBLISHED))
        .with_context(|| format!("cannot create {}", shown(layout::PUBLISHED)))?;
    inputs::write_secret_file(
        &p(layout::ATTESTATION_KEY),
        format!("{}\n", key.to_secret_hex()).as_bytes(),
    )?;
    output::write_file_atomic(&p(layout::ATTESTATION), signed.as_bytes())?;
    output::write_file_atomic(&p(layout::PUBLISHED_INPUTS), &inputs_bytes)?;
    let planted_text = match &planted {
        Some(w) => format!(
            "PLANTED PROBLEM: the BTC warm wallet\n  {}\nis claimed a second time, as guarantee crypto in cold storage, so its coins would\n\
             count twice (--no-planted-problem leaves it out).\n",
            w.address
        ),
        None => "No planted problem (--no-planted-problem): every wallet is claimed once.\n".to_owned(),
    };
    let text = format!(
            "Signed the attestation (por-attestation-v1, BIP-340 over its RFC 8785 canonical form) with\n\
             a fresh key {}: the root, the snapshot blocks, {} reserve entries with their\n\
             signatures, and the SHA-256 of the liability-reserve inputs published beside it.\n\
             {planted_text}\
             Attestation: {}  Key: {}",
            key.fingerprint(),
            ws.len() + usize::from(planted.is_some()),
            shown(layout::ATTESTATION),
            shown(layout::ATTESTATION_KEY)
        );
    Ok((planted, text))
}

/// Step (g) + (i): the audit over what the demo wrote, its JSON and HTML
/// reports, and the step's paragraph; whether the outcome is the one the
/// demo expects (exactly the planted problem when `planted`, else nothing
/// failed, and nothing left unchecked).
fn audit_step(out_dir: &Path, assets: &AssetList, planted: bool) -> Result<(String, bool)> {
    let p = |rel: &str| out_dir.join(rel);
    let shown = |rel: &str| p(rel).display().to_string();
    let sources = audit::Sources {
        attestation: &p(layout::ATTESTATION),
        balances: &p(layout::CHAIN_BALANCES),
        liabilities: &p(layout::BALANCES),
        secret: &p(layout::SECRET),
        proofs: &p(&format!("{}/{}", layout::PUBLISHED, publish::SAMPLE_PROOFS)),
        reserve_inputs: &p(layout::PUBLISHED_INPUTS),
    };
    let report = audit::run(&sources, assets)?;
    let mut json = serde_json::to_string_pretty(&report)?;
    json.push('\n');
    output::write_file_atomic(&p(layout::REPORT_JSON), json.as_bytes())?;
    output::write_file_atomic(&p(layout::REPORT_HTML), audit::html(&report).as_bytes())?;
    let failed = audit::failed_ids(&report);
    let expected: Vec<&str> = if planted {
        vec!["unique-address"]
    } else {
        Vec::new()
    };
    // Fully checked: nothing left "not checked" (which would count for
    // nothing and make the outcome INCOMPLETE).
    let as_expected = failed == expected && report.totals.not_checked == 0;
    let verdict = match (planted, as_expected) {
        (true, true) => "The audit caught exactly the planted problem and nothing else: the duplicated wallet is\n\
                            not counted at all, and the rest still covers the liabilities.".to_owned(),
        (false, true) => "Every check passes.".to_owned(),
        (_, false) => format!(
            "UNEXPECTED: the failed checks are [{}], expected [{}]; {} not checked.",
            failed.join(", "),
            expected.join(", "),
            report.totals.not_checked
        ),
    };
    let failures = audit::failures(&report);
    let text = format!(
            "Ran the regulator's audit (por_audit::audit, as `por audit`): the attestation's signature,\n\
             every wallet's ownership proof and balance at the attested block, duplicates, solvency,\n\
             segregation, the 95% cold share, the tree rebuilt from the balances export, the published\n\
             proofs, and the liability reserve over the verified wallets.\n\
             {}: {} pass, {} fail, {} not checked.{}\n{verdict}\n\
             Report: {}  (JSON: {})",
            report.outcome.as_str().to_ascii_uppercase(),
            report.totals.pass,
            report.totals.fail,
            report.totals.not_checked,
            failures
                .iter()
                .map(|f| format!("\n  FAIL {}", output::term(f)))
                .collect::<String>(),
            shown(layout::REPORT_HTML),
            shown(layout::REPORT_JSON)
        );
    Ok((text, as_expected))
}

/// What to try next, printed at the end.
fn next_steps(
    out_dir: &Path,
    secs: f64,
    pubs: &publish::Published,
    root: &RootCommitment,
    admin: &administrator::Distributed,
) -> String {
    let shown = |rel: &str| out_dir.join(rel).display().to_string();
    let por = por_command();
    format!(
        "\nDone in {:.1} s. Next, try:\n  \
         open {}\n      the audit report (HTML, self-contained)\n  \
         {por} serve --dir {}{}\n      the customer's page: drop in a proof and the published root\n  \
         {por} verify --proof {} --root {}\n      verify one customer's proof from the command line\n  \
         {por} audit --attestation {} --balances {} --reserve-inputs {} --min-cold-percent 95 \\\n        \
         --liabilities {} --secret-file {} --sample-proofs {}\n      \
         the same audit from the command line (leave an input out and the outcome is INCOMPLETE, exit 3)\n  \
         {por} distribution verify --proof {} --statement {} --administrator-key {}\n      \
         a customer checks their payout (or drops both files on the page)",
        secs,
        shown(layout::REPORT_HTML),
        shown(layout::PUBLISHED),
        pubs.www_arg,
        pubs.sample_proof.display(),
        root.hash,
        shown(layout::ATTESTATION),
        shown(layout::CHAIN_BALANCES),
        shown(layout::PUBLISHED_INPUTS),
        shown(layout::BALANCES),
        shown(layout::SECRET),
        shown(&format!("published/{}", publish::SAMPLE_PROOFS)),
        admin.proof.display(),
        shown(administrator::layout::STATEMENT),
        admin.public_key,
    )
}

/// How to call this binary in the printed hints: `por` when that is what
/// runs, otherwise its path (relative to the working directory when inside it,
/// e.g. `target/release/por` after `scripts/demo`).
fn por_command() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return "por".to_owned();
    };
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths)
            .any(|d| d.join("por").canonicalize().ok() == exe.canonicalize().ok())
    });
    if on_path {
        return "por".to_owned();
    }
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| exe.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    rel.unwrap_or(exe).display().to_string()
}

/// (b) Reads the balances export back and builds the tree, exactly as
/// `por tree build` does, then stores it.
fn build_tree(out_dir: &Path, assets: &AssetList) -> Result<(LiabilitiesTree, Customers)> {
    let csv = out_dir.join(layout::BALANCES);
    let secret = inputs::secret_or_create(&out_dir.join(layout::SECRET))?;
    let spinner = progress::spinner("parsing balances");
    let bytes = fs::read(&csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let ledger =
        Ledger::from_csv(&bytes, assets).map_err(|e| anyhow::anyhow!("{}: {e}", csv.display()))?;
    drop(bytes);
    spinner.set_message(format!("hashing {} customers", ledger.len()));
    let (tree, customers) = LiabilitiesTree::build(assets, &ledger, &secret)
        .map_err(|e| anyhow::anyhow!("{}: {e}", csv.display()))?;
    drop(ledger);
    spinner.set_message("writing the tree");
    store::write_tree(&out_dir.join(layout::TREE), &tree, &customers, false)?;
    spinner.finish_and_clear();
    Ok((tree, customers))
}

/// The leaves whose proofs the demo exports: all up to [`EXPORT_ALL_UP_TO`]
/// customers, otherwise [`SAMPLE`] leaves evenly spread over the tree.
pub fn proof_selection(customers: usize) -> Option<Vec<usize>> {
    if customers <= EXPORT_ALL_UP_TO {
        return None;
    }
    // Leaf i * n / SAMPLE: distinct (n > SAMPLE) and spread to the end.
    Some(
        (0..SAMPLE)
            .map(|i| {
                let leaf = i as u128 * customers as u128 / SAMPLE as u128;
                usize::try_from(leaf).unwrap_or(customers - 1)
            })
            .collect(),
    )
}

fn export_proofs(tree: &LiabilitiesTree, cust: &Customers, out: &Path) -> Result<(usize, bool)> {
    let sel = proof_selection(cust.len());
    let n = tree::write_proofs(tree, cust, sel.as_deref(), out, false, true)?;
    Ok((n, sel.is_some()))
}

/// The canonical reserves message (DESIGN.md) for this exchange, snapshot
/// and root, built by the ownership module.
fn reserves_message(root: &RootCommitment) -> Result<ReservesMessage> {
    Ok(ReservesMessage::new(
        EXCHANGE,
        reserve_inputs::VALUATION_DATE,
        &root.hash.to_string(),
    )?)
}

/// Verifies every wallet's signature with `por_ownership`, exactly as
/// `por ownership verify` and the audit do (the multisig through Bitcoin
/// Core's script interpreter), requiring it bound to this snapshot with no
/// weakness. Returns how many verified and through which schemes.
fn verify_wallets(ws: &[wallets::Wallet], expected: &ReservesMessage) -> Result<String> {
    let text = expected.to_text();
    let opts = ownership::VerifyOptions {
        expected: Some(expected.clone()),
        ..ownership::VerifyOptions::default()
    };
    let mut schemes: Vec<String> = Vec::new();
    for w in ws {
        let claim = ownership::OwnershipClaim {
            chain: if w.chain == "bitcoin" {
                ownership::Chain::Bitcoin
            } else {
                ownership::Chain::Ethereum
            },
            address: &w.address,
            message: text.as_bytes(),
            signature: &w.signature,
            second_signature: None,
            redeem_script: None,
        };
        let verdict = ownership::verify(&claim, &opts)
            .with_context(|| format!("demo wallet {}: malformed signature", w.address))?;
        match &verdict {
            ownership::Verdict::Verified(v)
                if v.weaknesses().is_empty()
                    && matches!(v.binding(), ownership::Binding::BoundToExpected(_)) =>
            {
                let s = v.scheme().to_string();
                if !schemes.contains(&s) {
                    schemes.push(s);
                }
            }
            other => bail!(
                "demo wallet {} ({}) does not verify: {}",
                w.address,
                w.script,
                other.summary()
            ),
        }
    }
    Ok(format!(
        "{} of {} signatures verified ({})",
        ws.len(),
        ws.len(),
        schemes.join(", ")
    ))
}

/// (e) + (h): writes the reserve inputs, evaluates them (first to learn the
/// cash requirement, then with a reserve balance 10% above it), and writes
/// the requirement and stress reports as `por reserve` prints them.
fn run_reserve(
    out_dir: &Path,
    assets: &AssetList,
    root: &RootCommitment,
    ws: &[wallets::Wallet],
    customers: usize,
) -> Result<String> {
    let path = out_dir.join(layout::RESERVE_INPUTS);
    let first = reserve_inputs::inputs_toml(EXCHANGE, assets, root, ws, customers, 0)?;
    output::write_file_atomic(&path, first.as_bytes())?;
    let e = reserve::evaluate(&path, &[])?;
    let cash = e.report.requirement.cash_required_jpy.get();
    let balance = cash + cash / 10;
    let text = reserve_inputs::inputs_toml(EXCHANGE, assets, root, ws, customers, balance)?;
    output::write_file_atomic(&path, text.as_bytes())?;
    let e = reserve::evaluate(&path, &[])?;
    output::write_file_atomic(
        &out_dir.join(layout::REQUIREMENT),
        reserve::requirement_text(&e).as_bytes(),
    )?;
    let s = por_reserve::StressReport::new(e, reserve::load_scenarios(&[])?)?;
    output::write_file_atomic(
        &out_dir.join(layout::STRESS),
        reserve::stress_text(&s).as_bytes(),
    )?;
    let e = &s.evaluation;
    let failing: Vec<String> = e
        .report
        .in_force
        .checks
        .iter()
        .filter(|c| !c.passes)
        .map(|c| c.id.to_owned())
        .collect();
    Ok(format!(
        "Derived the liability-reserve inputs from the wallets and the tree (prices are round\n\
         illustrative figures) and ran `por reserve requirement` and `por reserve stress`:\n\
         in-force segregation checks (95% cold, guarantee crypto, customer wallets >= liabilities): {}\n\
         proposed liability reserve: R_required ¥{}, cash part ¥{}, held ¥{}: {}\n\
         {} hack scenarios (Coincheck, DMM, Bybit, ...) run through the funding waterfall.\n\
         Inputs: {}\nReports: {}  {}",
        if failing.is_empty() {
            "all pass".to_owned()
        } else {
            format!("FAIL {}", failing.join(", "))
        },
        grouped(e.report.requirement.required_jpy.get()),
        grouped(cash),
        grouped(balance),
        if e.report.passes() { "met" } else { "NOT met" },
        s.results.len(),
        path.display(),
        out_dir.join(layout::REQUIREMENT).display(),
        out_dir.join(layout::STRESS).display()
    ))
}

/// Digits grouped by thousands: 892,693,956.
fn grouped(v: u128) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn grouping() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1_000), "1,000");
        assert_eq!(super::grouped(892_693_956), "892,693,956");
    }

    use super::*;

    #[test]
    fn proofs_all_up_to_the_limit_then_an_even_sample() {
        assert_eq!(proof_selection(EXPORT_ALL_UP_TO), None);
        for n in [EXPORT_ALL_UP_TO + 1, 10_000_000, 12_345_678] {
            let s = proof_selection(n).unwrap();
            assert_eq!(s.len(), SAMPLE);
            assert!(s.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
            assert!(*s.last().unwrap() < n);
            // Spread over the whole tree, not the first leaves only.
            assert!(*s.last().unwrap() >= n - n / SAMPLE * 2);
        }
    }
}
