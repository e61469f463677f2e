//! One exchange's inputs under every policy of a set, rule by rule
//! (`por reserve compare`): the Japanese checks in force, the proposed
//! reserve, MiCA, Hong Kong, Korea and Singapore, each rule passed, failed
//! or not checked (an input it needs is missing; never a pass).

use serde::Serialize;

use por_types::Outcome;

use crate::custody::{korea, singapore, Rule, RuleVerdict};
use crate::engine::{
    hong_kong, in_force_checks, mica, requirement, CheckDetail, Provenance, ReserveError,
};
use crate::inputs::Inputs;
use crate::num::Yen;
use crate::policy::{Basis, Policy, Used};
use crate::report::PolicySet;

/// One regime's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegimeRules {
    /// The policy's name.
    pub policy: String,
    /// Its title.
    pub title: String,
    /// The currency of its money figures.
    pub currency: String,
    /// Its rules, in order.
    pub rules: Vec<Rule>,
    /// Fail if a rule fails; otherwise incomplete if a rule was not
    /// checked; otherwise pass.
    pub outcome: Outcome,
    /// The weakest basis among its rules' parameters (`law`,
    /// `indicative`, `illustrative`): a pass on an illustrative basis is
    /// not compliance.
    pub basis: Basis,
}

/// Every regime of a policy set, side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// One entry per policy, in the set's order.
    pub regimes: Vec<RegimeRules>,
    /// The worst of their outcomes.
    pub outcome: Outcome,
}

fn outcome_of(rules: &[Rule]) -> Outcome {
    if rules.iter().any(|r| r.verdict == RuleVerdict::Fail) {
        Outcome::Fail
    } else if rules.iter().any(|r| r.verdict == RuleVerdict::NotChecked) {
        Outcome::Incomplete
    } else {
        Outcome::Pass
    }
}

fn regime(policy: &Policy, currency: &str, rules: Vec<Rule>) -> RegimeRules {
    RegimeRules {
        policy: policy.name().to_owned(),
        title: policy.title().to_owned(),
        currency: currency.to_owned(),
        outcome: outcome_of(&rules),
        basis: rules
            .iter()
            .map(|r| r.provenance.basis)
            .max()
            .unwrap_or(Basis::Law),
        rules,
    }
}

fn from_provenance(
    id: &'static str,
    name: &'static str,
    passes: bool,
    label: &'static str,
    provenance: Provenance,
) -> Rule {
    Rule {
        id,
        name,
        verdict: if passes {
            RuleVerdict::Pass
        } else {
            RuleVerdict::Fail
        },
        label,
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

fn jpy(mut r: Rule, required: Yen, held: Yen) -> Rule {
    r.currency = Some("JPY".to_owned());
    r.required = Some(required.get());
    r.held = Some(held.get());
    r.required_text = format!("JPY {required}");
    r.held_text = format!("JPY {held}");
    r
}

/// Compares the inputs under every policy of `policies`.
///
/// # Errors
///
/// A [`ReserveError`] for a policy of the wrong model, an asset without a
/// price, an audit dated after the valuation, or an overflow. A missing FX
/// rate or price is not an error here: the rules that need it are not
/// checked and say so.
pub fn compare(inputs: &Inputs, policies: &PolicySet) -> Result<Comparison, ReserveError> {
    let mut regimes = Vec::new();

    // Japan, in force.
    let f = in_force_checks(inputs, &policies.psa)?;
    let mut rules = Vec::new();
    for c in f.checks {
        let mut r = from_provenance(c.id, c.name, c.passes, c.label, c.provenance);
        match c.detail {
            CheckDetail::NonColdShare {
                non_cold_jpy,
                customer_jpy,
                share,
                limit,
            } => {
                r.required_text = format!("non-cold <= {limit}");
                r.held_text = format!(
                    "non-cold {}",
                    share.map_or_else(|| "n/a".to_owned(), |s| s.percent())
                );
                r.detail = format!("JPY {non_cold_jpy} non-cold of JPY {customer_jpy}");
            }
            CheckDetail::PerAsset { rows } => {
                let short: Vec<&str> = rows
                    .iter()
                    .filter(|x| !x.passes)
                    .map(|x| x.asset.as_str())
                    .collect();
                r.required_text = "per asset".to_owned();
                r.held_text = if short.is_empty() {
                    "every asset covered".to_owned()
                } else {
                    format!("short: {}", short.join(", "))
                };
            }
            CheckDetail::Trust {
                trust_jpy,
                required_jpy,
            } => r = jpy(r, required_jpy, trust_jpy),
            CheckDetail::AuditAge { days, max_days, .. } => {
                r.required_text = format!("<= {max_days} days");
                r.held_text = format!("{days} days");
            }
        }
        rules.push(r);
    }
    regimes.push(regime(&policies.psa, "JPY", rules));

    // Japan, the proposed reserve.
    let q = requirement(inputs, &policies.reserve)?;
    let mut r = from_provenance(
        "R",
        "liability reserve: cash part (R_required - insurance credit) <= reserve funds held",
        q.passes,
        q.label,
        q.provenance.clone(),
    );
    r = jpy(r, q.cash_required_jpy, q.reserve_held_jpy);
    r.detail = format!(
        "R_required JPY {} - insurance credit JPY {}",
        q.required_jpy, q.insurance_credit_jpy
    );
    regimes.push(regime(&policies.reserve, "JPY", vec![r]));

    // MiCA.
    let name = "own funds + eligible insurance >= max(K_min, 25% of fixed overheads)";
    let rules = match mica(inputs, &policies.mica) {
        Ok(m) => {
            let held = m
                .own_funds_jpy
                .checked_add(m.eligible_insurance_jpy)
                .ok_or(ReserveError::Overflow("MiCA own funds"))?;
            let mut r = from_provenance("MICA", name, m.passes, m.label, m.provenance);
            r = jpy(r, m.required_jpy, held);
            r.detail = format!("class {}", m.class);
            vec![r]
        }
        Err(ReserveError::MissingFx { currency, .. }) => {
            let mut used = Used::new();
            let p = policies.mica.mica()?;
            used.read(p.k_min_eur(inputs.mica_class));
            let mut r = Rule::decided("MICA", name, false, &policies.mica, &used);
            r.verdict = RuleVerdict::NotChecked;
            r.label = "not checked";
            r.missing = vec![format!("fx {currency} (yen per unit)")];
            r.required_text = "-".to_owned();
            r.held_text = format!("missing: fx {currency}");
            vec![r]
        }
        Err(e) => return Err(e),
    };
    regimes.push(regime(&policies.mica, "JPY", rules));

    // Hong Kong.
    let h = hong_kong(inputs, &policies.hk)?;
    let p = policies.hk.hk_cover()?;
    let mut used = Used::new();
    let min = used.read(&p.cold_min_share);
    let mut r = Rule::decided(
        "HK1",
        "client virtual assets in cold storage >= 98%",
        h.cold_share_passes,
        &policies.hk,
        &used,
    );
    r.required_text = format!("cold >= {min}");
    r.held_text = format!(
        "cold {}",
        h.cold_share
            .map_or_else(|| "n/a".to_owned(), |s| s.percent())
    );
    let mut c = from_provenance(
        "HK2",
        "insurance / compensation cover of 50% of cold and 100% of other client assets",
        h.passes,
        h.label,
        h.provenance.clone(),
    );
    c = jpy(c, h.cover_required_jpy, h.cover_held_jpy);
    regimes.push(regime(&policies.hk, "JPY", vec![r, c]));

    // Korea and Singapore.
    let k = korea(inputs, &policies.kr)?;
    regimes.push(regime(&policies.kr, &k.currency, k.rules));
    let s = singapore(inputs, &policies.sg)?;
    regimes.push(regime(&policies.sg, &s.currency, s.rules));

    let outcome = regimes
        .iter()
        .map(|r| r.outcome)
        .fold(Outcome::Pass, |a, b| match (a, b) {
            (Outcome::Fail, _) | (_, Outcome::Fail) => Outcome::Fail,
            (Outcome::Incomplete, _) | (_, Outcome::Incomplete) => Outcome::Incomplete,
            _ => Outcome::Pass,
        });
    Ok(Comparison { regimes, outcome })
}
