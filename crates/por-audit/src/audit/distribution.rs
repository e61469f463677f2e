//! The audit of an administrator's distribution (`por-distribution-v1`,
//! `docs/distribution.md`): its signature, that it starts from the audited
//! attestation, that its claims and payouts rebuild from the register
//! (`por_distribute::recheck`), and that what it distributes was confirmed
//! on chain by this audit.

use serde_json::json;

use por_distribute::recheck::recheck;
use por_distribute::{StatementError, VerifiedStatement};
use por_tree::{Customers, LiabilitiesTree, SnapshotSecret};

use super::{check, AssetPosition, AuditError, Audited, Check, NamedText, Status, NO_EVIDENCE};

/// The register the distribution is rebuilt from: the liabilities tree the
/// auditor rebuilt from the export, its customers, and the snapshot secret.
#[derive(Debug)]
pub struct Register {
    /// The rebuilt liabilities tree.
    pub tree: LiabilitiesTree,
    /// Its customers in leaf order.
    pub customers: Customers,
    /// The snapshot secret.
    pub secret: SnapshotSecret,
}

/// A signed distribution to audit against the last attestation.
#[derive(Debug)]
pub struct DistributionRun {
    /// The statement (`por-distribution-v1`).
    pub statement: NamedText,
    /// The policy file it names (by hash).
    pub policy: NamedText,
    /// The register; `None` when no export and secret were given (the
    /// claims and payouts are then not checked).
    pub register: Option<Register>,
}

/// The checks of one distribution. Positions are the audit's, so only
/// what this audit confirmed on chain counts as available.
pub(super) fn distribution_checks(
    last: &Audited,
    positions: &[AssetPosition],
    last_index: usize,
    run: &DistributionRun,
    checks: &mut Vec<Check>,
) -> Result<(), AuditError> {
    let name = &run.statement.name;
    let statement = match VerifiedStatement::from_json(&run.statement.text) {
        Ok(s) => s,
        Err(e @ (StatementError::BadSignature | StatementError::MissingSignature)) => {
            checks.push(check(
                "distribution-signature",
                Status::Fail,
                name.clone(),
                format!("{e}; nothing in the distribution is trusted"),
                NO_EVIDENCE,
            ));
            return Ok(());
        }
        Err(e) => {
            return Err(AuditError::Distribution {
                name: name.clone(),
                message: e.to_string(),
            })
        }
    };
    let body = statement.body();
    checks.push(check(
        "distribution-signature",
        Status::Pass,
        name.clone(),
        format!(
            "BIP-340 signature by the administrator key the statement names verifies (fingerprint {}); whose key it is, compare with the one the administrator published",
            statement.key_fingerprint()
        ),
        [
            ("administrator_key", json!(body.administrator_key)),
            ("fingerprint", json!(statement.key_fingerprint())),
        ],
    ));
    let subject = format!("{name}: distribution of {}", last.label());
    if last.verified.is_none() {
        checks.push(check(
            "distribution-rebuild",
            Status::NotChecked,
            subject,
            "the attestation's signature failed: the distribution is not compared with it".into(),
            NO_EVIDENCE,
        ));
        return Ok(());
    }
    match &run.register {
        None => checks.push(check(
            "distribution-rebuild",
            Status::NotChecked,
            subject.clone(),
            "no balances export and secret given (--liabilities, --secret-file): the claims and payouts are not rebuilt".into(),
            NO_EVIDENCE,
        )),
        Some(reg) => {
            let id = last.parsed.id().to_hex();
            for f in recheck(
                body,
                &id,
                &reg.tree,
                &reg.customers,
                &reg.secret,
                &run.policy.text,
            ) {
                let check_id = match f.id {
                    "distribution.attestation" => "distribution-attestation",
                    "distribution.policy" => "distribution-policy",
                    _ => "distribution-rebuild",
                };
                checks.push(check(
                    check_id,
                    if f.passed { Status::Pass } else { Status::Fail },
                    subject.clone(),
                    f.detail,
                    [("policy_file", json!(run.policy.name))],
                ));
            }
        }
    }
    // What is distributed in kind must be there: at most the customer
    // assets this audit confirmed on chain, per asset.
    for line in &body.assets {
        let sub = format!("{name}: {} available", line.symbol);
        let available = line.totals.available;
        let Some(p) = positions
            .iter()
            .find(|p| p.attestation == last_index && p.asset == line.symbol)
        else {
            checks.push(check(
                "distribution-available",
                Status::Fail,
                sub,
                format!("{} is not an asset of the audited attestation", line.symbol),
                NO_EVIDENCE,
            ));
            continue;
        };
        let ev = [
            ("available", json!(available.to_string())),
            ("confirmed_customer", json!(p.customer.to_string())),
            (
                "unchecked_customer",
                json!(p.customer_unchecked.to_string()),
            ),
            ("source", json!(body.available_source)),
        ];
        let reachable = p.customer.checked_add(p.customer_unchecked);
        let (status, summary) = if available <= p.customer {
            (
                Status::Pass,
                format!(
                    "{available} ≤ {} confirmed on chain in customer wallets at the attested blocks (not at the time of the distribution)",
                    p.customer
                ),
            )
        } else if reachable.is_none_or(|r| available <= r) {
            (
                Status::NotChecked,
                format!(
                    "{available} > {} confirmed in customer wallets at the attested blocks; the rest of the customer wallets was not checked",
                    p.customer
                ),
            )
        } else {
            (
                Status::Fail,
                format!(
                    "{available} > {} confirmed (and {} unchecked) in customer wallets at the attested blocks: the distribution pays out more than this audit found",
                    p.customer, p.customer_unchecked
                ),
            )
        };
        checks.push(check("distribution-available", status, sub, summary, ev));
    }
    Ok(())
}
