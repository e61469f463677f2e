//! Korea (`kr-vaupa`) and Singapore (`sg-mas`) at their boundaries, by
//! hand: the 80 % and 90 % cold shares pass exactly and fail one won / one
//! dollar short, the 5 % hack cover and its two floors, the banks'
//! guideline, rules not checked when an input is missing, and the two
//! valuation methods giving different verdicts on the same holdings after a
//! price move.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on a broken fixture, which is the failure we want"
)]

use por_reserve::{builtin, korea, singapore, Inputs, Policy, Rule, RuleVerdict};

fn policy(name: &str) -> Policy {
    builtin::policy(name).unwrap().unwrap()
}

/// Two assets at whole prices: `A` (cold) and `B` (hot), one unit = one
/// base unit, yen prices `pa` and `pb`, one yen = one won = one dollar, so
/// every value is an exact integer.
fn inputs(cold_a: u64, hot_b: u64, pa: u64, pb: u64, extra: &str) -> Inputs {
    let text = format!(
        r#"
format = "por-reserve-inputs"
version = 1
exchange = "t"
valuation_date = "2026-03-31"
valuation_time = "t"
last_segregation_audit = "2026-01-01"
reserve_balance_jpy = 0
{extra}

[[assets]]
symbol = "A"
decimals = 0
price_jpy = "{pa}"
price_source = "s"
price_time = "t"

[[assets]]
symbol = "B"
decimals = 0
price_jpy = "{pb}"
price_source = "s"
price_time = "t"

[[fx]]
currency = "KRW"
jpy_per_unit = "1"
source = "s"
time = "t"

[[fx]]
currency = "SGD"
jpy_per_unit = "1"
source = "s"
time = "t"

[customer_liabilities]
A = "{cold_a}"
B = "{hot_b}"

[[holdings]]
asset = "A"
quantity = "{cold_a}"
owner = "customer"
tier = "cold"

[[holdings]]
asset = "B"
quantity = "{hot_b}"
owner = "customer"
tier = "hot"

[[price_averages]]
asset = "A"
currency = "KRW"
days = 365
price = "{pa}"
source = "s"

[[price_averages]]
asset = "B"
currency = "KRW"
days = 365
price = "{pb}"
source = "s"
"#
    );
    Inputs::from_toml_str(&text).unwrap()
}

fn rule<'r>(rules: &'r [Rule], id: &str) -> &'r Rule {
    rules.iter().find(|r| r.id == id).unwrap()
}

const BN: u64 = 1_000_000_000;

#[test]
fn kr_cold_80_percent_passes_and_one_won_less_fails() {
    // ₩8 bn cold of ₩10 bn: exactly 80%.
    let k = korea(&inputs(8 * BN, 2 * BN, 1, 1, ""), &policy("kr-vaupa")).unwrap();
    let r = rule(&k.rules, "KR1");
    assert_eq!(r.verdict, RuleVerdict::Pass);
    assert_eq!(
        (r.required, r.held),
        (Some(8 * u128::from(BN)), Some(8 * u128::from(BN)))
    );
    assert_eq!(r.label, "compliant"); // every parameter used is law (LAW*)
                                      // One won less cold (and one more hot: the total stays ₩10 bn).
    let k = korea(
        &inputs(8 * BN - 1, 2 * BN + 1, 1, 1, ""),
        &policy("kr-vaupa"),
    )
    .unwrap();
    let r = rule(&k.rules, "KR1");
    assert_eq!(r.verdict, RuleVerdict::Fail);
    assert_eq!(r.label, "non-compliant");
}

#[test]
fn kr_hack_cover_is_five_percent_of_hot_value_with_floors() {
    // Hot ₩100 bn: 5% = ₩5 bn, above the ₩3 bn won-market floor.
    let won = Some(por_reserve::KrMarket::Won);
    let case = |hot: u64, reserve: u64, market: Option<por_reserve::KrMarket>| {
        let mut i = inputs(900 * BN, hot, 1, 1, "");
        i.reserve_balance_jpy = por_reserve::Yen::new(u128::from(reserve));
        i.korea.market = market;
        korea(&i, &policy("kr-vaupa")).unwrap()
    };
    let r = case(100 * BN, 5 * BN, won);
    let k3 = rule(&r.rules, "KR3");
    assert_eq!(k3.verdict, RuleVerdict::Pass);
    assert_eq!(k3.required, Some(5 * u128::from(BN)));
    // The valuation of hot value is unverified: illustrative.
    assert_eq!(k3.label, "illustrative: pass");
    let r = case(100 * BN, 5 * BN - 1, won);
    assert_eq!(rule(&r.rules, "KR3").verdict, RuleVerdict::Fail);
    // Hot ₩10 bn: 5% = ₩0.5 bn; the won-market floor ₩3 bn applies.
    let r = case(10 * BN, 3 * BN, won);
    assert_eq!(rule(&r.rules, "KR3").required, Some(3 * u128::from(BN)));
    assert_eq!(rule(&r.rules, "KR3").verdict, RuleVerdict::Pass);
    let r = case(10 * BN, 3 * BN - 1, won);
    assert_eq!(rule(&r.rules, "KR3").verdict, RuleVerdict::Fail);
    // Coin-only: the ₩0.5 bn floor.
    let r = case(2 * BN, BN / 2, Some(por_reserve::KrMarket::CoinOnly));
    assert_eq!(rule(&r.rules, "KR3").required, Some(u128::from(BN) / 2));
    assert_eq!(rule(&r.rules, "KR3").verdict, RuleVerdict::Pass);
    let r = case(2 * BN, BN / 2 - 1, Some(por_reserve::KrMarket::CoinOnly));
    assert_eq!(rule(&r.rules, "KR3").verdict, RuleVerdict::Fail);
    // No market given: which floor applies is unknown, so not checked.
    let r = case(100 * BN, 50 * BN, None);
    let k3 = rule(&r.rules, "KR3");
    assert_eq!(k3.verdict, RuleVerdict::NotChecked);
    assert_eq!(k3.label, "not checked");
    assert!(k3.missing.iter().any(|m| m.starts_with("korea.market")));
}

#[test]
fn kr_bank_guideline_is_indicative_and_capped() {
    let mut i = inputs(900 * BN, BN, 1, 1, "");
    i.korea.average_daily_deposits_krw = Some(100 * u128::from(BN)); // 30% = 30 bn, cap 20 bn
    i.reserve_balance_jpy = por_reserve::Yen::new(20 * u128::from(BN));
    let k = korea(&i, &policy("kr-vaupa")).unwrap();
    let r = rule(&k.rules, "KR4");
    assert_eq!(r.required, Some(20 * u128::from(BN)));
    assert_eq!(r.label, "indicative: pass");
    i.korea.average_daily_deposits_krw = Some(5 * u128::from(BN)); // 1.5 bn, floor 3 bn
    i.reserve_balance_jpy = por_reserve::Yen::new(3 * u128::from(BN) - 1);
    let k = korea(&i, &policy("kr-vaupa")).unwrap();
    let r = rule(&k.rules, "KR4");
    assert_eq!(r.required, Some(3 * u128::from(BN)));
    assert_eq!(r.label, "indicative: fail");
}

#[test]
fn sg_cold_90_percent_passes_and_one_dollar_less_fails() {
    let s = singapore(&inputs(9 * BN, BN, 1, 1, ""), &policy("sg-mas")).unwrap();
    let r = rule(&s.rules, "SG1");
    assert_eq!(r.verdict, RuleVerdict::Pass);
    // The basis of the share (value, at spot) is an assumption.
    assert_eq!(r.label, "illustrative: pass");
    let s = singapore(&inputs(9 * BN - 1, BN + 1, 1, 1, ""), &policy("sg-mas")).unwrap();
    assert_eq!(rule(&s.rules, "SG1").verdict, RuleVerdict::Fail);
    // No reconciliation interval: SG2 not checked, and says what is missing.
    let r = rule(&s.rules, "SG2");
    assert_eq!(r.verdict, RuleVerdict::NotChecked);
    assert_eq!(r.missing, ["reconciliation.interval_minutes"]);
    // Daily passes, a minute more fails.
    for (min, v) in [(1440, RuleVerdict::Pass), (1441, RuleVerdict::Fail)] {
        let extra = format!("\n[reconciliation]\ninterval_minutes = {min}\nsource = \"s\"\n");
        let i = inputs(9 * BN, BN, 1, 1, "");
        let text_i = Inputs {
            reconciliation: Inputs::from_toml_str(&minimal_with(&extra))
                .unwrap()
                .reconciliation,
            ..i
        };
        let s = singapore(&text_i, &policy("sg-mas")).unwrap();
        assert_eq!(rule(&s.rules, "SG2").verdict, v);
    }
}

fn minimal_with(extra: &str) -> String {
    format!(
        "format = \"por-reserve-inputs\"\nversion = 1\nexchange = \"t\"\nvaluation_date = \"2026-03-31\"\n\
         valuation_time = \"t\"\nlast_segregation_audit = \"2026-01-01\"\nreserve_balance_jpy = 0\n{extra}"
    )
}

#[test]
fn spot_and_one_year_average_give_different_verdicts_after_a_price_move() {
    // 80 A cold and 10 B hot. Over the year B averaged ₩2: cold share
    // 80 / (80 + 20) = 80%, a pass. B now trades at ¥4 = ₩4: at spot the
    // share is 80 / 120 = 66.67%, a fail.
    let i = inputs(80, 10, 1, 4, "");
    let mut i = i;
    i.price_averages[1].price = por_reserve::Price::parse("2").unwrap();
    let avg = korea(&i, &policy("kr-vaupa")).unwrap();
    assert_eq!(rule(&avg.rules, "KR1").verdict, RuleVerdict::Pass);
    let text =
        builtin_policy_text("kr-vaupa").replacen("value = \"average-365d\"", "value = \"spot\"", 1);
    let spot_policy = Policy::from_toml_str(&text).unwrap();
    let spot = korea(&i, &spot_policy).unwrap();
    let r = rule(&spot.rules, "KR1");
    assert_eq!(r.verdict, RuleVerdict::Fail);
    assert_eq!((r.required, r.held), (Some(96), Some(80)));
    // The same average from a price history: B at 1, 2, 3 inside the year
    // (mean 2) and 100 on a date before it, which does not count.
    let mut h = i.clone();
    h.price_averages.truncate(1);
    let hist = Inputs::from_toml_str(&minimal_with(
        "\n[[assets]]\nsymbol = \"B\"\ndecimals = 0\nprice_jpy = \"4\"\nprice_source = \"s\"\nprice_time = \"t\"\n\
         [[price_history]]\nasset = \"B\"\ncurrency = \"KRW\"\nsource = \"s\"\n\
         points = [\"2025-01-01 100\", \"2025-04-01 1\", \"2025-10-01 2\", \"2026-03-31 3\"]\n",
    ))
    .unwrap();
    h.price_history = hist.price_history;
    let k = korea(&h, &policy("kr-vaupa")).unwrap();
    assert_eq!(rule(&k.rules, "KR1").verdict, RuleVerdict::Pass);
    assert_eq!(rule(&k.rules, "KR1").required, Some(80));
    assert!(k.prices[1]
        .basis
        .starts_with("mean of 3 prices dated 2025-04-01..2026-03-31"));
    // Without either, KR1 is not checked and names what it needs.
    h.price_history.clear();
    let k = korea(&h, &policy("kr-vaupa")).unwrap();
    let r = rule(&k.rules, "KR1");
    assert_eq!(r.verdict, RuleVerdict::NotChecked);
    assert_eq!(
        r.missing,
        ["price_averages or price_history for B in KRW over 365 days"]
    );
}

fn builtin_policy_text(name: &str) -> &'static str {
    builtin::POLICIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap()
}

#[test]
fn the_example_meets_korea_and_singapore() {
    let i = Inputs::from_toml_str(builtin::EXAMPLE_INPUTS).unwrap();
    let k = korea(&i, &policy("kr-vaupa")).unwrap();
    // Cold: 57 000 BTC × ₩80 m + 760 000 ETH × ₩4 m = ₩7.6 trn of ₩8 trn.
    let r = rule(&k.rules, "KR1");
    assert_eq!(
        (r.required, r.held),
        (Some(6_400_000_000_000), Some(7_600_000_000_000))
    );
    // Hot and other: 3 000 BTC + 40 000 ETH = ₩400 bn; 5% = ₩20 bn; held
    // (¥5.3 bn + ¥9 bn) / 0.11 = ₩130 bn (rounded down).
    let r = rule(&k.rules, "KR3");
    assert_eq!(
        (r.required, r.held),
        (Some(20_000_000_000), Some(130_000_000_000))
    );
    let r = rule(&k.rules, "KR4");
    assert_eq!(r.required, Some(20_000_000_000));
    let s = singapore(&i, &policy("sg-mas")).unwrap();
    assert!(s.rules.iter().all(|r| r.verdict == RuleVerdict::Pass));
}

#[test]
fn the_japanese_proposal_stays_illustrative_and_its_facts_keep_their_statuses() {
    use por_reserve::Status;
    let p = policy("jp-fsa-2026-proposal");
    // Every rate is an assumption (only the reported band is press).
    for x in p.params() {
        let expected = if x.key().starts_with("band_") {
            Status::Press
        } else {
            Status::Assumption
        };
        assert_eq!(x.status(), expected, "{}", x.key());
    }
    let status = |k: &str| p.facts().iter().find(|f| f.key == k).unwrap().status;
    assert_eq!(status("legislative_status"), Status::Proposal);
    assert_eq!(status("enactment"), Status::Unverified);
    assert_eq!(status("drawdown"), Status::Proposal);
    assert_eq!(status("insurance_share"), Status::Proposal);
    assert_eq!(status("effective_date"), Status::Press);
    assert_eq!(status("wallet_vendors"), Status::Press);
    assert_eq!(status("securities_reserve_rates"), Status::Unverified);
    // Facts need a source and a known status, like parameters.
    let text = builtin_policy_text("hk-sfc");
    let bad = text.replacen("status = \"proposal\"", "status = \"rumour\"", 1);
    assert_eq!(
        Policy::from_toml_str(&bad).unwrap_err().path(),
        "facts[1].status"
    );
    // Shipped comparators: MiCA fully applicable (law), HK custodian
    // licensing still a proposal.
    let hk = policy("hk-sfc");
    assert_eq!(hk.facts()[1].status, Status::Proposal);
    assert_eq!(policy("eu-mica").facts()[0].status, Status::Law);
}

#[test]
fn compare_lists_every_regime_and_a_missing_fx_is_not_checked() {
    use por_reserve::{compare, PolicySet};
    use por_types::Outcome;
    let mut i = Inputs::from_toml_str(builtin::EXAMPLE_INPUTS).unwrap();
    let set = PolicySet::shipped().unwrap();
    let c = compare(&i, &set).unwrap();
    let names: Vec<&str> = c.regimes.iter().map(|r| r.policy.as_str()).collect();
    assert_eq!(
        names,
        [
            "jp-psa-in-force",
            "jp-fsa-2026-proposal",
            "eu-mica",
            "hk-sfc",
            "kr-vaupa",
            "sg-mas"
        ]
    );
    // Hong Kong fails (95% cold, cover ¥525 bn vs ¥14.3 bn); the rest pass.
    let outcomes: Vec<Outcome> = c.regimes.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Pass,
            Outcome::Pass,
            Outcome::Pass,
            Outcome::Fail,
            Outcome::Pass,
            Outcome::Pass
        ]
    );
    assert_eq!(c.outcome, Outcome::Fail);
    // Without a EUR rate MiCA is not checked (an error for `requirement`).
    i.fx.retain(|f| f.currency != "EUR");
    let c = compare(&i, &set).unwrap();
    let m = &c.regimes[2];
    assert_eq!(m.outcome, Outcome::Incomplete);
    assert_eq!(m.rules[0].verdict, RuleVerdict::NotChecked);
    assert_eq!(m.rules[0].missing, ["fx EUR (yen per unit)"]);
}
