//! The distribution tree: the Merkle-sum construction of `docs/tree-v1.md`
//! under domain tags of its own (`docs/distribution.md`), so that no
//! distribution node can be read as a liabilities node or the reverse.
//!
//! ```text
//! dpad_key   = HMAC-SHA256(key = S, msg = "por/distribution/v1/pad")
//! dleaf(u)   = H(0x20 || id(u) || be128(v_0) || ... || be128(v_{4c-1}))
//! dnode(L,R) = H(0x21 || L.hash || be128(L.s_0) .. || R.hash || be128(R.s_0) ..)
//! dpad(l, p) = H(0x22 || dpad_key || u8(l) || be64(p)), all sums 0
//! ```
//!
//! `id(u)` is the liabilities tree's (same salt, same leaf order); `v` are
//! the leaf's values, four per column (claim, paid, held, retained).

use core::fmt;

use hmac::{Hmac, Mac};
use por_tree::hash::leaf_id;
use por_tree::{Amount, Customers, Level, NodeHash, PathStep, RootCommitment, SnapshotSecret};
use sha2::{Digest, Sha256};

/// Domain tag of a distribution leaf.
pub const DLEAF_TAG: u8 = 0x20;
/// Domain tag of a distribution node.
pub const DNODE_TAG: u8 = 0x21;
/// Domain tag of a distribution padding node.
pub const DPAD_TAG: u8 = 0x22;
const DPAD_LABEL: &[u8] = b"por/distribution/v1/pad";

/// `dpad_key = HMAC-SHA256(S, "por/distribution/v1/pad")`.
#[must_use]
pub fn dpad_key(secret: &SnapshotSecret) -> [u8; 32] {
    let mut mac = <Hmac<Sha256>>::new_from_slice(&secret.to_byte_array())
        .expect("HMAC accepts keys of any length");
    mac.update(DPAD_LABEL);
    mac.finalize().into_bytes().into()
}

/// `dleaf(u)`.
#[must_use]
pub fn dleaf_hash(id: &por_tree::LeafId, values: &[Amount]) -> NodeHash {
    let mut buf = Vec::with_capacity(33 + 16 * values.len());
    dleaf_with(&mut buf, id, values)
}

fn dleaf_with(buf: &mut Vec<u8>, id: &por_tree::LeafId, values: &[Amount]) -> NodeHash {
    buf.clear();
    buf.push(DLEAF_TAG);
    buf.extend_from_slice(id.as_byte_array());
    for v in values {
        buf.extend_from_slice(&v.to_be_bytes());
    }
    NodeHash::from_byte_array(Sha256::digest(buf.as_slice()).into())
}

/// `dnode(L, R)`.
#[must_use]
pub fn dnode_hash(l: &NodeHash, ls: &[Amount], r: &NodeHash, rs: &[Amount]) -> NodeHash {
    let mut buf = Vec::with_capacity(65 + 16 * (ls.len() + rs.len()));
    dnode_with(&mut buf, l, ls, r, rs)
}

fn dnode_with(
    buf: &mut Vec<u8>,
    l: &NodeHash,
    ls: &[Amount],
    r: &NodeHash,
    rs: &[Amount],
) -> NodeHash {
    buf.clear();
    buf.push(DNODE_TAG);
    buf.extend_from_slice(l.as_byte_array());
    for s in ls {
        buf.extend_from_slice(&s.to_be_bytes());
    }
    buf.extend_from_slice(r.as_byte_array());
    for s in rs {
        buf.extend_from_slice(&s.to_be_bytes());
    }
    NodeHash::from_byte_array(Sha256::digest(buf.as_slice()).into())
}

/// `dpad(l, p)`.
#[must_use]
pub fn dpad_hash(key: &[u8; 32], level: u8, position: u64) -> NodeHash {
    let mut h = Sha256::new();
    h.update([DPAD_TAG]);
    h.update(key);
    h.update([level]);
    h.update(position.to_be_bytes());
    NodeHash::from_byte_array(h.finalize().into())
}

/// Why a distribution tree could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DTreeError {
    /// No customers, or values that are not `width` per customer.
    Shape(&'static str),
    /// A node sum over 2^128 − 1 (the plan's totals fit, so this means the
    /// values did not come from a plan).
    SumOverflow,
    /// No customer at this leaf.
    NoSuchLeaf(usize),
}

impl fmt::Display for DTreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DTreeError::Shape(s) => write!(f, "distribution tree: {s}"),
            DTreeError::SumOverflow => f.write_str("distribution tree: a sum exceeds 2^128-1"),
            DTreeError::NoSuchLeaf(i) => write!(f, "no customer at leaf index {i}"),
        }
    }
}

impl std::error::Error for DTreeError {}

/// A built distribution tree: every level, leaves first, padding included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionTree {
    width: usize,
    levels: Vec<Level>,
    leaf_count: usize,
}

impl DistributionTree {
    /// Builds the tree of a plan's leaf values (`width = 4 × columns` per
    /// customer, in leaf order) for the liabilities tree's customers.
    ///
    /// # Errors
    ///
    /// [`DTreeError::Shape`] for no customers or a count mismatch,
    /// [`DTreeError::SumOverflow`] if a column's values overflow.
    pub fn build(
        customers: &Customers,
        values: &[Amount],
        width: usize,
        pad_key: &[u8; 32],
    ) -> Result<DistributionTree, DTreeError> {
        Self::build_owned(customers, values.to_vec(), width, pad_key)
    }

    /// [`DistributionTree::build`] taking the values (from
    /// [`Plan::into_values`](crate::Plan::into_values)), which become the
    /// leaf level without a copy.
    ///
    /// # Errors
    ///
    /// As [`DistributionTree::build`].
    pub fn build_owned(
        customers: &Customers,
        values: Vec<Amount>,
        width: usize,
        pad_key: &[u8; 32],
    ) -> Result<DistributionTree, DTreeError> {
        let n = customers.len();
        if n == 0 || width == 0 {
            return Err(DTreeError::Shape("no customers or no columns"));
        }
        if values.len() != n * width {
            return Err(DTreeError::Shape("values are not `width` per customer"));
        }
        // Column totals first, so no partial sum can overflow below.
        for j in 0..width {
            Amount::checked_sum(values.iter().skip(j).step_by(width).copied())
                .ok_or(DTreeError::SumOverflow)?;
        }
        let mut hashes = vec![NodeHash::default(); n];
        par::chunks(&mut hashes, 4096, |start, out| {
            let mut buf = Vec::with_capacity(33 + 16 * width);
            for (off, h) in out.iter_mut().enumerate() {
                let i = start + off;
                let (Some(uid), Some(salt)) = (customers.user_id(i), customers.salt(i)) else {
                    continue; // i < n = customers.len()
                };
                let id = leaf_id(&salt, uid);
                *h = dleaf_with(&mut buf, &id, &values[i * width..(i + 1) * width]);
            }
        });
        let mut levels = Vec::new();
        let mut cur_h = hashes;
        let mut cur_s = values;
        loop {
            let count = cur_h.len();
            if count <= 1 {
                levels
                    .push(Level::new(cur_h, cur_s, width).map_err(|_| DTreeError::Shape("sums"))?);
                break;
            }
            let l = levels.len();
            if count % 2 == 1 {
                let level = u8::try_from(l).map_err(|_| DTreeError::Shape("too deep"))?;
                cur_h.push(dpad_hash(pad_key, level, count as u64));
                cur_s.extend(core::iter::repeat_n(Amount::ZERO, width));
            }
            let parents = cur_h.len() / 2;
            let mut ph = vec![NodeHash::default(); parents];
            let mut ps = vec![Amount::ZERO; parents * width];
            {
                let (bh, bs) = (&cur_h, &cur_s);
                par::node_chunks(&mut ph, &mut ps, width, 2048, |start, hs, ss| {
                    let mut buf = Vec::with_capacity(65 + 32 * width);
                    for (off, (h, s)) in hs.iter_mut().zip(ss.chunks_exact_mut(width)).enumerate() {
                        let p = start + off;
                        let (li, ri) = (2 * p, 2 * p + 1);
                        let lsum = &bs[li * width..(li + 1) * width];
                        let rsum = &bs[ri * width..(ri + 1) * width];
                        for ((o, x), y) in s.iter_mut().zip(lsum).zip(rsum) {
                            *o = x
                                .checked_add(*y)
                                .expect("column totals were checked, so no partial sum overflows");
                        }
                        *h = dnode_with(&mut buf, &bh[li], lsum, &bh[ri], rsum);
                    }
                });
            }
            levels.push(Level::new(cur_h, cur_s, width).map_err(|_| DTreeError::Shape("sums"))?);
            cur_h = ph;
            cur_s = ps;
        }
        Ok(DistributionTree {
            width,
            levels,
            leaf_count: n,
        })
    }

    /// Reassembles a tree from stored levels (trusted, as a database trusts
    /// its pages), checking only their shape.
    ///
    /// # Errors
    ///
    /// [`DTreeError::Shape`] when the levels are not those of a tree of
    /// `customers` leaves.
    pub fn from_levels(
        width: usize,
        levels: Vec<Level>,
        customers: usize,
    ) -> Result<DistributionTree, DTreeError> {
        if width == 0 {
            return Err(DTreeError::Shape("no columns"));
        }
        let mut count = customers;
        for (l, level) in levels.iter().enumerate() {
            if level.hashes().len().checked_mul(width) != Some(level.sums().len()) {
                return Err(DTreeError::Shape(
                    "a stored level does not have `width` sums per node",
                ));
            }
            let padded = if count % 2 == 1 && count > 1 {
                count + 1
            } else {
                count
            };
            if count == 0 || level.len() != padded {
                return Err(DTreeError::Shape("a stored level has the wrong node count"));
            }
            if padded == 1 && l + 1 != levels.len() {
                return Err(DTreeError::Shape("levels above the root"));
            }
            count = count.div_ceil(2);
        }
        if levels.last().map(Level::len) != Some(1) {
            return Err(DTreeError::Shape("the top level is not a single root"));
        }
        Ok(DistributionTree {
            width,
            levels,
            leaf_count: customers,
        })
    }

    /// Values per node.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// The levels, leaves first.
    #[must_use]
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// Customers (leaves without padding).
    #[must_use]
    pub fn customers(&self) -> usize {
        self.leaf_count
    }

    /// Levels above the leaves.
    #[must_use]
    pub fn height(&self) -> u32 {
        u32::try_from(self.levels.len().saturating_sub(1)).unwrap_or(u32::MAX)
    }

    /// The root: hash, the `width` sums, height.
    #[must_use]
    pub fn root(&self) -> RootCommitment {
        let top = self.levels.last().expect("a built tree has a level");
        RootCommitment {
            hash: top.hashes()[0],
            sums: top.sums().to_vec(),
            height: self.height(),
        }
    }

    /// Leaf `index`'s values and the siblings on its path.
    ///
    /// # Errors
    ///
    /// [`DTreeError::NoSuchLeaf`] for an index that is not a customer's.
    pub fn path(&self, index: usize) -> Result<(Vec<Amount>, Vec<PathStep>), DTreeError> {
        if index >= self.leaf_count {
            return Err(DTreeError::NoSuchLeaf(index));
        }
        let w = self.width;
        let values = self.levels[0].sums()[index * w..(index + 1) * w].to_vec();
        let mut path = Vec::with_capacity(self.levels.len() - 1);
        let mut i = index;
        for level in &self.levels[..self.levels.len() - 1] {
            let s = i ^ 1;
            path.push(PathStep {
                hash: level.hashes()[s],
                sums: level.sums()[s * w..(s + 1) * w].to_vec(),
            });
            i >>= 1;
        }
        Ok((values, path))
    }
}

/// Serial or rayon loops.
mod par {
    use por_tree::{Amount, NodeHash};
    #[cfg(feature = "parallel")]
    use rayon::prelude::*;

    pub fn chunks(
        out: &mut [NodeHash],
        chunk: usize,
        f: impl Fn(usize, &mut [NodeHash]) + Sync + Send,
    ) {
        #[cfg(feature = "parallel")]
        out.par_chunks_mut(chunk)
            .enumerate()
            .for_each(|(i, c)| f(i * chunk, c));
        #[cfg(not(feature = "parallel"))]
        for (i, c) in out.chunks_mut(chunk).enumerate() {
            f(i * chunk, c);
        }
    }

    pub fn node_chunks(
        hashes: &mut [NodeHash],
        sums: &mut [Amount],
        width: usize,
        chunk: usize,
        f: impl Fn(usize, &mut [NodeHash], &mut [Amount]) + Sync + Send,
    ) {
        #[cfg(feature = "parallel")]
        hashes
            .par_chunks_mut(chunk)
            .zip(sums.par_chunks_mut(chunk * width))
            .enumerate()
            .for_each(|(i, (h, s))| f(i * chunk, h, s));
        #[cfg(not(feature = "parallel"))]
        for (i, (h, s)) in hashes
            .chunks_mut(chunk)
            .zip(sums.chunks_mut(chunk * width))
            .enumerate()
        {
            f(i * chunk, h, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use por_tree::{AssetList, Ledger, LiabilitiesTree};

    /// The same customers and the same four numbers per leaf, once as a
    /// liabilities tree over four assets and once as a one-column
    /// distribution tree: no node hash in common, so a proof of one is
    /// never a proof of the other.
    #[test]
    fn domain_tags_separate_the_two_trees() {
        let assets = AssetList::from_spec("A:0,B:0,C:0,D:0").unwrap();
        let mut ledger = Ledger::new(4);
        let a = Amount::from_base_units;
        for (i, u) in ["u1", "u2", "u3"].iter().enumerate() {
            let v = i as u128;
            ledger
                .push(u, &[a(10 + v), a(5), a(v), a(0)], i as u64 + 2)
                .unwrap();
        }
        let secret = SnapshotSecret::from_byte_array([3; 32]);
        let (lt, customers) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
        let values = lt.levels()[0].sums()[..3 * 4].to_vec();
        let dt = DistributionTree::build(&customers, &values, 4, &dpad_key(&secret)).unwrap();
        assert_eq!(dt.root().sums, lt.root().sums);
        let lhashes: Vec<NodeHash> = lt
            .levels()
            .iter()
            .flat_map(|l| l.hashes().to_vec())
            .collect();
        for level in dt.levels() {
            for h in level.hashes() {
                assert!(!lhashes.contains(h));
            }
        }
        assert_ne!(dpad_key(&secret), secret.pad_key());
    }

    #[test]
    fn stored_levels_are_checked() {
        let mut customers = Customers::new();
        customers.push("a", por_tree::Salt::default());
        customers.push("b", por_tree::Salt::default());
        customers.push("c", por_tree::Salt::from_byte_array([1; 32]));
        let values = vec![Amount::from_base_units(1); 12];
        let t = DistributionTree::build(&customers, &values, 4, &[0; 32]).unwrap();
        let again = DistributionTree::from_levels(4, t.levels().to_vec(), 3).unwrap();
        assert_eq!(again, t);
        assert!(DistributionTree::from_levels(4, t.levels().to_vec(), 5).is_err());
        assert!(DistributionTree::from_levels(4, t.levels()[..2].to_vec(), 3).is_err());
        assert!(DistributionTree::build(&customers, &values[..8], 4, &[0; 32]).is_err());
        assert!(t.path(3).is_err());
    }
}
