//! `vectors/tree-v2.json`: every valid proof verifies against its published
//! root, every invalid variant fails with its stated reason, and the file
//! is exactly what this generator writes (`UPDATE_VECTORS=1 cargo test -p
//! por-tree --test tree_v2_vectors` rewrites it). The independent Python
//! check (`vectors/por_tree_v2.py`) recomputes the commitments, hashes and
//! root openings of the same file; range proofs are checked here only.
#![cfg(feature = "v2")]
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_lossless,
    reason = "test setup"
)]

use por_tree::v2::{self, AssetV2, AssetsV2, ProofV2, RootV2, TreeV2};
use por_tree::{Amount, Asset, AssetList, Ledger, SnapshotSecret};
use serde_json::{json, Value};

struct Spec {
    name: &'static str,
    secret: [u8; 32],
    height: u8,
    assets: &'static str,
    customers: &'static [(&'static str, &'static [u128])],
}

const TREES: &[Spec] = &[
    Spec {
        name: "two-assets-h8",
        secret: [0x11; 32],
        height: 8,
        assets: "BTC:8,ETH:18",
        customers: &[
            ("alice", &[150_000_000, 0]),
            ("bob", &[1, 2_000_000_000_000_000_000]),
            ("carol", &[0, 0]),
            ("dave", &[99_999_999_999, 5]),
            ("顧客-7", &[42, 1_000_000_000_000_000_000_000]),
        ],
    },
    Spec {
        name: "one-asset-h32",
        secret: [0x22; 32],
        height: 32,
        assets: "USDT:6",
        customers: &[("u1", &[1_000_000]), ("u2", &[250_000_000]), ("u3", &[7])],
    },
    Spec {
        name: "rounded-up-units",
        secret: [0x33; 32],
        height: 4,
        assets: "X:18",
        customers: &[
            ("a", &[10_000_000_000_000_000_001]),
            ("b", &[10_000_000_000_000_000_000]),
        ],
    },
];

fn build(s: &Spec) -> TreeV2 {
    let assets = AssetList::from_spec(s.assets).unwrap();
    let mut l = Ledger::new(assets.len());
    for (i, (id, b)) in s.customers.iter().enumerate() {
        let b: Vec<Amount> = b.iter().map(|v| Amount::from_base_units(*v)).collect();
        l.push(id, &b, i as u64 + 2).unwrap();
    }
    TreeV2::build(
        &assets,
        &l,
        &SnapshotSecret::from_byte_array(s.secret),
        s.height,
    )
    .unwrap()
}

fn j(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

fn generate() -> Value {
    let trees: Vec<TreeV2> = TREES.iter().map(build).collect();
    let mut tree_json = Vec::new();
    let mut valid = Vec::new();
    for (t, (spec, tree)) in TREES.iter().zip(&trees).enumerate() {
        tree_json.push(json!({
            "name": spec.name,
            "secret": hex::encode(spec.secret),
            "height": spec.height,
            "assets": spec.assets,
            "customers": spec.customers.iter().map(|(id, b)| json!({
                "user_id": id,
                "balances": b.iter().map(u128::to_string).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "root": j(&tree.root().to_json()),
        }));
        for (id, _) in spec.customers {
            valid.push(json!({
                "name": format!("{}/{id}", spec.name),
                "tree": t,
                "proof": j(&tree.proof(id).unwrap().to_json()),
            }));
        }
    }
    let a = &trees[0];
    let root = a.root();
    let p = a.proof("alice").unwrap();
    let mut invalid = Vec::new();
    let mut case = |name: &str, why: &str, proof: &ProofV2, root: &RootV2, expected: &str| {
        invalid.push(json!({
            "name": name,
            "why": why,
            "tree": 0,
            "proof": j(&proof.to_json()),
            "root": j(&root.to_json()),
            "expected": expected,
        }));
    };
    let (forged, forged_root) = v2::forge_negative_sibling(a, "alice", 0, 0, 100_000_000).unwrap();
    case(
        "negative-sibling",
        "the level-0 sibling commits to its value minus 1 BTC (a negative value modulo the group order); the root and its opening were recomputed to match, so only the range proof catches it",
        &forged,
        &forged_root,
        "range-proof-invalid",
    );
    let (forged, forged_root) = v2::forge_negative_sibling(a, "alice", 5, 1, 1).unwrap();
    case(
        "negative-sibling-high",
        "as negative-sibling, at level 5 and the second asset, by one wei",
        &forged,
        &forged_root,
        "range-proof-invalid",
    );
    let other = build(&Spec {
        name: "other",
        secret: [0x44; 32],
        ..TREES[0]
    });
    let mut q = p.clone();
    q.path_mut()[3].commitments[0] = other.proof("alice").unwrap().path()[3].commitments[0];
    case(
        "sibling-commitment-from-another-tree",
        "path[3]'s BTC commitment is taken from a tree of the same customers under another secret",
        &q,
        root,
        "root-hash-mismatch",
    );
    let mut q = p.clone();
    *q.range_proof_mut() = a.proof("bob").unwrap().range_proof().to_vec();
    case(
        "range-proof-from-another-proof",
        "the range proof is bob's (same tree, same size)",
        &q,
        root,
        "range-proof-invalid",
    );
    let mut r = root.clone();
    r.totals[0] += 1;
    let mut q = p.clone();
    q.set_claimed_root(&r);
    case(
        "wrong-root-opening",
        "the published BTC total is one unit more than the root commitment holds",
        &q,
        &r,
        "root-opening-mismatch",
    );
    let mut r = root.clone();
    r.blindings[1] = r.blindings[0];
    case(
        "wrong-root-blinding",
        "the published ETH root blinding factor is wrong",
        &p,
        &r,
        "root-opening-mismatch",
    );
    let change_assets = |f: &dyn Fn(usize, &AssetV2) -> AssetV2| {
        let list: Vec<AssetV2> = p
            .assets()
            .iter()
            .enumerate()
            .map(|(i, a)| f(i, a))
            .collect();
        AssetsV2::new(list).unwrap()
    };
    let mut q = p.clone();
    q.set_assets_unchecked(change_assets(&|i, a| {
        if i == 1 {
            AssetV2::new(Asset::new("ETH", 9).unwrap(), a.unit_exponent()).unwrap()
        } else {
            a.clone()
        }
    }));
    case(
        "changed-decimals",
        "the proof says ETH has 9 decimals; the root hash commits to 18",
        &q,
        root,
        "root-hash-mismatch",
    );
    let mut q = p.clone();
    q.set_assets_unchecked(change_assets(&|i, a| {
        if i == 0 {
            AssetV2::new(Asset::new("WBTC", 8).unwrap(), a.unit_exponent()).unwrap()
        } else {
            a.clone()
        }
    }));
    case(
        "changed-asset-list",
        "the proof renames BTC to WBTC; the root hash commits to the symbols",
        &q,
        root,
        "root-hash-mismatch",
    );
    let mut q = p.clone();
    q.set_assets_unchecked(change_assets(&|i, a| {
        if i == 0 {
            AssetV2::new(a.asset().clone(), 1).unwrap()
        } else {
            a.clone()
        }
    }));
    case(
        "changed-proof-unit",
        "the proof says BTC is counted in units of 10 satoshi; the root hash commits to 1",
        &q,
        root,
        "root-hash-mismatch",
    );
    let mut r = root.clone();
    r.assets = change_assets(&|i, a| {
        if i == 1 {
            AssetV2::new(Asset::new("ETH", 6).unwrap(), a.unit_exponent()).unwrap()
        } else {
            a.clone()
        }
    });
    case(
        "published-decimals-differ",
        "the publication lists ETH with 6 decimals under the same root hash",
        &p,
        &r,
        "asset-mismatch",
    );
    let mut q = p.clone();
    q.set_height_unchecked(7);
    case(
        "wrong-height",
        "the proof states height 7 but has 8 siblings",
        &q,
        root,
        "path-length",
    );
    let mut r = root.clone();
    r.height = 9;
    case(
        "published-height-differs",
        "the publication says height 9 under the root hash of a height-8 tree",
        &p,
        &r,
        "height-mismatch",
    );
    let mut q = p.clone();
    let mut s = q.path()[0].clone();
    s.hash = por_tree::NodeHash::from_byte_array([0; 32]);
    q.path_mut()[0] = s;
    case(
        "sibling-hash-changed",
        "path[0]'s hash is zeroed",
        &q,
        root,
        "root-hash-mismatch",
    );
    json!({
        "format": "por-tree-v2-vectors",
        "note": "Generated by crates/por-tree/tests/tree_v2_vectors.rs (UPDATE_VECTORS=1). vectors/por_tree_v2.py rebuilds every tree from its secret and customers, recomputes every proof's commitments, hashes and root opening, and for each invalid case checks every reason except range-proof-invalid, which only the Rust side (bulletproofs) checks.",
        "generators": {
            "G": hex::encode(v2::format::generators().g.compress().to_bytes()),
            "H": hex::encode(v2::format::generators().h.compress().to_bytes()),
        },
        "trees": tree_json,
        "valid": valid,
        "invalid": invalid,
    })
}

fn path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/tree-v2.json")
}

#[test]
fn vectors_match_the_generator_and_verify() {
    let generated = serde_json::to_string_pretty(&generate()).unwrap() + "\n";
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        std::fs::write(path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path()).unwrap();
    assert!(
        committed == generated,
        "vectors/tree-v2.json differs from the generator: UPDATE_VECTORS=1"
    );
    let v: Value = serde_json::from_str(&committed).unwrap();
    let roots: Vec<RootV2> = v["trees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| RootV2::from_json(&t["root"].to_string()).unwrap())
        .collect();
    for c in v["valid"].as_array().unwrap() {
        let proof = ProofV2::from_json(&c["proof"].to_string()).unwrap();
        let root = &roots[c["tree"].as_u64().unwrap() as usize];
        proof
            .verify(root)
            .unwrap_or_else(|e| panic!("{}: {e}", c["name"]));
    }
    for c in v["invalid"].as_array().unwrap() {
        let proof = ProofV2::from_json(&c["proof"].to_string()).unwrap();
        let root = RootV2::from_json(&c["root"].to_string()).unwrap();
        let err = proof.verify(&root).expect_err(c["name"].as_str().unwrap());
        assert_eq!(
            err.as_str(),
            c["expected"].as_str().unwrap(),
            "{}",
            c["name"]
        );
    }
}
