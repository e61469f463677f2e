//! What the exchange published, as a customer gives it to `por verify
//! --published` or to the page: the root hash alone, the tree summary
//! (`por tree build --json`, [`TreeSummary`]), or the signed attestation
//! (`por-attestation-v1`). One parser ([`PublishedRoot::parse`]) and one
//! check ([`check_proof`]) for both surfaces, which only format the result.
//!
//! The verdict itself is `por_tree::customer`'s: this module decides what is
//! compared. An attestation whose BIP-340 signature does not verify against
//! the key it names is untrusted and nothing in it is compared; one that
//! verifies is compared item by item (root hash, height, totals, asset list,
//! customer count). A verifying signature shows that the document is intact
//! and signed by the key it names, not that the key is the exchange's: the
//! key's fingerprint is reported for the customer to compare with the one the
//! exchange publishes. `docs/publication.md` describes the forms (with the
//! `v2` feature also `por-root-v2` and attestations carrying it).

use core::fmt;

use por_tree::customer::{self, Against, CustomerCheck, CustomerVerdict, Publication};
use por_tree::{Amount, AssetList, InclusionProof, NodeHash, RootCommitment, TreeSummary};

use crate::{Attestation, FormatError, ParsedAttestation, SignatureError, FORMAT};

/// The exchange's published root, in one of its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublishedRoot {
    /// Only the root hash (64 hex digits): only the hash is compared.
    Hash(NodeHash),
    /// The tree summary: hash, height, totals per symbol and (when stated)
    /// the customer count.
    TreeSummary(TreeSummary),
    /// The signed attestation: hash, height, totals, assets and customer
    /// count, under the exchange's signature (or, for a format v2 tree, its
    /// `por-root-v2`).
    Attestation(Box<PublishedAttestation>),
    /// A format v2 tree's published root (`por-root-v2`).
    #[cfg(feature = "v2")]
    RootV2(Box<por_tree::v2::RootV2>),
}

/// A structurally valid attestation and the outcome of its signature check.
/// An invalid signature is not an input error but a failed verdict, so it is
/// kept for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedAttestation {
    body: Attestation,
    id: String,
    signature: Result<String, SignatureError>,
    assets: AssetList,
    commitment: Option<RootCommitment>,
    #[cfg(feature = "v2")]
    root_v2: Option<por_tree::v2::RootV2>,
}

impl PublishedAttestation {
    /// The attested content. Its figures are only to be trusted when
    /// [`PublishedAttestation::signature`] is `Ok`.
    #[must_use]
    pub fn body(&self) -> &Attestation {
        &self.body
    }

    /// The document's id (hex SHA-256 of its canonical form).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key's fingerprint when the signature verified against the key the
    /// document names, or why it did not.
    ///
    /// # Errors
    ///
    /// The [`SignatureError`] when the signature does not verify.
    pub fn signature(&self) -> Result<&str, &SignatureError> {
        self.signature.as_deref()
    }

    /// The liabilities tree's assets (symbols and decimals) in tree order, as
    /// the attestation states them.
    #[must_use]
    pub fn assets(&self) -> &AssetList {
        &self.assets
    }

    /// The attested format v1 liabilities root: hash, height and totals;
    /// `None` when the attestation carries a format v2 root.
    #[must_use]
    pub fn commitment(&self) -> Option<&RootCommitment> {
        self.commitment.as_ref()
    }

    /// The attested format v2 root (`por-root-v2`), when it carries one.
    #[cfg(feature = "v2")]
    #[must_use]
    pub fn root_v2(&self) -> Option<&por_tree::v2::RootV2> {
        self.root_v2.as_ref()
    }
}

/// What a customer is shown of an attestation given as the published root,
/// for the page and `por verify` alike: whether its signature verified, and
/// what it names (the exchange, its key, the snapshot, the chain blocks).
/// Serialized as is into the page's report (`crates/por-wasm`,
/// `crates/por-wasm-v2`; field names are part of `www/src/app.js`'s
/// contract).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttestationSummary {
    /// True iff the BIP-340 signature verified against the key the document
    /// names.
    pub signature_valid: bool,
    /// Why the signature did not verify; `None` when it did.
    pub signature_error: Option<String>,
    /// The exchange's id, as the document states it.
    pub exchange: String,
    /// The attestation public key (x-only, hex), as the document states it.
    pub public_key: String,
    /// The key's fingerprint (first 8 bytes of SHA-256 of the key, hex), to
    /// compare with the one the exchange published; only when the signature
    /// verified.
    pub fingerprint: Option<String>,
    /// The snapshot label.
    pub snapshot_label: String,
    /// The snapshot time (RFC 3339 UTC).
    pub snapshot_time: String,
    /// The chain blocks the reserve balances refer to.
    pub chains: Vec<ChainBlock>,
    /// The document's id (hex SHA-256 of its canonical form).
    pub id: String,
}

/// The block on one chain an attestation's reserve balances refer to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainBlock {
    /// The chain's name (`bitcoin`, `ethereum`).
    pub chain: String,
    /// The block height.
    pub height: u64,
    /// The block hash, as the chain writes it.
    pub block_hash: String,
}

impl PublishedAttestation {
    /// What the customer is shown of this attestation. Its figures are the
    /// document's own; they are only to be trusted when
    /// [`AttestationSummary::signature_valid`].
    #[must_use]
    pub fn summary(&self) -> AttestationSummary {
        let body = &self.body;
        AttestationSummary {
            signature_valid: self.signature.is_ok(),
            signature_error: self.signature.as_ref().err().map(ToString::to_string),
            exchange: body.exchange.id.clone(),
            public_key: body.exchange.public_key.to_hex(),
            fingerprint: self.signature.as_ref().ok().cloned(),
            snapshot_label: body.snapshot.label.clone(),
            snapshot_time: body.snapshot.time.to_string(),
            chains: body
                .chains
                .iter()
                .map(|c| ChainBlock {
                    chain: c.chain.to_string(),
                    height: c.height,
                    block_hash: c.block_hash.to_string(),
                })
                .collect(),
            id: self.id.clone(),
        }
    }
}

/// Where the root a proof was checked against came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    /// No publication: the root written in the proof file.
    Proof,
    /// The published root hash alone.
    PublishedHash,
    /// The published tree summary (format v1) or `por-root-v2` (format v2).
    PublishedSummary,
    /// The signed attestation.
    Attestation,
}

impl RootSource {
    /// `proof`, `published-hash`, `published-summary` or `attestation`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RootSource::Proof => "proof",
            RootSource::PublishedHash => "published-hash",
            RootSource::PublishedSummary => "published-summary",
            RootSource::Attestation => "attestation",
        }
    }
}

impl PublishedRoot {
    /// Parses a publication: 64 hex digits (white space around and inside
    /// ignored), a tree summary, or a signed attestation (JSON with a
    /// `format` member). An attestation's signature is checked here; one that
    /// does not verify is kept in [`PublishedAttestation::signature`].
    ///
    /// # Errors
    ///
    /// A [`PublicationError`] naming what is wrong: text that is none of the
    /// forms, a summary with a missing, unknown or invalid member, an
    /// attestation that is not well formed, or a `format` other than
    /// `por-attestation-v1`.
    pub fn parse(text: &str) -> Result<PublishedRoot, PublicationError> {
        let text = text.trim();
        if text.starts_with('{') {
            // Whether a `format` member is present at all (even as null)
            // decides the form; a document that is not JSON is left for the
            // summary parser to describe.
            let probe = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
                .ok()
                .and_then(|mut m| m.remove("format"));
            return match probe {
                None => TreeSummary::from_json(text)
                    .map(PublishedRoot::TreeSummary)
                    .map_err(PublicationError::Summary),
                Some(serde_json::Value::String(f)) if f == FORMAT => parse_attestation(text)
                    .map(|a| PublishedRoot::Attestation(Box::new(a)))
                    .map_err(PublicationError::Attestation),
                #[cfg(feature = "v2")]
                Some(serde_json::Value::String(f)) if f == por_tree::v2::proof::ROOT_FORMAT_V2 => {
                    por_tree::v2::RootV2::from_json(text)
                        .map(|r| PublishedRoot::RootV2(Box::new(r)))
                        .map_err(|e| PublicationError::RootV2 {
                            field: e.field,
                            message: e.message,
                        })
                }
                Some(other) => Err(PublicationError::UnknownFormat(other.to_string())),
            };
        }
        // A hash copied across lines or in groups: white space inside it is
        // not part of it.
        let hex: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        hex.parse()
            .map(PublishedRoot::Hash)
            .map_err(|_| PublicationError::Unrecognized {
                chars: text.chars().count(),
            })
    }

    /// Where the root came from.
    #[must_use]
    pub fn source(&self) -> RootSource {
        match self {
            PublishedRoot::Hash(_) => RootSource::PublishedHash,
            PublishedRoot::TreeSummary(_) => RootSource::PublishedSummary,
            PublishedRoot::Attestation(_) => RootSource::Attestation,
            #[cfg(feature = "v2")]
            PublishedRoot::RootV2(_) => RootSource::PublishedSummary,
        }
    }

    /// The published root hash (for an attestation, whether or not its
    /// signature verified).
    #[must_use]
    pub fn root(&self) -> NodeHash {
        match self {
            PublishedRoot::Hash(h) => *h,
            PublishedRoot::TreeSummary(t) => t.root(),
            PublishedRoot::Attestation(a) => a.body.liabilities.root(),
            #[cfg(feature = "v2")]
            PublishedRoot::RootV2(r) => r.hash,
        }
    }

    /// What is compared with the proof; `None` when the publication cannot
    /// be trusted (an attestation whose signature does not verify).
    #[must_use]
    pub fn publication(&self) -> Option<Publication> {
        Some(match self {
            PublishedRoot::Hash(hash) => Publication::hash(*hash),
            PublishedRoot::TreeSummary(s) => s.publication(),
            PublishedRoot::Attestation(a) => {
                a.signature().ok()?;
                let Some(c) = a.commitment() else {
                    // A format v2 root: a v1 proof is compared with its hash
                    // and height only (and cannot lead to it).
                    return Some(Publication {
                        height: Some(a.body.liabilities.height()),
                        ..Publication::hash(a.body.liabilities.root())
                    });
                };
                Publication {
                    root: c.hash,
                    height: Some(c.height),
                    totals: Some(
                        a.assets()
                            .iter()
                            .zip(&c.sums)
                            .map(|(asset, sum)| (asset.symbol().to_owned(), *sum))
                            .collect(),
                    ),
                    assets: Some(a.assets().clone()),
                    customers: a.body().liabilities.customers(),
                }
            }
            #[cfg(feature = "v2")]
            PublishedRoot::RootV2(r) => Publication {
                height: Some(u32::from(r.height)),
                ..Publication::hash(r.hash)
            },
        })
    }

    /// The attestation, when the publication is one.
    #[must_use]
    pub fn attestation(&self) -> Option<&PublishedAttestation> {
        match self {
            PublishedRoot::Attestation(a) => Some(a),
            _ => None,
        }
    }
}

fn parse_attestation(text: &str) -> Result<PublishedAttestation, FormatError> {
    let parsed = ParsedAttestation::from_json(text)?;
    let body = parsed.body_unverified().clone();
    let (assets, commitment) = match &body.liabilities {
        crate::LiabilitiesSection::V1(_) => {
            let (assets, commitment) = body.root_commitment()?;
            (assets, Some(commitment))
        }
        crate::LiabilitiesSection::V2(l) => (v2_asset_list(l)?, None),
    };
    #[cfg(feature = "v2")]
    let root_v2 = body
        .liabilities
        .v2()
        .map(crate::LiabilitiesV2::root_v2)
        .transpose()?;
    let id = parsed.id().to_hex();
    let signature = parsed
        .verify_signature()
        .map(|verified| verified.key_fingerprint());
    Ok(PublishedAttestation {
        body,
        id,
        signature,
        assets,
        commitment,
        #[cfg(feature = "v2")]
        root_v2,
    })
}

/// The asset list (symbols and decimals) of a v2 section.
fn v2_asset_list(l: &crate::LiabilitiesV2) -> Result<AssetList, FormatError> {
    let bad = |field: String, e: por_tree::AssetError| FormatError::Inconsistent {
        field,
        message: e.to_string(),
    };
    let assets = l
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| {
            por_tree::Asset::new(&a.symbol, a.decimals)
                .map_err(|e| bad(format!("liabilities.assets[{i}]"), e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    AssetList::new(assets).map_err(|e| bad("liabilities.assets".into(), e))
}

/// The publication could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicationError {
    /// JSON without a `format` member that is not a valid tree summary.
    Summary(por_tree::SummaryError),
    /// A `por-attestation-v1` document that is not well formed.
    Attestation(FormatError),
    /// A `por-root-v2` document that is not well formed.
    RootV2 {
        /// The member.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// JSON whose `format` is not one por reads.
    UnknownFormat(String),
    /// Neither 64 hex digits nor JSON.
    Unrecognized {
        /// The length of the (trimmed) text, in characters.
        chars: usize,
    },
}

impl PublicationError {
    /// A short, stable name: `summary`, `attestation`, `unknown-format` or
    /// `unrecognized`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            PublicationError::Summary(_) => "summary",
            PublicationError::Attestation(_) => "attestation",
            PublicationError::RootV2 { .. } => "root-v2",
            PublicationError::UnknownFormat(_) => "unknown-format",
            PublicationError::Unrecognized { .. } => "unrecognized",
        }
    }
}

impl fmt::Display for PublicationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicationError::Summary(e) => write!(f, "published root: {e}"),
            PublicationError::Attestation(e) => write!(f, "published root: {e}"),
            PublicationError::RootV2 { field, message } => {
                write!(f, "published root: malformed por-root-v2: field `{field}`: {message}")
            }
            PublicationError::UnknownFormat(v) => write!(
                f,
                "published root: `format` is {v}; expected \"{FORMAT}\" (a signed attestation), \
                 \"por-root-v2\" (a format v2 tree's root) or no `format` member (a tree summary)"
            ),
            PublicationError::Unrecognized { chars } => write!(
                f,
                "published root: got {chars} characters that are neither a root hash (64 hex digits), \
                 the JSON printed by `por tree build --json`, nor an attestation"
            ),
        }
    }
}

impl std::error::Error for PublicationError {}

/// A proof checked against what the customer gave: the core's verdict and
/// comparisons, and the figures every surface shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofReport {
    /// The verdict, comparisons, failure and the root the proof leads to.
    pub check: CustomerCheck,
    /// Where the root checked against came from.
    pub source: RootSource,
    /// What was compared; `None` without a publication or with an untrusted
    /// one.
    pub publication: Option<Publication>,
    /// The root hash checked against: the publication's, or the proof's own.
    pub checked_root: NodeHash,
    /// The totals shown, in the proof's asset order: the published ones when
    /// [`ProofReport::totals_published`], the verified ones when verified
    /// against a hash alone, otherwise the proof's own claim.
    pub totals: Vec<Amount>,
    /// Whether [`ProofReport::totals`] are the publication's.
    pub totals_published: bool,
    /// The tree height shown (the publication's when it states one).
    pub height: u32,
    /// The customer count, when a trusted publication states it.
    pub customers: Option<u64>,
    /// Why the attestation's signature did not verify, when it did not.
    pub signature_error: Option<SignatureError>,
}

/// Checks `proof` against `published` (or, without one, against the root
/// written in the proof), with `assets` (an asset list the customer gives
/// beside a hash or summary) compared too when given. Pure: no I/O.
#[must_use]
pub fn check_proof(
    proof: &InclusionProof,
    published: Option<&PublishedRoot>,
    assets: Option<&AssetList>,
) -> ProofReport {
    let claimed = proof.claimed_root();
    let source = published.map_or(RootSource::Proof, PublishedRoot::source);
    let publication = published.and_then(PublishedRoot::publication).map(|p| {
        // An asset list alone is not a publication of the root: it is
        // compared only together with one. An attestation states its own.
        if p.assets.is_none() {
            Publication {
                assets: assets.cloned(),
                ..p
            }
        } else {
            p
        }
    });
    let against = match (published, &publication) {
        (None, _) => Against::Nothing,
        (Some(_), Some(p)) => Against::Publication(p),
        (Some(_), None) => Against::Untrusted,
    };
    let check = customer::check(proof, against);
    let verified = check.verdict == CustomerVerdict::Verified;
    // The published totals in the proof's order, when the publication gives
    // one for exactly the proof's assets.
    let published_totals: Option<Vec<Amount>> = publication.as_ref().and_then(|p| {
        let totals = p.totals.as_ref()?;
        if totals.len() != proof.assets().len() {
            return None;
        }
        proof
            .assets()
            .iter()
            .map(|a| {
                totals
                    .iter()
                    .find(|(s, _)| s == a.symbol())
                    .map(|(_, v)| *v)
            })
            .collect()
    });
    let published_height = publication.as_ref().and_then(|p| p.height);
    let totals_published = published_totals.is_some();
    let (totals, height) = match (published_totals, &check.computed) {
        (Some(t), _) => (t, published_height.unwrap_or(claimed.height)),
        // Verified against the hash alone: what the verified hash commits to.
        (None, Some(c)) if verified => (c.sums.clone(), c.height),
        _ => (
            claimed.sums.clone(),
            published_height.unwrap_or(claimed.height),
        ),
    };
    let checked_root = publication.as_ref().map_or(claimed.hash, |p| p.root);
    let customers = publication.as_ref().and_then(|p| p.customers);
    let signature_error = published
        .and_then(PublishedRoot::attestation)
        .and_then(|a| a.signature().err().cloned());
    ProofReport {
        check,
        source,
        publication,
        checked_root,
        totals,
        totals_published,
        height,
        customers,
        signature_error,
    }
}

/// A `por-proof-v2` checked against what the customer gave.
#[cfg(feature = "v2")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofReportV2 {
    /// The customer's verdict.
    pub verdict: CustomerVerdict,
    /// The failed check, when the proof was checked and failed.
    pub failure: Option<por_tree::v2::VerifyErrorV2>,
    /// Why the proof could not lead to the publication at all (a format v1
    /// publication given for a format v2 proof), when that is the failure.
    pub format_mismatch: Option<String>,
    /// Where the root checked against came from.
    pub source: RootSource,
    /// The v2 root checked against: the publication's, or the proof's own
    /// (with the published hash, when only a hash was given).
    pub root: por_tree::v2::RootV2,
    /// Whether [`ProofReportV2::root`]'s totals are a publication's (a
    /// `por-root-v2` or a signed attestation's), not the proof's own claim.
    pub totals_published: bool,
    /// Why the attestation's signature did not verify, when it did not.
    pub signature_error: Option<SignatureError>,
}

/// Checks a `por-proof-v2` against `published` (or, without one, against
/// the root written in the proof): a `por-root-v2`, an attestation with a
/// v2 root (its signature checked first: nothing in an unsigned or altered
/// document is compared), or a root hash alone (then the totals the proof
/// states are opened against the root commitments the hash binds). A
/// format v1 publication (tree summary, v1 attestation) cannot be the root
/// of a v2 proof: not verified, with the reason in
/// [`ProofReportV2::format_mismatch`]. Pure: no I/O.
#[cfg(feature = "v2")]
#[must_use]
pub fn check_proof_v2(
    proof: &por_tree::v2::ProofV2,
    published: Option<&PublishedRoot>,
) -> ProofReportV2 {
    use por_tree::v2;
    let source = published.map_or(RootSource::Proof, PublishedRoot::source);
    let signature_error = published
        .and_then(PublishedRoot::attestation)
        .and_then(|a| a.signature().err().cloned());
    let own = proof.claimed_root();
    let report = |verdict, failure, format_mismatch, root, totals_published| ProofReportV2 {
        verdict,
        failure,
        format_mismatch,
        source,
        root,
        totals_published,
        signature_error: signature_error.clone(),
    };
    let mismatch = |what: &str| {
        report(
            CustomerVerdict::NotVerified(customer::NotVerifiedCause::RootDiffers),
            None,
            Some(format!(
                "the publication is {what}, and a format v2 proof cannot lead to a format v1 root"
            )),
            own.clone(),
            false,
        )
    };
    let root = match published {
        None => None,
        Some(PublishedRoot::Hash(h)) => {
            let mut r = own.clone();
            r.hash = *h;
            Some((r, false))
        }
        Some(PublishedRoot::TreeSummary(_)) => return mismatch("a format v1 tree summary"),
        Some(PublishedRoot::RootV2(r)) => Some(((**r).clone(), true)),
        Some(PublishedRoot::Attestation(a)) => {
            if a.signature().is_err() {
                return report(
                    CustomerVerdict::NotVerified(customer::NotVerifiedCause::PublicationUntrusted),
                    None,
                    None,
                    own.clone(),
                    false,
                );
            }
            match a.root_v2() {
                Some(r) => Some((r.clone(), true)),
                None => return mismatch("an attestation of a format v1 tree"),
            }
        }
    };
    let (verdict, failure) = v2::check(proof, root.as_ref().map(|(r, _)| r));
    let (root, published) = root.unwrap_or((own, false));
    report(verdict, failure, None, root, published)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn hash_form_with_white_space() {
        let p = PublishedRoot::parse(&format!("  {}\n", H.to_uppercase())).unwrap();
        assert_eq!(p, PublishedRoot::Hash(H.parse().unwrap()));
        assert_eq!(p.source().as_str(), "published-hash");
    }

    #[test]
    fn summary_form_is_the_tree_crates_summary() {
        let text = format!(
            r#"{{"root": "{H}", "height": 3, "customers": 5, "totals": {{"ETH": "7", "BTC": "150000000"}}}}"#
        );
        let p = PublishedRoot::parse(&text).unwrap();
        assert_eq!(
            p,
            PublishedRoot::TreeSummary(TreeSummary::from_json(&text).unwrap())
        );
        assert_eq!(p.publication().unwrap().customers, Some(5));
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        let e = PublishedRoot::parse("deadbeef").unwrap_err();
        assert_eq!(e, PublicationError::Unrecognized { chars: 8 });
        assert!(e.to_string().contains("64 hex digits"));

        let e = PublishedRoot::parse(&format!(r#"{{"root": "{H}", "height": 1}}"#)).unwrap_err();
        assert_eq!(e.kind(), "summary");
        assert!(e.to_string().contains("missing field `totals`"), "{e}");

        // A summary with a member por would not compare is refused, not
        // half-checked.
        let e = PublishedRoot::parse(&format!(
            r#"{{"root": "{H}", "height": 1, "signature": "x", "totals": {{"BTC": "1"}}}}"#
        ))
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `signature`"), "{e}");

        // Another format name is not read as a summary (it fails closed).
        for format in [r#""por-attestation-v2""#, "1", "null"] {
            let e = PublishedRoot::parse(&format!(
                r#"{{"format": {format}, "root": "{H}", "height": 1, "totals": {{"BTC": "1"}}}}"#
            ))
            .unwrap_err();
            assert_eq!(e.kind(), "unknown-format", "{format}: {e}");
        }
    }
}
