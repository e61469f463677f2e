//! The reserve engine's files: reserve inputs (TOML and JSON), policy files
//! and scenario files (TOML). Input: a mode byte (0 inputs TOML, 1 inputs
//! JSON, 2 policy TOML, 3 scenario TOML), then the text.
//!
//! Nothing may panic, errors display, and what parses is evaluated: inputs
//! under the shipped policies (the requirement and `compare`) and through
//! the shipped scenarios, a policy in
//! place of the shipped one of its model with `examples/reserve-inputs.toml`,
//! a scenario with the example (combined with S1 if it is an overlay, with
//! O1 if not). The engine returns a report or a clear error, and the same
//! result twice.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use por_reserve::{builtin, Evaluation, Inputs, Policy, PolicySet, Scenario, StressReport};

struct Fixed {
    example: Inputs,
    shipped: PolicySet,
    scenarios: Vec<Scenario>,
}

fn fixed() -> &'static Fixed {
    static F: OnceLock<Fixed> = OnceLock::new();
    F.get_or_init(|| Fixed {
        example: Inputs::from_toml_str(builtin::EXAMPLE_INPUTS).expect("the example inputs parse"),
        shipped: PolicySet::shipped().expect("the shipped policies parse"),
        scenarios: builtin::scenarios().expect("the shipped scenarios parse"),
    })
}

fn run(inputs: &Inputs, policies: &PolicySet, scenarios: &[Scenario]) {
    // The side by side: a report or a clear error, the same twice.
    let c = por_reserve::compare(inputs, policies);
    if let Err(e) = &c {
        let _ = e.to_string();
    }
    assert_eq!(c, por_reserve::compare(inputs, policies), "compare is deterministic");
    let first = Evaluation::new(inputs.clone(), policies.clone());
    assert_eq!(
        first,
        Evaluation::new(inputs.clone(), policies.clone()),
        "evaluation is deterministic"
    );
    match first {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(e) => {
            let _ = (e.passes(), e.report.requirement.verdict_line());
            let s = StressReport::new(e.clone(), scenarios.to_vec());
            match &s {
                Err(err) => {
                    let _ = err.to_string();
                }
                Ok(r) => assert!(!r.results.is_empty() || scenarios.is_empty()),
            }
            assert_eq!(
                s,
                StressReport::new(e, scenarios.to_vec()),
                "stress is deterministic"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let f = fixed();
    match mode % 4 {
        0 | 1 => {
            let parsed = if mode % 4 == 0 {
                Inputs::from_toml_str(text)
            } else {
                Inputs::from_json_str(text)
            };
            match parsed {
                Err(e) => {
                    let _ = e.to_string();
                }
                Ok(inputs) => run(&inputs, &f.shipped, &f.scenarios),
            }
        }
        2 => match Policy::from_toml_str(text) {
            Err(e) => {
                let _ = e.to_string();
            }
            Ok(policy) => {
                let _ = (policy.name(), policy.title(), policy.params().len());
                for p in policy.params() {
                    let _ = (p.key(), p.value().to_string(), p.source(), p.status());
                }
                let set = PolicySet::shipped_with([policy]).expect("the shipped policies parse");
                run(&f.example, &set, &f.scenarios);
            }
        },
        _ => match Scenario::from_toml_str(text) {
            Err(e) => {
                let _ = e.to_string();
            }
            Ok(scenario) => {
                let partner = if scenario.overlay { "S1" } else { "O1" };
                let partner = builtin::scenario(partner)
                    .and_then(Result::ok)
                    .expect("a shipped scenario");
                run(&f.example, &f.shipped, &[scenario, partner]);
            }
        },
    }
});
