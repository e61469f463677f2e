//! The terminal summary: failed checks first, then counts per check, the
//! per-asset positions and where the reports were written.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use por_core::audit::{AuditReport, Status};
use por_core::Amount;

/// Renders the summary as text.
pub fn render(report: &AuditReport, verbose: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "por audit ({})", report.format);
    for a in &report.attestations {
        let _ = writeln!(
            o,
            "  {}: exchange {} snapshot {} ({}), {} reserve entries, {} customers, root {}, signature {}",
            a.name,
            a.exchange,
            a.snapshot,
            a.time,
            a.reserve_entries,
            a.customers,
            a.root,
            if a.signature_valid { "valid" } else { "INVALID" }
        );
    }
    for s in &report.sources {
        let _ = writeln!(
            o,
            "  chain data: {} height {} block {} from {}",
            s.chain, s.height, s.block_hash, s.source
        );
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
                c.subject,
                c.summary
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
    if !verbose {
        let not_checked: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.status == Status::NotChecked)
            .collect();
        if !not_checked.is_empty() {
            let _ = writeln!(o, "\nNot checked:");
            let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
            for c in &not_checked {
                *seen.entry((c.id, c.summary.as_str())).or_default() += 1;
            }
            for ((id, summary), n) in seen.iter().take(20) {
                let times = if *n > 1 {
                    format!(" (×{n})")
                } else {
                    String::new()
                };
                let _ = writeln!(o, "  {id}: {summary}{times}");
            }
        }
    }

    if !report.positions.is_empty() {
        let _ = writeln!(
            o,
            "\n{:<28} {:<6} {:>22} {:>22} {:>10} {:>22} {:>10} {:>8}",
            "ATTESTATION",
            "ASSET",
            "LIABILITIES",
            "RESERVES",
            "SOLVENCY",
            "CUSTOMER WALLETS",
            "SEGREG.",
            "COLD"
        );
        for p in &report.positions {
            let d = |a: Amount| a.display_in(p.decimals).to_string();
            let _ = writeln!(
                o,
                "{:<28} {:<6} {:>22} {:>22} {:>10} {:>22} {:>10} {:>8}",
                p.label,
                p.asset,
                d(p.liabilities),
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
        let _ = writeln!(
            o,
            "\nLiability reserve ({}): required ¥{}, held ¥{}, insurance credit ¥{}: {}",
            r.attestation, q.required_jpy, q.reserve_held_jpy, q.insurance_credit_jpy, q.label
        );
        for s in &r.stress {
            let _ = writeln!(
                o,
                "  stress {} {}: loss ¥{}, coverage {}",
                s.id,
                s.name,
                s.loss_jpy,
                s.coverage.map_or("-".to_owned(), |c| c.percent())
            );
        }
    }
    let _ = writeln!(
        o,
        "\n{}: {} passed, {} failed, {} not checked",
        if report.failed() { "FAIL" } else { "PASS" },
        report.totals.pass,
        report.totals.fail,
        report.totals.not_checked
    );
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
        writeln!(out, "JSON report: {}", p.display())?;
    }
    if let Some(p) = html {
        writeln!(out, "HTML report: {}", p.display())?;
    }
    Ok(())
}
