//! The exchange's inputs: prices, liabilities, holdings, volumes, incidents,
//! insurance, capital and the current reserve balance.
//!
//! The structs are plain data with public fields so that other code (the
//! audit, which takes holdings from an attestation's verified reserve
//! entries) can build them directly; [`Inputs::from_toml_str`] and
//! [`Inputs::from_json_str`] read the file an exchange fills in
//! (`examples/reserve-inputs.toml` documents every field).

use por_tree::amount::Amount;

use crate::fields::{check_format, one_of, parse_tree, FieldError, Obj, Syntax};
use crate::num::{Date, Price, Rate, Yen};

/// The `format` value of an inputs file.
pub const INPUTS_FORMAT: &str = "por-reserve-inputs";
/// The only inputs format version this build reads.
pub const INPUTS_VERSION: u32 = 1;

/// Who owns a holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Owner {
    /// Segregated customer crypto (an attestation's `customer` category).
    Customer,
    /// The exchange's performance-guarantee crypto (履行保証暗号資産); an
    /// attestation's `liability_reserve` category.
    Guarantee,
    /// The exchange's other own crypto (an attestation's `corporate`).
    Own,
    /// Crypto the exchange earmarks for its liability reserve (an
    /// attestation's `liability_reserve`): counted, weighted, towards the
    /// reserve funds.
    Reserve,
}

impl Owner {
    pub(crate) const ALL: [(&'static str, Owner); 4] = [
        ("customer", Owner::Customer),
        ("guarantee", Owner::Guarantee),
        ("own", Owner::Own),
        ("reserve", Owner::Reserve),
    ];

    /// The lower-case name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Customer => "customer",
            Owner::Guarantee => "guarantee",
            Owner::Own => "own",
            Owner::Reserve => "reserve",
        }
    }
}

/// Where a holding is kept: the custody tier every por crate shares.
pub use por_types::Tier;

/// The tiers by their names in reserve files, in the order error messages
/// list them (one type, [`Tier`]; this is only the reading table).
pub(crate) const TIER_NAMES: [(&str, Tier); 5] = [
    ("hot", Tier::Hot),
    ("warm", Tier::Warm),
    ("cold", Tier::Cold),
    ("mpc", Tier::Mpc),
    ("third_party_custodian", Tier::ThirdPartyCustodian),
];

/// A cause of loss that an insurance policy may exclude and a scenario has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Peril {
    /// An outside attacker.
    ExternalHack,
    /// An employee or insider.
    Insider,
    /// A compromise of a wallet or signing vendor.
    Vendor,
    /// Phishing, fake recruiters and similar.
    SocialEngineering,
    /// An attack attributed to a state (e.g. DPRK's TraderTraitor).
    StateActor,
    /// An operational failure (no attacker).
    Operational,
}

impl Peril {
    pub(crate) const ALL: [(&'static str, Peril); 6] = [
        ("external_hack", Peril::ExternalHack),
        ("insider", Peril::Insider),
        ("vendor", Peril::Vendor),
        ("social_engineering", Peril::SocialEngineering),
        ("state_actor", Peril::StateActor),
        ("operational", Peril::Operational),
    ];

    /// The lower-case name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Peril::ExternalHack => "external_hack",
            Peril::Insider => "insider",
            Peril::Vendor => "vendor",
            Peril::SocialEngineering => "social_engineering",
            Peril::StateActor => "state_actor",
            Peril::Operational => "operational",
        }
    }
}

/// A trading-volume category, each with its own rate in the reserve policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum VolumeCategory {
    /// Order-book exchange (取引所).
    SpotExchange,
    /// Dealer / broker (販売所).
    SpotDealer,
    /// Crypto derivatives.
    Derivatives,
    /// Lending and staking.
    LendingStaking,
}

impl VolumeCategory {
    pub(crate) const ALL: [(&'static str, VolumeCategory); 4] = [
        ("spot_exchange", VolumeCategory::SpotExchange),
        ("spot_dealer", VolumeCategory::SpotDealer),
        ("derivatives", VolumeCategory::Derivatives),
        ("lending_staking", VolumeCategory::LendingStaking),
    ];

    /// The lower-case name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeCategory::SpotExchange => "spot_exchange",
            VolumeCategory::SpotDealer => "spot_dealer",
            VolumeCategory::Derivatives => "derivatives",
            VolumeCategory::LendingStaking => "lending_staking",
        }
    }

    /// The reserve-policy parameter holding this category's rate.
    #[must_use]
    pub fn rate_key(self) -> &'static str {
        match self {
            VolumeCategory::SpotExchange => "r_spot_exchange",
            VolumeCategory::SpotDealer => "r_spot_dealer",
            VolumeCategory::Derivatives => "r_derivatives",
            VolumeCategory::LendingStaking => "r_lending_staking",
        }
    }
}

/// An asset with its price in yen at valuation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPrice {
    /// Ticker symbol.
    pub symbol: String,
    /// Decimals of the base unit.
    pub decimals: u8,
    /// Yen per whole unit.
    pub price_jpy: Price,
    /// Where the price comes from.
    pub source: String,
    /// When it was taken.
    pub time: String,
}

/// A foreign currency's rate to yen (for MiCA's euro figures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FxRate {
    /// ISO currency code (`EUR`).
    pub currency: String,
    /// Yen per unit.
    pub jpy_per_unit: Price,
    /// Where it comes from.
    pub source: String,
    /// When it was taken.
    pub time: String,
}

/// An average price of an asset over a window, computed elsewhere (the
/// exchange's or a data vendor's records), in a named currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceAverage {
    /// Asset symbol.
    pub asset: String,
    /// ISO currency code of the price (`KRW`).
    pub currency: String,
    /// The window in days, ending at the valuation date.
    pub days: u32,
    /// The average price per whole unit.
    pub price: Price,
    /// Where it comes from.
    pub source: String,
}

/// Prices of an asset on dates, in a named currency, from which the engine
/// averages a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceHistory {
    /// Asset symbol.
    pub asset: String,
    /// ISO currency code of the prices.
    pub currency: String,
    /// (date, price per whole unit), as given.
    pub points: Vec<(Date, Price)>,
    /// Where they come from.
    pub source: String,
}

/// How often the exchange reconciles its ledger against its wallets
/// (Bithumb 2026: once a day; Upbit: every 5 minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// Minutes between two ledger-vs-wallet reconciliations.
    pub interval_minutes: u32,
    /// Where the figure comes from.
    pub source: String,
}

/// Customer crypto routed through a third party's API (a staking
/// partner: SwissBorg's SOL through Kiln, 2025): whoever controls that API
/// can move it, whatever the tier of the wallets it sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRoute {
    /// The partner.
    pub partner: String,
    /// The asset.
    pub asset: String,
    /// How much of the customers' holdings of it is routed through the
    /// partner (base units).
    pub quantity: Amount,
    /// The tier of the customer holdings it is part of.
    pub tier: Tier,
}

/// Which Korean floor applies to an exchange (the Virtual Asset User
/// Protection Act's hack cover).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KrMarket {
    /// A won-market exchange (KRW trading pairs, with a bank account).
    Won,
    /// A coin-only exchange, wallet or custody firm.
    CoinOnly,
}

/// Figures only the Korean comparator needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Korea {
    /// Won market or coin-only (absent: the hack-cover floor is not checked).
    pub market: Option<KrMarket>,
    /// Average daily customer fiat deposits in KRW (absent: the banks'
    /// deposit guideline is not checked).
    pub average_daily_deposits_krw: Option<u128>,
}

/// One holding: a quantity of an asset with an owner and a tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// Asset symbol (must be one of [`Inputs::assets`]).
    pub asset: String,
    /// Quantity in base units.
    pub quantity: Amount,
    /// Whose it is.
    pub owner: Owner,
    /// Where it is kept.
    pub tier: Tier,
    /// The wallet / signing vendor whose software or service is on the
    /// signing path (Ginco, Safe, Liminal, Fireblocks...), if any.
    pub signing_vendor: Option<String>,
    /// Whether a non-cold tier qualifies as the ordinance's
    /// cold-equivalent method (府令 Art. 27(3)); cold is always cold.
    pub cold_equivalent: bool,
    /// Chain, for holdings from an attestation.
    pub chain: Option<String>,
    /// Address, for holdings from an attestation.
    pub address: Option<String>,
}

impl Holding {
    /// Whether the holding counts as cold for the 5% test.
    #[must_use]
    pub fn counts_as_cold(&self) -> bool {
        self.tier == Tier::Cold || self.cold_equivalent
    }
}

/// Trading volume of one category in one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Fiscal year.
    pub year: i32,
    /// Category.
    pub category: VolumeCategory,
    /// Notional in yen.
    pub jpy: Yen,
}

/// A past incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// When it happened.
    pub date: Date,
    /// Total loss in yen at the time.
    pub loss_jpy: Yen,
    /// Of which customers' assets.
    pub customer_loss_jpy: Yen,
    /// Compensation paid.
    pub compensated_jpy: Yen,
    /// Recovered later.
    pub recovered_jpy: Yen,
    /// Free-text root cause.
    pub root_cause: String,
}

/// An insurance policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insurance {
    /// The insurer.
    pub insurer: String,
    /// Its rating (S&P style: `AAA` … `A-` count as A or better).
    pub rating: String,
    /// The loss level at which cover tops out: the most paid is
    /// `limit − retention` (regulation.md §6.3).
    pub limit_jpy: Yen,
    /// The retention (deductible) borne by the exchange.
    pub retention_jpy: Yen,
    /// The share of each claim the exchange bears.
    pub coinsurance: Rate,
    /// Policy term in days.
    pub term_days: u32,
    /// Cancellation notice in days.
    pub cancel_notice_days: u32,
    /// The tiers whose losses it covers.
    pub covers: Vec<Tier>,
    /// The perils it excludes.
    pub excludes: Vec<Peril>,
}

impl Insurance {
    /// Whether the rating is A- or better (AAA, AA+, AA, AA-, A+, A, A-).
    #[must_use]
    pub fn is_a_or_better(&self) -> bool {
        matches!(
            self.rating.trim(),
            "AAA" | "AA+" | "AA" | "AA-" | "A+" | "A" | "A-"
        )
    }
}

/// Capital figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capital {
    /// Net assets (own funds).
    pub net_assets_jpy: Yen,
    /// Fixed overheads of the preceding year (MiCA Art. 67(1)(b)).
    pub fixed_overheads_prev_year_jpy: Yen,
    /// Support the parent has committed to provide after an incident.
    pub parent_support_jpy: Yen,
}

/// Everything the engine needs about one exchange at one valuation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// Exchange id.
    pub exchange: String,
    /// Valuation date.
    pub valuation_date: Date,
    /// Valuation time (free text, e.g. RFC 3339).
    pub valuation_time: String,
    /// Date of the last segregation + performance-guarantee audit.
    pub last_segregation_audit: Date,
    /// MiCA Annex IV class (1, 2 or 3) for the comparator.
    pub mica_class: u8,
    /// Assets and their prices.
    pub assets: Vec<AssetPrice>,
    /// Currency rates.
    pub fx: Vec<FxRate>,
    /// Customer crypto liabilities per asset, in base units (the
    /// liabilities tree's root sums, where an attestation exists).
    pub customer_liabilities: Vec<(String, Amount)>,
    /// Customer fiat liabilities.
    pub customer_fiat_liabilities_jpy: Yen,
    /// Balance of the customer-segregation trust (利用者区分管理信託).
    pub trust_balance_jpy: Yen,
    /// Holdings.
    pub holdings: Vec<Holding>,
    /// Trading volumes.
    pub volumes: Vec<Volume>,
    /// The first fiscal year the exchange operated, if it began within the
    /// reserve's lookback window (absent: the earliest year in `volumes`).
    pub first_fiscal_year: Option<i32>,
    /// Incident history.
    pub incidents: Vec<Incident>,
    /// Insurance policies.
    pub insurance: Vec<Insurance>,
    /// Capital.
    pub capital: Capital,
    /// Current liability-reserve balance (cash or equivalent).
    pub reserve_balance_jpy: Yen,
    /// Average prices over a window (for a policy valued at an average).
    pub price_averages: Vec<PriceAverage>,
    /// Price histories (for a policy valued at an average).
    pub price_history: Vec<PriceHistory>,
    /// How often the ledger is reconciled against the wallets, if given.
    pub reconciliation: Option<Reconciliation>,
    /// Korean figures, if given.
    pub korea: Korea,
    /// Customer crypto routed through partners' APIs.
    pub partner_routes: Vec<PartnerRoute>,
}

impl Inputs {
    /// Reads a TOML inputs file.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] naming the field: syntax, format/version, a missing
    /// or unknown key, a negative or float figure, a quantity with too many
    /// decimals, an asset that is not declared under `assets`, a liability
    /// for an asset without a price, an unknown tier/owner/category/peril.
    pub fn from_toml_str(text: &str) -> Result<Inputs, FieldError> {
        Inputs::from_tree(&parse_tree(text, Syntax::Toml)?)
    }

    /// Reads a JSON inputs file (same fields as TOML).
    ///
    /// # Errors
    ///
    /// As [`Inputs::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Inputs, FieldError> {
        Inputs::from_tree(&parse_tree(text, Syntax::Json)?)
    }

    /// The asset `symbol`, if declared.
    #[must_use]
    pub fn asset(&self, symbol: &str) -> Option<&AssetPrice> {
        self.assets.iter().find(|a| a.symbol == symbol)
    }

    fn from_tree(tree: &serde_json::Map<String, serde_json::Value>) -> Result<Inputs, FieldError> {
        let mut o = Obj::new("", tree);
        check_format(&mut o, INPUTS_FORMAT, INPUTS_VERSION)?;
        let exchange = o.req_str("exchange")?.to_owned();
        let valuation_date = o.req_date("valuation_date")?;
        let valuation_time = o.req_str("valuation_time")?.to_owned();
        let last_segregation_audit = o.req_date("last_segregation_audit")?;
        let mica_class = match o.opt_u32("mica_class")? {
            None => 3,
            Some(c @ 1..=3) => u8::try_from(c).unwrap_or(3),
            Some(c) => {
                return Err(FieldError::invalid(
                    o.path_of("mica_class"),
                    c.to_string(),
                    "1, 2 or 3 (MiCA Annex IV class)",
                ))
            }
        };

        let mut assets: Vec<AssetPrice> = Vec::new();
        for mut a in o.arr("assets")? {
            let symbol = a.req_str("symbol")?.to_owned();
            let decimals_u32 = a.req_u32("decimals")?;
            let asset =
                por_tree::asset::Asset::new(&symbol, u8::try_from(decimals_u32).unwrap_or(u8::MAX))
                    .map_err(|e| {
                        FieldError::invalid(
                            a.path_of("symbol"),
                            format!("{symbol:?} / {decimals_u32}"),
                            e.to_string(),
                        )
                    })?;
            if assets.iter().any(|b| b.symbol == symbol) {
                return Err(FieldError::invalid(
                    a.path_of("symbol"),
                    format!("{symbol:?}"),
                    "each asset declared once",
                ));
            }
            let price_jpy = a.req_price("price_jpy")?;
            let source = a.req_str("price_source")?.to_owned();
            let time = a.req_str("price_time")?.to_owned();
            a.finish()?;
            assets.push(AssetPrice {
                symbol,
                decimals: asset.decimals(),
                price_jpy,
                source,
                time,
            });
        }
        let known = |symbol: &str, path: String| -> Result<u8, FieldError> {
            assets
                .iter()
                .find(|a| a.symbol == symbol)
                .map(|a| a.decimals)
                .ok_or_else(|| {
                    let names: Vec<&str> = assets.iter().map(|a| a.symbol.as_str()).collect();
                    FieldError::invalid(
                        path,
                        format!("{symbol:?}"),
                        format!(
                            "an asset declared with a price under [[assets]] ({})",
                            if names.is_empty() {
                                "none declared".to_owned()
                            } else {
                                names.join(", ")
                            }
                        ),
                    )
                })
        };
        let quantity = |s: &str, decimals: u8, path: String| -> Result<Amount, FieldError> {
            Amount::from_decimal_str(s, decimals)
                .map_err(|e| FieldError::invalid(path, format!("{s:?}"), e.to_string()))
        };

        let mut fx = Vec::new();
        for mut f in o.arr("fx")? {
            let currency = f.req_str("currency")?.to_owned();
            let jpy_per_unit = f.req_price("jpy_per_unit")?;
            let source = f.req_str("source")?.to_owned();
            let time = f.req_str("time")?.to_owned();
            f.finish()?;
            fx.push(FxRate {
                currency,
                jpy_per_unit,
                source,
                time,
            });
        }

        let mut customer_liabilities = Vec::new();
        if let Some(mut l) = o.opt_obj("customer_liabilities")? {
            for (path, symbol, v) in l.entries() {
                let decimals = known(symbol, path.clone())?;
                let s = crate::fields::as_str(&path, v)?;
                customer_liabilities.push((symbol.to_owned(), quantity(s, decimals, path)?));
            }
        }

        let (customer_fiat_liabilities_jpy, trust_balance_jpy) = match o.opt_obj("fiat")? {
            Some(mut f) => {
                let l = f.req_yen("customer_liabilities_jpy")?;
                let t = f.req_yen("trust_balance_jpy")?;
                f.finish()?;
                (l, t)
            }
            None => (Yen::ZERO, Yen::ZERO),
        };

        let mut holdings = Vec::new();
        for mut h in o.arr("holdings")? {
            let asset = h.req_str("asset")?.to_owned();
            let decimals = known(&asset, h.path_of("asset"))?;
            let q = h.req_str("quantity")?;
            let quantity = quantity(q, decimals, h.path_of("quantity"))?;
            let owner = one_of(&h.path_of("owner"), h.req_str("owner")?, &Owner::ALL)?;
            let tier = one_of(&h.path_of("tier"), h.req_str("tier")?, &TIER_NAMES)?;
            let signing_vendor = h.opt_str("signing_vendor")?.map(str::to_owned);
            let cold_equivalent = h.opt_bool("ordinance_cold_equivalent")?.unwrap_or(false);
            let chain = h.opt_str("chain")?.map(str::to_owned);
            let address = h.opt_str("address")?.map(str::to_owned);
            h.finish()?;
            holdings.push(Holding {
                asset,
                quantity,
                owner,
                tier,
                signing_vendor,
                cold_equivalent,
                chain,
                address,
            });
        }

        let mut volumes = Vec::new();
        for mut v in o.arr("volume")? {
            let year_u = v.req_u32("year")?;
            let year = i32::try_from(year_u).map_err(|_| {
                FieldError::invalid(v.path_of("year"), year_u.to_string(), "a fiscal year")
            })?;
            let category = one_of(
                &v.path_of("category"),
                v.req_str("category")?,
                &VolumeCategory::ALL,
            )?;
            let jpy = v.req_yen("jpy")?;
            v.finish()?;
            volumes.push(Volume {
                year,
                category,
                jpy,
            });
        }

        let first_fiscal_year = match o.opt_u32("first_fiscal_year")? {
            None => None,
            Some(y) => Some(i32::try_from(y).map_err(|_| {
                FieldError::invalid(
                    o.path_of("first_fiscal_year"),
                    y.to_string(),
                    "a fiscal year",
                )
            })?),
        };

        if let (Some(first), Some(v)) = (
            first_fiscal_year,
            volumes.iter().find(|v| Some(v.year) < first_fiscal_year),
        ) {
            return Err(FieldError::invalid(
                o.path_of("first_fiscal_year"),
                first.to_string(),
                format!(
                    "a year no later than every volume year (volume has FY{})",
                    v.year
                ),
            ));
        }

        let mut incidents = Vec::new();
        for mut i in o.arr("incidents")? {
            let date = i.req_date("date")?;
            let loss_jpy = i.req_yen("loss_jpy")?;
            let customer_loss_jpy = i.req_yen("customer_loss_jpy")?;
            let compensated_jpy = i.opt_yen("compensated_jpy")?.unwrap_or(Yen::ZERO);
            let recovered_jpy = i.opt_yen("recovered_jpy")?.unwrap_or(Yen::ZERO);
            let root_cause = i.opt_str("root_cause")?.unwrap_or("").to_owned();
            if customer_loss_jpy > loss_jpy {
                return Err(FieldError::invalid(
                    i.path_of("customer_loss_jpy"),
                    customer_loss_jpy.to_string(),
                    format!("at most loss_jpy ({loss_jpy})"),
                ));
            }
            i.finish()?;
            incidents.push(Incident {
                date,
                loss_jpy,
                customer_loss_jpy,
                compensated_jpy,
                recovered_jpy,
                root_cause,
            });
        }

        let mut insurance = Vec::new();
        for mut p in o.arr("insurance")? {
            let insurer = p.req_str("insurer")?.to_owned();
            let rating = p.req_str("rating")?.to_owned();
            let limit_jpy = p.req_yen("limit_jpy")?;
            let retention_jpy = p.req_yen("retention_jpy")?;
            if retention_jpy > limit_jpy {
                return Err(FieldError::invalid(
                    p.path_of("retention_jpy"),
                    retention_jpy.to_string(),
                    format!("at most limit_jpy ({limit_jpy})"),
                ));
            }
            let coinsurance = p.opt_rate("coinsurance")?.unwrap_or(Rate::ZERO);
            if !coinsurance.is_at_most_one() {
                return Err(FieldError::invalid(
                    p.path_of("coinsurance"),
                    coinsurance.to_string(),
                    "a share between 0% and 100%",
                ));
            }
            let term_days = p.req_u32("term_days")?;
            let cancel_notice_days = p.req_u32("cancel_notice_days")?;
            let mut covers = Vec::new();
            for (path, s) in p.str_list("covers")? {
                covers.push(one_of(&path, s, &TIER_NAMES)?);
            }
            let mut excludes = Vec::new();
            for (path, s) in p.str_list("excludes")? {
                excludes.push(one_of(&path, s, &Peril::ALL)?);
            }
            p.finish()?;
            insurance.push(Insurance {
                insurer,
                rating,
                limit_jpy,
                retention_jpy,
                coinsurance,
                term_days,
                cancel_notice_days,
                covers,
                excludes,
            });
        }

        let capital = match o.opt_obj("capital")? {
            Some(mut c) => {
                let net_assets_jpy = c.req_yen("net_assets_jpy")?;
                let fixed_overheads_prev_year_jpy = c.req_yen("fixed_overheads_prev_year_jpy")?;
                let parent_support_jpy = c.opt_yen("parent_support_jpy")?.unwrap_or(Yen::ZERO);
                c.finish()?;
                Capital {
                    net_assets_jpy,
                    fixed_overheads_prev_year_jpy,
                    parent_support_jpy,
                }
            }
            None => Capital::default(),
        };
        let reserve_balance_jpy = o.req_yen("reserve_balance_jpy")?;

        let mut price_averages = Vec::new();
        for mut a in o.arr("price_averages")? {
            let asset = a.req_str("asset")?.to_owned();
            known(&asset, a.path_of("asset"))?;
            let currency = currency_code(&mut a, "currency")?;
            let days = a.req_u32("days")?;
            if days == 0 {
                return Err(FieldError::invalid(
                    a.path_of("days"),
                    "0",
                    "a window of at least one day",
                ));
            }
            let price = a.req_price("price")?;
            let source = a.req_str("source")?.to_owned();
            a.finish()?;
            price_averages.push(PriceAverage {
                asset,
                currency,
                days,
                price,
                source,
            });
        }
        let mut price_history = Vec::new();
        for mut h in o.arr("price_history")? {
            let asset = h.req_str("asset")?.to_owned();
            known(&asset, h.path_of("asset"))?;
            let currency = currency_code(&mut h, "currency")?;
            let mut points = Vec::new();
            for (path, text) in h.str_list("points")? {
                let mut parts = text.split_whitespace();
                let (Some(d), Some(p), None) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(FieldError::invalid(
                        path,
                        format!("{text:?}"),
                        "\"YYYY-MM-DD PRICE\"",
                    ));
                };
                let date = Date::parse(d).map_err(|e| {
                    FieldError::invalid(path.clone(), format!("{d:?}"), e.to_string())
                })?;
                let price = Price::parse(p).map_err(|e| {
                    FieldError::invalid(path.clone(), format!("{p:?}"), e.to_string())
                })?;
                if points.iter().any(|(x, _)| *x == date) {
                    return Err(FieldError::invalid(
                        path,
                        format!("{d:?}"),
                        "one price per date",
                    ));
                }
                points.push((date, price));
            }
            let source = h.req_str("source")?.to_owned();
            h.finish()?;
            price_history.push(PriceHistory {
                asset,
                currency,
                points,
                source,
            });
        }
        let reconciliation = match o.opt_obj("reconciliation")? {
            None => None,
            Some(mut r) => {
                let interval_minutes = r.req_u32("interval_minutes")?;
                if interval_minutes == 0 {
                    return Err(FieldError::invalid(
                        r.path_of("interval_minutes"),
                        "0",
                        "at least one minute",
                    ));
                }
                let source = r.req_str("source")?.to_owned();
                r.finish()?;
                Some(Reconciliation {
                    interval_minutes,
                    source,
                })
            }
        };
        let korea = match o.opt_obj("korea")? {
            None => Korea::default(),
            Some(mut k) => {
                let market = match k.opt_str("market")? {
                    None => None,
                    Some(m) => Some(one_of(
                        &k.path_of("market"),
                        m,
                        &[("won", KrMarket::Won), ("coin_only", KrMarket::CoinOnly)],
                    )?),
                };
                let average_daily_deposits_krw =
                    k.opt_yen("average_daily_deposits_krw")?.map(Yen::get);
                k.finish()?;
                Korea {
                    market,
                    average_daily_deposits_krw,
                }
            }
        };
        let mut partner_routes = Vec::new();
        for mut r in o.arr("partner_routes")? {
            let partner = r.req_str("partner")?.to_owned();
            let asset = r.req_str("asset")?.to_owned();
            let decimals = known(&asset, r.path_of("asset"))?;
            let q = r.req_str("quantity")?;
            let quantity = quantity(q, decimals, r.path_of("quantity"))?;
            let tier = one_of(&r.path_of("tier"), r.req_str("tier")?, &TIER_NAMES)?;
            let held = holdings
                .iter()
                .filter(|h| h.asset == asset && h.owner == Owner::Customer && h.tier == tier)
                .try_fold(Amount::ZERO, |a, h| a.checked_add(h.quantity));
            if held.is_none_or(|h| quantity > h) {
                return Err(FieldError::invalid(
                    r.path_of("quantity"),
                    format!("{q:?}"),
                    format!(
                        "at most the customers' {asset} holdings in tier {}",
                        tier.as_str()
                    ),
                ));
            }
            r.finish()?;
            partner_routes.push(PartnerRoute {
                partner,
                asset,
                quantity,
                tier,
            });
        }
        o.finish()?;
        Ok(Inputs {
            exchange,
            valuation_date,
            valuation_time,
            last_segregation_audit,
            mica_class,
            assets,
            fx,
            customer_liabilities,
            customer_fiat_liabilities_jpy,
            trust_balance_jpy,
            holdings,
            volumes,
            first_fiscal_year,
            incidents,
            insurance,
            capital,
            reserve_balance_jpy,
            price_averages,
            price_history,
            reconciliation,
            korea,
            partner_routes,
        })
    }
}

/// A three-letter upper-case currency code.
fn currency_code(o: &mut Obj<'_>, key: &str) -> Result<String, FieldError> {
    let c = o.req_str(key)?;
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(c.to_owned())
    } else {
        Err(FieldError::invalid(
            o.path_of(key),
            format!("{c:?}"),
            "an ISO 4217 code such as JPY, KRW, SGD",
        ))
    }
}

impl serde::Serialize for Owner {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Peril {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for VolumeCategory {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
