//! Step (k): the administrator's distribution, after a failure. The demo
//! supposes the exchange failed after its hot wallets were drained (as at
//! Coincheck, DMM Bitcoin and Bybit); a court-appointed administrator returns
//! what is left in the customer wallets, pro rata, with a signed statement
//! and a proof for every customer (docs/distribution.md). It runs the same
//! functions as `por distribution plan | sign | proof | verify`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use por_attest::ParsedAttestation;
use por_types::{address_key, Category, Tier};

use crate::commands::distribution::{self, PlanArgs, ProofArgs, SignArgs, VerifyArgs};
use crate::{inputs, output, Outcome};

/// The administrator's files, under the demo's directory.
pub mod layout {
    /// What is left in the customer wallets (an offline balances file).
    pub const AVAILABLE: &str = "administrator/available.csv";
    /// The administrator's signing key (confidential).
    pub const KEY: &str = "administrator/administrator.key";
    /// The plan directory (`por distribution plan`).
    pub const PLAN: &str = "administrator/plan";
    /// The signed statement (published).
    pub const STATEMENT: &str = "published/distribution-statement.json";
    /// A SAMPLE distribution proof (published only so the page can be tried,
    /// like the sample inclusion proofs).
    pub const SAMPLE_PROOFS: &str = "published/sample-distribution-proofs";
    /// The published folder's README, which this step extends.
    pub const README: &str = "published/README.txt";
}

/// What step (k) did, for the demo's summary.
pub struct Distributed {
    /// The step's paragraph.
    pub text: String,
    /// The sample customer's distribution proof.
    pub proof: PathBuf,
    /// The administrator's public key (hex), as they would publish it.
    pub public_key: String,
}

/// Plans, signs and proves the distribution for the demo in `dir`, whose
/// attestation, balances export, secret and chain balances are already
/// written; `sample_proof` is one published inclusion proof, whose customer
/// gets a distribution proof checked like the page checks it.
pub fn run(dir: &Path, sample_proof: &Path) -> Result<Distributed> {
    let p = |rel: &str| dir.join(rel);
    let att_text = std::fs::read_to_string(p(super::layout::ATTESTATION))?;
    let attestation = ParsedAttestation::from_json(&att_text)
        .map_err(|e| anyhow::anyhow!("the demo's attestation: {e}"))?
        .verify_signature()
        .map_err(|e| anyhow::anyhow!("the demo's attestation: {e}"))?;
    let body = attestation.body();

    // Available: the customer wallets' balances at the attested blocks,
    // except the hot wallets, which the incident drained.
    let customer_kept: Vec<String> = body
        .reserves
        .iter()
        .filter(|e| e.category == Category::Customer && e.tier != Tier::Hot)
        .map(|e| e.chain.address_key(e.address.as_str()))
        .collect();
    let drained = body
        .reserves
        .iter()
        .filter(|e| e.category == Category::Customer && e.tier == Tier::Hot)
        .count();
    let chain_path = p(super::layout::CHAIN_BALANCES);
    let bytes = std::fs::read(&chain_path)?;
    let file = por_chain::balances_file::parse(&bytes, &chain_path.display().to_string())?;
    let kept: Vec<_> = file
        .rows()
        .iter()
        .filter(|r| customer_kept.contains(&address_key(Some(r.chain()), &r.address)))
        .cloned()
        .collect();
    std::fs::create_dir_all(p("administrator"))?;
    output::write_file_atomic(
        &p(layout::AVAILABLE),
        por_chain::balances_file::rows_to_csv(&kept)?.as_bytes(),
    )?;

    // The administrator's own key (not the exchange's).
    let key = crate::commands::key::fresh_key()?;
    inputs::write_secret_file(
        &p(layout::KEY),
        format!("{}\n", key.to_secret_hex()).as_bytes(),
    )?;

    let mut plan_out = Vec::new();
    let mut err = Vec::new();
    let planned = distribution::plan(
        &PlanArgs {
            attestation: p(super::layout::ATTESTATION),
            liabilities: p(super::layout::BALANCES),
            secret_file: p(super::layout::SECRET),
            available: Some(p(layout::AVAILABLE)),
            available_sources: Vec::new(),
            available_addresses: None,
            available_at: Vec::new(),
            asset_registry: None,
            policy: None,
            out: p(layout::PLAN),
            force: false,
            json: false,
        },
        &mut plan_out,
        &mut err,
    )?;
    if planned != Outcome::Pass {
        bail!(
            "the administrator's plan did not pass: {}",
            String::from_utf8_lossy(&err)
        );
    }
    let mut sink = Vec::new();
    distribution::sign(
        &SignArgs {
            plan: p(layout::PLAN),
            key: p(layout::KEY),
            out: p(layout::STATEMENT),
        },
        &mut sink,
    )?;

    // The sample customer's distribution proof, checked as the page does.
    let sample: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sample_proof)?)?;
    let user = sample["user_id"]
        .as_str()
        .context("the sample proof names no user_id")?
        .to_owned();
    std::fs::create_dir_all(p(layout::SAMPLE_PROOFS))?;
    let proof = p(&format!(
        "{}/{}.json",
        layout::SAMPLE_PROOFS,
        file_safe(&user)
    ));
    distribution::proof(
        &ProofArgs {
            plan: p(layout::PLAN),
            user: user.clone(),
            out: proof.clone(),
        },
        &mut sink,
    )?;
    let mut verdict = Vec::new();
    let checked = distribution::verify(
        &VerifyArgs {
            proof: proof.clone(),
            statement: p(layout::STATEMENT),
            administrator_key: Some(key.public_key_hex()),
        },
        &mut verdict,
    )?;
    if checked != Outcome::Pass {
        bail!(
            "the sample customer's distribution proof did not verify: {}",
            String::from_utf8_lossy(&verdict)
        );
    }

    // Say in the published folder's README what this step added there.
    let mut readme = std::fs::read_to_string(p(layout::README)).unwrap_or_default();
    readme.push_str(
        "\ndistribution-statement.json   the administrator's signed distribution statement (por-distribution-v1),\n\
         \x20                             after the demo's supposed failure; public by nature\n\
         sample-distribution-proofs/   a SAMPLE distribution proof of one synthetic customer, published only so\n\
         \x20                             that the page can be tried; an administrator hands each customer their own\n",
    );
    output::write_file_atomic(&p(layout::README), readme.as_bytes())?;

    let plan_text = String::from_utf8_lossy(&plan_out);
    let totals: String = plan_text
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(": claims "))
        .map(|l| format!("\n{l}"))
        .collect();
    let text = format!(
        "Supposed the exchange failed after its {drained} hot customer wallet(s) were drained. The administrator\n\
         took what is left in the other customer wallets at the attested blocks ({}), rebuilt the\n\
         liabilities tree from the export and the secret (it matches the attested root), allocated it\n\
         pro rata per asset with integers only (docs/distribution.md), and signed the statement with\n\
         their own key (fingerprint {}):{totals}\n\
         Statement: {}. The sample customer {:?} got a distribution proof ({}), checked against the\n\
         statement and the administrator's key as `por distribution verify` and the page do: verified.",
        layout::AVAILABLE,
        key.fingerprint(),
        layout::STATEMENT,
        output::term(&user),
        proof
            .strip_prefix(dir)
            .map_or_else(|_| proof.display().to_string(), |r| r.display().to_string()),
    );
    Ok(Distributed {
        text,
        proof,
        public_key: key.public_key_hex(),
    })
}

/// A user id as a file name: anything but letters, digits, `-` and `_`
/// becomes `_`.
fn file_safe(user: &str) -> String {
    user.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
