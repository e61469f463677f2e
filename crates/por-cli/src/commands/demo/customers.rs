//! Step (a): synthetic customers with skewed balances, written as the
//! exchange's balances export (`user_id,BTC,ETH,USDC`, asset units).
//!
//! The shape follows what exchanges' published distributions look like: a
//! few percent of dormant accounts with nothing, most holders with small
//! amounts (log-normal), and a thin tail of whales holding a large share.
//! Floats only shape the synthetic data; every amount is rounded to an
//! integer of base units before it is written, and nothing decides pass or
//! fail on a float.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use por_tree::Amount;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

use crate::progress;

/// Assets of the demo exchange, in tree order: Bitcoin, Ether and an ERC-20
/// stablecoin with 6 decimals.
pub const ASSETS_SPEC: &str = "BTC:8,ETH:18,USDC:6";

/// Customers generated per chunk; each chunk has its own ChaCha stream, so
/// the output does not depend on the thread count.
const CHUNK: usize = 1 << 14;

/// One asset's balance distribution.
struct Dist {
    /// Share of active customers holding the asset.
    holders: f64,
    /// Median holding, in asset units.
    median: f64,
    /// Log-normal sigma (spread).
    sigma: f64,
    /// Largest single holding, in asset units.
    cap: f64,
    /// Base units kept (the rest are rounded off: a BTC balance in satoshi,
    /// an ETH balance in 1e-9 ETH (gwei) as exchanges' ledgers keep it).
    keep_decimals: u32,
    /// The asset's decimals.
    decimals: u32,
}

const DISTS: [Dist; 3] = [
    Dist {
        holders: 0.55,
        median: 0.004,
        sigma: 1.9,
        cap: 3_000.0,
        keep_decimals: 8,
        decimals: 8,
    },
    Dist {
        holders: 0.40,
        median: 0.12,
        sigma: 2.0,
        cap: 40_000.0,
        keep_decimals: 9,
        decimals: 18,
    },
    Dist {
        holders: 0.35,
        median: 250.0,
        sigma: 2.1,
        cap: 50_000_000.0,
        keep_decimals: 6,
        decimals: 6,
    },
];

/// Share of accounts with no balance at all (dormant or emptied).
const ZERO_SHARE: f64 = 0.06;
/// Share of active customers who are whales (balances 200–5,000 times the median).
const WHALE_SHARE: f64 = 0.001;

/// The user id of the `i`-th generated customer: mostly numeric exchange
/// UIDs, some e-mail logins, a few Japanese names (whose proof files get
/// hashed names). Unique by construction: UIDs are a permutation of
/// 9-digit numbers, the other forms carry `i`.
pub fn user_id(i: usize, seed: u64) -> String {
    const GIVEN: [&str; 8] = ["haruto", "yui", "sota", "aoi", "emma", "liam", "mei", "ren"];
    const FAMILY: [&str; 8] = [
        "sato",
        "suzuki",
        "takahashi",
        "tanaka",
        "smith",
        "chen",
        "kim",
        "ito",
    ];
    const KANJI: [&str; 4] = ["山田", "佐藤", "鈴木", "高橋"];
    let i64_ = i as u64;
    match i % 100 {
        0..=12 => format!("{}.{}{}@example.jp", GIVEN[i % 8], FAMILY[(i / 8) % 8], i),
        13 => format!("{}-{}", KANJI[(i / 100) % 4], i),
        _ => {
            // 2654435761 is prime, so it is coprime with 900,000,000 and
            // i -> i * m + c (mod 9e8) is a permutation.
            let n = (i64_
                .wrapping_mul(2_654_435_761)
                .wrapping_add(seed % 900_000_000))
                % 900_000_000;
            format!("{}", 100_000_000 + n)
        }
    }
}

fn unit_f64(rng: &mut ChaCha8Rng) -> f64 {
    // 53 random bits in [0, 1).
    #[allow(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
    let v = (rng.next_u64() >> 11) as f64;
    v * (1.0 / 9_007_199_254_740_992.0)
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
    let u1 = 1.0 - unit_f64(rng);
    let u2 = unit_f64(rng);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A holding in base units, from a distribution (0 when not a holder).
fn draw(rng: &mut ChaCha8Rng, d: &Dist, whale: bool) -> Amount {
    if unit_f64(rng) >= d.holders && !whale {
        return Amount::ZERO;
    }
    let mut units = d.median * (d.sigma * normal(rng)).exp();
    if whale {
        units = d.median * (200.0 + 4_800.0 * unit_f64(rng));
    }
    let units = units.min(d.cap);
    let kept = units * 10f64.powi(i32::try_from(d.keep_decimals).unwrap_or(0));
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a finite, non-negative value below the cap (< 2^64) rounded to an integer"
    )]
    let kept = kept.round() as u64;
    let scale = 10u128.pow(d.decimals - d.keep_decimals);
    Amount::from_base_units(u128::from(kept.max(1)) * scale)
}

/// Balances of customer `i`, one per asset of [`ASSETS_SPEC`].
fn balances(rng: &mut ChaCha8Rng) -> [Amount; 3] {
    if unit_f64(rng) < ZERO_SHARE {
        return [Amount::ZERO; 3];
    }
    let whale = unit_f64(rng) < WHALE_SHARE;
    let mut out = [Amount::ZERO; 3];
    for (o, d) in out.iter_mut().zip(&DISTS) {
        *o = draw(rng, d, whale);
    }
    if out.iter().all(|a| *a == Amount::ZERO) {
        // An active customer holds something: give them a little USDC.
        out[2] = Amount::from_base_units(u128::from(1 + rng.next_u32() % 100) * 1_000_000);
    }
    out
}

/// Writes `n` customers to `path` as the balances CSV. Deterministic in `seed`.
pub fn write_balances_csv(path: &Path, n: usize, seed: u64) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    w.write_all(b"user_id,BTC,ETH,USDC\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    let chunks = n.div_ceil(CHUNK);
    let bar = progress::bar(n as u64, "customers");
    // Generate a batch of chunks in parallel, write them in order: memory
    // stays at one batch whatever n is.
    let batch = 16;
    for first in (0..chunks).step_by(batch) {
        let texts: Vec<String> = (first..chunks.min(first + batch))
            .into_par_iter()
            .map(|c| chunk_text(c, n, seed))
            .collect();
        for t in &texts {
            w.write_all(t.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        bar.set_position(((first + batch) * CHUNK).min(n) as u64);
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    bar.finish_and_clear();
    Ok(())
}

fn chunk_text(c: usize, n: usize, seed: u64) -> String {
    use std::fmt::Write as _;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(c as u64);
    let start = c * CHUNK;
    let end = n.min(start + CHUNK);
    let mut s = String::with_capacity((end - start) * 64);
    for i in start..end {
        let b = balances(&mut rng);
        let id = user_id(i, seed);
        // Ids never contain a comma or quote; quote anyway if one ever does.
        let _ = writeln!(
            s,
            "{},{},{},{}",
            crate::output::csv_field(&id),
            b[0].display_in(8),
            b[1].display_in(18),
            b[2].display_in(6)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique() {
        let ids: HashSet<String> = (0..200_000).map(|i| user_id(i, 7)).collect();
        assert_eq!(ids.len(), 200_000);
    }

    #[test]
    fn same_seed_same_file_and_skewed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        write_balances_csv(&a, 40_000, 1).unwrap();
        write_balances_csv(&b, 40_000, 1).unwrap();
        write_balances_csv(&c, 40_000, 2).unwrap();
        let ta = std::fs::read(&a).unwrap();
        assert_eq!(ta, std::fs::read(&b).unwrap());
        assert_ne!(ta, std::fs::read(&c).unwrap());

        let assets = por_tree::AssetList::from_spec(ASSETS_SPEC).unwrap();
        let ledger = por_tree::Ledger::from_csv(&ta, &assets).unwrap();
        assert_eq!(ledger.len(), 40_000);
        // Skew: the top 1% of BTC holders hold far more than 1% of the BTC,
        // the median holding is small, and some accounts are empty.
        let text = String::from_utf8(ta).unwrap();
        let mut btc: Vec<u128> = text
            .lines()
            .skip(1)
            .map(|l| {
                let f = l.split(',').nth(1).unwrap();
                Amount::from_decimal_str(f, 8).unwrap().to_base_units()
            })
            .collect();
        let zeros = text
            .lines()
            .skip(1)
            .filter(|l| l.ends_with(",0,0,0"))
            .count();
        assert!(zeros > 1_000 && zeros < 4_000, "{zeros} empty accounts");
        btc.retain(|v| *v > 0);
        btc.sort_unstable();
        let total: u128 = btc.iter().sum();
        let top: u128 = btc[btc.len() * 99 / 100..].iter().sum();
        assert!(top * 4 > total, "top 1% hold {top} of {total}");
        assert!(
            btc[btc.len() / 2] < 1_000_000,
            "median {} sat",
            btc[btc.len() / 2]
        );
    }
}
