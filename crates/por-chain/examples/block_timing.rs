//! Times reading a mainnet-sized `getblock <hash> 3` result (about 3,000
//! transactions with two inputs and two outputs each, with prevouts) for N
//! queried scripts (default 100): the per-block cost of undoing blocks after a snapshot,
//! network aside.
//!
//! `cargo run --release -p por-chain --example block_timing -- 10000`
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a timing example prints its figures"
)]

use std::fmt::Write as _;
use std::time::Instant;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let scripts: Vec<String> = (0..n).map(|i| format!("0014{:040x}", i)).collect();
    let spk = |i: u32| {
        format!(
            r#"{{"asm":"0 {h}","desc":"addr(bc1q)#x","hex":"0014{h}","address":"bc1q","type":"witness_v0_keyhash"}}"#,
            h = format!("{:040x}", i % 5000)
        )
    };
    let mut txs = Vec::new();
    for t in 0..3000u32 {
        let mut tx = format!(
            r#"{{"txid":"{t:064x}","hash":"{t:064x}","version":2,"size":370,"vsize":208,"weight":832,"locktime":0,"vin":["#
        );
        for v in 0..2u32 {
            if v > 0 {
                tx.push(',');
            }
            write!(
                tx,
                r#"{{"txid":"{:064x}","vout":{v},"scriptSig":{{"asm":"","hex":""}},"txinwitness":["3044022000","02"],"prevout":{{"generated":false,"height":800000,"value":0.{:08},"scriptPubKey":{}}},"sequence":4294967293}}"#,
                t + 1_000_000,
                (t * 7 + v) % 100_000_000,
                spk(t * 2 + v)
            )
            .unwrap();
        }
        tx.push_str(r#"],"vout":["#);
        for v in 0..2u32 {
            if v > 0 {
                tx.push(',');
            }
            write!(
                tx,
                r#"{{"value":0.{:08},"n":{v},"scriptPubKey":{}}}"#,
                (t * 3 + v) % 100_000_000,
                spk(t * 2 + v + 1)
            )
            .unwrap();
        }
        tx.push_str(r#"],"fee":0.00001000,"hex":"0200"}"#);
        txs.push(tx);
    }
    let block = format!(
        r#"{{"hash":"{h}","confirmations":1,"height":800001,"version":536870912,"versionHex":"20000000","merkleroot":"{h}","time":1,"mediantime":1,"nonce":1,"bits":"17034219","difficulty":1.5,"chainwork":"{h}","nTx":3000,"previousblockhash":"{h}","strippedsize":1,"size":1,"weight":1,"tx":[{}]}}"#,
        txs.join(","),
        h = "00".repeat(32)
    );
    let start = Instant::now();
    let rounds = 10u32;
    for _ in 0..rounds {
        let effect = por_chain::bitcoin::parse_block(&block, &scripts).unwrap();
        assert_eq!(effect.received.len(), scripts.len());
    }
    println!(
        "block of {} bytes, 3000 txs, {n} scripts: {:?} per block",
        block.len(),
        start.elapsed() / rounds
    );
}
