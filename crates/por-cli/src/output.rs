//! Writing results: amounts in asset units, atomic files, CSV fields.

use std::borrow::Cow;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};
use por_tree::{Amount, AssetList};

/// Writes `SYMBOL amount` lines (asset units), the first after `prefix`, the
/// rest aligned under it.
pub fn write_amounts(
    w: &mut impl Write,
    prefix: &str,
    assets: &AssetList,
    amounts: &[Amount],
) -> io::Result<()> {
    let width = assets.iter().map(|a| a.symbol().len()).max().unwrap_or(0);
    for (i, (a, v)) in assets.iter().zip(amounts).enumerate() {
        let lead = if i == 0 {
            prefix.to_owned()
        } else {
            " ".repeat(prefix.chars().count())
        };
        writeln!(
            w,
            "{lead}{:<width$}  {}",
            a.symbol(),
            v.display_in(a.decimals())
        )?;
    }
    Ok(())
}

/// Writes a file atomically: a temporary file in the same directory, renamed into place.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let parent = crate::store::parent_dir(path);
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Temporary files are created private (0600); what this writes is meant
    // to be read by others (proofs, attestations, reports). Secrets go
    // through `inputs::write_secret_file` instead.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot set the permissions of {}", path.display()))?;
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Text from an input document made safe for a terminal: control characters
/// (C0, DEL, C1, and the bidirectional overrides that reorder what is shown)
/// are written as `\u{..}` escapes, so an exchange id or snapshot label
/// cannot move the cursor, recolour or rewrite lines (a forged "PASS"), or
/// hide the text after it. Everything else is returned as it is.
pub fn term(s: &str) -> Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::term;

    #[test]
    fn term_escapes_controls_and_bidi_only() {
        assert_eq!(term("acme 2026-11-21 日本"), "acme 2026-11-21 日本");
        assert_eq!(term("x\u{1b}[2K\rPASS"), "x\\u{1b}[2K\\u{d}PASS");
        assert_eq!(term("a\nb\u{7f}\u{9b}"), "a\\u{a}b\\u{7f}\\u{9b}");
        assert_eq!(term("\u{202e}evil"), "\\u{202e}evil");
    }
}
