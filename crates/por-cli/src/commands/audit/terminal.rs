//! The terminal summary: the outcome first, then what was not checked and
//! why, the failed checks, counts per check, the per-asset positions
//! (claimed and confirmed) and where the reports were written. Every string
//! that comes from an input (exchange id, snapshot label, addresses, file
//! names, sources) goes through [`term`], so it cannot forge a line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use por_audit::audit::{AuditReport, Outcome, Status};
use por_tree::Amount;

use crate::output::term;

/// How many subjects to show per not-checked reason without `--verbose`.
const SUBJECTS_SHOWN: usize = 10;

/// The outcome line: `PASS: …`, `FAIL: …` or `INCOMPLETE: …`.
pub fn outcome_line(report: &AuditReport) -> String {
    let t = &report.totals;
    let what = match report.outcome {
        Outcome::Pass => "every check ran and passed",
        Outcome::Fail => "a check failed",
        Outcome::Incomplete => {
            "nothing failed, but not everything could be checked (see \"Not checked\"); what was not confirmed counts for nothing"
        }
    };
    format!(
        "{}: {} passed, {} failed, {} not checked: {what}",
        report.outcome.as_str().to_ascii_uppercase(),
        t.pass,
        t.fail,
        t.not_checked
    )
}

/// Renders the summary as text.
pub fn render(report: &AuditReport, verbose: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", outcome_line(report));
    let _ = writeln!(o, "\npor audit ({})", report.format);
    for a in &report.attestations {
        let _ = writeln!(
            o,
            "  {}: exchange {} snapshot {} ({}), {} reserve entries, {}, root {}, signature {}",
            term(&a.name),
            term(&a.exchange),
            term(&a.snapshot),
            term(&a.time),
            a.reserve_entries,
            a.customers.map_or_else(
                || "tree format v2 (customer count hidden)".to_owned(),
                |n| format!("{n} customers")
            ),
            term(&a.root),
            if a.signature_valid {
                "valid"
            } else {
                "INVALID"
            }
        );
    }
    for s in &report.sources {
        let _ = writeln!(
            o,
            "  chain data: {} height {} block {} from {}",
            term(&s.chain),
            s.height,
            term(&s.block_hash),
            term(&s.source)
        );
    }
    if report.sources.is_empty() {
        let _ = writeln!(o, "  chain data: none used");
    }

    if !report.not_checked.is_empty() {
        let _ = writeln!(
            o,
            "\nNot checked ({}): each counts for nothing; add what is named to check it",
            report.totals.not_checked
        );
        for u in &report.not_checked {
            let _ = writeln!(
                o,
                "  {} ({}): {}",
                u.check,
                u.subjects.len(),
                term(&u.reason)
            );
            let shown = if verbose {
                u.subjects.len()
            } else {
                SUBJECTS_SHOWN
            };
            for s in u.subjects.iter().take(shown) {
                let _ = writeln!(o, "    {}", term(s));
            }
            if u.subjects.len() > shown {
                let _ = writeln!(
                    o,
                    "    … and {} more (all in --verbose, --json, --html)",
                    u.subjects.len() - shown
                );
            }
        }
    }

    let listed: Vec<_> = report
        .checks
        .iter()
        .filter(|c| verbose || c.status == Status::Fail)
        .collect();
    if !listed.is_empty() {
        let _ = writeln!(
            o,
            "\n{:<12} {:<20} {:<48} DETAIL",
            "STATUS", "CHECK", "SUBJECT"
        );
        for c in listed {
            let _ = writeln!(
                o,
                "{:<12} {:<20} {:<48} {}",
                c.status.as_str().to_uppercase(),
                c.id,
                term(&c.subject),
                term(&c.summary)
            );
        }
    }

    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for c in &report.checks {
        let e = counts.entry(c.id).or_default();
        match c.status {
            Status::Pass => e.0 += 1,
            Status::Fail => e.1 += 1,
            Status::NotChecked => e.2 += 1,
        }
    }
    let _ = writeln!(
        o,
        "\n{:<20} {:>8} {:>8} {:>12}",
        "CHECK", "PASS", "FAIL", "NOT CHECKED"
    );
    for (id, (p, f, n)) in &counts {
        let _ = writeln!(o, "{id:<20} {p:>8} {f:>8} {n:>12}");
    }

    if !report.positions.is_empty() {
        let _ = writeln!(
            o,
            "\nReserves: \"claimed\" is what the attestation says; \"confirmed\" is what por observed on chain \
             for wallets whose ownership it verified, and is all that counts."
        );
        let _ = writeln!(
            o,
            "{:<28} {:<6} {:>22} {:>22} {:>22} {:>10} {:>22} {:>10} {:>8}",
            "ATTESTATION",
            "ASSET",
            "LIABILITIES",
            "CLAIMED",
            "CONFIRMED",
            "SOLVENCY",
            "CUSTOMER CONFIRMED",
            "SEGREG.",
            "COLD"
        );
        for p in &report.positions {
            let d = |a: Amount| a.display_in(p.decimals).to_string();
            let _ = writeln!(
                o,
                "{:<28} {:<6} {:>22} {:>22} {:>22} {:>10} {:>22} {:>10} {:>8}",
                term(&p.label),
                term(&p.asset),
                d(p.liabilities),
                d(p.claimed),
                d(p.reserves),
                p.solvency_ratio.as_deref().unwrap_or("-"),
                d(p.customer),
                p.segregation_ratio.as_deref().unwrap_or("-"),
                p.cold_share.as_deref().unwrap_or("-")
            );
        }
    }
    if let Some(r) = &report.reserve {
        let q = &r.report.requirement;
        let verdict = report
            .checks
            .iter()
            .find(|c| c.id == "reserve-requirement")
            .map_or("", |c| c.status.as_str());
        let _ = writeln!(
            o,
            "\nLiability reserve ({}, confirmed wallets only): {} [{verdict}]",
            term(&r.attestation),
            q.verdict_line(),
        );
        for s in &r.stress {
            let _ = writeln!(
                o,
                "  stress {} {}: loss ¥{}, coverage {}",
                term(&s.id),
                term(&s.name),
                s.loss_jpy,
                s.coverage.map_or("-".to_owned(), |c| c.percent())
            );
        }
    }
    let _ = writeln!(o, "\n{}", outcome_line(report));
    o
}

pub fn print(
    report: &AuditReport,
    verbose: bool,
    json: Option<&Path>,
    html: Option<&Path>,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(render(report, verbose).as_bytes())?;
    if let Some(p) = json {
        writeln!(out, "JSON report: {}", term(&p.display().to_string()))?;
    }
    if let Some(p) = html {
        writeln!(out, "HTML report: {}", term(&p.display().to_string()))?;
    }
    Ok(())
}
