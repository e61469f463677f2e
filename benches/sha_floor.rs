//! Measures the SHA-256 floor of a v1 tree build on this machine, in the
//! same run as the build it is compared with: `sha-floor N K`.
//! Prints the exact compression count, the time to run that many
//! compressions on every core, and the rate.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a small command-line tool"
)]

use std::time::Instant;

use por_benches::{compress_parallel, tree_compressions, user_id};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let parsed = (
        args.get(1).map(|s| s.parse::<usize>()),
        args.get(2).map(|s| s.parse::<usize>()),
    );
    let (Some(Ok(n)), Some(Ok(k))) = parsed else {
        eprintln!("usage: sha-floor N K");
        std::process::exit(2);
    };
    let c = tree_compressions(n, k, user_id(0).len());
    compress_parallel(c / 10); // warm up
    let t = Instant::now();
    let state = compress_parallel(c);
    let secs = t.elapsed().as_secs_f64();
    std::hint::black_box(state);
    println!(
        "{{\"customers\": {n}, \"assets\": {k}, \"compressions\": {c}, \"floor_seconds\": {secs:.3}, \"compressions_per_second\": {:.0}, \"threads\": {}}}",
        c as f64 / secs,
        rayon::current_num_threads()
    );
}
