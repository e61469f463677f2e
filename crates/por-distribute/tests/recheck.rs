//! `recheck`: a statement made from a plan passes against the records it
//! came from, and fails on any changed claim, payout, total or term.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test")]

use por_distribute::plan::VALUES_PER_COLUMN;
use por_distribute::policy::Policy;
use por_distribute::recheck::{recheck, Finding};
use por_distribute::statement::{AttestationRef, PolicyRef, StatementBody, StatementContext};
use por_distribute::tree::dpad_key;
use por_distribute::{DistributionTree, Plan, PlanInput};
use por_tree::{Amount, AssetList, Customers, Ledger, LiabilitiesTree, SnapshotSecret};
use sha2::{Digest, Sha256};

const POLICY: &str = include_str!("../../../examples/distribution-policy.toml");
const ATT: &str = "abababababababababababababababababababababababababababababababab";

fn register(bump: u128) -> (LiabilitiesTree, Customers, SnapshotSecret) {
    let assets = AssetList::from_spec("BTC:8,ETH:18,USDT:6").unwrap();
    let mut ledger = Ledger::new(3);
    let a = Amount::from_base_units;
    for i in 0..9u128 {
        let extra = if i == 4 { bump } else { 0 };
        ledger
            .push(
                &format!("customer-{i:06}"),
                &[
                    a(i * 1000 + 7 + extra),
                    a(i * 10u128.pow(17)),
                    a(i % 4 * 1_000_000),
                ],
                u64::try_from(i).unwrap() + 2,
            )
            .unwrap();
    }
    let secret = SnapshotSecret::from_byte_array([9; 32]);
    let (t, c) = LiabilitiesTree::build(&assets, &ledger, &secret).unwrap();
    (t, c, secret)
}

fn statement(available: &[Amount]) -> StatementBody {
    let (t, customers, secret) = register(0);
    let assets = t.assets().clone();
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let (dm, top) = policy.resolve(&assets).unwrap();
    let held = policy.held_flags(&customers).unwrap();
    let claims = &t.levels()[0].sums()[..customers.len() * 3];
    let plan = Plan::new(&PlanInput {
        assets: &assets,
        claims,
        available,
        held_back: &held,
        de_minimis: &dm,
        top_up: top.as_ref(),
    })
    .unwrap();
    let tree = DistributionTree::build(
        &customers,
        plan.values(),
        plan.columns() * VALUES_PER_COLUMN,
        &dpad_key(&secret),
    )
    .unwrap();
    let p = policy.top_up.as_ref().unwrap();
    StatementBody::from_plan(
        &plan,
        StatementContext {
            assets: &assets,
            attestation: AttestationRef {
                id: ATT.to_owned(),
                exchange: "x".into(),
                snapshot: "s".into(),
                liabilities_root: t.root().hash,
            },
            root: &tree.root(),
            de_minimis: &dm,
            top_up: Some((
                top.as_ref().unwrap(),
                p.price_date.value.clone(),
                p.prices.source.clone(),
            )),
            policy: PolicyRef {
                name: policy.name.clone(),
                sha256: hex::encode(Sha256::digest(POLICY.as_bytes())),
            },
            available_source: "test".into(),
        },
    )
}

fn failed(f: &[Finding]) -> Vec<&'static str> {
    f.iter().filter(|x| !x.passed).map(|x| x.id).collect()
}

fn available() -> Vec<Amount> {
    vec![
        Amount::from_base_units(20_000),
        Amount::from_base_units(10u128.pow(19)),
        Amount::from_base_units(9_000_000),
    ]
}

#[test]
fn passes_on_its_own_records_and_fails_on_any_change() {
    let body = statement(&available());
    let (t, c, s) = register(0);
    let f = recheck(&body, ATT, &t, &c, &s, POLICY);
    assert_eq!(f.len(), 3);
    assert!(failed(&f).is_empty(), "{f:?}");

    // A claim changed in the export: another liabilities root, another tree.
    let (t2, c2, s2) = register(1);
    assert_eq!(
        failed(&recheck(&body, ATT, &t2, &c2, &s2, POLICY)),
        ["distribution.attestation", "distribution.root"]
    );

    // Another attestation.
    assert_eq!(
        failed(&recheck(&body, &"cd".repeat(32), &t, &c, &s, POLICY)),
        ["distribution.attestation"]
    );

    // Payouts moved within the totals' identities (paid -> retained).
    let mut moved = body.clone();
    moved.assets[0].totals.paid =
        Amount::from_base_units(moved.assets[0].totals.paid.to_base_units() - 1);
    moved.assets[0].totals.retained =
        Amount::from_base_units(moved.assets[0].totals.retained.to_base_units() + 1);
    assert!(moved.assets[0].totals.consistent());
    assert_eq!(
        failed(&recheck(&moved, ATT, &t, &c, &s, POLICY)),
        ["distribution.root"]
    );

    // One more BTC unit stated available (and paid) than the tree holds.
    let one = Amount::from_base_units(1);
    let mut more = body.clone();
    let t0 = &mut more.assets[0].totals;
    t0.available = t0.available.checked_add(one).unwrap();
    t0.paid = t0.paid.checked_add(one).unwrap();
    assert!(t0.consistent());
    let r = recheck(&more, ATT, &t, &c, &s, POLICY);
    assert_eq!(failed(&r), ["distribution.root"], "{r:?}");
    // ETH is over-covered: one more unit available is kept by the estate,
    // which the tree does not carry, so the root still matches; whether it
    // was on chain is the audit's comparison with confirmed balances.
    let mut more = body.clone();
    let t1 = &mut more.assets[1].totals;
    t1.available = t1.available.checked_add(one).unwrap();
    t1.kept_by_estate = t1.kept_by_estate.checked_add(one).unwrap();
    assert!(failed(&recheck(&more, ATT, &t, &c, &s, POLICY)).is_empty());

    // Another policy file (a holdback removed): its hash differs, and the
    // tree rebuilt under it differs too.
    let other = POLICY.replace("\"customer-000002\", ", "");
    assert_eq!(
        failed(&recheck(&body, ATT, &t, &c, &s, &other)),
        ["distribution.policy", "distribution.root"]
    );
    // A policy that does not parse.
    let r = recheck(&body, ATT, &t, &c, &s, "nonsense");
    assert_eq!(failed(&r), ["distribution.policy"]);
}
