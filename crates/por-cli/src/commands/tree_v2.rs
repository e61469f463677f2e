//! Tree format v2 in the CLI: `por tree build --format v2`, `por tree proof`
//! on a v2 tree directory, and `por verify` of a `por-proof-v2` file.
//!
//! A v2 tree directory holds `tree-v2.json` (the published root, and the
//! customer count, which is private), `tree-v2.bin` (the stored tree:
//! `por_tree::v2::store`), `balances.csv` (every customer's balances in
//! asset units, exactly as parsed) and the output marker; it is owner-only.
//! A proof is created on demand from `tree-v2.bin` and the snapshot secret
//! (the secret is not stored in the directory), one read per level; a
//! directory written before `tree-v2.bin` existed is rebuilt from
//! `balances.csv` instead. Every proof is checked against the directory's
//! published root before it is written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use por_attest::publication::{self, PublishedRoot};
use por_tree::customer::{CustomerVerdict, NotVerifiedCause};
use por_tree::v2::store::{StoredTreeV2, STORED_TREE_FILE};
use por_tree::v2::{self, ProofV2, RootV2, TreeV2};
use por_tree::{AssetList, Ledger, NodeHash, SnapshotSecret};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::output::term;
use crate::{output, store, Outcome};

const DIR_FILE: &str = "tree-v2.json";
const BALANCES: &str = "balances.csv";
const DIR_FORMAT: &str = "por-tree-dir-v2";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirFile {
    format: String,
    customers: usize,
    root: serde_json::Value,
}

/// Whether `dir` is a v2 tree directory.
pub fn is_v2_dir(dir: &Path) -> bool {
    dir.join(DIR_FILE).is_file()
}

/// How a build multiplies by the generators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mul {
    /// `TreeV2::build`: constant time (the default).
    ConstantTime,
    /// `TreeV2::build_vartime_hazmat` (`--hazmat-variable-time`): the same
    /// bytes, with secret-dependent table lookups.
    VariableTimeHazmat,
}

/// Builds and writes a v2 tree: `out` (private) and `published` (the
/// `por-root-v2` to publish). Returns the tree.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site, each argument a distinct input of the build"
)]
pub fn build(
    assets: &AssetList,
    ledger: &Ledger,
    secret: &SnapshotSecret,
    height: u8,
    mul: Mul,
    out: &Path,
    published: &Path,
    force: bool,
) -> Result<TreeV2> {
    let tmp = store::begin_dir(out, force, ".por-tree-")?;
    // The build writes the stored tree as it computes each level.
    let mut built = None;
    store::write_new(&tmp.path().join(STORED_TREE_FILE), |w| {
        let hazmat = mul == Mul::VariableTimeHazmat;
        match v2::store::build_stored(assets, ledger, secret, height, hazmat, w) {
            Ok(tree) => {
                built = Some(tree);
                Ok(())
            }
            Err(v2::store::StoreErrorV2::Build(e)) => Err(BuildFailed(e.to_string()).into()),
            Err(e) => Err(e.into()),
        }
    })
    .map_err(|e| match e.downcast_ref::<BuildFailed>() {
        Some(b) => anyhow::anyhow!("{}", b.0),
        None => e,
    })?;
    let tree = built.context("internal error: the build returned no tree")?;
    store::write_new(&tmp.path().join(BALANCES), |w| {
        write_ledger(w, assets, ledger)
    })?;
    let dir = DirFile {
        format: DIR_FORMAT.to_owned(),
        customers: tree.customers(),
        root: serde_json::from_str(&tree.root().to_json())?,
    };
    store::write_new(&tmp.path().join(DIR_FILE), |w| {
        serde_json::to_writer_pretty(&mut *w, &dir)?;
        Ok(writeln!(w)?)
    })?;
    store::write_marker(tmp.path(), "tree")?;
    store::replace_dir(tmp, out)?;
    output::write_file_atomic(published, tree.root().to_json().as_bytes())?;
    Ok(tree)
}

/// A build error inside the stored tree's writer (reported as itself, not
/// as a write error of the file).
#[derive(Debug)]
struct BuildFailed(String);

impl std::fmt::Display for BuildFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildFailed {}

fn write_ledger(w: &mut impl Write, assets: &AssetList, ledger: &Ledger) -> Result<()> {
    write!(w, "user_id")?;
    for a in assets {
        write!(w, ",{}", a.symbol())?;
    }
    writeln!(w)?;
    for i in 0..ledger.len() {
        write!(w, "{}", output::csv_field(ledger.user_id(i)))?;
        for (a, b) in assets.iter().zip(ledger.balances(i)) {
            write!(w, ",{}", b.display_in(a.decimals()))?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// Prints the summary of a v2 build.
pub fn print_build(tree: &TreeV2, out: &Path, published: &Path, json_out: bool) -> Result<Outcome> {
    let root = tree.root();
    let mut stdout = std::io::stdout().lock();
    if json_out {
        stdout.write_all(root.to_json().as_bytes())?;
        writeln!(stdout)?;
        return Ok(Outcome::Pass);
    }
    writeln!(
        stdout,
        "Built the v2 liabilities tree (commitments; height {}) of {} customers over {} asset(s).",
        root.height,
        tree.customers(),
        root.assets.len()
    )?;
    writeln!(stdout, "  root    {}", root.hash)?;
    write_totals(&mut stdout, "  totals  ", root)?;
    writeln!(
        stdout,
        "Wrote {} (private: every customer's id and balances; the customer count is not in the published file).",
        out.display()
    )?;
    writeln!(
        stdout,
        "Wrote {}: publish this file (root hash, height, assets with decimals and proof units, totals and the root blinding factors that open the root to them); customers check their proof against it with `por verify --published`.",
        published.display()
    )?;
    writeln!(
        stdout,
        "Create a customer's proof on demand with `por tree proof --tree {} --secret-file FILE --user ID`.",
        out.display()
    )?;
    Ok(Outcome::Pass)
}

/// `SYMBOL amount (N units of 10^e base units)` per asset.
fn write_totals(w: &mut impl Write, prefix: &str, root: &RootV2) -> Result<()> {
    let base = root.totals_base_units();
    for (i, (a, t)) in root.assets.iter().zip(&base).enumerate() {
        let lead = if i == 0 {
            prefix.to_owned()
        } else {
            " ".repeat(prefix.len())
        };
        writeln!(
            w,
            "{lead}{:<6} {}{}",
            a.asset().symbol(),
            t.display_in(a.asset().decimals()),
            unit_note(a.unit_exponent())
        )?;
    }
    Ok(())
}

fn unit_note(e: u8) -> String {
    if e == 0 {
        String::new()
    } else {
        format!(" (in proof units of 10^{e} base units, each balance rounded up)")
    }
}

/// The root of a format v2 tree at `path`: a v2 tree directory (with its
/// customer count) or a `por-root-v2` file (without). `None` when `path` is
/// neither (a v1 tree directory, or something the caller reports).
pub fn read_root(path: &Path) -> Result<Option<(RootV2, Option<usize>)>> {
    if is_v2_dir(path) {
        let (d, root) = read_dir_file(path)?;
        return Ok(Some((root, Some(d.customers))));
    }
    if path.is_file() {
        let name = path.display().to_string();
        let text = fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
        let is_root = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| {
            v.get("format").and_then(serde_json::Value::as_str)
                == Some(por_tree::v2::proof::ROOT_FORMAT_V2)
        });
        if !is_root {
            bail!("{name}: expected a tree directory (por tree build --out) or a por-root-v2 file");
        }
        let root = RootV2::from_json(&text).map_err(|e| {
            anyhow::anyhow!(
                "{name}: {}",
                e.to_string()
                    .replacen("malformed", "malformed por-root-v2", 1)
            )
        })?;
        return Ok(Some((root, None)));
    }
    Ok(None)
}

fn read_dir_file(dir: &Path) -> Result<(DirFile, RootV2)> {
    let path = dir.join(DIR_FILE);
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let d: DirFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a v2 tree directory file", path.display()))?;
    if d.format != DIR_FORMAT {
        bail!(
            "{}: format {:?}, expected {DIR_FORMAT:?}",
            path.display(),
            d.format
        );
    }
    let root = RootV2::from_json(&d.root.to_string())
        .map_err(|e| anyhow::anyhow!("{}: root.{e}", path.display()))?;
    Ok((d, root))
}

/// `por tree proof` on a v2 directory: from the stored tree, or by
/// rebuilding a directory written before it existed; checked against the
/// directory's root before it is returned.
pub fn proof(dir: &Path, secret_file: Option<&PathBuf>, user: &str) -> Result<ProofV2> {
    let proof = if has_stored_tree(dir) {
        let mut reader = open_stored(dir, secret_file)?;
        reader
            .proof(user)
            .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?
    } else {
        eprintln!(
            "note: {} has no {STORED_TREE_FILE} (written by an earlier por): rebuilding the tree from its balances; build it again to serve proofs without a rebuild.",
            dir.display()
        );
        load(dir, secret_file)?.proof(user)
    };
    let proof = proof.ok_or_else(|| {
        anyhow::anyhow!(
            "no customer \"{}\" in the tree at {}",
            term(user),
            dir.display()
        )
    })?;
    let (_, root) = read_dir_file(dir)?;
    checked(proof, &root)
}

/// The proof, if it verifies against `root` (every check, range proofs
/// included): no unverified proof is handed out.
pub fn checked(proof: ProofV2, root: &RootV2) -> Result<ProofV2> {
    match v2::check(&proof, Some(root)) {
        (CustomerVerdict::Verified, _) => Ok(proof),
        (_, e) => bail!(
            "internal error: the proof created for \"{}\" does not verify against the tree's root ({}); nothing was written",
            term(proof.user_id()),
            e.map_or_else(|| "not verified".to_owned(), |e| e.to_string())
        ),
    }
}

/// Whether a v2 directory has its stored tree (`tree-v2.bin`).
pub fn has_stored_tree(dir: &Path) -> bool {
    dir.join(STORED_TREE_FILE).is_file()
}

/// Opens the stored tree of a v2 directory against its `tree-v2.json` root
/// and the secret.
pub fn open_stored(dir: &Path, secret_file: Option<&PathBuf>) -> Result<StoredTreeV2<fs::File>> {
    let secret = need_secret(dir, secret_file)?;
    let (_, root) = read_dir_file(dir)?;
    open_stored_with(dir, root, &secret)
}

/// [`open_stored`] with the root and secret already read.
pub fn open_stored_with(
    dir: &Path,
    root: RootV2,
    secret: &SnapshotSecret,
) -> Result<StoredTreeV2<fs::File>> {
    let path = dir.join(STORED_TREE_FILE);
    let file = fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    StoredTreeV2::open(root, secret, file).map_err(|e| match e {
        v2::store::StoreErrorV2::WrongSecret => anyhow::anyhow!(
            "{}: {STORED_TREE_FILE}: its root blinding factors do not unmask to the published ones with this secret: wrong --secret-file, or the directory was changed",
            dir.display()
        ),
        e => anyhow::anyhow!("{}: {e}", dir.display()),
    })
}

/// The user ids of a v2 directory, in `balances.csv` order.
pub fn user_ids(dir: &Path) -> Result<Vec<String>> {
    let (_, root) = read_dir_file(dir)?;
    let csv = dir.join(BALANCES);
    let bytes = fs::read(&csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let ledger = Ledger::from_csv(&bytes, &root.assets.asset_list())
        .map_err(|e| anyhow::anyhow!("{}: {e}", csv.display()))?;
    Ok((0..ledger.len())
        .map(|i| ledger.user_id(i).to_owned())
        .collect())
}

/// The root of a v2 directory (`tree-v2.json`).
pub fn dir_root(dir: &Path) -> Result<RootV2> {
    Ok(read_dir_file(dir)?.1)
}

/// The snapshot secret from `--secret-file`, which a v2 directory needs.
pub fn need_secret(dir: &Path, secret_file: Option<&PathBuf>) -> Result<SnapshotSecret> {
    let Some(secret_file) = secret_file else {
        bail!(
            "{} is a v2 tree: creating proofs needs the snapshot secret it was built with (its blinding factors are derived from it); pass --secret-file",
            dir.display()
        );
    };
    crate::inputs::secret(secret_file)
}

/// Rebuilds the v2 tree of a directory from its balances and the secret,
/// and checks it is the stored one.
pub fn load(dir: &Path, secret_file: Option<&PathBuf>) -> Result<TreeV2> {
    let secret = need_secret(dir, secret_file)?;
    let (_, root) = read_dir_file(dir)?;
    let csv = dir.join(BALANCES);
    let bytes = fs::read(&csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let assets = root.assets.asset_list();
    let ledger =
        Ledger::from_csv(&bytes, &assets).map_err(|e| anyhow::anyhow!("{}: {e}", csv.display()))?;
    let tree = TreeV2::build_with_units(&root.assets, &ledger, &secret, root.height)
        .map_err(|e| anyhow::anyhow!("{}: {e}", csv.display()))?;
    if tree.root() != &root {
        bail!(
            "the tree rebuilt from {} with this secret has root {}, not {}: wrong --secret-file, or the directory was changed",
            csv.display(),
            tree.root().hash,
            root.hash
        );
    }
    Ok(tree)
}

/// What a v2 check shows and hides (`por verify`); every sentence must
/// stay true of docs/tree-v2.md.
const WHAT_V2_PROVES: &[&str] = &[
    "What this proves and what it does not:",
    "  - VERIFIED means: your balances, as shown above (rounded up to the proof unit), are",
    "    committed in the tree whose root you gave, every commitment on your path is proven",
    "    to hold a value from 0 to 2^64 - 1 (none is negative), and the root opens to exactly",
    "    the totals shown (check that the root is the one your exchange published).",
    "  - It does not show that the exchange holds the coins to cover them: that is the audit",
    "    of its reserves (por audit), not this check.",
    "  - Shown to you: your own balances, your position in the tree, the height the exchange",
    "    chose, the asset list and the published totals.",
    "  - Hidden from you (and from anyone you pass the file to): every other customer's balances",
    "    and ids, the number of customers (the height is fixed by the exchange, not by the",
    "    count), and which siblings on your path are other customers and which are padding.",
];

/// `por verify` of a `por-proof-v2` file.
pub fn verify(
    name: &str,
    text: &str,
    root_hex: Option<&str>,
    published: Option<&PathBuf>,
    assets_given: bool,
    json_out: bool,
) -> Result<Outcome> {
    let proof = ProofV2::from_json(text).map_err(|e| {
        anyhow::anyhow!(
            "{name}: {}",
            e.to_string().replacen("malformed", "malformed proof", 1)
        )
    })?;
    if assets_given {
        bail!("--assets: a v2 root hash commits to the asset list (symbols, decimals, proof units) itself; leave out --assets");
    }
    // One reader of publications and one check (por_attest::publication),
    // as for v1 proofs and the page.
    let published_root = if let Some(path) = published {
        let pname = path.display().to_string();
        let t = fs::read_to_string(path).with_context(|| format!("cannot read {pname}"))?;
        Some((
            PublishedRoot::parse(&t).map_err(|e| anyhow::anyhow!("{pname}: {e}"))?,
            pname,
        ))
    } else if let Some(hex) = root_hex {
        let hash: NodeHash = hex
            .trim()
            .parse()
            .with_context(|| format!("--root {hex:?}"))?;
        Some((PublishedRoot::Hash(hash), String::new()))
    } else {
        None
    };
    let report = publication::check_proof_v2(&proof, published_root.as_ref().map(|(p, _)| p));
    let source = match &published_root {
        None => "only the root written in the proof file: no publication given".to_owned(),
        Some((PublishedRoot::Hash(_), _)) => "the root hash given with --root (totals as stated in the proof, opened against the root commitments)".to_owned(),
        Some((PublishedRoot::Attestation(a), name)) => match a.signature() {
            Ok(fp) => format!(
                "the format v2 root in the signed attestation {} (exchange {}, snapshot {}); its signature verifies against the key it names, fingerprint {fp}: compare it with the one your exchange publishes",
                term(name),
                term(&a.body().exchange.id),
                term(&a.body().snapshot.label)
            ),
            Err(_) => format!("the attestation {}, whose signature does not verify: nothing in it was compared", term(name)),
        },
        Some((_, name)) => format!("the published root in {}", term(name)),
    };
    let verdict = report.verdict;
    let failure = report.failure.clone();
    let outcome = match verdict {
        CustomerVerdict::Verified => Outcome::Pass,
        CustomerVerdict::ConsistentNotCompared => Outcome::Incomplete,
        CustomerVerdict::NotVerified(_) => Outcome::Fail,
    };
    let shown = report.root.clone();
    let units = proof.units().ok();
    let mut out = std::io::stdout().lock();
    if json_out {
        let by_symbol =
            |f: &dyn Fn(usize) -> String| -> serde_json::Map<String, serde_json::Value> {
                proof
                    .assets()
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.asset().symbol().to_owned(), json!(f(i))))
                    .collect()
            };
        let v = json!({
            "format": "por-proof-v2",
            "verdict": verdict.as_str(),
            "verified": verdict == CustomerVerdict::Verified,
            "cause": match verdict { CustomerVerdict::NotVerified(c) => Some(c.as_str()), _ => None },
            "failure": failure.as_ref().map(|e| json!({"kind": e.as_str(), "message": e.to_string()}))
                .or_else(|| report.format_mismatch.as_ref().map(|m| json!({"kind": "format-mismatch", "message": m})))
                .or_else(|| report.signature_error.as_ref().map(|e| json!({"kind": e.kind(), "message": e.to_string()}))),
            "root_source": report.source.as_str(),
            "user_id": proof.user_id(),
            "balances": by_symbol(&|i| proof.balances()[i].to_string()),
            "units": units.as_ref().map(|u| by_symbol(&|i| u[i].to_string())),
            "unit_exponents": by_symbol(&|i| proof.assets().get(i).map_or(0, v2::AssetV2::unit_exponent).to_string()),
            "root": shown.hash.to_string(),
            "proof_root": proof.claimed_root().hash.to_string(),
            "height": proof.height(),
            "position": proof.position(),
            "totals_units": by_symbol(&|i| shown.totals.get(i).map(u64::to_string).unwrap_or_default()),
            "range_proof_commitments": proof.path().iter().map(|s| s.commitments.len()).sum::<usize>(),
            "compared_with_publication": published_root.is_some(),
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(outcome);
    }
    let user = term(proof.user_id());
    match verdict {
        CustomerVerdict::Verified => writeln!(
            out,
            "VERIFIED: the balances of \"{user}\" are committed in the v2 liabilities tree whose root you gave; the root opens to the totals below, and every commitment on the path is proven non-negative."
        )?,
        CustomerVerdict::ConsistentNotCompared => {
            writeln!(
                out,
                "CONSISTENT, NOT COMPARED (not verified): the v2 proof of \"{user}\" is valid against the root written in the file itself, but it was not compared with anything your exchange published. Any self-consistent file (from a fake site, or an old tree) gets this far."
            )?;
            writeln!(
                out,
                "  To verify it: run again with --published FILE (the por-root-v2 your exchange published) or --root HEX (its root hash {}).",
                proof.claimed_root().hash
            )?;
        }
        CustomerVerdict::NotVerified(cause) => {
            let headline = match cause {
                NotVerifiedCause::RootDiffers => "the publication you gave differs from the proof",
                NotVerifiedCause::PublicationUntrusted => "the attestation's signature does not verify, so nothing in it can be trusted",
                _ => "the proof is inconsistent in itself",
            };
            writeln!(out, "NOT VERIFIED: {headline}.")?;
            if let Some(e) = &failure {
                writeln!(out, "  ({}) {e}.", e.as_str())?;
            }
            if let Some(m) = &report.format_mismatch {
                writeln!(out, "  (format-mismatch) {m}.")?;
            }
            if let Some(e) = &report.signature_error {
                writeln!(out, "  ({}) {e}.", e.kind())?;
            }
            writeln!(
                out,
                "  What to do: download your proof file again from your exchange and check again; if it still fails, contact your exchange, and keep this file."
            )?;
        }
    }
    for (i, a) in proof.assets().iter().enumerate() {
        let lead = if i == 0 {
            "  balances  "
        } else {
            "            "
        };
        let b = proof.balances()[i];
        let committed = match units.as_ref() {
            Some(u) if a.unit_exponent() > 0 => format!(
                " (committed as {} units of 10^{} base units, rounded up)",
                u[i],
                a.unit_exponent()
            ),
            _ => String::new(),
        };
        writeln!(
            out,
            "{lead}{:<6} {}{committed}",
            a.asset().symbol(),
            b.display_in(a.asset().decimals())
        )?;
    }
    write_totals(&mut out, "  totals    ", &shown)?;
    writeln!(out, "  root      {}", shown.hash)?;
    writeln!(
        out,
        "  height    {} (chosen by the exchange; your position {})",
        proof.height(),
        proof.position()
    )?;
    writeln!(out, "Checked against {source}.")?;
    for line in WHAT_V2_PROVES {
        writeln!(out, "{line}")?;
    }
    Ok(outcome)
}
