//! Bitcoin consensus encoding: compact sizes, transactions (with and without
//! witness), witness stacks, and the hashes built on them.
//!
//! Every reader here takes untrusted bytes: lengths are checked against what is
//! left before anything is allocated, and a short or over-long input is a
//! [`DecodeError`], never a panic.

use core::fmt;

use sha2::{Digest, Sha256};

/// Double SHA-256.
#[must_use]
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

/// SHA-256.
#[must_use]
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// RIPEMD-160 of SHA-256 (Bitcoin's `hash160`).
#[must_use]
pub fn hash160(data: &[u8]) -> [u8; 20] {
    use ripemd::Ripemd160;
    Ripemd160::digest(Sha256::digest(data)).into()
}

/// BIP-340 tagged hash: `sha256(sha256(tag) || sha256(tag) || data)`.
#[must_use]
pub fn tagged_hash(tag: &str, parts: &[&[u8]]) -> [u8; 32] {
    let t = Sha256::digest(tag.as_bytes());
    let mut h = Sha256::new();
    h.update(t);
    h.update(t);
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// Appends a compact size (Bitcoin's var-int) to `out`.
pub fn write_compact_size(out: &mut Vec<u8>, n: u64) {
    if n < 0xfd {
        out.push(u8::try_from(n).expect("n < 0xfd fits a byte"));
    } else if n <= 0xffff {
        out.push(0xfd);
        out.extend_from_slice(&u16::try_from(n).expect("n <= 0xffff").to_le_bytes());
    } else if n <= 0xffff_ffff {
        out.push(0xfe);
        out.extend_from_slice(&u32::try_from(n).expect("n <= 0xffffffff").to_le_bytes());
    } else {
        out.push(0xff);
        out.extend_from_slice(&n.to_le_bytes());
    }
}

/// Appends `len(data) || data`.
pub fn write_var_bytes(out: &mut Vec<u8>, data: &[u8]) {
    write_compact_size(out, data.len() as u64);
    out.extend_from_slice(data);
}

/// Why bytes did not decode as the Bitcoin structure expected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended early.
    UnexpectedEnd {
        /// What was being read.
        what: &'static str,
    },
    /// A length or count is larger than the bytes that are left.
    LengthTooLarge {
        /// What was being read.
        what: &'static str,
        /// The length found.
        len: u64,
    },
    /// A compact size was not encoded in its shortest form.
    NonCanonicalCompactSize,
    /// Bytes remain after the structure ended.
    TrailingBytes {
        /// How many bytes remain.
        count: usize,
    },
    /// The segwit flag byte was not 1, or a segwit transaction had no witness.
    BadWitnessFlag {
        /// The flag found.
        flag: u8,
    },
    /// A transaction without inputs.
    NoInputs,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::UnexpectedEnd { what } => {
                write!(f, "input ends early while reading {what}")
            }
            DecodeError::LengthTooLarge { what, len } => {
                write!(f, "{what} length {len} is larger than the bytes left")
            }
            DecodeError::NonCanonicalCompactSize => {
                write!(f, "compact size not in its shortest form")
            }
            DecodeError::TrailingBytes { count } => {
                write!(f, "{count} unexpected byte(s) after the end")
            }
            DecodeError::BadWitnessFlag { flag } => {
                write!(
                    f,
                    "segwit flag byte is {flag}, expected 1 with a non-empty witness"
                )
            }
            DecodeError::NoInputs => write!(f, "transaction has no inputs"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// A bounds-checked reader over untrusted bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading `data`.
    #[must_use]
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    /// Bytes not yet read.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Reads `n` bytes.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnexpectedEnd`] if fewer than `n` bytes are left.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(DecodeError::UnexpectedEnd { what })?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or(DecodeError::UnexpectedEnd { what })?;
        self.pos = end;
        Ok(s)
    }

    /// Reads a fixed-size array.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnexpectedEnd`] if the input is too short.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Reads one byte.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnexpectedEnd`] at the end of the input.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a little-endian `u32`.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnexpectedEnd`] if the input is too short.
    pub fn u32_le(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `u64`.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnexpectedEnd`] if the input is too short.
    pub fn u64_le(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Reads a compact size.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] if truncated or not in shortest form.
    pub fn compact_size(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let first = self.u8(what)?;
        let (n, min) = match first {
            0xfd => (u64::from(u16::from_le_bytes(self.array(what)?)), 0xfd),
            0xfe => (u64::from(self.u32_le(what)?), 0x1_0000),
            0xff => (self.u64_le(what)?, 0x1_0000_0000),
            b => return Ok(u64::from(b)),
        };
        if n < min {
            return Err(DecodeError::NonCanonicalCompactSize);
        }
        Ok(n)
    }

    /// Reads a count of items each at least `min_item` bytes long, checking it
    /// against what is left so no huge allocation follows.
    ///
    /// # Errors
    ///
    /// [`DecodeError::LengthTooLarge`] if the count cannot fit.
    pub fn count(&mut self, what: &'static str, min_item: usize) -> Result<usize, DecodeError> {
        let n = self.compact_size(what)?;
        let fits = usize::try_from(n)
            .ok()
            .filter(|&c| c.saturating_mul(min_item.max(1)) <= self.remaining());
        fits.ok_or(DecodeError::LengthTooLarge { what, len: n })
    }

    /// Reads `len || bytes`.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] if truncated.
    pub fn var_bytes(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.count(what, 1)?;
        self.take(n, what)
    }

    /// Fails if bytes are left.
    ///
    /// # Errors
    ///
    /// [`DecodeError::TrailingBytes`].
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::TrailingBytes { count }),
        }
    }
}

/// A reference to a previous transaction's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutPoint {
    /// The previous transaction's id, in internal (hash) byte order.
    pub txid: [u8; 32],
    /// The output index.
    pub vout: u32,
}

/// A transaction input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxIn {
    /// The output spent.
    pub prevout: OutPoint,
    /// The unlocking script.
    pub script_sig: Vec<u8>,
    /// The sequence number.
    pub sequence: u32,
    /// The witness stack (empty for non-segwit inputs).
    pub witness: Vec<Vec<u8>>,
}

/// A transaction output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxOut {
    /// Value in satoshi.
    pub value: u64,
    /// The locking script.
    pub script_pubkey: Vec<u8>,
}

impl TxOut {
    /// Serialises `value || var_bytes(script_pubkey)`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.value.to_le_bytes());
        write_var_bytes(out, &self.script_pubkey);
    }

    /// Reads one output.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] if truncated.
    pub fn decode_from(r: &mut Reader<'_>) -> Result<TxOut, DecodeError> {
        let value = r.u64_le("output value")?;
        let script_pubkey = r.var_bytes("output script")?.to_vec();
        Ok(TxOut {
            value,
            script_pubkey,
        })
    }
}

/// A Bitcoin transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Version (signed in Core, carried here as raw bits).
    pub version: u32,
    /// Inputs.
    pub inputs: Vec<TxIn>,
    /// Outputs.
    pub outputs: Vec<TxOut>,
    /// Lock time.
    pub lock_time: u32,
}

impl Transaction {
    /// Whether any input carries a witness.
    #[must_use]
    pub fn has_witness(&self) -> bool {
        self.inputs.iter().any(|i| !i.witness.is_empty())
    }

    /// Serialises the transaction; with `witness` and a non-empty witness, in
    /// the BIP-144 format.
    #[must_use]
    pub fn encode(&self, witness: bool) -> Vec<u8> {
        let segwit = witness && self.has_witness();
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(&self.version.to_le_bytes());
        if segwit {
            out.extend_from_slice(&[0x00, 0x01]);
        }
        write_compact_size(&mut out, self.inputs.len() as u64);
        for i in &self.inputs {
            out.extend_from_slice(&i.prevout.txid);
            out.extend_from_slice(&i.prevout.vout.to_le_bytes());
            write_var_bytes(&mut out, &i.script_sig);
            out.extend_from_slice(&i.sequence.to_le_bytes());
        }
        write_compact_size(&mut out, self.outputs.len() as u64);
        for o in &self.outputs {
            o.encode_into(&mut out);
        }
        if segwit {
            for i in &self.inputs {
                encode_witness_into(&mut out, &i.witness);
            }
        }
        out.extend_from_slice(&self.lock_time.to_le_bytes());
        out
    }

    /// The transaction id (internal byte order): `sha256d` of the encoding
    /// without witness.
    #[must_use]
    pub fn txid(&self) -> [u8; 32] {
        sha256d(&self.encode(false))
    }

    /// Decodes a whole transaction (BIP-144 witness format accepted).
    ///
    /// # Errors
    ///
    /// [`DecodeError`] on any malformed or trailing byte.
    pub fn decode(bytes: &[u8]) -> Result<Transaction, DecodeError> {
        let mut r = Reader::new(bytes);
        let tx = Transaction::decode_from(&mut r)?;
        r.finish()?;
        Ok(tx)
    }

    /// Reads one transaction from `r`.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] if malformed.
    pub fn decode_from(r: &mut Reader<'_>) -> Result<Transaction, DecodeError> {
        let version = r.u32_le("version")?;
        let mut n_in = r.count("input count", 41)?;
        let mut segwit = false;
        if n_in == 0 {
            let flag = r.u8("segwit flag")?;
            if flag != 1 {
                return Err(DecodeError::BadWitnessFlag { flag });
            }
            segwit = true;
            n_in = r.count("input count", 41)?;
            if n_in == 0 {
                return Err(DecodeError::NoInputs);
            }
        }
        let mut inputs = Vec::with_capacity(n_in);
        for _ in 0..n_in {
            let txid = r.array::<32>("previous txid")?;
            let vout = r.u32_le("previous output index")?;
            let script_sig = r.var_bytes("scriptSig")?.to_vec();
            let sequence = r.u32_le("sequence")?;
            inputs.push(TxIn {
                prevout: OutPoint { txid, vout },
                script_sig,
                sequence,
                witness: Vec::new(),
            });
        }
        let n_out = r.count("output count", 9)?;
        let mut outputs = Vec::with_capacity(n_out);
        for _ in 0..n_out {
            outputs.push(TxOut::decode_from(r)?);
        }
        if segwit {
            for i in &mut inputs {
                i.witness = decode_witness_from(r)?;
            }
            if inputs.iter().all(|i| i.witness.is_empty()) {
                return Err(DecodeError::BadWitnessFlag { flag: 1 });
            }
        }
        let lock_time = r.u32_le("lock time")?;
        Ok(Transaction {
            version,
            inputs,
            outputs,
            lock_time,
        })
    }
}

/// Appends a witness stack: `count || var_bytes(item)*`.
pub fn encode_witness_into(out: &mut Vec<u8>, stack: &[Vec<u8>]) {
    write_compact_size(out, stack.len() as u64);
    for item in stack {
        write_var_bytes(out, item);
    }
}

/// Reads a witness stack.
///
/// # Errors
///
/// [`DecodeError`] if truncated.
pub fn decode_witness_from(r: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, DecodeError> {
    let n = r.count("witness item count", 1)?;
    let mut stack = Vec::with_capacity(n);
    for _ in 0..n {
        stack.push(r.var_bytes("witness item")?.to_vec());
    }
    Ok(stack)
}

/// Decodes a complete witness stack (BIP-322 "simple" signature body).
///
/// # Errors
///
/// [`DecodeError`] if malformed or followed by extra bytes.
pub fn decode_witness(bytes: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut r = Reader::new(bytes);
    let w = decode_witness_from(&mut r)?;
    r.finish()?;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_size_round_trip_and_canonical() {
        for n in [
            0u64,
            1,
            0xfc,
            0xfd,
            0xffff,
            0x1_0000,
            0xffff_ffff,
            0x1_0000_0000,
        ] {
            let mut v = Vec::new();
            write_compact_size(&mut v, n);
            assert_eq!(Reader::new(&v).compact_size("n"), Ok(n));
        }
        assert_eq!(
            Reader::new(&[0xfd, 0x10, 0x00]).compact_size("n"),
            Err(DecodeError::NonCanonicalCompactSize)
        );
    }

    #[test]
    fn huge_counts_are_errors_not_allocations() {
        assert!(matches!(
            decode_witness(&[0xfe, 0xff, 0xff, 0xff, 0x7f]),
            Err(DecodeError::LengthTooLarge { .. })
        ));
        assert!(Transaction::decode(&[1, 0, 0, 0, 0xff, 1, 1, 1, 1, 1, 1, 1, 1]).is_err());
    }
}
