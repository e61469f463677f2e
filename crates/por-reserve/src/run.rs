//! Whole runs, as `por reserve requirement` / `stress` and the audit make
//! them: the policy set a caller chose (the shipped defaults, each replaced
//! by a policy of the same model it names), the requirement report
//! ([`Evaluation`]) and the stress report ([`StressReport`]). A caller
//! converts its arguments (file names into texts, texts into [`Inputs`],
//! [`Policy`] and [`Scenario`] values with their parsers), calls one of
//! these, and formats what comes back; nothing here reads a file.

use crate::engine::ReserveError;
use crate::fields::FieldError;
use crate::inputs::Inputs;
use crate::policy::Policy;
use crate::report::{evaluate, stress, PolicySet, Report};
use crate::stress::{Scenario, StressError, StressResult};

impl PolicySet {
    /// The shipped defaults with each of `policies`, in order, in place of
    /// the policy of its model (a later one of the same model wins).
    ///
    /// # Errors
    ///
    /// A [`FieldError`] only if a shipped file is invalid (tested).
    pub fn shipped_with(
        policies: impl IntoIterator<Item = Policy>,
    ) -> Result<PolicySet, FieldError> {
        let mut set = PolicySet::shipped()?;
        for p in policies {
            set.replace(p);
        }
        Ok(set)
    }
}

/// The requirement report: the inputs and policies, and what the engine
/// made of them (the in-force checks, the proposed reserve, the
/// comparators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The inputs evaluated.
    pub inputs: Inputs,
    /// The policies they were evaluated under.
    pub policies: PolicySet,
    /// The engine's report.
    pub report: Report,
}

impl Evaluation {
    /// Evaluates `inputs` under `policies` ([`evaluate`]).
    ///
    /// # Errors
    ///
    /// A [`ReserveError`] from any part of the engine.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_reserve::{builtin, Evaluation, Inputs, PolicySet, Yen};
    ///
    /// let inputs = Inputs::from_toml_str(builtin::EXAMPLE_INPUTS)?;
    /// let e = Evaluation::new(inputs, PolicySet::shipped()?)?;
    /// assert!(e.passes());
    /// assert_eq!(e.report.requirement.required_jpy, Yen::new(10_600_000_000));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(inputs: Inputs, policies: PolicySet) -> Result<Evaluation, ReserveError> {
        let report = evaluate(&inputs, &policies)?;
        Ok(Evaluation {
            inputs,
            policies,
            report,
        })
    }

    /// Whether every in-force check passes and the reserve funds meet the
    /// requirement ([`Report::passes`]).
    #[must_use]
    pub fn passes(&self) -> bool {
        self.report.passes()
    }
}

/// The stress report: the requirement the losses are measured against, the
/// scenarios given and one result per run ([`stress`] order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StressReport {
    /// The requirement report of the same inputs and policies.
    pub evaluation: Evaluation,
    /// The scenarios and overlays given, in order.
    pub scenarios: Vec<Scenario>,
    /// One result per run.
    pub results: Vec<StressResult>,
}

impl StressReport {
    /// Runs `scenarios` against an evaluation ([`stress`]).
    ///
    /// # Errors
    ///
    /// [`StressError::OverlayAlone`] for overlays without a scenario to
    /// combine with; any engine error.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_reserve::{builtin, Evaluation, Inputs, PolicySet, StressReport};
    ///
    /// let inputs = Inputs::from_toml_str(builtin::EXAMPLE_INPUTS)?;
    /// let e = Evaluation::new(inputs, PolicySet::shipped()?)?;
    /// let all = builtin::scenarios()?;
    /// let s = StressReport::new(e, all)?;
    /// assert_eq!(s.results.first().map(|r| r.id.as_str()), Some("S1"));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        evaluation: Evaluation,
        scenarios: Vec<Scenario>,
    ) -> Result<StressReport, StressError> {
        let results = stress(
            &evaluation.inputs,
            &evaluation.policies,
            &evaluation.report.requirement,
            &scenarios,
        )?;
        Ok(StressReport {
            evaluation,
            scenarios,
            results,
        })
    }
}
