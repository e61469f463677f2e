//! Without the `por-v1` feature (the browser's exchange module): por's own
//! proof is recognised but checked elsewhere, by por's own verifier (the
//! page's first module, crates/por-wasm, or `por verify`).

use crate::{Adapter, Error, Format, Input, Outcome, Verdict};

/// por's own proof, not checked in this build.
pub(crate) struct PorV1;

impl Adapter for PorV1 {
    fn format(&self) -> Format {
        Format::PorV1
    }

    fn check(&self, _input: &Input<'_>) -> Result<Outcome, Error> {
        Ok(Outcome {
            verdict: Verdict::unverifiable(
                "this is por's own proof format (por-proof-v1), which this build does not check: por's own verifier does",
            ),
            root: None,
            balances: Vec::new(),
            weaknesses: Vec::new(),
            notes: Vec::new(),
            compared: None,
        })
    }
}
