//! # por-attest
//!
//! The signed attestation (`por-attestation-v1`): one JSON document per
//! snapshot in which an exchange states its liabilities root and its reserve
//! wallets, signed with BIP-340 Schnorr over SHA-256 of the RFC 8785
//! canonical JSON of the document without its `signature` member.
//!
//! Untrusted vs trusted is a typestate: [`ParsedAttestation::from_json`]
//! checks the structure only; [`ParsedAttestation::verify_signature`] (or
//! [`ParsedAttestation::verify_signature_with_key`] against a key the caller
//! already trusts) gives a [`VerifiedAttestation`]. The format is described
//! field by field in `docs/attestation.md`.
//!
//! The crate knows the liabilities side (`por_tree`) and nothing else of
//! `por`: the audit (`por_audit`) checks an attestation, the browser
//! (`por-wasm`) takes one as the published root, and neither pulls the other
//! in. It does no I/O and builds for `wasm32-unknown-unknown`.
//!
//! An exchange builds the typed [`Attestation`] with [`Attestation::builder`]
//! (each step consumes the builder; `build` checks it as a parsed document
//! is checked) and signs it; the signature covers the document as written,
//! through a private wire struct that the typed value converts to and from.
//!
//! ```
//! use por_attest::{
//!     AssetTotal, Attestation, AttestationKey, AttestedAsset, AttestedBlockHash, BlockHash,
//!     Chain, ChainPoint, Exchange, Liabilities, ParsedAttestation, Snapshot, SnapshotTime,
//! };
//! use por_tree::{Amount, NodeHash};
//! let key = AttestationKey::from_secret_bytes(&[7; 32])?;
//! let attestation = Attestation::builder(
//!     Exchange { id: "example-exchange".into(), public_key: key.public_key() },
//!     Snapshot { label: "2026-11-21".into(), time: SnapshotTime::parse("2026-11-21T00:00:00Z")? },
//! )
//! .chain(ChainPoint {
//!     chain: Chain::Bitcoin.into(),
//!     height: 870_000,
//!     block_hash: AttestedBlockHash::for_chain(BlockHash::from_byte_array([1; 32]), Chain::Bitcoin),
//! })
//! .asset(AttestedAsset { symbol: "BTC".into(), decimals: 8, chain: Chain::Bitcoin.into(), contract: None })
//! .build(Liabilities {
//!     root: NodeHash::from_byte_array([0; 32]),
//!     height: 1,
//!     customers: 1,
//!     totals: vec![AssetTotal { asset: "BTC".into(), amount: Amount::from_base_units(5) }],
//! })?;
//! let signed = attestation.sign(&key, &[0; 32])?;
//! let verified = ParsedAttestation::from_json(&signed)?.verify_signature()?;
//! assert_eq!(verified.body(), &attestation);
//! assert_eq!(verified.body().chains[0].chain.known(), Some(Chain::Bitcoin));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod attestation;
pub mod jcs;
pub mod publication;
mod wire;

pub use attestation::{
    Attestation, AttestationBuilder, AttestedAsset, AttestedBlockHash, AttestedChain,
    AttestedScheme, ChainPoint, Exchange, KnownName, Named, OtherName, OwnershipProof,
    ReserveEntry, ReserveInputsRef, Snapshot, WalletAddress, XOnlyKey,
};
pub use por_types::{BlockHash, Chain, SchemeRequest};

use core::fmt;
use std::collections::BTreeSet;

use k256::schnorr::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use por_tree::amount::Amount;
use por_tree::asset::AssetList;
use por_tree::hash::NodeHash;
use por_tree::tree::RootCommitment;

/// The `format` of a version 1 attestation.
pub const FORMAT: &str = "por-attestation-v1";

/// The liabilities section: a format v1 root (members `root`, `height`,
/// `customers`, `totals`) or a format v2 root (the `por-root-v2` document,
/// member `format` first among its members). Which one is decided by the
/// presence of a `format` member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiabilitiesSection {
    /// A format v1 tree (`docs/tree-v1.md`).
    V1(Liabilities),
    /// A format v2 tree (`docs/tree-v2.md`): its `por-root-v2`.
    V2(LiabilitiesV2),
}

impl From<Liabilities> for LiabilitiesSection {
    fn from(l: Liabilities) -> Self {
        LiabilitiesSection::V1(l)
    }
}

impl From<LiabilitiesV2> for LiabilitiesSection {
    fn from(l: LiabilitiesV2) -> Self {
        LiabilitiesSection::V2(l)
    }
}

impl Serialize for LiabilitiesSection {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LiabilitiesSection::V1(l) => l.serialize(s),
            LiabilitiesSection::V2(l) => l.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for LiabilitiesSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = serde_json::Map::<String, Value>::deserialize(d)?;
        let v2 = map.contains_key("format");
        let value = Value::Object(map);
        // Name the member inside the section, as the outer parser names the
        // section.
        let inner = |e: serde_path_to_error::Error<serde_json::Error>| {
            let path = e.path().to_string();
            let msg = e.into_inner().to_string();
            if path == "." || path.is_empty() {
                D::Error::custom(msg)
            } else {
                D::Error::custom(format!("{}: {msg}", path.trim_start_matches('.')))
            }
        };
        if v2 {
            serde_path_to_error::deserialize(value)
                .map(LiabilitiesSection::V2)
                .map_err(inner)
        } else {
            serde_path_to_error::deserialize(value)
                .map(LiabilitiesSection::V1)
                .map_err(inner)
        }
    }
}

impl LiabilitiesSection {
    /// The root hash (v1: `root`; v2: `hash`).
    #[must_use]
    pub fn root(&self) -> NodeHash {
        match self {
            LiabilitiesSection::V1(l) => l.root,
            LiabilitiesSection::V2(l) => l.hash,
        }
    }

    /// The tree height.
    #[must_use]
    pub fn height(&self) -> u32 {
        match self {
            LiabilitiesSection::V1(l) => l.height,
            LiabilitiesSection::V2(l) => u32::from(l.height),
        }
    }

    /// The customer count: stated by a v1 root, hidden by a v2 root.
    #[must_use]
    pub fn customers(&self) -> Option<u64> {
        match self {
            LiabilitiesSection::V1(l) => Some(l.customers),
            LiabilitiesSection::V2(_) => None,
        }
    }

    /// The tree format: 1 or 2.
    #[must_use]
    pub fn tree_format(&self) -> u8 {
        match self {
            LiabilitiesSection::V1(_) => 1,
            LiabilitiesSection::V2(_) => 2,
        }
    }

    /// The v1 section, if it is one.
    #[must_use]
    pub fn v1(&self) -> Option<&Liabilities> {
        match self {
            LiabilitiesSection::V1(l) => Some(l),
            LiabilitiesSection::V2(_) => None,
        }
    }

    /// The v2 section, if it is one.
    #[must_use]
    pub fn v2(&self) -> Option<&LiabilitiesV2> {
        match self {
            LiabilitiesSection::V1(_) => None,
            LiabilitiesSection::V2(l) => Some(l),
        }
    }

    /// The total liabilities per asset in base units, in the tree's asset
    /// order: v1's totals as stated; v2's totals in proof units times the
    /// proof unit, `X_i · 10^e_i` (each customer's balance was rounded up
    /// to the unit, so this is never below the exact total).
    ///
    /// # Errors
    /// [`FormatError::Inconsistent`] for a v2 total that is not a decimal
    /// below 2^64 or whose product exceeds `u128::MAX` base units (never for
    /// a parsed attestation, whose section was checked when it was read).
    pub fn totals(&self) -> Result<Vec<AssetTotal>, FormatError> {
        match self {
            LiabilitiesSection::V1(l) => Ok(l.totals.clone()),
            LiabilitiesSection::V2(l) => l.totals_base_units(),
        }
    }
}

/// The `format` of a v2 liabilities section (the `por-root-v2` document).
pub const LIABILITIES_V2_FORMAT: &str = "por-root-v2";

/// A format v2 liabilities root, exactly the members of the `por-root-v2`
/// document `por tree build --format v2` publishes (`docs/tree-v2.md`):
/// the root hash, the height, the assets with decimals and proof units,
/// the totals in proof units and the root blinding factors that open the
/// root commitments to them. It does not state the customer count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiabilitiesV2 {
    /// Always [`LIABILITIES_V2_FORMAT`].
    pub format: String,
    /// The root hash (64 lower-case hex digits in the document).
    #[serde(deserialize_with = "lower_hex_hash")]
    pub hash: NodeHash,
    /// The tree height, 1 to 64.
    pub height: u8,
    /// The assets in tree order, with their proof units.
    pub assets: Vec<AssetV2Entry>,
    /// Per asset, the total in proof units: a decimal string below 2^64.
    pub totals: Vec<String>,
    /// Per asset, the root blinding factor: 64 hex digits (a canonical
    /// scalar, little-endian).
    pub blindings: Vec<String>,
}

/// One asset of a v2 root: symbol, decimals and proof unit
/// (`10^unit_exponent` base units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetV2Entry {
    /// Symbol, as in the tree.
    pub symbol: String,
    /// Base-unit decimals.
    pub decimals: u8,
    /// The proof unit's exponent, 0 to 38.
    pub unit_exponent: u8,
}

impl LiabilitiesV2 {
    /// The section as `por-root-v2` JSON text (what `por tree build
    /// --format v2` publishes).
    #[must_use]
    pub fn to_root_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The totals in base units, `X_i · 10^e_i`, checked.
    fn totals_base_units(&self) -> Result<Vec<AssetTotal>, FormatError> {
        let bad = |i: usize, message: String| FormatError::Inconsistent {
            field: format!("liabilities.totals[{i}]"),
            message,
        };
        if self.totals.len() != self.assets.len() {
            return Err(FormatError::Inconsistent {
                field: "liabilities.totals".into(),
                message: format!(
                    "expected {} totals (one per asset), got {}",
                    self.assets.len(),
                    self.totals.len()
                ),
            });
        }
        self.assets
            .iter()
            .zip(&self.totals)
            .enumerate()
            .map(|(i, (a, t))| {
                let ok = !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_digit());
                let units = ok.then(|| t.parse::<u64>().ok()).flatten().ok_or_else(|| {
                    bad(
                        i,
                        format!("expected a decimal string below 2^64, got {t:?}"),
                    )
                })?;
                let unit = 10u128
                    .checked_pow(u32::from(a.unit_exponent))
                    .ok_or_else(|| {
                        bad(i, format!("unit exponent {} is too large", a.unit_exponent))
                    })?;
                let base = u128::from(units).checked_mul(unit).ok_or_else(|| {
                    bad(
                        i,
                        format!(
                            "{units} units of 10^{} base units exceed 2^128 - 1 base units",
                            a.unit_exponent
                        ),
                    )
                })?;
                Ok(AssetTotal {
                    asset: a.symbol.clone(),
                    amount: Amount::from_base_units(base),
                })
            })
            .collect()
    }

    /// The section stating `root` (the members of its `por-root-v2`).
    #[cfg(feature = "v2")]
    #[must_use]
    pub fn from_root_v2(root: &por_tree::v2::RootV2) -> LiabilitiesV2 {
        LiabilitiesV2 {
            format: LIABILITIES_V2_FORMAT.to_owned(),
            hash: root.hash,
            height: root.height,
            assets: root
                .assets
                .iter()
                .map(|a| AssetV2Entry {
                    symbol: a.asset().symbol().to_owned(),
                    decimals: a.asset().decimals(),
                    unit_exponent: a.unit_exponent(),
                })
                .collect(),
            totals: root.totals.iter().map(u64::to_string).collect(),
            blindings: root
                .blindings
                .iter()
                .map(por_tree::v2::format::scalar_hex)
                .collect(),
        }
    }

    /// The section as por-tree's [`por_tree::v2::RootV2`], through the one
    /// `por-root-v2` parser.
    ///
    /// # Errors
    /// [`FormatError::Inconsistent`] naming the member the parser refuses.
    #[cfg(feature = "v2")]
    pub fn root_v2(&self) -> Result<por_tree::v2::RootV2, FormatError> {
        por_tree::v2::RootV2::from_json(&self.to_root_json()).map_err(|e| {
            FormatError::Inconsistent {
                field: format!("liabilities.{}", e.field),
                message: e.message,
            }
        })
    }
}

/// The liabilities root of a format v1 tree as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Liabilities {
    /// Root hash of the tree (format v1; 64 lower-case hex digits in the
    /// document).
    #[serde(deserialize_with = "lower_hex_hash")]
    pub root: NodeHash,
    /// Levels above the leaves.
    pub height: u32,
    /// Number of customers (leaves before padding).
    pub customers: u64,
    /// Total liabilities per asset, in the tree's asset order.
    pub totals: Vec<AssetTotal>,
}

/// A total of one asset in base units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetTotal {
    /// Asset symbol.
    pub asset: String,
    /// Base units, as a decimal string.
    #[serde(with = "amount_as_string")]
    pub amount: Amount,
}

pub use por_types::{Category, Tier};

/// SHA-256 of the RFC 8785 canonical form of a whole signed attestation
/// (signature included): what the next attestation's `previous` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttestationId(pub [u8; 32]);

impl AttestationId {
    /// Lower-case hex.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 lower-case hex digits (as a `previous` member writes it).
    #[must_use]
    pub fn from_hex(s: &str) -> Option<AttestationId> {
        let mut bytes = [0u8; 32];
        if !is_hex32(s) {
            return None;
        }
        hex::decode_to_slice(s, &mut bytes).ok()?;
        Some(AttestationId(bytes))
    }
}

impl fmt::Display for AttestationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Written as lower-case hex (as a `previous` member writes it).
impl Serialize for AttestationId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

/// An attestation whose structure is valid but whose signature has not been
/// checked yet.
#[derive(Debug, Clone)]
pub struct ParsedAttestation {
    body: Attestation,
    key: VerifyingKey,
    signature: Signature,
    digest: [u8; 32],
    id: AttestationId,
}

/// An attestation whose signature verified against its key.
#[derive(Debug, Clone)]
pub struct VerifiedAttestation {
    parsed: ParsedAttestation,
}

impl VerifiedAttestation {
    /// The signed content.
    #[must_use]
    pub fn body(&self) -> &Attestation {
        &self.parsed.body
    }

    /// The document's id (what a next attestation's `previous` names).
    #[must_use]
    pub fn id(&self) -> AttestationId {
        self.parsed.id
    }

    /// SHA-256 of the canonical form without the signature: the signed message.
    #[must_use]
    pub fn signed_digest(&self) -> [u8; 32] {
        self.parsed.digest
    }

    /// The key's fingerprint (see [`key_fingerprint`]).
    #[must_use]
    pub fn key_fingerprint(&self) -> String {
        key_fingerprint(&self.parsed.key)
    }

    /// The liabilities root as a [`RootCommitment`] to check customer
    /// proofs against, with the tree's asset list.
    ///
    /// # Errors
    /// [`FormatError::Inconsistent`] when an asset of the totals is unusable
    /// as a tree asset (its symbol or decimals are out of the tree's range).
    pub fn root_commitment(&self) -> Result<(AssetList, RootCommitment), FormatError> {
        self.parsed.body.root_commitment()
    }
}

impl ParsedAttestation {
    /// Parses a signed attestation and checks its structure (not its signature).
    ///
    /// # Errors
    /// [`FormatError`] naming the field for invalid JSON, a duplicate member,
    /// an unknown or missing field, a wrong format, an invalid key or
    /// signature encoding, a bad time or hash, or an inconsistency between
    /// sections (an unknown chain or asset, a repeated chain, asset or total).
    pub fn from_json(text: &str) -> Result<ParsedAttestation, FormatError> {
        let mut value = jcs::parse_strict(text).map_err(|e| FormatError::Json {
            field: String::new(),
            message: e.to_string(),
        })?;
        let full_canonical = jcs::canonicalize(&value).map_err(FormatError::Canonical)?;
        let obj = value.as_object_mut().ok_or_else(|| FormatError::Json {
            field: String::new(),
            message: "expected a JSON object".to_owned(),
        })?;
        let signature = match obj.remove("signature") {
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(FormatError::Json {
                    field: "signature".to_owned(),
                    message: "expected a string of 128 hex digits".to_owned(),
                })
            }
            None => return Err(FormatError::MissingSignature),
        };
        let signature = parse_signature(&signature)?;
        let canonical = jcs::canonicalize(&value).map_err(FormatError::Canonical)?;
        let wire: wire::Body =
            serde_path_to_error::deserialize(value).map_err(|e| FormatError::Json {
                field: e.path().to_string().trim_start_matches('.').to_owned(),
                message: e.into_inner().to_string(),
            })?;
        let body = Attestation::try_from(wire)?;
        let key = body.exchange.public_key.verifying_key()?;
        Ok(ParsedAttestation {
            body,
            key,
            signature,
            digest: Sha256::digest(canonical.as_bytes()).into(),
            id: AttestationId(Sha256::digest(full_canonical.as_bytes()).into()),
        })
    }

    /// The (not yet verified) content, for diagnostics.
    #[must_use]
    pub fn body_unverified(&self) -> &Attestation {
        &self.body
    }

    /// The document's id (what a next attestation's `previous` names).
    #[must_use]
    pub fn id(&self) -> AttestationId {
        self.id
    }

    /// Checks the BIP-340 signature against the key in the document.
    ///
    /// This proves the document is intact and was signed by whoever holds
    /// that key; whether the key is the exchange's is for the caller to
    /// establish (publish the key's fingerprint, or use
    /// [`ParsedAttestation::verify_signature_with_key`]).
    ///
    /// # Errors
    /// [`SignatureError::Invalid`] when the signature does not verify.
    pub fn verify_signature(self) -> Result<VerifiedAttestation, SignatureError> {
        self.key
            .verify_raw(&self.digest, &self.signature)
            .map_err(|_| SignatureError::Invalid {
                key: self.body.exchange.public_key.to_hex(),
            })?;
        Ok(VerifiedAttestation { parsed: self })
    }

    /// Checks that the document names `expected_key` and that its
    /// signature verifies against it.
    ///
    /// # Errors
    /// [`SignatureError::UnexpectedKey`] for another key,
    /// [`SignatureError::Invalid`] for a bad signature.
    pub fn verify_signature_with_key(
        self,
        expected_key: &XOnlyKey,
    ) -> Result<VerifiedAttestation, SignatureError> {
        if self.body.exchange.public_key != *expected_key {
            return Err(SignatureError::UnexpectedKey {
                expected: expected_key.to_hex(),
                got: self.body.exchange.public_key.to_hex(),
            });
        }
        self.verify_signature()
    }
}

/// The v1 section: totals of distinct attested assets, a height in range.
pub(crate) fn check_liabilities_v1(
    l: &Liabilities,
    symbols: &BTreeSet<&str>,
) -> Result<(), FormatError> {
    let inconsistent =
        |field: String, message: String| FormatError::Inconsistent { field, message };
    let mut totals = BTreeSet::new();
    if l.totals.is_empty() {
        return Err(inconsistent(
            "liabilities.totals".into(),
            "expected at least one asset".into(),
        ));
    }
    for (i, t) in l.totals.iter().enumerate() {
        if !symbols.contains(t.asset.as_str()) {
            return Err(inconsistent(
                format!("liabilities.totals[{i}].asset"),
                format!("asset {:?} is not in `assets`", t.asset),
            ));
        }
        if !totals.insert(t.asset.as_str()) {
            return Err(inconsistent(
                format!("liabilities.totals[{i}].asset"),
                format!("asset {:?} is listed twice", t.asset),
            ));
        }
    }
    if l.height > por_tree::proof::MAX_HEIGHT {
        return Err(inconsistent(
            "liabilities.height".into(),
            format!(
                "expected at most {}, got {}",
                por_tree::proof::MAX_HEIGHT,
                l.height
            ),
        ));
    }
    Ok(())
}

/// The v2 section: the `por-root-v2` parser's checks (with the `v2`
/// feature), each root asset attested with the same decimals, and totals
/// whose base-unit value fits.
pub(crate) fn check_liabilities_v2(
    l: &LiabilitiesV2,
    assets: &[(&str, u8)],
) -> Result<(), FormatError> {
    if l.format != LIABILITIES_V2_FORMAT {
        return Err(FormatError::Inconsistent {
            field: "liabilities.format".into(),
            message: format!(
                "expected {LIABILITIES_V2_FORMAT:?} (a format v2 root) or no `format` member (a format v1 root), got {:?}",
                l.format
            ),
        });
    }
    v2_parser_check(l)?;
    for (i, a) in l.assets.iter().enumerate() {
        match assets.iter().find(|x| x.0 == a.symbol) {
            None => {
                return Err(FormatError::Inconsistent {
                    field: format!("liabilities.assets[{i}].symbol"),
                    message: format!("asset {:?} is not in `assets`", a.symbol),
                })
            }
            Some(&(_, decimals)) if decimals != a.decimals => {
                return Err(FormatError::Inconsistent {
                    field: format!("liabilities.assets[{i}].decimals"),
                    message: format!(
                        "asset {:?} has {} decimals in the root, {} in `assets`",
                        a.symbol, a.decimals, decimals
                    ),
                })
            }
            Some(_) => {}
        }
    }
    l.totals_base_units().map(drop)
}

#[cfg(feature = "v2")]
fn v2_parser_check(l: &LiabilitiesV2) -> Result<(), FormatError> {
    l.root_v2().map(drop)
}

#[cfg(not(feature = "v2"))]
fn v2_parser_check(_: &LiabilitiesV2) -> Result<(), FormatError> {
    Err(FormatError::Inconsistent {
        field: "liabilities.format".into(),
        message:
            "a format v2 root (por-root-v2) is read only by a build with por-attest's `v2` feature"
                .into(),
    })
}

/// An exchange's attestation signing key (BIP-340, secp256k1).
pub struct AttestationKey(SigningKey);

impl fmt::Debug for AttestationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttestationKey({})", self.public_key_hex())
    }
}

impl AttestationKey {
    /// Builds a key from 32 secret bytes.
    ///
    /// # Errors
    /// [`KeyError::Invalid`] for zero or a value not below the curve order.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Result<AttestationKey, KeyError> {
        SigningKey::from_bytes(bytes)
            .map(AttestationKey)
            .map_err(|_| KeyError::Invalid)
    }

    /// Parses a secret key file's text: 64 hex digits (surrounding
    /// whitespace allowed).
    ///
    /// # Errors
    /// [`KeyError::Encoding`] for other text, [`KeyError::Invalid`] for a
    /// value that is not a valid secret key.
    pub fn from_hex(text: &str) -> Result<AttestationKey, KeyError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| KeyError::Encoding)?;
        AttestationKey::from_secret_bytes(&bytes)
    }

    /// The secret as 64 hex digits (what a key file holds).
    #[must_use]
    pub fn to_secret_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// The x-only public key, 64 lower-case hex digits.
    #[must_use]
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// The x-only public key.
    #[must_use]
    pub fn public_key(&self) -> XOnlyKey {
        XOnlyKey::from_verifying_key(self.0.verifying_key())
    }

    /// Signs a 32-byte digest with BIP-340.
    pub(crate) fn sign_digest(
        &self,
        digest: &[u8; 32],
        aux_rand: &[u8; 32],
    ) -> Result<[u8; 64], SignError> {
        self.0
            .sign_raw(digest, aux_rand)
            .map(|s| s.to_bytes())
            .map_err(|_| SignError::Signing)
    }

    /// The public key's fingerprint (see [`key_fingerprint`]).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        key_fingerprint(self.0.verifying_key())
    }
}

/// A short name for a public key: the first 8 bytes of SHA-256 of the
/// 32-byte x-only key, as 16 hex digits.
#[must_use]
pub fn key_fingerprint(key: &VerifyingKey) -> String {
    let d = Sha256::digest(key.to_bytes());
    hex::encode(&d[..8])
}

/// Checks a BIP-340 signature over a 32-byte message (exposed for the
/// test vectors; the attestation uses it through
/// [`ParsedAttestation::verify_signature`]).
///
/// # Errors
/// [`SignatureError::Invalid`] when the key or signature is malformed or the
/// signature does not verify.
pub fn verify_bip340(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let invalid = || SignatureError::Invalid {
        key: hex::encode(public_key),
    };
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| invalid())?;
    let sig = Signature::try_from(signature).map_err(|_| invalid())?;
    key.verify_raw(message, &sig).map_err(|_| invalid())
}

/// Signs a message with BIP-340 (exposed for the test vectors).
///
/// # Errors
/// [`KeyError::Invalid`] for an invalid secret key or a signer failure.
pub fn sign_bip340(
    secret: &[u8; 32],
    message: &[u8],
    aux_rand: &[u8; 32],
) -> Result<[u8; 64], KeyError> {
    let key = SigningKey::from_bytes(secret).map_err(|_| KeyError::Invalid)?;
    let sig = key
        .sign_raw(message, aux_rand)
        .map_err(|_| KeyError::Invalid)?;
    Ok(sig.to_bytes())
}

pub(crate) fn parse_public_key(s: &str) -> Result<VerifyingKey, FormatError> {
    let bad = || FormatError::PublicKey(s.to_owned());
    let mut bytes = [0u8; 32];
    if s.len() != 64 || s != s.to_ascii_lowercase() {
        return Err(bad());
    }
    hex::decode_to_slice(s, &mut bytes).map_err(|_| bad())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

fn parse_signature(s: &str) -> Result<Signature, FormatError> {
    let bad = || FormatError::SignatureEncoding(s.to_owned());
    let mut bytes = [0u8; 64];
    if s.len() != 128 || s != s.to_ascii_lowercase() {
        return Err(bad());
    }
    hex::decode_to_slice(s, &mut bytes).map_err(|_| bad())?;
    // k256 refuses r >= p and s >= n here: such a value is no BIP-340
    // signature at all, so it is reported as malformed.
    Signature::try_from(&bytes[..]).map_err(|_| bad())
}

/// A root hash as the attestation writes it: 64 lower-case hex digits, the
/// one spelling `NodeHash` writes back, so that a document read and written
/// again keeps the bytes that were signed (`…2C4…` is refused, not
/// normalised).
fn lower_hex_hash<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NodeHash, D::Error> {
    use serde::de::Error;
    let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
    if !is_hex32(&s) {
        return Err(D::Error::custom(format!(
            "expected 64 lower-case hex digits, got {s:?}"
        )));
    }
    s.parse().map_err(D::Error::custom)
}

pub(crate) fn is_hex32(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A snapshot time parsed from `YYYY-MM-DDTHH:MM:SS[.f+]Z`, compared and
/// ordered as instants (never as text: `…00.9Z` is after `…00Z`, and
/// `…00.50Z` equals `…00.5Z`), displayed as written.
#[derive(Debug, Clone)]
pub struct SnapshotTime {
    /// Year, month, day, hour, minute, second: ordered field by field.
    whole: (u32, u32, u32, u32, u32, u32),
    /// The fraction's digits without trailing zeros: as text they order
    /// exactly as the fractions do.
    fraction: String,
    /// The time as written (what an attestation states and signs).
    text: String,
}

impl SnapshotTime {
    fn instant(&self) -> (&(u32, u32, u32, u32, u32, u32), &str) {
        (&self.whole, &self.fraction)
    }
}

impl PartialEq for SnapshotTime {
    fn eq(&self, other: &Self) -> bool {
        self.instant() == other.instant()
    }
}

impl Eq for SnapshotTime {}

impl PartialOrd for SnapshotTime {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SnapshotTime {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.instant().cmp(&other.instant())
    }
}

impl core::hash::Hash for SnapshotTime {
    fn hash<H: core::hash::Hasher>(&self, h: &mut H) {
        self.instant().hash(h);
    }
}

impl fmt::Display for SnapshotTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for SnapshotTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl SnapshotTime {
    /// Parses an RFC 3339 UTC time as the attestation writes it.
    ///
    /// # Errors
    /// What was expected, when `s` is not `YYYY-MM-DDTHH:MM:SS[.f+]Z` with
    /// valid ranges.
    pub fn parse(s: &str) -> Result<Self, String> {
        check_time(s)
    }
}

/// Normalises an RFC 3339 time with a UTC offset to the UTC form the
/// attestation requires: `2026-12-01T00:00:00+09:00` becomes
/// `2026-11-30T15:00:00Z`. A time already ending in `Z` is returned as it
/// is; the fraction of a second is kept as written. `-00:00` is read as UTC.
///
/// # Errors
/// What was expected, when `s` is not `YYYY-MM-DDTHH:MM:SS[.f+]` followed by
/// `Z` or `+HH:MM` / `-HH:MM` (hours 00–23, minutes 00–59) with valid
/// ranges, or the UTC time falls outside the years 0000–9999.
///
/// # Examples
/// ```
/// assert_eq!(
///     por_attest::normalize_time("2026-12-01T00:00:00+09:00").unwrap(),
///     "2026-11-30T15:00:00Z"
/// );
/// assert_eq!(
///     por_attest::normalize_time("2026-11-21T00:00:00Z").unwrap(),
///     "2026-11-21T00:00:00Z"
/// );
/// ```
pub fn normalize_time(s: &str) -> Result<String, String> {
    let expected = || {
        format!(
            "expected an RFC 3339 time like 2026-11-21T00:00:00Z or 2026-11-21T09:00:00+09:00, got {s:?}"
        )
    };
    if s.ends_with('Z') {
        check_time(s).map_err(|_| expected())?;
        return Ok(s.to_owned());
    }
    // `±HH:MM` at the end; everything before it must be a valid UTC time
    // once given a `Z`.
    let split = s.len().checked_sub(6).ok_or_else(expected)?;
    let (local, offset) = (
        s.get(..split).ok_or_else(expected)?,
        s.get(split..).ok_or_else(expected)?,
    );
    let ob = offset.as_bytes();
    let sign: i64 = match ob.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(expected()),
    };
    let two = |r: core::ops::Range<usize>| -> Option<i64> {
        let part = offset.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (Some(oh), Some(om)) = (two(1..3), two(4..6)) else {
        return Err(expected());
    };
    if ob.get(3) != Some(&b':') || oh > 23 || om > 59 {
        return Err(expected());
    }
    let t = check_time(&format!("{local}Z")).map_err(|_| expected())?;
    let (y, mo, d, h, mi, _) = t.whole;
    // Local minutes of the day minus the offset, carried into the date.
    let mut minutes = i64::from(h) * 60 + i64::from(mi) - sign * (oh * 60 + om);
    let (mut y, mut mo, mut d) = (i64::from(y), i64::from(mo), i64::from(d));
    let days_in = |y: i64, mo: i64| -> i64 {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        match mo {
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 31,
        }
    };
    if minutes < 0 {
        minutes += 1440;
        d -= 1;
        if d == 0 {
            mo -= 1;
            if mo == 0 {
                mo = 12;
                y -= 1;
            }
            d = days_in(y, mo);
        }
    } else if minutes >= 1440 {
        minutes -= 1440;
        d += 1;
        if d > days_in(y, mo) {
            d = 1;
            mo += 1;
            if mo == 13 {
                mo = 1;
                y += 1;
            }
        }
    }
    if !(0..=9999).contains(&y) {
        return Err(format!("{s:?} is outside the years 0000-9999 in UTC"));
    }
    // `local` is `YYYY-MM-DDTHH:MM:` + seconds and fraction as written.
    let seconds = local.get(17..).ok_or_else(expected)?;
    Ok(format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{seconds}Z",
        minutes / 60,
        minutes % 60
    ))
}

/// Checks `YYYY-MM-DDTHH:MM:SS[.f+]Z` with valid ranges (leap seconds
/// refused; days checked against the month and leap years).
pub(crate) fn check_time(s: &str) -> Result<SnapshotTime, String> {
    let expected = || format!("expected an RFC 3339 UTC time like 2026-11-21T00:00:00Z, got {s:?}");
    let b = s.as_bytes();
    if b.len() < 20 || b.last() != Some(&b'Z') {
        return Err(expected());
    }
    let digits = |r: core::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return Err(expected());
    }
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return Err(expected());
    };
    // Bytes 17..19 are ASCII digits and the last byte is `Z`, so both ends
    // are character boundaries; `get` keeps that from ever panicking.
    let frac = s.get(19..s.len() - 1).ok_or_else(expected)?;
    let frac_ok = match frac.strip_prefix('.') {
        None => frac.is_empty(),
        Some(digits) => !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()),
    };
    if !frac_ok {
        return Err(expected());
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(expected()),
    };
    if d == 0 || d > days || h > 23 || mi > 59 || se > 59 {
        return Err(expected());
    }
    let fraction = frac
        .strip_prefix('.')
        .unwrap_or("")
        .trim_end_matches('0')
        .to_owned();
    Ok(SnapshotTime {
        whole: (y, mo, d, h, mi, se),
        fraction,
        text: s.to_owned(),
    })
}

/// A document that is not a well-formed `por-attestation-v1`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// Invalid JSON (including a duplicate member), or a missing, unknown or
    /// mistyped field.
    Json {
        /// The field (`reserves[3].claimed`), empty at the top level.
        field: String,
        /// The parser's description.
        message: String,
    },
    /// A number outside the canonicalizable subset.
    Canonical(jcs::CanonicalError),
    /// The `format` member is not [`FORMAT`].
    Format(String),
    /// No `signature` member.
    MissingSignature,
    /// A signature that is not 128 lower-case hex digits.
    SignatureEncoding(String),
    /// A public key that is not 64 lower-case hex digits of a valid x-only key.
    PublicKey(String),
    /// A value out of range or a cross-reference that does not resolve.
    Inconsistent {
        /// The field.
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

impl FormatError {
    /// A short, stable name of the error kind (used by the test vectors).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            FormatError::Json { .. } => "json",
            FormatError::Canonical(_) => "number",
            FormatError::Format(_) => "format",
            FormatError::MissingSignature => "missing-signature",
            FormatError::SignatureEncoding(_) => "signature-encoding",
            FormatError::PublicKey(_) => "public-key",
            FormatError::Inconsistent { .. } => "inconsistent",
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Json { field, message } if field.is_empty() => {
                write!(f, "malformed attestation: {message}")
            }
            FormatError::Json { field, message } => {
                write!(f, "malformed attestation: field `{field}`: {message}")
            }
            FormatError::Canonical(e) => write!(f, "malformed attestation: {e}"),
            FormatError::Format(got) => write!(
                f,
                "malformed attestation: field `format`: expected {FORMAT:?}, got {got:?}"
            ),
            FormatError::MissingSignature => {
                write!(f, "malformed attestation: no `signature` member (is it signed?)")
            }
            FormatError::SignatureEncoding(got) => write!(
                f,
                "malformed attestation: field `signature`: expected 128 lower-case hex digits (a BIP-340 signature), got {got:?}"
            ),
            FormatError::PublicKey(got) => write!(
                f,
                "malformed attestation: field `exchange.public_key`: expected 64 lower-case hex digits of a BIP-340 x-only key on secp256k1, got {got:?}"
            ),
            FormatError::Inconsistent { field, message } => {
                write!(f, "malformed attestation: field `{field}`: {message}")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// A signature that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The BIP-340 signature does not verify against the key.
    Invalid {
        /// The key, hex.
        key: String,
    },
    /// The document names another key than the one the caller expects.
    UnexpectedKey {
        /// The expected key.
        expected: String,
        /// The document's key.
        got: String,
    },
}

impl SignatureError {
    /// A short, stable name of the error kind (used by the test vectors).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            SignatureError::Invalid { .. } => "bad-signature",
            SignatureError::UnexpectedKey { .. } => "unexpected-key",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Invalid { key } => write!(
                f,
                "the attestation signature does not verify against key {key} (the document was altered after signing, or signed by another key)"
            ),
            SignatureError::UnexpectedKey { expected, got } => write!(
                f,
                "the attestation is signed by key {got}, expected {expected}"
            ),
        }
    }
}

impl std::error::Error for SignatureError {}

/// A secret key that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not 64 hex digits.
    Encoding,
    /// Zero, or not below the secp256k1 group order.
    Invalid,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Encoding => f.write_str("expected a secret key of 64 hex digits"),
            KeyError::Invalid => {
                f.write_str("not a valid secp256k1 secret key (zero or not below the group order)")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// Signing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The body names another public key than the signing key's.
    KeyMismatch {
        /// `exchange.public_key`.
        document: String,
        /// The signing key's public key.
        key: String,
    },
    /// The body is not a valid attestation.
    Format(FormatError),
    /// The signer failed (negligible probability).
    Signing,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::KeyMismatch { document, key } => write!(
                f,
                "the attestation names public key {document} but the signing key's is {key}"
            ),
            SignError::Format(e) => e.fmt(f),
            SignError::Signing => f.write_str("BIP-340 signing failed"),
        }
    }
}

impl std::error::Error for SignError {}

/// Serde adapter: one amount as a JSON string of base units.
pub(crate) mod amount_as_string {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use por_tree::amount::Amount;

    pub fn serialize<S: Serializer>(v: &Amount, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_base_units().to_string())
    }

    /// Base units as decimal digits, without leading zeros (`"0"` alone is
    /// zero): the one way each amount is written, so that a document reads
    /// back to the bytes that were signed. `"0160"` would be read as 160
    /// and written back as `"160"`: it is refused, not normalised.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if s.len() > 1 && s.starts_with('0') {
            return Err(D::Error::custom(format!(
                "amount {s:?} has a leading zero; amounts are written in base units without leading zeros"
            )));
        }
        Amount::from_base_units_str(&s).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests;
