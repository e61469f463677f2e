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
//! The binary files (`nodes.bin`, `customers.bin`, `users.idx`) are
//! `por_tree::dir`'s: their layout is documented there, and a customer's
//! proof is served from them by `por_tree::dir::ProofReader` (one read per
//! level, a few to find the customer in `users.idx`), the same reader an
//! exchange's API can call. `tree.json`'s `format` is `por-tree-dir-v2`
//! (nodes.bin version 2 and users.idx); directories of `por-tree-dir-v1`
//! (nodes.bin version 1, no index: the customer is found by a scan) are
//! still read.
//!
//! The directory holds every customer's balance and salt: it is as
//! confidential as the balances export itself.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use por_tree::dir::{self, NodesReader, ProofReader};
use por_tree::{
    Amount, AssetList, Customers, InclusionProof, Level, LiabilitiesTree, NodeHash, RootCommitment,
    Salt,
};
use serde::{Deserialize, Serialize};

const SUMMARY: &str = "tree.json";
const NODES: &str = dir::NODES_FILE;
const CUSTOMERS: &str = dir::CUSTOMERS_FILE;
const USERS_INDEX: &str = dir::USERS_INDEX_FILE;
const CUSTOMERS_MAGIC: &[u8; 8] = b"PORCUST1";
/// The format `tree build` writes.
const STORE_FORMAT: &str = "por-tree-dir-v2";
/// The formats read: v1 has nodes.bin version 1 and no users.idx.
const STORE_FORMATS_READ: [&str; 2] = ["por-tree-dir-v1", "por-tree-dir-v2"];

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
    // nodes.bin (most of the bytes) on one thread, the customers and their
    // index on another: copying into the page cache costs CPU time, so two
    // writers finish sooner than one.
    let (nodes, rest) = std::thread::scope(|scope| {
        let nodes = scope.spawn(|| write_new(&tmp.path().join(NODES), |w| write_nodes(w, tree)));
        let rest = write_new(&tmp.path().join(CUSTOMERS), |w| {
            write_customers(w, customers)
        })
        .and_then(|()| {
            write_new(&tmp.path().join(USERS_INDEX), |w| {
                Ok(dir::write_user_index(w, customers)?)
            })
        });
        (nodes.join(), rest)
    });
    nodes.map_err(|_| anyhow::anyhow!("the thread writing {NODES} panicked"))??;
    rest?;
    write_marker(tmp.path(), "tree")?;

    replace_dir(tmp, out)
}

/// Writes a tree built in bounded memory into `out` atomically, as
/// [`write_tree`] does: `build` writes `nodes.bin`, `customers.bin` and
/// `users.idx` and returns the root and customer count, then `tree.json`
/// and the marker are written and the directory renamed into place. On an
/// error nothing is left behind.
pub fn write_tree_streamed(
    out: &Path,
    force: bool,
    assets: &AssetList,
    build: impl FnOnce(
        &mut BufWriter<File>,
        &mut BufWriter<File>,
        &mut BufWriter<File>,
    ) -> Result<(RootCommitment, u64)>,
) -> Result<(RootCommitment, u64)> {
    let tmp = begin_dir(out, force, ".por-tree-")?;
    let open = |name: &str| -> Result<BufWriter<File>> {
        Ok(BufWriter::with_capacity(
            1 << 20,
            create_private(&tmp.path().join(name))?,
        ))
    };
    let (mut nodes, mut customers, mut index) =
        (open(NODES)?, open(CUSTOMERS)?, open(USERS_INDEX)?);
    let (root, count) = build(&mut nodes, &mut customers, &mut index)?;
    for (w, name) in [(nodes, NODES), (customers, CUSTOMERS), (index, USERS_INDEX)] {
        w.into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .with_context(|| format!("cannot write {}", tmp.path().join(name).display()))?;
    }
    let summary = Summary {
        format: STORE_FORMAT.to_owned(),
        assets: assets.clone(),
        root: root.clone(),
        customers: count,
    };
    write_new(&tmp.path().join(SUMMARY), |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")?;
        Ok(())
    })?;
    write_marker(tmp.path(), "tree")?;
    replace_dir(tmp, out)?;
    Ok((root, count))
}

/// Temporary files of a bounded-memory build ([`por_tree::bounded::Scratch`]):
/// owner-only files in a private temporary directory beside the output,
/// removed with it when this is dropped, on success or error.
pub struct ScratchDir {
    dir: tempfile::TempDir,
}

impl ScratchDir {
    /// Creates the temporary directory beside `out`.
    pub fn beside(out: &Path) -> Result<ScratchDir> {
        let parent = parent_dir(out);
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(".por-scratch-")
            .tempdir_in(&parent)
            .with_context(|| {
                format!(
                    "cannot create a temporary directory in {}",
                    parent.display()
                )
            })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).with_context(
                || format!("cannot set the permissions of {}", dir.path().display()),
            )?;
        }
        Ok(ScratchDir { dir })
    }

    /// Where the files are.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl por_tree::bounded::Scratch for ScratchDir {
    type Writer = File;
    type Reader = File;
    fn create(&mut self, name: &str) -> std::io::Result<File> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(self.dir.path().join(name))
    }
    fn open(&mut self, name: &str) -> std::io::Result<File> {
        File::open(self.dir.path().join(name))
    }
    fn remove(&mut self, name: &str) -> std::io::Result<()> {
        fs::remove_file(self.dir.path().join(name))
    }
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

/// Writes a `nodes.bin` (version 2) of `k` sums per node (the liabilities
/// tree's, or the distribution tree's with `k = 4 × columns`).
pub(crate) fn write_levels(w: &mut impl Write, k: usize, levels: &[Level]) -> Result<()> {
    Ok(dir::write_nodes(w, k, levels)?)
}

pub(crate) fn write_customers(w: &mut impl Write, customers: &Customers) -> Result<()> {
    Ok(dir::write_customers(w, customers)?)
}

/// An opened tree directory.
pub struct TreeDir {
    dir: PathBuf,
    pub summary: Summary,
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
            STORE_FORMATS_READ.contains(&summary.format.as_str()),
            "{}: format is {:?}, expected one of {STORE_FORMATS_READ:?}",
            summary_path.display(),
            summary.format
        );
        let k = summary.assets.len();
        Self::nodes_reader(dir, k)?;
        Ok(TreeDir {
            dir: dir.to_path_buf(),
            summary,
            k,
        })
    }

    fn nodes_reader(dir: &Path, k: usize) -> Result<NodesReader<File>> {
        let nodes_path = dir.join(NODES);
        let file = File::open(&nodes_path)
            .with_context(|| format!("cannot open {}", nodes_path.display()))?;
        NodesReader::open(file, Some(k)).map_err(|e| in_dir(dir, e))
    }

    /// Loads the whole tree into memory.
    pub fn load_tree(&self) -> Result<LiabilitiesTree> {
        let path = self.dir.join(NODES);
        let levels = Self::nodes_reader(&self.dir, self.k)?
            .read_levels()
            .map_err(|e| in_dir(&self.dir, e))?;
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
        dir::read_customers(file, self.summary.customers).map_err(|e| in_dir(&self.dir, e))
    }

    /// Opens the directory's files for serving proofs one at a time
    /// (`users.idx` is required in a `por-tree-dir-v2` directory).
    pub fn proof_reader(&self) -> Result<ProofReader<File>> {
        let open = |name: &str| {
            let path = self.dir.join(name);
            File::open(&path).with_context(|| format!("cannot open {}", path.display()))
        };
        let index = if self.summary.format == STORE_FORMAT {
            Some(open(USERS_INDEX)?)
        } else {
            None
        };
        ProofReader::open(
            self.summary.assets.clone(),
            self.summary.root.clone(),
            self.summary.customers,
            open(NODES)?,
            open(CUSTOMERS)?,
            index,
        )
        .map_err(|e| in_dir(&self.dir, e))
    }

    /// Builds one customer's proof, reading only what it needs.
    pub fn proof_for(&self, user_id: &str) -> Result<Option<InclusionProof>> {
        self.proof_reader()?
            .proof(user_id)
            .map_err(|e| in_dir(&self.dir, e))
    }
}

/// A tree directory file's error, with the directory's path in front.
fn in_dir(dir: &Path, e: dir::DirError) -> anyhow::Error {
    anyhow::anyhow!("{}: {e}", dir.display())
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
    dir: PathBuf,
    nodes: NodesReader<File>,
}

impl NodesFile {
    /// Opens `DIR/nodes.bin`, checking its header, its `k` and its length.
    pub(crate) fn open(dir: &Path, k: usize) -> Result<NodesFile> {
        Ok(NodesFile {
            dir: dir.to_path_buf(),
            nodes: TreeDir::nodes_reader(dir, k)?,
        })
    }

    /// The number of levels (the height plus one).
    pub(crate) fn levels(&self) -> usize {
        self.nodes.counts().len()
    }

    /// Reads node `index` of `level`: its hash and `k` sums.
    pub(crate) fn node(&mut self, level: usize, index: u64) -> Result<(NodeHash, Vec<Amount>)> {
        self.nodes
            .node(level, index)
            .map_err(|e| in_dir(&self.dir, e))
    }
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
