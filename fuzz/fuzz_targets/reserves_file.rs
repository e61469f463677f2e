//! Arbitrary bytes as the reserves file `por attest` reads (first byte:
//! 0 CSV, else TOML), drafted into an attestation for a fixed two-asset
//! tree. Nothing may panic and errors display. A file that parses has no
//! empty required field and lower-case chains; a draft that succeeds has
//! one entry per row, in row order, each on a chain with an attested block.
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_attest::{AttestationKey, AttestedBlockHash, AttestedChain, ChainPoint, SnapshotTime};
use por_audit::draft::{self, DraftRequest, ReservesSyntax, TreeFacts};
use por_audit::registry::AssetRegistry;
use por_tree::amount::Amount;
use por_tree::asset::{Asset, AssetList};
use por_tree::hash::NodeHash;
use por_tree::tree::RootCommitment;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let syntax = if kind == 0 {
        ReservesSyntax::Csv
    } else {
        ReservesSyntax::Toml
    };
    let rows = match draft::parse_reserves(text, "reserves", syntax) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(!r.chain.trim().is_empty() && !r.signature.trim().is_empty());
        assert_eq!(r.chain, r.chain.to_ascii_lowercase());
    }
    let (Ok(btc), Ok(eth)) = (Asset::new("BTC", 8), Asset::new("ETH", 18)) else {
        return;
    };
    let Ok(assets) = AssetList::new(vec![btc, eth]) else {
        return;
    };
    let root = RootCommitment {
        hash: NodeHash::from_byte_array([7; 32]),
        sums: vec![Amount::ZERO, Amount::ZERO],
        height: 3,
    };
    let chains = vec![
        ChainPoint {
            chain: AttestedChain::from_name("bitcoin"),
            height: 1,
            block_hash: AttestedBlockHash::parse(&"00".repeat(32)).expect("a block hash"),
        },
        ChainPoint {
            chain: AttestedChain::from_name("ethereum"),
            height: 2,
            block_hash: AttestedBlockHash::parse(&"11".repeat(32)).expect("a block hash"),
        },
    ];
    let req = DraftRequest {
        exchange: "fuzz".into(),
        public_key: AttestationKey::from_secret_bytes(&[0x22; 32])
            .expect("a valid secret key")
            .public_key(),
        snapshot: "s".into(),
        time: SnapshotTime::parse("2026-01-01T00:00:00Z").expect("a valid time"),
        tree: TreeFacts {
            assets: &assets,
            root: &root,
            customers: 5,
            root_v2: None,
        },
        chains,
        placements: Vec::new(),
        reserves_name: "reserves".into(),
        rows: &rows,
        reserve_inputs: None,
        previous: None,
        recognise: Vec::new(),
    };
    match draft::draft(&req, &AssetRegistry::builtin()) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(d) => {
            assert_eq!(d.body.reserves.len(), rows.len());
            for (e, r) in d.body.reserves.iter().zip(&rows) {
                assert_eq!(e.address.as_str(), r.address);
                assert!(matches!(
                    e.chain.known(),
                    Some(por_attest::Chain::Bitcoin | por_attest::Chain::Ethereum)
                ));
            }
        }
    }
});
