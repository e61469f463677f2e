//! The liabilities Merkle-sum tree, format v1 (see `docs/tree-v1.md`).
//!
//! Level 0 holds one leaf per customer ordered by `id(u)`; each higher level
//! pairs neighbours, after appending `pad(l, count)` to a level with an odd
//! number of nodes (more than one). Every node carries one sum per asset.
//!
//! Memory layout: each level is two flat arrays, the hashes and the sums
//! (`k` per node), so the build allocates a handful of large buffers rather
//! than one object per node. With the `parallel` feature, hashing is spread
//! over every core with rayon; without it (the browser), it runs on one.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::hash::{self, LeafId, NodeHash, Salt, SnapshotSecret};
use crate::ledger::{Ledger, MAX_USER_ID_BYTES};
use crate::prelude::*;

/// One level of the tree: node hashes and their sums (`k` per node, flat).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Level {
    hashes: Vec<NodeHash>,
    sums: Vec<Amount>,
}

impl Level {
    /// Creates a level from its hashes and flat sums.
    ///
    /// # Errors
    ///
    /// Returns a [`TreeShapeError`] if `sums.len() != k * hashes.len()`.
    pub fn new(
        hashes: Vec<NodeHash>,
        sums: Vec<Amount>,
        k: usize,
    ) -> Result<Level, TreeShapeError> {
        if hashes.len().checked_mul(k) != Some(sums.len()) {
            return Err(TreeShapeError::SumCount);
        }
        Ok(Level { hashes, sums })
    }

    /// Returns the number of nodes, padding included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Returns true if the level has no nodes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Returns the node hashes.
    #[must_use]
    pub fn hashes(&self) -> &[NodeHash] {
        &self.hashes
    }

    /// Returns the sums, `k` per node.
    #[must_use]
    pub fn sums(&self) -> &[Amount] {
        &self.sums
    }
}

/// The published commitment to the liabilities: root hash, per-asset totals
/// and height. A customer's proof is checked against one supplied by the
/// caller (from the exchange's publication or the attestation), never only
/// against the copy inside the proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootCommitment {
    /// The root node's hash.
    pub hash: NodeHash,
    /// The root node's sums: total liabilities per asset, in base units.
    #[serde(with = "crate::proof::amounts_as_strings")]
    pub sums: Vec<Amount>,
    /// Levels above the leaves (0 for a single customer).
    pub height: u32,
}

/// One step of a customer's path: the sibling at that level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathStep {
    /// The sibling's hash.
    pub hash: NodeHash,
    /// The sibling's sums, one per asset, in base units.
    #[serde(with = "crate::proof::amounts_as_strings")]
    pub sums: Vec<Amount>,
}

/// The customers of a tree in leaf order: user id and salt of each leaf.
/// With the tree's level 0 (their balances), this is all a proof needs, so
/// proofs can be produced without the snapshot secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Customers {
    arena: String,
    offsets: Vec<usize>,
    salts: Vec<Salt>,
}

impl Customers {
    /// Creates an empty list.
    #[must_use]
    pub fn new() -> Self {
        Customers {
            arena: String::new(),
            offsets: vec![0],
            salts: Vec::new(),
        }
    }

    /// Appends the customer of the next leaf.
    pub fn push(&mut self, user_id: &str, salt: Salt) {
        self.arena.push_str(user_id);
        self.offsets.push(self.arena.len());
        self.salts.push(salt);
    }

    /// Returns the number of customers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.salts.len()
    }

    /// Returns true if there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.salts.is_empty()
    }

    /// Returns the user id of leaf `index`.
    #[must_use]
    pub fn user_id(&self, index: usize) -> Option<&str> {
        let start = *self.offsets.get(index)?;
        let end = *self.offsets.get(index + 1)?;
        self.arena.get(start..end)
    }

    /// Returns the salt of leaf `index`.
    #[must_use]
    pub fn salt(&self, index: usize) -> Option<Salt> {
        self.salts.get(index).copied()
    }

    /// Gathers user ids in leaf order (`order[i]` is leaf `i`'s ledger row)
    /// into one arena, in parallel; `salts` are already in leaf order.
    fn from_order(ledger: &Ledger, order: &[u32], salts: Vec<Salt>) -> Customers {
        let lengths = par::gather_with(order, |row| ledger.user_id(row as usize).len());
        let mut offsets = Vec::with_capacity(order.len() + 1);
        offsets.push(0usize);
        let mut total = 0usize;
        for len in lengths {
            total += len;
            offsets.push(total);
        }
        let mut arena = vec![0u8; total];
        par::fill_arena(&mut arena, &offsets, |leaf| {
            ledger.user_id(order[leaf] as usize).as_bytes()
        });
        let arena = String::from_utf8(arena)
            .expect("the arena is the concatenation of `&str` user ids, so it is UTF-8");
        Customers {
            arena,
            offsets,
            salts,
        }
    }

    /// Finds the leaf index of a user id (a linear scan: this serves one
    /// lookup; callers with many keep their own map).
    #[must_use]
    pub fn position(&self, user_id: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.user_id(i) == Some(user_id))
    }
}

/// A built liabilities tree: every level, from the leaves to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiabilitiesTree {
    assets: AssetList,
    levels: Vec<Level>,
    leaf_count: usize,
}

/// Why a tree could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// No customers.
    Empty,
    /// The ledger's asset count differs from the asset list's.
    AssetCount {
        /// Assets in the list.
        expected: usize,
        /// Balances per ledger row.
        got: usize,
    },
    /// The same user id appears twice.
    DuplicateUser {
        /// The user id.
        user_id: String,
        /// The line of its first appearance.
        first_line: u64,
        /// The line of its second appearance.
        second_line: u64,
    },
    /// Two user ids that differ as bytes but are equal after Unicode NFC
    /// normalisation: one customer twice, or two customers no one could tell
    /// apart (see [`Ledger::normalized_duplicate`]).
    NormalizedDuplicateUser {
        /// The earlier id, as given.
        first_id: String,
        /// The later id, as given.
        second_id: String,
        /// The line of the earlier id.
        first_line: u64,
        /// The line of the later id.
        second_line: u64,
    },
    /// Two different user ids got the same `id(u)`: a SHA-256 collision,
    /// reported rather than assumed impossible.
    IdCollision {
        /// One line.
        first_line: u64,
        /// The other line.
        second_line: u64,
    },
    /// A per-asset total exceeds `u128::MAX` base units.
    SumOverflow {
        /// The asset symbol.
        symbol: String,
    },
    /// More customers than a 32-bit leaf index allows in this implementation.
    TooManyCustomers(usize),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Empty => write!(f, "no customers: a tree needs at least one"),
            BuildError::AssetCount { expected, got } => write!(
                f,
                "the ledger has {got} balances per customer but the asset list has {expected}"
            ),
            BuildError::DuplicateUser {
                user_id,
                first_line,
                second_line,
            } => write!(
                f,
                "line {second_line}, column user_id: duplicate user id {user_id:?} (first on line {first_line})"
            ),
            BuildError::NormalizedDuplicateUser {
                first_id,
                second_id,
                first_line,
                second_line,
            } => write!(
                f,
                "line {second_line}, column user_id: user id {second_id:?} is the same as {first_id:?} on line {first_line} after Unicode NFC normalisation: a duplicate (both lines must be one customer, or the ids must differ visibly)"
            ),
            BuildError::IdCollision {
                first_line,
                second_line,
            } => write!(
                f,
                "lines {first_line} and {second_line}: two user ids hash to the same id(u)"
            ),
            BuildError::SumOverflow { symbol } => write!(
                f,
                "the total of {symbol} exceeds 2^128-1 base units"
            ),
            BuildError::TooManyCustomers(n) => {
                write!(f, "{n} customers: at most 4294967295 are supported")
            }
        }
    }
}

impl core::error::Error for BuildError {}

/// A tree whose stored levels are inconsistent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TreeShapeError {
    /// A level's sums are not `k` per node.
    SumCount,
    /// A level's node count does not follow from the level below.
    LevelSize {
        /// The level.
        level: usize,
    },
    /// The top level is not a single node.
    NoSingleRoot,
}

impl fmt::Display for TreeShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeShapeError::SumCount => write!(f, "a level does not have k sums per node"),
            TreeShapeError::LevelSize { level } => {
                write!(
                    f,
                    "level {level} has the wrong number of nodes for the level below"
                )
            }
            TreeShapeError::NoSingleRoot => write!(f, "the top level is not a single root node"),
        }
    }
}

impl core::error::Error for TreeShapeError {}

/// The sort key of a row: its id's first 8 bytes (big-endian) above the row.
fn sort_key(id: &LeafId, row: u32) -> u128 {
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(&id.as_byte_array()[..8]);
    (u128::from(u64::from_be_bytes(prefix)) << 64) | u128::from(row)
}

/// The row of a sort key.
fn key_row(key: u128) -> u32 {
    // the low 64 bits hold a u32 row
    u32::try_from(key & u128::from(u32::MAX)).unwrap_or(u32::MAX)
}

/// Number of nodes at level `l + 1` for `count` nodes at level `l` (before padding).
fn parent_count(count: usize) -> usize {
    count.div_ceil(2)
}

impl LiabilitiesTree {
    /// Builds the tree of a ledger under a snapshot secret, exactly per format v1.
    ///
    /// Returns the tree and the customers in leaf order.
    ///
    /// # Errors
    ///
    /// Returns a [`BuildError`] for an empty ledger, a duplicate user id (with
    /// both lines; ids equal after NFC normalisation are duplicates), an asset total over `u128::MAX`, or a ledger/asset-list
    /// mismatch.
    ///
    /// # Examples
    ///
    /// ```
    /// # // The example reads a CSV export: `csv` feature only.
    /// # #[cfg(feature = "csv")] {
    /// use por_tree::{AssetList, Ledger, LiabilitiesTree, SnapshotSecret};
    /// let assets = AssetList::from_spec("BTC:8")?;
    /// let ledger = Ledger::from_csv(b"user_id,BTC\nalice,1\nbob,2\ncarol,3\n", &assets)?;
    /// let secret = SnapshotSecret::from_byte_array([1; 32]);
    /// let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret)?;
    /// assert_eq!(tree.height(), 2);
    /// assert_eq!(tree.root().sums[0].to_base_units(), 600_000_000);
    /// let proof = tree.proof(&customers, 0)?;
    /// assert!(proof.verify(&tree.root()).is_ok());
    /// # }
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(
        assets: &AssetList,
        ledger: &Ledger,
        secret: &SnapshotSecret,
    ) -> Result<(LiabilitiesTree, Customers), BuildError> {
        let (hashes, sums, customers) = Self::leaves_internal(assets, ledger, secret)?;
        let tree = Self::from_leaves(assets.clone(), hashes, sums, &secret.pad_key());
        Ok((tree, customers))
    }

    /// [`LiabilitiesTree::build`] that takes the ledger and frees it as soon
    /// as the leaves are made, before the levels above are built: at ten
    /// million customers that is most of a gigabyte less at the peak.
    ///
    /// # Errors
    ///
    /// As [`LiabilitiesTree::build`].
    pub fn build_consuming(
        assets: &AssetList,
        ledger: Ledger,
        secret: &SnapshotSecret,
    ) -> Result<(LiabilitiesTree, Customers), BuildError> {
        let (hashes, sums, customers) = Self::leaves_internal(assets, &ledger, secret)?;
        drop(ledger);
        let tree = Self::from_leaves(assets.clone(), hashes, sums, &secret.pad_key());
        Ok((tree, customers))
    }

    /// Level 0 (hashes and sums in id order) and the customers in leaf order.
    ///
    /// Memory layout matters more than hashing here: every hash is computed
    /// in the ledger's own row order (sequential reads), and only then are
    /// the results gathered into id order by tight loops with no hashing in
    /// them, so the random reads overlap. Each row-ordered buffer is freed
    /// as soon as it has been gathered.
    #[allow(
        clippy::type_complexity,
        reason = "an internal triple, named at the call sites"
    )]
    fn leaves_internal(
        assets: &AssetList,
        ledger: &Ledger,
        secret: &SnapshotSecret,
    ) -> Result<(Vec<NodeHash>, Vec<Amount>, Customers), BuildError> {
        let k = assets.len();
        if ledger.asset_count() != k {
            return Err(BuildError::AssetCount {
                expected: k,
                got: ledger.asset_count(),
            });
        }
        let n = ledger.len();
        if n == 0 {
            return Err(BuildError::Empty);
        }
        if u32::try_from(n).is_err() {
            return Err(BuildError::TooManyCustomers(n));
        }
        // Checking the column totals first means no partial sum in the tree
        // can overflow (all amounts are unsigned), so the hot loops need no
        // error path.
        ledger.totals().map_err(|a| BuildError::SumOverflow {
            symbol: assets
                .get(a)
                .map(|x| x.symbol().to_owned())
                .unwrap_or_default(),
        })?;

        // 1. In row order: salt, id and leaf hash of every customer.
        // The sort key of a row: the first 8 bytes of its id (big-endian,
        // so integer order is id order) above the row number. Sorting 16-byte
        // integers rather than (32-byte id, row) pairs halves the bytes moved
        // and replaces memcmp with one integer comparison; rows whose ids
        // share the first 8 bytes are put in full-id order afterwards.
        let mut keyed: Vec<u128> = vec![0; n];
        let mut salt_by_row = vec![Salt::default(); n];
        let mut leaf_by_row = vec![NodeHash::default(); n];
        par::for_each_chunk_triple(
            &mut keyed,
            &mut salt_by_row,
            &mut leaf_by_row,
            4096,
            |start, ks, ss, ls| {
                let mut buf = Vec::with_capacity(2 * 64 + 33 + 16 * k + MAX_USER_ID_BYTES);
                for (off, ((key, salt_out), leaf_out)) in ks
                    .iter_mut()
                    .zip(ss.iter_mut())
                    .zip(ls.iter_mut())
                    .enumerate()
                {
                    let row = start + off;
                    let uid = ledger.user_id(row);
                    let salt = secret.salt_with(&mut buf, uid);
                    let id = hash::leaf_id_with(&mut buf, &salt, uid);
                    *leaf_out = hash::leaf_hash_with(&mut buf, &id, ledger.balances(row));
                    // row < n <= u32::MAX was checked above
                    *key = sort_key(&id, u32::try_from(row).unwrap_or(u32::MAX));
                    *salt_out = salt;
                }
            },
        );

        // 2. Order by id; duplicates are then neighbours.
        par::sort_keys(&mut keyed);
        let id_of = |row: usize| {
            let uid = ledger.user_id(row);
            hash::leaf_id(&salt_by_row[row], uid)
        };
        let mut start = 0;
        while start < n {
            let prefix = keyed[start] >> 64;
            let mut end = start + 1;
            while end < n && keyed[end] >> 64 == prefix {
                end += 1;
            }
            if end - start > 1 {
                // Ids that share their first 8 bytes (rare): order by the
                // whole id, then look for equal ids.
                let mut run: Vec<(LeafId, u32)> = keyed[start..end]
                    .iter()
                    .map(|&key| {
                        let row = key_row(key);
                        (id_of(row as usize), row)
                    })
                    .collect();
                run.sort_unstable();
                for w in run.windows(2) {
                    if w[0].0 == w[1].0 {
                        let (a, b) = (w[0].1 as usize, w[1].1 as usize);
                        let (a, b) = (a.min(b), a.max(b));
                        if ledger.user_id(a) == ledger.user_id(b) {
                            return Err(BuildError::DuplicateUser {
                                user_id: ledger.user_id(a).to_owned(),
                                first_line: ledger.line(a),
                                second_line: ledger.line(b),
                            });
                        }
                        return Err(BuildError::IdCollision {
                            first_line: ledger.line(a),
                            second_line: ledger.line(b),
                        });
                    }
                }
                for (slot, (_, row)) in keyed[start..end].iter_mut().zip(run) {
                    *slot = (prefix << 64) | u128::from(row);
                }
            }
            start = end;
        }
        // 3. Ids equal after NFC normalisation are duplicates too (hashed as
        // given, so the sort above does not bring them together).
        if let Some((a, b)) = ledger.normalized_duplicate() {
            return Err(BuildError::NormalizedDuplicateUser {
                first_id: ledger.user_id(a).to_owned(),
                second_id: ledger.user_id(b).to_owned(),
                first_line: ledger.line(a),
                second_line: ledger.line(b),
            });
        }
        let order: Vec<u32> = keyed.iter().map(|&key| key_row(key)).collect();
        drop(keyed);

        // 4. Gather into leaf order, one buffer at a time.
        let salts = par::gather(&order, &salt_by_row);
        drop(salt_by_row);
        let hashes = par::gather(&order, &leaf_by_row);
        drop(leaf_by_row);
        let mut sums = vec![Amount::ZERO; n * k];
        par::gather_rows(&order, ledger, k, &mut sums);
        let customers = Customers::from_order(ledger, &order, salts);
        Ok((hashes, sums, customers))
    }

    /// Builds the levels above a given leaf level.
    ///
    /// The caller guarantees no asset total overflows `u128`.
    fn from_leaves(
        assets: AssetList,
        hashes: Vec<NodeHash>,
        sums: Vec<Amount>,
        pad_key: &[u8; 32],
    ) -> LiabilitiesTree {
        let k = assets.len();
        let leaf_count = hashes.len();
        let mut levels = vec![Level { hashes, sums }];
        loop {
            let below = levels.last_mut().expect("levels starts non-empty");
            let count = below.len();
            if count <= 1 {
                break;
            }
            let l = levels.len() - 1;
            if count % 2 == 1 {
                let level = u8::try_from(l).expect("a tree of < 2^32 leaves has < 33 levels");
                let below = levels.last_mut().expect("levels is non-empty");
                below
                    .hashes
                    .push(hash::pad_hash(pad_key, level, count as u64));
                below.sums.extend(core::iter::repeat_n(Amount::ZERO, k));
            }
            let below = levels.last().expect("levels is non-empty");
            let parents = parent_count(count);
            let mut hashes = vec![NodeHash::default(); parents];
            let mut sums = vec![Amount::ZERO; parents * k];
            par::for_each_node_chunk(&mut hashes, &mut sums, k, 2048, |start, hs, ss| {
                let mut buf = Vec::with_capacity(65 + 32 * k + 72);
                for (off, (h, s)) in hs.iter_mut().zip(ss.chunks_exact_mut(k)).enumerate() {
                    let p = start + off;
                    let (li, ri) = (2 * p, 2 * p + 1);
                    let ls = &below.sums[li * k..(li + 1) * k];
                    let rs = &below.sums[ri * k..(ri + 1) * k];
                    for ((out, a), b) in s.iter_mut().zip(ls).zip(rs) {
                        *out = a
                            .checked_add(*b)
                            .expect("column totals were checked, so no partial sum overflows");
                    }
                    *h = hash::node_hash_with(
                        &mut buf,
                        &below.hashes[li],
                        ls,
                        &below.hashes[ri],
                        rs,
                    );
                }
            });
            levels.push(Level { hashes, sums });
        }
        LiabilitiesTree {
            assets,
            levels,
            leaf_count,
        }
    }

    /// Reassembles a tree from stored levels (leaves first, padding included)
    /// and its customer count, checking that their shape is that of a v1
    /// tree. Hashes are not recomputed: this trusts the store, as a database
    /// trusts its pages.
    ///
    /// # Errors
    ///
    /// Returns a [`TreeShapeError`] if a level has the wrong size or sum count.
    pub fn from_levels(
        assets: AssetList,
        levels: Vec<Level>,
        customers: usize,
    ) -> Result<LiabilitiesTree, TreeShapeError> {
        let k = assets.len();
        let mut count = customers;
        for (l, level) in levels.iter().enumerate() {
            if level.hashes.len().checked_mul(k) != Some(level.sums.len()) {
                return Err(TreeShapeError::SumCount);
            }
            let padded = if count % 2 == 1 && count > 1 {
                count + 1
            } else {
                count
            };
            if level.len() != padded || count == 0 {
                return Err(TreeShapeError::LevelSize { level: l });
            }
            count = parent_count(count);
            if padded == 1 && l + 1 != levels.len() {
                return Err(TreeShapeError::NoSingleRoot);
            }
        }
        if levels.last().map(Level::len) != Some(1) {
            return Err(TreeShapeError::NoSingleRoot);
        }
        Ok(LiabilitiesTree {
            assets,
            levels,
            leaf_count: customers,
        })
    }

    /// Returns the assets.
    #[must_use]
    pub fn assets(&self) -> &AssetList {
        &self.assets
    }

    /// Returns the levels, leaves first. Non-top levels include their padding node.
    #[must_use]
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// Returns the number of levels above the leaves.
    #[must_use]
    pub fn height(&self) -> u32 {
        u32::try_from(self.levels.len() - 1).expect("at most 33 levels")
    }

    /// Returns the number of customers (leaves, without padding).
    #[must_use]
    pub fn customers(&self) -> usize {
        self.leaf_count
    }

    /// Returns the root commitment: hash, per-asset totals, height.
    #[must_use]
    pub fn root(&self) -> RootCommitment {
        let top = self.levels.last().expect("a tree has at least one level");
        RootCommitment {
            hash: top.hashes[0],
            sums: top.sums.clone(),
            height: self.height(),
        }
    }

    /// Returns the siblings on leaf `index`'s path, from level 0 up.
    ///
    /// # Errors
    ///
    /// Returns [`ProofError::NoSuchLeaf`] if `index` is not a customer's leaf.
    pub fn path(&self, index: usize) -> Result<Vec<PathStep>, ProofError> {
        let k = self.assets.len();
        if index >= self.customers() {
            return Err(ProofError::NoSuchLeaf(index));
        }
        let mut path = Vec::with_capacity(self.levels.len() - 1);
        let mut i = index;
        for level in &self.levels[..self.levels.len() - 1] {
            let s = i ^ 1;
            path.push(PathStep {
                hash: level.hashes[s],
                sums: level.sums[s * k..(s + 1) * k].to_vec(),
            });
            i >>= 1;
        }
        Ok(path)
    }

    /// Returns the `por-proof-v1` inclusion proof of leaf `index`.
    ///
    /// # Errors
    ///
    /// Returns [`ProofError::NoSuchLeaf`] if `index` is not a customer's leaf
    /// or `customers` does not have it.
    pub fn proof(
        &self,
        customers: &Customers,
        index: usize,
    ) -> Result<crate::InclusionProof, ProofError> {
        let k = self.assets.len();
        let (Some(user_id), Some(salt)) = (customers.user_id(index), customers.salt(index)) else {
            return Err(ProofError::NoSuchLeaf(index));
        };
        let path = self.path(index)?;
        let leaves = &self.levels[0];
        Ok(crate::InclusionProof::new(
            self.assets.clone(),
            user_id.to_owned(),
            salt,
            leaves.sums[index * k..(index + 1) * k].to_vec(),
            index as u64,
            path,
            self.root(),
        ))
    }
}

/// A proof that cannot be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofError {
    /// No customer has this leaf index.
    NoSuchLeaf(usize),
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofError::NoSuchLeaf(i) => write!(f, "no customer at leaf index {i}"),
        }
    }
}

impl core::error::Error for ProofError {}

/// Serial and parallel versions of the few loops the build needs.
mod par {
    use crate::amount::Amount;
    use crate::hash::NodeHash;
    use crate::ledger::Ledger;
    use crate::prelude::*;

    #[cfg(feature = "parallel")]
    use rayon::prelude::*;

    const GATHER_CHUNK: usize = 1 << 14;

    /// Calls `f(start_index, a_chunk, b_chunk, c_chunk)` for consecutive
    /// chunks of three equally long slices.
    pub fn for_each_chunk_triple<A: Send, B: Send, C: Send>(
        a: &mut [A],
        b: &mut [B],
        c: &mut [C],
        chunk: usize,
        f: impl Fn(usize, &mut [A], &mut [B], &mut [C]) + Sync + Send,
    ) {
        #[cfg(feature = "parallel")]
        a.par_chunks_mut(chunk)
            .zip(b.par_chunks_mut(chunk))
            .zip(c.par_chunks_mut(chunk))
            .enumerate()
            .for_each(|(i, ((x, y), z))| f(i * chunk, x, y, z));
        #[cfg(not(feature = "parallel"))]
        for (i, ((x, y), z)) in a
            .chunks_mut(chunk)
            .zip(b.chunks_mut(chunk))
            .zip(c.chunks_mut(chunk))
            .enumerate()
        {
            f(i * chunk, x, y, z);
        }
    }

    /// `out[i] = src[order[i]]`, as a tight loop without other work so that
    /// the random reads overlap.
    pub fn gather<T: Copy + Default + Send + Sync>(order: &[u32], src: &[T]) -> Vec<T> {
        gather_with(order, |row| src[row as usize])
    }

    /// `out[i] = f(order[i])`.
    pub fn gather_with<T: Copy + Default + Send>(
        order: &[u32],
        f: impl Fn(u32) -> T + Sync + Send,
    ) -> Vec<T> {
        let mut out = vec![T::default(); order.len()];
        let work = |(o, idx): (&mut [T], &[u32])| {
            for (slot, &row) in o.iter_mut().zip(idx) {
                *slot = f(row);
            }
        };
        #[cfg(feature = "parallel")]
        out.par_chunks_mut(GATHER_CHUNK)
            .zip(order.par_chunks(GATHER_CHUNK))
            .for_each(work);
        #[cfg(not(feature = "parallel"))]
        out.chunks_mut(GATHER_CHUNK)
            .zip(order.chunks(GATHER_CHUNK))
            .for_each(work);
        out
    }

    /// Copies each leaf's `k` balances from its ledger row into `sums`.
    pub fn gather_rows(order: &[u32], ledger: &Ledger, k: usize, sums: &mut [Amount]) {
        let work = |(o, idx): (&mut [Amount], &[u32])| {
            for (slot, &row) in o.chunks_exact_mut(k).zip(idx) {
                slot.copy_from_slice(ledger.balances(row as usize));
            }
        };
        #[cfg(feature = "parallel")]
        sums.par_chunks_mut(GATHER_CHUNK * k)
            .zip(order.par_chunks(GATHER_CHUNK))
            .for_each(work);
        #[cfg(not(feature = "parallel"))]
        sums.chunks_mut(GATHER_CHUNK * k)
            .zip(order.chunks(GATHER_CHUNK))
            .for_each(work);
    }

    /// Copies item `i`'s bytes (from `get(i)`) to `arena[offsets[i]..offsets[i + 1]]`,
    /// in parallel chunks split at item boundaries.
    pub fn fill_arena<'a>(
        arena: &mut [u8],
        offsets: &[usize],
        get: impl Fn(usize) -> &'a [u8] + Sync + Send,
    ) {
        let items = offsets.len() - 1;
        let mut pieces = Vec::with_capacity(items / GATHER_CHUNK + 1);
        let mut rest = arena;
        let mut start = 0;
        while start < items {
            let take = GATHER_CHUNK.min(items - start);
            let bytes = offsets[start + take] - offsets[start];
            let (piece, tail) = core::mem::take(&mut rest).split_at_mut(bytes);
            pieces.push((start, take, piece));
            rest = tail;
            start += take;
        }
        let work = |(start, take, piece): (usize, usize, &mut [u8])| {
            let base = offsets[start];
            for i in start..start + take {
                piece[offsets[i] - base..offsets[i + 1] - base].copy_from_slice(get(i));
            }
        };
        #[cfg(feature = "parallel")]
        pieces.into_par_iter().for_each(work);
        #[cfg(not(feature = "parallel"))]
        pieces.into_iter().for_each(work);
    }

    /// Calls `f(start_node, hashes, sums)` for consecutive chunks of nodes.
    pub fn for_each_node_chunk(
        hashes: &mut [NodeHash],
        sums: &mut [Amount],
        k: usize,
        chunk: usize,
        f: impl Fn(usize, &mut [NodeHash], &mut [Amount]) + Sync + Send,
    ) {
        #[cfg(feature = "parallel")]
        hashes
            .par_chunks_mut(chunk)
            .zip(sums.par_chunks_mut(chunk * k))
            .enumerate()
            .for_each(|(i, (h, s))| f(i * chunk, h, s));
        #[cfg(not(feature = "parallel"))]
        for (i, (h, s)) in hashes
            .chunks_mut(chunk)
            .zip(sums.chunks_mut(chunk * k))
            .enumerate()
        {
            f(i * chunk, h, s);
        }
    }

    /// Sorts the rows' keys (id prefix, then row).
    pub fn sort_keys(keys: &mut [u128]) {
        #[cfg(feature = "parallel")]
        keys.par_sort_unstable();
        #[cfg(not(feature = "parallel"))]
        keys.sort_unstable();
    }
}
