// Tree format v2 (por-proof-v2 against por-root-v2) on the customer's page
// (www/dist) in real Chromium: every valid proof of vectors/tree-v2.json
// verifies and every invalid one fails with the reason the vector states
// (vectors/por_tree_v2.py recomputes their commitments, hashes and root
// openings independently; range proofs are checked by the Rust side only);
// a three-asset proof at height 32 (crates/por-wasm-v2/tests/fixtures,
// checked there to be what por_tree::v2 builds) verifies by the file picker
// and its verification time is measured in the page (performance.now around
// the WebAssembly call) and reported; the root hash alone, no root, rounding
// up, Japanese, 360 px, axe, contrast, focus; and that the third module
// (por_wasm_v2*.js) is requested only for a v2 proof.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

import { startServer, launchBrowser, screenshotPath, assertAxeClean, DIST, REPO, ARTIFACTS, CHROMIUM, PAGE_FILES, INTEROP_FILES } from "./support.mjs";

const V2_FILES = ["/por_wasm_v2.js", "/por_wasm_v2_bytes.js"];
const vectors = JSON.parse(readFileSync(join(REPO, "vectors", "tree-v2.json"), "utf8"));
const FIXTURE = join(REPO, "crates", "por-wasm-v2", "tests", "fixtures", "three-assets-h32");

let server;
let browser;

before(async () => {
  const missing = [CHROMIUM, join(DIST, "por_wasm_v2_bytes.js"), join(REPO, "tests", "browser", "node_modules", "playwright-core")].filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`v2 browser tests need: ${missing.join(", ")} (scripts/ci/deps-browser.sh, scripts/build-www)`);
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

async function open({ lang = "en" } = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForSelector('html[data-state="ready"]', { timeout: 15000 });
  if ((await page.getAttribute("html", "lang")) !== lang) await page.click(`[data-lang="${lang}"]`);
  page.errors = errors;
  return page;
}

async function verifyWith(page, { proof, root = "" }) {
  await page.fill("#proof-text", proof);
  await page.fill("#root-text", root);
  await page.click("#verify");
  await page.waitForSelector('html[data-state="done"]', { timeout: 30000 });
}

/** Base units as the page shows amounts: no trailing zeros, no point for a whole number (BigInt, not the code under test). */
function display(base, decimals) {
  const b = BigInt(base);
  const unit = 10n ** BigInt(decimals);
  const whole = (b / unit).toString();
  const frac = (b % unit).toString().padStart(decimals, "0").replace(/0+$/, "");
  return frac === "" ? whole : `${whole}.${frac}`;
}

async function balances(page) {
  return page.$$eval("#balances tbody tr", (rows) => rows.map((r) => ({
    symbol: r.querySelector("th").textContent,
    balance: r.querySelectorAll("td")[0].textContent,
    counted: r.querySelectorAll("td")[1].textContent,
    roundedUp: r.dataset.roundedUp,
  })));
}

async function comparisons(page) {
  return page.$$eval("#comparisons tr", (rows) => Object.fromEntries(rows.map((r) => [r.dataset.item, r.dataset.result])));
}

const treeOf = (c) => vectors.trees[c.tree];

test("every valid proof of vectors/tree-v2.json verifies against its por-root-v2", async () => {
  const page = await open();
  assert.equal(vectors.valid.length, 10);
  for (const c of vectors.valid) {
    const tree = treeOf(c);
    await verifyWith(page, { proof: JSON.stringify(c.proof), root: JSON.stringify(tree.root) });
    assert.equal(await page.getAttribute("#result", "data-verdict"), "verified", c.name);
    assert.equal(await page.getAttribute("#result", "data-format"), "por-proof-v2");
    assert.match(await page.textContent("#verdict"), /Verified against the published root/);
    assert.match(await page.textContent("#verdict-text"), /published root \(por-root-v2\)/);
    assert.equal(await page.textContent("#facts .account"), c.proof.user_id);
    // The customer's balances as the vector's customer list gives them.
    const customer = tree.customers.find((x) => x.user_id === c.proof.user_id);
    const shown = await balances(page);
    assert.deepEqual(shown.map((b) => b.symbol), tree.root.assets.map((a) => a.symbol), c.name);
    shown.forEach((b, i) => assert.equal(b.balance, display(customer.balances[i], tree.root.assets[i].decimals), `${c.name} ${b.symbol}`));
    // Every sibling commitment's range proof.
    const n = tree.height * tree.root.assets.length;
    assert.match(await page.textContent("#v2-range"), new RegExp(`all ${n} commitments your path reveals \\(${tree.height} steps × ${tree.root.assets.length} assets\\)`));
    assert.deepEqual(await comparisons(page), { root_hash: "matches", height: "matches", assets: "matches", totals: "matches" });
    assert.match(await page.textContent("#todo-root"), /por-root-v2\) you gave is the one your exchange published/);
    assert.match(await page.textContent("#todo-snapshot"), /neither the proof nor the por-root-v2 names one/);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("every invalid proof of vectors/tree-v2.json fails with its stated reason", async () => {
  const page = await open();
  assert.equal(vectors.invalid.length, 13);
  const reasons = {
    "range-proof-invalid": /A range proof does not verify: a commitment on your path may hide a negative amount/,
    "root-hash-mismatch": /The root hash your proof leads to differs/,
    "root-opening-mismatch": /do not open to the stated totals/,
    "asset-mismatch": /different assets, decimals or proof units/,
    "path-length": /path's length does not match/,
    "height-mismatch": /published tree height differs/,
  };
  for (const c of vectors.invalid) {
    await verifyWith(page, { proof: JSON.stringify(c.proof), root: JSON.stringify(c.root) });
    assert.equal(await page.getAttribute("#result", "data-verdict"), "failed", c.name);
    assert.equal(await page.getAttribute("#failure", "data-kind"), c.expected, c.name);
    assert.match(await page.textContent("#failure"), reasons[c.expected], c.name);
    assert.match(await page.textContent("#verdict"), /Not verified/);
    assert.ok(await page.isVisible("#next"), c.name);
    // Nothing claims the checks passed.
    assert.equal(await page.$("#v2-checked"), null, c.name);
    if (c.name === "negative-sibling") await page.screenshot({ path: screenshotPath("v2-failed-negative-sibling"), fullPage: true });
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

/**
 * CPU seconds (user + system) of Chromium so far: the processes this test
 * process started and their descendants, from /proc (Linux). Wall time on a
 * loaded machine says little; CPU time says what the check costs.
 */
function chromiumCpu() {
  const procs = [];
  for (const d of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.push({ pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // Gone meanwhile.
    }
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  mine.delete(process.pid);
  return procs.filter((p) => mine.has(p.pid)).reduce((s, p) => s + p.ticks, 0) / 100;
}

test("a three-asset proof at height 32 verifies by the file picker, timed in the page", async () => {
  const page = await open();
  await page.setInputFiles("#root-file", join(FIXTURE, "root.json"));
  const cpu0 = chromiumCpu();
  await page.setInputFiles("#proof-file", join(FIXTURE, "proof-alice.json"));
  await page.waitForSelector('#result[data-verdict="verified"]', { timeout: 30000 });
  const firstCpu = chromiumCpu() - cpu0;
  const first = Number(await page.getAttribute("#result", "data-verify-ms"));
  const load = Number(await page.getAttribute("html", "data-v2-load-ms"));
  const root = JSON.parse(readFileSync(join(FIXTURE, "root.json"), "utf8"));
  assert.equal(root.height, 32);
  assert.equal(root.assets.length, 3);
  assert.match(await page.textContent("#v2-range"), /all 96 commitments your path reveals \(32 steps × 3 assets\) .*\(one aggregated range proof over 128 commitments: these and commitments to zero as padding; verified\)/);
  // Alice's row of the fixture's ledger, by hand; ETH is counted in units of
  // 10^e wei (e > 0: the column totals more than 2^64 wei), so her
  // 1.000000000000000001 ETH is rounded up.
  const eth = root.assets[1];
  assert.ok(eth.unit_exponent > 0);
  const shown = await balances(page);
  assert.deepEqual(shown.map((b) => [b.symbol, b.balance]), [["BTC", "0.5"], ["ETH", "1.000000000000000001"], ["USDT", "1500.25"]]);
  const unit = 10n ** BigInt(eth.unit_exponent);
  const counted = ((1000000000000000001n + unit - 1n) / unit) * unit;
  assert.equal(shown[1].counted, `${display(counted, 18)} (rounded up)`);
  assert.equal(shown[1].roundedUp, "true");
  assert.equal(shown[0].counted, "0.5 (exact)");
  assert.match(await page.textContent('#v2-units li[data-symbol="ETH"]'), new RegExp(`ETH: 1 unit = ${display(unit, 18).replace(".", "\\.")} ETH \\(10\\^${eth.unit_exponent} of its smallest amounts\\): each balance is rounded up`));
  assert.match(await page.textContent('#v2-units li[data-symbol="BTC"]'), /BTC: 1 unit = 0\.00000001 BTC, its smallest amount: counted exactly/);
  // Published totals, in proof units times the unit.
  const totals = await page.$$eval("#totals tbody tr", (rows) => rows.map((r) => r.querySelector("td").textContent));
  assert.deepEqual(totals, root.totals.map((t, i) => display(BigInt(t) * 10n ** BigInt(root.assets[i].unit_exponent), root.assets[i].decimals)));
  // What is shown and hidden, with this height.
  assert.match(await page.textContent("#v2-height"), /the tree height, 32, chosen by the exchange, not computed from the number of customers\. A tree of height 32 holds at most 2,147,483,648 customers/);
  assert.match(await page.textContent("#v2-hidden-list"), /every other customer's balances and account ids: each of the 32 steps/);
  assert.match(await page.textContent("#v2-hidden-list"), /the number of customers/);
  assert.match(await page.textContent("#todo"), /holds the coins to cover its liabilities/);
  assert.match(await page.textContent("#todo"), /covers only the commitments on your path/);
  await page.screenshot({ path: screenshotPath("v2-verified-three-assets"), fullPage: true });

  // Warm runs: the same check again (the range proofs' generators are
  // cached by then).
  const warm = [];
  const warmCpu = [];
  for (let i = 0; i < 5; i++) {
    const c0 = chromiumCpu();
    await page.click("#verify");
    await page.waitForSelector('html[data-state="done"]');
    warmCpu.push(Math.round((chromiumCpu() - c0) * 1000));
    assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
    warm.push(Number(await page.getAttribute("#result", "data-verify-ms")));
  }
  warm.sort((a, b) => a - b);
  warmCpu.sort((a, b) => a - b);
  const median = warm[2];
  const report = { proof: "3 assets, height 32 (96 commitments, one aggregated range proof padded to 128)", first_ms: first, warm_ms: warm, median_warm_ms: median, first_chromium_cpu_ms: Math.round(firstCpu * 1000), warm_chromium_cpu_ms: warmCpu, module_load_ms: load, chromium: browser.context.browser() ? browser.context.browser().version() : "", load_average: (await import("node:os")).loadavg() };
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, "v2-timing.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`v2 verification in Chromium: ${JSON.stringify(report)}`);
  // The goal is 1 s in Chromium for the first check (what a customer waits
  // for); the figure is reported above and in artifacts/browser/v2-timing.json.
  // On a shared, loaded machine wall time says little, so the bound asserted
  // here is a guard against gross regressions (5 s) unless
  // POR_V2_TIME_LIMIT_MS sets it (1000 on a quiet machine checks the goal).
  const limit = Number(process.env.POR_V2_TIME_LIMIT_MS || 5000);
  assert.ok(first <= limit, `first v2 check took ${first} ms (bound ${limit} ms, goal 1000 ms)`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the root hash alone, and no root at all", async () => {
  const page = await open();
  const c = vectors.valid[0];
  const tree = treeOf(c);
  const proof = JSON.stringify(c.proof);
  // Upper case, broken over two lines.
  const hash = tree.root.hash.toUpperCase();
  await verifyWith(page, { proof, root: `  ${hash.slice(0, 32)}\n${hash.slice(32)}  ` });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.match(await page.textContent("#verdict-text"), /whose root hash you gave\. That hash commits to the tree height, the asset list and the root commitments/);
  assert.deepEqual(await comparisons(page), { root_hash: "matches", height: "under-hash", assets: "under-hash", totals: "under-hash" });
  assert.match(await page.textContent("#todo-root"), /the root hash you gave is the one your exchange published/);
  assert.match(await page.textContent("#totals caption"), /the ones the root hash you gave commits to/);

  await verifyWith(page, { proof });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "not-compared");
  assert.match(await page.textContent("#verdict"), /Consistent, but not compared with a publication/);
  assert.match(await page.textContent("#todo-root"), new RegExp(tree.root.hash));
  assert.match(await page.textContent("#v2-against-proof"), /against the root written in the proof file itself/);
  assert.deepEqual(await comparisons(page), { root_hash: "not-given", height: "not-given", assets: "not-given", totals: "not-given" });
  await page.screenshot({ path: screenshotPath("v2-not-compared"), fullPage: true });

  // Another tree's hash: the proof belongs to another root.
  await verifyWith(page, { proof, root: vectors.trees[2].root.hash });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  assert.equal(await page.getAttribute("#failure", "data-kind"), "root-hash-mismatch");
  assert.equal(await page.getAttribute("#failure", "data-cause"), "root-differs");
  assert.equal((await comparisons(page)).root_hash, "differs");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("units rounded up are said so (vector tree rounded-up-units)", async () => {
  const page = await open();
  const c = vectors.valid.find((x) => x.name === "rounded-up-units/a");
  const tree = treeOf(c);
  await verifyWith(page, { proof: JSON.stringify(c.proof), root: JSON.stringify(tree.root) });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  const [x] = await balances(page);
  // 10000000000000000001 base units in units of 10: 1000000000000000001 units.
  assert.deepEqual(x, { symbol: "X", balance: "10.000000000000000001", counted: "10.00000000000000001 (rounded up)", roundedUp: "true" });
  assert.match(await page.textContent("#v2-units"), /liabilities are never under-reported/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("unreadable input: an error naming the field, no verdict", async () => {
  const page = await open();
  const p = structuredClone(vectors.valid[0].proof);
  p.balances[1] = "-1";
  await verifyWith(page, { proof: JSON.stringify(p) });
  assert.ok(await page.isVisible("#error"));
  assert.ok(await page.isHidden("#result"));
  assert.match(await page.textContent("#error"), /The proof file could not be read/);
  assert.match(await page.textContent("#error-detail"), /balances\[1\]/);
  const root = structuredClone(vectors.trees[0].root);
  root.totals[0] = "1.5";
  await verifyWith(page, { proof: JSON.stringify(vectors.valid[0].proof), root: JSON.stringify(root) });
  assert.match(await page.textContent("#error"), /The published root could not be read/);
  assert.match(await page.textContent("#error-detail"), /totals\[0\]/);
  // A tree summary that is not well formed is an input error too.
  await verifyWith(page, { proof: JSON.stringify(vectors.valid[0].proof), root: '{"root": "00", "height": 3, "customers": 5, "totals": {}}' });
  assert.match(await page.textContent("#error"), /The published root could not be read/);
  assert.match(await page.textContent("#error-detail"), /root/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a signed attestation carrying the v2 root: signature first, then the root it signs", async () => {
  const page = await open();
  const proof = readFileSync(join(FIXTURE, "proof-alice.json"), "utf8");
  const text = readFileSync(join(FIXTURE, "attestation.json"), "utf8");
  const attestation = JSON.parse(text);
  const root = JSON.parse(readFileSync(join(FIXTURE, "root.json"), "utf8"));
  // The fixture is the por-root-v2 under a signature (crates/por-wasm-v2/tests/fixture.rs).
  assert.deepEqual(attestation.liabilities, root);
  await verifyWith(page, { proof, root: text });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.match(await page.textContent("#verdict-text"), /signed attestation you gave: its signature is valid/);
  assert.deepEqual(await comparisons(page), { root_hash: "matches", height: "matches", assets: "matches", totals: "matches" });
  assert.equal(await page.getAttribute("#attestation", "data-signature"), "valid");
  // The fingerprint to compare: the first 8 bytes of SHA-256 of the x-only key, computed here.
  const { createHash } = await import("node:crypto");
  const fingerprint = createHash("sha256").update(Buffer.from(attestation.exchange.public_key, "hex")).digest("hex").slice(0, 16);
  assert.match(await page.textContent("#todo-root"), new RegExp(`compare this key fingerprint .*${fingerprint}`));
  assert.match(await page.textContent("#attestation"), new RegExp(fingerprint));
  assert.match(await page.textContent("#tree .snapshot"), /2026-11-21 \(2026-11-21T00:00:00Z\)/);
  assert.match(await page.textContent("#todo-snapshot"), /yours at the snapshot the attestation names, 2026-11-21 \(2026-11-21T00:00:00Z\)/);
  assert.match(await page.textContent("#totals caption"), /as signed in the attestation/);
  const totals = await page.$$eval("#totals tbody tr", (rows) => rows.map((r) => r.querySelector("td").textContent));
  assert.deepEqual(totals, root.totals.map((t, i) => display(BigInt(t) * 10n ** BigInt(root.assets[i].unit_exponent), root.assets[i].decimals)));
  await page.screenshot({ path: screenshotPath("v2-verified-attestation"), fullPage: true });

  // Changed after signing (a total): untrusted, nothing in it compared.
  const changed = structuredClone(attestation);
  changed.liabilities.totals[0] = String(BigInt(root.totals[0]) + 1n);
  await verifyWith(page, { proof, root: JSON.stringify(changed) });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  assert.equal(await page.getAttribute("#failure", "data-kind"), "bad-signature");
  assert.equal(await page.getAttribute("#failure", "data-cause"), "publication-untrusted");
  assert.match(await page.textContent("#failure"), /The attestation's signature is invalid\. The document was changed after it was signed/);
  assert.equal(await page.getAttribute("#attestation", "data-signature"), "invalid");
  assert.deepEqual(await comparisons(page), { root_hash: "not-compared", height: "not-compared", assets: "not-compared", totals: "not-compared" });
  assert.equal(await page.$("#v2-checked"), null);

  // A format v1 attestation (vectors/attestation-v1.json, signed): a v2 proof cannot lead to its root.
  const v1 = JSON.parse(readFileSync(join(REPO, "vectors", "attestation-v1.json"), "utf8")).cases.find((c) => c.name === "valid" && c.expected === "valid") ?? null;
  assert.ok(v1, "a valid case in vectors/attestation-v1.json");
  await verifyWith(page, { proof, root: v1.document });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  assert.equal(await page.getAttribute("#failure", "data-kind"), "format-mismatch");
  assert.match(await page.textContent("#failure"), /format v1/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("Japanese: the verdict, what is shown and hidden, and the box", async () => {
  const page = await open({ lang: "ja" });
  const c = vectors.valid[5];
  await verifyWith(page, { proof: JSON.stringify(c.proof), root: JSON.stringify(treeOf(c).root) });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.match(await page.textContent("#verdict"), /公表されたルートで検証しました/);
  assert.match(await page.textContent("#v2-shown-heading"), /この証明でわかること・隠されていること/);
  assert.match(await page.textContent("#v2-height"), /高さ 32 のツリーに入る顧客は最大 2,147,483,648 人/);
  assert.match(await page.textContent("#v2-range"), /32 個のコミットメント（32 項目 × 1 資産）/);
  assert.match(await page.textContent("#proves-v2"), /v2 形式の証明（por-proof-v2）では、他の顧客の残高と顧客数は隠されています/);
  await page.screenshot({ path: screenshotPath("v2-verified-ja"), fullPage: true });
  const bad = vectors.invalid.find((x) => x.name === "negative-sibling");
  await verifyWith(page, { proof: JSON.stringify(bad.proof), root: JSON.stringify(bad.root) });
  assert.match(await page.textContent("#failure"), /範囲証明が検証できません/);
  await assertAxeClean(page, "v2 failure in Japanese");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("accessibility: axe, contrast, focus, and 360 px without sideways scrolling", async () => {
  const page = await open();
  await page.setViewportSize({ width: 360, height: 740 });
  const root = readFileSync(join(FIXTURE, "root.json"), "utf8");
  const proof = readFileSync(join(FIXTURE, "proof-alice.json"), "utf8");
  await verifyWith(page, { proof, root });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.equal(await page.evaluate(() => document.activeElement.id), "result");
  await page.click("#technical summary");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width} px wide`);
  await page.screenshot({ path: screenshotPath("v2-verified-phone-360"), fullPage: true });
  await assertAxeClean(page, "v2 verified at 360 px");
  const ok = await contrastOf(page, ["#verdict", "#answer", "#detected", "#balances td", "#v2-units li", "#v2-shown li", "#v2-checked li", "#todo li", '#comparisons [data-result="matches"] td', "#tree dd"]);
  await verifyWith(page, { proof });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "not-compared");
  await assertAxeClean(page, "v2 not compared");
  const amber = await contrastOf(page, ["#verdict", "#answer", "#todo-root", '#comparisons [data-result="not-given"] td']);
  const bad = vectors.invalid.find((x) => x.name === "wrong-root-blinding");
  await verifyWith(page, { proof: JSON.stringify(bad.proof), root: JSON.stringify(bad.root) });
  assert.equal(await page.getAttribute("#failure", "data-cause"), "root-differs");
  assert.equal(await page.evaluate(() => document.activeElement.id), "result");
  await page.click("#technical summary");
  const red = await contrastOf(page, ["#verdict", "#answer", "#failure dd", ".note", "#next", '#comparisons [data-result="differs"] td']);
  for (const [sel, ratio] of [...ok, ...amber, ...red]) assert.ok(ratio >= 4.5, `${sel}: contrast ${ratio.toFixed(2)} < 4.5`);
  const width2 = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width2 <= 360, `failure: page is ${width2} px wide`);
  await assertAxeClean(page, "v2 failure");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the third module is requested only for a v2 proof, once, from the page's own origin", async () => {
  server.log.length = 0;
  const page = await open();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  // A file of por's first module (a malformed v1 proof) does not load it.
  await verifyWith(page, { proof: '{"format": "por-proof-v1"}' });
  assert.ok(await page.isVisible("#error"));
  const c = vectors.valid[0];
  for (let i = 0; i < 2; i++) {
    await verifyWith(page, { proof: JSON.stringify(c.proof), root: JSON.stringify(treeOf(c).root) });
    assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  }
  for (const u of requests) assert.ok(u.startsWith(server.origin + "/"), `request outside the page's origin: ${u}`);
  const paths = requests.map((u) => new URL(u).pathname);
  assert.deepEqual(paths, V2_FILES, `after load: ${paths.join(", ")}`);
  const received = server.log.map((p) => (p === "/" ? "/index.html" : p));
  assert.deepEqual([...new Set(received)].sort(), [...PAGE_FILES, ...V2_FILES].sort(), `server saw: ${received.join(", ")}`);
  for (const f of INTEROP_FILES) assert.ok(!received.includes(f), `${f} requested for a v2 proof`);
  await page.close();
});

async function contrastOf(page, selectors) {
  return page.evaluate((sels) => {
    const rgb = (s) => s.match(/[\d.]+/g).slice(0, 4).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c;
      }
      return [255, 255, 255];
    };
    return sels.map((sel) => {
      const el = document.querySelector(sel);
      if (!el) throw new Error(`no element ${sel}`);
      const a = lum(rgb(getComputedStyle(el).color));
      const b = lum(background(el));
      return [sel, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    });
  }, selectors);
}
