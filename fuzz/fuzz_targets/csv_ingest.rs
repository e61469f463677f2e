//! Arbitrary bytes as a balances export: parse with a fixed asset list; if it
//! is accepted, build the tree with a fixed secret. Nothing may panic, every
//! error must display, and in an accepted export the root totals equal the
//! column totals and the first and last customers' proofs verify.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use por_tree::ledger::CsvOptions;
use por_tree::{AssetList, BuildError, InclusionProof, Ledger, LiabilitiesTree, SnapshotSecret};

fn fixed() -> &'static (AssetList, SnapshotSecret) {
    static F: OnceLock<(AssetList, SnapshotSecret)> = OnceLock::new();
    F.get_or_init(|| {
        (
            AssetList::from_spec("BTC:8,ETH:18,USDT:6").expect("a valid spec"),
            SnapshotSecret::from_byte_array([7; 32]),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (assets, secret) = fixed();
    // The back-office options: ignored columns and empty cells as 0.
    let options = CsvOptions {
        ignore_columns: vec!["email".into()],
        empty_as_zero: true,
    };
    if let Err(e) = Ledger::from_csv_with(data, assets, &options) {
        let _ = (e.to_string(), e.line());
    }
    let ledger = match Ledger::from_csv(data, assets) {
        Ok(l) => l,
        Err(e) => {
            let _ = (e.to_string(), e.line());
            return;
        }
    };
    let (tree, customers) = match LiabilitiesTree::build(assets, &ledger, secret) {
        Ok(t) => t,
        Err(
            e @ (BuildError::DuplicateUser { .. }
            | BuildError::NormalizedDuplicateUser { .. }
            | BuildError::IdCollision { .. }),
        ) => {
            let _ = e.to_string();
            return;
        }
        Err(e) => panic!("an accepted ledger failed to build: {e}"),
    };
    let root = tree.root();
    assert_eq!(tree.customers(), ledger.len());
    assert_eq!(
        Ok(root.sums.clone()),
        ledger.totals(),
        "root sums are the column totals"
    );
    for index in [0, customers.len() - 1] {
        let proof = tree
            .proof(&customers, index)
            .expect("every leaf has a proof");
        let parsed = InclusionProof::from_json(&proof.to_json()).expect("our proofs parse");
        parsed
            .verify_with_assets(assets, &root)
            .expect("our proofs verify");
    }
});
