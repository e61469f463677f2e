//! Arbitrary bytes as an asset registry file (`por-asset-registry-v1`,
//! TOML). Nothing may panic and errors display. A registry that parses is
//! self-consistent: every entry, on its own and laid over the built-in
//! registry, resolves to itself (confirmed, its contract and decimals).
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_audit::registry::{AssetRegistry, Resolution};

fn resolves_to_itself(registry: &AssetRegistry) {
    for t in registry.tokens() {
        let contract = t.contract_hex();
        match registry.resolve(
            t.asset.chain().as_str(),
            &t.symbol,
            t.decimals,
            Some(&contract),
        ) {
            Resolution::Confirmed(id) => {
                assert_eq!(id.asset, t.asset);
                assert_eq!(
                    id.asset.contract().map(|c| c.to_lower_hex()),
                    Some(contract)
                );
                assert_eq!(id.decimals, t.decimals);
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
                        merged.resolve(
                            t.asset.chain().as_str(),
                            &t.symbol,
                            t.decimals,
                            Some(&t.contract_hex())
                        ),
                        Resolution::Confirmed(_)
                    ),
                    "an auditor's entry overrides the built-in one"
                );
            }
        }
    }
});
