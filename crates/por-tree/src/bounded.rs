//! The liabilities tree built in bounded memory: the same tree directory,
//! byte for byte, as [`crate::LiabilitiesTree::build`] and the writers of
//! [`crate::dir`], without ever holding the whole ledger or tree.
//!
//! 1. **Partition.** The export is read piece by piece ([`CsvStream`](crate::ledger::CsvStream));
//!    each row's salt and `id(u)` are computed as it is read, and the row
//!    (id, salt, line, user id, balances) is appended to one of `P`
//!    temporary files chosen by the top bits of `id(u)` (a radix
//!    partition: partition `j` holds exactly the ids between `j / P` and
//!    `(j + 1) / P` of the id space). `P` is chosen from the first piece's
//!    bytes per row and the file's size so that each partition fits the
//!    budget.
//! 2. **Sort and hash, partition by partition, in id order.** Each
//!    partition is read back and sorted in memory by `id(u)` (then line);
//!    equal ids are then neighbours (a duplicate user id, refused exactly as
//!    the in-memory build refuses it; or, in long form, one customer's
//!    rows, merged). Leaves are hashed and streamed into the levels: every
//!    level keeps at most one node waiting for its right sibling, so each
//!    level is written in order to its own temporary file while the next is
//!    computed, and the root comes out at the end.
//! 3. **Assemble.** `nodes.bin`, `customers.bin` and `users.idx` are
//!    written from the temporary files (sequential copies); `users.idx`'s
//!    entries were partitioned by their bucket as the leaves were written.
//!
//! Peak memory is about the budget: one partition and its sort index, the
//! piece of the file being parsed, and the partition files' write buffers
//! (together at most an eighth of the budget).
//! Temporary disk at the peak is about the tree directory's size (10^8
//! customers × 3 assets: 28.6 GB in use at the peak, output included, for
//! a 22 GB directory).
//!
//! This module does no I/O of its own: temporary files are the caller's
//! [`Scratch`] (the CLI's are files in a private temporary directory beside
//! the output), and the outputs any [`Write`].
//!
//! Limits: the NFC forms of user ids that are not NFC themselves are kept
//! in memory (an export of ASCII ids has none); a partition is loaded whole
//! even when one user id repeated millions of times makes it larger than
//! the budget (such an export is refused as a duplicate when it is loaded).

use core::fmt;
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Read, Write};

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::dir::{self, be_amount, be_u32, be_u64};
use crate::hash::{self, LeafId, NodeHash, Salt, SnapshotSecret};
use crate::ledger::{CsvRows, LedgerError, MAX_USER_ID_BYTES};
use crate::prelude::*;
use crate::tree::{BuildError, RootCommitment};

/// Temporary files, named by the build (`part-3`, `level-0`, ...): created,
/// written once in order, read back once in order, removed.
pub trait Scratch {
    /// A temporary file being written.
    type Writer: Write;
    /// A temporary file being read.
    type Reader: Read;
    /// Creates (or truncates) the file `name`.
    ///
    /// # Errors
    ///
    /// An I/O error.
    fn create(&mut self, name: &str) -> io::Result<Self::Writer>;
    /// Opens the file `name`, written before, for reading from its start.
    ///
    /// # Errors
    ///
    /// An I/O error.
    fn open(&mut self, name: &str) -> io::Result<Self::Reader>;
    /// Removes the file `name`: its bytes are no longer needed.
    ///
    /// # Errors
    ///
    /// An I/O error.
    fn remove(&mut self, name: &str) -> io::Result<()>;
}

impl<S: Scratch> Scratch for &mut S {
    type Writer = S::Writer;
    type Reader = S::Reader;
    fn create(&mut self, name: &str) -> io::Result<S::Writer> {
        (**self).create(name)
    }
    fn open(&mut self, name: &str) -> io::Result<S::Reader> {
        (**self).open(name)
    }
    fn remove(&mut self, name: &str) -> io::Result<()> {
        (**self).remove(name)
    }
}

/// Temporary files in memory, for tests and small trees.
#[derive(Debug, Default)]
pub struct MemScratch {
    files: BTreeMap<String, std::sync::Arc<std::sync::Mutex<Vec<u8>>>>,
}

/// A [`MemScratch`] file being written.
#[derive(Debug)]
pub struct MemWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for MemWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Scratch for MemScratch {
    type Writer = MemWriter;
    type Reader = io::Cursor<Vec<u8>>;
    fn create(&mut self, name: &str) -> io::Result<MemWriter> {
        let file = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        self.files.insert(name.to_owned(), file.clone());
        Ok(MemWriter(file))
    }
    fn open(&mut self, name: &str) -> io::Result<Self::Reader> {
        let file = self
            .files
            .get(name)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, name.to_owned()))?;
        let bytes = file
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .clone();
        Ok(io::Cursor::new(bytes))
    }
    fn remove(&mut self, name: &str) -> io::Result<()> {
        self.files.remove(name);
        Ok(())
    }
}

impl MemScratch {
    /// The names of the files not yet removed.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }
}

/// Why a bounded build failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum BoundedError {
    /// The export itself (as [`Ledger::from_csv_with`](crate::ledger::Ledger::from_csv_with) would say).
    Ledger(LedgerError),
    /// The tree (as [`crate::LiabilitiesTree::build`] would say).
    Build(BuildError),
    /// A temporary or output file could not be written or read.
    Io(io::Error),
}

impl fmt::Display for BoundedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoundedError::Ledger(e) => write!(f, "{e}"),
            BoundedError::Build(e) => write!(f, "{e}"),
            BoundedError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for BoundedError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            BoundedError::Ledger(e) => Some(e),
            BoundedError::Build(e) => Some(e),
            BoundedError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for BoundedError {
    fn from(e: io::Error) -> Self {
        BoundedError::Io(e)
    }
}

impl From<LedgerError> for BoundedError {
    fn from(e: LedgerError) -> Self {
        BoundedError::Ledger(e)
    }
}

impl From<BuildError> for BoundedError {
    fn from(e: BuildError) -> Self {
        BoundedError::Build(e)
    }
}

/// What a bounded build made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The root commitment (as [`crate::LiabilitiesTree::root`]).
    pub root: RootCommitment,
    /// The number of customers.
    pub customers: u64,
    /// The number of partitions the rows were spread over.
    pub partitions: usize,
}

const BUF: usize = 1 << 20;
/// Bytes of a partition record before the user id: id, salt, line, id length.
const HEAD: usize = 32 + 32 + 8 + 2;
/// Bytes of a `users.idx` entry while partitioned: top, fingerprint, leaf, offset.
const IX: usize = 8 + 4 + 4 + 8;

/// The largest piece of the export to parse at once within `budget` bytes
/// of memory (a parsed piece takes about four times its size).
#[must_use]
pub fn piece_bytes(budget: usize) -> usize {
    (budget / 16).clamp(1 << 12, 64 << 20)
}

/// The bounded-memory build: feed it the export piece by piece with
/// [`BoundedBuild::push`], then [`BoundedBuild::finish`] writes the tree
/// directory's three binary files.
pub struct BoundedBuild<'a, S: Scratch> {
    assets: &'a AssetList,
    secret: &'a SnapshotSecret,
    scratch: S,
    long: bool,
    budget: usize,
    input_len: u64,
    /// Partition bits and writers, fixed by the first piece.
    bits: u32,
    parts: Vec<BufWriter<S::Writer>>,
    part_bytes: Vec<u64>,
    rows: u64,
    totals: Vec<Amount>,
    overflow: Option<usize>,
    /// NFC forms of the ids that are not NFC.
    forms: BTreeMap<String, ()>,
}

impl<S: Scratch> fmt::Debug for BoundedBuild<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedBuild")
            .field("rows", &self.rows)
            .field("partitions", &self.parts.len())
            .finish_non_exhaustive()
    }
}

impl<'a, S: Scratch> BoundedBuild<'a, S> {
    /// Starts a build of `assets` under `secret`, for an export in long
    /// form or not, of `input_len` bytes (to size the partitions), within
    /// about `budget` bytes of memory.
    #[must_use]
    pub fn new(
        assets: &'a AssetList,
        secret: &'a SnapshotSecret,
        scratch: S,
        long: bool,
        input_len: u64,
        budget: usize,
    ) -> Self {
        BoundedBuild {
            assets,
            secret,
            scratch,
            long,
            budget: budget.max(1 << 12),
            input_len,
            bits: 0,
            parts: Vec::new(),
            part_bytes: Vec::new(),
            rows: 0,
            totals: vec![Amount::ZERO; assets.len()],
            overflow: None,
            forms: BTreeMap::new(),
        }
    }

    /// The bytes of one partition the budget allows (it is loaded whole,
    /// with a 16-byte sort key per row and its leaves).
    fn partition_target(&self) -> u64 {
        (self.budget / 4) as u64
    }

    /// Adds a piece of the export: `rows` parsed from `csv_bytes` bytes.
    ///
    /// # Errors
    ///
    /// A temporary file that cannot be written.
    pub fn push(&mut self, rows: &CsvRows, csv_bytes: usize) -> Result<(), BoundedError> {
        let k = self.assets.len();
        let n = match rows {
            CsvRows::Wide(l) => l.len(),
            CsvRows::Long(l) => l.len(),
        };
        if n == 0 {
            return Ok(());
        }
        let uid = |i: usize| match rows {
            CsvRows::Wide(l) => l.user_id(i),
            CsvRows::Long(l) => l.user_id(i),
        };
        // Salts and ids on every core, in row order.
        let secret = self.secret;
        let keyed: Vec<(Salt, LeafId)> = map_range(n, |buf, i| {
            let id = uid(i);
            let salt = secret.salt_with(buf, id);
            (salt, hash::leaf_id_with(buf, &salt, id))
        });
        if self.parts.is_empty() {
            let tail = if self.long { 20 } else { 16 * k };
            let record_bytes: u64 = (0..n).map(|i| (HEAD + uid(i).len() + tail) as u64).sum();
            let per_csv_byte = record_bytes as f64 / csv_bytes.max(1) as f64;
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "an estimate for sizing, clamped"
            )]
            let estimate =
                (per_csv_byte * self.input_len.max(csv_bytes as u64) as f64 * 1.25) as u64;
            let wanted = estimate.div_ceil(self.partition_target()).clamp(1, 1 << 12);
            self.bits = wanted.next_power_of_two().trailing_zeros();
            for j in 0..(1usize << self.bits) {
                let w = self.scratch.create(&part_name(j))?;
                self.parts.push(BufWriter::with_capacity(
                    self.file_buffer(1 << self.bits),
                    w,
                ));
            }
            self.part_bytes = vec![0; 1 << self.bits];
        }
        let mut rec = Vec::with_capacity(HEAD + MAX_USER_ID_BYTES + 16 * k.max(2));
        for (i, (salt, id)) in keyed.iter().enumerate() {
            let user_id = uid(i);
            rec.clear();
            rec.extend_from_slice(id.as_byte_array());
            rec.extend_from_slice(salt.as_byte_array());
            // user ids are at most MAX_USER_ID_BYTES (1024) long
            let len = u16::try_from(user_id.len()).unwrap_or(u16::MAX);
            match rows {
                CsvRows::Wide(l) => {
                    rec.extend_from_slice(&l.line(i).to_be_bytes());
                    rec.extend_from_slice(&len.to_be_bytes());
                    rec.extend_from_slice(user_id.as_bytes());
                    for (j, b) in l.balances(i).iter().enumerate() {
                        rec.extend_from_slice(&b.to_be_bytes());
                        self.add_total(j, *b);
                    }
                }
                CsvRows::Long(l) => {
                    rec.extend_from_slice(&l.line(i).to_be_bytes());
                    rec.extend_from_slice(&len.to_be_bytes());
                    rec.extend_from_slice(user_id.as_bytes());
                    let a = l.asset(i);
                    // a < MAX_ASSETS
                    rec.extend_from_slice(&u32::try_from(a).unwrap_or(u32::MAX).to_be_bytes());
                    rec.extend_from_slice(&l.amount(i).to_be_bytes());
                    self.add_total(a, l.amount(i));
                }
            }
            if !(user_id.is_ascii() || is_nfc_quick(user_id.chars()) == IsNormalized::Yes) {
                let nfc: String = user_id.nfc().collect();
                if nfc != user_id {
                    self.forms.insert(nfc, ());
                }
            }
            let j = partition_of(id, self.bits);
            self.parts[j].write_all(&rec)?;
            self.part_bytes[j] += rec.len() as u64;
        }
        self.rows += n as u64;
        Ok(())
    }

    /// The write buffer of each of `files` partition files: together at
    /// most an eighth of the budget (64 KiB to 1 MiB each).
    fn file_buffer(&self, files: usize) -> usize {
        (self.budget / 8 / files.max(1)).clamp(64 << 10, BUF)
    }

    fn add_total(&mut self, asset: usize, amount: Amount) {
        if self.overflow.is_some() {
            return;
        }
        match self.totals[asset].checked_add(amount) {
            Some(t) => self.totals[asset] = t,
            None => self.overflow = Some(asset),
        }
    }

    fn symbol(&self, asset: usize) -> String {
        self.assets
            .get(asset)
            .map(|a| a.symbol().to_owned())
            .unwrap_or_default()
    }

    /// Sorts and hashes every partition and writes `nodes.bin`,
    /// `customers.bin` and `users.idx` (see [`crate::dir`]), byte for byte
    /// those of the in-memory build. Every temporary file is removed on
    /// success; on an error the caller discards the scratch space.
    ///
    /// # Errors
    ///
    /// What the in-memory build would refuse ([`BoundedError::Ledger`]: no
    /// customers, a total over `u128::MAX`, a long-form customer with two
    /// rows for one asset; [`BoundedError::Build`]: a duplicate user id,
    /// also after NFC normalisation, an id collision, too many customers),
    /// or an I/O error.
    pub fn finish<N: Write, C: Write, I: Write>(
        mut self,
        nodes: &mut N,
        customers: &mut C,
        index: &mut I,
    ) -> Result<Built, BoundedError> {
        if self.rows == 0 {
            return Err(LedgerError::NoCustomers.into());
        }
        if let Some(a) = self.overflow {
            return Err(LedgerError::TotalOverflow {
                symbol: self.symbol(a),
            }
            .into());
        }
        if !self.long && u32::try_from(self.rows).is_err() {
            return Err(BuildError::TooManyCustomers(
                usize::try_from(self.rows).unwrap_or(usize::MAX),
            )
            .into());
        }
        for w in core::mem::take(&mut self.parts) {
            w.into_inner().map_err(io::IntoInnerError::into_error)?;
        }
        let k = self.assets.len();
        let pad_key = self.secret.pad_key();
        let mut out = Outputs {
            levels: Levels::new(k, pad_key),
            level_files: Vec::new(),
            salts: BufWriter::with_capacity(BUF, self.scratch.create("salts")?),
            uids: BufWriter::with_capacity(BUF, self.scratch.create("uids")?),
            uid_bytes: 0,
            ix: Vec::new(),
            // index entries are 24 bytes a customer, rows 100 or more: a
            // quarter as many partitions (and open files) suffice
            ix_bits: self.bits.saturating_sub(2),
            leaves: 0,
            repeated: None,
            nfc_hits: BTreeMap::new(),
        };
        for j in 0..(1usize << out.ix_bits) {
            out.ix.push(BufWriter::with_capacity(
                self.file_buffer(1 << out.ix_bits),
                self.scratch.create(&ix_name(j))?,
            ));
        }
        for j in 0..(1usize << self.bits) {
            let name = part_name(j);
            let bytes = self.part_bytes[j];
            self.partition(&name, bytes, &mut out)?;
            self.scratch.remove(&name)?;
        }
        if let Some(e) = out.repeated.take() {
            return Err(e.into());
        }
        // Ids equal after NFC normalisation (the in-memory build's
        // `normalized_duplicate`): the pair whose second line comes first.
        type Hit = (u64, String);
        let mut best: Option<(&Hit, &Hit)> = None;
        for hits in out.nfc_hits.values_mut() {
            hits.sort_unstable();
        }
        for hits in out.nfc_hits.values() {
            if let (Some(a), Some(b)) = (hits.first(), hits.get(1)) {
                if best.is_none_or(|(_, s)| b.0 < s.0) {
                    best = Some((a, b));
                }
            }
        }
        if let Some((a, b)) = best {
            return Err(BuildError::NormalizedDuplicateUser {
                first_id: a.1.clone(),
                second_id: b.1.clone(),
                first_line: a.0,
                second_line: b.0,
            }
            .into());
        }
        let n = out.leaves;
        if u32::try_from(n).is_err() {
            return Err(
                BuildError::TooManyCustomers(usize::try_from(n).unwrap_or(usize::MAX)).into(),
            );
        }
        // The levels.
        let (root, counts) = out.levels.finish(&mut out.level_files, &mut self.scratch)?;
        for w in out.level_files.drain(..) {
            w.into_inner().map_err(io::IntoInnerError::into_error)?;
        }
        dir::write_nodes_header(nodes, dir::NODES_VERSION, k, counts.iter().copied())?;
        for l in 0..counts.len() {
            let name = level_name(l);
            io::copy(&mut self.scratch.open(&name)?, nodes)?;
            self.scratch.remove(&name)?;
        }
        // customers.bin
        out.salts
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        out.uids
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        customers.write_all(dir::CUSTOMERS_MAGIC)?;
        customers.write_all(&n.to_be_bytes())?;
        io::copy(&mut self.scratch.open("salts")?, customers)?;
        self.scratch.remove("salts")?;
        io::copy(&mut self.scratch.open("uids")?, customers)?;
        self.scratch.remove("uids")?;
        // users.idx
        let ix_bits = out.ix_bits;
        for w in out.ix.drain(..) {
            w.into_inner().map_err(io::IntoInnerError::into_error)?;
        }
        self.write_index(index, n, ix_bits)?;
        Ok(Built {
            root,
            customers: n,
            partitions: 1 << self.bits,
        })
    }

    /// Sorts one partition (split further first if it is over the budget)
    /// and streams its leaves into the outputs.
    fn partition(
        &mut self,
        name: &str,
        bytes: u64,
        out: &mut Outputs<S::Writer>,
    ) -> Result<(), BoundedError> {
        let k = self.assets.len();
        let tail = if self.long { 20 } else { 16 * k };
        let mut data = Vec::with_capacity(usize::try_from(bytes).unwrap_or(0));
        self.scratch.open(name)?.read_to_end(&mut data)?;
        // Record offsets, sorted by id then line.
        let mut at = 0usize;
        let mut keys: Vec<(u64, usize)> = Vec::new();
        while at < data.len() {
            let r = data.get(at..at + HEAD).ok_or_else(corrupt)?;
            let len = usize::from(u16::from_be_bytes([r[72], r[73]]));
            keys.push((be_u64(&r[..8]), at));
            at += HEAD + len + tail;
        }
        if at != data.len() {
            return Err(corrupt().into());
        }
        let rec = |off: usize| Record::at(&data, off, tail);
        sort_by(&mut keys, |a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let (x, y) = (rec(a.1), rec(b.1));
                x.id.cmp(y.id).then(x.line.cmp(&y.line))
            })
        });
        // Group equal ids: one customer each.
        let mut groups: Vec<(usize, usize)> = Vec::with_capacity(keys.len());
        let mut s = 0;
        while s < keys.len() {
            let mut e = s + 1;
            while e < keys.len() && keys[e].0 == keys[s].0 && rec(keys[e].1).id == rec(keys[s].1).id
            {
                e += 1;
            }
            if e - s > 1 {
                let (a, b) = (rec(keys[s].1), rec(keys[s + 1].1));
                if a.uid != b.uid {
                    return Err(BuildError::IdCollision {
                        first_line: a.line,
                        second_line: b.line,
                    }
                    .into());
                }
                if !self.long {
                    return Err(BuildError::DuplicateUser {
                        user_id: String::from_utf8_lossy(a.uid).into_owned(),
                        first_line: a.line,
                        second_line: b.line,
                    }
                    .into());
                }
                for w in keys[s..e].windows(2) {
                    if rec(w[1].1).uid != a.uid {
                        let (x, y) = (rec(w[0].1), rec(w[1].1));
                        return Err(BuildError::IdCollision {
                            first_line: x.line,
                            second_line: y.line,
                        }
                        .into());
                    }
                }
            }
            groups.push((s, e));
            s = e;
        }
        // Long form: one customer's rows merged; two rows for one asset are
        // refused, the earliest such row in the file reported.
        let mut balances: Vec<Amount> = vec![Amount::ZERO; groups.len() * k];
        for (g, &(s, e)) in groups.iter().enumerate() {
            let row = &mut balances[g * k..(g + 1) * k];
            if self.long {
                let mut set_by: Vec<(usize, u64)> = Vec::with_capacity(e - s);
                for &(_, off) in &keys[s..e] {
                    let r = rec(off);
                    let a = be_u32(r.tail) as usize;
                    if a >= k {
                        return Err(corrupt().into());
                    }
                    if let Some(&(_, first)) = set_by.iter().find(|(x, _)| *x == a) {
                        let better = match &out.repeated {
                            Some(LedgerError::RepeatedAsset { line, .. }) => r.line < *line,
                            _ => true,
                        };
                        if better {
                            out.repeated = Some(LedgerError::RepeatedAsset {
                                line: r.line,
                                first_line: first,
                                user_id: String::from_utf8_lossy(r.uid).into_owned(),
                                symbol: self.symbol(a),
                            });
                        }
                        continue;
                    }
                    set_by.push((a, r.line));
                    row[a] = be_amount(&r.tail[4..]);
                }
            } else {
                let r = rec(keys[s].1);
                for (slot, b) in row.iter_mut().zip(r.tail.chunks_exact(16)) {
                    *slot = be_amount(b);
                }
            }
        }
        if out.repeated.is_some() {
            return Ok(());
        }
        if !self.forms.is_empty() {
            for &(s, _) in &groups {
                let r = rec(keys[s].1);
                let uid = core::str::from_utf8(r.uid).map_err(|_| corrupt())?;
                let form: alloc::borrow::Cow<'_, str> =
                    if uid.is_ascii() || is_nfc_quick(uid.chars()) == IsNormalized::Yes {
                        uid.into()
                    } else {
                        uid.nfc().collect::<String>().into()
                    };
                if self.forms.contains_key(form.as_ref()) {
                    out.nfc_hits
                        .entry(form.into_owned())
                        .or_default()
                        .push((r.line, uid.to_owned()));
                }
            }
        }
        // Leaves and index keys on every core.
        let hashed: Vec<(NodeHash, u64, u32)> = map_range(groups.len(), |buf, g| {
            let r = rec(keys[groups[g].0].1);
            let id = LeafId::from_byte_array(to32(r.id));
            let leaf = hash::leaf_hash_with(buf, &id, &balances[g * k..(g + 1) * k]);
            let (top, fp) = dir::user_key_bytes(r.uid);
            (leaf, top, fp)
        });
        let first_leaf = out.leaves;
        for (g, &(s, _)) in groups.iter().enumerate() {
            let r = rec(keys[s].1);
            out.salts.write_all(r.salt)?;
            // user ids are at most MAX_USER_ID_BYTES long
            out.uids
                .write_all(&u32::try_from(r.uid.len()).unwrap_or(u32::MAX).to_be_bytes())?;
            out.uids.write_all(r.uid)?;
            let (_, top, fp) = hashed[g];
            let mut e = [0u8; IX];
            e[..8].copy_from_slice(&top.to_be_bytes());
            e[8..12].copy_from_slice(&fp.to_be_bytes());
            // leaves < 2^32 is checked at the end; a larger count is refused there
            let leaf = u32::try_from(first_leaf + g as u64).unwrap_or(u32::MAX);
            e[12..16].copy_from_slice(&leaf.to_be_bytes());
            e[16..].copy_from_slice(&out.uid_bytes.to_be_bytes());
            out.uid_bytes += 4 + r.uid.len() as u64;
            let j = if out.ix_bits == 0 {
                0
            } else {
                usize::try_from(top >> (64 - out.ix_bits)).unwrap_or(0)
            };
            out.ix[j].write_all(&e)?;
        }
        out.leaves += groups.len() as u64;
        drop(keys);
        drop(data);
        let leaves: Vec<NodeHash> = hashed.into_iter().map(|h| h.0).collect();
        out.levels
            .push(0, leaves, balances, &mut out.level_files, &mut self.scratch)?;
        Ok(())
    }

    /// Writes `users.idx` from the index partitions: header, bucket starts,
    /// entries by bucket then leaf.
    fn write_index<I: Write>(&mut self, w: &mut I, n: u64, ix_bits: u32) -> io::Result<()> {
        let bits = dir::bucket_bits(n);
        w.write_all(dir::INDEX_MAGIC)?;
        w.write_all(&n.to_be_bytes())?;
        w.write_all(&bits.to_be_bytes())?;
        w.write_all(&0u32.to_be_bytes())?;
        let mut starts = BufWriter::with_capacity(BUF, &mut *w);
        let mut entries = BufWriter::with_capacity(BUF, self.scratch.create("ix-entries")?);
        // Groups of partitions that hold whole buckets.
        let common = ix_bits.min(bits);
        let per_group = 1usize << (ix_bits - common);
        let buckets_per_group = 1u64 << (bits - common);
        let mut next_start = 0u64;
        for g in 0..(1usize << common) {
            let mut all: Vec<(u64, u32, u32, u64)> = Vec::new();
            for j in g * per_group..(g + 1) * per_group {
                let name = ix_name(j);
                let mut data = Vec::new();
                self.scratch.open(&name)?.read_to_end(&mut data)?;
                self.scratch.remove(&name)?;
                for e in data.chunks_exact(IX) {
                    let top = be_u64(e);
                    all.push((
                        if bits == 0 { 0 } else { top >> (64 - bits) },
                        be_u32(&e[12..]),
                        be_u32(&e[8..]),
                        be_u64(&e[16..]),
                    ));
                }
            }
            sort_by(&mut all, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            let first_bucket = g as u64 * buckets_per_group;
            let mut i = 0;
            for b in first_bucket..first_bucket + buckets_per_group {
                starts.write_all(&next_start.to_be_bytes())?;
                while i < all.len() && all[i].0 == b {
                    i += 1;
                    next_start += 1;
                }
            }
            let base = 16 + 32 * n;
            for &(_, leaf, fp, rel) in &all {
                entries.write_all(&fp.to_be_bytes())?;
                entries.write_all(&leaf.to_be_bytes())?;
                entries.write_all(&(base + rel).to_be_bytes())?;
            }
        }
        starts.write_all(&next_start.to_be_bytes())?;
        starts.flush()?;
        drop(starts);
        entries
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        io::copy(&mut self.scratch.open("ix-entries")?, w)?;
        self.scratch.remove("ix-entries")?;
        Ok(())
    }
}

/// What [`BoundedBuild::finish`] writes as it goes through the partitions.
struct Outputs<W: Write> {
    levels: Levels,
    level_files: Vec<BufWriter<W>>,
    salts: BufWriter<W>,
    uids: BufWriter<W>,
    uid_bytes: u64,
    ix: Vec<BufWriter<W>>,
    ix_bits: u32,
    leaves: u64,
    repeated: Option<LedgerError>,
    nfc_hits: BTreeMap<String, Vec<(u64, String)>>,
}

/// One partition record, borrowed.
struct Record<'d> {
    id: &'d [u8],
    salt: &'d [u8],
    line: u64,
    uid: &'d [u8],
    tail: &'d [u8],
}

impl<'d> Record<'d> {
    /// The record at `off` (checked when the partition was indexed).
    fn at(data: &'d [u8], off: usize, tail: usize) -> Record<'d> {
        let len = usize::from(u16::from_be_bytes([data[off + 72], data[off + 73]]));
        let uid_at = off + HEAD;
        Record {
            id: &data[off..off + 32],
            salt: &data[off + 32..off + 64],
            line: be_u64(&data[off + 64..]),
            uid: &data[uid_at..uid_at + len],
            tail: &data[uid_at + len..uid_at + len + tail],
        }
    }
}

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "a temporary partition file is not what this build wrote",
    )
}

fn part_name(j: usize) -> String {
    format!("part-{j}")
}

fn ix_name(j: usize) -> String {
    format!("ix-{j}")
}

fn level_name(l: usize) -> String {
    format!("level-{l}")
}

fn partition_of(id: &LeafId, bits: u32) -> usize {
    if bits == 0 {
        return 0;
    }
    let top = be_u64(&id.as_byte_array()[..8]);
    // bits <= 12
    usize::try_from(top >> (64 - bits)).unwrap_or(0)
}

fn to32(b: &[u8]) -> [u8; 32] {
    let mut a = [0u8; 32];
    a.copy_from_slice(&b[..32]);
    a
}

/// The levels above the leaves, streamed: each level keeps at most one node
/// waiting for its right sibling and writes every node, in order, to its
/// own temporary file (`level-L`).
struct Levels {
    k: usize,
    pad_key: [u8; 32],
    /// Nodes received per level (padding not included).
    counts: Vec<u64>,
    /// The node waiting for its sibling, per level.
    pending: Vec<Option<(NodeHash, Vec<Amount>)>>,
}

impl Levels {
    fn new(k: usize, pad_key: [u8; 32]) -> Levels {
        Levels {
            k,
            pad_key,
            counts: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Appends nodes (hashes, `k` sums each) to level `l`, in order, and
    /// what they complete to the levels above.
    fn push<S: Scratch>(
        &mut self,
        l: usize,
        mut hashes: Vec<NodeHash>,
        mut sums: Vec<Amount>,
        files: &mut Vec<BufWriter<S::Writer>>,
        scratch: &mut S,
    ) -> io::Result<()> {
        let k = self.k;
        while self.counts.len() <= l {
            self.counts.push(0);
            self.pending.push(None);
            files.push(BufWriter::with_capacity(
                BUF,
                scratch.create(&level_name(files.len()))?,
            ));
        }
        if hashes.is_empty() {
            return Ok(());
        }
        write_records(&mut files[l], &hashes, &sums, k)?;
        self.counts[l] += hashes.len() as u64;
        if let Some((h, s)) = self.pending[l].take() {
            hashes.insert(0, h);
            sums.splice(0..0, s);
        }
        if hashes.len() % 2 == 1 {
            let h = hashes.pop().unwrap_or_default();
            let s = sums.split_off(sums.len() - k);
            self.pending[l] = Some((h, s));
        }
        if hashes.is_empty() {
            return Ok(());
        }
        let (parents, parent_sums) = pair_up(&hashes, &sums, k)?;
        drop(hashes);
        drop(sums);
        self.push(l + 1, parents, parent_sums, files, scratch)
    }

    /// Pads and closes each level from the bottom; returns the root and
    /// every level's node count, padding included.
    fn finish<S: Scratch>(
        &mut self,
        files: &mut Vec<BufWriter<S::Writer>>,
        scratch: &mut S,
    ) -> io::Result<(RootCommitment, Vec<u64>)> {
        let k = self.k;
        let mut written = Vec::new();
        let mut l = 0;
        loop {
            let count = self.counts.get(l).copied().unwrap_or(0);
            let above = self.counts.get(l + 1).copied().unwrap_or(0);
            if count == 1 && above == 0 {
                let (hash, sums) = self.pending[l]
                    .take()
                    .ok_or_else(|| io::Error::other("no root"))?;
                written.push(1);
                let height = u32::try_from(l).map_err(|_| io::Error::other("too high"))?;
                return Ok((RootCommitment { hash, sums, height }, written));
            }
            if count == 0 {
                return Err(io::Error::other("an empty level"));
            }
            let mut padded = count;
            if let Some((h, s)) = self.pending[l].take() {
                let level = u8::try_from(l).map_err(|_| io::Error::other("too high"))?;
                let pad = hash::pad_hash(&self.pad_key, level, count);
                let zeros = vec![Amount::ZERO; k];
                write_records(&mut files[l], &[pad], &zeros, k)?;
                padded += 1;
                let mut sums = s.clone();
                sums.extend_from_slice(&zeros);
                let (p, ps) = pair_up(&[h, pad], &sums, k)?;
                self.push(l + 1, p, ps, files, scratch)?;
            }
            written.push(padded);
            l += 1;
        }
    }
}

/// Parents of consecutive pairs (an even number of nodes), on every core.
fn pair_up(
    hashes: &[NodeHash],
    sums: &[Amount],
    k: usize,
) -> io::Result<(Vec<NodeHash>, Vec<Amount>)> {
    const CHUNK: usize = 2048;
    let parents = hashes.len() / 2;
    let mut hs = vec![NodeHash::default(); parents];
    let mut ss = vec![Amount::ZERO; parents * k];
    let work = |(c, (ho, so)): (usize, (&mut [NodeHash], &mut [Amount]))| -> bool {
        let mut buf = Vec::with_capacity(65 + 32 * k + 72);
        for (off, (h, s)) in ho.iter_mut().zip(so.chunks_exact_mut(k.max(1))).enumerate() {
            let p = c * CHUNK + off;
            let (li, ri) = (2 * p, 2 * p + 1);
            let ls = &sums[li * k..(li + 1) * k];
            let rs = &sums[ri * k..(ri + 1) * k];
            for ((o, a), b) in s.iter_mut().zip(ls).zip(rs) {
                match a.checked_add(*b) {
                    Some(x) => *o = x,
                    None => return false,
                }
            }
            *h = hash::node_hash_with(&mut buf, &hashes[li], ls, &hashes[ri], rs);
        }
        true
    };
    #[cfg(feature = "parallel")]
    let ok = {
        use rayon::prelude::*;
        hs.par_chunks_mut(CHUNK)
            .zip(ss.par_chunks_mut(CHUNK * k.max(1)))
            .enumerate()
            .map(work)
            .reduce(|| true, |a, b| a && b)
    };
    #[cfg(not(feature = "parallel"))]
    let ok = hs
        .chunks_mut(CHUNK)
        .zip(ss.chunks_mut(CHUNK * k.max(1)))
        .enumerate()
        .all(work);
    if !ok {
        // The column totals were checked, so no partial sum overflows.
        return Err(io::Error::other("a sum overflows"));
    }
    Ok((hs, ss))
}

/// Writes nodes as `nodes.bin` version 2 records: hash, then `k` sums.
fn write_records(
    w: &mut impl Write,
    hashes: &[NodeHash],
    sums: &[Amount],
    k: usize,
) -> io::Result<()> {
    for (i, h) in hashes.iter().enumerate() {
        w.write_all(h.as_byte_array())?;
        for s in &sums[i * k..(i + 1) * k] {
            w.write_all(&s.to_be_bytes())?;
        }
    }
    Ok(())
}

/// `(0..n).map(|i| f(buf, i)).collect()` with a reused buffer per thread,
/// on every core with the `parallel` feature.
fn map_range<T: Send>(n: usize, f: impl Fn(&mut Vec<u8>, usize) -> T + Sync + Send) -> Vec<T> {
    let new_buf = || Vec::with_capacity(2 * 64 + MAX_USER_ID_BYTES + 72);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n)
            .into_par_iter()
            .with_min_len(1024)
            .map_init(new_buf, |buf, i| f(buf, i))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut buf = new_buf();
        (0..n).map(|i| f(&mut buf, i)).collect()
    }
}

/// Unstable sort, on every core with the `parallel` feature.
fn sort_by<T: Send>(v: &mut [T], f: impl Fn(&T, &T) -> core::cmp::Ordering + Sync) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        v.par_sort_unstable_by(f);
    }
    #[cfg(not(feature = "parallel"))]
    v.sort_unstable_by(f);
}

/// Builds the tree directory's files of an export held in memory through
/// the bounded build (for tests: the result must equal the in-memory
/// build's files).
///
/// # Errors
///
/// As [`BoundedBuild::finish`], and the export's parse errors.
pub fn build_from_csv(
    csv: &[u8],
    assets: &AssetList,
    options: &crate::ledger::CsvOptions,
    secret: &SnapshotSecret,
    budget: usize,
    piece: usize,
) -> Result<(Built, TreeFiles), BoundedError> {
    let (mut stream, start) = crate::ledger::CsvStream::start(csv, assets, options)?;
    let mut build = BoundedBuild::new(
        assets,
        secret,
        MemScratch::default(),
        stream.is_long(),
        csv.len() as u64,
        budget,
    );
    let mut rest = &csv[start..];
    while !rest.is_empty() {
        let mut cut = if piece < rest.len() {
            stream.boundary(&rest[..piece])
        } else {
            rest.len()
        };
        if cut == 0 {
            // a record longer than a piece: take the next whole one(s)
            cut = stream.boundary(rest);
        }
        if cut == 0 {
            cut = rest.len();
        }
        let rows = stream.parse(&rest[..cut])?;
        build.push(&rows, cut)?;
        rest = &rest[cut..];
    }
    let (mut nodes, mut customers, mut index) = (Vec::new(), Vec::new(), Vec::new());
    let built = build.finish(&mut nodes, &mut customers, &mut index)?;
    Ok((
        built,
        TreeFiles {
            nodes,
            customers,
            index,
        },
    ))
}

/// The three binary files of a tree directory, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFiles {
    /// `nodes.bin`.
    pub nodes: Vec<u8>,
    /// `customers.bin`.
    pub customers: Vec<u8>,
    /// `users.idx`.
    pub index: Vec<u8>,
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::cast_possible_truncation,
        reason = "tests on small trees"
    )]
    use super::*;
    use crate::ledger::CsvOptions;
    use crate::{Ledger, LiabilitiesTree};

    /// Root, customer count and the three files, or the error as text.
    type Outcome = Result<(RootCommitment, u64, Vec<u8>, Vec<u8>, Vec<u8>), String>;

    /// The in-memory build's files and root, or its error as text.
    fn in_memory(csv: &str, assets: &AssetList, secret: &SnapshotSecret) -> Outcome {
        let ledger = Ledger::from_csv_with(csv.as_bytes(), assets, &CsvOptions::default())
            .map_err(|e| e.to_string())?;
        let (tree, customers) =
            LiabilitiesTree::build(assets, &ledger, secret).map_err(|e| e.to_string())?;
        let (mut n, mut c, mut i) = (Vec::new(), Vec::new(), Vec::new());
        dir::write_nodes(&mut n, assets.len(), tree.levels()).unwrap();
        dir::write_customers(&mut c, &customers).unwrap();
        dir::write_user_index(&mut i, &customers).unwrap();
        Ok((tree.root(), customers.len() as u64, n, c, i))
    }

    fn bounded(
        csv: &str,
        assets: &AssetList,
        secret: &SnapshotSecret,
        budget: usize,
        piece: usize,
    ) -> Outcome {
        let (built, f) = build_from_csv(
            csv.as_bytes(),
            assets,
            &CsvOptions::default(),
            secret,
            budget,
            piece,
        )
        .map_err(|e| e.to_string())?;
        Ok((built.root, built.customers, f.nodes, f.customers, f.index))
    }

    fn assets(k: usize) -> AssetList {
        let spec: Vec<String> = (0..k).map(|j| format!("A{j}:8")).collect();
        AssetList::from_spec(&spec.join(",")).unwrap()
    }

    fn wide(n: usize, k: usize) -> String {
        let mut csv = String::from("user_id");
        for j in 0..k {
            csv.push_str(&format!(",A{j}"));
        }
        csv.push('\n');
        for i in 0..n {
            csv.push_str(&format!("user-{i}"));
            for j in 0..k {
                csv.push_str(&format!(",{}", (i * 7 + j * 3) % 11));
            }
            csv.push('\n');
        }
        csv
    }

    fn same(csv: &str, k: usize, budgets: &[usize], pieces: &[usize]) {
        let a = assets(k);
        let secret = SnapshotSecret::from_byte_array([5; 32]);
        let want = in_memory(csv, &a, &secret);
        for &b in budgets {
            for &p in pieces {
                let got = bounded(csv, &a, &secret, b, p);
                assert_eq!(got, want, "budget {b} piece {p}");
            }
        }
    }

    #[test]
    fn wide_trees_are_byte_identical() {
        for (n, k) in [
            (1, 1),
            (2, 1),
            (3, 2),
            (5, 3),
            (17, 1),
            (100, 2),
            (1000, 3),
            (4097, 1),
        ] {
            same(
                &wide(n, k),
                k,
                &[1 << 12, 1 << 16, 1 << 30],
                &[64, 1000, 1 << 20],
            );
        }
    }

    #[test]
    fn many_partitions() {
        // a 4 KiB budget spreads 20,000 customers over thousands of partitions
        let csv = wide(20_000, 2);
        let a = assets(2);
        let secret = SnapshotSecret::from_byte_array([5; 32]);
        let (built, ..) = build_from_csv(
            csv.as_bytes(),
            &a,
            &CsvOptions::default(),
            &secret,
            1 << 12,
            4096,
        )
        .unwrap();
        assert!(built.partitions >= 512, "{}", built.partitions);
        same(&csv, 2, &[1 << 12, 1 << 20], &[4096]);
    }

    #[test]
    fn long_form_sparse_is_byte_identical() {
        // 50 assets, about 3 held per customer, rows of one customer spread
        // over the file (and so over pieces)
        let k = 50;
        let n = 3000;
        let mut rows = Vec::new();
        for i in 0..n {
            let held = 1 + (i * 13) % 5;
            for h in 0..held {
                let a = (i * 31 + h * 17) % k;
                rows.push(format!("cust-{i},A{a},{}.{}", i % 97, h));
            }
        }
        // interleave: sort by a scrambled key
        rows.sort_by_key(|r| {
            let h: u64 = r.bytes().fold(1469598103934665603u64, |x, b| {
                (x ^ u64::from(b)).wrapping_mul(1099511628211)
            });
            h
        });
        let csv = format!("user_id,asset,amount\n{}\n", rows.join("\n"));
        same(&csv, k, &[1 << 12, 1 << 16, 1 << 30], &[100, 5000, 1 << 20]);
    }

    #[test]
    fn errors_are_the_in_memory_build_s() {
        let a = assets(2);
        let secret = SnapshotSecret::from_byte_array([5; 32]);
        let cases = [
            // duplicates: the same message, lines and id
            "user_id,A0,A1\nalice,1,2\nbob,1,1\nalice,3,4\n".to_owned(),
            format!("{}user-7,1,1\nuser-3,2,2\n", wide(50, 2)),
            // NFC duplicates
            "user_id,A0,A1\n\u{e9}lise,1,2\nbob,1,1\ne\u{301}lise,3,4\n".to_owned(),
            "user_id,A0,A1\nK,1,2\n\u{212a},1,1\n".to_owned(),
            // no customers, overflow
            "user_id,A0,A1\n".to_owned(),
            format!(
                "user_id,A0,A1\na,{m},0\nb,{m},0\n",
                m = "3000000000000000000000000000000"
            ),
            // parse errors with their lines
            "user_id,A0,A1\na,1,2\nb,x,2\n".to_owned(),
            "user_id,A0,A1\na,1,2\n\nb,1\n".to_owned(),
            // long form: repeated asset (the earliest), unknown asset
            "user_id,asset,amount\na,A0,1\nb,A1,2\nb,A0,1\na,A0,3\nb,A1,5\n".to_owned(),
            "user_id,asset,amount\na,A0,1\nb,ZZ,2\n".to_owned(),
            // quoted fields with line breaks
            "user_id,A0,A1\n\"a\nb\",1,2\n\"c,d\",3,4\n\"e\"\"f\",5,6\n".to_owned(),
        ];
        for csv in &cases {
            let want = in_memory(csv, &a, &secret);
            for (b, p) in [(1 << 12, 8), (1 << 12, 1 << 20), (1 << 30, 13)] {
                let got = bounded(csv, &a, &secret, b, p);
                assert_eq!(got, want, "{csv:?} budget {b} piece {p}");
            }
        }
    }

    #[test]
    fn scratch_is_emptied() {
        let csv = wide(500, 2);
        let a = assets(2);
        let secret = SnapshotSecret::from_byte_array([5; 32]);
        let (mut stream, start) =
            crate::ledger::CsvStream::start(csv.as_bytes(), &a, &CsvOptions::default()).unwrap();
        let mut scratch = MemScratch::default();
        {
            let mut build =
                BoundedBuild::new(&a, &secret, &mut scratch, false, csv.len() as u64, 1 << 12);
            let rows = stream.parse(&csv.as_bytes()[start..]).unwrap();
            build.push(&rows, csv.len() - start).unwrap();
            let (mut n, mut c, mut i) = (Vec::new(), Vec::new(), Vec::new());
            build.finish(&mut n, &mut c, &mut i).unwrap();
        }
        assert_eq!(scratch.names(), Vec::<String>::new());
    }
}
