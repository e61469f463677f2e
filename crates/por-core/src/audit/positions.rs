//! Per-asset positions: liabilities, counted reserves by category and the
//! customer assets' tier split; the solvency, segregation and cold-share
//! checks over them. Integer arithmetic only: ratios are compared as
//! cross-products in 256 bits and shown rounded down.

use ethnum::U256;
use serde::Serialize;
use serde_json::json;

use super::{check, Check, Counted, Status};
use crate::amount::Amount;
use crate::attestation::{AttestationBody, Category, Tier};

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
    /// All counted reserves.
    #[serde(serialize_with = "ser")]
    pub reserves: Amount,
    /// Counted reserves in `customer` wallets.
    #[serde(serialize_with = "ser")]
    pub customer: Amount,
    /// In `corporate` wallets.
    #[serde(serialize_with = "ser")]
    pub corporate: Amount,
    /// In `guarantee` wallets.
    #[serde(serialize_with = "ser")]
    pub guarantee: Amount,
    /// In `liability_reserve` wallets.
    #[serde(serialize_with = "ser")]
    pub liability_reserve: Amount,
    /// Claimed but not counted (bad proof, short balance, duplicate).
    #[serde(serialize_with = "ser")]
    pub excluded: Amount,
    /// Customer wallets by tier.
    pub customer_tiers: TierSplit,
    /// reserves ÷ liabilities in percent, rounded down (`None` without liabilities).
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

pub(crate) fn positions(
    attestation: usize,
    label: &str,
    body: &AttestationBody,
    counted: &[Counted<'_>],
) -> Vec<AssetPosition> {
    body.assets
        .iter()
        .map(|a| {
            let liabilities = body
                .liabilities
                .totals
                .iter()
                .find(|t| t.asset == a.symbol)
                .map_or(Amount::ZERO, |t| t.amount);
            let mut p = AssetPosition {
                attestation,
                label: label.to_owned(),
                asset: a.symbol.clone(),
                decimals: a.decimals,
                liabilities,
                reserves: Amount::ZERO,
                customer: Amount::ZERO,
                corporate: Amount::ZERO,
                guarantee: Amount::ZERO,
                liability_reserve: Amount::ZERO,
                excluded: Amount::ZERO,
                customer_tiers: TierSplit::default(),
                solvency_ratio: None,
                segregation_ratio: None,
                cold_share: None,
            };
            for c in counted.iter().filter(|c| c.entry.asset == a.symbol) {
                let Some(amount) = c.amount else {
                    add(&mut p.excluded, c.entry.claimed);
                    continue;
                };
                if let Some(short) = c.entry.claimed.checked_sub(amount) {
                    add(&mut p.excluded, short);
                }
                add(&mut p.reserves, amount);
                match c.entry.category {
                    Category::Customer => {
                        add(&mut p.customer, amount);
                        let t = &mut p.customer_tiers;
                        match c.entry.tier {
                            Tier::Cold => add(&mut t.cold, amount),
                            Tier::Warm => add(&mut t.warm, amount),
                            Tier::Hot => add(&mut t.hot, amount),
                            Tier::Mpc => add(&mut t.mpc, amount),
                            Tier::ThirdPartyCustodian => add(&mut t.third_party_custodian, amount),
                        }
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
                ("reserves", json!(p.reserves.to_string())),
                ("customer", json!(p.customer.to_string())),
                ("excluded", json!(p.excluded.to_string())),
                ("solvency_ratio", json!(p.solvency_ratio)),
                ("segregation_ratio", json!(p.segregation_ratio)),
            ]
        };
        if in_tree {
            let ok = p.reserves >= p.liabilities;
            checks.push(check(
                "solvency",
                if ok { Status::Pass } else { Status::Fail },
                subject.clone(),
                format!(
                    "reserves {} {} {} liabilities {} ({})",
                    p.reserves.display_in(d),
                    if ok { "≥" } else { "<" },
                    p.asset,
                    p.liabilities.display_in(d),
                    p.solvency_ratio.as_deref().unwrap_or("-")
                ),
                ev(),
            ));
            let ok = p.customer >= p.liabilities;
            checks.push(check(
                "segregation",
                if ok { Status::Pass } else { Status::Fail },
                subject.clone(),
                format!(
                    "customer wallets alone {} {} {} liabilities {} ({})",
                    p.customer.display_in(d),
                    if ok { "≥" } else { "<" },
                    p.asset,
                    p.liabilities.display_in(d),
                    p.segregation_ratio.as_deref().unwrap_or("-")
                ),
                ev(),
            ));
        }
        if p.customer.to_base_units() == 0 {
            continue;
        }
        let t = &p.customer_tiers;
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
        ];
        let share = p.cold_share.as_deref().unwrap_or("-");
        match min_cold_bp {
            None => checks.push(check(
                "cold-share",
                Status::NotChecked,
                subject,
                format!("cold {share} of customer assets (no minimum given: --min-cold-percent)"),
                split,
            )),
            Some(bp) => {
                let ok = at_least(t.cold, p.customer, bp);
                let min = format!("{}.{:02}%", bp / 100, bp % 100);
                checks.push(check(
                    "cold-share",
                    if ok { Status::Pass } else { Status::Fail },
                    subject,
                    format!("cold {share} of customer assets, minimum {min}"),
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
}
