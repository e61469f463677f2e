//! The verification the page runs, as plain Rust: proof text and published
//! root text in, a [`Report`] out. The wasm exports are one-line adapters over
//! [`verify`]; everything here is unit-tested natively.

use core::fmt;

use por_attest::publication::{
    self, AttestationSummary, PublicationError, PublishedAttestation, PublishedRoot,
};
use por_attest::SignatureError;
use por_tree::customer::{CustomerVerdict, NotVerifiedCause};
use por_tree::{Amount, AssetList, InclusionProof, ProofFormatError};
use serde::Serialize;

/// What the page shows: the verdict, what the proof says, what was compared.
///
/// Serialized to JSON for the page (`verify_json`); field names are part of
/// the page's contract (`www/src/app.js`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The customer's verdict (`por_tree::customer`): `verified` (green),
    /// `consistent-not-compared` (amber) or `not-verified` (red). The page
    /// shows green only for `verified` and fails closed on anything else.
    pub verdict: &'static str,
    /// True iff [`Report::verdict`] is `verified`: consistent, and every
    /// published item given matches.
    pub verified: bool,
    /// Why it did not verify; `None` when verified.
    pub failure: Option<Failure>,
    /// Where the root the proof was checked against came from.
    pub root_source: RootSource,
    /// Every published item compared with the proof: `matches`, `differs`
    /// or `not-given` (all `not-given` for [`RootSource::Proof`] and for an
    /// attestation whose signature does not verify).
    pub comparisons: Comparisons,
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
    /// What the attestation says and whether its signature verified, when
    /// the published root was given as an attestation.
    pub attestation: Option<AttestationSummary>,
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
    /// A short, stable name: the core's [`VerifyError::kind`](por_tree::VerifyError::kind), or
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
    /// The attestation's signature does not verify: the document was altered
    /// after signing or was not signed by the key it names. Its figures are
    /// not used.
    AttestationInvalid,
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
    /// The signed attestation (hash, height, totals and assets).
    Attestation,
}

impl From<publication::RootSource> for RootSource {
    fn from(s: publication::RootSource) -> RootSource {
        match s {
            publication::RootSource::Proof => RootSource::Proof,
            publication::RootSource::PublishedHash => RootSource::PublishedHash,
            publication::RootSource::PublishedSummary => RootSource::PublishedSummary,
            publication::RootSource::Attestation => RootSource::Attestation,
        }
    }
}

/// Every published item, compared with what the proof leads to: `matches`,
/// `differs` or `not-given` (the core's [`Comparison`](por_tree::customer::Comparison)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Comparisons {
    /// The root hash.
    pub root_hash: &'static str,
    /// The tree height.
    pub height: &'static str,
    /// The total liabilities per asset.
    pub totals: &'static str,
    /// The asset list (symbols and decimals).
    pub assets: &'static str,
    /// The customer count (whether it fits the tree height).
    pub customers: &'static str,
}

impl From<por_tree::customer::Comparisons> for Comparisons {
    fn from(c: por_tree::customer::Comparisons) -> Comparisons {
        Comparisons {
            root_hash: c.root_hash.as_str(),
            height: c.height.as_str(),
            totals: c.totals.as_str(),
            assets: c.assets.as_str(),
            customers: c.customers.as_str(),
        }
    }
}

/// Input the page could not read: a malformed proof or published root. These
/// cross into JavaScript as errors, unlike a proof that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// The proof file is not a well-formed `por-proof-v1` document.
    Proof(ProofFormatError),
    /// The published root is neither form the page accepts.
    Published(PublicationError),
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
        Some(PublishedRoot::parse(published).map_err(InputError::Published)?)
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

fn report(proof: &InclusionProof, published: Option<&PublishedRoot>) -> Report {
    let r = publication::check_proof(proof, published, None);
    let check = &r.check;
    let checked_root = r.checked_root;
    let verified = check.verdict == CustomerVerdict::Verified;
    let failure = match check.verdict {
        CustomerVerdict::NotVerified(NotVerifiedCause::PublicationUntrusted) => {
            // Only an attestation whose signature fails is untrusted.
            let e = r.signature_error.as_ref();
            Some(Failure {
                kind: e.map_or("publication-untrusted", SignatureError::kind),
                level: None,
                message: e.map_or_else(
                    || "the publication cannot be trusted".to_owned(),
                    ToString::to_string,
                ),
                cause: Cause::AttestationInvalid,
                computed_root: None,
            })
        }
        CustomerVerdict::NotVerified(cause) => {
            let f = check
                .failure
                .as_ref()
                .expect("a not-verified check says why");
            Some(Failure {
                kind: f.kind,
                level: f.level,
                message: f.message.clone(),
                cause: if cause == NotVerifiedCause::RootDiffers {
                    Cause::RootDiffers
                } else {
                    Cause::ProofInconsistent
                },
                computed_root: check
                    .computed
                    .as_ref()
                    .filter(|c| c.hash != checked_root)
                    .map(|c| c.hash.to_string()),
            })
        }
        CustomerVerdict::Verified | CustomerVerdict::ConsistentNotCompared => None,
    };
    let attestation = published
        .and_then(PublishedRoot::attestation)
        .map(PublishedAttestation::summary);
    Report {
        verdict: check.verdict.as_str(),
        verified,
        failure,
        root_source: r.source.into(),
        comparisons: check.comparisons.into(),
        user_id: proof.user_id().to_owned(),
        index: proof.index(),
        balances: amounts(proof.assets(), proof.balances()),
        totals: amounts(proof.assets(), &r.totals),
        totals_published: r.totals_published,
        height: r.height,
        checked_root: checked_root.to_string(),
        proof_root: proof.claimed_root().hash.to_string(),
        customers: r.customers,
        attestation,
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
    use por_tree::{AssetList, Ledger, LiabilitiesTree, RootCommitment, SnapshotSecret};
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

    const M: &str = "matches";
    const D: &str = "differs";
    const NG: &str = "not-given";

    /// Root hash, height, totals, assets, customers.
    fn cmp(r: &Report) -> [&'static str; 5] {
        let c = r.comparisons;
        [c.root_hash, c.height, c.totals, c.assets, c.customers]
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
        for (published, source, verdict, compared) in [
            (
                "",
                RootSource::Proof,
                "consistent-not-compared",
                [NG, NG, NG, NG, NG],
            ),
            (
                hash.as_str(),
                RootSource::PublishedHash,
                "verified",
                [M, NG, NG, NG, NG],
            ),
            (
                good_summary.as_str(),
                RootSource::PublishedSummary,
                "verified",
                [M, M, M, NG, M],
            ),
        ] {
            let r = verify(&f.proof, published).unwrap();
            assert_eq!(r.verdict, verdict, "{published}: {:?}", r.failure);
            assert_eq!(r.verified, verdict == "verified");
            assert_eq!(r.failure, None);
            assert_eq!(r.root_source, source);
            assert_eq!(cmp(&r), compared);
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
        let other = por_tree::NodeHash::from_byte_array(other).to_string();
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
    fn a_differing_root_is_shown_as_differs_not_as_compared() {
        let f = fixture("dave");
        let other = "0".repeat(64);
        let r = verify(&f.proof, &other).unwrap();
        assert_eq!(r.verdict, "not-verified");
        assert_eq!(cmp(&r), [D, NG, NG, NG, NG]);
        // Totals and customers that differ, each on its own line.
        let wrong_total = summary(&f.root, json!({"BTC": "1250000001", "ETH": "1"}));
        assert_eq!(
            cmp(&verify(&f.proof, &wrong_total).unwrap()),
            [M, M, D, NG, M]
        );
    }

    #[test]
    fn a_customer_count_that_does_not_fit_the_height_is_not_verified() {
        let f = fixture("carol");
        let totals = json!({"BTC": "1250000001", "ETH": "129456000000000000001"});
        let mut v: Value = serde_json::from_str(&summary(&f.root, totals)).unwrap();
        // Five customers make height 3; nine would need height 4.
        v["customers"] = json!(9);
        let r = verify(&f.proof, &v.to_string()).unwrap();
        assert_eq!(r.verdict, "not-verified");
        assert_eq!(cmp(&r), [M, M, M, NG, D]);
        let failure = r.failure.unwrap();
        assert_eq!(failure.kind, "customer-count-mismatch");
        assert_eq!(failure.cause, Cause::RootDiffers);
        assert!(
            failure.message.contains("5 to 8 customers"),
            "{}",
            failure.message
        );
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
        assert_eq!(v["verdict"], json!("not-verified"));
        assert_eq!(
            v["comparisons"],
            json!({"root_hash": "differs", "height": "not-given", "totals": "not-given", "assets": "not-given", "customers": "not-given"})
        );
        assert_eq!(v["customers"], Value::Null);
    }

    // ---- The attestation form ----

    const SECRET: [u8; 32] = [0x42; 32];

    /// A `por-attestation-v1` document over the fixture's root, signed with
    /// the core's signer; `change` edits the body before signing.
    fn attestation(root: &RootCommitment, change: impl FnOnce(&mut Value)) -> String {
        let key = por_attest::AttestationKey::from_secret_bytes(&SECRET).unwrap();
        let mut body = json!({
            "format": "por-attestation-v1",
            "exchange": {"id": "acme", "public_key": key.public_key_hex()},
            "snapshot": {"label": "2026-11-21", "time": "2026-11-21T00:00:00Z"},
            "chains": [
                {"chain": "bitcoin", "height": 870000, "block_hash": "00".repeat(32)},
                {"chain": "ethereum", "height": 21000000, "block_hash": format!("0x{}", "ab".repeat(32))}
            ],
            "assets": [
                {"symbol": "BTC", "decimals": 8, "chain": "bitcoin", "contract": null},
                {"symbol": "ETH", "decimals": 18, "chain": "ethereum", "contract": null}
            ],
            "liabilities": {
                "root": root.hash.to_string(),
                "height": root.height,
                "customers": 5,
                "totals": [
                    {"asset": "BTC", "amount": root.sums[0].to_string()},
                    {"asset": "ETH", "amount": root.sums[1].to_string()}
                ]
            },
            "reserves": [],
            "reserve_inputs": null,
            "previous": null
        });
        change(&mut body);
        let body: por_attest::Attestation = serde_json::from_value(body).unwrap();
        body.sign(&key, &[7; 32]).unwrap()
    }

    /// The fingerprint computed here from the key's bytes: the first 8 bytes
    /// of SHA-256 of the x-only key (docs/attestation.md).
    fn expected_fingerprint() -> (String, String) {
        use sha2::Digest;
        let key = por_attest::AttestationKey::from_secret_bytes(&SECRET).unwrap();
        let public = key.public_key_hex();
        let digest = sha2::Sha256::digest(hex::decode(&public).unwrap());
        (public, hex::encode(&digest[..8]))
    }

    #[test]
    fn valid_proof_against_an_attestation() {
        let f = fixture("carol");
        let att = attestation(&f.root, |_| {});
        let r = verify(&f.proof, &att).unwrap();
        assert!(r.verified, "{:?}", r.failure);
        assert_eq!(r.verdict, "verified");
        assert_eq!(r.root_source, RootSource::Attestation);
        assert_eq!(cmp(&r), [M, M, M, M, M]);
        assert!(r.totals_published);
        assert_eq!(r.customers, Some(5));
        assert_eq!(
            amounts_of(&r.totals),
            [("BTC", TOTAL_BTC), ("ETH", TOTAL_ETH)]
        );
        let a = r.attestation.unwrap();
        let (public, fingerprint) = expected_fingerprint();
        assert!(a.signature_valid);
        assert_eq!(a.signature_error, None);
        assert_eq!(a.exchange, "acme");
        assert_eq!(a.public_key, public);
        assert_eq!(a.fingerprint.as_deref(), Some(fingerprint.as_str()));
        assert_eq!(
            (a.snapshot_label.as_str(), a.snapshot_time.as_str()),
            ("2026-11-21", "2026-11-21T00:00:00Z")
        );
        assert_eq!(a.chains.len(), 2);
        assert_eq!(
            (a.chains[1].chain.as_str(), a.chains[1].height),
            ("ethereum", 21_000_000)
        );
        assert_eq!(a.id.len(), 64);

        // Layout does not matter: only the canonical form is signed.
        let compact: Value = serde_json::from_str(&att).unwrap();
        assert!(verify(&f.proof, &compact.to_string()).unwrap().verified);
    }

    #[test]
    fn tampered_attestation_fails_its_signature() {
        let f = fixture("alice");
        let att = attestation(&f.root, |_| {});
        for tamper in [
            edit(&att, |v| v["snapshot"]["label"] = json!("2026-11-22")),
            edit(&att, |v| v["liabilities"]["customers"] = json!(4)),
        ] {
            let r = verify(&f.proof, &tamper).unwrap();
            assert!(!r.verified);
            let failure = r.failure.clone().unwrap();
            assert_eq!(failure.kind, "bad-signature");
            assert_eq!(failure.cause, Cause::AttestationInvalid);
            assert!(
                failure.message.contains("does not verify"),
                "{}",
                failure.message
            );
            // The unverified figures are not used.
            assert!(!r.totals_published);
            assert_eq!(cmp(&r), [NG, NG, NG, NG, NG]);
            assert_eq!(r.verdict, "not-verified");
            assert_eq!(r.checked_root, f.root.hash.to_string());
            assert_eq!(r.customers, None);
            let a = r.attestation.unwrap();
            assert!(!a.signature_valid);
            assert_eq!(a.fingerprint, None);
            assert_eq!(a.signature_error.as_deref(), Some(failure.message.as_str()));
        }
    }

    #[test]
    fn attested_root_figures_and_assets_are_compared() {
        let f = fixture("dave");
        // Signed, but the proof's decimals differ from the attestation's.
        let att = attestation(&f.root, |_| {});
        let proof = edit(&f.proof, |v| v["assets"][1]["decimals"] = json!(6));
        let r = verify(&proof, &att).unwrap();
        let failure = r.failure.unwrap();
        assert_eq!(failure.kind, "asset-mismatch");
        assert!(
            failure
                .message
                .contains("asset ETH has 6 decimals in the proof but 18 in the publication"),
            "{}",
            failure.message
        );
        // Without the attestation, that proof verifies: decimals are not in the hash.
        assert!(verify(&proof, &f.root.hash.to_string()).unwrap().verified);

        // A signed attestation of another total, or another root.
        let wrong_total = attestation(&f.root, |v| {
            v["liabilities"]["totals"][1]["amount"] = json!("1");
        });
        let failure = verify(&f.proof, &wrong_total).unwrap().failure.unwrap();
        assert_eq!(
            (failure.kind, failure.cause),
            ("root-sum-mismatch", Cause::RootDiffers)
        );
        let wrong_root = attestation(&f.root, |v| {
            v["liabilities"]["root"] = json!("11".repeat(32));
        });
        let failure = verify(&f.proof, &wrong_root).unwrap().failure.unwrap();
        assert_eq!(
            (failure.kind, failure.cause),
            ("root-hash-mismatch", Cause::RootDiffers)
        );
    }

    #[test]
    fn malformed_attestation_is_an_input_error() {
        let f = fixture("erin");
        let att = attestation(&f.root, |_| {});
        let unsigned = edit(&att, |v| {
            v.as_object_mut().unwrap().remove("signature");
        });
        let err = verify(&f.proof, &unsigned).unwrap_err();
        assert!(matches!(
            err,
            InputError::Published(PublicationError::Attestation(_))
        ));
        assert!(
            err.to_string()
                .starts_with("published root: malformed attestation: no `signature`"),
            "{err}"
        );
        let bad_time = edit(&att, |v| v["snapshot"]["time"] = json!("yesterday"));
        let err = verify(&f.proof, &bad_time).unwrap_err();
        assert!(err.to_string().contains("snapshot.time"), "{err}");
    }

    #[test]
    fn json_report_carries_the_attestation() {
        let f = fixture("bob");
        let att = attestation(&f.root, |_| {});
        let v: Value = serde_json::from_str(&verify_json(&f.proof, &att).unwrap()).unwrap();
        assert_eq!(v["root_source"], json!("attestation"));
        assert_eq!(v["attestation"]["signature_valid"], json!(true));
        assert_eq!(v["attestation"]["exchange"], json!("acme"));
        assert_eq!(v["attestation"]["snapshot_label"], json!("2026-11-21"));
        assert_eq!(v["attestation"]["chains"][0]["chain"], json!("bitcoin"));
        let tampered = edit(&att, |v| v["exchange"]["id"] = json!("other"));
        let v: Value = serde_json::from_str(&verify_json(&f.proof, &tampered).unwrap()).unwrap();
        assert_eq!(v["failure"]["cause"], json!("attestation-invalid"));
        assert_eq!(v["attestation"]["fingerprint"], Value::Null);
    }
}
