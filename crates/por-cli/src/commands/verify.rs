//! `por verify --proof FILE [--root HEX]`

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use por_core::{InclusionProof, NodeHash, RootCommitment};
use serde_json::json;

use crate::{output, Outcome};

/// Arguments of `por verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The customer's proof file (por-proof-v1 JSON).
    #[arg(long, value_name = "FILE")]
    proof: PathBuf,
    /// The root hash the exchange published (64 hex digits). Without it, the
    /// proof is checked against the root written inside the file, which you
    /// must then compare with the published one yourself.
    #[arg(long, value_name = "HEX")]
    root: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    let name = args.proof.display().to_string();
    let bytes = fs::read(&args.proof).with_context(|| format!("cannot read {name}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let proof = InclusionProof::from_json(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;

    let published: Option<NodeHash> = match &args.root {
        Some(hex) => Some(
            hex.trim()
                .parse()
                .with_context(|| format!("--root {hex:?}"))?,
        ),
        None => None,
    };
    // The published root hash commits to the totals and height, so with
    // `--root` we check the file's claimed totals and height against it too.
    let root = RootCommitment {
        hash: published.unwrap_or(proof.claimed_root().hash),
        ..proof.claimed_root().clone()
    };
    let result = proof.verify(&root);
    let assets = proof.assets();
    let mut out = std::io::stdout().lock();

    if args.json {
        let balances: serde_json::Map<String, serde_json::Value> = assets
            .iter()
            .zip(proof.balances())
            .map(|(a, b)| (a.symbol().to_owned(), json!(b.to_string())))
            .collect();
        let totals: serde_json::Map<String, serde_json::Value> = assets
            .iter()
            .zip(&root.sums)
            .map(|(a, b)| (a.symbol().to_owned(), json!(b.to_string())))
            .collect();
        let v = json!({
            "verified": result.is_ok(),
            "failure": result.as_ref().err().map(|e| json!({"kind": e.kind(), "level": e.level(), "message": e.to_string()})),
            "user_id": proof.user_id(),
            "balances": balances,
            "root": root.hash.to_string(),
            "height": root.height,
            "totals": totals,
            "root_source": if published.is_some() { "argument" } else { "proof-file" },
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(if result.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Failed
        });
    }

    match &result {
        Ok(_) => writeln!(
            out,
            "VERIFIED: the balances of {:?} are included in the liabilities tree.",
            proof.user_id()
        )?,
        Err(e) => {
            writeln!(out, "NOT VERIFIED: {e}.")?;
            writeln!(
                out,
                "  ({}) The proof does not show that these balances are counted.",
                e.kind()
            )?;
        }
    }
    output::write_amounts(&mut out, "  balances  ", assets, proof.balances())?;
    output::write_amounts(&mut out, "  totals    ", assets, &root.sums)?;
    writeln!(out, "  root      {}", root.hash)?;
    writeln!(
        out,
        "  height    {} (leaf index {})",
        root.height,
        proof.index()
    )?;
    if published.is_some() {
        writeln!(out, "Checked against the root given with --root.")?;
    } else {
        writeln!(
            out,
            "NOTE: checked against the root written in the proof file itself. Compare {} with the root your exchange published; only then is the check complete.",
            root.hash
        )?;
    }
    Ok(if result.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
