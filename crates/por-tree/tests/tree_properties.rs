//! Property tests of the tree against a reference model: every built proof
//! verifies, any single changed field fails, and the root sums equal the
//! column totals of the CSV.

#![cfg(feature = "csv")]
#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use por_tree::{
    Amount, AssetList, InclusionProof, Ledger, LiabilitiesTree, NodeHash, RootCommitment,
    SnapshotSecret,
};
use proptest::prelude::*;

/// A ledger: 1..=3 assets, 1..=40 customers with distinct ids (some non-ASCII).
type Rows = Vec<(String, Vec<u128>)>;

fn ledger_strategy() -> impl Strategy<Value = (AssetList, Rows, [u8; 32])> {
    (1usize..=3, 1usize..=40, any::<[u8; 32]>()).prop_flat_map(|(k, n, secret)| {
        let row = (
            "[a-z0-9]{1,6}|[顧客あ-ん]{1,3}",
            prop::collection::vec(
                prop_oneof![
                    Just(0u128),
                    0u128..1_000_000_000,
                    (u128::MAX / 64)..=(u128::MAX / 64 + 5)
                ],
                k,
            ),
        );
        prop::collection::vec(row, n).prop_map(move |rows| {
            let assets =
                AssetList::from_spec(&["BTC:8", "ETH:18", "USDT:6"][..k].join(",")).unwrap();
            // make ids distinct by suffixing the row number
            let rows = rows
                .into_iter()
                .enumerate()
                .map(|(i, (id, b))| (format!("{id}-{i}"), b))
                .collect();
            (assets, rows, secret)
        })
    })
}

fn to_csv(assets: &AssetList, rows: &[(String, Vec<u128>)]) -> String {
    let mut csv = String::from("user_id");
    for a in assets {
        csv.push(',');
        csv.push_str(a.symbol());
    }
    csv.push('\n');
    for (id, bal) in rows {
        csv.push_str(id);
        for (a, b) in assets.iter().zip(bal) {
            csv.push(',');
            csv.push_str(
                &Amount::from_base_units(*b)
                    .display_in(a.decimals())
                    .to_string(),
            );
        }
        csv.push('\n');
    }
    csv
}

fn build(
    assets: &AssetList,
    rows: &[(String, Vec<u128>)],
    secret: [u8; 32],
) -> (LiabilitiesTree, por_tree::Customers) {
    let ledger = Ledger::from_csv(to_csv(assets, rows).as_bytes(), assets).unwrap();
    LiabilitiesTree::build(assets, &ledger, &SnapshotSecret::from_byte_array(secret)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_proof_verifies_and_root_sums_are_column_totals((assets, rows, secret) in ledger_strategy()) {
        let (tree, customers) = build(&assets, &rows, secret);
        let root = tree.root();
        for j in 0..assets.len() {
            let total = rows.iter().map(|r| r.1[j]).sum::<u128>();
            prop_assert_eq!(root.sums[j].to_base_units(), total);
        }
        prop_assert_eq!(tree.customers(), rows.len());
        let expected_height = usize::BITS - (rows.len() - 1).leading_zeros();
        prop_assert_eq!(root.height, expected_height);
        for i in 0..customers.len() {
            let json = tree.proof(&customers, i).unwrap().to_json();
            let proof = InclusionProof::from_json(&json).unwrap();
            let uid = proof.user_id().to_owned();
            let row = rows.iter().find(|r| r.0 == uid).unwrap();
            let balances: Vec<u128> = proof.balances().iter().map(|a| a.to_base_units()).collect();
            prop_assert_eq!(&balances, &row.1);
            prop_assert!(proof.verify(&root).is_ok());
        }
    }

    #[test]
    fn any_single_changed_field_fails(
        (assets, rows, secret) in ledger_strategy(),
        pick in any::<prop::sample::Index>(),
        field in 0usize..8,
        bump in 1u128..1000,
    ) {
        let (tree, customers) = build(&assets, &rows, secret);
        let root = tree.root();
        let i = pick.index(customers.len());
        let json = tree.proof(&customers, i).unwrap().to_json();
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let k = assets.len();
        let height = root.height as usize;
        let add = |s: &serde_json::Value| -> serde_json::Value {
            let x: u128 = s.as_str().unwrap().parse().unwrap();
            serde_json::Value::String(x.wrapping_add(bump).to_string())
        };
        let flip = |s: &serde_json::Value| -> serde_json::Value {
            let mut h: [u8; 32] = s.as_str().unwrap().parse::<NodeHash>().unwrap().to_byte_array();
            h[(bump % 32) as usize] ^= 1 << (bump % 8);
            serde_json::Value::String(NodeHash::from_byte_array(h).to_string())
        };
        let mut changed_root = root.clone();
        match field {
            0 => { let j = (bump as usize) % k; v["balances"][j] = add(&v["balances"][j]); }
            1 => { v["user_id"] = serde_json::Value::String(format!("{}x", v["user_id"].as_str().unwrap())); }
            2 => { v["salt"] = flip(&v["salt"]); }
            3 if height > 0 => { let l = (bump as usize) % height; v["path"][l]["hash"] = flip(&v["path"][l]["hash"]); }
            4 if height > 0 => { let l = (bump as usize) % height; let j = (bump as usize) % k; v["path"][l]["sums"][j] = add(&v["path"][l]["sums"][j]); }
            5 if height > 0 => { let idx = v["index"].as_u64().unwrap(); v["index"] = (idx ^ (1 << ((bump as usize) % height))).into(); }
            6 => { changed_root.height += 1; }
            7 => { let j = (bump as usize) % k; changed_root.sums[j] = Amount::from_base_units(changed_root.sums[j].to_base_units().wrapping_add(bump)); }
            _ => { changed_root.hash = NodeHash::from_byte_array([0xee; 32]); }
        }
        let proof = InclusionProof::from_json(&v.to_string());
        match proof {
            // A changed amount may wrap into something unparsable: that's a malformed proof, also a failure.
            Err(_) => {}
            Ok(p) => prop_assert!(p.verify(&changed_root).is_err(), "field {} change verified", field),
        }
    }
}

#[test]
fn moving_value_between_siblings_is_caught() {
    // Two customers under one parent: move 1 unit from the sibling's sum to
    // the customer's balance in the proof. The parent total is unchanged,
    // but both child sums are hashed, so the root hash differs.
    let assets = AssetList::from_spec("BTC:8").unwrap();
    let (tree, customers) = build(
        &assets,
        &[("a".into(), vec![5]), ("b".into(), vec![5])],
        [3; 32],
    );
    let root = tree.root();
    let json = tree.proof(&customers, 0).unwrap().to_json();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["balances"][0] = "6".into();
    v["path"][0]["sums"][0] = "4".into();
    let proof = InclusionProof::from_json(&v.to_string()).unwrap();
    let err = proof.verify(&root).unwrap_err();
    assert_eq!(err.kind(), "root-hash-mismatch");
}

#[test]
fn overflowing_sibling_sum_is_reported_at_its_level() {
    let assets = AssetList::from_spec("BTC:0").unwrap();
    let (tree, customers) = build(
        &assets,
        &[("a".into(), vec![5]), ("b".into(), vec![5])],
        [3; 32],
    );
    let json = tree.proof(&customers, 0).unwrap().to_json();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["path"][0]["sums"][0] = u128::MAX.to_string().into();
    let proof = InclusionProof::from_json(&v.to_string()).unwrap();
    let err = proof.verify(&tree.root()).unwrap_err();
    assert_eq!(err.kind(), "sum-overflow");
    assert_eq!(err.level(), Some(1));
}

#[test]
fn wrong_path_length_and_index_are_reported() {
    let assets = AssetList::from_spec("BTC:8").unwrap();
    let rows: Vec<(String, Vec<u128>)> = (0..5).map(|i| (format!("u{i}"), vec![i])).collect();
    let (tree, customers) = build(&assets, &rows, [1; 32]);
    let root = tree.root();
    let proof = tree.proof(&customers, 2).unwrap();
    let short = RootCommitment {
        height: root.height - 1,
        ..root.clone()
    };
    assert_eq!(proof.verify(&short).unwrap_err().kind(), "path-length");
    let mut v: serde_json::Value = serde_json::from_str(&proof.to_json()).unwrap();
    v["index"] = (1u64 << 40).into();
    let p = InclusionProof::from_json(&v.to_string()).unwrap();
    assert_eq!(p.verify(&root).unwrap_err().kind(), "index-out-of-range");
}

#[test]
fn duplicate_users_are_rejected_with_both_lines() {
    let assets = AssetList::from_spec("BTC:8").unwrap();
    let ledger = Ledger::from_csv(b"user_id,BTC\na,1\nb,2\na,3\n", &assets).unwrap();
    let err = LiabilitiesTree::build(&assets, &ledger, &SnapshotSecret::from_byte_array([0; 32]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 4, column user_id: duplicate user id \"a\" (first on line 2)"
    );
}

#[test]
fn build_matches_a_tree_computed_by_hand() {
    // Three customers: level 0 gets pad(0, 3), level 1 has two nodes.
    use sha2::{Digest, Sha256};
    let assets = AssetList::from_spec("BTC:0").unwrap();
    let secret = SnapshotSecret::from_byte_array([7; 32]);
    let ledger = Ledger::from_csv(b"user_id,BTC\nx,1\ny,2\nz,3\n", &assets).unwrap();
    let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
    let h = |parts: &[&[u8]]| -> [u8; 32] {
        let mut s = Sha256::new();
        for p in parts {
            s.update(p);
        }
        s.finalize().into()
    };
    let mut leaves: Vec<([u8; 32], [u8; 32], u128)> = ["x", "y", "z"]
        .iter()
        .zip([1u128, 2, 3])
        .map(|(u, b)| {
            let salt = secret.salt(u).to_byte_array();
            let id = h(&[&[0x10], &salt, u.as_bytes()]);
            (id, h(&[&[0x00], &id, &b.to_be_bytes()]), b)
        })
        .collect();
    leaves.sort_by_key(|l| l.0);
    let pad = h(&[&[0x02], &secret.pad_key(), &[0], &3u64.to_be_bytes()]);
    let n = |l: ([u8; 32], u128), r: ([u8; 32], u128)| {
        (
            h(&[&[0x01], &l.0, &l.1.to_be_bytes(), &r.0, &r.1.to_be_bytes()]),
            l.1 + r.1,
        )
    };
    let a = n((leaves[0].1, leaves[0].2), (leaves[1].1, leaves[1].2));
    let b = n((leaves[2].1, leaves[2].2), (pad, 0));
    let root = n(a, b);
    assert_eq!(tree.root().hash.to_byte_array(), root.0);
    assert_eq!(tree.root().sums[0].to_base_units(), 6);
    assert_eq!(customers.len(), 3);
}
