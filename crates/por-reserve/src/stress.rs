//! Stress scenarios (regulation.md §6.4) and the funding waterfall.
//!
//! A scenario is a data file (`scenarios/*.toml`) of shocks applied to the
//! exchange's holdings at the time of loss; an overlay modifies every
//! scenario it is combined with (a price move before compensation, a parent
//! that cannot help). The loss is funded in order: reserve balance →
//! insurance that responds (net of exclusions and retention) → excess
//! capital → parent support → a haircut on customers.
//!
//! Every figure is exact integer yen; losses and costs round up, resources
//! round down. Scenario outputs are modelling results and are always
//! labelled illustrative.

use core::fmt;

use serde::Serialize;

use por_tree::amount::Amount;

use crate::engine::{in_force_checks, ser_amount, value, Requirement, ReserveError};
use crate::fields::{check_format, one_of, parse_tree, FieldError, Obj, Syntax};
use crate::inputs::{Holding, Inputs, Owner, Peril, Tier, TIER_NAMES};
use crate::num::{Rate, Ratio, Round, SignedRate, Yen};
use crate::policy::Policy;

/// The `format` value of a scenario file.
pub const SCENARIO_FORMAT: &str = "por-reserve-scenario";
/// The only scenario format version this build reads.
pub const SCENARIO_VERSION: u32 = 1;

/// How customers are compensated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Compensation {
    /// The lost quantity is bought back and returned (Bitpoint, DMM, Bybit).
    InKind,
    /// Paid in yen at a post-event price, a factor of the value at loss
    /// (Coincheck: 0.80).
    FiatAtPostEventPrice,
    /// The uncovered loss is spread over customers without parent support
    /// (Bitfinex, WazirX).
    Socialised,
}

/// Which asset a holdings shock hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AssetSelector {
    /// Every asset.
    All,
    /// The asset with the largest matched value.
    Largest,
    /// The asset with the largest value held entirely in the shock's tiers
    /// (every holding of it, any owner, is in one of them: Coincheck's XEM
    /// was held entirely hot); if no asset is, the one with the largest
    /// matched value. The result says which rule applied.
    LargestEntirelyInTiers,
    /// One named asset.
    Symbol(String),
}

/// Which signing vendor a holdings shock hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VendorSelector {
    /// Any holding, with or without a vendor.
    Any,
    /// The holdings of the vendor signing the largest value.
    Largest,
    /// One named vendor.
    Named(String),
}

/// What a fraction applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FractionBasis {
    /// The matched holdings themselves.
    Matched,
    /// All holdings of the hit asset (every tier and owner); the loss is
    /// taken from the matched holdings, at most all of them.
    AssetAllTiers,
}

/// One shock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Shock {
    /// A fraction of selected holdings is lost.
    Holdings {
        /// Owners hit (all if empty).
        owners: Vec<Owner>,
        /// Tiers hit (all if empty).
        tiers: Vec<Tier>,
        /// Asset selector.
        asset: AssetSelector,
        /// Vendor selector.
        vendor: VendorSelector,
        /// Fraction lost.
        fraction: Rate,
        /// What the fraction applies to.
        basis: FractionBasis,
    },
    /// A fraction of customer fiat is missing from the trust.
    FiatGap {
        /// Fraction of customer fiat liabilities.
        fraction: Rate,
    },
    /// A ledger credits customers far more of one asset than is held, and
    /// part of the phantom credit is sold before the error is stopped
    /// (Bithumb 2026). What was sold is a shortfall the exchange must buy
    /// back; it is taken from the customers' holdings of the asset.
    LedgerOvercredit {
        /// Which asset (`largest` = the largest value held, any owner).
        asset: AssetSelector,
        /// The credit as a multiple of all holdings of the asset.
        multiple: Rate,
        /// The share of the credit sold before it was stopped.
        sold_fraction: Rate,
        /// The minutes it ran in the anchor before it was stopped.
        observed_minutes: u32,
    },
    /// Customer crypto routed through one partner's API is taken
    /// (SwissBorg 2025, a staking partner): `fraction` of the routes of the
    /// partner selected.
    Partner {
        /// Which partner (`largest` = the largest value routed).
        partner: VendorSelector,
        /// Fraction lost.
        fraction: Rate,
    },
    /// A fixed loss in yen (a historical replay).
    FixedJpy {
        /// The loss.
        loss_jpy: Yen,
        /// The customers' share of it.
        customer_share: Rate,
        /// The tier it is attributed to (for insurance cover).
        tier: Tier,
    },
}

/// Withdrawals in the days after the event (Bybit: a third of assets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunOffSpec {
    /// Fraction of customer crypto withdrawn.
    pub fraction: Rate,
    /// Over how many hours.
    pub hours: u32,
}

/// A scenario or an overlay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    /// `S1` … `S8`, `O1`, `O2`, or a custom id.
    pub id: String,
    /// Whether this is an overlay.
    pub overlay: bool,
    /// For an overlay: also run it on its own.
    pub standalone: bool,
    /// Name.
    pub name: String,
    /// The historical anchor.
    pub anchor: String,
    /// Sources.
    pub sources: Vec<String>,
    /// Perils (matched against insurance exclusions).
    pub perils: Vec<Peril>,
    /// Compensation mode.
    pub compensation: Compensation,
    /// Price factor for `fiat_at_post_event_price`.
    pub price_factor: Rate,
    /// Price change between loss and compensation (overlay O1).
    pub price_change: Option<SignedRate>,
    /// Whether the parent can support (false for O2).
    pub parent_support: bool,
    /// Whether the exchange is insolvent: pre-existing segregation gaps
    /// become customer losses (O2).
    pub insolvency: bool,
    /// Whether a crypto custody insurance may respond (false for a ledger
    /// error, S9, which is no theft of custody).
    pub insured: bool,
    /// The shocks.
    pub shocks: Vec<Shock>,
    /// Run-off liquidity test.
    pub run_off: Option<RunOffSpec>,
}

impl Scenario {
    /// Parses a scenario or overlay file.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] naming the field.
    pub fn from_toml_str(text: &str) -> Result<Scenario, FieldError> {
        let tree = parse_tree(text, Syntax::Toml)?;
        let mut o = Obj::new("", &tree);
        check_format(&mut o, SCENARIO_FORMAT, SCENARIO_VERSION)?;
        let id = o.req_str("id")?.to_owned();
        let overlay = one_of(
            &o.path_of("kind"),
            o.req_str("kind")?,
            &[("scenario", false), ("overlay", true)],
        )?;
        let standalone = o.opt_bool("standalone")?.unwrap_or(false);
        let name = o.req_str("name")?.to_owned();
        let anchor = o.req_str("anchor")?.to_owned();
        let sources = o
            .str_list("sources")?
            .into_iter()
            .map(|(_, s)| s.to_owned())
            .collect();
        let mut perils = Vec::new();
        for (p, s) in o.str_list("perils")? {
            perils.push(one_of(&p, s, &Peril::ALL)?);
        }
        let compensation = match o.opt_str("compensation")? {
            None => Compensation::InKind,
            Some(s) => one_of(
                &o.path_of("compensation"),
                s,
                &[
                    ("in_kind", Compensation::InKind),
                    (
                        "fiat_at_post_event_price",
                        Compensation::FiatAtPostEventPrice,
                    ),
                    ("socialised", Compensation::Socialised),
                ],
            )?,
        };
        let price_factor = o.opt_rate("price_factor")?.unwrap_or(Rate::ONE);
        let price_change = o.opt_signed_rate("price_change")?;
        if let Some(c) = price_change {
            if c.one_plus().is_none() {
                return Err(FieldError::invalid(
                    o.path_of("price_change"),
                    c.to_string(),
                    "a change above -100%",
                ));
            }
        }
        let parent_support = o.opt_bool("parent_support")?.unwrap_or(true);
        let insolvency = o.opt_bool("insolvency")?.unwrap_or(false);
        let insured = o.opt_bool("insured")?.unwrap_or(true);
        let mut shocks = Vec::new();
        for mut s in o.arr("shocks")? {
            let kind = s.req_str("kind")?;
            let kind_path = s.path_of("kind");
            let shock = match kind {
                "holdings" => {
                    let mut owners = Vec::new();
                    for (p, v) in s.str_list("owners")? {
                        owners.push(one_of(&p, v, &Owner::ALL)?);
                    }
                    let mut tiers = Vec::new();
                    for (p, v) in s.str_list("tiers")? {
                        tiers.push(one_of(&p, v, &TIER_NAMES)?);
                    }
                    let asset = match s.opt_str("asset")? {
                        None | Some("all") => AssetSelector::All,
                        Some("largest") => AssetSelector::Largest,
                        Some("largest_entirely_in_tiers") => AssetSelector::LargestEntirelyInTiers,
                        Some(sym) => AssetSelector::Symbol(sym.to_owned()),
                    };
                    let vendor = match s.opt_str("vendor")? {
                        None | Some("any") => VendorSelector::Any,
                        Some("largest") => VendorSelector::Largest,
                        Some(v) => VendorSelector::Named(v.to_owned()),
                    };
                    let fraction = fraction(&mut s, "fraction")?;
                    let basis = match s.opt_str("basis")? {
                        None => FractionBasis::Matched,
                        Some(b) => one_of(
                            &s.path_of("basis"),
                            b,
                            &[
                                ("matched", FractionBasis::Matched),
                                ("asset_all_tiers", FractionBasis::AssetAllTiers),
                            ],
                        )?,
                    };
                    Shock::Holdings {
                        owners,
                        tiers,
                        asset,
                        vendor,
                        fraction,
                        basis,
                    }
                }
                "ledger_overcredit" => Shock::LedgerOvercredit {
                    asset: match s.opt_str("asset")? {
                        None | Some("largest") => AssetSelector::Largest,
                        Some(sym) => AssetSelector::Symbol(sym.to_owned()),
                    },
                    multiple: s.req_rate("multiple")?,
                    sold_fraction: fraction(&mut s, "sold_fraction")?,
                    observed_minutes: match s.req_u32("observed_minutes")? {
                        0 => {
                            return Err(FieldError::invalid(
                                s.path_of("observed_minutes"),
                                "0",
                                "at least one minute",
                            ))
                        }
                        m => m,
                    },
                },
                "partner" => Shock::Partner {
                    partner: match s.opt_str("partner")? {
                        None | Some("largest") => VendorSelector::Largest,
                        Some(n) => VendorSelector::Named(n.to_owned()),
                    },
                    fraction: fraction(&mut s, "fraction")?,
                },
                "fiat_gap" => Shock::FiatGap {
                    fraction: fraction(&mut s, "fraction")?,
                },
                "fixed_jpy" => Shock::FixedJpy {
                    loss_jpy: s.req_yen("loss_jpy")?,
                    customer_share: fraction(&mut s, "customer_share")?,
                    tier: match s.opt_str("tier")? {
                        None => Tier::Hot,
                        Some(t) => one_of(&s.path_of("tier"), t, &TIER_NAMES)?,
                    },
                },
                other => {
                    return Err(FieldError::invalid(
                        kind_path,
                        format!("{other:?}"),
                        "one of holdings, ledger_overcredit, partner, fiat_gap, fixed_jpy",
                    ))
                }
            };
            s.finish()?;
            shocks.push(shock);
        }
        let run_off = match o.opt_obj("run_off")? {
            None => None,
            Some(mut r) => {
                let spec = RunOffSpec {
                    fraction: fraction(&mut r, "fraction")?,
                    hours: r.req_u32("hours")?,
                };
                r.finish()?;
                Some(spec)
            }
        };
        o.finish()?;
        Ok(Scenario {
            id,
            overlay,
            standalone,
            name,
            anchor,
            sources,
            perils,
            compensation,
            price_factor,
            price_change,
            parent_support,
            insolvency,
            insured,
            shocks,
            run_off,
        })
    }
}

fn fraction(o: &mut Obj<'_>, key: &str) -> Result<Rate, FieldError> {
    let r = o.req_rate(key)?;
    if r.is_at_most_one() {
        Ok(r)
    } else {
        Err(FieldError::invalid(
            o.path_of(key),
            r.to_string(),
            "a fraction between 0% and 100%",
        ))
    }
}

/// One asset's lost quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostLine {
    /// Asset.
    pub asset: String,
    /// Owner.
    pub owner: Owner,
    /// Tier.
    pub tier: Tier,
    /// Quantity lost (base units).
    #[serde(serialize_with = "ser_amount")]
    pub quantity: Amount,
    /// Its value at the time of loss (rounded up).
    pub value_jpy: Yen,
}

/// How one insurance policy responds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// Insurer.
    pub insurer: String,
    /// Whether it responds.
    pub responds: bool,
    /// Why not.
    pub reason: Option<String>,
    /// `(1 − coinsurance) × min(max(0, crypto loss − retention), limit −
    /// retention)`.
    pub payout_jpy: Yen,
}

/// The funding waterfall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waterfall {
    /// From the reserve balance.
    pub reserve_jpy: Yen,
    /// From insurance.
    pub insurance_jpy: Yen,
    /// From excess capital.
    pub excess_capital_jpy: Yen,
    /// Uncovered after reserve, insurance and excess capital (= parent
    /// support needed).
    pub uncovered_jpy: Yen,
    /// From the parent.
    pub parent_jpy: Yen,
    /// Borne by customers.
    pub customer_haircut_jpy: Yen,
}

/// The run-off liquidity test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunOff {
    /// Withdrawals demanded (rounded up).
    pub demand_jpy: Yen,
    /// Liquid holdings after the loss: hot and warm of any owner plus
    /// guarantee crypto (rounded down).
    pub liquid_jpy: Yen,
    /// Hours the liquid holdings last at an even outflow (capped at the
    /// scenario's hours).
    pub hours_survived: u32,
    /// The scenario's hours.
    pub hours: u32,
}

/// A ledger over-credit and what it exposes per reconciliation interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerExposure {
    /// The asset credited.
    pub asset: String,
    /// All holdings of it (base units).
    #[serde(serialize_with = "ser_amount")]
    pub held: Amount,
    /// The phantom credit, `⌈multiple × held⌉`.
    #[serde(serialize_with = "ser_amount")]
    pub credited: Amount,
    /// Minutes the anchor's error ran before it was stopped.
    pub observed_minutes: u32,
    /// The inputs' reconciliation interval, if given.
    pub interval_minutes: Option<u32>,
    /// Minutes this run's error runs: the anchor's, or the reconciliation
    /// interval if shorter (the reconciliation would stop it).
    pub detection_minutes: u32,
    /// Sold before it was stopped: `⌈credited × sold_fraction × detection
    /// ÷ observed⌉`, at most the customers' holdings.
    #[serde(serialize_with = "ser_amount")]
    pub sold: Amount,
    /// What an error found only at the next reconciliation exposes, at the
    /// anchor's selling rate, for 5 minutes (Upbit), an hour, a day
    /// (Bithumb) and the inputs' interval.
    pub per_interval: Vec<IntervalExposure>,
}

/// The exposure of one reconciliation interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntervalExposure {
    /// Minutes between reconciliations.
    pub minutes: u32,
    /// Quantity sold in that time at the anchor's rate (at most the credit).
    #[serde(serialize_with = "ser_amount")]
    pub quantity: Amount,
    /// Its value, rounded up.
    pub value_jpy: Yen,
}

/// What a pro-rata distribution in kind of one asset would return right
/// after the event (`docs/distribution.md`), before any compensation: the
/// customers' holdings of it left, against what they are owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetRecovery {
    /// The asset.
    pub asset: String,
    /// Customer liabilities in it (base units).
    #[serde(serialize_with = "ser_amount")]
    pub owed: Amount,
    /// Customer-owned holdings of it left after the event.
    #[serde(serialize_with = "ser_amount")]
    pub held: Amount,
    /// What the distribution pays in total: the smaller of the two (each
    /// customer's share is within one base unit of the same fraction).
    #[serde(serialize_with = "ser_amount")]
    pub paid: Amount,
    /// `paid ÷ owed`; `None` when nothing is owed.
    pub recovery: Option<Ratio>,
}

/// The outcome of one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StressResult {
    /// Id (`S4`, or `S4+O1` with an overlay).
    pub id: String,
    /// Name.
    pub name: String,
    /// Anchor.
    pub anchor: String,
    /// Whether any shock matched anything.
    pub applicable: bool,
    /// Quantities lost.
    pub lost: Vec<LostLine>,
    /// Total loss at the time of loss.
    pub loss_jpy: Yen,
    /// Customers' part (value at the time of loss, the MiCA Art. 75(8) cap).
    pub customer_loss_jpy: Yen,
    /// The exchange's own part.
    pub own_loss_jpy: Yen,
    /// What compensating customers costs (price factor / price change).
    pub compensation_cost_jpy: Yen,
    /// Insurance claims.
    pub claims: Vec<Claim>,
    /// The waterfall.
    pub waterfall: Waterfall,
    /// Which asset each choosing shock hit, and by which rule (S1: the
    /// largest asset held entirely hot, or failing one the largest hot
    /// value).
    pub selection: Vec<String>,
    /// The headline coverage, as regulation.md §6.4 defines it: `(reserve
    /// + insurance + excess capital available) ÷ customer loss`.
    pub coverage: Option<Ratio>,
    /// The same resources ÷ the cost of compensating customers (which a
    /// price factor or a price move makes differ from the customer loss).
    pub coverage_of_cost: Option<Ratio>,
    /// What customers get back over what they are owed: `(cost − haircut) ÷
    /// cost` in kind, `(cost − haircut) ÷ customer loss` for a fiat
    /// settlement at a post-event price.
    pub customer_recovery: Option<Ratio>,
    /// `loss ÷ R_required`.
    pub loss_to_required: Option<Ratio>,
    /// In-force checks right after the event: (id, passes).
    pub post_event: Vec<(&'static str, bool)>,
    /// Run-off test.
    pub run_off: Option<RunOff>,
    /// A ledger over-credit's exposure (S9).
    pub ledger: Option<LedgerExposure>,
    /// Per asset, what an administrator's pro-rata distribution in kind
    /// would return if the exchange failed right after the event.
    pub distribution: Vec<AssetRecovery>,
    /// Always `illustrative`: scenarios are modelling choices.
    pub label: &'static str,
}

/// A scenario that cannot be combined as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StressError {
    /// The engine failed.
    Engine(ReserveError),
    /// A scenario was given as an overlay, or an overlay was combined with
    /// another overlay.
    Role {
        /// The id.
        id: String,
    },
    /// An overlay that cannot run alone was given without any scenario.
    OverlayAlone {
        /// The overlay's id.
        id: String,
    },
}

impl fmt::Display for StressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StressError::Engine(e) => write!(f, "{e}"),
            StressError::Role { id } => write!(
                f,
                "{id} is used in the wrong role: an overlay modifies a scenario, not another overlay, and a scenario is not an overlay"
            ),
            StressError::OverlayAlone { id } => write!(
                f,
                "{id} is an overlay: give it together with the scenarios it modifies (e.g. S4 {id})"
            ),
        }
    }
}

impl std::error::Error for StressError {}

impl From<ReserveError> for StressError {
    fn from(e: ReserveError) -> Self {
        StressError::Engine(e)
    }
}

const OVF: fn(&'static str) -> ReserveError = ReserveError::Overflow;

/// Runs one scenario, optionally with an overlay.
///
/// `requirement` is the proposed reserve (for `loss ÷ R_required`); `psa` is
/// the in-force policy (post-event checks and minimum capital).
///
/// # Errors
///
/// A [`StressError`] for a `psa` policy that is not `jp-psa-segregation`
/// ([`ReserveError::Model`]), a misused overlay, an unknown asset or an
/// overflow.
pub fn run_scenario(
    inputs: &Inputs,
    scenario: &Scenario,
    overlay: Option<&Scenario>,
    requirement: &Requirement,
    psa: &Policy,
) -> Result<StressResult, StressError> {
    // The in-force parameters first: the waterfall's capital floor and the
    // post-event checks both need them.
    let psa_params = psa.psa().map_err(ReserveError::from)?;
    if overlay.is_some_and(|o| !o.overlay) {
        return Err(StressError::Role {
            id: overlay.map(|o| o.id.clone()).unwrap_or_default(),
        });
    }
    if scenario.overlay && overlay.is_some() {
        return Err(StressError::Role {
            id: scenario.id.clone(),
        });
    }
    let parts: Vec<&Scenario> = core::iter::once(scenario).chain(overlay).collect();
    let id = parts
        .iter()
        .map(|s| s.id.as_str())
        .collect::<Vec<_>>()
        .join("+");
    let name = parts
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    let insolvency = parts.iter().any(|s| s.insolvency);
    let parent_allowed =
        parts.iter().all(|s| s.parent_support) && scenario.compensation != Compensation::Socialised;
    let price_change = parts.iter().find_map(|s| s.price_change);

    // 1. Quantities lost per holding; 2. their value.
    let shocked = apply_shocks(inputs, &parts)?;
    let valued = value_loss(inputs, &shocked)?;
    let loss = valued.loss;
    let mut customer_loss = valued.customer_loss;
    let own_loss = loss.excess_over(customer_loss);
    let after = after_event(inputs, &shocked);

    // 3. Compensation cost.
    let mut cost = match scenario.compensation {
        Compensation::FiatAtPostEventPrice => customer_loss
            .mul_rate(scenario.price_factor, Round::Up)
            .ok_or(OVF("compensation"))?,
        Compensation::InKind | Compensation::Socialised => match price_change {
            Some(c) => customer_loss
                .mul_rate(c.one_plus().ok_or(OVF("price change"))?, Round::Up)
                .ok_or(OVF("compensation"))?,
            None => customer_loss,
        },
    };
    if insolvency {
        // Pre-existing gaps: nobody will fill them once the parent is gone.
        let gap = segregation_gap(inputs)?;
        cost = cost.checked_add(gap).ok_or(OVF("insolvency gap"))?;
        customer_loss = customer_loss
            .checked_add(gap)
            .ok_or(OVF("insolvency gap"))?;
    }

    // 4. Waterfall: reserve → insurance → excess capital → parent → haircut.
    let mut remaining = cost;
    let reserve_available = reserve_available(inputs, &after, requirement)?;
    let reserve_used = remaining.min(reserve_available);
    remaining = remaining.excess_over(reserve_used);
    let perils: Vec<Peril> = parts
        .iter()
        .flat_map(|s| s.perils.iter().copied())
        .collect();
    // Crypto custody insurance: a fiat gap is not an insured loss.
    let insurable = parts.iter().all(|s| s.insured);
    let insured = if insurable {
        loss.excess_over(shocked.fiat_loss)
    } else {
        Yen::ZERO
    };
    let mut claims = insurance_claims(inputs, &perils, &valued.tiers_hit, insured)?;
    if !insurable {
        for c in &mut claims {
            c.reason =
                Some("not an insured event (a ledger error, no theft from custody)".to_owned());
        }
    }
    let insurance_available =
        Yen::checked_sum(claims.iter().map(|c| c.payout_jpy)).ok_or(OVF("insurance"))?;
    let insurance_used = remaining.min(insurance_available);
    remaining = remaining.excess_over(insurance_used);
    let excess_capital = inputs
        .capital
        .net_assets_jpy
        .excess_over(own_loss)
        .excess_over(psa_params.min_capital_jpy.value());
    let excess_used = remaining.min(excess_capital);
    remaining = remaining.excess_over(excess_used);
    let uncovered = remaining;
    let parent_used = if parent_allowed {
        remaining.min(inputs.capital.parent_support_jpy)
    } else {
        Yen::ZERO
    };
    remaining = remaining.excess_over(parent_used);
    let haircut = remaining;

    // The resources: the reserve as the waterfall counts it (cash and the
    // weighted reserve crypto left after the event), insurance that
    // responds, excess capital.
    let available = Yen::checked_sum([reserve_available, insurance_available, excess_capital])
        .ok_or(OVF("coverage"))?;
    let coverage = available.ratio_to(customer_loss);
    let coverage_of_cost = available.ratio_to(cost);
    // What customers are owed: their coins back in kind (whatever they cost
    // after a price move), or for a fiat settlement their value at the time
    // of loss (Coincheck's customers got 80% of it).
    let owed = match scenario.compensation {
        Compensation::FiatAtPostEventPrice => customer_loss,
        Compensation::InKind | Compensation::Socialised => cost,
    };
    let customer_recovery = cost.excess_over(haircut).ratio_to(owed);
    let loss_to_required = loss.ratio_to(requirement.required_jpy);

    // 5. Post-event compliance.
    let post = in_force_checks(&after, psa)?;
    let post_event = post.checks.iter().map(|c| (c.id, c.passes)).collect();

    // 6. A distribution in kind right after the event.
    let distribution = distribution_in_kind(&after)?;

    // 7. Run-off.
    let ledger = shocked.ledger.clone();
    let run_off = match parts.iter().find_map(|s| s.run_off) {
        None => None,
        Some(spec) => Some(run_off(&after, spec)?),
    };

    Ok(StressResult {
        id,
        name,
        anchor: scenario.anchor.clone(),
        applicable: shocked.applicable || insolvency,
        lost: valued.lines,
        loss_jpy: loss,
        customer_loss_jpy: customer_loss,
        own_loss_jpy: own_loss,
        compensation_cost_jpy: cost,
        claims,
        waterfall: Waterfall {
            reserve_jpy: reserve_used,
            insurance_jpy: insurance_used,
            excess_capital_jpy: excess_used,
            uncovered_jpy: uncovered,
            parent_jpy: parent_used,
            customer_haircut_jpy: haircut,
        },
        selection: shocked.selection,
        coverage,
        coverage_of_cost,
        customer_recovery,
        loss_to_required,
        post_event,
        run_off,
        ledger,
        distribution,
        label: "illustrative",
    })
}

/// What the shocks of a run take: a quantity per holding (aligned with
/// `inputs.holdings`), a fiat gap and fixed losses.
struct Shocked {
    lost: Vec<u128>,
    fiat_loss: Yen,
    /// (loss, customers' share, tier) per fixed-loss shock.
    fixed: Vec<(Yen, Yen, Tier)>,
    /// Whether any shock took anything.
    applicable: bool,
    /// Which asset each selecting shock hit, and by which rule.
    selection: Vec<String>,
    /// A ledger over-credit's exposure.
    ledger: Option<LedgerExposure>,
}

/// Step 1: applies every shock of every part, in order.
fn apply_shocks(inputs: &Inputs, parts: &[&Scenario]) -> Result<Shocked, ReserveError> {
    let mut out = Shocked {
        lost: vec![0; inputs.holdings.len()],
        fiat_loss: Yen::ZERO,
        fixed: Vec::new(),
        applicable: false,
        selection: Vec::new(),
        ledger: None,
    };
    for shock in parts.iter().flat_map(|s| s.shocks.iter()) {
        match shock {
            Shock::Holdings {
                owners,
                tiers,
                asset,
                vendor,
                fraction,
                basis,
            } => {
                let sel = ShockSelection {
                    owners,
                    tiers,
                    asset,
                    vendor,
                };
                let (hits, note) = apply_holdings_shock(inputs, &sel, *fraction, *basis)?;
                out.selection.extend(note);
                for (i, q) in hits {
                    // `i` enumerates `inputs.holdings`, which `lost` is as
                    // long as: both are always there.
                    if let (Some(h), Some(l)) = (inputs.holdings.get(i), out.lost.get_mut(i)) {
                        *l = l.saturating_add(q).min(h.quantity.to_base_units());
                        out.applicable |= q > 0;
                    }
                }
            }
            Shock::LedgerOvercredit {
                asset,
                multiple,
                sold_fraction,
                observed_minutes,
            } => {
                let (hits, exposure) =
                    ledger_overcredit(inputs, asset, *multiple, *sold_fraction, *observed_minutes)?;
                if let Some(e) = &exposure {
                    out.selection.push(format!(
                        "{}: the asset with the largest value held",
                        e.asset
                    ));
                }
                out.ledger = exposure;
                add_hits(inputs, &mut out, hits);
            }
            Shock::Partner { partner, fraction } => {
                let (hits, note) = partner_shock(inputs, partner, *fraction)?;
                out.selection.extend(note);
                add_hits(inputs, &mut out, hits);
            }
            Shock::FiatGap { fraction } => {
                let f = inputs
                    .customer_fiat_liabilities_jpy
                    .mul_rate(*fraction, Round::Up)
                    .ok_or(OVF("fiat gap"))?;
                out.fiat_loss = out.fiat_loss.checked_add(f).ok_or(OVF("fiat gap"))?;
                out.applicable |= f > Yen::ZERO;
            }
            Shock::FixedJpy {
                loss_jpy,
                customer_share,
                tier,
            } => {
                let c = loss_jpy
                    .mul_rate(*customer_share, Round::Up)
                    .ok_or(OVF("fixed loss"))?;
                out.fixed.push((*loss_jpy, c, *tier));
                out.applicable |= *loss_jpy > Yen::ZERO;
            }
        }
    }
    Ok(out)
}

/// Adds what a shock took per holding, at most each holding.
fn add_hits(inputs: &Inputs, out: &mut Shocked, hits: Vec<(usize, u128)>) {
    for (i, q) in hits {
        if let (Some(h), Some(l)) = (inputs.holdings.get(i), out.lost.get_mut(i)) {
            *l = l.saturating_add(q).min(h.quantity.to_base_units());
            out.applicable |= q > 0;
        }
    }
}

/// `⌈x × num ÷ den⌉` in 256 bits.
fn ceil_mul_div(x: u128, num: u128, den: u128) -> Result<u128, ReserveError> {
    crate::num::mul_div(
        ethnum::U256::new(x),
        ethnum::U256::new(num),
        ethnum::U256::new(den),
        Round::Up,
    )
    .ok_or(OVF("ledger credit"))
}

/// (index in `inputs.holdings`, quantity taken) per holding, and the
/// exposure report.
type LedgerHits = (Vec<(usize, u128)>, Option<LedgerExposure>);

/// S9: the phantom credit, what was sold of it before it was stopped (taken
/// from the customers' holdings of the asset) and the exposure per
/// reconciliation interval.
fn ledger_overcredit(
    inputs: &Inputs,
    asset: &AssetSelector,
    multiple: Rate,
    sold_fraction: Rate,
    observed: u32,
) -> Result<LedgerHits, ReserveError> {
    let q = |h: &Holding| h.quantity.to_base_units();
    let sym = match asset {
        AssetSelector::Symbol(s) => Some(s.clone()),
        _ => largest_by_value(
            inputs,
            inputs
                .holdings
                .iter()
                .map(|h| (h.asset.as_str(), h.asset.as_str(), q(h))),
        )?,
    };
    let Some(sym) = sym else {
        return Ok((Vec::new(), None));
    };
    let held = inputs
        .holdings
        .iter()
        .filter(|h| h.asset == sym)
        .try_fold(0u128, |a, h| a.checked_add(q(h)))
        .ok_or(OVF("asset total"))?;
    let credited = ceil_mul_div(held, multiple.num(), multiple.den())?;
    let interval = inputs.reconciliation.as_ref().map(|r| r.interval_minutes);
    let detection = interval.map_or(observed, |i| i.min(observed));
    // Sold in `minutes` at the anchor's rate, at most the credit.
    let sold_in = |minutes: u32| -> Result<u128, ReserveError> {
        let den = sold_fraction
            .den()
            .checked_mul(u128::from(observed))
            .ok_or(OVF("ledger credit"))?;
        let num = sold_fraction
            .num()
            .checked_mul(u128::from(minutes))
            .ok_or(OVF("ledger credit"))?;
        Ok(ceil_mul_div(credited, num, den)?.min(credited))
    };
    let mine: Vec<(usize, u128)> = inputs
        .holdings
        .iter()
        .enumerate()
        .filter(|(_, h)| h.asset == sym && h.owner == Owner::Customer)
        .map(|(i, h)| (i, q(h)))
        .collect();
    let sold = sold_in(detection)?;
    let hits = distribute(sold, &mine)?;
    let sold_taken = hits
        .iter()
        .try_fold(0u128, |a, (_, x)| a.checked_add(*x))
        .ok_or(OVF("ledger credit"))?;
    let mut minutes = vec![5, 60, 1440];
    if let Some(i) = interval {
        minutes.push(i);
    }
    minutes.sort_unstable();
    minutes.dedup();
    let mut per_interval = Vec::new();
    for m in minutes {
        let x = sold_in(m)?;
        per_interval.push(IntervalExposure {
            minutes: m,
            quantity: Amount::from_base_units(x),
            value_jpy: value(inputs, &sym, x, Round::Up)?,
        });
    }
    Ok((
        hits,
        Some(LedgerExposure {
            asset: sym,
            held: Amount::from_base_units(held),
            credited: Amount::from_base_units(credited),
            observed_minutes: observed,
            interval_minutes: interval,
            detection_minutes: detection,
            sold: Amount::from_base_units(sold_taken),
            per_interval,
        }),
    ))
}

/// S10: `fraction` of the customer crypto routed through the partner
/// selected, taken from the customers' holdings of each routed asset in the
/// route's tier.
fn partner_shock(
    inputs: &Inputs,
    partner: &VendorSelector,
    fraction: Rate,
) -> Result<ShockHits, ReserveError> {
    let name = match partner {
        VendorSelector::Named(n) => Some(n.clone()),
        _ => largest_by_value(
            inputs,
            inputs.partner_routes.iter().map(|r| {
                (
                    r.partner.as_str(),
                    r.asset.as_str(),
                    r.quantity.to_base_units(),
                )
            }),
        )?,
    };
    let Some(name) = name else {
        return Ok((Vec::new(), None));
    };
    let mut out = Vec::new();
    for r in inputs.partner_routes.iter().filter(|r| r.partner == name) {
        let target = ceil_mul_div(r.quantity.to_base_units(), fraction.num(), fraction.den())?;
        let mine: Vec<(usize, u128)> = inputs
            .holdings
            .iter()
            .enumerate()
            .filter(|(_, h)| h.asset == r.asset && h.owner == Owner::Customer && h.tier == r.tier)
            .map(|(i, h)| (i, h.quantity.to_base_units()))
            .collect();
        out.extend(distribute(target, &mine)?);
    }
    let note = match partner {
        VendorSelector::Named(_) => format!("{name}: the partner named"),
        _ => format!("{name}: the partner routing the largest value"),
    };
    Ok((out, Some(note)))
}

/// Quantities summed per asset (in the order first seen), so that each
/// asset is valued once whatever the number of wallets it is split over.
#[derive(Default)]
struct PerAsset<'a>(Vec<(&'a str, u128)>);

impl<'a> PerAsset<'a> {
    fn add(&mut self, asset: &'a str, q: u128) -> Result<(), ReserveError> {
        match self.0.iter_mut().find(|(a, _)| *a == asset) {
            Some((_, t)) => *t = t.checked_add(q).ok_or(OVF("asset total"))?,
            None => self.0.push((asset, q)),
        }
        Ok(())
    }

    /// The yen value of each asset's total, rounded as asked.
    fn values(&self, inputs: &Inputs, round: Round) -> Result<Vec<(&'a str, Yen)>, ReserveError> {
        self.0
            .iter()
            .map(|&(a, q)| Ok((a, value(inputs, a, q, round)?)))
            .collect()
    }

    /// The sum of the assets' values, each rounded as asked.
    fn total(&self, inputs: &Inputs, round: Round) -> Result<Yen, ReserveError> {
        let v = self.values(inputs, round)?;
        Yen::checked_sum(v.into_iter().map(|(_, y)| y)).ok_or(OVF("asset values"))
    }
}

/// The loss in yen: per (asset, owner, tier) line, in total and the
/// customers' part, and the tiers it hit.
struct Valued {
    lines: Vec<LostLine>,
    tiers_hit: Vec<Tier>,
    loss: Yen,
    customer_loss: Yen,
}

/// Step 2: values what the shocks took (rounding up). Quantities are summed
/// per asset before valuation (per asset and owner for the customers'
/// part, per asset, owner and tier for the lines shown), so splitting a
/// wallet in two never changes a figure.
fn value_loss(inputs: &Inputs, shocked: &Shocked) -> Result<Valued, ReserveError> {
    let mut lines: Vec<LostLine> = Vec::new();
    let mut tiers_hit: Vec<Tier> = Vec::new();
    let mut all = PerAsset::default();
    let mut customer = PerAsset::default();
    for (h, &q) in inputs.holdings.iter().zip(&shocked.lost) {
        if q == 0 {
            continue;
        }
        all.add(&h.asset, q)?;
        if h.owner == Owner::Customer {
            customer.add(&h.asset, q)?;
        }
        if !tiers_hit.contains(&h.tier) {
            tiers_hit.push(h.tier);
        }
        match lines
            .iter_mut()
            .find(|l| l.asset == h.asset && l.owner == h.owner && l.tier == h.tier)
        {
            Some(l) => {
                l.quantity = l
                    .quantity
                    .checked_add(Amount::from_base_units(q))
                    .ok_or(OVF("loss quantity"))?;
            }
            None => lines.push(LostLine {
                asset: h.asset.clone(),
                owner: h.owner,
                tier: h.tier,
                quantity: Amount::from_base_units(q),
                value_jpy: Yen::ZERO,
            }),
        }
    }
    for l in &mut lines {
        l.value_jpy = value(inputs, &l.asset, l.quantity.to_base_units(), Round::Up)?;
    }
    let mut loss = shocked
        .fiat_loss
        .checked_add(all.total(inputs, Round::Up)?)
        .ok_or(OVF("loss"))?;
    let mut customer_loss = shocked
        .fiat_loss
        .checked_add(customer.total(inputs, Round::Up)?)
        .ok_or(OVF("loss"))?;
    for (l, c, t) in &shocked.fixed {
        loss = loss.checked_add(*l).ok_or(OVF("loss"))?;
        customer_loss = customer_loss.checked_add(*c).ok_or(OVF("loss"))?;
        if !tiers_hit.contains(t) {
            tiers_hit.push(*t);
        }
    }
    Ok(Valued {
        lines,
        tiers_hit,
        loss,
        customer_loss,
    })
}

/// The inputs right after the event: holdings less what was lost, the
/// trust less the fiat gap.
fn after_event(inputs: &Inputs, shocked: &Shocked) -> Inputs {
    let mut after = inputs.clone();
    for (h, &q) in after.holdings.iter_mut().zip(&shocked.lost) {
        h.quantity = h
            .quantity
            .checked_sub(Amount::from_base_units(q))
            .unwrap_or(Amount::ZERO);
    }
    after.trust_balance_jpy = after.trust_balance_jpy.excess_over(shocked.fiat_loss);
    after
}

/// The reserve the waterfall draws on first: cash plus the crypto earmarked
/// for it that survived the event, summed per asset, valued down and
/// weighted as the requirement weights it (so with nothing lost it is the
/// requirement's reserve funds held, to the yen).
fn reserve_available(
    inputs: &Inputs,
    after: &Inputs,
    requirement: &Requirement,
) -> Result<Yen, ReserveError> {
    let Some(w) = requirement.reserve_crypto_weight else {
        return Ok(inputs.reserve_balance_jpy);
    };
    let mut rc = PerAsset::default();
    for h in after.holdings.iter().filter(|h| h.owner == Owner::Reserve) {
        rc.add(&h.asset, h.quantity.to_base_units())?;
    }
    let counted = rc
        .total(after, Round::Down)?
        .mul_rate(w, Round::Down)
        .ok_or(OVF("reserve crypto"))?;
    inputs
        .reserve_balance_jpy
        .checked_add(counted)
        .ok_or(OVF("reserve"))
}

/// Each insurance policy's answer to the event: it pays (the insured loss
/// above its retention, up to its limit, net of coinsurance) unless it
/// excludes a peril of the run or does not cover a tier the loss hit.
fn insurance_claims(
    inputs: &Inputs,
    perils: &[Peril],
    tiers_hit: &[Tier],
    insured: Yen,
) -> Result<Vec<Claim>, ReserveError> {
    let mut claims = Vec::new();
    for p in &inputs.insurance {
        let excluded: Vec<&str> = perils
            .iter()
            .filter(|x| p.excludes.contains(x))
            .map(|x| x.as_str())
            .collect();
        let uncovered_tiers: Vec<&str> = tiers_hit
            .iter()
            .filter(|t| !p.covers.contains(t))
            .map(|t| t.as_str())
            .collect();
        let mut reasons = Vec::new();
        if !excluded.is_empty() {
            reasons.push(format!("excludes {}", excluded.join(", ")));
        }
        if !uncovered_tiers.is_empty() {
            reasons.push(format!("does not cover {}", uncovered_tiers.join(", ")));
        }
        let responds = reasons.is_empty() && insured > Yen::ZERO;
        let payout_jpy = if responds {
            let keep = p.coinsurance.complement().ok_or(OVF("coinsurance"))?;
            insured
                .excess_over(p.retention_jpy)
                .min(p.limit_jpy.excess_over(p.retention_jpy))
                .mul_rate(keep, Round::Down)
                .ok_or(OVF("insurance payout"))?
        } else {
            Yen::ZERO
        };
        claims.push(Claim {
            insurer: p.insurer.clone(),
            responds,
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
            payout_jpy,
        });
    }
    Ok(claims)
}

/// Customer liabilities not covered by segregated holdings (per asset,
/// valued up) plus the fiat trust gap.
fn segregation_gap(inputs: &Inputs) -> Result<Yen, ReserveError> {
    let books = crate::engine::books(inputs)?;
    let mut gap = inputs
        .customer_fiat_liabilities_jpy
        .excess_over(inputs.trust_balance_jpy);
    for b in &books {
        let q = b.liabilities.saturating_sub(b.customer);
        gap = gap
            .checked_add(value(inputs, &b.symbol, q, Round::Up)?)
            .ok_or(OVF("segregation gap"))?;
    }
    Ok(gap)
}

fn run_off(after: &Inputs, spec: RunOffSpec) -> Result<RunOff, ReserveError> {
    let mut customer = PerAsset::default();
    let mut liquid = PerAsset::default();
    for h in &after.holdings {
        let q = h.quantity.to_base_units();
        if h.owner == Owner::Customer {
            customer.add(&h.asset, q)?;
        }
        if matches!(h.tier, Tier::Hot | Tier::Warm) || h.owner == Owner::Guarantee {
            liquid.add(&h.asset, q)?;
        }
    }
    let customer = customer.total(after, Round::Up)?;
    let liquid_jpy = liquid.total(after, Round::Down)?;
    let demand_jpy = customer
        .mul_rate(spec.fraction, Round::Up)
        .ok_or(OVF("run-off"))?;
    let hours_survived = if liquid_jpy >= demand_jpy {
        spec.hours
    } else {
        let h = crate::num::mul_div(
            ethnum::U256::new(liquid_jpy.get()),
            ethnum::U256::new(u128::from(spec.hours)),
            ethnum::U256::new(demand_jpy.get()),
            Round::Down,
        )
        .unwrap_or(0);
        u32::try_from(h).unwrap_or(spec.hours)
    };
    Ok(RunOff {
        demand_jpy,
        liquid_jpy,
        hours_survived,
        hours: spec.hours,
    })
}

/// (index in `inputs.holdings`, quantity lost) per holding hit, and which
/// asset a choosing selector hit and by which rule.
type ShockHits = (Vec<(usize, u128)>, Option<String>);

/// What a holdings shock selects.
struct ShockSelection<'s> {
    owners: &'s [Owner],
    tiers: &'s [Tier],
    asset: &'s AssetSelector,
    vendor: &'s VendorSelector,
}

/// The name with the largest yen value of `items` (name, asset, quantity),
/// quantities summed per (name, asset) before valuation, rounded down; ties
/// go to the first name in sort order.
fn largest_by_value<'a>(
    inputs: &Inputs,
    items: impl IntoIterator<Item = (&'a str, &'a str, u128)>,
) -> Result<Option<String>, ReserveError> {
    let mut per: Vec<(&str, PerAsset<'a>)> = Vec::new();
    for (name, asset, q) in items {
        match per.iter_mut().find(|(n, _)| *n == name) {
            Some((_, p)) => p.add(asset, q)?,
            None => {
                let mut p = PerAsset::default();
                p.add(asset, q)?;
                per.push((name, p));
            }
        }
    }
    let mut totals = Vec::new();
    for (n, p) in &per {
        totals.push((*n, p.total(inputs, Round::Down)?));
    }
    totals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    Ok(totals.first().map(|(n, _)| (*n).to_owned()))
}

/// Splits `target` base units over holdings of one asset in proportion to
/// their quantities, exactly: each gets the floor of its share, and the
/// units left over go one each to the holdings with room, in order. The
/// total taken is `target` whatever the number of wallets (`target` is at
/// most their sum).
fn distribute(target: u128, mine: &[(usize, u128)]) -> Result<Vec<(usize, u128)>, ReserveError> {
    let mut pool: u128 = 0;
    for &(_, q) in mine {
        pool = pool.checked_add(q).ok_or(OVF("asset total"))?;
    }
    let target = target.min(pool);
    let mut out = Vec::with_capacity(mine.len());
    let mut given: u128 = 0;
    for &(i, q) in mine {
        let share = crate::num::mul_div(
            ethnum::U256::new(target),
            ethnum::U256::new(q),
            ethnum::U256::new(pool.max(1)),
            Round::Down,
        )
        .ok_or(OVF("lost quantity"))?
        .min(q);
        given = given.saturating_add(share);
        out.push((i, share));
    }
    let mut left = target.saturating_sub(given);
    for (o, &(_, q)) in out.iter_mut().zip(mine) {
        if left == 0 {
            break;
        }
        let room = q.saturating_sub(o.1).min(left);
        o.1 += room;
        left -= room;
    }
    Ok(out)
}

/// Selects holdings and returns (index in `inputs.holdings`, quantity lost)
/// and, for an asset selector that chooses, which asset and by which rule.
/// The quantity lost per asset is `⌈fraction × base⌉` (base: the matched
/// holdings of the asset, or all its holdings), split over the matched
/// holdings exactly ([`distribute`]), so it does not depend on how the
/// asset is split over wallets.
fn apply_holdings_shock(
    inputs: &Inputs,
    sel: &ShockSelection<'_>,
    fraction: Rate,
    basis: FractionBasis,
) -> Result<ShockHits, ReserveError> {
    let q = |h: &Holding| h.quantity.to_base_units();
    let base: Vec<(usize, &Holding)> = inputs
        .holdings
        .iter()
        .enumerate()
        .filter(|(_, h)| sel.owners.is_empty() || sel.owners.contains(&h.owner))
        .filter(|(_, h)| sel.tiers.is_empty() || sel.tiers.contains(&h.tier))
        .collect();
    // Vendor filter.
    let vendor_name: Option<String> = match sel.vendor {
        VendorSelector::Any => None,
        VendorSelector::Named(n) => Some(n.clone()),
        VendorSelector::Largest => {
            let items = base.iter().filter_map(|&(_, h)| {
                h.signing_vendor
                    .as_deref()
                    .map(|v| (v, h.asset.as_str(), q(h)))
            });
            match largest_by_value(inputs, items)? {
                Some(n) => Some(n),
                None => return Ok((Vec::new(), None)),
            }
        }
    };
    let base: Vec<(usize, &Holding)> = base
        .into_iter()
        .filter(|(_, h)| match &vendor_name {
            None => true,
            Some(n) => h.signing_vendor.as_deref() == Some(n.as_str()),
        })
        .filter(|&(_, h)| q(h) > 0)
        .collect();
    // Asset filter.
    let tiers_text = if sel.tiers.is_empty() {
        "any tier".to_owned()
    } else {
        sel.tiers
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join("/")
    };
    let largest_matched = |base: &[(usize, &Holding)]| {
        largest_by_value(
            inputs,
            base.iter()
                .map(|&(_, h)| (h.asset.as_str(), h.asset.as_str(), q(h))),
        )
    };
    let (asset_name, note): (Option<String>, Option<String>) = match sel.asset {
        AssetSelector::All => (None, None),
        AssetSelector::Symbol(s) => (Some(s.clone()), None),
        AssetSelector::Largest => {
            let Some(n) = largest_matched(&base)? else {
                return Ok((Vec::new(), None));
            };
            let note = format!("{n}: the asset with the largest value in {tiers_text}");
            (Some(n), Some(note))
        }
        AssetSelector::LargestEntirelyInTiers => {
            // Assets none of whose holdings (any owner) lie outside the
            // shock's tiers.
            let entirely = base.iter().filter(|&&(_, h)| {
                inputs
                    .holdings
                    .iter()
                    .filter(|o| o.asset == h.asset && q(o) > 0)
                    .all(|o| sel.tiers.is_empty() || sel.tiers.contains(&o.tier))
            });
            let items: Vec<(usize, &Holding)> = entirely.copied().collect();
            match largest_matched(&items)? {
                Some(n) => {
                    let note = format!(
                        "{n}: the asset with the largest value held entirely in {tiers_text}"
                    );
                    (Some(n), Some(note))
                }
                None => {
                    let Some(n) = largest_matched(&base)? else {
                        return Ok((Vec::new(), None));
                    };
                    let note = format!(
                        "{n}: no asset is held entirely in {tiers_text}, so the asset with the largest value in {tiers_text}"
                    );
                    (Some(n), Some(note))
                }
            }
        }
    };
    let matched: Vec<(usize, &Holding)> = base
        .into_iter()
        .filter(|(_, h)| match &asset_name {
            None => true,
            Some(n) => h.asset == *n,
        })
        .collect();
    let ceil_rate = |x: u128, r: Rate| {
        crate::num::mul_div(
            ethnum::U256::new(x),
            ethnum::U256::new(r.num()),
            ethnum::U256::new(r.den()),
            Round::Up,
        )
        .ok_or(OVF("lost quantity"))
    };
    let mut symbols: Vec<&str> = matched.iter().map(|(_, h)| h.asset.as_str()).collect();
    symbols.sort_unstable();
    symbols.dedup();
    let mut out = Vec::new();
    for sym in symbols {
        let mine: Vec<(usize, u128)> = matched
            .iter()
            .filter(|(_, h)| h.asset == sym)
            .map(|&(i, h)| (i, q(h)))
            .collect();
        let reference = match basis {
            FractionBasis::Matched => mine
                .iter()
                .try_fold(0u128, |a, &(_, x)| a.checked_add(x))
                .ok_or(OVF("asset total"))?,
            FractionBasis::AssetAllTiers => inputs
                .holdings
                .iter()
                .filter(|h| h.asset == sym)
                .try_fold(0u128, |a, h| a.checked_add(q(h)))
                .ok_or(OVF("asset total"))?,
        };
        out.extend(distribute(ceil_rate(reference, fraction)?, &mine)?);
    }
    Ok((out, note))
}

/// Per asset: customer-owned holdings against customer liabilities, and the
/// in-kind pro-rata total (`docs/distribution.md`): the smaller of the two.
fn distribution_in_kind(after: &Inputs) -> Result<Vec<AssetRecovery>, ReserveError> {
    let mut out = Vec::new();
    for (asset, owed) in &after.customer_liabilities {
        let mut held = Amount::ZERO;
        for h in after
            .holdings
            .iter()
            .filter(|h| h.owner == Owner::Customer && h.asset == *asset)
        {
            held = held
                .checked_add(h.quantity)
                .ok_or(OVF("distribution in kind"))?;
        }
        let paid = held.min(*owed);
        out.push(AssetRecovery {
            asset: asset.clone(),
            owed: *owed,
            held,
            paid,
            recovery: Ratio::new(paid.to_base_units(), owed.to_base_units()),
        });
    }
    Ok(out)
}
