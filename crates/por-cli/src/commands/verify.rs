//! `por verify --proof FILE [--root HEX]`

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use por_core::{InclusionProof, NodeHash, RootCommitment};
use serde_json::json;

use crate::{inputs, output, Outcome};

/// Arguments of `por verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The customer's proof file (por-proof-v1 JSON).
    #[arg(long, value_name = "FILE")]
    proof: PathBuf,
    /// The root hash the exchange published (64 hex digits). Without it, the
    /// proof is checked against the root written inside the file, which you
    /// must then compare with the published one yourself.
    #[arg(long, value_name = "HEX", conflicts_with = "published")]
    root: Option<String>,
    /// The exchange's published root as printed by `por tree build --json`
    /// (`{"root", "height", "customers", "totals"}`): the hash, the height and
    /// every total are compared.
    #[arg(long, value_name = "FILE")]
    published: Option<PathBuf>,
    /// The exchange's published asset list (`BTC:8,ETH:18` or a TOML file).
    /// The root hash commits to amounts in base units, not to the symbols and
    /// decimals used to display them, so give it to check those too.
    #[arg(long, value_name = "SPEC|FILE")]
    assets: Option<String>,
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

    let published_assets = match &args.assets {
        Some(spec) => Some(inputs::assets(spec)?),
        None => None,
    };
    let (root, source) = if let Some(path) = &args.published {
        (published_root(path, &proof)?, RootSource::PublishedFile)
    } else if let Some(hex) = &args.root {
        let hash: NodeHash = hex
            .trim()
            .parse()
            .with_context(|| format!("--root {hex:?}"))?;
        // The published hash commits to the root's totals and height, so the
        // file's claimed totals and height are checked against it too.
        let root = RootCommitment {
            hash,
            ..proof.claimed_root().clone()
        };
        (root, RootSource::Hash)
    } else {
        (proof.claimed_root().clone(), RootSource::ProofFile)
    };
    let result = match &published_assets {
        Some(assets) => proof.verify_with_assets(assets, &root),
        None => proof.verify(&root),
    };
    let published = source != RootSource::ProofFile;
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
            "root_source": match source {
                RootSource::Hash => "argument",
                RootSource::PublishedFile => "published-file",
                RootSource::ProofFile => "proof-file",
            },
            "assets_checked": published_assets.is_some(),
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
    if source == RootSource::PublishedFile {
        writeln!(
            out,
            "Checked against the published root, height and totals in {}.",
            args.published
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )?;
    } else if published {
        writeln!(out, "Checked against the root given with --root.")?;
    } else {
        writeln!(
            out,
            "NOTE: checked against the root written in the proof file itself. Compare {} with the root your exchange published; only then is the check complete.",
            root.hash
        )?;
    }
    if published_assets.is_none() {
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
    Ok(if result.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RootSource {
    Hash,
    PublishedFile,
    ProofFile,
}

/// `{"root": "<hex>", "height": N, "customers": N, "totals": {"SYM": "<base units>"}}`
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishedRoot {
    root: NodeHash,
    height: u32,
    #[allow(
        dead_code,
        reason = "part of the published format; not needed to verify one proof"
    )]
    customers: u64,
    totals: std::collections::BTreeMap<String, String>,
}

/// Reads a published root file and orders its totals like the proof's
/// assets. A published asset set that differs from the proof's is left for
/// the verifier to report as an asset mismatch (exit 1), not an input error.
fn published_root(path: &std::path::Path, proof: &InclusionProof) -> Result<RootCommitment> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let p: PublishedRoot = serde_json::from_str(&text).with_context(|| {
        format!("{name}: expected {{\"root\", \"height\", \"customers\", \"totals\"}} as printed by `por tree build --json`")
    })?;
    let mut totals = std::collections::BTreeMap::new();
    for (symbol, v) in &p.totals {
        let amount = por_core::Amount::from_base_units_str(v)
            .with_context(|| format!("{name}: field `totals.{symbol}`"))?;
        totals.insert(symbol.as_str(), amount);
    }
    let sums: Vec<por_core::Amount> = if totals.len() == proof.assets().len() {
        proof
            .assets()
            .iter()
            .map_while(|a| totals.get(a.symbol()).copied())
            .collect()
    } else {
        Vec::new()
    };
    Ok(RootCommitment {
        hash: p.root,
        sums,
        height: p.height,
    })
}
