//! Rechecking a signed distribution from the exchange's records: what an
//! auditor (`por audit --distribution`, `por_audit::audit::distribution`) runs after rebuilding the
//! liabilities tree of the attestation the statement names.
//!
//! Every input of the plan is either in the statement (available, de-minimis,
//! the top-up's pool and prices) or in the policy file whose hash it states
//! (the holdback), so the distribution tree can be rebuilt bit for bit and
//! its root compared with the statement's. Any changed claim, payout, held
//! or retained amount, total, customer or leaf order changes that root.
//! Whether the available amounts were on chain is not checked here: the
//! caller compares `StatementBody::assets[j].totals.available` with the
//! balances it confirmed.

use por_tree::{Amount, Customers, LiabilitiesTree, SnapshotSecret};
use sha2::{Digest, Sha256};

use crate::allocate::Price;
use crate::plan::{Plan, PlanInput, TopUp, VALUES_PER_COLUMN};
use crate::policy::Policy;
use crate::statement::StatementBody;
use crate::tree::{dpad_key, DistributionTree};

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable id (`distribution.root`).
    pub id: &'static str,
    /// Whether it passed.
    pub passed: bool,
    /// What was compared, and what differed.
    pub detail: String,
}

fn finding(id: &'static str, passed: bool, detail: String) -> Finding {
    Finding { id, passed, detail }
}

/// Rechecks `statement` against the attestation it should start from
/// (`attestation_id`, hex), the liabilities tree rebuilt from the export
/// (`liabilities`, `customers`, under `secret`) and the policy file's text.
///
/// The findings, in order: `distribution.attestation` (the statement names
/// this attestation and its liabilities root), `distribution.policy` (the
/// policy's SHA-256, and its terms are the statement's), and, when the plan
/// can be rebuilt, `distribution.root` (the rebuilt distribution tree's
/// root, sums and height are the statement's). Never panics; a policy that
/// does not parse or resolve is a failed `distribution.policy` and no root
/// check.
#[must_use]
pub fn recheck(
    statement: &StatementBody,
    attestation_id: &str,
    liabilities: &LiabilitiesTree,
    customers: &Customers,
    secret: &SnapshotSecret,
    policy_text: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let lroot = liabilities.root();
    let same_attestation = statement.attestation.id == attestation_id
        && statement.attestation.liabilities_root == lroot.hash;
    out.push(finding(
        "distribution.attestation",
        same_attestation,
        format!(
            "statement names attestation {} with liabilities root {}; the audited attestation is {} and its rebuilt root {}",
            statement.attestation.id, statement.attestation.liabilities_root, attestation_id, lroot.hash
        ),
    ));

    let assets = liabilities.assets();
    let hash = hex::encode(Sha256::digest(policy_text.as_bytes()));
    let policy = Policy::from_toml_str(policy_text).map_err(|e| e.to_string());
    let resolved = policy
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|p| p.resolve(assets).map_err(|e| e.to_string()));
    let held = policy
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|p| p.held_flags(customers).map_err(|e| e.to_string()));
    let (de_minimis, top_up, held) = match (resolved, held) {
        (Ok((d, t)), Ok(h)) => (d, t, h),
        (Err(e), _) | (_, Err(e)) => {
            out.push(finding(
                "distribution.policy",
                false,
                format!("the policy file cannot be used: {e}"),
            ));
            return out;
        }
    };
    let mut problems = Vec::new();
    if hash != statement.policy.sha256 {
        problems.push(format!(
            "its SHA-256 is {hash}, the statement states {}",
            statement.policy.sha256
        ));
    }
    let same_assets = statement.assets.len() == assets.len()
        && statement
            .assets
            .iter()
            .zip(assets)
            .all(|(l, a)| l.symbol == a.symbol() && l.decimals == a.decimals());
    if !same_assets {
        problems.push("the statement's assets are not the attestation's".to_owned());
    }
    let stated_dm: Vec<Amount> = statement.assets.iter().map(|a| a.de_minimis).collect();
    if same_assets && stated_dm != de_minimis {
        problems.push("its de-minimis thresholds are not the statement's".to_owned());
    }
    let stated_top_up = statement.top_up.as_ref().map(|t| {
        t.prices
            .iter()
            .map(|p| Price::parse(&p.jpy).ok())
            .collect::<Option<Vec<_>>>()
            .map(|prices| TopUp {
                pool_jpy: t.totals.available,
                prices,
            })
    });
    match (&top_up, stated_top_up) {
        (None, None) => {}
        (Some(ours), Some(Some(theirs))) if *ours == theirs => {}
        _ => problems.push("its JPY top-up (pool or prices) is not the statement's".to_owned()),
    }
    let policy_ok = problems.is_empty();
    out.push(finding(
        "distribution.policy",
        policy_ok,
        if policy_ok {
            format!("policy {hash}: the statement's hash and terms")
        } else {
            format!("policy file: {}", problems.join("; "))
        },
    ));
    if !same_assets {
        return out;
    }

    let n = customers.len();
    let k = assets.len();
    let Some(claims) = liabilities
        .levels()
        .first()
        .and_then(|l| l.sums().get(..n * k))
    else {
        out.push(finding(
            "distribution.root",
            false,
            "the rebuilt liabilities tree has no leaves for its customers".to_owned(),
        ));
        return out;
    };
    let available: Vec<Amount> = statement
        .assets
        .iter()
        .map(|a| a.totals.available)
        .collect();
    // The stated terms are used where they differ from the policy's, so
    // that the root check says whether the tree follows the statement.
    let stated_top_up = statement.top_up.as_ref().and_then(|t| {
        Some(TopUp {
            pool_jpy: t.totals.available,
            prices: t
                .prices
                .iter()
                .map(|p| Price::parse(&p.jpy).ok())
                .collect::<Option<Vec<_>>>()?,
        })
    });
    let plan = Plan::new(&PlanInput {
        assets,
        claims,
        available: &available,
        held_back: &held,
        de_minimis: &stated_dm,
        top_up: stated_top_up.as_ref(),
    });
    let rebuilt = plan.map_err(|e| e.to_string()).and_then(|p| {
        DistributionTree::build(
            customers,
            p.values(),
            p.columns() * VALUES_PER_COLUMN,
            &dpad_key(secret),
        )
        .map_err(|e| e.to_string())
    });
    match rebuilt {
        Err(e) => out.push(finding(
            "distribution.root",
            false,
            format!("the distribution cannot be rebuilt: {e}"),
        )),
        Ok(tree) => {
            let ours = tree.root();
            let theirs = statement.root_commitment();
            let same = ours == theirs && statement.distribution.customers == n as u64;
            out.push(finding(
                "distribution.root",
                same,
                if same {
                    format!(
                        "the distribution tree rebuilt from the register has the statement's root {} and totals",
                        ours.hash
                    )
                } else {
                    format!(
                        "the distribution tree rebuilt from the register has root {} (height {}, {n} customers), the statement states {} (height {}, {} customers){}",
                        ours.hash,
                        ours.height,
                        theirs.hash,
                        theirs.height,
                        statement.distribution.customers,
                        if ours.hash == theirs.hash { " with other totals" } else { "" }
                    )
                },
            ));
        }
    }
    out
}
