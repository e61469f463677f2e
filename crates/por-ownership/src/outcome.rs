//! What verdicts mean for the one who asked: pass, fail or incomplete.
//!
//! A valid signature passes only once its binding to the expected snapshot
//! was checked and holds. Without an expected snapshot nothing was compared,
//! which is incomplete, never a pass (`docs/ownership.md`). A script this
//! build cannot check is incomplete too: never a failure of the signature,
//! never a pass.

use crate::file::RowVerdict;
use crate::{Binding, Verdict, VerifyOptions};

/// The conclusion drawn from one verdict or from a whole claims file: the
/// outcome every por crate shares.
pub use por_types::Outcome;

/// What is known of a valid signature's binding to the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindingCheck {
    /// The message is the canonical one of the expected snapshot.
    Bound,
    /// Bound elsewhere: another snapshot's canonical message, or not a
    /// canonical reserves message at all (reusable at any time).
    NotBound,
    /// No expected snapshot was given, so nothing was compared.
    NotChecked,
}

impl BindingCheck {
    /// The check a binding records.
    #[must_use]
    pub fn of(binding: &Binding) -> BindingCheck {
        match binding {
            Binding::BoundToExpected(_) => BindingCheck::Bound,
            Binding::Canonical(_) => BindingCheck::NotChecked,
            Binding::OtherSnapshot { .. } | Binding::NotBound => BindingCheck::NotBound,
        }
    }

    /// What a valid signature with this binding concludes, `opts` being the
    /// options it was verified with. A message that is not bound counts as
    /// a failure only when an expected snapshot was given.
    fn outcome(self, opts: &VerifyOptions) -> Outcome {
        match self {
            BindingCheck::Bound => Outcome::Pass,
            BindingCheck::NotBound if opts.expected.is_some() => Outcome::Fail,
            BindingCheck::NotBound | BindingCheck::NotChecked => Outcome::Incomplete,
        }
    }
}

impl Verdict {
    /// What this verdict concludes, `opts` being the options it was
    /// verified with.
    #[must_use]
    pub fn outcome(&self, opts: &VerifyOptions) -> Outcome {
        match self {
            Verdict::Verified(v) => BindingCheck::of(v.binding()).outcome(opts),
            Verdict::NeedsNativeVerifier { .. } => Outcome::Incomplete,
            Verdict::Rejected(_) => Outcome::Fail,
        }
    }
}

/// The counts of a claims file's verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileTally {
    /// Rows whose signature verified (whatever their binding).
    pub valid: usize,
    /// Valid rows with a weakness.
    pub valid_but_weak: usize,
    /// Signed rows that do not verify.
    pub invalid: usize,
    /// Rows whose fields cannot be read.
    pub malformed: usize,
    /// Rows without a signature.
    pub unsigned: usize,
    /// Rows of an unsupported chain or signature framing.
    pub unsupported: usize,
    /// Rows that need Bitcoin Core's interpreter, which this build lacks.
    pub needs_native_verifier: usize,
    /// Valid rows not bound to the expected snapshot (one was given).
    pub valid_not_bound: usize,
    /// Valid rows whose binding was not compared.
    pub valid_binding_unchecked: usize,
}

impl FileTally {
    /// Counts `verdicts`, verified with `opts`.
    #[must_use]
    pub fn of<'a>(
        verdicts: impl IntoIterator<Item = &'a RowVerdict>,
        opts: &VerifyOptions,
    ) -> FileTally {
        let mut t = FileTally::default();
        for v in verdicts {
            let count = match v {
                RowVerdict::Checked {
                    verdict: Verdict::Verified(ok),
                    ..
                } => {
                    if !ok.weaknesses().is_empty() {
                        t.valid_but_weak += 1;
                    }
                    match BindingCheck::of(ok.binding()).outcome(opts) {
                        Outcome::Pass => {}
                        Outcome::Fail => t.valid_not_bound += 1,
                        Outcome::Incomplete => t.valid_binding_unchecked += 1,
                    }
                    &mut t.valid
                }
                RowVerdict::Checked {
                    verdict: Verdict::NeedsNativeVerifier { .. },
                    ..
                } => &mut t.needs_native_verifier,
                RowVerdict::Checked {
                    verdict: Verdict::Rejected(_),
                    ..
                } => &mut t.invalid,
                RowVerdict::Malformed(_) => &mut t.malformed,
                RowVerdict::Unsigned => &mut t.unsigned,
                RowVerdict::Unsupported(_) => &mut t.unsupported,
            };
            *count += 1;
        }
        t
    }

    /// Fail if a signed, supported row failed or was malformed, or a valid
    /// signature is bound elsewhere than the expected snapshot. Incomplete
    /// if nothing failed but something was not checked: a binding with no
    /// expected snapshot given, an unsigned or unsupported row, a script
    /// that needs a verifier this build lacks. Pass only when every row was
    /// checked and holds (an empty file included).
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        if self.invalid + self.malformed + self.valid_not_bound > 0 {
            Outcome::Fail
        } else if self.valid_binding_unchecked
            + self.unsigned
            + self.unsupported
            + self.needs_native_verifier
            > 0
        {
            Outcome::Incomplete
        } else {
            Outcome::Pass
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitcoin::ScriptKind;
    use crate::{MalformedError, ReservesMessage};

    fn message(snapshot: &str) -> ReservesMessage {
        ReservesMessage::new("ex", snapshot, &"ab".repeat(32)).unwrap()
    }

    fn expecting() -> VerifyOptions {
        VerifyOptions {
            expected: Some(message("s1")),
            ..VerifyOptions::default()
        }
    }

    fn native() -> Verdict {
        Verdict::NeedsNativeVerifier {
            script: ScriptKind::P2wsh,
        }
    }

    #[test]
    fn a_binding_passes_only_when_compared_and_equal() {
        let none = VerifyOptions::default();
        let cases = [
            (Binding::BoundToExpected(message("s1")), BindingCheck::Bound),
            (Binding::Canonical(message("s1")), BindingCheck::NotChecked),
            (
                Binding::OtherSnapshot {
                    signed: message("s2"),
                    expected: Box::new(message("s1")),
                },
                BindingCheck::NotBound,
            ),
            (Binding::NotBound, BindingCheck::NotBound),
        ];
        for (binding, check) in cases {
            assert_eq!(BindingCheck::of(&binding), check);
        }
        assert_eq!(BindingCheck::Bound.outcome(&expecting()), Outcome::Pass);
        assert_eq!(BindingCheck::NotBound.outcome(&expecting()), Outcome::Fail);
        // Not bound, but nothing was expected: not compared, so incomplete.
        assert_eq!(BindingCheck::NotBound.outcome(&none), Outcome::Incomplete);
        assert_eq!(BindingCheck::NotChecked.outcome(&none), Outcome::Incomplete);
    }

    #[test]
    fn a_script_not_checked_is_incomplete_never_a_failure() {
        assert_eq!(native().outcome(&expecting()), Outcome::Incomplete);
    }

    #[test]
    fn the_file_fails_on_any_failure_before_anything_incomplete() {
        let opts = expecting();
        let native = RowVerdict::Checked {
            verdict: native(),
            note: None,
        };
        let malformed = RowVerdict::Malformed(MalformedError::NoRedeemScript);
        let unsupported = RowVerdict::Unsupported("x".to_owned());

        let empty = FileTally::of(&[], &opts);
        assert_eq!(empty, FileTally::default());
        assert_eq!(empty.outcome(), Outcome::Pass);

        for incomplete in [&native, &RowVerdict::Unsigned, &unsupported] {
            let t = FileTally::of([incomplete], &opts);
            assert_eq!(t.outcome(), Outcome::Incomplete, "{incomplete:?}");
            let t = FileTally::of([incomplete, &malformed], &opts);
            assert_eq!(t.outcome(), Outcome::Fail, "{incomplete:?}");
        }
        let t = FileTally::of(
            [&native, &RowVerdict::Unsigned, &unsupported, &malformed],
            &opts,
        );
        assert_eq!(
            t,
            FileTally {
                malformed: 1,
                unsigned: 1,
                unsupported: 1,
                needs_native_verifier: 1,
                ..FileTally::default()
            }
        );
    }

    #[test]
    fn a_valid_signature_bound_elsewhere_fails_only_when_a_snapshot_is_expected() {
        // BIP-322's vector: the empty message, which binds to no snapshot.
        let claim = crate::OwnershipClaim {
            chain: crate::Chain::Bitcoin,
            address: "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
            message: b"",
            signature: "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
            second_signature: None,
            redeem_script: None,
        };
        for (opts, outcome) in [
            (VerifyOptions::default(), Outcome::Incomplete),
            (expecting(), Outcome::Fail),
        ] {
            let verdict = crate::verify(&claim, &opts).unwrap();
            assert_eq!(verdict.outcome(&opts), outcome);
            let row = RowVerdict::Checked {
                verdict,
                note: None,
            };
            let t = FileTally::of([&row], &opts);
            assert_eq!((t.valid, t.valid_but_weak), (1, 1));
            assert_eq!(t.outcome(), outcome);
            assert_eq!(
                (t.valid_not_bound, t.valid_binding_unchecked),
                if outcome == Outcome::Fail {
                    (1, 0)
                } else {
                    (0, 1)
                }
            );
        }
    }
}
