//! `por verify --proof FILE [--root HEX | --published FILE] [--assets SPEC]`
//! `[--format NAME] [--tree FILE] [--account ID --nonce HEX | --account-nonce HEX]`
//!
//! The format is recognised by the file's structure (`por_interop::detect`)
//! or named with `--format`. por's own proofs (por-v1) keep the path below;
//! other exchanges' proofs are checked by `por_interop` (by each exchange's
//! own rule) and printed by `verify_interop.rs`.
//!
//! The publication is read and the proof checked by
//! `por_attest::publication` (the page's own path); this file formats.
//! Four outcomes, never conflated (the verdict is `por_tree::customer`'s,
//! shared with the browser page):
//! - VERIFIED (exit 0): consistent, and it matches the publication given;
//! - CONSISTENT, NOT COMPARED (exit 3): no publication given, so only the
//!   root written in the proof itself was checked;
//! - NOT VERIFIED (exit 1): the root differs from the publication, or the
//!   proof is inconsistent in itself;
//! - malformed input (exit 2).

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use por_attest::publication::{self, PublishedRoot, RootSource};
use por_interop::{detect, Format};
use por_tree::customer::{Comparison, CustomerCheck, CustomerVerdict, NotVerifiedCause};
use por_tree::{InclusionProof, NodeHash};
use serde_json::json;

use crate::output::term;
use crate::{inputs, output, Outcome};

/// Arguments of `por verify`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Formats (recognised by structure, or named with --format): por-v1, okx-v1, \
okx-v2 (--proof the user info file, --tree the full liabilities tree), bitget, bitunix, mexc, \
coinex, bitmex (--proof the published tree, with --account ID --nonce HEX from your account page), \
gate-zk and binance-zk (recognised, reported unverifiable). For other exchanges' formats the verdict \
is that exchange's own rule (docs/interop.md), and a publication is its root hash.

Exit status: 0 verified (consistent, and every published item given matches), \
3 consistent but not compared (no --root or --published given: not verified), or unverifiable, \
1 not verified (the publication differs, or the proof is inconsistent in itself), \
2 malformed input or unknown format."
)]
pub struct VerifyArgs {
    /// The customer's proof file: por-proof-v1 or por-proof-v2 JSON, another
    /// exchange's proof (see below), or an administrator's distribution
    /// proof (checked against the signed statement given with --published).
    #[arg(long, value_name = "FILE")]
    pub(crate) proof: PathBuf,
    /// The root hash the exchange published (64 hex digits). Without it (or
    /// --published), the proof is only checked against the root written
    /// inside the file: "consistent, not compared", exit 3, never verified.
    #[arg(long, value_name = "HEX", conflicts_with = "published")]
    pub(crate) root: Option<String>,
    /// What the exchange published: the tree summary printed by `por tree
    /// build --json` (`{"root", "height", "customers", "totals"}`), the
    /// signed attestation written by `por attest`, or a file holding the root
    /// hash. Every item it states is compared; an attestation only when its
    /// signature verifies against the key it names. For a v2 proof: the
    /// por-root-v2 file written by `por tree build --format v2`, or the
    /// signed attestation of a v2 tree (its root opening and signature are
    /// checked).
    #[arg(long, value_name = "FILE")]
    pub(crate) published: Option<PathBuf>,
    /// The exchange's published asset list (`BTC:8,ETH:18` or a TOML file).
    /// The root hash commits to amounts in base units, not to the symbols and
    /// decimals used to display them, so give it to check those too. An
    /// attestation states its own asset list. Not for a v2 proof: its root
    /// hash commits to the asset list.
    #[arg(long, value_name = "SPEC|FILE")]
    pub(crate) assets: Option<String>,
    /// The proof's format, instead of recognising it by its structure:
    /// por-v1, okx-v1, okx-v2, bitget, bitunix, mexc, coinex, bitmex,
    /// gate-zk, binance-zk.
    #[arg(long, value_name = "NAME")]
    pub(crate) format: Option<String>,
    /// okx-v2: OKX's full liabilities tree file (`hash,height,balances`
    /// lines); --proof is then your user info file.
    #[arg(long, value_name = "FILE")]
    pub(crate) tree: Option<PathBuf>,
    /// bitmex: your numeric account id (from your account page).
    #[arg(long, value_name = "ID")]
    pub(crate) account: Option<u64>,
    /// bitmex: the nonce of this snapshot from your account page (hex); it
    /// opens your leaves of the tree. Keep it private.
    #[arg(long, value_name = "HEX", conflicts_with = "account_nonce")]
    pub(crate) nonce: Option<String>,
    /// bitmex: your account's master nonce (hex), from which the snapshot's
    /// nonce is derived with --account and the block height. Keep it
    /// private.
    #[arg(long, value_name = "HEX", requires = "account")]
    pub(crate) account_nonce: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// What `por verify` and the page say a proof shows and does not show
/// (docs/wasm.md, www/src/app.js `box*`): every sentence must stay true of
/// format v1 (docs/tree-v1.md).
const WHAT_IT_PROVES: &[&str] = &[
    "What this proves and what it does not:",
    "  - VERIFIED means: your balances, as shown above, are counted in the total liabilities",
    "    of the tree whose root you gave (check that it is the one your exchange published).",
    "  - It does not show that the exchange holds the coins to cover them: that is the audit",
    "    of its reserves (por audit), not this check.",
    "  - A v1 proof shows other customers' balances, without their names: the first step of",
    "    the path is one other customer's exact balances (or zero, for padding), and each",
    "    further step the total of up to 2, 4, 8, ... customers. The number of steps (the tree",
    "    height) gives the customer count within a factor of 2. Other customers' proofs show",
    "    yours in the same way.",
];

pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    let name = args.proof.display().to_string();
    let bytes = fs::read(&args.proof).with_context(|| format!("cannot read {name}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    if is_v2(&text) {
        return super::tree_v2::verify(
            &name,
            &text,
            args.root.as_deref(),
            args.published.as_ref(),
            args.assets.is_some(),
            args.json,
        );
    }
    // The administrator's distribution proof: checked against the signed
    // statement, exactly as `por distribution verify` does.
    if args.format.is_none() && is_distribution_proof(&text) {
        return run_distribution(args, &name);
    }
    let format = match &args.format {
        Some(id) => Some(Format::from_id(id).ok_or_else(|| {
            let ids: Vec<&str> = Format::ALL.iter().map(|f| f.id()).collect();
            anyhow::anyhow!("--format {id:?}: not a known format ({})", ids.join(", "))
        })?),
        None => detect(&text).format(),
    };
    match format {
        Some(Format::PorV1) => {
            if args.tree.is_some()
                || args.account.is_some()
                || args.nonce.is_some()
                || args.account_nonce.is_some()
            {
                anyhow::bail!("{name}: a por-v1 proof holds everything it needs: --tree, --account, --nonce and --account-nonce are for other exchanges' formats");
            }
            run_por_v1(args, &name, &text)
        }
        Some(f) => super::verify_interop::run(args, &name, &text, f),
        None => {
            let d = detect(&text);
            let por_like = d.not_a_proof.is_none()
                && d.closest.first().is_none_or(|c| c.format == Format::PorV1);
            if por_like {
                // Nothing closer than por's own format: say what its reader
                // finds wrong too.
                if let Err(e) = InclusionProof::from_json(&text) {
                    anyhow::bail!("{name}: {d}; read as por's own format (por-proof-v1): {e}");
                }
            }
            anyhow::bail!("{name}: {d}")
        }
    }
}

/// Whether `text` is a JSON object whose `format` is
/// `por-distribution-proof-v1`.
fn is_distribution_proof(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| {
        v.get("format").and_then(serde_json::Value::as_str)
            == Some(por_distribute::proof::PROOF_FORMAT)
    })
}

/// A distribution proof given to `por verify`: `--published` is the
/// administrator's signed statement; nothing else applies.
fn run_distribution(args: &VerifyArgs, name: &str) -> Result<Outcome> {
    if args.root.is_some()
        || args.assets.is_some()
        || args.tree.is_some()
        || args.account.is_some()
        || args.nonce.is_some()
        || args.account_nonce.is_some()
    {
        anyhow::bail!("{name}: a distribution proof is checked against the administrator's signed statement: give it with --published (--root, --assets, --tree, --account and the nonces do not apply)");
    }
    let Some(statement) = &args.published else {
        println!(
            "INCOMPLETE: {name} is a distribution proof (por-distribution-proof-v1); nothing was compared: give the administrator's signed statement with --published statement.json (or use por distribution verify)."
        );
        return Ok(Outcome::Incomplete);
    };
    super::distribution::verify(
        &super::distribution::VerifyArgs {
            proof: args.proof.clone(),
            statement: statement.clone(),
            administrator_key: None,
        },
        &mut std::io::stdout().lock(),
    )
}

fn run_por_v1(args: &VerifyArgs, name: &str, text: &str) -> Result<Outcome> {
    let proof = InclusionProof::from_json(text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;

    let published_assets = match &args.assets {
        Some(spec) => Some(inputs::assets(spec)?),
        None => None,
    };
    let published = if let Some(path) = &args.published {
        let pname = path.display().to_string();
        let text = fs::read_to_string(path).with_context(|| format!("cannot read {pname}"))?;
        let p = PublishedRoot::parse(&text).map_err(|e| anyhow::anyhow!("{pname}: {e}"))?;
        if p.source() == RootSource::Attestation && published_assets.is_some() {
            anyhow::bail!(
                "--assets: {pname} is a signed attestation, which states the asset list itself; leave out --assets"
            );
        }
        Some(p)
    } else if let Some(hex) = &args.root {
        let hash: NodeHash = hex
            .trim()
            .parse()
            .with_context(|| format!("--root {hex:?}"))?;
        Some(PublishedRoot::Hash(hash))
    } else {
        None
    };
    let report = publication::check_proof(&proof, published.as_ref(), published_assets.as_ref());
    let check = &report.check;
    let outcome = match check.verdict {
        CustomerVerdict::Verified => Outcome::Pass,
        CustomerVerdict::ConsistentNotCompared => Outcome::Incomplete,
        CustomerVerdict::NotVerified(_) => Outcome::Fail,
    };
    let claimed = proof.claimed_root();
    let source = report.source;
    // The figures shown: what the proof leads to when verified (bound by the
    // published hash), otherwise what the file states.
    let shown = match (&check.verdict, &check.computed) {
        (CustomerVerdict::Verified, Some(c)) => c.clone(),
        _ => claimed.clone(),
    };
    let assets = proof.assets();
    let mut out = std::io::stdout().lock();

    if args.json {
        let by_symbol =
            |values: &[por_tree::Amount]| -> serde_json::Map<String, serde_json::Value> {
                assets
                    .iter()
                    .zip(values)
                    .map(|(a, b)| (a.symbol().to_owned(), json!(b.to_string())))
                    .collect()
            };
        let comparisons: serde_json::Map<String, serde_json::Value> = check
            .comparisons
            .items()
            .iter()
            .map(|(k, c)| ((*k).to_owned(), json!(c.as_str())))
            .collect();
        // The fields every format's report has (docs/interop.md); the
        // verdict keeps por-v1's own three values.
        let weaknesses = por_interop::por_v1_weaknesses(source);
        let v = json!({
            "format": Format::PorV1.id(),
            "exchange": Format::PorV1.exchange(),
            "compared_with_publication": source != RootSource::Proof,
            "reason": match check.verdict {
                CustomerVerdict::NotVerified(c) => Some(check.failure.as_ref().map_or_else(|| c.as_str().to_owned(), |f| f.message.clone())),
                _ => None,
            },
            "weaknesses": weaknesses.iter().map(|w| w.id()).collect::<Vec<_>>(),
            "verdict": check.verdict.as_str(),
            "verified": check.verdict == CustomerVerdict::Verified,
            "cause": match check.verdict {
                CustomerVerdict::NotVerified(c) => Some(c.as_str()),
                _ => None,
            },
            "failure": check.failure.as_ref().map(|e| json!({"kind": e.kind, "level": e.level, "message": e.message})),
            "comparisons": comparisons,
            "user_id": proof.user_id(),
            "balances": by_symbol(proof.balances()),
            "root": report.checked_root.to_string(),
            "proof_root": claimed.hash.to_string(),
            "computed_root": check.computed.as_ref().map(|c| c.hash.to_string()),
            "height": shown.height,
            "totals": by_symbol(&shown.sums),
            "root_source": source.as_str(),
            "customers": report.customers,
            "attestation": published.as_ref().and_then(PublishedRoot::attestation).map(|a| json!({
                "exchange": a.body().exchange.id,
                "public_key": a.body().exchange.public_key,
                "signature_valid": a.signature().is_ok(),
                "signature_error": a.signature().err().map(ToString::to_string),
                "fingerprint": a.signature().ok(),
                "snapshot_label": a.body().snapshot.label,
                "snapshot_time": a.body().snapshot.time,
                "id": a.id(),
            })),
            "assets_checked": check.comparisons.assets != Comparison::NotGiven,
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(outcome);
    }

    let user = term(proof.user_id());
    match check.verdict {
        CustomerVerdict::Verified => writeln!(
            out,
            "VERIFIED: the balances of \"{user}\" are included in the liabilities tree whose root you gave; every published item given matches."
        )?,
        CustomerVerdict::ConsistentNotCompared => {
            writeln!(
                out,
                "CONSISTENT, NOT COMPARED (not verified): the proof of \"{user}\" leads to the root written in the file itself, but it was not compared with anything your exchange published. Any self-consistent file (from a fake site, or an old tree) gets this far."
            )?;
            writeln!(
                out,
                "  To verify it: compare the root hash {} with the root hash your exchange published (on its website, in its tree summary or its signed attestation), or run again with --root HEX or --published FILE (its tree summary, its signed attestation, or the root hash).",
                claimed.hash
            )?;
        }
        CustomerVerdict::NotVerified(cause) => {
            write_not_verified(&mut out, check, cause, report.signature_error.as_ref())?;
        }
    }
    output::write_amounts(&mut out, "  balances  ", assets, proof.balances())?;
    output::write_amounts(&mut out, "  totals    ", assets, &shown.sums)?;
    writeln!(out, "  root      {}", shown.hash)?;
    if let Some(p) = published.as_ref().filter(|p| p.root() != shown.hash) {
        writeln!(out, "  published {} (the root you gave)", p.root())?;
    }
    writeln!(
        out,
        "  height    {} (leaf index {})",
        shown.height,
        proof.index()
    )?;
    let file_name = args
        .published
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let file = || term(&file_name);
    match source {
        RootSource::PublishedSummary => writeln!(
            out,
            "Checked against the published root, height and totals (and customer count) in {}.",
            file()
        )?,
        RootSource::PublishedHash if args.published.is_some() => writeln!(
            out,
            "Checked against the root hash in {} (height and totals not published in that form).",
            file()
        )?,
        RootSource::PublishedHash => writeln!(out, "Checked against the root given with --root.")?,
        RootSource::Attestation => {
            let a = published.as_ref().and_then(PublishedRoot::attestation);
            if let Some(a) = a {
                let body = a.body();
                writeln!(
                    out,
                    "Checked against the signed attestation in {} (exchange \"{}\", snapshot \"{}\" at {}).",
                    file(),
                    term(&body.exchange.id),
                    term(&body.snapshot.label),
                    term(&body.snapshot.time.to_string())
                )?;
                match a.signature() {
                    Ok(fingerprint) => writeln!(
                        out,
                        "  Its signature verifies against the key it names (fingerprint {fingerprint}). That shows the document is intact, not whose key it is: compare the fingerprint with the one your exchange publishes."
                    )?,
                    Err(e) => writeln!(
                        out,
                        "  Its signature does NOT verify ({e}); nothing in it was compared."
                    )?,
                }
            }
        }
        RootSource::Proof => writeln!(
            out,
            "Checked only against the root written in the proof file: no publication given."
        )?,
    }
    writeln!(out, "Compared with the publication:")?;
    for (label, c, hint) in [
        (
            "root hash",
            check.comparisons.root_hash,
            "give --root or --published",
        ),
        ("height", check.comparisons.height, "give --published"),
        ("totals", check.comparisons.totals, "give --published"),
        ("asset list", check.comparisons.assets, "give --assets"),
        ("customers", check.comparisons.customers, "give --published"),
    ] {
        let what = match c {
            Comparison::Matches => "matches".to_owned(),
            Comparison::Differs => "DIFFERS".to_owned(),
            Comparison::NotGiven if label == "asset list" && args.assets.is_some() => {
                "not compared (an asset list is compared only with a published root)".to_owned()
            }
            Comparison::NotGiven => format!("not given ({hint})"),
        };
        writeln!(out, "  {label:<11} {what}")?;
    }
    if check.comparisons.assets == Comparison::NotGiven {
        let list: Vec<String> = assets
            .iter()
            .map(|a| format!("{} {} decimals", a.symbol(), a.decimals()))
            .collect();
        writeln!(
            out,
            "NOTE: amounts are shown with the proof file's own asset list ({}); the root commits to base units only, so check this list against your exchange's (or pass --assets).",
            list.join(", ")
        )?;
    }
    for line in WHAT_IT_PROVES {
        writeln!(out, "{line}")?;
    }
    Ok(outcome)
}

/// Whether a proof file says it is `por-proof-v2` (its other fields are
/// then read by the v2 parser, which names any error).
fn is_v2(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Tag {
        format: Option<String>,
    }
    serde_json::from_str::<Tag>(text)
        .ok()
        .and_then(|t| t.format)
        .is_some_and(|f| f == por_tree::v2::proof::PROOF_FORMAT_V2)
}

fn write_not_verified(
    out: &mut impl Write,
    check: &CustomerCheck,
    cause: NotVerifiedCause,
    signature: Option<&por_attest::SignatureError>,
) -> Result<()> {
    let headline = match cause {
        NotVerifiedCause::RootDiffers => "the publication you gave differs from the proof",
        NotVerifiedCause::ProofInconsistent => "the proof is inconsistent in itself",
        NotVerifiedCause::PublicationUntrusted => "the publication you gave cannot be trusted",
    };
    writeln!(out, "NOT VERIFIED: {headline}.")?;
    if let Some(f) = &check.failure {
        writeln!(out, "  ({}) {}.", f.kind, f.message)?;
    } else if let Some(e) = signature {
        writeln!(out, "  ({}) {e}.", e.kind())?;
    }
    let meaning = match cause {
        NotVerifiedCause::RootDiffers => {
            "The proof leads to the root written in it, but that is not the publication you gave: a proof of another tree or snapshot, or a wrong publication."
        }
        NotVerifiedCause::ProofInconsistent => {
            "The proof does not lead to the root it states itself: a balance, a sibling on the path or the stated root was changed or damaged."
        }
        NotVerifiedCause::PublicationUntrusted => {
            "The attestation was changed after it was signed, or was not signed by the key it names. Nothing in it was compared."
        }
    };
    writeln!(out, "  {meaning}")?;
    if let Some(c) = check.computed.as_ref().filter(|_| !check.self_consistent) {
        writeln!(
            out,
            "  The proof leads to root {}, not to the root written in it.",
            c.hash
        )?;
    }
    writeln!(
        out,
        "  What to do: download your proof file again from your exchange and check again; if it still fails, contact your exchange, and keep this file."
    )?;
    Ok(())
}
