//! The tree directory written by `por tree build` and read by the proof commands.
//!
//! ```text
//! DIR/tree.json       summary: format, assets, root (hash, sums, height), customers, totals
//! DIR/nodes.bin       every level, leaves first, padding included
//! DIR/customers.bin   user id and salt of each leaf, in leaf order
//! DIR/.por-output     the marker: this directory was written by por
//! ```
//!
//! # The output marker and `--force`
//!
//! Every directory por creates as an output (`tree build --out`,
//! `tree export-proofs --out`, `por demo --out`) gets a small file
//! [`OUTPUT_MARKER`] (`.por-output`) whose first line is
//! `por-output-v1 <what>` (`tree`, `proofs`, `demo`). `--force` replaces an
//! existing directory only if it carries that marker: an arbitrary
//! directory (a home directory, a project given as `--out` by mistake) is
//! refused with exit 2 and nothing in it is touched ([`check_replaceable`]).
//! Directories written before the marker existed are refused too; remove
//! them by hand.
//!
//! `nodes.bin`: magic `PORNODES`, then big-endian u32 version (1), u32 k,
//! u32 level count, one u64 node count per level; then for each level its
//! hashes (32 bytes each) followed by its sums (16-byte big-endian, k per
//! node). Fixed-size records let `por tree proof` seek straight to the
//! siblings it needs instead of loading the whole tree.
//!
//! `customers.bin`: magic `PORCUST1`, u64 count, the salts (32 bytes each),
//! then each user id as u32 length + UTF-8 bytes.
//!
//! The directory holds every customer's balance and salt: it is as
//! confidential as the balances export itself.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use por_tree::{
    Amount, AssetList, Customers, InclusionProof, Level, LiabilitiesTree, NodeHash, PathStep,
    RootCommitment, Salt,
};
use serde::{Deserialize, Serialize};

const SUMMARY: &str = "tree.json";
const NODES: &str = "nodes.bin";
const CUSTOMERS: &str = "customers.bin";
const NODES_MAGIC: &[u8; 8] = b"PORNODES";
const CUSTOMERS_MAGIC: &[u8; 8] = b"PORCUST1";
const STORE_FORMAT: &str = "por-tree-dir-v1";

/// The file por writes into every directory it creates as an output; only a
/// directory holding it may be replaced by `--force`.
pub const OUTPUT_MARKER: &str = ".por-output";
/// First word of the marker's first line.
const MARKER_FORMAT: &str = "por-output-v1";

/// Writes the output marker into `dir` (a directory por is creating), saying
/// which command wrote it.
pub fn write_marker(dir: &Path, what: &str) -> Result<()> {
    let path = dir.join(OUTPUT_MARKER);
    create_private(&path)?
        .write_all(
            format!(
                "{MARKER_FORMAT} {what}\nThis directory was written by por; `--force` may replace it whole.\n"
            )
            .as_bytes(),
        )
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Whether `dir` is a directory (not a symbolic link) that holds a por output marker.
fn has_marker(dir: &Path) -> bool {
    let is_dir = fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_dir());
    is_dir
        && fs::read(dir.join(OUTPUT_MARKER)).is_ok_and(|b| b.starts_with(MARKER_FORMAT.as_bytes()))
}

/// Checks that `out` may be written: it does not exist, or `force` is given
/// and it is a directory por wrote (it holds [`OUTPUT_MARKER`]).
///
/// # Errors
///
/// Says why `out` is left alone: it exists and `--force` was not given, or
/// it is not a directory por wrote. Nothing is deleted either way.
pub fn check_replaceable(out: &Path, force: bool) -> Result<()> {
    if fs::symlink_metadata(out).is_err() {
        return Ok(());
    }
    if !force {
        bail!(
            "{} already exists: choose another --out or pass --force to replace it",
            out.display()
        );
    }
    if !has_marker(out) {
        bail!(
            "{} exists and was not written by por (no {OUTPUT_MARKER} marker in it): refusing to replace it with --force; nothing was deleted. Choose another --out, or remove it yourself",
            out.display()
        );
    }
    Ok(())
}

/// `tree.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub format: String,
    pub assets: AssetList,
    pub root: RootCommitment,
    pub customers: u64,
}

/// Writes a built tree into `out` atomically: everything goes into a fresh
/// temporary directory beside it, which is renamed into place at the end.
pub fn write_tree(
    out: &Path,
    tree: &LiabilitiesTree,
    customers: &Customers,
    force: bool,
) -> Result<()> {
    let tmp = begin_dir(out, force, ".por-tree-")?;

    let summary = Summary {
        format: STORE_FORMAT.to_owned(),
        assets: tree.assets().clone(),
        root: tree.root(),
        customers: tree.customers() as u64,
    };
    write_new(&tmp.path().join(SUMMARY), |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")?;
        Ok(())
    })?;
    write_new(&tmp.path().join(NODES), |w| write_nodes(w, tree))?;
    write_new(&tmp.path().join(CUSTOMERS), |w| {
        write_customers(w, customers)
    })?;
    write_marker(tmp.path(), "tree")?;

    replace_dir(tmp, out)
}

/// Starts writing the directory `out` atomically: checks that it may be
/// replaced ([`check_replaceable`]) and returns a temporary directory beside
/// it (same file system, so [`replace_dir`] is a rename). Dropped without
/// [`replace_dir`], it leaves nothing behind.
pub fn begin_dir(out: &Path, force: bool, prefix: &str) -> Result<tempfile::TempDir> {
    check_replaceable(out, force)?;
    let parent = parent_dir(out);
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?;
    // Private (owner only) until the caller says otherwise: trees, customer
    // lists and proofs with their index are confidential. tempfile makes it
    // 0700 already; said here so it does not depend on that.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot set the permissions of {}", tmp.path().display()))?;
    }
    Ok(tmp)
}

/// Creates (or truncates) `path` readable and writable by its owner only
/// (0600 on unix): the files of a confidential output directory.
pub(crate) fn create_private(path: &Path) -> Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Moves a finished temporary directory to `out`, replacing an old one.
/// The caller has checked with [`check_replaceable`]; it is checked again
/// here, just before anything is moved, so no path can lose a directory por
/// did not write.
pub fn replace_dir(tmp: tempfile::TempDir, out: &Path) -> Result<()> {
    if fs::symlink_metadata(out).is_ok() {
        check_replaceable(out, true)?;
    }
    let tmp_path = tmp.keep();
    if out.exists() {
        let parent = parent_dir(out);
        let old = tempfile::Builder::new()
            .prefix(".por-old-")
            .tempdir_in(&parent)
            .context("cannot make room for the replaced directory")?;
        let old_path = old.path().join("old");
        fs::rename(out, &old_path)
            .with_context(|| format!("cannot move {} aside", out.display()))?;
        fs::rename(&tmp_path, out)
            .with_context(|| format!("cannot rename into {}", out.display()))?;
        drop(old); // removes the previous contents
    } else if let Err(e) = fs::rename(&tmp_path, out) {
        let _ = fs::remove_dir_all(&tmp_path);
        return Err(e).with_context(|| format!("cannot rename into {}", out.display()));
    }
    Ok(())
}

pub fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(crate) fn write_new(
    path: &Path,
    f: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let file = create_private(path)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    f(&mut w).with_context(|| format!("cannot write {}", path.display()))?;
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_nodes(w: &mut impl Write, tree: &LiabilitiesTree) -> Result<()> {
    write_levels(w, tree.assets().len(), tree.levels())
}

/// Writes a `nodes.bin` of `k` sums per node (the liabilities tree's, or
/// the distribution tree's with `k = 4 × columns`).
pub(crate) fn write_levels(w: &mut impl Write, k: usize, levels: &[Level]) -> Result<()> {
    w.write_all(NODES_MAGIC)?;
    w.write_all(&1u32.to_be_bytes())?;
    w.write_all(&u32::try_from(k)?.to_be_bytes())?;
    w.write_all(&u32::try_from(levels.len())?.to_be_bytes())?;
    for level in levels {
        w.write_all(&(level.len() as u64).to_be_bytes())?;
    }
    let mut buf = Vec::with_capacity(1 << 20);
    for level in levels {
        for chunk in level.hashes().chunks(1 << 14) {
            buf.clear();
            for h in chunk {
                buf.extend_from_slice(h.as_byte_array());
            }
            w.write_all(&buf)?;
        }
        for chunk in level.sums().chunks(1 << 14) {
            buf.clear();
            for s in chunk {
                buf.extend_from_slice(&s.to_be_bytes());
            }
            w.write_all(&buf)?;
        }
    }
    Ok(())
}

pub(crate) fn write_customers(w: &mut impl Write, customers: &Customers) -> Result<()> {
    w.write_all(CUSTOMERS_MAGIC)?;
    w.write_all(&(customers.len() as u64).to_be_bytes())?;
    for i in 0..customers.len() {
        let salt = customers.salt(i).context("customer index in range")?;
        w.write_all(salt.as_byte_array())?;
    }
    for i in 0..customers.len() {
        let id = customers.user_id(i).context("customer index in range")?;
        w.write_all(&u32::try_from(id.len())?.to_be_bytes())?;
        w.write_all(id.as_bytes())?;
    }
    Ok(())
}

/// An opened tree directory.
pub struct TreeDir {
    dir: PathBuf,
    pub summary: Summary,
    level_counts: Vec<u64>,
    k: usize,
}

impl TreeDir {
    pub fn open(dir: &Path) -> Result<TreeDir> {
        let summary_path = dir.join(SUMMARY);
        let text = fs::read_to_string(&summary_path).with_context(|| {
            format!(
                "cannot read {}: is {} a directory written by `por tree build`?",
                summary_path.display(),
                dir.display()
            )
        })?;
        let summary: Summary = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a valid tree summary", summary_path.display()))?;
        ensure!(
            summary.format == STORE_FORMAT,
            "{}: format is {:?}, expected {STORE_FORMAT:?}",
            summary_path.display(),
            summary.format
        );
        let nodes_path = dir.join(NODES);
        let mut r = File::open(&nodes_path)
            .with_context(|| format!("cannot open {}", nodes_path.display()))?;
        let (k, level_counts) = read_nodes_header(&mut r)
            .with_context(|| format!("{}: bad header", nodes_path.display()))?;
        ensure!(
            k == summary.assets.len(),
            "{}: {k} assets, but tree.json lists {}",
            nodes_path.display(),
            summary.assets.len()
        );
        let expected_len = Self::data_offset_static(k, &level_counts, level_counts.len());
        let actual = r.metadata()?.len();
        ensure!(
            actual == expected_len,
            "{}: {actual} bytes, expected {expected_len}: the file is truncated or corrupt",
            nodes_path.display()
        );
        Ok(TreeDir {
            dir: dir.to_path_buf(),
            summary,
            level_counts,
            k,
        })
    }

    fn header_len(levels: usize) -> u64 {
        8 + 4 + 4 + 4 + 8 * levels as u64
    }

    /// Byte offset where level `l`'s data starts (or the end of file for `l == levels`).
    fn data_offset_static(k: usize, counts: &[u64], l: usize) -> u64 {
        let node_bytes = 32 + 16 * k as u64;
        Self::header_len(counts.len()) + counts[..l].iter().map(|c| c * node_bytes).sum::<u64>()
    }

    /// Loads the whole tree into memory.
    pub fn load_tree(&self) -> Result<LiabilitiesTree> {
        let path = self.dir.join(NODES);
        let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut r = BufReader::with_capacity(1 << 20, file);
        read_nodes_header(&mut r)?;
        let mut levels = Vec::with_capacity(self.level_counts.len());
        for &count in &self.level_counts {
            let count = usize::try_from(count)?;
            let mut hashes = Vec::with_capacity(count);
            let mut b = [0u8; 32];
            for _ in 0..count {
                r.read_exact(&mut b)?;
                hashes.push(NodeHash::from_byte_array(b));
            }
            let mut sums = Vec::with_capacity(count * self.k);
            let mut s = [0u8; 16];
            for _ in 0..count * self.k {
                r.read_exact(&mut s)?;
                sums.push(Amount::from_base_units(u128::from_be_bytes(s)));
            }
            levels.push(Level::new(hashes, sums, self.k)?);
        }
        let customers = usize::try_from(self.summary.customers)?;
        let tree = LiabilitiesTree::from_levels(self.summary.assets.clone(), levels, customers)
            .with_context(|| format!("{}: inconsistent levels", path.display()))?;
        ensure!(
            tree.root() == self.summary.root,
            "{}: its root differs from tree.json's: the directory is corrupt",
            path.display()
        );
        Ok(tree)
    }

    /// Loads the customers (user id and salt per leaf).
    pub fn load_customers(&self) -> Result<Customers> {
        let path = self.dir.join(CUSTOMERS);
        let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut r = BufReader::with_capacity(1 << 20, file);
        let n = read_customers_header(&mut r)
            .with_context(|| format!("{}: bad header", path.display()))?;
        ensure!(
            n == self.summary.customers,
            "{}: {n} customers, tree.json says {}",
            path.display(),
            self.summary.customers
        );
        let n = usize::try_from(n)?;
        let mut salts = Vec::with_capacity(n);
        let mut b = [0u8; 32];
        for _ in 0..n {
            r.read_exact(&mut b)?;
            salts.push(Salt::from_byte_array(b));
        }
        let mut customers = Customers::new();
        let mut id = Vec::new();
        for salt in salts {
            let id_str = read_user_id(&mut r, &mut id)
                .with_context(|| format!("{}: truncated or corrupt", path.display()))?;
            customers.push(id_str, salt);
        }
        Ok(customers)
    }

    /// Finds a user's leaf index and salt by scanning `customers.bin`.
    pub fn find_customer(&self, user_id: &str) -> Result<Option<(u64, Salt)>> {
        find_customer(&self.dir, user_id)
    }

    /// Reads one node by seeking to it.
    fn read_node(&self, f: &mut File, level: usize, index: u64) -> Result<(NodeHash, Vec<Amount>)> {
        let count = self.level_counts[level];
        ensure!(
            index < count,
            "node {index} of level {level} is outside the tree"
        );
        let base = Self::data_offset_static(self.k, &self.level_counts, level);
        f.seek(SeekFrom::Start(base + 32 * index))?;
        let mut h = [0u8; 32];
        f.read_exact(&mut h)?;
        f.seek(SeekFrom::Start(
            base + 32 * count + 16 * self.k as u64 * index,
        ))?;
        let mut sums = Vec::with_capacity(self.k);
        let mut s = [0u8; 16];
        for _ in 0..self.k {
            f.read_exact(&mut s)?;
            sums.push(Amount::from_base_units(u128::from_be_bytes(s)));
        }
        Ok((NodeHash::from_byte_array(h), sums))
    }

    /// Builds one customer's proof, reading only the nodes on their path.
    pub fn proof_for(&self, user_id: &str) -> Result<Option<InclusionProof>> {
        let Some((index, salt)) = self.find_customer(user_id)? else {
            return Ok(None);
        };
        let path = self.dir.join(NODES);
        let mut f = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        let (_, balances) = self.read_node(&mut f, 0, index)?;
        let mut steps = Vec::with_capacity(self.level_counts.len().saturating_sub(1));
        let mut i = index;
        for level in 0..self.level_counts.len() - 1 {
            let (hash, sums) = self.read_node(&mut f, level, i ^ 1)?;
            steps.push(PathStep { hash, sums });
            i >>= 1;
        }
        Ok(Some(InclusionProof::new(
            self.summary.assets.clone(),
            user_id.to_owned(),
            salt,
            balances,
            index,
            steps,
            self.summary.root.clone(),
        )))
    }
}

/// Finds a user's leaf index and salt by scanning `DIR/customers.bin`.
pub(crate) fn find_customer(dir: &Path, user_id: &str) -> Result<Option<(u64, Salt)>> {
    let path = dir.join(CUSTOMERS);
    let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let n =
        read_customers_header(&mut r).with_context(|| format!("{}: bad header", path.display()))?;
    let salts_end = 16 + 32 * n;
    r.seek(SeekFrom::Start(salts_end))?;
    let mut id = Vec::new();
    for i in 0..n {
        let s = read_user_id(&mut r, &mut id)
            .with_context(|| format!("{}: truncated or corrupt", path.display()))?;
        if s == user_id {
            r.seek(SeekFrom::Start(16 + 32 * i))?;
            let mut b = [0u8; 32];
            r.read_exact(&mut b)?;
            return Ok(Some((i, Salt::from_byte_array(b))));
        }
    }
    Ok(None)
}

/// `DIR/nodes.bin` opened for reading single nodes (any `k`).
pub(crate) struct NodesFile {
    file: File,
    k: usize,
    counts: Vec<u64>,
}

impl NodesFile {
    /// Opens `DIR/nodes.bin`, checking its header, its `k` and its length.
    pub(crate) fn open(dir: &Path, k: usize) -> Result<NodesFile> {
        let path = dir.join(NODES);
        let mut file =
            File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        let (got_k, counts) = read_nodes_header(&mut file)
            .with_context(|| format!("{}: bad header", path.display()))?;
        ensure!(
            got_k == k,
            "{}: {got_k} sums per node, expected {k}",
            path.display()
        );
        let expected = TreeDir::data_offset_static(k, &counts, counts.len());
        let actual = file.metadata()?.len();
        ensure!(
            actual == expected,
            "{}: {actual} bytes, expected {expected}: the file is truncated or corrupt",
            path.display()
        );
        Ok(NodesFile { file, k, counts })
    }

    /// The number of levels (the height plus one).
    pub(crate) fn levels(&self) -> usize {
        self.counts.len()
    }

    /// Reads node `index` of `level`: its hash and `k` sums.
    pub(crate) fn node(&mut self, level: usize, index: u64) -> Result<(NodeHash, Vec<Amount>)> {
        let count = *self
            .counts
            .get(level)
            .with_context(|| format!("no level {level}"))?;
        ensure!(
            index < count,
            "node {index} of level {level} is outside the tree"
        );
        let base = TreeDir::data_offset_static(self.k, &self.counts, level);
        self.file.seek(SeekFrom::Start(base + 32 * index))?;
        let mut h = [0u8; 32];
        self.file.read_exact(&mut h)?;
        self.file.seek(SeekFrom::Start(
            base + 32 * count + 16 * self.k as u64 * index,
        ))?;
        let mut sums = Vec::with_capacity(self.k);
        let mut s = [0u8; 16];
        for _ in 0..self.k {
            self.file.read_exact(&mut s)?;
            sums.push(Amount::from_base_units(u128::from_be_bytes(s)));
        }
        Ok((NodeHash::from_byte_array(h), sums))
    }
}

fn read_nodes_header(r: &mut impl Read) -> Result<(usize, Vec<u64>)> {
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)?;
    ensure!(&magic == NODES_MAGIC, "not a por nodes file");
    let version = read_u32(r)?;
    ensure!(version == 1, "nodes file version {version}, expected 1");
    let k = usize::try_from(read_u32(r)?)?;
    let levels = read_u32(r)?;
    ensure!((1..=65).contains(&levels), "{levels} levels is impossible");
    let mut counts = Vec::with_capacity(levels as usize);
    for _ in 0..levels {
        let mut b = [0u8; 8];
        r.read_exact(&mut b)?;
        counts.push(u64::from_be_bytes(b));
    }
    Ok((k, counts))
}

fn read_customers_header(r: &mut impl Read) -> Result<u64> {
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)?;
    ensure!(&magic == CUSTOMERS_MAGIC, "not a por customers file");
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_be_bytes(b))
}

fn read_u32(r: &mut impl Read) -> Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_be_bytes(b))
}

fn read_user_id<'a>(r: &mut impl Read, buf: &'a mut Vec<u8>) -> Result<&'a str> {
    let len = usize::try_from(read_u32(r)?)?;
    ensure!(
        len <= por_tree::ledger::MAX_USER_ID_BYTES,
        "user id of {len} bytes"
    );
    buf.resize(len, 0);
    r.read_exact(buf)?;
    Ok(std::str::from_utf8(buf)?)
}
