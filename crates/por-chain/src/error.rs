//! The error of every balance source.

use core::fmt;

/// Why a balance source could not answer. Every variant that comes from a
/// network call names the endpoint (without credentials) and the call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceError {
    /// The endpoint could not be reached, or timed out, after every retry.
    Transport {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The call (JSON-RPC method or REST path).
        call: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last transport error.
        detail: String,
    },
    /// The endpoint answered with an HTTP status that is not success.
    Http {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The call.
        call: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The endpoint refused the credentials (HTTP 401 or 403).
    Auth {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The call.
        call: String,
        /// The HTTP status.
        status: u16,
    },
    /// The JSON-RPC call returned an error object.
    Rpc {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The method.
        call: String,
        /// The JSON-RPC error code.
        code: i64,
        /// The JSON-RPC error message.
        message: String,
    },
    /// The response is not in the documented format.
    Malformed {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The call.
        call: String,
        /// What was expected and what came.
        detail: String,
    },
    /// The chain has another block at the snapshot height than the expected one.
    BlockHashMismatch {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The snapshot height.
        height: u64,
        /// The hash the caller expected.
        expected: String,
        /// The hash the source reports.
        found: String,
    },
    /// The chain changed under the query (a reorganisation), so the answers
    /// do not all refer to one branch.
    Reorg {
        /// The endpoint, without credentials.
        endpoint: String,
        /// What was seen.
        detail: String,
    },
    /// The snapshot height is above the source's chain tip.
    HeightAboveTip {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The snapshot height.
        height: u64,
        /// The source's tip height.
        tip: u64,
    },
    /// A balance does not fit in an amount (above 2^128-1 base units), or a
    /// sum or difference of outputs overflowed or went below zero.
    Amount {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The address.
        address: String,
        /// What went wrong.
        detail: String,
    },
    /// The query asks for something this source cannot answer (another chain,
    /// a token on Bitcoin, an invalid address).
    Unsupported {
        /// The endpoint or file.
        endpoint: String,
        /// What cannot be answered.
        detail: String,
    },
    /// An ERC-20 contract's `decimals()` differs from the decimals the query
    /// gives its asset: balances would be misread by a power of ten.
    Decimals {
        /// The endpoint, without credentials.
        endpoint: String,
        /// The token contract.
        contract: String,
        /// What `decimals()` returns.
        declared: u128,
        /// What the query says.
        expected: u8,
    },
    /// An offline balances file has no row for a queried item, or a row for
    /// another height or block.
    Missing {
        /// The file.
        endpoint: String,
        /// What is missing.
        detail: String,
    },
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Transport {
                endpoint,
                call,
                attempts,
                detail,
            } => write!(
                f,
                "{call} at {endpoint}: no answer after {attempts} attempt(s): {detail}"
            ),
            SourceError::Http {
                endpoint,
                call,
                status,
                body,
            } => write!(f, "{call} at {endpoint}: HTTP status {status}: {body:?}"),
            SourceError::Auth {
                endpoint,
                call,
                status,
            } => write!(
                f,
                "{call} at {endpoint}: HTTP status {status}: the credentials were refused (check the cookie file or user:password)"
            ),
            SourceError::Rpc {
                endpoint,
                call,
                code,
                message,
            } => write!(f, "{call} at {endpoint}: JSON-RPC error {code}: {message}"),
            SourceError::Malformed {
                endpoint,
                call,
                detail,
            } => write!(f, "{call} at {endpoint}: unexpected response: {detail}"),
            SourceError::BlockHashMismatch {
                endpoint,
                height,
                expected,
                found,
            } => write!(
                f,
                "{endpoint}: the block at height {height} is {found}, not the expected {expected}"
            ),
            SourceError::Reorg { endpoint, detail } => {
                write!(f, "{endpoint}: the chain changed during the query: {detail}")
            }
            SourceError::HeightAboveTip {
                endpoint,
                height,
                tip,
            } => write!(
                f,
                "{endpoint}: snapshot height {height} is above the chain tip {tip}"
            ),
            SourceError::Amount {
                endpoint,
                address,
                detail,
            } => write!(f, "{endpoint}: balance of {address}: {detail}"),
            SourceError::Unsupported { endpoint, detail } => {
                write!(f, "{endpoint}: cannot answer: {detail}")
            }
            SourceError::Missing { endpoint, detail } => write!(f, "{endpoint}: {detail}"),
            SourceError::Decimals {
                endpoint,
                contract,
                declared,
                expected,
            } => write!(
                f,
                "eth_call at {endpoint}: token {contract} has {declared} decimals (decimals()), not {expected} as listed"
            ),
        }
    }
}

impl std::error::Error for SourceError {}
