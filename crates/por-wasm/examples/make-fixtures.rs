//! Writes browser-test fixtures with por-core: a tree over the CSV given,
//! every customer's proof (`proof-<user>.json`), the root hash (`root.txt`)
//! and the tree summary (`root.json`, the shape of `por tree build --json`).
//!
//! `cargo run -p por-wasm --example make-fixtures -- LEDGER.csv ASSETS OUTDIR`
//! (ASSETS like `BTC:8,ETH:18`). A stand-in until `por tree build` and
//! `por tree proof` exist; the browser tests then use those.
#![allow(clippy::print_stderr, reason = "an example reports its errors")]

use std::path::Path;
use std::process::ExitCode;

use por_core::{AssetList, Ledger, LiabilitiesTree, SnapshotSecret};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [csv, spec, out] = args.as_slice() else {
        eprintln!("usage: make-fixtures LEDGER.csv ASSETS OUTDIR");
        return ExitCode::from(2);
    };
    match run(Path::new(csv), spec, Path::new(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(csv: &Path, spec: &str, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let assets = AssetList::from_spec(spec)?;
    let ledger = Ledger::from_csv(&std::fs::read(csv)?, &assets)?;
    let secret = SnapshotSecret::from_byte_array([0x5a; 32]);
    let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret)?;
    std::fs::create_dir_all(out)?;
    for index in 0..customers.len() {
        let user = customers
            .user_id(index)
            .ok_or("customer index out of range")?;
        let proof = tree.proof(&customers, index)?;
        std::fs::write(out.join(format!("proof-{user}.json")), proof.to_json())?;
    }
    let root = tree.root();
    let totals: serde_json::Map<String, serde_json::Value> = assets
        .iter()
        .zip(&root.sums)
        .map(|(a, s)| (a.symbol().to_owned(), s.to_string().into()))
        .collect();
    let summary = serde_json::json!({
        "root": root.hash.to_string(),
        "height": root.height,
        "customers": tree.customers(),
        "totals": totals,
    });
    std::fs::write(
        out.join("root.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    std::fs::write(out.join("root.txt"), format!("{}\n", root.hash))?;
    Ok(())
}
