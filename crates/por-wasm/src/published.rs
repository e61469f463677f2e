//! What the exchange published, as the customer pastes or drops it: the root
//! hash alone, the summary printed by `por tree build --json`, or the signed
//! attestation written by `por attest` (`por-attestation-v1`).

use core::fmt;

use por_attest::{AttestationBody, ParsedAttestation, SignatureError};
use por_tree::{Amount, AssetList, NodeHash, RootCommitment};
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde::Deserialize;

/// The exchange's published root, in one of the forms the page accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Published {
    /// Only the root hash (64 hex digits). Height and totals are not
    /// published in this form, so only the hash can be compared.
    Hash(NodeHash),
    /// The tree summary printed by `por tree build --json`: hash, height,
    /// customer count and total liabilities per asset symbol.
    TreeSummary(TreeSummary),
    /// The signed attestation (`por-attestation-v1`): the liabilities root
    /// with its height, totals and assets, under the exchange's signature.
    Attestation(Box<Attestation>),
}

/// A structurally valid attestation and the outcome of its signature check.
///
/// The signature is checked by `por-core` ([`ParsedAttestation::verify_signature`])
/// when the text is parsed; an invalid signature is not an input error but a
/// failed verdict, so it is kept here for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    body: AttestationBody,
    id: String,
    signature: Result<String, SignatureError>,
    assets: AssetList,
    commitment: RootCommitment,
}

impl Attestation {
    /// Returns the attested content. Its figures are only to be trusted when
    /// [`Attestation::signature`] is `Ok`.
    #[must_use]
    pub fn body(&self) -> &AttestationBody {
        &self.body
    }

    /// Returns the document's id (hex SHA-256 of its canonical form).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Returns the key's fingerprint when the signature verified against the
    /// key the document names, or why it did not.
    ///
    /// # Errors
    ///
    /// The core's [`SignatureError`] when the signature does not verify.
    pub fn signature(&self) -> Result<&str, &SignatureError> {
        self.signature.as_deref()
    }

    /// Returns the liabilities tree's assets (symbols and decimals) in the
    /// tree's order, as the attestation states them.
    #[must_use]
    pub fn assets(&self) -> &AssetList {
        &self.assets
    }

    /// Returns the attested liabilities root: hash, height and totals.
    #[must_use]
    pub fn commitment(&self) -> &RootCommitment {
        &self.commitment
    }
}

/// The tree summary printed by `por tree build --json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeSummary {
    root: NodeHash,
    height: u32,
    customers: Option<u64>,
    totals: Vec<(String, Amount)>,
}

impl TreeSummary {
    /// Returns the root hash.
    #[must_use]
    pub fn root(&self) -> NodeHash {
        self.root
    }

    /// Returns the tree height.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Returns the number of customers, when the summary states it.
    #[must_use]
    pub fn customers(&self) -> Option<u64> {
        self.customers
    }

    /// Returns the total liabilities per asset symbol, in the summary's order.
    #[must_use]
    pub fn totals(&self) -> &[(String, Amount)] {
        &self.totals
    }

    /// Returns the root commitment for a tree over `assets`: the totals put
    /// in the order of `assets`.
    ///
    /// # Errors
    ///
    /// Returns a [`TotalsMismatch`] if the summary lacks a total for one of
    /// `assets` or has a total for an asset not in `assets`.
    pub fn commitment_for(&self, assets: &AssetList) -> Result<RootCommitment, TotalsMismatch> {
        let mut sums = Vec::with_capacity(assets.len());
        let mut missing = Vec::new();
        for asset in assets.iter() {
            match self.totals.iter().find(|(s, _)| s == asset.symbol()) {
                Some((_, amount)) => sums.push(*amount),
                None => missing.push(asset.symbol().to_owned()),
            }
        }
        let extra: Vec<String> = self
            .totals
            .iter()
            .filter(|(s, _)| assets.iter().all(|a| a.symbol() != s))
            .map(|(s, _)| s.clone())
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            return Err(TotalsMismatch { missing, extra });
        }
        Ok(RootCommitment {
            hash: self.root,
            sums,
            height: self.height,
        })
    }
}

/// The published totals name other assets than the proof covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsMismatch {
    missing: Vec<String>,
    extra: Vec<String>,
}

impl TotalsMismatch {
    /// Returns the proof's assets that have no published total.
    #[must_use]
    pub fn missing(&self) -> &[String] {
        &self.missing
    }

    /// Returns the published totals' assets that the proof does not cover.
    #[must_use]
    pub fn extra(&self) -> &[String] {
        &self.extra
    }
}

impl fmt::Display for TotalsMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the published totals cover other assets than the proof")?;
        if !self.missing.is_empty() {
            write!(f, "; no published total for {}", self.missing.join(", "))?;
        }
        if !self.extra.is_empty() {
            write!(f, "; the proof does not cover {}", self.extra.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for TotalsMismatch {}

/// The JSON shape of `por tree build --json`. Unknown fields are ignored so
/// that the summary can grow; the fields compared are required.
#[derive(Deserialize)]
struct TreeSummaryRepr {
    root: NodeHash,
    height: u32,
    #[serde(default)]
    customers: Option<u64>,
    totals: Totals,
}

/// `{"BTC": "<base units>", ...}` in document order, with duplicate symbols
/// rejected (a map would silently keep the last one).
struct Totals(Vec<(String, Amount)>);

impl<'de> Deserialize<'de> for Totals {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Totals, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Totals;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping asset symbols to decimal strings of base units")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Totals, A::Error> {
                let mut out: Vec<(String, Amount)> = Vec::new();
                while let Some((symbol, units)) = map.next_entry::<String, String>()? {
                    if out.iter().any(|(s, _)| *s == symbol) {
                        return Err(A::Error::custom(format_args!(
                            "asset {symbol:?} appears twice in `totals`"
                        )));
                    }
                    let amount = Amount::from_base_units_str(&units)
                        .map_err(|e| A::Error::custom(format_args!("`totals.{symbol}`: {e}")))?;
                    out.push((symbol, amount));
                }
                if out.is_empty() {
                    return Err(A::Error::custom(
                        "`totals` is empty: expected one total per asset",
                    ));
                }
                Ok(Totals(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Just enough of a JSON document to tell an attestation from a tree summary.
#[derive(Deserialize)]
struct FormatProbe {
    #[serde(default)]
    format: Option<String>,
}

impl Published {
    /// Parses what the customer pasted or dropped: 64 hex digits (surrounding
    /// white space ignored), the JSON of `por tree build --json`, or a signed
    /// attestation (JSON whose `format` is `por-attestation-v1`).
    ///
    /// An attestation's signature is checked here; a signature that does not
    /// verify is kept in [`Attestation::signature`], not returned as an error.
    ///
    /// # Errors
    ///
    /// Returns a [`PublishedError`] naming what is wrong: text that is neither
    /// form, JSON with a missing or invalid field, or an attestation that is
    /// not well formed.
    pub fn parse(text: &str) -> Result<Published, PublishedError> {
        let text = text.trim();
        if text.starts_with('{') {
            let probe = serde_json::from_str::<FormatProbe>(text).ok();
            if probe.and_then(|p| p.format).as_deref() == Some(por_attest::FORMAT) {
                return parse_attestation(text).map(|a| Published::Attestation(Box::new(a)));
            }
            let repr: TreeSummaryRepr =
                serde_json::from_str(text).map_err(|e| PublishedError::Json {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                })?;
            return Ok(Published::TreeSummary(TreeSummary {
                root: repr.root,
                height: repr.height,
                customers: repr.customers,
                totals: repr.totals.0,
            }));
        }
        text.parse()
            .map(Published::Hash)
            .map_err(|_| PublishedError::Unrecognized {
                chars: text.chars().count(),
            })
    }

    /// Returns the published root hash.
    #[must_use]
    pub fn root(&self) -> NodeHash {
        match self {
            Published::Hash(h) => *h,
            Published::TreeSummary(t) => t.root,
            Published::Attestation(a) => a.commitment.hash,
        }
    }
}

fn parse_attestation(text: &str) -> Result<Attestation, PublishedError> {
    let parsed = ParsedAttestation::from_json(text).map_err(PublishedError::Attestation)?;
    let body = parsed.body_unverified().clone();
    let (assets, commitment) = body
        .root_commitment()
        .map_err(PublishedError::Attestation)?;
    let id = parsed.id().to_hex();
    let signature = parsed
        .verify_signature()
        .map(|verified| verified.key_fingerprint());
    Ok(Attestation {
        body,
        id,
        signature,
        assets,
        commitment,
    })
}

/// The published root could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublishedError {
    /// Text that starts like JSON but is not a valid tree summary.
    Json {
        /// Line in the text.
        line: usize,
        /// Column in the text.
        column: usize,
        /// The parser's description, naming the field.
        message: String,
    },
    /// A `por-attestation-v1` document that is not well formed (the core's
    /// description names the field).
    Attestation(por_attest::FormatError),
    /// Neither 64 hex digits nor JSON.
    Unrecognized {
        /// The length of the (trimmed) text, in characters.
        chars: usize,
    },
}

impl fmt::Display for PublishedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishedError::Json { message, .. } => write!(
                f,
                "published root: {message}; expected the JSON printed by `por tree build --json` \
                 ({{\"root\": \"<64 hex>\", \"height\": N, \"totals\": {{\"BTC\": \"<base units>\", ...}}}})"
            ),
            PublishedError::Attestation(e) => write!(f, "published root: {e}"),
            PublishedError::Unrecognized { chars } => write!(
                f,
                "published root: got {chars} characters that are neither a root hash (64 hex digits), \
                 the JSON printed by `por tree build --json`, nor an attestation"
            ),
        }
    }
}

impl std::error::Error for PublishedError {}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn hash_form_with_white_space() {
        let p = Published::parse(&format!("  {}\n", H.to_uppercase())).unwrap();
        assert_eq!(p, Published::Hash(H.parse().unwrap()));
    }

    #[test]
    fn tree_summary_form() {
        let text = format!(
            r#"{{"root": "{H}", "height": 3, "customers": 5, "totals": {{"ETH": "7", "BTC": "150000000"}}, "later": 1}}"#
        );
        let Published::TreeSummary(t) = Published::parse(&text).unwrap() else {
            panic!("expected a tree summary")
        };
        assert_eq!(t.root().to_string(), H);
        assert_eq!(t.height(), 3);
        assert_eq!(t.customers(), Some(5));
        let assets = AssetList::from_spec("BTC:8,ETH:18").unwrap();
        let c = t.commitment_for(&assets).unwrap();
        assert_eq!(
            c.sums,
            vec![
                Amount::from_base_units(150_000_000),
                Amount::from_base_units(7)
            ]
        );
        assert_eq!(c.height, 3);
    }

    #[test]
    fn totals_for_other_assets() {
        let text =
            format!(r#"{{"root": "{H}", "height": 0, "totals": {{"BTC": "1", "XRP": "2"}}}}"#);
        let Published::TreeSummary(t) = Published::parse(&text).unwrap() else {
            panic!("expected a tree summary")
        };
        let err = t
            .commitment_for(&AssetList::from_spec("BTC:8,ETH:18").unwrap())
            .unwrap_err();
        assert_eq!(err.missing(), ["ETH"]);
        assert_eq!(err.extra(), ["XRP"]);
        assert_eq!(
            err.to_string(),
            "the published totals cover other assets than the proof; no published total for ETH; \
             the proof does not cover XRP"
        );
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        let unrecognized = Published::parse("deadbeef").unwrap_err();
        assert_eq!(unrecognized, PublishedError::Unrecognized { chars: 8 });
        assert!(unrecognized.to_string().contains("64 hex digits"));

        let cases = [
            (
                format!(r#"{{"root": "{H}", "height": 1}}"#),
                "missing field `totals`",
            ),
            (
                r#"{"root": "xyz", "height": 1, "totals": {"BTC": "1"}}"#.to_owned(),
                "64 hex digits",
            ),
            (
                format!(r#"{{"root": "{H}", "height": -1, "totals": {{"BTC": "1"}}}}"#),
                "height",
            ),
            (
                format!(r#"{{"root": "{H}", "height": 1, "totals": {{"BTC": "1.5"}}}}"#),
                "`totals.BTC`",
            ),
            (
                format!(r#"{{"root": "{H}", "height": 1, "totals": {{}}}}"#),
                "`totals` is empty",
            ),
            (
                format!(r#"{{"root": "{H}", "height": 1, "totals": {{"BTC": "1", "BTC": "2"}}}}"#),
                "appears twice",
            ),
            ("{\"root\": ".to_owned(), "EOF"),
        ];
        for (text, needle) in cases {
            let err = Published::parse(&text).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, PublishedError::Json { .. }), "{text}: {msg}");
            assert!(
                msg.contains(needle),
                "{text}: {msg} should contain {needle}"
            );
            assert!(msg.starts_with("published root: "), "{msg}");
        }
    }
}
