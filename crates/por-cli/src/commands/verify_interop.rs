//! `por verify` for other exchanges' proofs: reads the files the format
//! needs, calls `por_interop::check` (each exchange's own rule, and the
//! comparison with the root the customer gives), and prints the report
//! (docs/interop.md). The verdict and the weaknesses are the library's;
//! this file only formats them.

use std::fs;
use std::io::Write;

use anyhow::{Context, Result};
use por_interop::{Customer, Format, Input, Published, Report, Verdict, REPORT_VERSION};
use serde_json::json;

use super::verify::VerifyArgs;
use crate::output::term;
use crate::Outcome;

fn hex_arg(flag: &str, s: &str) -> Result<Vec<u8>> {
    let t = s.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    hex::decode(t).map_err(|_| anyhow::anyhow!("{flag}: expected hex digits, got {s:?}"))
}

fn read_text(path: &std::path::Path, what: &str) -> Result<String> {
    let name = path.display().to_string();
    let bytes = fs::read(path).with_context(|| format!("cannot read {name} ({what})"))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

pub fn run(args: &VerifyArgs, name: &str, text: &str, format: Format) -> Result<Outcome> {
    if args.assets.is_some() {
        anyhow::bail!(
            "--assets is for por-v1 proofs; {} proofs state their assets by symbol",
            format.id()
        );
    }
    let customer = Customer {
        account: args.account,
        nonce: args
            .nonce
            .as_deref()
            .map(|n| hex_arg("--nonce", n))
            .transpose()?,
        account_nonce: args
            .account_nonce
            .as_deref()
            .map(|n| hex_arg("--account-nonce", n))
            .transpose()?,
    };
    let tree = args
        .tree
        .as_deref()
        .map(|p| read_text(p, "--tree"))
        .transpose()?;
    let published_text = args
        .published
        .as_deref()
        .map(|p| read_text(p, "--published"))
        .transpose()?;
    let published = match (&args.root, &published_text) {
        (Some(r), _) => Published::Root(r),
        (None, Some(t)) => Published::File(t),
        (None, None) => Published::Nothing,
    };
    let input = Input {
        proof: text,
        tree: tree.as_deref(),
        customer: &customer,
        published,
    };
    let report =
        por_interop::check(&input, Some(format)).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &to_json(&report))?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &report)?;
    }
    Ok(match report.exit_code() {
        0 => Outcome::Pass,
        1 => Outcome::Fail,
        _ => Outcome::Incomplete,
    })
}

/// The versioned JSON report (docs/interop.md).
pub fn to_json(r: &Report) -> serde_json::Value {
    let balances: serde_json::Map<String, serde_json::Value> = r
        .balances
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "version": REPORT_VERSION,
        "format": r.format.id(),
        "exchange": r.format.exchange(),
        "verdict": r.verdict.as_str(),
        "step": match &r.verdict { Verdict::Invalid { step, .. } => Some(step.as_str()), _ => None },
        "reason": r.verdict.reason(),
        "compared_with_publication": r.compared_with_publication,
        "weaknesses": r.weaknesses.iter().map(|w| w.id()).collect::<Vec<_>>(),
        "weakness_details": r.weaknesses.iter().map(|w| json!({"id": w.id(), "en": w.en(), "ja": w.ja()})).collect::<Vec<_>>(),
        "balances": balances,
        "root": r.root,
        "notes": r.notes,
    })
}

fn write_text(out: &mut impl Write, r: &Report) -> Result<()> {
    let who = format!(
        "{}'s own rule (format {})",
        r.format.exchange(),
        r.format.id()
    );
    match (&r.verdict, r.compared_with_publication) {
        (Verdict::Valid, true) => writeln!(
            out,
            "VALID: {who} accepts this proof, and it leads to the root you gave."
        )?,
        (Verdict::Valid, false) => {
            writeln!(
                out,
                "VALID BY THE FILE ALONE, NOT COMPARED (not verified): {who} accepts this proof, but the root it leads to was not compared with anything the exchange published. Any self-consistent file gets this far."
            )?;
            if r.root.is_some() {
                writeln!(
                    out,
                    "  To verify it: compare the root below with the root hash your exchange published, or run again with --root HEX or --published FILE (a file holding that root hash)."
                )?;
            }
        }
        (Verdict::Invalid { step, reason }, _) => writeln!(
            out,
            "INVALID: {who} rejects this proof at step {step}: {}.",
            term(reason)
        )?,
        (Verdict::Unverifiable { reason }, _) => writeln!(
            out,
            "UNVERIFIABLE: recognised as {}'s format ({}), but not checked: {}.",
            r.format.exchange(),
            r.format.id(),
            term(reason)
        )?,
    }
    if !r.balances.is_empty() {
        let list: Vec<String> = r
            .balances
            .iter()
            .map(|(k, v)| format!("{} {}", term(v), term(k)))
            .collect();
        writeln!(
            out,
            "  balances  {} (as the proof states them)",
            list.join(", ")
        )?;
    }
    if let Some(root) = &r.root {
        writeln!(out, "  root      {root}")?;
    }
    for n in &r.notes {
        writeln!(out, "  {}", term(n))?;
    }
    if !r.weaknesses.is_empty() {
        writeln!(
            out,
            "Weaknesses of this format (they do not change the verdict):"
        )?;
        for w in &r.weaknesses {
            writeln!(out, "  - {}: {}", w.id(), w.en())?;
            writeln!(out, "    {}", w.ja())?;
        }
    }
    writeln!(
        out,
        "This checks your own entry in the exchange's liabilities, not that the exchange holds the coins to cover them."
    )?;
    Ok(())
}
