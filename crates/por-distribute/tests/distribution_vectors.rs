//! Every case of `vectors/distribution-v1.json` (written by the independent
//! Python implementation, `vectors/distribution_v1.py`) against the Rust
//! crate: allocations, whole plans (leaf order, every leaf's values, totals,
//! the distribution tree's intermediates and root, every proof), proof
//! verdicts against statements, and signed statements.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test")]

use por_distribute::plan::VALUES_PER_COLUMN;
use por_distribute::statement::StatementBody;
use por_distribute::tree::{dleaf_hash, dpad_key};
use por_distribute::{
    check_proof_against_body, pro_rata, DistributionProof, DistributionTree, Plan, PlanInput,
    Price, TopUp, VerifiedStatement,
};
use por_tree::hash::leaf_id;
use por_tree::{Amount, Asset, AssetList, Ledger, LiabilitiesTree, SnapshotSecret};
use serde_json::Value;

fn vectors() -> Value {
    let text = include_str!("../../../vectors/distribution-v1.json");
    serde_json::from_str(text).unwrap()
}

fn amount(v: &Value) -> Amount {
    Amount::from_base_units_str(v.as_str().unwrap()).unwrap()
}

fn amounts(v: &Value) -> Vec<Amount> {
    v.as_array().unwrap().iter().map(amount).collect()
}

fn strings(v: &[Amount]) -> Value {
    Value::Array(
        v.iter()
            .map(|a| Value::String(a.to_base_units().to_string()))
            .collect(),
    )
}

#[test]
fn allocations() {
    let doc = vectors();
    let cases = doc["allocations"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for c in cases {
        let got = pro_rata(&amounts(&c["claims"]), amount(&c["available"])).unwrap();
        assert_eq!(strings(&got), c["expected"], "allocation {}", c["name"]);
    }
}

#[test]
fn plans() {
    let doc = vectors();
    let cases = doc["plans"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let input = &c["input"];
        let exp = &c["expected"];
        let mut secret = [0u8; 32];
        hex::decode_to_slice(input["secret"].as_str().unwrap(), &mut secret).unwrap();
        let secret = SnapshotSecret::from_byte_array(secret);
        let assets = AssetList::new(
            input["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    Asset::new(
                        a["symbol"].as_str().unwrap(),
                        u8::try_from(a["decimals"].as_u64().unwrap()).unwrap(),
                    )
                    .unwrap()
                })
                .collect(),
        )
        .unwrap();
        let k = assets.len();
        let mut ledger = Ledger::new(k);
        for (i, r) in input["rows"].as_array().unwrap().iter().enumerate() {
            ledger
                .push(
                    r["user_id"].as_str().unwrap(),
                    &amounts(&r["balances"]),
                    i as u64 + 2,
                )
                .unwrap();
        }
        let (ltree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
        assert_eq!(
            ltree.root().hash.to_string(),
            exp["liabilities_root"],
            "{name}"
        );
        let order: Vec<&str> = (0..customers.len())
            .map(|i| customers.user_id(i).unwrap())
            .collect();
        let want_order: Vec<&str> = exp["leaf_order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(order, want_order, "{name}: leaf order");
        let holdback: Vec<&str> = input["holdback"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let held: Vec<bool> = order.iter().map(|u| holdback.contains(u)).collect();
        let de_minimis: Vec<Amount> = assets
            .iter()
            .map(|a| {
                input["de_minimis"]
                    .get(a.symbol())
                    .map_or(Amount::ZERO, amount)
            })
            .collect();
        let top_up = (!input["top_up"].is_null()).then(|| TopUp {
            pool_jpy: amount(&input["top_up"]["pool_jpy"]),
            prices: assets
                .iter()
                .map(|a| {
                    Price::parse(input["top_up"]["prices"][a.symbol()].as_str().unwrap()).unwrap()
                })
                .collect(),
        });
        let n = customers.len();
        let claims = &ltree.levels()[0].sums()[..n * k];
        let plan = Plan::new(&PlanInput {
            assets: &assets,
            claims,
            available: &amounts(&input["available"]),
            held_back: &held,
            de_minimis: &de_minimis,
            top_up: top_up.as_ref(),
        })
        .unwrap();
        let width = plan.columns() * VALUES_PER_COLUMN;
        for (i, want) in exp["values"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                strings(&plan.values()[i * width..(i + 1) * width]),
                *want,
                "{name}: leaf {i} values"
            );
        }
        let totals = serde_json::to_value(plan.totals()).unwrap();
        assert_eq!(totals, exp["totals"], "{name}: totals");
        assert_eq!(hex::encode(dpad_key(&secret)), exp["dpad_key"], "{name}");
        for (i, want) in exp["leaf_hashes"].as_array().unwrap().iter().enumerate() {
            let id = leaf_id(&customers.salt(i).unwrap(), customers.user_id(i).unwrap());
            let h = dleaf_hash(&id, &plan.values()[i * width..(i + 1) * width]);
            assert_eq!(h.to_string(), *want, "{name}: leaf hash {i}");
        }
        let dtree =
            DistributionTree::build(&customers, plan.values(), width, &dpad_key(&secret)).unwrap();
        let root = dtree.root();
        assert_eq!(
            root.hash.to_string(),
            exp["distribution_root"]["hash"],
            "{name}"
        );
        assert_eq!(
            strings(&root.sums),
            exp["distribution_root"]["sums"],
            "{name}"
        );
        assert_eq!(
            u64::from(root.height),
            exp["distribution_root"]["height"].as_u64().unwrap()
        );
        for (i, want) in exp["proofs"].as_array().unwrap().iter().enumerate() {
            let proof = dtree
                .proof(&assets, top_up.is_some(), &customers, i)
                .unwrap();
            let got: Value = serde_json::from_str(&proof.to_json()).unwrap();
            assert_eq!(got, *want, "{name}: proof {i}");
            // and the Python proof parses and verifies
            let parsed = DistributionProof::from_json(&want.to_string()).unwrap();
            parsed.verify(&root).unwrap();
        }
    }
}

#[test]
fn proof_checks() {
    let doc = vectors();
    let cases = doc["proof_checks"].as_array().unwrap();
    assert!(cases.len() >= 100);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let body: StatementBody = serde_json::from_value(c["statement"].clone()).unwrap();
        let got = match DistributionProof::from_json(&c["proof"].to_string()) {
            Err(_) => "malformed",
            Ok(proof) => match check_proof_against_body(&body, &proof) {
                Ok(()) => "valid",
                Err(e) => e.kind(),
            },
        };
        assert_eq!(got, c["expected"], "proof check {name}");
    }
}

#[test]
fn statements() {
    let doc = vectors();
    let cases = doc["statements"].as_array().unwrap();
    assert!(cases.len() >= 12);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let got = match VerifiedStatement::from_json(&c["document"].to_string()) {
            Ok(_) => "valid",
            Err(e) => e.kind(),
        };
        assert_eq!(got, c["expected"], "statement {name}");
        if let Some(body) = c.get("body") {
            // Signing the same body with the same key and aux_rand gives the
            // same document, signature included (BIP-340 is deterministic
            // given aux_rand; RFC 8785 fixes the signed bytes).
            let mut body: StatementBody = serde_json::from_value(body.clone()).unwrap();
            let mut sk = [0u8; 32];
            hex::decode_to_slice(c["secret_key"].as_str().unwrap(), &mut sk).unwrap();
            let mut aux = [0u8; 32];
            hex::decode_to_slice(c["aux_rand"].as_str().unwrap(), &mut aux).unwrap();
            let signed: Value = serde_json::from_str(&body.sign(&sk, &aux).unwrap()).unwrap();
            assert_eq!(signed, c["document"], "statement {name}: re-signed");
        }
    }
}
