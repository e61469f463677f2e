//! The EVM source against a real Ethereum node: ganache, started on 127.0.0.1
//! on a free port (`scripts/ci/deps-chain.sh` installs it), with an ERC-20
//! token compiled from `tests/node-chain/Token.sol`, transfers before and
//! after the snapshot block, and `personal_sign` signatures from the node's
//! own accounts.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use por_chain::balances_file::{self, OfflineSource};
use por_chain::evm::{EvmAddress, EvmRpc};
use por_chain::testnode::Ganache;
use por_chain::{
    BalanceQuery, BalanceSource, BlockHash, Chain, Endpoint, HttpConfig, QueryAsset, QueryItem,
    SourceError,
};
use por_tree::Asset;
use serde_json::json;
use sha3::{Digest, Keccak256};

const ETHER: u128 = 1_000_000_000_000_000_000;
const SUPPLY: u128 = 1_000_000_000_000;

fn eth() -> QueryAsset {
    QueryAsset::native(Chain::Ethereum, Asset::new("ETH", 18).unwrap())
}

fn token(contract: EvmAddress) -> QueryAsset {
    QueryAsset::erc20(Chain::Ethereum, Asset::new("PTT", 6).unwrap(), contract)
}

fn items(list: &[(EvmAddress, QueryAsset)]) -> Vec<QueryItem> {
    list.iter()
        .map(|(a, asset)| QueryItem {
            address: a.to_lower_hex(),
            asset: asset.clone(),
        })
        .collect()
}

fn latest_balance(node: &Ganache, a: &EvmAddress) -> u128 {
    let v = node
        .rpc("eth_getBalance", json!([a.to_lower_hex(), "latest"]))
        .unwrap();
    por_chain::evm::parse_quantity(v.as_str().unwrap()).unwrap()
}

fn start() -> Ganache {
    Ganache::start().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn balances_at_the_snapshot_block_ignore_later_transfers() {
    let node = start();
    let acc = node.accounts().unwrap();
    let (a0, a1, a2, a3) = (acc[0], acc[1], acc[2], acc[3]);
    // The deterministic ganache wallet (mnemonic "myth like bonus scare ...").
    assert_eq!(
        a0.to_lower_hex(),
        "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1"
    );

    let ptt = node.deploy_token(&a0, 6, SUPPLY).unwrap();
    node.send_eth(&a0, &a1, 3 * ETHER / 2).unwrap();
    node.transfer_token(&ptt, &a0, &a1, 250_000_000).unwrap();
    node.transfer_token(&ptt, &a0, &a2, 1).unwrap();
    let snapshot = node.block_number().unwrap();
    let snapshot_hash = node.block_hash(snapshot).unwrap();
    // a0 pays gas, so its ETH balance comes from the node at that moment.
    let a0_eth = latest_balance(&node, &a0);

    // After the snapshot: these must not show.
    node.send_eth(&a1, &a3, ETHER / 2).unwrap();
    node.transfer_token(&ptt, &a1, &a3, 100_000_000).unwrap();
    node.send_eth(&a0, &a1, 2 * ETHER).unwrap();
    node.transfer_token(&ptt, &a0, &a2, 5).unwrap();
    assert!(node.block_number().unwrap() >= snapshot + 4);
    assert_ne!(
        latest_balance(&node, &a1),
        1001 * ETHER + ETHER / 2,
        "later transfers changed a1"
    );

    let source = EvmRpc::new(Endpoint::parse(node.url()).unwrap(), HttpConfig::default());
    let query = BalanceQuery {
        chain: Chain::Ethereum,
        height: snapshot,
        expected_block_hash: Some(BlockHash::from_hex(&snapshot_hash).unwrap()),
        items: items(&[
            (a0, eth()),
            (a1, eth()),
            (a2, eth()),
            (a0, token(ptt)),
            (a1, token(ptt)),
            (a2, token(ptt)),
            (a3, token(ptt)),
        ]),
    };
    let snap = source.snapshot(&query).unwrap();
    let got: Vec<u128> = snap
        .records
        .iter()
        .map(|r| r.balance.to_base_units())
        .collect();
    assert_eq!(
        got,
        vec![
            a0_eth,
            1000 * ETHER + 3 * ETHER / 2,
            1000 * ETHER,
            SUPPLY - 250_000_001,
            250_000_000,
            1,
            0,
        ]
    );
    assert_eq!(snap.height, snapshot);
    assert_eq!(
        snap.block_hash.display_for(Chain::Ethereum).to_string(),
        snapshot_hash
    );
    assert_eq!(snap.source.to_string(), format!("evm-rpc {}", node.url()));
    let methods: Vec<&str> = snap.calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods.first(), Some(&"eth_getBlockByNumber"));
    assert_eq!(methods.last(), Some(&"eth_getBlockByNumber"));
    // One decimals() check for the token, then four balanceOf calls.
    assert_eq!(methods.iter().filter(|m| **m == "eth_call").count(), 5);

    let provenance = serde_json::to_value(snap.provenance()).unwrap();
    assert_eq!(provenance["source"], "evm-rpc");
    assert_eq!(provenance["block_hash"], snapshot_hash.as_str());
    assert_eq!(
        provenance["calls"].as_array().unwrap().len(),
        snap.calls.len()
    );

    // The offline balances file carries the same answer for an air-gapped audit.
    let csv = balances_file::to_csv(&snap.records);
    let offline = OfflineSource::new(
        balances_file::parse(csv.as_bytes(), "snap.csv").unwrap(),
        "snap.csv",
    );
    let again = offline.snapshot(&query).unwrap();
    assert_eq!(
        again.records.iter().map(|r| r.balance).collect::<Vec<_>>(),
        snap.records.iter().map(|r| r.balance).collect::<Vec<_>>()
    );
    assert_eq!(again.records[0].source, format!("evm-rpc {}", node.url()));
    // Each row says what it was read with (the native coin or the
    // contract), and the offline source answers only that identity.
    let file = balances_file::parse(csv.as_bytes(), "snap.csv").unwrap();
    assert!(file.states_contracts());
    assert_eq!(
        file.rows()
            .iter()
            .map(|r| r.identity.stated())
            .collect::<Vec<_>>(),
        query
            .items
            .iter()
            .map(|i| Some(i.asset.id()))
            .collect::<Vec<_>>()
    );
    let mut native_for_token = query.clone();
    for item in &mut native_for_token.items {
        item.asset = QueryAsset::native(Chain::Ethereum, item.asset.asset().clone());
    }
    assert!(offline.snapshot(&native_for_token).is_err());

    // Another block hash at that height: refused, naming both hashes.
    let mut wrong = query.clone();
    wrong.expected_block_hash =
        Some(BlockHash::from_hex(&node.block_hash(snapshot - 1).unwrap()).unwrap());
    match source.snapshot(&wrong) {
        Err(SourceError::BlockHashMismatch { height, found, .. }) => {
            assert_eq!(height, snapshot);
            assert_eq!(found, snapshot_hash);
        }
        other => panic!("expected a block hash mismatch, got {other:?}"),
    }

    // A height above the tip.
    let mut future = query.clone();
    future.height = snapshot + 1000;
    future.expected_block_hash = None;
    let e = source.snapshot(&future);
    assert!(
        matches!(e, Err(SourceError::HeightAboveTip { .. })),
        "{e:?}"
    );

    // A token listed with other decimals than its contract's decimals() is refused.
    let mut wrong_decimals = query.clone();
    wrong_decimals.items = vec![QueryItem {
        address: a1.to_lower_hex(),
        asset: QueryAsset::erc20(Chain::Ethereum, Asset::new("PTT", 18).unwrap(), ptt),
    }];
    let e = source.snapshot(&wrong_decimals).unwrap_err();
    assert_eq!(
        e,
        SourceError::Decimals {
            endpoint: node.url().to_owned(),
            contract: ptt.to_lower_hex(),
            declared: 6,
            expected: 18
        }
    );

    // A token contract that does not exist answers `0x`: an error, not a zero balance.
    let mut no_code = query;
    no_code.items = items(&[(a0, token(a3))]);
    let e = source.snapshot(&no_code).unwrap_err();
    assert!(
        matches!(e, SourceError::Malformed { ref call, .. } if call == "eth_call"),
        "{e}"
    );
}

/// Recovers the EVM address that made an EIP-191 `personal_sign` signature.
/// (Minimal on purpose: the ownership module will replace it.)
fn recover_personal_sign(message: &str, sig: &[u8]) -> EvmAddress {
    let prefixed = format!("\x19Ethereum Signed Message:\n{}{message}", message.len());
    let digest = Keccak256::new_with_prefix(prefixed.as_bytes());
    let signature = Signature::from_slice(&sig[..64]).unwrap();
    let v = sig[64];
    let recid = RecoveryId::from_byte(if v >= 27 { v - 27 } else { v }).unwrap();
    let key = VerifyingKey::recover_from_digest(digest, &signature, recid).unwrap();
    let point = key.to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    let mut out = [0u8; 20];
    out.copy_from_slice(&hash[12..]);
    EvmAddress::from_byte_array(out)
}

#[test]
fn personal_sign_signatures_from_the_node_recover_to_its_accounts() {
    let node = start();
    let acc = node.accounts().unwrap();
    let message = "por reserves v1\nexchange: example-exchange\nsnapshot: 2026-11-21\nliabilities: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n";
    for signer in &acc[..3] {
        let sig = node.personal_sign(signer, message).unwrap();
        assert_eq!(&recover_personal_sign(message, &sig), signer);
        // The same signature over another snapshot's message is not the signer's.
        let other = message.replace("2026-11-21", "2026-11-22");
        assert_ne!(&recover_personal_sign(&other, &sig), signer);
    }
}
