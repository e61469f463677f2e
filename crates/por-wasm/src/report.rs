//! The verification the page runs, as plain Rust: proof text and published
//! root text in, a [`Report`] out. The wasm exports are one-line adapters over
//! [`verify`]; everything here is unit-tested natively.

use core::fmt;

use por_core::{Amount, AssetList, InclusionProof, ProofFormatError, RootCommitment, VerifyError};
use serde::Serialize;

use crate::published::{Published, PublishedError};

/// What the page shows: the verdict, what the proof says, what was compared.
///
/// Serialized to JSON for the page (`verify_json`); field names are part of
/// the page's contract (`www/src/app.js`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// True iff the proof verified against the root in [`Report::checked_root`].
    pub verified: bool,
    /// Why it did not verify; `None` when verified.
    pub failure: Option<Failure>,
    /// Where the root the proof was checked against came from.
    pub root_source: RootSource,
    /// Which published figures were compared (all false for [`RootSource::Proof`]).
    pub compared: Compared,
    /// The customer's user id, as in the proof.
    pub user_id: String,
    /// The customer's leaf index.
    pub index: u64,
    /// The customer's balances, one per asset, in tree order.
    pub balances: Vec<AssetAmount>,
    /// The tree's total liabilities per asset: the published totals when
    /// `totals_published`, otherwise the totals stated in the proof.
    pub totals: Vec<AssetAmount>,
    /// Whether [`Report::totals`] are the published ones (a tree summary
    /// that covers the proof's assets) rather than the proof's own.
    pub totals_published: bool,
    /// The tree height the proof was checked against.
    pub height: u32,
    /// The root hash the proof was checked against.
    pub checked_root: String,
    /// The root hash written in the proof file.
    pub proof_root: String,
    /// The number of customers, when the publication states it.
    pub customers: Option<u64>,
}

/// An amount of one asset, in asset units and in base units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetAmount {
    /// The asset's symbol.
    pub symbol: String,
    /// The amount in asset units, exact ("0.5").
    pub amount: String,
    /// The amount in base units ("50000000").
    pub base_units: String,
}

/// Why a well-formed proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// A short, stable name: the core's [`VerifyError::kind`], or
    /// `asset-mismatch` when the published totals name other assets.
    pub kind: &'static str,
    /// The tree level where the failure shows, when there is one.
    pub level: Option<usize>,
    /// What went wrong, in English, naming the values.
    pub message: String,
    /// What the failure means for the customer.
    pub cause: Cause,
    /// The root hash the proof leads to, when it leads to one.
    pub computed_root: Option<String>,
}

/// What a failure means: the proof file is inconsistent in itself, or it is
/// consistent but belongs to another root than the published one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The proof does not lead to the root it states itself: it was altered
    /// or damaged (a balance, a sibling, the path, or the stated root).
    ProofInconsistent,
    /// The proof is consistent with the root it states, but that root is not
    /// the published one: another tree or snapshot, or a wrong publication.
    RootDiffers,
}

/// Where the root a proof was checked against came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RootSource {
    /// No published root was given: the root stated in the proof file. The
    /// customer still has to compare it with the exchange's publication.
    Proof,
    /// The published root hash alone (height and totals not published).
    PublishedHash,
    /// The published tree summary (hash, height and totals).
    PublishedSummary,
}

/// Which published figures the proof was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Compared {
    /// The root hash.
    pub hash: bool,
    /// The tree height.
    pub height: bool,
    /// The total liabilities per asset.
    pub totals: bool,
}

/// Input the page could not read: a malformed proof or published root. These
/// cross into JavaScript as errors, unlike a proof that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// The proof file is not a well-formed `por-proof-v1` document.
    Proof(ProofFormatError),
    /// The published root is neither form the page accepts.
    Published(PublishedError),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Proof(e) => write!(f, "proof file: {e}"),
            InputError::Published(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InputError::Proof(e) => Some(e),
            InputError::Published(e) => Some(e),
        }
    }
}

/// Reads a proof and, unless `published` is blank, the exchange's published
/// root, and verifies the proof against the published root (or, when none is
/// given, against the root stated in the proof).
///
/// # Errors
///
/// Returns an [`InputError`] if the proof or the published root cannot be
/// read. A readable proof that does not verify is not an error: it gives a
/// [`Report`] with `verified: false` and the [`Failure`].
pub fn verify(proof: &str, published: &str) -> Result<Report, InputError> {
    let proof = InclusionProof::from_json(proof).map_err(InputError::Proof)?;
    let published = if published.trim().is_empty() {
        None
    } else {
        Some(Published::parse(published).map_err(InputError::Published)?)
    };
    Ok(report(&proof, published.as_ref()))
}

/// [`verify`], serialized as the JSON the page reads.
///
/// # Errors
///
/// As [`verify`].
pub fn verify_json(proof: &str, published: &str) -> Result<String, InputError> {
    verify(proof, published)
        .map(|r| serde_json::to_string(&r).expect("a report has only strings, numbers and lists"))
}

fn report(proof: &InclusionProof, published: Option<&Published>) -> Report {
    let claimed = proof.claimed_root();
    let no = Compared {
        hash: false,
        height: false,
        totals: false,
    };
    // The root to check against, or a failure before any hashing (the
    // published totals name other assets).
    let (root_source, compared, target) = match published {
        None => (RootSource::Proof, no, Ok(claimed.clone())),
        Some(Published::Hash(hash)) => (
            RootSource::PublishedHash,
            Compared { hash: true, ..no },
            Ok(RootCommitment {
                hash: *hash,
                sums: claimed.sums.clone(),
                height: claimed.height,
            }),
        ),
        Some(Published::TreeSummary(summary)) => (
            RootSource::PublishedSummary,
            Compared {
                hash: true,
                height: true,
                totals: true,
            },
            summary
                .commitment_for(proof.assets())
                .map_err(|mismatch| Failure {
                    kind: "asset-mismatch",
                    level: None,
                    message: mismatch.to_string(),
                    cause: Cause::RootDiffers,
                    computed_root: None,
                }),
        ),
    };
    let totals_published = root_source == RootSource::PublishedSummary && target.is_ok();
    let (failure, height, checked_root, totals_base) = match target {
        Ok(root) => {
            let failure = proof
                .verify(&root)
                .err()
                .map(|e| failure_of(proof, published.is_some(), &e));
            (failure, root.height, root.hash, root.sums)
        }
        Err(f) => (
            Some(f),
            claimed.height,
            published.map_or(claimed.hash, Published::root),
            claimed.sums.clone(),
        ),
    };
    let customers = match published {
        Some(Published::TreeSummary(s)) => s.customers(),
        _ => None,
    };
    Report {
        verified: failure.is_none(),
        failure,
        root_source,
        compared,
        user_id: proof.user_id().to_owned(),
        index: proof.index(),
        balances: amounts(proof.assets(), proof.balances()),
        totals: amounts(proof.assets(), &totals_base),
        totals_published,
        height,
        checked_root: checked_root.to_string(),
        proof_root: claimed.hash.to_string(),
        customers,
    }
}

fn failure_of(proof: &InclusionProof, against_published: bool, e: &VerifyError) -> Failure {
    // Against a published root, tell a proof that is wrong in itself from a
    // consistent proof of another root: verify it against its own root too.
    let cause = if against_published && proof.verify(proof.claimed_root()).is_ok() {
        Cause::RootDiffers
    } else {
        Cause::ProofInconsistent
    };
    let computed_root = match e {
        VerifyError::RootHashMismatch { computed, .. } => Some(computed.to_string()),
        _ => None,
    };
    Failure {
        kind: e.kind(),
        level: e.level(),
        message: e.to_string(),
        cause,
        computed_root,
    }
}

fn amounts(assets: &AssetList, values: &[Amount]) -> Vec<AssetAmount> {
    assets
        .iter()
        .zip(values)
        .map(|(asset, value)| AssetAmount {
            symbol: asset.symbol().to_owned(),
            amount: value.display_in(asset.decimals()).to_string(),
            base_units: value.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use por_core::{AssetList, Ledger, LiabilitiesTree, SnapshotSecret};
    use serde_json::{json, Value};

    use super::*;

    /// Five customers, so the tree has a padding node and height 3. The
    /// expected figures below are worked out by hand from this CSV.
    const CSV: &str = "user_id,BTC,ETH\n\
                       alice,0.5,1\n\
                       bob,2,0\n\
                       carol,0.00000001,123.456\n\
                       dave,10,0.000000000000000001\n\
                       erin,0,5\n";
    const TOTAL_BTC: &str = "12.50000001";
    const TOTAL_ETH: &str = "129.456000000000000001";

    struct Fixture {
        proof: String,
        root: RootCommitment,
    }

    fn fixture(user: &str) -> Fixture {
        let assets = AssetList::from_spec("BTC:8,ETH:18").unwrap();
        let ledger = Ledger::from_csv(CSV.as_bytes(), &assets).unwrap();
        let secret = SnapshotSecret::from_byte_array([7; 32]);
        let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
        let index = customers.position(user).unwrap();
        Fixture {
            proof: tree.proof(&customers, index).unwrap().to_json(),
            root: tree.root(),
        }
    }

    fn summary(root: &RootCommitment, totals: Value) -> String {
        json!({"root": root.hash.to_string(), "height": root.height, "customers": 5, "totals": totals})
            .to_string()
    }

    fn edit(proof: &str, f: impl FnOnce(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(proof).unwrap();
        f(&mut v);
        v.to_string()
    }

    fn amounts_of(list: &[AssetAmount]) -> Vec<(&str, &str)> {
        list.iter()
            .map(|a| (a.symbol.as_str(), a.amount.as_str()))
            .collect()
    }

    #[test]
    fn valid_proof_against_each_form_of_root() {
        let f = fixture("carol");
        let hash = f.root.hash.to_string();
        let good_summary = summary(
            &f.root,
            json!({"BTC": "1250000001", "ETH": "129456000000000000001"}),
        );
        for (published, source, compared) in [
            ("", RootSource::Proof, (false, false, false)),
            (
                hash.as_str(),
                RootSource::PublishedHash,
                (true, false, false),
            ),
            (
                good_summary.as_str(),
                RootSource::PublishedSummary,
                (true, true, true),
            ),
        ] {
            let r = verify(&f.proof, published).unwrap();
            assert!(r.verified, "{published}: {:?}", r.failure);
            assert_eq!(r.failure, None);
            assert_eq!(r.root_source, source);
            assert_eq!(
                (r.compared.hash, r.compared.height, r.compared.totals),
                compared
            );
            assert_eq!(r.user_id, "carol");
            assert_eq!(
                amounts_of(&r.balances),
                [("BTC", "0.00000001"), ("ETH", "123.456")]
            );
            assert_eq!(r.balances[1].base_units, "123456000000000000000");
            assert_eq!(
                amounts_of(&r.totals),
                [("BTC", TOTAL_BTC), ("ETH", TOTAL_ETH)]
            );
            assert_eq!(r.height, 3);
            assert_eq!(r.checked_root, hash);
            assert_eq!(r.proof_root, hash);
            assert_eq!(r.totals_published, source == RootSource::PublishedSummary);
        }
        assert_eq!(verify(&f.proof, &good_summary).unwrap().customers, Some(5));
    }

    #[test]
    fn tampered_balance_is_inconsistent() {
        let f = fixture("alice");
        let tampered = edit(&f.proof, |v| v["balances"][0] = json!("5000000000"));
        for published in [String::new(), f.root.hash.to_string()] {
            let r = verify(&tampered, &published).unwrap();
            assert!(!r.verified);
            let failure = r.failure.unwrap();
            assert_eq!(failure.kind, "root-hash-mismatch");
            assert_eq!(failure.level, Some(3));
            assert_eq!(failure.cause, Cause::ProofInconsistent);
            assert_ne!(
                failure.computed_root.as_deref(),
                Some(f.root.hash.to_string().as_str())
            );
            // The page still shows what the file claims, labelled as unverified.
            assert_eq!(amounts_of(&r.balances), [("BTC", "50"), ("ETH", "1")]);
        }
    }

    #[test]
    fn tampered_sibling_is_inconsistent() {
        let f = fixture("bob");
        let hash = f.root.hash.to_string();
        let tampered = edit(&f.proof, |v| {
            let h = v["path"][1]["hash"].as_str().unwrap().to_owned();
            let flipped = if h.starts_with('0') { "1" } else { "0" };
            v["path"][1]["hash"] = json!(format!("{flipped}{}", &h[1..]));
        });
        let failure = verify(&tampered, &hash).unwrap().failure.unwrap();
        assert_eq!(
            (failure.kind, failure.cause),
            ("root-hash-mismatch", Cause::ProofInconsistent)
        );

        // A sibling sum so large that the parent's sum wraps: caught at its level.
        let overflow = edit(&f.proof, |v| {
            v["path"][1]["sums"][0] = json!(u128::MAX.to_string())
        });
        let failure = verify(&overflow, &hash).unwrap().failure.unwrap();
        assert_eq!(failure.kind, "sum-overflow");
        assert_eq!(failure.level, Some(2));
        assert!(failure.message.contains("level 2"), "{}", failure.message);
    }

    #[test]
    fn wrong_root_is_another_root() {
        let f = fixture("dave");
        let mut other = f.root.hash.to_byte_array();
        other[31] ^= 1;
        let other = por_core::NodeHash::from_byte_array(other).to_string();
        let r = verify(&f.proof, &other).unwrap();
        assert!(!r.verified);
        assert_eq!(r.checked_root, other);
        let failure = r.failure.unwrap();
        assert_eq!(failure.kind, "root-hash-mismatch");
        assert_eq!(failure.cause, Cause::RootDiffers);
        assert_eq!(failure.computed_root, Some(f.root.hash.to_string()));
        assert!(failure.message.contains(&other), "{}", failure.message);
    }

    #[test]
    fn published_summary_figures_are_compared() {
        let f = fixture("erin");
        let wrong_total = summary(&f.root, json!({"BTC": "1250000001", "ETH": "1"}));
        let failure = verify(&f.proof, &wrong_total).unwrap().failure.unwrap();
        assert_eq!(
            (failure.kind, failure.cause),
            ("root-sum-mismatch", Cause::RootDiffers)
        );
        assert!(
            failure.message.contains("totals of ETH differ"),
            "{}",
            failure.message
        );

        let mut taller = f.root.clone();
        taller.height = 4;
        let wrong_height = summary(
            &taller,
            json!({"BTC": "1250000001", "ETH": "129456000000000000001"}),
        );
        let failure = verify(&f.proof, &wrong_height).unwrap().failure.unwrap();
        assert_eq!(failure.kind, "path-length");

        let other_assets = summary(&f.root, json!({"BTC": "1250000001", "XRP": "1"}));
        let r = verify(&f.proof, &other_assets).unwrap();
        let failure = r.failure.unwrap();
        assert_eq!(failure.kind, "asset-mismatch");
        assert!(
            failure.message.contains("no published total for ETH"),
            "{}",
            failure.message
        );
        assert_eq!(r.checked_root, f.root.hash.to_string());
    }

    #[test]
    fn unreadable_input_is_an_error_not_a_verdict() {
        let f = fixture("alice");
        let err = verify("{\"format\": \"por-proof-v1\"", "").unwrap_err();
        assert!(matches!(err, InputError::Proof(_)));
        assert!(
            err.to_string().starts_with("proof file: malformed proof: "),
            "{err}"
        );

        let err = verify(&edit(&f.proof, |v| v["balances"][0] = json!("-1")), "").unwrap_err();
        assert!(err.to_string().contains("\"-1\""), "{err}");

        let err = verify(&f.proof, "not a root").unwrap_err();
        assert!(matches!(err, InputError::Published(_)));
        assert!(err.to_string().starts_with("published root: "), "{err}");
    }

    #[test]
    fn json_report_is_what_the_page_reads() {
        let f = fixture("alice");
        let wrong = "0".repeat(64);
        let v: Value = serde_json::from_str(&verify_json(&f.proof, &wrong).unwrap()).unwrap();
        assert_eq!(v["verified"], json!(false));
        assert_eq!(v["root_source"], json!("published-hash"));
        assert_eq!(v["failure"]["kind"], json!("root-hash-mismatch"));
        assert_eq!(v["failure"]["cause"], json!("root-differs"));
        assert_eq!(v["failure"]["level"], json!(3));
        assert_eq!(
            v["balances"][0],
            json!({"symbol": "BTC", "amount": "0.5", "base_units": "50000000"})
        );
        assert_eq!(
            v["compared"],
            json!({"hash": true, "height": false, "totals": false})
        );
        assert_eq!(v["customers"], Value::Null);
    }
}
