//! Step (e): the liability-reserve inputs of the demo exchange, derived from
//! the synthesized holdings (the reserve wallets), the liabilities (the
//! tree's root sums) and round illustrative prices, in the format of
//! `examples/reserve-inputs.toml`.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use por_tree::{Amount, AssetList, RootCommitment};

use super::wallets::Wallet;

/// Illustrative prices in yen per whole unit (round figures, not market data).
pub const PRICES_JPY: [(&str, u128); 3] = [("BTC", 14_000_000), ("ETH", 500_000), ("USDC", 150)];

/// The valuation (snapshot) date and time.
pub const VALUATION_DATE: &str = "2026-09-30";
/// The valuation time, Japan time.
pub const VALUATION_TIME: &str = "2026-09-30T15:00:00+09:00";

fn price(symbol: &str) -> Result<u128> {
    PRICES_JPY
        .iter()
        .find(|(s, _)| *s == symbol)
        .map(|(_, p)| *p)
        .with_context(|| format!("no demo price for {symbol}"))
}

/// Yen value of `amount` (base units) of an asset, rounded down.
pub fn value_jpy(symbol: &str, decimals: u8, amount: Amount) -> Result<u128> {
    let v = amount
        .to_base_units()
        .checked_mul(price(symbol)?)
        .context("value overflows u128")?;
    Ok(v / 10u128.pow(u32::from(decimals)))
}

/// The inputs TOML. `reserve_balance_jpy` is the cash reserve the exchange
/// holds: the demo sets it from a first evaluation (cash requirement + 10%).
pub fn inputs_toml(
    exchange: &str,
    assets: &AssetList,
    root: &RootCommitment,
    wallets: &[Wallet],
    customers: usize,
    reserve_balance_jpy: u128,
) -> Result<String> {
    let mut customer_crypto_jpy: u128 = 0;
    for (a, l) in assets.iter().zip(&root.sums) {
        customer_crypto_jpy = customer_crypto_jpy
            .checked_add(value_jpy(a.symbol(), a.decimals(), *l)?)
            .context("overflow")?;
    }
    let n = customers as u128;
    // Synthetic business figures, scaled with the exchange's size.
    let fiat = n * 38_000;
    let trust = fiat + fiat / 50;
    let spot = customer_crypto_jpy.saturating_mul(12);
    let dealer = customer_crypto_jpy.saturating_mul(3);
    let overheads = (n * 3_000).max(100_000_000);
    let net_assets = (customer_crypto_jpy / 20).max(1_000_000_000);
    let insurance_limit = (customer_crypto_jpy / 50).max(100_000_000);

    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Liability-reserve inputs of the demo exchange, written by `por demo`.\n\
         # Holdings are its reserve wallets; customer liabilities are the\n\
         # liabilities tree's root sums; prices and business figures are\n\
         # illustrative round numbers scaled with the customer count."
    );
    let _ = writeln!(s, "format = \"por-reserve-inputs\"\nversion = 1");
    let _ = writeln!(s, "exchange = \"{exchange}\"");
    let _ = writeln!(s, "valuation_date = \"{VALUATION_DATE}\"");
    let _ = writeln!(s, "valuation_time = \"{VALUATION_TIME}\"");
    let _ = writeln!(s, "last_segregation_audit = \"2026-03-31\"");
    let _ = writeln!(s, "mica_class = 3");
    let _ = writeln!(s, "reserve_balance_jpy = \"{reserve_balance_jpy}\"\n");
    for a in assets.iter() {
        let _ = writeln!(
            s,
            "[[assets]]\nsymbol = \"{}\"\ndecimals = {}\nprice_jpy = \"{}\"\nprice_source = \"illustrative round figure (por demo)\"\nprice_time = \"{VALUATION_TIME}\"\n",
            a.symbol(),
            a.decimals(),
            price(a.symbol())?
        );
    }
    let _ = writeln!(
        s,
        "[[fx]]\ncurrency = \"EUR\"\njpy_per_unit = \"165\"\nsource = \"illustrative round figure (por demo)\"\ntime = \"{VALUATION_TIME}\"\n"
    );
    let _ = writeln!(s, "[customer_liabilities]");
    for (a, l) in assets.iter().zip(&root.sums) {
        let _ = writeln!(s, "{} = \"{}\"", a.symbol(), l.display_in(a.decimals()));
    }
    let _ = writeln!(
        s,
        "\n[fiat]\ncustomer_liabilities_jpy = \"{fiat}\"\ntrust_balance_jpy = \"{trust}\"\n"
    );
    for w in wallets {
        let _ = writeln!(
            s,
            "[[holdings]]\nasset = \"{}\"\nquantity = \"{}\"\nowner = \"{}\"\ntier = \"{}\"\nchain = \"{}\"\naddress = \"{}\"\n",
            w.asset,
            w.balance.display_in(w.decimals),
            w.owner.as_str(),
            w.tier,
            w.chain,
            w.address
        );
    }
    for (year, spot_y, dealer_y) in [(2024, spot / 10 * 9, dealer), (2025, spot, dealer)] {
        let _ = writeln!(
            s,
            "[[volume]]\nyear = {year}\ncategory = \"spot_exchange\"\njpy = \"{spot_y}\"\n\n[[volume]]\nyear = {year}\ncategory = \"spot_dealer\"\njpy = \"{dealer_y}\"\n"
        );
    }
    let _ = writeln!(
        s,
        "[[insurance]]\ninsurer = \"Demo Marine & Fire\"\nrating = \"AA-\"\nlimit_jpy = \"{insurance_limit}\"\nretention_jpy = \"{}\"\ncoinsurance = \"0%\"\nterm_days = 365\ncancel_notice_days = 90\ncovers = [\"hot\", \"warm\"]\nexcludes = [\"insider\"]\n",
        insurance_limit / 10
    );
    let _ = writeln!(
        s,
        "[capital]\nnet_assets_jpy = \"{net_assets}\"\nfixed_overheads_prev_year_jpy = \"{overheads}\"\nparent_support_jpy = 0"
    );
    Ok(s)
}
