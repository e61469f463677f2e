//! The administrator's distribution against the liabilities tree build, on
//! the same synthetic exchange in the same run (issue 14: plan and
//! distribution tree within 2x the liabilities tree build).
//!
//! `cargo bench -p por-benches --bench distribution` runs 1M customers x 3
//! assets; `cargo bench -p por-benches --bench distribution -- 10M` the 10M
//! group (5.5 GB peak RSS measured). Three measurements per group:
//! the liabilities tree build (`LiabilitiesTree::build`), the plan alone
//! (`Plan::new`: every column's pro-rata allocation, half of each asset
//! available so that the remainder units are handed out), and the plan plus
//! the distribution tree (`DistributionTree::build_owned`, 12 sums per node).

#![allow(clippy::unwrap_used, reason = "benchmark setup")]
#![allow(
    missing_docs,
    reason = "criterion macros generate undocumented functions"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use por_benches::{assets, ledger};
use por_distribute::plan::VALUES_PER_COLUMN;
use por_distribute::tree::dpad_key;
use por_distribute::{DistributionTree, Plan, PlanInput};
use por_tree::{Amount, LiabilitiesTree, SnapshotSecret};

fn group(c: &mut Criterion, n: usize, label: &str) {
    let k = 3;
    let mut g = c.benchmark_group(format!("distribution-{label}-k{k}"));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(if n > 2_000_000 { 60 } else { 30 }));
    g.throughput(Throughput::Elements(n as u64));
    let secret = SnapshotSecret::from_byte_array([7; 32]);
    let assets = assets(k);
    let ledger = ledger(n, k);
    g.bench_function(BenchmarkId::new("liabilities-tree-build", label), |b| {
        b.iter(|| black_box(LiabilitiesTree::build(&assets, &ledger, &secret).unwrap()));
    });
    let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
    drop(ledger);
    let claims = tree.levels()[0].sums()[..n * k].to_vec();
    let available: Vec<Amount> = tree
        .root()
        .sums
        .iter()
        .map(|t| Amount::from_base_units(t.to_base_units() / 2))
        .collect();
    drop(tree);
    let de_minimis = vec![Amount::ZERO; k];
    let input = PlanInput {
        assets: &assets,
        claims: &claims,
        available: &available,
        held_back: &[],
        de_minimis: &de_minimis,
        top_up: None,
    };
    let pad = dpad_key(&secret);
    g.bench_function(BenchmarkId::new("plan", label), |b| {
        b.iter(|| black_box(Plan::new(&input).unwrap()));
    });
    g.bench_function(BenchmarkId::new("plan+distribution-tree", label), |b| {
        b.iter(|| {
            let plan = Plan::new(&input).unwrap();
            let width = plan.columns() * VALUES_PER_COLUMN;
            black_box(
                DistributionTree::build_owned(&customers, plan.into_values(), width, &pad).unwrap(),
            )
        });
    });
    g.finish();
}

fn run_1m(c: &mut Criterion) {
    group(c, 1_000_000, "1M");
}

fn run_10m(c: &mut Criterion) {
    group(c, 10_000_000, "10M");
}

criterion_group!(benches, run_1m, run_10m);
criterion_main!(benches);
