//! The audit's pure logic on hand-made attestations. Their ownership proofs
//! are placeholders (the ownership check fails them); real signatures are
//! exercised end to end in `tests/attest_audit_cli.rs`.

use super::*;
use crate::attestation::{
    AssetTotal, AttestationBody, AttestationKey, AttestedAsset, ChainPoint, Exchange, Liabilities,
    OwnershipProof, Snapshot, Tier, FORMAT,
};

const HASH: &str = "00000000000000000001aa7e5b7e9c4b2b3f3c1f8d0a7c6b5e4d3c2b1a098765";

fn key(b: u8) -> AttestationKey {
    AttestationKey::from_secret_bytes(&[b; 32]).unwrap()
}

fn entry(address: &str, category: Category, sat: u128) -> ReserveEntry {
    ReserveEntry {
        chain: "bitcoin".into(),
        address: address.into(),
        asset: "BTC".into(),
        category,
        tier: Tier::Cold,
        claimed: Amount::from_base_units(sat),
        proof: OwnershipProof {
            scheme: "bip322".into(),
            message: "placeholder".into(),
            signature: "AA==".into(),
            second_signature: None,
            redeem_script: None,
        },
    }
}

fn body(
    exchange: &str,
    label: &str,
    time: &str,
    k: &AttestationKey,
    reserves: Vec<ReserveEntry>,
) -> AttestationBody {
    AttestationBody {
        format: FORMAT.into(),
        exchange: Exchange {
            id: exchange.into(),
            public_key: k.public_key_hex(),
        },
        snapshot: Snapshot {
            label: label.into(),
            time: time.into(),
        },
        chains: vec![ChainPoint {
            chain: "bitcoin".into(),
            height: 100,
            block_hash: HASH.into(),
        }],
        assets: vec![AttestedAsset {
            symbol: "BTC".into(),
            decimals: 8,
            chain: "bitcoin".into(),
            contract: None,
        }],
        liabilities: Liabilities {
            root: "22".repeat(32).parse().unwrap(),
            height: 2,
            customers: 3,
            totals: vec![AssetTotal {
                asset: "BTC".into(),
                amount: Amount::from_base_units(1000),
            }],
        },
        reserves,
        reserve_inputs: None,
        previous: None,
    }
}

fn named(name: &str, text: String) -> NamedText {
    NamedText {
        name: name.into(),
        text,
    }
}

fn obs(address: &str, sat: u128, hash: &str) -> ObservedBalance {
    ObservedBalance {
        chain: "bitcoin".into(),
        address: address.into(),
        asset: "BTC".into(),
        contract: None,
        balance: Amount::from_base_units(sat),
        height: 100,
        block_hash: hash.into(),
        source: "test".into(),
    }
}

fn of<'a>(r: &'a AuditReport, id: &str) -> Vec<&'a Check> {
    r.checks.iter().filter(|c| c.id == id).collect()
}

#[test]
fn balances_pass_fail_and_not_checked() {
    let k = key(1);
    let b = body(
        "acme",
        "s1",
        "2026-11-21T00:00:00Z",
        &k,
        vec![
            entry("bc1qa", Category::Customer, 700),
            entry("bc1qb", Category::Customer, 400),
        ],
    );
    let att = named("a.json", b.sign(&k, &[0; 32]).unwrap());
    let mut input = AuditInput {
        attestations: vec![att],
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    assert!(of(&r, "balance")
        .iter()
        .all(|c| c.status == Status::NotChecked));
    assert_eq!(of(&r, "signature")[0].status, Status::Pass);
    // Ownership fails for the placeholders, so nothing counts: solvency fails.
    assert!(of(&r, "ownership").iter().all(|c| c.status == Status::Fail));
    assert_eq!(of(&r, "solvency")[0].status, Status::Fail);
    assert_eq!(r.positions[0].excluded, Amount::from_base_units(1100));

    input.balances = Some(vec![obs("BC1QA", 700, HASH), obs("bc1qb", 399, HASH)]);
    let r = run(&input).unwrap();
    let b: Vec<Status> = of(&r, "balance").iter().map(|c| c.status).collect();
    assert_eq!(b, [Status::Fail, Status::Pass], "failed first");
    assert!(of(&r, "balance")[0]
        .summary
        .contains("short by 1 base units"));

    input.balances = Some(vec![
        obs("bc1qa", 700, &"33".repeat(32)),
        obs("bc1qb", 400, HASH),
    ]);
    let r = run(&input).unwrap();
    assert_eq!(
        of(&r, "balance")
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count(),
        1
    );

    // Data for the chain but not this address: a failure, not a skip.
    input.balances = Some(vec![obs("bc1qa", 700, HASH)]);
    let r = run(&input).unwrap();
    assert!(of(&r, "balance")
        .iter()
        .any(|c| c.status == Status::Fail && c.summary.contains("no balance")));
}

#[test]
fn duplicates_history_and_links() {
    let k = key(1);
    let nov = body(
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &k,
        vec![entry("bc1qa", Category::Customer, 700)],
    );
    let nov_text = nov.sign(&k, &[0; 32]).unwrap();
    let nov_id = crate::attestation::ParsedAttestation::from_json(&nov_text)
        .unwrap()
        .id();
    let mut dec = body(
        "acme",
        "dec",
        "2026-12-21T00:00:00Z",
        &k,
        vec![entry("bc1qa", Category::Customer, 700)],
    );
    dec.previous = Some(nov_id.to_hex());
    // A history is at strictly later blocks (the same block is two claims at once).
    dec.chains[0].height = 200;
    let dec_text = dec.sign(&k, &[0; 32]).unwrap();
    let input = AuditInput {
        attestations: vec![
            named("nov", nov_text.clone()),
            named("dec", dec_text.clone()),
        ],
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    // One exchange's history repeats its wallet: not a duplicate.
    assert_eq!(of(&r, "unique-address")[0].status, Status::Pass);
    let links: Vec<Status> = of(&r, "previous-link").iter().map(|c| c.status).collect();
    assert_eq!(links, [Status::Pass, Status::NotChecked]);

    // Given in the wrong order: December is first (not checked), November
    // does not link to it.
    let input = AuditInput {
        attestations: vec![
            named("dec", dec_text.clone()),
            named("nov", nov_text.clone()),
        ],
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    assert_eq!(of(&r, "previous-link")[0].status, Status::Fail);

    // Another exchange claims the same wallet in its own attestation.
    let k2 = key(2);
    let other = body(
        "bolt",
        "nov",
        "2026-11-21T00:00:00Z",
        &k2,
        vec![entry("BC1QA", Category::Corporate, 700)],
    );
    let input = AuditInput {
        attestations: vec![
            named("nov", nov_text),
            named("bolt", other.sign(&k2, &[0; 32]).unwrap()),
        ],
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    let u = of(&r, "unique-address");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].status, Status::Fail);
    assert!(
        u[0].summary.contains("acme nov as customer")
            && u[0].summary.contains("bolt nov as corporate"),
        "{}",
        u[0].summary
    );

    // The same wallet twice in one attestation.
    let twice = body(
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &k,
        vec![
            entry("bc1qa", Category::Customer, 700),
            entry("bc1qa", Category::LiabilityReserve, 100),
        ],
    );
    let input = AuditInput {
        attestations: vec![named("t", twice.sign(&k, &[0; 32]).unwrap())],
        ..AuditInput::default()
    };
    assert_eq!(
        of(&run(&input).unwrap(), "unique-address")[0].status,
        Status::Fail
    );
}

#[test]
fn tampered_attestation_and_rebuild() {
    let k = key(1);
    let b = body(
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &k,
        vec![entry("bc1qa", Category::Customer, 700)],
    );
    let text = b.sign(&k, &[0; 32]).unwrap();
    let tampered = text.replacen("\"700\"", "\"701\"", 1);
    let input = AuditInput {
        attestations: vec![named("t", tampered)],
        rebuilt: Some(RebuiltTree {
            assets: AssetList::from_spec("BTC:8").unwrap(),
            root: RootCommitment {
                hash: "22".repeat(32).parse().unwrap(),
                sums: vec![Amount::from_base_units(1000)],
                height: 2,
            },
            customers: 3,
        }),
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    assert_eq!(of(&r, "signature")[0].status, Status::Fail);
    assert!(of(&r, "ownership").is_empty());
    assert!(r.positions.is_empty());
    // The rebuilt tree matches the content, but the content is not trusted.
    assert_eq!(of(&r, "rebuild")[0].status, Status::Fail);

    let mut input = AuditInput {
        attestations: vec![named("a", text)],
        ..input
    };
    assert_eq!(of(&run(&input).unwrap(), "rebuild")[0].status, Status::Pass);
    if let Some(t) = &mut input.rebuilt {
        t.customers = 2;
        t.root.sums[0] = Amount::from_base_units(999);
    }
    let r = run(&input).unwrap();
    let s = &of(&r, "rebuild")[0].summary;
    assert!(
        s.contains("2 customers ≠ attested 3") && s.contains("BTC total 999 ≠ attested 1000"),
        "{s}"
    );

    assert_eq!(
        run(&AuditInput::default()).unwrap_err(),
        AuditError::NoAttestation
    );
    let bad = AuditInput {
        attestations: vec![named("x.json", "{}".into())],
        ..AuditInput::default()
    };
    assert!(run(&bad).unwrap_err().to_string().starts_with("x.json: "));
}
