//! The bounded-memory build (`por_tree::bounded`) on arbitrary exports,
//! read in pieces of an input-chosen size under an input-chosen budget:
//! nothing may panic, and the outcome must be the in-memory build's (the
//! same three files, or an error; the error text itself may differ when
//! an export has several errors, see docs/tree-v1.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_tree::bounded::build_from_csv;
use por_tree::ledger::CsvOptions;
use por_tree::{dir, AssetList, Ledger, LiabilitiesTree, SnapshotSecret};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let piece = 1 + usize::from(data[0]);
    let budget = 4096 << (data[1] % 8);
    let csv = &data[2..];
    let assets = AssetList::from_spec("BTC:8,ETH:2").expect("a valid spec");
    let secret = SnapshotSecret::from_byte_array([9; 32]);
    let options = CsvOptions::default();
    let bounded = build_from_csv(csv, &assets, &options, &secret, budget, piece);
    let memory = Ledger::from_csv_with(csv, &assets, &options)
        .map_err(|e| e.to_string())
        .and_then(|l| LiabilitiesTree::build(&assets, &l, &secret).map_err(|e| e.to_string()));
    match (bounded, memory) {
        (Ok((built, files)), Ok((tree, customers))) => {
            assert_eq!(built.root, tree.root());
            let mut nodes = Vec::new();
            dir::write_nodes(&mut nodes, assets.len(), tree.levels()).expect("in memory");
            let mut cust = Vec::new();
            dir::write_customers(&mut cust, &customers).expect("in memory");
            let mut index = Vec::new();
            dir::write_user_index(&mut index, &customers).expect("in memory");
            assert!(files.nodes == nodes && files.customers == cust && files.index == index);
        }
        (Err(e), Err(_)) => {
            let _ = e.to_string();
        }
        (b, m) => panic!("bounded {:?} but in memory {:?}", b.map(|x| x.0), m.map(|x| x.0.root())),
    }
});
