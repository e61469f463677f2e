// The demo in real Chromium: the auditor's HTML report (`por audit --html`) at the
// widths people read it at: a phone (360 px), a small laptop window (800 px)
// and a desktop (1280 px). The report is made by the real binary: `por demo`
// (2,000 customers, 19 reserve wallets, reserve inputs and stress tests).
// Screenshots go to artifacts/browser/report-<width>.png. Then the demo's
// last step: its sample customer checks their payout in the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { launchBrowser, screenshotPath, requirePor, startServer, requireTools, POR_BIN, CHROMIUM } from "./support.mjs";

let browser;
let work;
let reportUrl;
let report;
let demoDir;

before(async () => {
  requirePor();
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ci/deps-browser.sh`);
  work = mkdtempSync(join(tmpdir(), "por-report-"));
  const out = join(work, "demo");
  const run = spawnSync(POR_BIN, ["demo", "--customers", "2000", "--out", out], { encoding: "utf8" });
  // The demo plants one problem the audit must catch: its audit fails (exit 0
  // is the demo's own success, which says the audit caught it).
  assert.equal(run.status, 0, `por demo failed: ${run.stderr}`);
  demoDir = out;
  const html = join(out, "audit", "report.html");
  reportUrl = pathToFileURL(html).href;
  report = JSON.parse(readFileSync(join(out, "audit", "report.json"), "utf8"));
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

for (const width of [360, 800, 1280]) {
  test(`the report fits ${width} px without horizontal scrolling`, async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(reportUrl);
    const m = await page.evaluate(() => ({
      docWidth: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      height: document.documentElement.scrollHeight,
      // Anything drawn wider than the window outside a scroll box.
      overflowing: [...document.querySelectorAll("body *")]
        .filter((e) => !e.closest(".scroll") && e.getBoundingClientRect().right > window.innerWidth + 1)
        .map((e) => e.tagName + (e.className && typeof e.className === "string" ? "." + e.className : ""))
        .slice(0, 5),
      charts: [...document.querySelectorAll(".chart svg")].map((s) => Math.round(s.getBoundingClientRect().width)),
      scripts: document.querySelectorAll("script").length,
      banner: document.getElementById("outcome")?.textContent ?? "",
      openGroups: document.querySelectorAll("details.group[open]").length,
      groups: document.querySelectorAll("details.group").length,
    }));
    await page.screenshot({ path: screenshotPath(`report-${width}`), fullPage: true });
    assert.ok(m.docWidth <= m.inner, `the document is ${m.docWidth} px wide in a ${m.inner} px window`);
    assert.deepEqual(m.overflowing, [], "elements drawn past the window's right edge");
    assert.ok(m.charts.length >= 4, `expected the report's charts, found ${m.charts.length}`);
    for (const w of m.charts) assert.ok(w <= m.inner, `a chart is ${w} px wide in a ${m.inner} px window`);
    assert.equal(m.scripts, 0, "the report runs no JavaScript");
    // The banner says the outcome and whose snapshot it is.
    assert.match(m.banner, new RegExp(`^${report.outcome.toUpperCase()}:`));
    const a = report.attestations[0];
    assert.ok(m.banner.includes(a.exchange) && m.banner.includes(a.snapshot), m.banner);
    // Every check is in a collapsed group: the details of 19 wallets do not
    // make the page long.
    assert.ok(m.groups >= 5 && m.openGroups === 0, `${m.groups} groups, ${m.openGroups} open`);
    if (width === 1280) {
      assert.ok(m.height < 9000, `the report is ${m.height} px tall at 1280 px`);
    }
    await page.close();
  });
}

test("zero-loss scenarios read as no exposure, and the cold-storage chart shows the rule's line", async () => {
  const page = await browser.context.newPage();
  await page.goto(reportUrl);
  const text = await page.evaluate(() => document.body.innerText);
  const zero = report.reserve.stress.filter((s) => s.loss_jpy === "0" || s.loss_jpy === 0);
  assert.ok(zero.length > 0, "the demo has a scenario with no loss");
  for (const s of zero) assert.ok(text.includes(`${s.id}`), s.id);
  assert.match(text, /no exposure/);
  const svgText = await page.evaluate(() => [...document.querySelectorAll(".chart svg text")].map((t) => t.textContent).join("\n"));
  assert.match(svgText, /the rule allows at most 5\.00%/);
  await page.close();
});

test("the demo's last step: a customer checks their payout from the administrator in the page", async () => {
  requireTools();
  const published = join(demoDir, "published");
  const statement = readFileSync(join(published, "distribution-statement.json"), "utf8");
  const dir = join(published, "sample-distribution-proofs");
  const { readdirSync } = await import("node:fs");
  const [file] = readdirSync(dir);
  const proof = readFileSync(join(dir, file), "utf8");
  const server = await startServer();
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('html[data-state="ready"]', { timeout: 15000 });
    if ((await page.getAttribute("html", "lang")) !== "en") await page.click('[data-lang="en"]');
    await page.fill("#proof-text", proof);
    await page.fill("#root-text", statement);
    await page.click("#verify");
    await page.waitForSelector('html[data-state="done"]');
    assert.equal(await page.getAttribute("#result", "data-distribution"), "verified");
    assert.match(await page.textContent("#verdict"), /Your payout is in the administrator's signed distribution/);
    // The hot wallets were drained: every asset pays less than the claim.
    const rows = await page.$$eval("#payouts tbody tr", (trs) => trs.map((r) => Array.from(r.cells, (c) => c.textContent)));
    assert.ok(rows.length >= 3, JSON.stringify(rows));
    let paid = 0;
    for (const [asset, claim, , recovery] of rows) {
      if (claim === "0") {
        assert.equal(recovery, "-", `${asset}: nothing claimed, no recovery to state`);
        continue;
      }
      const pct = Number(recovery.replace("%", ""));
      assert.ok(pct > 90 && pct < 100, `${asset}: recovery ${recovery}`);
      paid += 1;
    }
    assert.ok(paid >= 1, JSON.stringify(rows));
    await page.screenshot({ path: screenshotPath("demo-distribution-verified"), fullPage: true });
    await page.close();
  } finally {
    await server.close();
  }
});
