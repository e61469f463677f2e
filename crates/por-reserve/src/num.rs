//! Exact numbers for the reserve engine: yen, rates, prices, dates.
//!
//! Nothing here is a float. Yen are integers; rates and prices are exact
//! decimals (an integer over a power of ten) parsed from strings; every
//! product goes through a 256-bit intermediate ([`ethnum::U256`]) so that
//! `quantity × price` or `yen × rate` cannot overflow silently, and every
//! division names its rounding direction ([`Round`]). The engine rounds
//! against the exchange: a requirement or a loss rounds up, a resource rounds
//! down.

use core::fmt;

use ethnum::U256;

/// Which way a division that does not come out even is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Round {
    /// Towards zero: used for resources (what the exchange holds or may count).
    Down,
    /// Away from zero: used for requirements, exposures and losses.
    Up,
}

/// Computes `a × b ÷ c` exactly in 256 bits and rounds the quotient as asked.
///
/// Returns `None` if `c` is zero or the result does not fit a `u128`.
#[must_use]
pub(crate) fn mul_div(a: U256, b: U256, c: U256, round: Round) -> Option<u128> {
    if c == U256::ZERO {
        return None;
    }
    let p = a.checked_mul(b)?;
    let q = p / c;
    let r = p % c;
    let q = match round {
        Round::Up if r != U256::ZERO => q.checked_add(U256::ONE)?,
        _ => q,
    };
    u128::try_from(q).ok()
}

/// `10^exp` in 256 bits, or `None` above `10^77`.
#[must_use]
pub(crate) fn pow10(exp: u32) -> Option<U256> {
    let mut v = U256::ONE;
    for _ in 0..exp {
        v = v.checked_mul(U256::new(10))?;
    }
    Some(v)
}

/// An amount of Japanese yen, a non-negative integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Yen(u128);

impl Yen {
    /// Zero yen.
    pub const ZERO: Yen = Yen(0);

    /// Creates an amount of yen.
    #[must_use]
    pub const fn new(yen: u128) -> Yen {
        Yen(yen)
    }

    /// Returns the number of yen.
    #[must_use]
    pub const fn get(self) -> u128 {
        self.0
    }

    /// Adds, or returns `None` on overflow.
    #[must_use]
    pub fn checked_add(self, rhs: Yen) -> Option<Yen> {
        self.0.checked_add(rhs.0).map(Yen)
    }

    /// Subtracts, or returns `None` if the result would be negative.
    #[must_use]
    pub fn checked_sub(self, rhs: Yen) -> Option<Yen> {
        self.0.checked_sub(rhs.0).map(Yen)
    }

    /// `max(0, self − rhs)`: a shortfall or an excess, never negative.
    #[must_use]
    pub fn excess_over(self, rhs: Yen) -> Yen {
        Yen(self.0.saturating_sub(rhs.0))
    }

    /// Multiplies by a rate, rounding as asked; `None` if it does not fit.
    #[must_use]
    pub fn mul_rate(self, rate: Rate, round: Round) -> Option<Yen> {
        mul_div(
            U256::new(self.0),
            U256::new(rate.num),
            U256::new(rate.den),
            round,
        )
        .map(Yen)
    }

    /// Sums, or returns `None` on overflow.
    #[must_use]
    pub fn checked_sum<I: IntoIterator<Item = Yen>>(iter: I) -> Option<Yen> {
        iter.into_iter()
            .try_fold(Yen::ZERO, |a, b| a.checked_add(b))
    }

    /// The ratio `self / whole`, for display and comparisons (`None` if
    /// `whole` is zero).
    #[must_use]
    pub fn ratio_to(self, whole: Yen) -> Option<Ratio> {
        (whole.0 != 0).then_some(Ratio {
            num: self.0,
            den: whole.0,
        })
    }
}

impl fmt::Display for Yen {
    /// Yen with thousands separators: `10,600,000,000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        f.pad(&out)
    }
}

/// An exact non-negative ratio `num / den` (den > 0): a share, a coverage or
/// a multiple. Compared and displayed exactly; never turned into a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: u128,
    den: u128,
}

impl Ratio {
    /// Creates `num / den`, or `None` if `den` is zero.
    #[must_use]
    pub fn new(num: u128, den: u128) -> Option<Ratio> {
        (den != 0).then_some(Ratio { num, den })
    }

    /// The numerator.
    #[must_use]
    pub fn num(self) -> u128 {
        self.num
    }

    /// The denominator (never zero).
    #[must_use]
    pub fn den(self) -> u128 {
        self.den
    }

    /// Whether `self <= other`, exactly (cross-multiplied in 256 bits).
    #[must_use]
    pub fn le(self, other: Ratio) -> bool {
        U256::new(self.num) * U256::new(other.den) <= U256::new(other.num) * U256::new(self.den)
    }

    /// Whether `self <= rate`, exactly.
    #[must_use]
    pub fn le_rate(self, rate: Rate) -> bool {
        self.le(Ratio {
            num: rate.num,
            den: rate.den,
        })
    }

    /// The value in hundredths of a percent, rounded down (for display only).
    #[must_use]
    pub fn basis_points_floor(self) -> u128 {
        mul_div(
            U256::new(self.num),
            U256::new(10_000),
            U256::new(self.den),
            Round::Down,
        )
        .unwrap_or(u128::MAX)
    }

    /// Displays as a percentage with two decimals, rounded down (`12.34%`).
    /// Display only: pass/fail decisions compare the exact ratio.
    #[must_use]
    pub fn percent(self) -> String {
        let bp = self.basis_points_floor();
        format!("{}.{:02}%", bp / 100, bp % 100)
    }

    /// Displays as a multiple with two decimals, rounded down (`4.54x`).
    #[must_use]
    pub fn multiple(self) -> String {
        let h = mul_div(
            U256::new(self.num),
            U256::new(100),
            U256::new(self.den),
            Round::Down,
        )
        .unwrap_or(u128::MAX);
        format!("{}.{:02}x", h / 100, h % 100)
    }
}

/// An exact non-negative rate, written in files as a decimal string with an
/// optional `%` ("5%", "0.005%", "0.25"). Stored as `num / 10^k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    num: u128,
    den: u128,
}

/// The most fractional digits a rate, price or FX string may have.
pub const MAX_FRACTION_DIGITS: u32 = 30;

impl Rate {
    /// Zero.
    pub const ZERO: Rate = Rate { num: 0, den: 1 };
    /// One (100%).
    pub const ONE: Rate = Rate { num: 1, den: 1 };

    /// Creates `num / 10^scale`, or `None` if `scale` exceeds
    /// [`MAX_FRACTION_DIGITS`].
    #[must_use]
    pub fn from_scaled(num: u128, scale: u32) -> Option<Rate> {
        if scale > MAX_FRACTION_DIGITS {
            return None;
        }
        Some(Rate {
            num,
            den: 10u128.pow(scale),
        })
    }

    /// Parses "5%", "0.005%", "0.25" or "1" exactly.
    ///
    /// # Errors
    ///
    /// Returns a [`NumberError`] for a sign, exponent, empty string, any
    /// character other than digits, one `.` and one trailing `%`, or more
    /// than [`MAX_FRACTION_DIGITS`] fractional digits.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_reserve::{Rate, Yen, Round};
    /// let r = Rate::parse("0.005%")?;
    /// let y = Yen::new(8_000_000_000_000).mul_rate(r, Round::Up).unwrap();
    /// assert_eq!(y, Yen::new(400_000_000));
    /// # Ok::<_, por_reserve::NumberError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Rate, NumberError> {
        let (body, percent) = match s.strip_suffix('%') {
            Some(b) => (b, true),
            None => (s, false),
        };
        let (num, mut scale) = parse_decimal(body).map_err(|why| NumberError {
            input: s.to_owned(),
            why,
        })?;
        if percent {
            scale += 2;
        }
        Rate::from_scaled(num, scale).ok_or_else(|| NumberError {
            input: s.to_owned(),
            why: "too many fractional digits",
        })
    }

    /// The numerator.
    #[must_use]
    pub fn num(self) -> u128 {
        self.num
    }

    /// The denominator (a power of ten).
    #[must_use]
    pub fn den(self) -> u128 {
        self.den
    }

    /// The rate as a [`Ratio`].
    #[must_use]
    pub fn as_ratio(self) -> Ratio {
        Ratio {
            num: self.num,
            den: self.den,
        }
    }

    /// Whether the rate is at most 100%.
    #[must_use]
    pub fn is_at_most_one(self) -> bool {
        self.num <= self.den
    }

    /// `1 − self` for a rate at most 100%; `None` otherwise.
    #[must_use]
    pub fn complement(self) -> Option<Rate> {
        Some(Rate {
            num: self.den.checked_sub(self.num)?,
            den: self.den,
        })
    }
}

impl fmt::Display for Rate {
    /// Exact percentage, trailing zeros trimmed: `0.005%`, `5%`, `100%`.
    /// Pure digit shifting: no arithmetic, so no overflow for any rate.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // num / 10^k as a percentage is num with the point k − 2 places in.
        let k = self.den.to_string().len() - 1; // den = 10^k
        let mut digits = self.num.to_string();
        if k <= 2 {
            if self.num != 0 {
                digits.push_str(&"0".repeat(2 - k));
            }
            return write!(f, "{digits}%");
        }
        let frac_len = k - 2;
        if digits.len() <= frac_len {
            digits = format!("{}{digits}", "0".repeat(frac_len + 1 - digits.len()));
        }
        let (whole, frac) = digits.split_at(digits.len() - frac_len);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            write!(f, "{whole}%")
        } else {
            write!(f, "{whole}.{frac}%")
        }
    }
}

/// A signed rate such as a price change ("-30%").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedRate {
    negative: bool,
    magnitude: Rate,
}

impl SignedRate {
    /// Parses "-30%", "+10%", "25%".
    ///
    /// # Errors
    ///
    /// As [`Rate::parse`] after an optional sign.
    pub fn parse(s: &str) -> Result<SignedRate, NumberError> {
        let (negative, body) = if let Some(b) = s.strip_prefix('-') {
            (true, b)
        } else if let Some(b) = s.strip_prefix('+') {
            (false, b)
        } else {
            (false, s)
        };
        let magnitude = Rate::parse(body).map_err(|e| NumberError {
            input: s.to_owned(),
            why: e.why,
        })?;
        Ok(SignedRate {
            negative,
            magnitude,
        })
    }

    /// `1 + self` as a rate, or `None` if that is negative.
    #[must_use]
    pub fn one_plus(self) -> Option<Rate> {
        let den = self.magnitude.den;
        let num = if self.negative {
            den.checked_sub(self.magnitude.num)?
        } else {
            den.checked_add(self.magnitude.num)?
        };
        Some(Rate { num, den })
    }
}

impl fmt::Display for SignedRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.negative { "-" } else { "+" };
        write!(f, "{sign}{}", self.magnitude)
    }
}

/// A price in yen per whole unit of an asset (or per unit of a currency), an
/// exact decimal ("10000000", "88.549").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    num: u128,
    scale: u32,
}

impl Price {
    /// Parses a non-negative decimal price exactly.
    ///
    /// # Errors
    ///
    /// As [`Rate::parse`], without the `%` form.
    pub fn parse(s: &str) -> Result<Price, NumberError> {
        let (num, scale) = parse_decimal(s).map_err(|why| NumberError {
            input: s.to_owned(),
            why,
        })?;
        if scale > MAX_FRACTION_DIGITS {
            return Err(NumberError {
                input: s.to_owned(),
                why: "too many fractional digits",
            });
        }
        Ok(Price { num, scale })
    }

    /// The price as `num / 10^scale`.
    pub(crate) fn parts(self) -> (u128, u32) {
        (self.num, self.scale)
    }

    /// A whole number of yen per unit.
    #[must_use]
    pub fn from_yen(yen: u128) -> Price {
        Price { num: yen, scale: 0 }
    }

    /// The value in yen of `base_units` of an asset with `decimals`, rounded
    /// as asked: `base_units × price ÷ 10^decimals`, in 256 bits.
    ///
    /// Returns `None` if the value does not fit a `u128` of yen.
    #[must_use]
    pub fn value_of(self, base_units: u128, decimals: u8, round: Round) -> Option<Yen> {
        let den = pow10(u32::from(decimals).checked_add(self.scale)?)?;
        mul_div(U256::new(base_units), U256::new(self.num), den, round).map(Yen)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.scale as usize;
        let digits = format!("{:0>width$}", self.num, width = scale + 1);
        let (whole, frac) = digits.split_at(digits.len() - scale);
        if frac.is_empty() {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{frac}")
        }
    }
}

/// Parses `digits[.digits]` into `(integer, fractional digit count)`.
fn parse_decimal(s: &str) -> Result<(u128, u32), &'static str> {
    if s.is_empty() {
        return Err("empty: expected a decimal number");
    }
    if s.starts_with('-') {
        return Err("negative: expected a non-negative decimal number");
    }
    if s.starts_with('+') {
        return Err("has a sign: write it without +");
    }
    if s.contains(['e', 'E']) {
        return Err("exponent notation: write plain decimal digits");
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() || (s.contains('.') && frac.is_empty()) {
        return Err("needs digits on both sides of the decimal point");
    }
    if !whole
        .bytes()
        .chain(frac.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return Err("expected decimal digits, at most one '.' and for rates a trailing '%'");
    }
    let mut v: u128 = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u128::from(b - b'0')))
            .ok_or("too large")?;
    }
    let scale = u32::try_from(frac.len()).map_err(|_| "too many fractional digits")?;
    Ok((v, scale))
}

/// A decimal string that is not a valid rate, price or yen amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError {
    input: String,
    why: &'static str,
}

impl NumberError {
    /// The rejected string.
    #[must_use]
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a valid number: {}", self.input, self.why)
    }
}

impl std::error::Error for NumberError {}

/// A calendar date (proleptic Gregorian), parsed from `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day exists in that month.
    ///
    /// # Errors
    ///
    /// Returns a [`NumberError`] for any other shape or an impossible date.
    pub fn parse(s: &str) -> Result<Date, NumberError> {
        let err = |why| NumberError {
            input: s.to_owned(),
            why,
        };
        // The shape by pattern, not by index: exactly ten bytes, dashes at 4 and 7.
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = s.as_bytes() else {
            return Err(err("expected a date YYYY-MM-DD"));
        };
        let num = |digits: &[u8]| -> Result<u32, NumberError> {
            digits.iter().try_fold(0u32, |acc, &c| {
                if c.is_ascii_digit() {
                    // At most four digits: no overflow.
                    Ok(acc * 10 + u32::from(c - b'0'))
                } else {
                    Err(err("expected a date YYYY-MM-DD"))
                }
            })
        };
        let year = i32::try_from(num(&[y0, y1, y2, y3])?).map_err(|_| err("bad year"))?;
        let month = u8::try_from(num(&[m0, m1])?).map_err(|_| err("bad month"))?;
        let day = u8::try_from(num(&[d0, d1])?).map_err(|_| err("bad day"))?;
        if !(1..=12).contains(&month) {
            return Err(err("month must be 01 to 12"));
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day == 0 || day > days_in {
            return Err(err("no such day in that month"));
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's
    /// `days_from_civil`.
    #[must_use]
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The same day `years` earlier (29 February becomes 28 February in a
    /// common year); `None` before year 0.
    #[must_use]
    pub fn minus_years(self, years: u32) -> Option<Date> {
        let year = self.year.checked_sub(i32::try_from(years).ok()?)?;
        if year < 0 {
            return None;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let day = if self.month == 2 && self.day == 29 && !leap {
            28
        } else {
            self.day
        };
        Some(Date {
            year,
            month: self.month,
            day,
        })
    }

    /// Days from `self` to `later` (negative if `later` is earlier).
    #[must_use]
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

// JSON forms: yen and quantities as decimal strings (a u128 does not fit a
// JSON number), rates as their exact percentage, ratios as exact
// numerator / denominator plus a display percentage.
impl serde::Serialize for Yen {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl serde::Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for SignedRate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for Ratio {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Ratio", 3)?;
        st.serialize_field("num", &self.num.to_string())?;
        st.serialize_field("den", &self.den.to_string())?;
        st.serialize_field("percent", &self.percent())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_div_rounds_both_ways_and_never_overflows() {
        let m = |a: u128, b: u128, c: u128, r| mul_div(U256::new(a), U256::new(b), U256::new(c), r);
        assert_eq!(m(10, 1, 3, Round::Down), Some(3));
        assert_eq!(m(10, 1, 3, Round::Up), Some(4));
        assert_eq!(m(9, 1, 3, Round::Up), Some(3));
        assert_eq!(m(1, 1, 0, Round::Up), None);
        // u128::MAX × u128::MAX ÷ u128::MAX is exact in 256 bits.
        assert_eq!(
            m(u128::MAX, u128::MAX, u128::MAX, Round::Down),
            Some(u128::MAX)
        );
        // ...but a result over u128 is reported, not wrapped.
        assert_eq!(m(u128::MAX, 2, 1, Round::Down), None);
    }

    #[test]
    fn rates_parse_exactly() {
        let r = |s| Rate::parse(s).unwrap();
        assert_eq!(r("5%").as_ratio(), Ratio::new(5, 100).unwrap());
        assert_eq!(r("0.005%").num(), 5);
        assert_eq!(r("0.005%").den(), 100_000);
        assert_eq!(r("0.25").as_ratio(), Ratio::new(25, 100).unwrap());
        assert_eq!(r("1"), Rate::ONE);
        assert_eq!(r("0.005%").to_string(), "0.005%");
        assert_eq!(r("5%").to_string(), "5%");
        assert_eq!(r("1").to_string(), "100%");
        assert_eq!(r("0.25").to_string(), "25%");
        assert_eq!(r("12.5%").to_string(), "12.5%");
        assert_eq!(r("0").to_string(), "0%");
        assert_eq!(r("0.5").to_string(), "50%");
        assert_eq!(r("0.000001%").to_string(), "0.000001%");
        let max = u128::MAX.to_string();
        assert_eq!(r(&max).to_string(), format!("{max}00%"));
        for bad in [
            "", "-5%", "+5%", "5e-2", "5%%", "0.5.1", ".5", "5.", "five", "5 %",
        ] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SignedRate::parse("-30%")
                .unwrap()
                .one_plus()
                .unwrap()
                .as_ratio(),
            Ratio::new(70, 100).unwrap()
        );
    }

    #[test]
    fn prices_value_quantities_in_256_bits() {
        let p = Price::parse("10000000").unwrap();
        // 4 820 BTC in satoshi at ¥10 000 000.
        assert_eq!(
            p.value_of(482_000_000_000, 8, Round::Down),
            Some(Yen::new(48_200_000_000))
        );
        let p = Price::parse("88.549").unwrap();
        assert_eq!(p.value_of(3, 0, Round::Down), Some(Yen::new(265)));
        assert_eq!(p.value_of(3, 0, Round::Up), Some(Yen::new(266)));
        // A u128::MAX of wei at a large price: the product needs > 128 bits.
        let p = Price::parse("500000").unwrap();
        let v = p.value_of(u128::MAX, 18, Round::Down).unwrap();
        let e18 = 10u128.pow(18);
        let reference = u128::MAX / e18 * 500_000 + (u128::MAX % e18) * 500_000 / e18;
        assert_eq!(v, Yen::new(reference));
    }

    #[test]
    fn yen_display_and_dates() {
        assert_eq!(Yen::new(10_600_000_000).to_string(), "10,600,000,000");
        assert_eq!(Yen::new(0).to_string(), "0");
        assert_eq!(Yen::new(100).to_string(), "100");
        assert_eq!(Yen::new(1000).to_string(), "1,000");
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("2000-03-01").days_since_epoch(), 11_017);
        assert_eq!(d("2025-03-31").days_until(d("2026-03-31")), 365);
        assert_eq!(d("2023-03-31").days_until(d("2024-03-31")), 366);
        assert!(Date::parse("2025-02-29").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2024-13-01").is_err());
        assert!(Date::parse("2024-1-01").is_err());
        assert_eq!(d("2024-02-29").minus_years(1), Some(d("2023-02-28")));
        assert_eq!(d("2026-03-31").minus_years(3), Some(d("2023-03-31")));
        assert_eq!(d("0002-01-01").minus_years(3), None);
    }

    #[test]
    fn ratio_compares_exactly_and_displays_floor() {
        let five = Rate::parse("5%").unwrap();
        assert!(Ratio::new(50, 1000).unwrap().le_rate(five));
        assert!(!Ratio::new(50_000_000_001, 1_000_000_000_000)
            .unwrap()
            .le_rate(five));
        assert_eq!(Ratio::new(2, 3).unwrap().percent(), "66.66%");
        assert_eq!(Ratio::new(482, 106).unwrap().multiple(), "4.54x");
    }

    proptest::proptest! {
        #[test]
        fn mul_div_matches_u128_reference(a in 0u64.., b in 0u64.., c in 1u64..) {
            let exact = u128::from(a) * u128::from(b);
            let down = exact / u128::from(c);
            let up = down + u128::from(exact % u128::from(c) != 0);
            proptest::prop_assert_eq!(mul_div(U256::new(a.into()), U256::new(b.into()), U256::new(c.into()), Round::Down), Some(down));
            proptest::prop_assert_eq!(mul_div(U256::new(a.into()), U256::new(b.into()), U256::new(c.into()), Round::Up), Some(up));
        }

        #[test]
        fn rate_display_round_trips(num in 0u128..10u128.pow(36), scale in 0u32..=30) {
            // Below 10^36 the percentage's digits (num × 100) still parse.
            let r = Rate::from_scaled(num, scale).unwrap();
            let back = Rate::parse(&r.to_string()).unwrap();
            proptest::prop_assert_eq!(back.as_ratio().le(r.as_ratio()) && r.as_ratio().le(back.as_ratio()), true);
        }

        #[test]
        fn rate_parse_never_panics(s in "\\PC{0,24}") {
            let _ = Rate::parse(&s);
            let _ = Price::parse(&s);
            let _ = Date::parse(&s);
        }
    }
}
