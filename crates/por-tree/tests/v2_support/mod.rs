//! What the v2 tests share: a deterministic ledger of `n` customers and `k`
//! assets, its asset list, and a fixed snapshot secret.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_lossless,
    reason = "test setup"
)]

use por_tree::{Amount, AssetList, Ledger, SnapshotSecret};

pub fn ledger(n: usize, k: usize) -> Ledger {
    let mut l = Ledger::new(k);
    for i in 0..n {
        let b: Vec<Amount> = (0..k)
            .map(|j| Amount::from_base_units(((i * 7919 + j * 104_729) % 1_000_003) as u128 * 1000))
            .collect();
        l.push(&format!("customer-{i:07}"), &b, i as u64 + 2)
            .unwrap();
    }
    l
}

pub fn assets(k: usize) -> AssetList {
    AssetList::from_spec(&["BTC:8", "ETH:18", "USDT:6"][..k].join(",")).unwrap()
}

pub fn secret() -> SnapshotSecret {
    SnapshotSecret::from_byte_array([42; 32])
}
