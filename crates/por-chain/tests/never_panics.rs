//! Every parser of untrusted input returns an error, never panics: arbitrary
//! text, and valid documents with random bytes changed.

use por_chain::testnode::bitcoin_core;
use por_chain::{addresses, balances_file, bitcoin, esplora, evm, BlockHash, Endpoint};
use proptest::prelude::*;

const BALANCES: &str = "chain,address,asset,balance,height,block_hash,source\n\
    bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,50012345,100,00000000000000000001aa0000000000000000000000000000000000000000ab,bitcoin-rpc http://127.0.0.1:8332\n\
    ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,7,7,0x1111111111111111111111111111111111111111111111111111111111111111,evm-rpc http://127.0.0.1:8545\n";
const ADDRESSES: &str = "chain,address,asset,contract,decimals\n\
    bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,,\n\
    ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,0xdac17f958d2ee523a2206206994597c13d831ec7,6\n";
const BLOCK: &str = include_str!("fixtures/bitcoin-core/getblock-102.json");
const SCAN: &str = include_str!("fixtures/bitcoin-core/scantxoutset.json");

fn scripts() -> Vec<String> {
    vec![
        "0014751e76e8199196d454941c45d1b3a323f1433bd6".to_owned(),
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262".to_owned(),
    ]
}

fn mutate(base: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = base.as_bytes().to_vec();
    for &(pos, b) in edits {
        let i = pos % bytes.len();
        bytes[i] = b;
    }
    bytes
}

proptest! {
    #[test]
    fn text_parsers(s in "\\PC{0,120}") {
        let _ = balances_file::parse(s.as_bytes(), "f");
        let _ = addresses::parse(s.as_bytes(), "f");
        let _ = bitcoin::parse_block(&s, &scripts());
        let _ = bitcoin::parse_scan(&s, &scripts());
        let _ = bitcoin::parse_btc_amount(&s);
        let _ = esplora::parse_history_page(&s, bitcoin_core::ADDRESS_A);
        let _ = evm::parse_quantity(&s);
        let _ = evm::decode_uint256_word(&s);
        let _ = evm::EvmAddress::parse(&s);
        let _ = Endpoint::parse(&s);
        let _ = BlockHash::from_hex(&s);
    }

    #[test]
    fn mutated_documents(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let _ = balances_file::parse(&mutate(BALANCES, &edits), "f");
        let _ = addresses::parse(&mutate(ADDRESSES, &edits), "f");
        if let Ok(block) = String::from_utf8(mutate(BLOCK, &edits)) {
            let _ = bitcoin::parse_block(&block, &scripts());
        }
        if let Ok(scan) = String::from_utf8(mutate(SCAN, &edits)) {
            let _ = bitcoin::parse_scan(&scan, &scripts());
        }
    }
}
