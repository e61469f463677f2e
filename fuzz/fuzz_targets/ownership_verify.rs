//! The ownership verify entry point with fuzzed address, message and
//! signature strings: BIP-322 (simple, full, proof of funds), legacy signed
//! messages (every policy), OKX multisig, EIP-191, OKX/HTX EVM hashings and
//! TRON, on every chain, network and scheme request.
//!
//! Input: 5 selector bytes (chain, scheme, network, legacy policy, whether a
//! canonical reserves message is expected), then the fields address, message,
//! signature, second signature, redeem script, separated by 0x1F.
//!
//! Nothing may panic, every error and verdict must display, and the verdict
//! is deterministic (the same claim twice gives the same result).
#![no_main]

#[path = "common/mod.rs"]
mod common;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use por_ownership::{
    self as ownership, Chain, LegacyPolicy, Network, OwnershipClaim, ReservesMessage,
    SchemeRequest, VerifyOptions,
};

const CHAINS: [Chain; 8] = [
    Chain::Bitcoin,
    Chain::Ethereum,
    Chain::Litecoin,
    Chain::Dogecoin,
    Chain::Dash,
    Chain::BitcoinCash,
    Chain::BitcoinSv,
    Chain::Tron,
];
const SCHEMES: [SchemeRequest; 8] = [
    SchemeRequest::Auto,
    SchemeRequest::Bip322,
    SchemeRequest::Legacy,
    SchemeRequest::OkxMultisig,
    SchemeRequest::Eip191,
    SchemeRequest::OkxEvm,
    SchemeRequest::HtxRawKeccak,
    SchemeRequest::OkxOkc,
];
const NETWORKS: [Network; 4] = [
    Network::Bitcoin,
    Network::Testnet,
    Network::Signet,
    Network::Regtest,
];
const POLICIES: [LegacyPolicy; 3] = [
    LegacyPolicy::Permissive,
    LegacyPolicy::Bip137Strict,
    LegacyPolicy::CoreP2pkhOnly,
];

#[derive(Debug)]
struct Input {
    chain: Chain,
    opts: VerifyOptions,
    fields: Vec<String>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let chain = CHAINS[usize::from(common::pick(u, 8)?)];
        let scheme = SCHEMES[usize::from(common::pick(u, 8)?)];
        let network = NETWORKS[usize::from(common::pick(u, 4)?)];
        let legacy_policy = POLICIES[usize::from(common::pick(u, 3)?)];
        let expect = common::pick(u, 2)? == 1;
        let expected = expect.then(|| {
            ReservesMessage::new("acme", "2026-11-21", &"ab".repeat(32))
                .expect("a valid reserves message")
        });
        let fields = common::fields(std::mem::replace(u, Unstructured::new(&[])));
        Ok(Input {
            chain,
            opts: VerifyOptions {
                network,
                legacy_policy,
                scheme,
                expected,
            },
            fields,
        })
    }
}

fuzz_target!(|input: Input| {
    let f = &input.fields;
    let claim = OwnershipClaim {
        chain: input.chain,
        address: common::field(f, 0),
        message: common::field(f, 1).as_bytes(),
        signature: common::field(f, 2),
        second_signature: common::opt_field(f, 3),
        redeem_script: common::opt_field(f, 4),
    };
    let first = ownership::verify(&claim, &input.opts);
    match &first {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(v) => {
            let _ = v.summary();
        }
    }
    assert_eq!(
        first,
        ownership::verify(&claim, &input.opts),
        "the verdict is deterministic"
    );
});
