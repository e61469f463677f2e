//! The byte-exact pieces of format v2 (`docs/tree-v2.md`): generators,
//! derivations from the snapshot secret, hashes, commitments, proof units.

use core::fmt;

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

use crate::amount::{Amount, MAX_DECIMALS};
use crate::asset::{Asset, AssetError, AssetList};
use crate::hash::{LeafId, NodeHash, Salt, SnapshotSecret};
use crate::prelude::*;
use crate::sync::OnceLock;

/// The format version the root hash commits to.
pub const FORMAT_VERSION: u8 = 2;
/// The height a tree gets unless the exchange chooses another.
pub const DEFAULT_HEIGHT: u8 = 32;
/// The largest height: positions are `u64`.
pub const MAX_HEIGHT: u8 = 64;
/// The most assets a v2 tree may cover (bounds the range-proof work a
/// proof can ask of a verifier: at most `16 * 64` commitments).
pub const MAX_ASSETS_V2: usize = 16;
/// Range proofs show every committed value is below `2^RANGE_BITS`.
pub const RANGE_BITS: usize = 64;

/// Domain prefix of a leaf hash.
pub const LEAF_PREFIX: u8 = 0x40;
/// Domain prefix of an internal node hash.
pub const NODE_PREFIX: u8 = 0x41;
/// Domain prefix of a padding node hash.
pub const PAD_PREFIX: u8 = 0x42;
/// Domain prefix of the root hash.
pub const ROOT_PREFIX: u8 = 0x43;

const G_TAG: &[u8] = b"por/v2/generator/G";
const H_TAG: &[u8] = b"por/v2/generator/H";
const SALT_LABEL: &[u8] = b"por/v2/salt\x00";
const POSITION_LABEL: &[u8] = b"por/v2/position\x00";
const BLINDING_LABEL: &[u8] = b"por/v2/blinding\x00";
const PAD_LABEL: &[u8] = b"por/v2/pad";
const RANGE_RNG_LABEL: &[u8] = b"por/v2/range-proof-rng\x00";
const STORE_MASK_LABEL: &[u8] = b"por/v2/store-mask\x00";
const STORE_LEAF_LABEL: &[u8] = b"por/v2/store-leaf\x00";
/// Merlin transcript label of a proof's aggregated range proof.
pub const RANGE_TRANSCRIPT_LABEL: &[u8] = b"por/v2/range-proof";
/// Prefix of the hash that seeds the verifier's batching challenge.
pub const RANGE_VERIFY_LABEL: &[u8] = b"por/v2/range-proof-verify\x00";

type HmacSha256 = Hmac<Sha256>;
type HmacSha512 = Hmac<Sha512>;

/// The Pedersen generators `G` (values) and `H` (blinding factors), each
/// derived by hash-to-group (RFC 9496 element derivation of SHA-512 of its
/// tag), with fixed-base tables.
pub struct Generators {
    /// `G = from_uniform_bytes(SHA-512("por/v2/generator/G"))`.
    pub g: RistrettoPoint,
    /// `H = from_uniform_bytes(SHA-512("por/v2/generator/H"))`.
    pub h: RistrettoPoint,
    g_table: RistrettoBasepointTable,
    h_table: RistrettoBasepointTable,
    g_half_table: RistrettoBasepointTable,
    h_half_table: RistrettoBasepointTable,
}

impl Generators {
    /// `x·G + r·H`.
    #[must_use]
    pub fn commit(&self, value: u64, blinding: &Scalar) -> RistrettoPoint {
        &self.g_table * &Scalar::from(value) + &self.h_table * blinding
    }

    /// `r·H`, a commitment to zero.
    #[must_use]
    pub fn commit_zero(&self, blinding: &Scalar) -> RistrettoPoint {
        &self.h_table * blinding
    }

    /// Half of `x·G + r·H` (the build keeps halves; see the tree module).
    #[must_use]
    pub(crate) fn commit_half(&self, value: u64, blinding: &Scalar) -> RistrettoPoint {
        &self.g_half_table * &Scalar::from(value) + &self.h_half_table * blinding
    }

    /// Half of `r·H`.
    #[must_use]
    pub(crate) fn commit_zero_half(&self, blinding: &Scalar) -> RistrettoPoint {
        &self.h_half_table * blinding
    }

    /// The generators as the bulletproofs crate takes them.
    #[must_use]
    pub fn pedersen(&self) -> bulletproofs::PedersenGens {
        bulletproofs::PedersenGens {
            B: self.g,
            B_blinding: self.h,
        }
    }
}

fn hash_to_group(tag: &[u8]) -> RistrettoPoint {
    let wide: [u8; 64] = Sha512::digest(tag).into();
    RistrettoPoint::from_uniform_bytes(&wide)
}

/// The generators (computed once per process).
pub fn generators() -> &'static Generators {
    static GENS: OnceLock<Generators> = OnceLock::new();
    GENS.get_or_init(|| {
        let g = hash_to_group(G_TAG);
        let h = hash_to_group(H_TAG);
        let half = Scalar::from(2u8).invert();
        Generators {
            g,
            h,
            g_table: RistrettoBasepointTable::create(&g),
            h_table: RistrettoBasepointTable::create(&h),
            g_half_table: RistrettoBasepointTable::create(&(g * half)),
            h_half_table: RistrettoBasepointTable::create(&(h * half)),
        }
    })
}

/// The derivations of format v2 from the snapshot secret `S`.
#[derive(Clone)]
pub struct Secrets {
    keyed256: HmacSha256,
    keyed512: HmacSha512,
    pad_key: [u8; 32],
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

impl Secrets {
    /// Keys the derivations with `S`.
    #[must_use]
    pub fn new(secret: &SnapshotSecret) -> Secrets {
        let bytes = secret.to_byte_array();
        let keyed256 = HmacSha256::new_from_slice(&bytes).expect("HMAC accepts keys of any length");
        let keyed512 = HmacSha512::new_from_slice(&bytes).expect("HMAC accepts keys of any length");
        let mut mac = keyed256.clone();
        mac.update(PAD_LABEL);
        let pad_key = mac.finalize().into_bytes().into();
        Secrets {
            keyed256,
            keyed512,
            pad_key,
        }
    }

    /// `salt(u) = HMAC-SHA256(S, "por/v2/salt" || 0x00 || utf8(user_id))`.
    #[must_use]
    pub fn salt(&self, user_id: &str) -> Salt {
        let mut mac = self.keyed256.clone();
        mac.update(SALT_LABEL);
        mac.update(user_id.as_bytes());
        Salt::from_byte_array(mac.finalize().into_bytes().into())
    }

    /// Candidate position `c` of a leaf id in a tree of height `h`: the
    /// first 8 bytes of `HMAC-SHA256(S, "por/v2/position" || 0x00 || id ||
    /// be32(c))` as a big-endian integer, shifted right by `64 - h`.
    #[must_use]
    pub fn position_candidate(&self, id: &LeafId, attempt: u32, height: u8) -> u64 {
        let mut mac = self.keyed256.clone();
        mac.update(POSITION_LABEL);
        mac.update(id.as_byte_array());
        mac.update(&attempt.to_be_bytes());
        let out = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&out[..8]);
        shift_to_height(u64::from_be_bytes(first), height)
    }

    /// `r(l, p, i) = HMAC-SHA512(S, "por/v2/blinding" || 0x00 || u8(l) ||
    /// be64(p) || be16(i))` read little-endian and reduced mod ℓ: the
    /// blinding factor of the leaf or padding node at level `l`, position
    /// `p`, asset `i`.
    #[must_use]
    pub fn blinding(&self, level: u8, position: u64, asset: u16) -> Scalar {
        self.node_scalar(BLINDING_LABEL, level, position, asset)
    }

    /// `HMAC-SHA512(S, label || u8(l) || be64(p) || be16(i))` read
    /// little-endian and reduced mod ℓ: a scalar bound to one node and
    /// asset (`label` ends with its 0x00 separator).
    fn node_scalar(&self, label: &[u8], level: u8, position: u64, asset: u16) -> Scalar {
        let mut mac = self.keyed512.clone();
        mac.update(label);
        mac.update(&[level]);
        mac.update(&position.to_be_bytes());
        mac.update(&asset.to_be_bytes());
        let wide: [u8; 64] = mac.finalize().into_bytes().into();
        Scalar::from_bytes_mod_order_wide(&wide)
    }

    /// `pad(l, p) = SHA256(0x42 || pad_key || u8(l) || be64(p))`, with
    /// `pad_key = HMAC-SHA256(S, "por/v2/pad")`.
    #[must_use]
    pub fn pad_hash(&self, level: u8, position: u64) -> NodeHash {
        let mut h = Sha256::new();
        h.update([PAD_PREFIX]);
        h.update(self.pad_key);
        h.update([level]);
        h.update(position.to_be_bytes());
        NodeHash::from_byte_array(h.finalize().into())
    }

    /// `m(l, p, i) = HMAC-SHA512(S, "por/v2/store-mask" || 0x00 || u8(l) ||
    /// be64(p) || be16(i))` read little-endian and reduced mod ℓ: the mask
    /// a stored tree (`tree-v2.bin`) adds to the blinding factor of the
    /// node at level `l`, position `p`, asset `i`, so the file alone does
    /// not give any blinding factor.
    #[must_use]
    pub fn store_mask(&self, level: u8, position: u64, asset: u16) -> Scalar {
        self.node_scalar(STORE_MASK_LABEL, level, position, asset)
    }

    /// `HMAC-SHA256(S, "por/v2/store-leaf" || 0x00 || id || be128(b_0) ..
    /// be128(b_{k-1}))`: binds a stored leaf's exact balances (which its
    /// commitments bind only up to the proof unit) to its leaf id.
    #[must_use]
    pub fn store_leaf_tag(&self, id: &LeafId, balances: &[Amount]) -> [u8; 32] {
        let mut mac = self.keyed256.clone();
        mac.update(STORE_LEAF_LABEL);
        mac.update(id.as_byte_array());
        for b in balances {
            mac.update(&b.to_base_units().to_be_bytes());
        }
        mac.finalize().into_bytes().into()
    }

    /// The 32-byte seed of the ChaCha20 stream the prover draws its
    /// range-proof nonces from: `HMAC-SHA256(S, "por/v2/range-proof-rng" ||
    /// 0x00 || root_hash || be64(position))`. Deterministic, so an auditor
    /// with `S` regenerates a proof byte for byte; one statement per seed
    /// (the tree's root and the customer's position fix the path), so no
    /// nonce is ever used for two different range-proof transcripts.
    #[must_use]
    pub fn range_rng_seed(&self, root: &NodeHash, position: u64) -> [u8; 32] {
        let mut mac = self.keyed256.clone();
        mac.update(RANGE_RNG_LABEL);
        mac.update(root.as_byte_array());
        mac.update(&position.to_be_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// `x >> (64 - h)`, all of `x` when `h = 64`.
#[must_use]
pub fn shift_to_height(x: u64, height: u8) -> u64 {
    if height >= 64 {
        x
    } else {
        x >> (64 - u32::from(height))
    }
}

/// `2^h`, or `None` for `h = 64`.
#[must_use]
pub fn capacity(height: u8) -> Option<u64> {
    1u64.checked_shl(u32::from(height))
}

/// `SHA256(0x40 || id(u) || enc(C_0) || ... || enc(C_{k-1}))`.
#[must_use]
pub fn leaf_hash(id: &LeafId, commitments: &[[u8; 32]]) -> NodeHash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(id.as_byte_array());
    for c in commitments {
        h.update(c);
    }
    NodeHash::from_byte_array(h.finalize().into())
}

/// `SHA256(0x41 || L.hash || enc(L.C_0) .. || R.hash || enc(R.C_0) ..)`.
#[must_use]
pub fn node_hash(
    left: &NodeHash,
    left_c: &[[u8; 32]],
    right: &NodeHash,
    right_c: &[[u8; 32]],
) -> NodeHash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left.as_byte_array());
    for c in left_c {
        h.update(c);
    }
    h.update(right.as_byte_array());
    for c in right_c {
        h.update(c);
    }
    NodeHash::from_byte_array(h.finalize().into())
}

/// `SHA256(0x43 || u8(2) || u8(h) || u8(k) || for each asset (u8(len) ||
/// symbol || u8(decimals) || u8(unit_exponent)) || top.hash || enc(top.C_0) ..)`.
#[must_use]
pub fn root_hash(assets: &AssetsV2, height: u8, top: &NodeHash, top_c: &[[u8; 32]]) -> NodeHash {
    let mut h = Sha256::new();
    h.update([ROOT_PREFIX, FORMAT_VERSION, height]);
    h.update([u8::try_from(assets.len()).unwrap_or(u8::MAX)]);
    for a in assets.iter() {
        let sym = a.asset.symbol().as_bytes();
        h.update([u8::try_from(sym.len()).unwrap_or(u8::MAX)]);
        h.update(sym);
        h.update([a.asset.decimals(), a.unit_exponent]);
    }
    h.update(top.as_byte_array());
    for c in top_c {
        h.update(c);
    }
    NodeHash::from_byte_array(h.finalize().into())
}

/// One asset of a v2 tree: the asset and its proof unit, `10^unit_exponent`
/// base units.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssetV2 {
    asset: Asset,
    unit_exponent: u8,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetV2Repr {
    symbol: String,
    decimals: u8,
    unit_exponent: u8,
}

impl AssetV2 {
    /// An asset with proof unit `10^unit_exponent` base units.
    ///
    /// # Errors
    ///
    /// An invalid asset, or an exponent above 38.
    pub fn new(asset: Asset, unit_exponent: u8) -> Result<AssetV2, AssetError> {
        if unit_exponent > MAX_DECIMALS {
            return Err(AssetError::TooManyDecimals {
                symbol: asset.symbol().to_owned(),
                decimals: unit_exponent,
            });
        }
        Ok(AssetV2 {
            asset,
            unit_exponent,
        })
    }

    /// The asset.
    #[must_use]
    pub fn asset(&self) -> &Asset {
        &self.asset
    }

    /// The proof unit is `10^unit_exponent` base units.
    #[must_use]
    pub fn unit_exponent(&self) -> u8 {
        self.unit_exponent
    }

    fn unit(&self) -> u128 {
        10u128.pow(u32::from(self.unit_exponent))
    }

    /// `ceil(balance / 10^e)`, the committed value: rounded up, so a
    /// liability is never under-reported. `None` if it is `2^64` or more.
    #[must_use]
    pub fn to_units(&self, balance: Amount) -> Option<u64> {
        u64::try_from(balance.to_base_units().div_ceil(self.unit())).ok()
    }

    /// `units · 10^e` base units (saturating: display only).
    #[must_use]
    pub fn from_units(&self, units: u64) -> Amount {
        Amount::from_base_units(u128::from(units).saturating_mul(self.unit()))
    }
}

impl Serialize for AssetV2 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        AssetV2Repr {
            symbol: self.asset.symbol().to_owned(),
            decimals: self.asset.decimals(),
            unit_exponent: self.unit_exponent,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AssetV2 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = AssetV2Repr::deserialize(d)?;
        let asset = Asset::new(&r.symbol, r.decimals).map_err(serde::de::Error::custom)?;
        AssetV2::new(asset, r.unit_exponent).map_err(serde::de::Error::custom)
    }
}

/// The ordered asset list of a v2 tree, with proof units.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct AssetsV2(Vec<AssetV2>);

impl<'de> Deserialize<'de> for AssetsV2 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<AssetV2>::deserialize(d)?;
        AssetsV2::new(v).map_err(serde::de::Error::custom)
    }
}

impl AssetsV2 {
    /// A list from assets in order.
    ///
    /// # Errors
    ///
    /// Empty, more than [`MAX_ASSETS_V2`], or a symbol twice.
    pub fn new(assets: Vec<AssetV2>) -> Result<AssetsV2, AssetError> {
        if assets.len() > MAX_ASSETS_V2 {
            return Err(AssetError::TooMany(assets.len()));
        }
        // The v1 list checks emptiness and duplicates.
        AssetList::new(assets.iter().map(|a| a.asset.clone()).collect())?;
        Ok(AssetsV2(assets))
    }

    /// Number of assets `k`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates in order.
    pub fn iter(&self) -> core::slice::Iter<'_, AssetV2> {
        self.0.iter()
    }

    /// The asset at `i`.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<&AssetV2> {
        self.0.get(i)
    }

    /// The plain asset list (symbols and decimals).
    #[must_use]
    pub fn asset_list(&self) -> AssetList {
        AssetList::new(self.0.iter().map(|a| a.asset.clone()).collect())
            .expect("checked when the list was made")
    }
}

/// The smallest `e` such that the column's balances in units of `10^e`
/// base units, each rounded up, sum to at most `2^64 - 1`.
#[must_use]
pub fn smallest_unit_exponent<I: Iterator<Item = Amount> + Clone>(column: I) -> Option<u8> {
    (0..=MAX_DECIMALS).find(|&e| {
        let unit = 10u128.pow(u32::from(e));
        let mut sum: u64 = 0;
        for b in column.clone() {
            let Ok(x) = u64::try_from(b.to_base_units().div_ceil(unit)) else {
                return false;
            };
            match sum.checked_add(x) {
                Some(s) => sum = s,
                None => return false,
            }
        }
        true
    })
}

/// A 32-byte canonical scalar in lower-case hex (little-endian bytes).
pub fn scalar_hex(s: &Scalar) -> String {
    hex::encode(s.as_bytes())
}

/// Parses 64 hex digits as a canonical scalar (`< ℓ`).
pub fn parse_scalar_hex(s: &str) -> Option<Scalar> {
    let mut b = [0u8; 32];
    hex::decode_to_slice(s, &mut b).ok()?;
    Option::from(Scalar::from_canonical_bytes(b))
}

/// Decodes a canonical ristretto255 encoding.
pub fn decompress(bytes: &[u8; 32]) -> Option<RistrettoPoint> {
    CompressedRistretto(*bytes).decompress()
}
