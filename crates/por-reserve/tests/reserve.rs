//! The reserve engine against hand-derived figures: the worked example of
//! regulation.md §6.3, the boundaries of each in-force check, bad inputs,
//! labels that follow parameter statuses, the scenario library, and
//! properties (monotonicity, exact agreement with a rational reference).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on a broken fixture, which is the failure we want"
)]

use por_reserve::{
    builtin, hong_kong, in_force_checks, mica, requirement, run_scenario, BandPosition, Capital,
    CheckDetail, Date, FieldErrorKind, Holding, Inputs, Insurance, Owner, Peril, Policy, Price,
    Rate, Ratio, Scenario, Tier, Yen,
};
use por_tree::Amount;

const BN: u128 = 1_000_000_000;

fn example() -> Inputs {
    Inputs::from_toml_str(builtin::EXAMPLE_INPUTS).unwrap()
}

fn policy(name: &str) -> Policy {
    builtin::policy(name).unwrap().unwrap()
}

fn scenario(id: &str) -> Scenario {
    builtin::scenario(id).unwrap().unwrap()
}

fn yen(bn_tenths: u128) -> Yen {
    // Figures of the worked example are multiples of ¥0.1 bn.
    Yen::new(bn_tenths * BN / 10)
}

// ---------------------------------------------------------------- §6.3

#[test]
fn worked_example_requirement_matches_regulation_6_3() {
    let r = requirement(&example(), &policy("jp-fsa-2026-proposal")).unwrap();
    // R_vol = 0.4 + 0.2 + 0.4 = ¥1.0 bn (means of 7+9, 2+2, 18+22 ¥trn).
    let terms: Vec<(String, Yen)> = r
        .volume_terms
        .iter()
        .map(|t| (t.category.as_str().to_owned(), t.amount_jpy))
        .collect();
    assert_eq!(
        terms,
        vec![
            ("spot_exchange".to_owned(), Yen::new(400_000_000)),
            ("spot_dealer".to_owned(), Yen::new(200_000_000)),
            ("derivatives".to_owned(), Yen::new(400_000_000)),
        ]
    );
    assert_eq!(r.r_vol_jpy, yen(10));
    // R_cust = 1% × ¥960 bn cold = ¥9.6 bn; the non-cold ¥40 bn is backed.
    assert_eq!(r.cold_customer_jpy, Yen::new(960 * BN));
    assert_eq!(r.unbacked_non_cold_jpy, Yen::ZERO);
    assert_eq!(r.r_cust_jpy, yen(96));
    // The 2021 incident is outside the 3-year lookback.
    assert_eq!(r.largest_recent_incident_jpy, Yen::ZERO);
    assert_eq!(r.r_inc_jpy, Yen::ZERO);
    // R_required = ¥10.6 bn, inside the ¥2-40 bn band.
    assert_eq!(r.required_jpy, Yen::new(10_600_000_000));
    assert_eq!(r.band_position, BandPosition::Within);
    // Insurance: limit 10, retention 1 → eligible 9, capped at 50% → 5.3.
    assert_eq!(r.insurance_eligible_jpy, yen(90));
    assert_eq!(r.insurance_cap_jpy, yen(53));
    assert_eq!(r.insurance_credit_jpy, yen(53));
    assert_eq!(r.cash_required_jpy, Yen::new(5_300_000_000));
    assert_eq!(r.shortfall_jpy, Yen::ZERO);
    // Every reserve parameter is an assumption: never "compliant".
    assert!(r.passes);
    assert_eq!(r.label, "illustrative: pass");
}

#[test]
fn worked_example_dmm_type_loss_matches_regulation_6_3() {
    let inputs = example();
    let psa = policy("jp-psa-in-force");
    let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let s = run_scenario(&inputs, &scenario("S4"), None, &req, &psa).unwrap();
    // The vendor-signed 4 820 BTC at ¥10 m: a ¥48.2 bn loss, all customers'.
    assert_eq!(s.loss_jpy, yen(482));
    assert_eq!(s.customer_loss_jpy, yen(482));
    assert_eq!(s.lost.len(), 1);
    assert_eq!(
        s.lost[0].quantity,
        Amount::from_base_units(4_820 * 100_000_000)
    );
    // Resources: cash reserve 5.3 + insurance min(48.2 − 1, 10 − 1) = 9.
    assert_eq!(s.waterfall.reserve_jpy, yen(53));
    assert_eq!(s.claims[0].payout_jpy, yen(90));
    assert_eq!(s.waterfall.insurance_jpy, yen(90));
    assert_eq!(s.waterfall.excess_capital_jpy, Yen::ZERO);
    // Uncovered ≈ ¥33.9 bn: exactly ¥33 900 000 000 here.
    assert_eq!(s.waterfall.uncovered_jpy, Yen::new(33_900_000_000));
    // Then ¥20 bn of parent support, and ¥13.9 bn borne by customers.
    assert_eq!(s.waterfall.parent_jpy, yen(200));
    assert_eq!(s.waterfall.customer_haircut_jpy, yen(139));
    assert_eq!(
        s.customer_recovery,
        Ratio::new(343 * BN / 10, 482 * BN / 10)
    );
    assert_eq!(s.loss_to_required.unwrap().multiple(), "4.54x");

    // With a state-actor exclusion the policy pays nothing: ≈ ¥42.9 bn.
    let mut excl = inputs.clone();
    excl.insurance[0].excludes = vec![Peril::StateActor];
    let s = run_scenario(&excl, &scenario("S4"), None, &req, &psa).unwrap();
    assert!(!s.claims[0].responds);
    assert_eq!(s.claims[0].payout_jpy, Yen::ZERO);
    assert_eq!(s.waterfall.uncovered_jpy, Yen::new(42_900_000_000));
}

#[test]
fn example_passes_in_force_checks_with_expected_figures() {
    let f = in_force_checks(&example(), &policy("jp-psa-in-force")).unwrap();
    assert!(f.all_pass());
    let CheckDetail::NonColdShare {
        non_cold_jpy,
        customer_jpy,
        share,
        ..
    } = &f.checks[0].detail
    else {
        panic!("A1 detail")
    };
    // 3% hot + 1% warm of ¥1 000 bn; the cold-equivalent custodian counts as cold.
    assert_eq!(*non_cold_jpy, Yen::new(40 * BN));
    assert_eq!(*customer_jpy, Yen::new(1_000 * BN));
    assert_eq!(share.unwrap().percent(), "4.00%");
    let labels: Vec<&str> = f.checks.iter().map(|c| c.label).collect();
    // A1-A4 rest on law; A5's annual interval is unverified.
    assert_eq!(
        labels,
        vec![
            "compliant",
            "compliant",
            "compliant",
            "compliant",
            "illustrative: pass"
        ]
    );
    assert_eq!(
        f.diagnostics.vendors,
        vec![("ExampleVendor".to_owned(), yen(482))]
    );
    assert_eq!(
        f.diagnostics.largest_vendor_share.unwrap().percent(),
        "4.82%"
    );
}

#[test]
fn comparators_on_the_example() {
    let inputs = example();
    let m = mica(&inputs, &policy("eu-mica")).unwrap();
    // max(€150 000 × 160, 25% × ¥12 bn) = ¥3 bn.
    assert_eq!(m.k_min_jpy, Yen::new(24_000_000));
    assert_eq!(m.required_jpy, Yen::new(3 * BN));
    assert_eq!(m.eligible_insurance_jpy, Yen::new(9 * BN));
    assert!(m.passes);
    assert_eq!(m.label, "compliant");
    let h = hong_kong(&inputs, &policy("hk-sfc")).unwrap();
    // Strictly cold ¥950 bn (the custodian is "other" for HK) and ¥50 bn other.
    assert_eq!(h.cold_jpy, Yen::new(950 * BN));
    assert_eq!(h.hot_other_jpy, Yen::new(50 * BN));
    assert_eq!(h.cover_required_jpy, Yen::new(525 * BN));
    assert_eq!(h.cover_held_jpy, yen(143));
    assert!(!h.passes);
    assert_eq!(h.label, "non-compliant");
    assert!(!h.cold_share_passes); // 95% < 98%
}

#[test]
fn crypto_earmarked_for_the_reserve_counts_at_its_weight() {
    let mut inputs = example();
    // 100 BTC (¥1 bn) earmarked for the reserve, counted at 50%, and ¥0.5 bn
    // less cash: the reserve funds still come to ¥5.3 bn.
    inputs.holdings.push(Holding {
        asset: "BTC".into(),
        quantity: Amount::from_base_units(100 * 100_000_000),
        owner: Owner::Reserve,
        tier: Tier::Cold,
        signing_vendor: None,
        cold_equivalent: false,
        chain: None,
        address: None,
    });
    inputs.reserve_balance_jpy = yen(48);
    let p = policy("jp-fsa-2026-proposal");
    let r = requirement(&inputs, &p).unwrap();
    assert_eq!(r.reserve_crypto_jpy, yen(10));
    assert_eq!(r.reserve_crypto_counted_jpy, yen(5));
    assert_eq!(r.reserve_held_jpy, yen(53));
    assert_eq!(r.shortfall_jpy, Yen::ZERO);
    assert!(r.provenance.params.contains(&"haircut_reserve_crypto"));
    // Reserve crypto is neither customer nor guarantee crypto: A1–A3 unchanged.
    assert!(in_force_checks(&inputs, &policy("jp-psa-in-force"))
        .unwrap()
        .all_pass());
    // In S4 the reserve pays cash + weighted crypto: the same ¥33.9 bn uncovered.
    let s = run_scenario(
        &inputs,
        &scenario("S4"),
        None,
        &r,
        &policy("jp-psa-in-force"),
    )
    .unwrap();
    assert_eq!(s.waterfall.reserve_jpy, yen(53));
    assert_eq!(s.waterfall.uncovered_jpy, Yen::new(33_900_000_000));
    // Without reserve crypto the weight is not a parameter the figure used.
    let r = requirement(&example(), &p).unwrap();
    assert!(!r.provenance.params.contains(&"haircut_reserve_crypto"));
}

#[test]
fn a_fiat_gap_is_not_an_insured_loss() {
    let s = run("S7", None);
    // Insurance pays on the ¥528 bn crypto loss (capped at ¥9 bn), not the fiat.
    assert_eq!(s.claims[0].payout_jpy, yen(90));
    let text = "format = \"por-reserve-scenario\"\nversion = 1\nid = \"F\"\nkind = \"scenario\"\nname = \"f\"\nanchor = \"f\"\n[[shocks]]\nkind = \"fiat_gap\"\nfraction = \"10%\"\n";
    let inputs = example();
    let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let s = run_scenario(
        &inputs,
        &Scenario::from_toml_str(text).unwrap(),
        None,
        &req,
        &policy("jp-psa-in-force"),
    )
    .unwrap();
    assert_eq!(s.customer_loss_jpy, Yen::new(5 * BN));
    assert_eq!(s.claims[0].payout_jpy, Yen::ZERO);
    assert_eq!(s.waterfall.reserve_jpy, Yen::new(5 * BN));
}

#[test]
fn extreme_years_and_lookbacks_do_not_overflow() {
    let text = builtin_text("jp-fsa-2026-proposal");
    for lookback in ["0", "1", "4294967295"] {
        let t = text.replacen("value = 3\n", &format!("value = {lookback}\n"), 1);
        let p = Policy::from_toml_str(&t).unwrap();
        let mut inputs = example();
        inputs.volumes[0].year = i32::MAX;
        inputs.incidents[0].date = Date::parse("0001-01-01").unwrap();
        let r = requirement(&inputs, &p).unwrap();
        // Lookback 0: an empty window, no volume term.
        if lookback == "0" {
            assert_eq!(r.r_vol_jpy, Yen::ZERO);
        }
        // The 0001 incident is inside a 4 294 967 295-year lookback.
        if lookback == "4294967295" {
            assert_eq!(r.largest_recent_incident_jpy, Yen::new(BN));
        }
    }
}

#[test]
fn huge_figures_are_overflow_errors_not_panics() {
    let mut inputs = example();
    inputs.assets[0].price_jpy = Price::parse("340282366920938463463374607431768211455").unwrap();
    for h in &mut inputs.holdings {
        h.quantity = Amount::MAX;
    }
    let e = in_force_checks(&inputs, &policy("jp-psa-in-force")).unwrap_err();
    assert!(e.to_string().contains("overflows"), "{e}");
    assert!(requirement(&inputs, &policy("jp-fsa-2026-proposal")).is_err());
    let mut inputs = example();
    inputs.volumes[0].jpy = Yen::new(u128::MAX);
    let e = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap_err();
    assert!(e.to_string().contains("overflows"), "{e}");
}

// ---------------------------------------------------- boundaries A1–A5

/// An exchange of one asset worth ¥1 per base unit, every check at its edge.
fn edge() -> Inputs {
    let mut i = example();
    i.assets.truncate(1);
    i.assets[0].symbol = "JPYX".into();
    i.assets[0].decimals = 0;
    i.assets[0].price_jpy = Price::from_yen(1);
    let h = |q: u128, owner, tier| Holding {
        asset: "JPYX".into(),
        quantity: Amount::from_base_units(q),
        owner,
        tier,
        signing_vendor: None,
        cold_equivalent: false,
        chain: None,
        address: None,
    };
    i.holdings = vec![
        h(950_000_000_000, Owner::Customer, Tier::Cold),
        h(50_000_000_000, Owner::Customer, Tier::Hot),
        h(50_000_000_000, Owner::Guarantee, Tier::Cold),
    ];
    i.customer_liabilities = vec![("JPYX".into(), Amount::from_base_units(1_000_000_000_000))];
    i.customer_fiat_liabilities_jpy = Yen::new(7_000_000);
    i.trust_balance_jpy = Yen::new(7_000_000);
    i.valuation_date = Date::parse("2026-03-31").unwrap();
    i.last_segregation_audit = Date::parse("2025-03-31").unwrap(); // 365 days
    i
}

fn verdicts(i: &Inputs) -> Vec<bool> {
    in_force_checks(i, &policy("jp-psa-in-force"))
        .unwrap()
        .checks
        .iter()
        .map(|c| c.passes)
        .collect()
}

#[test]
fn every_check_passes_exactly_at_its_boundary() {
    assert_eq!(verdicts(&edge()), vec![true; 5]);
}

#[test]
fn a1_five_percent_passes_one_yen_over_fails() {
    let mut i = edge();
    // Same ¥1 000 bn total, one yen moved from cold to hot: 5% + ¥1.
    i.holdings[0].quantity = Amount::from_base_units(949_999_999_999);
    i.holdings[1].quantity = Amount::from_base_units(50_000_000_001);
    i.holdings[2].quantity = Amount::from_base_units(50_000_000_001); // keep A2 passing
    assert_eq!(verdicts(&i), vec![false, true, true, true, true]);
    let f = in_force_checks(&i, &policy("jp-psa-in-force")).unwrap();
    assert_eq!(f.checks[0].label, "non-compliant");
}

#[test]
fn a1_rounds_against_the_exchange_on_fractional_prices() {
    // ¥0.5 per base unit: 5% of 1 000 001 units is not a whole yen.
    let mut i = edge();
    i.assets[0].price_jpy = Price::parse("0.5").unwrap();
    i.holdings[0].quantity = Amount::from_base_units(19);
    i.holdings[1].quantity = Amount::from_base_units(1);
    i.holdings[2].quantity = Amount::from_base_units(1);
    i.customer_liabilities = vec![("JPYX".into(), Amount::from_base_units(20))];
    // Non-cold ¥0.5 rounds up to ¥1; total ¥10 rounds down to ¥10: 10% > 5%.
    assert!(!verdicts(&i)[0]);
}

#[test]
fn a2_one_base_unit_short_fails() {
    let mut i = edge();
    i.holdings[2].quantity = Amount::from_base_units(49_999_999_999);
    assert_eq!(verdicts(&i), vec![true, false, true, true, true]);
}

#[test]
fn a3_one_base_unit_short_fails() {
    let mut i = edge();
    i.customer_liabilities[0].1 = Amount::from_base_units(1_000_000_000_001);
    assert_eq!(verdicts(&i), vec![true, true, false, true, true]);
}

#[test]
fn a4_one_yen_short_fails() {
    let mut i = edge();
    i.customer_fiat_liabilities_jpy = Yen::new(7_000_001);
    assert_eq!(verdicts(&i), vec![true, true, true, false, true]);
}

#[test]
fn a5_366_days_fails_and_a_future_audit_is_an_error() {
    let mut i = edge();
    i.last_segregation_audit = Date::parse("2025-03-30").unwrap();
    assert_eq!(verdicts(&i), vec![true, true, true, true, false]);
    let f = in_force_checks(&i, &policy("jp-psa-in-force")).unwrap();
    assert_eq!(f.checks[4].label, "illustrative: fail");
    i.last_segregation_audit = Date::parse("2026-04-01").unwrap();
    let e = in_force_checks(&i, &policy("jp-psa-in-force")).unwrap_err();
    assert!(e.to_string().contains("after valuation_date"), "{e}");
}

// ------------------------------------------------------------- labels

fn with_status(text: &str, key: &str, status: &str) -> String {
    let head = format!("[params.{key}]");
    let start = text.find(&head).unwrap();
    let rest = &text[start..];
    let at = rest.find("status = \"").unwrap() + start;
    let end = text[at..].find('\n').unwrap() + at;
    format!("{}status = \"{status}\"{}", &text[..at], &text[end..])
}

fn builtin_text(name: &str) -> &'static str {
    builtin::POLICIES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1
}

#[test]
fn labels_follow_parameter_statuses() {
    let inputs = example();
    // A1 on law is "compliant"; the same figure on an assumption is not.
    let text = with_status(
        builtin_text("jp-psa-in-force"),
        "non_cold_limit",
        "assumption",
    );
    let p = Policy::from_toml_str(&text).unwrap();
    let f = in_force_checks(&inputs, &p).unwrap();
    assert_eq!(f.checks[0].label, "illustrative: pass");
    assert_eq!(f.checks[1].label, "compliant");
    let text = with_status(
        builtin_text("jp-psa-in-force"),
        "non_cold_limit",
        "proposal",
    );
    let f = in_force_checks(&inputs, &Policy::from_toml_str(&text).unwrap()).unwrap();
    assert_eq!(f.checks[0].label, "indicative: pass");

    // The proposal with every parameter promoted to law becomes "compliant"...
    let mut text = builtin_text("jp-fsa-2026-proposal").to_owned();
    for param in policy("jp-fsa-2026-proposal").params() {
        text = with_status(&text, param.key(), "law");
    }
    let r = requirement(&inputs, &Policy::from_toml_str(&text).unwrap()).unwrap();
    assert_eq!(r.label, "compliant");
    // The band is reported, not tested: its press status does not make the
    // requirement indicative.
    let press = with_status(
        &with_status(&text, "band_low_jpy", "press"),
        "band_high_jpy",
        "press",
    );
    let r = requirement(&inputs, &Policy::from_toml_str(&press).unwrap()).unwrap();
    assert_eq!(r.label, "compliant");
    assert_eq!(r.band_basis, por_reserve::Basis::NotInForce);
    // ...and one unverified parameter it used makes it illustrative again.
    let one = with_status(&text, "s_max", "unverified");
    let r = requirement(&inputs, &Policy::from_toml_str(&one).unwrap()).unwrap();
    assert_eq!(r.label, "illustrative: pass");
    assert!(r.provenance.params.contains(&"s_max"));
    // A parameter the figure did not use does not taint it: the lending
    // rate is unused (no lending volume).
    let unused = with_status(&text, "r_lending_staking", "unverified");
    let r = requirement(&inputs, &Policy::from_toml_str(&unused).unwrap()).unwrap();
    assert_eq!(r.label, "compliant");
    assert!(!r.provenance.params.contains(&"r_lending_staking"));
}

// ---------------------------------------------------------- bad inputs

fn input_error(from: &str, to: &str) -> (String, String) {
    assert!(builtin::EXAMPLE_INPUTS.contains(from), "{from}");
    let text = builtin::EXAMPLE_INPUTS.replacen(from, to, 1);
    let e = Inputs::from_toml_str(&text).unwrap_err();
    (e.path().to_owned(), e.to_string())
}

#[test]
fn negative_volume_names_the_field() {
    let (path, msg) = input_error("jpy = 7_000_000_000_000", "jpy = -7_000_000_000_000");
    assert_eq!(path, "volume[0].jpy");
    assert!(msg.contains("negative"), "{msg}");
}

#[test]
fn unknown_asset_names_the_field() {
    let (path, msg) = input_error(
        "asset = \"BTC\"\nquantity = \"52180\"",
        "asset = \"DOGE\"\nquantity = \"52180\"",
    );
    assert_eq!(path, "holdings[0].asset");
    assert!(
        msg.contains("\"DOGE\"") && msg.contains("BTC, ETH"),
        "{msg}"
    );
    let (path, _) = input_error("BTC = \"60000\"", "XRP = \"60000\"");
    assert_eq!(path, "customer_liabilities.XRP");
}

#[test]
fn missing_price_names_the_field() {
    let (path, msg) = input_error("price_jpy = \"500000\"\n", "");
    assert_eq!(path, "assets[1].price_jpy");
    assert!(msg.contains("missing"), "{msg}");
}

#[test]
fn other_bad_inputs_name_their_fields() {
    let cases = [
        (
            "quantity = \"4820\"",
            "quantity = \"4820.000000001\"",
            "holdings[1].quantity",
        ),
        ("tier = \"hot\"", "tier = \"lukewarm\"", "holdings[2].tier"),
        (
            "price_jpy = \"10000000\"",
            "price_jpy = 10000000.0",
            "assets[0].price_jpy",
        ),
        (
            "coinsurance = \"0%\"",
            "coinsurance = 0.0",
            "insurance[0].coinsurance",
        ),
        ("excludes = []", "exclude = []", "insurance[0].exclude"),
        (
            "excludes = []",
            "excludes = [\"dragons\"]",
            "insurance[0].excludes[0]",
        ),
        (
            "valuation_date = \"2026-03-31\"",
            "valuation_date = \"2026-02-30\"",
            "valuation_date",
        ),
        ("version = 1", "version = 2", "version"),
        (
            "retention_jpy = 1_000_000_000",
            "retention_jpy = 11_000_000_000",
            "insurance[0].retention_jpy",
        ),
        (
            "valuation_date = \"2026-03-31\"",
            "valuation_date = 2026-03-31",
            "valuation_date",
        ),
        (
            "category = \"spot_dealer\"",
            "category = \"otc\"",
            "volume[2].category",
        ),
    ];
    for (from, to, want) in cases {
        let (path, msg) = input_error(from, to);
        assert_eq!(path, want, "{to}: {msg}");
    }
    // JSON is read with the same rules.
    let e =
        Inputs::from_json_str("{\"format\": \"por-reserve-inputs\", \"version\": 1}").unwrap_err();
    assert_eq!(e.path(), "exchange");
    assert_eq!(e.kind(), &FieldErrorKind::Missing);
}

#[test]
fn json_and_toml_inputs_agree() {
    // The same example, translated to JSON by an independent serializer.
    let v: serde_json::Value = toml::from_str(builtin::EXAMPLE_INPUTS).unwrap();
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(Inputs::from_json_str(&json).unwrap(), example());
}

#[test]
fn policy_with_unknown_key_names_it() {
    let text = builtin_text("jp-fsa-2026-proposal");
    let bad = format!("{text}\n[params.alpha_colde]\nvalue = \"1%\"\nstatus = \"assumption\"\nsource = \"typo\"\n");
    let e = Policy::from_toml_str(&bad).unwrap_err();
    assert_eq!(e.path(), "params.alpha_colde");
    assert_eq!(e.kind(), &FieldErrorKind::Unknown);
    assert!(
        e.to_string().contains("unknown key `params.alpha_colde`"),
        "{e}"
    );

    let bad = text.replacen("value = \"1%\"", "value = \"1%\"\nvalu = \"2%\"", 1);
    assert_eq!(
        Policy::from_toml_str(&bad).unwrap_err().path(),
        "params.alpha_cold.valu"
    );
    let bad = text.replacen("title =", "titel = \"x\"\ntitle =", 1);
    assert_eq!(Policy::from_toml_str(&bad).unwrap_err().path(), "titel");
    let bad = text.replacen("status = \"assumption\"", "status = \"rumour\"", 1);
    let e = Policy::from_toml_str(&bad).unwrap_err();
    assert_eq!(e.path(), "params.lookback_years.status");
    assert!(
        e.to_string()
            .contains("law, proposal, press, industry, assumption, unverified"),
        "{e}"
    );
    let bad = text.replacen("value = \"1%\"", "value = 0.01", 1);
    assert_eq!(
        Policy::from_toml_str(&bad).unwrap_err().path(),
        "params.alpha_cold.value"
    );
    let start = text.find("[params.beta]").unwrap();
    let end = text[start..].find("\n\n").unwrap() + start;
    let missing = format!("{}{}", &text[..start], &text[end..]);
    let e = Policy::from_toml_str(&missing).unwrap_err();
    assert_eq!(
        (e.path(), e.kind()),
        ("params.beta", &FieldErrorKind::Missing)
    );
}

#[test]
fn engine_refuses_a_policy_of_the_wrong_model() {
    let e = requirement(&example(), &policy("eu-mica")).unwrap_err();
    assert!(e.to_string().contains("eu-mica-art67"), "{e}");
}

/// Issue 11: `run_scenario` with a policy other than the in-force one used
/// to panic reading `min_capital_jpy` before its own model check ran.
#[test]
fn stress_refuses_a_policy_of_the_wrong_model() {
    let inputs = example();
    let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    for name in ["jp-fsa-2026-proposal", "eu-mica", "hk-sfc"] {
        let e = run_scenario(&inputs, &scenario("S1"), None, &req, &policy(name)).unwrap_err();
        assert!(
            matches!(
                e,
                por_reserve::StressError::Engine(por_reserve::ReserveError::Model(_))
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("jp-psa-segregation"), "{e}");
    }
}

/// Every parameter of a shipped policy is listed with its source, in the
/// order of the file, and the typed struct holds the same values.
#[test]
fn policies_keep_each_value_with_its_source() {
    let p = policy("jp-fsa-2026-proposal");
    let keys: Vec<&str> = p.params().iter().map(|x| x.key()).collect();
    assert_eq!(keys.first(), Some(&"lookback_years"));
    assert_eq!(keys.last(), Some(&"band_high_jpy"));
    assert_eq!(keys.len(), 19);
    assert!(p.params().iter().all(|x| !x.source().trim().is_empty()));
    let typed = p.liability_reserve().unwrap();
    assert_eq!(typed.alpha_cold.value(), Rate::parse("1%").unwrap());
    assert_eq!(typed.alpha_cold.key(), "alpha_cold");
    assert!(typed.alpha_cold.source().contains("Nikkei"));
    assert_eq!(typed.band_low_jpy.status(), por_reserve::Status::Press);
    assert_eq!(typed.floor_jpy.value(), None);
    assert!(p.psa().is_err() && p.mica().is_err() && p.hk_cover().is_err());
    let m = policy("eu-mica");
    assert_eq!(m.mica().unwrap().k_min_eur(2).value().get(), 125_000);
    assert_eq!(
        m.param("k_min_class2_eur").unwrap().value().to_string(),
        "€125,000"
    );
}

#[test]
fn shipped_files_all_parse() {
    for (name, _) in builtin::POLICIES {
        let p = policy(name);
        assert_eq!(p.name(), name);
    }
    for (id, _) in builtin::SCENARIOS {
        let s = scenario(id);
        assert_eq!(s.id, id);
        assert!(!s.sources.is_empty() && !s.anchor.is_empty());
    }
}

// ----------------------------------------------------------- scenarios

fn run(id: &str, overlay: Option<&str>) -> por_reserve::StressResult {
    let inputs = example();
    let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let o = overlay.map(scenario);
    run_scenario(
        &inputs,
        &scenario(id),
        o.as_ref(),
        &req,
        &policy("jp-psa-in-force"),
    )
    .unwrap()
}

#[test]
fn s1_hot_drain_is_paid_at_80_percent() {
    let s = run("S1", None);
    // BTC hot: 2 000 customers' + 500 own = ¥25 bn; customers ¥20 bn.
    assert_eq!(s.loss_jpy, yen(250));
    assert_eq!(s.customer_loss_jpy, yen(200));
    assert_eq!(s.own_loss_jpy, yen(50));
    assert_eq!(s.compensation_cost_jpy, yen(160));
    // 16 − 5.3 reserve − 9 insurance = 1.7 from the parent; no haircut.
    assert_eq!(s.waterfall.uncovered_jpy, yen(17));
    assert_eq!(s.waterfall.customer_haircut_jpy, Yen::ZERO);
    assert_eq!(s.customer_recovery.unwrap().percent(), "80.00%");
    // Right after the event customer BTC is short of liabilities (A3).
    assert!(s.post_event.contains(&("A3", false)));
}

#[test]
fn s5_takes_70_percent_of_cold_btc_and_tests_the_run() {
    let s = run("S5", None);
    // 70% of 60 000 cold BTC (57 000 customers' + 3 000 guarantee).
    assert_eq!(s.loss_jpy, Yen::new(420 * BN));
    assert_eq!(s.customer_loss_jpy, Yen::new(399 * BN));
    let r = s.run_off.unwrap();
    // 33% of the remaining ¥601 bn of customer crypto.
    assert_eq!(r.demand_jpy, Yen::new(198_330_000_000));
    // Hot + warm (¥45 bn) + remaining guarantee crypto (¥9 bn + ¥10 bn).
    assert_eq!(r.liquid_jpy, Yen::new(64 * BN));
    assert_eq!(r.hours_survived, 23); // floor(72 × 64 / 198.33)
}

#[test]
fn s6_is_socialised_without_parent_support() {
    let s = run("S6", None);
    // 45% of the ¥10 bn at the custodian.
    assert_eq!(s.customer_loss_jpy, yen(45));
    assert_eq!(s.waterfall.reserve_jpy, yen(45));
    assert_eq!(s.waterfall.parent_jpy, Yen::ZERO);
}

#[test]
fn s8_takes_two_percent_of_all_btc_from_hot_pro_rata() {
    let s = run("S8", None);
    // 2% of 63 500 BTC = 1 270 BTC, from the 2 500 hot BTC: 1 016 customers', 254 own.
    assert_eq!(s.loss_jpy, yen(127));
    assert_eq!(s.customer_loss_jpy, Yen::new(10_160_000_000));
    assert_eq!(s.waterfall.customer_haircut_jpy, Yen::ZERO);
}

#[test]
fn s7_adds_the_fiat_gap() {
    let s = run("S7", None);
    // 88% of 60 000 customer BTC = 52 800 BTC (¥528 bn) + ¥50 bn fiat.
    assert_eq!(s.customer_loss_jpy, Yen::new(578 * BN));
    assert!(s.post_event.contains(&("A4", false)));
}

#[test]
fn overlays_change_cost_and_parent_support() {
    // O1: in-kind replacement after a 30% fall costs 70% of the value at loss.
    let s = run("S4", Some("O1"));
    assert_eq!(s.id, "S4+O1");
    assert_eq!(s.customer_loss_jpy, yen(482));
    assert_eq!(s.compensation_cost_jpy, Yen::new(33_740_000_000));
    // O2: no parent; the S4 gap falls on customers.
    let s = run("S4", Some("O2"));
    assert_eq!(s.waterfall.parent_jpy, Yen::ZERO);
    assert_eq!(s.waterfall.customer_haircut_jpy, Yen::new(33_900_000_000));
    // O2 alone on a fully segregated exchange: nothing lost, 100% back.
    let s = run("O2", None);
    assert_eq!(s.customer_loss_jpy, Yen::ZERO);
    assert_eq!(s.customer_recovery, None);
    assert!(s.post_event.iter().take(4).all(|(_, ok)| *ok));
}

#[test]
fn o2_alone_turns_a_segregation_gap_into_customer_loss() {
    let mut inputs = example();
    inputs.trust_balance_jpy = Yen::new(49 * BN); // ¥1 bn short of fiat
    let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let s = run_scenario(
        &inputs,
        &scenario("O2"),
        None,
        &req,
        &policy("jp-psa-in-force"),
    )
    .unwrap();
    assert_eq!(s.customer_loss_jpy, Yen::new(BN));
    // The reserve pays it; no haircut.
    assert_eq!(s.waterfall.reserve_jpy, Yen::new(BN));
    assert_eq!(s.customer_recovery.unwrap().percent(), "100.00%");
}

#[test]
fn a_scenario_that_matches_nothing_is_not_applicable() {
    let mut inputs = example();
    for h in &mut inputs.holdings {
        h.signing_vendor = None;
    }
    let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let s = run_scenario(
        &inputs,
        &scenario("S4"),
        None,
        &req,
        &policy("jp-psa-in-force"),
    )
    .unwrap();
    assert!(!s.applicable);
    assert_eq!(s.loss_jpy, Yen::ZERO);
}

#[test]
fn custom_scenarios_use_the_same_format() {
    let text = r#"
format = "por-reserve-scenario"
version = 1
id = "X1"
kind = "scenario"
name = "Replay of DMM at the reported figure"
anchor = "DMM Bitcoin 2024, ¥48.2 bn"
sources = ["[I26]"]
perils = ["state_actor"]

[[shocks]]
kind = "fixed_jpy"
loss_jpy = 48_200_000_000
customer_share = "100%"
tier = "cold"
"#;
    let sc = Scenario::from_toml_str(text).unwrap();
    let inputs = example();
    let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
    let s = run_scenario(&inputs, &sc, None, &req, &policy("jp-psa-in-force")).unwrap();
    assert_eq!(s.waterfall.uncovered_jpy, Yen::new(33_900_000_000));
    let bad = text.replace("kind = \"fixed_jpy\"", "kind = \"meteor\"");
    assert_eq!(
        Scenario::from_toml_str(&bad).unwrap_err().path(),
        "shocks[0].kind"
    );
    let bad = text.replace("customer_share = \"100%\"", "customer_share = \"120%\"");
    assert_eq!(
        Scenario::from_toml_str(&bad).unwrap_err().path(),
        "shocks[0].customer_share"
    );
}

// ---------------------------------------------------------- properties

fn with_insurance(limit: u128, retention: u128, rating: &str) -> Inputs {
    let mut i = example();
    i.insurance = vec![Insurance {
        insurer: "p".into(),
        rating: rating.into(),
        limit_jpy: Yen::new(limit),
        retention_jpy: Yen::new(retention.min(limit)),
        coinsurance: Rate::ZERO,
        term_days: 365,
        cancel_notice_days: 90,
        covers: vec![
            Tier::Hot,
            Tier::Warm,
            Tier::Cold,
            Tier::Mpc,
            Tier::ThirdPartyCustodian,
        ],
        excludes: vec![],
    }];
    i
}

proptest::proptest! {
    #[test]
    fn more_insurance_never_raises_the_cash_requirement(
        limit in 0u128..100_000_000_000_000,
        extra in 0u128..100_000_000_000_000,
        retention in 0u128..10_000_000_000,
        a_rated: bool,
    ) {
        let p = policy("jp-fsa-2026-proposal");
        let rating = if a_rated { "A" } else { "BBB" };
        let small = requirement(&with_insurance(limit, retention, rating), &p).unwrap();
        let big = requirement(&with_insurance(limit + extra, retention, rating), &p).unwrap();
        proptest::prop_assert!(big.cash_required_jpy <= small.cash_required_jpy);
        // The credit never exceeds s_max × R_required: at least half stays cash.
        proptest::prop_assert!(big.cash_required_jpy.get() * 2 >= big.required_jpy.get());
    }

    #[test]
    fn a1_agrees_with_a_rational_reference(
        cold in 0u128..1_000_000_000_000_000,
        hot in 0u128..1_000_000_000_000_000,
        price_cents in 1u128..100_000_000,
    ) {
        let mut i = edge();
        i.assets[0].price_jpy = Price::parse(&format!("{}.{:02}", price_cents / 100, price_cents % 100)).unwrap();
        i.holdings[0].quantity = Amount::from_base_units(cold);
        i.holdings[1].quantity = Amount::from_base_units(hot);
        let f = in_force_checks(&i, &policy("jp-psa-in-force")).unwrap();
        // Reference: yen values in cents, non-cold rounded up, total down.
        let hot_yen = (hot * price_cents).div_ceil(100);
        let total_yen = (cold + hot) * price_cents / 100;
        let expect = if total_yen == 0 { hot_yen == 0 } else { hot_yen * 100 <= 5 * total_yen };
        proptest::prop_assert_eq!(f.checks[0].passes, expect);
    }

    #[test]
    fn the_waterfall_adds_up(loss_share in 0u32..=100, reserve in 0u128..100_000_000_000) {
        let mut i = example();
        i.reserve_balance_jpy = Yen::new(reserve);
        i.capital = Capital { net_assets_jpy: Yen::new(3 * BN), ..i.capital.clone() };
        let text = format!(
            "format = \"por-reserve-scenario\"\nversion = 1\nid = \"P\"\nkind = \"scenario\"\nname = \"p\"\nanchor = \"p\"\n[[shocks]]\nkind = \"holdings\"\nfraction = \"{loss_share}%\"\n"
        );
        let sc = Scenario::from_toml_str(&text).unwrap();
        let req = requirement(&i, &policy("jp-fsa-2026-proposal")).unwrap();
        let s = run_scenario(&i, &sc, None, &req, &policy("jp-psa-in-force")).unwrap();
        let w = &s.waterfall;
        let funded = w.reserve_jpy.get() + w.insurance_jpy.get() + w.excess_capital_jpy.get();
        proptest::prop_assert_eq!(funded + w.uncovered_jpy.get(), s.compensation_cost_jpy.get());
        proptest::prop_assert_eq!(w.uncovered_jpy.get(), w.parent_jpy.get() + w.customer_haircut_jpy.get());
        proptest::prop_assert!(s.customer_loss_jpy <= s.loss_jpy);
    }

    #[test]
    fn a_mutated_example_never_panics(pos in 0usize..9_000, ch in proptest::char::any(), delete: bool) {
        // Parse a damaged copy of the example; whatever parses is run
        // through every part of the engine. Errors are fine, panics are not.
        let mut chars: Vec<char> = builtin::EXAMPLE_INPUTS.chars().collect();
        let pos = pos % chars.len();
        if delete { chars.remove(pos); } else { chars[pos] = ch; }
        let text: String = chars.into_iter().collect();
        if let Ok(inputs) = Inputs::from_toml_str(&text) {
            let psa = policy("jp-psa-in-force");
            let _ = in_force_checks(&inputs, &psa);
            let _ = mica(&inputs, &policy("eu-mica"));
            let _ = hong_kong(&inputs, &policy("hk-sfc"));
            if let Ok(req) = requirement(&inputs, &policy("jp-fsa-2026-proposal")) {
                for (id, _) in builtin::SCENARIOS {
                    let _ = run_scenario(&inputs, &scenario(id), None, &req, &psa);
                }
            }
        }
        let _ = Policy::from_toml_str(&text);
        let _ = Scenario::from_toml_str(&text);
    }
}

#[test]
fn evaluate_and_stress_run_everything_under_a_policy_set() {
    use por_reserve::{evaluate, stress, PolicySet, StressError};
    let inputs = example();
    let mut set = PolicySet::shipped().unwrap();
    let report = evaluate(&inputs, &set).unwrap();
    assert!(report.passes());
    assert_eq!(report.requirement.required_jpy, Yen::new(10_600_000_000));
    let ids = |list: &[&str], set: &PolicySet| -> Result<Vec<String>, StressError> {
        let scenarios: Vec<Scenario> = list.iter().map(|id| scenario(id)).collect();
        let r = evaluate(&inputs, set).unwrap();
        stress(&inputs, set, &r.requirement, &scenarios)
            .map(|v| v.into_iter().map(|s| s.id).collect())
    };
    assert_eq!(
        ids(&["S4", "O1", "S1"], &set).unwrap(),
        ["S4", "S4+O1", "S1", "S1+O1"]
    );
    assert_eq!(ids(&["O2"], &set).unwrap(), ["O2"]);
    assert_eq!(
        ids(&["O1"], &set).unwrap_err(),
        StressError::OverlayAlone { id: "O1".into() }
    );
    // Replacing the reserve policy changes only that slot.
    let strict =
        builtin_text("jp-fsa-2026-proposal").replacen("value = \"1%\"", "value = \"3%\"", 1);
    let old = set.replace(Policy::from_toml_str(&strict).unwrap());
    assert_eq!(old.name(), "jp-fsa-2026-proposal");
    let report = evaluate(&inputs, &set).unwrap();
    assert_eq!(report.requirement.required_jpy, Yen::new(29_800_000_000));
    assert!(!report.passes());
    assert!(report.in_force.all_pass());
}

proptest::proptest! {
    #[test]
    fn mutated_policies_and_scenarios_never_panic(
        which in 0usize..14, pos in 0usize..4_000, ch in proptest::char::any(), delete: bool,
    ) {
        let texts: Vec<&str> = builtin::POLICIES.iter().chain(builtin::SCENARIOS.iter()).map(|(_, t)| *t).collect();
        let mut chars: Vec<char> = texts[which % texts.len()].chars().collect();
        let pos = pos % chars.len();
        if delete { chars.remove(pos); } else { chars[pos] = ch; }
        let text: String = chars.into_iter().collect();
        let inputs = example();
        let psa = policy("jp-psa-in-force");
        let req = requirement(&inputs, &policy("jp-fsa-2026-proposal")).unwrap();
        if let Ok(p) = Policy::from_toml_str(&text) {
            let mut set = por_reserve::PolicySet::shipped().unwrap();
            set.replace(p);
            let _ = por_reserve::evaluate(&inputs, &set);
        }
        if let Ok(s) = Scenario::from_toml_str(&text) {
            let _ = run_scenario(&inputs, &s, None, &req, &psa);
            let _ = run_scenario(&inputs, &scenario("S4"), Some(&s), &req, &psa);
        }
    }
}

#[test]
fn band_position_and_optional_floor_and_cap() {
    let text = builtin_text("jp-fsa-2026-proposal");
    // A small exchange: 1% of its ¥100 bn of customer crypto → ¥1.0 bn + ¥0.1 bn volume.
    let mut small = example();
    for h in &mut small.holdings {
        h.quantity = Amount::from_base_units(h.quantity.to_base_units() / 10);
    }
    for v in &mut small.volumes {
        v.jpy = Yen::new(v.jpy.get() / 10);
    }
    let r = requirement(&small, &policy("jp-fsa-2026-proposal")).unwrap();
    assert_eq!(r.required_jpy, Yen::new(1_060_000_000));
    assert_eq!(r.band_position, BandPosition::Below);
    // With a ¥2 bn floor the requirement is lifted to the floor.
    let floored = text.replacen(
        "[params.floor_jpy]\nvalue = \"none\"",
        "[params.floor_jpy]\nvalue = 2_000_000_000",
        1,
    );
    let r = requirement(&small, &Policy::from_toml_str(&floored).unwrap()).unwrap();
    assert_eq!(r.r_sum_jpy, Yen::new(1_060_000_000));
    assert_eq!(r.required_jpy, Yen::new(2 * BN));
    assert_eq!(r.band_position, BandPosition::Within);
    // A large exchange above the band, and a ¥40 bn cap.
    let mut large = example();
    for h in &mut large.holdings {
        h.quantity = Amount::from_base_units(h.quantity.to_base_units() * 5);
    }
    let r = requirement(&large, &policy("jp-fsa-2026-proposal")).unwrap();
    assert_eq!(r.required_jpy, Yen::new(49 * BN)); // 1% × ¥4 800 bn + ¥1 bn
    assert_eq!(r.band_position, BandPosition::Above);
    let capped = text.replacen(
        "[params.cap_jpy]\nvalue = \"none\"",
        "[params.cap_jpy]\nvalue = 40_000_000_000",
        1,
    );
    let r = requirement(&large, &Policy::from_toml_str(&capped).unwrap()).unwrap();
    assert_eq!(r.required_jpy, Yen::new(40 * BN));
}
