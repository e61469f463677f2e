//! `por tree build | proof | export-proofs`

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use por_tree::{Customers, Ledger, LiabilitiesTree};
use rayon::prelude::*;

use crate::{inputs, output, progress, store, Outcome};

/// `por tree` subcommands.
#[derive(Debug, Subcommand)]
pub enum TreeCommand {
    /// Build the liabilities tree from a balances export (CSV).
    Build(BuildArgs),
    /// Write one customer's inclusion proof (por-proof-v1; por-proof-v2 for a v2 tree).
    Proof(ProofArgs),
    /// Write every customer's inclusion proof into a directory.
    ExportProofs(ExportArgs),
}

/// Arguments of `por tree build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Balances export: CSV with a `user_id` column and one column per asset
    /// symbol, in any order, separated by `,`, `;` or tab (detected from the
    /// header); amounts in asset units ("0.5"). Or long form, detected by its
    /// header `user_id,asset,amount`: one row per customer and asset held,
    /// assets without a row are 0.
    #[arg(long, value_name = "FILE.csv")]
    balances: PathBuf,
    /// The export's text encoding. A file that is not UTF-8 is refused
    /// unless this says cp932 (por does not guess: a misread user id would
    /// be another customer).
    #[arg(long, value_enum, default_value_t = inputs::Encoding::Utf8)]
    encoding: inputs::Encoding,
    /// A column of the export to skip (an e-mail address, a name); repeatable.
    #[arg(long = "ignore-column", value_name = "NAME")]
    ignore_columns: Vec<String>,
    /// Read an empty amount cell as 0 (by default it is an error).
    #[arg(long)]
    empty_as_zero: bool,
    /// Assets in tree order: `BTC:8,ETH:18`, or a TOML file with `[[asset]]` tables (symbol, decimals).
    #[arg(long, value_name = "SPEC|FILE.toml")]
    assets: String,
    /// The snapshot secret (32 bytes, raw or 64 hex digits). Created with fresh random bytes if missing.
    #[arg(long, value_name = "FILE")]
    secret_file: PathBuf,
    /// Directory to write the tree into (created atomically, owner-only:
    /// it holds every customer's id and balances). The file to publish is
    /// written beside it as `DIR.published.json`, readable by everyone.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace DIR if it exists and was written by por (it holds the
    /// `.por-output` marker), and DIR.published.json; any other directory
    /// is refused, untouched.
    #[arg(long)]
    force: bool,
    /// Print the published file's JSON instead of a summary (v1: root, height, customers, totals per asset; v2: the por-root-v2, without the customer count).
    #[arg(long)]
    json: bool,
    /// Tree format: v1 (sums: a proof shows a neighbour's balances and the
    /// customer count within 2x; docs/tree-v1.md) or v2 (Pedersen
    /// commitments and range proofs: a proof hides other customers'
    /// balances and the customer count; docs/tree-v2.md).
    #[arg(long, value_enum, default_value_t = TreeFormat::V1)]
    format: TreeFormat,
    /// Build in bounded memory within SIZE: `512M`, `4G` (K, M, G, T are
    /// powers of 1024; at least 64K). The rows are sorted in partitions
    /// through temporary files beside DIR (at the peak about as large as
    /// DIR itself, removed at the end); the tree is the same, byte for byte. Without
    /// this option, an export over a sixth of the default budget (an
    /// eighth of this machine's memory, from 256M to 1G) is built this way
    /// and a smaller one in memory. A v2 tree and a CP932 export are always
    /// built in memory.
    #[arg(long, value_name = "SIZE")]
    memory: Option<String>,
    /// Height of a v2 tree, 1 to 64 (default 32). Every customer count up to
    /// 2^(H-1) gives proofs of the same shape, so the count stays hidden.
    #[arg(long, value_name = "H")]
    height: Option<u8>,
    /// v2 only, HAZMAT: compute the commitments with variable-time table
    /// lookups (the same tree, byte for byte, in about half the CPU time).
    /// The lookups depend on the secret blinding factors and the balances:
    /// another process sharing this machine's caches may learn hidden
    /// balances, or which nodes are padding. Use it only on a machine no
    /// one else runs code on (docs/notes/tree-v2-security.md).
    #[arg(long)]
    hazmat_variable_time: bool,
}

/// `--format` of `por tree build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TreeFormat {
    /// Merkle-sum tree (por-proof-v1).
    V1,
    /// Commitments, hidden count, range proofs (por-proof-v2).
    V2,
}

/// Arguments of `por tree proof`.
#[derive(Debug, Args)]
pub struct ProofArgs {
    /// Directory written by `por tree build`.
    #[arg(long, value_name = "DIR")]
    tree: PathBuf,
    /// The customer's user id, exactly as in the balances export.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The snapshot secret the tree was built with: needed for a v2 tree,
    /// whose proof is created on demand from its balances and this secret.
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// Write the proof here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Arguments of `por tree export-proofs`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory written by `por tree build`.
    #[arg(long, value_name = "DIR")]
    tree: PathBuf,
    /// Directory to write the proofs into (created atomically): one `<user>.json`
    /// per customer plus `index.csv` mapping user ids to files.
    #[arg(long, value_name = "DIR2")]
    out: PathBuf,
    /// Replace DIR2 if it exists and was written by por (it holds the
    /// `.por-output` marker); any other directory is refused, untouched.
    #[arg(long)]
    force: bool,
    /// The snapshot secret the tree was built with: needed for a v2 tree,
    /// which is rebuilt from its balances and this secret.
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

pub fn run(cmd: TreeCommand) -> Result<Outcome> {
    match cmd {
        TreeCommand::Build(a) => build(&a),
        TreeCommand::Proof(a) => proof(&a),
        TreeCommand::ExportProofs(a) => export(&a),
    }
}

fn build(args: &BuildArgs) -> Result<Outcome> {
    if args.format == TreeFormat::V1 && args.height.is_some() {
        bail!("--height: only a v2 tree has a chosen height (pass --format v2); a v1 tree's height follows from its customer count");
    }
    let assets = inputs::assets(&args.assets)?;
    let published = published_path(&args.out)?;
    store::check_replaceable(&args.out, args.force)?;
    if !args.force && fs::symlink_metadata(&published).is_ok() {
        bail!(
            "{} exists: pass --force to replace it with this tree's publication",
            published.display()
        );
    }
    let secret = inputs::secret_or_create(&args.secret_file)?;
    let csv_name = args.balances.display().to_string();

    if args.hazmat_variable_time && args.format != TreeFormat::V2 {
        bail!("--hazmat-variable-time: only a v2 tree is built with commitments; pass --format v2 or leave the option out");
    }
    if args.memory.is_some() {
        if args.format == TreeFormat::V2 {
            bail!("--memory: a v2 tree is built in memory; leave out --memory or pass --format v1");
        }
        if args.encoding != inputs::Encoding::Utf8 {
            bail!("--memory: a CP932 export is decoded and built in memory; leave out --memory, or convert the export to UTF-8");
        }
    }
    let budget = match &args.memory {
        Some(text) => parse_size(text)?,
        None => default_budget(),
    };
    let file_len = fs::metadata(&args.balances)
        .with_context(|| format!("cannot read {csv_name}"))?
        .len();
    // The in-memory build peaks at about five times the export's size (ten
    // million customers of three assets: 2.1 GB from 0.45 GB): past the
    // budget, or when --memory is given, the bounded build.
    if args.format == TreeFormat::V1
        && args.encoding == inputs::Encoding::Utf8
        && (args.memory.is_some() || file_len.saturating_mul(6) > budget)
    {
        let spinner = progress::spinner("reading balances");
        let (root, customers, partitions) =
            build_bounded(args, &assets, &secret, budget, file_len, &csv_name)?;
        let summary = por_tree::TreeSummary::of_root(&root, customers, &assets).to_json();
        output::write_file_atomic(&published, summary.as_bytes())?;
        spinner.finish_and_clear();
        let note = format!(
            "Built in bounded memory ({} budget, {partitions} partition(s) of the rows through temporary files).",
            show_size(budget)
        );
        return print_built(
            args,
            &assets,
            &root,
            customers,
            &published,
            &summary,
            Some(&note),
        );
    }

    let spinner = progress::spinner("reading balances");
    let bytes = fs::read(&args.balances).with_context(|| format!("cannot read {csv_name}"))?;
    spinner.set_message("parsing balances");
    let text = inputs::balances_utf8(&bytes, args.encoding, &csv_name)?;
    let options = por_tree::ledger::CsvOptions {
        ignore_columns: args.ignore_columns.clone(),
        empty_as_zero: args.empty_as_zero,
    };
    // LedgerError messages already say "line N, column C (SYMBOL): ...".
    let ledger = Ledger::from_csv_with(&text, &assets, &options).map_err(|e| {
        let hint = inputs::ledger_hint(&e, &bytes, args.encoding);
        anyhow::anyhow!("{csv_name}: {e}{hint}")
    })?;
    drop(text);
    drop(bytes);
    if args.format == TreeFormat::V2 {
        let height = args.height.unwrap_or(por_tree::v2::DEFAULT_HEIGHT);
        spinner.set_message(format!("committing {} customers", ledger.len()));
        let mul = if args.hazmat_variable_time {
            eprintln!(
                "warning: --hazmat-variable-time: commitments computed with variable-time lookups on secret values; run this only on a machine no one else runs code on"
            );
            super::tree_v2::Mul::VariableTimeHazmat
        } else {
            super::tree_v2::Mul::ConstantTime
        };
        let tree = super::tree_v2::build(
            &assets, &ledger, &secret, height, mul, &args.out, &published, args.force,
        )
        .map_err(|e| anyhow::anyhow!("{csv_name}: {e}"))?;
        spinner.finish_and_clear();
        return super::tree_v2::print_build(&tree, &args.out, &published, args.json);
    }
    spinner.set_message(format!("hashing {} customers", ledger.len()));
    let (tree, customers) = LiabilitiesTree::build_consuming(&assets, ledger, &secret)
        .map_err(|e| anyhow::anyhow!("{csv_name}: {e}"))?;
    spinner.set_message(format!("writing {}", args.out.display()));
    store::write_tree(&args.out, &tree, &customers, args.force)?;
    let summary = por_tree::TreeSummary::of(&tree, &assets).to_json();
    output::write_file_atomic(&published, summary.as_bytes())?;
    spinner.finish_and_clear();
    let count = tree.customers() as u64;
    print_built(
        args,
        &assets,
        &tree.root(),
        count,
        &published,
        &summary,
        None,
    )
}

fn print_built(
    args: &BuildArgs,
    assets: &por_tree::AssetList,
    root: &por_tree::RootCommitment,
    customers: u64,
    published: &Path,
    summary: &str,
    note: Option<&str>,
) -> Result<Outcome> {
    let mut stdout = std::io::stdout().lock();
    if args.json {
        stdout.write_all(summary.as_bytes())?;
    } else {
        writeln!(
            stdout,
            "Built the liabilities tree of {customers} customers over {} asset(s).",
            assets.len()
        )?;
        writeln!(stdout, "  root    {}", root.hash)?;
        writeln!(stdout, "  height  {}", root.height)?;
        output::write_amounts(&mut stdout, "  totals  ", assets, &root.sums)?;
        if let Some(note) = note {
            writeln!(stdout, "{note}")?;
        }
        writeln!(
            stdout,
            "Wrote {} (private: every customer's id and balances).",
            args.out.display()
        )?;
        writeln!(
            stdout,
            "Wrote {}: publish this file (root, height, customers, totals per asset); customers check their proof against it with `por verify --published`.",
            published.display()
        )?;
        writeln!(
            stdout,
            "Hand each customer their own proof (`por tree proof`, `por tree export-proofs`)."
        )?;
    }
    Ok(Outcome::Pass)
}

/// Builds the tree in bounded memory ([`por_tree::bounded`]): reads the
/// export piece by piece, with temporary files beside the output. Returns
/// the root, the customer count and the number of partitions.
fn build_bounded(
    args: &BuildArgs,
    assets: &por_tree::AssetList,
    secret: &por_tree::SnapshotSecret,
    budget: u64,
    file_len: u64,
    csv_name: &str,
) -> Result<(por_tree::RootCommitment, u64, usize)> {
    use por_tree::bounded::BoundedBuild;
    use por_tree::ledger::CsvStream;
    use std::io::Read;

    let options = por_tree::ledger::CsvOptions {
        ignore_columns: args.ignore_columns.clone(),
        empty_as_zero: args.empty_as_zero,
    };
    let mut file =
        fs::File::open(&args.balances).with_context(|| format!("cannot read {csv_name}"))?;
    let mut eof = false;
    // Tops `buf` up to `want` bytes, or to the end of the file.
    let mut fill = |buf: &mut Vec<u8>, want: usize, eof: &mut bool| -> Result<()> {
        while !*eof && buf.len() < want {
            let have = buf.len();
            buf.resize(want, 0);
            let got = file
                .read(&mut buf[have..])
                .with_context(|| format!("cannot read {csv_name}"))?;
            buf.truncate(have + got);
            if got == 0 {
                *eof = true;
            }
        }
        Ok(())
    };
    let budget = usize::try_from(budget).unwrap_or(usize::MAX);
    let piece = por_tree::bounded::piece_bytes(budget);
    let mut buf: Vec<u8> = Vec::with_capacity(piece);
    let mut want = piece;
    fill(&mut buf, want, &mut eof)?;
    while !eof && !buf.contains(&b'\n') {
        want *= 2;
        fill(&mut buf, want, &mut eof)?;
    }
    let ledger_error = |e: por_tree::LedgerError, piece: &[u8]| {
        let hint = inputs::ledger_hint(&e, piece, args.encoding);
        anyhow::anyhow!("{csv_name}: {e}{hint}")
    };
    let (mut stream, start) =
        CsvStream::start(&buf, assets, &options).map_err(|e| ledger_error(e, &buf))?;
    let scratch = store::ScratchDir::beside(&args.out)?;
    let scratch_path = scratch.path().to_path_buf();
    let mut build = BoundedBuild::new(assets, secret, scratch, stream.is_long(), file_len, budget);
    buf.drain(..start);
    loop {
        fill(&mut buf, want, &mut eof)?;
        let cut = if eof {
            buf.len()
        } else {
            stream.boundary(&buf)
        };
        if cut == 0 {
            if eof {
                break;
            }
            // a record longer than a piece
            want *= 2;
            continue;
        }
        want = piece.max(want / 2);
        let rows = stream
            .parse(&buf[..cut])
            .map_err(|e| ledger_error(e, &buf[..cut]))?;
        build
            .push(&rows, cut)
            .map_err(|e| bounded_error(e, csv_name, &scratch_path))?;
        drop(rows);
        buf.drain(..cut);
    }
    drop(buf);
    let mut partitions = 0;
    let (root, customers) =
        store::write_tree_streamed(&args.out, args.force, assets, |nodes, cust, index| {
            let built = build
                .finish(nodes, cust, index)
                .map_err(|e| bounded_error(e, csv_name, &scratch_path))?;
            partitions = built.partitions;
            Ok((built.root, built.customers))
        })?;
    Ok((root, customers, partitions))
}

fn bounded_error(
    e: por_tree::bounded::BoundedError,
    csv_name: &str,
    scratch: &Path,
) -> anyhow::Error {
    use por_tree::bounded::BoundedError;
    match e {
        BoundedError::Io(e) => anyhow::Error::new(e).context(format!(
            "the bounded build's temporary files in {} or the tree's files",
            store::parent_dir(scratch).display()
        )),
        other => anyhow::anyhow!("{csv_name}: {other}"),
    }
}

/// Parses `--memory`: bytes, or a number with K, M, G or T (powers of 1024).
fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let shift = match unit
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => bail!(
            "--memory {text}: expected a size such as 512M or 4G (K, M, G, T: powers of 1024)"
        ),
    };
    let n: u64 = digits
        .parse()
        .ok()
        .and_then(|n: u64| n.checked_mul(1 << shift))
        .with_context(|| format!("--memory {text}: expected a size such as 512M or 4G"))?;
    if n < 64 << 10 {
        bail!("--memory {text}: at least 64K");
    }
    Ok(n)
}

/// An eighth of the machine's memory (read from /proc/meminfo), at most
/// 1 GiB and at least 256 MiB; 1 GiB where the memory cannot be read.
fn default_budget() -> u64 {
    let total = fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    total.map_or(1 << 30, |t| (t / 8).clamp(256 << 20, 1 << 30))
}

/// A size as `--memory` takes it, rounded down to M or G.
fn show_size(n: u64) -> String {
    if n >= 1 << 30 && n % (1 << 30) == 0 {
        format!("{}G", n >> 30)
    } else if n >= 1 << 20 {
        format!("{}M", n >> 20)
    } else {
        format!("{}K", n >> 10)
    }
}

/// The file to publish for the tree directory `out`: `out.published.json`
/// beside it (named after the directory, so two trees in one folder do not
/// overwrite each other's publication, and outside it, since the tree
/// directory is private).
fn published_path(out: &Path) -> Result<PathBuf> {
    let Some(name) = out.file_name() else {
        bail!(
            "--out {}: expected a directory name (the published file is named after it)",
            out.display()
        );
    };
    let mut file = name.to_os_string();
    file.push(".published.json");
    Ok(out.with_file_name(file))
}

fn proof(args: &ProofArgs) -> Result<Outcome> {
    if super::tree_v2::is_v2_dir(&args.tree) {
        let proof = super::tree_v2::proof(&args.tree, args.secret_file.as_ref(), &args.user)?;
        return write_proof(args, &proof.to_json());
    }
    let dir = store::TreeDir::open(&args.tree)?;
    let Some(proof) = dir.proof_for(&args.user)? else {
        bail!(
            "no customer \"{}\" in the tree at {}",
            output::term(&args.user),
            args.tree.display()
        );
    };
    write_proof(args, &proof.to_json())
}

fn write_proof(args: &ProofArgs, json: &str) -> Result<Outcome> {
    match &args.out {
        Some(path) => {
            output::write_file_atomic(path, json.as_bytes())?;
            eprintln!(
                "Wrote the proof of \"{}\" to {}.",
                output::term(&args.user),
                path.display()
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(json.as_bytes())?;
            writeln!(stdout)?;
        }
    }
    Ok(Outcome::Pass)
}

/// A file name for a user's proof: the user id itself when it is plainly
/// safe, otherwise a hash of it (the index maps ids to files either way).
pub(crate) fn proof_file_name(user_id: &str) -> String {
    let safe = !user_id.is_empty()
        && user_id.len() <= 100
        && !user_id.starts_with('.')
        && user_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@' | b'+'));
    if safe {
        format!("{user_id}.json")
    } else {
        use sha2::Digest;
        let h = sha2::Sha256::digest(user_id.as_bytes());
        format!("u-{}.json", hex::encode(&h[..16]))
    }
}

fn export(args: &ExportArgs) -> Result<Outcome> {
    if super::tree_v2::is_v2_dir(&args.tree) {
        let n = export_v2(args)?;
        println!(
            "Wrote {n} por-proof-v2 proofs to {} (index.csv maps user ids to files).\n\
             Keep the folder private and hand each customer only their own proof: it shows their\n\
             balances, user id and salt (other customers' balances and the count stay hidden).",
            args.out.display()
        );
        return Ok(Outcome::Pass);
    }
    if args.secret_file.is_some() {
        bail!("--secret-file: only a v2 tree needs the secret; a v1 tree directory stores every proof's path");
    }
    let dir = store::TreeDir::open(&args.tree)?;
    let spinner = progress::spinner("loading the tree");
    let tree = dir.load_tree()?;
    let customers = dir.load_customers()?;
    spinner.finish_and_clear();

    let n = write_proofs(&tree, &customers, None, &args.out, args.force, true)?;
    println!(
        "Wrote {n} proofs to {} (index.csv maps user ids to files).\n\
         Keep the folder private and hand each customer only their own proof: a v1 proof also\n\
         shows one other customer's exact balances and the sums of 2, 4, 8, ... more.",
        args.out.display()
    );
    Ok(Outcome::Pass)
}

/// Writes the proofs of the customers at `indices` (all when `None`) into the
/// directory `out`, created atomically: one `<user>.json` per customer plus,
/// with `with_index`, `index.csv` (user id -> file: a list of every customer
/// id in the directory, so not for a public folder). Streams: memory stays
/// flat whatever the customer count. Returns the number of proofs written.
pub(crate) fn write_proofs(
    tree: &LiabilitiesTree,
    customers: &Customers,
    indices: Option<&[usize]>,
    out: &Path,
    force: bool,
    with_index: bool,
) -> Result<usize> {
    let tmp = store::begin_dir(out, force, ".por-proofs-")?;

    let all: Vec<usize>;
    let indices = match indices {
        Some(i) => i,
        None => {
            all = (0..customers.len()).collect();
            &all
        }
    };
    let n = indices.len();
    // Streaming: each worker builds and writes one chunk of proofs at a time,
    // so memory stays flat whatever the customer count.
    let names = write_in_parallel(indices, 1024, tmp.path(), with_index, |&i| {
        let proof = tree.proof(customers, i)?;
        Ok((proof_file_name(proof.user_id()), proof.to_json()))
    })?;
    if with_index {
        let ids = indices
            .iter()
            .map(|&i| customers.user_id(i).context("customer index in range"))
            .collect::<Result<Vec<_>>>()?;
        write_index(tmp.path(), &ids, &names)?;
    }
    store::write_marker(tmp.path(), "proofs")?;
    // The temporary directory is private (0700). A folder with the index
    // lists every customer id, so it stays private (files 0600) until each
    // proof is handed out; one without it (the demo's public selection) is
    // opened to everyone.
    #[cfg(unix)]
    if !with_index {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot set the permissions of {}", tmp.path().display()))?;
    }
    store::replace_dir(tmp, out)?;
    Ok(n)
}

/// `export-proofs` on a v2 directory: every proof served from the stored
/// tree (streamed: each worker reads one customer's path at a time, no
/// rebuild), or, for a directory written before the stored tree existed,
/// from one rebuild. Each proof is checked against the directory's root
/// before it is written.
fn export_v2(args: &ExportArgs) -> Result<usize> {
    use super::tree_v2;
    let dir = &args.tree;
    let root = tree_v2::dir_root(dir)?;
    if tree_v2::has_stored_tree(dir) {
        let secret = tree_v2::need_secret(dir, args.secret_file.as_ref())?;
        // One reader per worker (a reader moves its file's position);
        // opening checks the stored top node against the root and secret.
        let first = tree_v2::open_stored_with(dir, root.clone(), &secret)?;
        let readers = Mutex::new(vec![first]);
        let ids = tree_v2::user_ids(dir)?;
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        return write_proofs_v2(&ids, &args.out, args.force, |id| {
            let taken = readers
                .lock()
                .map_err(|_| anyhow::anyhow!("a worker panicked"))?
                .pop();
            let mut reader = match taken {
                Some(r) => r,
                None => tree_v2::open_stored_with(dir, root.clone(), &secret)?,
            };
            let proof = reader
                .proof(id)
                .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            readers
                .lock()
                .map_err(|_| anyhow::anyhow!("a worker panicked"))?
                .push(reader);
            let proof = proof.with_context(|| {
                format!(
                    "{}: {id:?} is in balances.csv but not in the stored tree",
                    dir.display()
                )
            })?;
            tree_v2::checked(proof, &root)
        });
    }
    eprintln!(
        "note: {} has no {} (written by an earlier por): rebuilding the tree from its balances; build it again to export without a rebuild.",
        dir.display(),
        por_tree::v2::store::STORED_TREE_FILE
    );
    let spinner = progress::spinner("rebuilding the v2 tree");
    let tree = tree_v2::load(dir, args.secret_file.as_ref())?;
    spinner.finish_and_clear();
    let ids: Vec<&str> = tree.user_ids().collect();
    write_proofs_v2(&ids, &args.out, args.force, |id| {
        let proof = tree
            .proof(id)
            .with_context(|| format!("internal error: no proof for {id:?}"))?;
        tree_v2::checked(proof, &root)
    })
}

/// Writes the `por-proof-v2` of every user id in `ids` (made by `make`) into
/// the directory `out`, created atomically and private: one `<user>.json`
/// per customer and `index.csv`. Proofs are created in parallel (rayon), a
/// chunk at a time per worker, and written as they are made.
fn write_proofs_v2(
    ids: &[&str],
    out: &Path,
    force: bool,
    make: impl Fn(&str) -> Result<por_tree::v2::ProofV2> + Sync,
) -> Result<usize> {
    let tmp = store::begin_dir(out, force, ".por-proofs-")?;
    // Range proofs make each proof costly (about 0.25 s of CPU per asset):
    // small chunks keep both cores busy to the end.
    let names = write_in_parallel(ids, 64, tmp.path(), true, |id| {
        Ok((proof_file_name(id), make(id)?.to_json()))
    })?;
    write_index(tmp.path(), ids, &names)?;
    store::write_marker(tmp.path(), "proofs")?;
    store::replace_dir(tmp, out)?;
    Ok(names.len())
}

/// Creates and writes one file per item into `dir`, in parallel (rayon), a
/// chunk of `chunk` items at a time per worker, with a progress bar; `make`
/// gives each item's file name and contents. Returns the names in the
/// items' order, after checking no two are equal.
fn write_in_parallel<T: Sync>(
    items: &[T],
    chunk: usize,
    dir: &Path,
    private: bool,
    make: impl Fn(&T) -> Result<(String, String)> + Sync,
) -> Result<Vec<String>> {
    let bar = progress::bar(items.len() as u64, "proofs");
    let done = AtomicU64::new(0);
    let names: Vec<String> = items
        .par_chunks(chunk)
        .map(|chunk| -> Result<Vec<String>> {
            let mut names = Vec::with_capacity(chunk.len());
            for item in chunk {
                let (name, json) = make(item)?;
                write_plain(&dir.join(&name), json.as_bytes(), private)?;
                names.push(name);
            }
            let d = done.fetch_add(names.len() as u64, Ordering::Relaxed);
            bar.set_position(d + names.len() as u64);
            Ok(names)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    bar.finish_and_clear();
    // Two distinct user ids can't map to one file name: safe names are the id
    // itself, the rest carry 128 bits of its hash and a `u-` prefix that safe
    // names may also have; check rather than assume.
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.par_sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        bail!("two customers map to the proof file name {}", w[0]);
    }
    Ok(names)
}

/// Writes `index.csv` (user id -> file) into `dir`, owner-only: it lists
/// every customer id in the folder.
fn write_index(dir: &Path, ids: &[&str], names: &[String]) -> Result<()> {
    let mut index = String::from("user_id,file\n");
    for (id, name) in ids.iter().zip(names) {
        index.push_str(&output::csv_field(id));
        index.push(',');
        index.push_str(name);
        index.push('\n');
    }
    write_plain(&dir.join("index.csv"), index.as_bytes(), true)
}

/// Writes a new file of a proofs folder: owner-only (0600) when `private`.
fn write_plain(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    if private {
        store::create_private(path)?
            .write_all(bytes)
            .with_context(|| format!("cannot write {}", path.display()))
    } else {
        fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_file_names() {
        assert_eq!(proof_file_name("customer-000042"), "customer-000042.json");
        assert_eq!(proof_file_name("a@b.jp"), "a@b.jp.json");
        assert!(proof_file_name("../etc").starts_with("u-"));
        assert!(proof_file_name("a/b").starts_with("u-"));
        assert!(proof_file_name("顧客").starts_with("u-"));
        assert_ne!(proof_file_name("a/b"), proof_file_name("a/c"));
    }
}
