#!/usr/bin/env python3
"""Independent recomputation of the figures issue 15 added to the reserve
engine, from the shipped files, in exact fractions (Python's own TOML
reader and arithmetic, no code shared with por):

- Korea (kr-vaupa) and Singapore (sg-mas) on examples/reserve-inputs.toml:
  KR1 cold share at the one-year KRW averages, KR3 hack cover, KR4 banks'
  guideline, SG1 at spot in SGD, SG2 the reconciliation interval;
- S1's coverage of the customer loss and of the compensation cost;
- S9's ledger credit, the quantity sold and the exposure per interval.

Then compares them with `por reserve compare --json` and `por reserve stress
--json` of the binary given (or `por` on PATH):

    python3 vectors/check_reserve_2026.py [PATH-TO-POR]
"""

import json
import math
import os
import subprocess
import sys
import tomllib
from fractions import Fraction as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def load(*p):
    with open(os.path.join(ROOT, *p), "rb") as f:
        return tomllib.load(f)


def dec(s):
    """An exact decimal string as a fraction ("5%" allowed)."""
    s = str(s)
    if s.endswith("%"):
        return F(s[:-1]) / 100
    return F(s)


def up(x):
    return math.ceil(x)


def down(x):
    return math.floor(x)


def main():
    por = sys.argv[1] if len(sys.argv) > 1 else "por"
    inputs_path = os.path.join(ROOT, "examples", "reserve-inputs.toml")
    i = load("examples", "reserve-inputs.toml")
    kr = {k: v["value"] for k, v in load("policies", "kr-vaupa.toml")["params"].items()}
    sg = {k: v["value"] for k, v in load("policies", "sg-mas.toml")["params"].items()}
    decimals = {a["symbol"]: a["decimals"] for a in i["assets"]}
    spot_jpy = {a["symbol"]: dec(a["price_jpy"]) for a in i["assets"]}
    fx = {f["currency"]: dec(f["jpy_per_unit"]) for f in i["fx"]}

    def units(asset, q):
        return dec(q) * 10 ** decimals[asset]

    # Customer holdings per asset: all, strictly cold, not cold.
    cust, cold = {}, {}
    for h in i["holdings"]:
        if h["owner"] != "customer":
            continue
        q = units(h["asset"], h["quantity"])
        cust[h["asset"]] = cust.get(h["asset"], 0) + q
        if h["tier"] == "cold":
            cold[h["asset"]] = cold.get(h["asset"], 0) + q

    def total(qty, price, rnd):
        return sum(rnd(q * price[a] / 10 ** decimals[a]) for a, q in qty.items())

    expected = {}
    # Korea: one-year average KRW prices given in the inputs.
    avg = {
        p["asset"]: dec(p["price"])
        for p in i["price_averages"]
        if p["currency"] == "KRW" and p["days"] == 365
    }
    assert kr["valuation"] == "average-365d" and kr["cover_valuation"] == "average-365d"
    all_v = total(cust, avg, up)
    cold_v = total(cold, avg, down)
    expected["KR1"] = (up(dec(kr["cold_min_share"]) * all_v), cold_v)
    hot = {a: cust[a] - cold.get(a, 0) for a in cust}
    hot_v = total(hot, avg, up)
    floor = kr["hack_cover_floor_won_market"] if i["korea"]["market"] == "won" else kr["hack_cover_floor_coin_only"]
    required = max(up(dec(kr["hack_cover_rate"]) * hot_v), floor)
    ins = sum(
        down((p["limit_jpy"] - p["retention_jpy"]) * (1 - dec(p.get("coinsurance", "0"))))
        for p in i["insurance"]
    )
    held_yen = i["reserve_balance_jpy"] + ins
    expected["KR3"] = (required, down(held_yen / fx["KRW"]))
    dep = i["korea"]["average_daily_deposits_krw"]
    expected["KR4"] = (
        min(kr["bank_reserve_cap"], max(kr["bank_reserve_floor"], up(dec(kr["bank_reserve_rate"]) * dep))),
        down(i["reserve_balance_jpy"] / fx["KRW"]),
    )
    # Singapore: spot yen prices over the SGD rate.
    assert sg["valuation"] == "spot"
    sgd = {a: p / fx["SGD"] for a, p in spot_jpy.items()}
    all_s = total(cust, sgd, up)
    cold_s = total(cold, sgd, down)
    expected["SG1"] = (up(dec(sg["cold_min_share"]) * all_s), cold_s)

    out = subprocess.run(
        [por, "reserve", "compare", "--inputs", inputs_path, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    got = json.loads(out.stdout)
    rules = {r["id"]: r for g in got["data"]["regimes"] for r in g["rules"]}
    for rid, (req, held) in expected.items():
        r = rules[rid]
        assert (int(r["required"]), int(r["held"])) == (req, held), (rid, r, req, held)
        assert r["verdict"] == ("pass" if held >= req else "fail"), (rid, r)
    interval = i["reconciliation"]["interval_minutes"]
    assert rules["SG2"]["verdict"] == ("pass" if interval <= sg["reconciliation_max_minutes"] else "fail")

    # Stress: S1's coverage and S9's exposure.
    out = subprocess.run(
        [por, "reserve", "stress", "--inputs", inputs_path, "--scenarios", "S1", "S9", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    res = {r["id"]: r for r in json.loads(out.stdout)["data"]["results"]}
    s1 = res["S1"]
    # Resources: the reserve balance (the example has no reserve crypto),
    # what each policy pays ((1 - coinsurance) x min(max(0, loss -
    # retention), limit - retention); it covers every tier and excludes
    # none of S1's perils) and excess capital (none: net assets are the
    # ¥10 m minimum).
    loss = int(s1["loss_jpy"])
    ins_pay = sum(
        down(
            (1 - dec(p.get("coinsurance", "0")))
            * min(max(0, loss - p["retention_jpy"]), p["limit_jpy"] - p["retention_jpy"])
        )
        for p in i["insurance"]
    )
    assert i["capital"]["net_assets_jpy"] <= 10_000_000
    resources = i["reserve_balance_jpy"] + ins_pay
    cov = s1["coverage"]
    assert F(int(cov["num"]), int(cov["den"])) == F(resources, int(s1["customer_loss_jpy"])), cov
    cc = s1["coverage_of_cost"]
    assert F(int(cc["num"]), int(cc["den"])) == F(resources, int(s1["compensation_cost_jpy"])), cc

    s9 = load("scenarios", "S9-ledger-overcredit.toml")["shocks"][0]
    held = {}
    for h in i["holdings"]:
        held[h["asset"]] = held.get(h["asset"], 0) + units(h["asset"], h["quantity"])
    asset = max(held, key=lambda a: held[a] * spot_jpy[a] / 10 ** decimals[a])
    credited = up(dec(s9["multiple"]) * held[asset])
    observed = s9["observed_minutes"]

    def sold(minutes):
        return min(up(credited * dec(s9["sold_fraction"]) * minutes / observed), credited)

    led = res["S9"]["ledger"]
    assert led["asset"] == asset and int(led["credited"]) == credited, led
    assert int(led["sold"]) == sold(min(observed, interval)), led
    for e in led["per_interval"]:
        q = sold(e["minutes"])
        assert int(e["quantity"]) == q, e
        assert int(e["value_jpy"]) == up(q * spot_jpy[asset] / 10 ** decimals[asset]), e
    assert int(res["S9"]["loss_jpy"]) == up(sold(min(observed, interval)) * spot_jpy[asset] / 10 ** decimals[asset])
    print("reserve 2026 figures: KR1, KR3, KR4, SG1, SG2, S1 coverage, S9 agree with the independent recomputation")


if __name__ == "__main__":
    main()
