//! The hashes of format v1, each a distinct type with its own domain prefix.
//!
//! ```text
//! salt(u)     = HMAC-SHA256(key = S, msg = "por/v1/salt" || 0x00 || utf8(user_id))
//! pad_key     = HMAC-SHA256(key = S, msg = "por/v1/pad")
//! id(u)       = H(0x10 || salt(u) || utf8(user_id))
//! leaf(u)     = H(0x00 || id(u) || be128(b_0) || ... || be128(b_{k-1}))
//! node(L, R)  = H(0x01 || L.hash || be128(L.s_0) .. || R.hash || be128(R.s_0) ..)
//! pad(l, p)   = H(0x02 || pad_key || u8(l) || be64(p)), all sums 0
//! ```

use core::fmt;
use core::str::FromStr;

use hmac::{Hmac, Mac};
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};

use crate::amount::Amount;
use crate::prelude::*;

type HmacSha256 = Hmac<Sha256>;

/// Domain prefix of a leaf hash.
pub const LEAF_PREFIX: u8 = 0x00;
/// Domain prefix of an internal node hash.
pub const NODE_PREFIX: u8 = 0x01;
/// Domain prefix of a padding node hash.
pub const PAD_PREFIX: u8 = 0x02;
/// Domain prefix of a customer id hash.
pub const ID_PREFIX: u8 = 0x10;

const SALT_LABEL: &[u8] = b"por/v1/salt\x00";
const PAD_LABEL: &[u8] = b"por/v1/pad";

macro_rules! hash_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name([u8; 32]);

        impl $name {
            /// Wraps 32 bytes.
            #[must_use]
            pub const fn from_byte_array(bytes: [u8; 32]) -> Self {
                $name(bytes)
            }

            /// Returns the 32 bytes.
            #[must_use]
            pub const fn to_byte_array(self) -> [u8; 32] {
                self.0
            }

            /// Borrows the 32 bytes.
            #[must_use]
            pub const fn as_byte_array(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl fmt::Display for $name {
            /// Lower-case hex, 64 characters.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut buf = [0u8; 64];
                // The buffer is exactly twice the input length, so this cannot fail.
                hex::encode_to_slice(self.0, &mut buf).map_err(|_| fmt::Error)?;
                f.write_str(core::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = HexError;
            /// Parses 64 hex digits (either case).
            fn from_str(s: &str) -> Result<Self, HexError> {
                parse_hex32(s).map($name)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <alloc::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

hash_newtype!(
    /// The hash of a tree node: a leaf, an internal node, a padding node or the root.
    NodeHash
);
hash_newtype!(
    /// A customer's salt, `salt(u)`: derived from the snapshot secret and the user id.
    Salt
);
hash_newtype!(
    /// A customer's id in the tree, `id(u) = H(0x10 || salt(u) || user_id)`. Leaves are ordered by it.
    LeafId
);

/// A string that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexError {
    len: usize,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected 64 hex digits (32 bytes), got {} characters that are not all hex",
            self.len
        )
    }
}

impl core::error::Error for HexError {}

fn parse_hex32(s: &str) -> Result<[u8; 32], HexError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| HexError { len: s.len() })?;
    Ok(out)
}

/// The per-snapshot secret `S`, from which every salt and the padding key are derived.
///
/// Kept by the exchange and handed to an auditor, who can then rebuild the tree
/// bit for bit. Its `Debug` output does not show it.
#[derive(Clone)]
pub struct SnapshotSecret {
    bytes: [u8; 32],
    /// HMAC keyed with `S`, for the padding key.
    keyed: HmacSha256,
    /// SHA-256 states after absorbing the inner (`S ^ 0x36..`) and outer
    /// (`S ^ 0x5c..`) HMAC pad blocks, so each salt costs two compressions.
    inner: [u32; 8],
    outer: [u32; 8],
}

impl SnapshotSecret {
    /// Wraps 32 secret bytes.
    #[must_use]
    pub fn from_byte_array(bytes: [u8; 32]) -> Self {
        let keyed = HmacSha256::new_from_slice(&bytes).expect("HMAC accepts keys of any length");
        let pad = |x: u8| {
            let mut block = [x; 64];
            for (b, k) in block.iter_mut().zip(bytes) {
                *b ^= k;
            }
            let mut state = IV;
            compress_blocks(&mut state, &block);
            state
        };
        SnapshotSecret {
            bytes,
            keyed,
            inner: pad(0x36),
            outer: pad(0x5c),
        }
    }

    /// Returns the secret bytes.
    #[must_use]
    pub fn to_byte_array(&self) -> [u8; 32] {
        self.bytes
    }

    /// Computes `salt(u) = HMAC-SHA256(S, "por/v1/salt" || 0x00 || utf8(user_id))`.
    #[must_use]
    pub fn salt(&self, user_id: &str) -> Salt {
        let mut buf = Vec::with_capacity(64 + user_id.len() + 2 * 64);
        self.salt_with(&mut buf, user_id)
    }

    /// [`SnapshotSecret::salt`] reusing a caller's buffer, for the hot loop of the build.
    pub(crate) fn salt_with(&self, buf: &mut Vec<u8>, user_id: &str) -> Salt {
        buf.clear();
        buf.extend_from_slice(SALT_LABEL);
        buf.extend_from_slice(user_id.as_bytes());
        let inner = finish(self.inner, 64, buf);
        buf.clear();
        buf.extend_from_slice(&inner);
        Salt(finish(self.outer, 64, buf))
    }

    /// Computes `pad_key = HMAC-SHA256(S, "por/v1/pad")`.
    #[must_use]
    pub fn pad_key(&self) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(PAD_LABEL);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for SnapshotSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SnapshotSecret(<redacted>)")
    }
}

/// Computes `id(u) = H(0x10 || salt(u) || utf8(user_id))`.
#[must_use]
pub fn leaf_id(salt: &Salt, user_id: &str) -> LeafId {
    let mut buf = Vec::with_capacity(33 + user_id.len() + 72);
    leaf_id_with(&mut buf, salt, user_id)
}

/// [`leaf_id`] reusing a caller's buffer, for the hot loop of the build.
pub(crate) fn leaf_id_with(buf: &mut Vec<u8>, salt: &Salt, user_id: &str) -> LeafId {
    buf.clear();
    buf.push(ID_PREFIX);
    buf.extend_from_slice(&salt.0);
    buf.extend_from_slice(user_id.as_bytes());
    LeafId(finish(IV, 0, buf))
}

/// Computes `leaf(u) = H(0x00 || id(u) || be128(b_0) || ... )`.
#[must_use]
pub fn leaf_hash(id: &LeafId, balances: &[Amount]) -> NodeHash {
    let mut buf = Vec::with_capacity(33 + 16 * balances.len());
    leaf_hash_with(&mut buf, id, balances)
}

/// [`leaf_hash`] reusing a caller's buffer, for the hot loop of the build.
pub(crate) fn leaf_hash_with(buf: &mut Vec<u8>, id: &LeafId, balances: &[Amount]) -> NodeHash {
    buf.clear();
    buf.push(LEAF_PREFIX);
    buf.extend_from_slice(&id.0);
    for b in balances {
        buf.extend_from_slice(&b.to_be_bytes());
    }
    NodeHash(finish(IV, 0, buf))
}

/// Computes `node(L, R)`: both children's hashes and all their sums.
///
/// The caller computes the parent's sums (with checked addition); this only
/// hashes. Both child sums are bound, not only their total, so value cannot
/// be moved between siblings (Chalkias et al., 2020).
#[must_use]
pub fn node_hash(
    left: &NodeHash,
    left_sums: &[Amount],
    right: &NodeHash,
    right_sums: &[Amount],
) -> NodeHash {
    let mut buf = Vec::with_capacity(65 + 16 * (left_sums.len() + right_sums.len()));
    node_hash_with(&mut buf, left, left_sums, right, right_sums)
}

/// [`node_hash`] reusing a caller's buffer, for the hot loop of the build.
pub(crate) fn node_hash_with(
    buf: &mut Vec<u8>,
    left: &NodeHash,
    left_sums: &[Amount],
    right: &NodeHash,
    right_sums: &[Amount],
) -> NodeHash {
    buf.clear();
    buf.push(NODE_PREFIX);
    buf.extend_from_slice(&left.0);
    for s in left_sums {
        buf.extend_from_slice(&s.to_be_bytes());
    }
    buf.extend_from_slice(&right.0);
    for s in right_sums {
        buf.extend_from_slice(&s.to_be_bytes());
    }
    NodeHash(finish(IV, 0, buf))
}

/// Computes `pad(l, p) = H(0x02 || pad_key || u8(l) || be64(p))`, the padding
/// node appended to level `l` when it has an odd number `p` of nodes.
#[must_use]
pub fn pad_hash(pad_key: &[u8; 32], level: u8, position: u64) -> NodeHash {
    let mut h = Sha256::new();
    h.update([PAD_PREFIX]);
    h.update(pad_key);
    h.update([level]);
    h.update(position.to_be_bytes());
    NodeHash(h.finalize().into())
}

/// SHA-256's initial state.
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Runs the compression function over whole 64-byte blocks (`bytes.len()`
/// is a multiple of 64).
fn compress_blocks(state: &mut [u32; 8], bytes: &[u8]) {
    for block in bytes.chunks_exact(64) {
        sha2::compress256(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
}

/// The SHA-256 digest of a message whose first `absorbed` bytes (whole
/// blocks) are already in `state` and whose rest is `buf`: pads `buf` in
/// place (FIPS 180-4: 0x80, zeros, the bit length) and compresses it.
/// The hot loops of the build hash this way, with the compression function
/// and a reused buffer, rather than through the `Digest` API, which copies
/// every message into its own block buffer.
fn finish(mut state: [u32; 8], absorbed: u64, buf: &mut Vec<u8>) -> [u8; 32] {
    let bits = (absorbed + buf.len() as u64) * 8;
    buf.push(0x80);
    let padded = (buf.len() + 8).div_ceil(64) * 64;
    buf.resize(padded - 8, 0);
    buf.extend_from_slice(&bits.to_be_bytes());
    compress_blocks(&mut state, buf);
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_roundtrip_and_errors() {
        let h = NodeHash::from_byte_array([0xab; 32]);
        let s = h.to_string();
        assert_eq!(s, "ab".repeat(32));
        assert_eq!(s.parse::<NodeHash>().unwrap(), h);
        assert_eq!(s.to_uppercase().parse::<NodeHash>().unwrap(), h);
        assert!("ab".parse::<NodeHash>().is_err());
        assert!("zz".repeat(32).parse::<NodeHash>().is_err());
    }

    #[test]
    fn salt_matches_plain_hmac() {
        // The cached keyed state must give exactly HMAC(S, msg).
        let s = SnapshotSecret::from_byte_array([7; 32]);
        let mut mac = HmacSha256::new_from_slice(&[7; 32]).unwrap();
        mac.update(b"por/v1/salt\x00alice");
        let expect: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(s.salt("alice").to_byte_array(), expect);
        assert_eq!(format!("{s:?}"), "SnapshotSecret(<redacted>)");
    }

    #[test]
    fn compression_hashing_is_sha256() {
        // Every message length around the block and padding boundaries.
        let mut buf = Vec::new();
        for len in 0usize..300 {
            let msg: Vec<u8> = (0..len)
                .map(|i: usize| (i * 7 + len).to_le_bytes()[0])
                .collect();
            buf.clear();
            buf.extend_from_slice(&msg);
            let want: [u8; 32] = Sha256::digest(&msg).into();
            assert_eq!(finish(IV, 0, &mut buf), want, "length {len}");
        }
        let s = SnapshotSecret::from_byte_array([9; 32]);
        for uid in ["", "a", &"x".repeat(52), &"y".repeat(53), &"z".repeat(1024)] {
            let mut mac = HmacSha256::new_from_slice(&[9; 32]).unwrap();
            mac.update(SALT_LABEL);
            mac.update(uid.as_bytes());
            let expect: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(s.salt(uid).to_byte_array(), expect);
            let salt = s.salt(uid);
            let mut h = Sha256::new();
            h.update([ID_PREFIX]);
            h.update(salt.0);
            h.update(uid.as_bytes());
            let id: [u8; 32] = h.finalize().into();
            assert_eq!(leaf_id(&salt, uid).to_byte_array(), id);
        }
    }

    #[test]
    fn node_hash_binds_each_child_sum() {
        let l = NodeHash::from_byte_array([1; 32]);
        let r = NodeHash::from_byte_array([2; 32]);
        let a = |v| Amount::from_base_units(v);
        // Moving value between siblings keeps the total but changes the hash.
        let h1 = node_hash(&l, &[a(5)], &r, &[a(5)]);
        let h2 = node_hash(&l, &[a(4)], &r, &[a(6)]);
        assert_ne!(h1, h2);
    }
}
