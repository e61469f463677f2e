//! por's own `por-proof-v1`, through the same interface: the check is
//! `por_attest::publication::check_proof` (over `por_tree::customer`), the
//! one `por verify` and the page use; nothing here re-implements it.

use por_attest::publication::{self, PublishedRoot, RootSource};
use por_tree::customer::{CustomerVerdict, NotVerifiedCause};
use por_tree::{InclusionProof, NodeHash};

use crate::{Adapter, Error, Format, Input, Outcome, Published, Verdict, Weakness};

/// por's own proof.
pub(crate) struct PorV1;

impl Adapter for PorV1 {
    fn format(&self) -> Format {
        Format::PorV1
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        crate::okx::customer_options_unused(input, "por-v1")?;
        let proof = InclusionProof::from_json(input.proof).map_err(|e| Error::Malformed {
            field: String::new(),
            message: e.to_string(),
        })?;
        let published = match input.published {
            Published::Nothing => None,
            Published::Root(hex) => Some(PublishedRoot::Hash(
                hex.trim()
                    .parse::<NodeHash>()
                    .map_err(|e| Error::Usage(format!("--root: {e}")))?,
            )),
            Published::File(text) => Some(
                PublishedRoot::parse(text)
                    .map_err(|e| Error::Usage(format!("--published: {e}")))?,
            ),
        };
        let report = publication::check_proof(&proof, published.as_ref(), None);
        let check = &report.check;
        let verdict = match check.verdict {
            CustomerVerdict::Verified | CustomerVerdict::ConsistentNotCompared => Verdict::Valid,
            CustomerVerdict::NotVerified(cause) => {
                let step = match cause {
                    NotVerifiedCause::ProofInconsistent => "path",
                    NotVerifiedCause::RootDiffers => "publication",
                    NotVerifiedCause::PublicationUntrusted => "attestation",
                };
                let why = check
                    .failure
                    .as_ref()
                    .map(|f| f.message.clone())
                    .or_else(|| report.signature_error.as_ref().map(ToString::to_string))
                    .unwrap_or_else(|| cause.as_str().to_owned());
                Verdict::invalid(step, why)
            }
        };
        let weaknesses = por_v1_weaknesses(report.source);
        let balances = proof
            .assets()
            .iter()
            .zip(proof.balances())
            .map(|(a, b)| (a.symbol().to_owned(), b.to_string()))
            .collect();
        Ok(Outcome {
            verdict,
            root: check.computed.as_ref().map(|c| c.hash.to_string()),
            balances,
            weaknesses,
            notes: vec![
                "Balances are in base units of each asset (por-proof-v1 states integers)."
                    .to_owned(),
            ],
            compared: Some(report.source != RootSource::Proof),
        })
    }
}

/// por-v1's weaknesses for a check against `source`: the root commits to
/// base units only and is signed only in an attestation; without any
/// publication the proof is checked against its own root.
#[must_use]
pub fn por_v1_weaknesses(source: RootSource) -> Vec<Weakness> {
    let mut w = Vec::new();
    if source != RootSource::Attestation {
        w.push(Weakness::AssetsOrDecimalsNotCommitted);
        w.push(Weakness::RootNotSigned);
    }
    if source == RootSource::Proof {
        w.push(Weakness::ProofCarriesOwnRoot);
    }
    w
}
