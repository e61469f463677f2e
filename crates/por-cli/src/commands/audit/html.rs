//! The self-contained HTML report: inline CSS, inline SVG charts drawn by
//! `plotters` (SVG backend), no JavaScript, no external resources. Every
//! string that comes from the inputs is escaped.
//!
//! Chart values are converted to `f64` for drawing only; every pass/fail
//! decision was made on integers in `por_audit::audit`.

use std::fmt::Write as _;

use plotters::prelude::*;
use por_audit::audit::{AuditReport, Check, Outcome, Status};
use por_tree::Amount;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Fits 360–1280 px without horizontal scrolling of the page: wide tables
/// scroll inside their own box, long hashes and addresses wrap, charts
/// scale to the width (their SVG has a viewBox).
const CSS: &str = "*{box-sizing:border-box}\
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222;padding:0 1em;overflow-wrap:break-word}\
h1{font-size:1.5em}h2{margin-top:1.8em;border-bottom:1px solid #ccc;font-size:1.25em}\
.scroll{overflow-x:auto;max-width:100%;margin:.5em 0}\
table{border-collapse:collapse;width:100%;min-width:36em;font-size:.9em}\
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}\
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.fail{background:#fde2e1;color:#8a1410;font-weight:bold}.pass{background:#e3f4e1;color:#1d5e17}\
.not_checked{background:#f1f1f1;color:#555}.incomplete{background:#fff3cd;color:#6b4a00;font-weight:bold}\
.banner{padding:1em;font-size:1.1em;border-radius:4px}.banner .who{display:block;font-size:.85em;font-weight:normal;margin-top:.3em}\
code{font-size:.85em;word-break:break-all}details{margin:.4em 0}summary{cursor:pointer;padding:.2em 0}\
dl.ev{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:0 .6em}dl.ev dt{font-weight:bold}dl.ev dd{margin:0}\
ul.ev{margin:0;padding-left:1.1em}\
.check{border:1px solid #ddd;border-radius:4px;padding:.5em .7em;margin:.5em 0}.check p{margin:.3em 0}\
.badge{display:inline-block;padding:0 .4em;border-radius:3px}\
.chart{margin:1em 0}.chart svg{max-width:100%;height:auto;display:block}";

/// Renders the report.
pub fn render(r: &AuditReport) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Proof-of-reserves audit report</title><style>{CSS}</style></head><body>\n"
    );
    let _ = writeln!(o, "<h1>Proof-of-reserves audit report</h1>");
    // Green only for a PASS (every check ran and passed); amber for an
    // incomplete audit, red for a failure.
    let (cls, what) = match r.outcome {
        Outcome::Pass => ("pass", "every check ran and passed"),
        Outcome::Fail => ("fail", "a check failed"),
        Outcome::Incomplete => (
            "incomplete",
            "nothing failed, but not everything could be checked: what was not confirmed counts for nothing (see “Not checked”)",
        ),
    };
    let who: Vec<String> = r
        .attestations
        .iter()
        .map(|a| {
            format!(
                "{}, snapshot {} ({})",
                esc(&a.exchange),
                esc(&a.snapshot),
                esc(&a.time)
            )
        })
        .collect();
    let _ = writeln!(
        o,
        "<p class=\"banner {cls}\" id=\"outcome\" data-outcome=\"{}\"><strong>{}</strong>: {} passed, {} failed, {} not checked — {}<span class=\"who\">{}</span></p>",
        cls,
        r.outcome.as_str().to_ascii_uppercase(),
        r.totals.pass,
        r.totals.fail,
        r.totals.not_checked,
        esc(what),
        if who.is_empty() { "no attestation".to_owned() } else { who.join("; ") }
    );
    let _ = writeln!(o, "<p>Format <code>{}</code>.</p>", esc(r.format));

    // What was not checked, and why: what to add for a full PASS.
    let _ = writeln!(
        o,
        "<h2 id=\"not-checked\">Not checked ({})</h2>",
        r.totals.not_checked
    );
    if r.not_checked.is_empty() {
        let _ = writeln!(o, "<p>None: every check ran.</p>");
    } else {
        let _ = writeln!(
            o,
            "<p>Each of these counts for nothing in any total. Add what is named to check it.</p>\
             <div class=\"scroll\"><table><tr><th>check</th><th>why not checked</th><th>subjects</th></tr>"
        );
        for u in &r.not_checked {
            let subjects: String = u
                .subjects
                .iter()
                .map(|s| format!("<div>{}</div>", esc(s)))
                .collect();
            let _ = writeln!(
                o,
                "<tr><td class=\"not_checked\">{}</td><td>{}</td><td>{subjects}</td></tr>",
                esc(u.check),
                esc(&u.reason)
            );
        }
        let _ = writeln!(o, "</table></div>");
    }

    // Failed checks first.
    let failed: Vec<&Check> = r
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .collect();
    let _ = writeln!(o, "<h2>Failed checks ({})</h2>", failed.len());
    if failed.is_empty() {
        let _ = writeln!(o, "<p>None.</p>");
    } else {
        check_blocks(&mut o, &failed);
    }

    let _ = writeln!(o, "<h2>Attestations</h2><div class=\"scroll\"><table><tr><th>file</th><th>exchange</th><th>snapshot</th><th>time</th><th>entries</th><th>customers</th><th>root</th><th>id</th><th>key</th><th>signature</th></tr>");
    for a in &r.attestations {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td class=\"{}\">{}</td></tr>",
            esc(&a.name),
            esc(&a.exchange),
            esc(&a.snapshot),
            esc(&a.time),
            a.reserve_entries,
            a.customers
                .map_or_else(|| "hidden (v2)".to_owned(), |n| n.to_string()),
            esc(&a.root),
            esc(&a.id),
            esc(&a.public_key),
            if a.signature_valid { "pass" } else { "fail" },
            if a.signature_valid { "valid" } else { "INVALID" }
        );
    }
    let _ = writeln!(o, "</table></div>");
    if !r.sources.is_empty() {
        let _ = writeln!(o, "<h2>Chain data used</h2><div class=\"scroll\"><table><tr><th>chain</th><th>height</th><th>block hash</th><th>source</th></tr>");
        for s in &r.sources {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&s.chain),
                s.height,
                esc(&s.block_hash),
                esc(&s.source)
            );
        }
        let _ = writeln!(o, "</table></div>");
    }

    if !r.positions.is_empty() {
        let _ = writeln!(o, "<h2>Solvency and segregation per asset</h2>");
        let _ = writeln!(o, "<p>“Claimed” is what the attestation says; “confirmed” is what por observed on chain, at the attested block, in wallets whose ownership it verified, each claimed once. Only confirmed amounts count: every figure and ratio below is over confirmed amounts.</p>");
        let _ = writeln!(o, "<div class=\"scroll\"><table><tr><th>attestation</th><th>asset</th><th>liabilities</th><th>claimed</th><th>confirmed</th><th>claimed, not checked</th><th>claimed, refused by a failed check</th><th>solvency</th><th>customer wallets (confirmed)</th><th>segregation</th><th>corporate</th><th>guarantee</th><th>liability reserve</th><th>cold share</th></tr>");
        for p in &r.positions {
            let d = |a: Amount| esc(&a.display_in(p.decimals).to_string());
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&p.label),
                esc(&p.asset),
                d(p.liabilities),
                d(p.claimed),
                d(p.reserves),
                d(p.unchecked),
                d(p.excluded),
                esc(p.solvency_ratio.as_deref().unwrap_or("-")),
                d(p.customer),
                esc(p.segregation_ratio.as_deref().unwrap_or("-")),
                d(p.corporate),
                d(p.guarantee),
                d(p.liability_reserve),
                esc(p.cold_share.as_deref().unwrap_or("-"))
            );
        }
        let _ = writeln!(o, "</table></div>");
        // Short axis labels: the asset alone when one attestation is audited,
        // else the asset and the attestation's number in the table above.
        let one = r
            .positions
            .iter()
            .all(|p| p.attestation == r.positions[0].attestation);
        let cats: Vec<String> = r
            .positions
            .iter()
            .map(|p| {
                if one {
                    p.asset.clone()
                } else {
                    format!("{} #{}", p.asset, p.attestation + 1)
                }
            })
            .collect();
        let pct = |num: Amount, den: Amount| -> f64 {
            if den.to_base_units() == 0 {
                return 0.0;
            }
            basis_points(num, den) / 100.0
        };
        let solv: Vec<f64> = r
            .positions
            .iter()
            .map(|p| pct(p.reserves, p.liabilities))
            .collect();
        let seg: Vec<f64> = r
            .positions
            .iter()
            .map(|p| pct(p.customer, p.liabilities))
            .collect();
        chart(
            &mut o,
            grouped_bars(
                "Confirmed reserves and customer wallets, % of liabilities",
                &cats,
                &[
                    ("reserves", RGBColor(46, 125, 50), &solv),
                    ("customer wallets", RGBColor(21, 101, 192), &seg),
                ],
                "% of liabilities",
                Some(100.0),
            ),
        );
        let parts = |f: &dyn Fn(&por_audit::audit::AssetPosition) -> Amount| -> Vec<f64> {
            r.positions.iter().map(|p| pct(f(p), p.reserves)).collect()
        };
        let (cu, co, gu, lr) = (
            parts(&|p| p.customer),
            parts(&|p| p.corporate),
            parts(&|p| p.guarantee),
            parts(&|p| p.liability_reserve),
        );
        chart(
            &mut o,
            stacked_bars(
                "Segregation: reserves by category, %",
                &cats,
                &[
                    ("customer", RGBColor(21, 101, 192), &cu),
                    ("corporate", RGBColor(239, 108, 0), &co),
                    ("guarantee", RGBColor(123, 31, 162), &gu),
                    ("liability reserve", RGBColor(0, 137, 123), &lr),
                ],
            ),
        );
        let tiers = |f: &dyn Fn(&por_audit::audit::TierSplit) -> Amount| -> Vec<f64> {
            r.positions
                .iter()
                .map(|p| pct(f(&p.customer_tiers), p.customer))
                .collect()
        };
        let (c, w, h, m, t) = (
            tiers(&|t| t.cold),
            tiers(&|t| t.warm),
            tiers(&|t| t.hot),
            tiers(&|t| t.mpc),
            tiers(&|t| t.third_party_custodian),
        );
        chart(
            &mut o,
            stacked_bars(
                "Customer assets by tier, %",
                &cats,
                &[
                    ("cold", RGBColor(13, 71, 161), &c),
                    ("warm", RGBColor(255, 160, 0), &w),
                    ("hot", RGBColor(211, 47, 47), &h),
                    ("mpc", RGBColor(97, 97, 97), &m),
                    ("custodian", RGBColor(121, 85, 72), &t),
                ],
            ),
        );
        // The cold-storage rule on a scale that shows its margin: the share
        // of customer assets NOT in cold storage, against the most the rule
        // allows (100 % minus the minimum cold share given to the audit).
        let non_cold: Vec<f64> = r
            .positions
            .iter()
            .map(|p| {
                let cold = p.customer_tiers.cold;
                let rest = p.customer.checked_sub(cold).unwrap_or(Amount::ZERO);
                pct(rest, p.customer)
            })
            .collect();
        let allowed = r
            .checks
            .iter()
            .filter(|c| c.id == "cold-share")
            .find_map(|c| {
                c.evidence
                    .get("minimum_cold_share")?
                    .as_str()
                    .map(str::to_owned)
            })
            .and_then(|min| percent_value(&min))
            .map(|min| 100.0 - min);
        let title = match allowed {
            Some(max) => format!("Customer assets not in cold storage, % (the rule allows at most {max:.2}%: the line)"),
            None => "Customer assets not in cold storage, % (no minimum cold share was given to the audit)".to_owned(),
        };
        chart(
            &mut o,
            grouped_bars(
                &title,
                &cats,
                &[("not cold", RGBColor(211, 47, 47), &non_cold)],
                "% of customer assets",
                allowed,
            ),
        );
    }

    if let Some(res) = &r.reserve {
        let q = &res.report.requirement;
        let _ = writeln!(o, "<h2>Liability reserve</h2>");
        let verdict = r
            .checks
            .iter()
            .find(|c| c.id == "reserve-requirement")
            .map_or("", |c| c.status.as_str());
        let _ = writeln!(
            o,
            "<p>Over the confirmed wallets of <code>{}</code>: {} — check: <strong>{}</strong>.</p>",
            esc(&res.attestation),
            esc(&q.verdict_line()),
            esc(verdict)
        );
        let yen = |y: por_reserve::Yen| -> f64 { yen_millions(&y.to_string()) };
        chart(
            &mut o,
            grouped_bars(
                "Liability reserve (¥ millions)",
                &[
                    "required".to_owned(),
                    "insurance credit".to_owned(),
                    "cash part required".to_owned(),
                    "held".to_owned(),
                ],
                &[(
                    "¥ millions",
                    RGBColor(0, 137, 123),
                    &[
                        yen(q.required_jpy),
                        yen(q.insurance_credit_jpy),
                        yen(q.cash_required_jpy),
                        yen(q.reserve_held_jpy),
                    ],
                )],
                "¥ millions",
                None,
            ),
        );
        if !res.stress.is_empty() {
            // A scenario that loses nothing has no coverage to draw: it is
            // labelled, never shown as an empty (0 %) bar.
            let cats: Vec<String> = res
                .stress
                .iter()
                .map(|s| {
                    if s.loss_jpy.get() == 0 {
                        format!("{} (no exposure)", s.id)
                    } else {
                        s.id.clone()
                    }
                })
                .collect();
            let cov: Vec<f64> = res
                .stress
                .iter()
                .map(|s| {
                    s.coverage.map_or(0.0, |c| {
                        // Display only: basis points floor, then to f64.
                        let bp = c.basis_points_floor().min(20_000);
                        u32::try_from(bp).map_or(0.0, f64::from) / 100.0
                    })
                })
                .collect();
            chart(
                &mut o,
                horizontal_bars(
                    "Stress: coverage of losses per scenario, % (capped at 200%; the line is 100%; no bar: no exposure, or coverage not defined, see the table)",
                    &cats,
                    &cov,
                    RGBColor(123, 31, 162),
                    200.0,
                    100.0,
                ),
            );
            let _ = writeln!(
                o,
                "<div class=\"scroll\"><table><tr><th>scenario</th><th>name</th><th>loss ¥</th><th>coverage</th></tr>"
            );
            for s in &res.stress {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(&s.id),
                    esc(&s.name),
                    s.loss_jpy,
                    esc(&if s.loss_jpy.get() == 0 {
                        "no exposure".to_owned()
                    } else {
                        s.coverage.map_or("-".to_owned(), |c| c.percent())
                    })
                );
            }
            let _ = writeln!(o, "</table></div>");
        }
        if let Some(c) = &res.comparison {
            o.push_str(&crate::commands::reserve_compare_html::section(
                &res.exchange,
                &res.valuation_date,
                c,
            ));
        }
    }

    // Every check, one collapsed group per check id (no JavaScript: the
    // browser's own <details>), so a report of many wallets stays short.
    let _ = writeln!(
        o,
        "<h2 id=\"all-checks\">All checks ({})</h2>",
        r.checks.len()
    );
    let mut ids: Vec<&str> = Vec::new();
    for c in &r.checks {
        if !ids.contains(&c.id) {
            ids.push(c.id);
        }
    }
    for id in ids {
        let group: Vec<&Check> = r.checks.iter().filter(|c| c.id == id).collect();
        let count = |st: Status| group.iter().filter(|c| c.status == st).count();
        let _ = writeln!(
            o,
            "<details class=\"group\"><summary><b>{}</b>: {} pass, {} fail, {} not checked</summary>",
            esc(id),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::NotChecked)
        );
        check_blocks(&mut o, &group);
        let _ = writeln!(o, "</details>");
    }
    let _ = writeln!(o, "</body></html>");
    o
}

/// "95.00%" as 95.0, for drawing a line (display only).
fn percent_value(s: &str) -> Option<f64> {
    let digits = s.strip_suffix('%')?;
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: u32 = whole.parse().ok()?;
    let mut value = f64::from(whole);
    let mut place = 1.0;
    for d in frac.chars() {
        place /= 10.0;
        value += f64::from(d.to_digit(10)?) * place;
    }
    Some(value)
}

/// `num / den` in basis points, for display (integers, then f64).
fn basis_points(num: Amount, den: Amount) -> f64 {
    let n = num.to_base_units();
    let d = den.to_base_units();
    if d == 0 {
        return 0.0;
    }
    // n * 10000 / d without overflow: scale down both when large.
    let (mut n2, mut d2) = (n, d);
    while n2 > u128::MAX / 10_000 {
        n2 >>= 1;
        d2 = (d2 >> 1).max(1);
    }
    let bp = (n2 * 10_000 / d2).min(10_000_000);
    u32::try_from(bp).map_or(0.0, f64::from)
}

/// A decimal yen string in millions, for display.
fn yen_millions(s: &str) -> f64 {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let millions = digits.len().saturating_sub(6);
    let head = &digits[..millions.min(digits.len())];
    head.parse::<u32>().map_or_else(
        |_| {
            if head.is_empty() {
                0.0
            } else {
                f64::from(u32::MAX)
            }
        },
        f64::from,
    )
}

/// Checks as blocks rather than a wide table, so that they read at any
/// width: status, check and subject, the finding, then the evidence
/// (open for failed checks, collapsed otherwise; no JavaScript).
fn check_blocks(o: &mut String, checks: &[&Check]) {
    for c in checks {
        let status = match c.status {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotChecked => "not_checked",
        };
        let _ = writeln!(
            o,
            "<div class=\"check\"><div><span class=\"badge {status}\">{}</span> <b>{}</b> · {}</div><p>{}</p>",
            esc(c.status.as_str()),
            esc(c.id),
            esc(&c.subject),
            esc(&c.summary)
        );
        if !c.evidence.is_empty() {
            let _ = writeln!(
                o,
                "<details{}><summary>evidence</summary>{}</details>",
                if c.status == Status::Fail {
                    " open"
                } else {
                    ""
                },
                evidence_html(&c.evidence)
            );
        }
        let _ = writeln!(o, "</div>");
    }
}

/// Evidence as readable fields: a definition list, nested lists and
/// objects as nested lists, never raw JSON.
fn evidence_html(ev: &serde_json::Map<String, serde_json::Value>) -> String {
    if ev.is_empty() {
        return String::new();
    }
    let mut o = String::from("<dl class=\"ev\">");
    for (k, v) in ev {
        let _ = write!(
            o,
            "<dt>{}</dt><dd>{}</dd>",
            esc(&k.replace('_', " ")),
            value_html(v)
        );
    }
    o.push_str("</dl>");
    o
}

fn value_html(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "—".to_owned(),
        Value::String(s) => format!("<code>{}</code>", esc(s)),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Number(n) => format!("<code>{}</code>", esc(&n.to_string())),
        Value::Array(items) => {
            let mut o = String::from("<ul class=\"ev\">");
            for item in items {
                let _ = write!(o, "<li>{}</li>", value_html(item));
            }
            o.push_str("</ul>");
            o
        }
        Value::Object(map) => evidence_html(map),
    }
}

fn chart(o: &mut String, svg: Option<String>) {
    match svg {
        Some(svg) => {
            let _ = writeln!(o, "<div class=\"chart\">{svg}</div>");
        }
        None => {
            let _ = writeln!(o, "<p>(chart could not be drawn)</p>");
        }
    }
}

type Series<'a> = (&'a str, RGBColor, &'a [f64]);

#[expect(
    clippy::cast_precision_loss,
    reason = "category counts are small; display only"
)]
fn grouped_bars(
    title: &str,
    cats: &[String],
    series: &[Series<'_>],
    y_desc: &str,
    reference: Option<f64>,
) -> Option<String> {
    let n = cats.len().max(1);
    let k = series.len().max(1);
    let ymax = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .chain(reference)
        .fold(1.0_f64, f64::max)
        * 1.15;
    let width = u32::try_from(160 + 90 * n).unwrap_or(1000).clamp(480, 1000);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, 360)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut c = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..ymax)
            .ok()?;
        let labels = cats.to_vec();
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(2 * n + 1)
            .x_label_formatter(&|x| category_label(&labels, *x))
            .y_desc(y_desc)
            .draw()
            .ok()?;
        let w = 0.8 / k as f64;
        for (si, (name, color, values)) in series.iter().enumerate() {
            let color = *color;
            c.draw_series(values.iter().enumerate().map(move |(i, v)| {
                let x0 = i as f64 - 0.4 + w * si as f64;
                Rectangle::new([(x0, 0.0), (x0 + w * 0.95, *v)], color.filled())
            }))
            .ok()?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
        }
        if let Some(line) = reference {
            c.draw_series(LineSeries::new(
                [(-0.5, line), (n as f64 - 0.5, line)],
                BLACK.stroke_width(1),
            ))
            .ok()?;
        }
        c.configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

/// The category name at an integer axis position, blank between them.
fn category_label(labels: &[String], v: f64) -> String {
    let r = v.round();
    if (v - r).abs() > 1e-6 || r < 0.0 {
        return String::new();
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small non-negative integer"
    )]
    let i = r as usize;
    labels.get(i).cloned().unwrap_or_default()
}

/// One horizontal bar per category (so many categories keep readable
/// labels), on 0..`xmax` with a vertical line at `line`.
#[expect(
    clippy::cast_precision_loss,
    reason = "category counts are small; display only"
)]
fn horizontal_bars(
    title: &str,
    cats: &[String],
    values: &[f64],
    color: RGBColor,
    xmax: f64,
    line: f64,
) -> Option<String> {
    let n = cats.len().max(1);
    let height = u32::try_from(80 + 22 * n).unwrap_or(2400).clamp(160, 2400);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut c = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 14))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(140)
            .build_cartesian_2d(0f64..xmax * 1.05, -0.5f64..(n as f64 - 0.5))
            .ok()?;
        let labels = cats.to_vec();
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(2 * n + 1)
            .y_label_formatter(&|y| category_label(&labels, *y))
            .x_label_formatter(&|x| format!("{x:.0}%"))
            .label_style(("sans-serif", 12))
            .draw()
            .ok()?;
        c.draw_series(values.iter().enumerate().map(|(i, v)| {
            Rectangle::new(
                [(0.0, i as f64 - 0.35), (v.min(xmax), i as f64 + 0.35)],
                color.filled(),
            )
        }))
        .ok()?;
        c.draw_series(LineSeries::new(
            [(line, -0.5), (line, n as f64 - 0.5)],
            BLACK.stroke_width(1),
        ))
        .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "category counts are small; display only"
)]
fn stacked_bars(title: &str, cats: &[String], parts: &[Series<'_>]) -> Option<String> {
    let n = cats.len().max(1);
    let height = u32::try_from(90 + 40 * n).unwrap_or(800).clamp(200, 800);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut c = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(180)
            .build_cartesian_2d(0f64..130f64, -0.5f64..(n as f64 - 0.5))
            .ok()?;
        let labels = cats.to_vec();
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(2 * n + 1)
            .y_label_formatter(&|y| category_label(&labels, *y))
            .x_label_formatter(&|x| {
                if *x <= 100.0 {
                    format!("{x:.0}%")
                } else {
                    String::new()
                }
            })
            .draw()
            .ok()?;
        let mut start = vec![0.0f64; n];
        for (name, color, values) in parts {
            let color = *color;
            let bars: Vec<_> = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let s = start.get(i).copied().unwrap_or(0.0);
                    let r = Rectangle::new(
                        [(s, i as f64 - 0.35), (s + v, i as f64 + 0.35)],
                        color.filled(),
                    );
                    if let Some(x) = start.get_mut(i) {
                        *x += v;
                    }
                    r
                })
                .collect();
            c.draw_series(bars)
                .ok()?
                .label(*name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_values_for_lines() {
        assert_eq!(percent_value("95.00%"), Some(95.0));
        assert_eq!(percent_value("5%"), Some(5.0));
        assert_eq!(percent_value("97.5%"), Some(97.5));
        assert_eq!(percent_value("x%"), None);
        assert_eq!(percent_value("95"), None);
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(yen_millions("10600000000"), 10600.0);
        assert_eq!(yen_millions("999999"), 0.0);
        let a = Amount::from_base_units;
        assert_eq!(basis_points(a(1), a(2)), 5000.0);
        assert_eq!(basis_points(a(u128::MAX), a(u128::MAX)), 10_000.0);
    }
}
