//! The Esplora source against a local server answering in Esplora's
//! documented REST formats (Blockstream esplora `API.md`: `GET
//! /block-height/:height` as plain text, `GET /address/:address/txs/chain[/:last_seen_txid]`
//! as 25 transactions a page, newest first, then an empty page).
//!
//! The history is a generated UTXO story; the expected balance at each height
//! comes from the set of unspent outputs at that height, not from summing
//! receipts and spends as the source does.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::time::Duration;

use por_chain::esplora::Esplora;
use por_chain::testnode::{Reply, Request, TestServer};
use por_chain::{
    BalanceQuery, BalanceSource, BlockHash, Chain, Endpoint, HttpConfig, QueryAsset, QueryItem,
    SourceError,
};
use por_tree::Asset;
use serde_json::{json, Value};

const A: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
const A_SPK: &str = "0014751e76e8199196d454941c45d1b3a323f1433bd6";
const X: &str = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2";
const X_SPK: &str = "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac";
const TIP: u64 = 30;

fn block_hash(h: u64) -> String {
    format!("00000000000000000007e5b1{:040x}", h)
}

fn txid(h: u64) -> String {
    format!("{:064x}", 0xabcd_0000_u64 + h)
}

fn out(address: &str, spk: &str, value: u64) -> Value {
    json!({"scriptpubkey": spk, "scriptpubkey_asm": "", "scriptpubkey_type": if address == A { "v0_p2wpkh" } else { "p2pkh" },
           "scriptpubkey_address": address, "value": value})
}

/// One transaction per block 1..=TIP; every fourth spends A's oldest output.
/// Returns the transactions (oldest first) and the expected balance at each
/// height 0..=TIP from the UTXO set.
fn story() -> (Vec<Value>, Vec<u64>) {
    let mut utxos: Vec<(String, u32, u64)> = Vec::new(); // A's unspent outputs
    let mut txs = Vec::new();
    let mut expected = vec![0u64];
    for h in 1..=TIP {
        let id = txid(h);
        let (vin, vout) = if h % 4 == 0 && !utxos.is_empty() {
            let (ptxid, pvout, value) = utxos.remove(0);
            let mine = value / 2;
            let vin = json!([{"txid": ptxid, "vout": pvout, "prevout": out(A, A_SPK, value), "scriptsig": "", "scriptsig_asm": "",
                              "witness": ["30440220", "02"], "is_coinbase": false, "sequence": 4294967293u32}]);
            utxos.push((id.clone(), 1, mine));
            (
                vin,
                json!([out(X, X_SPK, value - mine - 100), out(A, A_SPK, mine)]),
            )
        } else {
            let value = 1000 * h + 7;
            let vin = json!([{"txid": format!("{:064x}", 0xeeee_0000_u64 + h), "vout": 0, "prevout": out(X, X_SPK, value + 5000),
                              "scriptsig": "", "scriptsig_asm": "", "is_coinbase": false, "sequence": 4294967295u32}]);
            utxos.push((id.clone(), 0, value));
            (vin, json!([out(A, A_SPK, value), out(X, X_SPK, 4900)]))
        };
        txs.push(json!({"txid": id, "version": 2, "locktime": 0, "vin": vin, "vout": vout, "size": 222, "weight": 561, "fee": 100,
                        "status": {"confirmed": true, "block_height": h, "block_hash": block_hash(h), "block_time": 1_700_000_000 + h * 600}}));
        expected.push(utxos.iter().map(|u| u.2).sum());
    }
    (txs, expected)
}

fn server(txs: Vec<Value>) -> TestServer {
    let newest_first: Vec<Value> = txs.into_iter().rev().collect();
    TestServer::start(move |req: &Request| {
        assert_eq!(req.method, "GET");
        let path = req.path.as_str();
        if let Some(h) = path.strip_prefix("/block-height/") {
            let h: u64 = h.parse().unwrap();
            return if h <= TIP {
                Reply::text(200, block_hash(h))
            } else {
                Reply::text(404, "Block not found")
            };
        }
        if path == "/blocks/tip/height" {
            return Reply::text(200, TIP.to_string());
        }
        let rest = path
            .strip_prefix(&format!("/address/{A}/txs/chain"))
            .unwrap_or_else(|| panic!("unexpected path {path}"));
        let start = match rest.strip_prefix('/') {
            None => 0,
            Some(last) => newest_first.iter().position(|t| t["txid"] == last).unwrap() + 1,
        };
        let page: Vec<&Value> = newest_first.iter().skip(start).take(25).collect();
        Reply::json(200, serde_json::to_string(&page).unwrap())
    })
}

fn config() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(10),
        slow_timeout: Duration::from_secs(10),
        retries: 1,
        initial_backoff: Duration::from_millis(10),
    }
}

fn query(height: u64, expected: Option<String>) -> BalanceQuery {
    BalanceQuery {
        chain: Chain::Bitcoin,
        height,
        expected_block_hash: expected.map(|h| BlockHash::from_hex(&h).unwrap()),
        items: vec![QueryItem {
            address: A.to_owned(),
            asset: QueryAsset::native(Chain::Bitcoin, Asset::new("BTC", 8).unwrap()),
        }],
    }
}

#[test]
fn balances_at_every_height_match_the_utxo_set() {
    let (txs, expected) = story();
    assert!(
        expected.windows(2).any(|w| w[1] < w[0]),
        "the story spends as well as receives"
    );
    let server = server(txs);
    let src = Esplora::new(Endpoint::parse(&server.url()).unwrap(), config());
    for h in [0, 1, 4, 5, 17, 24, 25, TIP] {
        let s = src.snapshot(&query(h, Some(block_hash(h)))).unwrap();
        assert_eq!(
            s.records[0].balance.to_base_units(),
            u128::from(expected[usize::try_from(h).unwrap()]),
            "height {h}"
        );
        assert_eq!(
            s.block_hash.display_for(Chain::Bitcoin).to_string(),
            block_hash(h)
        );
        assert_eq!(s.records[0].source, format!("esplora {}", server.url()));
    }
    // 30 transactions: a page of 25, a page of 5, an empty page; the block hash before and after.
    let s = src.snapshot(&query(17, None)).unwrap();
    let calls: Vec<&str> = s.calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(
        calls,
        vec![
            "GET /block-height/17".to_owned(),
            format!("GET /address/{A}/txs/chain"),
            format!("GET /address/{A}/txs/chain/{}", txid(6)),
            format!("GET /address/{A}/txs/chain/{}", txid(1)),
            "GET /block-height/17".to_owned(),
        ]
    );
}

#[test]
fn block_hash_mismatch_height_above_tip_and_reorgs_are_errors() {
    let (txs, _) = story();
    let server_ok = server(txs.clone());
    let src = Esplora::new(Endpoint::parse(&server_ok.url()).unwrap(), config());
    let e = src.snapshot(&query(17, Some(block_hash(16)))).unwrap_err();
    assert_eq!(
        e,
        SourceError::BlockHashMismatch {
            endpoint: server_ok.url(),
            height: 17,
            expected: block_hash(16),
            found: block_hash(17)
        }
    );
    let e = src.snapshot(&query(31, None)).unwrap_err();
    assert_eq!(
        e,
        SourceError::HeightAboveTip {
            endpoint: server_ok.url(),
            height: 31,
            tip: 30
        }
    );

    // The history says the height-17 transaction is in another block than /block-height/17.
    let mut forked = txs;
    forked[16]["status"]["block_hash"] = json!(format!("{:064x}", 17));
    let server_fork = server(forked);
    let e = Esplora::new(Endpoint::parse(&server_fork.url()).unwrap(), config())
        .snapshot(&query(17, None))
        .unwrap_err();
    assert!(matches!(e, SourceError::Reorg { .. }), "{e}");
}

#[test]
fn malformed_pages_and_addresses_are_refused() {
    let server = TestServer::start(|req: &Request| {
        if req.path.starts_with("/block-height/") {
            return Reply::text(200, block_hash(1));
        }
        // A value as a float: not Esplora's integer satoshi.
        Reply::json(
            200,
            r#"[{"txid":"ab","vin":[],"vout":[{"scriptpubkey_address":"x","value":0.5}],"status":{"confirmed":true,"block_height":1,"block_hash":"00"}}]"#,
        )
    });
    let src = Esplora::new(Endpoint::parse(&server.url()).unwrap(), config());
    let e = src.snapshot(&query(1, None)).unwrap_err();
    assert!(
        matches!(&e, SourceError::Malformed { call, .. } if call == &format!("GET /address/{A}/txs/chain")),
        "{e}"
    );
    let mut q = query(1, None);
    q.items[0].address = "bc1q/../../admin".into();
    assert!(matches!(
        src.snapshot(&q),
        Err(SourceError::Unsupported { .. })
    ));
}
