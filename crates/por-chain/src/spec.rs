//! `KIND=URL` source specifications, as typed after `por chain snapshot
//! --source` (and, later, `por audit --chain`): `bitcoin=URL` (Bitcoin Core
//! JSON-RPC), `esplora=URL` (Esplora REST API) or `ethereum=URL` (EVM JSON-RPC).

use core::fmt;

use crate::bitcoin::BitcoinRpc;
use crate::esplora::Esplora;
use crate::evm::EvmRpc;
use crate::{BalanceSource, Chain, Endpoint, EndpointError, HttpConfig};

/// The kind of a network source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceSpecKind {
    /// Bitcoin Core JSON-RPC (`bitcoin=`).
    BitcoinRpc,
    /// Esplora REST API (`esplora=`).
    Esplora,
    /// EVM JSON-RPC (`ethereum=`).
    EvmRpc,
}

/// A parsed `KIND=URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    kind: SourceSpecKind,
    endpoint: Endpoint,
}

/// A `KIND=URL` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceSpecError {
    /// No `=` in the text.
    NoKind,
    /// A kind other than `bitcoin`, `esplora` or `ethereum`.
    UnknownKind(String),
    /// The URL is not an http(s) endpoint.
    Endpoint(EndpointError),
}

impl fmt::Display for SourceSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpecError::NoKind => write!(
                f,
                "expected KIND=URL with KIND bitcoin (Bitcoin Core), esplora or ethereum"
            ),
            SourceSpecError::UnknownKind(k) => write!(
                f,
                "unknown source kind {k:?}: expected bitcoin (Bitcoin Core), esplora or ethereum"
            ),
            SourceSpecError::Endpoint(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SourceSpecError {}

impl SourceSpec {
    /// Parses `KIND=URL`.
    ///
    /// # Errors
    ///
    /// Returns a [`SourceSpecError`] without `=`, for an unknown kind, or for
    /// a URL that [`Endpoint::parse`] refuses (credentials never shown).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = por_chain::SourceSpec::parse("esplora=https://example.org/api")?;
    /// assert_eq!(s.chain(), por_chain::Chain::Bitcoin);
    /// assert_eq!(s.endpoint().to_string(), "https://example.org/api");
    /// # Ok::<_, por_chain::SourceSpecError>(())
    /// ```
    pub fn parse(text: &str) -> Result<SourceSpec, SourceSpecError> {
        let (kind, url) = text.split_once('=').ok_or(SourceSpecError::NoKind)?;
        let kind = match kind {
            "bitcoin" => SourceSpecKind::BitcoinRpc,
            "esplora" => SourceSpecKind::Esplora,
            "ethereum" => SourceSpecKind::EvmRpc,
            other => return Err(SourceSpecError::UnknownKind(other.to_owned())),
        };
        let endpoint = Endpoint::parse(url).map_err(SourceSpecError::Endpoint)?;
        Ok(SourceSpec { kind, endpoint })
    }

    /// Returns the kind.
    #[must_use]
    pub fn kind(&self) -> SourceSpecKind {
        self.kind
    }

    /// Returns the chain the source serves.
    #[must_use]
    pub fn chain(&self) -> Chain {
        match self.kind {
            SourceSpecKind::BitcoinRpc | SourceSpecKind::Esplora => Chain::Bitcoin,
            SourceSpecKind::EvmRpc => Chain::Ethereum,
        }
    }

    /// Returns the endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sets the credentials (`user:password`, as in a `.cookie` file).
    #[must_use]
    pub fn with_credentials(mut self, user_password: &str) -> Self {
        self.endpoint = self.endpoint.with_credentials(user_password);
        self
    }

    /// Creates the source. `max_undo_blocks` applies to Bitcoin Core only.
    #[must_use]
    pub fn connect(self, config: HttpConfig, max_undo_blocks: u64) -> Box<dyn BalanceSource> {
        match self.kind {
            SourceSpecKind::BitcoinRpc => Box::new(
                BitcoinRpc::new(self.endpoint, config).with_max_undo_blocks(max_undo_blocks),
            ),
            SourceSpecKind::Esplora => Box::new(Esplora::new(self.endpoint, config)),
            SourceSpecKind::EvmRpc => Box::new(EvmRpc::new(self.endpoint, config)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_errors() {
        let s = SourceSpec::parse("bitcoin=http://u:p@127.0.0.1:8332").unwrap();
        assert_eq!(
            (s.kind(), s.chain()),
            (SourceSpecKind::BitcoinRpc, Chain::Bitcoin)
        );
        assert!(s.endpoint().has_credentials());
        let s = SourceSpec::parse("ethereum=http://127.0.0.1:8545").unwrap();
        assert_eq!(s.chain(), Chain::Ethereum);
        assert_eq!(SourceSpec::parse("http://x"), Err(SourceSpecError::NoKind));
        assert_eq!(
            SourceSpec::parse("dogecoin=http://x"),
            Err(SourceSpecError::UnknownKind("dogecoin".into()))
        );
        let e = SourceSpec::parse("bitcoin=ftp://u:secret@x").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
