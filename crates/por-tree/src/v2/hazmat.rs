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
//! Method: a comb of 11-bit teeth. For a base `B`, tooth `t` holds
//! `d·2^(11t)·B` for `d = 0..2048`, so `s·B = Σ_t table[t][digit_t(s)]`
//! costs one point addition per 11 bits of `s` (23 for a blinding factor,
//! 6 for a value below 2^64) and no doublings. A batch is processed tooth by
//! tooth, so only one 320 kB tooth is in use at a time (it stays in the
//! core's L2 cache) instead of the whole 7.5 MB table.

use crate::prelude::*;
use crate::sync::OnceLock;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

/// Bits per tooth.
const W: usize = 11;
/// Entries per tooth.
const SPAN: usize = 1 << W;
/// Teeth for a value below 2^64.
const TEETH_U64: usize = 64usize.div_ceil(W);
/// Teeth for a canonical scalar (below 2^253).
const TEETH_SCALAR: usize = 253usize.div_ceil(W);

/// A comb table for one base point (see the module documentation).
pub(crate) struct VartimeComb {
    table: Vec<RistrettoPoint>,
    teeth: usize,
}

impl VartimeComb {
    /// The table of `base` for integers of up to `teeth · W` bits.
    fn new(base: &RistrettoPoint, teeth: usize) -> VartimeComb {
        let mut table = Vec::with_capacity(teeth * SPAN);
        let mut b = *base;
        for _ in 0..teeth {
            let mut acc = RistrettoPoint::identity();
            for _ in 0..SPAN {
                table.push(acc);
                acc += b;
            }
            // acc = 2^W·b: the next tooth's step.
            b = acc;
        }
        VartimeComb { table, teeth }
    }

    /// Adds `Σ_t digits[i][t]·2^(W·t)·B` to `acc[i]` for each `i`.
    fn add_batch<const N: usize>(&self, acc: &mut [RistrettoPoint], digits: &[[u16; N]]) {
        debug_assert!(N >= self.teeth);
        for t in 0..self.teeth {
            let tooth = &self.table[t * SPAN..(t + 1) * SPAN];
            for (a, d) in acc.iter_mut().zip(digits) {
                *a += tooth[usize::from(d[t])];
            }
        }
    }
}

/// The `W`-bit digits of a little-endian integer of 32 bytes, lowest first.
fn digits<const N: usize>(bytes: &[u8; 32]) -> [u16; N] {
    let mut limbs = [0u64; 5];
    for (l, c) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        *l = u64::from_le_bytes(b);
    }
    let mut out = [0u16; N];
    for (t, d) in out.iter_mut().enumerate() {
        let bit = t * W;
        let (q, r) = (bit / 64, bit % 64);
        let mut v = limbs[q] >> r;
        if r + W > 64 {
            v |= limbs[q + 1] << (64 - r);
        }
        *d = u16::try_from(v & ((1 << W) - 1)).expect("W bits");
    }
    out
}

fn combs() -> &'static (VartimeComb, VartimeComb) {
    static COMBS: OnceLock<(VartimeComb, VartimeComb)> = OnceLock::new();
    COMBS.get_or_init(|| {
        let gens = super::format::generators();
        let half = Scalar::from(2u8).invert();
        (
            VartimeComb::new(&(gens.g * half), TEETH_U64),
            VartimeComb::new(&(gens.h * half), TEETH_SCALAR),
        )
    })
}

/// `r·H/2` for each `r` (variable time in `r`: HAZMAT).
pub(crate) fn commit_zero_half_batch(blindings: &[Scalar]) -> Vec<RistrettoPoint> {
    let d: Vec<[u16; TEETH_SCALAR]> = blindings.iter().map(|r| digits(r.as_bytes())).collect();
    let mut acc = vec![RistrettoPoint::identity(); blindings.len()];
    combs().1.add_batch(&mut acc, &d);
    acc
}

/// `x·G/2 + r·H/2` for each pair (variable time in `x` and `r`: HAZMAT).
pub(crate) fn commit_half_batch(values: &[u64], blindings: &[Scalar]) -> Vec<RistrettoPoint> {
    let mut acc = commit_zero_half_batch(blindings);
    let d: Vec<[u16; TEETH_U64]> = values
        .iter()
        .map(|x| {
            let mut b = [0u8; 32];
            b[..8].copy_from_slice(&x.to_le_bytes());
            digits(&b)
        })
        .collect();
    combs().0.add_batch(&mut acc, &d);
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
