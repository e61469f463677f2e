//! Reading lists of ownership claims: this project's CSV/JSON layout and the
//! CSV layouts OKX and HTX publish, as they are (UTF-8 BOM, a summary block
//! before the table, `-`/`null` for unsigned rows, OKX contract rows signed by
//! two EOAs).
//!
//! Layouts recognised by their header line (column names, case-insensitive):
//! - por: `chain,address,message,signature[,signature2,redeem_script]`, or JSON
//!   `[{"chain":..,"address":..,"message":..,"signature":..}, ..]`
//! - OKX: `coin,Network,Snapshot Height,address,amount,message,signature1,signature2,redeem script/ public key,eoa1,eoa2`
//!   (and the staking variant with `Type`), and
//!   `digitalAsset,network,address,signedMessage,signedMessage2,message,publicKey,owner1,owner2`
//! - HTX: `coin,address,snapshot height,balance,message,signature`

use core::fmt;

use super::Chain;

/// One claim read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    /// 1-based line number in the file (JSON: 1-based index in the array).
    pub line: usize,
    /// The chain, or why the row's chain is not supported.
    pub chain: Result<Chain, String>,
    /// The chain/coin/network text as given.
    pub chain_text: String,
    /// Address.
    pub address: String,
    /// Message.
    pub message: String,
    /// Signature (`None` if the row is unsigned).
    pub signature: Option<String>,
    /// Second signature (OKX multisig / contract rows).
    pub signature2: Option<String>,
    /// Redeem script hex (OKX multisig).
    pub redeem_script: Option<String>,
    /// OKX contract rows: the EOAs that signed for the contract.
    pub owners: Vec<String>,
}

/// The layout a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// This project's CSV.
    PorCsv,
    /// This project's JSON.
    PorJson,
    /// OKX's proof-of-reserves CSV.
    Okx,
    /// HTX's snapshot CSV.
    Htx,
}

impl Layout {
    /// A short name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::PorCsv => "por-csv",
            Layout::PorJson => "por-json",
            Layout::Okx => "okx-csv",
            Layout::Htx => "htx-csv",
        }
    }
}

/// Why a file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileError {
    /// Not UTF-8.
    NotUtf8 {
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// No header line with address and signature columns.
    NoHeader,
    /// A CSV or JSON syntax error.
    Syntax {
        /// Line (or JSON array index), 1-based.
        line: usize,
        /// What is wrong.
        detail: String,
    },
    /// A row lacks a required field.
    MissingField {
        /// Line, 1-based.
        line: usize,
        /// The field.
        field: &'static str,
    },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotUtf8 { offset } => write!(f, "file is not UTF-8 (bad byte at offset {offset})"),
            FileError::NoHeader => write!(
                f,
                "no header line found: expected columns chain,address,message,signature (or OKX's / HTX's layout)"
            ),
            FileError::Syntax { line, detail } => write!(f, "line {line}: {detail}"),
            FileError::MissingField { line, field } => write!(f, "line {line}: missing field `{field}`"),
        }
    }
}

impl std::error::Error for FileError {}

fn blank(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "-" || t.eq_ignore_ascii_case("null")
}

fn opt(s: Option<&str>) -> Option<String> {
    s.filter(|v| !blank(v)).map(|v| v.trim().to_owned())
}

/// Classifies a row's chain from its chain/network/coin text and address.
///
/// # Errors
///
/// A description when the row's chain is not supported.
pub fn classify_chain(chain_text: &str, address: &str) -> Result<Chain, String> {
    let t = chain_text.trim().to_ascii_uppercase();
    // Exchanges write the chain as a ticker or a name in any case.
    if let Ok(c) = t.to_ascii_lowercase().parse::<Chain>() {
        return Ok(c);
    }
    let a = address.trim();
    let is_evm =
        a.len() == 42 && a.starts_with("0x") && a[2..].bytes().all(|b| b.is_ascii_hexdigit());
    const NON_EVM: [&str; 1] = ["STARKNET"];
    if NON_EVM.contains(&t.as_str()) {
        return Err(format!(
            "chain {chain_text} (its signature framing is not supported)"
        ));
    }
    if is_evm {
        return Ok(Chain::Ethereum);
    }
    // TRON tokens (TRX, USDT-TRC20, ...): a `T…` address is base58check of
    // 0x41 || 20 bytes, which no Bitcoin-family coin uses.
    if super::EvmAddress::parse_tron(a).is_ok() {
        return Ok(Chain::Tron);
    }
    // BTC rows, and tokens on Bitcoin (HTX's USDT-Omni), whose address is a
    // mainnet Bitcoin address. BCH/BSV share address formats, so the coin
    // name must say Bitcoin.
    let bitcoin_like =
        t == "BTC" || t == "BITCOIN" || t.starts_with("BTC(") || t.ends_with("-OMNI");
    let parses = super::Address::parse(a, super::Network::Bitcoin).is_ok();
    if bitcoin_like && parses {
        return Ok(Chain::Bitcoin);
    }
    Err(format!(
        "chain {chain_text} is not supported (bitcoin and EVM chains are)"
    ))
}

/// Reads claims from CSV or JSON bytes.
///
/// # Errors
///
/// [`FileError`] if the file cannot be read as any known layout.
pub fn read_claims(bytes: &[u8]) -> Result<(Layout, Vec<ClaimRow>), FileError> {
    let text = core::str::from_utf8(bytes).map_err(|e| FileError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        return read_json(trimmed).map(|rows| (Layout::PorJson, rows));
    }
    read_csv(text)
}

fn read_json(text: &str) -> Result<Vec<ClaimRow>, FileError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| FileError::Syntax {
        line: e.line(),
        detail: e.to_string(),
    })?;
    let arr = match &v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => match o.get("rows").or_else(|| o.get("claims")) {
            Some(serde_json::Value::Array(a)) => a,
            _ => return Err(FileError::NoHeader),
        },
        _ => return Err(FileError::NoHeader),
    };
    let mut rows = Vec::with_capacity(arr.len());
    for (i, item) in arr.iter().enumerate() {
        let line = i + 1;
        let get = |k: &str| item.get(k).and_then(serde_json::Value::as_str);
        let need = |k: &'static str| get(k).ok_or(FileError::MissingField { line, field: k });
        let chain_text = need("chain")?.to_owned();
        let address = need("address")?.trim().to_owned();
        rows.push(ClaimRow {
            line,
            chain: classify_chain(&chain_text, &address),
            chain_text,
            message: need("message")?.to_owned(),
            signature: opt(get("signature")),
            signature2: opt(get("signature2")),
            redeem_script: opt(get("redeem_script")),
            owners: Vec::new(),
            address,
        });
    }
    Ok(rows)
}

fn read_csv(text: &str) -> Result<(Layout, Vec<ClaimRow>), FileError> {
    // Find the header: the first line naming an address column and a
    // signature column (OKX and HTX put a summary block above it).
    let mut offset = 0usize;
    let mut header_line = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let cols: Vec<String> = line
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let has = |n: &str| cols.iter().any(|c| c == n);
        if has("address") && (has("signature") || has("signature1") || has("signedmessage")) {
            header_line = Some(i);
            break;
        }
        offset += line.len();
    }
    let first = header_line.ok_or(FileError::NoHeader)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&text.as_bytes()[offset..]);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| FileError::Syntax {
            line: first + 1,
            detail: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let c_addr = col(&["address"]).ok_or(FileError::NoHeader)?;
    let c_msg = col(&["message"]);
    let c_sig = col(&["signature", "signature1", "signedmessage"]).ok_or(FileError::NoHeader)?;
    let c_sig2 = col(&["signature2", "signedmessage2"]);
    let c_script = col(&["redeem script/ public key", "publickey", "redeem_script"]);
    let c_chain = col(&["chain"]);
    let c_network = col(&["network"]);
    let c_coin = col(&["coin", "digitalasset"]);
    let c_owners: Vec<usize> = ["eoa1", "eoa2", "owner1", "owner2"]
        .iter()
        .filter_map(|n| col(&[n]))
        .collect();
    let layout = if c_chain.is_some() {
        Layout::PorCsv
    } else if c_sig2.is_some() {
        Layout::Okx
    } else {
        Layout::Htx
    };
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| FileError::Syntax {
            line: e
                .position()
                .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX))
                + first,
            detail: e.to_string(),
        })?;
        let line = rec
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX))
            + first;
        if rec.iter().all(blank) {
            continue;
        }
        let field = |c: Option<usize>| c.and_then(|c| rec.get(c));
        let address = field(Some(c_addr))
            .ok_or(FileError::MissingField {
                line,
                field: "address",
            })?
            .trim()
            .to_owned();
        let chain_text = field(c_chain)
            .or_else(|| field(c_network))
            .or_else(|| field(c_coin))
            .unwrap_or("")
            .trim()
            .to_owned();
        let message = field(c_msg)
            .ok_or(FileError::MissingField {
                line,
                field: "message",
            })?
            .to_owned();
        let redeem_script = opt(field(c_script)).filter(|s| {
            // OKX's column also holds public keys (TON, APTOS): only a
            // multisig script (ends in OP_CHECKMULTISIG) is a redeem script.
            let s = s.trim_start_matches("0x");
            s.len() > 2 && s.ends_with("ae") && s.bytes().all(|b| b.is_ascii_hexdigit())
        });
        rows.push(ClaimRow {
            line,
            chain: classify_chain(&chain_text, &address),
            chain_text,
            signature: opt(field(Some(c_sig))),
            signature2: opt(field(c_sig2)),
            redeem_script,
            owners: c_owners.iter().filter_map(|&c| opt(rec.get(c))).collect(),
            message,
            address,
        });
    }
    Ok((layout, rows))
}

/// The outcome for one row of a claims file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowVerdict {
    /// The row carries no signature.
    Unsigned,
    /// The row's chain or signature framing is not supported.
    Unsupported(String),
    /// The row's fields cannot be read.
    Malformed(super::MalformedError),
    /// The row was checked.
    Checked {
        /// The verdict.
        verdict: super::Verdict,
        /// A remark (e.g. OKX contract rows).
        note: Option<String>,
    },
}

/// Verifies one row.
#[must_use]
pub fn verify_row(row: &ClaimRow, opts: &super::VerifyOptions) -> RowVerdict {
    let chain = match &row.chain {
        Ok(c) => *c,
        Err(why) => return RowVerdict::Unsupported(why.clone()),
    };
    let Some(sig) = row.signature.as_deref() else {
        return RowVerdict::Unsigned;
    };
    let claim = |address: &'_ str,
                 signature: &'_ str,
                 second: Option<&'_ str>|
     -> Result<super::Verdict, super::MalformedError> {
        super::verify(
            &super::OwnershipClaim {
                chain,
                address,
                message: row.message.as_bytes(),
                signature,
                second_signature: second,
                redeem_script: row.redeem_script.as_deref(),
            },
            opts,
        )
    };
    // OKX contract rows: signature1 by eoa1, signature2 by eoa2.
    if chain == Chain::Ethereum && !row.owners.is_empty() {
        let sigs: Vec<&str> = [Some(sig), row.signature2.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if sigs.len() != row.owners.len() {
            return RowVerdict::Unsupported(format!(
                "contract row with {} owner(s) and {} signature(s)",
                row.owners.len(),
                sigs.len()
            ));
        }
        let mut first = None;
        for (owner, s) in row.owners.iter().zip(&sigs) {
            match claim(owner, s, None) {
                Err(e) => return RowVerdict::Malformed(e),
                Ok(v @ super::Verdict::Verified(_)) => {
                    first.get_or_insert(v);
                }
                Ok(v) => {
                    return RowVerdict::Checked {
                        verdict: v,
                        note: Some(format!(
                            "signer {owner} listed as an owner of {}",
                            row.address
                        )),
                    }
                }
            }
        }
        let Some(verdict) = first else {
            return RowVerdict::Unsigned;
        };
        return RowVerdict::Checked {
            verdict,
            note: Some(format!(
                "{} is not proven by its own key (contract or staking validator): the signatures of the EOAs {} listed as its owners verified; that they control it is a chain lookup, not checked offline",
                row.address,
                row.owners.join(", ")
            )),
        };
    }
    let second = if row.redeem_script.is_some() {
        row.signature2.as_deref()
    } else {
        None
    };
    match claim(&row.address, sig, second) {
        Ok(verdict) => RowVerdict::Checked {
            verdict,
            note: None,
        },
        Err(e) => RowVerdict::Malformed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn por_csv_with_multi_line_messages_and_line_numbers() {
        let text = "chain,address,message,signature\n\
                    ethereum,0x14791697260E4c9A71f18484C9f997B308e59325,\"por reserves v1\nexchange: a\",0xab\n\
                    bitcoin,1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV,hi,-\n";
        let (layout, rows) = read_claims(text.as_bytes()).expect("reads");
        assert_eq!(layout, Layout::PorCsv);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].message, "por reserves v1\nexchange: a");
        assert_eq!(rows[0].chain, Ok(Chain::Ethereum));
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
        assert_eq!(rows[1].signature, None);
        assert_eq!(
            verify_row(&rows[1], &crate::VerifyOptions::default()),
            RowVerdict::Unsigned
        );
    }

    #[test]
    fn bom_summary_block_and_chain_classification() {
        let text = "\u{feff}coin,snapshot height,balance\nBTC,1,2\n\ncoin,address,snapshot height,balance,message,signature\n\
                    USDT-TRC20,TDToUxX8sH4z6moQpK3ZLAN24eupu2ivA4,1,2,m,abcd\n";
        let (layout, rows) = read_claims(text.as_bytes()).expect("reads");
        assert_eq!(layout, Layout::Htx);
        assert_eq!(rows[0].line, 5);
        assert_eq!(rows[0].chain, Ok(Chain::Tron));
        assert_eq!(
            classify_chain("bitcoin", "0x14791697260E4c9A71f18484C9f997B308e59325"),
            Ok(Chain::Bitcoin)
        );
        assert_eq!(
            classify_chain("BCHN", "3EniMkZiTiCcKsyKGxJbizi5zgPLkkpdYB"),
            Ok(Chain::BitcoinCash)
        );
        assert!(classify_chain("XRP", "rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh").is_err());
        assert_eq!(
            classify_chain("USDT-Omni", "12v7L9vSsWm311RSqH5qeuhe3ymTQmRLBK"),
            Ok(Chain::Bitcoin)
        );
    }
}
