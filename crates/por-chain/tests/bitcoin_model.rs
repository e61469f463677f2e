//! The backward walk (UTXO set at the tip, blocks undone) against a forward
//! model: random chains are played forward, the unspent outputs of each
//! script are summed at every height, and the tip's `scantxoutset` and each
//! block's `getblock … 3` (in Bitcoin Core's format) are undone back to every
//! height. Both must agree.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    reason = "test helpers: a failed unwrap is a failed test; indices are below 100"
)]

use por_chain::bitcoin::{parse_block, parse_scan, undo_block};
use por_chain::BlockHash;
use por_tree::Amount;
use proptest::prelude::*;
use serde_json::{json, Value};

const SCRIPTS: [&str; 3] = ["0014aa", "0014bb", "0014cc"]; // the last one is not queried

fn btc(sats: u64) -> String {
    format!("{}.{:08}", sats / 100_000_000, sats % 100_000_000)
}

fn hash(h: u64) -> String {
    format!("{h:064x}")
}

/// One transaction: spend some of the live outputs (by index into the live
/// list), create outputs (script index, value).
#[derive(Debug, Clone)]
struct Tx {
    spend: Vec<usize>,
    create: Vec<(usize, u64)>,
}

fn tx_strategy() -> impl Strategy<Value = Tx> {
    (
        proptest::collection::vec(any::<usize>(), 0..3),
        proptest::collection::vec((0..3usize, 1..5_000_000_000u64), 0..3),
    )
        .prop_map(|(spend, create)| Tx { spend, create })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn undoing_blocks_equals_playing_forward(
        blocks in proptest::collection::vec(proptest::collection::vec(tx_strategy(), 0..4), 1..8),
        genesis in proptest::collection::vec((0..3usize, 1..5_000_000_000u64), 1..5),
    ) {
        let queried: Vec<String> = SCRIPTS[..2].iter().map(|s| (*s).to_owned()).collect();
        // Live outputs: (txid, vout, script, value). Height 0 holds the genesis outputs.
        let mut live: Vec<(String, u32, usize, u64)> = genesis
            .iter()
            .enumerate()
            .map(|(i, &(s, v))| (format!("{:064x}", 0xfeed_0000 + i), 0, s, v))
            .collect();
        let sums = |live: &[(String, u32, usize, u64)]| -> Vec<Amount> {
            (0..2)
                .map(|s| Amount::from_base_units(live.iter().filter(|o| o.2 == s).map(|o| u128::from(o.3)).sum()))
                .collect()
        };
        let mut forward = vec![sums(&live)];
        let mut block_json = Vec::new();
        for (b, txs) in blocks.iter().enumerate() {
            let height = b as u64 + 1;
            let mut tx_json = Vec::new();
            for (t, tx) in txs.iter().enumerate() {
                let txid = format!("{:064x}", height * 1000 + t as u64);
                let mut vin = Vec::new();
                for pick in &tx.spend {
                    if live.is_empty() {
                        break;
                    }
                    let (ptxid, pvout, s, v) = live.remove(pick % live.len());
                    vin.push(json!({"txid": ptxid, "vout": pvout, "scriptSig": {"asm": "", "hex": ""},
                        "prevout": {"generated": false, "height": 0, "value": Value::String(btc(v)),
                                    "scriptPubKey": {"asm": "", "hex": SCRIPTS[s], "type": "witness_v0_keyhash"}},
                        "sequence": 4294967295u32}));
                }
                if vin.is_empty() {
                    vin.push(json!({"coinbase": "03", "sequence": 4294967295u32}));
                }
                let mut vout = Vec::new();
                for (n, &(s, v)) in tx.create.iter().enumerate() {
                    live.push((txid.clone(), n as u32, s, v));
                    vout.push(json!({"value": Value::String(btc(v)), "n": n,
                        "scriptPubKey": {"asm": "", "hex": SCRIPTS[s], "type": "witness_v0_keyhash"}}));
                }
                tx_json.push(json!({"txid": txid, "hash": txid, "vin": vin, "vout": vout}));
            }
            let block = json!({"hash": hash(height), "height": height, "previousblockhash": hash(height - 1), "tx": tx_json});
            // Amounts go out as JSON numbers, as Bitcoin Core writes them.
            block_json.push(unquote_amounts(&block.to_string()));
            forward.push(sums(&live));
        }
        let tip = blocks.len() as u64;
        let unspents: Vec<Value> = live
            .iter()
            .map(|(txid, vout, s, v)| json!({"txid": txid, "vout": vout, "scriptPubKey": SCRIPTS[*s], "desc": "raw()#x",
                                             "amount": Value::String(btc(*v)), "coinbase": false, "height": 1}))
            .collect();
        let scan = json!({"success": true, "txouts": 1, "height": tip, "bestblock": hash(tip), "unspents": unspents, "total_amount": 0});
        let scan = parse_scan(&unquote_amounts(&scan.to_string()), &queried).unwrap();
        prop_assert_eq!(&scan.balances, &forward[blocks.len()]);

        let mut balances = scan.balances.clone();
        let mut cursor = scan.best_block;
        for height in (0..tip).rev() {
            let effect = parse_block(&block_json[height as usize], &queried).unwrap();
            prop_assert_eq!(effect.hash, cursor);
            undo_block(&mut balances, &effect).unwrap();
            cursor = effect.previous.unwrap();
            prop_assert_eq!(&balances, &forward[height as usize], "height {}", height);
        }
        prop_assert_eq!(cursor, BlockHash::from_hex(&hash(0)).unwrap());
    }
}

/// `"value":"1.50000000"` → `"value":1.50000000` (serde_json would print an
/// f64 value with its own digits; Bitcoin Core prints exactly eight decimals).
fn unquote_amounts(s: &str) -> String {
    let mut out = s.to_owned();
    for key in ["\"value\":\"", "\"amount\":\""] {
        while let Some(i) = out.find(key) {
            let start = i + key.len() - 1;
            let end = start + 1 + out[start + 1..].find('"').unwrap();
            out.replace_range(end..=end, "");
            out.replace_range(start..=start, "");
        }
    }
    out
}
