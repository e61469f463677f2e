//! Every parser of untrusted input returns an error, never panics, and what
//! it accepts round-trips through its writer.
//!
//! Random text almost never gets past a parser's first byte (a JSON brace, a
//! `0x`, a CSV header), so each case starts from a valid input (a node's
//! answer, a hash, an address, a balances file) and edits a few bytes:
//! inserts, deletes and replacements, biased towards the characters the
//! format is made of. The files themselves are also fuzzed
//! (`fuzz/fuzz_targets/chain_files.rs`).

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use por_chain::testnode::bitcoin_core;
use por_chain::{addresses, balances_file, bitcoin, esplora, evm, BlockHash, Chain, Endpoint};
use por_tree::Amount;
use proptest::prelude::*;

const BALANCES: &str = "chain,address,asset,balance,height,block_hash,source\n\
    bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,50012345,100,00000000000000000001aa0000000000000000000000000000000000000000ab,bitcoin-rpc http://127.0.0.1:8332\n\
    ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,7,7,0x1111111111111111111111111111111111111111111111111111111111111111,evm-rpc http://127.0.0.1:8545\n";
const ADDRESSES: &str = "chain,address,asset,contract,decimals\n\
    bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,,\n\
    ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,0xdac17f958d2ee523a2206206994597c13d831ec7,6\n";
const BLOCK: &str = include_str!("fixtures/bitcoin-core/getblock-102.json");
const SCAN: &str = include_str!("fixtures/bitcoin-core/scantxoutset.json");
const HASH: &str = "00000000000000000001aa0000000000000000000000000000000000000000ab";
const EVM_ADDRESS: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

/// An Esplora `/address/:a/txs` page: one transaction paying and spending
/// `address`.
fn esplora_page(address: &str) -> String {
    format!(
        r#"[{{"txid":"aa","version":2,"locktime":0,"size":1,"weight":4,"fee":100,
            "vin":[{{"txid":"bb","vout":0,"is_coinbase":false,"scriptsig":"","scriptsig_asm":"","sequence":1,
                     "prevout":{{"scriptpubkey":"00","scriptpubkey_asm":"","scriptpubkey_type":"v0_p2wpkh","scriptpubkey_address":"{address}","value":5000}}}}],
            "vout":[{{"scriptpubkey":"00","scriptpubkey_asm":"","scriptpubkey_type":"v0_p2wpkh","scriptpubkey_address":"{address}","value":1900}}],
            "status":{{"confirmed":true,"block_height":7,"block_hash":"{HASH}","block_time":1}}}}]"#
    )
}

fn scripts() -> Vec<String> {
    vec![
        "0014751e76e8199196d454941c45d1b3a323f1433bd6".to_owned(),
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262".to_owned(),
    ]
}

/// One byte edit; positions are taken modulo the input's length.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
}

/// A byte from the alphabet of these formats, or any byte.
fn format_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => proptest::sample::select(b"0123456789abcdefABCDEFx".to_vec()),
        3 => proptest::sample::select(b",\n\r\"{}[]:.-+ =/@\\".to_vec()),
        1 => any::<u8>(),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), format_byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), format_byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
    ];
    proptest::collection::vec(edit, 1..5)
}

fn mutate(base: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = base.as_bytes().to_vec();
    for edit in edits {
        match *edit {
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % bytes.len());
            }
            Edit::Replace(i, b) if !bytes.is_empty() => {
                let len = bytes.len();
                bytes[i % len] = b;
            }
            Edit::Delete(_) | Edit::Replace(..) => {}
        }
    }
    bytes
}

/// [`mutate`], as text when the edits left it UTF-8.
fn mutate_str(base: &str, edits: &[Edit]) -> Option<String> {
    String::from_utf8(mutate(base, edits)).ok()
}

/// The rows of a balances file without their line numbers.
fn rows_without_lines(file: &balances_file::BalancesFile) -> Vec<balances_file::BalanceRow> {
    file.rows()
        .iter()
        .map(|r| balances_file::BalanceRow {
            line: 0,
            ..r.clone()
        })
        .collect()
}

#[test]
fn the_starting_inputs_are_valid() {
    balances_file::parse(BALANCES.as_bytes(), "f").unwrap();
    addresses::parse(ADDRESSES.as_bytes(), "f").unwrap();
    bitcoin::parse_block(BLOCK, &scripts()).unwrap();
    bitcoin::parse_scan(SCAN, &scripts()).unwrap();
    esplora::parse_history_page(
        &esplora_page(bitcoin_core::ADDRESS_A),
        bitcoin_core::ADDRESS_A,
    )
    .unwrap();
    BlockHash::from_hex(HASH).unwrap();
    evm::EvmAddress::parse(EVM_ADDRESS).unwrap();
}

proptest! {
    #[test]
    fn files_round_trip(edits in edits()) {
        if let Ok(file) = balances_file::parse(&mutate(BALANCES, &edits), "f") {
            // A file without the `contract` column does not say what its rows
            // were read with, so they cannot be written as rows that do.
            match balances_file::rows_to_csv(file.rows()) {
                Ok(text) => {
                    let again = balances_file::parse(text.as_bytes(), "again").unwrap();
                    prop_assert_eq!(rows_without_lines(&again), rows_without_lines(&file));
                }
                Err(_) => prop_assert!(!file.states_contracts()),
            }
        }
        if let Ok(rows) = addresses::parse(&mutate(ADDRESSES, &edits), "f") {
            prop_assert!(rows.windows(2).all(|w| w[0].line < w[1].line));
        }
    }

    #[test]
    fn node_answers(edits in edits()) {
        if let Some(block) = mutate_str(BLOCK, &edits) {
            let _ = bitcoin::parse_block(&block, &scripts());
        }
        if let Some(scan) = mutate_str(SCAN, &edits) {
            let _ = bitcoin::parse_scan(&scan, &scripts());
        }
        let page = esplora_page(bitcoin_core::ADDRESS_A);
        if let Some(page) = mutate_str(&page, &edits) {
            let _ = esplora::parse_history_page(&page, bitcoin_core::ADDRESS_A);
        }
    }

    #[test]
    fn block_hashes_round_trip(hash in any::<[u8; 32]>(), edits in edits()) {
        let text = hex::encode(hash);
        if let Some(s) = mutate_str(&text, &edits) {
            if let Ok(h) = BlockHash::from_hex(&s) {
                for chain in [Chain::Bitcoin, Chain::Ethereum] {
                    let shown = h.display_for(chain).to_string();
                    prop_assert_eq!(BlockHash::from_hex(&shown).unwrap(), h);
                }
            }
        }
    }

    #[test]
    fn evm_addresses_round_trip(edits in edits()) {
        if let Some(s) = mutate_str(EVM_ADDRESS, &edits) {
            if let Ok(a) = evm::EvmAddress::parse(&s) {
                prop_assert_eq!(evm::EvmAddress::parse(&a.to_lower_hex()).unwrap(), a);
                prop_assert_eq!(evm::EvmAddress::parse(&a.to_checksummed()).unwrap(), a);
            }
        }
    }

    #[test]
    fn quantities_round_trip(value: u128, edits in edits()) {
        for text in [format!("{value:#x}"), format!("0x{value:064x}")] {
            let Some(s) = mutate_str(&text, &edits) else { continue };
            if let Ok(v) = evm::parse_quantity(&s) {
                prop_assert_eq!(evm::parse_quantity(&format!("{v:#x}")).unwrap(), v);
            }
            if let Ok(v) = evm::decode_uint256_word(&s) {
                prop_assert_eq!(evm::decode_uint256_word(&format!("0x{v:064x}")).unwrap(), v);
            }
        }
    }

    #[test]
    fn btc_amounts_round_trip(sats in 0u128..=2_100_000_000_000_000, edits in edits()) {
        let text = Amount::from_base_units(sats).display_in(8).to_string();
        if let Some(s) = mutate_str(&text, &edits) {
            if let Ok(a) = bitcoin::parse_btc_amount(&s) {
                prop_assert_eq!(bitcoin::parse_btc_amount(&a.display_in(8).to_string()).unwrap(), a);
            }
        }
    }

    #[test]
    fn endpoints_round_trip(edits in edits()) {
        for url in ["http://alice:secret@127.0.0.1:8332/", "https://example.org/api"] {
            let Some(s) = mutate_str(url, &edits) else { continue };
            if let Ok(e) = Endpoint::parse(&s) {
                let shown = e.to_string();
                prop_assert_eq!(Endpoint::parse(&shown).unwrap().to_string(), shown);
            }
        }
    }
}
