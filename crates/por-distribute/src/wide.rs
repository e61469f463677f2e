//! Exact 256-bit intermediates for `claim × available ÷ total` and for
//! `quantity × price ÷ 10^e`, on plain `u128`/`u64` words.
//!
//! Two operations only, each with the precondition that makes it exact:
//! [`mul_div_floor`] (the quotient of a 256-bit product by a 128-bit divisor,
//! when it fits in 128 bits) and [`mul_div_pow10_floor`] (the same with a
//! power of ten as divisor, any size). No panics: a quotient that does not
//! fit is `None`.

/// `a × b` as `(high, low)` 128-bit words.
#[must_use]
pub fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // middle = p01 + p10 + (p00 >> 64) can exceed 128 bits: keep its carry.
    let (mid, c1) = p01.overflowing_add(p10);
    let (mid, c2) = mid.overflowing_add(p00 >> 64);
    let carry = (u128::from(c1) + u128::from(c2)) << 64;
    let low = (mid << 64) | (p00 & MASK);
    let high = p11 + (mid >> 64) + carry;
    (high, low)
}

/// Divides the 256-bit `(hi, lo)` by `d`, when `hi < d` (so the quotient
/// fits in 128 bits): returns `(quotient, remainder)`.
///
/// `None` for `d == 0` or `hi >= d`.
#[must_use]
pub fn div_wide(hi: u128, lo: u128, d: u128) -> Option<(u128, u128)> {
    if d == 0 || hi >= d {
        return None;
    }
    if hi == 0 {
        return Some((lo / d, lo % d));
    }
    if let Ok(d64) = u64::try_from(d) {
        // hi < d < 2^64: two steps of a 128-by-64 division.
        let d = u128::from(d64);
        let n1 = (hi << 64) | (lo >> 64);
        let (q1, r1) = (n1 / d, n1 % d);
        let n0 = (r1 << 64) | (lo & u128::from(u64::MAX));
        let (q0, r0) = (n0 / d, n0 % d);
        return Some(((q1 << 64) | q0, r0));
    }
    // d >= 2^64: normalise so its top bit is set, then two 3-by-2 digit
    // divisions (Knuth, TAOCP 4.3.1, algorithm D with 64-bit digits).
    let s = d.leading_zeros();
    let dn = d << s;
    let (nh, nl) = if s == 0 {
        (hi, lo)
    } else {
        ((hi << s) | (lo >> (128 - s)), lo << s)
    };
    // nh < dn because hi < d.
    let (q1, r) = div_3by2(nh, hi64(nl), dn);
    let (q0, r) = div_3by2(r, lo64(nl), dn);
    Some(((u128::from(q1) << 64) | u128::from(q0), r >> s))
}

fn hi64(x: u128) -> u64 {
    u64::try_from(x >> 64).unwrap_or(u64::MAX)
}

fn lo64(x: u128) -> u64 {
    u64::try_from(x & u128::from(u64::MAX)).unwrap_or(u64::MAX)
}

/// Divides the 192-bit `(n_hi, n_lo)` by the normalised `d` (top bit set),
/// when `n_hi < d`: one 64-bit quotient digit and the remainder.
fn div_3by2(n_hi: u128, n_lo: u64, d: u128) -> (u64, u128) {
    let d1 = hi64(d);
    let n2 = hi64(n_hi);
    // Estimate from the top digits; with d normalised it is at most 2 too large.
    let mut qhat: u64 = if n2 >= d1 {
        u64::MAX
    } else {
        u64::try_from(n_hi / u128::from(d1)).unwrap_or(u64::MAX)
    };
    // product = qhat × d as 192 bits (p_hi: 128, p_lo: 64).
    let product = |q: u64| {
        let lo = u128::from(q) * u128::from(lo64(d));
        let hi = u128::from(q) * u128::from(d1) + (lo >> 64);
        (hi, lo64(lo))
    };
    let (mut p_hi, mut p_lo) = product(qhat);
    while (p_hi, p_lo) > (n_hi, n_lo) {
        qhat -= 1;
        // product -= d
        let (new_lo, borrow) = p_lo.overflowing_sub(lo64(d));
        p_lo = new_lo;
        p_hi = p_hi - u128::from(d1) - u128::from(borrow);
    }
    // remainder = n - product < d, so it fits in 128 bits.
    let n = (n_hi << 64) | u128::from(n_lo);
    let p = (p_hi << 64) | u128::from(p_lo);
    (qhat, n.wrapping_sub(p))
}

/// `floor(a × b ÷ 10^e)`, or `None` when it exceeds `u128::MAX`.
#[must_use]
pub fn mul_div_pow10_floor(a: u128, b: u128, e: u32) -> Option<u128> {
    let (hi, lo) = mul_wide(a, b);
    // Four 64-bit limbs, most significant first.
    let mut limbs = [hi64(hi), lo64(hi), hi64(lo), lo64(lo)];
    let mut left = e;
    while left > 0 {
        let step = left.min(19);
        let d = 10u64.pow(step);
        let mut rem: u128 = 0;
        for limb in &mut limbs {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = u64::try_from(cur / u128::from(d)).unwrap_or(u64::MAX);
            rem = cur % u128::from(d);
        }
        left -= step;
    }
    if limbs[0] != 0 || limbs[1] != 0 {
        return None;
    }
    Some((u128::from(limbs[2]) << 64) | u128::from(limbs[3]))
}

/// `(floor(a × b ÷ d), a × b mod d)` when the quotient fits in 128 bits,
/// with a native fast path when the product does.
#[must_use]
pub fn mul_div_floor(a: u128, b: u128, d: u128) -> Option<(u128, u128)> {
    if d == 0 {
        return None;
    }
    match a.checked_mul(b) {
        Some(p) => Some((p / d, p % d)),
        None => {
            let (hi, lo) = mul_wide(a, b);
            div_wide(hi, lo, d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Bit-by-bit long division: slow and obviously right.
    fn reference_div(hi: u128, lo: u128, d: u128) -> (u128, u128) {
        let mut r: u128 = hi;
        let mut q: u128 = 0;
        for bit in (0..128).rev() {
            let top = r >> 127;
            r = (r << 1) | ((lo >> bit) & 1);
            q <<= 1;
            if top == 1 || r >= d {
                r = r.wrapping_sub(d);
                q |= 1;
            }
        }
        (q, r)
    }

    /// Schoolbook product on 32-bit digits.
    fn reference_mul(a: u128, b: u128) -> (u128, u128) {
        let mut out = [0u64; 8];
        for i in 0..4 {
            let ai = u64::try_from((a >> (32 * i)) & 0xffff_ffff).unwrap();
            let mut carry = 0u64;
            for j in 0..4 {
                let bj = u64::try_from((b >> (32 * j)) & 0xffff_ffff).unwrap();
                let t = ai * bj + out[i + j] + carry;
                out[i + j] = t & 0xffff_ffff;
                carry = t >> 32;
            }
            out[i + 4] += carry;
        }
        let word = |k: usize| {
            (0..4).fold(0u128, |acc, i| {
                acc | (u128::from(out[4 * k + i]) << (32 * i))
            })
        };
        (word(1), word(0))
    }

    #[test]
    fn edges() {
        assert_eq!(mul_wide(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(mul_wide(0, u128::MAX), (0, 0));
        // (2^128-1)^2 / (2^128-1) = 2^128-1
        let (h, l) = mul_wide(u128::MAX, u128::MAX);
        assert_eq!(div_wide(h, l, u128::MAX), Some((u128::MAX, 0)));
        assert_eq!(div_wide(1, 0, 1), None);
        assert_eq!(div_wide(0, 5, 0), None);
        assert_eq!(
            mul_div_floor(u128::MAX, u128::MAX - 1, u128::MAX),
            Some((u128::MAX - 1, 0))
        );
        assert_eq!(mul_div_pow10_floor(15, 10, 1), Some(15));
        assert_eq!(mul_div_pow10_floor(u128::MAX, u128::MAX, 0), None);
        assert_eq!(
            mul_div_pow10_floor(u128::MAX, 10u128.pow(38), 38),
            Some(u128::MAX)
        );
        assert_eq!(mul_div_pow10_floor(7, 3, 60), Some(0));
    }

    proptest! {
        #[test]
        fn mul_matches_reference(a: u128, b: u128) {
            prop_assert_eq!(mul_wide(a, b), reference_mul(a, b));
        }

        #[test]
        fn div_matches_reference(a: u128, b: u128, d in 1u128..) {
            let (hi, lo) = mul_wide(a, b);
            if hi < d {
                prop_assert_eq!(div_wide(hi, lo, d), Some(reference_div(hi, lo, d)));
            } else {
                prop_assert_eq!(div_wide(hi, lo, d), None);
            }
        }

        #[test]
        fn div_small_divisors(a: u128, b in 0u128..(1 << 70), d in 1u128..(1 << 66)) {
            let (hi, lo) = mul_wide(a, b);
            if hi < d {
                prop_assert_eq!(div_wide(hi, lo, d), Some(reference_div(hi, lo, d)));
            }
        }

        #[test]
        fn claim_share_fits(t in 1u128.., c_frac: u128, a_frac: u128) {
            // c <= t and a <= t: the quotient c × a / t <= a always fits.
            let c = c_frac % t + 1;
            let a = a_frac % t;
            let c = c.min(t);
            let (q, r) = mul_div_floor(c, a, t).unwrap();
            prop_assert!(q <= a);
            prop_assert!(r < t);
            let (hi, lo) = mul_wide(c, a);
            prop_assert_eq!((q, r), reference_div(hi, lo, t));
        }

        #[test]
        fn pow10_matches_division(a: u64, b: u64, e in 0u32..20) {
            let exact = u128::from(a) * u128::from(b) / 10u128.pow(e);
            prop_assert_eq!(mul_div_pow10_floor(u128::from(a), u128::from(b), e), Some(exact));
        }
    }
}
