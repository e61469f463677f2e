// Other exchanges' customer proofs on the customer's page (www/dist) in real
// Chromium: each file of vectors/exchange/ (the exchanges' own published
// files, see vectors/exchange/README.md) and a tampered copy (a balance + 1),
// with the verdict, exchange and weaknesses the documentation gives
// (docs/interop.md, vectors/exchange/README.md), in English and Japanese;
// an unknown file; and that the second module (por_wasm_interop*.js) is
// requested only when a file is not por's own format.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { requireTools, startServer, launchBrowser, makeFixtures, screenshotPath, DIST, REPO, PAGE_FILES, INTEROP_FILES } from "./support.mjs";

const V = join(REPO, "vectors", "exchange");
const vector = (p) => readFileSync(join(V, p), "utf8");

let server;
let browser;
let fx;

before(async () => {
  requireTools();
  fx = makeFixtures();
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

async function open(url = server.url, { lang = "en" } = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('html[data-state="ready"]', { timeout: 15000 });
  if ((await page.getAttribute("html", "lang")) !== lang) await page.click(`[data-lang="${lang}"]`);
  page.errors = errors;
  return page;
}

async function verifyWith(page, { proof, root = "", tree = "", account = "", nonce = "" }) {
  await page.fill("#proof-text", proof);
  await page.fill("#root-text", root);
  if (tree || account || nonce) {
    // The customer opens "only for some exchanges' formats" and fills it in.
    if ((await page.getAttribute("#extra", "open")) === null) await page.click("#extra-summary");
    await page.fill("#tree-text", tree);
    await page.fill("#account-text", account);
    await page.fill("#nonce-text", nonce);
  } else {
    await page.evaluate(() => {
      for (const id of ["tree-text", "account-text", "nonce-text"]) document.getElementById(id).value = "";
      document.getElementById("extra").open = false;
    });
  }
  await page.click("#verify");
  await page.waitForSelector('html[data-state="done"]', { timeout: 15000 });
}

async function shot(page, name) {
  await page.screenshot({ path: screenshotPath(`interop-${name}`), fullPage: true });
}

/** What the page shows for an exchange proof. */
async function shown(page) {
  return {
    verdict: await page.getAttribute("#result", "data-verdict"),
    format: await page.getAttribute("#result", "data-format"),
    exchange: await page.getAttribute("#result", "data-exchange"),
    heading: await page.textContent("#verdict"),
    detected: await page.textContent("#detected"),
    weaknesses: await page.$$eval("#weaknesses li", (ls) => ls.map((l) => l.dataset.weakness)),
    weaknessText: await page.textContent("#weaknesses"),
    balances: (await page.$("#balances"))
      ? await page.$$eval("#balances tbody tr", (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]))
      : [],
    step: (await page.$("#failure")) ? await page.getAttribute("#failure", "data-step") : null,
    green: (await page.$("#verdict.ok")) !== null,
  };
}

/** A non-negative decimal string + 1 (its integer part), digits kept as written. */
function plusOne(s) {
  const [int, frac] = s.split(".");
  const next = (BigInt(int) + 1n).toString();
  return frac === undefined ? next : `${next}.${frac}`;
}

function edit(text, f) {
  const v = JSON.parse(text);
  f(v);
  return JSON.stringify(v, null, 2);
}

/** The balances as the file states them, sorted by symbol. */
const stated = (obj) => Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : 1));
const sortRows = (rows) => [...rows].sort(([a], [b]) => (a < b ? -1 : 1));

// The weaknesses docs/interop.md lists for each format (written out here,
// not taken from the code under test).
const WEAK = {
  "okx-v1": ["sibling-sums-not-bound", "negative-balances-not-excluded", "root-not-signed", "proof-carries-own-root", "sums-truncated"],
  "okx-v2": ["internal-nodes-not-checked", "sibling-sums-not-bound", "negative-balances-not-excluded", "root-not-signed", "sums-truncated"],
  bitget: ["hash-truncated-64", "sibling-sums-not-bound", "negative-balances-not-excluded", "root-not-signed", "proof-carries-own-root"],
  bitunix: ["sibling-sums-not-bound", "negative-balances-not-excluded", "assets-or-decimals-not-committed", "root-not-signed", "proof-carries-own-root", "sums-truncated", "stated-totals-not-checked"],
  mexc: ["hash-truncated-128", "sibling-sums-not-bound", "negative-balances-not-excluded", "user-id-unsalted", "root-not-signed", "proof-carries-own-root", "stated-totals-not-checked"],
  coinex: ["sibling-sums-not-bound", "negative-balances-not-excluded", "root-not-signed", "proof-carries-own-root"],
  bitmex: ["assets-or-decimals-not-committed", "root-not-signed", "proof-carries-own-root"],
};

const bitmexAccount3 = () => JSON.parse(vector("bitmex/generated-accounts.json")).accounts.find((a) => a.account === 3);

// Each format: the published file (valid, or as README.md documents it) and
// the same file with one of the customer's balances + 1.
const CASES = [
  {
    name: "okx-v1", exchange: "OKX", file: "okx/merkle_proof_file.json", verdict: "not-compared",
    balances: (v) => stated(v.self.balances),
    tamper: (t) => edit(t, (v) => { v.self.balances.USDT = plusOne(v.self.balances.USDT); }), tamperedStep: "self",
  },
  {
    name: "okx-v2", exchange: "OKX", file: "okx/user_info_file.json", tree: "okx/full-liabilities-merkle-tree.txt", verdict: "not-compared",
    balances: (v) => stated(v.totalBalances),
    tamper: (t) => edit(t, (v) => { v.totalBalances.BTC = plusOne(v.totalBalances.BTC); }), tamperedStep: "user-info",
  },
  {
    name: "bitget", exchange: "Bitget", file: "bitget/merkel_tree_bg.json", verdict: "not-compared",
    balances: (v) => stated(v.self.balances),
    tamper: (t) => edit(t, (v) => { v.self.balances.USDT = plusOne(v.self.balances.USDT); }), tamperedStep: "self",
  },
  {
    name: "bitunix", exchange: "Bitunix", file: "bitunix/merkle_tree_bitunix.json", verdict: "not-compared",
    balances: (v) => stated(v.self.balances),
    tamper: (t) => edit(t, (v) => { v.self.balances.USDT = plusOne(v.self.balances.USDT); }), tamperedStep: "self",
  },
  {
    name: "mexc", exchange: "MEXC", file: "mexc/merkle_proof.json", verdict: "not-compared",
    balances: (v) => stated(v.self.balances),
    tamper: (t) => edit(t, (v) => { v.self.balances.ETH = plusOne(v.self.balances.ETH); }), tamperedStep: "self",
  },
  {
    // CoinEx's published example fails CoinEx's own rule (README.md).
    name: "coinex", exchange: "CoinEx", file: "coinex/merkle_proof_file.json", verdict: "failed", step: "root",
    balances: (v) => stated(v.self.balances),
    tamper: (t) => edit(t, (v) => { v.self.balances.USDT = plusOne(v.self.balances.USDT); }), tamperedStep: "root",
  },
  {
    // Account 3 opens leaf 7 alone: line 15 of the tree (README.md, tampered.rs).
    name: "bitmex", exchange: "BitMEX", file: "bitmex/generated-tree.txt", verdict: "not-compared",
    account: "3", nonce: () => bitmexAccount3().nonce,
    balances: () => [["sats", String(bitmexAccount3().total)]],
    tamper: (t) => {
      const lines = t.split("\n");
      const [h, v] = lines[15].split(",");
      lines[15] = `${h},${BigInt(v) + 1n}`;
      return lines.join("\n");
    },
    tamperedStep: "leaf",
  },
];

for (const c of CASES) {
  test(`${c.name}: the published file and a balance + 1, in English and Japanese`, async () => {
    const page = await open();
    const text = vector(c.file);
    const extra = { tree: c.tree ? vector(c.tree) : "", account: c.account || "", nonce: c.nonce ? c.nonce() : "" };
    await verifyWith(page, { proof: text, ...extra });
    let s = await shown(page);
    assert.equal(s.verdict, c.verdict, `${c.file}: ${s.heading}`);
    assert.equal(s.format, c.name);
    assert.equal(s.exchange, c.exchange);
    assert.match(s.detected, new RegExp(`${c.exchange}'s customer proof, format ${c.name}\\.`));
    assert.deepEqual([...s.weaknesses].sort(), [...WEAK[c.name]].sort());
    assert.equal(s.green, false, "never green without a root the customer gave");
    if (c.step) assert.equal(s.step, c.step);
    const expected = c.name === "bitmex" ? c.balances() : c.balances(JSON.parse(text));
    assert.deepEqual(sortRows(s.balances), expected);
    if (c.verdict === "not-compared") {
      assert.match(s.heading, new RegExp(`! Valid by ${c.exchange}'s own rule, but not compared with a published root`));
      assert.match(await page.textContent("#answer"), /^Not known yet/);
    } else {
      assert.match(s.heading, new RegExp(`✗ Invalid: ${c.exchange}'s own rule rejects this proof`));
    }
    // Every weakness in plain English.
    if (s.weaknesses.includes("sibling-sums-not-bound")) assert.match(s.weaknessText, /value can be moved between siblings/);
    if (s.weaknesses.includes("hash-truncated-64")) assert.match(s.weaknessText, /cut to 64 bits/);
    await shot(page, `${c.name}-en`);

    await page.click("#lang-ja");
    s = await shown(page);
    assert.match(s.detected, /内容から判定/);
    assert.match(s.weaknessText, /この形式の弱点（判定は変わりません）/);
    if (s.weaknesses.includes("sibling-sums-not-bound")) assert.match(s.weaknessText, /兄弟ノード間で金額を移す/);
    if (s.weaknesses.includes("hash-truncated-64")) assert.match(s.weaknessText, /64ビット/);
    assert.match(await page.textContent("#answer"), c.verdict === "failed" ? /^いいえ/ : /^まだ分かりません/);
    await shot(page, `${c.name}-ja`);
    await page.click("#lang-en");

    // Tampered: a balance + 1 is rejected by the exchange's own rule.
    await verifyWith(page, { proof: c.tamper(text), ...extra });
    s = await shown(page);
    assert.equal(s.verdict, "failed", `${c.file} tampered: ${s.heading}`);
    assert.equal(s.format, c.name);
    assert.equal(s.step, c.tamperedStep);
    assert.equal(s.green, false);
    assert.match(await page.textContent("#answer"), new RegExp(`^No: ${c.exchange}'s own rule rejects this proof at step “${c.tamperedStep}”`));
    assert.deepEqual([...s.weaknesses].sort(), [...WEAK[c.name]].sort());
    await shot(page, `${c.name}-tampered`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test("a root hash the customer gives: green only when valid and compared, red when it differs", async () => {
  const page = await open();
  const text = vector("okx/merkle_proof_file.json");
  // README.md: valid (okx-v1), root ac6b39d2…160d; the root hash is the last path entry's.
  const root = JSON.parse(text).path.at(-1).hash;
  assert.match(root, /^ac6b39d2[0-9a-f]*160d$/);
  await verifyWith(page, { proof: text, root });
  let s = await shown(page);
  assert.equal(s.verdict, "verified");
  assert.equal(s.green, true);
  assert.match(s.heading, /✓ Valid, and it leads to the root hash you gave/);
  assert.equal(await page.textContent("#facts dd.compared"), "yes");
  await shot(page, "okx-v1-verified");
  await page.click("#lang-ja");
  assert.match(await page.textContent("#verdict"), /有効で、指定されたルートハッシュに一致します/);
  await page.click("#lang-en");

  await verifyWith(page, { proof: text, root: "ab".repeat(32) });
  s = await shown(page);
  assert.equal(s.verdict, "failed");
  assert.equal(s.step, "publication");
  assert.equal(s.green, false);
  await shot(page, "okx-v1-root-differs");

  // A root that is not hex: a readable error, no verdict.
  await verifyWith(page, { proof: text, root: "not a root" });
  assert.equal(await page.isHidden("#result"), true);
  assert.equal(await page.getAttribute("#error", "data-error"), "root");
  assert.match(await page.textContent("#error .error-title"), /root hash you gave could not be read/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("unverifiable formats (Gate, Binance zk) and BitMEX without a nonce are amber, never green", async () => {
  const page = await open();
  for (const [file, format, exchange] of [["gate/user_config.json", "gate-zk", "Gate"], ["binance-zk/user_config.json", "binance-zk", "Binance"]]) {
    await verifyWith(page, { proof: vector(file), root: "ab".repeat(32) });
    const s = await shown(page);
    assert.equal(s.verdict, "unverifiable");
    assert.equal(s.format, format);
    assert.equal(s.exchange, exchange);
    assert.equal(s.green, false);
    assert.match(s.heading, /\? Cannot be checked here/);
    assert.match(await page.textContent("#failure"), /Poseidon/);
    await shot(page, `${format}-unverifiable`);
  }
  await page.click("#lang-ja");
  assert.match(await page.textContent("#verdict"), /ここでは検証できません/);
  await page.click("#lang-en");
  await verifyWith(page, { proof: vector("bitmex/generated-tree.txt") });
  const s = await shown(page);
  assert.equal(s.verdict, "unverifiable");
  assert.equal(s.format, "bitmex");
  assert.match(await page.textContent("#todo-bitmex"), /account id and the nonce/);
  // The page names its own inputs, not the CLI's options.
  assert.doesNotMatch(await page.textContent("#result"), /--nonce|--account/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("drop and picker: the format is told by the contents, not the file name", async () => {
  const page = await open();
  // Bitget's file dropped under another exchange's name.
  const dt = await page.evaluateHandle((text) => {
    const d = new DataTransfer();
    d.items.add(new File([text], "merkle_proof_file.json", { type: "application/json" }));
    return d;
  }, vector("bitget/merkel_tree_bg.json"));
  await page.dispatchEvent("#proof-drop", "drop", { dataTransfer: dt });
  await page.waitForSelector('#result[data-format="bitget"]');
  assert.equal(await page.getAttribute("#result", "data-exchange"), "Bitget");
  // MEXC's file chosen with the picker, named like por's proof.
  await page.setInputFiles("#proof-file", { name: "proof-alice.json", mimeType: "application/json", buffer: Buffer.from(vector("mexc/merkle_proof.json")) });
  await page.waitForSelector('#result[data-format="mexc"]');
  assert.equal(await page.getAttribute("#result", "data-verdict"), "not-compared");
  // OKX v2: the tree file given with its own picker.
  await page.fill("#proof-text", vector("okx/user_info_file.json"));
  await page.click("#extra-summary");
  await page.setInputFiles("#tree-file", { name: "tree.txt", mimeType: "text/plain", buffer: Buffer.from(vector("okx/full-liabilities-merkle-tree.txt")) });
  await page.waitForSelector('#result[data-format="okx-v2"]');
  assert.equal(await page.getAttribute("#result", "data-verdict"), "not-compared");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("an unknown file gives a clear \"unknown format\" with the closest candidates; OKX's tree alone says what it is", async () => {
  const page = await open();
  await verifyWith(page, { proof: "hello, this is not a proof" });
  assert.equal(await page.isHidden("#result"), true);
  assert.equal(await page.getAttribute("#error", "data-error"), "unknown-format");
  assert.match(await page.textContent("#error .error-title"), /^Unknown format: this file is not a customer proof this page recognises\.$/);
  await shot(page, "unknown-en");
  await page.click("#lang-ja");
  assert.match(await page.textContent("#error .error-title"), /^不明な形式/);
  await shot(page, "unknown-ja");
  await page.click("#lang-en");

  // Close to OKX v1 (self, no path): the closest format and what it lacks.
  const okx = JSON.parse(vector("okx/merkle_proof_file.json"));
  delete okx.path;
  await verifyWith(page, { proof: JSON.stringify(okx) });
  assert.equal(await page.getAttribute("#error", "data-error"), "unknown-format");
  assert.match(await page.textContent("#error"), /Closest: okx-v1 \(OKX\), \d+ of \d+ features; missing: .*path/);

  await verifyWith(page, { proof: vector("okx/full-liabilities-merkle-tree.txt") });
  assert.equal(await page.getAttribute("#error", "data-error"), "unknown-format");
  assert.match(await page.textContent("#error-detail"), /OKX's full liabilities tree file \(okx-v2\), not a customer proof/);

  // OKX's user info file without the tree: says what to give.
  await verifyWith(page, { proof: vector("okx/user_info_file.json") });
  assert.equal(await page.getAttribute("#error", "data-error"), "needs-tree");
  assert.match(await page.textContent("#error .error-title"), /OKX's full liabilities tree file/);
  assert.equal(await page.getAttribute("#extra", "open"), "");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the extra module is requested only when a file is not por's own format, and from the page's folder only", async () => {
  const page = await browser.context.newPage();
  const seen = [];
  page.on("request", (r) => seen.push(new URL(r.url())));
  const logBefore = server.log.length;
  await page.goto(server.url + "index.html");
  await page.waitForSelector('html[data-state="ready"]');
  await page.waitForLoadState("networkidle");
  // por's own proof, a malformed file and a distribution-like typo: first module only.
  await verifyWith(page, { proof: fx.proof("alice"), root: fx.rootHash });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  await verifyWith(page, { proof: "{" });
  await page.waitForTimeout(300);
  let paths = [...new Set(seen.map((u) => u.pathname))].sort();
  assert.deepEqual(paths, [...PAGE_FILES].sort(), `before an exchange file: ${paths.join(", ")}`);
  assert.equal(await page.evaluate(() => typeof por_interop), "undefined");

  // An exchange's file: the extra module's two files, once.
  await verifyWith(page, { proof: vector("okx/merkle_proof_file.json") });
  await verifyWith(page, { proof: vector("bitget/merkel_tree_bg.json") });
  await page.waitForTimeout(300);
  for (const u of seen) assert.equal(u.origin, server.origin, `request to another origin: ${u}`);
  paths = seen.map((u) => u.pathname);
  assert.deepEqual([...new Set(paths)].sort(), [...PAGE_FILES, ...INTEROP_FILES].sort());
  for (const f of INTEROP_FILES) assert.equal(paths.filter((p) => p === f).length, 1, `${f} requested once`);
  const received = server.log.slice(logBefore);
  assert.deepEqual([...new Set(received)].sort(), [...PAGE_FILES, ...INTEROP_FILES].sort(), `server saw: ${received.join(", ")}`);
  // por's proof still goes to the first module afterwards.
  await verifyWith(page, { proof: fx.proof("bob") });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "not-compared");
  assert.equal(await page.getAttribute("#result", "data-format"), null);
  await page.close();
});

test("opened from a folder (file://), an exchange's file is checked with no request outside the folder", async () => {
  const page = await browser.context.newPage();
  const seen = [];
  page.on("request", (r) => seen.push(r.url()));
  await page.goto(pathToFileURL(join(DIST, "index.html")).href);
  await page.waitForSelector('html[data-state="ready"]');
  await verifyWith(page, { proof: vector("mexc/merkle_proof.json") });
  assert.equal(await page.getAttribute("#result", "data-format"), "mexc");
  for (const r of seen) assert.ok(r.startsWith(pathToFileURL(DIST).href + "/"), `request outside the page's folder: ${r}`);
  assert.ok(seen.some((r) => r.endsWith("/por_wasm_interop_bytes.js")));
  await page.close();
});

test("exchange verdicts fit a phone (360 px) and axe-core finds no WCAG 2.1 A/AA violation, in both languages", async () => {
  const axeSource = readFileSync(join(REPO, "tests", "browser", "node_modules", "axe-core", "axe.min.js"), "utf8");
  const page = await open();
  await page.setViewportSize({ width: 360, height: 740 });
  // Injected through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const audit = async (state) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${state}: page is ${width} px wide`);
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    );
    const found = result.violations.map((v) => `${state}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(found, [], found.join("\n"));
  };
  const okx = vector("okx/merkle_proof_file.json");
  await verifyWith(page, { proof: okx, root: JSON.parse(okx).path.at(-1).hash });
  await audit("valid and compared");
  await verifyWith(page, { proof: vector("bitget/merkel_tree_bg.json") });
  await audit("valid, not compared");
  await shot(page, "bitget-phone-360");
  await page.click("#lang-ja");
  await verifyWith(page, { proof: vector("coinex/merkle_proof_file.json") });
  await audit("invalid (ja)");
  await verifyWith(page, { proof: vector("gate/user_config.json") });
  await audit("unverifiable (ja)");
  await verifyWith(page, { proof: "hello" });
  await audit("unknown format (ja)");
  await shot(page, "unknown-phone-360-ja");
  await page.click("#lang-en");
  assert.deepEqual(page.errors, []);
  await page.close();
});
