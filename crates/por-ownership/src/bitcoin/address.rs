//! Bitcoin addresses: base58check (P2PKH, P2SH) and bech32/bech32m (segwit
//! v0 and v1+), each tied to the networks it is valid on.

use core::fmt;

use super::encode::hash160;

/// A Bitcoin network. Testnet and signet share every address prefix; regtest
/// shares the base58 ones and has its own bech32 `bcrt`.
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

/// Which networks an address's encoding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AddressNet {
    Main,
    /// base58 111/196: testnet, signet and regtest.
    TestBase58,
    /// bech32 `tb`: testnet and signet.
    TestBech32,
    /// bech32 `bcrt`.
    Regtest,
}

impl AddressNet {
    fn allows(self, n: Network) -> bool {
        match self {
            AddressNet::Main => n == Network::Bitcoin,
            AddressNet::TestBase58 => n != Network::Bitcoin,
            AddressNet::TestBech32 => matches!(n, Network::Testnet | Network::Signet),
            AddressNet::Regtest => n == Network::Regtest,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            AddressNet::Main => "mainnet",
            AddressNet::TestBase58 => "testnet/signet/regtest",
            AddressNet::TestBech32 => "testnet/signet",
            AddressNet::Regtest => "regtest",
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
    pub fn script_pubkey(&self) -> Vec<u8> {
        match self {
            AddressKind::P2pkh(h) => {
                let mut s = vec![0x76, 0xa9, 0x14];
                s.extend_from_slice(h);
                s.extend_from_slice(&[0x88, 0xac]);
                s
            }
            AddressKind::P2sh(h) => {
                let mut s = vec![0xa9, 0x14];
                s.extend_from_slice(h);
                s.push(0x87);
                s
            }
            AddressKind::P2wpkh(h) => witness_script(0, h),
            AddressKind::P2wsh(h) => witness_script(0, h),
            AddressKind::P2tr(k) => witness_script(1, k),
            AddressKind::OtherWitness { version, program } => witness_script(*version, program),
        }
    }
}

fn witness_script(version: u8, program: &[u8]) -> Vec<u8> {
    let op = if version == 0 { 0 } else { 0x50 + version };
    let mut s = vec![
        op,
        u8::try_from(program.len()).expect("witness programs are 2..=40 bytes"),
    ];
    s.extend_from_slice(program);
    s
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
        let (kind, net) = parse_any(s)?;
        if !net.allows(network) {
            return Err(AddressError::WrongNetwork {
                address: s.to_owned(),
                address_network: net.describe(),
                required: network,
            });
        }
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
            let data = bs58::decode(s)
                .with_check(None)
                .into_vec()
                .map_err(|_| unrecognised())?;
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
    pub fn script_pubkey(&self) -> Vec<u8> {
        self.kind.script_pubkey()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_any(s: &str) -> Result<(AddressKind, AddressNet), AddressError> {
    let unrecognised = || AddressError::Unrecognised {
        address: s.to_owned(),
    };
    let lower = s.to_ascii_lowercase();
    let bech_net = if lower.starts_with("bc1") {
        Some((AddressNet::Main, "bc"))
    } else if lower.starts_with("tb1") {
        Some((AddressNet::TestBech32, "tb"))
    } else if lower.starts_with("bcrt1") {
        Some((AddressNet::Regtest, "bcrt"))
    } else {
        None
    };
    if let Some((net, hrp)) = bech_net {
        return decode_segwit(s, hrp)
            .map(|k| (k, net))
            .ok_or_else(unrecognised);
    }
    let data = bs58::decode(s)
        .with_check(None)
        .into_vec()
        .map_err(|_| unrecognised())?;
    let (&version, payload) = data.split_first().ok_or_else(unrecognised)?;
    let hash: [u8; 20] = payload.try_into().map_err(|_| unrecognised())?;
    match version {
        0 => Ok((AddressKind::P2pkh(hash), AddressNet::Main)),
        5 => Ok((AddressKind::P2sh(hash), AddressNet::Main)),
        111 => Ok((AddressKind::P2pkh(hash), AddressNet::TestBase58)),
        196 => Ok((AddressKind::P2sh(hash), AddressNet::TestBase58)),
        version => Err(AddressError::UnknownVersion {
            address: s.to_owned(),
            version,
        }),
    }
}

/// Decodes a segwit address whose human-readable part must be `hrp`.
/// `segwit::decode` checks the checksum variant against the version (bech32
/// for v0, bech32m for v1+) and the program length rules.
fn decode_segwit(s: &str, hrp: &str) -> Option<AddressKind> {
    let (got_hrp, version, program) = bech32::segwit::decode(s).ok()?;
    if got_hrp.to_lowercase() != hrp {
        return None;
    }
    Some(match (version.to_u8(), program.len()) {
        (0, 20) => AddressKind::P2wpkh(program.as_slice().try_into().ok()?),
        (0, 32) => AddressKind::P2wsh(program.as_slice().try_into().ok()?),
        (1, 32) => AddressKind::P2tr(program.as_slice().try_into().ok()?),
        (0, _) => return None,
        (version, _) => AddressKind::OtherWitness { version, program },
    })
}

/// The P2SH-P2WPKH redeem script `0x00 0x14 <hash160(pubkey)>`.
#[must_use]
pub fn p2wpkh_redeem_script(pubkey: &[u8]) -> Vec<u8> {
    let mut s = vec![0x00, 0x14];
    s.extend_from_slice(&hash160(pubkey));
    s
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
