//! One customer's proof read from a tree directory written by `por tree
//! build` (through `por_tree::dir::ProofReader`, as an exchange's API
//! would), for synthetic customers (`gen-balances`' ids):
//! `proof-read DIR N [COUNT]`. Opens the directory once, then reads COUNT
//! (default 10,000) proofs of customers spread over 0..N and prints the
//! median, 99th percentile and maximum per proof, and the time of one open
//! plus one proof, as JSON. Run it with the directory in the page cache
//! (just built) or after dropping the cache to see disk latency.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a small command-line tool"
)]

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use por_benches::user_id;
use por_tree::dir::{ProofReader, CUSTOMERS_FILE, NODES_FILE, USERS_INDEX_FILE};
use por_tree::{AssetList, RootCommitment};

fn fail(msg: &str) -> ! {
    eprintln!("proof-read: {msg}");
    std::process::exit(2)
}

fn open(dir: &Path) -> ProofReader<File> {
    let text = std::fs::read_to_string(dir.join("tree.json"))
        .unwrap_or_else(|e| fail(&format!("{}/tree.json: {e}", dir.display())));
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("tree.json: {e}")));
    let assets: AssetList = serde_json::from_value(v["assets"].clone())
        .unwrap_or_else(|e| fail(&format!("tree.json assets: {e}")));
    let root: RootCommitment = serde_json::from_value(v["root"].clone())
        .unwrap_or_else(|e| fail(&format!("tree.json root: {e}")));
    let customers = v["customers"]
        .as_u64()
        .unwrap_or_else(|| fail("tree.json customers"));
    let f =
        |name: &str| File::open(dir.join(name)).unwrap_or_else(|e| fail(&format!("{name}: {e}")));
    ProofReader::open(
        assets,
        root,
        customers,
        f(NODES_FILE),
        f(CUSTOMERS_FILE),
        Some(f(USERS_INDEX_FILE)),
    )
    .unwrap_or_else(|e| fail(&e.to_string()))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(Ok(n))) = (args.get(1), args.get(2).map(|s| s.parse::<usize>())) else {
        fail("usage: proof-read DIR N [COUNT]");
    };
    let count = args
        .get(3)
        .map_or(Ok(10_000), |s| s.parse::<usize>())
        .unwrap_or_else(|_| fail("COUNT is not a number"));
    let dir = Path::new(dir);
    let t = Instant::now();
    let mut reader = open(dir);
    let first = reader
        .proof(&user_id(n / 3))
        .unwrap_or_else(|e| fail(&e.to_string()))
        .unwrap_or_else(|| fail("no such customer"));
    let open_and_one = t.elapsed().as_secs_f64();
    let height = first.path().len();
    let mut times = Vec::with_capacity(count);
    // a multiplicative walk over 0..n: customers far apart in the files
    let mut i: usize = 1;
    for _ in 0..count {
        i = (i.wrapping_mul(2_654_435_761) + 12_345) % n.max(1);
        let uid = user_id(i);
        let t = Instant::now();
        let proof = reader.proof(&uid).unwrap_or_else(|e| fail(&e.to_string()));
        times.push(t.elapsed().as_secs_f64());
        if proof.is_none() {
            fail(&format!("no customer {uid}"));
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: usize| times[(times.len() - 1) * q / 100] * 1e6;
    println!(
        "{{\"customers\": {n}, \"height\": {height}, \"proofs\": {count}, \"median_us\": {:.1}, \"p99_us\": {:.1}, \"max_us\": {:.1}, \"open_and_first_proof_us\": {:.1}}}",
        at(50),
        at(99),
        times.last().copied().unwrap_or(0.0) * 1e6,
        open_and_one * 1e6
    );
}
