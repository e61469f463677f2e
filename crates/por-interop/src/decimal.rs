//! Exact decimals as the exchanges' verifiers read them: Java's `BigDecimal`
//! and Go's `shopspring/decimal`, within 38 significant digits. No floats.
//!
//! Grammar accepted (both libraries accept it): an optional sign, digits with
//! an optional fraction (`1`, `1.5`, `1.`, `.5`), and an optional exponent
//! (`1e-3`, `2E+5`). Anything else is not a decimal. A value beyond `u128`
//! after scaling is [`DecimalError::TooLarge`]: the exchanges' libraries
//! have arbitrary precision, so por says it cannot check it rather than
//! guess.

use std::cmp::Ordering;
use std::fmt;

/// Largest scale (digits after the point) kept.
const MAX_SCALE: u32 = 60;

/// An exact signed decimal: `(-1)^neg * mag / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec {
    neg: bool,
    mag: u128,
    scale: u32,
}

/// Why a string is not a decimal por can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// Not in the grammar above.
    Syntax,
    /// Valid, but beyond 38 significant digits (or a scale beyond 60).
    TooLarge,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalError::Syntax => f.write_str("not a decimal number"),
            DecimalError::TooLarge => {
                f.write_str("a decimal beyond 38 significant digits, which por does not compute")
            }
        }
    }
}

fn pow10(n: u32) -> Option<u128> {
    10u128.checked_pow(n)
}

impl Dec {
    /// Zero.
    pub const ZERO: Dec = Dec {
        neg: false,
        mag: 0,
        scale: 0,
    };

    /// Parses the grammar in the module documentation.
    ///
    /// # Errors
    ///
    /// [`DecimalError::Syntax`] or [`DecimalError::TooLarge`].
    pub fn parse(s: &str) -> Result<Dec, DecimalError> {
        let b = s.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if let Some(&c) = b.first() {
            if c == b'-' || c == b'+' {
                neg = c == b'-';
                i = 1;
            }
        }
        let mut mag: u128 = 0;
        let mut digits = 0usize;
        let mut frac: i64 = 0;
        let mut seen_point = false;
        let mut too_large = false;
        while let Some(&c) = b.get(i) {
            if c.is_ascii_digit() {
                digits += 1;
                match mag
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(u128::from(c - b'0')))
                {
                    Some(m) => mag = m,
                    None => too_large = true,
                }
                if seen_point {
                    frac += 1;
                }
            } else if c == b'.' && !seen_point {
                seen_point = true;
            } else {
                break;
            }
            i += 1;
        }
        if digits == 0 {
            return Err(DecimalError::Syntax);
        }
        let mut exp: i64 = 0;
        if let Some(&c) = b.get(i) {
            if c != b'e' && c != b'E' {
                return Err(DecimalError::Syntax);
            }
            i += 1;
            let mut eneg = false;
            if let Some(&c) = b.get(i) {
                if c == b'-' || c == b'+' {
                    eneg = c == b'-';
                    i += 1;
                }
            }
            let start = i;
            while let Some(&c) = b.get(i) {
                if !c.is_ascii_digit() {
                    return Err(DecimalError::Syntax);
                }
                if i - start > 9 {
                    return Err(DecimalError::TooLarge);
                }
                exp = exp * 10 + i64::from(c - b'0');
                i += 1;
            }
            if i == start {
                return Err(DecimalError::Syntax);
            }
            if eneg {
                exp = -exp;
            }
        }
        if too_large {
            return Err(DecimalError::TooLarge);
        }
        let scale = frac - exp;
        let (mag, scale) = if scale < 0 {
            let up = u32::try_from(-scale).map_err(|_| DecimalError::TooLarge)?;
            let m = pow10(up)
                .and_then(|p| mag.checked_mul(p))
                .ok_or(DecimalError::TooLarge)?;
            (m, 0)
        } else {
            let s = u32::try_from(scale).map_err(|_| DecimalError::TooLarge)?;
            if s > MAX_SCALE {
                return Err(DecimalError::TooLarge);
            }
            (mag, s)
        };
        Ok(Dec {
            neg: neg && mag != 0,
            mag,
            scale,
        }
        .normal_sign())
    }

    fn normal_sign(self) -> Dec {
        Dec {
            neg: self.neg && self.mag != 0,
            ..self
        }
    }

    /// Whether the value is below zero.
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.neg && self.mag != 0
    }

    fn rescale(&self, scale: u32) -> Option<u128> {
        if scale >= self.scale {
            pow10(scale - self.scale).and_then(|p| self.mag.checked_mul(p))
        } else {
            None
        }
    }

    /// The exact sum, or `None` beyond 38 digits.
    #[must_use]
    pub fn checked_add(&self, other: &Dec) -> Option<Dec> {
        let scale = self.scale.max(other.scale);
        let a = self.rescale(scale)?;
        let b = other.rescale(scale)?;
        let (neg, mag) = if self.neg == other.neg {
            (self.neg, a.checked_add(b)?)
        } else if a >= b {
            (self.neg, a - b)
        } else {
            (other.neg, b - a)
        };
        Some(Dec { neg, mag, scale }.normal_sign())
    }

    /// Numeric comparison (`BigDecimal.compareTo`, `decimal.Cmp`), or `None`
    /// when the two cannot be brought to one scale within 38 digits.
    #[must_use]
    pub fn cmp_value(&self, other: &Dec) -> Option<Ordering> {
        let scale = self.scale.max(other.scale);
        let a = self.rescale(scale)?;
        let b = other.rescale(scale)?;
        Some(match (self.is_negative(), other.is_negative()) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => a.cmp(&b),
            (true, true) => b.cmp(&a),
        })
    }

    /// Truncated toward zero to `scale` digits (Java `RoundingMode.DOWN`,
    /// shopspring `RoundDown`), keeping `scale` as the display scale when it
    /// is larger than the value's own (Java `setScale` pads with zeros).
    #[must_use]
    pub fn set_scale_down(&self, scale: u32) -> Option<Dec> {
        if scale >= self.scale {
            return Some(Dec {
                mag: self.rescale(scale)?,
                scale,
                neg: self.neg,
            });
        }
        let p = pow10(self.scale - scale)?;
        Some(
            Dec {
                neg: self.neg,
                mag: self.mag / p,
                scale,
            }
            .normal_sign(),
        )
    }

    /// Without trailing fractional zeros (Java `stripTrailingZeros`).
    #[must_use]
    pub fn stripped(&self) -> Dec {
        let mut d = *self;
        while d.scale > 0 && d.mag % 10 == 0 {
            d.mag /= 10;
            d.scale -= 1;
        }
        d.normal_sign()
    }

    /// Plain notation at the value's own scale (Java `toPlainString`).
    #[must_use]
    pub fn plain(&self) -> String {
        let digits = self.mag.to_string();
        let sign = if self.is_negative() { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{sign}{int}.{frac}")
    }

    /// The shortest plain notation: Java's
    /// `stripTrailingZeros().toPlainString()` and Go shopspring's
    /// `Decimal.String()` (both give `0` for zero, `100` for 1E+2).
    #[must_use]
    pub fn canonical(&self) -> String {
        self.stripped().plain()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).expect("decimal")
    }

    #[test]
    fn grammar() {
        for ok in ["0", "-1.50", "+2", "1.", ".5", "1e3", "1.5E-3", "007"] {
            assert!(Dec::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "-", ".", "1e", "1.2.3", "0x10", " 1", "1 ", "NaN", "1e+",
        ] {
            assert_eq!(Dec::parse(bad), Err(DecimalError::Syntax), "{bad}");
        }
        assert_eq!(
            Dec::parse("1234567890123456789012345678901234567890"),
            Err(DecimalError::TooLarge)
        );
    }

    #[test]
    fn strings() {
        assert_eq!(d("1.50").canonical(), "1.5");
        assert_eq!(d("0.00000000").canonical(), "0");
        assert_eq!(d("1e2").canonical(), "100");
        assert_eq!(d("100").canonical(), "100");
        assert_eq!(d("-0.000").canonical(), "0");
        assert_eq!(d(".5").canonical(), "0.5");
        assert_eq!(d("1.5E-3").canonical(), "0.0015");
        assert_eq!(
            d("0.1").set_scale_down(8).map(|x| x.plain()).as_deref(),
            Some("0.10000000")
        );
        assert_eq!(
            d("-1.999").set_scale_down(2).map(|x| x.plain()).as_deref(),
            Some("-1.99")
        );
        assert_eq!(
            d("-0.001").set_scale_down(2).map(|x| x.plain()).as_deref(),
            Some("0.00")
        );
    }

    #[test]
    fn arithmetic() {
        let s = d("0.1").checked_add(&d("-0.30")).expect("sum");
        assert_eq!(s.canonical(), "-0.2");
        assert_eq!(d("1.0").cmp_value(&d("1")), Some(Ordering::Equal));
        assert_eq!(d("-2").cmp_value(&d("1")), Some(Ordering::Less));
    }
}
