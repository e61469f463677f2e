//! Bitcoin addresses: base58check (P2PKH, P2SH) and bech32/bech32m (segwit
//! v0 and v1+), each tied to the networks it is valid on.
//!
//! Bitcoin addresses are read by rust-bitcoin: `Address<NetworkUnchecked>`
//! from the text, then `require_network` for the network asked for. Its
//! `Address` knows Bitcoin's networks only, so the other coins' addresses
//! ([`Address::parse_coin`]: Litecoin, Dogecoin, Dash, Bitcoin Cash and SV
//! legacy addresses, with their own base58 version bytes and Litecoin's `ltc`
//! bech32 prefix) are read here with rust-bitcoin's `base58` and `bech32`.

use core::fmt;

use ::bitcoin::address::{AddressData, NetworkUnchecked, ParseError};
use ::bitcoin::blockdata::script::Builder;
use ::bitcoin::hashes::Hash as _;
use ::bitcoin::script::PushBytesBuf;
use ::bitcoin::{PubkeyHash, ScriptBuf, ScriptHash, WPubkeyHash, WScriptHash};

use super::encode::hash160;

/// A Bitcoin network. Testnet and signet share every address prefix; regtest
/// shares the base58 ones and has its own bech32 `bcrt`.
///
/// Its own enum rather than `bitcoin::Network`: these are the names of the
/// command line and the reports, and testnet3 and testnet4 (which share
/// every address prefix) are one choice here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Network {
    /// Mainnet.
    Bitcoin,
    /// Testnet (3 or 4).
    Testnet,
    /// Signet.
    Signet,
    /// Regtest.
    Regtest,
}

impl Network {
    /// The lower-case name used on the command line and in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Bitcoin => "mainnet",
            Network::Testnet => "testnet",
            Network::Signet => "signet",
            Network::Regtest => "regtest",
        }
    }

    /// rust-bitcoin's network (testnet: testnet3, whose addresses are
    /// testnet4's too).
    #[must_use]
    pub fn to_rust_bitcoin(self) -> ::bitcoin::Network {
        match self {
            Network::Bitcoin => ::bitcoin::Network::Bitcoin,
            Network::Testnet => ::bitcoin::Network::Testnet,
            Network::Signet => ::bitcoin::Network::Signet,
            Network::Regtest => ::bitcoin::Network::Regtest,
        }
    }

    /// Parses `mainnet`/`bitcoin`, `testnet`, `signet`, `regtest`.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Network> {
        match s.to_ascii_lowercase().as_str() {
            "mainnet" | "bitcoin" | "main" => Some(Network::Bitcoin),
            "testnet" | "testnet3" | "testnet4" | "test" => Some(Network::Testnet),
            "signet" => Some(Network::Signet),
            "regtest" => Some(Network::Regtest),
            _ => None,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Bitcoin-family coin: its signed messages and addresses differ from
/// Bitcoin's only in the message magic and the address prefixes. Only
/// mainnet addresses are read for coins other than Bitcoin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UtxoCoin {
    /// Bitcoin.
    #[default]
    Bitcoin,
    /// Litecoin.
    Litecoin,
    /// Dogecoin.
    Dogecoin,
    /// Dash.
    Dash,
    /// Bitcoin Cash (legacy base58 addresses; CashAddr is not read).
    BitcoinCash,
    /// Bitcoin SV.
    BitcoinSv,
}

impl UtxoCoin {
    /// The Bitcoin-family coin of `chain`, for every chain but Ethereum and
    /// TRON.
    #[must_use]
    pub fn of(chain: por_types::Chain) -> Option<UtxoCoin> {
        use por_types::Chain;
        match chain {
            Chain::Bitcoin => Some(UtxoCoin::Bitcoin),
            Chain::Litecoin => Some(UtxoCoin::Litecoin),
            Chain::Dogecoin => Some(UtxoCoin::Dogecoin),
            Chain::Dash => Some(UtxoCoin::Dash),
            Chain::BitcoinCash => Some(UtxoCoin::BitcoinCash),
            Chain::BitcoinSv => Some(UtxoCoin::BitcoinSv),
            _ => None,
        }
    }

    /// A lower-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            UtxoCoin::Bitcoin => "bitcoin",
            UtxoCoin::Litecoin => "litecoin",
            UtxoCoin::Dogecoin => "dogecoin",
            UtxoCoin::Dash => "dash",
            UtxoCoin::BitcoinCash => "bitcoin-cash",
            UtxoCoin::BitcoinSv => "bitcoin-sv",
        }
    }

    /// The signed-message magic (Dash keeps its old name, DarkCoin).
    #[must_use]
    pub fn message_magic(self) -> &'static str {
        match self {
            UtxoCoin::Litecoin => "Litecoin Signed Message:\n",
            UtxoCoin::Dogecoin => "Dogecoin Signed Message:\n",
            UtxoCoin::Dash => "DarkCoin Signed Message:\n",
            UtxoCoin::Bitcoin | UtxoCoin::BitcoinCash | UtxoCoin::BitcoinSv => {
                "Bitcoin Signed Message:\n"
            }
        }
    }

    /// Mainnet base58 version byte -> is it P2SH?
    fn base58_kind(self, version: u8) -> Option<bool> {
        match (self, version) {
            (UtxoCoin::Bitcoin | UtxoCoin::BitcoinCash | UtxoCoin::BitcoinSv, 0) => Some(false),
            (UtxoCoin::Bitcoin | UtxoCoin::BitcoinCash | UtxoCoin::BitcoinSv, 5) => Some(true),
            (UtxoCoin::Litecoin, 48) | (UtxoCoin::Dogecoin, 30) | (UtxoCoin::Dash, 76) => {
                Some(false)
            }
            (UtxoCoin::Litecoin, 50 | 5) | (UtxoCoin::Dogecoin, 22) | (UtxoCoin::Dash, 16) => {
                Some(true)
            }
            _ => None,
        }
    }
}

/// What an address pays to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressKind {
    /// Pay to public key hash.
    P2pkh([u8; 20]),
    /// Pay to script hash (including wrapped segwit).
    P2sh([u8; 20]),
    /// Segwit v0 key hash.
    P2wpkh([u8; 20]),
    /// Segwit v0 script hash.
    P2wsh([u8; 32]),
    /// Segwit v1 (taproot) output key.
    P2tr([u8; 32]),
    /// Another witness version or length (future soft forks).
    OtherWitness {
        /// Witness version 1..=16.
        version: u8,
        /// The program.
        program: Vec<u8>,
    },
}

impl AddressKind {
    /// A short name: `p2pkh`, `p2sh`, `p2wpkh`, `p2wsh`, `p2tr`, `witness-vN`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            AddressKind::P2pkh(_) => "p2pkh",
            AddressKind::P2sh(_) => "p2sh",
            AddressKind::P2wpkh(_) => "p2wpkh",
            AddressKind::P2wsh(_) => "p2wsh",
            AddressKind::P2tr(_) => "p2tr",
            AddressKind::OtherWitness { .. } => "witness-unknown",
        }
    }

    /// The output script that pays to this address.
    #[must_use]
    pub fn script_pubkey(&self) -> ScriptBuf {
        match self {
            AddressKind::P2pkh(h) => ScriptBuf::new_p2pkh(&PubkeyHash::from_byte_array(*h)),
            AddressKind::P2sh(h) => ScriptBuf::new_p2sh(&ScriptHash::from_byte_array(*h)),
            AddressKind::P2wpkh(h) => ScriptBuf::new_p2wpkh(&WPubkeyHash::from_byte_array(*h)),
            AddressKind::P2wsh(h) => ScriptBuf::new_p2wsh(&WScriptHash::from_byte_array(*h)),
            AddressKind::P2tr(k) => witness_script(1, k),
            AddressKind::OtherWitness { version, program } => witness_script(*version, program),
        }
    }

    /// The kind of a segwit program (`None` for a version 0 program of
    /// another length, which no address encodes).
    fn from_witness(version: u8, program: &[u8]) -> Option<AddressKind> {
        Some(match (version, program.len()) {
            (0, 20) => AddressKind::P2wpkh(program.try_into().ok()?),
            (0, 32) => AddressKind::P2wsh(program.try_into().ok()?),
            (1, 32) => AddressKind::P2tr(program.try_into().ok()?),
            (0, _) => return None,
            (version, _) => AddressKind::OtherWitness {
                version,
                program: program.to_vec(),
            },
        })
    }
}

/// `OP_version <program>`. Built push by push rather than through
/// rust-bitcoin's `WitnessProgram`, which refuses what the public fields of
/// [`AddressKind::OtherWitness`] can hold (a version above 16, a program
/// outside 2..=40 bytes); the valid ones come out the same.
fn witness_script(version: u8, program: &[u8]) -> ScriptBuf {
    let push = PushBytesBuf::try_from(program.to_vec()).unwrap_or_default();
    Builder::new()
        .push_int(i64::from(version))
        .push_slice(push)
        .into_script()
}

/// Why a string is not a Bitcoin address for the required network.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressError {
    /// Neither valid base58check nor valid bech32/bech32m segwit.
    Unrecognised {
        /// The input.
        address: String,
    },
    /// A base58check address with an unknown version byte.
    UnknownVersion {
        /// The input.
        address: String,
        /// The version byte.
        version: u8,
    },
    /// A valid address of another network.
    WrongNetwork {
        /// The input.
        address: String,
        /// The network(s) the address belongs to.
        address_network: &'static str,
        /// The network required.
        required: Network,
    },
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::Unrecognised { address } => write!(
                f,
                "`{address}` is not a Bitcoin address (expected base58check P2PKH/P2SH or bech32/bech32m segwit)"
            ),
            AddressError::UnknownVersion { address, version } => {
                write!(f, "`{address}` has unknown base58 version byte {version}")
            }
            AddressError::WrongNetwork { address, address_network, required } => write!(
                f,
                "`{address}` is a {address_network} address, but {required} is required"
            ),
        }
    }
}

impl std::error::Error for AddressError {}

/// A parsed address whose network has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    text: String,
    kind: AddressKind,
    network: Network,
    coin: UtxoCoin,
}

impl Address {
    /// Parses `s` and requires it to be an address of `network`.
    ///
    /// # Errors
    ///
    /// [`AddressError`] if malformed or of another network.
    pub fn parse(s: &str, network: Network) -> Result<Address, AddressError> {
        let unchecked: ::bitcoin::Address<NetworkUnchecked> = s.parse().map_err(|e| match e {
            ParseError::InvalidLegacyPrefix(p) => AddressError::UnknownVersion {
                address: s.to_owned(),
                version: p.invalid_legacy_address_prefix(),
            },
            _ => AddressError::Unrecognised {
                address: s.to_owned(),
            },
        })?;
        let address_network = networks_of(&unchecked);
        let checked = unchecked
            .require_network(network.to_rust_bitcoin())
            .map_err(|_| AddressError::WrongNetwork {
                address: s.to_owned(),
                address_network,
                required: network,
            })?;
        let kind = match checked.to_address_data() {
            AddressData::P2pkh { pubkey_hash } => {
                Some(AddressKind::P2pkh(pubkey_hash.to_byte_array()))
            }
            AddressData::P2sh { script_hash } => {
                Some(AddressKind::P2sh(script_hash.to_byte_array()))
            }
            AddressData::Segwit { witness_program } => AddressKind::from_witness(
                witness_program.version().to_num(),
                witness_program.program().as_bytes(),
            ),
            _ => None,
        }
        .ok_or_else(|| AddressError::Unrecognised {
            address: s.to_owned(),
        })?;
        Ok(Address {
            text: s.to_owned(),
            kind,
            network,
            coin: UtxoCoin::Bitcoin,
        })
    }

    /// Parses a mainnet address of `coin` (for Bitcoin, the same as
    /// [`Address::parse`] on mainnet).
    ///
    /// # Errors
    ///
    /// [`AddressError`] if it is not one.
    pub fn parse_coin(s: &str, coin: UtxoCoin) -> Result<Address, AddressError> {
        if coin == UtxoCoin::Bitcoin {
            return Address::parse(s, Network::Bitcoin);
        }
        let unrecognised = || AddressError::Unrecognised {
            address: s.to_owned(),
        };
        let kind = if coin == UtxoCoin::Litecoin && s.to_ascii_lowercase().starts_with("ltc1") {
            decode_segwit(s, "ltc").ok_or_else(unrecognised)?
        } else {
            let data = ::bitcoin::base58::decode_check(s).map_err(|_| unrecognised())?;
            let (&version, payload) = data.split_first().ok_or_else(unrecognised)?;
            let hash: [u8; 20] = payload.try_into().map_err(|_| unrecognised())?;
            match coin.base58_kind(version) {
                Some(true) => AddressKind::P2sh(hash),
                Some(false) => AddressKind::P2pkh(hash),
                None => {
                    return Err(AddressError::UnknownVersion {
                        address: s.to_owned(),
                        version,
                    })
                }
            }
        };
        Ok(Address {
            text: s.to_owned(),
            kind,
            network: Network::Bitcoin,
            coin,
        })
    }

    /// The coin (Bitcoin unless parsed with [`Address::parse_coin`]).
    #[must_use]
    pub fn coin(&self) -> UtxoCoin {
        self.coin
    }

    /// What the address pays to.
    #[must_use]
    pub fn kind(&self) -> &AddressKind {
        &self.kind
    }

    /// The network it was checked against.
    #[must_use]
    pub fn network(&self) -> Network {
        self.network
    }

    /// The address as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The output script.
    #[must_use]
    pub fn script_pubkey(&self) -> ScriptBuf {
        self.kind.script_pubkey()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The networks a Bitcoin address is valid on, for the wrong-network error.
fn networks_of(a: &::bitcoin::Address<NetworkUnchecked>) -> &'static str {
    use ::bitcoin::Network as N;
    match (
        a.is_valid_for_network(N::Bitcoin),
        a.is_valid_for_network(N::Testnet),
        a.is_valid_for_network(N::Regtest),
    ) {
        (true, _, _) => "mainnet",
        (false, true, true) => "testnet/signet/regtest",
        (false, true, false) => "testnet/signet",
        (false, false, _) => "regtest",
    }
}

/// Decodes a segwit address of another coin whose human-readable part must
/// be `hrp` (rust-bitcoin's `Address` refuses any prefix but Bitcoin's).
/// `segwit::decode` checks the checksum variant against the version (bech32
/// for v0, bech32m for v1+) and the program length rules.
fn decode_segwit(s: &str, hrp: &str) -> Option<AddressKind> {
    let (got_hrp, version, program) = ::bitcoin::bech32::segwit::decode(s).ok()?;
    if got_hrp.to_lowercase() != hrp {
        return None;
    }
    AddressKind::from_witness(version.to_u8(), &program)
}

/// The P2SH-P2WPKH redeem script `0x00 0x14 <hash160(pubkey)>`.
#[must_use]
pub fn p2wpkh_redeem_script(pubkey: &[u8]) -> ScriptBuf {
    ScriptBuf::new_p2wpkh(&WPubkeyHash::from_byte_array(hash160(pubkey)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_enforced() {
        let a = Address::parse(
            "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
            Network::Bitcoin,
        );
        assert!(matches!(
            a.map(|a| a.kind().clone()),
            Ok(AddressKind::P2wpkh(_))
        ));
        assert!(matches!(
            Address::parse(
                "tb1q67gkavl5yjmu468qa80zt54cv9x0lz8xfu60pz",
                Network::Bitcoin
            ),
            Err(AddressError::WrongNetwork { .. })
        ));
        assert!(matches!(
            Address::parse("mupA276ka2mqJwxjjb6x17aPAvxqjKLmqE", Network::Bitcoin),
            Err(AddressError::WrongNetwork { .. })
        ));
        assert!(Address::parse(
            "bcrt1q67gkavl5yjmu468qa80zt54cv9x0lz8xt4rzkt",
            Network::Regtest
        )
        .is_ok());
        assert!(Address::parse(
            "bcrt1q67gkavl5yjmu468qa80zt54cv9x0lz8xt4rzkt",
            Network::Testnet
        )
        .is_err());
        assert!(Address::parse("1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV", Network::Bitcoin).is_ok());
        assert!(matches!(
            Address::parse("1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbW", Network::Bitcoin),
            Err(AddressError::Unrecognised { .. })
        ));
    }
}
