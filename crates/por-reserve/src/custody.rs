//! The comparators that value crypto in another currency and by the method
//! their policy names: Korea's Virtual Asset User Protection Act
//! (`kr-vaupa`: 80 % cold at the one-year average KRW price, a 5 % hack
//! cover with floors, same type and quantity, the banks' deposit guideline)
//! and Singapore's MAS rules (`sg-mas`: 90 % cold, daily reconciliation).
//!
//! Every rule is a [`Rule`]: passed, failed, or **not checked** when an
//! input it needs is missing (the rule names which), never a pass by
//! default. Values are exact: a price in the policy's currency is a ratio
//! of integers (a spot yen price divided by the input FX rate, an average
//! given in the inputs, or the mean of a price history), and every value is
//! `quantity × price` rounded once per asset, against the exchange
//! (resources down, requirements and exposures up).

use ethnum::U256;
use serde::Serialize;

use crate::engine::{books, Provenance, ReserveError};
use crate::inputs::{Inputs, KrMarket};
use crate::num::{mul_div, pow10, Rate, Round, Yen};
use crate::policy::{Currency, Policy, Used, Valuation};

/// What a rule concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleVerdict {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// An input it needs is missing: neither pass nor fail.
    NotChecked,
}

/// One rule of one regime, as `por reserve compare` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Short id (`KR1`, `SG2`, `A1`, `MICA`).
    pub id: &'static str,
    /// What it tests.
    pub name: &'static str,
    /// Its verdict.
    pub verdict: RuleVerdict,
    /// `compliant`, `indicative: fail`, `illustrative: pass` … or `not
    /// checked`.
    pub label: &'static str,
    /// The inputs it needed and did not get (empty unless not checked).
    pub missing: Vec<String>,
    /// The currency of `required` and `held`, when they are money.
    pub currency: Option<String>,
    /// The amount required, in whole units of `currency`.
    #[serde(serialize_with = "ser_opt_u128")]
    pub required: Option<u128>,
    /// The amount held, in whole units of `currency`.
    #[serde(serialize_with = "ser_opt_u128")]
    pub held: Option<u128>,
    /// The requirement, as shown (`≥ 80% of ₩… = ₩…`, `≤ 1440 min`).
    pub required_text: String,
    /// What is held, as shown.
    pub held_text: String,
    /// Further figures (prices used, the floor applied).
    pub detail: String,
    /// The parameters used.
    pub provenance: Provenance,
}

fn ser_opt_u128<S: serde::Serializer>(v: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_str(&x.to_string()),
        None => s.serialize_none(),
    }
}

impl Rule {
    pub(crate) fn decided(
        id: &'static str,
        name: &'static str,
        passes: bool,
        policy: &Policy,
        used: &Used,
    ) -> Rule {
        let provenance = Provenance::of(policy, used);
        Rule {
            id,
            name,
            verdict: if passes {
                RuleVerdict::Pass
            } else {
                RuleVerdict::Fail
            },
            label: provenance.basis.label(passes),
            missing: Vec::new(),
            currency: None,
            required: None,
            held: None,
            required_text: String::new(),
            held_text: String::new(),
            detail: String::new(),
            provenance,
        }
    }

    fn not_checked(
        id: &'static str,
        name: &'static str,
        missing: Vec<String>,
        policy: &Policy,
        used: &Used,
    ) -> Rule {
        let mut r = Rule::decided(id, name, false, policy, used);
        r.verdict = RuleVerdict::NotChecked;
        r.label = "not checked";
        r.required_text = "-".to_owned();
        r.held_text = format!("missing: {}", missing.join(", "));
        r.missing = missing;
        r
    }

    fn money(mut self, currency: Currency, required: u128, held: u128) -> Rule {
        self.currency = Some(currency.to_string());
        self.required = Some(required);
        self.held = Some(held);
        self
    }
}

/// A regime's rules, with the prices it valued at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustodyReport {
    /// The policy's name.
    pub policy: String,
    /// Its valuation currency.
    pub currency: String,
    /// The prices used: (asset, method, price shown, where from).
    pub prices: Vec<PriceUsed>,
    /// The rules, in order.
    pub rules: Vec<Rule>,
}

/// One asset's price as a policy valued it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceUsed {
    /// Asset.
    pub asset: String,
    /// `spot` or `average-365d`.
    pub method: String,
    /// The price per whole unit, two decimals rounded down (display only).
    pub price: String,
    /// How it was obtained.
    pub basis: String,
}

/// An exact price per whole unit in a currency: `num / den`.
#[derive(Debug, Clone, Copy)]
struct UnitPrice {
    num: U256,
    den: U256,
}

impl UnitPrice {
    fn value(self, base_units: u128, decimals: u8, round: Round) -> Result<u128, ReserveError> {
        let ovf = ReserveError::Overflow("a valuation");
        let den = self
            .den
            .checked_mul(pow10(u32::from(decimals)).ok_or(ovf.clone())?)
            .ok_or(ovf.clone())?;
        let p = U256::new(base_units)
            .checked_mul(self.num)
            .ok_or(ovf.clone())?;
        mul_div(p, U256::ONE, den, round).ok_or(ovf)
    }

    fn shown(self) -> String {
        let h = self
            .num
            .checked_mul(U256::new(100))
            .map(|x| x / self.den.max(U256::ONE));
        match h.and_then(|h| u128::try_from(h).ok()) {
            Some(h) => format!("{}.{:02}", Yen::new(h / 100), h % 100),
            None => "(too large to show)".to_owned(),
        }
    }
}

/// Why a price could not be had.
enum NoPrice {
    Missing(String),
    Engine(ReserveError),
}

impl From<ReserveError> for NoPrice {
    fn from(e: ReserveError) -> Self {
        NoPrice::Engine(e)
    }
}

/// Yen per unit of `currency`, from the inputs' FX rows.
fn fx(inputs: &Inputs, currency: Currency) -> Result<UnitPrice, NoPrice> {
    let f = inputs
        .fx
        .iter()
        .find(|f| f.currency == currency.as_str())
        .ok_or_else(|| NoPrice::Missing(format!("fx {currency} (yen per unit)")))?;
    let (n, s) = f.jpy_per_unit.parts();
    if n == 0 {
        return Err(NoPrice::Missing(format!("a non-zero fx {currency} rate")));
    }
    Ok(UnitPrice {
        num: U256::new(n),
        den: pow10(s).ok_or(ReserveError::Overflow("fx"))?,
    })
}

/// Yen converted into `currency`, rounded as asked.
fn from_yen(inputs: &Inputs, currency: Currency, yen: Yen, round: Round) -> Result<u128, NoPrice> {
    if currency == Currency::JPY {
        return Ok(yen.get());
    }
    let r = fx(inputs, currency)?;
    // yen ÷ (num/den) = yen × den ÷ num.
    Ok(mul_div(U256::new(yen.get()), r.den, r.num, round).ok_or(ReserveError::Overflow("fx"))?)
}

/// The price of `asset` in `currency` by `method`, and how it was had.
fn price(
    inputs: &Inputs,
    asset: &str,
    currency: Currency,
    method: Valuation,
) -> Result<(UnitPrice, String), NoPrice> {
    let a = inputs.asset(asset).ok_or_else(|| {
        NoPrice::Engine(ReserveError::UnknownAsset {
            symbol: asset.to_owned(),
            context: "a valuation",
        })
    })?;
    match method {
        Valuation::Spot => {
            let (pn, ps) = a.price_jpy.parts();
            let p = UnitPrice {
                num: U256::new(pn),
                den: pow10(ps).ok_or(ReserveError::Overflow("price"))?,
            };
            if currency == Currency::JPY {
                return Ok((p, format!("spot {} at {}", a.source, a.time)));
            }
            let r = fx(inputs, currency)?;
            let ovf = || NoPrice::Engine(ReserveError::Overflow("price"));
            Ok((
                UnitPrice {
                    num: p.num.checked_mul(r.den).ok_or_else(ovf)?,
                    den: p.den.checked_mul(r.num).ok_or_else(ovf)?,
                },
                format!("spot yen price / fx {currency}"),
            ))
        }
        Valuation::Average { days } => {
            if let Some(avg) = inputs
                .price_averages
                .iter()
                .find(|p| p.asset == asset && p.currency == currency.as_str() && p.days == days)
            {
                let (n, s) = avg.price.parts();
                return Ok((
                    UnitPrice {
                        num: U256::new(n),
                        den: pow10(s).ok_or(ReserveError::Overflow("price"))?,
                    },
                    format!("{days}-day average given: {}", avg.source),
                ));
            }
            let missing = || {
                NoPrice::Missing(format!(
                    "price_averages or price_history for {asset} in {currency} over {days} days"
                ))
            };
            let h = inputs
                .price_history
                .iter()
                .find(|h| h.asset == asset && h.currency == currency.as_str())
                .ok_or_else(missing)?;
            // Points dated in (valuation date − days, valuation date].
            let inside: Vec<_> = h
                .points
                .iter()
                .filter(|(d, _)| {
                    let age = d.days_until(inputs.valuation_date);
                    age >= 0 && age < i64::from(days)
                })
                .collect();
            if inside.is_empty() {
                return Err(missing());
            }
            let scale = inside.iter().map(|(_, p)| p.parts().1).max().unwrap_or(0);
            let ovf = || NoPrice::Engine(ReserveError::Overflow("average price"));
            let mut sum = U256::ZERO;
            for (_, p) in &inside {
                let (n, s) = p.parts();
                let k = pow10(scale - s).ok_or_else(ovf)?;
                sum = sum
                    .checked_add(U256::new(n).checked_mul(k).ok_or_else(ovf)?)
                    .ok_or_else(ovf)?;
            }
            let count = u128::try_from(inside.len()).map_err(|_| ovf())?;
            let first = inside.iter().map(|(d, _)| *d).min();
            let last = inside.iter().map(|(d, _)| *d).max();
            Ok((
                UnitPrice {
                    num: sum,
                    den: U256::new(count)
                        .checked_mul(pow10(scale).ok_or_else(ovf)?)
                        .ok_or_else(ovf)?,
                },
                format!(
                    "mean of {count} prices dated {}..{} in the {days} days to {}: {}",
                    first.map_or_else(String::new, |d| d.to_string()),
                    last.map_or_else(String::new, |d| d.to_string()),
                    inputs.valuation_date,
                    h.source
                ),
            ))
        }
    }
}

/// Prices of every asset with customer holdings, or the inputs missing.
struct Priced {
    prices: Vec<(String, UnitPrice, u8)>,
    shown: Vec<PriceUsed>,
    missing: Vec<String>,
}

fn price_all(
    inputs: &Inputs,
    assets: &[&str],
    currency: Currency,
    method: Valuation,
) -> Result<Priced, ReserveError> {
    let mut out = Priced {
        prices: Vec::new(),
        shown: Vec::new(),
        missing: Vec::new(),
    };
    for &a in assets {
        match price(inputs, a, currency, method) {
            Ok((p, basis)) => {
                let decimals = inputs.asset(a).map_or(0, |x| x.decimals);
                out.shown.push(PriceUsed {
                    asset: a.to_owned(),
                    method: method.to_string(),
                    price: p.shown(),
                    basis,
                });
                out.prices.push((a.to_owned(), p, decimals));
            }
            Err(NoPrice::Missing(m)) => out.missing.push(m),
            Err(NoPrice::Engine(e)) => return Err(e),
        }
    }
    Ok(out)
}

impl Priced {
    /// `Σ_a value(q_a)` rounded as asked per asset.
    fn total(&self, quantities: &[(String, u128)], round: Round) -> Result<u128, ReserveError> {
        let mut t: u128 = 0;
        for (a, q) in quantities {
            if *q == 0 {
                continue;
            }
            let Some((_, p, d)) = self.prices.iter().find(|(s, _, _)| s == a) else {
                continue;
            };
            t = t
                .checked_add(p.value(*q, *d, round)?)
                .ok_or(ReserveError::Overflow("a total value"))?;
        }
        Ok(t)
    }
}

/// `⌈rate × x⌉`.
fn rate_up(rate: Rate, x: u128) -> Result<u128, ReserveError> {
    mul_div(
        U256::new(x),
        U256::new(rate.num()),
        U256::new(rate.den()),
        Round::Up,
    )
    .ok_or(ReserveError::Overflow("a requirement"))
}

/// `held ≥ rate × whole`, exactly.
fn at_least(held: u128, rate: Rate, whole: u128) -> bool {
    U256::new(held) * U256::new(rate.den()) >= U256::new(rate.num()) * U256::new(whole)
}

fn money_text(currency: Currency, v: u128) -> String {
    format!("{currency} {}", Yen::new(v))
}

/// The cold-share rule shared by Korea (80 %) and Singapore (90 %):
/// customer crypto in the `cold` tier (strictly; the Japanese
/// cold-equivalent flag does not apply), valued down, against the share of
/// all customer crypto, valued up.
#[allow(clippy::too_many_arguments, reason = "one call per regime, all named")]
fn cold_share_rule(
    inputs: &Inputs,
    policy: &Policy,
    id: &'static str,
    name: &'static str,
    used: Used,
    priced: &Priced,
    currency: Currency,
    min_share: Rate,
) -> Result<Rule, ReserveError> {
    if !priced.missing.is_empty() {
        return Ok(Rule::not_checked(
            id,
            name,
            priced.missing.clone(),
            policy,
            &used,
        ));
    }
    let books = books(inputs)?;
    let cold: Vec<(String, u128)> = books
        .iter()
        .map(|b| (b.symbol.clone(), b.customer_cold_strict))
        .collect();
    let all: Vec<(String, u128)> = books
        .iter()
        .map(|b| (b.symbol.clone(), b.customer))
        .collect();
    let cold_v = priced.total(&cold, Round::Down)?;
    let all_v = priced.total(&all, Round::Up)?;
    let passes = at_least(cold_v, min_share, all_v);
    let required = rate_up(min_share, all_v)?;
    let mut r = Rule::decided(id, name, passes, policy, &used).money(currency, required, cold_v);
    r.required_text = format!(
        "≥ {min_share} of {} = {}",
        money_text(currency, all_v),
        money_text(currency, required)
    );
    r.held_text = format!("cold {}", money_text(currency, cold_v));
    r.detail = format!(
        "cold share {}",
        crate::num::Ratio::new(cold_v, all_v).map_or_else(|| "n/a".to_owned(), |x| x.percent())
    );
    Ok(r)
}

/// Customer assets (those with customer holdings or liabilities).
fn customer_assets(inputs: &Inputs) -> Result<Vec<String>, ReserveError> {
    Ok(books(inputs)?
        .into_iter()
        .filter(|b| b.customer > 0 || b.liabilities > 0)
        .map(|b| b.symbol)
        .collect())
}

/// Korea's Virtual Asset User Protection Act, as a comparator.
///
/// # Errors
///
/// A [`ReserveError`] for a policy that is not `kr-vaupa`, an asset
/// without a price, or an overflow. Missing inputs are not errors: the
/// rules that need them are reported as not checked.
pub fn korea(inputs: &Inputs, policy: &Policy) -> Result<CustodyReport, ReserveError> {
    let p = policy.kr_vaupa()?;
    let assets = customer_assets(inputs)?;
    let names: Vec<&str> = assets.iter().map(String::as_str).collect();
    let mut rules = Vec::new();

    // KR1: cold ≥ 80 % of the economic value (one-year average KRW price).
    let mut used = Used::new();
    let currency = used.read(&p.valuation_currency);
    let method = used.read(&p.valuation);
    let min_share = used.read(&p.cold_min_share);
    let priced = price_all(inputs, &names, currency, method)?;
    let prices = priced.shown.clone();
    rules.push(cold_share_rule(
        inputs,
        policy,
        "KR1",
        "cold storage >= 80% of the economic value of users' crypto",
        used,
        &priced,
        currency,
        min_share,
    )?);

    // KR2: the same type and quantity as deposited, per asset.
    let mut used = Used::new();
    let ratio = used.read(&p.same_type_ratio);
    let books = books(inputs)?;
    let short: Vec<String> = books
        .iter()
        .filter(|b| !at_least(b.customer, ratio, b.liabilities))
        .map(|b| b.symbol.clone())
        .collect();
    let mut r = Rule::decided(
        "KR2",
        "same type and quantity held as users deposited, per asset",
        short.is_empty(),
        policy,
        &used,
    );
    r.required_text = "per asset".to_owned();
    r.held_text = if short.is_empty() {
        "every asset covered".to_owned()
    } else {
        format!("short: {}", short.join(", "))
    };
    rules.push(r);

    // KR3: hack cover ≥ max(floor, 5 % of hot-wallet value).
    let mut used = Used::new();
    let currency = used.read(&p.valuation_currency);
    let method = used.read(&p.cover_valuation);
    let rate = used.read(&p.hack_cover_rate);
    let name = "insurance, mutual aid or reserve >= max(5% of hot-wallet value, floor)";
    let floor = match inputs.korea.market {
        Some(KrMarket::Won) => Some(used.read(&p.hack_cover_floor_won_market)),
        Some(KrMarket::CoinOnly) => Some(used.read(&p.hack_cover_floor_coin_only)),
        None => None,
    };
    let priced_cover = price_all(inputs, &names, currency, method)?;
    let mut missing = priced_cover.missing.clone();
    if floor.is_none() {
        missing.push("korea.market (won or coin_only: which floor applies)".to_owned());
    }
    let held_yen = cover_held_yen(inputs)?;
    let held = match from_yen(inputs, currency, held_yen, Round::Down) {
        Ok(h) => Some(h),
        Err(NoPrice::Missing(m)) => {
            if !missing.contains(&m) {
                missing.push(m);
            }
            None
        }
        Err(NoPrice::Engine(e)) => return Err(e),
    };
    match (floor, held) {
        (Some(floor), Some(held)) if missing.is_empty() => {
            let hot: Vec<(String, u128)> = books
                .iter()
                .map(|b| {
                    (
                        b.symbol.clone(),
                        b.customer.saturating_sub(b.customer_cold_strict),
                    )
                })
                .collect();
            let hot_v = priced_cover.total(&hot, Round::Up)?;
            let share = rate_up(rate, hot_v)?;
            let required = share.max(floor.get());
            let mut r = Rule::decided("KR3", name, held >= required, policy, &used)
                .money(currency, required, held);
            r.required_text = format!(
                "max({rate} of {} = {}, floor {})",
                money_text(currency, hot_v),
                money_text(currency, share),
                money_text(currency, floor.get())
            );
            r.held_text = format!(
                "{} (insurance + reserve ¥{held_yen})",
                money_text(currency, held)
            );
            rules.push(r);
        }
        _ => rules.push(Rule::not_checked("KR3", name, missing, policy, &used)),
    }

    // KR4: the banks' deposit guideline (an industry rule).
    let mut used = Used::new();
    let currency = used.read(&p.valuation_currency);
    let name = "banks' guideline: reserve >= max(floor, 30% of average daily deposits), capped";
    let floor = used.read(&p.bank_reserve_floor).get();
    let rate = used.read(&p.bank_reserve_rate);
    let cap = used.read(&p.bank_reserve_cap).get();
    let mut missing = Vec::new();
    let deposits = inputs.korea.average_daily_deposits_krw;
    if deposits.is_none() {
        missing.push("korea.average_daily_deposits_krw".to_owned());
    }
    let held = match from_yen(inputs, currency, inputs.reserve_balance_jpy, Round::Down) {
        Ok(h) => Some(h),
        Err(NoPrice::Missing(m)) => {
            missing.push(m);
            None
        }
        Err(NoPrice::Engine(e)) => return Err(e),
    };
    match (deposits, held) {
        (Some(d), Some(held)) if currency.as_str() == "KRW" => {
            let share = rate_up(rate, d)?;
            let required = share.max(floor).min(cap);
            let mut r = Rule::decided("KR4", name, held >= required, policy, &used)
                .money(currency, required, held);
            r.required_text = format!(
                "min(cap {}, max(floor {}, {rate} of {} = {}))",
                money_text(currency, cap),
                money_text(currency, floor),
                money_text(currency, d),
                money_text(currency, share)
            );
            r.held_text = format!(
                "reserve {} (¥{})",
                money_text(currency, held),
                inputs.reserve_balance_jpy
            );
            rules.push(r);
        }
        _ => {
            if missing.is_empty() {
                missing.push("a KRW valuation currency".to_owned());
            }
            rules.push(Rule::not_checked("KR4", name, missing, policy, &used));
        }
    }
    Ok(CustodyReport {
        policy: policy.name().to_owned(),
        currency: p.valuation_currency.value().to_string(),
        prices,
        rules,
    })
}

/// Insurance (`limit − retention`, net of coinsurance, down) plus the
/// reserve balance, in yen: what may meet a hack cover.
fn cover_held_yen(inputs: &Inputs) -> Result<Yen, ReserveError> {
    let mut held = vec![inputs.reserve_balance_jpy];
    for p in &inputs.insurance {
        let keep = p
            .coinsurance
            .complement()
            .ok_or(ReserveError::Overflow("coinsurance"))?;
        held.push(
            p.limit_jpy
                .excess_over(p.retention_jpy)
                .mul_rate(keep, Round::Down)
                .ok_or(ReserveError::Overflow("insurance"))?,
        );
    }
    Yen::checked_sum(held).ok_or(ReserveError::Overflow("cover held"))
}

/// Singapore's MAS customer-asset rules, as a comparator.
///
/// # Errors
///
/// As [`korea`], for a policy that is not `sg-mas-custody`.
pub fn singapore(inputs: &Inputs, policy: &Policy) -> Result<CustodyReport, ReserveError> {
    let p = policy.sg_mas()?;
    let assets = customer_assets(inputs)?;
    let names: Vec<&str> = assets.iter().map(String::as_str).collect();
    let mut rules = Vec::new();

    let mut used = Used::new();
    let currency = used.read(&p.valuation_currency);
    let method = used.read(&p.valuation);
    let min_share = used.read(&p.cold_min_share);
    let priced = price_all(inputs, &names, currency, method)?;
    let prices = priced.shown.clone();
    rules.push(cold_share_rule(
        inputs,
        policy,
        "SG1",
        "customer tokens in cold storage >= 90%",
        used,
        &priced,
        currency,
        min_share,
    )?);

    let mut used = Used::new();
    let max = used.read(&p.reconciliation_max_minutes);
    let name = "ledger reconciled against the wallets at least daily";
    match &inputs.reconciliation {
        None => rules.push(Rule::not_checked(
            "SG2",
            name,
            vec!["reconciliation.interval_minutes".to_owned()],
            policy,
            &used,
        )),
        Some(rec) => {
            let mut r = Rule::decided("SG2", name, rec.interval_minutes <= max, policy, &used);
            r.required_text = format!("every <= {max} min");
            r.held_text = format!("every {} min", rec.interval_minutes);
            r.detail = format!("interval from: {}", rec.source);
            rules.push(r);
        }
    }
    Ok(CustodyReport {
        policy: policy.name().to_owned(),
        currency: p.valuation_currency.value().to_string(),
        prices,
        rules,
    })
}
