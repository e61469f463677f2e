//! End-to-end tests of `por reserve requirement` and `por reserve stress`:
//! the real binary, run from a directory that is not the repository (the
//! shipped policies and scenarios are embedded), on the shipped example.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{por_bin, repo_root};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn por(args: &[&str], cwd: &Path) -> Run {
    let out = Command::new(por_bin())
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the por binary runs");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn example() -> PathBuf {
    repo_root().join("examples/reserve-inputs.toml")
}

fn example_str() -> String {
    example().display().to_string()
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).expect("valid JSON on stdout")
}

#[test]
fn requirement_on_the_example_from_another_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = por(
        &["reserve", "requirement", "--inputs", &example_str()],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "R_required                                          ¥10,600,000,000",
        "cash reserve required                                ¥5,300,000,000",
        "A1  compliant",
        "A5  illustrative: pass",
        // The verdict next to the figures that decide it: the cash part
        // (R_required less the insurance credit) against the funds held.
        "result: cash part required ¥5,300,000,000 (¥10,600,000,000 required − ¥5,300,000,000 insurance credit) vs held ¥5,300,000,000 (cash ¥5,300,000,000): illustrative: pass",
        "HK SFC cover",
        "EU MiCA Art. 67",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("result: compliant"));
}

#[test]
fn requirement_json_carries_exact_figures_and_provenance() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = por(
        &[
            "reserve",
            "requirement",
            "--inputs",
            &example_str(),
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["schema"], "por-reserve-report-v1");
    let req = &v["data"]["requirement"];
    assert_eq!(req["required_jpy"], "10600000000");
    assert_eq!(req["cash_required_jpy"], "5300000000");
    assert_eq!(req["label"], "illustrative: pass");
    assert_eq!(req["provenance"]["basis"], "illustrative");
    assert_eq!(v["data"]["in_force"]["checks"][0]["label"], "compliant");
    assert_eq!(
        v["data"]["comparators"]["hk_sfc_cover"]["cover_required_jpy"],
        "525000000000"
    );
    let params = &v["data"]["policies"][1]["params"];
    assert_eq!(params[5]["key"], "alpha_cold");
    assert_eq!(params[5]["value"], "1%");
    assert_eq!(params[5]["status"], "assumption");
}

#[test]
fn stress_s4_reproduces_the_worked_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = por(
        &[
            "reserve",
            "stress",
            "--inputs",
            &example_str(),
            "--scenarios",
            "S4",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    let s = &v["data"]["results"][0];
    assert_eq!(s["id"], "S4");
    assert_eq!(s["loss_jpy"], "48200000000");
    assert_eq!(s["waterfall"]["uncovered_jpy"], "33900000000");
    assert_eq!(v["data"]["results"].as_array().map(Vec::len), Some(1));
    // The example's customers are owed 60,000 BTC and hold them all; DMM's
    // 4,820 BTC lost from customer cold storage leaves 55,180 to return in
    // kind: 55,180 / 60,000 of each claim. ETH is untouched.
    let d = &s["distribution"];
    assert_eq!(d[0]["asset"], "BTC");
    assert_eq!(d[0]["owed"], "6000000000000");
    assert_eq!(d[0]["paid"], "5518000000000");
    assert_eq!(d[1]["asset"], "ETH");
    assert_eq!(d[1]["paid"], d[1]["owed"]);
    let r = por(
        &[
            "reserve",
            "stress",
            "--inputs",
            &example_str(),
            "--scenarios",
            "S4",
        ],
        dir.path(),
    );
    assert!(
        r.stdout.contains("a pro-rata distribution in kind right after it would return: BTC 91.96% (55180 BTC of 60000 BTC owed)"),
        "{}",
        r.stdout
    );
}

#[test]
fn stress_default_runs_the_library_with_overlays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = por(
        &["reserve", "stress", "--inputs", &example_str()],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for id in ["S1 ", "S5 ", "S8+O2", "S4+O1", "O2 "] {
        assert!(r.stdout.contains(id), "missing {id} in\n{}", r.stdout);
    }
    assert!(r.stdout.contains("lasts 23 of 72 hours"));
}

#[test]
fn custom_scenario_files_and_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "format = \"por-reserve-scenario\"\nversion = 1\nid = \"X1\"\nkind = \"scenario\"\n\
                name = \"replay\"\nanchor = \"DMM 2024\"\nperils = [\"state_actor\"]\n\
                [[shocks]]\nkind = \"fixed_jpy\"\nloss_jpy = 48_200_000_000\ncustomer_share = \"100%\"\n";
    std::fs::write(dir.path().join("x1.toml"), text).expect("write");
    let r = por(
        &[
            "reserve",
            "stress",
            "--inputs",
            &example_str(),
            "--scenarios",
            ".",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        json(&r)["data"]["results"][0]["waterfall"]["uncovered_jpy"],
        "33900000000"
    );
    let r = por(
        &[
            "reserve",
            "stress",
            "--inputs",
            &example_str(),
            "--scenarios",
            "x1.toml",
            "O1",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("X1+O1"));
    let r = por(
        &[
            "reserve",
            "stress",
            "--inputs",
            &example_str(),
            "--scenarios",
            "O1",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("O1 is an overlay"), "{}", r.stderr);
}

#[test]
fn bad_inputs_exit_2_naming_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = std::fs::read_to_string(example()).expect("example");
    let cases = [
        ("jpy = 7_000_000_000_000", "jpy = -1", "volume[0].jpy"),
        (
            "asset = \"BTC\"\nquantity = \"52180\"",
            "asset = \"DOGE\"\nquantity = \"52180\"",
            "holdings[0].asset",
        ),
        ("price_jpy = \"500000\"\n", "", "assets[1].price_jpy"),
    ];
    for (from, to, field) in cases {
        let path = dir.path().join("in.toml");
        std::fs::write(&path, base.replacen(from, to, 1)).expect("write");
        let r = por(
            &["reserve", "requirement", "--inputs", "in.toml"],
            dir.path(),
        );
        assert_eq!(r.code, 2, "{field}: {}", r.stdout);
        assert!(
            r.stderr.contains(field) && r.stderr.contains("in.toml"),
            "{field}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    let r = por(
        &["reserve", "requirement", "--inputs", "missing.toml"],
        dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn policies_by_name_or_file_and_unknown_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = por(
        &[
            "reserve",
            "requirement",
            "--inputs",
            &example_str(),
            "--policy",
            "jp-fsa-2027",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("jp-fsa-2026-proposal"), "{}", r.stderr);

    let text = std::fs::read_to_string(repo_root().join("policies/jp-fsa-2026-proposal.toml"))
        .expect("policy");
    // A stricter copy: alpha_cold 3% → R_cust = ¥28.8 bn, and the balance falls short.
    let strict = text.replacen("value = \"1%\"", "value = \"3%\"", 1);
    std::fs::write(dir.path().join("strict.toml"), strict).expect("write");
    let r = por(
        &[
            "reserve",
            "requirement",
            "--inputs",
            &example_str(),
            "--policy",
            "strict.toml",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1, "a shortfall exits 1: {}", r.stderr);
    let v = json(&r);
    assert_eq!(v["data"]["requirement"]["required_jpy"], "29800000000");
    assert_eq!(v["data"]["requirement"]["label"], "illustrative: fail");

    let typo =
        format!("{text}\n[params.alpha_colde]\nvalue = \"1%\"\nstatus = \"law\"\nsource = \"x\"\n");
    std::fs::write(dir.path().join("typo.toml"), typo).expect("write");
    let r = por(
        &[
            "reserve",
            "requirement",
            "--inputs",
            &example_str(),
            "--policy",
            "typo.toml",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("params.alpha_colde"), "{}", r.stderr);
}

#[test]
fn a_failing_in_force_check_exits_1_and_json_inputs_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = std::fs::read_to_string(example()).expect("example");
    let short = base.replacen(
        "trust_balance_jpy = 50_500_000_000",
        "trust_balance_jpy = 49_999_999_999",
        1,
    );
    std::fs::write(dir.path().join("short.toml"), short).expect("write");
    let r = por(
        &["reserve", "requirement", "--inputs", "short.toml"],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("A4  non-compliant"), "{}", r.stdout);

    // The same example as JSON gives the same figures.
    let v: serde_json::Value = toml_to_json(&base);
    std::fs::write(dir.path().join("in.json"), v.to_string()).expect("write");
    let r = por(
        &["reserve", "requirement", "--inputs", "in.json", "--json"],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        json(&r)["data"]["requirement"]["required_jpy"],
        "10600000000"
    );
}

/// A tiny TOML → JSON converter is not needed: por-audit parses both, so the
/// test builds the JSON from the parsed TOML tree of the `toml` crate.
fn toml_to_json(text: &str) -> serde_json::Value {
    toml::from_str(text).expect("example is TOML")
}

#[test]
fn compare_puts_every_regime_in_one_table_in_english_and_japanese() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = por(
        &["reserve", "compare", "--inputs", &example_str()],
        dir.path(),
    );
    // Hong Kong's 98% cold and full hot cover fail on the example: exit 1.
    assert_eq!(r.code, 1, "{}", r.stderr);
    for want in [
        "jp-psa-in-force        A1    compliant",
        "jp-fsa-2026-proposal   R     illustrative: pass   JPY 5,300,000,000",
        "hk-sfc                 HK2   non-compliant        JPY 525,000,000,000",
        "kr-vaupa               KR1   compliant            KRW 6,400,000,000,000        KRW 7,600,000,000,000",
        "kr-vaupa               KR3   illustrative: pass   KRW 20,000,000,000           KRW 130,000,000,000",
        "kr-vaupa               KR4   indicative: pass",
        "sg-mas                 SG2   compliant",
        "jp-fsa-2026-proposal   pass (illustrative)",
        "Overall: fail",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    let r = por(
        &[
            "reserve",
            "compare",
            "--inputs",
            &example_str(),
            "--lang",
            "ja",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    for want in [
        "規制の比較",
        "KR1   適合",
        "HK2   不適合",
        "R     試算: 充足",
        "全体: 不足あり",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    let r = por(
        &["reserve", "compare", "--inputs", &example_str(), "--json"],
        dir.path(),
    );
    let v = json(&r);
    assert_eq!(v["type"], "compare");
    assert_eq!(v["outcome"], "fail");
    let kr = &v["data"]["regimes"][4];
    assert_eq!(kr["policy"], "kr-vaupa");
    assert_eq!(kr["rules"][0]["required"], "6400000000000");
    assert_eq!(kr["rules"][0]["currency"], "KRW");
}

#[test]
fn compare_reports_missing_inputs_as_not_checked_never_as_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The example without the Korean table, the averages and the
    // reconciliation interval, under a Hong Kong policy the example meets.
    let text = std::fs::read_to_string(example()).expect("example");
    let cut = |t: &str, from: &str, to: &str| {
        let a = t.find(from).expect("from");
        let b = a + t[a..].find(to).expect("to");
        format!("{}{}", &t[..a], &t[b..])
    };
    let text = cut(&text, "[[price_averages]]", "# Customer crypto liabilities");
    let text = cut(&text, "[reconciliation]", "# Capital.");
    let inputs = dir.path().join("inputs.toml");
    std::fs::write(&inputs, text).expect("write");
    let hk = std::fs::read_to_string(repo_root().join("policies/hk-sfc.toml"))
        .expect("hk")
        .replace("value = \"98%\"", "value = \"90%\"")
        .replace("value = \"50%\"", "value = \"1%\"")
        .replace("value = \"100%\"", "value = \"1%\"");
    let hk_path = dir.path().join("hk.toml");
    std::fs::write(&hk_path, hk).expect("write");
    let r = por(
        &[
            "reserve",
            "compare",
            "--inputs",
            &inputs.display().to_string(),
            "--policy",
            &hk_path.display().to_string(),
        ],
        dir.path(),
    );
    // Nothing fails; KR1, KR3, KR4 and SG2 are not checked: exit 3.
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    for want in [
        "kr-vaupa               KR1   not checked",
        "missing: price_averages or price_history for BTC in KRW over 365 days",
        "korea.market (won or coin_only: which floor applies)",
        "missing: korea.average_daily_deposits_krw",
        "sg-mas                 SG2   not checked",
        "missing: reconciliation.interval_minutes",
        "kr-vaupa               incomplete",
        "Overall: incomplete",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("KR1   compliant"));
}

#[test]
fn stress_runs_the_2025_scenarios_and_reports_the_exposure_per_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = por(
        &[
            "reserve",
            "stress",
            "--inputs",
            &example_str(),
            "--scenarios",
            "S9",
            "S10",
            "O3",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "S9         24.86    24.86    24.86    5.30    0.00",
        "ledger credited 857250 BTC against 63500 BTC held; sold before it was stopped (35 min: as in the anchor; reconciliation every 60 min): 2486.025 BTC",
        "exposure if found only at the next reconciliation: 5 min 355.14642858 BTC (¥3,551,464,286); 60 min",
        "does not pay (not an insured event (a ledger error, no theft from custody))",
        "selected: ExampleStakingAPI: the partner routing the largest value",
        "lost 20000 ETH (customer, third_party_custodian) = ¥10,000,000,000",
        "O3          5.00     0.00     0.00",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
}

#[test]
fn compare_writes_an_html_section_with_a_chart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("compare.html");
    let r = por(
        &[
            "reserve",
            "compare",
            "--inputs",
            &example_str(),
            "--html",
            &out.display().to_string(),
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let html = std::fs::read_to_string(&out).expect("the page is written");
    for want in [
        "<section id=\"reserve-compare\">",
        "<td>kr-vaupa</td><td title=\"cold storage &gt;= 80% of the economic value of users&#39; crypto\">KR1</td><td>compliant</td><td>KRW 6,400,000,000,000</td><td>KRW 7,600,000,000,000</td>",
        "<svg role=\"img\"",
        // HK2: ¥14.3 bn held of ¥525 bn required = 2.72%, a red bar.
        "fill=\"#c62828\"/><text x=\"199\" y=\"83\">2.72%</text>",
        "200% or more",
    ] {
        assert!(html.contains(want), "missing {want:?} in\n{html}");
    }
}

#[test]
fn an_independent_python_recomputation_agrees_with_the_2026_figures() {
    // vectors/check_reserve_2026.py recomputes KR1, KR3, KR4, SG1, SG2, S1's
    // two coverages and S9's exposure from the shipped files in fractions
    // and compares them with this binary's JSON.
    let out = Command::new("python3")
        .arg(repo_root().join("vectors/check_reserve_2026.py"))
        .arg(por_bin())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): install it with scripts/ci/deps-vectors.sh")
        });
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
