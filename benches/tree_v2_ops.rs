//! Where the time of tree format v2 goes: each primitive of the build, a
//! proof and a verification timed alone (CPU seconds of this thread over
//! many repetitions, so other load on the machine matters less).
//!
//! `target/release/tree-v2-ops` prints one JSON line per primitive with its
//! cost in microseconds.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    reason = "benchmark binary"
)]
#![allow(missing_docs)]

use std::hint::black_box;

use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;
use por_tree::v2::format::{self, Secrets};
use por_tree::{NodeHash, SnapshotSecret};

/// CPU time of this thread, in seconds.
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

fn time<F: FnMut(usize)>(name: &str, iters: usize, mut f: F) {
    let t0 = thread_cpu_s();
    let w0 = std::time::Instant::now();
    for i in 0..iters {
        f(i);
    }
    let cpu = thread_cpu_s() - t0;
    let wall = w0.elapsed().as_secs_f64();
    println!(
        "{{\"op\": \"{name}\", \"iters\": {iters}, \"cpu_us\": {:.3}, \"wall_us\": {:.3}}}",
        cpu * 1e6 / iters as f64,
        wall * 1e6 / iters as f64
    );
}

fn main() {
    let scale: usize = std::env::args().nth(1).map_or(1, |s| s.parse().unwrap());
    let secrets = Secrets::new(&SnapshotSecret::from_byte_array([7; 32]));
    let gens = format::generators();
    let n = 20_000 * scale;
    let rs: Vec<Scalar> = (0..n).map(|i| secrets.blinding(3, i as u64, 0)).collect();
    time("blinding (HMAC-SHA512, reduce)", n, |i| {
        black_box(secrets.blinding(5, i as u64, 1));
    });
    time("pad_hash", n, |i| {
        black_box(secrets.pad_hash(5, i as u64));
    });
    let e = [[1u8; 32]; 3];
    let hh = NodeHash::from_byte_array([2; 32]);
    time("node_hash k=1", n, |_| {
        black_box(format::node_hash(&hh, &e[..1], &hh, &e[..1]));
    });
    time("node_hash k=3", n, |_| {
        black_box(format::node_hash(&hh, &e, &hh, &e));
    });
    time("r*H radix-16 table (dalek, constant time)", n, |i| {
        black_box(gens.commit_zero(&rs[i]));
    });
    time("x*G + r*H (leaf)", n, |i| {
        black_box(gens.commit(i as u64 * 1_000_003, &rs[i]));
    });
    let pts: Vec<RistrettoPoint> = rs.iter().take(4096).map(|r| gens.commit_zero(r)).collect();
    time("point add", n, |i| {
        black_box(pts[i % 4096] + pts[(i + 1) % 4096]);
    });
    time("compress (one point)", n, |i| {
        black_box(pts[i % 4096].compress());
    });
    time(
        "double_and_compress_batch (per point, 4096)",
        4096 * 5 * scale,
        |i| {
            if i % 4096 == 0 {
                black_box(RistrettoPoint::double_and_compress_batch(&pts));
            }
        },
    );
    time("decompress", n, |i| {
        black_box(pts[i % 4096].compress().decompress());
    });
    // Candidates: a variable-time precomputed Straus over H·2^(64j).
    let h = gens.h;
    let two64 = Scalar::from(u64::MAX) + Scalar::ONE;
    let mut hs = vec![h];
    for _ in 1..4 {
        let last = *hs.last().unwrap();
        hs.push(last * two64);
    }
    let pre = curve25519_dalek::ristretto::VartimeRistrettoPrecomputation::new(&hs);
    time("r*H vartime precomputed Straus, 4 x 64-bit limbs", n, |i| {
        let b = rs[i].to_bytes();
        let limbs: Vec<Scalar> = b
            .chunks_exact(8)
            .map(|c| Scalar::from(u64::from_le_bytes(c.try_into().unwrap())))
            .collect();
        let p = pre.vartime_multiscalar_mul(&limbs);
        black_box(p);
    });
    // Candidates: combs of our own (w-bit teeth, variable-time lookups,
    // one scalar at a time; the build's hazmat comb goes tooth by tooth
    // over a batch instead).
    for w in [8u32, 10, 12] {
        let teeth = 256u32.div_ceil(w) as usize;
        let size = 1usize << w;
        let mut comb: Vec<RistrettoPoint> = Vec::with_capacity(teeth * size);
        let mut base = h;
        for _ in 0..teeth {
            let mut acc = RistrettoPoint::default();
            for _ in 0..size {
                comb.push(acc);
                acc += base;
            }
            base = acc;
        }
        time(
            &format!(
                "r*H vartime comb w={w} ({teeth} adds, {} MB)",
                (teeth * size * 160) >> 20
            ),
            n,
            |i| {
                let b = rs[i].to_bytes();
                let mut x = [0u64; 4];
                for (j, c) in b.chunks_exact(8).enumerate() {
                    x[j] = u64::from_le_bytes(c.try_into().unwrap());
                }
                let digit = |t: usize| -> usize {
                    let bit = t * w as usize;
                    let (q, r) = (bit / 64, bit % 64);
                    let mut v = x[q] >> r;
                    if r + w as usize > 64 && q + 1 < 4 {
                        v |= x[q + 1] << (64 - r);
                    }
                    (v & ((1u64 << w) - 1)) as usize
                };
                let mut acc = comb[digit(0)];
                for t in 1..teeth {
                    acc += comb[t * size + digit(t)];
                }
                black_box(acc);
            },
        );
    }
    let tbl = RistrettoBasepointTable::create(&h);
    time("r*H dalek table again (check)", n, |i| {
        black_box(&tbl * &rs[i]);
    });
    // Range proofs alone (the bulletproofs crate), m commitments of 64 bits.
    let pc = gens.pedersen();
    for m in [16usize, 32, 64] {
        let mut bp = None;
        time(
            &format!("BulletproofGens::new(64, {m}) (once per process)"),
            1,
            |_| {
                bp = Some(bulletproofs::BulletproofGens::new(64, m));
            },
        );
        let bp = bp.unwrap();
        let vals: Vec<u64> = (0..m as u64).map(|i| i * 12345).collect();
        let bl: Vec<Scalar> = rs[..m].to_vec();
        let mut rng = ChaCha;
        let reps = 3;
        let mut out = None;
        time(&format!("range proof prove m={m}"), reps, |_| {
            let mut t = merlin::Transcript::new(b"t");
            out = Some(
                bulletproofs::RangeProof::prove_multiple_with_rng(
                    &bp, &pc, &mut t, &vals, &bl, 64, &mut rng,
                )
                .unwrap(),
            );
        });
        let (proof, vs) = out.unwrap();
        time(&format!("range proof verify m={m}"), reps, |_| {
            let mut t = merlin::Transcript::new(b"t");
            proof
                .verify_multiple_with_rng(&bp, &pc, &mut t, &vs, 64, &mut rng)
                .unwrap();
        });
    }
}

/// A deterministic stand-in RNG (timing only).
struct ChaCha;
impl rand_core::RngCore for ChaCha {
    fn next_u32(&mut self) -> u32 {
        7
    }
    fn next_u64(&mut self) -> u64 {
        7
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = i as u8 ^ 0x5a;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for ChaCha {}
