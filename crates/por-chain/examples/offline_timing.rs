//! Times reading an offline balances file of N rows and answering a query for
//! every row (what `por audit --balances FILE` does for N reserve entries).
//!
//! `cargo run --release -p por-chain --example offline_timing -- 10000`
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a timing example prints its figures"
)]

use std::time::Instant;

use por_chain::balances_file::{self, OfflineSource};
use por_chain::evm::EvmAddress;
use por_chain::{BalanceQuery, BalanceSource, BlockHash, Chain, QueryAsset, QueryItem};
use por_tree::Asset;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let hash = BlockHash::from_byte_array([0x11; 32]);
    let mut csv = String::from("chain,address,asset,balance,height,block_hash,source\n");
    let mut items = Vec::new();
    let eth = QueryAsset::native(Chain::Ethereum, Asset::new("ETH", 18).unwrap());
    for i in 0..n {
        let mut a = [0u8; 20];
        a[16..].copy_from_slice(&i.to_be_bytes());
        let address = EvmAddress::from_byte_array(a).to_lower_hex();
        csv.push_str(&format!(
            "ethereum,{address},ETH,{},19000000,{},evm-rpc http://127.0.0.1:8545\n",
            u128::from(i) * 1_000_000_007,
            hash.display_for(Chain::Ethereum)
        ));
        items.push(QueryItem {
            address,
            asset: eth.clone(),
        });
    }
    let start = Instant::now();
    let file = balances_file::parse(csv.as_bytes(), "mem").unwrap();
    let parsed = start.elapsed();
    let source = OfflineSource::new(file, "mem");
    let query = BalanceQuery {
        chain: Chain::Ethereum,
        height: 19_000_000,
        expected_block_hash: Some(hash),
        items,
    };
    let start = Instant::now();
    let snap = source.snapshot(&query).unwrap();
    let answered = start.elapsed();
    assert_eq!(snap.records.len(), n as usize);
    println!(
        "{n} rows ({} bytes): parse {parsed:?}, answer {n} queries {answered:?}",
        csv.len()
    );
}
