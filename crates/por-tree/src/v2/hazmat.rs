//! HAZMAT: variable-time fixed-base scalar multiplication for the build.
//!
//! Everything here looks tables up at indices taken from the bytes of a
//! **secret** scalar (blinding factors, committed values): the memory
//! addresses touched depend on the secret, so another process on the same
//! machine that can observe the cache (a co-tenant of the exchange's build
//! machine) may learn blinding factors, and from them hidden balances or
//! which nodes are padding. The constant-time path (`RistrettoBasepointTable`
//! of curve25519-dalek) is the default; this one is used only by
//! [`super::TreeV2::build_vartime_hazmat`] and its variants, whose callers
//! accept that trade-off (see `docs/notes/tree-v2-security.md`). The results
//! are the same points, so the tree's bytes are identical either way.
//!
//! Method: a comb of 8-bit teeth. For a base `B`, tooth `t` holds `d·256^t·B`
//! for `d = 0..256`, so `s·B = Σ_t table[t][byte_t(s)]` costs one point
//! addition per byte of `s` and no doublings. A batch is processed tooth by
//! tooth, so only one 40 kB tooth is in use at a time (it stays in the CPU's
//! nearest caches) instead of the whole 1.3 MB table.

use std::sync::OnceLock;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

/// Entries per tooth (8-bit digits).
const SPAN: usize = 256;

/// A comb table for one base point (see the module documentation).
pub(crate) struct VartimeComb {
    table: Vec<RistrettoPoint>,
    teeth: usize,
}

impl VartimeComb {
    /// The table of `base` for scalars of up to `teeth` bytes.
    fn new(base: &RistrettoPoint, teeth: usize) -> VartimeComb {
        let mut table = Vec::with_capacity(teeth * SPAN);
        let mut b = *base;
        for _ in 0..teeth {
            let mut acc = RistrettoPoint::identity();
            for _ in 0..SPAN {
                table.push(acc);
                acc += b;
            }
            // acc = 256·b: the next tooth's step.
            b = acc;
        }
        VartimeComb { table, teeth }
    }

    /// Adds `digits[i]·B` to `acc[i]` for each `i`, where `digits[i]` is a
    /// little-endian integer of `teeth` bytes.
    fn add_batch<const N: usize>(&self, acc: &mut [RistrettoPoint], digits: &[[u8; N]]) {
        debug_assert!(N >= self.teeth);
        for t in 0..self.teeth {
            let tooth = &self.table[t * SPAN..(t + 1) * SPAN];
            for (a, d) in acc.iter_mut().zip(digits) {
                *a += tooth[usize::from(d[t])];
            }
        }
    }
}

fn combs() -> &'static (VartimeComb, VartimeComb) {
    static COMBS: OnceLock<(VartimeComb, VartimeComb)> = OnceLock::new();
    COMBS.get_or_init(|| {
        let gens = super::format::generators();
        let half = Scalar::from(2u8).invert();
        // Values are below 2^64: 8 teeth of G/2; blinding factors are
        // scalars below 2^253: 32 teeth of H/2.
        (
            VartimeComb::new(&(gens.g * half), 8),
            VartimeComb::new(&(gens.h * half), 32),
        )
    })
}

/// `r·H/2` for each `r` (variable time in `r`: HAZMAT).
pub(crate) fn commit_zero_half_batch(blindings: &[Scalar]) -> Vec<RistrettoPoint> {
    let digits: Vec<[u8; 32]> = blindings.iter().map(Scalar::to_bytes).collect();
    let mut acc = vec![RistrettoPoint::identity(); blindings.len()];
    combs().1.add_batch(&mut acc, &digits);
    acc
}

/// `x·G/2 + r·H/2` for each pair (variable time in `x` and `r`: HAZMAT).
pub(crate) fn commit_half_batch(values: &[u64], blindings: &[Scalar]) -> Vec<RistrettoPoint> {
    let mut acc = commit_zero_half_batch(blindings);
    let digits: Vec<[u8; 8]> = values.iter().map(|x| x.to_le_bytes()).collect();
    combs().0.add_batch(&mut acc, &digits);
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comb_equals_the_constant_time_tables() {
        let gens = super::super::format::generators();
        let secrets =
            super::super::format::Secrets::new(&crate::SnapshotSecret::from_byte_array([3; 32]));
        let mut blindings: Vec<Scalar> = (0..50).map(|p| secrets.blinding(1, p, 0)).collect();
        blindings.push(Scalar::ZERO);
        blindings.push(Scalar::ONE);
        blindings.push(-Scalar::ONE);
        let values: Vec<u64> = (0..u64::try_from(blindings.len()).expect("small"))
            .map(|i| match i {
                0 => 0,
                1 => u64::MAX,
                _ => i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            })
            .collect();
        let zero = commit_zero_half_batch(&blindings);
        let both = commit_half_batch(&values, &blindings);
        for ((r, x), (z, b)) in blindings.iter().zip(&values).zip(zero.iter().zip(&both)) {
            assert_eq!(*z, gens.commit_zero_half(r));
            assert_eq!(*b, gens.commit_half(*x, r));
            assert_eq!(z + z, gens.commit_zero(r));
            assert_eq!(b + b, gens.commit(*x, r));
        }
    }
}
