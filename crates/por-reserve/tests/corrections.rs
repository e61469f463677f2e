//! The corrections found by an independent recomputation of the stress
//! engine (issue 15, item 6), each against figures derived by hand from
//! regulation.md §6.3–6.4 and docs/reserve.md. Each test failed before its
//! fix: the first six use only the API that existed before and were run
//! against it (6 failed); the last one checks what the fixes added.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on a broken fixture, which is the failure we want"
)]

use por_reserve::{
    builtin, requirement, run_scenario, AssetPrice, Holding, Inputs, Owner, Policy, Price,
    Scenario, StressResult, Tier, Yen,
};
use por_tree::Amount;

const BN: u128 = 1_000_000_000;

fn example() -> Inputs {
    Inputs::from_toml_str(builtin::EXAMPLE_INPUTS).unwrap()
}

fn policy(name: &str) -> Policy {
    builtin::policy(name).unwrap().unwrap()
}

fn run(inputs: &Inputs, id: &str) -> StressResult {
    let req = requirement(inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let s: Scenario = builtin::scenario(id).unwrap().unwrap();
    run_scenario(inputs, &s, None, &req, &policy("jp-psa-in-force")).unwrap()
}

fn asset(symbol: &str, decimals: u8, price: &str) -> AssetPrice {
    AssetPrice {
        symbol: symbol.into(),
        decimals,
        price_jpy: Price::parse(price).unwrap(),
        source: "test".into(),
        time: "t".into(),
    }
}

fn holding(asset: &str, units: u128, owner: Owner, tier: Tier) -> Holding {
    Holding {
        asset: asset.into(),
        quantity: Amount::from_base_units(units),
        owner,
        tier,
        signing_vendor: None,
        cold_equivalent: false,
        chain: None,
        address: None,
    }
}

/// The example with an asset held entirely hot: 1 000 000 MONA at ¥10
/// (¥10 m, far less than the ¥25 bn of hot BTC).
fn with_mona(extra_tier: Option<Tier>) -> Inputs {
    let mut i = example();
    i.assets.push(asset("MONA", 8, "10"));
    i.holdings.push(holding(
        "MONA",
        1_000_000 * 100_000_000,
        Owner::Customer,
        Tier::Hot,
    ));
    if let Some(t) = extra_tier {
        i.holdings
            .push(holding("MONA", 100_000_000, Owner::Customer, t));
    }
    i
}

#[test]
fn s1_drains_the_asset_held_entirely_hot() {
    let s = run(&with_mona(None), "S1");
    let assets: Vec<&str> = s.lost.iter().map(|l| l.asset.as_str()).collect();
    assert_eq!(assets, ["MONA"]);
    assert_eq!(s.loss_jpy, Yen::new(10_000_000));
    // One MONA in cold storage: no asset is held entirely hot, so the
    // largest hot value (BTC, ¥25 bn) is drained, as before.
    let s = run(&with_mona(Some(Tier::Cold)), "S1");
    assert_eq!(s.loss_jpy, Yen::new(25 * BN));
    assert!(s.lost.iter().all(|l| l.asset == "BTC"));
}

#[test]
fn coverage_headline_is_of_the_customer_loss() {
    // S1 on the example: customers lose ¥20 bn, compensated at 80% (¥16 bn);
    // resources ¥5.3 bn reserve + ¥9 bn insurance + ¥0 excess capital.
    let s = run(&example(), "S1");
    assert_eq!(s.customer_loss_jpy, Yen::new(20 * BN));
    assert_eq!(s.compensation_cost_jpy, Yen::new(16 * BN));
    let c = s.coverage.unwrap();
    assert_eq!((c.num(), c.den()), (14_300_000_000, 20 * BN));
    assert_eq!(c.percent(), "71.50%");
}

#[test]
fn coverage_counts_the_reserve_crypto_left_after_the_event() {
    // 100 BTC earmarked for the reserve (¥1 bn), counted at 50%: the
    // resources are ¥5.3 bn + ¥0.5 bn + ¥9 bn insurance.
    let mut i = example();
    i.holdings.push(holding(
        "BTC",
        100 * 100_000_000,
        Owner::Reserve,
        Tier::Cold,
    ));
    let s = run(&i, "S1");
    assert_eq!(s.waterfall.reserve_jpy, Yen::new(5_800_000_000));
    assert_eq!(s.coverage.unwrap().num(), 14_800_000_000);
}

/// An asset at ¥1.6 per whole unit (no decimals): one unit is ¥1.6, four
/// are ¥6.4.
fn with_tok(split: bool, owner: Owner, tier: Tier) -> Inputs {
    let mut i = example();
    i.assets.push(asset("TOK", 0, "1.6"));
    if split {
        for _ in 0..4 {
            i.holdings.push(holding("TOK", 1, owner, tier));
        }
    } else {
        i.holdings.push(holding("TOK", 4, owner, tier));
    }
    i
}

#[test]
fn a_loss_does_not_change_when_a_wallet_is_split() {
    // S2 takes every hot holding: the 4 TOK are ⌈6.4⌉ = ¥7, one wallet or four.
    let one = run(&with_tok(false, Owner::Customer, Tier::Hot), "S2");
    let four = run(&with_tok(true, Owner::Customer, Tier::Hot), "S2");
    let base = run(&example(), "S2");
    assert_eq!(one.loss_jpy.get() - base.loss_jpy.get(), 7);
    assert_eq!(four.loss_jpy, one.loss_jpy);
    assert_eq!(four.customer_loss_jpy, one.customer_loss_jpy);
}

#[test]
fn requirement_and_waterfall_count_the_same_reserve_funds() {
    // 4 TOK earmarked for the reserve in four wallets: ⌊6.4⌋ = ¥6 at 50% =
    // ¥3, summed per asset before valuation in both places. S5's loss
    // exhausts the reserve, so the waterfall draws all of it.
    let i = with_tok(true, Owner::Reserve, Tier::Cold);
    let req = requirement(&i, &policy("jp-fsa-2026-proposal")).unwrap();
    assert_eq!(req.reserve_held_jpy, Yen::new(5_300_000_003));
    let s = run(&i, "S5");
    assert_eq!(s.waterfall.reserve_jpy, req.reserve_held_jpy);
}

#[test]
fn r_vol_is_the_mean_over_n_years() {
    // Lookback 3 (FY2023-FY2025); derivatives traded only in FY2025
    // (¥30 trn): (0 + 0 + 30 trn) / 3 × 0.002% = ¥200 m, not 30 trn / 1.
    let text = builtin::EXAMPLE_INPUTS.replace("first_fiscal_year = 2024\n", "");
    let mut i = Inputs::from_toml_str(&text).unwrap();
    i.volumes.retain(|v| v.category.as_str() != "derivatives");
    for v in &mut i.volumes {
        v.year -= 1; // spot: FY2023 and FY2024
    }
    let mut d = i.volumes[0].clone();
    d.year = 2025;
    d.category = "derivatives".parse_category();
    d.jpy = Yen::new(30_000_000_000_000);
    i.volumes.push(d);
    let r = requirement(&i, &policy("jp-fsa-2026-proposal")).unwrap();
    let deriv = r
        .volume_terms
        .iter()
        .find(|t| t.category.as_str() == "derivatives")
        .unwrap();
    assert_eq!(deriv.amount_jpy, Yen::new(200_000_000));
    // Spot exchange: (7 + 9 trn) over three years, FY2025 counting zero.
    let spot = &r.volume_terms[0];
    assert_eq!(spot.amount_jpy, Yen::new(266_666_667));
}

trait ParseCategory {
    fn parse_category(&self) -> por_reserve::VolumeCategory;
}

impl ParseCategory for str {
    fn parse_category(&self) -> por_reserve::VolumeCategory {
        let i = example();
        i.volumes
            .iter()
            .map(|v| v.category)
            .find(|c| c.as_str() == self)
            .unwrap()
    }
}

#[test]
fn the_report_says_which_rule_chose_the_asset_and_both_coverages() {
    let s = run(&with_mona(None), "S1");
    assert_eq!(
        s.selection,
        ["MONA: the asset with the largest value held entirely in hot"]
    );
    let s = run(&example(), "S1");
    assert_eq!(
        s.selection,
        ["BTC: no asset is held entirely in hot, so the asset with the largest value in hot"]
    );
    // Of the ¥16 bn cost to compensate: 14.3 / 16.
    let c = s.coverage_of_cost.unwrap();
    assert_eq!((c.num(), c.den()), (14_300_000_000, 16 * BN));
    // A young exchange (first year FY2025, lookback 3) divides by 1.
    let mut i = example();
    i.first_fiscal_year = Some(2025);
    i.volumes.retain(|v| v.year == 2025);
    let r = requirement(&i, &policy("jp-fsa-2026-proposal")).unwrap();
    assert_eq!(
        (r.volume_terms[0].divisor, r.volume_terms[0].amount_jpy),
        (1, Yen::new(450_000_000)) // 9 trn × 0.005%
    );
    // Volume before the first year of operation is refused.
    let text =
        builtin::EXAMPLE_INPUTS.replace("first_fiscal_year = 2024", "first_fiscal_year = 2025");
    assert_eq!(
        Inputs::from_toml_str(&text).unwrap_err().path(),
        "first_fiscal_year"
    );
}
