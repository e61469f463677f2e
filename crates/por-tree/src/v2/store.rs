//! The stored v2 tree (`tree-v2.bin` in a v2 tree directory): every node the
//! sparse build materialises, written as the build computes it, and a reader
//! that serves one customer's `por-proof-v2` from it with one read per level,
//! without rebuilding the tree (`docs/tree-v2.md`, "Tree directory").
//!
//! This module does no I/O of its own: [`build_stored`] writes to any
//! [`Write`], [`StoredTreeV2`] reads from any [`Read`] + [`Seek`] the caller
//! opens (a [`std::fs::File`], or a [`std::io::Cursor`] over bytes). It is
//! the only part of `v2` that uses `std::io`.
//!
//! ```text
//! header   magic "PORTV2ST" | be32 version (1) | be32 k | be32 height | be32 0
//! levels   0 (leaves) to height (the top node), each a run of records sorted
//!          by position:
//!            be64 position | be64 parent | hash (32)
//!            | k × (commitment (32) | be64 value | masked blinding (32))
//!          level 0 records then add: leaf id (32) | k × be128 balance
//!          | leaf tag (32)
//! index    (2^b + 1) × be64 bucket starts | n × (leaf id (32) | be64 leaf),
//!          sorted by leaf id; bucket = top b bits of the id's first 8 bytes
//! trailer  (height + 1) × be64 node count | be64 n | be32 b | be32 0
//!          | magic "PORTV2EN"
//! ```
//!
//! `parent` is the index of the node's parent in the next level; a node's
//! sibling, when it is not padding, is the record beside it. Values are in
//! proof units; balances are the customer's exact balances in base units. A
//! blinding factor `r` is stored as `r + m(l, p, i)` (mod ℓ), the mask
//! derived from the snapshot secret ([`Secrets::store_mask`]), so the file
//! alone gives no blinding factor and no range proof can be made from it
//! without the secret. Padding nodes are not stored: they are derived from
//! the secret on demand, as in memory.
//!
//! The reader checks what it uses: the top node against the published root
//! (hash, totals, blinding factors, opening), each node on the path against
//! its parent's hash, values and blinding factors, each stored sibling's
//! commitments against its values and blinding factors, and the customer's
//! leaf against its id, its balances and its tag (an HMAC under the secret
//! of the id and the exact balances, which the commitments bind only up to
//! the proof unit). A file that does not agree is an error,
//! never a wrong proof.

use core::fmt;

use crate::prelude::*;
use std::io::{self, Read, Seek, SeekFrom, Write};

use curve25519_dalek::scalar::Scalar;

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::hash::{self, LeafId, NodeHash, SnapshotSecret};
use crate::ledger::Ledger;

use super::format::{self, Secrets};
use super::proof::{ProofV2, RootV2, Sibling};
use super::tree::{self, BuildErrorV2, Customer, Level, Mul, Nodes, TreeV2};

/// File name of the stored tree in a v2 tree directory.
pub const STORED_TREE_FILE: &str = "tree-v2.bin";

const MAGIC: &[u8; 8] = b"PORTV2ST";
const END_MAGIC: &[u8; 8] = b"PORTV2EN";
/// The `tree-v2.bin` version this module writes and reads.
pub const STORED_TREE_VERSION: u32 = 1;
const HEADER: u64 = 24;
const TRAILER: u64 = 24;
const INDEX_ENTRY: u64 = 40;
const INDEX_ENTRY_BYTES: usize = 40;

/// A stored tree that cannot be written or read, or that does not agree
/// with the published root or the secret.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreErrorV2 {
    /// Reading or writing failed.
    Io(io::Error),
    /// The contents are not what the format says, or do not agree with each
    /// other or with the published root.
    Corrupt(String),
    /// The stored blinding factors do not unmask to the published root's
    /// with this secret.
    WrongSecret,
    /// The build failed (writing only).
    Build(BuildErrorV2),
}

impl StoreErrorV2 {
    fn io(e: io::Error) -> StoreErrorV2 {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            return corrupt("truncated: it ends before its header says");
        }
        StoreErrorV2::Io(e)
    }
}

fn corrupt(what: impl Into<String>) -> StoreErrorV2 {
    StoreErrorV2::Corrupt(what.into())
}

impl fmt::Display for StoreErrorV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreErrorV2::Io(e) => write!(f, "{STORED_TREE_FILE}: {e}"),
            StoreErrorV2::Corrupt(what) => write!(
                f,
                "{STORED_TREE_FILE}: {what}: the file is truncated, corrupt or not this tree's"
            ),
            StoreErrorV2::WrongSecret => write!(
                f,
                "{STORED_TREE_FILE}: its root blinding factors do not unmask to the published ones with this secret: wrong secret, or the file was changed"
            ),
            StoreErrorV2::Build(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StoreErrorV2 {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreErrorV2::Io(e) => Some(e),
            _ => None,
        }
    }
}

fn record_len(k: usize) -> usize {
    48 + 72 * k
}

fn leaf_record_len(k: usize) -> usize {
    record_len(k) + 64 + 16 * k
}

/// `2^b` buckets for `n` leaves: about 8 leaves per bucket.
fn bucket_bits(n: u64) -> u32 {
    n.div_ceil(8).max(1).next_power_of_two().trailing_zeros()
}

fn bucket_of(id: &[u8; 32], bits: u32) -> u64 {
    let mut top = [0u8; 8];
    top.copy_from_slice(&id[..8]);
    let top = u64::from_be_bytes(top);
    if bits == 0 {
        0
    } else {
        top >> (64 - bits)
    }
}

// ---------------------------------------------------------------- writing

/// Builds a v2 tree as [`TreeV2::build`] (or, with `variable_time_hazmat`,
/// [`TreeV2::build_vartime_hazmat`]) and writes its stored form to `w` as
/// the levels are computed, so the lower levels are never all in memory.
/// Returns the tree (whose root is the one to publish).
///
/// # Errors
///
/// [`StoreErrorV2::Build`] if the tree cannot be built, [`StoreErrorV2::Io`]
/// if writing fails.
pub fn build_stored<W: Write>(
    assets: &AssetList,
    ledger: &Ledger,
    secret: &SnapshotSecret,
    height: u8,
    variable_time_hazmat: bool,
    w: &mut W,
) -> Result<TreeV2, StoreErrorV2> {
    let assets = TreeV2::units_for(assets, ledger).map_err(StoreErrorV2::Build)?;
    let k = assets.len();
    let mul = if variable_time_hazmat {
        Mul::VartimeHazmat
    } else {
        Mul::ConstantTime
    };
    let secrets = Secrets::new(secret);
    let mut writer = LevelWriter {
        w,
        secrets: &secrets,
        k,
        counts: Vec::new(),
        index: Vec::new(),
        err: None,
    };
    let mut head = Vec::with_capacity(24);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&STORED_TREE_VERSION.to_be_bytes());
    head.extend_from_slice(&u32::try_from(k).unwrap_or(u32::MAX).to_be_bytes());
    head.extend_from_slice(&u32::from(height).to_be_bytes());
    head.extend_from_slice(&0u32.to_be_bytes());
    let mut sink = |level: u8, nodes: &Level, customers: &[Customer]| {
        if writer.err.is_none() {
            if level == 0 {
                if let Err(e) = writer.w.write_all(&head) {
                    writer.err = Some(e);
                    return;
                }
            }
            if let Err(e) = writer.level(level, nodes, customers) {
                writer.err = Some(e);
            }
        }
    };
    let tree = TreeV2::build_inner(&assets, ledger, secret, height, mul, Some(&mut sink))
        .map_err(StoreErrorV2::Build)?;
    if let Some(e) = writer.err.take() {
        return Err(StoreErrorV2::Io(e));
    }
    writer.finish().map_err(StoreErrorV2::Io)?;
    Ok(tree)
}

struct LevelWriter<'a, W> {
    w: &'a mut W,
    secrets: &'a Secrets,
    k: usize,
    counts: Vec<u64>,
    index: Vec<([u8; 32], u64)>,
    err: Option<io::Error>,
}

impl<W: Write> LevelWriter<'_, W> {
    fn level(&mut self, level: u8, nodes: &Level, customers: &[Customer]) -> io::Result<()> {
        let n = nodes.len();
        if level == 0 {
            if customers.len() != n {
                return Err(io::Error::other(
                    "internal error: leaves and customers differ",
                ));
            }
            self.index = customers
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.to_byte_array(), i as u64))
                .collect();
        }
        // Each chunk with its first node's index in the level and its
        // first node's parent index in the next level (the number of
        // distinct parents before it), counted across chunks.
        let mut jobs = Vec::new();
        let (mut first, mut parent, mut last) = (0usize, 0u64, None::<u64>);
        for c in nodes.chunks() {
            let p0 = c.positions[0];
            if last.is_some_and(|q| q >> 1 != p0 >> 1) {
                parent += 1;
            }
            jobs.push((c, first, parent));
            for w in c.positions.windows(2) {
                if w[0] >> 1 != w[1] >> 1 {
                    parent += 1;
                }
            }
            first += c.len();
            last = c.positions.last().copied();
        }
        let encode = |&(c, first, parent): &(&Nodes, usize, u64)| -> Vec<u8> {
            let leaves = (level == 0).then(|| &customers[first..first + c.len()]);
            encode_records(c, parent, level, self.k, self.secrets, leaves)
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            for group in jobs.chunks(64) {
                let parts: Vec<Vec<u8>> = group.par_iter().map(encode).collect();
                for p in parts {
                    self.w.write_all(&p)?;
                }
            }
        }
        #[cfg(not(feature = "parallel"))]
        for job in &jobs {
            self.w.write_all(&encode(job))?;
        }
        self.counts.push(n as u64);
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        let n = self.index.len() as u64;
        let bits = bucket_bits(n);
        self.index.sort_unstable_by_key(|a| a.0);
        let buckets = 1usize << bits;
        let mut starts = vec![0u64; buckets + 1];
        for (id, _) in &self.index {
            let b = usize::try_from(bucket_of(id, bits)).unwrap_or(buckets - 1);
            starts[b + 1] += 1;
        }
        for j in 0..buckets {
            starts[j + 1] += starts[j];
        }
        let mut buf = Vec::with_capacity(8 * (buckets + 1));
        for s in &starts {
            buf.extend_from_slice(&s.to_be_bytes());
        }
        self.w.write_all(&buf)?;
        let mut buf = Vec::with_capacity(1 << 16);
        for (id, leaf) in &self.index {
            buf.extend_from_slice(id);
            buf.extend_from_slice(&leaf.to_be_bytes());
            if buf.len() >= 1 << 16 {
                self.w.write_all(&buf)?;
                buf.clear();
            }
        }
        for c in &self.counts {
            buf.extend_from_slice(&c.to_be_bytes());
        }
        buf.extend_from_slice(&n.to_be_bytes());
        buf.extend_from_slice(&bits.to_be_bytes());
        buf.extend_from_slice(&0u32.to_be_bytes());
        buf.extend_from_slice(END_MAGIC);
        self.w.write_all(&buf)?;
        self.w.flush()
    }
}

/// The records of one chunk of a level: `parent` is the parent index of
/// its first node, `leaves` (level 0) its customers.
fn encode_records(
    nodes: &Nodes,
    mut parent: u64,
    level: u8,
    k: usize,
    secrets: &Secrets,
    leaves: Option<&[Customer]>,
) -> Vec<u8> {
    let len = if leaves.is_some() {
        leaf_record_len(k)
    } else {
        record_len(k)
    };
    let mut out = Vec::with_capacity(nodes.len() * len);
    for i in 0..nodes.len() {
        let p = nodes.positions[i];
        if i > 0 && nodes.positions[i - 1] >> 1 != p >> 1 {
            parent += 1;
        }
        out.extend_from_slice(&p.to_be_bytes());
        out.extend_from_slice(&parent.to_be_bytes());
        out.extend_from_slice(nodes.hashes[i].as_byte_array());
        for a in 0..k {
            let j = i * k + a;
            out.extend_from_slice(&nodes.enc[j]);
            out.extend_from_slice(&nodes.values[j].to_be_bytes());
            let masked = nodes.blindings[j] + secrets.store_mask(level, p, tree::asset_index(a));
            out.extend_from_slice(masked.as_bytes());
        }
        if let Some(customers) = leaves {
            let c = &customers[i];
            out.extend_from_slice(c.id.as_byte_array());
            for b in &c.balances {
                out.extend_from_slice(&b.to_base_units().to_be_bytes());
            }
            out.extend_from_slice(&secrets.store_leaf_tag(&c.id, &c.balances));
        }
    }
    out
}

// ---------------------------------------------------------------- reading

/// One stored node, its blinding factors unmasked.
struct Record {
    position: u64,
    parent: u64,
    hash: NodeHash,
    enc: Vec<[u8; 32]>,
    values: Vec<u64>,
    blindings: Vec<Scalar>,
    /// Level 0 only: the leaf id and the balances.
    leaf: Option<(LeafId, Vec<Amount>, [u8; 32])>,
}

fn be_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_be_bytes(a)
}

fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_be_bytes(a)
}

fn arr32(b: &[u8]) -> [u8; 32] {
    let mut a = [0u8; 32];
    a.copy_from_slice(&b[..32]);
    a
}

/// Serves customers' `por-proof-v2` from a stored v2 tree (`tree-v2.bin`)
/// and the snapshot secret, reading only what one proof needs: two reads of
/// the index to find the customer's leaf, then one read per level (the node
/// on the path and the records beside it). Padding siblings are derived
/// from the secret. The proof is byte for byte the one [`TreeV2::proof`]
/// creates on the tree in memory.
///
/// An exchange's API keeps one reader per worker (reads move the file's
/// position) and calls [`StoredTreeV2::proof`] per request; it should check
/// each proof with [`super::check`] against its published root before
/// handing it out, as `por tree proof` does.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::fs::File;
/// use por_tree::v2::store::{StoredTreeV2, STORED_TREE_FILE};
/// # let (root, secret): (por_tree::v2::RootV2, por_tree::SnapshotSecret) = todo!();
/// let dir = std::path::Path::new("tree");
/// // root is the `root` of DIR/tree-v2.json (the published por-root-v2)
/// let mut reader = StoredTreeV2::open(root, &secret, File::open(dir.join(STORED_TREE_FILE))?)?;
/// if let Some(proof) = reader.proof("customer-000042")? {
///     println!("{}", proof.to_json());
/// }
/// # Ok(()) }
/// ```
pub struct StoredTreeV2<R> {
    r: R,
    root: RootV2,
    secrets: Secrets,
    k: usize,
    height: u8,
    counts: Vec<u64>,
    /// Byte offset where each level starts.
    starts: Vec<u64>,
    index_start: u64,
    bits: u32,
}

impl<R> fmt::Debug for StoredTreeV2<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTreeV2")
            .field("root", &self.root.hash)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> StoredTreeV2<R> {
    /// Opens a stored tree whose published root is `root`, and checks it:
    /// header and trailer, the asset count and height against `root`, every
    /// length, and the stored top node against `root` (its root hash, its
    /// values against the totals, its blinding factors, unmasked with
    /// `secret`, against the published ones, and its opening).
    ///
    /// # Errors
    ///
    /// A [`StoreErrorV2`]: [`StoreErrorV2::WrongSecret`] when the top node's
    /// blinding factors do not unmask to the root's.
    pub fn open(
        root: RootV2,
        secret: &SnapshotSecret,
        mut r: R,
    ) -> Result<StoredTreeV2<R>, StoreErrorV2> {
        let len = r.seek(SeekFrom::End(0)).map_err(StoreErrorV2::io)?;
        if len < HEADER + TRAILER {
            return Err(corrupt(format!("{len} bytes is too short")));
        }
        let mut head = [0u8; 24];
        read_at(&mut r, 0, &mut head)?;
        if &head[..8] != MAGIC {
            return Err(corrupt("not a stored v2 tree (no PORTV2ST magic)"));
        }
        let version = be_u32(&head[8..]);
        if version != STORED_TREE_VERSION {
            return Err(corrupt(format!(
                "version {version}; this por reads version {STORED_TREE_VERSION}"
            )));
        }
        let k = be_u32(&head[12..]) as usize;
        if k != root.assets.len() {
            return Err(corrupt(format!(
                "{k} assets, but the published root has {}",
                root.assets.len()
            )));
        }
        let height = be_u32(&head[16..]);
        if height != u32::from(root.height) {
            return Err(corrupt(format!(
                "height {height}, but the published root's is {}",
                root.height
            )));
        }
        let height = root.height;
        let mut tail = [0u8; 24];
        read_at(&mut r, len - TRAILER, &mut tail)?;
        if &tail[16..] != END_MAGIC {
            return Err(corrupt("no PORTV2EN trailer"));
        }
        let n = be_u64(&tail);
        let bits = be_u32(&tail[8..]);
        if n == 0 || bits != bucket_bits(n) {
            return Err(corrupt(format!("{n} customers in {bits} bucket bits")));
        }
        let levels = u64::from(height) + 1;
        let counts_at = (len - TRAILER)
            .checked_sub(8 * levels)
            .ok_or_else(|| corrupt("too short for its level counts"))?;
        let mut raw = vec![0u8; 8 * usize::from(height) + 8];
        read_at(&mut r, counts_at, &mut raw)?;
        let counts: Vec<u64> = raw.chunks_exact(8).map(be_u64).collect();
        if counts[0] != n || counts[usize::from(height)] != 1 {
            return Err(corrupt(format!(
                "{} leaves and {} top nodes, expected {n} and 1",
                counts[0],
                counts[usize::from(height)]
            )));
        }
        if counts.windows(2).any(|w| w[1] > w[0] || w[1] == 0) {
            return Err(corrupt("a level has more nodes than the one below it"));
        }
        let overflow = || corrupt("level sizes overflow");
        let mut starts = Vec::with_capacity(counts.len());
        let mut at = HEADER;
        for (l, &c) in counts.iter().enumerate() {
            starts.push(at);
            let rec = if l == 0 {
                leaf_record_len(k)
            } else {
                record_len(k)
            } as u64;
            at = c
                .checked_mul(rec)
                .and_then(|b| b.checked_add(at))
                .ok_or_else(overflow)?;
        }
        let index_start = at;
        let index_len = (1u64 << bits)
            .checked_add(1)
            .and_then(|b| b.checked_mul(8))
            .and_then(|b| b.checked_add(n.checked_mul(INDEX_ENTRY)?))
            .ok_or_else(overflow)?;
        let expected = index_start
            .checked_add(index_len)
            .and_then(|b| b.checked_add(8 * levels + TRAILER))
            .ok_or_else(overflow)?;
        if expected != len {
            return Err(corrupt(format!(
                "{len} bytes, but its counts say {expected}"
            )));
        }
        let mut s = StoredTreeV2 {
            r,
            root,
            secrets: Secrets::new(secret),
            k,
            height,
            counts,
            starts,
            index_start,
            bits,
        };
        s.check_top()?;
        Ok(s)
    }

    /// The number of customers (private: in no proof or publication).
    #[must_use]
    pub fn customers(&self) -> u64 {
        self.counts[0]
    }

    /// The published root this reader was opened with.
    #[must_use]
    pub fn root(&self) -> &RootV2 {
        &self.root
    }

    fn check_top(&mut self) -> Result<(), StoreErrorV2> {
        let h = self.height;
        let top = self
            .read(h, 0, 1)?
            .pop()
            .ok_or_else(|| corrupt("no top node"))?;
        let hash = format::root_hash(&self.root.assets, h, &top.hash, &top.enc);
        if top.position != 0 || hash != self.root.hash {
            return Err(corrupt(format!(
                "its top node gives root {hash}, but the published root (tree-v2.json) is {}",
                self.root.hash
            )));
        }
        if top.values != self.root.totals {
            return Err(corrupt(
                "its top node's values are not the published totals",
            ));
        }
        if top.blindings != self.root.blindings {
            return Err(StoreErrorV2::WrongSecret);
        }
        let gens = format::generators();
        for a in 0..self.k {
            let c = gens.commit(top.values[a], &top.blindings[a]).compress();
            if c.to_bytes() != top.enc[a] {
                return Err(corrupt(
                    "its top node does not open to the published totals",
                ));
            }
        }
        Ok(())
    }

    /// Reads `count` records from `first` of `level` (one read).
    fn read(&mut self, level: u8, first: u64, count: u64) -> Result<Vec<Record>, StoreErrorV2> {
        let l = usize::from(level);
        let in_level = self.counts[l];
        if first.checked_add(count).is_none_or(|e| e > in_level) {
            return Err(corrupt(format!(
                "nodes {first}.. of level {level} are outside it ({in_level} nodes)"
            )));
        }
        let k = self.k;
        let len = if level == 0 {
            leaf_record_len(k)
        } else {
            record_len(k)
        };
        let mut buf = vec![0u8; len * usize::try_from(count).map_err(|_| corrupt("too many"))?];
        read_at(&mut self.r, self.starts[l] + first * len as u64, &mut buf)?;
        let mut out = Vec::new();
        for rec in buf.chunks_exact(len) {
            let position = be_u64(rec);
            let mut enc = Vec::with_capacity(k);
            let mut values = Vec::with_capacity(k);
            let mut blindings = Vec::with_capacity(k);
            for a in 0..k {
                let f = &rec[48 + 72 * a..];
                enc.push(arr32(f));
                values.push(be_u64(&f[32..]));
                let masked: Option<Scalar> = Scalar::from_canonical_bytes(arr32(&f[40..])).into();
                let masked = masked.ok_or_else(|| {
                    corrupt(format!("a non-canonical blinding factor at level {level}"))
                })?;
                blindings.push(
                    masked
                        - self
                            .secrets
                            .store_mask(level, position, tree::asset_index(a)),
                );
            }
            let leaf = (level == 0).then(|| {
                let f = &rec[record_len(k)..];
                let id = LeafId::from_byte_array(arr32(f));
                let balances: Vec<Amount> = f[32..32 + 16 * k]
                    .chunks_exact(16)
                    .map(|b| {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        Amount::from_base_units(u128::from_be_bytes(a))
                    })
                    .collect();
                let tag = arr32(&f[32 + 16 * k..]);
                (id, balances, tag)
            });
            out.push(Record {
                position,
                parent: be_u64(&rec[8..]),
                hash: NodeHash::from_byte_array(arr32(&rec[16..])),
                enc,
                values,
                blindings,
                leaf,
            });
        }
        Ok(out)
    }

    /// The leaf index of a leaf id, from the index (two reads).
    fn find(&mut self, id: &LeafId) -> Result<Option<u64>, StoreErrorV2> {
        let id = id.to_byte_array();
        let n = self.counts[0];
        let b = bucket_of(&id, self.bits);
        let mut bounds = [0u8; 16];
        read_at(&mut self.r, self.index_start + 8 * b, &mut bounds)?;
        let (s, e) = (be_u64(&bounds), be_u64(&bounds[8..]));
        if s > e || e > n {
            return Err(corrupt(format!("index bucket {b} is {s}..{e} of {n}")));
        }
        let entries = self.index_start + 8 * ((1u64 << self.bits) + 1);
        let mut buf =
            vec![0u8; usize::try_from((e - s) * INDEX_ENTRY).map_err(|_| corrupt("index"))?];
        read_at(&mut self.r, entries + s * INDEX_ENTRY, &mut buf)?;
        for entry in buf.chunks_exact(INDEX_ENTRY_BYTES) {
            if entry[..32] == id {
                let leaf = be_u64(&entry[32..]);
                if leaf >= n {
                    return Err(corrupt(format!("index entry for leaf {leaf} of {n}")));
                }
                return Ok(Some(leaf));
            }
        }
        Ok(None)
    }

    /// Creates the `por-proof-v2` of `user_id`, or `None` if the tree has
    /// no such customer: byte for byte the proof [`TreeV2::proof`] creates.
    ///
    /// # Errors
    ///
    /// A [`StoreErrorV2`] if reading fails or what is read does not agree
    /// (a node that does not hash to its parent, values or blinding factors
    /// that do not add up, a commitment that does not open, a leaf that is
    /// not the customer's).
    pub fn proof(&mut self, user_id: &str) -> Result<Option<ProofV2>, StoreErrorV2> {
        let k = self.k;
        let h = self.height;
        let salt = self.secrets.salt(user_id);
        let id = hash::leaf_id(&salt, user_id);
        let Some(mut index) = self.find(&id)? else {
            return Ok(None);
        };
        let gens = format::generators();
        let opens = |enc: &[[u8; 32]], values: &[u64], blindings: &[Scalar]| {
            (0..k).all(|a| gens.commit(values[a], &blindings[a]).compress().to_bytes() == enc[a])
        };
        let mut path = Vec::with_capacity(usize::from(h));
        let mut values = Vec::with_capacity(usize::from(h) * k);
        let mut blindings = Vec::with_capacity(usize::from(h) * k);
        let mut leaf = None;
        // What the node on the path at this level must be, from below.
        let mut expected: Option<(u64, NodeHash, Vec<u64>, Vec<Scalar>)> = None;
        for l in 0..=h {
            let in_level = self.counts[usize::from(l)];
            if index >= in_level {
                return Err(corrupt(format!(
                    "a parent index {index} outside level {l} ({in_level} nodes)"
                )));
            }
            let first = index.saturating_sub(1);
            let last = (index + 1).min(in_level - 1);
            let window = self.read(l, first, last + 1 - first)?;
            let at = usize::try_from(index - first).map_err(|_| corrupt("index"))?;
            let me = &window[at];
            if let Some((position, hash, v, r)) = expected.take() {
                if me.position != position || me.hash != hash {
                    return Err(corrupt(format!(
                        "the node at level {l}, position {}, is not the hash of its children",
                        me.position
                    )));
                }
                if me.values != v || me.blindings != r {
                    return Err(corrupt(format!(
                        "the node at level {l}, position {}, does not hold the sum of its children",
                        me.position
                    )));
                }
            } else {
                // The customer's leaf.
                let Some((leaf_id, balances, tag)) = &me.leaf else {
                    return Err(corrupt("a leaf record without its leaf id"));
                };
                if *leaf_id != id || format::leaf_hash(&id, &me.enc) != me.hash {
                    return Err(corrupt(format!(
                        "the leaf the index gives for this customer (position {}) is not theirs",
                        me.position
                    )));
                }
                let derived: Vec<Scalar> = (0..k)
                    .map(|a| self.secrets.blinding(0, me.position, tree::asset_index(a)))
                    .collect();
                let units: Option<Vec<u64>> = self
                    .root
                    .assets
                    .iter()
                    .zip(balances)
                    .map(|(a, b)| a.to_units(*b))
                    .collect();
                if *tag != self.secrets.store_leaf_tag(&id, balances)
                    || me.blindings != derived
                    || units.as_deref() != Some(&me.values[..])
                    || !opens(&me.enc, &me.values, &me.blindings)
                {
                    return Err(corrupt(format!(
                        "the leaf at position {} does not open to its balances",
                        me.position
                    )));
                }
                leaf = Some((me.position, balances.clone(), derived));
            }
            if l == h {
                break;
            }
            let q = me.position ^ 1;
            let stored = window.iter().find(|w| w.position == q);
            let (s_hash, s_enc, s_values, s_blindings) = match stored {
                Some(s) => {
                    if !opens(&s.enc, &s.values, &s.blindings) {
                        return Err(corrupt(format!(
                            "the node at level {l}, position {q}, does not open to its values"
                        )));
                    }
                    (s.hash, s.enc.clone(), s.values.clone(), s.blindings.clone())
                }
                None => {
                    let p = tree::pad_node(&self.secrets, l, q, k);
                    (p.hash, p.enc, p.values, p.blindings)
                }
            };
            let (lh, le, rh, re) = if me.position & 1 == 0 {
                (&me.hash, &me.enc, &s_hash, &s_enc)
            } else {
                (&s_hash, &s_enc, &me.hash, &me.enc)
            };
            let parent_hash = format::node_hash(lh, le, rh, re);
            let mut v = Vec::with_capacity(k);
            let mut r = Vec::with_capacity(k);
            for a in 0..k {
                v.push(
                    me.values[a]
                        .checked_add(s_values[a])
                        .ok_or_else(|| corrupt(format!("values at level {l} overflow 64 bits")))?,
                );
                r.push(me.blindings[a] + s_blindings[a]);
            }
            expected = Some((me.position >> 1, parent_hash, v, r));
            values.extend_from_slice(&s_values);
            blindings.extend_from_slice(&s_blindings);
            path.push(Sibling {
                hash: s_hash,
                commitments: s_enc,
            });
            index = me.parent;
        }
        let (position, balances, leaf_blindings) = leaf.ok_or_else(|| corrupt("no leaf"))?;
        let range_proof = tree::range_proof(
            &self.secrets,
            &self.root.hash,
            position,
            &values,
            &blindings,
        );
        Ok(Some(ProofV2::new(
            self.root.assets.clone(),
            h,
            user_id.to_owned(),
            salt,
            balances,
            position,
            leaf_blindings,
            path,
            range_proof,
            self.root.claimed(),
        )))
    }
}

fn read_at<R: Read + Seek>(r: &mut R, offset: u64, buf: &mut [u8]) -> Result<(), StoreErrorV2> {
    r.seek(SeekFrom::Start(offset)).map_err(StoreErrorV2::io)?;
    r.read_exact(buf).map_err(StoreErrorV2::io)
}
