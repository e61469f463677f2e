//! The typed attestation: what a `por-attestation-v1` document states, each
//! member a checked value (chains as [`Chain`], the key as an [`XOnlyKey`],
//! block hashes as [`BlockHash`], the time as a [`SnapshotTime`], schemes as
//! [`SchemeRequest`], the previous link as an [`AttestationId`]).
//!
//! A document becomes one only through the private wire struct and
//! `TryFrom` (checked once, in [`crate::ParsedAttestation::from_json`] or
//! serde's `Deserialize`); an exchange builds one with
//! [`Attestation::builder`], whose steps consume the builder and whose
//! [`AttestationBuilder::build`] runs the same checks. Signing converts back
//! to the wire struct, so the signed bytes are the document's members as
//! written.

use core::fmt;
use core::str::FromStr;

use k256::schnorr::VerifyingKey;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use por_tree::amount::Amount;
use por_tree::asset::{Asset, AssetList};
use por_tree::tree::RootCommitment;
use por_types::{BlockHash, Chain, SchemeRequest};

use crate::{
    is_hex32, jcs, wire, AttestationId, AttestationKey, Category, FormatError, LiabilitiesSection,
    SignError, SnapshotTime, Tier,
};

/// A closed set of names (a [`Chain`], a [`SchemeRequest`]) as an
/// attestation may write them.
pub trait KnownName: Copy + Eq + FromStr + fmt::Display {
    /// The name in files.
    fn name(self) -> &'static str;
}

impl KnownName for Chain {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl KnownName for SchemeRequest {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A name an attestation writes: one por knows ([`Named::Known`]), or one
/// the format allows but por does not know ([`Named::Other`], kept as
/// written; the audit then says it cannot check what depends on it).
/// Known names are read by their names in files only, never by an alias
/// (`btc` is another name than `bitcoin`), so a document reads back to the
/// same bytes. Ordered by the name as written (as the strings were).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Named<T> {
    /// A name por knows.
    Known(T),
    /// Any other name, as written.
    Other(OtherName),
}

/// A name that is none of a closed set's names in files (only
/// [`Named::from_name`] makes one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OtherName(String);

impl OtherName {
    /// The name as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The chain of an attestation's `chains`, `assets` and `reserves`
/// members: a [`Chain`] por knows, or another lower-case name.
pub type AttestedChain = Named<Chain>;

/// The ownership scheme a reserve entry's proof asks for: a
/// [`SchemeRequest`] por knows, or another name (which the ownership check
/// refuses as malformed).
pub type AttestedScheme = Named<SchemeRequest>;

impl<T: KnownName> Named<T> {
    /// `s` as a known name when it is one of `T`'s names in files, else as
    /// written.
    #[must_use]
    pub fn from_name(s: &str) -> Named<T> {
        match s.parse::<T>() {
            Ok(t) if t.name() == s => Named::Known(t),
            _ => Named::Other(OtherName(s.to_owned())),
        }
    }

    /// The name as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Named::Known(t) => t.name(),
            Named::Other(o) => o.as_str(),
        }
    }

    /// The known value, if it is one.
    #[must_use]
    pub fn known(&self) -> Option<T> {
        match self {
            Named::Known(t) => Some(*t),
            Named::Other(_) => None,
        }
    }
}

impl<T: KnownName> PartialOrd for Named<T> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// By name: a known name never equals another, so this agrees with `Eq`.
impl<T: KnownName> Ord for Named<T> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl<T> From<T> for Named<T> {
    fn from(t: T) -> Named<T> {
        Named::Known(t)
    }
}

impl<T: KnownName> fmt::Display for Named<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<T: KnownName> Serialize for Named<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl AttestedChain {
    /// The key under which two addresses on this chain are the same address
    /// ([`por_types::address_key`]; a chain por does not know is compared
    /// by the same prefixes).
    #[must_use]
    pub fn address_key(&self, address: &str) -> String {
        por_types::address_key(self.known(), address)
    }
}

/// A BIP-340 x-only public key on secp256k1 (the exchange's attestation
/// key), valid by construction; written as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct XOnlyKey([u8; 32]);

impl XOnlyKey {
    /// Parses 64 lower-case hex digits of a valid x-only key.
    ///
    /// # Errors
    /// [`FormatError::PublicKey`] naming the text otherwise.
    pub fn from_hex(s: &str) -> Result<XOnlyKey, FormatError> {
        crate::parse_public_key(s).map(|k| XOnlyKey(k.to_bytes().into()))
    }

    /// The key as 64 lower-case hex digits.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The 32 bytes.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The key's fingerprint (see [`crate::key_fingerprint`]).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..8])
    }

    pub(crate) fn from_verifying_key(k: &VerifyingKey) -> XOnlyKey {
        XOnlyKey(k.to_bytes().into())
    }

    pub(crate) fn verifying_key(&self) -> Result<VerifyingKey, FormatError> {
        VerifyingKey::from_bytes(&self.0).map_err(|_| FormatError::PublicKey(self.to_hex()))
    }
}

impl fmt::Debug for XOnlyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XOnlyKey({})", self.to_hex())
    }
}

impl fmt::Display for XOnlyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl FromStr for XOnlyKey {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<XOnlyKey, FormatError> {
        XOnlyKey::from_hex(s)
    }
}

impl Serialize for XOnlyKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

/// A reserve wallet's address as the chain writes it: non-empty, otherwise
/// as written (the ownership check parses it for its chain; two are the
/// same address when [`AttestedChain::address_key`] says so).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WalletAddress(String);

impl WalletAddress {
    /// The address, unless it is empty.
    #[must_use]
    pub fn new(s: &str) -> Option<WalletAddress> {
        (!s.is_empty()).then(|| WalletAddress(s.to_owned()))
    }

    /// The address as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WalletAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for WalletAddress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A block hash as an attestation writes it: the hash, and whether it was
/// written with a `0x` prefix (as Ethereum's tools write it), so that the
/// document reads back to the same bytes. Two attested hashes name the same
/// block when their [`AttestedBlockHash::hash`]es are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttestedBlockHash {
    hash: BlockHash,
    prefixed: bool,
}

impl AttestedBlockHash {
    /// The hash, written with a `0x` prefix when `prefixed`.
    #[must_use]
    pub fn new(hash: BlockHash, prefixed: bool) -> AttestedBlockHash {
        AttestedBlockHash { hash, prefixed }
    }

    /// The hash written as `chain`'s nodes write it (`0x…` on Ethereum).
    #[must_use]
    pub fn for_chain(hash: BlockHash, chain: Chain) -> AttestedBlockHash {
        AttestedBlockHash::new(hash, chain == Chain::Ethereum)
    }

    /// Parses 64 lower-case hex digits, optionally `0x`-prefixed (what the
    /// format accepts).
    ///
    /// # Errors
    /// What was expected, naming the text.
    pub fn parse(s: &str) -> Result<AttestedBlockHash, String> {
        let (digits, prefixed) = match s.strip_prefix("0x") {
            Some(d) => (d, true),
            None => (s, false),
        };
        let expected =
            || format!("expected 64 lower-case hex digits (optionally 0x-prefixed), got {s:?}");
        if !is_hex32(digits) {
            return Err(expected());
        }
        let hash = BlockHash::from_hex(digits).map_err(|_| expected())?;
        Ok(AttestedBlockHash { hash, prefixed })
    }

    /// The hash.
    #[must_use]
    pub fn hash(&self) -> BlockHash {
        self.hash
    }

    /// Whether it is written with a `0x` prefix.
    #[must_use]
    pub fn is_prefixed(&self) -> bool {
        self.prefixed
    }
}

impl fmt::Display for AttestedBlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.hash.display_hex(self.prefixed).fmt(f)
    }
}

impl Serialize for AttestedBlockHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The exchange and its attestation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// A stable identifier (the one in the ownership messages).
    pub id: String,
    /// The BIP-340 x-only public key.
    pub public_key: XOnlyKey,
}

/// The snapshot's label and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The label (the one in the ownership messages), e.g. `2026-11-21`.
    pub label: String,
    /// The time, written `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    pub time: SnapshotTime,
}

/// The block on one chain the balances refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPoint {
    /// The chain.
    pub chain: AttestedChain,
    /// Block height.
    pub height: u64,
    /// Block hash.
    pub block_hash: AttestedBlockHash,
}

/// An asset: symbol, decimals and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedAsset {
    /// Symbol, as in the liabilities tree.
    pub symbol: String,
    /// Decimal places of one unit in base units.
    pub decimals: u8,
    /// The chain its reserves are on.
    pub chain: AttestedChain,
    /// The token contract (e.g. an ERC-20 address) as written, or `None`
    /// for the chain's native asset.
    pub contract: Option<String>,
}

/// One reserve wallet and the exchange's claim on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveEntry {
    /// The chain (one of [`Attestation::chains`]).
    pub chain: AttestedChain,
    /// The address.
    pub address: WalletAddress,
    /// Asset symbol (one of [`Attestation::assets`], on this chain).
    pub asset: String,
    /// Whose funds.
    pub category: Category,
    /// How the keys are kept.
    pub tier: Tier,
    /// The balance the exchange claims, in base units.
    pub claimed: Amount,
    /// The signature proving control of the address.
    pub proof: OwnershipProof,
}

/// A wallet-ownership signature, as the ownership crate verifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnershipProof {
    /// The scheme asked for.
    pub scheme: AttestedScheme,
    /// The signed message, exactly.
    pub message: String,
    /// The signature in the scheme's usual encoding.
    pub signature: String,
    /// A second signature (two-signature multisig schemes), if any.
    pub second_signature: Option<String>,
    /// The redeem / witness script (multisig schemes), hex, if any.
    pub redeem_script: Option<String>,
}

/// The liability-reserve inputs file the attestation commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveInputsRef {
    /// The file's name as published beside the attestation.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    /// The file's text, when embedded (its SHA-256 must be `sha256`).
    pub embedded: Option<String>,
}

impl ReserveInputsRef {
    /// A reference to the file `file` with these bytes; the text embedded
    /// when `embed` (and the bytes are UTF-8).
    #[must_use]
    pub fn to_file(file: &str, bytes: &[u8], embed: bool) -> ReserveInputsRef {
        ReserveInputsRef {
            file: file.to_owned(),
            sha256: Sha256::digest(bytes).into(),
            embedded: if embed {
                core::str::from_utf8(bytes).ok().map(str::to_owned)
            } else {
                None
            },
        }
    }
}

/// The signed content of a `por-attestation-v1`: every member of the
/// document except `format` (always [`crate::FORMAT`]) and `signature`, typed.
///
/// Each member is a checked value; the cross-references between them (every
/// reserve's chain and asset listed, totals of listed assets, ...) are
/// checked when a document is read, by [`AttestationBuilder::build`] and
/// again by [`Attestation::sign`] (the members are public, so a caller may
/// change one).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attestation {
    /// Who attests.
    pub exchange: Exchange,
    /// Which snapshot.
    pub snapshot: Snapshot,
    /// Per chain, the block the reserve balances refer to.
    pub chains: Vec<ChainPoint>,
    /// Every asset named in the liabilities or the reserves.
    pub assets: Vec<AttestedAsset>,
    /// The liabilities root: a format v1 tree's root and totals, or a format
    /// v2 tree's `por-root-v2`.
    pub liabilities: LiabilitiesSection,
    /// The reserve wallets.
    pub reserves: Vec<ReserveEntry>,
    /// The liability-reserve inputs (issue 6), referenced by hash.
    pub reserve_inputs: Option<ReserveInputsRef>,
    /// The id of the previous attestation, or `None` for the first of a
    /// history.
    pub previous: Option<AttestationId>,
}

/// Builds an [`Attestation`]; each step consumes the builder.
#[derive(Debug, Clone)]
#[must_use]
pub struct AttestationBuilder {
    exchange: Exchange,
    snapshot: Snapshot,
    chains: Vec<ChainPoint>,
    assets: Vec<AttestedAsset>,
    reserves: Vec<ReserveEntry>,
    reserve_inputs: Option<ReserveInputsRef>,
    previous: Option<AttestationId>,
}

impl AttestationBuilder {
    /// Adds the block on one chain.
    pub fn chain(mut self, point: ChainPoint) -> Self {
        self.chains.push(point);
        self
    }

    /// Adds blocks, in order.
    pub fn chains(mut self, points: impl IntoIterator<Item = ChainPoint>) -> Self {
        self.chains.extend(points);
        self
    }

    /// Adds an asset.
    pub fn asset(mut self, asset: AttestedAsset) -> Self {
        self.assets.push(asset);
        self
    }

    /// Adds assets, in order.
    pub fn assets(mut self, assets: impl IntoIterator<Item = AttestedAsset>) -> Self {
        self.assets.extend(assets);
        self
    }

    /// Adds a reserve entry.
    pub fn reserve(mut self, entry: ReserveEntry) -> Self {
        self.reserves.push(entry);
        self
    }

    /// Adds reserve entries, in order.
    pub fn reserves(mut self, entries: impl IntoIterator<Item = ReserveEntry>) -> Self {
        self.reserves.extend(entries);
        self
    }

    /// Commits to the liability-reserve inputs (or to none).
    pub fn reserve_inputs(mut self, inputs: impl Into<Option<ReserveInputsRef>>) -> Self {
        self.reserve_inputs = inputs.into();
        self
    }

    /// Links to the previous attestation (or to none: the first of a
    /// history).
    pub fn previous(mut self, id: impl Into<Option<AttestationId>>) -> Self {
        self.previous = id.into();
        self
    }

    /// The attestation over `liabilities`, checked as a parsed document is.
    ///
    /// # Errors
    /// [`FormatError`] naming the member, as
    /// [`crate::ParsedAttestation::from_json`] would for the same document.
    pub fn build(
        self,
        liabilities: impl Into<LiabilitiesSection>,
    ) -> Result<Attestation, FormatError> {
        let a = Attestation {
            exchange: self.exchange,
            snapshot: self.snapshot,
            chains: self.chains,
            assets: self.assets,
            liabilities: liabilities.into(),
            reserves: self.reserves,
            reserve_inputs: self.reserve_inputs,
            previous: self.previous,
        };
        a.check()?;
        Ok(a)
    }
}

impl Attestation {
    /// Starts an attestation by `exchange` of `snapshot`.
    pub fn builder(exchange: Exchange, snapshot: Snapshot) -> AttestationBuilder {
        AttestationBuilder {
            exchange,
            snapshot,
            chains: Vec::new(),
            assets: Vec::new(),
            reserves: Vec::new(),
            reserve_inputs: None,
            previous: None,
        }
    }

    /// Checks the members and their cross-references as a parsed document
    /// is checked.
    ///
    /// # Errors
    /// [`FormatError`] naming the member.
    pub fn check(&self) -> Result<(), FormatError> {
        wire::Body::from(self).check().map(drop)
    }

    /// The asset named `symbol`, if listed.
    #[must_use]
    pub fn asset(&self, symbol: &str) -> Option<&AttestedAsset> {
        self.assets.iter().find(|a| a.symbol == symbol)
    }

    /// The block stated for `chain`, if listed.
    #[must_use]
    pub fn chain_point(&self, chain: &AttestedChain) -> Option<&ChainPoint> {
        self.chains.iter().find(|c| c.chain == *chain)
    }

    /// The liabilities root as a [`RootCommitment`], with the tree's assets.
    ///
    /// # Errors
    /// [`FormatError::Inconsistent`] for an unusable asset or a v2 section.
    pub fn root_commitment(&self) -> Result<(AssetList, RootCommitment), FormatError> {
        let l = match &self.liabilities {
            LiabilitiesSection::V1(l) => l,
            LiabilitiesSection::V2(_) => {
                return Err(FormatError::Inconsistent {
                    field: "liabilities.format".into(),
                    message: "the attestation carries a format v2 root (por-root-v2), not a format v1 root commitment".into(),
                })
            }
        };
        let mut assets = Vec::with_capacity(l.totals.len());
        for (i, t) in l.totals.iter().enumerate() {
            let a = self
                .asset(&t.asset)
                .ok_or_else(|| FormatError::Inconsistent {
                    field: format!("liabilities.totals[{i}].asset"),
                    message: format!("asset {:?} is not in `assets`", t.asset),
                })?;
            assets.push(Asset::new(&a.symbol, a.decimals).map_err(|e| {
                FormatError::Inconsistent {
                    field: format!("liabilities.totals[{i}].asset"),
                    message: e.to_string(),
                }
            })?);
        }
        let list = AssetList::new(assets).map_err(|e| FormatError::Inconsistent {
            field: "liabilities.totals".into(),
            message: e.to_string(),
        })?;
        Ok((
            list,
            RootCommitment {
                hash: l.root,
                sums: l.totals.iter().map(|t| t.amount).collect(),
                height: l.height,
            },
        ))
    }

    /// Signs the attestation: returns the signed document as pretty-printed
    /// JSON (the signature covers the canonical form, so layout does not
    /// matter).
    ///
    /// `aux_rand` is BIP-340's auxiliary randomness (32 fresh random bytes
    /// in production; fixed in tests and vectors).
    ///
    /// # Errors
    /// [`SignError::KeyMismatch`] when `exchange.public_key` is not the key's,
    /// [`SignError::Format`] when the members are not a valid attestation,
    /// [`SignError::Signing`] if the signer fails.
    pub fn sign(&self, key: &AttestationKey, aux_rand: &[u8; 32]) -> Result<String, SignError> {
        if self.exchange.public_key != key.public_key() {
            return Err(SignError::KeyMismatch {
                document: self.exchange.public_key.to_hex(),
                key: key.public_key_hex(),
            });
        }
        let body = wire::Body::from(self);
        body.check().map_err(SignError::Format)?;
        let json_err = |e: serde_json::Error| {
            SignError::Format(FormatError::Json {
                field: String::new(),
                message: e.to_string(),
            })
        };
        let mut value = serde_json::to_value(&body).map_err(json_err)?;
        let canonical =
            jcs::canonicalize(&value).map_err(|e| SignError::Format(FormatError::Canonical(e)))?;
        let digest: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
        let sig = key.sign_digest(&digest, aux_rand)?;
        if let Value::Object(map) = &mut value {
            map.insert("signature".to_owned(), Value::String(hex::encode(sig)));
        }
        let mut text = serde_json::to_string_pretty(&value).map_err(json_err)?;
        text.push('\n');
        Ok(text)
    }
}

impl TryFrom<wire::Body> for Attestation {
    type Error = FormatError;

    fn try_from(b: wire::Body) -> Result<Attestation, FormatError> {
        b.check()?;
        let inconsistent =
            |field: String, message: String| FormatError::Inconsistent { field, message };
        let time = SnapshotTime::parse(&b.snapshot.time)
            .map_err(|m| inconsistent("snapshot.time".into(), m))?;
        let chains = b
            .chains
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                Ok(ChainPoint {
                    chain: AttestedChain::from_name(&c.chain),
                    height: c.height,
                    block_hash: AttestedBlockHash::parse(&c.block_hash)
                        .map_err(|m| inconsistent(format!("chains[{i}].block_hash"), m))?,
                })
            })
            .collect::<Result<Vec<_>, FormatError>>()?;
        let assets = b
            .assets
            .into_iter()
            .map(|a| AttestedAsset {
                chain: AttestedChain::from_name(&a.chain),
                symbol: a.symbol,
                decimals: a.decimals,
                contract: a.contract,
            })
            .collect();
        let reserves = b
            .reserves
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                Ok(ReserveEntry {
                    chain: AttestedChain::from_name(&r.chain),
                    address: WalletAddress::new(&r.address).ok_or_else(|| {
                        inconsistent(
                            format!("reserves[{i}].address"),
                            "expected a non-empty address".into(),
                        )
                    })?,
                    asset: r.asset,
                    category: r.category,
                    tier: r.tier,
                    claimed: r.claimed,
                    proof: OwnershipProof {
                        scheme: AttestedScheme::from_name(&r.proof.scheme),
                        message: r.proof.message,
                        signature: r.proof.signature,
                        second_signature: r.proof.second_signature,
                        redeem_script: r.proof.redeem_script,
                    },
                })
            })
            .collect::<Result<Vec<_>, FormatError>>()?;
        let reserve_inputs = b
            .reserve_inputs
            .map(|r| {
                let mut sha256 = [0u8; 32];
                hex::decode_to_slice(&r.sha256, &mut sha256).map_err(|_| {
                    inconsistent(
                        "reserve_inputs.sha256".into(),
                        format!("expected 64 lower-case hex digits, got {:?}", r.sha256),
                    )
                })?;
                Ok(ReserveInputsRef {
                    file: r.file,
                    sha256,
                    embedded: r.embedded,
                })
            })
            .transpose()?;
        let previous = b
            .previous
            .map(|p| {
                AttestationId::from_hex(&p).ok_or_else(|| {
                    inconsistent(
                        "previous".into(),
                        format!("expected 64 lower-case hex digits or null, got {p:?}"),
                    )
                })
            })
            .transpose()?;
        Ok(Attestation {
            exchange: Exchange {
                public_key: XOnlyKey::from_hex(&b.exchange.public_key)?,
                id: b.exchange.id,
            },
            snapshot: Snapshot {
                label: b.snapshot.label,
                time,
            },
            chains,
            assets,
            liabilities: b.liabilities,
            reserves,
            reserve_inputs,
            previous,
        })
    }
}

/// Written as the document's members (without `signature`), through the
/// wire struct.
impl Serialize for Attestation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        wire::Body::from(self).serialize(s)
    }
}

/// Read from the document's members (without `signature`) and checked as
/// [`crate::ParsedAttestation::from_json`] checks them.
impl<'de> Deserialize<'de> for Attestation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Attestation, D::Error> {
        let body = wire::Body::deserialize(d)?;
        Attestation::try_from(body).map_err(serde::de::Error::custom)
    }
}
