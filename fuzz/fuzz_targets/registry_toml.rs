//! Arbitrary bytes as an asset registry file (`por-asset-registry-v1`,
//! TOML). Nothing may panic and errors display. A registry that parses is
//! self-consistent: every entry, on its own and laid over the built-in
//! registry, resolves to itself (confirmed, its contract and decimals).
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_audit::registry::{AssetRegistry, Resolution};

fn resolves_to_itself(registry: &AssetRegistry) {
    for t in registry.tokens() {
        match registry.resolve(&t.chain, &t.symbol, t.decimals, Some(&t.contract)) {
            Resolution::Confirmed(id) => {
                assert_eq!(
                    id.asset.contract().map(|c| c.to_lower_hex()).as_deref(),
                    Some(t.contract.as_str())
                );
                assert_eq!(id.decimals, t.decimals);
                assert_eq!(id.chain().as_str(), t.chain);
            }
            other => panic!("{t:?} resolves to {other:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match AssetRegistry::from_toml(text, "fuzz.toml") {
        Err(e) => {
            let _ = (e.to_string(), e.file(), e.field());
        }
        Ok(registry) => {
            assert!(registry.tokens().iter().all(|t| t.origin == "fuzz.toml"));
            resolves_to_itself(&registry);
            let merged = AssetRegistry::builtin().extended_with(registry.clone());
            for t in registry.tokens() {
                assert!(
                    matches!(
                        merged.resolve(&t.chain, &t.symbol, t.decimals, Some(&t.contract)),
                        Resolution::Confirmed(_)
                    ),
                    "an auditor's entry overrides the built-in one"
                );
            }
        }
    }
});
