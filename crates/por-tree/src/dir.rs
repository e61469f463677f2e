//! The binary files of a tree directory (`por tree build --out DIR`), and a
//! reader that serves one customer's proof from them without loading the
//! tree: the function an exchange's API calls per request.
//!
//! This module does no I/O of its own: it writes to any [`Write`] and reads
//! from any [`Read`] + [`Seek`] the caller opens (a [`std::fs::File`], or a
//! [`std::io::Cursor`] over bytes in memory).
//!
//! ```text
//! DIR/nodes.bin       every level, leaves first, padding included
//! DIR/customers.bin   salt and user id of each leaf, in leaf order
//! DIR/users.idx       user id -> leaf index (a hash table on disk)
//! ```
//!
//! # `nodes.bin`
//!
//! Magic `PORNODES`, then big-endian u32 version, u32 `k`, u32 level count,
//! one u64 node count per level; then the levels, leaves first.
//!
//! - Version 2 (written since issue 17): each level is a run of records of
//!   `32 + 16 k` bytes, a node's hash followed by its `k` sums (16-byte
//!   big-endian). One read per level fetches a sibling, and one read at
//!   level 0 fetches the customer's leaf and its sibling together.
//! - Version 1 (read, no longer written): each level's hashes (32 bytes
//!   each), then its sums (`16 k` bytes per node). Two reads per node.
//!
//! # `customers.bin`
//!
//! Magic `PORCUST1`, u64 count `n`, the `n` salts (32 bytes each) in leaf
//! order, then each user id as u32 big-endian length + UTF-8 bytes, in leaf
//! order.
//!
//! # `users.idx`
//!
//! Finds a user id's leaf in a few reads instead of a scan of
//! `customers.bin`. Each user id's key is `K = SHA-256("por/users/v1" ||
//! 0x00 || utf8(user_id))`; its bucket is the top `b` bits of `K[0..8]`
//! (big-endian), its fingerprint `K[8..12]` as a big-endian u32.
//!
//! ```text
//! magic "PORUIDX1" | u64 n | u32 b | u32 0
//! 2^b + 1 u64: entry number where bucket j starts (the last is n)
//! n entries of 16 bytes, by bucket, then leaf: u32 fingerprint | u32 leaf | u64 offset
//! ```
//!
//! `offset` is where the user id's length prefix starts in `customers.bin`.
//! `b` is the smallest number of bits with `2^b >= n / 8` (about 8 entries
//! per bucket). A lookup reads the bucket's two bounds, its entries, and for
//! each fingerprint that matches the user id at `offset` (compared in full,
//! so a fingerprint collision costs one read, never a wrong answer), then the
//! salt. A directory without `users.idx` (written before it existed) is
//! searched by scanning `customers.bin`.
//!
//! The directory holds every customer's balance and salt: it is as
//! confidential as the balances export itself. The reader trusts the files
//! as a database trusts its pages (hashes are not recomputed), but checks
//! every length and offset, so a truncated or corrupt file is an error
//! naming the file, never a panic; and it checks that the stored top node is
//! the root the caller gives.

use core::fmt;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};

use sha2::{Digest, Sha256};

use crate::amount::Amount;
use crate::asset::{AssetList, MAX_ASSETS};
use crate::hash::{NodeHash, Salt};
use crate::ledger::MAX_USER_ID_BYTES;
use crate::prelude::*;
use crate::proof::InclusionProof;
use crate::tree::{Customers, Level, PathStep, RootCommitment};

/// File name of the levels.
pub const NODES_FILE: &str = "nodes.bin";
/// File name of the customers (salts and user ids).
pub const CUSTOMERS_FILE: &str = "customers.bin";
/// File name of the user index.
pub const USERS_INDEX_FILE: &str = "users.idx";

const NODES_MAGIC: &[u8; 8] = b"PORNODES";
pub(crate) const CUSTOMERS_MAGIC: &[u8; 8] = b"PORCUST1";
pub(crate) const INDEX_MAGIC: &[u8; 8] = b"PORUIDX1";
const INDEX_LABEL: &[u8] = b"por/users/v1\x00";
const INDEX_HEADER: u64 = 24;
const INDEX_ENTRY: u64 = 16;
/// The `nodes.bin` version this module writes.
pub const NODES_VERSION: u32 = 2;

/// A tree directory file that cannot be read or written, naming the file.
#[derive(Debug)]
pub struct DirError {
    file: &'static str,
    kind: DirErrorKind,
}

/// What went wrong with a tree directory file.
#[derive(Debug)]
#[non_exhaustive]
pub enum DirErrorKind {
    /// Reading or writing failed (a file shorter than its header says is
    /// reported as [`DirErrorKind::Corrupt`] instead).
    Io(io::Error),
    /// The contents are not what the format says.
    Corrupt(String),
}

impl DirError {
    fn io(file: &'static str, e: io::Error) -> DirError {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            return DirError::corrupt(file, "truncated: it ends before its header says".into());
        }
        DirError {
            file,
            kind: DirErrorKind::Io(e),
        }
    }

    fn corrupt(file: &'static str, what: String) -> DirError {
        DirError {
            file,
            kind: DirErrorKind::Corrupt(what),
        }
    }

    /// The file (`nodes.bin`, `customers.bin`, `users.idx`).
    #[must_use]
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &DirErrorKind {
        &self.kind
    }
}

impl fmt::Display for DirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DirErrorKind::Io(e) => write!(f, "{}: {e}", self.file),
            DirErrorKind::Corrupt(what) => {
                write!(f, "{}: {what}: the file is truncated or corrupt", self.file)
            }
        }
    }
}

impl core::error::Error for DirError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.kind {
            DirErrorKind::Io(e) => Some(e),
            DirErrorKind::Corrupt(_) => None,
        }
    }
}

// ---------------------------------------------------------------- writing

/// Writes `nodes.bin` (version 2) of `k` sums per node: the liabilities
/// tree's levels, or any tree of the same shape (the distribution tree's,
/// with `k = 4 × columns`).
///
/// # Errors
///
/// A write error, or `k` or the level count over `u32::MAX`.
pub fn write_nodes(w: &mut impl Write, k: usize, levels: &[Level]) -> io::Result<()> {
    write_nodes_header(w, NODES_VERSION, k, levels.iter().map(|l| l.len() as u64))?;
    let mut buf = Vec::with_capacity(1 << 20);
    for level in levels {
        let mut sums = level.sums().chunks_exact(k.max(1));
        for h in level.hashes() {
            buf.extend_from_slice(h.as_byte_array());
            if k > 0 {
                for s in sums.next().unwrap_or(&[]) {
                    buf.extend_from_slice(&s.to_be_bytes());
                }
            }
            if buf.len() >= (1 << 20) - 64 - 16 * k {
                w.write_all(&buf)?;
                buf.clear();
            }
        }
        w.write_all(&buf)?;
        buf.clear();
    }
    Ok(())
}

/// Writes the `nodes.bin` header (magic, version, `k`, level counts).
pub(crate) fn write_nodes_header(
    w: &mut impl Write,
    version: u32,
    k: usize,
    counts: impl ExactSizeIterator<Item = u64>,
) -> io::Result<()> {
    let too_big = |what| io::Error::new(io::ErrorKind::InvalidInput, what);
    w.write_all(NODES_MAGIC)?;
    w.write_all(&version.to_be_bytes())?;
    let k32 = u32::try_from(k).map_err(|_| too_big("more than 2^32-1 sums per node"))?;
    w.write_all(&k32.to_be_bytes())?;
    let levels = u32::try_from(counts.len()).map_err(|_| too_big("too many levels"))?;
    w.write_all(&levels.to_be_bytes())?;
    for c in counts {
        w.write_all(&c.to_be_bytes())?;
    }
    Ok(())
}

/// Writes `customers.bin`.
///
/// # Errors
///
/// A write error.
pub fn write_customers(w: &mut impl Write, customers: &Customers) -> io::Result<()> {
    w.write_all(CUSTOMERS_MAGIC)?;
    w.write_all(&(customers.len() as u64).to_be_bytes())?;
    for i in 0..customers.len() {
        w.write_all(customers.salt(i).unwrap_or_default().as_byte_array())?;
    }
    for i in 0..customers.len() {
        let id = customers.user_id(i).unwrap_or_default();
        // user ids are at most MAX_USER_ID_BYTES long (checked by the ledger)
        w.write_all(&u32::try_from(id.len()).unwrap_or(u32::MAX).to_be_bytes())?;
        w.write_all(id.as_bytes())?;
    }
    Ok(())
}

/// The index key of a user id: bucket bits and fingerprint.
fn user_key(user_id: &str) -> (u64, u32) {
    user_key_bytes(user_id.as_bytes())
}

/// [`user_key`] of a user id's UTF-8 bytes.
pub(crate) fn user_key_bytes(user_id: &[u8]) -> (u64, u32) {
    let mut h = Sha256::new();
    h.update(INDEX_LABEL);
    h.update(user_id);
    let k: [u8; 32] = h.finalize().into();
    let mut top = [0u8; 8];
    top.copy_from_slice(&k[..8]);
    let mut fp = [0u8; 4];
    fp.copy_from_slice(&k[8..12]);
    (u64::from_be_bytes(top), u32::from_be_bytes(fp))
}

fn bucket_of(top: u64, bits: u32) -> u64 {
    if bits == 0 {
        0
    } else {
        top >> (64 - bits)
    }
}

/// The number of bucket bits for `n` entries: about 8 entries per bucket.
pub(crate) fn bucket_bits(n: u64) -> u32 {
    let want = n.div_ceil(8).max(1);
    want.next_power_of_two().trailing_zeros()
}

/// Writes `users.idx` for `customers` (as written to `customers.bin` by
/// [`write_customers`]).
///
/// # Errors
///
/// A write error, or more than `u32::MAX` customers (leaf indices are 32-bit
/// here, as in [`crate::LiabilitiesTree::build`]).
#[allow(
    clippy::cast_possible_truncation,
    reason = "n < 2^32 is checked first, so bucket numbers (< 2^29), entry numbers and leaves fit usize and u32"
)]
pub fn write_user_index(w: &mut impl Write, customers: &Customers) -> io::Result<()> {
    let n = customers.len();
    if u32::try_from(n).is_err() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "more than 2^32-1 customers",
        ));
    }
    let keys: Vec<(u64, u32)> = map_leaves(n, |i| user_key(customers.user_id(i).unwrap_or("")));
    let bits = bucket_bits(n as u64);
    let buckets = 1usize << bits;
    // Counting sort by bucket, leaves ascending within a bucket.
    let mut starts = vec![0u64; buckets + 1];
    for &(top, _) in &keys {
        starts[bucket_of(top, bits) as usize + 1] += 1;
    }
    for j in 0..buckets {
        starts[j + 1] += starts[j];
    }
    let mut next: Vec<u64> = starts[..buckets].to_vec();
    let mut entries = vec![[0u8; 16]; n];
    let mut offset = 16 + 32 * n as u64;
    for (leaf, &(top, fp)) in keys.iter().enumerate() {
        let b = bucket_of(top, bits) as usize;
        let slot = &mut entries[next[b] as usize];
        next[b] += 1;
        slot[..4].copy_from_slice(&fp.to_be_bytes());
        slot[4..8].copy_from_slice(&(leaf as u32).to_be_bytes());
        slot[8..].copy_from_slice(&offset.to_be_bytes());
        offset += 4 + customers.user_id(leaf).map_or(0, str::len) as u64;
    }
    drop(keys);
    w.write_all(INDEX_MAGIC)?;
    w.write_all(&(n as u64).to_be_bytes())?;
    w.write_all(&bits.to_be_bytes())?;
    w.write_all(&0u32.to_be_bytes())?;
    let mut buf = Vec::with_capacity(1 << 20);
    for s in &starts {
        buf.extend_from_slice(&s.to_be_bytes());
        if buf.len() >= 1 << 20 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    for e in &entries {
        buf.extend_from_slice(e);
        if buf.len() >= 1 << 20 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)
}

/// `(0..n).map(f)`, on every core with the `parallel` feature.
fn map_leaves<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().with_min_len(4096).map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..n).map(f).collect()
    }
}

// ---------------------------------------------------------------- reading

fn read_exact_at<R: Read + Seek>(
    r: &mut R,
    file: &'static str,
    offset: u64,
    buf: &mut [u8],
) -> Result<(), DirError> {
    r.seek(SeekFrom::Start(offset))
        .map_err(|e| DirError::io(file, e))?;
    r.read_exact(buf).map_err(|e| DirError::io(file, e))
}

fn file_len<R: Seek>(r: &mut R, file: &'static str) -> Result<u64, DirError> {
    r.seek(SeekFrom::End(0)).map_err(|e| DirError::io(file, e))
}

pub(crate) fn be_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_be_bytes(a)
}

pub(crate) fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_be_bytes(a)
}

pub(crate) fn be_amount(b: &[u8]) -> Amount {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    Amount::from_base_units(u128::from_be_bytes(a))
}

fn hash_at(b: &[u8]) -> NodeHash {
    let mut a = [0u8; 32];
    a.copy_from_slice(&b[..32]);
    NodeHash::from_byte_array(a)
}

/// `nodes.bin` opened for reading single nodes (either version).
#[derive(Debug)]
pub struct NodesReader<R> {
    r: R,
    version: u32,
    k: usize,
    counts: Vec<u64>,
    /// Byte offset where each level's data starts.
    starts: Vec<u64>,
}

impl<R: Read + Seek> NodesReader<R> {
    /// Reads and checks the header: magic, version 1 or 2, `k` (must equal
    /// `expected_k` when given), and a file length that matches the counts.
    ///
    /// # Errors
    ///
    /// A [`DirError`] naming `nodes.bin`.
    pub fn open(mut r: R, expected_k: Option<usize>) -> Result<NodesReader<R>, DirError> {
        const F: &str = NODES_FILE;
        let bad = |what: String| DirError::corrupt(F, what);
        let len = file_len(&mut r, F)?;
        let mut head = [0u8; 20];
        read_exact_at(&mut r, F, 0, &mut head)?;
        if &head[..8] != NODES_MAGIC {
            return Err(bad("not a por nodes file (no PORNODES magic)".into()));
        }
        let version = be_u32(&head[8..]);
        if version != 1 && version != 2 {
            return Err(bad(format!(
                "nodes file version {version}; this por reads versions 1 and 2"
            )));
        }
        let k = be_u32(&head[12..]) as usize;
        if let Some(e) = expected_k {
            if k != e {
                return Err(bad(format!("{k} sums per node, expected {e}")));
            }
        }
        let levels = be_u32(&head[16..]) as usize;
        if !(1..=65).contains(&levels) {
            return Err(bad(format!("{levels} levels is impossible")));
        }
        let mut raw = vec![0u8; 8 * levels];
        read_exact_at(&mut r, F, 20, &mut raw)?;
        let counts: Vec<u64> = raw.chunks_exact(8).map(be_u64).collect();
        let record = 32 + 16 * k as u64;
        let mut starts = Vec::with_capacity(levels + 1);
        let mut at = 20 + 8 * levels as u64;
        for &c in &counts {
            starts.push(at);
            at = c
                .checked_mul(record)
                .and_then(|b| b.checked_add(at))
                .ok_or_else(|| bad("level sizes overflow".into()))?;
        }
        if at != len {
            return Err(bad(format!("{len} bytes, but its header says {at}")));
        }
        Ok(NodesReader {
            r,
            version,
            k,
            counts,
            starts,
        })
    }

    /// The number of sums per node.
    #[must_use]
    pub fn k(&self) -> usize {
        self.k
    }

    /// The node count of each level, leaves first (padding included).
    #[must_use]
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The file's version (1 or 2).
    #[must_use]
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Reads the nodes `first..first + count` of `level` (hash and sums
    /// each): one read in a version 2 file.
    ///
    /// # Errors
    ///
    /// A [`DirError`] if they are outside the level, or reading fails.
    pub fn nodes(
        &mut self,
        level: usize,
        first: u64,
        count: u64,
    ) -> Result<Vec<(NodeHash, Vec<Amount>)>, DirError> {
        const F: &str = NODES_FILE;
        let Some(&in_level) = self.counts.get(level) else {
            return Err(DirError::corrupt(F, format!("no level {level}")));
        };
        if first.checked_add(count).is_none_or(|end| end > in_level) {
            return Err(DirError::corrupt(
                F,
                format!("nodes {first}.. of level {level} are outside it ({in_level} nodes)"),
            ));
        }
        let k = self.k;
        let base = self.starts[level];
        let count = usize::try_from(count)
            .map_err(|_| DirError::corrupt(F, format!("{count} nodes do not fit in memory")))?;
        let mut out = Vec::with_capacity(count);
        if self.version == 2 {
            let record = 32 + 16 * k;
            let mut buf = vec![0u8; record * count];
            read_exact_at(&mut self.r, F, base + first * record as u64, &mut buf)?;
            for rec in buf.chunks_exact(record) {
                let sums = rec[32..].chunks_exact(16).map(be_amount).collect();
                out.push((hash_at(rec), sums));
            }
        } else {
            let mut hashes = vec![0u8; 32 * count];
            read_exact_at(&mut self.r, F, base + 32 * first, &mut hashes)?;
            let mut sums = vec![0u8; 16 * k * count];
            let sums_at = base + 32 * in_level + 16 * k as u64 * first;
            read_exact_at(&mut self.r, F, sums_at, &mut sums)?;
            for (h, s) in hashes
                .chunks_exact(32)
                .zip(sums.chunks_exact((16 * k).max(1)))
            {
                let s = if k == 0 {
                    Vec::new()
                } else {
                    s.chunks_exact(16).map(be_amount).collect()
                };
                out.push((hash_at(h), s));
            }
        }
        Ok(out)
    }

    /// Reads one node of `level`.
    ///
    /// # Errors
    ///
    /// As [`NodesReader::nodes`].
    pub fn node(&mut self, level: usize, index: u64) -> Result<(NodeHash, Vec<Amount>), DirError> {
        let mut v = self.nodes(level, index, 1)?;
        v.pop()
            .ok_or_else(|| DirError::corrupt(NODES_FILE, "empty read".into()))
    }

    /// Reads every level into memory (to export every proof, or to rebuild
    /// a [`crate::LiabilitiesTree`] with [`crate::LiabilitiesTree::from_levels`]).
    ///
    /// # Errors
    ///
    /// A [`DirError`] if reading fails.
    pub fn read_levels(&mut self) -> Result<Vec<Level>, DirError> {
        const F: &str = NODES_FILE;
        let k = self.k;
        let mut levels = Vec::with_capacity(self.counts.len());
        self.r
            .seek(SeekFrom::Start(self.starts[0]))
            .map_err(|e| DirError::io(F, e))?;
        let mut r = BufReader::with_capacity(1 << 20, &mut self.r);
        for &count in &self.counts {
            let count = usize::try_from(count)
                .map_err(|_| DirError::corrupt(F, "a level too large for memory".into()))?;
            let mut hashes = Vec::with_capacity(count);
            let mut sums = Vec::with_capacity(count * k);
            let mut h = [0u8; 32];
            let mut s = [0u8; 16];
            if self.version == 2 {
                for _ in 0..count {
                    r.read_exact(&mut h).map_err(|e| DirError::io(F, e))?;
                    hashes.push(NodeHash::from_byte_array(h));
                    for _ in 0..k {
                        r.read_exact(&mut s).map_err(|e| DirError::io(F, e))?;
                        sums.push(Amount::from_base_units(u128::from_be_bytes(s)));
                    }
                }
            } else {
                for _ in 0..count {
                    r.read_exact(&mut h).map_err(|e| DirError::io(F, e))?;
                    hashes.push(NodeHash::from_byte_array(h));
                }
                for _ in 0..count * k {
                    r.read_exact(&mut s).map_err(|e| DirError::io(F, e))?;
                    sums.push(Amount::from_base_units(u128::from_be_bytes(s)));
                }
            }
            levels.push(
                Level::new(hashes, sums, k).map_err(|e| DirError::corrupt(F, e.to_string()))?,
            );
        }
        Ok(levels)
    }
}

/// Reads `customers.bin` whole (salts and user ids in leaf order), checking
/// that it holds `expected` customers.
///
/// # Errors
///
/// A [`DirError`] naming `customers.bin`.
pub fn read_customers<R: Read>(r: R, expected: u64) -> Result<Customers, DirError> {
    const F: &str = CUSTOMERS_FILE;
    let mut r = BufReader::with_capacity(1 << 20, r);
    let mut head = [0u8; 16];
    r.read_exact(&mut head).map_err(|e| DirError::io(F, e))?;
    if &head[..8] != CUSTOMERS_MAGIC {
        return Err(DirError::corrupt(
            F,
            "not a por customers file (no PORCUST1 magic)".into(),
        ));
    }
    let n = be_u64(&head[8..]);
    if n != expected {
        return Err(DirError::corrupt(
            F,
            format!("{n} customers, but tree.json says {expected}"),
        ));
    }
    let n = usize::try_from(n).map_err(|_| DirError::corrupt(F, "too many customers".into()))?;
    let mut salts = Vec::with_capacity(n.min(1 << 24));
    let mut b = [0u8; 32];
    for _ in 0..n {
        r.read_exact(&mut b).map_err(|e| DirError::io(F, e))?;
        salts.push(Salt::from_byte_array(b));
    }
    let mut customers = Customers::new();
    let mut id = Vec::new();
    for salt in salts {
        let uid = read_user_id(&mut r, &mut id)?;
        customers.push(uid, salt);
    }
    Ok(customers)
}

fn read_user_id<'a>(r: &mut impl Read, buf: &'a mut Vec<u8>) -> Result<&'a str, DirError> {
    const F: &str = CUSTOMERS_FILE;
    let mut l = [0u8; 4];
    r.read_exact(&mut l).map_err(|e| DirError::io(F, e))?;
    let len = u32::from_be_bytes(l) as usize;
    if len > MAX_USER_ID_BYTES {
        return Err(DirError::corrupt(F, format!("a user id of {len} bytes")));
    }
    buf.resize(len, 0);
    r.read_exact(buf).map_err(|e| DirError::io(F, e))?;
    core::str::from_utf8(buf)
        .map_err(|_| DirError::corrupt(F, "a user id that is not UTF-8".into()))
}

/// The opened `users.idx`.
#[derive(Debug)]
struct UserIndex<R> {
    r: R,
    bits: u32,
}

/// Serves customers' proofs from a tree directory's files, reading only
/// what one proof needs: a few reads to find the customer (with
/// `users.idx`), then one read per level of `nodes.bin` (version 2).
///
/// An exchange's API keeps one reader per worker (reads move the files'
/// positions, so a reader is not shared between threads) and calls
/// [`ProofReader::proof`] per request:
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::fs::File;
/// use por_tree::dir::{ProofReader, CUSTOMERS_FILE, NODES_FILE, USERS_INDEX_FILE};
/// # let (assets, root, customers): (por_tree::AssetList, por_tree::RootCommitment, u64) = todo!();
/// let dir = std::path::Path::new("tree");
/// // assets, root and the customer count come from DIR/tree.json
/// let mut reader = ProofReader::open(
///     assets, root, customers,
///     File::open(dir.join(NODES_FILE))?,
///     File::open(dir.join(CUSTOMERS_FILE))?,
///     Some(File::open(dir.join(USERS_INDEX_FILE))?),
/// )?;
/// if let Some(proof) = reader.proof("customer-000042")? {
///     println!("{}", proof.to_json());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ProofReader<R> {
    assets: AssetList,
    root: RootCommitment,
    customers: u64,
    nodes: NodesReader<R>,
    customers_r: R,
    customers_len: u64,
    index: Option<UserIndex<R>>,
}

impl<R: Read + Seek> ProofReader<R> {
    /// Opens the files of a tree directory whose `tree.json` gives `assets`,
    /// `root` and the customer count, and checks them against it: headers,
    /// lengths, the level sizes of a tree of that many customers, and the
    /// stored top node against `root`. `index` is `users.idx`, if the
    /// directory has one (without it, a lookup scans `customers.bin`).
    ///
    /// # Errors
    ///
    /// A [`DirError`] naming the file that does not agree.
    pub fn open(
        assets: AssetList,
        root: RootCommitment,
        customers: u64,
        nodes: R,
        mut customers_r: R,
        index: Option<R>,
    ) -> Result<ProofReader<R>, DirError> {
        let k = assets.len();
        if k == 0 || k > MAX_ASSETS {
            return Err(DirError::corrupt(NODES_FILE, format!("{k} assets")));
        }
        let mut nodes = NodesReader::open(nodes, Some(k))?;
        // The level sizes of a v1 tree of `customers` leaves.
        let mut count = customers;
        for (l, &c) in nodes.counts().iter().enumerate() {
            let padded = if count % 2 == 1 && count > 1 {
                count + 1
            } else {
                count
            };
            if count == 0 || c != padded {
                return Err(DirError::corrupt(
                    NODES_FILE,
                    format!("level {l} has {c} nodes; a tree of {customers} customers has {padded} there"),
                ));
            }
            count = count.div_ceil(2);
        }
        let levels = nodes.counts().len();
        if nodes.counts()[levels - 1] != 1 || u64::from(root.height) + 1 != levels as u64 {
            return Err(DirError::corrupt(
                NODES_FILE,
                format!("{levels} levels, but tree.json says height {}", root.height),
            ));
        }
        let (top_hash, top_sums) = nodes.node(levels - 1, 0)?;
        if top_hash != root.hash || top_sums != root.sums {
            return Err(DirError::corrupt(
                NODES_FILE,
                "its root differs from tree.json's".into(),
            ));
        }
        const C: &str = CUSTOMERS_FILE;
        let customers_len = file_len(&mut customers_r, C)?;
        let mut head = [0u8; 16];
        read_exact_at(&mut customers_r, C, 0, &mut head)?;
        if &head[..8] != CUSTOMERS_MAGIC {
            return Err(DirError::corrupt(
                C,
                "not a por customers file (no PORCUST1 magic)".into(),
            ));
        }
        if be_u64(&head[8..]) != customers {
            return Err(DirError::corrupt(
                C,
                format!(
                    "{} customers, but tree.json says {customers}",
                    be_u64(&head[8..])
                ),
            ));
        }
        if customers
            .checked_mul(36)
            .and_then(|b| b.checked_add(16))
            .is_none_or(|min| customers_len < min)
        {
            return Err(DirError::corrupt(
                C,
                format!("{customers_len} bytes is too short"),
            ));
        }
        let index = match index {
            None => None,
            Some(mut r) => {
                const I: &str = USERS_INDEX_FILE;
                let len = file_len(&mut r, I)?;
                let mut head = [0u8; 24];
                read_exact_at(&mut r, I, 0, &mut head)?;
                if &head[..8] != INDEX_MAGIC {
                    return Err(DirError::corrupt(
                        I,
                        "not a por user index (no PORUIDX1 magic)".into(),
                    ));
                }
                let n = be_u64(&head[8..]);
                let bits = be_u32(&head[16..]);
                if n != customers || bits > 40 || be_u32(&head[20..]) != 0 {
                    return Err(DirError::corrupt(
                        I,
                        format!("header says {n} customers and {bits} bucket bits; tree.json says {customers} customers"),
                    ));
                }
                let expect = ((1u64 << bits) + 1)
                    .checked_mul(8)
                    .and_then(|d| d.checked_add(INDEX_HEADER))
                    .and_then(|d| n.checked_mul(INDEX_ENTRY).and_then(|e| e.checked_add(d)));
                if expect != Some(len) {
                    return Err(DirError::corrupt(
                        I,
                        format!("{len} bytes, but its header says otherwise"),
                    ));
                }
                Some(UserIndex { r, bits })
            }
        };
        Ok(ProofReader {
            assets,
            root,
            customers,
            nodes,
            customers_r,
            customers_len,
            index,
        })
    }

    /// Whether lookups use `users.idx` (false: they scan `customers.bin`).
    #[must_use]
    pub fn has_index(&self) -> bool {
        self.index.is_some()
    }

    /// Finds a customer: leaf index and salt, or `None` if no customer has
    /// this user id (compared byte for byte, as the tree hashes it).
    ///
    /// # Errors
    ///
    /// A [`DirError`] if a file is corrupt or cannot be read.
    pub fn find(&mut self, user_id: &str) -> Result<Option<(u64, Salt)>, DirError> {
        let found = match self.index {
            Some(_) => self.find_indexed(user_id)?,
            None => self.find_scan(user_id)?,
        };
        let Some(leaf) = found else {
            return Ok(None);
        };
        let mut salt = [0u8; 32];
        read_exact_at(
            &mut self.customers_r,
            CUSTOMERS_FILE,
            16 + 32 * leaf,
            &mut salt,
        )?;
        Ok(Some((leaf, Salt::from_byte_array(salt))))
    }

    fn find_indexed(&mut self, user_id: &str) -> Result<Option<u64>, DirError> {
        const I: &str = USERS_INDEX_FILE;
        let Some(index) = self.index.as_mut() else {
            return Ok(None);
        };
        if user_id.len() > MAX_USER_ID_BYTES {
            // no customer has an id this long (the ledger refuses them)
            return Ok(None);
        }
        let (top, fp) = user_key(user_id);
        let bucket = bucket_of(top, index.bits);
        let mut bounds = [0u8; 16];
        read_exact_at(&mut index.r, I, INDEX_HEADER + 8 * bucket, &mut bounds)?;
        let (start, end) = (be_u64(&bounds), be_u64(&bounds[8..]));
        if start > end || end > self.customers {
            return Err(DirError::corrupt(
                I,
                format!("bucket {bucket} spans {start}..{end}"),
            ));
        }
        let dir_len = 8 * ((1u64 << index.bits) + 1);
        let bytes = usize::try_from((end - start) * INDEX_ENTRY)
            .map_err(|_| DirError::corrupt(I, format!("bucket {bucket} spans {start}..{end}")))?;
        let mut entries = vec![0u8; bytes];
        read_exact_at(
            &mut index.r,
            I,
            INDEX_HEADER + dir_len + start * INDEX_ENTRY,
            &mut entries,
        )?;
        let mut id = vec![0u8; 4 + MAX_USER_ID_BYTES];
        for e in entries.chunks_exact(16) {
            if be_u32(e) != fp {
                continue;
            }
            let leaf = u64::from(be_u32(&e[4..]));
            let offset = be_u64(&e[8..]);
            if leaf >= self.customers || offset >= self.customers_len {
                return Err(DirError::corrupt(
                    I,
                    format!("an entry names leaf {leaf} at byte {offset}"),
                ));
            }
            // user_id.len() <= MAX_USER_ID_BYTES (checked above), so `want` fits `id`
            let want = (4 + user_id.len())
                .min(usize::try_from(self.customers_len - offset).unwrap_or(usize::MAX));
            let buf = &mut id[..want];
            read_exact_at(&mut self.customers_r, CUSTOMERS_FILE, offset, buf)?;
            if want == 4 + user_id.len()
                && be_u32(buf) as usize == user_id.len()
                && &buf[4..] == user_id.as_bytes()
            {
                return Ok(Some(leaf));
            }
        }
        Ok(None)
    }

    fn find_scan(&mut self, user_id: &str) -> Result<Option<u64>, DirError> {
        const C: &str = CUSTOMERS_FILE;
        let start = 16 + 32 * self.customers;
        self.customers_r
            .seek(SeekFrom::Start(start))
            .map_err(|e| DirError::io(C, e))?;
        let mut r = BufReader::with_capacity(1 << 20, &mut self.customers_r);
        let mut id = Vec::new();
        for i in 0..self.customers {
            if read_user_id(&mut r, &mut id)? == user_id {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// Returns the `por-proof-v1` proof of `user_id`, or `None` if no
    /// customer has it. The bytes of its JSON are those of
    /// [`crate::LiabilitiesTree::proof`] on the tree loaded whole.
    ///
    /// # Errors
    ///
    /// A [`DirError`] if a file is corrupt or cannot be read.
    pub fn proof(&mut self, user_id: &str) -> Result<Option<InclusionProof>, DirError> {
        let Some((index, salt)) = self.find(user_id)? else {
            return Ok(None);
        };
        let levels = self.nodes.counts().len();
        // Level 0: the leaf and its sibling in one read.
        let pair = index & !1;
        let count = if levels > 1 { 2 } else { 1 };
        let mut bottom = self
            .nodes
            .nodes(0, if levels > 1 { pair } else { index }, count)?;
        let mut path = Vec::with_capacity(levels - 1);
        let own = if levels > 1 { (index & 1) as usize } else { 0 };
        let balances = core::mem::take(&mut bottom[own].1);
        if levels > 1 {
            let (hash, sums) = core::mem::take(&mut bottom[1 - own]);
            path.push(PathStep { hash, sums });
        }
        let mut i = index >> 1;
        for level in 1..levels - 1 {
            let (hash, sums) = self.nodes.node(level, i ^ 1)?;
            path.push(PathStep { hash, sums });
            i >>= 1;
        }
        Ok(Some(InclusionProof::new(
            self.assets.clone(),
            user_id.to_owned(),
            salt,
            balances,
            index,
            path,
            self.root.clone(),
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::cast_possible_truncation,
        reason = "tests on small trees"
    )]
    use std::io::Cursor;

    use super::*;
    use crate::{Ledger, LiabilitiesTree, SnapshotSecret};

    /// The version 1 layout, as por wrote it before version 2.
    fn write_nodes_v1(w: &mut Vec<u8>, k: usize, levels: &[Level]) {
        write_nodes_header(w, 1, k, levels.iter().map(|l| l.len() as u64)).unwrap();
        for level in levels {
            for h in level.hashes() {
                w.extend_from_slice(h.as_byte_array());
            }
            for s in level.sums() {
                w.extend_from_slice(&s.to_be_bytes());
            }
        }
    }

    fn tree(n: usize, k: usize) -> (AssetList, LiabilitiesTree, Customers) {
        let spec: Vec<String> = (0..k).map(|j| format!("A{j}:8")).collect();
        let assets = AssetList::from_spec(&spec.join(",")).unwrap();
        let mut ledger = Ledger::new(k);
        for i in 0..n {
            let row: Vec<Amount> = (0..k)
                .map(|j| Amount::from_base_units((i * 7 + j * 3) as u128 % 11))
                .collect();
            ledger
                .push(&format!("user-{i}"), &row, i as u64 + 2)
                .unwrap();
        }
        let secret = SnapshotSecret::from_byte_array([3; 32]);
        let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
        (assets, tree, customers)
    }

    fn files(
        tree: &LiabilitiesTree,
        customers: &Customers,
        v1: bool,
    ) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let k = tree.assets().len();
        let mut nodes = Vec::new();
        if v1 {
            write_nodes_v1(&mut nodes, k, tree.levels());
        } else {
            write_nodes(&mut nodes, k, tree.levels()).unwrap();
        }
        let mut cust = Vec::new();
        write_customers(&mut cust, customers).unwrap();
        let mut idx = Vec::new();
        write_user_index(&mut idx, customers).unwrap();
        (nodes, cust, idx)
    }

    #[test]
    fn proofs_from_files_are_byte_identical() {
        for (n, k) in [(1, 1), (2, 2), (3, 1), (5, 3), (17, 2), (100, 1), (257, 4)] {
            let (assets, tree, customers) = tree(n, k);
            for v1 in [false, true] {
                let (nodes, cust, idx) = files(&tree, &customers, v1);
                for with_index in [true, false] {
                    let mut reader = ProofReader::open(
                        assets.clone(),
                        tree.root(),
                        n as u64,
                        Cursor::new(nodes.clone()),
                        Cursor::new(cust.clone()),
                        with_index.then(|| Cursor::new(idx.clone())),
                    )
                    .unwrap();
                    assert_eq!(reader.has_index(), with_index);
                    for i in 0..n {
                        let uid = customers.user_id(i).unwrap();
                        let got = reader.proof(uid).unwrap().unwrap().to_json();
                        let want = tree.proof(&customers, i).unwrap().to_json();
                        assert_eq!(got, want, "n={n} k={k} v1={v1} index={with_index} i={i}");
                    }
                    assert!(reader.proof("nobody").unwrap().is_none());
                    assert!(reader.proof("").unwrap().is_none());
                    let long = "x".repeat(MAX_USER_ID_BYTES + 1);
                    assert!(reader.proof(&long).unwrap().is_none());
                }
                let mut nr = NodesReader::open(Cursor::new(nodes.clone()), Some(k)).unwrap();
                assert_eq!(nr.read_levels().unwrap(), tree.levels());
            }
            let (_, cust, _) = files(&tree, &customers, false);
            assert_eq!(
                read_customers(Cursor::new(cust), n as u64).unwrap(),
                customers
            );
        }
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        let (assets, tree, customers) = tree(37, 2);
        let (nodes, cust, idx) = files(&tree, &customers, false);
        let open = |nodes: &[u8], cust: &[u8], idx: &[u8]| {
            ProofReader::open(
                assets.clone(),
                tree.root(),
                37,
                Cursor::new(nodes.to_vec()),
                Cursor::new(cust.to_vec()),
                Some(Cursor::new(idx.to_vec())),
            )
        };
        // truncations of every file are refused at open
        for cut in [0, 7, 19, 30, nodes.len() - 1] {
            let e = open(&nodes[..cut], &cust, &idx).unwrap_err();
            assert_eq!(e.file(), NODES_FILE, "{e}");
        }
        for cut in [0, 10, cust.len() / 2] {
            assert!(open(&nodes, &cust[..cut], &idx).is_err());
        }
        for cut in [0, 10, idx.len() - 1] {
            let e = open(&nodes, &cust, &idx[..cut]).unwrap_err();
            assert_eq!(e.file(), USERS_INDEX_FILE, "{e}");
        }
        // a flipped root byte is caught at open
        let mut bad = nodes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(open(&bad, &cust, &idx)
            .unwrap_err()
            .to_string()
            .contains("root"));
        // every single-byte corruption of the index and customers gives a
        // result or an error, never a panic
        for i in 0..idx.len() {
            let mut bad = idx.clone();
            bad[i] ^= 0xff;
            if let Ok(mut r) = open(&nodes, &cust, &bad) {
                for u in 0..37 {
                    let _ = r.proof(&format!("user-{u}"));
                }
            }
        }
        for i in (0..cust.len()).step_by(7) {
            let mut bad = cust.clone();
            bad[i] ^= 0xff;
            if let Ok(mut r) = open(&nodes, &bad, &idx) {
                let _ = r.proof("user-3");
            }
        }
    }

    #[test]
    fn bucket_bits_give_about_eight_per_bucket() {
        assert_eq!(bucket_bits(0), 0);
        assert_eq!(bucket_bits(8), 0);
        assert_eq!(bucket_bits(9), 1);
        assert_eq!(bucket_bits(1_000_000), 17);
        assert_eq!(bucket_of(u64::MAX, 3), 7);
        assert_eq!(bucket_of(u64::MAX, 0), 0);
    }
}
