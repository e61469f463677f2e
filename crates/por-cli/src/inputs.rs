//! Reading the inputs commands share: asset lists and snapshot secrets.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use por_tree::{Asset, AssetList, SnapshotSecret};
use serde::Deserialize;

/// Parses `--assets`: a spec such as `BTC:8,ETH:18`, or the path of a TOML file
/// with `[[asset]]` tables of `symbol` and `decimals`.
pub fn assets(arg: &str) -> Result<AssetList> {
    let path = Path::new(arg);
    if arg.ends_with(".toml") || (path.is_file() && !arg.contains(':')) {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read assets file {arg}"))?;
        return assets_toml(&text).with_context(|| format!("{arg}: invalid assets file"));
    }
    AssetList::from_spec(arg).with_context(|| format!("--assets {arg:?}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetsFile {
    asset: Vec<AssetEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetEntry {
    symbol: String,
    decimals: u8,
}

fn assets_toml(text: &str) -> Result<AssetList> {
    let file: AssetsFile = toml::from_str(text)?;
    let mut list = Vec::with_capacity(file.asset.len());
    for (i, a) in file.asset.iter().enumerate() {
        list.push(
            Asset::new(&a.symbol, a.decimals).with_context(|| format!("[[asset]] #{}", i + 1))?,
        );
    }
    Ok(AssetList::new(list)?)
}

/// Reads a snapshot secret: 32 raw bytes, or 64 hex digits (a trailing newline is fine).
pub fn secret(path: &Path) -> Result<SnapshotSecret> {
    let bytes =
        fs::read(path).with_context(|| format!("cannot read secret file {}", path.display()))?;
    parse_secret(&bytes).with_context(|| format!("{}: invalid snapshot secret", path.display()))
}

fn parse_secret(bytes: &[u8]) -> Result<SnapshotSecret> {
    if let Ok(raw) = <[u8; 32]>::try_from(bytes) {
        return Ok(SnapshotSecret::from_byte_array(raw));
    }
    let text = std::str::from_utf8(bytes).ok().map(str::trim_end);
    let mut out = [0u8; 32];
    match text {
        Some(t) if t.len() == 64 && hex::decode_to_slice(t, &mut out).is_ok() => {
            Ok(SnapshotSecret::from_byte_array(out))
        }
        _ => bail!(
            "expected exactly 32 raw bytes or 64 hex digits, found {} bytes",
            bytes.len()
        ),
    }
}

/// Reads the secret, or creates the file with 32 bytes from the OS RNG (as 64
/// hex digits, mode 0600) if it does not exist, and says so.
pub fn secret_or_create(path: &Path) -> Result<SnapshotSecret> {
    if path.exists() {
        return secret(path);
    }
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw)
        .map_err(|e| anyhow::anyhow!("the OS random number generator failed: {e}"))?;
    write_secret_file(path, format!("{}\n", hex::encode(raw)).as_bytes())?;
    eprintln!(
        "Created the snapshot secret {} (32 random bytes, mode 0600). Keep it: it derives every salt, and an auditor needs it to rebuild the tree.",
        path.display()
    );
    Ok(SnapshotSecret::from_byte_array(raw))
}

/// Creates a new file readable only by its owner; fails if it exists.
pub fn write_secret_file(path: &Path, contents: &[u8]) -> Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(contents)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_raw_or_hex() {
        let raw = [9u8; 32];
        assert_eq!(parse_secret(&raw).unwrap().to_byte_array(), raw);
        let hex_text = format!("{}\n", hex::encode(raw));
        assert_eq!(
            parse_secret(hex_text.as_bytes()).unwrap().to_byte_array(),
            raw
        );
        assert!(parse_secret(b"abc").is_err());
        assert!(parse_secret(&[0u8; 31]).is_err());
    }

    #[test]
    fn assets_from_toml() {
        let l = assets_toml("[[asset]]\nsymbol = \"BTC\"\ndecimals = 8\n[[asset]]\nsymbol = \"ETH\"\ndecimals = 18\n").unwrap();
        assert_eq!(l.len(), 2);
        assert!(assets_toml("[[asset]]\nsymbol = \"BTC\"\ndecimals = 8\nextra = 1\n").is_err());
        assert!(assets_toml("").is_err());
    }
}

/// The text encoding of a balances export (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[default]
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// CP932 (Windows Shift-JIS), as Japanese Excel saves "CSV".
    #[value(name = "cp932", alias = "shift-jis", alias = "sjis")]
    Cp932,
}

/// Returns a balances export as UTF-8 bytes, decoding CP932 when asked.
///
/// UTF-8 is passed through as it is: the ledger reader reports a field
/// that is not UTF-8 with its line and column, and [`ledger_hint`] adds
/// what to do. A file is never decoded by guess: a user id decoded with the
/// wrong encoding would silently hash to another customer's leaf. CP932
/// keeps ASCII (line breaks and delimiters included) byte for byte, so line
/// numbers are unchanged.
pub fn balances_utf8<'a>(
    bytes: &'a [u8],
    encoding: Encoding,
    name: &str,
) -> Result<std::borrow::Cow<'a, [u8]>> {
    match encoding {
        Encoding::Utf8 => Ok(std::borrow::Cow::Borrowed(bytes)),
        Encoding::Cp932 => {
            // A UTF-8 byte-order mark would say the file is not CP932.
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bail!("{name}: starts with a UTF-8 byte-order mark, so it is UTF-8, not CP932: leave out `--encoding cp932`");
            }
            // Non-ASCII text that is valid UTF-8 is, in practice, UTF-8:
            // read as CP932 it would decode to other characters without
            // any error, and the ids would hash to other leaves.
            if !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
                bail!("{name}: the file is valid UTF-8 and has non-ASCII text, so it is UTF-8, not CP932 (read as CP932 its ids would change): leave out `--encoding cp932`");
            }
            match encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
            {
                Some(text) => Ok(std::borrow::Cow::Owned(text.into_owned().into_bytes())),
                None => {
                    // Find the first line that does not decode, for the message.
                    let mut line = 1;
                    for l in bytes.split(|&b| b == b'\n') {
                        if encoding_rs::SHIFT_JIS
                            .decode_without_bom_handling_and_without_replacement(l)
                            .is_none()
                        {
                            break;
                        }
                        line += 1;
                    }
                    bail!("{name}: line {line}: not valid CP932 (Shift-JIS); check the file's encoding (`--encoding utf-8` is the default)")
                }
            }
        }
    }
}

/// What to do about a balances export error, when por can say: the options
/// of `por tree build` that read the export as it is. `bytes` is the file
/// as read, to say whether it decodes as CP932.
pub fn ledger_hint(
    e: &por_tree::ledger::LedgerError,
    bytes: &[u8],
    encoding: Encoding,
) -> &'static str {
    use por_tree::ledger::LedgerError as E;
    match e {
        E::InvalidUtf8 { .. } if encoding == Encoding::Utf8 => {
            if encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(bytes)
                .is_some()
            {
                "; the file does decode as CP932 (Shift-JIS, what Japanese Excel saves as \"CSV\"): if that is how it was saved, pass `--encoding cp932`"
            } else {
                "; save the export as UTF-8, or pass `--encoding cp932` if it is CP932 (Shift-JIS)"
            }
        }
        E::UnknownColumns { .. } => {
            "; leave a column out with `--ignore-column NAME` (repeatable), or add its asset to `--assets`"
        }
        E::Amount { source, .. }
            if matches!(source.kind(), por_tree::amount::AmountErrorKind::Empty) =>
        {
            "; write 0, or pass `--empty-as-zero` to read empty amounts as 0"
        }
        _ => "",
    }
}
