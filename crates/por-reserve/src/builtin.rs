//! The policies and scenarios shipped in the repository (`policies/`,
//! `scenarios/`, `examples/`), embedded at build time so that `por reserve`
//! works from any directory.

use core::fmt;

use crate::fields::FieldError;
use crate::policy::Policy;
use crate::stress::Scenario;

/// The shipped policies: (name, TOML text).
pub const POLICIES: [(&str, &str); 6] = [
    (
        "jp-psa-in-force",
        include_str!("../../../policies/jp-psa-in-force.toml"),
    ),
    (
        "jp-fsa-2026-proposal",
        include_str!("../../../policies/jp-fsa-2026-proposal.toml"),
    ),
    ("eu-mica", include_str!("../../../policies/eu-mica.toml")),
    ("hk-sfc", include_str!("../../../policies/hk-sfc.toml")),
    ("kr-vaupa", include_str!("../../../policies/kr-vaupa.toml")),
    ("sg-mas", include_str!("../../../policies/sg-mas.toml")),
];

/// The shipped scenario library: (id, TOML text), core scenarios then overlays.
pub const SCENARIOS: [(&str, &str); 13] = [
    (
        "S1",
        include_str!("../../../scenarios/S1-hot-single-asset.toml"),
    ),
    (
        "S2",
        include_str!("../../../scenarios/S2-hot-multi-asset.toml"),
    ),
    ("S3", include_str!("../../../scenarios/S3-warm-wallet.toml")),
    (
        "S4",
        include_str!("../../../scenarios/S4-vendor-signing-path.toml"),
    ),
    (
        "S5",
        include_str!("../../../scenarios/S5-cold-multisig-ui.toml"),
    ),
    (
        "S6",
        include_str!("../../../scenarios/S6-third-party-custodian.toml"),
    ),
    (
        "S7",
        include_str!("../../../scenarios/S7-long-leak-fiat-gap.toml"),
    ),
    (
        "S8",
        include_str!("../../../scenarios/S8-small-hot-prefunded.toml"),
    ),
    (
        "S9",
        include_str!("../../../scenarios/S9-ledger-overcredit.toml"),
    ),
    (
        "S10",
        include_str!("../../../scenarios/S10-partner-api.toml"),
    ),
    (
        "O1",
        include_str!("../../../scenarios/O1-market-overlay.toml"),
    ),
    (
        "O2",
        include_str!("../../../scenarios/O2-parent-insolvency.toml"),
    ),
    ("O3", include_str!("../../../scenarios/O3-own-account.toml")),
];

/// The documented example inputs (`examples/reserve-inputs.toml`): the
/// worked example of regulation.md §6.3.
pub const EXAMPLE_INPUTS: &str = include_str!("../../../examples/reserve-inputs.toml");

/// The shipped policy `name`, parsed; `None` if there is no such policy.
///
/// # Errors
///
/// A [`FieldError`] only if a shipped file is invalid (a tested invariant).
#[must_use]
pub fn policy(name: &str) -> Option<Result<Policy, FieldError>> {
    POLICIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| Policy::from_toml_str(text))
}

/// The shipped scenario `id` (case-insensitive), parsed.
///
/// # Errors
///
/// As [`policy`].
#[must_use]
pub fn scenario(id: &str) -> Option<Result<Scenario, FieldError>> {
    SCENARIOS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(id))
        .map(|(_, text)| Scenario::from_toml_str(text))
}

/// The whole shipped scenario library, core scenarios then overlays, parsed.
///
/// # Errors
///
/// A [`ShippedScenarioError`] only if a shipped file is invalid (a tested
/// invariant).
pub fn scenarios() -> Result<Vec<Scenario>, ShippedScenarioError> {
    SCENARIOS
        .iter()
        .map(|(id, text)| {
            Scenario::from_toml_str(text).map_err(|error| ShippedScenarioError { name: id, error })
        })
        .collect()
}

/// A shipped file does not parse (a build that fails its own tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedScenarioError {
    name: &'static str,
    error: FieldError,
}

impl ShippedScenarioError {
    /// The shipped file's name or id.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Display for ShippedScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shipped scenario {}", self.name)
    }
}

impl std::error::Error for ShippedScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}
