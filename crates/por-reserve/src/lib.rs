//! # por-reserve
//!
//! The liability reserve of `por`: the Japanese segregation checks in force,
//! the proposed liability reserve, the MiCA / Hong Kong comparators and hack
//! stress tests (regulation.md §3, §5, §6; `docs/reserve.md`). It knows only
//! `por_tree` (for [`por_tree::Amount`]); the audit (`por_audit`) and the CLI
//! build on it. `ARCHITECTURE.md` at the repository root has the map.
//!
//! Pure and integer-only: yen are integers ([`Yen`]), quantities are
//! [`por_tree::Amount`] base units, rates and prices are exact decimals parsed
//! from strings ([`Rate`], [`Price`]). Every product goes through 256 bits;
//! every rounding is against the exchange (requirements and losses up,
//! resources down). No I/O and no threads, so it builds for
//! `wasm32-unknown-unknown`.
//!
//! - [`Policy`]: a versioned parameter file; every parameter has a value, a
//!   source and a [`Status`]. A figure that used an `assumption` or
//!   `unverified` parameter is labelled illustrative, never compliant.
//! - [`Inputs`]: the exchange's figures (plain data, so an attestation's
//!   verified reserve entries can fill the holdings).
//! - [`in_force_checks`], [`requirement`], [`mica`], [`hong_kong`]: the
//!   engine; [`run_scenario`]: the stress tests; [`evaluate`] and [`stress`]
//!   run them all under a [`PolicySet`] (what the audit calls);
//!   [`Evaluation`] and [`StressReport`] are the reports `por reserve`
//!   prints, with the inputs and policies they came from.
//! - [`builtin`]: the policies and scenarios shipped in the repository,
//!   embedded so that the binary works from any directory.
//!
//! ```
//! use por_reserve::{builtin, in_force_checks, requirement, Inputs, Yen};
//!
//! let inputs = Inputs::from_toml_str(builtin::EXAMPLE_INPUTS)?;
//! let psa = builtin::policy("jp-psa-in-force").expect("shipped")?;
//! let proposal = builtin::policy("jp-fsa-2026-proposal").expect("shipped")?;
//! assert!(in_force_checks(&inputs, &psa)?.all_pass());
//! let r = requirement(&inputs, &proposal)?;
//! assert_eq!(r.required_jpy, Yen::new(10_600_000_000));
//! assert_eq!(r.cash_required_jpy, Yen::new(5_300_000_000));
//! assert_eq!(r.label, "illustrative: pass");
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

pub mod builtin;
mod compare;
mod custody;
mod engine;
mod fields;
mod inputs;
mod num;
mod policy;
mod report;
mod run;
mod stress;

pub use compare::{compare, Comparison, RegimeRules};
pub use custody::{korea, singapore, CustodyReport, PriceUsed, Rule, RuleVerdict};
pub use engine::{
    hong_kong, in_force_checks, mica, requirement, AssetRow, BandPosition, Check, CheckDetail,
    Diagnostics, HongKong, InForce, InsuranceLine, Mica, Provenance, Requirement, ReserveError,
    VolumeTerm,
};
pub use fields::{FieldError, FieldErrorKind, Syntax};
pub use inputs::{
    AssetPrice, Capital, FxRate, Holding, Incident, Inputs, Insurance, Korea, KrMarket, Owner,
    Peril, PriceAverage, PriceHistory, Reconciliation, Tier, Volume, VolumeCategory, INPUTS_FORMAT,
    INPUTS_VERSION,
};
pub use num::{Date, NumberError, Price, Rate, Ratio, Round, SignedRate, Yen, MAX_FRACTION_DIGITS};
pub use policy::{
    Basis, Currency, Eur, Fact, HkCoverParams, KrVaupaParams, LiabilityReserveParams, MicaParams,
    Model, ModelMismatch, Param, ParamValue, Params, Policy, PsaParams, SgMasParams, Sourced,
    Status, Units, Valuation, POLICY_FORMAT, POLICY_VERSION,
};
pub use report::{evaluate, stress, PolicySet, Report};
pub use run::{Evaluation, StressReport};
pub use stress::{
    run_scenario, AssetRecovery, AssetSelector, Claim, Compensation, FractionBasis, LostLine,
    RunOff, RunOffSpec, Scenario, Shock, StressError, StressResult, VendorSelector, Waterfall,
    SCENARIO_FORMAT, SCENARIO_VERSION,
};
