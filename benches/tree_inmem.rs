//! In-memory tree build against the SHA-256 floor, in one run:
//! `tree-inmem N K [REPS]`. Alternates floor and build REPS times (default
//! 5) and prints the medians and their ratio as JSON. A quicker companion
//! to the criterion group `tree` for large N.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a small command-line tool"
)]

use std::time::Instant;

use por_benches::{assets, compress_parallel, ledger, tree_compressions, user_id};
use por_tree::{LiabilitiesTree, SnapshotSecret};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let num = |i: usize, d: usize| args.get(i).map_or(Ok(d), |s| s.parse::<usize>());
    let (Ok(n), Ok(k), Ok(reps)) = (num(1, 1_000_000), num(2, 1), num(3, 5)) else {
        eprintln!("usage: tree-inmem N K [REPS]");
        std::process::exit(2);
    };
    let assets = assets(k);
    let ledger = ledger(n, k);
    let secret = SnapshotSecret::from_byte_array([7; 32]);
    let c = tree_compressions(n, k, user_id(0).len());
    compress_parallel(c / 10);
    let (mut floor, mut build) = (Vec::new(), Vec::new());
    let mut root = String::new();
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        std::hint::black_box(compress_parallel(c));
        floor.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let (tree, customers) =
            LiabilitiesTree::build(&assets, &ledger, &secret).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1)
            });
        build.push(t.elapsed().as_secs_f64());
        root = tree.root().hash.to_string();
        drop((tree, customers));
    }
    let (f, b) = (median(&mut floor), median(&mut build));
    println!(
        "{{\"customers\": {n}, \"assets\": {k}, \"reps\": {reps}, \"compressions\": {c}, \"floor_seconds\": {f:.4}, \"build_seconds\": {b:.4}, \"ratio\": {:.2}, \"threads\": {}, \"root\": \"{root}\"}}",
        b / f,
        rayon::current_num_threads()
    );
}
