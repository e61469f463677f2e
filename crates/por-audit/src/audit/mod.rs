//! The regulator's audit over data already fetched: pure functions, no I/O,
//! so the CLI and the browser run the same checks.
//!
//! The caller gathers the attestations' text, the on-chain balances at each
//! attested block (from a node or an offline balances file), and optionally
//! a rebuilt liabilities tree, customer proofs and liability-reserve inputs;
//! [`run`] checks everything and returns an [`AuditReport`] in which every
//! check is `pass`, `fail` or `not_checked`, with its evidence. The checks
//! and what each one stops are listed in `docs/audit.md`.

mod distribution;
pub mod ownership;
mod positions;

pub use distribution::{DistributionRun, Register};

use core::fmt;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::registry::{self, AssetRegistry, Resolution};
use por_attest::{
    Attestation, AttestedChain, Category, FormatError, ParsedAttestation, ReserveEntry,
    VerifiedAttestation, XOnlyKey,
};
use por_ownership::AssetId;
use por_reserve::{Inputs, PolicySet, Scenario};
use por_tree::amount::Amount;
use por_tree::asset::AssetList;
use por_tree::hash::NodeHash;
use por_tree::proof::InclusionProof;
use por_tree::tree::RootCommitment;
use por_types::{BlockHash, Chain};

pub use positions::{ratio_percent, AssetPosition, TierSplit};

/// The report's format name.
pub const REPORT_FORMAT: &str = "por-audit-report-v1";

/// A named text input (a file's name and contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedText {
    /// The name to report (a file name).
    pub name: String,
    /// The contents.
    pub text: String,
}

/// A balance observed on chain for one address and asset at one block.
///
/// It is matched to a reserve entry on its on-chain identity (chain,
/// address, native coin or token contract, height), never on the symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedBalance {
    /// What was read: the chain, and its native coin or the token contract
    /// the balance was read with.
    pub asset_id: AssetId,
    /// Address as queried.
    pub address: String,
    /// Asset symbol (for display only).
    pub asset: String,
    /// Balance in base units.
    pub balance: Amount,
    /// The block height the balance refers to.
    pub height: u64,
    /// The block hash at that height as the source reports it.
    pub block_hash: BlockHash,
    /// Where it came from (`bitcoin-rpc http://…`, `file balances.csv`).
    pub source: String,
}

/// A liabilities tree rebuilt by the auditor from the full balances export
/// and the snapshot secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuiltTree {
    /// Its assets in order.
    pub assets: AssetList,
    /// Its root.
    pub root: RootCommitment,
    /// Its customer count.
    pub customers: u64,
}

/// A format v2 liabilities tree rebuilt by the auditor from the full
/// balances export and the snapshot secret, with the height and proof units
/// the attestation states; or why it could not be built.
#[derive(Debug)]
pub enum RebuiltTreeV2 {
    /// The rebuilt tree.
    Built(Box<por_tree::v2::TreeV2>),
    /// The export could not be built as a v2 tree (the check is then not
    /// made).
    Unbuildable(String),
}

/// Liability-reserve inputs and the policies and scenarios to apply.
#[derive(Debug, Clone)]
pub struct ReserveRun {
    /// The inputs file's name.
    pub name: String,
    /// Its bytes (hashed against the attestation's `reserve_inputs`).
    pub bytes: Vec<u8>,
    /// Parsed inputs; their holdings are replaced by the attestation's
    /// verified reserve entries.
    pub inputs: Inputs,
    /// The policies.
    pub policies: PolicySet,
    /// The stress scenarios (may be empty).
    pub scenarios: Vec<Scenario>,
}

/// Everything the audit looks at.
#[derive(Debug, Default)]
pub struct AuditInput {
    /// The attestations, in history order (oldest first per exchange).
    pub attestations: Vec<NamedText>,
    /// Observed balances; `None` when no balance source was given (the
    /// balance checks are then `not_checked`).
    pub balances: Option<Vec<ObservedBalance>>,
    /// The tree rebuilt from the balances export (compared with the last
    /// attestation).
    pub rebuilt: Option<RebuiltTree>,
    /// The format v2 tree rebuilt from the balances export, when the last
    /// attestation carries a v2 root.
    pub rebuilt_v2: Option<RebuiltTreeV2>,
    /// Customer proofs (`None` when no directory was given).
    pub customer_proofs: Option<Vec<NamedText>>,
    /// Liability-reserve inputs (applied to the last attestation).
    pub reserve: Option<ReserveRun>,
    /// Minimum cold share of customer assets per asset, in basis points;
    /// `None` reports the split without judging it.
    pub min_cold_bp: Option<u32>,
    /// The attestation keys the auditor trusts (x-only, hex), as the
    /// exchanges published them out of band. Empty: any key whose signature
    /// verifies is accepted, and the report shows which key signed.
    pub trusted_keys: Vec<XOnlyKey>,
    /// The auditor's asset registry (which contract a symbol means);
    /// `None`: the built-in one ([`AssetRegistry::builtin`]).
    pub asset_registry: Option<AssetRegistry>,
    /// An administrator's signed distribution starting from the last
    /// attestation; `None`: no distribution is audited (and none is
    /// expected: an exchange in operation has none).
    pub distribution: Option<DistributionRun>,
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It failed (listed first).
    Fail,
    /// It passed.
    Pass,
    /// It could not be checked with the data given.
    NotChecked,
}

impl Status {
    /// `pass`, `fail` or `not checked`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotChecked => "not checked",
        }
    }
}

/// The audit's outcome: the outcome every por crate shares, derived from
/// the checks in one place ([`outcome_of`]).
pub use por_types::Outcome;

/// `fail` when any check failed, else `incomplete` when any check was not
/// checked (or there is no check at all), else `pass`.
#[must_use]
pub fn outcome_of(checks: &[Check]) -> Outcome {
    if checks.iter().any(|c| c.status == Status::Fail) {
        Outcome::Fail
    } else if checks.is_empty() || checks.iter().any(|c| c.status == Status::NotChecked) {
        Outcome::Incomplete
    } else {
        Outcome::Pass
    }
}

/// Checks that could not run for one reason, grouped: what an auditor would
/// have to add (or what por cannot do) for a full PASS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unchecked {
    /// The check's id.
    pub check: &'static str,
    /// Why it was not checked (the checks' summary).
    pub reason: String,
    /// The subjects not checked for this reason.
    pub subjects: Vec<String>,
}

/// One check with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The kind of check (`signature`, `previous-link`, `ownership`,
    /// `balance`, `unique-address`, `solvency`, `segregation`, `cold-share`,
    /// `rebuild`, `customer-proof`, `reserve-inputs`, `reserve-in-force`,
    /// `reserve-requirement`, `stress`, and with a distribution
    /// `distribution-signature`, `distribution-attestation`,
    /// `distribution-policy`, `distribution-rebuild`,
    /// `distribution-available`).
    pub id: &'static str,
    /// The outcome.
    pub status: Status,
    /// What was checked (`acme 2026-11-21: bitcoin bc1q… BTC`).
    pub subject: String,
    /// One line saying what was found.
    pub summary: String,
    /// The figures and sources behind it.
    pub evidence: Map<String, Value>,
}

/// What the report says about one attestation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttestationSummary {
    /// The file name.
    pub name: String,
    /// Exchange id.
    pub exchange: String,
    /// Snapshot label.
    pub snapshot: String,
    /// Snapshot time.
    pub time: String,
    /// The document's id.
    pub id: String,
    /// The signing key.
    pub public_key: String,
    /// Whether the signature verified.
    pub signature_valid: bool,
    /// Number of reserve entries.
    pub reserve_entries: usize,
    /// Customer count (`None` for a format v2 root, which hides it).
    pub customers: Option<u64>,
    /// The liabilities tree format: 1 or 2.
    pub tree_format: u8,
    /// Liabilities root.
    pub root: String,
}

/// The chain data used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceUse {
    /// Chain.
    pub chain: String,
    /// Source.
    pub source: String,
    /// Height.
    pub height: u64,
    /// Block hash the source reported.
    pub block_hash: String,
}

/// The liability-reserve position (issue 6's engine over the attestation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReservePosition {
    /// The attestation it applies to.
    pub attestation: String,
    /// The engine's report.
    pub report: por_reserve::Report,
    /// Stress results, one per scenario run.
    pub stress: Vec<por_reserve::StressResult>,
    /// Every regime's rules over the same confirmed holdings (`por reserve
    /// compare`); `None` when the engine could not compare them (the
    /// checks above are unaffected).
    pub comparison: Option<por_reserve::Comparison>,
    /// The inputs' exchange name and valuation date, for the comparison's
    /// heading.
    pub exchange: String,
    /// The valuation date (`YYYY-MM-DD`).
    pub valuation_date: String,
}

/// Totals of the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Not checked.
    pub not_checked: usize,
}

/// The audit report (`por-audit-report-v1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// Always [`REPORT_FORMAT`].
    pub format: &'static str,
    /// `fail` when a check failed, else `incomplete` when something was
    /// not checked, else `pass` ([`outcome_of`]).
    pub outcome: Outcome,
    /// Check counts.
    pub totals: Totals,
    /// Every check not checked, grouped by check and reason, in report
    /// order: empty exactly when nothing was left unchecked.
    pub not_checked: Vec<Unchecked>,
    /// The attestations.
    pub attestations: Vec<AttestationSummary>,
    /// Every check, failed first, then passed, then not checked (stable
    /// within each group).
    pub checks: Vec<Check>,
    /// Per attestation and asset: liabilities, reserves, ratios, tiers.
    pub positions: Vec<AssetPosition>,
    /// Chain data used.
    pub sources: Vec<SourceUse>,
    /// The liability-reserve position, when inputs were given.
    pub reserve: Option<ReservePosition>,
}

impl AuditReport {
    /// Whether any check failed.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Fail
    }
}

/// Input the audit cannot use at all (exit 2 in the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditError {
    /// No attestation given.
    NoAttestation,
    /// An attestation that is not well-formed.
    Attestation {
        /// The file name.
        name: String,
        /// Why.
        error: FormatError,
    },
    /// A distribution statement that is not well-formed.
    Distribution {
        /// The file name.
        name: String,
        /// Why.
        message: String,
    },
    /// The reserve engine refused the inputs.
    Reserve {
        /// The inputs file.
        name: String,
        /// Why.
        message: String,
    },
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::NoAttestation => f.write_str("no attestation to audit"),
            AuditError::Attestation { name, error } => write!(f, "{name}: {error}"),
            AuditError::Reserve { name, message } | AuditError::Distribution { name, message } => {
                write!(f, "{name}: {message}")
            }
        }
    }
}

impl std::error::Error for AuditError {}

/// Whether `key` is trusted: no keys given, or among them.
fn trusted_keys_allow(trusted: &[XOnlyKey], key: &XOnlyKey) -> bool {
    trusted.is_empty() || trusted.contains(key)
}

/// What the chain data said about one reserve entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Observed {
    /// The balance at the attested block.
    At(Amount),
    /// No chain data for it: not checked.
    Unchecked,
    /// The chain data contradicts the attestation (another block).
    Failed,
}

/// (asset, normalized address, height): the on-chain identity of a
/// balance, never its symbol.
type BalanceKey = (AssetId, String, u64);

/// The lookup key of a balance: its on-chain identity at a height.
fn balance_key(asset: AssetId, address: &str, height: u64) -> BalanceKey {
    (
        asset,
        por_types::address_key(Some(asset.chain()), address),
        height,
    )
}

/// One attestation under audit, with what each check found about it.
struct Audited {
    name: String,
    parsed: ParsedAttestation,
    verified: Option<VerifiedAttestation>,
    /// Each attested symbol's on-chain identity, as the auditor's registry
    /// resolves it (empty for an attestation whose signature failed).
    identities: BTreeMap<String, Resolution>,
    /// Per reserve entry of a verified attestation, in entry order.
    entries: Vec<EntryFindings>,
}

/// What the per-entry checks found about one reserve entry; what it counts
/// towards reserves is decided from these alone ([`counted_entries`]).
#[derive(Debug, Clone, Copy)]
struct EntryFindings {
    /// The `ownership` check's status.
    ownership: Status,
    /// What the chain data said (`balance` check).
    observed: Observed,
    /// Whether the `unique-address` check found its on-chain identity
    /// claimed more than once.
    duplicate: bool,
}

impl EntryFindings {
    /// Before any check ran: counts nothing.
    const NOT_YET: EntryFindings = EntryFindings {
        ownership: Status::Fail,
        observed: Observed::Unchecked,
        duplicate: false,
    };
}

impl Audited {
    fn label(&self) -> String {
        let b = self.parsed.body_unverified();
        format!("{} {}", b.exchange.id, b.snapshot.label)
    }
}

/// Runs every check.
///
/// Each check is one function below, in the order they run: signatures,
/// `previous` links, asset identities, ownership, balances, unique
/// addresses, positions (solvency, segregation, cold share), the rebuilt
/// tree, customer proofs, the liability reserve. The per-entry checks
/// record their findings on the entry; the positions count from those.
///
/// # Errors
/// [`AuditError`] for input that cannot be audited at all: no attestation,
/// an attestation that does not parse, reserve inputs the engine refuses.
pub fn run(input: &AuditInput) -> Result<AuditReport, AuditError> {
    let mut checks: Vec<Check> = Vec::new();
    let mut audited = signature_checks(&input.attestations, &input.trusted_keys, &mut checks)?;
    history_checks(&audited, &mut checks);
    // Which on-chain asset each attested symbol is: decided by the
    // auditor's registry, never by the attestation.
    let builtin;
    let asset_registry = match &input.asset_registry {
        Some(r) => r,
        None => {
            builtin = AssetRegistry::builtin();
            &builtin
        }
    };
    asset_identity_checks(&mut audited, asset_registry, &mut checks);
    ownership_checks(&mut audited, &mut checks);
    let sources = balance_checks(&mut audited, input.balances.as_deref(), &mut checks);
    unique_address_checks(&mut audited, &mut checks);
    let positions = position_checks(&audited, input.min_cold_bp, &mut checks);
    let last = audited.last().ok_or(AuditError::NoAttestation)?;
    if last.parsed.body_unverified().liabilities.v2().is_some() {
        rebuild_check_v2(last, input.rebuilt_v2.as_ref(), &mut checks);
    } else {
        rebuild_check(last, input.rebuilt.as_ref(), &mut checks);
    }
    proof_checks(&audited, input.customer_proofs.as_deref(), &mut checks);
    let reserve = reserve_requirement_checks(last, input.reserve.as_ref(), &mut checks)?;
    if let Some(run) = &input.distribution {
        distribution::distribution_checks(last, &positions, audited.len() - 1, run, &mut checks)?;
    }
    Ok(report(&audited, checks, positions, sources, reserve))
}

/// Parses every attestation (an unparseable one stops the audit) and checks
/// its signature: one `signature` check each.
fn signature_checks(
    attestations: &[NamedText],
    trusted_keys: &[XOnlyKey],
    checks: &mut Vec<Check>,
) -> Result<Vec<Audited>, AuditError> {
    if attestations.is_empty() {
        return Err(AuditError::NoAttestation);
    }
    let mut audited = Vec::with_capacity(attestations.len());
    for a in attestations {
        let parsed =
            ParsedAttestation::from_json(&a.text).map_err(|error| AuditError::Attestation {
                name: a.name.clone(),
                error,
            })?;
        let b = parsed.body_unverified();
        let pinned = trusted_keys_allow(trusted_keys, &b.exchange.public_key);
        let verified = match (pinned, trusted_keys.first()) {
            (false, Some(first)) => parsed.clone().verify_signature_with_key(first),
            _ => parsed.clone().verify_signature(),
        };
        let item = Audited {
            name: a.name.clone(),
            parsed,
            verified: verified.as_ref().ok().cloned(),
            identities: BTreeMap::new(),
            entries: Vec::new(),
        };
        let b = item.parsed.body_unverified();
        checks.push(match &verified {
            Ok(v) => check(
                "signature",
                Status::Pass,
                format!("{} ({})", item.label(), item.name),
                "BIP-340 signature over the canonical document verifies".into(),
                [
                    ("public_key", json!(b.exchange.public_key)),
                    ("fingerprint", json!(v.key_fingerprint())),
                    ("id", json!(v.id().to_hex())),
                ],
            ),
            Err(e) => check(
                "signature",
                Status::Fail,
                format!("{} ({})", item.label(), item.name),
                if pinned {
                    format!("{e}; nothing in this attestation is trusted")
                } else {
                    format!(
                        "signed by key {}, which is not among the {} trusted key(s) given; nothing in this attestation is trusted",
                        b.exchange.public_key,
                        trusted_keys.len()
                    )
                },
                [
                    ("public_key", json!(b.exchange.public_key)),
                    ("id", json!(item.parsed.id().to_hex())),
                ],
            ),
        });
        audited.push(item);
    }
    Ok(audited)
}

/// One `ownership` check per reserve entry of every verified attestation.
fn ownership_checks(audited: &mut [Audited], checks: &mut Vec<Check>) {
    for a in audited.iter_mut() {
        let label = a.label();
        let Audited {
            verified,
            identities,
            entries,
            ..
        } = a;
        let Some(v) = verified else { continue };
        let entry_check = |e: &ReserveEntry| -> Check {
            let (status, summary, mut evidence) = match ownership::check_entry(v.body(), e) {
                Ok(ownership::OwnershipStatus::Bound { scheme, binding }) => (
                    Status::Pass,
                    format!("valid {scheme} signature, {binding}"),
                    vec![("scheme", json!(scheme)), ("binding", json!(binding))],
                ),
                Ok(s @ ownership::OwnershipStatus::NeedsNativeVerifier { .. }) => {
                    (Status::NotChecked, s.describe(), Vec::new())
                }
                Ok(s) => (Status::Fail, s.describe(), Vec::new()),
                // No verifier for the chain at all: not checked (the
                // wallet counts zero), not a proof shown false.
                Err(err @ ownership::OwnershipError::UnknownChain(_)) => (
                    Status::NotChecked,
                    format!("{err}: not checked, counts zero"),
                    Vec::new(),
                ),
                Err(err) => (
                    Status::Fail,
                    format!("malformed ownership proof: {err}"),
                    Vec::new(),
                ),
            };
            evidence.push(("requested_scheme", json!(e.proof.scheme)));
            check(
                "ownership",
                status,
                entry_subject(&label, v.body(), e, identities.get(&e.asset)),
                summary,
                evidence,
            )
        };
        // Signature checks dominate an audit's time: on every core with
        // the `parallel` feature, results kept in entry order.
        #[cfg(feature = "parallel")]
        let results: Vec<Check> = {
            use rayon::prelude::*;
            v.body().reserves.par_iter().map(entry_check).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let results: Vec<Check> = v.body().reserves.iter().map(entry_check).collect();
        *entries = results
            .iter()
            .map(|c| EntryFindings {
                ownership: c.status,
                ..EntryFindings::NOT_YET
            })
            .collect();
        checks.extend(results);
    }
}

/// One `balance` check per reserve entry of every verified attestation:
/// the balance observed at the attested block against the claim. Returns
/// the chain data used.
fn balance_checks(
    audited: &mut [Audited],
    balances: Option<&[ObservedBalance]>,
    checks: &mut Vec<Check>,
) -> Vec<SourceUse> {
    // Indexed once: an audit may look up tens of thousands.
    let index: Option<HashMap<BalanceKey, &ObservedBalance>> = balances.map(|list| {
        list.iter()
            .map(|o| (balance_key(o.asset_id, &o.address, o.height), o))
            .collect()
    });
    let chains_with_data: BTreeSet<Chain> = balances
        .iter()
        .copied()
        .flatten()
        .map(|o| o.asset_id.chain())
        .collect();
    let mut sources: BTreeSet<SourceUse> = BTreeSet::new();
    for a in audited.iter_mut() {
        let label = a.label();
        let Audited {
            verified,
            identities,
            entries,
            ..
        } = a;
        let Some(v) = verified else { continue };
        let body = v.body();
        for (e, found) in body.reserves.iter().zip(entries.iter_mut()) {
            let resolution = identities.get(&e.asset);
            let subject = entry_subject(&label, body, e, resolution);
            let Some(point) = body.chain_point(&e.chain) else {
                // Not reachable for a parsed attestation (every reserve's
                // chain is listed); kept so nothing is counted silently.
                checks.push(check(
                    "balance",
                    Status::NotChecked,
                    subject,
                    format!("the attestation names no block for chain {}", e.chain),
                    [("claimed", json!(e.claimed.to_string()))],
                ));
                continue;
            };
            let mut id_ev = identity_evidence(e, resolution);
            let identity = match resolution {
                Some(Resolution::Confirmed(id)) => id,
                other => {
                    // Nothing is read for an asset whose identity por has
                    // not confirmed: not on a contract only the exchange
                    // names, not natively for a token, not on a chain por
                    // has no balance source for.
                    id_ev.push(("claimed", json!(e.claimed.to_string())));
                    checks.push(check(
                        "balance",
                        Status::NotChecked,
                        subject,
                        format!("{}: not checked, counts zero", unconfirmed_reason(other)),
                        id_ev,
                    ));
                    continue;
                }
            };
            id_ev.push(("claimed", json!(e.claimed.to_string())));
            id_ev.push(("height", json!(point.height)));
            let Some(index) = &index else {
                checks.push(check(
                    "balance",
                    Status::NotChecked,
                    subject,
                    "no balance source given (--chain KIND=URL or --balances FILE): not checked, counts zero".into(),
                    id_ev,
                ));
                continue;
            };
            let Some(o) = index.get(&balance_key(
                identity.asset,
                e.address.as_str(),
                point.height,
            )) else {
                let what = identity.asset.contract().map_or_else(
                    || "native coin".to_owned(),
                    |c| format!("contract {}", c.to_lower_hex()),
                );
                let reason = if chains_with_data.contains(&identity.chain()) {
                    format!(
                        "no balance for this address and {what} at height {} in the chain data given: not checked, counts zero",
                        point.height
                    )
                } else {
                    format!(
                        "no chain data given for {} (--chain {}=URL, or its rows in --balances): not checked, counts zero",
                        e.chain, e.chain
                    )
                };
                checks.push(check("balance", Status::NotChecked, subject, reason, id_ev));
                continue;
            };
            let observed_hash = o.block_hash.display_for(o.asset_id.chain()).to_string();
            sources.insert(SourceUse {
                chain: o.asset_id.chain().as_str().to_owned(),
                source: o.source.clone(),
                height: o.height,
                block_hash: observed_hash.clone(),
            });
            let mut ev = id_ev;
            ev.extend([
                ("observed", json!(o.balance.to_string())),
                ("height", json!(o.height)),
                ("attested_block_hash", json!(point.block_hash)),
                ("observed_block_hash", json!(observed_hash)),
                ("source", json!(o.source)),
            ]);
            if o.block_hash != point.block_hash.hash() {
                found.observed = Observed::Failed;
                checks.push(check(
                    "balance",
                    Status::Fail,
                    subject,
                    format!(
                        "the block at height {} is {}, not the attested {}: the balance is not at the attested block",
                        o.height, observed_hash, point.block_hash
                    ),
                    ev,
                ));
                continue;
            }
            found.observed = Observed::At(o.balance);
            // Asset units for people (base units stay in the evidence).
            let decimals = body.asset(&e.asset).map_or(0, |a| a.decimals);
            let units = |a: Amount| format!("{} {}", a.display_in(decimals), e.asset);
            if o.balance >= e.claimed {
                checks.push(check(
                    "balance",
                    Status::Pass,
                    subject,
                    format!(
                        "on chain {} ≥ claimed {}",
                        units(o.balance),
                        units(e.claimed)
                    ),
                    ev,
                ));
            } else {
                let short = e.claimed.checked_sub(o.balance).unwrap_or(e.claimed);
                checks.push(check(
                    "balance",
                    Status::Fail,
                    subject,
                    format!(
                        "on chain {} < claimed {} (short by {} = {short} base units)",
                        units(o.balance),
                        units(e.claimed),
                        units(short)
                    ),
                    ev,
                ));
            }
        }
    }
    sources.into_iter().collect()
}

/// Solvency, segregation and cold share per asset of every verified
/// attestation, from what its entries count.
fn position_checks(
    audited: &[Audited],
    min_cold_bp: Option<u32>,
    checks: &mut Vec<Check>,
) -> Vec<AssetPosition> {
    let mut out = Vec::new();
    for (i, a) in audited.iter().enumerate() {
        let Some(v) = &a.verified else { continue };
        let counted = counted_entries(v, &a.entries);
        let mut p = positions::positions(i, &a.label(), v.body(), &counted);
        positions::position_checks(&a.label(), &mut p, min_cold_bp, checks);
        out.extend(p);
    }
    out
}

/// The liability reserve of the last attestation, when inputs were given.
fn reserve_requirement_checks(
    last: &Audited,
    run: Option<&ReserveRun>,
    checks: &mut Vec<Check>,
) -> Result<Option<ReservePosition>, AuditError> {
    let Some(run) = run else {
        checks.push(check(
            "reserve-requirement",
            Status::NotChecked,
            format!("{}: liability reserve", last.label()),
            match &last.parsed.body_unverified().reserve_inputs {
                Some(r) => format!(
                    "no liability-reserve inputs given (--reserve-inputs FILE; the attestation commits to {})",
                    r.file
                ),
                None => "no liability-reserve inputs given (--reserve-inputs FILE)".into(),
            },
            NO_EVIDENCE,
        ));
        return Ok(None);
    };
    let Some(v) = &last.verified else {
        checks.push(check(
            "reserve-requirement",
            Status::NotChecked,
            last.label(),
            "the attestation's signature failed: its holdings are not used".into(),
            NO_EVIDENCE,
        ));
        return Ok(None);
    };
    let counted = counted_entries(v, &last.entries);
    reserve_checks(&last.label(), &last.name, v, &counted, run, checks).map(Some)
}

/// The report: checks failed first, totals, the unchecked grouped by reason.
fn report(
    audited: &[Audited],
    mut checks: Vec<Check>,
    positions: Vec<AssetPosition>,
    sources: Vec<SourceUse>,
    reserve: Option<ReservePosition>,
) -> AuditReport {
    checks.sort_by_key(|c| c.status);
    let totals = Totals {
        pass: checks.iter().filter(|c| c.status == Status::Pass).count(),
        fail: checks.iter().filter(|c| c.status == Status::Fail).count(),
        not_checked: checks
            .iter()
            .filter(|c| c.status == Status::NotChecked)
            .count(),
    };
    let attestations = audited
        .iter()
        .map(|a| {
            let b = a.parsed.body_unverified();
            AttestationSummary {
                name: a.name.clone(),
                exchange: b.exchange.id.clone(),
                snapshot: b.snapshot.label.clone(),
                time: b.snapshot.time.to_string(),
                id: a.parsed.id().to_hex(),
                public_key: b.exchange.public_key.to_hex(),
                signature_valid: a.verified.is_some(),
                reserve_entries: b.reserves.len(),
                customers: b.liabilities.customers(),
                tree_format: b.liabilities.tree_format(),
                root: b.liabilities.root().to_string(),
            }
        })
        .collect();
    // Grouped by (check, reason) in report order; indexed, as an audit may
    // leave tens of thousands of entries unchecked.
    let mut not_checked: Vec<Unchecked> = Vec::new();
    let mut group_of: HashMap<(&str, &str), usize> = HashMap::new();
    for c in checks.iter().filter(|c| c.status == Status::NotChecked) {
        match group_of.get(&(c.id, c.summary.as_str())) {
            Some(&i) => {
                if let Some(u) = not_checked.get_mut(i) {
                    u.subjects.push(c.subject.clone());
                }
            }
            None => {
                group_of.insert((c.id, c.summary.as_str()), not_checked.len());
                not_checked.push(Unchecked {
                    check: c.id,
                    reason: c.summary.clone(),
                    subjects: vec![c.subject.clone()],
                });
            }
        }
    }
    AuditReport {
        format: REPORT_FORMAT,
        outcome: outcome_of(&checks),
        totals,
        not_checked,
        attestations,
        checks,
        positions,
        sources,
        reserve,
    }
}

/// An entry as it counts towards reserves. Only what por confirmed counts:
/// `confirmed` is the balance observed at the attested block, capped at the
/// claim, of an entry whose ownership proof is valid and bound and which is
/// claimed once; `unchecked` is what the entry claims (or, with its balance
/// observed, the observed part) when a check it needs could not run
/// (nothing failed): it counts zero, but could count if checked. The rest
/// of the claim is excluded by a failed check.
pub(crate) struct Counted<'a> {
    pub entry: &'a ReserveEntry,
    /// `Some` when confirmed (possibly short of the claim).
    pub confirmed: Option<Amount>,
    /// Not confirmed because a check could not run.
    pub unchecked: Amount,
}

fn counted_entries<'a>(v: &'a VerifiedAttestation, found: &[EntryFindings]) -> Vec<Counted<'a>> {
    v.body()
        .reserves
        .iter()
        .enumerate()
        .map(|(j, e)| {
            let f = found.get(j).copied().unwrap_or(EntryFindings::NOT_YET);
            let (confirmed, unchecked) = if f.ownership == Status::Fail || f.duplicate {
                (None, Amount::ZERO)
            } else {
                match (f.ownership, f.observed) {
                    (_, Observed::Failed) => (None, Amount::ZERO),
                    (Status::Pass, Observed::At(o)) => (Some(o.min(e.claimed)), Amount::ZERO),
                    (_, Observed::At(o)) => (None, o.min(e.claimed)),
                    (_, Observed::Unchecked) => (None, e.claimed),
                }
            };
            Counted {
                entry: e,
                confirmed,
                unchecked,
            }
        })
        .collect()
}

/// `acme 2026-11-21: ethereum mainnet 0x… USDC (0xa0b8…)`: the chain,
/// network, address and contract (or `native`) the line is about.
fn entry_subject(
    label: &str,
    body: &Attestation,
    e: &ReserveEntry,
    resolution: Option<&Resolution>,
) -> String {
    match resolution {
        Some(Resolution::Confirmed(id)) => format!(
            "{label}: {} {} {} {} ({})",
            e.chain,
            id.network,
            e.address,
            e.asset,
            id.contract_or_native()
        ),
        _ => format!(
            "{label}: {} {} {} {} ({} as attested, identity not confirmed)",
            e.chain,
            network_of_chain(&e.chain),
            e.address,
            e.asset,
            attested_contract(body, e)
        ),
    }
}

/// The network a chain name means in an attestation (`mainnet` for the
/// chains por reads), or `unknown`.
fn network_of_chain(chain: &AttestedChain) -> &'static str {
    chain
        .known()
        .and_then(registry::native_chain_of)
        .map_or("unknown", |c| c.network)
}

/// What the attestation says the entry's asset is: its contract, or `native`.
fn attested_contract<'a>(body: &'a Attestation, e: &ReserveEntry) -> &'a str {
    body.asset(&e.asset)
        .and_then(|a| a.contract.as_deref())
        .unwrap_or("native")
}

/// The identity fields every balance line carries.
fn identity_evidence(
    e: &ReserveEntry,
    resolution: Option<&Resolution>,
) -> Vec<(&'static str, Value)> {
    let mut ev = vec![
        ("chain", json!(e.chain)),
        ("address", json!(e.address)),
        ("asset", json!(e.asset)),
    ];
    match resolution {
        Some(Resolution::Confirmed(id)) => {
            ev.push(("network", json!(id.network)));
            ev.push(("contract", json!(id.contract_or_native())));
            ev.push(("decimals", json!(id.decimals)));
            ev.push(("identity_source", json!(id.source)));
        }
        Some(
            Resolution::Unregistered { contract } | Resolution::OtherGeneration { contract, .. },
        ) => {
            ev.push(("network", json!(network_of_chain(&e.chain))));
            ev.push(("attested_contract", json!(contract)));
            ev.push(("contract", Value::Null));
        }
        _ => {
            ev.push(("network", json!(network_of_chain(&e.chain))));
            ev.push(("contract", Value::Null));
        }
    }
    ev
}

/// Why a balance is not read for an asset whose identity is not confirmed.
fn unconfirmed_reason(resolution: Option<&Resolution>) -> String {
    match resolution {
        Some(Resolution::NoBalanceSource { chain }) => format!(
            "por has no balance source for chain {chain}: the claim is not checked"
        ),
        Some(Resolution::Unregistered { contract }) => format!(
            "token contract {contract} is not in the auditor's asset registry: nothing is read on a contract only the exchange names (register it with --asset-registry)"
        ),
        Some(Resolution::OtherGeneration { contract, registered }) => format!(
            "contract {contract} is not the registered {} for this symbol: not read (register the one you accept with --asset-registry)",
            registered.join(", ")
        ),
        Some(Resolution::Refused(e)) => format!("not read: the asset's identity is refused: {e}"),
        Some(Resolution::Confirmed(_)) | None => {
            "the asset is not in the attestation's asset list".to_owned()
        }
    }
}

/// One `asset-identity` check per attested asset of each verified
/// attestation; records each symbol's resolution on the attestation.
fn asset_identity_checks(
    audited: &mut [Audited],
    asset_registry: &AssetRegistry,
    checks: &mut Vec<Check>,
) {
    for a in audited.iter_mut() {
        let mut map = BTreeMap::new();
        if let Some(v) = &a.verified {
            for asset in &v.body().assets {
                let r = asset_registry.resolve(
                    asset.chain.as_str(),
                    &asset.symbol,
                    asset.decimals,
                    asset.contract.as_deref(),
                );
                let subject = format!("{}: {} on {}", a.label(), asset.symbol, asset.chain);
                let mut ev = vec![
                    ("chain", json!(asset.chain)),
                    ("network", json!(network_of_chain(&asset.chain))),
                    ("symbol", json!(asset.symbol)),
                    ("decimals", json!(asset.decimals)),
                    (
                        "attested_contract",
                        json!(asset.contract.as_deref().unwrap_or("native")),
                    ),
                ];
                let (status, summary) = match &r {
                    Resolution::Confirmed(id) => {
                        ev.push(("contract", json!(id.contract_or_native())));
                        ev.push(("source", json!(id.source)));
                        (
                            Status::Pass,
                            match id.asset.contract() {
                                None => format!(
                                    "{} {} native coin, {} decimals",
                                    id.chain(),
                                    id.network,
                                    id.decimals
                                ),
                                Some(c) => format!(
                                    "token {} on {} {}, {} decimals ({})",
                                    c.to_lower_hex(),
                                    id.chain(),
                                    id.network,
                                    id.decimals,
                                    id.source
                                ),
                            },
                        )
                    }
                    Resolution::NoBalanceSource { chain } => (
                        Status::NotChecked,
                        format!("por has no balance source for chain {chain}: nothing on it is checked"),
                    ),
                    Resolution::Unregistered { contract } => (
                        Status::NotChecked,
                        format!(
                            "token contract {contract} is not in the asset registry: its identity is not confirmed and its balances are not read"
                        ),
                    ),
                    Resolution::OtherGeneration { contract, registered } => {
                        ev.push(("registered_contracts", json!(registered)));
                        (
                            Status::NotChecked,
                            format!(
                                "contract {contract} is not the registered {} (the registry lists this symbol as incomplete): not confirmed, not read",
                                registered.join(", ")
                            ),
                        )
                    }
                    Resolution::Refused(e) => {
                        if let registry::IdentityError::ContractMismatch { registered, .. }
                        | registry::IdentityError::MissingContract { registered, .. } = e
                        {
                            ev.push(("registered_contract", json!(registered)));
                        }
                        (Status::Fail, format!("{e}; its balances are not read"))
                    }
                };
                checks.push(check("asset-identity", status, subject, summary, ev));
                map.insert(asset.symbol.clone(), r);
            }
        }
        a.identities = map;
    }
}

pub(crate) const NO_EVIDENCE: [(&str, Value); 0] = [];

pub(crate) fn check(
    id: &'static str,
    status: Status,
    subject: String,
    summary: String,
    evidence: impl IntoIterator<Item = (&'static str, Value)>,
) -> Check {
    Check {
        id,
        status,
        subject,
        summary,
        evidence: evidence
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    }
}

/// Previous-attestation links: per exchange, in the order given, each
/// attestation's `previous` must be the id of the one before it.
fn history_checks(audited: &[Audited], checks: &mut Vec<Check>) {
    let mut last_of: BTreeMap<String, &Audited> = BTreeMap::new();
    for a in audited {
        let b = a.parsed.body_unverified();
        let subject = format!("{} ({})", a.label(), a.name);
        let prev_field = b.previous;
        match last_of.get(&b.exchange.id) {
            // The attestation declares itself the exchange's first: there is
            // no link to check, and nothing an auditor could add.
            None if prev_field.is_none() => checks.push(check(
                "previous-link",
                Status::Pass,
                subject,
                "no link to check: the attestation names no previous one (previous is null)"
                    .into(),
                [("previous", json!(prev_field))],
            )),
            None => checks.push(check(
                "previous-link",
                Status::NotChecked,
                subject,
                "the previous attestation it names was not given (add it with --attestation, oldest first)".into(),
                [("previous", json!(prev_field))],
            )),
            Some(before) => {
                let want = before.parsed.id();
                let bb = before.parsed.body_unverified();
                let ev = [
                    ("previous", json!(prev_field)),
                    ("expected", json!(want)),
                    ("previous_file", json!(before.name)),
                ];
                if a.verified.is_none() || before.verified.is_none() {
                    checks.push(check(
                        "previous-link",
                        Status::Fail,
                        subject,
                        "a signature in this link does not verify".into(),
                        ev,
                    ));
                } else if prev_field != Some(want) {
                    checks.push(check(
                        "previous-link",
                        Status::Fail,
                        subject,
                        format!(
                            "previous is {}, but the attestation before it ({}) has id {want}: the history is broken",
                            prev_field.map_or_else(|| "null".to_owned(), |p| p.to_hex()),
                            before.name
                        ),
                        ev,
                    ));
                } else if b.snapshot.time <= bb.snapshot.time {
                    checks.push(check(
                        "previous-link",
                        Status::Fail,
                        subject,
                        format!(
                            "linked, but its time {} is not after the previous one's {}",
                            b.snapshot.time, bb.snapshot.time
                        ),
                        ev,
                    ));
                } else if let Some(c) = b.chains.iter().find(|c| {
                    bb.chains
                        .iter()
                        .any(|p| p.chain == c.chain && p.height >= c.height)
                }) {
                    let before_height = bb
                        .chains
                        .iter()
                        .find(|p| p.chain == c.chain)
                        .map_or(0, |p| p.height);
                    checks.push(check(
                        "previous-link",
                        Status::Fail,
                        subject,
                        format!(
                            "linked, but its {} block {} is not after the previous one's {before_height}: two snapshots at the same or an earlier block are not a history",
                            c.chain, c.height
                        ),
                        ev,
                    ));
                } else if bb.exchange.public_key != b.exchange.public_key {
                    checks.push(check(
                        "previous-link",
                        Status::Fail,
                        subject,
                        format!(
                            "linked, but signed with key {} where the previous one used {}: a key change must be announced out of band",
                            b.exchange.public_key, bb.exchange.public_key
                        ),
                        ev,
                    ));
                } else {
                    checks.push(check(
                        "previous-link",
                        Status::Pass,
                        subject,
                        format!("links to {} ({want})", before.name),
                        ev,
                    ));
                }
            }
        }
        last_of.insert(b.exchange.id.clone(), a);
    }
}

/// (chain, network, address key, `native` or contract): see [`claim_key`].
type ClaimKey = (AttestedChain, String, String, String);

/// The on-chain identity a claim is about, for duplicate detection: (chain,
/// network, normalized address, `native` or contract). Never the symbol:
/// `ETH` and `ETHER` on one Ethereum wallet are one claim twice. Where por
/// confirmed nothing (a chain without a balance source), the attested
/// contract stands in, or the symbol for a contract-less asset there; such
/// claims count for nothing anyway.
fn claim_key(body: &Attestation, e: &ReserveEntry, resolution: Option<&Resolution>) -> ClaimKey {
    let what = match resolution {
        Some(Resolution::Confirmed(id)) => id.contract_or_native(),
        Some(
            Resolution::Unregistered { contract } | Resolution::OtherGeneration { contract, .. },
        ) => contract.clone(),
        Some(Resolution::NoBalanceSource { .. }) | None => {
            match body.asset(&e.asset).and_then(|a| a.contract.as_deref()) {
                None => format!("symbol {}", e.asset),
                Some(c) => c.to_ascii_lowercase(),
            }
        }
        Some(Resolution::Refused(_)) => attested_contract(body, e).to_ascii_lowercase(),
    };
    (
        e.chain.clone(),
        network_of_chain(&e.chain).to_owned(),
        e.chain.address_key(e.address.as_str()),
        what,
    )
}

/// Whether the later attestation `j` continues `i` as a genuine history of
/// one exchange: both verified, a chain of `previous` links among the given
/// attestations leads from `j` back to `i`, and each step is at a strictly
/// later snapshot time and at strictly later blocks on every chain both
/// name. Anything else (another exchange, the same or overlapping blocks,
/// no link) is two claims on one wallet at once.
fn is_history(audited: &[Audited], i: usize, j: usize) -> bool {
    let (Some(first), Some(_)) = (
        audited.get(i).and_then(|a| a.verified.as_ref()),
        audited.get(j).and_then(|a| a.verified.as_ref()),
    ) else {
        return false;
    };
    let target = first.id();
    let mut cur = j;
    for _ in 0..audited.len() {
        let Some(later) = audited.get(cur).and_then(|a| a.verified.as_ref()) else {
            return false;
        };
        let lb = later.body();
        let Some(prev_id) = lb.previous else {
            return false;
        };
        let Some(p) = audited.iter().position(|a| {
            a.verified
                .as_ref()
                .is_some_and(|v| v.id() == prev_id && v.body().exchange.id == lb.exchange.id)
        }) else {
            return false;
        };
        let Some(earlier) = audited.get(p).and_then(|a| a.verified.as_ref()) else {
            return false;
        };
        let eb = earlier.body();
        let later_time = lb.snapshot.time > eb.snapshot.time;
        let later_blocks = lb.chains.iter().all(|lc| {
            eb.chains
                .iter()
                .find(|ec| ec.chain == lc.chain)
                .is_none_or(|ec| lc.height > ec.height)
        });
        if !later_time || !later_blocks {
            return false;
        }
        if prev_id == target {
            return true;
        }
        cur = p;
    }
    false
}

/// Each on-chain identity (chain, network, address, native or contract) may
/// be claimed once per attestation, and by one exchange only, except along
/// a genuine history ([`is_history`]). Marks the entries involved in a
/// duplicate, which are then not counted as reserves.
fn unique_address_checks(audited: &mut [Audited], checks: &mut Vec<Check>) {
    let mut by_key: BTreeMap<ClaimKey, Vec<(usize, usize)>> = BTreeMap::new();
    let mut total = 0usize;
    for (i, a) in audited.iter().enumerate() {
        let Some(v) = &a.verified else { continue };
        for (j, e) in v.body().reserves.iter().enumerate() {
            total += 1;
            let r = a.identities.get(&e.asset);
            by_key
                .entry(claim_key(v.body(), e, r))
                .or_default()
                .push((i, j));
        }
    }
    let mut dup: Vec<(usize, usize)> = Vec::new();
    let mut failures = 0usize;
    for ((chain, network, address, what), claims) in &by_key {
        if claims.len() < 2 {
            continue;
        }
        // Claims of one exchange along a genuine history are not a
        // duplicate; any other pair is.
        let mut bad = false;
        for (x, &(i1, _)) in claims.iter().enumerate() {
            for &(i2, _) in claims.iter().skip(x + 1) {
                let (lo, hi) = if i1 <= i2 { (i1, i2) } else { (i2, i1) };
                if lo == hi || !(is_history(audited, lo, hi) || is_history(audited, hi, lo)) {
                    bad = true;
                }
            }
        }
        if !bad {
            continue;
        }
        failures += 1;
        let list: Vec<Value> = claims
            .iter()
            .map(|&(i, j)| {
                let a = &audited[i];
                let e = &a.parsed.body_unverified().reserves[j];
                json!({
                    "attestation": a.name,
                    "exchange": a.parsed.body_unverified().exchange.id,
                    "snapshot": a.parsed.body_unverified().snapshot.label,
                    "entry": j,
                    "asset": e.asset,
                    "category": e.category.as_str(),
                    "claimed": e.claimed.to_string(),
                })
            })
            .collect();
        let who: Vec<String> = claims
            .iter()
            .map(|&(i, j)| {
                let a = &audited[i];
                let e = &a.parsed.body_unverified().reserves[j];
                format!("{} as {} ({})", a.label(), e.category.as_str(), e.asset)
            })
            .collect();
        dup.extend(claims.iter().copied());
        checks.push(check(
            "unique-address",
            Status::Fail,
            format!("{chain} {network} {address} ({what})"),
            format!(
                "claimed {} times: {} (not a history of one exchange at strictly later blocks; none of these claims is counted)",
                claims.len(),
                who.join("; ")
            ),
            [
                ("chain", json!(chain)),
                ("network", json!(network)),
                ("address", json!(address)),
                ("contract", json!(what)),
                ("claims", Value::Array(list)),
            ],
        ));
    }
    if failures == 0 {
        checks.push(check(
            "unique-address",
            Status::Pass,
            format!("{} attestation(s)", audited.len()),
            format!(
                "each of the {total} claims is the only one on its chain, network, address and contract (or native coin), apart from a history of one exchange at later blocks"
            ),
            [("claims", json!(total))],
        ));
    }
    for (i, j) in dup {
        if let Some(f) = audited.get_mut(i).and_then(|a| a.entries.get_mut(j)) {
            f.duplicate = true;
        }
    }
}

fn rebuild_check(last: &Audited, rebuilt: Option<&RebuiltTree>, checks: &mut Vec<Check>) {
    let subject = format!("{} ({})", last.label(), last.name);
    let Some(r) = rebuilt else {
        checks.push(check(
            "rebuild",
            Status::NotChecked,
            subject,
            "no balances export and secret given (--liabilities, --secret-file)".into(),
            NO_EVIDENCE,
        ));
        return;
    };
    let b = last.parsed.body_unverified();
    let Ok((assets, root)) = b.root_commitment() else {
        checks.push(check(
            "rebuild",
            Status::Fail,
            subject,
            "the attestation's liabilities assets cannot form a tree".into(),
            NO_EVIDENCE,
        ));
        return;
    };
    let ev = [
        ("attested_root", json!(root.hash.to_string())),
        ("rebuilt_root", json!(r.root.hash.to_string())),
        ("attested_customers", json!(b.liabilities.customers())),
        ("rebuilt_customers", json!(r.customers)),
        (
            "rebuilt_totals",
            json!(r
                .assets
                .iter()
                .zip(&r.root.sums)
                .map(|(a, s)| (a.symbol().to_owned(), Value::String(s.to_string())))
                .collect::<Map<_, _>>()),
        ),
    ];
    let mut problems = Vec::new();
    if last.verified.is_none() {
        problems.push("the attestation's signature does not verify".to_owned());
    }
    if r.assets != assets {
        problems.push(
            "the export's assets (symbols, decimals, order) differ from the attested ones".into(),
        );
    }
    if r.root.hash != root.hash {
        problems.push(format!(
            "rebuilt root {} ≠ attested {}",
            r.root.hash, root.hash
        ));
    }
    if r.root.height != root.height {
        problems.push(format!(
            "height {} ≠ attested {}",
            r.root.height, root.height
        ));
    }
    if Some(r.customers) != b.liabilities.customers() {
        problems.push(format!(
            "{} customers ≠ attested {}",
            r.customers,
            b.liabilities.customers().unwrap_or_default()
        ));
    }
    for ((a, got), want) in r.assets.iter().zip(&r.root.sums).zip(&root.sums) {
        if got != want {
            problems.push(format!("{} total {got} ≠ attested {want}", a.symbol()));
        }
    }
    if problems.is_empty() {
        checks.push(check(
            "rebuild",
            Status::Pass,
            subject,
            format!(
                "the export rebuilds the attested root, {} customers and totals",
                r.customers
            ),
            ev,
        ));
    } else {
        checks.push(check(
            "rebuild",
            Status::Fail,
            subject,
            problems.join("; "),
            ev,
        ));
    }
}

/// The v2 rebuild: the export, built with the secret at the attested
/// height and proof units, must give the attested root hash (which binds
/// the height, the asset list with decimals and proof units, and every
/// commitment), the attested totals, and root blinding factors that open
/// the rebuilt root commitments to those totals.
fn rebuild_check_v2(last: &Audited, rebuilt: Option<&RebuiltTreeV2>, checks: &mut Vec<Check>) {
    let subject = format!("{} ({})", last.label(), last.name);
    let b = last.parsed.body_unverified();
    let not_checked = |checks: &mut Vec<Check>, why: String| {
        checks.push(check(
            "rebuild",
            Status::NotChecked,
            subject.clone(),
            why,
            NO_EVIDENCE,
        ));
    };
    let tree = match rebuilt {
        None => {
            return not_checked(
                checks,
                "no balances export and secret given (--liabilities, --secret-file)".into(),
            )
        }
        Some(RebuiltTreeV2::Unbuildable(why)) => return not_checked(checks, why.clone()),
        Some(RebuiltTreeV2::Built(t)) => t,
    };
    let Some(attested) = b.liabilities.v2().and_then(|l| l.root_v2().ok()) else {
        return not_checked(
            checks,
            "the attestation carries no readable format v2 root".into(),
        );
    };
    let r = tree.root();
    let totals = |root: &por_tree::v2::RootV2| -> Map<String, Value> {
        root.assets
            .iter()
            .zip(root.totals_base_units())
            .map(|(a, t)| (a.asset().symbol().to_owned(), Value::String(t.to_string())))
            .collect()
    };
    let customers = u64::try_from(tree.customers()).unwrap_or(u64::MAX);
    let ev = [
        ("attested_root", json!(attested.hash.to_string())),
        ("rebuilt_root", json!(r.hash.to_string())),
        ("attested_customers", Value::Null),
        ("rebuilt_customers", json!(customers)),
        ("rebuilt_totals", json!(totals(r))),
        ("attested_totals", json!(totals(&attested))),
        ("tree_format", json!(2)),
    ];
    let mut problems = Vec::new();
    if last.verified.is_none() {
        problems.push("the attestation's signature does not verify".to_owned());
    }
    if r.assets != attested.assets {
        problems.push(
            "the export's assets (symbols, decimals, proof units, order) differ from the attested ones"
                .into(),
        );
    }
    if r.height != attested.height {
        problems.push(format!(
            "height {} ≠ attested {}",
            r.height, attested.height
        ));
    }
    if r.hash != attested.hash {
        problems.push(format!(
            "rebuilt root {} ≠ attested {}",
            r.hash, attested.hash
        ));
    }
    for (i, a) in r.assets.iter().enumerate() {
        let sym = a.asset().symbol();
        if let (Some(got), Some(want)) = (r.totals.get(i), attested.totals.get(i)) {
            if got != want {
                problems.push(format!(
                    "{sym} total {got} ≠ attested {want} (proof units of 10^{} base units)",
                    a.unit_exponent()
                ));
            }
        }
    }
    // The opening: the attested totals and blinding factors must open the
    // root commitments of the tree the export rebuilds.
    if r.assets.len() == attested.assets.len() {
        if let Some(i) = attested.first_unopened(&tree.root_points()) {
            let sym = attested
                .assets
                .get(i)
                .map_or(String::new(), |a| a.asset().symbol().to_owned());
            problems.push(format!(
                "the attested total and blinding factor of {sym} do not open the rebuilt root commitment"
            ));
        }
    }
    if problems.is_empty() {
        checks.push(check(
            "rebuild",
            Status::Pass,
            subject,
            format!(
                "the export rebuilds the attested format v2 root ({customers} customers) and the attested totals and blinding factors open its root commitments"
            ),
            ev,
        ));
    } else {
        checks.push(check(
            "rebuild",
            Status::Fail,
            subject,
            problems.join("; "),
            ev,
        ));
    }
}

fn proof_checks(audited: &[Audited], proofs: Option<&[NamedText]>, checks: &mut Vec<Check>) {
    let Some(proofs) = proofs else {
        checks.push(check(
            "customer-proof",
            Status::NotChecked,
            "customer proofs".into(),
            "no proof directory given (--sample-proofs)".into(),
            NO_EVIDENCE,
        ));
        return;
    };
    if proofs.is_empty() {
        checks.push(check(
            "customer-proof",
            Status::Fail,
            "customer proofs".into(),
            "the proof directory holds no proof".into(),
            NO_EVIDENCE,
        ));
        return;
    }
    for p in proofs {
        if is_proof_v2(&p.text) {
            proof_check_v2(audited, p, checks);
        } else {
            proof_check_v1(audited, p, checks);
        }
    }
}

/// Whether a proof file says it is a `por-proof-v2` (its `format` member).
fn is_proof_v2(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Format {
        format: Option<String>,
    }
    serde_json::from_str::<Format>(text)
        .ok()
        .and_then(|f| f.format)
        .is_some_and(|f| f == por_tree::v2::proof::PROOF_FORMAT_V2)
}

/// A sampled proof that cannot be read as its format: a FAIL naming why.
fn unreadable_proof(p: &NamedText, e: &dyn fmt::Display, checks: &mut Vec<Check>) {
    checks.push(check(
        "customer-proof",
        Status::Fail,
        p.name.clone(),
        format!("{e}"),
        NO_EVIDENCE,
    ));
}

/// The verified attestation whose root a sampled proof claims; without one,
/// a FAIL saying which root the proof is for and what was attested instead.
fn attesting_or_fail<'a>(
    audited: &'a [Audited],
    p: &NamedText,
    claimed: NodeHash,
    proof_v2: bool,
    checks: &mut Vec<Check>,
) -> Option<&'a Audited> {
    let a = attesting(audited, claimed);
    if a.is_none() {
        checks.push(check(
            "customer-proof",
            Status::Fail,
            p.name.clone(),
            unattested(audited, claimed, proof_v2),
            [("proof_root", json!(claimed.to_string()))],
        ));
    }
    a
}

/// The latest verified attestation that attests `root` (either format).
fn attesting(audited: &[Audited], root: NodeHash) -> Option<&Audited> {
    audited
        .iter()
        .rev()
        .find(|a| a.verified.is_some() && a.parsed.body_unverified().liabilities.root() == root)
}

/// Why no verified attestation attests a proof's root, with a hint when
/// every verified attestation given carries the other tree format.
fn unattested(audited: &[Audited], claimed: NodeHash, proof_v2: bool) -> String {
    let verified = || audited.iter().filter(|a| a.verified.is_some());
    let other_format_only = verified().next().is_some()
        && verified().all(|a| a.parsed.body_unverified().liabilities.v2().is_some() != proof_v2);
    let mut why =
        format!("the proof is for root {claimed}, which no verified attestation given attests");
    if other_format_only {
        let (proof, roots) = if proof_v2 {
            ("a format v2 proof (por-proof-v2)", "format v1")
        } else {
            ("a format v1 proof (por-proof-v1)", "format v2")
        };
        why.push_str(&format!(
            " (it is {proof}, and the verified attestations given carry {roots} roots only)"
        ));
    }
    why
}

fn proof_check_v1(audited: &[Audited], p: &NamedText, checks: &mut Vec<Check>) {
    let proof = match InclusionProof::from_json(&p.text) {
        Ok(x) => x,
        Err(e) => return unreadable_proof(p, &e, checks),
    };
    let claimed = proof.claimed_root().hash;
    let Some(a) = attesting_or_fail(audited, p, claimed, false, checks) else {
        return;
    };
    let ev = [
        ("user_id", json!(proof.user_id())),
        ("attestation", json!(a.name)),
        ("root", json!(claimed.to_string())),
    ];
    if a.parsed.body_unverified().liabilities.v2().is_some() {
        checks.push(check(
            "customer-proof",
            Status::Fail,
            p.name.clone(),
            format!(
                "a format v1 proof (por-proof-v1) cannot lead to the format v2 root attested by {}",
                a.label()
            ),
            ev,
        ));
        return;
    }
    match a
        .parsed
        .body_unverified()
        .root_commitment()
        .map_err(|e| e.to_string())
        .and_then(|(assets, root)| {
            proof
                .verify_with_assets(&assets, &root)
                .map_err(|e| e.to_string())
        }) {
        Ok(_) => checks.push(check(
            "customer-proof",
            Status::Pass,
            p.name.clone(),
            format!("included under the root attested by {}", a.label()),
            ev,
        )),
        Err(e) => checks.push(check(
            "customer-proof",
            Status::Fail,
            p.name.clone(),
            format!("does not verify against the attested root: {e}"),
            ev,
        )),
    }
}

/// A `por-proof-v2` against the verified attestation that attests its
/// root: the attested `por-root-v2` (hash, height, assets with decimals and
/// proof units, totals and root blinding factors), checked by the
/// customer's own v2 check (leaf opening, path, root hash, root opening,
/// every range proof).
fn proof_check_v2(audited: &[Audited], p: &NamedText, checks: &mut Vec<Check>) {
    use por_tree::customer::CustomerVerdict;
    let proof = match por_tree::v2::ProofV2::from_json(&p.text) {
        Ok(x) => x,
        Err(e) => return unreadable_proof(p, &e, checks),
    };
    let claimed = proof.claimed_root().hash;
    let Some(a) = attesting_or_fail(audited, p, claimed, true, checks) else {
        return;
    };
    let ev = [
        ("user_id", json!(proof.user_id())),
        ("attestation", json!(a.name)),
        ("root", json!(claimed.to_string())),
    ];
    let Some(section) = a.parsed.body_unverified().liabilities.v2() else {
        checks.push(check(
            "customer-proof",
            Status::Fail,
            p.name.clone(),
            format!(
                "a format v2 proof (por-proof-v2) cannot lead to the format v1 root attested by {}",
                a.label()
            ),
            ev,
        ));
        return;
    };
    let root = match section.root_v2() {
        Ok(r) => r,
        Err(e) => {
            checks.push(check(
                "customer-proof",
                Status::Fail,
                p.name.clone(),
                format!("the attested format v2 root cannot be read: {e}"),
                ev,
            ));
            return;
        }
    };
    match por_tree::v2::check(&proof, Some(&root)) {
        (CustomerVerdict::Verified, _) => checks.push(check(
            "customer-proof",
            Status::Pass,
            p.name.clone(),
            format!(
                "included under the format v2 root attested by {} (leaf opening, path, root opening and every range proof checked)",
                a.label()
            ),
            ev,
        )),
        (_, e) => checks.push(check(
            "customer-proof",
            Status::Fail,
            p.name.clone(),
            format!(
                "does not verify against the attested format v2 root: {}",
                e.map_or_else(|| "not verified".to_owned(), |e| format!("({}) {e}", e.as_str()))
            ),
            ev,
        )),
    }
}

/// For each reserve entry of one attestation, whether its on-chain identity
/// (chain, network, address, native coin or contract — the key of the
/// `unique-address` check, never the symbol) is claimed by another entry of
/// the same attestation. `por reserve requirement --attestation` counts
/// none of those claims, exactly as the audit does.
#[must_use]
pub fn claimed_more_than_once(body: &Attestation, asset_registry: &AssetRegistry) -> Vec<bool> {
    let resolutions: BTreeMap<&str, Resolution> = body
        .assets
        .iter()
        .map(|a| {
            (
                a.symbol.as_str(),
                asset_registry.resolve(
                    a.chain.as_str(),
                    &a.symbol,
                    a.decimals,
                    a.contract.as_deref(),
                ),
            )
        })
        .collect();
    let keys: Vec<_> = body
        .reserves
        .iter()
        .map(|e| claim_key(body, e, resolutions.get(e.asset.as_str())))
        .collect();
    let mut count: BTreeMap<&ClaimKey, usize> = BTreeMap::new();
    for k in &keys {
        *count.entry(k).or_default() += 1;
    }
    keys.iter()
        .map(|k| count.get(k).copied().unwrap_or(0) > 1)
        .collect()
}

/// The liability-reserve inputs with an attestation's wallets in place of
/// the inputs' own holdings: one holding per counted reserve entry (its
/// category gives the owner, its tier the tier, `amount` the quantity), and
/// the attested liabilities totals as the customer liabilities. A holding of
/// the inputs with the same address lends its signing vendor and
/// cold-equivalent flag, which the attestation does not carry.
#[must_use]
pub fn reserve_inputs_from_attestation<'a>(
    inputs: &Inputs,
    body: &Attestation,
    counted: impl IntoIterator<Item = (&'a ReserveEntry, Amount)>,
) -> Inputs {
    let mut out = inputs.clone();
    let carried = &inputs.holdings;
    out.holdings = counted
        .into_iter()
        .map(|(e, amount)| {
            let owner = match e.category {
                Category::Customer => por_reserve::Owner::Customer,
                Category::Corporate => por_reserve::Owner::Own,
                Category::Guarantee => por_reserve::Owner::Guarantee,
                Category::LiabilityReserve => por_reserve::Owner::Reserve,
            };
            // One Tier (por_types) in the attestation and the reserve engine.
            let tier = e.tier;
            let addr = e.chain.address_key(e.address.as_str());
            let extra = carried.iter().find(|h| {
                h.address
                    .as_deref()
                    .is_some_and(|a| e.chain.address_key(a) == addr)
            });
            por_reserve::Holding {
                asset: e.asset.clone(),
                quantity: amount,
                owner,
                tier,
                signing_vendor: extra.and_then(|h| h.signing_vendor.clone()),
                cold_equivalent: extra.is_some_and(|h| h.cold_equivalent),
                chain: Some(e.chain.as_str().to_owned()),
                address: Some(e.address.as_str().to_owned()),
            }
        })
        .collect();
    out.customer_liabilities = body
        .liabilities
        .totals()
        .unwrap_or_default()
        .iter()
        .map(|t| (t.asset.clone(), t.amount))
        .collect();
    out
}

fn reserve_checks(
    label: &str,
    name: &str,
    v: &VerifiedAttestation,
    counted: &[Counted<'_>],
    run: &ReserveRun,
    checks: &mut Vec<Check>,
) -> Result<ReservePosition, AuditError> {
    use sha2::{Digest, Sha256};
    let body = v.body();
    let digest: [u8; 32] = Sha256::digest(&run.bytes).into();
    let got = hex::encode(digest);
    match &body.reserve_inputs {
        None => checks.push(check(
            "reserve-inputs",
            Status::NotChecked,
            label.to_owned(),
            format!(
                "the attestation commits to no reserve inputs; {} (SHA-256 {got}) is used as given",
                run.name
            ),
            [("sha256", json!(got))],
        )),
        Some(r) if r.sha256 == digest => checks.push(check(
            "reserve-inputs",
            Status::Pass,
            label.to_owned(),
            format!(
                "{} is the file the attestation commits to ({})",
                run.name, r.file
            ),
            [("sha256", json!(got))],
        )),
        Some(r) => checks.push(check(
            "reserve-inputs",
            Status::Fail,
            label.to_owned(),
            format!(
                "{} has SHA-256 {got}, but the attestation commits to {} with {}",
                run.name,
                r.file,
                hex::encode(r.sha256)
            ),
            [
                ("sha256", json!(got)),
                ("attested_sha256", json!(hex::encode(r.sha256))),
            ],
        )),
    }
    // Only confirmed wallets are holdings. With wallets left unchecked the
    // engine's figures could change either way once they are checked, so
    // no engine check passes or fails then: each is not checked, with the
    // verdict over the confirmed wallets in its summary.
    let inputs = reserve_inputs_from_attestation(
        &run.inputs,
        body,
        counted.iter().filter_map(|c| Some((c.entry, c.confirmed?))),
    );
    let unconfirmed: Vec<&Counted<'_>> = counted
        .iter()
        .filter(|c| c.unchecked.to_base_units() > 0)
        .collect();
    let verdict = |passes: bool, summary: String| -> (Status, String) {
        if unconfirmed.is_empty() {
            (if passes { Status::Pass } else { Status::Fail }, summary)
        } else {
            (
                Status::NotChecked,
                format!(
                    "{} over the confirmed wallets only ({summary}); {} wallet(s) whose balance or ownership could not be checked count zero and could change it",
                    if passes { "passes" } else { "fails" },
                    unconfirmed.len()
                ),
            )
        }
    };
    let report =
        por_reserve::evaluate(&inputs, &run.policies).map_err(|e| AuditError::Reserve {
            name: run.name.clone(),
            message: e.to_string(),
        })?;
    for c in &report.in_force.checks {
        let (status, summary) = verdict(c.passes, c.label.to_owned());
        checks.push(check(
            "reserve-in-force",
            status,
            format!("{label}: {} {}", c.id, c.name),
            summary,
            [
                ("policy", json!(c.provenance.policy)),
                (
                    "detail",
                    serde_json::to_value(&c.detail).unwrap_or(Value::Null),
                ),
            ],
        ));
    }
    let r = &report.requirement;
    let (status, summary) = verdict(r.passes, r.verdict_line());
    checks.push(check(
        "reserve-requirement",
        status,
        format!("{label}: liability reserve"),
        summary,
        [
            ("required_jpy", json!(r.required_jpy.to_string())),
            ("cash_required_jpy", json!(r.cash_required_jpy.to_string())),
            ("held_jpy", json!(r.reserve_held_jpy.to_string())),
            (
                "insurance_credit_jpy",
                json!(r.insurance_credit_jpy.to_string()),
            ),
            ("shortfall_jpy", json!(r.shortfall_jpy.to_string())),
        ],
    ));
    let stress = if run.scenarios.is_empty() {
        Vec::new()
    } else {
        por_reserve::stress(&inputs, &run.policies, &report.requirement, &run.scenarios).map_err(
            |e| AuditError::Reserve {
                name: run.name.clone(),
                message: e.to_string(),
            },
        )?
    };
    let comparison = por_reserve::compare(&inputs, &run.policies).ok();
    Ok(ReservePosition {
        attestation: name.to_owned(),
        report,
        stress,
        comparison,
        exchange: inputs.exchange.clone(),
        valuation_date: inputs.valuation_date.to_string(),
    })
}

#[cfg(test)]
mod tests;
