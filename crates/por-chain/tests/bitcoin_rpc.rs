//! The Bitcoin Core JSON-RPC source against a local server answering in
//! Bitcoin Core's documented result formats (`tests/fixtures/bitcoin-core/`,
//! a hand-made chain: see its README for the story and the expected figures).
//! No Bitcoin Core node can run on the test machines.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use por_chain::bitcoin::BitcoinRpc;
use por_chain::testnode::{bitcoin_core, Reply, Request, TestServer};
use por_chain::{
    BalanceQuery, BalanceSource, BlockHash, Chain, Endpoint, HttpConfig, QueryAsset, QueryItem,
    SourceError,
};
use por_tree::{Amount, Asset};
use serde_json::Value;

const A: &str = bitcoin_core::ADDRESS_A;
const B: &str = bitcoin_core::ADDRESS_B;
const COOKIE: &str = bitcoin_core::COOKIE;

fn hash(h: u64) -> String {
    bitcoin_core::block_hash(h).unwrap()
}

fn node(block_100: Option<String>) -> impl Fn(&Request) -> Reply + Send + Sync {
    bitcoin_core::handler(block_100)
}

fn source(server: &TestServer, config: HttpConfig) -> BitcoinRpc {
    BitcoinRpc::new(
        Endpoint::parse(&server.url())
            .unwrap()
            .with_credentials(COOKIE),
        config,
    )
}

fn fast() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(10),
        slow_timeout: Duration::from_secs(10),
        retries: 2,
        initial_backoff: Duration::from_millis(10),
    }
}

fn query(height: u64, expected: Option<String>, addresses: &[&str]) -> BalanceQuery {
    let btc = QueryAsset::native(Chain::Bitcoin, Asset::new("BTC", 8).unwrap());
    BalanceQuery {
        chain: Chain::Bitcoin,
        height,
        expected_block_hash: expected.map(|h| BlockHash::from_hex(&h).unwrap()),
        items: addresses
            .iter()
            .map(|a| QueryItem {
                address: (*a).to_owned(),
                asset: btc.clone(),
            })
            .collect(),
    }
}

fn sats(s: &por_chain::Snapshot) -> Vec<u128> {
    s.records
        .iter()
        .map(|r| r.balance.to_base_units())
        .collect()
}

#[test]
fn balances_at_past_heights_undo_the_later_blocks() {
    let server = TestServer::start(node(None));
    let src = source(&server, fast());

    // Figures worked out by hand in the fixture README.
    let at_100 = src.snapshot(&query(100, Some(hash(100)), &[A, B])).unwrap();
    assert_eq!(sats(&at_100), vec![50_012_345, 100_000_000]);
    assert_eq!(
        at_100.records[0].balance,
        Amount::from_decimal_str("0.50012345", 8).unwrap()
    );
    assert_eq!(
        at_100.block_hash.display_for(Chain::Bitcoin).to_string(),
        hash(100)
    );
    assert_eq!(
        at_100.records[1].source,
        format!("bitcoin-rpc {}", server.url())
    );
    let getblocks: Vec<&str> = at_100
        .calls
        .iter()
        .filter(|c| c.method == "getblock")
        .map(|c| c.detail.as_str())
        .collect();
    assert_eq!(getblocks, vec![hash(103), hash(102), hash(101)]);

    let at_101 = src.snapshot(&query(101, None, &[B, A])).unwrap();
    assert_eq!(sats(&at_101), vec![130_000_000, 20_002_345]);
    let at_tip = src.snapshot(&query(103, Some(hash(103)), &[A, B])).unwrap();
    assert_eq!(sats(&at_tip), vec![220_002_345, 30_000_000]);
    assert!(at_tip.calls.iter().all(|c| c.method != "getblock"));

    // No items: the block hash is still checked, and nothing is scanned.
    let empty = src.snapshot(&query(100, Some(hash(100)), &[])).unwrap();
    assert!(empty.records.is_empty());
    assert_eq!(empty.calls.len(), 1);
    assert!(src.snapshot(&query(100, Some(hash(99)), &[])).is_err());

    // Credentials never appear in what is recorded.
    assert!(!format!("{at_100:?}").contains("5c1e0e7e"));
}

#[test]
fn the_snapshot_block_hash_is_checked() {
    let server = TestServer::start(node(None));
    let src = source(&server, fast());
    let e = src.snapshot(&query(100, Some(hash(99)), &[A])).unwrap_err();
    assert_eq!(
        e,
        SourceError::BlockHashMismatch {
            endpoint: server.url(),
            height: 100,
            expected: hash(99),
            found: hash(100),
        }
    );
    let e = src.snapshot(&query(200, None, &[A])).unwrap_err();
    assert_eq!(
        e,
        SourceError::HeightAboveTip {
            endpoint: server.url(),
            height: 200,
            tip: 103
        }
    );
}

#[test]
fn a_walk_that_does_not_reach_the_snapshot_block_is_a_reorg() {
    // The node reports another block at height 100 than the one block 101 builds on.
    let other = format!(
        "{}64",
        "0000000000000000000a1c0ffee00000000000000000000000000000000000"
    );
    let server = TestServer::start(node(Some(other.clone())));
    let e = source(&server, fast())
        .snapshot(&query(100, None, &[A]))
        .unwrap_err();
    match e {
        SourceError::Reorg { detail, .. } => assert!(detail.contains(&other), "{detail}"),
        e => panic!("expected a reorg error, got {e}"),
    }
}

#[test]
fn invalid_addresses_and_tokens_are_refused() {
    let server = TestServer::start(node(None));
    let src = source(&server, fast());
    let e = src
        .snapshot(&query(100, None, &[A, "1111111111111111111114oLvT2"]))
        .unwrap_err();
    assert!(e.to_string().contains("1111111111111111111114oLvT2"), "{e}");
    let mut q = query(100, None, &[A]);
    q.items[0].asset = QueryAsset::erc20(
        Chain::Bitcoin,
        Asset::new("USDT", 6).unwrap(),
        por_chain::evm::EvmAddress::from_byte_array([1; 20]),
    );
    assert!(matches!(
        src.snapshot(&q),
        Err(SourceError::Unsupported { .. })
    ));
    q.chain = Chain::Ethereum;
    assert!(matches!(
        src.snapshot(&q),
        Err(SourceError::Unsupported { .. })
    ));
}

#[test]
fn wrong_credentials_are_an_auth_error_naming_the_endpoint() {
    let server = TestServer::start(node(None));
    let src = BitcoinRpc::new(
        Endpoint::parse(&format!("http://__cookie__:wrong@{}", &server.url()[7..])).unwrap(),
        fast(),
    );
    let e = src.snapshot(&query(100, None, &[A])).unwrap_err();
    assert_eq!(
        e,
        SourceError::Auth {
            endpoint: server.url(),
            call: "getblockhash".into(),
            status: 401
        }
    );
    assert!(!e.to_string().contains("wrong"));
    assert_eq!(server.requests().len(), 1, "an auth failure is not retried");
}

#[test]
fn transient_failures_are_retried_and_rpc_errors_are_not() {
    // The first two requests fail with 503 (a node still warming up behind a proxy).
    let failures = Arc::new(AtomicU32::new(2));
    let inner = node(None);
    let f = Arc::clone(&failures);
    let server = TestServer::start(move |req: &Request| {
        if f.load(Ordering::SeqCst) > 0 {
            f.fetch_sub(1, Ordering::SeqCst);
            return Reply::text(503, "Service Unavailable");
        }
        inner(req)
    });
    let src = source(&server, fast());
    let s = src.snapshot(&query(103, None, &[A])).unwrap();
    assert_eq!(sats(&s), vec![220_002_345]);
    let first_calls: Vec<String> = server
        .requests()
        .iter()
        .take(3)
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["method"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(first_calls, vec!["getblockhash"; 3]);

    // A JSON-RPC error (HTTP 500 with an error object) is an answer: one request only.
    let server = TestServer::start(node(None));
    let before = server.requests().len();
    let e = source(&server, fast())
        .snapshot(&query(500, None, &[A]))
        .unwrap_err();
    assert!(matches!(e, SourceError::HeightAboveTip { .. }), "{e}");
    assert_eq!(
        server.requests().len() - before,
        2,
        "getblockhash once, then getblockcount"
    );

    // Always 503: gives up after 1 + retries attempts, naming the endpoint and the call.
    let server = TestServer::start(|_: &Request| Reply::text(503, "Service Unavailable"));
    let e = source(&server, fast())
        .snapshot(&query(100, None, &[A]))
        .unwrap_err();
    match &e {
        SourceError::Transport {
            endpoint,
            call,
            attempts,
            ..
        } => {
            assert_eq!(
                (endpoint.as_str(), call.as_str(), *attempts),
                (server.url().as_str(), "getblockhash", 3)
            );
        }
        e => panic!("expected a transport error, got {e}"),
    }
    assert_eq!(server.requests().len(), 3);
    assert!(
        e.to_string().starts_with(&format!(
            "getblockhash at {}: no answer after 3 attempt(s)",
            server.url()
        )),
        "{e}"
    );
}

#[test]
fn timeouts_and_refused_connections_name_the_endpoint_and_call() {
    let server = TestServer::start(|_: &Request| Reply {
        delay: Duration::from_millis(1500),
        ..Reply::text(200, "late")
    });
    let config = HttpConfig {
        timeout: Duration::from_millis(200),
        retries: 0,
        ..fast()
    };
    let e = source(&server, config)
        .snapshot(&query(100, None, &[A]))
        .unwrap_err();
    assert!(
        matches!(&e, SourceError::Transport { call, attempts: 1, .. } if call == "getblockhash"),
        "{e}"
    );
    assert!(
        e.to_string().to_lowercase().contains("timeout") || e.to_string().contains("timed out"),
        "{e}"
    );

    // Nothing listens on a port we just closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let src = BitcoinRpc::new(
        Endpoint::parse(&url).unwrap(),
        HttpConfig {
            retries: 1,
            ..fast()
        },
    );
    let e = src.snapshot(&query(100, None, &[A])).unwrap_err();
    assert!(
        matches!(&e, SourceError::Transport { endpoint, attempts: 2, .. } if *endpoint == url),
        "{e}"
    );
}
