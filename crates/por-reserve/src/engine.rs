//! The in-force Japanese checks (A1–A6), the proposed liability reserve and
//! the MiCA / Hong Kong comparators.
//!
//! Rounding: every valuation and product is exact in 256 bits and rounded
//! once, against the exchange — exposures, requirements and losses round up,
//! resources (holdings counted in a denominator, insurance credit) round
//! down. Quantities are aggregated per asset before they are valued, so each
//! figure has at most one rounding per asset.

use core::fmt;

use ethnum::U256;
use serde::Serialize;

use por_tree::amount::Amount;

use crate::inputs::{Inputs, Owner, Tier, VolumeCategory};
use crate::num::{Date, Rate, Ratio, Round, Yen};
use crate::policy::{Basis, ModelMismatch, Policy, Used};

/// The engine could not compute a figure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReserveError {
    /// A figure does not fit 128 bits of yen or base units.
    Overflow(&'static str),
    /// A holding or liability names an asset without a price.
    UnknownAsset {
        /// The symbol.
        symbol: String,
        /// Where it appears.
        context: &'static str,
    },
    /// No FX rate for a currency a comparator needs.
    MissingFx {
        /// The currency code.
        currency: &'static str,
        /// Which comparator needs it.
        needed_by: &'static str,
    },
    /// The last segregation audit is dated after the valuation date.
    AuditAfterValuation {
        /// The audit date.
        audit: Date,
        /// The valuation date.
        valuation: Date,
    },
    /// A policy of the wrong model.
    Model(ModelMismatch),
}

impl fmt::Display for ReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReserveError::Overflow(what) => write!(f, "{what} overflows 128 bits"),
            ReserveError::UnknownAsset { symbol, context } => write!(
                f,
                "{context} names asset {symbol:?}, which has no price: declare it under assets"
            ),
            ReserveError::MissingFx {
                currency,
                needed_by,
            } => write!(
                f,
                "no fx rate for {currency}: the {needed_by} comparator needs one (add it under fx)"
            ),
            ReserveError::AuditAfterValuation { audit, valuation } => write!(
                f,
                "last_segregation_audit {audit} is after valuation_date {valuation}"
            ),
            ReserveError::Model(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for ReserveError {}

impl From<ModelMismatch> for ReserveError {
    fn from(m: ModelMismatch) -> Self {
        ReserveError::Model(m)
    }
}

fn ser_u128<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

pub(crate) fn ser_amount<S: serde::Serializer>(a: &Amount, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&a.to_base_units().to_string())
}

/// Per-asset quantities, aggregated once from the holdings.
#[derive(Debug, Clone, Default)]
pub(crate) struct AssetBook {
    pub(crate) symbol: String,
    pub(crate) customer: u128,
    pub(crate) customer_non_cold: u128,
    pub(crate) customer_cold_strict: u128,
    pub(crate) customer_vendor: u128,
    pub(crate) guarantee: u128,
    pub(crate) own: u128,
    pub(crate) reserve: u128,
    pub(crate) liabilities: u128,
}

pub(crate) fn add(a: u128, b: Amount, what: &'static str) -> Result<u128, ReserveError> {
    a.checked_add(b.to_base_units())
        .ok_or(ReserveError::Overflow(what))
}

/// Aggregates holdings and liabilities per asset, in the order of
/// `inputs.assets`.
pub(crate) fn books(inputs: &Inputs) -> Result<Vec<AssetBook>, ReserveError> {
    let mut books: Vec<AssetBook> = inputs
        .assets
        .iter()
        .map(|a| AssetBook {
            symbol: a.symbol.clone(),
            ..AssetBook::default()
        })
        .collect();
    fn find<'b>(
        books: &'b mut [AssetBook],
        symbol: &str,
        context: &'static str,
    ) -> Result<&'b mut AssetBook, ReserveError> {
        books
            .iter_mut()
            .find(|b| b.symbol == symbol)
            .ok_or_else(|| ReserveError::UnknownAsset {
                symbol: symbol.to_owned(),
                context,
            })
    }
    for h in &inputs.holdings {
        let b = find(&mut books, &h.asset, "a holding")?;
        match h.owner {
            Owner::Customer => {
                b.customer = add(b.customer, h.quantity, "customer holdings")?;
                if !h.counts_as_cold() {
                    b.customer_non_cold =
                        add(b.customer_non_cold, h.quantity, "non-cold holdings")?;
                }
                if h.tier == Tier::Cold {
                    b.customer_cold_strict =
                        add(b.customer_cold_strict, h.quantity, "cold holdings")?;
                }
                if h.signing_vendor.is_some() {
                    b.customer_vendor = add(b.customer_vendor, h.quantity, "vendor holdings")?;
                }
            }
            Owner::Guarantee => b.guarantee = add(b.guarantee, h.quantity, "guarantee holdings")?,
            Owner::Own => b.own = add(b.own, h.quantity, "own holdings")?,
            Owner::Reserve => b.reserve = add(b.reserve, h.quantity, "reserve holdings")?,
        }
    }
    for (symbol, q) in &inputs.customer_liabilities {
        let b = find(&mut books, symbol, "a customer liability")?;
        b.liabilities = add(b.liabilities, *q, "customer liabilities")?;
    }
    Ok(books)
}

/// Values `base_units` of `symbol` in yen.
pub(crate) fn value(
    inputs: &Inputs,
    symbol: &str,
    base_units: u128,
    round: Round,
) -> Result<Yen, ReserveError> {
    let a = inputs
        .asset(symbol)
        .ok_or_else(|| ReserveError::UnknownAsset {
            symbol: symbol.to_owned(),
            context: "a valuation",
        })?;
    a.price_jpy
        .value_of(base_units, a.decimals, round)
        .ok_or(ReserveError::Overflow("a valuation in yen"))
}

pub(crate) fn sum(
    items: impl IntoIterator<Item = Yen>,
    what: &'static str,
) -> Result<Yen, ReserveError> {
    Yen::checked_sum(items).ok_or(ReserveError::Overflow(what))
}

/// `q ≥ rate × reference`, exactly.
fn qty_ge_rate(q: u128, rate: Rate, reference: u128) -> bool {
    U256::new(q) * U256::new(rate.den()) >= U256::new(rate.num()) * U256::new(reference)
}

/// A figure's provenance: the parameters it used and their weakest status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The policy the parameters come from.
    pub policy: String,
    /// The parameter keys used.
    pub params: Vec<&'static str>,
    /// The weakest status among them.
    pub basis: Basis,
}

impl Provenance {
    pub(crate) fn of(policy: &Policy, used: &Used) -> Provenance {
        Provenance::new(policy, used)
    }

    fn new(policy: &Policy, used: &Used) -> Provenance {
        Provenance {
            policy: policy.name().to_owned(),
            params: used.keys(),
            basis: used.basis(),
        }
    }
}

/// One in-force check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `A1` … `A5`.
    pub id: &'static str,
    /// What it tests.
    pub name: &'static str,
    /// Whether it passes.
    pub passes: bool,
    /// `compliant`, `non-compliant`, `illustrative: pass` …
    pub label: &'static str,
    /// Which parameters it used.
    pub provenance: Provenance,
    /// The figures.
    pub detail: CheckDetail,
}

/// The figures behind a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckDetail {
    /// A1: non-cold share of customer crypto in yen.
    NonColdShare {
        /// Non-cold customer crypto, valued rounding up.
        non_cold_jpy: Yen,
        /// All customer crypto, valued rounding down.
        customer_jpy: Yen,
        /// The share (absent with no customer crypto).
        share: Option<Ratio>,
        /// The limit.
        limit: Rate,
    },
    /// A2 / A3: a per-asset quantity test.
    PerAsset {
        /// One row per asset with something to test.
        rows: Vec<AssetRow>,
    },
    /// A4: trust vs fiat liabilities.
    Trust {
        /// Trust balance.
        trust_jpy: Yen,
        /// Required (ratio × fiat liabilities, rounded up).
        required_jpy: Yen,
    },
    /// A5: days since the last audit.
    AuditAge {
        /// Last audit.
        last_audit: Date,
        /// Days until the valuation date.
        days: i64,
        /// Maximum allowed.
        max_days: u32,
    },
}

/// One asset's row of a per-asset test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetRow {
    /// Asset symbol.
    pub asset: String,
    /// What is held for the test (base units).
    #[serde(serialize_with = "ser_amount")]
    pub held: Amount,
    /// What must be held before the ratio is applied (base units).
    #[serde(serialize_with = "ser_amount")]
    pub reference: Amount,
    /// Whether `held ≥ ratio × reference`.
    pub passes: bool,
}

/// Diagnostics (A6): reported, never pass/fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostics {
    /// Per-asset non-cold share of customer holdings (by quantity).
    pub non_cold_by_asset: Vec<(String, Option<Ratio>)>,
    /// Customer crypto (yen, rounded down) per signing vendor, largest first;
    /// holdings without a vendor are not listed.
    pub vendors: Vec<(String, Yen)>,
    /// The largest vendor's share of all customer crypto.
    pub largest_vendor_share: Option<Ratio>,
}

/// The in-force Japanese checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InForce {
    /// A1–A5.
    pub checks: Vec<Check>,
    /// A6.
    pub diagnostics: Diagnostics,
}

impl InForce {
    /// Whether every check passes.
    #[must_use]
    pub fn all_pass(&self) -> bool {
        self.checks.iter().all(|c| c.passes)
    }
}

/// Runs the in-force checks A1–A6 of regulation.md §6.2.
///
/// # Errors
///
/// A [`ReserveError`] for a policy that is not `jp-psa-segregation`, an
/// asset without a price, an overflow, or an audit after the valuation date.
pub fn in_force_checks(inputs: &Inputs, policy: &Policy) -> Result<InForce, ReserveError> {
    let params = policy.psa()?;
    let books = books(inputs)?;
    let mut checks = Vec::new();

    // A1: the aggregate yen test of 府令 Art. 27(2).
    let mut used = Used::new();
    let limit = used.read(&params.non_cold_limit);
    let mut non_cold = Vec::new();
    let mut total = Vec::new();
    for b in &books {
        non_cold.push(value(inputs, &b.symbol, b.customer_non_cold, Round::Up)?);
        total.push(value(inputs, &b.symbol, b.customer, Round::Down)?);
    }
    let non_cold_jpy = sum(non_cold, "non-cold customer crypto")?;
    let customer_jpy = sum(total, "customer crypto")?;
    let share = non_cold_jpy.ratio_to(customer_jpy);
    let passes = match share {
        Some(s) => s.le_rate(limit),
        None => non_cold_jpy == Yen::ZERO,
    };
    checks.push(check(
        "A1",
        "non-cold share of customer crypto (JPY, aggregate)",
        passes,
        policy,
        &used,
        CheckDetail::NonColdShare {
            non_cold_jpy,
            customer_jpy,
            share,
            limit,
        },
    ));

    // A2: performance-guarantee crypto per asset.
    let mut used = Used::new();
    let ratio = used.read(&params.guarantee_ratio);
    let rows: Vec<AssetRow> = books
        .iter()
        .filter(|b| b.customer_non_cold > 0 || b.guarantee > 0)
        .map(|b| AssetRow {
            asset: b.symbol.clone(),
            held: Amount::from_base_units(b.guarantee),
            reference: Amount::from_base_units(b.customer_non_cold),
            passes: qty_ge_rate(b.guarantee, ratio, b.customer_non_cold),
        })
        .collect();
    checks.push(check(
        "A2",
        "performance-guarantee crypto >= non-cold customer crypto, per asset",
        rows.iter().all(|r| r.passes),
        policy,
        &used,
        CheckDetail::PerAsset { rows },
    ));

    // A3: customer holdings against ledger liabilities per asset.
    let mut used = Used::new();
    let ratio = used.read(&params.segregation_ratio);
    let rows: Vec<AssetRow> = books
        .iter()
        .filter(|b| b.customer > 0 || b.liabilities > 0)
        .map(|b| AssetRow {
            asset: b.symbol.clone(),
            held: Amount::from_base_units(b.customer),
            reference: Amount::from_base_units(b.liabilities),
            passes: qty_ge_rate(b.customer, ratio, b.liabilities),
        })
        .collect();
    checks.push(check(
        "A3",
        "segregated customer crypto >= customer liabilities, per asset",
        rows.iter().all(|r| r.passes),
        policy,
        &used,
        CheckDetail::PerAsset { rows },
    ));

    // A4: trust.
    let mut used = Used::new();
    let ratio = used.read(&params.trust_ratio);
    let required_jpy = inputs
        .customer_fiat_liabilities_jpy
        .mul_rate(ratio, Round::Up)
        .ok_or(ReserveError::Overflow("trust requirement"))?;
    checks.push(check(
        "A4",
        "customer-segregation trust >= customer fiat liabilities",
        inputs.trust_balance_jpy >= required_jpy,
        policy,
        &used,
        CheckDetail::Trust {
            trust_jpy: inputs.trust_balance_jpy,
            required_jpy,
        },
    ));

    // A5: audit currency.
    let mut used = Used::new();
    let max_days = used.read(&params.audit_max_days);
    let days = inputs
        .last_segregation_audit
        .days_until(inputs.valuation_date);
    if days < 0 {
        return Err(ReserveError::AuditAfterValuation {
            audit: inputs.last_segregation_audit,
            valuation: inputs.valuation_date,
        });
    }
    checks.push(check(
        "A5",
        "days since the last segregation audit",
        days <= i64::from(max_days),
        policy,
        &used,
        CheckDetail::AuditAge {
            last_audit: inputs.last_segregation_audit,
            days,
            max_days,
        },
    ));

    // A6: diagnostics.
    let non_cold_by_asset = books
        .iter()
        .filter(|b| b.customer > 0)
        .map(|b| {
            (
                b.symbol.clone(),
                Ratio::new(b.customer_non_cold, b.customer),
            )
        })
        .collect();
    // Per vendor, quantities summed per asset before valuation.
    let mut per: Vec<(&str, &str, u128)> = Vec::new();
    for h in &inputs.holdings {
        let (Owner::Customer, Some(v)) = (h.owner, &h.signing_vendor) else {
            continue;
        };
        match per.iter_mut().find(|(n, a, _)| n == v && *a == h.asset) {
            Some((_, _, q)) => *q = add(*q, h.quantity, "vendor total")?,
            None => per.push((v, &h.asset, h.quantity.to_base_units())),
        }
    }
    let mut vendors: Vec<(String, Yen)> = Vec::new();
    for (v, a, q) in per {
        let y = value(inputs, a, q, Round::Down)?;
        match vendors.iter_mut().find(|(n, _)| n == v) {
            Some((_, acc)) => {
                *acc = acc
                    .checked_add(y)
                    .ok_or(ReserveError::Overflow("vendor total"))?;
            }
            None => vendors.push((v.to_owned(), y)),
        }
    }
    vendors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let largest_vendor_share = vendors.first().and_then(|(_, y)| y.ratio_to(customer_jpy));
    Ok(InForce {
        checks,
        diagnostics: Diagnostics {
            non_cold_by_asset,
            vendors,
            largest_vendor_share,
        },
    })
}

fn check(
    id: &'static str,
    name: &'static str,
    passes: bool,
    policy: &Policy,
    used: &Used,
    detail: CheckDetail,
) -> Check {
    let provenance = Provenance::new(policy, used);
    Check {
        id,
        name,
        passes,
        label: provenance.basis.label(passes),
        provenance,
        detail,
    }
}

/// One volume category's contribution to `R_vol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeTerm {
    /// Category.
    pub category: VolumeCategory,
    /// The first fiscal year averaged over: the window's first, or the
    /// first year of operation when later.
    pub first_year: i32,
    /// The last (the latest year in the inputs).
    pub last_year: i32,
    /// The number of years divided by, `last − first + 1`; a year without
    /// a figure for the category counts as zero.
    #[serde(serialize_with = "ser_u128")]
    pub divisor: u128,
    /// Their total volume.
    pub total_jpy: Yen,
    /// The rate.
    pub rate: Rate,
    /// `ceil(rate × total ÷ divisor)`.
    pub amount_jpy: Yen,
}

/// One insurance policy's eligibility for the credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InsuranceLine {
    /// Insurer.
    pub insurer: String,
    /// Whether term and notice meet the minimums.
    pub eligible: bool,
    /// Why not, if not.
    pub reason: Option<String>,
    /// Rating haircut applied.
    pub haircut: Rate,
    /// Customer crypto in the tiers it covers (rounded down).
    pub covered_exposure_jpy: Yen,
    /// `haircut × (1 − coinsurance) × min(limit − retention, exposure)`,
    /// rounded down; zero when not eligible.
    pub eligible_jpy: Yen,
}

/// Where the requirement falls against the reported ¥2–40 bn band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BandPosition {
    /// Below the low end.
    Below,
    /// Within.
    Within,
    /// Above the high end.
    Above,
}

/// The proposed liability reserve of regulation.md §6.3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The volume term per category.
    pub volume_terms: Vec<VolumeTerm>,
    /// `R_vol`.
    pub r_vol_jpy: Yen,
    /// Cold customer crypto (valued up).
    pub cold_customer_jpy: Yen,
    /// Non-cold customer crypto not backed by guarantee crypto of the same
    /// asset (valued up).
    pub unbacked_non_cold_jpy: Yen,
    /// Customer crypto on a vendor's signing path (valued up).
    pub vendor_customer_jpy: Yen,
    /// `R_cust`.
    pub r_cust_jpy: Yen,
    /// The largest incident loss within the lookback.
    pub largest_recent_incident_jpy: Yen,
    /// `R_inc`.
    pub r_inc_jpy: Yen,
    /// `R_vol + R_cust + R_inc` before floor / cap.
    pub r_sum_jpy: Yen,
    /// `R_required` (after floor / cap).
    pub required_jpy: Yen,
    /// Per-policy insurance eligibility.
    pub insurance: Vec<InsuranceLine>,
    /// Sum of eligible insurance.
    pub insurance_eligible_jpy: Yen,
    /// The cap `s_max × R_required` (rounded down).
    pub insurance_cap_jpy: Yen,
    /// `min(eligible, cap)`.
    pub insurance_credit_jpy: Yen,
    /// `R_required − credit`: the reserve funds required ("cash reserve"
    /// in regulation.md §6.3), met by cash and weighted reserve crypto.
    pub cash_required_jpy: Yen,
    /// The current reserve balance (cash).
    pub reserve_balance_jpy: Yen,
    /// Crypto earmarked for the reserve (owner `reserve`), valued down.
    pub reserve_crypto_jpy: Yen,
    /// The weight it counts at (`haircut_reserve_crypto`); absent when
    /// there is no reserve crypto (the parameter is then not used).
    pub reserve_crypto_weight: Option<Rate>,
    /// `weight × reserve crypto`, rounded down.
    pub reserve_crypto_counted_jpy: Yen,
    /// Cash balance + counted reserve crypto.
    pub reserve_held_jpy: Yen,
    /// `max(0, required − held)`.
    pub shortfall_jpy: Yen,
    /// `max(0, held − required)`.
    pub surplus_jpy: Yen,
    /// Band (low, high).
    pub band_jpy: (Yen, Yen),
    /// Where `R_required` falls.
    pub band_position: BandPosition,
    /// The basis of the band (press reports in the shipped policy).
    pub band_basis: Basis,
    /// Whether the balance meets the cash requirement.
    pub passes: bool,
    /// The label.
    pub label: &'static str,
    /// Parameters used.
    pub provenance: Provenance,
}

impl Requirement {
    /// The deciding figures next to the verdict, in one line: the cash part
    /// required (the requirement less the insurance credit) against the
    /// reserve funds held (cash, plus reserve crypto at its weight), which
    /// is what the engine compares (`passes` is `held ≥ cash part`).
    #[must_use]
    pub fn verdict_line(&self) -> String {
        let held = match self.reserve_crypto_weight {
            Some(w) => format!(
                "cash ¥{} + reserve crypto ¥{} counted at {w}",
                self.reserve_balance_jpy, self.reserve_crypto_counted_jpy
            ),
            None => format!("cash ¥{}", self.reserve_balance_jpy),
        };
        let gap = if self.shortfall_jpy > Yen::ZERO {
            format!(", short by ¥{}", self.shortfall_jpy)
        } else {
            String::new()
        };
        format!(
            "cash part required ¥{} (¥{} required − ¥{} insurance credit) vs held ¥{} ({held}){gap}: {}",
            self.cash_required_jpy,
            self.required_jpy,
            self.insurance_credit_jpy,
            self.reserve_held_jpy,
            self.label
        )
    }
}

/// Computes the proposed liability reserve (regulation.md §6.3).
///
/// # Errors
///
/// A [`ReserveError`] for a policy that is not `jp-liability-reserve`, an
/// asset without a price, or an overflow.
pub fn requirement(inputs: &Inputs, policy: &Policy) -> Result<Requirement, ReserveError> {
    let params = policy.liability_reserve()?;
    let books = books(inputs)?;
    let mut used = Used::new();
    let ovf = ReserveError::Overflow;

    // R_vol: the mean annual volume over the lookback window of N fiscal
    // years ending at the latest year in the inputs, times the category
    // rate. A year without a figure for a category counts as zero; only an
    // exchange that has operated fewer than N years (since
    // `first_fiscal_year`, or the earliest year with any volume) divides by
    // its years of operation instead.
    let lookback = used.read(&params.lookback_years);
    let latest = inputs.volumes.iter().map(|v| v.year).max();
    let mut volume_terms = Vec::new();
    if let Some(latest) = latest {
        // In i64: no overflow for any year or lookback; lookback 0 is an empty window.
        let window_first = i64::from(latest) - i64::from(lookback) + 1;
        let operating_first = inputs
            .first_fiscal_year
            .or_else(|| inputs.volumes.iter().map(|v| v.year).min())
            .map_or(window_first, i64::from);
        let first = window_first.max(operating_first);
        // The divisor: the years from `first` to `latest` (none if empty).
        let n = i64::from(latest) - first + 1;
        for (_, cat) in VolumeCategory::ALL {
            let mut total = Yen::ZERO;
            let mut any = false;
            for v in inputs
                .volumes
                .iter()
                .filter(|v| v.category == cat && i64::from(v.year) >= first && v.year <= latest)
            {
                total = total.checked_add(v.jpy).ok_or(ovf("volume total"))?;
                any = true;
            }
            if !any || n < 1 {
                continue;
            }
            let rate = used.read(params.volume_rate(cat));
            let n = u128::try_from(n).map_err(|_| ovf("year count"))?;
            let amount = crate::num::mul_div(
                U256::new(total.get()),
                U256::new(rate.num()),
                U256::new(rate.den()) * U256::new(n),
                Round::Up,
            )
            .map(Yen::new)
            .ok_or(ovf("volume term"))?;
            volume_terms.push(VolumeTerm {
                category: cat,
                first_year: i32::try_from(first).unwrap_or(latest),
                last_year: latest,
                divisor: n,
                total_jpy: total,
                rate,
                amount_jpy: amount,
            });
        }
    }
    let r_vol_jpy = sum(volume_terms.iter().map(|t| t.amount_jpy), "R_vol")?;

    // R_cust.
    let mut cold = Vec::new();
    let mut unbacked = Vec::new();
    let mut vendor = Vec::new();
    for b in &books {
        // Never saturates: non-cold holdings are part of the customer total.
        let cold_q = b.customer.saturating_sub(b.customer_non_cold);
        cold.push(value(inputs, &b.symbol, cold_q, Round::Up)?);
        let gap = b.customer_non_cold.saturating_sub(b.guarantee);
        unbacked.push(value(inputs, &b.symbol, gap, Round::Up)?);
        vendor.push(value(inputs, &b.symbol, b.customer_vendor, Round::Up)?);
    }
    let cold_customer_jpy = sum(cold, "cold customer crypto")?;
    let unbacked_non_cold_jpy = sum(unbacked, "unbacked non-cold crypto")?;
    let vendor_customer_jpy = sum(vendor, "vendor crypto")?;
    let a_cold = used.read(&params.alpha_cold);
    let a_hot = used.read(&params.alpha_hot);
    let a_vendor = used.read(&params.alpha_vendor);
    let r_cust_jpy = sum(
        [
            cold_customer_jpy
                .mul_rate(a_cold, Round::Up)
                .ok_or(ovf("R_cust"))?,
            unbacked_non_cold_jpy
                .mul_rate(a_hot, Round::Up)
                .ok_or(ovf("R_cust"))?,
            vendor_customer_jpy
                .mul_rate(a_vendor, Round::Up)
                .ok_or(ovf("R_cust"))?,
        ],
        "R_cust",
    )?;

    // R_inc: β × the largest loss within the lookback.
    let beta = used.read(&params.beta);
    let since = inputs.valuation_date.minus_years(lookback);
    let largest_recent_incident_jpy = inputs
        .incidents
        .iter()
        .filter(|i| since.is_none_or(|s| i.date > s) && i.date <= inputs.valuation_date)
        .map(|i| i.loss_jpy)
        .max()
        .unwrap_or(Yen::ZERO);
    let r_inc_jpy = largest_recent_incident_jpy
        .mul_rate(beta, Round::Up)
        .ok_or(ovf("R_inc"))?;

    let r_sum_jpy = sum([r_vol_jpy, r_cust_jpy, r_inc_jpy], "R_required")?;
    let mut required_jpy = r_sum_jpy;
    if let Some(floor) = used.read(&params.floor_jpy) {
        required_jpy = required_jpy.max(floor);
    }
    if let Some(cap) = used.read(&params.cap_jpy) {
        required_jpy = required_jpy.min(cap);
    }

    // Insurance credit.
    let mut insurance = Vec::new();
    for p in &inputs.insurance {
        // Read inside the loop: without insurance these are not used.
        let min_term = used.read(&params.insurance_min_term_days);
        let min_notice = used.read(&params.insurance_min_notice_days);
        let mut reasons = Vec::new();
        if p.term_days < min_term {
            reasons.push(format!("term {} days < {min_term}", p.term_days));
        }
        if p.cancel_notice_days < min_notice {
            reasons.push(format!(
                "cancellation notice {} days < {min_notice}",
                p.cancel_notice_days
            ));
        }
        let haircut = if p.is_a_or_better() {
            used.read(&params.haircut_a_or_better)
        } else {
            used.read(&params.haircut_below_a)
        };
        let covered_exposure_jpy = covered_customer_value(inputs, &p.covers)?;
        let eligible = reasons.is_empty();
        let eligible_jpy = if eligible {
            let net = p
                .limit_jpy
                .excess_over(p.retention_jpy)
                .min(covered_exposure_jpy);
            let keep = p.coinsurance.complement().ok_or(ovf("coinsurance"))?;
            net.mul_rate(keep, Round::Down)
                .and_then(|y| y.mul_rate(haircut, Round::Down))
                .ok_or(ovf("insurance"))?
        } else {
            Yen::ZERO
        };
        insurance.push(InsuranceLine {
            insurer: p.insurer.clone(),
            eligible,
            reason: (!eligible).then(|| reasons.join("; ")),
            haircut,
            covered_exposure_jpy,
            eligible_jpy,
        });
    }
    let insurance_eligible_jpy = sum(insurance.iter().map(|l| l.eligible_jpy), "insurance")?;
    let s_max = used.read(&params.s_max);
    let insurance_cap_jpy = required_jpy
        .mul_rate(s_max, Round::Down)
        .ok_or(ovf("insurance cap"))?;
    let insurance_credit_jpy = insurance_eligible_jpy.min(insurance_cap_jpy);
    let cash_required_jpy = required_jpy.excess_over(insurance_credit_jpy);
    let mut rc = Vec::new();
    for b in &books {
        rc.push(value(inputs, &b.symbol, b.reserve, Round::Down)?);
    }
    let reserve_crypto_jpy = sum(rc, "reserve crypto")?;
    let reserve_crypto_weight =
        (reserve_crypto_jpy > Yen::ZERO).then(|| used.read(&params.haircut_reserve_crypto));
    let reserve_crypto_counted_jpy = match reserve_crypto_weight {
        Some(w) => reserve_crypto_jpy
            .mul_rate(w, Round::Down)
            .ok_or(ovf("reserve crypto"))?,
        None => Yen::ZERO,
    };
    let reserve_held_jpy = sum(
        [inputs.reserve_balance_jpy, reserve_crypto_counted_jpy],
        "reserve held",
    )?;
    let shortfall_jpy = cash_required_jpy.excess_over(reserve_held_jpy);
    let surplus_jpy = reserve_held_jpy.excess_over(cash_required_jpy);

    // The band is a reported position, not part of the pass: its press
    // status does not enter the requirement's label.
    let mut band_used = Used::new();
    let low = band_used.read(&params.band_low_jpy);
    let high = band_used.read(&params.band_high_jpy);
    let band_basis = band_used.basis();
    let band_position = if required_jpy < low {
        BandPosition::Below
    } else if required_jpy > high {
        BandPosition::Above
    } else {
        BandPosition::Within
    };
    let passes = shortfall_jpy == Yen::ZERO;
    let provenance = Provenance::new(policy, &used);
    Ok(Requirement {
        volume_terms,
        r_vol_jpy,
        cold_customer_jpy,
        unbacked_non_cold_jpy,
        vendor_customer_jpy,
        r_cust_jpy,
        largest_recent_incident_jpy,
        r_inc_jpy,
        r_sum_jpy,
        required_jpy,
        insurance,
        insurance_eligible_jpy,
        insurance_cap_jpy,
        insurance_credit_jpy,
        cash_required_jpy,
        reserve_balance_jpy: inputs.reserve_balance_jpy,
        reserve_crypto_jpy,
        reserve_crypto_weight,
        reserve_crypto_counted_jpy,
        reserve_held_jpy,
        shortfall_jpy,
        surplus_jpy,
        band_jpy: (low, high),
        band_position,
        band_basis,
        passes,
        label: provenance.basis.label(passes),
        provenance,
    })
}

/// Customer crypto in the given tiers, valued rounding down (a resource
/// bound for insurance).
fn covered_customer_value(inputs: &Inputs, tiers: &[Tier]) -> Result<Yen, ReserveError> {
    let mut out = Yen::ZERO;
    for a in &inputs.assets {
        let mut q: u128 = 0;
        for h in inputs.holdings.iter().filter(|h| {
            h.asset == a.symbol && h.owner == Owner::Customer && tiers.contains(&h.tier)
        }) {
            q = add(q, h.quantity, "covered holdings")?;
        }
        out = out
            .checked_add(value(inputs, &a.symbol, q, Round::Down)?)
            .ok_or(ReserveError::Overflow("covered holdings"))?;
    }
    Ok(out)
}

/// MiCA Art. 67 own funds, as a comparator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mica {
    /// Annex IV class.
    pub class: u8,
    /// Permanent minimum capital in euro.
    pub k_min_eur: u128,
    /// The same in yen at the input FX rate (rounded up).
    pub k_min_jpy: Yen,
    /// `k_overheads × fixed overheads` (rounded up).
    pub overheads_term_jpy: Yen,
    /// The higher of the two.
    pub required_jpy: Yen,
    /// Own funds (net assets).
    pub own_funds_jpy: Yen,
    /// Insurance meeting Art. 67(5) term / notice (limit − retention, net of
    /// coinsurance, rounded down).
    pub eligible_insurance_jpy: Yen,
    /// Whether own funds + eligible insurance ≥ required (Art. 67(4)).
    pub passes: bool,
    /// The label.
    pub label: &'static str,
    /// Parameters used.
    pub provenance: Provenance,
}

/// Computes the MiCA Art. 67 comparator.
///
/// # Errors
///
/// A [`ReserveError`] for a policy that is not `eu-mica-art67`, no EUR FX
/// rate, or an overflow.
pub fn mica(inputs: &Inputs, policy: &Policy) -> Result<Mica, ReserveError> {
    let params = policy.mica()?;
    let mut used = Used::new();
    let k_min_eur = used.read(params.k_min_eur(inputs.mica_class)).get();
    let eur = inputs
        .fx
        .iter()
        .find(|f| f.currency == "EUR")
        .ok_or(ReserveError::MissingFx {
            currency: "EUR",
            needed_by: "MiCA Art. 67",
        })?;
    let k_min_jpy = eur
        .jpy_per_unit
        .value_of(k_min_eur, 0, Round::Up)
        .ok_or(ReserveError::Overflow("MiCA minimum capital"))?;
    let k = used.read(&params.k_overheads);
    let overheads_term_jpy = inputs
        .capital
        .fixed_overheads_prev_year_jpy
        .mul_rate(k, Round::Up)
        .ok_or(ReserveError::Overflow("MiCA overheads term"))?;
    let required_jpy = k_min_jpy.max(overheads_term_jpy);
    let min_term = used.read(&params.insurance_min_term_days);
    let min_notice = used.read(&params.insurance_min_notice_days);
    let mut eligible = Vec::new();
    for p in inputs
        .insurance
        .iter()
        .filter(|p| p.term_days >= min_term && p.cancel_notice_days >= min_notice)
    {
        let keep = p
            .coinsurance
            .complement()
            .ok_or(ReserveError::Overflow("coinsurance"))?;
        eligible.push(
            p.limit_jpy
                .excess_over(p.retention_jpy)
                .mul_rate(keep, Round::Down)
                .ok_or(ReserveError::Overflow("insurance"))?,
        );
    }
    let eligible_insurance_jpy = sum(eligible, "MiCA insurance")?;
    let held = sum(
        [inputs.capital.net_assets_jpy, eligible_insurance_jpy],
        "MiCA own funds",
    )?;
    let passes = held >= required_jpy;
    let provenance = Provenance::new(policy, &used);
    Ok(Mica {
        class: inputs.mica_class,
        k_min_eur,
        k_min_jpy,
        overheads_term_jpy,
        required_jpy,
        own_funds_jpy: inputs.capital.net_assets_jpy,
        eligible_insurance_jpy,
        passes,
        label: provenance.basis.label(passes),
        provenance,
    })
}

/// Hong Kong SFC cover (50% cold, 100% hot and other), as a comparator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HongKong {
    /// Customer crypto in the `cold` tier (valued up).
    pub cold_jpy: Yen,
    /// Customer crypto in every other tier (valued up).
    pub hot_other_jpy: Yen,
    /// `cover_cold × cold + cover_hot_other × hot/other` (rounded up).
    pub cover_required_jpy: Yen,
    /// Insurance (limit − retention, net of coinsurance) plus the reserve
    /// balance, as funds set aside (rounded down).
    pub cover_held_jpy: Yen,
    /// Whether held ≥ required.
    pub passes: bool,
    /// Cold share of customer crypto, `cold ÷ (cold + other)` of the
    /// figures above.
    pub cold_share: Option<Ratio>,
    /// Whether the cold share meets `cold_min_share`.
    pub cold_share_passes: bool,
    /// The label of the cover test.
    pub label: &'static str,
    /// Parameters used.
    pub provenance: Provenance,
}

/// Computes the Hong Kong cover comparator.
///
/// # Errors
///
/// A [`ReserveError`] for a policy that is not `hk-sfc-cover`, an asset
/// without a price, or an overflow.
pub fn hong_kong(inputs: &Inputs, policy: &Policy) -> Result<HongKong, ReserveError> {
    let params = policy.hk_cover()?;
    let books = books(inputs)?;
    let mut used = Used::new();
    let mut cold = Vec::new();
    let mut other = Vec::new();
    for b in &books {
        cold.push(value(inputs, &b.symbol, b.customer_cold_strict, Round::Up)?);
        other.push(value(
            inputs,
            &b.symbol,
            // Never saturates: cold holdings are part of the customer total.
            b.customer.saturating_sub(b.customer_cold_strict),
            Round::Up,
        )?);
    }
    let cold_jpy = sum(cold, "HK cold")?;
    let hot_other_jpy = sum(other, "HK hot/other")?;
    let c = used.read(&params.cover_cold);
    let h = used.read(&params.cover_hot_other);
    let cover_required_jpy = sum(
        [
            cold_jpy
                .mul_rate(c, Round::Up)
                .ok_or(ReserveError::Overflow("HK cover"))?,
            hot_other_jpy
                .mul_rate(h, Round::Up)
                .ok_or(ReserveError::Overflow("HK cover"))?,
        ],
        "HK cover",
    )?;
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
    let cover_held_jpy = sum(held, "HK cover held")?;
    let passes = cover_held_jpy >= cover_required_jpy;
    let min_share = used.read(&params.cold_min_share);
    let total = cold_jpy
        .checked_add(hot_other_jpy)
        .ok_or(ReserveError::Overflow("HK total"))?;
    let cold_share = cold_jpy.ratio_to(total);
    let cold_share_passes = cold_share.is_none_or(|s| min_share.as_ratio().le(s));
    let provenance = Provenance::new(policy, &used);
    Ok(HongKong {
        cold_jpy,
        hot_other_jpy,
        cover_required_jpy,
        cover_held_jpy,
        passes,
        cold_share,
        cold_share_passes,
        label: provenance.basis.label(passes),
        provenance,
    })
}
