//! Steps (g) and (i): the regulator's audit of the demo exchange, through
//! `por_audit::audit::run` with the same inputs `por audit` gathers (the
//! attestation, the offline balances file, the balances export rebuilt with
//! the snapshot secret, the published proofs, the liability-reserve inputs,
//! a 95% cold minimum), and its HTML and JSON reports.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use por_audit::audit::{self, AuditInput, AuditReport, NamedText, RebuiltTree, ReserveRun, Status};
use por_tree::{AssetList, Ledger, LiabilitiesTree};

use crate::commands::audit as audit_cmd;
use crate::commands::reserve;
use crate::inputs;

/// Where the audit reads from.
pub struct Sources<'a> {
    /// The signed attestation.
    pub attestation: &'a Path,
    /// The offline balances file.
    pub balances: &'a Path,
    /// The balances export.
    pub liabilities: &'a Path,
    /// The snapshot secret.
    pub secret: &'a Path,
    /// A directory of customer proofs (`*.json`).
    pub proofs: &'a Path,
    /// The liability-reserve inputs.
    pub reserve_inputs: &'a Path,
}

fn read_text(p: &Path) -> Result<String> {
    fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
}

/// Runs the audit.
pub fn run(s: &Sources<'_>, assets: &AssetList) -> Result<AuditReport> {
    let mut input = AuditInput::default();
    input.attestations.push(NamedText {
        name: s.attestation.display().to_string(),
        text: read_text(s.attestation)?,
    });
    input.balances = Some(audit_cmd::read_balances_file(s.balances)?);

    // Rebuild the tree from the export, as an auditor given it would.
    let secret = inputs::secret(s.secret)?;
    let name = s.liabilities.display().to_string();
    let bytes = fs::read(s.liabilities).with_context(|| format!("cannot read {name}"))?;
    let ledger = Ledger::from_csv(&bytes, assets).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    drop(bytes);
    let (tree, _) = LiabilitiesTree::build(assets, &ledger, &secret)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    input.rebuilt = Some(RebuiltTree {
        assets: assets.clone(),
        root: tree.root(),
        customers: u64::try_from(ledger.len())?,
    });
    drop(tree);
    drop(ledger);

    let mut files: Vec<_> = fs::read_dir(s.proofs)
        .with_context(|| format!("cannot read {}", s.proofs.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut proofs = Vec::with_capacity(files.len());
    for f in files {
        proofs.push(NamedText {
            name: f.display().to_string(),
            text: read_text(&f)?,
        });
    }
    input.customer_proofs = Some(proofs);

    input.reserve = Some(ReserveRun {
        name: s.reserve_inputs.display().to_string(),
        bytes: fs::read(s.reserve_inputs)
            .with_context(|| format!("cannot read {}", s.reserve_inputs.display()))?,
        inputs: reserve::load_inputs(s.reserve_inputs)?,
        policies: reserve::load_policies(&[])?,
        scenarios: reserve::load_scenarios(&[])?,
    });
    input.min_cold_bp = Some(9_500);
    audit::run(&input).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The ids of the failed checks, each once, in report order.
pub fn failed_ids(report: &AuditReport) -> Vec<&'static str> {
    let mut ids = Vec::new();
    for c in &report.checks {
        if c.status == Status::Fail && !ids.contains(&c.id) {
            ids.push(c.id);
        }
    }
    ids
}

/// The failed checks' one-line summaries.
pub fn failures(report: &AuditReport) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| format!("{} {}: {}", c.id, c.subject, c.summary))
        .collect()
}

/// The HTML report, as `por audit --html` writes it.
pub fn html(report: &AuditReport) -> String {
    audit_cmd::html::render(report)
}
