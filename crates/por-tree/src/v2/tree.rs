//! Building a v2 tree (sparse, fixed height) and creating one customer's
//! proof on demand.
//!
//! Only occupied nodes are computed: level by level, each node present is
//! paired with its sibling, and a missing sibling is a padding node derived
//! from `(level, position)`. Memory stays O(n): about one level at a time
//! (a level is held as chunks, each freed once its parents exist), plus
//! the top levels kept for proofs (at most about n/4 nodes); work is
//! O(n · (h − log2 n)).

use core::fmt;

use alloc::collections::VecDeque;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::SeedableRng;

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::hash::{self, LeafId, NodeHash, Salt, SnapshotSecret};
use crate::ledger::Ledger;
use crate::prelude::*;

use super::format::{self, AssetV2, AssetsV2, Secrets};
use super::proof::{range_proof_parties, ProofV2, RootV2, Sibling};

/// How the build multiplies by the fixed generators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mul {
    /// curve25519-dalek's constant-time tables (the default).
    ConstantTime,
    /// Variable-time comb tables (`super::hazmat`): same points, faster,
    /// but memory accesses depend on secret scalars.
    VartimeHazmat,
}

/// A set of nodes of one level, sorted by position, `k` commitments each.
///
/// Points are kept halved (`C/2`): commitments add, so halves add too, and
/// a whole level's encodings `enc(C) = enc(2 · C/2)` come from one batched
/// `double_and_compress_batch` (one field inversion per batch) instead of
/// one inversion per point.
#[derive(Clone, Default)]
pub(super) struct Nodes {
    pub(super) positions: Vec<u64>,
    pub(super) hashes: Vec<NodeHash>,
    halves: Vec<RistrettoPoint>,
    pub(super) enc: Vec<[u8; 32]>,
    pub(super) values: Vec<u64>,
    pub(super) blindings: Vec<Scalar>,
}

impl Nodes {
    fn with_capacity(n: usize, k: usize) -> Nodes {
        Nodes {
            positions: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n),
            halves: Vec::with_capacity(n * k),
            enc: Vec::with_capacity(n * k),
            values: Vec::with_capacity(n * k),
            blindings: Vec::with_capacity(n * k),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.positions.len()
    }

    fn append(&mut self, mut other: Nodes) {
        self.positions.append(&mut other.positions);
        self.hashes.append(&mut other.hashes);
        self.halves.append(&mut other.halves);
        self.enc.append(&mut other.enc);
        self.values.append(&mut other.values);
        self.blindings.append(&mut other.blindings);
    }

    fn find(&self, position: u64) -> Option<usize> {
        self.positions.binary_search(&position).ok()
    }

    fn node(&self, i: usize, k: usize) -> NodeData {
        let r = i * k..(i + 1) * k;
        NodeData {
            hash: self.hashes[i],
            halves: self.halves[r.clone()].to_vec(),
            enc: self.enc[r.clone()].to_vec(),
            values: self.values[r.clone()].to_vec(),
            blindings: self.blindings[r].to_vec(),
        }
    }
}

/// Encodings of `2·P` for each half `P`.
fn compress_halves(halves: &[RistrettoPoint]) -> Vec<[u8; 32]> {
    RistrettoPoint::double_and_compress_batch(halves)
        .into_iter()
        .map(|c| c.to_bytes())
        .collect()
}

/// One node: hash, commitments (halves and encodings), values, blindings.
#[derive(Clone)]
pub(super) struct NodeData {
    pub(super) hash: NodeHash,
    halves: Vec<RistrettoPoint>,
    pub(super) enc: Vec<[u8; 32]>,
    pub(super) values: Vec<u64>,
    pub(super) blindings: Vec<Scalar>,
}

/// Padding nodes at `level`, one per position, as a node set.
fn pads(secrets: &Secrets, level: u8, positions: &[u64], k: usize, mul: Mul) -> Nodes {
    let gens = format::generators();
    let mut out = Nodes::with_capacity(positions.len(), k);
    out.positions.extend_from_slice(positions);
    for &p in positions {
        out.hashes.push(secrets.pad_hash(level, p));
        for i in 0..k {
            out.blindings
                .push(secrets.blinding(level, p, asset_index(i)));
        }
    }
    out.values.resize(positions.len() * k, 0);
    out.halves = match mul {
        Mul::ConstantTime => out
            .blindings
            .iter()
            .map(|r| gens.commit_zero_half(r))
            .collect(),
        Mul::VartimeHazmat => super::hazmat::commit_zero_half_batch(&out.blindings),
    };
    out.enc = compress_halves(&out.halves);
    out
}

pub(super) fn pad_node(secrets: &Secrets, level: u8, position: u64, k: usize) -> NodeData {
    pads(secrets, level, &[position], k, Mul::ConstantTime).node(0, k)
}

pub(super) fn asset_index(i: usize) -> u16 {
    u16::try_from(i).expect("at most MAX_ASSETS_V2 assets")
}

/// Level `level + 1` from the nodes `range` of level `level` (a range that
/// does not split a pair of siblings).
///
/// `partner`, when given, is the next chunk of the level, whose first node
/// is the right sibling of the last node of `range` (a pair that straddles
/// two chunks: see [`Level`]); that node is then this range's, and the
/// next chunk's step skips it.
fn step_range(
    nodes: &Nodes,
    range: core::ops::Range<usize>,
    partner: Option<&Nodes>,
    level: u8,
    secrets: &Secrets,
    k: usize,
    mul: Mul,
) -> Nodes {
    /// Where a child is: a node of this range, the partner's first node,
    /// or the n-th padding node.
    #[derive(Clone, Copy)]
    enum Src {
        Here(usize),
        Partner,
        Pad(usize),
    }
    let mut plan: Vec<(Src, Src)> = Vec::with_capacity(range.len());
    let mut pad_positions = Vec::new();
    let mut i = range.start;
    while i < range.end {
        let p = nodes.positions[i];
        if p & 1 == 0 {
            if i + 1 < range.end && nodes.positions[i + 1] == p + 1 {
                plan.push((Src::Here(i), Src::Here(i + 1)));
                i += 2;
                continue;
            }
            if i + 1 == range.end {
                if let Some(next) = partner {
                    debug_assert_eq!(next.positions.first(), Some(&(p + 1)));
                    plan.push((Src::Here(i), Src::Partner));
                    i += 1;
                    continue;
                }
            }
            plan.push((Src::Here(i), Src::Pad(pad_positions.len())));
            pad_positions.push(p + 1);
        } else {
            plan.push((Src::Pad(pad_positions.len()), Src::Here(i)));
            pad_positions.push(p - 1);
        }
        i += 1;
    }
    let pads = pads(secrets, level, &pad_positions, k, mul);
    let child = |c: Src| -> (&Nodes, usize) {
        match c {
            Src::Here(n) => (nodes, n),
            Src::Partner => (partner.expect("planned only with a partner"), 0),
            Src::Pad(n) => (&pads, n),
        }
    };
    let mut out = Nodes::with_capacity(plan.len(), k);
    for &(l, r) in &plan {
        let ((ln, li), (rn, ri)) = (child(l), child(r));
        out.positions.push(ln.positions[li] >> 1);
        for a in 0..k {
            out.halves
                .push(ln.halves[li * k + a] + rn.halves[ri * k + a]);
            out.values.push(
                ln.values[li * k + a]
                    .checked_add(rn.values[ri * k + a])
                    .expect("the proof unit is chosen so that every total fits 64 bits"),
            );
            out.blindings
                .push(ln.blindings[li * k + a] + rn.blindings[ri * k + a]);
        }
        out.hashes.push(format::node_hash(
            &ln.hashes[li],
            &ln.enc[li * k..(li + 1) * k],
            &rn.hashes[ri],
            &rn.enc[ri * k..(ri + 1) * k],
        ));
    }
    out.enc = compress_halves(&out.halves);
    out
}

/// Nodes per chunk of a [`Level`] (and per task of the parallel build).
const CHUNK: usize = 4096;

/// Chunks per wave of [`Level::step`]: each wave's chunks are freed as soon
/// as their parents are computed.
const WAVE: usize = 16;

/// One level of the build, held as consecutive chunks of at most about
/// [`CHUNK`] nodes, each sorted by position and together in position
/// order; a pair of siblings may straddle two chunks.
///
/// Chunks are what keep the build at about one level in memory: computing
/// level `l + 1` frees each chunk of level `l` once its parents exist, where
/// one vector per level would hold both levels whole until the step ends
/// (at 10^6 customers and 3 assets a level is about 740 MB).
#[derive(Default)]
pub(super) struct Level {
    chunks: VecDeque<Nodes>,
}

impl Level {
    fn from_chunks(chunks: impl IntoIterator<Item = Nodes>) -> Level {
        Level {
            chunks: chunks.into_iter().filter(|c| c.len() > 0).collect(),
        }
    }

    /// The chunks, in position order (for the stored tree's writer).
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(super) fn chunks(&self) -> impl Iterator<Item = &Nodes> {
        self.chunks.iter()
    }

    /// The number of nodes.
    pub(super) fn len(&self) -> usize {
        self.chunks.iter().map(Nodes::len).sum()
    }

    /// The whole level as one node set (for the few top levels kept).
    fn to_nodes(&self, k: usize) -> Nodes {
        let mut out = Nodes::with_capacity(self.len(), k);
        for c in &self.chunks {
            out.append(c.clone());
        }
        out
    }

    /// The single node of the root level.
    fn into_root(self, k: usize) -> NodeData {
        self.to_nodes(k).node(0, k)
    }

    /// Whether the last node of `a` (unless it is `a`'s only node and the
    /// chunk before took it) and the first node of `b` are siblings.
    fn straddles(a: &Nodes, a_first_taken: bool, b: &Nodes) -> bool {
        let own = a.len() - usize::from(a_first_taken);
        let last = a.positions[a.len() - 1];
        own > 0 && last & 1 == 0 && b.positions.first() == Some(&(last + 1))
    }

    /// Level `level + 1` from this level (`level`), consuming it wave by
    /// wave. The same nodes, in the same order, as one `step_range` over
    /// the whole level.
    fn step(mut self, level: u8, secrets: &Secrets, k: usize, mul: Mul) -> Level {
        let mut out = VecDeque::with_capacity(self.chunks.len());
        // Whether the first node of the front chunk belongs to the pair
        // that the chunk before it (already stepped) completed.
        let mut first_taken = false;
        while !self.chunks.is_empty() {
            let wave = WAVE.min(self.chunks.len());
            // taken[i]: chunk i's first node was taken by chunk i - 1.
            let mut taken = Vec::with_capacity(wave + 1);
            taken.push(first_taken);
            for i in 0..wave {
                let next = self.chunks.get(i + 1);
                taken.push(next.is_some_and(|b| Level::straddles(&self.chunks[i], taken[i], b)));
            }
            let chunks = &self.chunks;
            let one = |i: usize| -> Nodes {
                let c = &chunks[i];
                let partner = if taken[i + 1] {
                    chunks.get(i + 1)
                } else {
                    None
                };
                step_range(
                    c,
                    usize::from(taken[i])..c.len(),
                    partner,
                    level,
                    secrets,
                    k,
                    mul,
                )
            };
            #[cfg(feature = "parallel")]
            let parents: Vec<Nodes> = {
                use rayon::prelude::*;
                (0..wave).into_par_iter().map(one).collect()
            };
            #[cfg(not(feature = "parallel"))]
            let parents: Vec<Nodes> = (0..wave).map(one).collect();
            first_taken = taken[wave];
            self.chunks.drain(..wave);
            out.extend(parents.into_iter().filter(|c| c.len() > 0));
        }
        Level { chunks: out }.rechunked(k)
    }

    /// Merges neighbouring chunks while the merged chunk stays within
    /// [`CHUNK`] nodes: upper levels shrink by half per level, and a chunk
    /// of a few nodes is not worth a task.
    fn rechunked(mut self, k: usize) -> Level {
        let n = self.len();
        if n >= self.chunks.len() * CHUNK / 2 {
            return self;
        }
        let mut out = VecDeque::new();
        let mut cur = Nodes::default();
        while let Some(c) = self.chunks.pop_front() {
            if cur.len() > 0 && cur.len() + c.len() > CHUNK {
                out.push_back(core::mem::take(&mut cur));
            }
            if cur.len() == 0 {
                cur = Nodes::with_capacity(c.len().max(CHUNK.min(n)), k);
            }
            cur.append(c);
        }
        if cur.len() > 0 {
            out.push_back(cur);
        }
        Level { chunks: out }
    }
}

/// What the build shows each level to (the stored tree's writer): the
/// level, its nodes, the customers in leaf order.
pub(super) type LevelSink<'a> = dyn FnMut(u8, &Level, &[Customer]) + 'a;

/// One customer of a v2 tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Customer {
    pub(super) position: u64,
    user_id: String,
    salt: Salt,
    pub(super) id: LeafId,
    pub(super) balances: Vec<Amount>,
    units: Vec<u64>,
}

fn leaves_seq(customers: &[Customer], secrets: &Secrets, k: usize, mul: Mul) -> Nodes {
    let gens = format::generators();
    let mut out = Nodes::with_capacity(customers.len(), k);
    for c in customers {
        out.positions.push(c.position);
        for (i, x) in c.units.iter().enumerate() {
            out.values.push(*x);
            out.blindings
                .push(secrets.blinding(0, c.position, asset_index(i)));
        }
    }
    out.halves = match mul {
        Mul::ConstantTime => out
            .values
            .iter()
            .zip(&out.blindings)
            .map(|(x, r)| gens.commit_half(*x, r))
            .collect(),
        Mul::VartimeHazmat => super::hazmat::commit_half_batch(&out.values, &out.blindings),
    };
    out.enc = compress_halves(&out.halves);
    out.hashes = customers
        .iter()
        .enumerate()
        .map(|(j, c)| format::leaf_hash(&c.id, &out.enc[j * k..(j + 1) * k]))
        .collect();
    out
}

fn leaves(customers: &[Customer], secrets: &Secrets, k: usize, mul: Mul) -> Level {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        Level::from_chunks(
            customers
                .par_chunks(CHUNK)
                .map(|c| leaves_seq(c, secrets, k, mul))
                .collect::<Vec<Nodes>>(),
        )
    }
    #[cfg(not(feature = "parallel"))]
    Level::from_chunks(
        customers
            .chunks(CHUNK)
            .map(|c| leaves_seq(c, secrets, k, mul)),
    )
}

/// Why a v2 tree cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildErrorV2 {
    /// The height is 0 or above 64.
    Height(u8),
    /// No customers.
    Empty,
    /// More customers than half the leaf positions of this height.
    TooManyCustomers {
        /// Customers.
        customers: usize,
        /// Height.
        height: u8,
    },
    /// Assets: more than [`format::MAX_ASSETS_V2`], or not the ledger's count.
    Assets(String),
    /// Two rows with the same user id (byte-equal, or equal after NFC).
    DuplicateUser {
        /// The user id (as in the later row).
        user_id: String,
        /// The lines of both rows.
        lines: (u64, u64),
    },
    /// An asset whose balances fit 64 bits in no proof unit up to `10^38`.
    NoProofUnit(String),
}

impl fmt::Display for BuildErrorV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildErrorV2::Height(h) => write!(
                f,
                "height {h}: a v2 tree has a height from 1 to {}",
                format::MAX_HEIGHT
            ),
            BuildErrorV2::Empty => write!(f, "the balances export has no customers"),
            BuildErrorV2::TooManyCustomers { customers, height } => write!(
                f,
                "{customers} customers do not fit a tree of height {height} (at most half of its 2^{height} positions): choose a larger --height"
            ),
            BuildErrorV2::Assets(m) => f.write_str(m),
            BuildErrorV2::DuplicateUser { user_id, lines } => write!(
                f,
                "duplicate user id {user_id:?} on lines {} and {}",
                lines.0, lines.1
            ),
            BuildErrorV2::NoProofUnit(s) => write!(
                f,
                "asset {s}: the balances do not fit 64 bits even in units of 10^38 base units"
            ),
        }
    }
}

impl core::error::Error for BuildErrorV2 {}

/// A built v2 tree: its root, its customers by position, and the top levels
/// (so a proof is created without rebuilding the tree).
pub struct TreeV2 {
    assets: AssetsV2,
    height: u8,
    secrets: Secrets,
    customers: Vec<Customer>,
    keep_from: u8,
    kept: Vec<Nodes>,
    top: NodeData,
    root: RootV2,
}

impl fmt::Debug for TreeV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TreeV2")
            .field("height", &self.height)
            .field("root", &self.root.hash)
            .finish_non_exhaustive()
    }
}

impl TreeV2 {
    /// Builds the tree of `ledger` at `height`, with each asset's proof unit
    /// the smallest power of ten that makes its total fit 64 bits.
    ///
    /// # Errors
    ///
    /// A [`BuildErrorV2`].
    pub fn build(
        assets: &AssetList,
        ledger: &Ledger,
        secret: &SnapshotSecret,
        height: u8,
    ) -> Result<TreeV2, BuildErrorV2> {
        let assets = TreeV2::units_for(assets, ledger)?;
        TreeV2::build_inner(&assets, ledger, secret, height, Mul::ConstantTime, None)
    }

    /// HAZMAT: [`TreeV2::build`] with variable-time multiplications by the
    /// generators (`hazmat` module): the same tree, byte for byte, in about
    /// half the CPU time, but table lookups at
    /// addresses that depend on secret blinding factors and balances. A
    /// process sharing the build machine's caches may learn them (and so
    /// hidden balances, or which nodes are padding). Use it only on a
    /// machine no one else runs code on; see `docs/notes/tree-v2-security.md`.
    ///
    /// # Errors
    ///
    /// A [`BuildErrorV2`], as [`TreeV2::build`].
    pub fn build_vartime_hazmat(
        assets: &AssetList,
        ledger: &Ledger,
        secret: &SnapshotSecret,
        height: u8,
    ) -> Result<TreeV2, BuildErrorV2> {
        let assets = TreeV2::units_for(assets, ledger)?;
        TreeV2::build_inner(&assets, ledger, secret, height, Mul::VartimeHazmat, None)
    }

    /// HAZMAT: [`TreeV2::build_with_units`] with variable-time
    /// multiplications (see [`TreeV2::build_vartime_hazmat`]).
    ///
    /// # Errors
    ///
    /// A [`BuildErrorV2`], as [`TreeV2::build_with_units`].
    pub fn build_with_units_vartime_hazmat(
        assets: &AssetsV2,
        ledger: &Ledger,
        secret: &SnapshotSecret,
        height: u8,
    ) -> Result<TreeV2, BuildErrorV2> {
        TreeV2::build_inner(assets, ledger, secret, height, Mul::VartimeHazmat, None)
    }

    /// Each asset's proof unit: the smallest power of ten that makes its
    /// total fit 64 bits.
    pub(super) fn units_for(assets: &AssetList, ledger: &Ledger) -> Result<AssetsV2, BuildErrorV2> {
        let k = assets.len();
        if ledger.asset_count() != k {
            return Err(BuildErrorV2::Assets(format!(
                "the ledger has {} asset columns, the asset list {k}",
                ledger.asset_count()
            )));
        }
        let mut with_units = Vec::with_capacity(k);
        for (i, a) in assets.iter().enumerate() {
            let column = (0..ledger.len()).map(move |r| ledger.balances(r)[i]);
            let e = format::smallest_unit_exponent(column)
                .ok_or_else(|| BuildErrorV2::NoProofUnit(a.symbol().to_owned()))?;
            with_units
                .push(AssetV2::new(a.clone(), e).map_err(|e| BuildErrorV2::Assets(e.to_string()))?);
        }
        AssetsV2::new(with_units).map_err(|e| BuildErrorV2::Assets(e.to_string()))
    }

    /// Builds with the proof units given in `assets`.
    ///
    /// # Errors
    ///
    /// A [`BuildErrorV2`], [`BuildErrorV2::NoProofUnit`] when a column does
    /// not fit 64 bits in the given unit.
    pub fn build_with_units(
        assets: &AssetsV2,
        ledger: &Ledger,
        secret: &SnapshotSecret,
        height: u8,
    ) -> Result<TreeV2, BuildErrorV2> {
        TreeV2::build_inner(assets, ledger, secret, height, Mul::ConstantTime, None)
    }

    /// The build. `sink`, when given, is shown every level as it is
    /// computed, leaves first (with the customers in leaf order), then
    /// level 1 up to the root (the stored tree's writer).
    pub(super) fn build_inner(
        assets: &AssetsV2,
        ledger: &Ledger,
        secret: &SnapshotSecret,
        height: u8,
        mul: Mul,
        mut sink: Option<&mut LevelSink<'_>>,
    ) -> Result<TreeV2, BuildErrorV2> {
        let k = assets.len();
        if height == 0 || height > format::MAX_HEIGHT {
            return Err(BuildErrorV2::Height(height));
        }
        if ledger.asset_count() != k {
            return Err(BuildErrorV2::Assets(format!(
                "the ledger has {} asset columns, the asset list {k}",
                ledger.asset_count()
            )));
        }
        let n = ledger.len();
        if n == 0 {
            return Err(BuildErrorV2::Empty);
        }
        let half = format::capacity(height - 1).unwrap_or(u64::MAX);
        if u64::try_from(n).map_or(true, |n| n > half) {
            return Err(BuildErrorV2::TooManyCustomers {
                customers: n,
                height,
            });
        }
        let secrets = Secrets::new(secret);

        // Ids, in id order; duplicates refused.
        let mut rows: Vec<(LeafId, Salt, usize)> = (0..n)
            .map(|r| {
                let salt = secrets.salt(ledger.user_id(r));
                (hash::leaf_id(&salt, ledger.user_id(r)), salt, r)
            })
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
            let (a, b) = (w[0].2.min(w[1].2), w[0].2.max(w[1].2));
            return Err(BuildErrorV2::DuplicateUser {
                user_id: ledger.user_id(b).to_owned(),
                lines: (ledger.line(a), ledger.line(b)),
            });
        }
        if let Some((a, b)) = ledger.normalized_duplicate() {
            return Err(BuildErrorV2::DuplicateUser {
                user_id: ledger.user_id(b).to_owned(),
                lines: (ledger.line(a), ledger.line(b)),
            });
        }

        // Positions: in id order, the first free candidate. (A `BTreeSet`,
        // which `alloc` has: `no_std` has no `HashSet`; the same answers.)
        let mut taken = alloc::collections::BTreeSet::new();
        let mut customers = Vec::with_capacity(n);
        for (id, salt, r) in rows {
            let mut attempt = 0u32;
            let position = loop {
                let p = secrets.position_candidate(&id, attempt, height);
                if taken.insert(p) {
                    break p;
                }
                attempt += 1;
            };
            let balances = ledger.balances(r).to_vec();
            let mut units = Vec::with_capacity(k);
            for (a, b) in assets.iter().zip(&balances) {
                units.push(
                    a.to_units(*b)
                        .ok_or_else(|| BuildErrorV2::NoProofUnit(a.asset().symbol().to_owned()))?,
                );
            }
            customers.push(Customer {
                position,
                user_id: ledger.user_id(r).to_owned(),
                salt,
                id,
                balances,
                units,
            });
        }
        drop(taken);
        // Totals in proof units must fit 64 bits.
        for (i, a) in assets.iter().enumerate() {
            let mut t: u64 = 0;
            for c in &customers {
                t = t
                    .checked_add(c.units[i])
                    .ok_or_else(|| BuildErrorV2::NoProofUnit(a.asset().symbol().to_owned()))?;
            }
        }
        customers.sort_unstable_by_key(|c| c.position);

        let keep_from = keep_from(height, n);
        let mut kept = Vec::new();
        let mut level = leaves(&customers, &secrets, k, mul);
        for l in 0..height {
            if let Some(sink) = sink.as_mut() {
                sink(l, &level, &customers);
            }
            if l >= keep_from {
                kept.push(level.to_nodes(k));
            }
            level = level.step(l, &secrets, k, mul);
        }
        if let Some(sink) = sink.as_mut() {
            sink(height, &level, &customers);
        }
        let top = level.into_root(k);
        let root = RootV2::new(
            assets.clone(),
            height,
            &top.enc,
            &top.hash,
            &top.values,
            &top.blindings,
        );
        Ok(TreeV2 {
            assets: assets.clone(),
            height,
            secrets,
            customers,
            keep_from,
            kept,
            top,
            root,
        })
    }

    /// The root to publish: hash, height, assets with proof units, totals in
    /// proof units and the root blinding factors.
    #[must_use]
    pub fn root(&self) -> &RootV2 {
        &self.root
    }

    /// The assets with their proof units.
    #[must_use]
    pub fn assets(&self) -> &AssetsV2 {
        &self.assets
    }

    /// The height.
    #[must_use]
    pub fn height(&self) -> u8 {
        self.height
    }

    /// The number of customers (private: not in the root or any proof).
    #[must_use]
    pub fn customers(&self) -> usize {
        self.customers.len()
    }

    /// The user ids in position order (private).
    pub fn user_ids(&self) -> impl Iterator<Item = &str> {
        self.customers.iter().map(|c| c.user_id.as_str())
    }

    /// The root commitments (points).
    #[must_use]
    pub fn root_points(&self) -> Vec<RistrettoPoint> {
        self.top.halves.iter().map(|h| h + h).collect()
    }

    fn find_customer(&self, user_id: &str) -> Option<&Customer> {
        let salt = self.secrets.salt(user_id);
        let id = hash::leaf_id(&salt, user_id);
        // The customer holds the first of its candidates not taken by a
        // customer earlier in id order; try them in turn.
        for attempt in 0..=u32::try_from(self.customers.len()).unwrap_or(u32::MAX) {
            let p = self.secrets.position_candidate(&id, attempt, self.height);
            let i = self
                .customers
                .binary_search_by_key(&p, |c| c.position)
                .ok()?;
            let c = &self.customers[i];
            if c.id == id {
                return Some(c);
            }
        }
        None
    }

    /// The node at `(level, position)` for a path: occupied, or a padding
    /// node when its subtree holds no customer.
    fn node_at(&self, level: u8, position: u64) -> NodeData {
        let k = self.assets.len();
        if level >= self.keep_from {
            let nodes = &self.kept[usize::from(level - self.keep_from)];
            return match nodes.find(position) {
                Some(i) => nodes.node(i, k),
                None => pad_node(&self.secrets, level, position, k),
            };
        }
        // In u128: at height 64 the end of the last subtree is 2^64.
        let lo = u128::from(position) << level;
        let hi = (u128::from(position) + 1) << level;
        let a = self
            .customers
            .partition_point(|c| u128::from(c.position) < lo);
        let b = self
            .customers
            .partition_point(|c| u128::from(c.position) < hi);
        if a == b {
            return pad_node(&self.secrets, level, position, k);
        }
        let mut nodes = leaves_seq(&self.customers[a..b], &self.secrets, k, Mul::ConstantTime);
        for l in 0..level {
            nodes = step_range(
                &nodes,
                0..nodes.len(),
                None,
                l,
                &self.secrets,
                k,
                Mul::ConstantTime,
            );
        }
        nodes.node(0, k)
    }

    /// The path of a customer: siblings, their values and blindings.
    fn path_of(&self, c: &Customer) -> (Vec<Sibling>, Vec<u64>, Vec<Scalar>) {
        let k = self.assets.len();
        let h = self.height;
        let mut path = Vec::with_capacity(usize::from(h));
        let mut values = Vec::with_capacity(usize::from(h) * k);
        let mut blindings = Vec::with_capacity(usize::from(h) * k);
        for l in 0..h {
            let q = (c.position >> l) ^ 1;
            let s = self.node_at(l, q);
            values.extend_from_slice(&s.values);
            blindings.extend_from_slice(&s.blindings);
            path.push(Sibling {
                hash: s.hash,
                commitments: s.enc,
            });
        }
        (path, values, blindings)
    }

    fn assemble(
        &self,
        c: &Customer,
        path: Vec<Sibling>,
        range_proof: Vec<u8>,
        root: &RootV2,
    ) -> ProofV2 {
        let k = self.assets.len();
        let leaf_blindings: Vec<Scalar> = (0..k)
            .map(|i| self.secrets.blinding(0, c.position, asset_index(i)))
            .collect();
        ProofV2::new(
            self.assets.clone(),
            self.height,
            c.user_id.clone(),
            c.salt,
            c.balances.clone(),
            c.position,
            leaf_blindings,
            path,
            range_proof,
            root.claimed(),
        )
    }

    /// Creates the `por-proof-v2` of one customer, or `None` if no customer
    /// has this user id. Deterministic: the same tree gives the same bytes.
    #[must_use]
    pub fn proof(&self, user_id: &str) -> Option<ProofV2> {
        let c = self.find_customer(user_id)?;
        let (path, values, blindings) = self.path_of(c);
        let range_proof = range_proof(
            &self.secrets,
            &self.root.hash,
            c.position,
            &values,
            &blindings,
        );
        Some(self.assemble(c, path, range_proof, &self.root))
    }

    pub(crate) fn forge_negative_sibling(
        &self,
        user_id: &str,
        level: u8,
        asset: usize,
        delta: u64,
    ) -> Option<(ProofV2, RootV2)> {
        let c = self.find_customer(user_id)?;
        let k = self.assets.len();
        let (mut path, mut values, blindings) = self.path_of(c);
        let gens = format::generators();
        let s = path.get_mut(usize::from(level))?;
        let point = format::decompress(s.commitments.get(asset)?)?;
        s.commitments[asset] = (point - gens.g * Scalar::from(delta)).compress().to_bytes();
        let v = values.get_mut(usize::from(level) * k + asset)?;
        *v = v.wrapping_sub(delta);
        let mut root = self.root.clone();
        root.totals[asset] = root.totals[asset].checked_sub(delta)?;
        let draft = self.assemble(c, path.clone(), Vec::new(), &root);
        let (hash, _) = draft.recompute().ok()?;
        root.hash = hash;
        let range_proof = range_proof(&self.secrets, &root.hash, c.position, &values, &blindings);
        Some((self.assemble(c, path, range_proof, &root), root))
    }
}

/// The aggregated range proof of a path (`values` and `blindings`: the
/// siblings', level by level, `k` each), padded to
/// [`range_proof_parties`] commitments with commitments to zero of blinding
/// zero (the identity point, which the verifier adds itself), and
/// deterministic from the secret, the root hash and the position.
pub(super) fn range_proof(
    secrets: &Secrets,
    root_hash: &NodeHash,
    position: u64,
    values: &[u64],
    blindings: &[Scalar],
) -> Vec<u8> {
    let commitments = values.len();
    let parties = range_proof_parties(commitments);
    let mut values = values.to_vec();
    let mut blindings = blindings.to_vec();
    values.resize(parties, 0);
    blindings.resize(parties, Scalar::ZERO);
    let bp = super::proof::bulletproof_gens(parties);
    let pc = format::generators().pedersen();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(secrets.range_rng_seed(root_hash, position));
    let mut t = super::proof::range_transcript(root_hash, position, commitments);
    let (proof, _) = bulletproofs::RangeProof::prove_multiple_with_rng(
        &bp,
        &pc,
        &mut t,
        &values,
        &blindings,
        format::RANGE_BITS,
        &mut rng,
    )
    .expect("u64 values, a power of two of parties within the generators");
    proof.to_bytes()
}

/// The lowest level kept in memory: levels whose at most `2^(h-l)` nodes
/// are no more than `max(1, n/8)`.
fn keep_from(height: u8, n: usize) -> u8 {
    let budget = (n / 8).max(1);
    let log = u8::try_from(usize::BITS - 1 - budget.leading_zeros()).unwrap_or(0);
    height.saturating_sub(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Customers at `positions` (sorted), with values that differ per
    /// customer and asset.
    fn customers(secrets: &Secrets, positions: &[u64], k: usize) -> Vec<Customer> {
        positions
            .iter()
            .map(|&p| {
                let user_id = format!("u{p}");
                let salt = secrets.salt(&user_id);
                let units: Vec<u64> = (0..k as u64).map(|a| p * 1000 + a * 7 + 1).collect();
                Customer {
                    position: p,
                    id: hash::leaf_id(&salt, &user_id),
                    user_id,
                    salt,
                    balances: units
                        .iter()
                        .map(|&u| Amount::from_base_units(u.into()))
                        .collect(),
                    units,
                }
            })
            .collect()
    }

    fn same(a: &Nodes, b: &Nodes) {
        assert_eq!(a.positions, b.positions);
        assert_eq!(a.hashes, b.hashes);
        assert_eq!(a.enc, b.enc);
        assert_eq!(a.values, b.values);
        assert_eq!(a.blindings, b.blindings);
        assert_eq!(a.halves, b.halves);
    }

    /// A level stepped chunk by chunk (pairs straddling chunks, chunks of
    /// one node whose node the chunk before takes, several waves) gives
    /// the nodes of one step over the whole level, level after level.
    #[test]
    fn chunked_levels_step_as_one_vector() {
        let secrets = Secrets::new(&SnapshotSecret::from_byte_array([9; 32]));
        let k = 2;
        // Dense runs (pairs), lone nodes, both parities at chunk edges.
        let mut positions: Vec<u64> = (0..200u64).filter(|p| (p * 0x9E37_79B9) % 7 < 4).collect();
        positions.extend([257, 258, 259, 300, 301, 511]);
        let cs = customers(&secrets, &positions, k);
        let whole0 = leaves_seq(&cs, &secrets, k, Mul::ConstantTime);
        for size in [1usize, 2, 3, 5, 17] {
            let mut whole = whole0.clone();
            let mut level = Level::from_chunks(
                cs.chunks(size)
                    .map(|c| leaves_seq(c, &secrets, k, Mul::ConstantTime)),
            );
            assert!(
                level.chunks.len() > WAVE || size > 3,
                "several waves for small chunks"
            );
            for l in 0..10u8 {
                same(&level.to_nodes(k), &whole);
                whole = step_range(
                    &whole,
                    0..whole.len(),
                    None,
                    l,
                    &secrets,
                    k,
                    Mul::ConstantTime,
                );
                level = level.step(l, &secrets, k, Mul::ConstantTime);
            }
            same(&level.to_nodes(k), &whole);
            assert_eq!(
                whole.len(),
                1,
                "the root after 10 levels of positions below 2^10"
            );
        }
    }
}
