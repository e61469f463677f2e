//! Building a v2 tree (sparse, fixed height) and creating one customer's
//! proof on demand.
//!
//! Only occupied nodes are computed: level by level, each node present is
//! paired with its sibling, and a missing sibling is a padding node derived
//! from `(level, position)`. Memory stays O(n) (two levels at a time, plus
//! the top levels kept for proofs, at most about n/4 nodes); work is
//! O(n · (h − log2 n)).

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::SeedableRng;

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::hash::{self, LeafId, NodeHash, Salt, SnapshotSecret};
use crate::ledger::Ledger;

use super::format::{self, AssetV2, AssetsV2, Secrets};
use super::proof::{chunk_sizes, ProofV2, RootV2, Sibling};

/// A set of nodes of one level, sorted by position, `k` commitments each.
#[derive(Clone, Default)]
struct Nodes {
    positions: Vec<u64>,
    hashes: Vec<NodeHash>,
    points: Vec<RistrettoPoint>,
    enc: Vec<[u8; 32]>,
    values: Vec<u64>,
    blindings: Vec<Scalar>,
}

impl Nodes {
    fn with_capacity(n: usize, k: usize) -> Nodes {
        Nodes {
            positions: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n),
            points: Vec::with_capacity(n * k),
            enc: Vec::with_capacity(n * k),
            values: Vec::with_capacity(n * k),
            blindings: Vec::with_capacity(n * k),
        }
    }

    fn len(&self) -> usize {
        self.positions.len()
    }

    #[cfg_attr(not(feature = "parallel"), allow(dead_code))]
    fn append(&mut self, mut other: Nodes) {
        self.positions.append(&mut other.positions);
        self.hashes.append(&mut other.hashes);
        self.points.append(&mut other.points);
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
            points: self.points[r.clone()].to_vec(),
            enc: self.enc[r.clone()].to_vec(),
            values: self.values[r.clone()].to_vec(),
            blindings: self.blindings[r].to_vec(),
        }
    }

    fn push(&mut self, position: u64, n: NodeData) {
        self.positions.push(position);
        self.hashes.push(n.hash);
        self.points.extend(n.points);
        self.enc.extend(n.enc);
        self.values.extend(n.values);
        self.blindings.extend(n.blindings);
    }
}

/// One node: hash, commitments (points and encodings), values, blindings.
#[derive(Clone)]
struct NodeData {
    hash: NodeHash,
    points: Vec<RistrettoPoint>,
    enc: Vec<[u8; 32]>,
    values: Vec<u64>,
    blindings: Vec<Scalar>,
}

fn pad_node(secrets: &Secrets, level: u8, position: u64, k: usize) -> NodeData {
    let gens = format::generators();
    let blindings: Vec<Scalar> = (0..k)
        .map(|i| secrets.blinding(level, position, asset_index(i)))
        .collect();
    let points: Vec<RistrettoPoint> = blindings.iter().map(|r| gens.commit_zero(r)).collect();
    NodeData {
        hash: secrets.pad_hash(level, position),
        enc: points.iter().map(|p| p.compress().to_bytes()).collect(),
        points,
        values: vec![0; k],
        blindings,
    }
}

fn asset_index(i: usize) -> u16 {
    u16::try_from(i).expect("at most MAX_ASSETS_V2 assets")
}

fn parent(left: &NodeData, right: &NodeData) -> NodeData {
    let points: Vec<RistrettoPoint> = left
        .points
        .iter()
        .zip(&right.points)
        .map(|(a, b)| a + b)
        .collect();
    NodeData {
        hash: format::node_hash(&left.hash, &left.enc, &right.hash, &right.enc),
        enc: points.iter().map(|p| p.compress().to_bytes()).collect(),
        points,
        values: left
            .values
            .iter()
            .zip(&right.values)
            .map(|(a, b)| {
                a.checked_add(*b)
                    .expect("the proof unit is chosen so that every total fits 64 bits")
            })
            .collect(),
        blindings: left
            .blindings
            .iter()
            .zip(&right.blindings)
            .map(|(a, b)| a + b)
            .collect(),
    }
}

/// Level `level + 1` from the nodes `range` of level `level` (a range that
/// does not split a pair of siblings).
fn step_range(
    nodes: &Nodes,
    range: core::ops::Range<usize>,
    level: u8,
    secrets: &Secrets,
    k: usize,
) -> Nodes {
    let mut out = Nodes::with_capacity(range.len().div_ceil(2), k);
    let mut i = range.start;
    while i < range.end {
        let p = nodes.positions[i];
        let here = nodes.node(i, k);
        let (left, right, used) = if p & 1 == 0 {
            if i + 1 < range.end && nodes.positions[i + 1] == p + 1 {
                (here, nodes.node(i + 1, k), 2)
            } else {
                (here, pad_node(secrets, level, p + 1, k), 1)
            }
        } else {
            (pad_node(secrets, level, p - 1, k), here, 1)
        };
        out.push(p >> 1, parent(&left, &right));
        i += used;
    }
    out
}

fn step(nodes: &Nodes, level: u8, secrets: &Secrets, k: usize) -> Nodes {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let n = nodes.len();
        let chunk = 4096;
        if n > chunk {
            let mut cuts = vec![0];
            let mut c = chunk;
            while c < n {
                // Never split a pair: a cut before an odd position whose even
                // sibling precedes it moves one further.
                let mut at = c;
                if nodes.positions[at] & 1 == 1
                    && nodes.positions[at - 1] + 1 == nodes.positions[at]
                {
                    at += 1;
                }
                if at < n {
                    cuts.push(at);
                }
                c = at + chunk;
            }
            cuts.push(n);
            let parts: Vec<Nodes> = cuts
                .par_windows(2)
                .map(|w| step_range(nodes, w[0]..w[1], level, secrets, k))
                .collect();
            let mut out = Nodes::with_capacity(n.div_ceil(2), k);
            for p in parts {
                out.append(p);
            }
            return out;
        }
    }
    step_range(nodes, 0..nodes.len(), level, secrets, k)
}

/// One customer of a v2 tree.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Customer {
    position: u64,
    user_id: String,
    salt: Salt,
    id: LeafId,
    balances: Vec<Amount>,
    units: Vec<u64>,
}

fn leaf_node(c: &Customer, secrets: &Secrets, k: usize) -> NodeData {
    let gens = format::generators();
    let blindings: Vec<Scalar> = (0..k)
        .map(|i| secrets.blinding(0, c.position, asset_index(i)))
        .collect();
    let points: Vec<RistrettoPoint> = c
        .units
        .iter()
        .zip(&blindings)
        .map(|(x, r)| gens.commit(*x, r))
        .collect();
    let enc: Vec<[u8; 32]> = points.iter().map(|p| p.compress().to_bytes()).collect();
    NodeData {
        hash: format::leaf_hash(&c.id, &enc),
        enc,
        points,
        values: c.units.clone(),
        blindings,
    }
}

fn leaves(customers: &[Customer], secrets: &Secrets, k: usize) -> Nodes {
    #[cfg(feature = "parallel")]
    let datas: Vec<NodeData> = {
        use rayon::prelude::*;
        customers
            .par_iter()
            .map(|c| leaf_node(c, secrets, k))
            .collect()
    };
    #[cfg(not(feature = "parallel"))]
    let datas: Vec<NodeData> = customers.iter().map(|c| leaf_node(c, secrets, k)).collect();
    let mut out = Nodes::with_capacity(customers.len(), k);
    for (c, d) in customers.iter().zip(datas) {
        out.push(c.position, d);
    }
    out
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

impl std::error::Error for BuildErrorV2 {}

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
        let assets = AssetsV2::new(with_units).map_err(|e| BuildErrorV2::Assets(e.to_string()))?;
        TreeV2::build_with_units(&assets, ledger, secret, height)
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
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
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

        // Positions: in id order, the first free candidate.
        let mut taken = std::collections::HashSet::with_capacity(n);
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
        let mut level = leaves(&customers, &secrets, k);
        for l in 0..height {
            if l >= keep_from {
                kept.push(level.clone());
            }
            level = step(&level, l, &secrets, k);
        }
        let top = level.node(0, k);
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
    pub fn root_points(&self) -> &[RistrettoPoint] {
        &self.top.points
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
        let lo = position << level;
        let hi = (position + 1) << level;
        let a = self.customers.partition_point(|c| c.position < lo);
        let b = self.customers.partition_point(|c| c.position < hi);
        if a == b {
            return pad_node(&self.secrets, level, position, k);
        }
        let mut nodes = leaves(&self.customers[a..b], &self.secrets, k);
        for l in 0..level {
            nodes = step_range(&nodes, 0..nodes.len(), l, &self.secrets, k);
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
        range_proofs: Vec<Vec<u8>>,
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
            range_proofs,
            root.claimed(),
        )
    }

    /// Creates the `por-proof-v2` of one customer, or `None` if no customer
    /// has this user id. Deterministic: the same tree gives the same bytes.
    #[must_use]
    pub fn proof(&self, user_id: &str) -> Option<ProofV2> {
        let c = self.find_customer(user_id)?;
        let (path, values, blindings) = self.path_of(c);
        let range_proofs = self.range_proofs(&self.root.hash, c.position, &values, &blindings);
        Some(self.assemble(c, path, range_proofs, &self.root))
    }

    fn range_proofs(
        &self,
        root_hash: &NodeHash,
        position: u64,
        values: &[u64],
        blindings: &[Scalar],
    ) -> Vec<Vec<u8>> {
        let sizes = chunk_sizes(values.len());
        let bp = super::proof::bulletproof_gens(sizes.first().copied().unwrap_or(1));
        let pc = format::generators().pedersen();
        let mut starts = Vec::with_capacity(sizes.len());
        let mut start = 0;
        for size in &sizes {
            starts.push(start);
            start += size;
        }
        let prove = |j: usize| -> Vec<u8> {
            let (start, size) = (starts[j], sizes[j]);
            let chunk = u32::try_from(j).expect("at most 64 chunks");
            let seed = self.secrets.range_rng_seed(root_hash, position, chunk);
            let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
            let mut t = super::proof::range_transcript(root_hash, position, chunk);
            let (proof, _) = bulletproofs::RangeProof::prove_multiple_with_rng(
                &bp,
                &pc,
                &mut t,
                &values[start..start + size],
                &blindings[start..start + size],
                format::RANGE_BITS,
                &mut rng,
            )
            .expect("u64 values, chunk sizes powers of two within the generators");
            proof.to_bytes()
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            (0..sizes.len()).into_par_iter().map(prove).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            (0..sizes.len()).map(prove).collect()
        }
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
        let range_proofs = self.range_proofs(&root.hash, c.position, &values, &blindings);
        Some((self.assemble(c, path, range_proofs, &root), root))
    }
}

/// The lowest level kept in memory: levels whose at most `2^(h-l)` nodes
/// are no more than `max(1, n/8)`.
fn keep_from(height: u8, n: usize) -> u8 {
    let budget = (n / 8).max(1);
    let log = u8::try_from(usize::BITS - 1 - budget.leading_zeros()).unwrap_or(0);
    height.saturating_sub(log)
}
