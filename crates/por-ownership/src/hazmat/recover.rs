//! ECDSA public-key recovery over secp256k1 (legacy Bitcoin messages and EVM
//! signatures).
//!
//! k256's `VerifyingKey::recover_from_prehash` recovers the key and then runs
//! a full verification of the signature against it, which costs a second
//! double-scalar multiplication and proves nothing more: the recovered key
//! satisfies the verification equation by construction. Recovery is the
//! bottleneck of `verify-file` on large exchange files, so this does the one
//! multiplication, `Q = r⁻¹(s·R − z·G)`, and falls back to k256 for the rare
//! x-reduced recovery ids.

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use k256::elliptic_curve::generic_array::GenericArray;
use k256::elliptic_curve::ops::{LinearCombination, Reduce};
use k256::elliptic_curve::point::DecompressPoint;
use k256::elliptic_curve::subtle::Choice;
use k256::{AffinePoint, ProjectivePoint, Scalar, U256};

/// Recovers the key that made `sig` over the 32-byte `prehash`; `None` if no
/// key can be recovered.
///
/// # Hazard: a key, not a verdict
///
/// - Almost every `(r, s, recid)` yields *some* key: the result says who
///   would have signed, not that an expected signer did. The caller must
///   compare it with the key or address it expects (as
///   [`EvmSignature::recover`](crate::EvmSignature::recover) followed by the
///   address comparison in [`verify`](crate::verify) does).
/// - It skips the verification k256's `VerifyingKey::recover_from_prehash`
///   runs after recovery (redundant by construction, but it is the check a
///   reviewer expects to see).
/// - It accepts high-S signatures: a second valid encoding of every
///   signature exists, so never use the signature bytes as an identifier.
#[must_use]
pub fn recover_from_prehash_unverified(
    prehash: &[u8; 32],
    sig: &Signature,
    recid: RecoveryId,
) -> Option<VerifyingKey> {
    if recid.is_x_reduced() {
        return VerifyingKey::recover_from_prehash(prehash, sig, recid).ok();
    }
    let r = sig.r();
    let s = sig.s();
    let big_r: Option<AffinePoint> =
        AffinePoint::decompress(&r.to_bytes(), Choice::from(u8::from(recid.is_y_odd()))).into();
    let big_r = big_r?;
    let z = <Scalar as Reduce<U256>>::reduce_bytes(GenericArray::from_slice(prehash));
    let r_inv: Scalar = Option::from(r.invert())?;
    let u1 = -(z * r_inv);
    let u2 = *s * r_inv;
    let q = ProjectivePoint::lincomb(
        &ProjectivePoint::GENERATOR,
        &u1,
        &ProjectivePoint::from(big_r),
        &u2,
    );
    VerifyingKey::from_affine(q.to_affine()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::SigningKey;

    #[test]
    fn agrees_with_k256_recovery() {
        for i in 1u8..=64 {
            let sk = SigningKey::from_bytes(&[i; 32].into()).expect("non-zero scalar");
            let digest = [i.wrapping_mul(37); 32];
            let (sig, recid) = sk.sign_prehash_recoverable(&digest).expect("signing works");
            let got = recover_from_prehash_unverified(&digest, &sig, recid).expect("recoverable");
            assert_eq!(got, *sk.verifying_key());
            assert_eq!(
                VerifyingKey::recover_from_prehash(&digest, &sig, recid).ok(),
                Some(got)
            );
            // The wrong recovery id gives another key, never the signer.
            let other = RecoveryId::new(!recid.is_y_odd(), false);
            assert_ne!(
                recover_from_prehash_unverified(&digest, &sig, other),
                Some(got)
            );
        }
    }
}
