//! `por ownership ...`: the canonical reserves message, and checking that an
//! exchange controls its reserve wallets (one signature, or a whole file).

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};
use por_ownership::file::{read_claims, verify_row, ClaimRow, RowVerdict};
use por_ownership::{
    self as ownership, Chain, LegacyPolicy, Network, OwnershipClaim, ReservesMessage,
    SchemeRequest, Verdict, VerifyOptions,
};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::output::term;
use crate::Outcome;

/// What is known of a valid signature's binding to the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BindingCheck {
    /// The message is the canonical one of the expected snapshot (--expect-*).
    Bound,
    /// Bound elsewhere: another snapshot's canonical message, or not a
    /// canonical reserves message at all (reusable at any time).
    NotBound,
    /// No expected snapshot was given, so nothing was compared.
    NotChecked,
}

impl BindingCheck {
    fn of(binding: &ownership::Binding) -> BindingCheck {
        match binding {
            ownership::Binding::BoundToExpected(_) => BindingCheck::Bound,
            ownership::Binding::Canonical(_) => BindingCheck::NotChecked,
            _ => BindingCheck::NotBound,
        }
    }

    /// `bound_to_snapshot` in JSON: `null` when not checked.
    fn json(self) -> Value {
        match self {
            BindingCheck::Bound => json!(true),
            BindingCheck::NotBound => json!(false),
            BindingCheck::NotChecked => Value::Null,
        }
    }

    /// The `bound` column of `verify-file`.
    fn column(self) -> &'static str {
        match self {
            BindingCheck::Bound => "yes",
            BindingCheck::NotBound => "no",
            BindingCheck::NotChecked => "unchecked",
        }
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
pub struct MessageArgs {
    /// Exchange id.
    #[arg(long)]
    exchange: String,
    /// Snapshot label.
    #[arg(long)]
    snapshot: String,
    /// Liabilities root hash (64 hex digits).
    #[arg(long)]
    root: String,
}

/// A chain family on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ChainArg {
    Bitcoin,
    Ethereum,
    /// Legacy signed messages and OKX multisig only (also for the coins below).
    Litecoin,
    Dogecoin,
    Dash,
    BitcoinCash,
    BitcoinSv,
    /// TRON: TronWeb v1/v2 message signatures (scheme auto only).
    Tron,
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
    /// Chain family.
    #[arg(long, value_enum)]
    chain: ChainArg,
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
        OwnershipCommand::Message(a) => {
            let m = ReservesMessage::new(&a.exchange, &a.snapshot, &a.root)?;
            // The message has no trailing newline; print exactly its bytes.
            print!("{}", m.to_text());
            Ok(Outcome::Ok)
        }
        OwnershipCommand::Verify(a) => run_verify(&a),
        OwnershipCommand::VerifyFile(a) => run_verify_file(&a),
    }
}

fn options(c: &CommonArgs, scheme: SchemeRequest) -> anyhow::Result<VerifyOptions> {
    let expected = match (&c.expect_exchange, &c.expect_snapshot, &c.expect_root) {
        (Some(e), Some(s), Some(r)) => Some(ReservesMessage::new(e, s, r).context("--expect-*")?),
        _ => None,
    };
    Ok(VerifyOptions {
        network: match c.network {
            NetworkArg::Mainnet => Network::Bitcoin,
            NetworkArg::Testnet => Network::Testnet,
            NetworkArg::Signet => Network::Signet,
            NetworkArg::Regtest => Network::Regtest,
        },
        legacy_policy: match c.legacy_policy {
            PolicyArg::Permissive => LegacyPolicy::Permissive,
            PolicyArg::Bip137 => LegacyPolicy::Bip137Strict,
            PolicyArg::Core => LegacyPolicy::CoreP2pkhOnly,
        },
        scheme,
        expected,
    })
}

fn run_verify(a: &VerifyArgs) -> anyhow::Result<Outcome> {
    let message = match (&a.message, &a.message_file) {
        (Some(m), _) => m.clone().into_bytes(),
        (None, Some(p)) => {
            let bytes = std::fs::read(p)
                .with_context(|| format!("reading message file {}", p.display()))?;
            String::from_utf8(bytes)
                .map_err(|e| {
                    anyhow!(
                        "message file {} is not UTF-8 (bad byte at offset {})",
                        p.display(),
                        e.utf8_error().valid_up_to()
                    )
                })?
                .into_bytes()
        }
        (None, None) => bail!("give --message or --message-file"),
    };
    let scheme = match a.scheme {
        SchemeArg::Auto => SchemeRequest::Auto,
        SchemeArg::Bip322 => SchemeRequest::Bip322,
        SchemeArg::Legacy => SchemeRequest::Legacy,
        SchemeArg::OkxMultisig => SchemeRequest::OkxMultisig,
        SchemeArg::Eip191 => SchemeRequest::Eip191,
        SchemeArg::OkxEvm => SchemeRequest::OkxEvm,
        SchemeArg::HtxRawKeccak => SchemeRequest::HtxRawKeccak,
        SchemeArg::OkxOkc => SchemeRequest::OkxOkc,
    };
    let opts = options(&a.common, scheme)?;
    let chain = match a.chain {
        ChainArg::Bitcoin => Chain::Bitcoin,
        ChainArg::Ethereum => Chain::Ethereum,
        ChainArg::Litecoin => Chain::Litecoin,
        ChainArg::Dogecoin => Chain::Dogecoin,
        ChainArg::Dash => Chain::Dash,
        ChainArg::BitcoinCash => Chain::BitcoinCash,
        ChainArg::BitcoinSv => Chain::BitcoinSv,
        ChainArg::Tron => Chain::Tron,
    };
    let claim = OwnershipClaim {
        chain,
        address: &a.address,
        message: &message,
        signature: &a.signature,
        second_signature: a.signature2.as_deref(),
        redeem_script: a.redeem_script.as_deref(),
    };
    // The error may quote the address or signature given: escaped for the terminal.
    let verdict =
        ownership::verify(&claim, &opts).map_err(|e| anyhow!("{}", term(&e.to_string())))?;
    let legacy = opts.legacy_policy.as_str();
    // A valid signature passes only once its binding to the expected
    // snapshot was checked and holds; without --expect-* nothing was
    // compared, which is INCOMPLETE (exit 3), never a pass (docs/ownership.md).
    let outcome = match &verdict {
        Verdict::Verified(v) => match BindingCheck::of(v.binding()) {
            BindingCheck::Bound => Outcome::Ok,
            BindingCheck::NotBound if opts.expected.is_some() => Outcome::Failed,
            _ => Outcome::Incomplete,
        },
        // Not checked at all in this build: never a failure of the
        // signature, never a pass.
        Verdict::NeedsNativeVerifier { .. } => Outcome::Incomplete,
        // Rejected, and any verdict a later version adds: not a pass.
        _ => Outcome::Failed,
    };
    if a.common.json {
        let mut v = verdict_json(&verdict, legacy);
        v["format"] = json!("por-ownership-verdict-v1");
        v["binding_checked"] = json!(opts.expected.is_some());
        v["outcome"] = json!(match outcome {
            Outcome::Ok => "pass",
            Outcome::Incomplete => "incomplete",
            _ => "fail",
        });
        println!("{v}");
    } else if let Verdict::Verified(v) = &verdict {
        let check = BindingCheck::of(v.binding());
        println!("valid signature: {}", v.scheme());
        println!("address: {}", term(v.address()));
        println!("scheme: {}", v.scheme().id());
        match check {
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
        match outcome {
            Outcome::Ok => println!("PASS: valid and bound to the expected snapshot"),
            Outcome::Incomplete => println!(
                "INCOMPLETE: the signature is valid for this address and message, but its binding to a snapshot was not checked"
            ),
            _ => println!("FAIL: valid, but not bound to the expected snapshot"),
        }
    } else if let Verdict::NeedsNativeVerifier { .. } = verdict {
        println!("{}", term(&verdict.summary()));
        println!(
            "INCOMPLETE: not checked: this script needs Bitcoin Core's interpreter, which this build lacks"
        );
    } else {
        println!("{}", term(&verdict.summary()));
        println!("FAIL: the signature does not verify");
    }
    Ok(outcome)
}

fn verdict_json(v: &Verdict, legacy_policy: &str) -> Value {
    match v {
        Verdict::Verified(ok) => json!({
            "verdict": "valid",
            "chain": ok.chain().as_str(),
            "address": ok.address(),
            "scheme": ok.scheme().id(),
            "scheme_description": ok.scheme().to_string(),
            "bound_to_snapshot": BindingCheck::of(ok.binding()).json(),
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

fn run_verify_file(a: &VerifyFileArgs) -> anyhow::Result<Outcome> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let (layout, rows) = read_claims(&bytes)
        .map_err(|e| anyhow!("{}: {}", a.file.display(), term(&e.to_string())))?;
    let opts = options(&a.common, SchemeRequest::Auto)?;
    let verdicts: Vec<RowVerdict> = rows.par_iter().map(|r| verify_row(r, &opts)).collect();
    let legacy = opts.legacy_policy.as_str();
    let mut counts = [0usize; 6]; // valid, invalid, malformed, unsigned, unsupported, needs-native
    let mut weak = 0usize;
    let (mut not_bound, mut binding_unchecked) = (0usize, 0usize);
    for v in &verdicts {
        let i = match v {
            RowVerdict::Checked {
                verdict: Verdict::Verified(ok),
                ..
            } => {
                if !ok.weaknesses().is_empty() {
                    weak += 1;
                }
                match BindingCheck::of(ok.binding()) {
                    BindingCheck::Bound => {}
                    BindingCheck::NotBound if opts.expected.is_some() => not_bound += 1,
                    _ => binding_unchecked += 1,
                }
                0
            }
            RowVerdict::Checked {
                verdict: Verdict::NeedsNativeVerifier { .. },
                ..
            } => 5,
            RowVerdict::Checked { .. } => 1,
            RowVerdict::Malformed(_) => 2,
            RowVerdict::Unsigned => 3,
            _ => 4,
        };
        counts[i] += 1;
    }
    let summary = json!({
        "file": a.file.display().to_string(),
        "layout": layout.as_str(),
        "rows": rows.len(),
        "valid": counts[0],
        "valid_but_weak": weak,
        "invalid": counts[1],
        "malformed": counts[2],
        "unsigned": counts[3],
        "unsupported": counts[4],
        "needs_native_verifier": counts[5],
        "binding_checked": opts.expected.is_some(),
        "valid_not_bound": not_bound,
        "valid_binding_unchecked": binding_unchecked,
        "legacy_policy": legacy,
    });
    if a.common.json {
        let rows_json: Vec<Value> = rows
            .iter()
            .zip(&verdicts)
            .map(|(r, v)| row_json(r, v, legacy))
            .collect();
        println!(
            "{}",
            json!({ "format": "por-ownership-file-v1", "summary": summary, "rows": rows_json })
        );
    } else {
        println!(
            "{:<6} {:<14} {:<44} {:<10} {:<34} {:<9} detail",
            "line", "chain", "address", "verdict", "scheme", "bound"
        );
        for (r, v) in rows.iter().zip(&verdicts) {
            let (verdict, scheme, bound, detail) = match v {
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
                        BindingCheck::of(ok.binding()).column(),
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
                RowVerdict::Checked { verdict, .. } => {
                    ("NATIVE", String::new(), "-", verdict.summary())
                }
                RowVerdict::Malformed(e) => ("MALFORMED", String::new(), "-", e.to_string()),
                RowVerdict::Unsigned => ("unsigned", String::new(), "-", String::new()),
                RowVerdict::Unsupported(why) => ("unsupported", String::new(), "-", why.clone()),
                other => ("unknown", String::new(), "-", format!("{other:?}")),
            };
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
            rows.len(),
            layout.as_str(),
            counts[0],
            weak,
            counts[1],
            counts[2],
            counts[3],
            counts[4],
            counts[5],
            legacy
        );
    }
    // FAIL if any signed, supported row failed or was malformed, or (with
    // --expect-*) a valid signature is bound elsewhere. INCOMPLETE if
    // nothing failed but something was not checked: a binding with no
    // expected snapshot given, an unsigned or unsupported row, a script
    // that needs a verifier this build lacks. PASS only when every row was
    // checked and holds.
    let outcome = if counts[1] + counts[2] + not_bound > 0 {
        Outcome::Failed
    } else if binding_unchecked + counts[3] + counts[4] + counts[5] > 0 {
        Outcome::Incomplete
    } else {
        Outcome::Ok
    };
    if !a.common.json {
        println!(
            "{}",
            match outcome {
                Outcome::Ok => "PASS: every row verified and bound to the expected snapshot".to_owned(),
                Outcome::Failed => format!(
                    "FAIL: {} invalid, {} malformed, {} valid but not bound to the expected snapshot",
                    counts[1], counts[2], not_bound
                ),
                _ => format!(
                    "INCOMPLETE: nothing failed, but not checked: {binding_unchecked} valid signature(s) whose binding was not compared (no --expect-* given), {} unsigned, {} unsupported and {} needing the native verifier",
                    counts[3], counts[4], counts[5]
                ),
            }
        );
    }
    Ok(outcome)
}
