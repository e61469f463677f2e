//! Gate's and Binance's zk-SNARK user proofs: recognised, not checked.
//!
//! Both recompute the account leaf and the Merkle path with Poseidon over
//! the BN254 scalar field, as implemented by gnark-crypto
//! (`ecc/bn254/fr/poseidon`) in the versions their `go.mod` pins (Binance:
//! bnb-chain/gnark-crypto v0.14.1-0.20240910145340-609ab3a7eb9b; Gate:
//! gatechain/gnark-crypto v0.7.1). por has no Poseidon implementation
//! whose round constants and MDS matrix were matched against those, so it
//! reports these proofs as unverifiable rather than guess.

use serde_json::Value;

use crate::json::{self};
use crate::{Adapter, Error, Format, Input, Outcome, Verdict, Weakness};

fn base(input: &Input<'_>, id: &str) -> Result<serde_json::Map<String, Value>, Error> {
    crate::okx::customer_options_unused(input, id)?;
    let v = json::parse(input.proof)?;
    Ok(json::obj(&v, "")?.clone())
}

fn root_hex(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
}

/// Gate's `user_config.json`.
pub(crate) struct GateZk;

impl Adapter for GateZk {
    fn format(&self) -> Format {
        Format::GateZk
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        let m = base(input, "gate-zk")?;
        Ok(Outcome {
            verdict: Verdict::unverifiable(
                "a Gate zk user proof: its leaf and Merkle path are Poseidon hashes over BN254 (gatechain/gnark-crypto v0.7.1, bn254/fr/poseidon), which por does not implement; the file was recognised but not checked",
            ),
            root: None,
            balances: Vec::new(),
            weaknesses: vec![Weakness::RootNotSigned],
            notes: root_hex(m.get("TreeRootHash"))
                .map(|r| vec![format!("The file states the tree root {r}; por did not check that the path leads to it.")])
                .unwrap_or_default(),
            compared: Some(false),
        })
    }
}

/// Binance's `user_config.json`.
pub(crate) struct BinanceZk;

impl Adapter for BinanceZk {
    fn format(&self) -> Format {
        Format::BinanceZk
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        let m = base(input, "binance-zk")?;
        Ok(Outcome {
            verdict: Verdict::unverifiable(
                "a Binance zk user proof: its leaf and Merkle path are Poseidon hashes over BN254 (bnb-chain/gnark-crypto v0.14.1-0.20240910145340-609ab3a7eb9b, bn254/fr/poseidon), which por does not implement; the file was recognised but not checked",
            ),
            root: None,
            balances: Vec::new(),
            weaknesses: vec![Weakness::RootNotSigned],
            notes: root_hex(m.get("Root"))
                .map(|r| vec![format!("The file states the tree root {r}; por did not check that the path leads to it.")])
                .unwrap_or_default(),
            compared: Some(false),
        })
    }
}
