//! Tree build and proof verification, against the SHA-256 floor and rs_merkle.
//!
//! `cargo bench -p por-benches --bench tree` runs the 1M groups;
//! `cargo bench -p por-benches --bench tree -- 10M` the 10M comparison.
//! Each group measures, in the same run: the floor (the tree's exact
//! compression count on every core), por's build, and rs_merkle building a
//! plain SHA-256 tree over the same number of leaves (over pre-hashed leaves,
//! and including hashing each customer into a leaf).

#![allow(clippy::unwrap_used, reason = "benchmark setup")]
#![allow(
    missing_docs,
    reason = "criterion macros generate undocumented functions"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use por_benches::{assets, compress_parallel, ledger, tree_compressions, user_id};
use por_tree::{InclusionProof, LiabilitiesTree, SnapshotSecret};
use rs_merkle::{algorithms::Sha256 as RsSha256, Hasher, MerkleTree};

fn build_group(c: &mut Criterion, n: usize, ks: &[usize], label: &str) {
    let mut g = c.benchmark_group(format!("tree-build-{label}"));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(if n > 2_000_000 { 60 } else { 20 }));
    g.throughput(Throughput::Elements(n as u64));
    let secret = SnapshotSecret::from_byte_array([7; 32]);
    for &k in ks {
        let assets = assets(k);
        let ledger = ledger(n, k);
        let id_len = user_id(0).len();
        let compressions = tree_compressions(n, k, id_len);
        g.bench_function(
            BenchmarkId::new("sha256-floor", format!("k{k}-{compressions}-compressions")),
            |b| {
                b.iter(|| black_box(compress_parallel(compressions)));
            },
        );
        g.bench_function(BenchmarkId::new("por-build", format!("k{k}")), |b| {
            b.iter(|| black_box(LiabilitiesTree::build(&assets, &ledger, &secret).unwrap()));
        });
    }
    // rs_merkle takes leaf hashes. Two measurements: the tree over leaves
    // hashed beforehand (its own work only), and the same plus hashing each
    // customer's id and balance into a leaf (what building a plain tree from
    // the same customers costs; rs_merkle hashes on one core).
    let leaf_of = |i: usize| {
        let mut preimage = user_id(i).into_bytes();
        preimage.extend_from_slice(&por_benches::balance(i, 0).to_be_bytes());
        RsSha256::hash(&preimage)
    };
    let leaves: Vec<[u8; 32]> = (0..n).map(leaf_of).collect();
    g.bench_function(
        BenchmarkId::new("rs_merkle-plain-sha256", "tree-only"),
        |b| {
            b.iter(|| black_box(MerkleTree::<RsSha256>::from_leaves(&leaves).root()));
        },
    );
    g.bench_function(
        BenchmarkId::new("rs_merkle-plain-sha256", "leaves+tree"),
        |b| {
            b.iter(|| {
                let leaves: Vec<[u8; 32]> = (0..n).map(leaf_of).collect();
                black_box(MerkleTree::<RsSha256>::from_leaves(&leaves).root())
            });
        },
    );
    g.finish();
}

fn build_1m(c: &mut Criterion) {
    build_group(c, 1_000_000, &[1, 4], "1M");
}

fn build_10m(c: &mut Criterion) {
    build_group(c, 10_000_000, &[1], "10M");
}

fn verify(c: &mut Criterion) {
    let n = 1_000_000;
    let assets = assets(4);
    let ledger = ledger(n, 4);
    let (tree, customers) =
        LiabilitiesTree::build(&assets, &ledger, &SnapshotSecret::from_byte_array([7; 32]))
            .unwrap();
    let root = tree.root();
    let json = tree.proof(&customers, 123_456).unwrap().to_json();
    let proof = InclusionProof::from_json(&json).unwrap();
    let mut g = c.benchmark_group("proof-1M-k4");
    g.bench_function("verify", |b| {
        b.iter(|| black_box(proof.verify(&root).is_ok()))
    });
    g.bench_function("parse+verify", |b| {
        b.iter(|| {
            black_box(
                InclusionProof::from_json(&json)
                    .unwrap()
                    .verify(&root)
                    .is_ok(),
            )
        });
    });
    g.finish();
}

criterion_group!(benches, build_1m, verify, build_10m);
criterion_main!(benches);
