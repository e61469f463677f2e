//! `por ownership ...`: the canonical reserves message, and checking that an
//! exchange controls its reserve wallets (one signature, or a whole file).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};
use clap::builder::TypedValueParser as _;
use clap::{Args, Subcommand, ValueEnum};
use por_ownership::file::{read_claims, verify_row, ClaimRow, Layout, RowVerdict};
use por_ownership::{
    self as ownership, BindingCheck, Chain, FileTally, LegacyPolicy, Network, OwnershipClaim,
    ReservesMessage, SchemeRequest, Verdict, VerifyOptions,
};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::output::term;
use crate::Outcome;

/// `bound_to_snapshot` in JSON: `null` when not checked.
fn binding_json(check: BindingCheck) -> Value {
    match check {
        BindingCheck::Bound => json!(true),
        BindingCheck::NotBound => json!(false),
        BindingCheck::NotChecked => Value::Null,
    }
}

/// The `bound` column of `verify-file`.
fn binding_column(check: BindingCheck) -> &'static str {
    match check {
        BindingCheck::Bound => "yes",
        BindingCheck::NotBound => "no",
        BindingCheck::NotChecked => "unchecked",
    }
}

/// `por ownership` subcommands.
#[derive(Debug, Subcommand)]
pub enum OwnershipCommand {
    /// Print the canonical message an exchange signs for a snapshot.
    Message(MessageArgs),
    /// Verify one ownership signature: exit 0 valid and bound to the expected
    /// snapshot (--expect-*), 1 invalid or bound elsewhere, 2 malformed
    /// input, 3 valid but its binding not checked (no --expect-* given).
    Verify(Box<VerifyArgs>),
    /// Verify a CSV/JSON list of (chain, address, message, signature) rows,
    /// including OKX's and HTX's published CSV files as they are.
    VerifyFile(Box<VerifyFileArgs>),
}

/// `por ownership message`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("root_source").required(true).args(["root", "tree", "published"])))]
pub struct MessageArgs {
    /// Exchange id, exactly as `por attest --exchange` will be given it.
    #[arg(long)]
    exchange: String,
    /// Snapshot label, exactly as `por attest --snapshot` will be given it.
    #[arg(long)]
    snapshot: String,
    /// Liabilities root hash (64 hex digits).
    #[arg(long, value_name = "HEX")]
    root: Option<String>,
    /// Take the root from a tree directory written by `por tree build`.
    #[arg(long, value_name = "DIR")]
    tree: Option<PathBuf>,
    /// Take the root from a published file (`tree.published.json`, a tree
    /// summary or a signed attestation).
    #[arg(long, value_name = "FILE")]
    published: Option<PathBuf>,
    /// Write the message's exact bytes to FILE (no trailing newline) instead
    /// of stdout; the checklist still goes to stderr.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print only the message, without the checklist on stderr.
    #[arg(long)]
    quiet: bool,
}

/// `--chain`: one of `por_types::Chain`'s names, the one list of chains
/// (no second enum to keep in step with it).
fn chain_parser() -> impl clap::builder::TypedValueParser<Value = Chain> {
    clap::builder::PossibleValuesParser::new(Chain::ALL.map(|c| c.as_str()))
        .try_map(|s| s.parse::<Chain>())
}

/// A scheme on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SchemeArg {
    /// Bitcoin: BIP-322 if prefixed or not 65 bytes, else legacy; EVM: EIP-191, then OKX, then HTX.
    Auto,
    /// BIP-322 simple / full / proof of funds (with or without the smp/ful/pof prefix).
    Bip322,
    /// Legacy "Bitcoin Signed Message" (see --legacy-policy).
    Legacy,
    /// OKX m-of-n: --signature and --signature2 plus --redeem-script.
    OkxMultisig,
    /// EIP-191 personal_sign of the message.
    Eip191,
    /// OKX EVM: personal_sign of keccak256(message).
    OkxEvm,
    /// HTX EVM: raw keccak256(message), no prefix (flagged weak).
    HtxRawKeccak,
    /// OKX OKC chain: keccak256(varstr("OKX Signed Message:\n") || varstr(message)).
    OkxOkc,
}

/// Legacy signed-message policy on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum PolicyArg {
    /// Electrum/Trezor: BIP-137, plus the compressed-P2PKH header for the key's segwit addresses.
    Permissive,
    /// BIP-137: the header type must match the address type.
    Bip137,
    /// Bitcoin Core: P2PKH addresses only.
    Core,
}

/// Bitcoin network on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum NetworkArg {
    Mainnet,
    Testnet,
    Signet,
    Regtest,
}

/// Options shared by `verify` and `verify-file`.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Legacy Bitcoin signed-message policy.
    #[arg(long, value_enum, default_value = "permissive")]
    legacy_policy: PolicyArg,
    /// Bitcoin network the addresses must belong to.
    #[arg(long, value_enum, default_value = "mainnet")]
    network: NetworkArg,
    /// Expected snapshot: exchange id (with --expect-snapshot and --expect-root).
    #[arg(long, requires_all = ["expect_snapshot", "expect_root"])]
    expect_exchange: Option<String>,
    /// Expected snapshot label.
    #[arg(long, requires = "expect_exchange")]
    expect_snapshot: Option<String>,
    /// Expected liabilities root.
    #[arg(long, requires = "expect_exchange")]
    expect_root: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `por ownership verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Chain: bitcoin, ethereum; tron (TronWeb v1/v2 message signatures,
    /// scheme auto only); litecoin, dogecoin, dash, bitcoin-cash,
    /// bitcoin-sv (legacy signed messages and OKX multisig only).
    #[arg(long, value_parser = chain_parser())]
    chain: Chain,
    /// The address whose control is claimed.
    #[arg(long)]
    address: String,
    /// The signed message, as text.
    #[arg(
        long,
        conflicts_with = "message_file",
        required_unless_present = "message_file"
    )]
    message: Option<String>,
    /// A file holding the signed message (exact bytes, must be UTF-8).
    #[arg(long)]
    message_file: Option<PathBuf>,
    /// The signature (base64 / hex / BIP-322 prefixed).
    #[arg(long)]
    signature: String,
    /// Second signature (OKX multisig).
    #[arg(long)]
    signature2: Option<String>,
    /// Redeem/witness script hex (OKX multisig).
    #[arg(long)]
    redeem_script: Option<String>,
    /// Signature scheme.
    #[arg(long, value_enum, default_value = "auto")]
    scheme: SchemeArg,
    #[command(flatten)]
    common: CommonArgs,
}

/// `por ownership verify-file`.
#[derive(Debug, Args)]
pub struct VerifyFileArgs {
    /// CSV or JSON file of claims.
    file: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs a `por ownership` subcommand.
pub fn run(cmd: OwnershipCommand) -> anyhow::Result<Outcome> {
    match cmd {
        OwnershipCommand::Message(a) => run_message(&a),
        OwnershipCommand::Verify(a) => run_verify(&VerifyConfig::try_from(&*a)?),
        OwnershipCommand::VerifyFile(a) => run_verify_file(&VerifyFileConfig::try_from(&*a)?),
    }
}

impl From<SchemeArg> for SchemeRequest {
    fn from(s: SchemeArg) -> SchemeRequest {
        match s {
            SchemeArg::Auto => SchemeRequest::Auto,
            SchemeArg::Bip322 => SchemeRequest::Bip322,
            SchemeArg::Legacy => SchemeRequest::Legacy,
            SchemeArg::OkxMultisig => SchemeRequest::OkxMultisig,
            SchemeArg::Eip191 => SchemeRequest::Eip191,
            SchemeArg::OkxEvm => SchemeRequest::OkxEvm,
            SchemeArg::HtxRawKeccak => SchemeRequest::HtxRawKeccak,
            SchemeArg::OkxOkc => SchemeRequest::OkxOkc,
        }
    }
}

impl From<NetworkArg> for Network {
    fn from(n: NetworkArg) -> Network {
        match n {
            NetworkArg::Mainnet => Network::Bitcoin,
            NetworkArg::Testnet => Network::Testnet,
            NetworkArg::Signet => Network::Signet,
            NetworkArg::Regtest => Network::Regtest,
        }
    }
}

impl From<PolicyArg> for LegacyPolicy {
    fn from(p: PolicyArg) -> LegacyPolicy {
        match p {
            PolicyArg::Permissive => LegacyPolicy::Permissive,
            PolicyArg::Bip137 => LegacyPolicy::Bip137Strict,
            PolicyArg::Core => LegacyPolicy::CoreP2pkhOnly,
        }
    }
}

impl CommonArgs {
    /// The library's options, with the expected snapshot checked.
    fn options(&self, scheme: SchemeRequest) -> anyhow::Result<VerifyOptions> {
        let expected = match (
            &self.expect_exchange,
            &self.expect_snapshot,
            &self.expect_root,
        ) {
            (Some(e), Some(s), Some(r)) => {
                Some(ReservesMessage::new(e, s, r).context("--expect-*")?)
            }
            _ => None,
        };
        Ok(VerifyOptions {
            network: self.network.into(),
            legacy_policy: self.legacy_policy.into(),
            scheme,
            expected,
        })
    }
}

/// `por ownership verify`'s arguments, read and checked: the claim's owned
/// parts and the library's options.
struct VerifyConfig {
    chain: Chain,
    address: String,
    message: Vec<u8>,
    signature: String,
    signature2: Option<String>,
    redeem_script: Option<String>,
    options: VerifyOptions,
    json: bool,
}

impl TryFrom<&VerifyArgs> for VerifyConfig {
    type Error = anyhow::Error;

    fn try_from(a: &VerifyArgs) -> anyhow::Result<VerifyConfig> {
        // clap makes --message and --message-file exclusive, one required.
        let message = match (&a.message, &a.message_file) {
            (Some(m), _) => m.clone().into_bytes(),
            (None, Some(p)) => read_utf8_message(p)?,
            (None, None) => anyhow::bail!("give --message or --message-file"),
        };
        Ok(VerifyConfig {
            chain: a.chain,
            address: a.address.clone(),
            message,
            signature: a.signature.clone(),
            signature2: a.signature2.clone(),
            redeem_script: a.redeem_script.clone(),
            options: a.common.options(a.scheme.into())?,
            json: a.common.json,
        })
    }
}

impl VerifyConfig {
    fn claim(&self) -> OwnershipClaim<'_> {
        OwnershipClaim {
            chain: self.chain,
            address: &self.address,
            message: &self.message,
            signature: &self.signature,
            second_signature: self.signature2.as_deref(),
            redeem_script: self.redeem_script.as_deref(),
        }
    }
}

/// The bytes of a message file, which must be UTF-8.
/// The root `por ownership message` is for, from `--root`, `--tree` or
/// `--published`.
fn message_root(a: &MessageArgs) -> anyhow::Result<String> {
    if let Some(hex) = &a.root {
        return Ok(hex.clone());
    }
    if let Some(dir) = &a.tree {
        return Ok(crate::store::TreeDir::open(dir)?
            .summary
            .root
            .hash
            .to_string());
    }
    let p = a
        .published
        .as_deref()
        .context("one of --root, --tree or --published is required")?;
    let text =
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
    let published = por_attest::publication::PublishedRoot::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    Ok(published.root().to_string())
}

/// `por ownership message`: the exact text every reserve wallet signs for
/// this snapshot, and what custody must know about it (on stderr, so that
/// stdout is exactly the bytes to sign).
fn run_message(a: &MessageArgs) -> anyhow::Result<Outcome> {
    let root = message_root(a)?;
    let m = ReservesMessage::new(&a.exchange, &a.snapshot, &root)?;
    let text = m.to_text();
    match &a.out {
        Some(path) => crate::output::write_file_atomic(path, text.as_bytes())?,
        // The message has no trailing newline; print exactly its bytes.
        None => print!("{text}"),
    }
    if !a.quiet {
        let bytes = text.len();
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e);
        let _ = writeln!(
            e,
            "Sign exactly these {bytes} bytes with every reserve wallet: four lines joined by LF, no trailing newline."
        );
        let _ = writeln!(
            e,
            "- This message names liabilities root {}: every new tree (every snapshot) needs new signatures from every wallet, cold ones included.",
            hex::encode(m.root())
        );
        let _ = writeln!(
            e,
            "- `por attest` must be given --exchange {:?} and --snapshot {:?}, byte for byte.",
            m.exchange(),
            m.snapshot()
        );
        let _ = writeln!(
            e,
            "- Bitcoin: a BIP-322 signature (any address type) or a legacy signmessage one (P2PKH); EVM chains: personal_sign (EIP-191). Put each signature in the reserves file's `signature` column and leave `message` empty."
        );
        let _ = writeln!(
            e,
            "- Check each signature before sending it back: por ownership verify --chain CHAIN --address ADDR --message-file FILE --signature SIG --expect-exchange {:?} --expect-snapshot {:?} --expect-root {}",
            m.exchange(),
            m.snapshot(),
            hex::encode(m.root())
        );
        let _ = writeln!(e, "- Templates per wallet type: docs/custody.md.");
    }
    Ok(Outcome::Pass)
}

fn read_utf8_message(p: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes =
        std::fs::read(p).with_context(|| format!("reading message file {}", p.display()))?;
    String::from_utf8(bytes)
        .map(String::into_bytes)
        .map_err(|e| {
            anyhow!(
                "message file {} is not UTF-8 (bad byte at offset {})",
                p.display(),
                e.utf8_error().valid_up_to()
            )
        })
}

fn run_verify(c: &VerifyConfig) -> anyhow::Result<Outcome> {
    // The error may quote the address or signature given: escaped for the terminal.
    let verdict = ownership::verify(&c.claim(), &c.options)
        .map_err(|e| anyhow!("{}", term(&e.to_string())))?;
    let conclusion = verdict.outcome(&c.options);
    let legacy = c.options.legacy_policy.as_str();
    if c.json {
        let mut v = verdict_json(&verdict, legacy);
        v["format"] = json!("por-ownership-verdict-v1");
        v["binding_checked"] = json!(c.options.expected.is_some());
        v["outcome"] = json!(conclusion.as_str());
        println!("{v}");
    } else {
        print_verdict(&verdict, conclusion);
    }
    Ok(conclusion)
}

/// The text report of `por ownership verify`.
fn print_verdict(verdict: &Verdict, conclusion: Outcome) {
    let Verdict::Verified(v) = verdict else {
        println!("{}", term(&verdict.summary()));
        if let Verdict::NeedsNativeVerifier { .. } = verdict {
            println!(
                "INCOMPLETE: not checked: this script needs Bitcoin Core's interpreter, which this build lacks"
            );
        } else {
            println!("FAIL: the signature does not verify");
        }
        return;
    };
    println!("valid signature: {}", v.scheme());
    println!("address: {}", term(v.address()));
    println!("scheme: {}", v.scheme().id());
    match BindingCheck::of(v.binding()) {
        BindingCheck::Bound => {
            println!("bound to snapshot: yes ({})", term(&v.binding().describe()))
        }
        BindingCheck::NotBound => {
            println!("bound to snapshot: no ({})", term(&v.binding().describe()))
        }
        BindingCheck::NotChecked => {
            println!(
                "binding not checked: no expected snapshot given (pass --expect-exchange, --expect-snapshot and --expect-root)"
            );
            println!("message: {}", term(&v.binding().describe()));
        }
    }
    if let Some(c) = v.checker() {
        println!("checked by: {}", c.as_str());
    }
    for w in v.weaknesses() {
        println!("weakness: {}", w.id());
    }
    for f in v.funds() {
        println!(
            "proof of funds: {} sat in output {}:{}",
            f.value.to_sat(),
            f.outpoint.txid,
            f.outpoint.vout
        );
    }
    match conclusion {
        Outcome::Pass => println!("PASS: valid and bound to the expected snapshot"),
        Outcome::Incomplete => println!(
            "INCOMPLETE: the signature is valid for this address and message, but its binding to a snapshot was not checked"
        ),
        Outcome::Fail => println!("FAIL: valid, but not bound to the expected snapshot"),
    }
}

fn verdict_json(v: &Verdict, legacy_policy: &str) -> Value {
    match v {
        Verdict::Verified(ok) => json!({
            "verdict": "valid",
            "chain": ok.chain().as_str(),
            "address": ok.address(),
            "scheme": ok.scheme().id(),
            "scheme_description": ok.scheme().to_string(),
            "bound_to_snapshot": binding_json(BindingCheck::of(ok.binding())),
            "binding": ok.binding().describe(),
            "weaknesses": ok.weaknesses().iter().map(|w| w.id()).collect::<Vec<_>>(),
            "checked_by": ok.checker().map(|c| c.as_str()),
            "legacy_policy": legacy_policy,
            "proof_of_funds": ok.funds().iter().map(|f| json!({
                "txid": f.outpoint.txid.to_string(), "vout": f.outpoint.vout, "value_sat": f.value.to_sat().to_string(),
            })).collect::<Vec<_>>(),
        }),
        Verdict::Rejected(r) => json!({
            "verdict": "invalid",
            "schemes_tried": r.schemes_tried,
            "reason": r.reason.to_string(),
            "legacy_policy": legacy_policy,
        }),
        Verdict::NeedsNativeVerifier { script } => json!({
            "verdict": "needs-native-verifier",
            "script_type": script.as_str(),
        }),
        other => json!({ "verdict": "unknown", "detail": format!("{other:?}") }),
    }
}

fn row_json(row: &ClaimRow, v: &RowVerdict, legacy_policy: &str) -> Value {
    let mut out = match v {
        RowVerdict::Unsigned => json!({ "verdict": "unsigned" }),
        RowVerdict::Unsupported(why) => json!({ "verdict": "unsupported", "reason": why }),
        RowVerdict::Malformed(e) => json!({ "verdict": "malformed", "reason": e.to_string() }),
        RowVerdict::Checked { verdict, note } => {
            let mut j = verdict_json(verdict, legacy_policy);
            if let Some(n) = note {
                j["note"] = json!(n);
            }
            j
        }
        other => json!({ "verdict": "unknown", "detail": format!("{other:?}") }),
    };
    out["line"] = json!(row.line);
    out["chain"] = json!(row.chain_text);
    out["address"] = json!(row.address);
    out
}

/// `por ownership verify-file`'s arguments, read and checked: the claims
/// file parsed and the library's options.
struct VerifyFileConfig {
    file: PathBuf,
    layout: Layout,
    rows: Vec<ClaimRow>,
    options: VerifyOptions,
    json: bool,
}

impl TryFrom<&VerifyFileArgs> for VerifyFileConfig {
    type Error = anyhow::Error;

    fn try_from(a: &VerifyFileArgs) -> anyhow::Result<VerifyFileConfig> {
        let bytes =
            std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
        let (layout, rows) = read_claims(&bytes)
            .map_err(|e| anyhow!("{}: {}", a.file.display(), term(&e.to_string())))?;
        Ok(VerifyFileConfig {
            file: a.file.clone(),
            layout,
            rows,
            options: a.common.options(SchemeRequest::Auto)?,
            json: a.common.json,
        })
    }
}

fn run_verify_file(c: &VerifyFileConfig) -> anyhow::Result<Outcome> {
    let verdicts: Vec<RowVerdict> = c
        .rows
        .par_iter()
        .map(|r| verify_row(r, &c.options))
        .collect();
    let tally = FileTally::of(&verdicts, &c.options);
    let conclusion = tally.outcome();
    let legacy = c.options.legacy_policy.as_str();
    let summary = json!({
        "file": c.file.display().to_string(),
        "layout": c.layout.as_str(),
        "rows": c.rows.len(),
        "valid": tally.valid,
        "valid_but_weak": tally.valid_but_weak,
        "invalid": tally.invalid,
        "malformed": tally.malformed,
        "unsigned": tally.unsigned,
        "unsupported": tally.unsupported,
        "needs_native_verifier": tally.needs_native_verifier,
        "binding_checked": c.options.expected.is_some(),
        "valid_not_bound": tally.valid_not_bound,
        "valid_binding_unchecked": tally.valid_binding_unchecked,
        "legacy_policy": legacy,
    });
    if c.json {
        let rows_json: Vec<Value> = c
            .rows
            .iter()
            .zip(&verdicts)
            .map(|(r, v)| row_json(r, v, legacy))
            .collect();
        println!(
            "{}",
            json!({ "format": "por-ownership-file-v1", "summary": summary, "rows": rows_json })
        );
    } else {
        print_file_report(c, &verdicts, &tally, conclusion);
    }
    Ok(conclusion)
}

/// The text report of `por ownership verify-file`: one line per row, the
/// summary, the conclusion.
fn print_file_report(
    c: &VerifyFileConfig,
    verdicts: &[RowVerdict],
    tally: &FileTally,
    conclusion: Outcome,
) {
    println!(
        "{:<6} {:<14} {:<44} {:<10} {:<34} {:<9} detail",
        "line", "chain", "address", "verdict", "scheme", "bound"
    );
    for (r, v) in c.rows.iter().zip(verdicts) {
        let (verdict, scheme, bound, detail) = row_columns(v);
        println!(
            "{:<6} {:<14} {:<44} {:<10} {:<34} {:<9} {}",
            r.line,
            term(&r.chain_text),
            term(&r.address),
            verdict,
            scheme,
            bound,
            term(&detail)
        );
    }
    println!(
        "summary: {} rows ({}): {} valid ({} weak: not bound to a snapshot or raw digest), {} invalid, {} malformed, {} unsigned, {} unsupported, {} need the native verifier; legacy policy {}",
        c.rows.len(),
        c.layout.as_str(),
        tally.valid,
        tally.valid_but_weak,
        tally.invalid,
        tally.malformed,
        tally.unsigned,
        tally.unsupported,
        tally.needs_native_verifier,
        c.options.legacy_policy.as_str()
    );
    match conclusion {
        Outcome::Pass => println!("PASS: every row verified and bound to the expected snapshot"),
        Outcome::Fail => println!(
            "FAIL: {} invalid, {} malformed, {} valid but not bound to the expected snapshot",
            tally.invalid, tally.malformed, tally.valid_not_bound
        ),
        Outcome::Incomplete => println!(
            "INCOMPLETE: nothing failed, but not checked: {} valid signature(s) whose binding was not compared (no --expect-* given), {} unsigned, {} unsupported and {} needing the native verifier",
            tally.valid_binding_unchecked, tally.unsigned, tally.unsupported, tally.needs_native_verifier
        ),
    }
}

/// The verdict, scheme, bound and detail columns of one row.
fn row_columns(v: &RowVerdict) -> (&'static str, String, &'static str, String) {
    match v {
        RowVerdict::Checked {
            verdict: Verdict::Verified(ok),
            note,
        } => {
            let mut d: Vec<String> = ok
                .weaknesses()
                .iter()
                .map(|w| format!("weak: {}", w.id()))
                .collect();
            d.extend(note.clone());
            (
                "valid",
                ok.scheme().id(),
                binding_column(BindingCheck::of(ok.binding())),
                d.join("; "),
            )
        }
        RowVerdict::Checked {
            verdict: Verdict::Rejected(rj),
            ..
        } => (
            "INVALID",
            rj.schemes_tried.join("|"),
            "-",
            rj.reason.to_string(),
        ),
        RowVerdict::Checked { verdict, .. } => ("NATIVE", String::new(), "-", verdict.summary()),
        RowVerdict::Malformed(e) => ("MALFORMED", String::new(), "-", e.to_string()),
        RowVerdict::Unsigned => ("unsigned", String::new(), "-", String::new()),
        RowVerdict::Unsupported(why) => ("unsupported", String::new(), "-", why.clone()),
        other => ("unknown", String::new(), "-", format!("{other:?}")),
    }
}
