//! Tree format v2: build, one proof created on demand, its verification.
//!
//! `target/release/tree-v2-bench N K [HEIGHT]` prints one JSON line: build
//! wall time and peak RSS (from /proc/self/status), proof creation and
//! verification times (median of 5 wall, mean of 5 in CPU time: the CPU
//! figures count every thread and resist other load), and the proof file's
//! size. `MODE` is `ct` (default: `TreeV2::build`, constant time) or
//! `vartime` (`TreeV2::build_vartime_hazmat`, same bytes). Run it from
//! `benches/tree-v2.sh`, which also runs v1 on the same data.
//!
//! Usage: `tree-v2-bench N K [HEIGHT] [MODE]`.

#![allow(clippy::unwrap_used, clippy::print_stdout, reason = "benchmark binary")]
#![allow(missing_docs)]

use std::time::Instant;

use por_benches::{assets, ledger, user_id};
use por_tree::v2::TreeV2;
use por_tree::SnapshotSecret;

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

/// CPU seconds (user + system) this process has used: robust to other
/// load on a shared machine, unlike wall time.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(100_000, |s| s.parse().unwrap());
    let k: usize = args.get(2).map_or(1, |s| s.parse().unwrap());
    let h: u8 = args.get(3).map_or(32, |s| s.parse().unwrap());
    let mode = args.get(4).map_or("ct", String::as_str);
    let l = ledger(n, k);
    let a = assets(k);
    let secret = SnapshotSecret::from_byte_array([7; 32]);
    let rss_before = peak_rss_kb();
    let (c0, t) = (cpu_s(), Instant::now());
    let tree = match mode {
        "ct" => TreeV2::build(&a, &l, &secret, h).unwrap(),
        "vartime" => TreeV2::build_vartime_hazmat(&a, &l, &secret, h).unwrap(),
        other => panic!("mode {other:?}: expected ct or vartime"),
    };
    let build_s = t.elapsed().as_secs_f64();
    let build_cpu = cpu_s() - c0;
    let rss = peak_rss_kb();
    // v1 on the same data, in the same run (after v2's peak RSS is read).
    let (c0, t) = (cpu_s(), Instant::now());
    let v1 = por_tree::LiabilitiesTree::build(&a, &l, &secret).unwrap();
    let (v1_s, v1_cpu) = (t.elapsed().as_secs_f64(), cpu_s() - c0);
    drop(v1);
    let mut create = Vec::new();
    let mut verify = Vec::new();
    let mut size = 0;
    let (mut create_cpu, mut verify_cpu) = (0.0, 0.0);
    for r in 0..5 {
        let uid = user_id((r * 7919) % n);
        let (c0, t) = (cpu_s(), Instant::now());
        let p = tree.proof(&uid).unwrap();
        create.push(t.elapsed().as_secs_f64() * 1000.0);
        create_cpu += cpu_s() - c0;
        let json = p.to_json();
        size = json.len();
        let (c0, t) = (cpu_s(), Instant::now());
        let parsed = por_tree::v2::ProofV2::from_json(&json).unwrap();
        parsed.verify(tree.root()).unwrap();
        verify.push(t.elapsed().as_secs_f64() * 1000.0);
        verify_cpu += cpu_s() - c0;
    }
    println!(
        "{{\"customers\": {n}, \"assets\": {k}, \"height\": {h}, \"mode\": \"{mode}\", \"build_s\": {build_s:.2}, \"build_cpu_s\": {build_cpu:.2}, \"v1_build_s\": {v1_s:.2}, \"v1_build_cpu_s\": {v1_cpu:.2}, \"load_avg\": \"{}\", \"peak_rss_mb\": {}, \"ledger_rss_mb\": {}, \"proof_create_ms\": {:.1}, \"proof_create_cpu_ms\": {:.0}, \"verify_ms\": {:.1}, \"verify_cpu_ms\": {:.0}, \"proof_bytes\": {size}, \"threads\": {}, \"root\": \"{}\"}}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        rss / 1024,
        rss_before / 1024,
        median(create),
        create_cpu * 1000.0 / 5.0,
        median(verify),
        verify_cpu * 1000.0 / 5.0,
        rayon::current_num_threads(),
        tree.root().hash
    );
}
