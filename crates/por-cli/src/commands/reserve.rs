//! `por reserve requirement` and `por reserve stress`: the liability reserve,
//! the Japanese segregation checks and the hack stress tests
//! (`docs/reserve.md`). A thin shell over `por_reserve`: the arguments
//! become typed inputs, policies and scenarios (reading the files they
//! name), one library call makes the report ([`Evaluation::new`],
//! [`StressReport::new`]), and the rest of this file formats it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use por_reserve::{
    builtin, BandPosition, CheckDetail, Evaluation, Inputs, Policy, PolicySet, Ratio, Scenario,
    StressError, StressReport, Yen,
};
use serde_json::json;

use crate::Outcome;

/// `por reserve` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReserveCommand {
    /// In-force Japanese checks (A1-A6), the proposed liability reserve and
    /// the MiCA / Hong Kong / Korea / Singapore comparators. Exits 1 if an
    /// in-force check fails or the reserve balance is short of the cash
    /// requirement (the comparators do not change the exit code).
    Requirement(RequirementArgs),
    /// Run hack stress scenarios (S1-S10, overlays O1-O3, or custom files)
    /// through the funding waterfall.
    Stress(StressArgs),
    /// One exchange's inputs under every policy side by side (Japan in force
    /// and proposed, MiCA, Hong Kong, Korea, Singapore), rule by rule. A rule
    /// whose inputs are missing is not checked and says which. Exits 1 if a
    /// rule fails, 3 if none fails but one was not checked, 0 if all pass.
    Compare(CompareArgs),
}

/// The language of `compare`'s table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// Japanese (日本語).
    Ja,
}

/// Arguments of `por reserve compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The inputs file (TOML, or JSON if it ends in .json).
    #[arg(long, value_name = "FILE")]
    inputs: PathBuf,
    /// A policy by shipped name or file (as for `requirement`); replaces the
    /// default of the same model. May be repeated.
    #[arg(long, value_name = "NAME|FILE")]
    policy: Vec<String>,
    /// Language of the table.
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the side by side as an HTML page (a table and a chart of
    /// held vs required) to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

/// Arguments of `por reserve requirement`.
#[derive(Debug, Args)]
pub struct RequirementArgs {
    /// The inputs file (TOML, or JSON if it ends in .json); see
    /// examples/reserve-inputs.toml.
    #[arg(long, value_name = "FILE")]
    inputs: PathBuf,
    /// A policy by shipped name (jp-psa-in-force, jp-fsa-2026-proposal,
    /// eu-mica, hk-sfc, kr-vaupa, sg-mas) or file; replaces the default of
    /// the same model. May be repeated.
    #[arg(long, value_name = "NAME|FILE")]
    policy: Vec<String>,
    /// Take the holdings and customer liabilities from a signed attestation
    /// (`por attest`): its signature must verify, and each reserve wallet
    /// counts at its claimed balance when its ownership proof is valid and
    /// bound to the attested snapshot and its on-chain identity (address and
    /// native coin or contract, never the symbol) is claimed once. The
    /// inputs file still gives prices, volumes, insurance and the rest.
    /// Balances are not checked on chain here (`por audit` does that), so a
    /// requirement met on them is incomplete (exit 3), never a pass.
    #[arg(long, value_name = "FILE")]
    attestation: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// Arguments of `por reserve stress`.
#[derive(Debug, Args)]
pub struct StressArgs {
    /// The inputs file (TOML, or JSON if it ends in .json).
    #[arg(long, value_name = "FILE")]
    inputs: PathBuf,
    /// Scenarios: shipped ids (S1 … S10, O1 … O3), `all`, scenario files or
    /// directories of them. Default: the whole shipped library. Overlays are
    /// combined with each scenario given.
    #[arg(long, value_name = "DIR|NAME|FILE", num_args = 1..)]
    scenarios: Vec<String>,
    /// A policy by shipped name or file (as for `requirement`); the reserve
    /// policy sets `R_required` for loss ÷ R_required.
    #[arg(long, value_name = "NAME|FILE")]
    policy: Vec<String>,
    /// Take the holdings and customer liabilities from a signed attestation,
    /// exactly as `requirement --attestation` does (so R_required and the
    /// header are the same figures). Balances are not checked on chain
    /// here, so the report is incomplete (exit 3).
    #[arg(long, value_name = "FILE")]
    attestation: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: ReserveCommand) -> anyhow::Result<Outcome> {
    match cmd {
        ReserveCommand::Requirement(a) => run_requirement(&a),
        ReserveCommand::Stress(a) => run_stress(&a),
        ReserveCommand::Compare(a) => run_compare(&a),
    }
}

/// The policy set `--policy` names: the shipped defaults, each replaced by
/// the shipped policy or file of the same model an argument names.
pub(crate) fn load_policies(args: &[String]) -> anyhow::Result<PolicySet> {
    let mut chosen = Vec::new();
    for arg in args {
        chosen.push(match builtin::policy(arg) {
            Some(r) => r.with_context(|| format!("shipped policy {arg} is invalid"))?,
            None => {
                let path = Path::new(arg);
                if !path.is_file() {
                    let names: Vec<&str> = builtin::POLICIES.iter().map(|(n, _)| *n).collect();
                    bail!(
                        "--policy {arg}: no shipped policy of that name ({}) and no such file",
                        names.join(", ")
                    );
                }
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading policy {}", path.display()))?;
                Policy::from_toml_str(&text)
                    .with_context(|| format!("policy {}", path.display()))?
            }
        });
    }
    PolicySet::shipped_with(chosen).context("the shipped policies are invalid")
}

pub(crate) fn load_inputs(path: &Path) -> anyhow::Result<Inputs> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading inputs {}", path.display()))?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if json {
        Inputs::from_json_str(&text)
    } else {
        Inputs::from_toml_str(&text)
    };
    parsed.with_context(|| format!("inputs {}", path.display()))
}

/// The requirement report of the inputs file under the policies named.
pub(crate) fn evaluate(inputs_path: &Path, policy_args: &[String]) -> anyhow::Result<Evaluation> {
    let inputs = load_inputs(inputs_path)?;
    let policies = load_policies(policy_args)?;
    Evaluation::new(inputs, policies).with_context(|| format!("inputs {}", inputs_path.display()))
}

/// The reserve inputs with an attestation's verified wallets as holdings;
/// says on stderr which wallets count and which do not, and why.
fn inputs_with_attestation(inputs: &Inputs, path: &Path) -> anyhow::Result<Inputs> {
    use por_attest::ParsedAttestation;
    use por_audit::audit::{self, ownership::OwnershipStatus};
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let verified = ParsedAttestation::from_json(&text)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?
        .verify_signature()
        .map_err(|e| anyhow::anyhow!("{name}: the attestation's signature does not verify: {e}"))?;
    let body = verified.body();
    // Duplicates on on-chain identity, as the audit's `unique-address`
    // (the built-in registry decides which contract a symbol means).
    let duplicated =
        audit::claimed_more_than_once(body, &por_audit::registry::AssetRegistry::builtin());
    let mut counted = Vec::new();
    let mut notes = Vec::new();
    for (e, &twice) in body.reserves.iter().zip(&duplicated) {
        let why_not = match audit::ownership::check_entry(body, e) {
            _ if twice => Some("claimed more than once".to_owned()),
            Ok(OwnershipStatus::Bound { .. }) => None,
            Ok(other) => Some(other.describe()),
            Err(err) => Some(err.to_string()),
        };
        match why_not {
            None => counted.push((e, e.claimed)),
            Some(why) => notes.push(format!(
                "  not counted: {} {} {}: {why}",
                e.chain, e.address, e.asset
            )),
        }
    }
    eprintln!(
        "Holdings from {name} ({} {}, key {}): {} of {} wallets counted at their claimed balances (not checked on chain; `por audit` does that).",
        body.exchange.id,
        body.snapshot.label,
        verified.key_fingerprint(),
        counted.len(),
        body.reserves.len()
    );
    for n in &notes {
        eprintln!("{n}");
    }
    Ok(audit::reserve_inputs_from_attestation(
        inputs, body, counted,
    ))
}

/// The evaluation `requirement` and `stress` report on: the inputs file as
/// given, or with an attestation's counted wallets as holdings.
fn evaluation_for(
    inputs: &Path,
    policy: &[String],
    attestation: Option<&Path>,
) -> anyhow::Result<Evaluation> {
    match attestation {
        None => evaluate(inputs, policy),
        Some(path) => {
            let with = inputs_with_attestation(&load_inputs(inputs)?, path)?;
            let policies = load_policies(policy)?;
            Evaluation::new(with, policies).with_context(|| {
                format!(
                    "inputs {} with the holdings of {}",
                    inputs.display(),
                    path.display()
                )
            })
        }
    }
}

fn run_requirement(args: &RequirementArgs) -> anyhow::Result<Outcome> {
    let e = evaluation_for(&args.inputs, &args.policy, args.attestation.as_deref())?;
    // With an attestation the holdings are the exchange's claims, not
    // balances por saw on chain: a requirement met on them is not a pass
    // (exit 3, "incomplete"); one missed even on the claims is a failure.
    let claimed_holdings = args.attestation.is_some();
    let outcome = match (e.passes(), claimed_holdings) {
        (false, _) => Outcome::Fail,
        (true, false) => Outcome::Pass,
        (true, true) => Outcome::Incomplete,
    };
    if args.json {
        let v = json!({
            "schema": "por-reserve-report-v1",
            "type": "requirement",
            "outcome": match outcome {
                Outcome::Pass => "pass",
                Outcome::Fail => "fail",
                Outcome::Incomplete => "incomplete",
            },
            "holdings": if claimed_holdings { "claimed in the attestation, not checked on chain" } else { "as given in the inputs file" },
            "data": {
                "exchange": e.inputs.exchange,
                "valuation_date": e.inputs.valuation_date,
                "valuation_time": e.inputs.valuation_time,
                "prices": prices_json(&e.inputs),
                "in_force": e.report.in_force,
                "requirement": e.report.requirement,
                "comparators": { "eu_mica_art67": e.report.mica, "hk_sfc_cover": e.report.hong_kong,
                                 "kr_vaupa": e.report.korea, "sg_mas": e.report.singapore },
                "policies": all_policies(&e.policies).into_iter().map(policy_json).collect::<Vec<_>>(),
            }
        });
        emit(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    } else {
        emit(&requirement_text(&e))?;
        if outcome == Outcome::Incomplete {
            emit(
                "\nINCOMPLETE: the requirement is met on the wallets' claimed balances, which were \
                 not checked on chain; for a verdict on confirmed balances run \
                 `por audit --reserve-inputs` with chain data (exit 3).\n",
            )?;
        }
    }
    Ok(outcome)
}

/// Writes to stdout, returning an I/O error (a broken pipe exits quietly in
/// `main`) instead of panicking like `print!`.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn prices_json(inputs: &Inputs) -> serde_json::Value {
    json!({
        "assets": inputs.assets.iter().map(|a| json!({
            "symbol": a.symbol, "decimals": a.decimals, "price_jpy": a.price_jpy.to_string(),
            "source": a.source, "time": a.time,
        })).collect::<Vec<_>>(),
        "fx": inputs.fx.iter().map(|f| json!({
            "currency": f.currency, "jpy_per_unit": f.jpy_per_unit.to_string(),
            "source": f.source, "time": f.time,
        })).collect::<Vec<_>>(),
    })
}

/// Every policy of a set, in the order reports list them.
pub(crate) fn all_policies(p: &PolicySet) -> [&Policy; 6] {
    [&p.psa, &p.reserve, &p.mica, &p.hk, &p.kr, &p.sg]
}

fn policy_json(p: &Policy) -> serde_json::Value {
    json!({
        "name": p.name(),
        "title": p.title(),
        "model": p.model(),
        "facts": p.facts().iter().map(|f| json!({
            "key": f.key, "finding": f.finding, "status": f.status, "source": f.source,
        })).collect::<Vec<_>>(),
        "params": p.params().iter().map(|x| json!({
            "key": x.key(), "value": x.value().to_string(), "status": x.status(),
            "source": x.source(), "note": x.note(),
        })).collect::<Vec<_>>(),
    })
}

/// `¥10,600,000,000`.
fn y(v: Yen) -> String {
    format!("¥{v}")
}

fn pct(r: Option<Ratio>) -> String {
    r.map_or_else(|| "n/a".to_owned(), Ratio::percent)
}

fn units(inputs: &Inputs, symbol: &str, a: por_tree::Amount) -> String {
    let d = inputs.asset(symbol).map_or(0, |x| x.decimals);
    format!("{} {symbol}", a.display_in(d))
}

pub(crate) fn requirement_text(e: &Evaluation) -> String {
    let mut o = String::new();
    let i = &e.inputs;
    let _ = writeln!(
        o,
        "Liability reserve report: {} at {} ({})",
        i.exchange, i.valuation_date, i.valuation_time
    );
    let _ = writeln!(o, "Prices (yen per unit):");
    for a in &i.assets {
        let _ = writeln!(
            o,
            "  {:<8} {:<20} {} at {}",
            a.symbol,
            format!("¥{}", a.price_jpy),
            a.source,
            a.time
        );
    }
    for f in &i.fx {
        let _ = writeln!(
            o,
            "  {:<8} {:<20} {} at {}",
            f.currency,
            format!("¥{}", f.jpy_per_unit),
            f.source,
            f.time
        );
    }

    let _ = writeln!(
        o,
        "\nIn-force checks ({}: {})",
        e.policies.psa.name(),
        e.policies.psa.title()
    );
    let _ = writeln!(o, "  {:<3} {:<22} check / figures", "id", "result");
    for c in &e.report.in_force.checks {
        let _ = writeln!(o, "  {:<3} {:<22} {}", c.id, c.label, c.name);
        let fig = match &c.detail {
            CheckDetail::NonColdShare {
                non_cold_jpy,
                customer_jpy,
                share,
                limit,
            } => format!(
                "{} non-cold of {} customer crypto = {} (limit {limit})",
                y(*non_cold_jpy),
                y(*customer_jpy),
                pct(*share)
            ),
            CheckDetail::PerAsset { rows } => rows
                .iter()
                .map(|r| {
                    format!(
                        "{} held {} vs {} {}",
                        r.asset,
                        units(i, &r.asset, r.held),
                        units(i, &r.asset, r.reference),
                        if r.passes { "ok" } else { "SHORT" }
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            CheckDetail::Trust {
                trust_jpy,
                required_jpy,
            } => format!("trust {} vs required {}", y(*trust_jpy), y(*required_jpy)),
            CheckDetail::AuditAge {
                last_audit,
                days,
                max_days,
            } => format!("last audit {last_audit}: {days} days (max {max_days})"),
            _ => String::new(),
        };
        let _ = writeln!(o, "  {:<3} {:<22} {fig}", "", "");
    }
    let d = &e.report.in_force.diagnostics;
    let by_asset: Vec<String> = d
        .non_cold_by_asset
        .iter()
        .map(|(a, r)| format!("{a} {}", pct(*r)))
        .collect();
    let _ = writeln!(
        o,
        "  A6  diagnostic             non-cold share by asset (quantity): {}",
        by_asset.join(", ")
    );
    let vendors: Vec<String> = d
        .vendors
        .iter()
        .map(|(v, j)| format!("{v} {}", y(*j)))
        .collect();
    let _ = writeln!(
        o,
        "  {:<3} {:<22} signing vendors: {}; largest vendor share {}",
        "",
        "",
        if vendors.is_empty() {
            "none".to_owned()
        } else {
            vendors.join(", ")
        },
        pct(d.largest_vendor_share)
    );

    let r = &e.report.requirement;
    let p = &e.policies.reserve;
    let _ = writeln!(
        o,
        "\nProposed liability reserve ({}: {})",
        p.name(),
        p.title()
    );
    facts_text(&mut o, p);
    for t in &r.volume_terms {
        let years = if t.first_year == t.last_year {
            format!("FY{}", t.last_year)
        } else {
            format!("FY{}-FY{}", t.first_year, t.last_year)
        };
        let _ = writeln!(
            o,
            "  R_vol  {:<16} {} over {years} x {} / {} = {}",
            t.category.as_str(),
            y(t.total_jpy),
            t.rate,
            t.divisor,
            y(t.amount_jpy)
        );
    }
    let row = |o: &mut String, label: &str, v: Yen| {
        let _ = writeln!(o, "  {label:<44} {:>22}", y(v));
    };
    row(&mut o, "R_vol (volume term)", r.r_vol_jpy);
    row(&mut o, "  cold customer crypto", r.cold_customer_jpy);
    row(
        &mut o,
        "  non-cold customer crypto not backed by PG",
        r.unbacked_non_cold_jpy,
    );
    row(
        &mut o,
        "  customer crypto on a vendor's signing path",
        r.vendor_customer_jpy,
    );
    row(&mut o, "R_cust (customer-asset terms)", r.r_cust_jpy);
    row(
        &mut o,
        "  largest incident within the lookback",
        r.largest_recent_incident_jpy,
    );
    row(&mut o, "R_inc (incident term)", r.r_inc_jpy);
    row(&mut o, "R_required", r.required_jpy);
    for l in &r.insurance {
        let _ = writeln!(
            o,
            "  insurance {:<34} {:>22}{}",
            l.insurer,
            y(l.eligible_jpy),
            l.reason.as_ref().map_or_else(
                || format!("  (haircut {})", l.haircut),
                |why| format!("  (not eligible: {why})")
            )
        );
    }
    row(&mut o, "insurance eligible", r.insurance_eligible_jpy);
    row(
        &mut o,
        "insurance cap (s_max x R_required)",
        r.insurance_cap_jpy,
    );
    row(&mut o, "insurance credit", r.insurance_credit_jpy);
    row(&mut o, "cash reserve required", r.cash_required_jpy);
    row(&mut o, "reserve balance (cash)", r.reserve_balance_jpy);
    if let Some(w) = r.reserve_crypto_weight {
        row(
            &mut o,
            "crypto earmarked for the reserve",
            r.reserve_crypto_jpy,
        );
        row(
            &mut o,
            &format!("  counted at {w}"),
            r.reserve_crypto_counted_jpy,
        );
        row(&mut o, "reserve funds held", r.reserve_held_jpy);
    }
    row(&mut o, "shortfall", r.shortfall_jpy);
    row(&mut o, "surplus", r.surplus_jpy);
    let band = match r.band_position {
        BandPosition::Below => "below",
        BandPosition::Within => "within",
        BandPosition::Above => "above",
        _ => "outside",
    };
    let _ = writeln!(
        o,
        "  R_required is {band} the reported {} - {} band of securities firms' reserves",
        y(r.band_jpy.0),
        y(r.band_jpy.1)
    );
    // The deciding figures next to the verdict: the engine compares the
    // cash part (R_required less the insurance credit) with the funds held.
    let _ = writeln!(
        o,
        "  result: {} ({})",
        r.verdict_line(),
        basis_note(p, &r.provenance.params)
    );

    let _ = writeln!(o, "\nComparators (side by side)");
    let _ = writeln!(
        o,
        "  {:<38} {:>22} {:>22}  result",
        "regime", "required", "held"
    );
    let _ = writeln!(
        o,
        "  {:<38} {:>22} {:>22}  {}",
        format!("JP cash part ({})", p.name()),
        y(r.cash_required_jpy),
        y(r.reserve_held_jpy),
        r.label
    );
    let m = &e.report.mica;
    let _ = writeln!(
        o,
        "  {:<38} {:>22} {:>22}  {}",
        format!("EU MiCA Art. 67 (class {})", m.class),
        y(m.required_jpy),
        y(m.own_funds_jpy
            .checked_add(m.eligible_insurance_jpy)
            .unwrap_or(Yen::new(u128::MAX))),
        m.label
    );
    let h = &e.report.hong_kong;
    let _ = writeln!(
        o,
        "  {:<38} {:>22} {:>22}  {}",
        "HK SFC cover (50% cold, 100% other)",
        y(h.cover_required_jpy),
        y(h.cover_held_jpy),
        h.label
    );
    let _ = writeln!(
        o,
        "  MiCA: max(€{} at the EUR rate = {}, 25% of overheads = {}); held = own funds {} + insurance {}",
        Yen::new(m.k_min_eur),
        y(m.k_min_jpy),
        y(m.overheads_term_jpy),
        y(m.own_funds_jpy),
        y(m.eligible_insurance_jpy)
    );
    let _ = writeln!(
        o,
        "  HK: cold {} + hot/other {}; cold share {} ({} the 98% minimum); held = insurance + reserve balance",
        y(h.cold_jpy),
        y(h.hot_other_jpy),
        pct(h.cold_share),
        if h.cold_share_passes { "meets" } else { "below" }
    );
    for (title, c, pol) in [
        ("Korea", &e.report.korea, &e.policies.kr),
        ("Singapore", &e.report.singapore, &e.policies.sg),
    ] {
        let _ = writeln!(o, "\n{title} ({}: {})", pol.name(), pol.title());
        custody_text(&mut o, c);
    }
    let _ = writeln!(
        o,
        "\nStatus of the regimes (sourced findings, not parameters):"
    );
    for pol in [
        &e.policies.mica,
        &e.policies.hk,
        &e.policies.kr,
        &e.policies.sg,
    ] {
        if !pol.facts().is_empty() {
            let _ = writeln!(o, "  {}:", pol.name());
            facts_text(&mut o, pol);
        }
    }
    o.push_str(
        "\nLabels: \"compliant\" only when every parameter used is law; \"indicative\" when one is a \
         proposal, a press report or an industry rule; \"illustrative\" when one is an assumption or \
         unverified; \"not checked\" when an input the rule needs is missing (never a pass).\n",
    );
    o
}

/// A policy's sourced findings, one per line with its status.
fn facts_text(o: &mut String, p: &Policy) {
    for f in p.facts() {
        let _ = writeln!(
            o,
            "  [{}] {}: {} ({})",
            f.status, f.key, f.finding, f.source
        );
    }
}

/// A regime valued in its own currency: the prices it used and each rule.
fn custody_text(o: &mut String, c: &por_reserve::CustodyReport) {
    for pu in &c.prices {
        let _ = writeln!(
            o,
            "  price {:<6} {} {} {} ({})",
            pu.asset, c.currency, pu.price, pu.method, pu.basis
        );
    }
    for r in &c.rules {
        let _ = writeln!(o, "  {:<4} {:<22} {}", r.id, r.label, r.name);
        let _ = writeln!(
            o,
            "  {:<4} {:<22} required {}; held {}{}",
            "",
            "",
            r.required_text,
            r.held_text,
            if r.detail.is_empty() {
                String::new()
            } else {
                format!("; {}", r.detail)
            }
        );
    }
}

fn basis_note(p: &Policy, used: &[&str]) -> String {
    use por_reserve::Status;
    let mut groups: Vec<(Status, Vec<&str>)> = Vec::new();
    for x in p.params().iter().filter(|x| used.contains(&x.key())) {
        if x.status() == Status::Law {
            continue;
        }
        match groups.iter_mut().find(|(s, _)| *s == x.status()) {
            Some((_, keys)) => keys.push(x.key()),
            None => groups.push((x.status(), vec![x.key()])),
        }
    }
    if groups.is_empty() {
        return "every parameter used is law".to_owned();
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(s, keys)| format!("{s}: {}", keys.join(", ")))
        .collect();
    format!("not law -- {}", parts.join("; "))
}

/// The scenarios `--scenarios` names: shipped ids, `all`, files and
/// directories of them; none means the whole shipped library.
pub(crate) fn load_scenarios(args: &[String]) -> anyhow::Result<Vec<Scenario>> {
    if args.is_empty() {
        return Ok(builtin::scenarios()?);
    }
    let mut out: Vec<Scenario> = Vec::new();
    for arg in args {
        if arg.eq_ignore_ascii_case("all") {
            out.extend(builtin::scenarios()?);
        } else if let Some(s) = builtin::scenario(arg) {
            out.push(s.with_context(|| format!("shipped scenario {arg}"))?);
        } else {
            let path = Path::new(arg);
            if path.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                    .with_context(|| format!("reading scenario directory {}", path.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect();
                files.sort();
                if files.is_empty() {
                    bail!("--scenarios {arg}: no .toml scenario files in that directory");
                }
                for f in files {
                    out.push(read_scenario(&f)?);
                }
            } else if path.is_file() {
                out.push(read_scenario(path)?);
            } else {
                let ids: Vec<&str> = builtin::SCENARIOS.iter().map(|(n, _)| *n).collect();
                bail!(
                    "--scenarios {arg}: not a shipped scenario ({}, all), a file or a directory",
                    ids.join(", ")
                );
            }
        }
    }
    Ok(out)
}

fn read_scenario(path: &Path) -> anyhow::Result<Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading scenario {}", path.display()))?;
    Scenario::from_toml_str(&text).with_context(|| format!("scenario {}", path.display()))
}

fn run_stress(args: &StressArgs) -> anyhow::Result<Outcome> {
    let e = evaluation_for(&args.inputs, &args.policy, args.attestation.as_deref())?;
    // Holdings claimed in an attestation were not checked on chain: the
    // scenarios run on them, and the report says it is incomplete (exit 3).
    let claimed_holdings = args.attestation.is_some();
    let scenarios = load_scenarios(&args.scenarios)?;
    let s = StressReport::new(e, scenarios).map_err(|err| match err {
        StressError::OverlayAlone { .. } => anyhow::anyhow!("--scenarios: {err}"),
        other => anyhow::Error::new(other).context(format!("inputs {}", args.inputs.display())),
    })?;
    let e = &s.evaluation;
    if args.json {
        let v = json!({
            "schema": "por-reserve-report-v1",
            "type": "stress",
            "holdings": if claimed_holdings { "claimed in the attestation, not checked on chain" } else { "as given in the inputs file" },
            "data": {
                "exchange": e.inputs.exchange,
                "valuation_date": e.inputs.valuation_date,
                "required_jpy": e.report.requirement.required_jpy,
                "cash_required_jpy": e.report.requirement.cash_required_jpy,
                "reserve_policy": e.policies.reserve.name(),
                "scenarios": s.scenarios.iter().map(|s| json!({
                    "id": s.id, "name": s.name, "anchor": s.anchor, "sources": s.sources,
                })).collect::<Vec<_>>(),
                "results": s.results,
            }
        });
        emit(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    } else {
        emit(&stress_text(&s))?;
        if claimed_holdings {
            emit(
                "\nINCOMPLETE: the scenarios ran on the wallets' claimed balances, which were not \
                 checked on chain; `por audit --reserve-inputs` with chain data runs them on \
                 confirmed balances (exit 3).\n",
            )?;
        }
    }
    Ok(if claimed_holdings {
        Outcome::Incomplete
    } else {
        Outcome::Pass
    })
}

/// Yen in billions with two decimals, rounded down (display only).
fn bn(v: Yen) -> String {
    let tenth_m = v.get() / 10_000_000;
    format!("{}.{:02}", tenth_m / 100, tenth_m % 100)
}

pub(crate) fn stress_text(s: &StressReport) -> String {
    let (e, results) = (&s.evaluation, &s.results);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Stress tests: {} at {}; R_required {} ({}), reserve balance {}",
        e.inputs.exchange,
        e.inputs.valuation_date,
        y(e.report.requirement.required_jpy),
        e.policies.reserve.name(),
        y(e.inputs.reserve_balance_jpy)
    );
    let _ = writeln!(
        o,
        "Figures in ¥ bn, rounded down for display (--json has exact yen). All results are illustrative.\n"
    );
    let _ = writeln!(
        o,
        "{:<7} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7}  post-event fails",
        "id",
        "loss",
        "cust.",
        "cost",
        "reserve",
        "insur.",
        "capital",
        "uncovered",
        "parent",
        "haircut",
        "coverage",
        "cov.cost",
        "recovery",
        "loss/R",
    );
    for r in results {
        let w = &r.waterfall;
        let fails: Vec<&str> = r
            .post_event
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(id, _)| *id)
            .collect();
        let _ = writeln!(
            o,
            "{:<7} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7}  {}",
            r.id,
            bn(r.loss_jpy),
            bn(r.customer_loss_jpy),
            bn(r.compensation_cost_jpy),
            bn(w.reserve_jpy),
            bn(w.insurance_jpy),
            bn(w.excess_capital_jpy),
            bn(w.uncovered_jpy),
            bn(w.parent_jpy),
            bn(w.customer_haircut_jpy),
            pct(r.coverage),
            pct(r.coverage_of_cost),
            pct(r.customer_recovery),
            r.loss_to_required
                .map_or_else(|| "n/a".to_owned(), Ratio::multiple),
            if fails.is_empty() {
                "none".to_owned()
            } else {
                fails.join(",")
            }
        );
    }
    let _ = writeln!(o, "\nScenarios:");
    for r in results.iter().filter(|r| !r.id.contains('+')) {
        let _ = writeln!(o, "  {} {}", r.id, r.name);
        let _ = writeln!(o, "     anchor: {}", r.anchor);
        if !r.applicable {
            let _ = writeln!(o, "     not applicable: no holdings match its shocks");
        }
        for note in &r.selection {
            let _ = writeln!(o, "     selected: {note}");
        }
        for l in &r.lost {
            let _ = writeln!(
                o,
                "     lost {} ({}, {}) = {}",
                units(&e.inputs, &l.asset, l.quantity),
                l.owner.as_str(),
                l.tier.as_str(),
                y(l.value_jpy)
            );
        }
        if r.applicable && !r.distribution.is_empty() {
            let parts: Vec<String> = r
                .distribution
                .iter()
                .map(|d| {
                    format!(
                        "{} {} ({} of {} owed)",
                        d.asset,
                        pct(d.recovery),
                        units(&e.inputs, &d.asset, d.paid),
                        units(&e.inputs, &d.asset, d.owed)
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "     a pro-rata distribution in kind right after it would return: {}",
                parts.join("; ")
            );
        }
        for c in &r.claims {
            let _ = writeln!(
                o,
                "     insurance {}: {}",
                c.insurer,
                match &c.reason {
                    Some(why) => format!("does not pay ({why})"),
                    None => format!("pays {}", y(c.payout_jpy)),
                }
            );
        }
        if let Some(l) = &r.ledger {
            let _ = writeln!(
                o,
                "     ledger credited {} against {} held; sold before it was stopped ({} min: {}): {}",
                units(&e.inputs, &l.asset, l.credited),
                units(&e.inputs, &l.asset, l.held),
                l.detection_minutes,
                match l.interval_minutes {
                    Some(i) if i < l.observed_minutes => format!("the {i}-minute reconciliation"),
                    Some(i) => format!("as in the anchor; reconciliation every {i} min"),
                    None => "as in the anchor; no reconciliation interval in the inputs".to_owned(),
                },
                units(&e.inputs, &l.asset, l.sold)
            );
            let per: Vec<String> = l
                .per_interval
                .iter()
                .map(|x| {
                    format!(
                        "{} min {} ({})",
                        x.minutes,
                        units(&e.inputs, &l.asset, x.quantity),
                        y(x.value_jpy)
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "     exposure if found only at the next reconciliation: {}",
                per.join("; ")
            );
        }
        if let Some(ro) = &r.run_off {
            let _ = writeln!(
                o,
                "     run-off: demand {} vs liquid {}: lasts {} of {} hours",
                y(ro.demand_jpy),
                y(ro.liquid_jpy),
                ro.hours_survived,
                ro.hours
            );
        }
    }
    o.push_str(
        "\nA+B rows combine scenario A with overlay B (O1 changes the in-kind replacement cost, O2 \
         removes the parent). coverage = (reserve + insurance + excess capital available) / customer \
         loss (the headline, as regulation.md §6.4 defines it); cov.cost = the same / cost; \
         recovery = what customers get back / what they are owed (in kind: the coins; fiat at a \
         post-event price: their value at the time of loss); loss/R = loss / R_required.\n",
    );
    o
}

fn run_compare(args: &CompareArgs) -> anyhow::Result<Outcome> {
    let inputs = load_inputs(&args.inputs)?;
    let policies = load_policies(&args.policy)?;
    let c = por_reserve::compare(&inputs, &policies)
        .with_context(|| format!("inputs {}", args.inputs.display()))?;
    if let Some(path) = &args.html {
        crate::output::write_file_atomic(
            path,
            super::reserve_compare_html::page(&inputs, &c).as_bytes(),
        )?;
    }
    if args.json {
        let v = json!({
            "schema": "por-reserve-report-v1",
            "type": "compare",
            "outcome": c.outcome,
            "data": {
                "exchange": inputs.exchange,
                "valuation_date": inputs.valuation_date,
                "valuation_time": inputs.valuation_time,
                "prices": prices_json(&inputs),
                "regimes": c.regimes,
                "policies": all_policies(&policies).into_iter().map(policy_json).collect::<Vec<_>>(),
            }
        });
        emit(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    } else {
        emit(&compare_text(&inputs, &c, args.lang))?;
    }
    Ok(c.outcome)
}

/// A label in Japanese.
fn label_ja(label: &str) -> &'static str {
    match label {
        "compliant" => "適合",
        "non-compliant" => "不適合",
        "indicative: pass" => "参考: 充足",
        "indicative: fail" => "参考: 不足",
        "illustrative: pass" => "試算: 充足",
        "illustrative: fail" => "試算: 不足",
        "not checked" => "未確認",
        _ => "?",
    }
}

/// A rule's name in Japanese, by id.
fn rule_ja(id: &str) -> &'static str {
    match id {
        "A1" => "非コールド比率 ≤ 5%（円建て合計）",
        "A2" => "履行保証暗号資産 ≥ 非コールドの利用者暗号資産（資産ごと）",
        "A3" => "分別管理する利用者暗号資産 ≥ 利用者への債務（資産ごと）",
        "A4" => "利用者区分管理信託 ≥ 利用者の金銭",
        "A5" => "分別管理監査からの日数",
        "R" => "責任準備金: 現金部分（必要額 − 保険控除）≤ 保有額",
        "MICA" => "自己資本 + 保険 ≥ max(最低資本金, 固定費の25%)",
        "HK1" => "コールド保管の比率 ≥ 98%",
        "HK2" => "保険・補償: コールドの50%、その他の100%",
        "KR1" => "コールド保管 ≥ 利用者暗号資産の経済的価値の80%",
        "KR2" => "預かりと同じ種類・数量を保有（資産ごと）",
        "KR3" => "保険・共済・準備金 ≥ max(ホットウォレット価値の5%, 下限)",
        "KR4" => "銀行の指針: 準備金 ≥ max(下限, 平均日次預金の30%)（上限あり）",
        "SG1" => "顧客トークンのコールド保管 ≥ 90%",
        "SG2" => "台帳とウォレットの照合（少なくとも毎日）",
        _ => "",
    }
}

fn outcome_word(o: Outcome, lang: Lang) -> &'static str {
    match (o, lang) {
        (Outcome::Pass, Lang::En) => "pass",
        (Outcome::Fail, Lang::En) => "fail",
        (Outcome::Incomplete, Lang::En) => "incomplete",
        (Outcome::Pass, Lang::Ja) => "充足",
        (Outcome::Fail, Lang::Ja) => "不足あり",
        (Outcome::Incomplete, Lang::Ja) => "未確認あり",
    }
}

/// Pads to `width` display columns (CJK characters count two).
fn pad(s: &str, width: usize) -> String {
    let w: usize = s
        .chars()
        .map(|c| {
            let u = c as u32;
            let wide = matches!(u, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
            if wide {
                2
            } else {
                1
            }
        })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// The engine's short figure texts in Japanese (display only; the
/// figures themselves are unchanged).
fn ja_text(text: &str) -> String {
    let mut t = text.to_owned();
    for (en, ja) in [
        ("every asset covered", "全資産で充足"),
        ("per asset", "資産ごと"),
        ("short: ", "不足: "),
        ("non-cold ", "非コールド "),
        ("cold ", "コールド "),
        ("every <= ", "間隔 ≤ "),
        ("every ", "間隔 "),
        (" min", " 分"),
        (" days", " 日"),
        ("missing: ", "入力なし: "),
    ] {
        t = t.replace(en, ja);
    }
    t
}

fn money_or_text(currency: Option<&String>, v: Option<u128>, text: &str) -> String {
    match (currency, v) {
        (Some(c), Some(x)) => format!("{c} {}", Yen::new(x)),
        _ => text.to_owned(),
    }
}

pub(crate) fn compare_text(inputs: &Inputs, c: &por_reserve::Comparison, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} at {} ({})",
        if ja {
            "規制の比較"
        } else {
            "Side by side"
        },
        inputs.exchange,
        inputs.valuation_date,
        inputs.valuation_time
    );
    let _ = writeln!(
        o,
        "{}\n",
        if ja {
            "各規制の通貨で表示（JPY 以外は入力の為替レートで換算）。「未確認」は必要な入力がない規則で、充足とはみなしません。"
        } else {
            "Amounts in each regime's currency (other than JPY through the inputs' FX rates). \"not checked\": an input the rule needs is missing; never a pass."
        }
    );
    let (h_regime, h_id, h_result, h_req, h_held) = if ja {
        ("規制", "規則", "結果", "必要", "保有")
    } else {
        ("regime", "rule", "result", "required", "held")
    };
    let _ = writeln!(
        o,
        "{} {} {} {} {}",
        pad(h_regime, 22),
        pad(h_id, 5),
        pad(h_result, 20),
        pad(h_req, 28),
        h_held
    );
    let tr = |t: String| if ja { ja_text(&t) } else { t };
    for g in &c.regimes {
        for r in &g.rules {
            let label = if ja { label_ja(r.label) } else { r.label };
            let _ = writeln!(
                o,
                "{} {} {} {} {}",
                pad(&g.policy, 22),
                pad(r.id, 5),
                pad(label, 20),
                pad(
                    &tr(money_or_text(
                        r.currency.as_ref(),
                        r.required,
                        &r.required_text
                    )),
                    28
                ),
                tr(money_or_text(r.currency.as_ref(), r.held, &r.held_text))
            );
        }
    }
    let _ = writeln!(
        o,
        "\n{}",
        if ja {
            "規制ごとの結果:"
        } else {
            "Per regime:"
        }
    );
    for g in &c.regimes {
        let basis = match (g.basis, lang) {
            (por_reserve::Basis::Law, _) => "",
            (por_reserve::Basis::NotInForce, Lang::En) => " (indicative)",
            (por_reserve::Basis::Illustrative, Lang::En) => " (illustrative)",
            (por_reserve::Basis::NotInForce, Lang::Ja) => "（参考）",
            (_, Lang::Ja) => "（試算）",
            (_, Lang::En) => " (illustrative)",
        };
        let _ = writeln!(
            o,
            "  {} {}{basis}: {}",
            pad(&g.policy, 22),
            outcome_word(g.outcome, lang),
            g.title
        );
    }
    let _ = writeln!(o, "\n{}", if ja { "規則:" } else { "Rules:" });
    for g in &c.regimes {
        for r in &g.rules {
            let name = if ja { rule_ja(r.id) } else { r.name };
            let _ = writeln!(o, "  {} {}: {name}", g.policy, r.id);
            if r.verdict == por_reserve::RuleVerdict::NotChecked {
                let _ = writeln!(
                    o,
                    "      {} {}",
                    if ja {
                        "不足している入力:"
                    } else {
                        "missing:"
                    },
                    r.missing.join(", ")
                );
            } else if r.currency.is_some() || !r.detail.is_empty() {
                let mut parts = Vec::new();
                if r.currency.is_some() {
                    parts.push(format!(
                        "{} {}",
                        if ja { "必要" } else { "required" },
                        r.required_text
                    ));
                    parts.push(format!(
                        "{} {}",
                        if ja { "保有" } else { "held" },
                        r.held_text
                    ));
                }
                if !r.detail.is_empty() {
                    parts.push(r.detail.clone());
                }
                let _ = writeln!(o, "      {}", parts.join("; "));
            }
        }
    }
    let _ = writeln!(
        o,
        "\n{} {}",
        if ja { "全体:" } else { "Overall:" },
        outcome_word(c.outcome, lang)
    );
    o.push_str(if ja {
        "\n表示: 「適合」は使用した全パラメータが法令の場合のみ。「参考」は提案・報道・業界ルールを含む場合、「試算」は仮定または未確認を含む場合。日本の責任準備金は政省令が公表されるまで常に試算です。\n"
    } else {
        "\nLabels: \"compliant\" only when every parameter used is law; \"indicative\" when one is a proposal, a press report or an industry rule; \"illustrative\" when one is an assumption or unverified. The Japanese liability reserve stays illustrative until an ordinance is published.\n"
    });
    o
}
