//! Step (j): the folder the exchange publishes, ready for `por serve --dir`
//! and the browser page: the root summary (the form `por tree build --json`
//! prints and the page accepts), four *sample* proofs of synthetic demo
//! customers (public so anyone can try the page, and labelled so), and a
//! copy of the built page when `scripts/build-www` has been run.
//!
//! ```text
//! published/root.json                   {"root", "height", "customers", "totals"}
//! published/root.txt                    the root hash alone (64 hex digits)
//! published/sample-proofs/<user>.json   four synthetic customers' proofs, public samples
//! published/README.txt                  what is here, and who can see it
//! www/                                  the page (copied from www/dist when it exists)
//! ```
//!
//! No `index.csv` here: it lists user ids, and the public folder has no
//! business listing customers. A real exchange publishes no customer's
//! proof at all (a proof shows its neighbours' balances, see
//! [`super::PROOF_REVEALS`]); it hands each customer their own.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use por_tree::{AssetList, Customers, LiabilitiesTree};

use super::{customers, layout};
use crate::commands::tree;
use crate::output;

/// The published folder's sub-folder of sample proofs.
pub const SAMPLE_PROOFS: &str = "sample-proofs";

/// `published/README.txt`: what is here, who can see it, and what a proof
/// shows about other customers.
pub fn readme(samples: usize) -> String {
    format!(
        "What the demo exchange publishes, served by `por serve --dir` under /published/.\n\
         Everything here is public: anyone who can read this folder (or reach the server) sees it.\n\
         \n\
         root.json            the liabilities root, height, customer count and totals (paste or drop it into the page)\n\
         root.txt             the root hash alone\n\
         attestation.json     the exchange's signed attestation\n\
         reserve-inputs.toml  the liability-reserve inputs the attestation commits to\n\
         {SAMPLE_PROOFS}/       SAMPLE proofs of {samples} synthetic demo customers, published only so that\n\
         \x20                    anyone can try the page. They are not private: each shows that customer's\n\
         \x20                    user id and balances and, like every v1 proof, about other customers:\n\
         {}\n\
         \n\
         A real exchange publishes no customer's proof: it gives each customer their own\n\
         (after they log in) and keeps the list of user ids (index.csv) private.\n",
        super::PROOF_REVEALS
            .lines()
            .skip(1)
            .map(|l| format!("                     {}", l.trim_start()))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// What step (j) wrote.
pub struct Published {
    /// The step's paragraph.
    pub text: String,
    /// ` --www DIR` when the page was copied, else empty.
    pub www_arg: String,
    /// One published proof, for the `por verify` hint.
    pub sample_proof: PathBuf,
}

/// The `por tree build --json` summary of a tree: the one writer,
/// [`por_tree::TreeSummary::to_json`].
pub fn root_json(tree: &LiabilitiesTree, assets: &AssetList) -> String {
    por_tree::TreeSummary::of(tree, assets).to_json()
}

/// The customers whose proofs are published: an e-mail login, a Japanese
/// name (its file name is a hash), a numeric UID and the last customer.
pub fn featured(n: usize, seed: u64) -> Vec<String> {
    let mut idx = vec![0, 13, 14, n - 1];
    idx.retain(|i| *i < n);
    idx.dedup();
    idx.into_iter()
        .map(|i| customers::user_id(i, seed))
        .collect()
}

pub fn write(
    out_dir: &Path,
    tree: &LiabilitiesTree,
    cust: &Customers,
    assets: &AssetList,
    seed: u64,
) -> Result<Published> {
    let dir = out_dir.join(layout::PUBLISHED);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    output::write_file_atomic(&dir.join("root.json"), root_json(tree, assets).as_bytes())?;
    output::write_file_atomic(
        &dir.join("root.txt"),
        format!("{}\n", tree.root().hash).as_bytes(),
    )?;
    let ids = featured(cust.len(), seed);
    let mut leaves = Vec::new();
    for id in &ids {
        leaves.push(
            cust.position(id)
                .with_context(|| format!("featured customer {id:?} is not in the tree"))?,
        );
    }
    let proofs = dir.join(SAMPLE_PROOFS);
    tree::write_proofs(tree, cust, Some(&leaves), &proofs, false, false)?;
    let sample_proof = proofs.join(tree::proof_file_name(&ids[0]));
    output::write_file_atomic(&dir.join("README.txt"), readme(ids.len()).as_bytes())?;

    // The page, if it has been built.
    let built = Path::new("www/dist");
    let www = out_dir.join(layout::WWW);
    let (www_arg, www_text) = if built.join("index.html").is_file() {
        copy_dir(built, &www)?;
        (
            format!(" --www {}", www.display()),
            format!(
                "The browser page (built by scripts/build-www) is copied to {}.",
                www.display()
            ),
        )
    } else {
        (
            String::new(),
            "The browser page is not built here: run scripts/build-www, then `por serve`."
                .to_owned(),
        )
    };
    let shown: Vec<String> = ids.iter().map(|id| output::term(id).into_owned()).collect();
    let text = format!(
        "Wrote what the exchange publishes: the root summary, the attestation and the reserve\n\
         inputs, ready for the browser page, which checks a proof in WebAssembly and sends\n\
         nothing anywhere. For trying the page it also holds SAMPLE proofs of {} synthetic\n\
         customers in {SAMPLE_PROOFS}/ ({}).\n\
         They are public: anyone who can read the folder sees those customers' ids and balances\n\
         and, through each proof, one neighbour's exact balances and the sums of 2, 4, 8, ... more.\n\
         A real exchange publishes no customer's proof: it hands each customer their own.\n\
         No index.csv is published (it would list customer ids); README.txt says all this.\n\
         Folder: {}\n{www_text}",
        ids.len(),
        shown.join(", "),
        dir.display()
    );
    Ok(Published {
        text,
        www_arg,
        sample_proof,
    })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for e in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            fs::copy(e.path(), &target).with_context(|| {
                format!("cannot copy {} to {}", e.path().display(), target.display())
            })?;
        }
    }
    Ok(())
}
