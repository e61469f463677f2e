//! The side by side of `por reserve compare` as HTML: a section (a table of
//! every rule and a bar chart of held ÷ required for the rules measured in
//! money) that `por reserve compare --html FILE` writes as a page and the
//! audit's HTML report can include as it is ([`section`]). Pure
//! formatting: every verdict and figure comes from `por_reserve::compare`;
//! the bars are drawn from integers (hundredths of a percent, rounded
//! down), for display only.

use std::fmt::Write as _;

use por_reserve::{Comparison, Inputs, RuleVerdict, Yen};

use super::audit::html::esc;

/// `held ÷ required` in hundredths of a percent, rounded down, capped at
/// 200 % (display only); `None` without a requirement.
fn basis_points(held: u128, required: u128) -> Option<u128> {
    if required == 0 {
        return None;
    }
    let cap = 20_000;
    if held / required >= 2 {
        return Some(cap);
    }
    // Display only: scale both down until held × 10 000 fits.
    let (mut h, mut q) = (held, required);
    while h > u128::MAX / 10_000 {
        h >>= 1;
        q >>= 1;
    }
    Some((h * 10_000 / q.max(1)).min(cap))
}

fn money(currency: Option<&String>, v: Option<u128>, text: &str) -> String {
    match (currency, v) {
        (Some(c), Some(x)) => format!("{c} {}", Yen::new(x)),
        _ => text.to_owned(),
    }
}

/// The section: a heading, the table, the chart and the legend.
pub(crate) fn section(exchange: &str, valuation_date: &str, c: &Comparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<section id=\"reserve-compare\"><h2>Regimes side by side: {} at {}</h2>",
        esc(exchange),
        esc(valuation_date)
    );
    o.push_str(
        "<p>Every rule of every policy on the same inputs. Amounts are in each regime's \
         currency (other than JPY through the inputs' FX rates). <em>not checked</em>: an input \
         the rule needs is missing; it is never a pass.</p>\n",
    );
    o.push_str(
        "<div class=\"scroll\"><table><tr><th>regime</th><th>rule</th><th>result</th><th>required</th><th>held</th></tr>\n",
    );
    for g in &c.regimes {
        for r in &g.rules {
            let held = if r.verdict == RuleVerdict::NotChecked {
                format!("missing: {}", r.missing.join(", "))
            } else {
                money(r.currency.as_ref(), r.held, &r.held_text)
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.policy),
                esc(r.name),
                esc(r.id),
                esc(r.label),
                esc(&money(r.currency.as_ref(), r.required, &r.required_text)),
                esc(&held)
            );
        }
    }
    o.push_str("</table></div>\n");

    // The chart: one bar per rule measured in money, held ÷ required.
    let bars: Vec<(String, Option<u128>, &str)> = c
        .regimes
        .iter()
        .flat_map(|g| {
            g.rules.iter().filter(|r| r.currency.is_some()).map(|r| {
                (
                    format!("{} {}", g.policy, r.id),
                    r.held.zip(r.required).and_then(|(h, q)| basis_points(h, q)),
                    r.label,
                )
            })
        })
        .collect();
    if !bars.is_empty() {
        let row = 22;
        let left = 190;
        let width = 400; // 200 %
                         // Room for "200% or more" after a full bar.
        let height = row * bars.len() + 30;
        let _ = writeln!(
            o,
            "<svg role=\"img\" aria-label=\"held as a share of required, per rule\" width=\"{w}\" height=\"{height}\" \
             viewBox=\"0 0 {w} {height}\" style=\"max-width:100%;height:auto\" \
             xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"12\">",
            w = left + width + 100
        );
        for (i, (name, bp, label)) in bars.iter().enumerate() {
            let y = i * row + 4;
            let _ = writeln!(o, "<text x=\"0\" y=\"{}\">{}</text>", y + 14, esc(name));
            match bp {
                Some(bp) => {
                    let w = usize::try_from(bp / 50).unwrap_or(width).min(width);
                    let fill = if label.ends_with("pass") || *label == "compliant" {
                        "#2e7d32"
                    } else {
                        "#c62828"
                    };
                    let shown = if *bp >= 20_000 {
                        "200% or more".to_owned()
                    } else {
                        format!("{}.{:02}%", bp / 100, bp % 100)
                    };
                    let _ = writeln!(
                        o,
                        "<rect x=\"{left}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{fill}\"/>\
                         <text x=\"{}\" y=\"{}\">{shown}</text>",
                        left + w + 4,
                        y + 13,
                    );
                }
                None => {
                    let _ = writeln!(
                        o,
                        "<text x=\"{left}\" y=\"{}\">no bar: {}</text>",
                        y + 13,
                        esc(label)
                    );
                }
            }
        }
        // The 100 % line.
        let _ = writeln!(
            o,
            "<line x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{}\" stroke=\"#000\" stroke-dasharray=\"3,3\"/>\
             <text x=\"{}\" y=\"{}\">100%</text></svg>",
            height - 14,
            left + width / 2 - 14,
            height - 2,
            x = left + width / 2,
        );
    }
    o.push_str(
        "<p>Bars: held as a share of what the rule requires (capped at 200%; green: passes). \
         Rules measured otherwise (shares, days, minutes) are in the table only. Labels: \
         <em>compliant</em> only when every parameter used is law; <em>indicative</em> when one \
         is a proposal, a press report or an industry rule; <em>illustrative</em> when one is an \
         assumption or unverified.</p>\n</section>\n",
    );
    o
}

/// A standalone page around [`section`].
pub(crate) fn page(inputs: &Inputs, c: &Comparison) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>por reserve compare: {}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left}}</style></head><body>\n{}</body></html>\n",
        esc(&inputs.exchange),
        section(&inputs.exchange, &inputs.valuation_date.to_string(), c)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_integer_shares_capped_at_200_percent() {
        assert_eq!(basis_points(5, 10), Some(5_000));
        assert_eq!(basis_points(1, 3), Some(3_333));
        assert_eq!(basis_points(30, 10), Some(20_000));
        assert_eq!(basis_points(u128::MAX, u128::MAX - 1), Some(10_000));
        assert_eq!(basis_points(1, 0), None);
        assert_eq!(esc("<a&\"'>"), "&lt;a&amp;&quot;&#39;&gt;");
    }
}
