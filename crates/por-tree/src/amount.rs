//! Amounts: unsigned 128-bit integers of an asset's base unit (satoshi, wei, ...).
//!
//! There are no floats anywhere. Decimal strings are parsed exactly with the
//! asset's `decimals`; a value with more fractional digits than `decimals`, a
//! sign, exponent notation, a non-digit or a value over `u128::MAX` is an
//! error, never a rounding.

use core::fmt;

use crate::prelude::*;

/// The largest number of decimals an asset may have: `10^38` is the largest
/// power of ten that fits in a `u128`.
pub const MAX_DECIMALS: u8 = 38;

mod encapsulate {
    /// A non-negative quantity of one asset, in base units.
    ///
    /// The field is private so that every value comes through a constructor,
    /// and every sum goes through checked arithmetic.
    #[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct Amount(u128);

    impl Amount {
        /// Zero base units.
        pub const ZERO: Amount = Amount(0);
        /// The largest representable amount, `u128::MAX` base units.
        pub const MAX: Amount = Amount(u128::MAX);

        /// Creates an amount from a number of base units.
        #[must_use]
        pub const fn from_base_units(units: u128) -> Self {
            Amount(units)
        }

        /// Returns the number of base units.
        #[must_use]
        pub const fn to_base_units(self) -> u128 {
            self.0
        }
    }
}

pub use encapsulate::Amount;

impl Amount {
    /// Adds two amounts, or returns `None` on overflow.
    #[must_use]
    pub fn checked_add(self, rhs: Amount) -> Option<Amount> {
        self.to_base_units()
            .checked_add(rhs.to_base_units())
            .map(Amount::from_base_units)
    }

    /// Subtracts `rhs`, or returns `None` if the result would be negative.
    #[must_use]
    pub fn checked_sub(self, rhs: Amount) -> Option<Amount> {
        self.to_base_units()
            .checked_sub(rhs.to_base_units())
            .map(Amount::from_base_units)
    }

    /// Sums amounts, or returns `None` on overflow.
    #[must_use]
    pub fn checked_sum<I: IntoIterator<Item = Amount>>(iter: I) -> Option<Amount> {
        iter.into_iter()
            .try_fold(Amount::ZERO, |acc, a| acc.checked_add(a))
    }

    /// The 16-byte big-endian encoding used in every hash preimage (`be128`).
    #[must_use]
    pub fn to_be_bytes(self) -> [u8; 16] {
        self.to_base_units().to_be_bytes()
    }

    /// Parses a decimal string in asset units ("0.5", "12") with at most
    /// `decimals` fractional digits, exactly.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseAmountError`] for an empty string, a sign, exponent
    /// notation, any other non-digit, a decimal point without digits on both
    /// sides, more fractional digits than `decimals`, a `decimals` above
    /// [`MAX_DECIMALS`], or a value over `u128::MAX` base units.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_tree::Amount;
    /// let a = Amount::from_decimal_str("1.5", 8)?;
    /// assert_eq!(a.to_base_units(), 150_000_000);
    /// assert!(Amount::from_decimal_str("0.000000001", 8).is_err());
    /// # Ok::<_, por_tree::ParseAmountError>(())
    /// ```
    pub fn from_decimal_str(s: &str, decimals: u8) -> Result<Amount, ParseAmountError> {
        parse_decimal(s.as_bytes(), decimals).map_err(|kind| ParseAmountError {
            input: s.to_owned(),
            kind,
        })
    }

    /// Like [`Amount::from_decimal_str`], for bytes that may not be UTF-8
    /// (a CSV field); a non-UTF-8 byte is reported as an invalid character.
    ///
    /// # Errors
    ///
    /// As [`Amount::from_decimal_str`].
    pub fn from_decimal_bytes(bytes: &[u8], decimals: u8) -> Result<Amount, ParseAmountError> {
        parse_decimal(bytes, decimals).map_err(|kind| ParseAmountError {
            input: String::from_utf8_lossy(bytes).into_owned(),
            kind,
        })
    }

    /// Parses a string of base units: decimal digits only ("150000000").
    ///
    /// # Errors
    ///
    /// Returns a [`ParseAmountError`] if the string is empty, has anything but
    /// ASCII digits, or exceeds `u128::MAX`.
    pub fn from_base_units_str(s: &str) -> Result<Amount, ParseAmountError> {
        let err = |kind| ParseAmountError {
            input: s.to_owned(),
            kind,
        };
        let bytes = s.as_bytes();
        if bytes.contains(&b'.') {
            return Err(err(AmountErrorKind::NotBaseUnits));
        }
        parse_decimal(bytes, 0).map_err(err)
    }

    /// Returns a value that displays this amount in asset units with exactly
    /// `decimals` fractional digits trimmed of trailing zeros ("1.5", "12").
    #[must_use]
    pub fn display_in(self, decimals: u8) -> DisplayInUnits {
        DisplayInUnits {
            amount: self,
            decimals,
        }
    }
}

impl fmt::Display for Amount {
    /// Displays the number of base units.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_base_units(), f)
    }
}

/// Displays an [`Amount`] in asset units; see [`Amount::display_in`].
#[derive(Debug, Clone, Copy)]
pub struct DisplayInUnits {
    amount: Amount,
    decimals: u8,
}

impl fmt::Display for DisplayInUnits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = self.amount.to_base_units();
        let decimals = u32::from(self.decimals.min(MAX_DECIMALS));
        let scale = 10u128.pow(decimals);
        let whole = units / scale;
        let frac = units % scale;
        if frac == 0 {
            return write!(f, "{whole}");
        }
        let width = decimals as usize;
        let frac = format!("{frac:0width$}");
        write!(f, "{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// Why a string is not a valid amount.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmountErrorKind {
    /// The string is empty.
    Empty,
    /// A leading `+` or `-`: amounts are unsigned and written without a sign.
    Sign,
    /// Exponent notation such as `1e8`.
    Exponent,
    /// A character that is not a decimal digit or the decimal point.
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the string.
        offset: usize,
    },
    /// A decimal point without digits before or after it (".5", "5.").
    MissingDigits,
    /// More fractional digits than the asset's `decimals`.
    TooManyDecimals {
        /// The asset's number of decimals.
        max: u8,
        /// The number of fractional digits given.
        given: usize,
    },
    /// A base-units string with a decimal point.
    NotBaseUnits,
    /// The asset declares more than [`MAX_DECIMALS`] decimals.
    DecimalsTooLarge(u8),
    /// The value exceeds `u128::MAX` base units.
    Overflow,
}

/// A decimal string that is not a valid amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseAmountError {
    input: String,
    kind: AmountErrorKind,
}

impl ParseAmountError {
    /// Returns why the string was rejected.
    #[must_use]
    pub fn kind(&self) -> &AmountErrorKind {
        &self.kind
    }

    /// Returns the rejected string.
    #[must_use]
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseAmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let input = &self.input;
        match &self.kind {
            AmountErrorKind::Empty => write!(f, "empty amount: expected a decimal number"),
            AmountErrorKind::Sign => write!(
                f,
                "amount {input:?} has a sign: amounts are unsigned, write them without + or -"
            ),
            AmountErrorKind::Exponent => write!(
                f,
                "amount {input:?} uses exponent notation: write it as plain decimal digits"
            ),
            AmountErrorKind::InvalidChar { ch, offset } => write!(
                f,
                "amount {input:?} has {ch:?} at offset {offset}: expected decimal digits and at most one '.'"
            ),
            AmountErrorKind::MissingDigits => write!(
                f,
                "amount {input:?} needs digits on both sides of the decimal point"
            ),
            AmountErrorKind::TooManyDecimals { max, given } => write!(
                f,
                "amount {input:?} has {given} decimal places but the asset allows at most {max}; it is not rounded"
            ),
            AmountErrorKind::NotBaseUnits => write!(
                f,
                "amount {input:?} has a decimal point: expected an integer number of base units"
            ),
            AmountErrorKind::DecimalsTooLarge(d) => write!(
                f,
                "an asset may have at most {MAX_DECIMALS} decimals, not {d}"
            ),
            AmountErrorKind::Overflow => write!(
                f,
                "amount {input:?} exceeds the largest amount (2^128-1 base units)"
            ),
        }
    }
}

impl core::error::Error for ParseAmountError {}

/// The hot path of CSV ingestion: exact decimal parsing without allocation.
fn parse_decimal(bytes: &[u8], decimals: u8) -> Result<Amount, AmountErrorKind> {
    if decimals > MAX_DECIMALS {
        return Err(AmountErrorKind::DecimalsTooLarge(decimals));
    }
    let Some(&first) = bytes.first() else {
        return Err(AmountErrorKind::Empty);
    };
    if first == b'-' || first == b'+' {
        return Err(AmountErrorKind::Sign);
    }
    let mut whole: u128 = 0;
    let mut frac: u128 = 0;
    let mut frac_digits: usize = 0;
    let mut whole_digits: usize = 0;
    let mut seen_point = false;
    for (offset, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                let d = u128::from(b - b'0');
                if seen_point {
                    frac_digits += 1;
                    if frac_digits > usize::from(decimals) {
                        // Keep scanning so that a later bad character is reported
                        // as such; but the verdict is already "too many decimals"
                        // unless the string is otherwise malformed.
                        continue;
                    }
                    frac = frac * 10 + d; // < 10^38, cannot overflow
                } else {
                    whole_digits += 1;
                    whole = whole
                        .checked_mul(10)
                        .and_then(|w| w.checked_add(d))
                        .ok_or(AmountErrorKind::Overflow)?;
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => return Err(AmountErrorKind::Exponent),
            b'-' | b'+' if offset > 0 => {
                return Err(AmountErrorKind::InvalidChar {
                    ch: char::from(b),
                    offset,
                })
            }
            _ => {
                let ch = core::str::from_utf8(&bytes[offset..])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                return Err(AmountErrorKind::InvalidChar { ch, offset });
            }
        }
    }
    if seen_point && (whole_digits == 0 || frac_digits == 0) {
        return Err(AmountErrorKind::MissingDigits);
    }
    if frac_digits > usize::from(decimals) {
        return Err(AmountErrorKind::TooManyDecimals {
            max: decimals,
            given: frac_digits,
        });
    }
    let missing = u32::from(decimals) - u32::try_from(frac_digits).unwrap_or(0);
    let frac = frac * 10u128.pow(missing);
    let scale = 10u128.pow(u32::from(decimals));
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac))
        .map(Amount::from_base_units)
        .ok_or(AmountErrorKind::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str, d: u8) -> AmountErrorKind {
        Amount::from_decimal_str(s, d).unwrap_err().kind().clone()
    }

    #[test]
    fn parses_exactly() {
        let p = |s, d| Amount::from_decimal_str(s, d).unwrap().to_base_units();
        assert_eq!(p("0", 8), 0);
        assert_eq!(p("12", 8), 1_200_000_000);
        assert_eq!(p("0.5", 8), 50_000_000);
        assert_eq!(p("0.00000001", 8), 1);
        assert_eq!(p("007.10", 2), 710);
        assert_eq!(p("1.000000000000000001", 18), 1_000_000_000_000_000_001);
        assert_eq!(p("340282366920938463463374607431768211455", 0), u128::MAX);
        assert_eq!(p("3.40282366920938463463374607431768211455", 38), u128::MAX);
    }

    #[test]
    fn rejects_instead_of_rounding() {
        assert_eq!(
            kind("0.000000001", 8),
            AmountErrorKind::TooManyDecimals { max: 8, given: 9 }
        );
        assert_eq!(
            kind("1.0", 0),
            AmountErrorKind::TooManyDecimals { max: 0, given: 1 }
        );
        assert_eq!(kind("-1", 8), AmountErrorKind::Sign);
        assert_eq!(kind("+1", 8), AmountErrorKind::Sign);
        assert_eq!(kind("1e8", 8), AmountErrorKind::Exponent);
        assert_eq!(kind("", 8), AmountErrorKind::Empty);
        assert_eq!(kind(".5", 8), AmountErrorKind::MissingDigits);
        assert_eq!(kind("5.", 8), AmountErrorKind::MissingDigits);
        assert_eq!(
            kind("1.2.3", 8),
            AmountErrorKind::InvalidChar { ch: '.', offset: 3 }
        );
        assert_eq!(
            kind("1,5", 8),
            AmountErrorKind::InvalidChar { ch: ',', offset: 1 }
        );
        assert_eq!(
            kind(" 1", 8),
            AmountErrorKind::InvalidChar { ch: ' ', offset: 0 }
        );
        assert_eq!(
            kind("１", 8),
            AmountErrorKind::InvalidChar {
                ch: '１',
                offset: 0
            }
        );
        assert_eq!(
            kind("340282366920938463463374607431768211456", 0),
            AmountErrorKind::Overflow
        );
        assert_eq!(
            kind("3.40282366920938463463374607431768211456", 38),
            AmountErrorKind::Overflow
        );
        assert_eq!(kind("1", 39), AmountErrorKind::DecimalsTooLarge(39));
    }

    #[test]
    fn base_units_strings() {
        assert_eq!(
            Amount::from_base_units_str("150000000").unwrap(),
            Amount::from_base_units(150_000_000)
        );
        assert_eq!(
            Amount::from_base_units_str("1.5").unwrap_err().kind(),
            &AmountErrorKind::NotBaseUnits
        );
        assert!(Amount::from_base_units_str("-1").is_err());
    }

    #[test]
    fn displays_in_units() {
        let a = Amount::from_base_units(150_000_000);
        assert_eq!(a.display_in(8).to_string(), "1.5");
        assert_eq!(Amount::ZERO.display_in(8).to_string(), "0");
        assert_eq!(
            Amount::from_base_units(1).display_in(18).to_string(),
            "0.000000000000000001"
        );
        assert_eq!(Amount::MAX.display_in(0).to_string(), u128::MAX.to_string());
    }

    #[test]
    fn checked_arithmetic_never_wraps() {
        assert_eq!(Amount::MAX.checked_add(Amount::from_base_units(1)), None);
        assert_eq!(Amount::ZERO.checked_sub(Amount::from_base_units(1)), None);
        assert_eq!(
            Amount::checked_sum([Amount::MAX, Amount::ZERO]),
            Some(Amount::MAX)
        );
        assert_eq!(Amount::checked_sum([Amount::MAX, Amount::MAX]), None);
    }

    proptest::proptest! {
        #[test]
        fn display_parse_roundtrip(units: u128, decimals in 0u8..=38) {
            let a = Amount::from_base_units(units);
            let s = a.display_in(decimals).to_string();
            proptest::prop_assert_eq!(Amount::from_decimal_str(&s, decimals).unwrap(), a);
        }

        /// A valid amount with a few bytes inserted, deleted or replaced
        /// (random text would rarely get past the first byte): the parser
        /// never panics and agrees with [`model`] on every input, so what it
        /// accepts is exactly the decimals it should, and round-trips.
        #[test]
        fn mutated_amounts_match_the_model(
            units: u128,
            shown_in in 0u8..=38,
            decimals in 0u8..=40,
            edits in proptest::collection::vec(edit(), 0..5),
        ) {
            let mut bytes = Amount::from_base_units(units).display_in(shown_in).to_string().into_bytes();
            for e in &edits {
                e.apply(&mut bytes);
            }
            let parsed = Amount::from_decimal_bytes(&bytes, decimals);
            proptest::prop_assert_eq!(
                parsed.as_ref().ok().map(|a| a.to_base_units()),
                model(&bytes, decimals),
                "{:?} in {} decimals: {:?}", String::from_utf8_lossy(&bytes), decimals, parsed
            );
            if let Ok(s) = core::str::from_utf8(&bytes) {
                proptest::prop_assert_eq!(Amount::from_decimal_str(s, decimals).ok(), parsed.as_ref().ok().copied());
            }
            if let Ok(a) = parsed {
                let shown = a.display_in(decimals).to_string();
                proptest::prop_assert_eq!(Amount::from_decimal_str(&shown, decimals).unwrap(), a);
            }
        }
    }

    /// The grammar of [`Amount::from_decimal_str`] written plainly: digits,
    /// optionally a point and at most `decimals` digits, at most
    /// [`MAX_DECIMALS`] decimals, at most `u128::MAX` base units.
    fn model(bytes: &[u8], decimals: u8) -> Option<u128> {
        if decimals > MAX_DECIMALS {
            return None;
        }
        let text = core::str::from_utf8(bytes).ok()?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) if digits(f) && f.len() <= usize::from(decimals) => (w, f),
            Some(_) => return None,
            None => (text, ""),
        };
        if !digits(whole) {
            return None;
        }
        let padded = format!(
            "{whole}{frac}{}",
            "0".repeat(usize::from(decimals) - frac.len())
        );
        padded.parse().ok()
    }

    /// One byte edit of an amount; positions are taken modulo its length.
    #[derive(Debug, Clone)]
    enum Edit {
        Insert(usize, u8),
        Delete(usize),
        Replace(usize, u8),
    }

    impl Edit {
        fn apply(&self, bytes: &mut Vec<u8>) {
            match *self {
                Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
                Edit::Delete(i) if !bytes.is_empty() => {
                    bytes.remove(i % bytes.len());
                }
                Edit::Replace(i, b) if !bytes.is_empty() => {
                    let len = bytes.len();
                    bytes[i % len] = b;
                }
                Edit::Delete(_) | Edit::Replace(..) => {}
            }
        }
    }

    /// Edits biased towards what amounts are made of and the mistakes
    /// exports make (signs, exponents, separators, a second point).
    fn edit() -> impl proptest::strategy::Strategy<Value = Edit> {
        use proptest::prelude::*;
        let byte = prop_oneof![
            5 => proptest::sample::select(b"0123456789".to_vec()),
            2 => proptest::sample::select(b".-+eE ,_".to_vec()),
            1 => any::<u8>(),
        ];
        prop_oneof![
            (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
            any::<usize>().prop_map(Edit::Delete),
            (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        ]
    }
}
