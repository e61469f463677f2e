//! A whole distribution: every column (each asset, then the JPY top-up when
//! there is one) allocated by the rule, split by holdback and de-minimis,
//! with its totals. Pure: the caller supplies the claims in leaf order.

use core::fmt;

use por_tree::{Amount, AssetList};
use serde::{Deserialize, Serialize};

use crate::allocate::{self, AllocError, Price, Split};

/// Values per column in a leaf and in every node: claim, paid, held,
/// retained.
pub const VALUES_PER_COLUMN: usize = 4;

/// The JPY top-up terms, resolved against the asset list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopUp {
    /// The pool to allocate, in yen.
    pub pool_jpy: Amount,
    /// One price per asset, in asset order.
    pub prices: Vec<Price>,
}

/// What the caller hands to [`Plan::new`].
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The assets, in tree order.
    pub assets: &'a AssetList,
    /// Claims in leaf order, `k` per customer (the liabilities tree's level 0).
    pub claims: &'a [Amount],
    /// Available per asset.
    pub available: &'a [Amount],
    /// Per customer in leaf order: held back. Empty means nobody.
    pub held_back: &'a [bool],
    /// De-minimis threshold per asset (base units; 0 = none).
    pub de_minimis: &'a [Amount],
    /// The JPY top-up, if any.
    pub top_up: Option<&'a TopUp>,
}

/// The totals of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnTotals {
    /// Σ claims.
    #[serde(with = "crate::amount_string")]
    pub claims: Amount,
    /// What was available.
    #[serde(with = "crate::amount_string")]
    pub available: Amount,
    /// Σ paid.
    #[serde(with = "crate::amount_string")]
    pub paid: Amount,
    /// Σ held back (set aside).
    #[serde(with = "crate::amount_string")]
    pub held_back: Amount,
    /// Σ below the de-minimis threshold, kept by the estate.
    #[serde(with = "crate::amount_string")]
    pub retained: Amount,
    /// `available − min(available, claims)`: more than was owed.
    #[serde(with = "crate::amount_string")]
    pub kept_by_estate: Amount,
}

impl ColumnTotals {
    /// The sums the tree's root carries for this column.
    #[must_use]
    pub fn root_sums(&self) -> [Amount; 4] {
        [self.claims, self.paid, self.held_back, self.retained]
    }

    /// Checks the identities every column satisfies:
    /// `paid + held + retained = min(available, claims)` and
    /// `kept = available − min(available, claims)`.
    #[must_use]
    pub fn consistent(&self) -> bool {
        let distributable = self.available.min(self.claims);
        let allocated = Amount::checked_sum([self.paid, self.held_back, self.retained]);
        allocated == Some(distributable)
            && self.available.checked_sub(distributable) == Some(self.kept_by_estate)
    }
}

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanError {
    /// The inputs do not have the shapes the asset list implies.
    Shape(&'static str),
    /// The allocation failed.
    Alloc(AllocError),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Shape(what) => write!(f, "inconsistent plan input: {what}"),
            PlanError::Alloc(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PlanError {}

impl From<AllocError> for PlanError {
    fn from(e: AllocError) -> Self {
        PlanError::Alloc(e)
    }
}

/// A planned distribution: every leaf's values and every column's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    columns: usize,
    customers: usize,
    /// `customers × columns × 4`: claim, paid, held, retained.
    values: Vec<Amount>,
    totals: Vec<ColumnTotals>,
}

impl Plan {
    /// Allocates every column (`docs/distribution.md`).
    ///
    /// # Errors
    ///
    /// [`PlanError::Shape`] when the slices do not match the asset list,
    /// [`PlanError::Alloc`] for claims over 2^128 − 1 in a column or a
    /// valued shortfall over 2^128 − 1 yen.
    pub fn new(input: &PlanInput<'_>) -> Result<Plan, PlanError> {
        let k = input.assets.len();
        if k == 0 || input.claims.len() % k != 0 {
            return Err(PlanError::Shape("claims are not k per customer"));
        }
        let n = input.claims.len() / k;
        if input.available.len() != k {
            return Err(PlanError::Shape("available is not one amount per asset"));
        }
        if input.de_minimis.len() != k {
            return Err(PlanError::Shape("de-minimis is not one amount per asset"));
        }
        if !input.held_back.is_empty() && input.held_back.len() != n {
            return Err(PlanError::Shape("held-back is not one flag per customer"));
        }
        if input.top_up.is_some_and(|t| t.prices.len() != k) {
            return Err(PlanError::Shape("top-up prices are not one per asset"));
        }
        let columns = k + usize::from(input.top_up.is_some());
        let width = columns * VALUES_PER_COLUMN;
        let held = |i: usize| input.held_back.get(i).copied().unwrap_or(false);
        // 1. Each asset's allocation (independent: one column per task).
        let allocs: Vec<Vec<Amount>> = par::map_columns(k, |j| {
            let column: Vec<Amount> = input.claims.iter().skip(j).step_by(k).copied().collect();
            allocate::pro_rata(&column, input.available[j])
        })
        .into_iter()
        .collect::<Result<_, _>>()?;
        // 2. The top-up: each customer's valued shortfall, then the rule.
        let top_alloc = match input.top_up {
            None => None,
            Some(top) => {
                let decimals: Vec<u8> = input.assets.iter().map(|a| a.decimals()).collect();
                let claims = par::map_customers(n, |i| {
                    let mut sum = Amount::ZERO;
                    for j in 0..k {
                        let c = input.claims[i * k + j];
                        let shortfall = Amount::from_base_units(
                            c.to_base_units() - allocs[j][i].to_base_units(),
                        );
                        sum = allocate::value_jpy(shortfall, top.prices[j], decimals[j])
                            .and_then(|v| sum.checked_add(v))
                            .ok_or(AllocError::ValueOverflow { leaf: i })?;
                    }
                    Ok(sum)
                })
                .into_iter()
                .collect::<Result<Vec<Amount>, AllocError>>()?;
                let alloc = allocate::pro_rata(&claims, top.pool_jpy)?;
                Some((claims, alloc))
            }
        };
        // 3. Every leaf's values, customers in parallel chunks.
        let mut values = vec![Amount::ZERO; n * width];
        par::fill_leaves(&mut values, width, |i, leaf| {
            for j in 0..k {
                let s = Split::of(
                    input.claims[i * k + j],
                    allocs[j][i],
                    held(i),
                    input.de_minimis[j],
                );
                leaf[j * VALUES_PER_COLUMN..(j + 1) * VALUES_PER_COLUMN]
                    .copy_from_slice(&s.values());
            }
            if let Some((claims, alloc)) = &top_alloc {
                let s = Split::of(claims[i], alloc[i], held(i), Amount::ZERO);
                leaf[k * VALUES_PER_COLUMN..].copy_from_slice(&s.values());
            }
        });
        // 4. The totals: every value column summed (on every core). Each
        // sum is at most its column's claims total, which fits.
        let sums = par::column_sums(&values, width);
        let mut totals = Vec::with_capacity(columns);
        for j in 0..columns {
            let available = if j < k {
                input.available[j]
            } else {
                input.top_up.map_or(Amount::ZERO, |t| t.pool_jpy)
            };
            let v = &sums[j * VALUES_PER_COLUMN..(j + 1) * VALUES_PER_COLUMN];
            let mut t = ColumnTotals {
                claims: v[0],
                available,
                paid: v[1],
                held_back: v[2],
                retained: v[3],
                kept_by_estate: Amount::ZERO,
            };
            finish(&mut t);
            totals.push(t);
        }
        Ok(Plan {
            columns,
            customers: n,
            values,
            totals,
        })
    }

    /// The leaf values, giving up the plan (for building the tree without
    /// a copy).
    #[must_use]
    pub fn into_values(self) -> Vec<Amount> {
        self.values
    }

    /// Columns: the assets, then the top-up if there is one.
    #[must_use]
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Customers, in leaf order.
    #[must_use]
    pub fn customers(&self) -> usize {
        self.customers
    }

    /// Every leaf's values, `columns × 4` per customer.
    #[must_use]
    pub fn values(&self) -> &[Amount] {
        &self.values
    }

    /// One customer's split of one column.
    #[must_use]
    pub fn split(&self, customer: usize, column: usize) -> Option<Split> {
        if column >= self.columns {
            return None;
        }
        let base = customer
            .checked_mul(self.columns * VALUES_PER_COLUMN)?
            .checked_add(column * VALUES_PER_COLUMN)?;
        let v = self.values.get(base..base + VALUES_PER_COLUMN)?;
        Some(Split {
            claim: v[0],
            paid: v[1],
            held: v[2],
            retained: v[3],
        })
    }

    /// The totals per column.
    #[must_use]
    pub fn totals(&self) -> &[ColumnTotals] {
        &self.totals
    }
}

/// Serial or rayon loops.
mod par {
    use por_tree::Amount;
    #[cfg(feature = "parallel")]
    use rayon::prelude::*;

    pub fn map_columns<T: Send>(k: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
        #[cfg(feature = "parallel")]
        return (0..k).into_par_iter().map(f).collect();
        #[cfg(not(feature = "parallel"))]
        (0..k).map(f).collect()
    }

    pub fn map_customers<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
        #[cfg(feature = "parallel")]
        return (0..n).into_par_iter().with_min_len(4096).map(f).collect();
        #[cfg(not(feature = "parallel"))]
        (0..n).map(f).collect()
    }

    /// The sum of each of the `width` value columns, with checked addition
    /// (the caller knows no column total exceeds `u128::MAX`).
    pub fn column_sums(values: &[Amount], width: usize) -> Vec<Amount> {
        let add = |mut acc: Vec<Amount>, leaf: &[Amount]| {
            for (a, v) in acc.iter_mut().zip(leaf) {
                *a = a
                    .checked_add(*v)
                    .expect("a column's partial sum is at most its total, which fits");
            }
            acc
        };
        #[cfg(feature = "parallel")]
        return values
            .par_chunks(width)
            .with_min_len(4096)
            .fold(|| vec![Amount::ZERO; width], add)
            .reduce(|| vec![Amount::ZERO; width], |a, b| add(a, &b));
        #[cfg(not(feature = "parallel"))]
        values.chunks(width).fold(vec![Amount::ZERO; width], add)
    }

    pub fn fill_leaves(
        values: &mut [Amount],
        width: usize,
        f: impl Fn(usize, &mut [Amount]) + Sync + Send,
    ) {
        #[cfg(feature = "parallel")]
        values
            .par_chunks_mut(width)
            .with_min_len(4096)
            .enumerate()
            .for_each(|(i, leaf)| f(i, leaf));
        #[cfg(not(feature = "parallel"))]
        for (i, leaf) in values.chunks_mut(width).enumerate() {
            f(i, leaf);
        }
    }
}

fn finish(t: &mut ColumnTotals) {
    let distributable = t.available.min(t.claims);
    t.kept_by_estate = t
        .available
        .checked_sub(distributable)
        .expect("min(available, claims) <= available");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: u128) -> Amount {
        Amount::from_base_units(v)
    }

    #[test]
    fn two_assets_holdback_de_minimis_top_up() {
        let assets = AssetList::from_spec("BTC:8,ETH:18").unwrap();
        // three customers in leaf order
        let claims = [a(100), a(10), a(50), a(0), a(30), a(0)];
        let top = TopUp {
            pool_jpy: a(1_000_000),
            prices: vec![
                Price::parse("10000000").unwrap(), // 0.1 yen per satoshi
                Price::parse("0").unwrap(),
            ],
        };
        let p = Plan::new(&PlanInput {
            assets: &assets,
            claims: &claims,
            available: &[a(90), a(100)],
            held_back: &[false, true, false],
            de_minimis: &[a(0), a(5)],
            top_up: Some(&top),
        })
        .unwrap();
        assert_eq!(p.columns(), 3);
        // BTC: T = 180, A = 90: exact halves 50, 25, 15; customer 1 held.
        assert_eq!(p.split(0, 0).unwrap().values(), [a(100), a(50), a(0), a(0)]);
        assert_eq!(p.split(1, 0).unwrap().values(), [a(50), a(0), a(25), a(0)]);
        assert_eq!(p.split(2, 0).unwrap().values(), [a(30), a(15), a(0), a(0)]);
        // ETH: T = 10 < A: claims paid; 10 >= 5 so paid.
        assert_eq!(p.split(0, 1).unwrap().values(), [a(10), a(10), a(0), a(0)]);
        assert_eq!(p.totals()[1].kept_by_estate, a(90));
        // top-up claims: shortfalls 50, 25, 15 sat at 0.1 yen = 5, 2, 1 yen
        // (floors); pool covers them all.
        assert_eq!(p.split(0, 2).unwrap().values(), [a(5), a(5), a(0), a(0)]);
        assert_eq!(p.split(1, 2).unwrap().values(), [a(2), a(0), a(2), a(0)]);
        assert_eq!(p.split(2, 2).unwrap().values(), [a(1), a(1), a(0), a(0)]);
        assert_eq!(p.totals()[2].kept_by_estate, a(1_000_000 - 8));
        assert!(p.totals().iter().all(ColumnTotals::consistent));
    }

    #[test]
    fn shapes_are_checked() {
        let assets = AssetList::from_spec("BTC:8").unwrap();
        let bad = |claims: &[Amount], avail: &[Amount], held: &[bool]| {
            Plan::new(&PlanInput {
                assets: &assets,
                claims,
                available: avail,
                held_back: held,
                de_minimis: &[a(0)],
                top_up: None,
            })
        };
        assert!(bad(&[a(1)], &[], &[]).is_err());
        assert!(bad(&[a(1)], &[a(1)], &[true, false]).is_err());
        assert!(bad(&[a(1)], &[a(1)], &[]).is_ok());
    }
}
