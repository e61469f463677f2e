//! The scenarios added for the incidents of 2025–26 (regulation-2026.md
//! §2) against figures derived by hand from their anchors: S9 (Bithumb's
//! ledger over-credit) with the reconciliation interval, S10 (SwissBorg's
//! staking partner), O3 (CoinDCX's own account), and the anchors added to
//! S2 (Upbit) and S6 (WazirX's outcome).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on a broken fixture, which is the failure we want"
)]

use por_reserve::{
    builtin, requirement, run_scenario, Inputs, Policy, Reconciliation, Scenario, StressResult, Yen,
};

const SAT: u128 = 100_000_000;

fn example() -> Inputs {
    Inputs::from_toml_str(builtin::EXAMPLE_INPUTS).unwrap()
}

fn policy(name: &str) -> Policy {
    builtin::policy(name).unwrap().unwrap()
}

fn scenario(id: &str) -> Scenario {
    builtin::scenario(id).unwrap().unwrap()
}

fn run(inputs: &Inputs, id: &str, overlay: Option<&str>) -> StressResult {
    let req = requirement(inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let o = overlay.map(scenario);
    run_scenario(
        inputs,
        &scenario(id),
        o.as_ref(),
        &req,
        &policy("jp-psa-in-force"),
    )
    .unwrap()
}

#[test]
fn s9_replays_the_anchor_when_reconciliation_is_slower_than_35_minutes() {
    // The example reconciles hourly: the error runs the anchor's 35 minutes.
    let s = run(&example(), "S9", None);
    let l = s.ledger.as_ref().unwrap();
    assert_eq!(l.asset, "BTC");
    // 63 500 BTC held (every owner); 13.5x = 857 250 BTC credited (the
    // anchor: about 620 000 against 42-46k, 13-14x).
    assert_eq!(l.held.to_base_units(), 63_500 * SAT);
    assert_eq!(l.credited.to_base_units(), 857_250 * SAT);
    assert_eq!(
        (l.observed_minutes, l.interval_minutes, l.detection_minutes),
        (35, Some(60), 35)
    );
    // 0.29% of the credit sold: 2 486.025 BTC (Bithumb: about 1 788 of
    // 620 000), ¥24 860 250 000 at ¥10 m, all of it the customers' shortfall.
    assert_eq!(l.sold.to_base_units(), 248_602_500_000);
    assert_eq!(s.loss_jpy, Yen::new(24_860_250_000));
    assert_eq!(s.customer_loss_jpy, s.loss_jpy);
    // A ledger error is no insured event; the reserve and the parent pay.
    assert!(s.claims.iter().all(|c| !c.responds));
    assert_eq!(s.waterfall.insurance_jpy, Yen::ZERO);
    assert_eq!(s.waterfall.reserve_jpy, Yen::new(5_300_000_000));
    assert_eq!(s.waterfall.parent_jpy, Yen::new(19_560_250_000));
    assert!(s.post_event.contains(&("A3", false)));
    // Exposure per interval at the anchor's rate, 2 486.025 BTC per 35 min:
    // 5 min ⌈355.146428571…⌉, 60 min ⌈4 261.757142857…⌉, a day ⌈102 282.171428…⌉
    // (base units rounded up, yen rounded up).
    let per: Vec<(u32, u128, Yen)> = l
        .per_interval
        .iter()
        .map(|x| (x.minutes, x.quantity.to_base_units(), x.value_jpy))
        .collect();
    assert_eq!(
        per,
        [
            (5, 35_514_642_858, Yen::new(3_551_464_286)),
            (60, 426_175_714_286, Yen::new(42_617_571_429)),
            (1440, 10_228_217_142_858, Yen::new(1_022_821_714_286)),
        ]
    );
}

#[test]
fn s9_a_five_minute_reconciliation_stops_it_sooner() {
    let mut i = example();
    i.reconciliation = Some(Reconciliation {
        interval_minutes: 5,
        source: "Upbit".into(),
    });
    let s = run(&i, "S9", None);
    let l = s.ledger.as_ref().unwrap();
    assert_eq!(l.detection_minutes, 5);
    assert_eq!(l.sold.to_base_units(), 35_514_642_858);
    assert_eq!(s.loss_jpy, Yen::new(3_551_464_286));
    // Without an interval in the inputs: the anchor's 35 minutes, and the
    // exposure lists only the reference intervals.
    i.reconciliation = None;
    let s = run(&i, "S9", None);
    let l = s.ledger.unwrap();
    assert_eq!((l.interval_minutes, l.detection_minutes), (None, 35));
    assert_eq!(l.per_interval.len(), 3);
}

#[test]
fn s10_takes_everything_routed_through_the_partner() {
    let s = run(&example(), "S10", None);
    // 20 000 ETH routed through ExampleStakingAPI, ¥10 bn (1% of customer
    // crypto; SwissBorg lost about 2% of assets).
    assert_eq!(s.customer_loss_jpy, Yen::new(10_000_000_000));
    assert_eq!(
        s.selection,
        ["ExampleStakingAPI: the partner routing the largest value"]
    );
    // Repaid in kind: reserve ¥5.3 bn, then insurance ¥4.7 bn; no haircut.
    assert_eq!(s.waterfall.customer_haircut_jpy, Yen::ZERO);
    let mut i = example();
    i.partner_routes.clear();
    let s = run(&i, "S10", None);
    assert!(!s.applicable);
}

#[test]
fn o3_hits_capital_not_customers() {
    let mut i = example();
    i.capital.net_assets_jpy = Yen::new(20_000_000_000);
    // Alone: the 500 own BTC (¥5 bn), no customer loss, nothing to pay.
    let s = run(&i, "O3", None);
    assert_eq!(s.loss_jpy, Yen::new(5_000_000_000));
    assert_eq!(s.customer_loss_jpy, Yen::ZERO);
    assert_eq!(s.compensation_cost_jpy, Yen::ZERO);
    assert_eq!(s.coverage, None);
    assert!(s.post_event.iter().all(|(_, ok)| *ok));
    // With S4: the excess capital left for customers is ¥5 bn smaller
    // (¥20 bn − ¥10 m minimum = ¥19.99 bn alone; ¥14.99 bn after O3).
    let alone = run(&i, "S4", None);
    let with = run(&i, "S4", Some("O3"));
    assert_eq!(alone.waterfall.excess_capital_jpy, Yen::new(19_990_000_000));
    assert_eq!(with.waterfall.excess_capital_jpy, Yen::new(14_990_000_000));
}

#[test]
fn anchors_of_s2_and_s6_carry_the_2025_outcomes() {
    let s2 = scenario("S2");
    assert!(s2.anchor.contains("Upbit, 27 Nov 2025: ₩44.5 bn"));
    assert!(s2.sources.iter().any(|x| x.contains("asiae.co.kr")));
    // Upbit held 1.67% of assets hot: S2 on such an exchange loses 1.67%
    // of its customer crypto. 1 670 of 100 000 BTC hot.
    let text = r#"
format = "por-reserve-inputs"
version = 1
exchange = "upbit-like"
valuation_date = "2025-11-27"
valuation_time = "t"
last_segregation_audit = "2025-01-01"
reserve_balance_jpy = 0
[[assets]]
symbol = "SOL"
decimals = 0
price_jpy = "1"
price_source = "s"
price_time = "t"
[[holdings]]
asset = "SOL"
quantity = "98330"
owner = "customer"
tier = "cold"
[[holdings]]
asset = "SOL"
quantity = "1670"
owner = "customer"
tier = "hot"
"#;
    let i = Inputs::from_toml_str(text).unwrap();
    let s = run(&i, "S2", None);
    assert_eq!(s.customer_loss_jpy, Yen::new(1_670));
    let s6 = scenario("S6");
    assert!(s6.anchor.contains("about 85% recovered"));
}

#[test]
fn new_fields_are_checked() {
    let bad = builtin::EXAMPLE_INPUTS.replace(
        "quantity = \"20000\"\ntier = \"third_party_custodian\"",
        "quantity = \"20001\"\ntier = \"third_party_custodian\"",
    );
    assert_ne!(bad, builtin::EXAMPLE_INPUTS);
    assert_eq!(
        Inputs::from_toml_str(&bad).unwrap_err().path(),
        "partner_routes[0].quantity"
    );
    let text = builtin::SCENARIOS
        .iter()
        .find(|(id, _)| *id == "S9")
        .unwrap()
        .1;
    let bad = text.replace("observed_minutes = 35", "observed_minutes = 0");
    assert_eq!(
        Scenario::from_toml_str(&bad).unwrap_err().path(),
        "shocks[0].observed_minutes"
    );
    let bad = text.replace("sold_fraction = \"0.29%\"", "sold_fraction = \"101%\"");
    assert_eq!(
        Scenario::from_toml_str(&bad).unwrap_err().path(),
        "shocks[0].sold_fraction"
    );
}
