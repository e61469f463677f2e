//! The reserve engine's files: reserve inputs (TOML and JSON) and policy
//! files (TOML). Input: a mode byte (0 inputs TOML, 1 inputs JSON, 2 policy
//! TOML), then the text.
//!
//! Nothing may panic, errors display, and what parses is evaluated: inputs
//! under the shipped policies, a policy in place of the shipped one of its
//! model with `examples/reserve-inputs.toml`. The engine returns a report or
//! a clear error, and the same result twice.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use por_reserve::{evaluate, Inputs, Policy, PolicySet};

fn fixed() -> &'static (Inputs, PolicySet) {
    static F: OnceLock<(Inputs, PolicySet)> = OnceLock::new();
    F.get_or_init(|| {
        (
            Inputs::from_toml_str(include_str!("../../examples/reserve-inputs.toml"))
                .expect("the example inputs parse"),
            PolicySet::shipped().expect("the shipped policies parse"),
        )
    })
}

fn run(inputs: &Inputs, policies: &PolicySet) {
    let first = evaluate(inputs, policies);
    match &first {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(r) => {
            let _ = r.passes();
        }
    }
    assert_eq!(
        first,
        evaluate(inputs, policies),
        "evaluation is deterministic"
    );
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (example, shipped) = fixed();
    match mode % 3 {
        0 | 1 => {
            let parsed = if mode % 3 == 0 {
                Inputs::from_toml_str(text)
            } else {
                Inputs::from_json_str(text)
            };
            match parsed {
                Err(e) => {
                    let _ = e.to_string();
                }
                Ok(inputs) => run(&inputs, shipped),
            }
        }
        _ => match Policy::from_toml_str(text) {
            Err(e) => {
                let _ = e.to_string();
            }
            Ok(policy) => {
                let _ = (policy.name(), policy.title(), policy.params().len());
                let mut set = shipped.clone();
                set.replace(policy);
                run(example, &set);
            }
        },
    }
});
