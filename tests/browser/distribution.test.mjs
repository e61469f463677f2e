// The administrator's distribution in the customer's page (www/dist), in real
// Chromium: a distribution proof (por distribution proof) checked against the
// signed statement (por distribution sign), both made by the real binary.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { requireTools, startServer, launchBrowser, makeFixtures, makeAttestation, makeDistribution, TOP_UP_POLICY, screenshotPath, PAGE_FILES, assertAxeClean } from "./support.mjs";

let server;
let browser;
let dist;
let topUp;
const requests = [];

before(async () => {
  requireTools();
  const fx = makeFixtures();
  const att = makeAttestation(fx);
  dist = makeDistribution(fx, att);
  topUp = makeDistribution(fx, att, { name: "distribution-top-up", policy: TOP_UP_POLICY });
  server = await startServer();
  browser = await launchBrowser();
  browser.context.on("request", (req) => requests.push(req.url()));
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

async function open() {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForSelector('html[data-state="ready"]', { timeout: 15000 });
  if ((await page.getAttribute("html", "lang")) !== "en") await page.click('[data-lang="en"]');
  page.errors = errors;
  return page;
}

async function check(page, proof, statement) {
  await page.fill("#proof-text", proof);
  await page.fill("#root-text", statement);
  await page.click("#verify");
  await page.waitForSelector('html[data-state="done"]');
}

/** Rows of the payout table: [asset, claim, payout, recovery]. */
async function payouts(page) {
  return page.$$eval("#payouts tbody tr", (rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent)));
}

/** Base units as an exact decimal, computed here (BigInt), not by the page. */
function units(base, decimals) {
  const u = BigInt(base);
  const scale = 10n ** BigInt(decimals);
  const frac = (u % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return frac ? `${u / scale}.${frac}` : `${u / scale}`;
}

/** floor(payout × 10000 ÷ claim) as 12.34%, computed here. */
function percent(part, whole) {
  const bp = (BigInt(part) * 10000n) / BigInt(whole);
  return `${bp / 100n}.${(bp % 100n).toString().padStart(2, "0")}%`;
}

function edit(json, f) {
  const v = JSON.parse(json);
  f(v);
  return JSON.stringify(v, null, 2);
}

async function shot(page, name) {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

test("a valid distribution proof shows your claim, your payout and your recovery", async () => {
  const page = await open();
  // Dropped as files, as a customer would.
  await page.setInputFiles("#root-file", dist.statementPath);
  await page.setInputFiles("#proof-file", dist.proofPath("alice"));
  await page.waitForSelector('#result[data-distribution="verified"]');
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.match(await page.textContent("#verdict"), /Your payout is in the administrator's signed distribution/);
  const [btcClaim, btcPaid] = dist.payouts.get("alice BTC");
  const [ethClaim, ethPaid] = dist.payouts.get("alice ETH");
  assert.deepEqual(await payouts(page), [
    ["BTC", units(btcClaim, 8), units(btcPaid, 8), percent(btcPaid, btcClaim)],
    ["ETH", units(ethClaim, 18), units(ethPaid, 18), percent(ethPaid, ethClaim)],
  ]);
  // By hand: 0.5 BTC of 12.50000001 owed, 10 available.
  assert.deepEqual((await payouts(page))[0], ["BTC", "0.5", "0.4", "80.00%"]);
  assert.equal(await page.$("#top-up"), null);
  const todo = await page.textContent("#todo");
  assert.match(todo, /compare this key fingerprint with the one the administrator publishes/);
  assert.match(todo, /Whether these payouts were made, and whether what was available was on chain, is not shown/);
  const st = JSON.parse(dist.statement);
  const details = await page.textContent("#dist-details");
  assert.ok(details.includes(st.distribution.root), details);
  assert.ok(details.includes(st.attestation.id), details);
  // Technical details are folded away: the plain answer comes first.
  assert.equal(await page.getAttribute("#dist-details", "open"), null);
  await shot(page, "distribution-verified");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("holdback, de-minimis and the JPY top-up are said in plain words", async () => {
  const page = await open();
  await check(page, topUp.proof("bob"), topUp.statement);
  assert.equal(await page.getAttribute("#result", "data-distribution"), "verified");
  const rows = await payouts(page);
  assert.deepEqual(rows[0], ["BTC", "2", "0 (held back 1.6 (set aside: your claim is held back))", "80.00%"]);
  const [jpyClaim] = topUp.payouts.get("bob JPY");
  assert.equal(await page.textContent("#top-up"),
    `JPY top-up: your shortfall valued at ¥${jpyClaim} (prices of 2026-11-21 from test prices), paid ¥0, held back ¥${jpyClaim}`);
  await check(page, topUp.proof("alice"), topUp.statement);
  const [aliceJpy, alicePaid] = topUp.payouts.get("alice JPY");
  assert.match(await page.textContent("#top-up"), new RegExp(`shortfall valued at ¥${aliceJpy} .*paid ¥${alicePaid}$`));
  await shot(page, "distribution-top-up");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a payout raised by one unit is not verified, and its figures are not shown", async () => {
  const page = await open();
  const raised = edit(dist.proof("alice"), (v) => { v.values[1] = (BigInt(v.values[1]) + 1n).toString(); });
  await check(page, raised, dist.statement);
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  assert.equal(await page.getAttribute("#result", "data-distribution"), "not-verified");
  assert.match(await page.textContent("#verdict"), /Not verified: your proof does not match the signed statement/);
  assert.equal(await page.$("#payouts"), null);
  assert.equal(await page.$("#todo"), null);
  assert.ok(!(await page.textContent("#result")).includes("0.40000001"));
  await shot(page, "distribution-payout-raised");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a statement altered after signing is untrusted: nothing in it is compared", async () => {
  const page = await open();
  const altered = edit(dist.statement, (v) => { v.attestation.snapshot = "2026-11-22"; });
  await check(page, dist.proof("alice"), altered);
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  assert.equal(await page.getAttribute("#result", "data-distribution"), "untrusted");
  assert.match(await page.textContent("#verdict"), /Not verified: the statement is untrusted/);
  assert.match(await page.textContent("#verdict-text"), /Nothing in it was compared with your proof/);
  assert.equal(await page.$("#payouts"), null);
  const text = await page.textContent("#result");
  assert.ok(!text.includes("2026-11-22"), "the altered statement's content is not shown");
  assert.ok(!text.includes(JSON.parse(dist.statement).distribution.root), "nor its root");
  await shot(page, "distribution-untrusted");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a distribution proof without a statement, or with a malformed one, is an error naming what is missing", async () => {
  const page = await open();
  await check(page, dist.proof("alice"), "");
  assert.match(await page.textContent("#error"), /Give the administrator's signed statement/);
  await check(page, dist.proof("alice"), edit(dist.statement, (v) => { v.distribution.height = "three"; }));
  assert.match(await page.textContent("#error"), /The distribution statement could not be read/);
  assert.match(await page.textContent("#error-detail"), /distribution\.height/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("no network: the distribution check loads only the page's own files", async () => {
  const origin = new URL(server.url).origin;
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:"));
  assert.deepEqual(foreign, []);
  const paths = new Set(requests.filter((u) => u.startsWith(origin)).map((u) => new URL(u).pathname));
  for (const p of paths) assert.ok(p === "/" || PAGE_FILES.includes(p), `unexpected request ${p}`);
});

test("the distribution result fits a phone (360 px) and axe-core finds no WCAG 2.1 A/AA violation, in both languages", async () => {
  const page = await open();
  await page.setViewportSize({ width: 360, height: 740 });
  const audit = async (state) => {
    await assertAxeClean(page, state);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${state}: the page is ${width} px wide at 360 px`);
  };
  await check(page, topUp.proof("alice"), topUp.statement);
  assert.equal(await page.getAttribute("#result", "data-distribution"), "verified");
  await audit("verified with top-up (en)");
  await shot(page, "distribution-phone-360");
  const raised = edit(dist.proof("alice"), (v) => { v.values[1] = (BigInt(v.values[1]) + 1n).toString(); });
  await check(page, raised, dist.statement);
  assert.equal(await page.getAttribute("#result", "data-distribution"), "not-verified");
  await audit("not verified (en)");
  await page.click('[data-lang="ja"]');
  await check(page, topUp.proof("alice"), topUp.statement);
  await audit("verified with top-up (ja)");
  await shot(page, "distribution-phone-360-ja");
  assert.deepEqual(page.errors, []);
  await page.close();
});
