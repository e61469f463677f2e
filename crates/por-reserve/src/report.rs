//! One call for everything: the in-force checks, the proposed reserve and
//! the comparators ([`evaluate`]), and a set of scenarios with overlays
//! ([`stress`]). The audit calls these with inputs built from an
//! attestation; `por reserve` goes through [`crate::Evaluation`] and
//! [`crate::StressReport`], which keep the inputs and policies with the
//! figures.

use serde::Serialize;

use crate::builtin;
use crate::custody::{korea, singapore, CustodyReport};
use crate::engine::{
    hong_kong, in_force_checks, mica, requirement, HongKong, InForce, Mica, Requirement,
    ReserveError,
};
use crate::fields::FieldError;
use crate::inputs::Inputs;
use crate::policy::{Model, Policy};
use crate::stress::{run_scenario, Scenario, StressError, StressResult};

/// One policy per model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySet {
    /// The in-force Japanese tests (`jp-psa-segregation`).
    pub psa: Policy,
    /// The proposed reserve (`jp-liability-reserve`).
    pub reserve: Policy,
    /// MiCA Art. 67 (`eu-mica-art67`).
    pub mica: Policy,
    /// Hong Kong cover (`hk-sfc-cover`).
    pub hk: Policy,
    /// Korea's VAUPA (`kr-vaupa`).
    pub kr: Policy,
    /// Singapore's MAS rules (`sg-mas-custody`).
    pub sg: Policy,
}

impl PolicySet {
    /// The shipped defaults: `jp-psa-in-force`, `jp-fsa-2026-proposal`,
    /// `eu-mica`, `hk-sfc`, `kr-vaupa`, `sg-mas`.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] only if a shipped file is invalid (tested).
    pub fn shipped() -> Result<PolicySet, FieldError> {
        let get = |name: &str| {
            builtin::policy(name).unwrap_or_else(|| {
                Err(FieldError::invalid(
                    "name",
                    name,
                    "a shipped policy (engine bug: the list is fixed)",
                ))
            })
        };
        Ok(PolicySet {
            psa: get("jp-psa-in-force")?,
            reserve: get("jp-fsa-2026-proposal")?,
            mica: get("eu-mica")?,
            hk: get("hk-sfc")?,
            kr: get("kr-vaupa")?,
            sg: get("sg-mas")?,
        })
    }

    /// Replaces the policy of `policy`'s model; returns the one replaced.
    pub fn replace(&mut self, policy: Policy) -> Policy {
        let slot = match policy.model() {
            Model::JpPsa => &mut self.psa,
            Model::JpLiabilityReserve => &mut self.reserve,
            Model::MicaArt67 => &mut self.mica,
            Model::HkSfcCover => &mut self.hk,
            Model::KrVaupa => &mut self.kr,
            Model::SgMasCustody => &mut self.sg,
        };
        core::mem::replace(slot, policy)
    }
}

/// The in-force checks, the proposed reserve and the comparators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// A1–A6.
    pub in_force: InForce,
    /// The proposed reserve.
    pub requirement: Requirement,
    /// MiCA Art. 67.
    pub mica: Mica,
    /// Hong Kong cover.
    pub hong_kong: HongKong,
    /// Korea's VAUPA.
    pub korea: CustodyReport,
    /// Singapore's MAS rules.
    pub singapore: CustodyReport,
}

impl Report {
    /// Whether every in-force check passes and the reserve funds meet the
    /// requirement (the comparators are side information).
    #[must_use]
    pub fn passes(&self) -> bool {
        self.in_force.all_pass() && self.requirement.passes
    }
}

/// Evaluates the inputs under a policy set.
///
/// # Errors
///
/// A [`ReserveError`] from any part of the engine.
pub fn evaluate(inputs: &Inputs, policies: &PolicySet) -> Result<Report, ReserveError> {
    Ok(Report {
        in_force: in_force_checks(inputs, &policies.psa)?,
        requirement: requirement(inputs, &policies.reserve)?,
        mica: mica(inputs, &policies.mica)?,
        hong_kong: hong_kong(inputs, &policies.hk)?,
        korea: korea(inputs, &policies.kr)?,
        singapore: singapore(inputs, &policies.sg)?,
    })
}

/// Runs scenarios: every non-overlay alone and combined with every overlay
/// given, then every `standalone` overlay alone, in that order.
///
/// # Errors
///
/// [`StressError::OverlayAlone`] if overlays that cannot run alone are given
/// without a scenario to combine with; any engine error.
pub fn stress(
    inputs: &Inputs,
    policies: &PolicySet,
    requirement: &Requirement,
    scenarios: &[Scenario],
) -> Result<Vec<StressResult>, StressError> {
    let (overlays, core): (Vec<&Scenario>, Vec<&Scenario>) =
        scenarios.iter().partition(|s| s.overlay);
    if core.is_empty() {
        if let Some(o) = overlays.iter().find(|o| !o.standalone) {
            return Err(StressError::OverlayAlone { id: o.id.clone() });
        }
    }
    let mut out = Vec::new();
    for s in &core {
        out.push(run_scenario(inputs, s, None, requirement, &policies.psa)?);
        for o in &overlays {
            out.push(run_scenario(
                inputs,
                s,
                Some(o),
                requirement,
                &policies.psa,
            )?);
        }
    }
    for o in overlays.iter().filter(|o| o.standalone) {
        out.push(run_scenario(inputs, o, None, requirement, &policies.psa)?);
    }
    Ok(out)
}
