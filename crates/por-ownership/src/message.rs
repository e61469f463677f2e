//! The canonical reserves message of `DESIGN.md`, which binds an ownership
//! signature to one exchange and one snapshot:
//!
//! ```text
//! por reserves v1
//! exchange: <exchange id>
//! snapshot: <snapshot label>
//! liabilities: <root hash, 64 lower-case hex digits>
//! ```
//!
//! The four lines are joined by a single `\n` (LF) and there is **no** trailing
//! newline: the signed bytes end with the last hex digit. Parsing is strict:
//! CRLF, a trailing newline, extra spaces, upper-case hex or extra lines make
//! a message that is not canonical, and so not bound to a snapshot.

use core::fmt;

/// The first line.
pub const HEADER: &str = "por reserves v1";

/// The fields of a canonical reserves message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReservesMessage {
    exchange: String,
    snapshot: String,
    root: [u8; 32],
}

/// Why the fields cannot make a canonical message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageError {
    /// A field is empty, has a control character, or leading/trailing spaces.
    BadField {
        /// `exchange` or `snapshot`.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// The root is not 64 hex digits.
    BadRoot {
        /// The value given.
        value: String,
    },
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::BadField { field, value } => write!(
                f,
                "{field} {value:?} must be non-empty, without control characters or leading/trailing spaces"
            ),
            MessageError::BadRoot { value } => {
                write!(f, "liabilities root {value:?} is not 64 hex digits (a SHA-256 hash)")
            }
        }
    }
}

impl std::error::Error for MessageError {}

fn check_field(field: &'static str, value: &str) -> Result<(), MessageError> {
    let ok = !value.is_empty() && value.trim() == value && !value.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(MessageError::BadField {
            field,
            value: value.to_owned(),
        })
    }
}

impl ReservesMessage {
    /// Builds the message for an exchange, a snapshot label and a liabilities
    /// root given as hex (either case; it is written lower-case).
    ///
    /// # Errors
    ///
    /// [`MessageError`] if a field could not be read back unambiguously.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_ownership::ReservesMessage;
    /// let m = ReservesMessage::new("acme", "2026-11-21", &"ab".repeat(32))?;
    /// assert_eq!(m.to_text(), format!("por reserves v1\nexchange: acme\nsnapshot: 2026-11-21\nliabilities: {}", "ab".repeat(32)));
    /// # Ok::<_, por_ownership::MessageError>(())
    /// ```
    pub fn new(
        exchange: &str,
        snapshot: &str,
        root_hex: &str,
    ) -> Result<ReservesMessage, MessageError> {
        check_field("exchange", exchange)?;
        check_field("snapshot", snapshot)?;
        let mut root = [0u8; 32];
        hex::decode_to_slice(root_hex, &mut root).map_err(|_| MessageError::BadRoot {
            value: root_hex.to_owned(),
        })?;
        Ok(ReservesMessage {
            exchange: exchange.to_owned(),
            snapshot: snapshot.to_owned(),
            root,
        })
    }

    /// The exact text to sign (no trailing newline).
    #[must_use]
    pub fn to_text(&self) -> String {
        format!(
            "{HEADER}\nexchange: {}\nsnapshot: {}\nliabilities: {}",
            self.exchange,
            self.snapshot,
            hex::encode(self.root)
        )
    }

    /// Reads a signed message as a canonical reserves message; `None` if it is
    /// not exactly one (any other text, including a trailing newline).
    #[must_use]
    pub fn parse(message: &[u8]) -> Option<ReservesMessage> {
        let text = core::str::from_utf8(message).ok()?;
        let mut lines = text.split('\n');
        if lines.next()? != HEADER {
            return None;
        }
        let exchange = lines.next()?.strip_prefix("exchange: ")?;
        let snapshot = lines.next()?.strip_prefix("snapshot: ")?;
        let root_hex = lines.next()?.strip_prefix("liabilities: ")?;
        if lines.next().is_some() || root_hex.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let m = ReservesMessage::new(exchange, snapshot, root_hex).ok()?;
        (m.to_text().as_bytes() == message).then_some(m)
    }

    /// How this (signed) message differs from `expected`, field by field,
    /// each as `field "signed" vs "expected"`: what a custody team needs to
    /// see when a wallet signed for another exchange id, snapshot or root.
    /// Empty when the two are the same message.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_ownership::ReservesMessage;
    /// let root = "ab".repeat(32);
    /// let signed = ReservesMessage::new("acme-jp", "2026-11-21", &root)?;
    /// let expected = ReservesMessage::new("ACME-JP", "2026-11-21", &root)?;
    /// assert_eq!(signed.differences(&expected), ["exchange \"acme-jp\" vs \"ACME-JP\""]);
    /// # Ok::<_, por_ownership::MessageError>(())
    /// ```
    #[must_use]
    pub fn differences(&self, expected: &ReservesMessage) -> Vec<String> {
        let mut out = Vec::new();
        if self.exchange != expected.exchange {
            out.push(format!(
                "exchange {:?} vs {:?}",
                self.exchange, expected.exchange
            ));
        }
        if self.snapshot != expected.snapshot {
            out.push(format!(
                "snapshot {:?} vs {:?}",
                self.snapshot, expected.snapshot
            ));
        }
        if self.root != expected.root {
            out.push(format!(
                "liabilities root {} vs {} (every new tree root needs new signatures)",
                hex::encode(self.root),
                hex::encode(expected.root)
            ));
        }
        out
    }

    /// The exchange id.
    #[must_use]
    pub fn exchange(&self) -> &str {
        &self.exchange
    }

    /// The snapshot label.
    #[must_use]
    pub fn snapshot(&self) -> &str {
        &self.snapshot
    }

    /// The liabilities root.
    #[must_use]
    pub fn root(&self) -> [u8; 32] {
        self.root
    }
}

impl fmt::Display for ReservesMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// How a signed message relates to the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Binding {
    /// The canonical message for the expected snapshot.
    BoundToExpected(ReservesMessage),
    /// A canonical message; no snapshot was given to compare with.
    Canonical(ReservesMessage),
    /// A canonical message for another exchange, snapshot or root.
    OtherSnapshot {
        /// The message that was signed.
        signed: ReservesMessage,
        /// This snapshot's message, which was expected (boxed: a verdict
        /// stays small).
        expected: Box<ReservesMessage>,
    },
    /// Not a canonical reserves message (a fixed text such as "I am an OKX
    /// address" can be reused forever).
    NotBound,
}

impl Binding {
    /// Whether the signature is bound to the snapshot asked about (or, with no
    /// snapshot given, to some snapshot).
    #[must_use]
    pub fn is_bound(&self) -> bool {
        matches!(self, Binding::BoundToExpected(_) | Binding::Canonical(_))
    }

    /// A one-line description for reports.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Binding::BoundToExpected(m) => format!(
                "bound to exchange {} snapshot {}",
                m.exchange(),
                m.snapshot()
            ),
            Binding::Canonical(m) => format!(
                "canonical message for exchange {} snapshot {} (no expected snapshot given)",
                m.exchange(),
                m.snapshot()
            ),
            Binding::OtherSnapshot { signed, expected } => format!(
                "NOT bound to this snapshot: the signed message differs from this snapshot's (signed vs expected): {}",
                signed.differences(expected).join("; ")
            ),
            Binding::NotBound => {
                "NOT bound to a snapshot: not the canonical reserves message".to_owned()
            }
        }
    }
}

/// Tells whether `message` is the canonical message of `expected` (or, with
/// `None`, of any snapshot).
#[must_use]
pub fn binding(message: &[u8], expected: Option<&ReservesMessage>) -> Binding {
    match (ReservesMessage::parse(message), expected) {
        (None, _) => Binding::NotBound,
        (Some(m), None) => Binding::Canonical(m),
        (Some(m), Some(e)) if m == *e => Binding::BoundToExpected(m),
        (Some(m), Some(e)) => Binding::OtherSnapshot {
            signed: m,
            expected: Box::new(e.clone()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_binding() {
        let root = "00".repeat(31) + "ff";
        let m = ReservesMessage::new("acme", "2026-11-21", &root).expect("valid");
        let text = m.to_text();
        assert_eq!(
            binding(text.as_bytes(), Some(&m)),
            Binding::BoundToExpected(m.clone())
        );
        assert_eq!(
            binding(format!("{text}\n").as_bytes(), Some(&m)),
            Binding::NotBound
        );
        assert_eq!(
            binding(text.replace('\n', "\r\n").as_bytes(), Some(&m)),
            Binding::NotBound
        );
        assert_eq!(
            binding(text.replace("ff", "FF").as_bytes(), Some(&m)),
            Binding::NotBound
        );
        let other = ReservesMessage::new("acme", "2026-11-20", &root).expect("valid");
        let b = binding(other.to_text().as_bytes(), Some(&m));
        assert!(matches!(b, Binding::OtherSnapshot { .. }));
        assert_eq!(
            b.describe(),
            "NOT bound to this snapshot: the signed message differs from this snapshot's (signed vs expected): snapshot \"2026-11-20\" vs \"2026-11-21\""
        );
        let root2 = "00".repeat(32);
        let both = ReservesMessage::new("acme-jp", "2026-11-21", &root2).expect("valid");
        assert_eq!(
            both.differences(&m),
            [
                "exchange \"acme-jp\" vs \"acme\"".to_owned(),
                format!(
                    "liabilities root {root2} vs {root} (every new tree root needs new signatures)"
                ),
            ]
        );
        assert!(m.differences(&m).is_empty());
        assert!(ReservesMessage::new("ac\nme", "x", &root).is_err());
        assert!(ReservesMessage::new("acme", " x", &root).is_err());
        assert!(ReservesMessage::new("acme", "x", "abc").is_err());
        assert_eq!(binding(b"I am an OKX address", None), Binding::NotBound);
    }
}
