//! Untrusted input never panics the ownership parsers or the verifier.
#![allow(clippy::unwrap_used, reason = "tests")]

use por_ownership::bitcoin::encode::{decode_transaction, decode_witness};
use por_ownership::file::{read_claims, verify_row};
use por_ownership::{
    verify, Bip322Signature, Chain, EvmSignature, LegacySignature, OwnershipClaim, ReservesMessage,
    VerifyOptions,
};
use proptest::prelude::*;

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoders_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_transaction(&bytes);
        let _ = decode_witness(&bytes);
        let _ = read_claims(&bytes);
        let _ = ReservesMessage::parse(&bytes);
        for prefix in ["", "smp", "ful", "pof"] {
            let _ = Bip322Signature::parse(&format!("{prefix}{}", b64(&bytes)));
        }
        let _ = LegacySignature::from_bytes(&bytes);
        let _ = EvmSignature::from_bytes(&bytes);
    }

    #[test]
    fn verify_does_not_panic(
        sig in proptest::collection::vec(any::<u8>(), 0..200),
        addr_pick in 0usize..6,
        msg in ".{0,40}",
        prefix in prop::sample::select(vec!["", "smp", "ful", "pof"]),
    ) {
        let addrs = [
            "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
            "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3",
            "3HSVzEhCFuH9Z3wvoWTexy7BMVVp3PjS6f",
            "14vV3aCHBeStb5bkenkNHbe2YAFinYdXgc",
            "bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9",
            "0x14791697260E4c9A71f18484C9f997B308e59325",
        ];
        let chain = if addr_pick == 5 { Chain::Ethereum } else { Chain::Bitcoin };
        let text = if chain == Chain::Ethereum { hex::encode(&sig) } else { format!("{prefix}{}", b64(&sig)) };
        let claim = OwnershipClaim {
            chain,
            address: addrs[addr_pick],
            message: msg.as_bytes(),
            signature: &text,
            second_signature: None,
            redeem_script: None,
        };
        let _ = verify(&claim, &VerifyOptions::default());
    }

    #[test]
    fn claim_files_do_not_panic(lines in proptest::collection::vec("[a-zA-Z0-9,\"\\- ]{0,60}", 0..8)) {
        let text = format!("chain,address,message,signature\n{}", lines.join("\n"));
        if let Ok((_, rows)) = read_claims(text.as_bytes()) {
            for r in &rows {
                let _ = verify_row(r, &VerifyOptions::default());
            }
        }
    }
}
