//! `por chain snapshot` end to end: the real `por` binary against a real
//! Ethereum node (ganache) and the Bitcoin Core stand-in serving Bitcoin
//! Core's documented formats.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::path::Path;
use std::process::{Command, Output};

use por_chain::balances_file;
use por_chain::testnode::{bitcoin_core, Ganache, TestServer};
mod support;
use support::por_bin;

fn por(args: &[&str]) -> Output {
    Command::new(por_bin()).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read_balances(path: &Path) -> balances_file::BalancesFile {
    balances_file::parse(&std::fs::read(path).unwrap(), "out").unwrap()
}

#[test]
fn ethereum_snapshot_against_ganache() {
    let node = Ganache::start().unwrap_or_else(|e| panic!("{e}"));
    let acc = node.accounts().unwrap();
    let token = node.deploy_token(&acc[0], 6, 1_000_000_000).unwrap();
    node.transfer_token(&token, &acc[0], &acc[1], 123_456)
        .unwrap();
    node.send_eth(&acc[0], &acc[1], 7).unwrap();
    let height = node.block_number().unwrap();
    let hash = node.block_hash(height).unwrap();
    node.transfer_token(&token, &acc[1], &acc[2], 456).unwrap();
    node.send_eth(&acc[1], &acc[2], 1).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let addresses = dir.path().join("addresses.csv");
    std::fs::write(
        &addresses,
        format!(
            "chain,address,asset,contract,decimals\n\
             ethereum,{a1},ETH,,\n\
             ethereum,{a1},PTT,{t},6\n\
             ethereum,{a2},PTT,{t},6\n\
             bitcoin,{btc},BTC,,\n",
            a1 = acc[1].to_checksummed(),
            a2 = acc[2].to_lower_hex(),
            t = token.to_lower_hex(),
            btc = bitcoin_core::ADDRESS_A
        ),
    )
    .unwrap();
    let out = dir.path().join("balances.csv");
    let source = format!("ethereum={}", node.url());
    let h = height.to_string();
    let o = por(&[
        "chain",
        "snapshot",
        "--source",
        &source,
        "--addresses",
        addresses.to_str().unwrap(),
        "--height",
        &h,
        "--block-hash",
        &hash,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("skipping 1 row(s) of other chains"));
    assert!(
        text(&o.stdout).contains(&format!(
            "ethereum height {height} block {hash}: 3 balance(s)"
        )),
        "{}",
        text(&o.stdout)
    );
    let file = read_balances(&out);
    let got: Vec<(String, String, u128)> = file
        .rows()
        .iter()
        .map(|r| {
            (
                r.address.clone(),
                r.asset.clone(),
                r.balance.to_base_units(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                acc[1].to_lower_hex(),
                "ETH".into(),
                1000 * 10u128.pow(18) + 7
            ),
            (acc[1].to_lower_hex(), "PTT".into(), 123_456),
            (acc[2].to_lower_hex(), "PTT".into(), 0),
        ]
    );
    assert!(file
        .rows()
        .iter()
        .all(|r| r.height == height && r.source == format!("evm-rpc {}", node.url())));
    // Each balance names what it was read with: the native coin or the contract.
    assert!(file.states_contracts());
    let contracts: Vec<Option<String>> = file
        .rows()
        .iter()
        .map(|r| {
            r.identity
                .stated()
                .unwrap()
                .contract()
                .map(|c| c.to_lower_hex())
        })
        .collect();
    assert_eq!(
        contracts,
        vec![None, Some(token.to_lower_hex()), Some(token.to_lower_hex())]
    );

    // Another block at that height: exit 1, and no file written.
    let other = node.block_hash(height - 1).unwrap();
    let out2 = dir.path().join("other.csv");
    let o = por(&[
        "chain",
        "snapshot",
        "--source",
        &source,
        "--addresses",
        addresses.to_str().unwrap(),
        "--height",
        &h,
        "--block-hash",
        &other,
        "--out",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!(
            "the block at height {height} is {hash}, not the expected {other}"
        )),
        "{}",
        text(&o.stderr)
    );
    assert!(!out2.exists());
}

#[test]
fn bitcoin_snapshot_with_cookie_and_merge() {
    let server = TestServer::start(bitcoin_core::handler(None));
    let dir = tempfile::tempdir().unwrap();
    let cookie = dir.path().join(".cookie");
    std::fs::write(&cookie, bitcoin_core::COOKIE).unwrap();
    let addresses = dir.path().join("addresses.csv");
    std::fs::write(
        &addresses,
        format!(
            "chain,address,asset\nbitcoin,{},BTC\nbitcoin,{},BTC\n",
            bitcoin_core::ADDRESS_A,
            bitcoin_core::ADDRESS_B
        ),
    )
    .unwrap();
    // An existing file with an Ethereum row and an old Bitcoin row.
    let out = dir.path().join("balances.csv");
    let eth_row = format!(
        "ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,5,7,0x{},evm-rpc http://127.0.0.1:8545,",
        "11".repeat(32)
    );
    std::fs::write(
        &out,
        format!(
            "chain,address,asset,balance,height,block_hash,source,contract\n{eth_row}\nbitcoin,{},BTC,1,99,{},old,\n",
            bitcoin_core::ADDRESS_A,
            bitcoin_core::block_hash(99).unwrap()
        ),
    )
    .unwrap();
    let source = format!("bitcoin={}", server.url());
    let hash = bitcoin_core::block_hash(100).unwrap();
    let o = por(&[
        "chain",
        "snapshot",
        "--source",
        &source,
        "--cookie",
        cookie.to_str().unwrap(),
        "--addresses",
        addresses.to_str().unwrap(),
        "--height",
        "100",
        "--block-hash",
        &hash,
        "--out",
        out.to_str().unwrap(),
        "--merge",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains(&format!("  {} 0.50012345 BTC", bitcoin_core::ADDRESS_A)),
        "{}",
        text(&o.stdout)
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains(&eth_row), "{written}");
    let file = read_balances(&out);
    let btc: Vec<u128> = file
        .rows()
        .iter()
        .filter(|r| r.asset == "BTC")
        .map(|r| r.balance.to_base_units())
        .collect();
    assert_eq!(btc, vec![50_012_345, 100_000_000]);

    // A wrong cookie: exit 2, the credentials are not printed.
    std::fs::write(&cookie, "__cookie__:not-the-secret").unwrap();
    let o = por(&[
        "chain",
        "snapshot",
        "--source",
        &source,
        "--cookie",
        cookie.to_str().unwrap(),
        "--addresses",
        addresses.to_str().unwrap(),
        "--height",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("getblockhash at {}", server.url()))
            && err.contains("credentials were refused"),
        "{err}"
    );
    assert!(!err.contains("not-the-secret"));
}

/// A file written before the `contract` column existed does not say whether
/// its rows are native coins or tokens. Merging into it used to write every
/// old row back with an empty `contract`, which says "the native coin": a
/// USDT row became a native ETH balance in a file `por audit` accepts.
/// It is refused, and the file is left as it was.
#[test]
fn merge_refuses_a_file_without_the_contract_column() {
    let server = TestServer::start(bitcoin_core::handler(None));
    let dir = tempfile::tempdir().unwrap();
    let cookie = dir.path().join(".cookie");
    std::fs::write(&cookie, bitcoin_core::COOKIE).unwrap();
    let addresses = dir.path().join("addresses.csv");
    std::fs::write(
        &addresses,
        format!(
            "chain,address,asset\nbitcoin,{},BTC\n",
            bitcoin_core::ADDRESS_A
        ),
    )
    .unwrap();
    let out = dir.path().join("balances.csv");
    let old = format!(
        "chain,address,asset,balance,height,block_hash,source\nethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,1000000,7,0x{},evm-rpc http://127.0.0.1:8545\n",
        "11".repeat(32)
    );
    std::fs::write(&out, &old).unwrap();
    let source = format!("bitcoin={}", server.url());
    let o = por(&[
        "chain",
        "snapshot",
        "--source",
        &source,
        "--cookie",
        cookie.to_str().unwrap(),
        "--addresses",
        addresses.to_str().unwrap(),
        "--height",
        "100",
        "--out",
        out.to_str().unwrap(),
        "--merge",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("{}: line 1: no `contract` column", out.display())),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), old);
}

#[test]
fn bad_input_exits_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let addresses = dir.path().join("addresses.csv");
    std::fs::write(
        &addresses,
        "chain,address,asset,contract,decimals\n\
         ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,,\n\
         ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,0xdac17f958d2ee523a2206206994597c13d831ec7,many\n",
    )
    .unwrap();
    let out = dir.path().join("o.csv");
    let o = por(&[
        "chain",
        "snapshot",
        "--source",
        "ethereum=http://127.0.0.1:9",
        "--addresses",
        addresses.to_str().unwrap(),
        "--height",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr)
            .contains("addresses.csv: line 3, column 5 (decimals): invalid decimals \"many\""),
        "{}",
        text(&o.stderr)
    );

    let o = por(&[
        "chain",
        "snapshot",
        "--source",
        "dogecoin=http://127.0.0.1:9",
        "--addresses",
        addresses.to_str().unwrap(),
        "--height",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("--source: unknown source kind \"dogecoin\""),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
}

#[test]
fn esplora_snapshot_through_the_binary() {
    use por_chain::testnode::{Reply, Request};
    let a = bitcoin_core::ADDRESS_A;
    let hash = |h: u64| format!("{h:064x}");
    let tx = |id: u64, height: u64, vin_value: Option<u64>, vout_value: u64| {
        let vin = match vin_value {
            Some(v) => format!(
                r#"[{{"txid":"{:064x}","vout":0,"is_coinbase":false,"prevout":{{"scriptpubkey":"0014","scriptpubkey_address":"{a}","value":{v}}}}}]"#,
                id - 1
            ),
            None => r#"[{"txid":"00","vout":0,"is_coinbase":false,"prevout":{"scriptpubkey":"76a9","scriptpubkey_address":"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2","value":99000000}}]"#.to_owned(),
        };
        format!(
            r#"{{"txid":"{id:064x}","vin":{vin},"vout":[{{"scriptpubkey":"0014","scriptpubkey_address":"{a}","value":{vout_value}}}],"status":{{"confirmed":true,"block_height":{height},"block_hash":"{}"}}}}"#,
            hash(height)
        )
    };
    // Newest first: at 12 A spends 70,000,000 and gets 10,000,000 back; at 10 it received 70,000,000.
    let page = format!(
        "[{},{}]",
        tx(2, 12, Some(70_000_000), 10_000_000),
        tx(1, 10, None, 70_000_000)
    );
    let server = TestServer::start(move |req: &Request| {
        if let Some(h) = req.path.strip_prefix("/block-height/") {
            return Reply::text(200, hash(h.parse().unwrap()));
        }
        if req.path == format!("/address/{a}/txs/chain") {
            return Reply::json(200, page.clone());
        }
        Reply::json(200, "[]")
    });
    let dir = tempfile::tempdir().unwrap();
    let addresses = dir.path().join("addresses.csv");
    std::fs::write(
        &addresses,
        format!("chain,address,asset\nbitcoin,{a},BTC\n"),
    )
    .unwrap();
    let out = dir.path().join("balances.csv");
    let source = format!("esplora={}", server.url());
    for (height, expected) in [(9u64, 0u128), (11, 70_000_000), (12, 10_000_000)] {
        let h = height.to_string();
        let o = por(&[
            "chain",
            "snapshot",
            "--source",
            &source,
            "--addresses",
            addresses.to_str().unwrap(),
            "--height",
            &h,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let file = read_balances(&out);
        assert_eq!(
            file.rows()[0].balance.to_base_units(),
            expected,
            "height {height}"
        );
        assert_eq!(file.rows()[0].source, format!("esplora {}", server.url()));
    }
}

// ===========================================================================
// Issue 10: the on-chain identity of assets (what a snapshot reads).
// ===========================================================================

#[test]
fn chain_snapshot_refuses_registered_token_without_its_contract() {
    let dir = tempfile::tempdir().unwrap();
    let addresses = dir.path().join("addresses.csv");
    let out = dir.path().join("balances.csv");
    let wallet = "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1";
    // No node is ever asked: the rows are refused first.
    let run = |rows: &str, extra: &[&str]| {
        std::fs::write(
            &addresses,
            format!("chain,address,asset,contract,decimals\n{rows}"),
        )
        .unwrap();
        let mut args = vec![
            "chain",
            "snapshot",
            "--source",
            "ethereum=http://127.0.0.1:9",
            "--addresses",
            addresses.to_str().unwrap(),
            "--height",
            "7",
            "--out",
            out.to_str().unwrap(),
            "--retries",
            "0",
            "--timeout",
            "1",
        ];
        args.extend_from_slice(extra);
        por(&args)
    };
    // USDC without a contract would read the wallet's ETH as USDC.
    let o = run(&format!("ethereum,{wallet},USDC,,\n"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let e = text(&o.stderr);
    assert!(
        e.contains("line 2, column 4 (contract)")
            && e.contains("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"),
        "{e}"
    );
    // USDC at another contract than Circle's.
    let other = "0x5555555555555555555555555555555555555555";
    let o = run(&format!("ethereum,{wallet},USDC,{other},6\n"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains(other), "{}", text(&o.stderr));
    // The auditor's own registry may say otherwise: then the row is read
    // (and the unreachable node is the only error left).
    let reg = dir.path().join("reg.toml");
    std::fs::write(
        &reg,
        format!(
            "format = \"por-asset-registry-v1\"\n[[token]]\nsymbol = \"USDC\"\nchain = \"ethereum\"\nnetwork = \"mainnet\"\ncontract = \"{other}\"\ndecimals = 6\nsource = \"test\"\nstatus = \"confirmed\"\n"
        ),
    )
    .unwrap();
    let o = run(
        &format!("ethereum,{wallet},USDC,{other},6\n"),
        &["--asset-registry", reg.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        !text(&o.stderr).contains("asset registry"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
}
