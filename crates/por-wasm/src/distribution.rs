//! The distribution check the page runs: a customer's distribution proof
//! (`por-distribution-proof-v1`) against the administrator's signed
//! statement (`por-distribution-v1`), as plain Rust. It says what
//! `por distribution verify` says, from the same library calls
//! (`VerifiedStatement::from_json`, `DistributionProof::from_json`,
//! `check_proof`); the wasm export is a one-line adapter.

use core::fmt;

use por_distribute::statement::StatementError;
use por_distribute::{check_proof, wide, DistributionProof, VerifiedStatement};
use por_tree::Amount;
use serde::Serialize;

/// What the page shows for a distribution proof. Field names are part of
/// the page's contract (`www/src/app.js`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionReport {
    /// `verified` (the proof is in the signed statement's distribution
    /// root), `not-verified` (it is not), `untrusted` (the statement's
    /// signature fails: nothing in it was compared) or `unsigned` (the
    /// statement has no signature: nothing was compared, incomplete).
    pub verdict: &'static str,
    /// True iff [`DistributionReport::verdict`] is `verified`.
    pub verified: bool,
    /// Why it is not verified; `None` when verified.
    pub failure: Option<DistributionFailure>,
    /// The customer's user id, as in the proof.
    pub user_id: String,
    /// The customer's leaf index, as in the proof.
    pub index: u64,
    /// What the statement names; only when its signature verified.
    pub statement: Option<StatementSummary>,
    /// Per asset, in tree order: claim, payout, held back, below the
    /// de-minimis threshold, recovery. Only when verified (empty otherwise:
    /// the figures of a proof that does not check are not shown).
    pub assets: Vec<AssetLine>,
    /// The JPY top-up, when the distribution has one and the proof verified.
    pub top_up: Option<TopUpLine>,
}

/// Why a distribution proof is not verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionFailure {
    /// A short, stable name: the statement error's or `check_proof`'s kind.
    pub kind: &'static str,
    /// What went wrong, in English.
    pub message: String,
}

/// What a statement whose signature verified names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementSummary {
    /// The administrator key (x-only, hex), as the statement states it.
    pub administrator_key: String,
    /// Its fingerprint (first 8 bytes of SHA-256 of the key, hex), to
    /// compare with the one the administrator publishes.
    pub fingerprint: String,
    /// The distribution root hash.
    pub distribution_root: String,
    /// The number of customers in the distribution.
    pub customers: u64,
    /// The attestation the distribution starts from: its id.
    pub attestation_id: String,
    /// The exchange named in that attestation.
    pub exchange: String,
    /// Its snapshot label.
    pub snapshot: String,
    /// Its liabilities root.
    pub liabilities_root: String,
    /// The policy's name.
    pub policy: String,
}

/// One asset of a verified proof, amounts in asset units (exact decimals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetLine {
    /// The asset's symbol.
    pub symbol: String,
    /// The customer's claim.
    pub claim: String,
    /// The payout.
    pub payout: String,
    /// Set aside because the customer's claim is held back ("0" if none).
    pub held: String,
    /// Below the de-minimis threshold, kept by the estate ("0" if none).
    pub retained: String,
    /// `floor(allocation × 10000 ÷ claim)` as `12.34%`; `-` for a zero claim.
    pub recovery: String,
    /// The claim in base units.
    pub claim_base_units: String,
    /// The payout in base units.
    pub payout_base_units: String,
}

/// The JPY top-up of a verified proof, in yen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopUpLine {
    /// The customer's in-kind shortfall valued in yen.
    pub shortfall: String,
    /// The top-up paid in yen.
    pub paid: String,
    /// Held back in yen ("0" if none).
    pub held: String,
    /// The date of the prices, as the statement states it.
    pub price_date: String,
    /// Where the prices come from, as the statement states it.
    pub price_source: String,
}

/// Input the page could not read: a malformed proof or statement. These
/// cross into JavaScript as errors, unlike a proof that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DistributionInputError {
    /// The proof is not a well-formed `por-distribution-proof-v1` document.
    Proof(por_distribute::proof::ProofFormatError),
    /// The statement is not a well-formed `por-distribution-v1` document.
    Statement(StatementError),
}

impl fmt::Display for DistributionInputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DistributionInputError::Proof(e) => {
                write!(f, "distribution proof: not a valid distribution proof: {e}")
            }
            DistributionInputError::Statement(e) => {
                write!(f, "statement: not a valid distribution statement: {e}")
            }
        }
    }
}

impl std::error::Error for DistributionInputError {}

/// Reads the proof and the statement and checks the proof against it.
///
/// # Errors
///
/// [`DistributionInputError`] when either file cannot be read as its
/// format. A statement whose signature fails, or that has none, and a proof
/// that does not check are not errors: the report says so.
pub fn check(proof: &str, statement: &str) -> Result<DistributionReport, DistributionInputError> {
    let proof = DistributionProof::from_json(proof).map_err(DistributionInputError::Proof)?;
    let mut report = DistributionReport {
        verdict: "not-verified",
        verified: false,
        failure: None,
        user_id: proof.user_id().to_owned(),
        index: proof.index(),
        statement: None,
        assets: Vec::new(),
        top_up: None,
    };
    let statement = match VerifiedStatement::from_json(statement) {
        Ok(s) => s,
        Err(e @ (StatementError::Json { .. } | StatementError::Invalid { .. })) => {
            return Err(DistributionInputError::Statement(e))
        }
        Err(e) => {
            report.verdict = if e == StatementError::MissingSignature {
                "unsigned"
            } else {
                "untrusted"
            };
            report.failure = Some(DistributionFailure {
                kind: e.kind(),
                message: e.to_string(),
            });
            return Ok(report);
        }
    };
    let body = statement.body();
    report.statement = Some(StatementSummary {
        administrator_key: body.administrator_key.clone(),
        fingerprint: statement.key_fingerprint().to_owned(),
        distribution_root: body.distribution.root.to_string(),
        customers: body.distribution.customers,
        attestation_id: body.attestation.id.clone(),
        exchange: body.attestation.exchange.clone(),
        snapshot: body.attestation.snapshot.clone(),
        liabilities_root: body.attestation.liabilities_root.to_string(),
        policy: body.policy.name.clone(),
    });
    if let Err(e) = check_proof(&statement, &proof) {
        report.failure = Some(DistributionFailure {
            kind: e.kind(),
            message: e.to_string(),
        });
        return Ok(report);
    }
    let mut assets = Vec::with_capacity(proof.assets().len());
    for (j, a) in proof.assets().iter().enumerate() {
        let Some(s) = proof.split(j) else {
            return Ok(missing_column(report));
        };
        let d = |x: Amount| x.display_in(a.decimals()).to_string();
        assets.push(AssetLine {
            symbol: a.symbol().to_owned(),
            claim: d(s.claim),
            payout: d(s.paid),
            held: d(s.held),
            retained: d(s.retained),
            recovery: s
                .allocation()
                .map_or_else(|| "-".to_owned(), |x| percent(x, s.claim)),
            claim_base_units: s.claim.to_string(),
            payout_base_units: s.paid.to_string(),
        });
    }
    if proof.has_top_up() {
        let Some(s) = proof.split(proof.assets().len()) else {
            return Ok(missing_column(report));
        };
        report.top_up = Some(TopUpLine {
            shortfall: s.claim.to_string(),
            paid: s.paid.to_string(),
            held: s.held.to_string(),
            price_date: body
                .top_up
                .as_ref()
                .map_or_else(String::new, |t| t.price_date.clone()),
            price_source: body.price_source.clone().unwrap_or_default(),
        });
    }
    report.assets = assets;
    report.verdict = "verified";
    report.verified = true;
    Ok(report)
}

/// A checked proof always has every column; should it not, fail closed.
fn missing_column(mut report: DistributionReport) -> DistributionReport {
    report.failure = Some(DistributionFailure {
        kind: "columns-mismatch",
        message: "the proof lacks a column the statement has".to_owned(),
    });
    report
}

/// [`check`], serialized as the JSON the page reads.
///
/// # Errors
///
/// As [`check`].
pub fn check_json(proof: &str, statement: &str) -> Result<String, DistributionInputError> {
    check(proof, statement)
        .map(|r| serde_json::to_string(&r).expect("a report has only strings, numbers and lists"))
}

/// `floor(part × 10000 ÷ whole)` as `12.34%` (`-` for a zero whole), as
/// `por distribution verify` prints it.
fn percent(part: Amount, whole: Amount) -> String {
    if whole == Amount::ZERO {
        return "-".to_owned();
    }
    match wide::mul_div_floor(part.to_base_units(), 10_000, whole.to_base_units()) {
        Some((bp, _)) => format!("{}.{:02}%", bp / 100, bp % 100),
        None => "-".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    // Made by the real `por distribution plan | sign | proof` commands; see
    // tests/fixtures/distribution/README.md. Ledger: alice 0.5 BTC 1 ETH,
    // bob 2 BTC, carol 0.00000001 BTC 123.456 ETH, dave 10 BTC
    // 0.000000000000000001 ETH, erin 5 ETH; available 10 BTC (of
    // 12.50000001 owed) and 200 ETH (more than owed).
    const STATEMENT: &str = include_str!("../tests/fixtures/distribution/statement.json");
    const ALICE: &str = include_str!("../tests/fixtures/distribution/proof-alice.json");
    // The same ledger under top-up-policy.toml: bob held back, a BTC
    // de-minimis of 2 base units, shortfalls topped up at 15 000 000 yen
    // per BTC.
    const TOP_STATEMENT: &str =
        include_str!("../tests/fixtures/distribution/top-up-statement.json");
    const TOP_ALICE: &str = include_str!("../tests/fixtures/distribution/top-up-proof-alice.json");
    const TOP_BOB: &str = include_str!("../tests/fixtures/distribution/top-up-proof-bob.json");
    const TOP_CAROL: &str = include_str!("../tests/fixtures/distribution/top-up-proof-carol.json");

    fn edit(text: &str, f: impl FnOnce(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(text).unwrap();
        f(&mut v);
        v.to_string()
    }

    /// Symbol, claim, payout, held, retained, recovery.
    fn lines(r: &DistributionReport) -> Vec<[&str; 6]> {
        r.assets
            .iter()
            .map(|a| {
                [
                    a.symbol.as_str(),
                    a.claim.as_str(),
                    a.payout.as_str(),
                    a.held.as_str(),
                    a.retained.as_str(),
                    a.recovery.as_str(),
                ]
            })
            .collect()
    }

    #[test]
    fn valid_proof_shows_claim_payout_and_recovery() {
        let r = check(ALICE, STATEMENT).unwrap();
        assert_eq!(r.verdict, "verified");
        assert!(r.verified);
        assert_eq!(r.failure, None);
        assert_eq!(r.user_id, "alice");
        // 0.5 × 10 ÷ 12.50000001 = 0.39999999968: 0.39999999 and, by the
        // largest remainder, one more satoshi; ETH is paid in full.
        assert_eq!(
            lines(&r),
            [
                ["BTC", "0.5", "0.4", "0", "0", "80.00%"],
                ["ETH", "1", "1", "0", "0", "100.00%"]
            ]
        );
        assert_eq!(r.assets[0].claim_base_units, "50000000");
        assert_eq!(r.assets[0].payout_base_units, "40000000");
        assert_eq!(r.top_up, None);
        let st: Value = serde_json::from_str(STATEMENT).unwrap();
        let s = r.statement.unwrap();
        assert_eq!(
            s.administrator_key,
            st["administrator_key"].as_str().unwrap()
        );
        assert_eq!(
            s.distribution_root,
            st["distribution"]["root"].as_str().unwrap()
        );
        assert_eq!(s.customers, 5);
        assert_eq!(s.exchange, "acme");
        assert_eq!(s.snapshot, "2026-11-21");
        assert_eq!(s.attestation_id, st["attestation"]["id"].as_str().unwrap());
        assert_eq!(s.policy, "distribution-pro-rata");
        // An independent computation of the fingerprint.
        use sha2::Digest;
        let key = hex::decode(&s.administrator_key).unwrap();
        assert_eq!(s.fingerprint, hex::encode(&sha2::Sha256::digest(key)[..8]));
    }

    #[test]
    fn payout_raised_by_one_unit_is_not_verified() {
        let raised = edit(ALICE, |v| v["values"][1] = json!("40000001"));
        let r = check(&raised, STATEMENT).unwrap();
        assert_eq!(r.verdict, "not-verified");
        assert!(!r.verified);
        assert_eq!(r.failure.unwrap().kind, "root-hash-mismatch");
        assert!(r.assets.is_empty(), "unconfirmed figures are not shown");
        assert_eq!(r.top_up, None);
        assert!(r.statement.is_some());
    }

    #[test]
    fn statement_altered_after_signing_is_untrusted_and_not_compared() {
        for altered in [
            edit(STATEMENT, |v| {
                v["attestation"]["snapshot"] = json!("2026-11-22")
            }),
            edit(STATEMENT, |v| v["distribution"]["customers"] = json!(6)),
        ] {
            let r = check(ALICE, &altered).unwrap();
            assert_eq!(r.verdict, "untrusted");
            assert!(!r.verified);
            assert_eq!(r.failure.unwrap().kind, "bad-signature");
            assert_eq!(r.statement, None);
            assert!(r.assets.is_empty());
        }
    }

    #[test]
    fn unsigned_statement_compares_nothing() {
        let unsigned = edit(STATEMENT, |v| {
            v.as_object_mut().unwrap().remove("signature");
        });
        let r = check(ALICE, &unsigned).unwrap();
        assert_eq!(r.verdict, "unsigned");
        assert!(!r.verified);
        assert_eq!(r.failure.unwrap().kind, "missing-signature");
        assert_eq!(r.statement, None);
        assert!(r.assets.is_empty());
    }

    #[test]
    fn proof_of_another_distribution_is_not_verified() {
        // Same ledger, but the top-up distribution has a JPY column.
        let r = check(ALICE, TOP_STATEMENT).unwrap();
        assert_eq!(r.verdict, "not-verified");
        assert_eq!(r.failure.unwrap().kind, "columns-mismatch");
        let r = check(TOP_ALICE, STATEMENT).unwrap();
        assert_eq!(r.verdict, "not-verified");
    }

    #[test]
    fn top_up_holdback_and_de_minimis() {
        let r = check(TOP_ALICE, TOP_STATEMENT).unwrap();
        assert_eq!(r.verdict, "verified");
        assert_eq!(lines(&r)[0], ["BTC", "0.5", "0.4", "0", "0", "80.00%"]);
        // Shortfall 0.1 BTC at 15 000 000 yen; the pool covers it.
        let t = r.top_up.unwrap();
        assert_eq!(
            [t.shortfall.as_str(), t.paid.as_str(), t.held.as_str()],
            ["1500000", "1500000", "0"]
        );
        assert_eq!(t.price_date, "2026-11-21");
        assert_eq!(t.price_source, "test prices");

        let r = check(TOP_BOB, TOP_STATEMENT).unwrap();
        assert_eq!(r.verdict, "verified");
        assert_eq!(
            lines(&r),
            [
                ["BTC", "2", "0", "1.6", "0", "80.00%"],
                ["ETH", "0", "0", "0", "0", "-"]
            ]
        );
        let t = r.top_up.unwrap();
        assert_eq!(
            [t.shortfall.as_str(), t.paid.as_str(), t.held.as_str()],
            ["6000000", "0", "6000000"]
        );

        let r = check(TOP_CAROL, TOP_STATEMENT).unwrap();
        assert_eq!(
            lines(&r)[0],
            ["BTC", "0.00000001", "0", "0", "0.00000001", "100.00%"]
        );
    }

    #[test]
    fn malformed_inputs_are_errors_naming_the_file_and_field() {
        let e = check("{", STATEMENT).unwrap_err();
        assert!(matches!(e, DistributionInputError::Proof(_)));
        assert!(e.to_string().starts_with("distribution proof: "), "{e}");
        let e = check(ALICE, "not json").unwrap_err();
        assert!(e.to_string().starts_with("statement: "), "{e}");
        let bad = edit(STATEMENT, |v| v["distribution"]["height"] = json!("three"));
        let e = check(ALICE, &bad).unwrap_err();
        assert!(e.to_string().contains("distribution.height"), "{e}");
        // A proof of reserves is not a distribution proof.
        let e = check(r#"{"format":"por-proof-v1"}"#, STATEMENT).unwrap_err();
        assert!(matches!(e, DistributionInputError::Proof(_)));
    }

    #[test]
    fn json_for_the_page() {
        let v: Value = serde_json::from_str(&check_json(ALICE, STATEMENT).unwrap()).unwrap();
        assert_eq!(v["verdict"], "verified");
        assert_eq!(v["assets"][0]["payout"], "0.4");
        assert_eq!(v["statement"]["customers"], 5);
        assert!(v["top_up"].is_null());
    }
}
