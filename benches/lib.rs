//! Shared pieces of the benchmarks: a synthetic exchange, and the SHA-256
//! "floor" a tree build is compared against.
//!
//! The floor is the time the same `sha2` crate needs for exactly the
//! compression-function calls a v1 tree requires, spread over every core.
//! A build at 1.0x the floor would spend nothing on anything but hashing.

use por_tree::{Amount, AssetList, Ledger};
use rayon::prelude::*;

/// Asset list of `k` assets (BTC, ETH, USDT, then `A4`...).
///
/// # Panics
///
/// Panics if `k` is 0 or above 256.
#[must_use]
pub fn assets(k: usize) -> AssetList {
    let mut spec: Vec<String> = ["BTC:8", "ETH:18", "USDT:6"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for i in 4..=k {
        spec.push(format!("A{i}:8"));
    }
    spec.truncate(k);
    AssetList::from_spec(&spec.join(",")).expect("valid synthetic assets")
}

/// The user id of synthetic customer `i`.
#[must_use]
pub fn user_id(i: usize) -> String {
    format!("customer-{i:09}")
}

/// A deterministic, skewed balance for customer `i`, asset `j` (a cheap
/// xorshift; most accounts are small, a few are large, some are zero).
#[must_use]
pub fn balance(i: usize, j: usize) -> u128 {
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (j as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    match x % 10 {
        0 | 1 => 0,
        2..=8 => u128::from(x % 100_000_000),
        _ => u128::from(x % 1_000_000_000_000),
    }
}

/// A ledger of `n` synthetic customers over `k` assets, built in memory.
///
/// # Panics
///
/// Panics only on an internal inconsistency (every row has `k` balances).
#[must_use]
pub fn ledger(n: usize, k: usize) -> Ledger {
    let mut l = Ledger::new(k);
    let mut row = vec![Amount::ZERO; k];
    for i in 0..n {
        for (j, b) in row.iter_mut().enumerate() {
            *b = Amount::from_base_units(balance(i, j));
        }
        l.push(&user_id(i), &row, i as u64 + 2)
            .expect("synthetic rows are valid");
    }
    l
}

/// SHA-256 compression calls for a message of `len` bytes.
#[must_use]
pub fn blocks(len: usize) -> u64 {
    (len as u64 + 9).div_ceil(64)
}

/// The exact number of SHA-256 compressions a v1 tree of `n` customers over
/// `k` assets with user ids of `id_len` bytes needs (HMAC pads precomputed once).
#[must_use]
pub fn tree_compressions(n: usize, k: usize, id_len: usize) -> u64 {
    let n64 = n as u64;
    // salt: HMAC inner = the message after the 64-byte ipad block; outer = 32-byte digest after the opad block
    let salt = (blocks(64 + 12 + id_len) - 1) + (blocks(64 + 32) - 1);
    let id = blocks(1 + 32 + id_len);
    let leaf = blocks(1 + 32 + 16 * k);
    let node = blocks(1 + 2 * (32 + 16 * k));
    let pad = blocks(1 + 32 + 1 + 8);
    let mut total = n64 * (salt + id + leaf);
    let mut count = n;
    while count > 1 {
        if count % 2 == 1 {
            total += pad;
            count += 1;
        }
        count /= 2;
        total += count as u64 * node;
    }
    total
}

/// Runs `n` SHA-256 compressions spread over every core with rayon; the
/// measured time is the floor for `n` compressions on this machine.
pub fn compress_parallel(n: u64) -> [u32; 8] {
    const CHUNK: u64 = 1 << 14;
    let chunks = n.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .map(|c| {
            let count = CHUNK.min(n - c * CHUNK);
            let mut state = [
                0x6a09_e667u32,
                0xbb67_ae85,
                0x3c6e_f372,
                0xa54f_f53a,
                0x510e_527f,
                0x9b05_688c,
                0x1f83_d9ab,
                0x5be0_cd19,
            ];
            let block = sha2::digest::generic_array::GenericArray::from([c.to_le_bytes()[0]; 64]);
            for _ in 0..count {
                sha2::compress256(&mut state, core::slice::from_ref(&block));
            }
            state
        })
        .reduce(|| [0; 8], |a, b| core::array::from_fn(|i| a[i] ^ b[i]))
}
