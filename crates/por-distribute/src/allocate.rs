//! The allocation rule of `docs/distribution.md`, on integers only.
//!
//! [`pro_rata`] is the rule for one column (one asset, or the JPY top-up):
//! `floor(claim × available ÷ total)` per customer, then the remainder one
//! base unit at a time by largest fractional remainder, ties by leaf order.
//! [`Split`] then sets a held-back customer's share aside and keeps a share
//! below the de-minimis threshold with the estate. [`value_jpy`] values an
//! in-kind shortfall at a stated price for the top-up.

use core::fmt;

use por_tree::Amount;

use crate::wide;

/// Why an allocation could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AllocError {
    /// The claims of one column add up to more than `u128::MAX`.
    ClaimsOverflow,
    /// More customers than a 32-bit leaf index allows.
    TooManyCustomers(usize),
    /// A valued shortfall or the sum of one customer's valued shortfalls is
    /// over `u128::MAX` yen.
    ValueOverflow {
        /// The customer's leaf index.
        leaf: usize,
    },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::ClaimsOverflow => f.write_str("the claims add up to more than 2^128-1"),
            AllocError::TooManyCustomers(n) => {
                write!(f, "{n} customers: at most 4294967295 are supported")
            }
            AllocError::ValueOverflow { leaf } => write!(
                f,
                "the valued shortfall of the customer at leaf {leaf} is over 2^128-1 yen"
            ),
        }
    }
}

impl std::error::Error for AllocError {}

/// Allocates `available` over `claims` (in leaf order) pro rata.
///
/// With `T = Σ claims` and `A = available`:
/// - `A >= T`: every customer gets their claim; `A - T` stays with the estate.
/// - `A < T`: customer `i` gets `floor(c_i × A / T)`; the `L = A - Σ floor`
///   base units left over go one each to the `L` customers with the largest
///   remainder `(c_i × A) mod T`, equal remainders in leaf order. `Σ = A`.
/// - `T = 0`: every allocation is 0.
///
/// # Errors
///
/// [`AllocError::ClaimsOverflow`] if `T > u128::MAX`,
/// [`AllocError::TooManyCustomers`] above `u32::MAX` customers.
pub fn pro_rata(claims: &[Amount], available: Amount) -> Result<Vec<Amount>, AllocError> {
    if u32::try_from(claims.len()).is_err() {
        return Err(AllocError::TooManyCustomers(claims.len()));
    }
    let total = Amount::checked_sum(claims.iter().copied())
        .ok_or(AllocError::ClaimsOverflow)?
        .to_base_units();
    let a = available.to_base_units();
    if a >= total {
        return Ok(claims.to_vec());
    }
    // 0 <= a < total, so total > 0 and every quotient is <= a.
    let mut out = Vec::with_capacity(claims.len());
    let mut remainders: Vec<(u128, u32)> = Vec::with_capacity(claims.len());
    let mut given: u128 = 0;
    for (i, c) in claims.iter().enumerate() {
        let (q, r) = wide::mul_div_floor(c.to_base_units(), a, total)
            .expect("c <= total and a < total, so the quotient fits and total > 0");
        given += q; // Σ q <= Σ c × a / T = a
        out.push(Amount::from_base_units(q));
        if r > 0 {
            // i < 2^32, checked above
            remainders.push((r, u32::try_from(i).unwrap_or(u32::MAX)));
        }
    }
    // Σ r = (a - given) × T and each r < T, so more than `left` customers
    // have r > 0: the selection below always has enough candidates.
    let left = usize::try_from(a - given).expect("fewer than one unit per customer is left");
    if left > 0 {
        // Largest remainder first, then lowest leaf index.
        let order = |x: &(u128, u32), y: &(u128, u32)| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
        if left < remainders.len() {
            remainders.select_nth_unstable_by(left - 1, order);
        }
        for &(_, i) in &remainders[..left] {
            let slot = &mut out[i as usize];
            *slot = Amount::from_base_units(slot.to_base_units() + 1);
        }
    }
    Ok(out)
}

/// One customer's share of one column after the holdback and the
/// de-minimis threshold: exactly one of `paid`, `held` and `retained` is
/// the allocation, the others are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Split {
    /// The claim (base units of the column).
    pub claim: Amount,
    /// Paid to the customer.
    pub paid: Amount,
    /// Set aside: the customer's claim is held back (frozen or disputed).
    pub held: Amount,
    /// Kept by the estate: the allocation was positive and below the
    /// de-minimis threshold.
    pub retained: Amount,
}

impl Split {
    /// Splits an allocation: all of it `held` if the customer is held back,
    /// else all `retained` if `0 < allocation < de_minimis`, else all `paid`.
    #[must_use]
    pub fn of(claim: Amount, allocation: Amount, held_back: bool, de_minimis: Amount) -> Split {
        let mut s = Split {
            claim,
            ..Split::default()
        };
        if held_back {
            s.held = allocation;
        } else if allocation < de_minimis {
            s.retained = allocation;
        } else {
            s.paid = allocation;
        }
        s
    }

    /// The allocation, `paid + held + retained` (in a plan only one is
    /// non-zero; a split read from a proof is not trusted to be so).
    /// `None` if the sum exceeds 2^128 − 1.
    #[must_use]
    pub fn allocation(&self) -> Option<Amount> {
        Amount::checked_sum([self.paid, self.held, self.retained])
    }

    /// The four values in tree order: claim, paid, held, retained.
    #[must_use]
    pub fn values(&self) -> [Amount; 4] {
        [self.claim, self.paid, self.held, self.retained]
    }
}

/// Values a quantity at a price: `floor(quantity × price ÷ 10^(decimals + 18))`
/// yen, where `price` is yen per whole unit times 10^18 (a decimal price with
/// at most 18 fractional digits, see [`Price`]). `None` above `u128::MAX` yen.
#[must_use]
pub fn value_jpy(quantity: Amount, price: Price, decimals: u8) -> Option<Amount> {
    wide::mul_div_pow10_floor(
        quantity.to_base_units(),
        price.scaled,
        u32::from(decimals) + u32::from(Price::SCALE),
    )
    .map(Amount::from_base_units)
}

/// A price in yen per whole unit of an asset, exact to 18 decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Price {
    /// Yen per unit × 10^18.
    scaled: u128,
}

impl Price {
    /// Fractional digits a price may have.
    pub const SCALE: u8 = 18;

    /// Parses a decimal price such as `15000000` or `0.0023` (digits, at
    /// most one point, at most 18 fractional digits, at most 2^128-1 after
    /// scaling): never rounded.
    ///
    /// # Errors
    ///
    /// What was expected, for any other text.
    pub fn parse(s: &str) -> Result<Price, String> {
        Amount::from_decimal_str(s, Price::SCALE)
            .map(|a| Price {
                scaled: a.to_base_units(),
            })
            .map_err(|e| format!("expected a decimal price in yen (at most 18 decimals): {e}"))
    }

    /// Yen per unit × 10^18.
    #[must_use]
    pub fn scaled(self) -> u128 {
        self.scaled
    }

    /// The price as a decimal string (no trailing zeros after the point).
    #[must_use]
    pub fn to_decimal(self) -> String {
        Amount::from_base_units(self.scaled)
            .display_in(Price::SCALE)
            .to_string()
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn amounts(v: &[u128]) -> Vec<Amount> {
        v.iter().copied().map(Amount::from_base_units).collect()
    }

    fn units(v: &[Amount]) -> Vec<u128> {
        v.iter().map(|a| a.to_base_units()).collect()
    }

    /// The rule written the slow, obvious way: exact rationals compared by
    /// cross-multiplication on 256 bits, a full sort, one unit per customer.
    fn reference(claims: &[u128], available: u128) -> Vec<u128> {
        let total: u128 = claims.iter().sum();
        if available >= total {
            return claims.to_vec();
        }
        let mut out = Vec::new();
        let mut rems = Vec::new();
        for (i, &c) in claims.iter().enumerate() {
            let (hi, lo) = wide::mul_wide(c, available);
            // bit-by-bit division
            let mut r: u128 = hi;
            let mut q: u128 = 0;
            for bit in (0..128).rev() {
                let top = r >> 127;
                r = (r << 1) | ((lo >> bit) & 1);
                q <<= 1;
                if top == 1 || r >= total {
                    r = r.wrapping_sub(total);
                    q |= 1;
                }
            }
            out.push(q);
            rems.push((r, i));
        }
        let left = available - out.iter().sum::<u128>();
        rems.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        for &(_, i) in rems.iter().take(usize::try_from(left).unwrap()) {
            out[i] += 1;
        }
        out
    }

    #[test]
    fn examples() {
        // 3 equal claims, 2 units: remainders tie, leaf order decides.
        assert_eq!(
            units(&pro_rata(&amounts(&[1, 1, 1]), Amount::from_base_units(2)).unwrap()),
            [1, 1, 0]
        );
        // 10/20/30 with 30 available: exact halves.
        assert_eq!(
            units(&pro_rata(&amounts(&[10, 20, 30]), Amount::from_base_units(30)).unwrap()),
            [5, 10, 15]
        );
        // more than owed: the claims, the excess stays.
        assert_eq!(
            units(&pro_rata(&amounts(&[4, 0, 6]), Amount::from_base_units(100)).unwrap()),
            [4, 0, 6]
        );
        // nothing available, zero claims, one customer.
        assert_eq!(
            units(&pro_rata(&amounts(&[4, 6]), Amount::ZERO).unwrap()),
            [0, 0]
        );
        assert_eq!(
            units(&pro_rata(&amounts(&[0, 0]), Amount::from_base_units(9)).unwrap()),
            [0, 0]
        );
        assert_eq!(
            units(&pro_rata(&amounts(&[7]), Amount::from_base_units(3)).unwrap()),
            [3]
        );
        assert!(pro_rata(&[], Amount::from_base_units(3))
            .unwrap()
            .is_empty());
        // 1/3 each of 2 with claims 1,2: 2/3 and 4/3 -> floors 0,1; remainders 2,1 -> [1,1]
        assert_eq!(
            units(&pro_rata(&amounts(&[1, 2]), Amount::from_base_units(2)).unwrap()),
            [1, 1]
        );
        // near 2^128
        let m = u128::MAX;
        let got = pro_rata(
            &amounts(&[m / 2, m / 2 + 1]),
            Amount::from_base_units(m - 1),
        )
        .unwrap();
        assert_eq!(units(&got).iter().sum::<u128>(), m - 1);
        assert_eq!(units(&got), reference(&[m / 2, m / 2 + 1], m - 1));
        assert_eq!(
            pro_rata(&amounts(&[m, 1]), Amount::ZERO),
            Err(AllocError::ClaimsOverflow)
        );
    }

    #[test]
    fn split_and_value() {
        let a = Amount::from_base_units;
        assert_eq!(
            Split::of(a(10), a(4), true, a(100)).values(),
            [a(10), a(0), a(4), a(0)]
        );
        assert_eq!(
            Split::of(a(10), a(4), false, a(5)).values(),
            [a(10), a(0), a(0), a(4)]
        );
        assert_eq!(
            Split::of(a(10), a(5), false, a(5)).values(),
            [a(10), a(5), a(0), a(0)]
        );
        assert_eq!(
            Split::of(a(10), a(0), false, a(5)).values(),
            [a(10), a(0), a(0), a(0)]
        );
        // 0.5 BTC at 15,000,000.5 yen: 7,500,000.25 -> 7,500,000
        let p = Price::parse("15000000.5").unwrap();
        assert_eq!(value_jpy(a(50_000_000), p, 8), Some(a(7_500_000)));
        assert_eq!(p.to_decimal(), "15000000.5");
        assert!(Price::parse("1e5").is_err());
        assert!(Price::parse("-1").is_err());
        assert!(Price::parse("0.0000000000000000001").is_err());
        assert!(Price::parse("1000000000000000000000").is_err()); // over 2^128 once scaled
        assert_eq!(value_jpy(a(u128::MAX), p, 0), None);
    }

    proptest! {
        #[test]
        fn matches_reference_and_sums(
            claims in proptest::collection::vec(0u128..1000, 0..40),
            available in 0u128..50_000,
        ) {
            let got = units(&pro_rata(&amounts(&claims), Amount::from_base_units(available)).unwrap());
            prop_assert_eq!(&got, &reference(&claims, available));
            let total: u128 = claims.iter().sum();
            prop_assert_eq!(got.iter().sum::<u128>(), available.min(total));
            for (g, c) in got.iter().zip(&claims) {
                prop_assert!(g <= c);
                // within one unit of the exact share
                if available < total {
                    let exact_floor = c * available / total;
                    prop_assert!(*g == exact_floor || *g == exact_floor + 1);
                }
            }
        }

        #[test]
        fn large_amounts_match_reference(
            claims in proptest::collection::vec(0u128..(u128::MAX / 64), 1..8),
            frac in 0u128..u128::MAX,
        ) {
            let total: u128 = claims.iter().sum();
            let available = if total == 0 { 0 } else { frac % total };
            let got = units(&pro_rata(&amounts(&claims), Amount::from_base_units(available)).unwrap());
            prop_assert_eq!(&got, &reference(&claims, available));
            prop_assert_eq!(got.iter().sum::<u128>(), available);
        }

        #[test]
        fn more_available_costs_no_one_more_than_one_unit(
            claims in proptest::collection::vec(0u128..1000, 1..30),
            available in 0u128..20_000,
            more in 0u128..500,
        ) {
            // Each payout is the floor of its exact share or one more, and
            // exact shares grow with what is available: so more available
            // can lower a payout by at most one base unit (the "Alabama
            // paradox" of largest-remainder rules), and the total never falls.
            let a = units(&pro_rata(&amounts(&claims), Amount::from_base_units(available)).unwrap());
            let b = units(&pro_rata(&amounts(&claims), Amount::from_base_units(available + more)).unwrap());
            for (x, y) in a.iter().zip(&b) {
                prop_assert!(*x <= y + 1, "{:?} -> {:?}", a, b);
            }
            prop_assert!(a.iter().sum::<u128>() <= b.iter().sum::<u128>());
        }

        #[test]
        fn larger_claim_never_gets_less(
            claims in proptest::collection::vec(0u128..1000, 1..30),
            available in 0u128..20_000,
        ) {
            let got = units(&pro_rata(&amounts(&claims), Amount::from_base_units(available)).unwrap());
            for i in 0..claims.len() {
                for j in 0..claims.len() {
                    if claims[i] > claims[j] {
                        prop_assert!(got[i] >= got[j]);
                    }
                }
            }
        }
    }
}
