//! Per-asset positions: liabilities, claimed and confirmed reserves by
//! category and the customer assets' tier split; the solvency, segregation
//! and cold-share checks over them. Only confirmed amounts count; a check
//! passes when the confirmed amounts meet it, fails when even the claims
//! left unchecked could not make them meet it, and is otherwise not checked
//! (`docs/audit.md`). Integer arithmetic only: ratios are compared as
//! cross-products in 256 bits and shown rounded down.

use ethnum::U256;
use serde::Serialize;
use serde_json::json;

use super::{check, Check, Counted, Status};
use por_attest::{Attestation, Category, Tier};
use por_tree::amount::Amount;

/// Customer assets by tier, in base units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct TierSplit {
    /// Cold.
    #[serde(serialize_with = "ser")]
    pub cold: Amount,
    /// Warm.
    #[serde(serialize_with = "ser")]
    pub warm: Amount,
    /// Hot.
    #[serde(serialize_with = "ser")]
    pub hot: Amount,
    /// MPC.
    #[serde(serialize_with = "ser")]
    pub mpc: Amount,
    /// Third-party custodian.
    #[serde(serialize_with = "ser")]
    pub third_party_custodian: Amount,
}

/// One asset of one attestation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetPosition {
    /// Index of the attestation in the input.
    pub attestation: usize,
    /// `exchange snapshot`.
    pub label: String,
    /// Asset symbol.
    pub asset: String,
    /// Decimals.
    pub decimals: u8,
    /// Customer liabilities (the root's total), base units.
    #[serde(serialize_with = "ser")]
    pub liabilities: Amount,
    /// Everything the attestation claims for this asset.
    #[serde(serialize_with = "ser")]
    pub claimed: Amount,
    /// Confirmed reserves: balances observed at the attested block (capped
    /// at the claim) of wallets whose ownership was verified, each claimed
    /// once. The only reserves that count.
    #[serde(serialize_with = "ser")]
    pub reserves: Amount,
    /// Claimed but not checked (no chain data, no balance source for the
    /// chain, ownership needing another verifier): counts zero.
    #[serde(serialize_with = "ser")]
    pub unchecked: Amount,
    /// Confirmed reserves in `customer` wallets.
    #[serde(serialize_with = "ser")]
    pub customer: Amount,
    /// Claimed in `customer` wallets but not checked: counts zero.
    #[serde(serialize_with = "ser")]
    pub customer_unchecked: Amount,
    /// In `corporate` wallets.
    #[serde(serialize_with = "ser")]
    pub corporate: Amount,
    /// In `guarantee` wallets.
    #[serde(serialize_with = "ser")]
    pub guarantee: Amount,
    /// In `liability_reserve` wallets.
    #[serde(serialize_with = "ser")]
    pub liability_reserve: Amount,
    /// Claimed but refused by a failed check (bad proof, short balance,
    /// another block, duplicate).
    #[serde(serialize_with = "ser")]
    pub excluded: Amount,
    /// Confirmed customer wallets by tier.
    pub customer_tiers: TierSplit,
    /// Unchecked customer wallets by tier (count zero).
    pub customer_tiers_unchecked: TierSplit,
    /// confirmed reserves ÷ liabilities in percent, rounded down (`None` without liabilities).
    pub solvency_ratio: Option<String>,
    /// customer ÷ liabilities in percent, rounded down.
    pub segregation_ratio: Option<String>,
    /// cold ÷ customer in percent, rounded down.
    pub cold_share: Option<String>,
}

fn ser<S: serde::Serializer>(a: &Amount, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&a.to_string())
}

/// `num ÷ den` as a percentage with two decimals, rounded down
/// (`None` for a zero denominator).
#[must_use]
pub fn ratio_percent(num: Amount, den: Amount) -> Option<String> {
    if den.to_base_units() == 0 {
        return None;
    }
    let bp =
        U256::from(num.to_base_units()) * U256::from(10_000u32) / U256::from(den.to_base_units());
    let whole = bp / 100;
    let frac = bp % 100;
    Some(format!("{whole}.{frac:02}%"))
}

/// Whether `num ÷ den ≥ bp / 10000`.
fn at_least(num: Amount, den: Amount, bp: u32) -> bool {
    U256::from(num.to_base_units()) * U256::from(10_000u32)
        >= U256::from(den.to_base_units()) * U256::from(bp)
}

fn add(a: &mut Amount, b: Amount) {
    // A sum of on-chain balances of one asset cannot exceed u128 (the chain's
    // supply is far smaller); saturate rather than wrap if it ever did.
    *a = a
        .checked_add(b)
        .unwrap_or(Amount::from_base_units(u128::MAX));
}

fn add_tier(t: &mut TierSplit, tier: Tier, amount: Amount) {
    match tier {
        Tier::Cold => add(&mut t.cold, amount),
        Tier::Warm => add(&mut t.warm, amount),
        Tier::Hot => add(&mut t.hot, amount),
        Tier::Mpc => add(&mut t.mpc, amount),
        Tier::ThirdPartyCustodian => add(&mut t.third_party_custodian, amount),
    }
}

impl TierSplit {
    fn total(&self) -> Amount {
        let mut t = self.cold;
        for x in [self.warm, self.hot, self.mpc, self.third_party_custodian] {
            add(&mut t, x);
        }
        t
    }
}

/// The three-way rule for a figure that must reach `need`: met by the
/// confirmed amount → pass; not met even with every unchecked claim →
/// fail; otherwise not checked.
fn judge(confirmed: Amount, unchecked: Amount, need: Amount) -> Status {
    if confirmed >= need {
        Status::Pass
    } else if confirmed
        .checked_add(unchecked)
        .unwrap_or(Amount::from_base_units(u128::MAX))
        < need
    {
        Status::Fail
    } else {
        Status::NotChecked
    }
}

pub(crate) fn positions(
    attestation: usize,
    label: &str,
    body: &Attestation,
    counted: &[Counted<'_>],
) -> Vec<AssetPosition> {
    body.assets
        .iter()
        .map(|a| {
            let liabilities = body
                .liabilities
                .totals()
                .unwrap_or_default()
                .iter()
                .find(|t| t.asset == a.symbol)
                .map_or(Amount::ZERO, |t| t.amount);
            let mut p = AssetPosition {
                attestation,
                label: label.to_owned(),
                asset: a.symbol.clone(),
                decimals: a.decimals,
                liabilities,
                claimed: Amount::ZERO,
                reserves: Amount::ZERO,
                unchecked: Amount::ZERO,
                customer: Amount::ZERO,
                customer_unchecked: Amount::ZERO,
                corporate: Amount::ZERO,
                guarantee: Amount::ZERO,
                liability_reserve: Amount::ZERO,
                excluded: Amount::ZERO,
                customer_tiers: TierSplit::default(),
                customer_tiers_unchecked: TierSplit::default(),
                solvency_ratio: None,
                segregation_ratio: None,
                cold_share: None,
            };
            for c in counted.iter().filter(|c| c.entry.asset == a.symbol) {
                add(&mut p.claimed, c.entry.claimed);
                let amount = c.confirmed.unwrap_or(Amount::ZERO);
                let refused = c
                    .entry
                    .claimed
                    .checked_sub(amount)
                    .and_then(|r| r.checked_sub(c.unchecked))
                    .unwrap_or(Amount::ZERO);
                add(&mut p.excluded, refused);
                add(&mut p.unchecked, c.unchecked);
                add(&mut p.reserves, amount);
                match c.entry.category {
                    Category::Customer => {
                        add(&mut p.customer, amount);
                        add(&mut p.customer_unchecked, c.unchecked);
                        add_tier(&mut p.customer_tiers, c.entry.tier, amount);
                        add_tier(&mut p.customer_tiers_unchecked, c.entry.tier, c.unchecked);
                    }
                    Category::Corporate => add(&mut p.corporate, amount),
                    Category::Guarantee => add(&mut p.guarantee, amount),
                    Category::LiabilityReserve => add(&mut p.liability_reserve, amount),
                }
            }
            p.solvency_ratio = ratio_percent(p.reserves, p.liabilities);
            p.segregation_ratio = ratio_percent(p.customer, p.liabilities);
            p.cold_share = ratio_percent(p.customer_tiers.cold, p.customer);
            p
        })
        .collect()
}

pub(crate) fn position_checks(
    label: &str,
    positions: &mut [AssetPosition],
    min_cold_bp: Option<u32>,
    checks: &mut Vec<Check>,
) {
    for p in positions.iter() {
        let in_tree = p.liabilities.to_base_units() > 0;
        let subject = format!("{label}: {}", p.asset);
        let d = p.decimals;
        let ev = || {
            vec![
                ("liabilities", json!(p.liabilities.to_string())),
                ("claimed", json!(p.claimed.to_string())),
                ("confirmed", json!(p.reserves.to_string())),
                ("unchecked", json!(p.unchecked.to_string())),
                ("customer_confirmed", json!(p.customer.to_string())),
                (
                    "customer_unchecked",
                    json!(p.customer_unchecked.to_string()),
                ),
                ("excluded", json!(p.excluded.to_string())),
                ("solvency_ratio", json!(p.solvency_ratio)),
                ("segregation_ratio", json!(p.segregation_ratio)),
            ]
        };
        if in_tree {
            for (id, what, confirmed, unchecked, ratio) in [
                (
                    "solvency",
                    "confirmed reserves",
                    p.reserves,
                    p.unchecked,
                    &p.solvency_ratio,
                ),
                (
                    "segregation",
                    "confirmed customer wallets",
                    p.customer,
                    p.customer_unchecked,
                    &p.segregation_ratio,
                ),
            ] {
                let status = judge(confirmed, unchecked, p.liabilities);
                let head = format!(
                    "{what} {} {} {} liabilities {} ({})",
                    confirmed.display_in(d),
                    if status == Status::Pass { "≥" } else { "<" },
                    p.asset,
                    p.liabilities.display_in(d),
                    ratio.as_deref().unwrap_or("-")
                );
                let tail = match (status, unchecked.to_base_units() > 0) {
                    (_, false) => String::new(),
                    (Status::Pass, true) => format!(
                        "; {} more claimed, not checked, not counted",
                        unchecked.display_in(d)
                    ),
                    (Status::Fail, true) => format!(
                        "; even the {} claimed but not checked would not cover them",
                        unchecked.display_in(d)
                    ),
                    (Status::NotChecked, true) => format!(
                        "; {} more is claimed but not checked (counts zero): covered only if it is confirmed",
                        unchecked.display_in(d)
                    ),
                };
                checks.push(check(id, status, subject.clone(), head + &tail, ev()));
            }
        }
        let t = &p.customer_tiers;
        let u = &p.customer_tiers_unchecked;
        let unchecked_total = u.total();
        if p.customer.to_base_units() == 0 && unchecked_total.to_base_units() == 0 {
            continue;
        }
        let split = [
            ("cold", json!(t.cold.to_string())),
            ("warm", json!(t.warm.to_string())),
            ("hot", json!(t.hot.to_string())),
            ("mpc", json!(t.mpc.to_string())),
            (
                "third_party_custodian",
                json!(t.third_party_custodian.to_string()),
            ),
            ("cold_share", json!(p.cold_share)),
            ("unchecked_cold", json!(u.cold.to_string())),
            ("unchecked_total", json!(unchecked_total.to_string())),
        ];
        let share = p.cold_share.as_deref().unwrap_or("-");
        match min_cold_bp {
            None => checks.push(check(
                "cold-share",
                Status::NotChecked,
                subject,
                format!(
                    "cold {share} of confirmed customer assets; no minimum given (--min-cold-percent)"
                ),
                split,
            )),
            Some(bp) => {
                let min = format!("{}.{:02}%", bp / 100, bp % 100);
                let mut split = split.to_vec();
                split.push(("minimum_cold_share", json!(min)));
                // The share once the unchecked wallets are checked lies
                // between these: unchecked non-cold full and cold empty
                // (worst), unchecked cold full and non-cold empty (best).
                let unchecked_non_cold = unchecked_total.checked_sub(u.cold).unwrap_or(Amount::ZERO);
                let sum = |a: Amount, b: Amount| a.checked_add(b).unwrap_or(Amount::from_base_units(u128::MAX));
                let status = if p.customer.to_base_units() == 0 {
                    Status::NotChecked
                } else if at_least(t.cold, sum(p.customer, unchecked_non_cold), bp) {
                    Status::Pass
                } else if !at_least(sum(t.cold, u.cold), sum(p.customer, u.cold), bp) {
                    Status::Fail
                } else {
                    Status::NotChecked
                };
                let tail = if unchecked_total.to_base_units() == 0 {
                    String::new()
                } else {
                    format!(
                        "; {} of customer wallets claimed but not checked (counts zero){}",
                        unchecked_total.display_in(d),
                        if status == Status::NotChecked {
                            ", which could change the share either way"
                        } else {
                            ", which could not change the verdict"
                        }
                    )
                };
                checks.push(check(
                    "cold-share",
                    status,
                    subject,
                    format!("cold {share} of confirmed customer assets, minimum {min}{tail}"),
                    split,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_round_down_and_compare_exactly() {
        let a = Amount::from_base_units;
        assert_eq!(ratio_percent(a(1), a(3)).unwrap(), "33.33%");
        assert_eq!(ratio_percent(a(2), a(3)).unwrap(), "66.66%");
        assert_eq!(
            ratio_percent(a(u128::MAX), a(u128::MAX)).unwrap(),
            "100.00%"
        );
        assert_eq!(ratio_percent(a(5), a(0)), None);
        assert!(at_least(a(95), a(100), 9500));
        assert!(!at_least(a(9_499_999), a(10_000_000), 9500));
        assert!(at_least(a(u128::MAX), a(u128::MAX), 10_000));
    }

    #[test]
    fn confirmed_decides_unchecked_only_keeps_the_question_open() {
        let a = Amount::from_base_units;
        assert_eq!(judge(a(100), a(0), a(100)), Status::Pass);
        assert_eq!(judge(a(100), a(50), a(100)), Status::Pass);
        // Short on confirmed, covered only with the unchecked claims.
        assert_eq!(judge(a(60), a(40), a(100)), Status::NotChecked);
        // Not covered even with them.
        assert_eq!(judge(a(60), a(39), a(100)), Status::Fail);
        assert_eq!(judge(a(0), a(0), a(1)), Status::Fail);
    }

    fn entry(tier: Tier, claimed: u128) -> por_attest::ReserveEntry {
        por_attest::ReserveEntry {
            chain: por_types::Chain::Bitcoin.into(),
            address: por_attest::WalletAddress::new("bc1q").unwrap(),
            asset: "BTC".into(),
            category: Category::Customer,
            tier,
            claimed: Amount::from_base_units(claimed),
            proof: por_attest::OwnershipProof {
                scheme: por_attest::SchemeRequest::Bip322.into(),
                message: String::new(),
                signature: String::new(),
                second_signature: None,
                redeem_script: None,
            },
        }
    }

    /// The cold-share verdict with 90 confirmed cold, 10 confirmed hot and
    /// one unchecked wallet of `tier` claiming `claim`, minimum 85%.
    fn cold_share_with_unchecked(tier: Tier, claim: u128) -> Status {
        use por_attest::{
            AssetTotal, Attestation, AttestationKey, AttestedAsset, AttestedBlockHash, BlockHash,
            ChainPoint, Exchange, Liabilities, Snapshot, SnapshotTime,
        };
        use por_types::Chain;
        let entries = [
            entry(Tier::Cold, 90),
            entry(Tier::Hot, 10),
            entry(tier, claim),
        ];
        let counted: Vec<Counted<'_>> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| Counted {
                entry: e,
                confirmed: (i < 2).then_some(e.claimed),
                unchecked: if i < 2 { Amount::ZERO } else { e.claimed },
            })
            .collect();
        let body = Attestation::builder(
            Exchange {
                id: "x".into(),
                public_key: AttestationKey::from_secret_bytes(&[1; 32])
                    .unwrap()
                    .public_key(),
            },
            Snapshot {
                label: "s".into(),
                time: SnapshotTime::parse("2026-11-21T00:00:00Z").unwrap(),
            },
        )
        .chain(ChainPoint {
            chain: Chain::Bitcoin.into(),
            height: 1,
            block_hash: AttestedBlockHash::for_chain(
                BlockHash::from_byte_array([0; 32]),
                Chain::Bitcoin,
            ),
        })
        .asset(AttestedAsset {
            symbol: "BTC".into(),
            decimals: 8,
            chain: Chain::Bitcoin.into(),
            contract: None,
        })
        .build(Liabilities {
            root: "22".repeat(32).parse().unwrap(),
            height: 1,
            customers: 1,
            totals: vec![AssetTotal {
                asset: "BTC".into(),
                amount: Amount::from_base_units(50),
            }],
        })
        .unwrap();
        let mut p = positions(0, "x s", &body, &counted);
        let mut checks = Vec::new();
        position_checks("x s", &mut p, Some(8_500), &mut checks);
        checks.iter().find(|c| c.id == "cold-share").unwrap().status
    }

    #[test]
    fn cold_share_with_unchecked_wallets_passes_or_fails_only_when_they_cannot_change_it() {
        // 90 / (100 + 5 hot) = 85.7% even if the hot one is full: pass.
        assert_eq!(cold_share_with_unchecked(Tier::Hot, 5), Status::Pass);
        // 90 / (100 + 10 hot) = 81.8%, 90 / 100 = 90%: either way.
        assert_eq!(cold_share_with_unchecked(Tier::Hot, 10), Status::NotChecked);
        // An unchecked cold wallet can only raise it: 90% already passes.
        assert_eq!(cold_share_with_unchecked(Tier::Cold, 1_000), Status::Pass);
    }
}
