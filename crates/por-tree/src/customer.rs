//! The customer's verdict on their proof, in one place for `por verify` and
//! the browser page (`por-wasm`): four states, never conflated.
//!
//! - [`CustomerVerdict::Verified`]: the root the proof's path leads to (its
//!   leaf hashed up with its siblings and their sums) matches a publication
//!   the customer supplied (root hash, tree summary or attestation), item by
//!   item. The root written inside the file is only a claim and decides
//!   nothing here.
//! - [`CustomerVerdict::ConsistentNotCompared`]: the proof leads to the root
//!   written in it, but nothing was compared with a publication. Any
//!   self-consistent file (from a phishing site, from an old tree) is this.
//! - [`CustomerVerdict::NotVerified`]: with its [`NotVerifiedCause`]: the
//!   root differs from the publication, or the proof is inconsistent in
//!   itself, or the publication given cannot be trusted.
//! - Malformed input is not a verdict: it never gets this far (a
//!   [`crate::ProofFormatError`] or the caller's own parse error).
//!
//! Every published item is compared with the root the proof leads to
//! ([`InclusionProof::recompute_root`]) and reported as a [`Comparison`]:
//! matches, differs, or not given.

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::hash::NodeHash;
use crate::prelude::*;
use crate::proof::{InclusionProof, VerifyError};
use crate::tree::RootCommitment;

/// What the exchange published, as far as the customer supplied it. Only
/// the root hash is required; every other item is compared when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// The published root hash.
    pub root: NodeHash,
    /// The published tree height.
    pub height: Option<u32>,
    /// The published total liabilities per asset symbol, in base units.
    pub totals: Option<Vec<(String, Amount)>>,
    /// The published asset list (symbols and decimals, in tree order). The
    /// root hash commits to base units only, not to symbols or decimals.
    pub assets: Option<AssetList>,
    /// The published number of customers.
    pub customers: Option<u64>,
}

impl Publication {
    /// A publication of the root hash alone.
    #[must_use]
    pub fn hash(root: NodeHash) -> Publication {
        Publication {
            root,
            height: None,
            totals: None,
            assets: None,
            customers: None,
        }
    }
}

/// What the proof is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against<'a> {
    /// No publication: only the root written in the proof itself.
    Nothing,
    /// A publication the customer supplied.
    Publication(&'a Publication),
    /// A publication was given but cannot be trusted (an attestation whose
    /// signature does not verify): nothing in it is compared.
    Untrusted,
}

/// The customer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerVerdict {
    /// Consistent, and every published item given matches (exit 0, green).
    Verified,
    /// Consistent with the root written in the proof, not compared with any
    /// publication (exit 3, amber).
    ConsistentNotCompared,
    /// Not verified (exit 1, red), and why.
    NotVerified(NotVerifiedCause),
}

impl CustomerVerdict {
    /// A short, stable name: `verified`, `consistent-not-compared` or
    /// `not-verified`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerVerdict::Verified => "verified",
            CustomerVerdict::ConsistentNotCompared => "consistent-not-compared",
            CustomerVerdict::NotVerified(_) => "not-verified",
        }
    }
}

/// Why a proof is not verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotVerifiedCause {
    /// The proof does not lead to the root it states itself (and not to the
    /// published one): it was altered or damaged.
    ProofInconsistent,
    /// The proof is consistent in itself, but the publication differs from
    /// it (another root, height, totals, asset list or customer count).
    RootDiffers,
    /// The publication given cannot be trusted; nothing was compared.
    PublicationUntrusted,
}

impl NotVerifiedCause {
    /// A short, stable name: `proof-inconsistent`, `root-differs` or
    /// `publication-untrusted`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            NotVerifiedCause::ProofInconsistent => "proof-inconsistent",
            NotVerifiedCause::RootDiffers => "root-differs",
            NotVerifiedCause::PublicationUntrusted => "publication-untrusted",
        }
    }
}

/// One published item compared with the proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Given, and equal to what the proof leads to.
    Matches,
    /// Given, and different (or the proof leads to no root at all).
    Differs,
    /// Not given (or given in an untrusted publication): not compared.
    NotGiven,
}

impl Comparison {
    /// `matches`, `differs` or `not-given`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Matches => "matches",
            Comparison::Differs => "differs",
            Comparison::NotGiven => "not-given",
        }
    }

    fn of(given: Option<bool>) -> Comparison {
        match given {
            None => Comparison::NotGiven,
            Some(true) => Comparison::Matches,
            Some(false) => Comparison::Differs,
        }
    }
}

/// Every published item, compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparisons {
    /// The root hash.
    pub root_hash: Comparison,
    /// The tree height (the proof's path length).
    pub height: Comparison,
    /// The total liabilities of every asset (by symbol).
    pub totals: Comparison,
    /// The asset list: symbols and decimals, in order.
    pub assets: Comparison,
    /// The customer count: it matches when it fits the tree height (a tree
    /// of height `h >= 1` has more than `2^(h-1)` and at most `2^h`
    /// customers; height 0 has one).
    pub customers: Comparison,
}

impl Comparisons {
    const NONE: Comparisons = Comparisons {
        root_hash: Comparison::NotGiven,
        height: Comparison::NotGiven,
        totals: Comparison::NotGiven,
        assets: Comparison::NotGiven,
        customers: Comparison::NotGiven,
    };

    /// The items in display order, with their stable names.
    #[must_use]
    pub fn items(&self) -> [(&'static str, Comparison); 5] {
        [
            ("root_hash", self.root_hash),
            ("height", self.height),
            ("totals", self.totals),
            ("assets", self.assets),
            ("customers", self.customers),
        ]
    }

    fn all_given_match(&self) -> bool {
        self.items().iter().all(|(_, c)| *c != Comparison::Differs)
            && self.root_hash == Comparison::Matches
    }
}

/// Why a check failed, in the words of the core: a stable kind, the tree
/// level where it shows, and a message naming the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// [`VerifyError::kind`], or `asset-mismatch` / `customer-count-mismatch`
    /// for the publication's asset list or customer count.
    pub kind: &'static str,
    /// The tree level where it shows, when there is one.
    pub level: Option<usize>,
    /// What went wrong, in English.
    pub message: String,
    /// The underlying verification error, when the failure is one.
    pub error: Option<VerifyError>,
}

impl From<VerifyError> for CheckFailure {
    fn from(e: VerifyError) -> CheckFailure {
        CheckFailure {
            kind: e.kind(),
            level: e.level(),
            message: e.to_string(),
            error: Some(e),
        }
    }
}

/// The outcome of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCheck {
    /// The verdict.
    pub verdict: CustomerVerdict,
    /// Every published item, compared.
    pub comparisons: Comparisons,
    /// Why it is not verified or inconsistent; `None` when verified or
    /// consistent (and for an untrusted publication, whose reason the
    /// caller knows).
    pub failure: Option<CheckFailure>,
    /// The root the proof leads to (hash, sums, and the path length as the
    /// height), when it leads to one.
    pub computed: Option<RootCommitment>,
    /// Whether the proof leads to the root written in it.
    pub self_consistent: bool,
}

/// Classifies a proof against what the customer supplied. Pure: no I/O.
#[must_use]
pub fn check(proof: &InclusionProof, against: Against<'_>) -> CustomerCheck {
    let computed = proof.recompute_root().ok();
    let own = proof.verify(proof.claimed_root()).err();
    let self_consistent = own.is_none();
    match against {
        Against::Nothing => CustomerCheck {
            verdict: if self_consistent {
                CustomerVerdict::ConsistentNotCompared
            } else {
                CustomerVerdict::NotVerified(NotVerifiedCause::ProofInconsistent)
            },
            comparisons: Comparisons::NONE,
            failure: own.map(CheckFailure::from),
            computed,
            self_consistent,
        },
        Against::Untrusted => CustomerCheck {
            verdict: CustomerVerdict::NotVerified(NotVerifiedCause::PublicationUntrusted),
            comparisons: Comparisons::NONE,
            failure: None,
            computed,
            self_consistent,
        },
        Against::Publication(p) => against_publication(proof, p, computed, self_consistent),
    }
}

fn against_publication(
    proof: &InclusionProof,
    p: &Publication,
    computed: Option<RootCommitment>,
    self_consistent: bool,
) -> CustomerCheck {
    let assets = proof.assets();
    // The published totals in the proof's asset order, when they name
    // exactly the proof's symbols.
    let ordered: Option<Result<Vec<Amount>, String>> = p
        .totals
        .as_ref()
        .map(|totals| totals_in_order(assets, totals));
    let path_len = computed.as_ref().map(|c| c.height);
    let comparisons = Comparisons {
        root_hash: Comparison::of(Some(computed.as_ref().is_some_and(|c| c.hash == p.root))),
        height: Comparison::of(
            p.height
                .map(|h| u32::try_from(proof.path().len()).ok() == Some(h)),
        ),
        totals: Comparison::of(ordered.as_ref().map(|o| match (o, &computed) {
            (Ok(sums), Some(c)) => *sums == c.sums,
            _ => false,
        })),
        assets: Comparison::of(p.assets.as_ref().map(|a| a == assets)),
        customers: Comparison::of(p.customers.map(|n| {
            u32::try_from(proof.path().len())
                .ok()
                .is_some_and(|h| fits_height(n, h))
        })),
    };
    if comparisons.all_given_match() {
        return CustomerCheck {
            verdict: CustomerVerdict::Verified,
            comparisons,
            failure: None,
            computed,
            self_consistent,
        };
    }
    let failure = if comparisons.assets == Comparison::Differs {
        CheckFailure {
            kind: "asset-mismatch",
            level: None,
            message: asset_difference(assets, p.assets.as_ref().unwrap_or(assets)),
            error: None,
        }
    } else if let Some(Err(message)) = &ordered {
        CheckFailure {
            kind: "asset-mismatch",
            level: None,
            message: message.clone(),
            error: None,
        }
    } else {
        // The published figures, with the proof's own where not published.
        let target = RootCommitment {
            hash: p.root,
            sums: match (&ordered, &computed) {
                (Some(Ok(sums)), _) => sums.clone(),
                (_, Some(c)) => c.sums.clone(),
                _ => proof.claimed_root().sums.clone(),
            },
            height: p.height.or(path_len).unwrap_or(proof.claimed_root().height),
        };
        match proof.verify(&target) {
            Err(e) => CheckFailure::from(e),
            Ok(_) => {
                let n = p.customers.unwrap_or_default();
                CheckFailure {
                    kind: "customer-count-mismatch",
                    level: None,
                    message: format!(
                        "the published customer count {n} does not fit a tree of height {}: such a tree has {}",
                        target.height,
                        count_range(target.height)
                    ),
                    error: None,
                }
            }
        }
    };
    CustomerCheck {
        verdict: CustomerVerdict::NotVerified(if self_consistent {
            NotVerifiedCause::RootDiffers
        } else {
            NotVerifiedCause::ProofInconsistent
        }),
        comparisons,
        failure: Some(failure),
        computed,
        self_consistent,
    }
}

fn totals_in_order(assets: &AssetList, totals: &[(String, Amount)]) -> Result<Vec<Amount>, String> {
    let mut sums = Vec::with_capacity(assets.len());
    let mut missing = Vec::new();
    for asset in assets.iter() {
        match totals.iter().find(|(s, _)| s == asset.symbol()) {
            Some((_, amount)) => sums.push(*amount),
            None => missing.push(asset.symbol().to_owned()),
        }
    }
    let extra: Vec<&str> = totals
        .iter()
        .filter(|(s, _)| assets.iter().all(|a| a.symbol() != s))
        .map(|(s, _)| s.as_str())
        .collect();
    if missing.is_empty() && extra.is_empty() && totals.len() == assets.len() {
        return Ok(sums);
    }
    let mut m = String::from("the published totals cover other assets than the proof");
    if !missing.is_empty() {
        m.push_str(&format!("; no published total for {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        m.push_str(&format!("; the proof does not cover {}", extra.join(", ")));
    }
    Err(m)
}

fn asset_difference(mine: &AssetList, theirs: &AssetList) -> String {
    let list = |l: &AssetList| {
        l.iter()
            .map(|x| format!("{}:{}", x.symbol(), x.decimals()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let detail = mine
        .iter()
        .find_map(|x| {
            theirs
                .iter()
                .find(|y| y.symbol() == x.symbol() && y.decimals() != x.decimals())
                .map(|y| {
                    format!(
                        "; asset {} has {} decimals in the proof but {} in the publication",
                        x.symbol(),
                        x.decimals(),
                        y.decimals()
                    )
                })
        })
        .unwrap_or_default();
    format!(
        "the proof's assets ({}) are not the published ones ({}){detail}",
        list(mine),
        list(theirs)
    )
}

/// Whether `n` customers make a tree of height `h`: a level of `p > 1`
/// nodes has `ceil(p / 2)` parents, so `h = ceil(log2(n))`.
#[must_use]
pub fn fits_height(n: u64, h: u32) -> bool {
    let n = u128::from(n);
    if h == 0 {
        return n == 1;
    }
    let upper = 1u128.checked_shl(h).unwrap_or(u128::MAX);
    let lower = 1u128.checked_shl(h - 1).unwrap_or(u128::MAX);
    n > lower && n <= upper
}

fn count_range(h: u32) -> String {
    if h == 0 {
        return "exactly 1 customer".to_owned();
    }
    match (1u128.checked_shl(h - 1), 1u128.checked_shl(h)) {
        (Some(lo), Some(hi)) => format!("{} to {hi} customers", lo + 1),
        _ => "more customers than a count can say".to_owned(),
    }
}

#[cfg(test)]
#[cfg(feature = "csv")]
mod tests {
    use super::*;
    use crate::{Ledger, LiabilitiesTree, SnapshotSecret};

    /// Five customers (height 3) and carol's proof.
    fn fixture() -> (InclusionProof, RootCommitment, AssetList) {
        let assets = AssetList::from_spec("BTC:8,ETH:18").unwrap();
        let csv = "user_id,BTC,ETH\nalice,0.5,1\nbob,2,0\ncarol,1,2\ndave,10,0\nerin,0,5\n";
        let ledger = Ledger::from_csv(csv.as_bytes(), &assets).unwrap();
        let secret = SnapshotSecret::from_byte_array([7; 32]);
        let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
        let proof = tree
            .proof(&customers, customers.position("carol").unwrap())
            .unwrap();
        (proof, tree.root(), assets)
    }

    fn full(root: &RootCommitment, assets: &AssetList) -> Publication {
        Publication {
            root: root.hash,
            height: Some(root.height),
            totals: Some(
                assets
                    .iter()
                    .zip(&root.sums)
                    .map(|(a, s)| (a.symbol().to_owned(), *s))
                    .collect(),
            ),
            assets: Some(assets.clone()),
            customers: Some(5),
        }
    }

    fn edit(proof: &InclusionProof, f: impl FnOnce(&mut serde_json::Value)) -> InclusionProof {
        let mut v: serde_json::Value = serde_json::from_str(&proof.to_json()).unwrap();
        f(&mut v);
        InclusionProof::from_json(&v.to_string()).unwrap()
    }

    #[test]
    fn own_root_only_is_consistent_not_compared_never_verified() {
        let (proof, _, _) = fixture();
        let c = check(&proof, Against::Nothing);
        assert_eq!(c.verdict, CustomerVerdict::ConsistentNotCompared);
        assert_eq!(c.comparisons, Comparisons::NONE);
        assert_eq!(c.failure, None);
        assert!(c.self_consistent);
    }

    #[test]
    fn every_published_item_matches_or_the_verdict_is_not_verified() {
        let (proof, root, assets) = fixture();
        let p = full(&root, &assets);
        let c = check(&proof, Against::Publication(&p));
        assert_eq!(c.verdict, CustomerVerdict::Verified);
        assert!(c
            .comparisons
            .items()
            .iter()
            .all(|(_, v)| *v == Comparison::Matches));
        let hash_only = Publication::hash(root.hash);
        let c = check(&proof, Against::Publication(&hash_only));
        assert_eq!(c.verdict, CustomerVerdict::Verified);
        assert_eq!(c.comparisons.height, Comparison::NotGiven);

        let mut other = root.hash.to_byte_array();
        other[0] ^= 1;
        let c = check(
            &proof,
            Against::Publication(&Publication::hash(NodeHash::from_byte_array(other))),
        );
        assert_eq!(
            c.verdict,
            CustomerVerdict::NotVerified(NotVerifiedCause::RootDiffers)
        );
        assert_eq!(c.comparisons.root_hash, Comparison::Differs);
        assert_eq!(c.failure.unwrap().kind, "root-hash-mismatch");

        for (change, item) in [
            (
                Publication {
                    height: Some(4),
                    ..p.clone()
                },
                "height",
            ),
            (
                Publication {
                    customers: Some(9),
                    ..p.clone()
                },
                "customers",
            ),
            (
                Publication {
                    assets: Some(AssetList::from_spec("BTC:8,ETH:6").unwrap()),
                    ..p.clone()
                },
                "assets",
            ),
            (
                Publication {
                    totals: Some(vec![
                        ("BTC".into(), root.sums[0]),
                        ("ETH".into(), Amount::ZERO),
                    ]),
                    ..p.clone()
                },
                "totals",
            ),
        ] {
            let c = check(&proof, Against::Publication(&change));
            assert_eq!(
                c.verdict,
                CustomerVerdict::NotVerified(NotVerifiedCause::RootDiffers),
                "{item}"
            );
            let items = c.comparisons.items();
            for (name, v) in items {
                let want = if name == item {
                    Comparison::Differs
                } else {
                    Comparison::Matches
                };
                assert_eq!(v, want, "{item}: {name}");
            }
        }
    }

    #[test]
    fn an_altered_proof_is_inconsistent_not_another_root() {
        let (proof, root, assets) = fixture();
        let tampered = edit(&proof, |v| v["balances"][0] = serde_json::json!("5"));
        for against in [
            Against::Nothing,
            Against::Publication(&full(&root, &assets)),
        ] {
            let c = check(&tampered, against);
            assert_eq!(
                c.verdict,
                CustomerVerdict::NotVerified(NotVerifiedCause::ProofInconsistent)
            );
            assert!(!c.self_consistent);
            assert_eq!(c.failure.unwrap().kind, "root-hash-mismatch");
        }
        // Only the stated root altered: the path still leads to the
        // published root, so it is verified, with the figures it leads to.
        let stated = edit(&proof, |v| v["root"]["sums"][0] = serde_json::json!("1"));
        let c = check(&stated, Against::Publication(&Publication::hash(root.hash)));
        assert_eq!(c.verdict, CustomerVerdict::Verified);
        assert_eq!(c.computed.unwrap().sums, root.sums);
        assert_eq!(
            check(&stated, Against::Nothing).verdict,
            CustomerVerdict::NotVerified(NotVerifiedCause::ProofInconsistent)
        );
    }

    #[test]
    fn an_untrusted_publication_is_not_verified_and_compares_nothing() {
        let (proof, _, _) = fixture();
        let c = check(&proof, Against::Untrusted);
        assert_eq!(
            c.verdict,
            CustomerVerdict::NotVerified(NotVerifiedCause::PublicationUntrusted)
        );
        assert_eq!(c.comparisons, Comparisons::NONE);
    }

    #[test]
    fn customer_count_fits_height() {
        assert!(fits_height(1, 0));
        assert!(!fits_height(2, 0));
        assert!(fits_height(2, 1));
        assert!(fits_height(3, 2) && fits_height(4, 2));
        assert!(!fits_height(2, 2) && !fits_height(5, 2));
        assert!(fits_height(5, 3) && fits_height(8, 3) && !fits_height(9, 3));
        assert!(fits_height(u64::MAX, 64) && !fits_height(u64::MAX, 65));
        assert_eq!(count_range(3), "5 to 8 customers");
    }
}
