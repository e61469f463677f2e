//! Embeds the built browser page (`www/dist`, written by `scripts/build-www`)
//! in the `por` binary when it exists at build time, so `por serve` works
//! from any directory without `--www`.
//!
//! The page is built by a separate script (wasm-bindgen and wasm-opt are not
//! cargo dependencies), so a build without it is normal: the table is then
//! empty and `por serve` says how to get the page. `POR_WWW_DIST` names
//! another directory. Only the directory's top-level regular files with
//! plain names are embedded (the page is flat: `index.html`, scripts,
//! styles); anything else there is ignored.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=POR_WWW_DIST");
    let dist = std::env::var_os("POR_WWW_DIST").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../www/dist")
                .to_path_buf()
        },
        PathBuf::from,
    );
    // A directory: cargo re-runs this script when anything in it changes
    // (or when it appears).
    println!("cargo:rerun-if-changed={}", dist.display());

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if dist.join("index.html").is_file() {
        if let Ok(entries) = std::fs::read_dir(&dist) {
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned)
                else {
                    continue;
                };
                let plain = !name.starts_with('.')
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
                if plain && path.is_file() {
                    let abs = path.canonicalize().unwrap_or(path);
                    files.push((name, abs));
                }
            }
        }
    }
    files.sort();

    let mut code = String::from(
        "/// The page's files (name, bytes), embedded from `www/dist` at build time; empty when the page was not built.\npub static EMBEDDED_PAGE: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("embedded_page.rs"), code).expect("OUT_DIR is writable");
}
