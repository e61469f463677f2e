//! `por-proof-v2` (JSON), the published v2 root, and verification.
//!
//! Parsing gives a [`ProofV2`] that says nothing yet; [`ProofV2::verify`]
//! against a published [`RootV2`] checks the leaf opening, every hash on the
//! path, the root hash (which binds the format version, the height and the
//! asset list with decimals and proof units), the root opening (published
//! totals and blinding factors) and the one aggregated range proof over
//! every sibling commitment. Verification draws no randomness.

use alloc::sync::Arc;
use core::fmt;

use base64::Engine as _;
use bulletproofs::{BulletproofGens, RangeProof};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::SeedableRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::amount::Amount;
use crate::hash::{self, NodeHash, Salt};
use crate::prelude::*;
use crate::sync::OnceLock;

use super::format::{self, AssetsV2};

/// The `format` field of a proof file.
pub const PROOF_FORMAT_V2: &str = "por-proof-v2";
/// The `format` field of a published root.
pub const ROOT_FORMAT_V2: &str = "por-root-v2";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// One sibling on a customer's path: its hash and its `k` commitments
/// (canonical encodings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sibling {
    /// The sibling's node hash.
    pub hash: NodeHash,
    /// Its commitments, one per asset.
    pub commitments: Vec<[u8; 32]>,
}

/// What the exchange publishes for a v2 tree: root hash, height, assets
/// with proof units, totals in proof units and the root blinding factors,
/// so that anyone opens the root commitments to exactly those totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootV2 {
    /// The root hash.
    pub hash: NodeHash,
    /// The tree height.
    pub height: u8,
    /// The assets, with decimals and proof units.
    pub assets: AssetsV2,
    /// Total per asset, in proof units.
    pub totals: Vec<u64>,
    /// The root blinding factor per asset.
    pub blindings: Vec<Scalar>,
}

/// The root as a proof states it (its assets and height are the proof's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRoot {
    /// The root hash.
    pub hash: NodeHash,
    /// Totals in proof units.
    pub totals: Vec<u64>,
    /// Root blinding factors.
    pub blindings: Vec<Scalar>,
}

impl RootV2 {
    pub(crate) fn new(
        assets: AssetsV2,
        height: u8,
        top_enc: &[[u8; 32]],
        top_hash: &NodeHash,
        totals: &[u64],
        blindings: &[Scalar],
    ) -> RootV2 {
        RootV2 {
            hash: format::root_hash(&assets, height, top_hash, top_enc),
            height,
            assets,
            totals: totals.to_vec(),
            blindings: blindings.to_vec(),
        }
    }

    pub(crate) fn claimed(&self) -> ClaimedRoot {
        ClaimedRoot {
            hash: self.hash,
            totals: self.totals.clone(),
            blindings: self.blindings.clone(),
        }
    }

    /// The totals in base units: `totals[i] · 10^e_i` (the rounded-up
    /// liabilities the commitments hold).
    #[must_use]
    pub fn totals_base_units(&self) -> Vec<Amount> {
        self.assets
            .iter()
            .zip(&self.totals)
            .map(|(a, t)| a.from_units(*t))
            .collect()
    }

    /// Serializes as `por-root-v2` JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&RootRepr {
            format: ROOT_FORMAT_V2.to_owned(),
            hash: self.hash.to_string(),
            height: self.height,
            assets: self.assets.clone(),
            totals: self.totals.iter().map(u64::to_string).collect(),
            blindings: self.blindings.iter().map(format::scalar_hex).collect(),
        })
        .expect("strings and integers only")
    }

    /// Parses `por-root-v2` JSON.
    ///
    /// # Errors
    ///
    /// A [`ProofFormatErrorV2`] naming the field.
    pub fn from_json(json: &str) -> Result<RootV2, ProofFormatErrorV2> {
        let r: RootRepr = parse_json(json)?;
        if r.format != ROOT_FORMAT_V2 {
            return Err(ProofFormatErrorV2::field(
                "format",
                format!("expected \"{ROOT_FORMAT_V2}\", got {:?}", r.format),
            ));
        }
        RootV2::from_parts(r.hash, r.height, r.assets, r.totals, r.blindings, "")
    }

    fn from_parts(
        hash: String,
        height: u8,
        assets: AssetsV2,
        totals: Vec<String>,
        blindings: Vec<String>,
        prefix: &str,
    ) -> Result<RootV2, ProofFormatErrorV2> {
        let c = ClaimedRoot::from_parts(&hash, &totals, &blindings, assets.len(), prefix)?;
        if height == 0 || height > format::MAX_HEIGHT {
            return Err(ProofFormatErrorV2::field(
                &format!("{prefix}height"),
                format!("expected 1 to {}, got {height}", format::MAX_HEIGHT),
            ));
        }
        Ok(RootV2 {
            hash: c.hash,
            height,
            assets,
            totals: c.totals,
            blindings: c.blindings,
        })
    }

    /// Whether `point` opens to this root's totals and blindings, asset by
    /// asset: `C_i == T_i·G + R_i·H`. Returns the first asset that does not.
    #[must_use]
    pub fn first_unopened(&self, points: &[RistrettoPoint]) -> Option<usize> {
        let gens = format::generators();
        if points.len() != self.totals.len() || points.len() != self.blindings.len() {
            return Some(0);
        }
        points
            .iter()
            .zip(self.totals.iter().zip(&self.blindings))
            .position(|(p, (t, r))| *p != gens.commit(*t, r))
    }
}

impl ClaimedRoot {
    fn from_parts(
        hash: &str,
        totals: &[String],
        blindings: &[String],
        k: usize,
        prefix: &str,
    ) -> Result<ClaimedRoot, ProofFormatErrorV2> {
        let hash: NodeHash = hash
            .parse()
            .map_err(|e| ProofFormatErrorV2::field(&format!("{prefix}hash"), format!("{e}")))?;
        let totals = parse_u64s(totals, k, &format!("{prefix}totals"))?;
        let blindings = parse_scalars(blindings, k, &format!("{prefix}blindings"))?;
        Ok(ClaimedRoot {
            hash,
            totals,
            blindings,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RootRepr {
    format: String,
    hash: String,
    height: u8,
    assets: AssetsV2,
    totals: Vec<String>,
    blindings: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimedRootRepr {
    hash: String,
    totals: Vec<String>,
    blindings: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofRepr {
    format: String,
    assets: AssetsV2,
    height: u8,
    user_id: String,
    salt: String,
    balances: Vec<String>,
    position: u64,
    blindings: Vec<String>,
    path: String,
    range_proof: String,
    root: ClaimedRootRepr,
}

/// A customer's v2 proof as read from a file: not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofV2 {
    assets: AssetsV2,
    height: u8,
    user_id: String,
    salt: Salt,
    balances: Vec<Amount>,
    position: u64,
    blindings: Vec<Scalar>,
    path: Vec<Sibling>,
    range_proof: Vec<u8>,
    root: ClaimedRoot,
}

/// A malformed `por-proof-v2` or `por-root-v2` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofFormatErrorV2 {
    /// The field (`path[3]`), empty for the whole document.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ProofFormatErrorV2 {
    fn field(field: &str, message: String) -> ProofFormatErrorV2 {
        ProofFormatErrorV2 {
            field: field.to_owned(),
            message,
        }
    }
}

impl fmt::Display for ProofFormatErrorV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "malformed: {}", self.message)
        } else {
            write!(f, "malformed: field `{}`: {}", self.field, self.message)
        }
    }
}

impl core::error::Error for ProofFormatErrorV2 {}

fn parse_json<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, ProofFormatErrorV2> {
    let mut de = serde_json::Deserializer::from_str(json);
    let v: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        ProofFormatErrorV2 {
            field: if path == "." { String::new() } else { path },
            message: format!("{inner}"),
        }
    })?;
    de.end()
        .map_err(|e| ProofFormatErrorV2::field("", format!("{e}")))?;
    Ok(v)
}

fn check_count<T>(v: &[T], k: usize, field: &str) -> Result<(), ProofFormatErrorV2> {
    if v.len() == k {
        Ok(())
    } else {
        Err(ProofFormatErrorV2::field(
            field,
            format!("expected {k} entries (one per asset), got {}", v.len()),
        ))
    }
}

fn parse_u64s(v: &[String], k: usize, field: &str) -> Result<Vec<u64>, ProofFormatErrorV2> {
    check_count(v, k, field)?;
    v.iter()
        .enumerate()
        .map(|(i, s)| {
            let ok = !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| s.parse::<u64>().ok()).flatten().ok_or_else(|| {
                ProofFormatErrorV2::field(
                    &format!("{field}[{i}]"),
                    format!("expected a decimal string below 2^64, got {s:?}"),
                )
            })
        })
        .collect()
}

fn parse_scalars(v: &[String], k: usize, field: &str) -> Result<Vec<Scalar>, ProofFormatErrorV2> {
    check_count(v, k, field)?;
    v.iter()
        .enumerate()
        .map(|(i, s)| {
            format::parse_scalar_hex(s).ok_or_else(|| {
                ProofFormatErrorV2::field(
                    &format!("{field}[{i}]"),
                    "expected 64 hex digits of a canonical scalar (little-endian, below the group order)".to_owned(),
                )
            })
        })
        .collect()
}

impl ProofV2 {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        assets: AssetsV2,
        height: u8,
        user_id: String,
        salt: Salt,
        balances: Vec<Amount>,
        position: u64,
        blindings: Vec<Scalar>,
        path: Vec<Sibling>,
        range_proof: Vec<u8>,
        root: ClaimedRoot,
    ) -> ProofV2 {
        ProofV2 {
            assets,
            height,
            user_id,
            salt,
            balances,
            position,
            blindings,
            path,
            range_proof,
            root,
        }
    }

    /// Parses a `por-proof-v2` document and checks its structure.
    ///
    /// # Errors
    ///
    /// A [`ProofFormatErrorV2`] naming the field: invalid JSON, a missing or
    /// unknown field, a wrong format tag, invalid assets, a hash, scalar,
    /// commitment or base64 string that does not decode, a count that is not
    /// the asset count, a height outside 1..=64.
    pub fn from_json(json: &str) -> Result<ProofV2, ProofFormatErrorV2> {
        let r: ProofRepr = parse_json(json)?;
        if r.format != PROOF_FORMAT_V2 {
            return Err(ProofFormatErrorV2::field(
                "format",
                format!("expected \"{PROOF_FORMAT_V2}\", got {:?}", r.format),
            ));
        }
        let k = r.assets.len();
        if r.height == 0 || r.height > format::MAX_HEIGHT {
            return Err(ProofFormatErrorV2::field(
                "height",
                format!("expected 1 to {}, got {}", format::MAX_HEIGHT, r.height),
            ));
        }
        if r.user_id.is_empty() || r.user_id.len() > 1024 {
            return Err(ProofFormatErrorV2::field(
                "user_id",
                "expected 1 to 1024 bytes".to_owned(),
            ));
        }
        let salt: Salt = r
            .salt
            .parse()
            .map_err(|e| ProofFormatErrorV2::field("salt", format!("{e}")))?;
        check_count(&r.balances, k, "balances")?;
        let balances = r
            .balances
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Amount::from_base_units_str(s).map_err(|e| {
                    ProofFormatErrorV2::field(&format!("balances[{i}]"), format!("{e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let blindings = parse_scalars(&r.blindings, k, "blindings")?;
        let path = parse_path(&r.path, k)?;
        let range_proof = B64
            .decode(&r.range_proof)
            .map_err(|e| ProofFormatErrorV2::field("range_proof", format!("not base64: {e}")))?;
        if range_proof.len() > MAX_RANGE_PROOF_BYTES
            || RangeProof::from_bytes(&range_proof).is_err()
        {
            return Err(ProofFormatErrorV2::field(
                "range_proof",
                format!(
                    "not a range proof encoding (at most {MAX_RANGE_PROOF_BYTES} bytes), got {} bytes",
                    range_proof.len()
                ),
            ));
        }
        let root =
            ClaimedRoot::from_parts(&r.root.hash, &r.root.totals, &r.root.blindings, k, "root.")?;
        Ok(ProofV2 {
            assets: r.assets,
            height: r.height,
            user_id: r.user_id,
            salt,
            balances,
            position: r.position,
            blindings,
            path,
            range_proof,
            root,
        })
    }

    /// Serializes as `por-proof-v2` JSON, compact (no whitespace): at
    /// height 32 with 3 assets the pretty-printed form would exceed 8 kB.
    #[must_use]
    pub fn to_json(&self) -> String {
        let repr = ProofRepr {
            format: PROOF_FORMAT_V2.to_owned(),
            assets: self.assets.clone(),
            height: self.height,
            user_id: self.user_id.clone(),
            salt: self.salt.to_string(),
            balances: self.balances.iter().map(ToString::to_string).collect(),
            position: self.position,
            blindings: self.blindings.iter().map(format::scalar_hex).collect(),
            path: {
                let k = self.assets.len();
                let mut b = Vec::with_capacity(32 * (1 + k) * self.path.len());
                for s in &self.path {
                    b.extend_from_slice(s.hash.as_byte_array());
                    for c in &s.commitments {
                        b.extend_from_slice(c);
                    }
                }
                B64.encode(b)
            },
            range_proof: B64.encode(&self.range_proof),
            root: ClaimedRootRepr {
                hash: self.root.hash.to_string(),
                totals: self.root.totals.iter().map(u64::to_string).collect(),
                blindings: self.root.blindings.iter().map(format::scalar_hex).collect(),
            },
        };
        serde_json::to_string(&repr).expect("strings and integers only")
    }

    /// The assets with proof units.
    #[must_use]
    pub fn assets(&self) -> &AssetsV2 {
        &self.assets
    }
    /// The height the proof states.
    #[must_use]
    pub fn height(&self) -> u8 {
        self.height
    }
    /// The customer's user id.
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// The customer's balances in base units.
    #[must_use]
    pub fn balances(&self) -> &[Amount] {
        &self.balances
    }
    /// The customer's leaf position.
    #[must_use]
    pub fn position(&self) -> u64 {
        self.position
    }
    /// The siblings from level 0 up.
    #[must_use]
    pub fn path(&self) -> &[Sibling] {
        &self.path
    }
    #[doc(hidden)]
    pub fn path_mut(&mut self) -> &mut Vec<Sibling> {
        &mut self.path
    }
    /// The aggregated range proof (encoded).
    #[must_use]
    pub fn range_proof(&self) -> &[u8] {
        &self.range_proof
    }
    #[doc(hidden)]
    pub fn range_proof_mut(&mut self) -> &mut Vec<u8> {
        &mut self.range_proof
    }
    #[doc(hidden)]
    pub fn set_assets_unchecked(&mut self, assets: AssetsV2) {
        self.assets = assets;
    }
    #[doc(hidden)]
    pub fn set_height_unchecked(&mut self, height: u8) {
        self.height = height;
    }
    #[doc(hidden)]
    pub fn set_claimed_root(&mut self, root: &RootV2) {
        self.root = root.claimed();
    }
    /// The root the proof file states (a claim, until compared with a
    /// published root), with the proof's own assets and height.
    #[must_use]
    pub fn claimed_root(&self) -> RootV2 {
        RootV2 {
            hash: self.root.hash,
            height: self.height,
            assets: self.assets.clone(),
            totals: self.root.totals.clone(),
            blindings: self.root.blindings.clone(),
        }
    }

    /// The committed leaf values: `ceil(balance / 10^e)` per asset.
    ///
    /// # Errors
    ///
    /// [`VerifyErrorV2::BalanceOutOfRange`] for a value of `2^64` units or more.
    pub fn units(&self) -> Result<Vec<u64>, VerifyErrorV2> {
        self.assets
            .iter()
            .zip(&self.balances)
            .enumerate()
            .map(|(i, (a, b))| {
                a.to_units(*b)
                    .ok_or(VerifyErrorV2::BalanceOutOfRange { asset: i })
            })
            .collect()
    }

    /// Recomputes the root hash and root commitments from the leaf opening
    /// and the path (no range proofs). Proves nothing by itself.
    ///
    /// # Errors
    ///
    /// A [`VerifyErrorV2`] for a path whose length is not the height, a
    /// position outside the tree, or a balance of `2^64` units or more.
    pub fn recompute(&self) -> Result<(NodeHash, Vec<RistrettoPoint>), VerifyErrorV2> {
        let k = self.assets.len();
        let h = self.height;
        if self.path.len() != usize::from(h) {
            return Err(VerifyErrorV2::PathLength {
                path_len: self.path.len(),
                height: h,
            });
        }
        if format::capacity(h).is_some_and(|cap| self.position >= cap) {
            return Err(VerifyErrorV2::PositionOutOfRange {
                position: self.position,
                height: h,
            });
        }
        let units = self.units()?;
        let gens = format::generators();
        let mut points: Vec<RistrettoPoint> = units
            .iter()
            .zip(&self.blindings)
            .map(|(x, r)| gens.commit(*x, r))
            .collect();
        let mut enc: Vec<[u8; 32]> = points.iter().map(|p| p.compress().to_bytes()).collect();
        let id = hash::leaf_id(&self.salt, &self.user_id);
        let mut node = format::leaf_hash(&id, &enc);
        for (l, s) in self.path.iter().enumerate() {
            if s.commitments.len() != k {
                return Err(VerifyErrorV2::AssetMismatch);
            }
            let left = (self.position >> l) & 1 == 0;
            node = if left {
                format::node_hash(&node, &enc, &s.hash, &s.commitments)
            } else {
                format::node_hash(&s.hash, &s.commitments, &node, &enc)
            };
            for (p, c) in points.iter_mut().zip(&s.commitments) {
                // Checked when parsed; a proof built in memory may not be.
                let q = format::decompress(c).ok_or(VerifyErrorV2::BadCommitment { level: l })?;
                *p += q;
            }
            enc = points.iter().map(|p| p.compress().to_bytes()).collect();
        }
        Ok((format::root_hash(&self.assets, h, &node, &enc), points))
    }

    /// Verifies against a published root: the leaf, the path, the root hash,
    /// the published height and assets, the root opening, and the range
    /// proofs, in this order (the first failure is returned).
    ///
    /// # Errors
    ///
    /// A [`VerifyErrorV2`] naming what failed.
    pub fn verify(&self, root: &RootV2) -> Result<VerifiedV2<'_>, VerifyErrorV2> {
        if self.assets.len() != root.assets.len() {
            return Err(VerifyErrorV2::AssetMismatch);
        }
        let (hash, points) = self.recompute()?;
        if hash != root.hash {
            return Err(VerifyErrorV2::RootHashMismatch {
                computed: hash,
                expected: root.hash,
            });
        }
        if root.height != self.height {
            return Err(VerifyErrorV2::HeightMismatch {
                proof: self.height,
                published: root.height,
            });
        }
        if root.assets != self.assets {
            return Err(VerifyErrorV2::AssetMismatch);
        }
        if let Some(asset) = root.first_unopened(&points) {
            return Err(VerifyErrorV2::RootOpeningMismatch { asset });
        }
        self.verify_range_proof(&root.hash)?;
        Ok(VerifiedV2 { proof: self })
    }

    /// The aggregated range proof over the `k·h` sibling commitments, with
    /// the identity point (a commitment to zero of blinding zero) added for
    /// each padding party up to [`range_proof_parties`].
    fn verify_range_proof(&self, root_hash: &NodeHash) -> Result<(), VerifyErrorV2> {
        let mut commitments: Vec<CompressedRistretto> = self
            .path
            .iter()
            .flat_map(|s| s.commitments.iter().map(|c| CompressedRistretto(*c)))
            .collect();
        let real = commitments.len();
        let parties = range_proof_parties(real);
        // The identity point encodes as 32 zero bytes.
        commitments.resize(parties, CompressedRistretto([0; 32]));
        let bp = bulletproof_gens(parties);
        let pc = format::generators().pedersen();
        let proof = RangeProof::from_bytes(&self.range_proof)
            .map_err(|_| VerifyErrorV2::RangeProofInvalid)?;
        let mut t = range_transcript(root_hash, self.position, real);
        let mut rng = verifier_rng(root_hash, self.position, &commitments, &self.range_proof);
        proof
            .verify_multiple_with_rng(&bp, &pc, &mut t, &commitments, format::RANGE_BITS, &mut rng)
            .map_err(|_| VerifyErrorV2::RangeProofInvalid)
    }
}

/// The number of parties of a proof's aggregated range proof over
/// `commitments` sibling commitments: the next power of two (the
/// bulletproofs crate aggregates a power of two of 64-bit proofs). At height
/// 32: 32 for one asset, 128 for three (96 sibling commitments and 32
/// commitments to zero).
#[must_use]
pub fn range_proof_parties(commitments: usize) -> usize {
    commitments.max(1).next_power_of_two()
}

/// The largest range proof a proof may carry: `(2·log2(64·m) + 9)·32`
/// bytes for `m = 1024` parties (16 assets at height 64).
const MAX_RANGE_PROOF_BYTES: usize = (2 * 16 + 9) * 32;

/// The proof's `path`: `h` entries of `hash || enc(C_0) || … ||
/// enc(C_{k−1})`, level 0 first, in one base64 string.
fn parse_path(text: &str, k: usize) -> Result<Vec<Sibling>, ProofFormatErrorV2> {
    let bytes = B64
        .decode(text)
        .map_err(|e| ProofFormatErrorV2::field("path", format!("not base64: {e}")))?;
    let entry = 32 * (k + 1);
    if bytes.len() % entry != 0 || bytes.len() / entry > usize::from(format::MAX_HEIGHT) {
        return Err(ProofFormatErrorV2::field(
            "path",
            format!(
                "expected a multiple of {entry} bytes (per level a hash and {k} commitments), at most {} levels, got {} bytes",
                format::MAX_HEIGHT,
                bytes.len()
            ),
        ));
    }
    let mut path = Vec::with_capacity(bytes.len() / entry);
    for (l, e) in bytes.chunks_exact(entry).enumerate() {
        let mut chunks = e.chunks_exact(32).map(|c| {
            let mut a = [0u8; 32];
            a.copy_from_slice(c);
            a
        });
        let hash = NodeHash::from_byte_array(chunks.next().unwrap_or_default());
        let commitments: Vec<[u8; 32]> = chunks.collect();
        for (j, c) in commitments.iter().enumerate() {
            if format::decompress(c).is_none() {
                return Err(ProofFormatErrorV2::field(
                    "path",
                    format!("level {l}: commitment {j} is not a canonical ristretto255 encoding"),
                ));
            }
        }
        path.push(Sibling { hash, commitments });
    }
    Ok(path)
}

/// The Merlin transcript of the aggregated range proof of the proof at
/// `position` in the tree with root hash `root`, over `commitments` sibling
/// commitments (before padding).
pub(crate) fn range_transcript(root: &NodeHash, position: u64, commitments: usize) -> Transcript {
    let mut t = Transcript::new(format::RANGE_TRANSCRIPT_LABEL);
    t.append_message(b"root", root.as_byte_array());
    t.append_u64(b"position", position);
    t.append_u64(b"commitments", commitments as u64);
    t
}

/// The verifier's batching challenge comes from this ChaCha20 stream, seeded
/// by a hash of the whole statement and proof: no randomness is drawn, and
/// the challenge is fixed only once the proof is.
fn verifier_rng(
    root: &NodeHash,
    position: u64,
    commitments: &[CompressedRistretto],
    proof: &[u8],
) -> rand_chacha::ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(format::RANGE_VERIFY_LABEL);
    h.update(root.as_byte_array());
    h.update(position.to_be_bytes());
    for c in commitments {
        h.update(c.as_bytes());
    }
    h.update(proof);
    rand_chacha::ChaCha20Rng::from_seed(h.finalize().into())
}

/// The bulletproofs generators for `parties` commitments of 64 bits (cached
/// per power of two: the generators of party `j` do not depend on the
/// capacity, so a capacity of `parties` rounded up proves and verifies the
/// same bytes).
pub(crate) fn bulletproof_gens(parties: usize) -> Arc<BulletproofGens> {
    static CACHE: [OnceLock<Arc<BulletproofGens>>; 64] = [const { OnceLock::new() }; 64];
    let make = |capacity: usize| Arc::new(BulletproofGens::new(format::RANGE_BITS, capacity));
    match parties.max(1).checked_next_power_of_two() {
        Some(capacity) => match CACHE.get(capacity.trailing_zeros() as usize) {
            Some(slot) => Arc::clone(slot.get_or_init(|| make(capacity))),
            None => make(capacity),
        },
        None => make(parties),
    }
}

/// A proof that verified against a published root.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedV2<'a> {
    proof: &'a ProofV2,
}

impl<'a> VerifiedV2<'a> {
    /// The verified proof.
    #[must_use]
    pub fn proof(&self) -> &'a ProofV2 {
        self.proof
    }
}

/// Why a well-formed v2 proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyErrorV2 {
    /// The path length is not the proof's height.
    PathLength {
        /// Entries in the path.
        path_len: usize,
        /// The stated height.
        height: u8,
    },
    /// The position is not below `2^height`.
    PositionOutOfRange {
        /// The position.
        position: u64,
        /// The height.
        height: u8,
    },
    /// A balance is `2^64` proof units or more.
    BalanceOutOfRange {
        /// The asset index.
        asset: usize,
    },
    /// A commitment that does not decode.
    BadCommitment {
        /// The level.
        level: usize,
    },
    /// The root hash the proof leads to is not the published one.
    RootHashMismatch {
        /// Recomputed.
        computed: NodeHash,
        /// Published.
        expected: NodeHash,
    },
    /// The published height differs.
    HeightMismatch {
        /// The proof's.
        proof: u8,
        /// The published one.
        published: u8,
    },
    /// The published asset list differs (symbols, decimals or proof units).
    AssetMismatch,
    /// The root commitment of this asset does not open to the published
    /// total and blinding factor.
    RootOpeningMismatch {
        /// The asset index.
        asset: usize,
    },
    /// The range proof does not verify: some sibling commitment may hold a
    /// value outside `[0, 2^64)` (a negative sibling).
    RangeProofInvalid,
}

impl VerifyErrorV2 {
    /// A short stable name, as in `vectors/tree-v2.json`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            VerifyErrorV2::PathLength { .. } => "path-length",
            VerifyErrorV2::PositionOutOfRange { .. } => "position-out-of-range",
            VerifyErrorV2::BalanceOutOfRange { .. } => "balance-out-of-range",
            VerifyErrorV2::BadCommitment { .. } => "bad-commitment",
            VerifyErrorV2::RootHashMismatch { .. } => "root-hash-mismatch",
            VerifyErrorV2::HeightMismatch { .. } => "height-mismatch",
            VerifyErrorV2::AssetMismatch => "asset-mismatch",
            VerifyErrorV2::RootOpeningMismatch { .. } => "root-opening-mismatch",
            VerifyErrorV2::RangeProofInvalid => "range-proof-invalid",
        }
    }
}

impl fmt::Display for VerifyErrorV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyErrorV2::PathLength { path_len, height } => write!(
                f,
                "the path has {path_len} entries, the height is {height}"
            ),
            VerifyErrorV2::PositionOutOfRange { position, height } => write!(
                f,
                "position {position} is outside a tree of height {height}"
            ),
            VerifyErrorV2::BalanceOutOfRange { asset } => write!(
                f,
                "balance of asset {asset} is 2^64 proof units or more"
            ),
            VerifyErrorV2::BadCommitment { level } => {
                write!(f, "a commitment at level {level} does not decode")
            }
            VerifyErrorV2::RootHashMismatch { computed, expected } => write!(
                f,
                "the proof leads to root {computed}, not the published {expected}"
            ),
            VerifyErrorV2::HeightMismatch { proof, published } => write!(
                f,
                "the proof's height is {proof}, the published height {published}"
            ),
            VerifyErrorV2::AssetMismatch => write!(
                f,
                "the proof's assets (symbols, decimals, proof units) differ from the published ones"
            ),
            VerifyErrorV2::RootOpeningMismatch { asset } => write!(
                f,
                "the root commitment of asset {asset} does not open to the published total and blinding factor"
            ),
            VerifyErrorV2::RangeProofInvalid => write!(
                f,
                "the range proof does not verify: a sibling commitment may hold a negative or too large value"
            ),
        }
    }
}

impl core::error::Error for VerifyErrorV2 {}
