//! `por-dapol-bench N [HEIGHT] [PROOFS]`: build a dapol 0.4.0 NDM-SMT of `N`
//! entities (1 asset: dapol has one liability per entity) at `HEIGHT`
//! (default 32) with every core of the machine, then create and verify
//! `PROOFS` (default 5) inclusion proofs with dapol's default aggregation (all
//! range proofs aggregated), and print one JSON line: build wall seconds,
//! build CPU seconds of the process, median proof creation and verification
//! in milliseconds (verification includes reading the proof file back), the
//! proof's size as dapol serializes it (bincode), the peak RSS and the load
//! average (this machine's 2 cores are shared).
//!
//! Entities are `user-{i}` with liabilities from a fixed linear congruential
//! sequence below 4·10^9 (under dapol's default maximum liability, 2^32), so runs are comparable; the master secret and salts
//! are fixed strings (this is a benchmark, not an exchange).

use std::str::FromStr;
use std::time::Instant;

fn cpu_seconds() -> f64 {
    // utime + stime of this process from /proc/self/stat (fields 14 and 15,
    // in clock ticks of 1/100 s on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    let after = &stat[stat.rfind(')').expect("stat has a command name") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields[11].parse().expect("utime");
    let stime: f64 = fields[12].parse().expect("stime");
    (utime + stime) / 100.0
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .expect("usage: por-dapol-bench N [HEIGHT] [PROOFS]");
    let height: u8 = args.get(2).map_or(32, |s| s.parse().expect("HEIGHT"));
    let proofs: u64 = args.get(3).map_or(5, |s| s.parse().expect("PROOFS"));

    dapol::initialize_machine_parallelism();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let entities: Vec<dapol::Entity> = (0..n)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            dapol::Entity {
                liability: (x >> 11) % 4_000_000_000,
                id: dapol::EntityId::from_str(&format!("user-{i}")).expect("short id"),
            }
        })
        .collect();

    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let tree = dapol::DapolTree::new(
        dapol::AccumulatorType::NdmSmt,
        dapol::Secret::from_str("por-dapol-bench master secret").expect("secret"),
        dapol::Salt::from_str("salt_b").expect("salt"),
        dapol::Salt::from_str("salt_s").expect("salt"),
        dapol::MaxLiability::default(),
        dapol::MaxThreadCount::default(),
        dapol::Height::expect_from(height),
        entities,
    )
    .expect("dapol builds the tree");
    let build_wall = t0.elapsed().as_secs_f64();
    let build_cpu = cpu_seconds() - cpu0;

    let dir = std::env::temp_dir().join(format!("por-dapol-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut create = Vec::new();
    let mut verify = Vec::new();
    let mut size = 0;
    for k in 0..proofs {
        let id = dapol::EntityId::from_str(&format!("user-{}", k * n / proofs)).expect("id");
        let t = Instant::now();
        let proof = tree
            .generate_inclusion_proof(&id)
            .expect("dapol creates the proof");
        create.push(t.elapsed().as_secs_f64() * 1e3);
        let path = proof
            .serialize(&id, dir.clone(), dapol::InclusionProofFileType::Binary)
            .expect("serialize");
        size = std::fs::metadata(&path).expect("proof file").len();
        // Read back and verify, as a customer does (por's figure includes
        // parsing the proof file too).
        let t = Instant::now();
        let read = dapol::InclusionProof::deserialize(path).expect("deserialize");
        read.verify(*tree.root_hash())
            .expect("dapol verifies its own proof");
        verify.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!(
        "{{\"impl\": \"dapol-0.4.0\", \"customers\": {n}, \"assets\": 1, \"height\": {height}, \"range_bits\": {}, \"build_s\": {build_wall:.2}, \"build_cpu_s\": {build_cpu:.2}, \"load_avg\": \"{}\", \"peak_rss_mb\": {}, \"proof_create_ms\": {:.1}, \"verify_ms\": {:.1}, \"proof_bytes\": {size}}}",
        tree.max_liability().as_range_proof_upper_bound_bit_length(),
        load.join(" "),
        peak_rss_kb() / 1024,
        median(create),
        median(verify)
    );
}
