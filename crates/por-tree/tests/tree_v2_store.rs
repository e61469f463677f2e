//! The stored v2 tree (`v2::store`): every proof it serves is byte for byte
//! the in-memory tree's, for every customer of small trees at several
//! heights with 1 and 3 assets and for the committed vectors; a file that
//! does not agree with the published root, the secret or itself is an
//! error, never a wrong proof.
#![cfg(all(feature = "v2", feature = "std"))]
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_lossless,
    reason = "test setup"
)]

use std::io::Cursor;

use por_tree::customer::CustomerVerdict;
use por_tree::v2::store::{build_stored, StoreErrorV2, StoredTreeV2};
use por_tree::v2::{self, RootV2, TreeV2};
use por_tree::{Amount, AssetList, Ledger, SnapshotSecret};
use serde_json::Value;

mod v2_support;
use v2_support::{assets, ledger, secret};

fn stored(a: &AssetList, l: &Ledger, s: &SnapshotSecret, h: u8, hazmat: bool) -> (TreeV2, Vec<u8>) {
    let mut bytes = Vec::new();
    let tree = build_stored(a, l, s, h, hazmat, &mut bytes).unwrap();
    (tree, bytes)
}

fn open(root: &RootV2, s: &SnapshotSecret, bytes: &[u8]) -> StoredTreeV2<Cursor<Vec<u8>>> {
    StoredTreeV2::open(root.clone(), s, Cursor::new(bytes.to_vec())).unwrap()
}

fn open_err(root: &RootV2, s: &SnapshotSecret, bytes: Vec<u8>) -> StoreErrorV2 {
    StoredTreeV2::open(root.clone(), s, Cursor::new(bytes)).unwrap_err()
}

#[test]
fn every_stored_proof_is_the_in_memory_proof() {
    // (customers, assets, height): a tree with one customer, trees whose
    // levels are full near the leaves (h small), sparse ones (h = 32, 64).
    for &(n, k, h) in &[
        (1, 1, 1),
        (1, 3, 32),
        (2, 1, 2),
        (7, 3, 4),
        (24, 1, 7),
        (16, 3, 12),
        (12, 1, 32),
        (6, 3, 32),
        (9, 1, 64),
    ] {
        let l = ledger(n, k);
        let (tree, bytes) = stored(&assets(k), &l, &secret(), h, false);
        let reference = TreeV2::build(&assets(k), &l, &secret(), h).unwrap();
        assert_eq!(tree.root(), reference.root(), "n={n} k={k} h={h}");
        let mut reader = open(tree.root(), &secret(), &bytes);
        assert_eq!(reader.customers(), n as u64);
        for i in 0..n {
            let id = format!("customer-{i:07}");
            let from_store = reader.proof(&id).unwrap().unwrap();
            let in_memory = reference.proof(&id).unwrap();
            assert_eq!(
                from_store.to_json(),
                in_memory.to_json(),
                "n={n} k={k} h={h} {id}"
            );
        }
        assert!(reader.proof("nobody").unwrap().is_none());
        assert!(reader.proof("customer-9999999").unwrap().is_none());
    }
}

/// A tree of more customers than one chunk of the build (4,096 nodes per
/// chunk, 16 chunks per wave), dense enough that pairs of siblings straddle
/// chunk edges: the stored parent indices still lead every proof to the
/// root. Customers around each chunk edge of the leaves are served and
/// compared with the in-memory tree's proofs.
#[test]
fn a_tree_of_many_chunks_stores_and_serves_the_same_proofs() {
    let n = 9000;
    let l = ledger(n, 1);
    let (tree, bytes) = stored(&assets(1), &l, &secret(), 15, true);
    let mut reader = open(tree.root(), &secret(), &bytes);
    assert_eq!(reader.customers(), n as u64);
    let ids: Vec<&str> = tree.user_ids().collect();
    for i in [0, 4095, 4096, 4097, 8191, 8192, n - 1] {
        let from_store = reader.proof(ids[i]).unwrap().unwrap();
        assert_eq!(
            from_store.to_json(),
            tree.proof(ids[i]).unwrap().to_json(),
            "leaf {i}"
        );
    }
}

#[test]
fn the_variable_time_build_stores_the_same_bytes() {
    let l = ledger(30, 3);
    let (_, ct) = stored(&assets(3), &l, &secret(), 16, false);
    let (_, vt) = stored(&assets(3), &l, &secret(), 16, true);
    assert_eq!(ct, vt);
}

#[test]
fn stored_proofs_match_the_vectors() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/tree-v2.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let trees = v["trees"].as_array().unwrap();
    let mut served = 0;
    let mut readers = Vec::new();
    for t in trees {
        let a = AssetList::from_spec(t["assets"].as_str().unwrap()).unwrap();
        let mut l = Ledger::new(a.len());
        for (i, c) in t["customers"].as_array().unwrap().iter().enumerate() {
            let b: Vec<Amount> = c["balances"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| Amount::from_base_units_str(x.as_str().unwrap()).unwrap())
                .collect();
            l.push(c["user_id"].as_str().unwrap(), &b, i as u64 + 2)
                .unwrap();
        }
        let mut s = [0u8; 32];
        hex::decode_to_slice(t["secret"].as_str().unwrap(), &mut s).unwrap();
        let s = SnapshotSecret::from_byte_array(s);
        let root = RootV2::from_json(&t["root"].to_string()).unwrap();
        let (tree, bytes) = stored(&a, &l, &s, t["height"].as_u64().unwrap() as u8, false);
        assert_eq!(tree.root(), &root);
        readers.push(open(&root, &s, &bytes));
    }
    for c in v["valid"].as_array().unwrap() {
        let expected = &c["proof"];
        let reader = &mut readers[c["tree"].as_u64().unwrap() as usize];
        let proof = reader
            .proof(expected["user_id"].as_str().unwrap())
            .unwrap()
            .unwrap();
        let got: Value = serde_json::from_str(&proof.to_json()).unwrap();
        assert_eq!(&got, expected, "{}", c["name"]);
        served += 1;
    }
    assert_eq!(served, v["valid"].as_array().unwrap().len());
    assert!(served > 0);
}

#[test]
fn a_stored_tree_of_another_root_or_secret_is_refused() {
    let l = ledger(12, 2);
    let (tree, bytes) = stored(&assets(2), &l, &secret(), 10, false);
    // Another tree's root (other balances): the top node is not its root.
    let mut other = ledger(12, 2);
    other
        .push(
            "extra",
            &[Amount::from_base_units(1), Amount::from_base_units(2)],
            99,
        )
        .unwrap();
    let other_root = TreeV2::build(&assets(2), &other, &secret(), 10)
        .unwrap()
        .root()
        .clone();
    assert!(matches!(
        open_err(&other_root, &secret(), bytes.clone()),
        StoreErrorV2::Corrupt(m) if m.contains("top node gives root")
    ));
    // The published totals changed, hash kept: refused.
    let mut root = tree.root().clone();
    root.totals[0] += 1;
    assert!(matches!(
        open_err(&root, &secret(), bytes.clone()),
        StoreErrorV2::Corrupt(_)
    ));
    // Another secret: the blinding factors do not unmask.
    assert!(matches!(
        open_err(
            tree.root(),
            &SnapshotSecret::from_byte_array([7; 32]),
            bytes.clone()
        ),
        StoreErrorV2::WrongSecret
    ));
    // Another height or asset count in the published root.
    let mut root = tree.root().clone();
    root.height = 11;
    assert!(matches!(
        open_err(&root, &secret(), bytes.clone()),
        StoreErrorV2::Corrupt(m) if m.contains("height")
    ));
    // Truncated, or one byte longer.
    assert!(matches!(
        open_err(tree.root(), &secret(), bytes[..bytes.len() - 1].to_vec()),
        StoreErrorV2::Corrupt(_)
    ));
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        open_err(tree.root(), &secret(), longer),
        StoreErrorV2::Corrupt(_)
    ));
    assert!(matches!(
        open_err(tree.root(), &secret(), Vec::new()),
        StoreErrorV2::Corrupt(_)
    ));
}

/// Flips one byte at `at` and asks for every customer's proof: each is
/// either the true proof (the byte was not on that path) or an error; never
/// another proof. Returns how many requests failed.
fn flip_and_serve(tree: &TreeV2, bytes: &[u8], at: usize, n: usize) -> usize {
    let mut b = bytes.to_vec();
    b[at] ^= 0x01;
    let Ok(mut reader) = StoredTreeV2::open(tree.root().clone(), &secret(), Cursor::new(b)) else {
        return n;
    };
    let mut failed = 0;
    for i in 0..n {
        let id = format!("customer-{i:07}");
        match reader.proof(&id) {
            Ok(Some(p)) => {
                assert_eq!(p.to_json(), tree.proof(&id).unwrap().to_json(), "byte {at}");
            }
            Ok(None) => failed += 1,
            Err(_) => failed += 1,
        }
    }
    failed
}

#[test]
fn a_changed_byte_gives_an_error_or_the_true_proof_never_another() {
    let (n, k, h) = (3, 1, 3);
    let l = ledger(n, k);
    let (tree, bytes) = stored(&assets(k), &l, &secret(), h, false);
    // Bytes all over the file (header, levels, index, trailer): the range
    // proofs are the costly part, so 1 asset, a small tree, every 7th byte.
    let mut detected = 0;
    let mut flipped = 0;
    for at in (0..bytes.len()).step_by(7) {
        flipped += 1;
        if flip_and_serve(&tree, &bytes, at, n) > 0 {
            detected += 1;
        }
    }
    // Most bytes are on some customer's path (or in a header the reader
    // checks); the point of the test is the assertion inside
    // `flip_and_serve` that no other proof comes out.
    assert!(detected * 2 > flipped, "{detected} of {flipped} detected");
}

#[test]
fn a_sibling_that_does_not_hash_to_its_parent_is_an_error() {
    let l = ledger(30, 1);
    let (tree, mut bytes) = stored(&assets(1), &l, &secret(), 8, false);
    // Level 1 starts after the header and the 30 leaf records; change the
    // hash of its first record (bytes 16..48 of the record).
    let leaf = 48 + 72 + 64 + 16;
    let at = 24 + 30 * leaf + 16;
    bytes[at] ^= 0x80;
    let mut reader = open(tree.root(), &secret(), &bytes);
    let mut errors = 0;
    for i in 0..30 {
        let id = format!("customer-{i:07}");
        match reader.proof(&id) {
            Err(StoreErrorV2::Corrupt(m)) => {
                assert!(
                    m.contains("hash of its children") || m.contains("level 1"),
                    "{m}"
                );
                errors += 1;
            }
            Ok(Some(p)) => assert_eq!(p.to_json(), tree.proof(&id).unwrap().to_json()),
            other => panic!("{id}: {other:?}"),
        }
    }
    assert!(errors > 0);
}

#[test]
fn served_proofs_verify_against_the_published_root() {
    let l = ledger(20, 3);
    let (tree, bytes) = stored(&assets(3), &l, &secret(), 32, false);
    let mut reader = open(tree.root(), &secret(), &bytes);
    for i in [0, 7, 19] {
        let p = reader.proof(&format!("customer-{i:07}")).unwrap().unwrap();
        assert_eq!(
            v2::check(&p, Some(tree.root())).0,
            CustomerVerdict::Verified
        );
    }
}
