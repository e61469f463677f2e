//! The audit's pure logic on hand-made attestations. Their ownership proofs
//! are placeholders (the ownership check fails them); real signatures are
//! exercised end to end in `crates/por-cli/tests/attest_audit_cli.rs`.

use super::*;
use por_attest::{
    AssetTotal, Attestation, AttestationKey, AttestedAsset, AttestedBlockHash, ChainPoint,
    Exchange, Liabilities, OwnershipProof, SchemeRequest, Snapshot, SnapshotTime, Tier,
    WalletAddress,
};

const HASH: &str = "00000000000000000001aa7e5b7e9c4b2b3f3c1f8d0a7c6b5e4d3c2b1a098765";

fn key(b: u8) -> AttestationKey {
    AttestationKey::from_secret_bytes(&[b; 32]).unwrap()
}

fn entry(address: &str, category: Category, sat: u128) -> ReserveEntry {
    ReserveEntry {
        chain: Chain::Bitcoin.into(),
        address: WalletAddress::new(address).unwrap(),
        asset: "BTC".into(),
        category,
        tier: Tier::Cold,
        claimed: Amount::from_base_units(sat),
        proof: OwnershipProof {
            scheme: SchemeRequest::Bip322.into(),
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
) -> Attestation {
    Attestation::builder(
        Exchange {
            id: exchange.into(),
            public_key: k.public_key(),
        },
        Snapshot {
            label: label.into(),
            time: SnapshotTime::parse(time).unwrap(),
        },
    )
    .chain(ChainPoint {
        chain: Chain::Bitcoin.into(),
        height: 100,
        block_hash: AttestedBlockHash::parse(HASH).unwrap(),
    })
    .asset(AttestedAsset {
        symbol: "BTC".into(),
        decimals: 8,
        chain: Chain::Bitcoin.into(),
        contract: None,
    })
    .reserves(reserves)
    .build(Liabilities {
        root: "22".repeat(32).parse().unwrap(),
        height: 2,
        customers: 3,
        totals: vec![AssetTotal {
            asset: "BTC".into(),
            amount: Amount::from_base_units(1000),
        }],
    })
    .unwrap()
}

fn named(name: &str, text: String) -> NamedText {
    NamedText {
        name: name.into(),
        text,
    }
}

fn obs(address: &str, sat: u128, hash: &str) -> ObservedBalance {
    ObservedBalance {
        asset_id: AssetId::native(por_types::Chain::Bitcoin),
        address: address.into(),
        asset: "BTC".into(),
        balance: Amount::from_base_units(sat),
        height: 100,
        block_hash: BlockHash::from_hex(hash).unwrap(),
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
    let short = &of(&r, "balance")[0].summary;
    assert!(short.contains("= 1 base units"), "{short}");
    // In asset units for people: 8 decimals, so 0.00000001 BTC.
    assert!(short.contains("short by 0.00000001 BTC"), "{short}");

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

    // Data for the chain but not this address: not checked (the auditor's
    // data has no row for it), never counted, never a pass.
    input.balances = Some(vec![obs("bc1qa", 700, HASH)]);
    let r = run(&input).unwrap();
    assert!(of(&r, "balance")
        .iter()
        .any(|c| c.status == Status::NotChecked && c.summary.contains("no balance")));
    assert_ne!(r.outcome, Outcome::Pass);
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
    let nov_id = por_attest::ParsedAttestation::from_json(&nov_text)
        .unwrap()
        .id();
    let mut dec = body(
        "acme",
        "dec",
        "2026-12-21T00:00:00Z",
        &k,
        vec![entry("bc1qa", Category::Customer, 700)],
    );
    dec.previous = Some(nov_id);
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
    // November names no previous: nothing to link, nothing to add.
    assert_eq!(links, [Status::Pass, Status::Pass]);

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

// ---------------------------------------------------------------------------
// Outcomes, confirmed-only counting and the previous link (engineer AUDIT,
// issue 10). Kept together at the end of the file to ease merging.
// ---------------------------------------------------------------------------

/// Two attestations of one exchange, the second linked to the first, at the
/// given times and bitcoin heights.
fn linked_pair(t1: &str, h1: u64, t2: &str, h2: u64) -> AuditReport {
    let k = key(1);
    let mut first = body("acme", "a", t1, &k, vec![]);
    first.chains[0].height = h1;
    let first_text = first.sign(&k, &[0; 32]).unwrap();
    let id = por_attest::ParsedAttestation::from_json(&first_text)
        .unwrap()
        .id();
    let mut second = body("acme", "b", t2, &k, vec![]);
    second.chains[0].height = h2;
    second.previous = Some(id);
    let input = AuditInput {
        attestations: vec![
            named("first", first_text),
            named("second", second.sign(&k, &[0; 32]).unwrap()),
        ],
        ..AuditInput::default()
    };
    run(&input).unwrap()
}

fn link_of_second(r: &AuditReport) -> &Check {
    of(r, "previous-link")
        .into_iter()
        .find(|c| c.subject.contains("(second)"))
        .unwrap()
}

#[test]
fn previous_link_compares_times_as_instants_not_text() {
    // As text "…00.9Z" < "…00Z" ('.' < 'Z'), so a text comparison took a
    // link back in time for a forward one; as instants it is 0.9 s later.
    let r = linked_pair("2026-11-21T00:00:00Z", 100, "2026-11-21T00:00:00.9Z", 101);
    assert_eq!(
        link_of_second(&r).status,
        Status::Pass,
        "{:?}",
        link_of_second(&r)
    );
    // And "…00.5Z" is after "…00Z" as text but not as an instant when it is
    // the earlier of the two: the link goes back in time.
    let r = linked_pair("2026-11-21T00:00:00.5Z", 100, "2026-11-21T00:00:00Z", 101);
    let c = link_of_second(&r);
    assert_eq!(c.status, Status::Fail);
    assert!(c.summary.contains("not after"), "{}", c.summary);
    // The same instant written two ways is not later either.
    let r = linked_pair("2026-11-21T00:00:00Z", 100, "2026-11-21T00:00:00.000Z", 101);
    assert_eq!(link_of_second(&r).status, Status::Fail);
}

#[test]
fn previous_link_at_the_same_block_is_not_a_history() {
    // One second later, same block: two snapshots of one state.
    let r = linked_pair("2026-11-21T00:00:00Z", 100, "2026-11-21T00:00:01Z", 100);
    let c = link_of_second(&r);
    assert_eq!(c.status, Status::Fail);
    assert!(c.summary.contains("bitcoin block 100"), "{}", c.summary);
    assert_eq!(r.outcome, Outcome::Fail);
    // An earlier block: the same.
    let r = linked_pair("2026-11-21T00:00:00Z", 100, "2026-12-21T00:00:00Z", 99);
    assert_eq!(link_of_second(&r).status, Status::Fail);
    // Later time and later block: linked.
    let r = linked_pair("2026-11-21T00:00:00Z", 100, "2026-12-21T00:00:00Z", 101);
    assert_eq!(link_of_second(&r).status, Status::Pass);
}

/// An attestation whose only reserve is on a chain por has neither an
/// ownership verifier nor a balance source for: liabilities 1000 SOL base
/// units, one customer wallet claiming `claim`.
fn unverifiable_chain(claim: u128) -> String {
    let k = key(1);
    let mut b = body("acme", "s1", "2026-11-21T00:00:00Z", &k, vec![]);
    b.chains = vec![ChainPoint {
        chain: AttestedChain::from_name("solana"),
        height: 7,
        block_hash: AttestedBlockHash::parse(&"44".repeat(32)).unwrap(),
    }];
    b.assets = vec![AttestedAsset {
        symbol: "SOL".into(),
        decimals: 9,
        chain: AttestedChain::from_name("solana"),
        contract: None,
    }];
    if let por_attest::LiabilitiesSection::V1(l) = &mut b.liabilities {
        l.totals[0].asset = "SOL".into();
    }
    let mut e = entry("So1anaWa11et", Category::Customer, claim);
    e.chain = AttestedChain::from_name("solana");
    e.asset = "SOL".into();
    b.reserves.push(e);
    b.sign(&k, &[0; 32]).unwrap()
}

#[test]
fn audit_without_chain_data_is_incomplete_not_pass() {
    let input = AuditInput {
        attestations: vec![named("a.json", unverifiable_chain(1500))],
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    assert_eq!(r.totals.fail, 0, "{:?}", r.checks);
    assert_eq!(r.outcome, Outcome::Incomplete);
    assert!(!r.failed());
    // Solvency: 0 confirmed, 1500 claimed but unchecked ≥ 1000: not checked.
    assert_eq!(of(&r, "solvency")[0].status, Status::NotChecked);
    // Every missing input is named, with what to add.
    let reasons: Vec<&str> = r.not_checked.iter().map(|u| u.reason.as_str()).collect();
    for want in [
        "--liabilities",
        "--sample-proofs",
        "--reserve-inputs",
        "no balance source for chain solana",
    ] {
        assert!(
            reasons.iter().any(|x| x.contains(want)),
            "{want}: {reasons:?}"
        );
    }
    // Serialised as the lower-case word.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["outcome"], "incomplete");
    assert!(v["not_checked"].as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn outcome_is_derived_from_the_checks_alone() {
    let c = |status| check("x", status, String::new(), String::new(), NO_EVIDENCE);
    assert_eq!(outcome_of(&[c(Status::Pass)]), Outcome::Pass);
    assert_eq!(
        outcome_of(&[c(Status::Pass), c(Status::NotChecked)]),
        Outcome::Incomplete
    );
    assert_eq!(
        outcome_of(&[c(Status::NotChecked), c(Status::Fail), c(Status::Pass)]),
        Outcome::Fail
    );
    assert_eq!(
        outcome_of(&[]),
        Outcome::Incomplete,
        "nothing checked is no pass"
    );
}

#[test]
fn a_chain_without_a_balance_source_is_not_checked_and_counts_zero() {
    let input = AuditInput {
        attestations: vec![named("a.json", unverifiable_chain(5_000))],
        balances: Some(vec![]),
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    let bal = of(&r, "balance");
    assert_eq!(bal.len(), 1);
    assert_eq!(bal[0].status, Status::NotChecked);
    assert!(
        bal[0]
            .summary
            .contains("no balance source for chain solana"),
        "{}",
        bal[0].summary
    );
    // No ownership verifier for the chain: not checked, not a failure.
    assert_eq!(of(&r, "ownership")[0].status, Status::NotChecked);
    let p = &r.positions[0];
    assert_eq!(p.claimed, Amount::from_base_units(5_000));
    assert_eq!(p.reserves, Amount::ZERO);
    assert_eq!(p.unchecked, Amount::from_base_units(5_000));
    assert_eq!(p.excluded, Amount::ZERO);
    assert_eq!(r.outcome, Outcome::Incomplete);

    // Claimed 500 against 1000 of liabilities: even if confirmed it would
    // not cover them, so solvency fails outright.
    let input = AuditInput {
        attestations: vec![named("a.json", unverifiable_chain(500))],
        ..AuditInput::default()
    };
    let r = run(&input).unwrap();
    let s = of(&r, "solvency");
    assert_eq!(s[0].status, Status::Fail);
    assert!(s[0].summary.contains("even the"), "{}", s[0].summary);
    assert_eq!(r.outcome, Outcome::Fail);
}
