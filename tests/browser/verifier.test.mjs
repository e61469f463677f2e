// The customer's browser verifier (www/dist) in real Chromium: verdicts,
// balances, failure reasons, errors, languages, accessibility basics, and that
// the page makes no network request at all.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

import { requireTools, startServer, launchBrowser, makeFixtures, makeAttestation, screenshotPath, startPorServe, rawGet, makeSampleFixture, DIST, PAGE_FILES, assertAxeClean } from "./support.mjs";

let server;
let browser;
let fx;
// The exchange's signed attestation over fx's tree (por key generate + por attest).
let att;
// Every request any page made, across the whole run: [{url, phase}].
const requests = [];

before(async () => {
  requireTools();
  fx = makeFixtures();
  att = makeAttestation(fx);
  server = await startServer();
  browser = await launchBrowser();
  browser.context.on("request", (req) => requests.push(req.url()));
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

/** Opens the page (from the server unless a URL is given) and waits for the verifier. */
async function open(url = server.url, { lang = "en" } = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('html[data-state="ready"]', { timeout: 15000 });
  if ((await page.getAttribute("html", "lang")) !== lang) {
    await page.click(`[data-lang="${lang}"]`);
  }
  page.errors = errors;
  return page;
}

async function verifyWith(page, { proof, root = "" }) {
  await page.fill("#proof-text", proof);
  await page.fill("#root-text", root);
  await page.click("#verify");
  await page.waitForSelector('html[data-state="done"]');
}

async function table(page, id) {
  return page.$$eval(`#${id} tbody tr`, (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
}

async function failure(page) {
  return {
    kind: await page.getAttribute("#failure", "data-kind"),
    cause: await page.getAttribute("#failure", "data-cause"),
    text: await page.textContent("#failure"),
  };
}

function edit(json, f) {
  const v = JSON.parse(json);
  f(v);
  return JSON.stringify(v, null, 2);
}

/** The "Compared with the publication" table: {root_hash: "matches", …}. */
async function comparisons(page) {
  return page.$$eval("#comparisons tr", (rows) => Object.fromEntries(rows.map((r) => [r.dataset.item, r.dataset.result])));
}

const NOT_GIVEN = { root_hash: "not-given", height: "not-given", totals: "not-given", assets: "not-given", customers: "not-given" };

async function shot(page, name) {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

test("a valid proof with no published root is amber: consistent, not compared, never verified", async () => {
  const page = await open();
  await page.setInputFiles("#proof-file", fx.proofPath("carol"));
  await page.waitForSelector('#result[data-verdict="not-compared"]');
  const verdict = await page.textContent("#verdict");
  assert.match(verdict, /Consistent, but not compared with a publication/);
  assert.doesNotMatch(verdict, /Verified|✓/);
  assert.match(await page.getAttribute("#verdict", "class"), /\bwarn\b/);
  assert.match(await page.textContent("#verdict-text"), /any self-consistent file \(from a fake website, or from an old tree\) gets this far/);
  assert.match(await page.textContent("#answer"), /^Not known yet: your balances could not be compared/);
  assert.deepEqual(await comparisons(page), NOT_GIVEN);
  assert.equal(await page.textContent("#facts .account"), "carol");
  // Figures worked out by hand from the ledger in support.mjs.
  assert.deepEqual(await table(page, "balances"), [["BTC", "0.00000001"], ["ETH", "123.456"]]);
  assert.deepEqual(await table(page, "totals"), [["BTC", "12.50000001"], ["ETH", "129.456000000000000001"]]);
  const tree = await page.textContent("#tree");
  assert.match(tree, /Tree height3/);
  assert.ok(tree.includes(fx.rootHash), tree);
  // No published root given: the page says what to compare, and where.
  assert.match(await page.textContent("#todo-heading"), /What to compare, and where/);
  const todo = await page.textContent("#todo-root");
  assert.match(todo, /Give the root your exchange published in step 2 above/);
  assert.match(todo, /from the exchange's own website/);
  assert.ok(todo.includes(fx.rootHash), todo);
  assert.match(await page.textContent("#proof-file-name"), /proof-carol\.json/);
  await shot(page, "not-compared-proof-root");
  await page.click('[data-lang="ja"]');
  assert.match(await page.textContent("#verdict"), /整合していますが、公表値とは照合していません/);
  assert.match(await page.textContent("#comparisons"), /ルートハッシュ指定なし/);
  await shot(page, "not-compared-proof-root-ja");
  await page.click('[data-lang="en"]');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a valid proof with the published tree summary dropped on the page verifies every figure", async () => {
  const page = await open();
  await page.setInputFiles("#proof-file", fx.proofPath("alice"));
  await page.waitForSelector('#result[data-verdict="not-compared"]');
  // Drag and drop: a real DataTransfer carrying the file, dropped on the zone.
  const dt = await page.evaluateHandle((text) => {
    const d = new DataTransfer();
    d.items.add(new File([text], "root.json", { type: "application/json" }));
    return d;
  }, fx.summary);
  await page.evaluate(() => document.documentElement.removeAttribute("data-state"));
  await page.dispatchEvent("#root-drop", "drop", { dataTransfer: dt });
  await page.waitForSelector('html[data-state="done"]');
  assert.equal(await page.inputValue("#root-text"), fx.summary);
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.match(await page.textContent("#verdict-text"), /the summary you gave; its height, totals and customer count match the publication/);
  assert.deepEqual(await table(page, "balances"), [["BTC", "0.5"], ["ETH", "1"]]);
  assert.match(await page.textContent("#verdict"), /✓ Verified against the published root/);
  // The answer first, in plain words, right under the verdict and before
  // the balances; the technical details (leaf index, hashes) are collapsed.
  assert.match(await page.textContent("#answer"), /^Yes: your balances below are counted in the publication you gave/);
  const order = await page.evaluate(() => {
    const ids = [...document.querySelectorAll("#result [id]")].map((e) => e.id);
    return ["verdict", "answer", "balances", "technical"].map((id) => ids.indexOf(id));
  });
  assert.deepEqual([...order].sort((x, y) => x - y), order, `order ${order}`);
  assert.ok(order.every((i) => i >= 0), `order ${order}`);
  assert.equal(await page.getAttribute("#technical", "open"), null, "technical details start collapsed");
  assert.equal(await page.isVisible("#tree"), false, "the tree's facts are inside the collapsed details");
  assert.deepEqual(await comparisons(page), { root_hash: "matches", height: "matches", totals: "matches", assets: "not-given", customers: "matches" });
  assert.match(await page.textContent("#comparisons"), /Root hashmatches/);
  assert.match(await page.textContent("#tree"), /Customers5/);
  assert.match(await page.textContent("#totals caption"), /as published/);
  await shot(page, "verified-published-summary");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a pasted root hash is compared, and the page says the totals were not", async () => {
  const page = await open();
  await verifyWith(page, { proof: fx.proof("dave"), root: `  ${fx.rootHash.toUpperCase()}\n` });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.deepEqual(await table(page, "balances"), [["BTC", "10"], ["ETH", "0.000000000000000001"]]);
  assert.match(await page.textContent("#verdict-text"), /in the tree whose root hash you gave/);
  assert.deepEqual(await comparisons(page), { ...NOT_GIVEN, root_hash: "matches" });
  assert.match(await page.textContent("#comparisons"), /Tree heightnot given/);
  assert.match(await page.textContent("#todo-root"), /height and totals were not compared/);
  await page.close();
});

test("a tampered balance fails: the proof does not lead to its own root", async () => {
  const page = await open();
  const tampered = edit(fx.proof("alice"), (v) => { v.balances[0] = "5000000000"; });
  await verifyWith(page, { proof: tampered, root: fx.rootHash });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  assert.match(await page.textContent("#verdict"), /Not verified/);
  assert.match(await page.textContent("#answer"), /^No: this proof does not show that your balances are counted/);
  const f = await failure(page);
  assert.equal(f.kind, "root-hash-mismatch");
  assert.equal(f.cause, "proof-inconsistent");
  assert.match(f.text, /recomputed root hash differs/);
  assert.match(f.text, /was altered or damaged/);
  assert.match(f.text, /Failing level3 \(the root\)/);
  // The claimed balance is shown, marked as not verified.
  assert.deepEqual(await table(page, "balances"), [["BTC", "50"], ["ETH", "1"]]);
  assert.match(await page.textContent("#result .note"), /not verified/);
  assert.match(await page.textContent("#totals caption"), /as stated in the proof/);
  assert.equal(await page.$("#todo"), null);
  // What to do next: download again, contact the exchange, keep the file.
  const next = await page.textContent("#next");
  assert.match(next, /Download your proof file again/);
  assert.match(next, /contact your exchange/);
  assert.match(next, /Keep this proof file/);
  await shot(page, "failed-tampered-balance");

  // Everything from the file is shown as text: markup in a user id stays inert.
  const markup = '<img src="x" onerror="document.title=1">';
  await verifyWith(page, { proof: edit(fx.proof("alice"), (v) => { v.user_id = markup; }), root: fx.rootHash });
  assert.equal(await page.textContent("#facts .account"), markup);
  assert.equal(await page.$$eval("#result img", (els) => els.length), 0);
  assert.equal((await failure(page)).kind, "root-hash-mismatch");
  await page.close();
});

test("a tampered sibling fails: a changed hash, and an impossible sum at its level", async () => {
  const page = await open();
  const hashFlip = edit(fx.proof("bob"), (v) => {
    const h = v.path[1].hash;
    v.path[1].hash = (h[0] === "0" ? "1" : "0") + h.slice(1);
  });
  await verifyWith(page, { proof: hashFlip, root: fx.rootHash });
  let f = await failure(page);
  assert.equal(f.kind, "root-hash-mismatch");
  assert.equal(f.cause, "proof-inconsistent");
  await shot(page, "failed-tampered-sibling");

  const overflow = edit(fx.proof("bob"), (v) => { v.path[1].sums[0] = (2n ** 128n - 1n).toString(); });
  await verifyWith(page, { proof: overflow, root: fx.rootHash });
  f = await failure(page);
  assert.equal(f.kind, "sum-overflow");
  assert.match(f.text, /impossible amount/);
  assert.match(f.text, /Failing level2/);
  await page.close();
});

test("a wrong published root fails: the proof is consistent but belongs to another root", async () => {
  const page = await open();
  const wrong = fx.rootHash.slice(0, 63) + (fx.rootHash[63] === "0" ? "1" : "0");
  await verifyWith(page, { proof: fx.proof("erin"), root: wrong });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  const f = await failure(page);
  assert.equal(f.kind, "root-hash-mismatch");
  assert.equal(f.cause, "root-differs");
  assert.match(f.text, /belongs to another root/);
  assert.ok(f.text.includes(fx.rootHash), "shows the root the proof leads to");
  assert.ok((await page.textContent("#tree")).includes(wrong), "shows the root it was checked against");
  // The root hash differs: never shown as "yes" or as matching.
  assert.equal((await comparisons(page)).root_hash, "differs");
  assert.match(await page.textContent("#comparisons"), /Root hashdiffers/);
  assert.doesNotMatch(await page.textContent("#result"), /\byes\b/);
  assert.match(await page.textContent("#next"), /same snapshot \(date\) as your proof/);
  await shot(page, "failed-wrong-root");

  // A tree summary with the right hash but a wrong total.
  const badTotal = edit(fx.summary, (v) => { v.totals.ETH = "1"; });
  await verifyWith(page, { proof: fx.proof("erin"), root: badTotal });
  const g = await failure(page);
  assert.equal(g.kind, "root-sum-mismatch");
  assert.match(g.text, /root hash matches, but the totals differ/);
  assert.deepEqual(await comparisons(page), { root_hash: "matches", height: "matches", totals: "differs", assets: "not-given", customers: "matches" });
  // The totals shown are the published (wrong) ones, labelled as such.
  assert.match(await page.textContent("#totals caption"), /as published/);
  assert.deepEqual(await table(page, "totals"), [["BTC", "12.50000001"], ["ETH", "0.000000000000000001"]]);
  await page.close();
});

test("a valid proof against the signed attestation: signature, key fingerprint, snapshot", async () => {
  const page = await open();
  await page.setInputFiles("#proof-file", fx.proofPath("carol"));
  await page.waitForSelector('#result[data-verdict="not-compared"]');
  await page.evaluate(() => document.documentElement.removeAttribute("data-state"));
  await page.setInputFiles("#root-file", att.path);
  await page.waitForSelector('html[data-state="done"]');
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.match(await page.textContent("#verdict-text"), /signed attestation: its signature is valid/);
  assert.deepEqual(await table(page, "balances"), [["BTC", "0.00000001"], ["ETH", "123.456"]]);
  assert.deepEqual(await table(page, "totals"), [["BTC", "12.50000001"], ["ETH", "129.456000000000000001"]]);
  assert.match(await page.textContent("#totals caption"), /as published/);
  assert.deepEqual(await comparisons(page), { root_hash: "matches", height: "matches", totals: "matches", assets: "matches", customers: "matches" });
  const tree = await page.textContent("#tree");
  assert.match(tree, /Customers5/);
  assert.equal(await page.textContent("#tree .snapshot"), "2026-11-21 (2026-11-21T09:30:00Z)");
  // The key and fingerprint are the ones `por key generate` printed.
  assert.equal(await page.getAttribute("#attestation", "data-signature"), "valid");
  const section = await page.textContent("#attestation");
  assert.match(section, /Signature \(BIP-340\)valid/);
  assert.match(section, /Exchangeacme/);
  assert.ok(section.includes(att.publicKey), section);
  assert.equal(await page.textContent("#attestation .fingerprint"), att.fingerprint);
  assert.match(section, /bitcoin #870000 1{64}/);
  assert.match(section, /ethereum #21000000 0x(ab){32}/);
  const todo = await page.textContent("#todo-root");
  assert.match(todo, /Compare this key fingerprint with the one your exchange published/);
  assert.ok(todo.includes(att.fingerprint), todo);
  await shot(page, "verified-attestation");

  await page.click('[data-lang="ja"]');
  assert.match(await page.textContent("#verdict-text"), /署名付きアテステーション/);
  assert.match(await page.textContent("#attestation"), /署名（BIP-340）有効/);
  assert.match(await page.textContent("#todo-root"), /鍵のフィンガープリントを、取引所が/);
  await shot(page, "verified-attestation-ja");
  await page.click('[data-lang="en"]');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a tampered attestation fails its signature, with a readable reason, and its figures are not used", async () => {
  const page = await open();
  // The snapshot label changed after signing (pasted, pretty-printed differently).
  const tampered = edit(att.text, (v) => { v.snapshot.label = "2026-11-22"; });
  await verifyWith(page, { proof: fx.proof("bob"), root: tampered });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  const f = await failure(page);
  assert.equal(f.kind, "bad-signature");
  assert.equal(f.cause, "attestation-invalid");
  assert.match(f.text, /The attestation's signature is invalid\./);
  assert.match(f.text, /changed after it was signed/);
  assert.ok(f.text.includes(`does not verify against key ${att.publicKey}`), f.text);
  assert.equal(await page.getAttribute("#attestation", "data-signature"), "invalid");
  assert.equal(await page.$("#attestation .fingerprint"), null);
  assert.match(await page.textContent("#attestation"), /Signature \(BIP-340\)invalid/);
  assert.match(await page.textContent("#attestation"), /2026-11-22 \(2026-11-21T09:30:00Z\) \(not verified\)/);
  assert.match(await page.textContent("#tree .snapshot"), /Not stated/);
  assert.deepEqual(await comparisons(page), { root_hash: "not-compared", height: "not-compared", totals: "not-compared", assets: "not-compared", customers: "not-compared" });
  assert.match(await page.textContent("#totals caption"), /as stated in the proof/);
  assert.equal(await page.$("#todo"), null);
  await shot(page, "failed-attestation-signature");

  // Its signature replaced by another valid-looking one: same verdict, in Japanese.
  await page.click('[data-lang="ja"]');
  const resigned = edit(att.text, (v) => { v.signature = v.signature.slice(0, 127) + (v.signature.endsWith("0") ? "1" : "0"); });
  await verifyWith(page, { proof: fx.proof("bob"), root: resigned });
  assert.equal((await failure(page)).kind, "bad-signature");
  assert.match(await page.textContent("#failure"), /アテステーションの署名が無効です。/);
  await page.click('[data-lang="en"]');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a proof whose asset decimals were changed fails against the attestation's asset list", async () => {
  const page = await open();
  // The root hash does not cover decimals: with the hash alone the proof still verifies,
  // and would show ETH 1000 times... the attestation's asset list catches it.
  const changed = edit(fx.proof("carol"), (v) => { v.assets[1].decimals = 15; });
  await verifyWith(page, { proof: changed, root: fx.rootHash });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  assert.deepEqual(await table(page, "balances"), [["BTC", "0.00000001"], ["ETH", "123456"]]);

  await verifyWith(page, { proof: changed, root: att.text });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  const f = await failure(page);
  assert.equal(f.kind, "asset-mismatch");
  assert.equal(f.cause, "root-differs");
  assert.match(f.text, /different decimals/);
  assert.match(f.text, /asset ETH has 15 decimals in the proof but 18 in the publication/);
  assert.equal((await comparisons(page)).assets, "differs");
  assert.equal(await page.getAttribute("#attestation", "data-signature"), "valid");
  await shot(page, "failed-attestation-decimals");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a malformed attestation gives a readable error naming the field", async () => {
  const page = await open();
  const unsigned = edit(att.text, (v) => { delete v.signature; });
  await verifyWith(page, { proof: fx.proof("alice"), root: unsigned });
  assert.equal(await page.isHidden("#result"), true);
  assert.match(await page.textContent("#error"), /The published root could not be read/);
  assert.match(await page.textContent("#error-detail"), /malformed attestation: no `signature` member/);
  const badTime = edit(att.text, (v) => { v.snapshot.time = "21/11/2026"; });
  await verifyWith(page, { proof: fx.proof("alice"), root: badTime });
  assert.match(await page.textContent("#error-detail"), /snapshot\.time/);
  await page.close();
});

test("a malformed file gives a readable error, not a verdict", async () => {
  const page = await open();
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(['{"format": "por-proof-v1", "assets": [}'], "broken.json", { type: "application/json" }));
    return d;
  });
  await page.dispatchEvent("#proof-drop", "drop", { dataTransfer: dt });
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.isHidden("#result"), true);
  assert.match(await page.textContent("#error .error-title"), /The proof file could not be read/);
  assert.match(await page.textContent("#error-detail"), /^proof file: malformed proof: .*line 1 column \d+/);
  await shot(page, "error-malformed-proof");

  await verifyWith(page, { proof: fx.proof("alice"), root: "not a root" });
  assert.match(await page.textContent("#error .error-title"), /The published root could not be read/);
  assert.match(await page.textContent("#error-detail"), /neither a root hash \(64 hex digits\)/);

  // A file far larger than any proof is refused before it is read.
  const big = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File([new Uint8Array(9 * 1024 * 1024)], "huge.json"));
    return d;
  });
  await page.dispatchEvent("#proof-drop", "drop", { dataTransfer: big });
  await page.waitForFunction(() => /too large/.test(document.getElementById("error").textContent));
  assert.match(await page.textContent("#error"), /The file huge\.json is too large \(9437184 bytes\)/);

  await verifyWith(page, { proof: "   " });
  assert.match(await page.textContent("#error .error-title"), /Give your proof file first/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("Japanese: the language switch translates the page and the choice is kept", async () => {
  const page = await open();
  await page.click("#lang-ja");
  assert.equal(await page.getAttribute("html", "lang"), "ja");
  assert.equal(await page.getAttribute("#lang-ja", "aria-pressed"), "true");
  assert.equal(await page.textContent("h1"), "準備金証明であなたの残高を確認する");
  await verifyWith(page, { proof: fx.proof("carol"), root: fx.summary });
  assert.match(await page.textContent("#verdict"), /公表されたルートで検証しました/);
  assert.match(await page.textContent("#balances caption"), /あなたの残高/);
  await shot(page, "verified-ja");
  const wrong = fx.rootHash.replace(/^./, (c) => (c === "a" ? "b" : "a"));
  await verifyWith(page, { proof: fx.proof("carol"), root: wrong });
  assert.match(await page.textContent("#verdict"), /検証に失敗しました/);
  assert.match(await page.textContent("#failure"), /別のルートに属しています/);
  await shot(page, "failed-wrong-root-ja");
  // Kept across a reload (in the page's own storage; no cookie).
  await page.reload();
  await page.waitForSelector('html[data-state="ready"]');
  assert.equal(await page.getAttribute("html", "lang"), "ja");
  assert.equal((await browser.context.cookies()).length, 0);
  await page.click("#lang-en");
  assert.equal(await page.textContent("h1"), "Check your balance in the proof of reserves");
  await page.close();
});

test("keyboard: every control is reachable with Tab and the verdict takes the focus", async () => {
  const page = await open();
  await page.fill("#proof-text", fx.proof("bob"));
  await page.focus("#lang-en");
  const order = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    order.push(await page.evaluate(() => document.activeElement.id));
  }
  // extra-summary opens the inputs only some exchanges' formats need (closed: its fields are skipped).
  assert.deepEqual(order, ["lang-ja", "proof-file", "proof-text", "extra-summary", "root-file", "root-text", "verify", "clear"]);
  // Verify with the keyboard alone.
  await page.focus("#verify");
  await page.keyboard.press("Enter");
  await page.waitForSelector('html[data-state="done"]');
  assert.equal(await page.getAttribute("#result", "data-verdict"), "not-compared");
  assert.equal(await page.evaluate(() => document.activeElement.id), "result");
  // Every form control has a label.
  const unlabelled = await page.$$eval("input, textarea", (els) => els.filter((e) => e.labels.length === 0).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  assert.equal(await page.getAttribute("#result", "aria-live"), "polite");
  await page.close();
});

test("contrast: text and verdict colours meet WCAG AA (4.5:1)", async () => {
  const page = await open();
  await verifyWith(page, { proof: fx.proof("alice"), root: fx.rootHash });
  const okPairs = await contrastOf(page, ["body", "#verdict", "#answer", "#verify", "#lang-ja", ".intro", ".hint", "#todo", "footer"]);
  const wrong = fx.rootHash.replace(/^./, (c) => (c === "a" ? "b" : "a"));
  await verifyWith(page, { proof: fx.proof("alice"), root: wrong });
  const badPairs = await contrastOf(page, ["#verdict", "#answer", "#failure dd", ".note"]);
  const differsPairs = await contrastOf(page, ['#comparisons [data-result="differs"] td', "#next"]);
  await verifyWith(page, { proof: fx.proof("alice") });
  const amberPairs = await contrastOf(page, ["#verdict", "#answer", '#comparisons [data-result="not-given"] td', "#todo", "#proves"]);
  await verifyWith(page, { proof: fx.proof("alice"), root: fx.summary });
  const matchPairs = await contrastOf(page, ['#comparisons [data-result="matches"] td']);
  await verifyWith(page, { proof: "{" });
  const errPairs = await contrastOf(page, ["#error"]);
  for (const [sel, ratio] of [...okPairs, ...badPairs, ...differsPairs, ...amberPairs, ...matchPairs, ...errPairs]) {
    assert.ok(ratio >= 4.5, `${sel}: contrast ${ratio.toFixed(2)} < 4.5`);
  }
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

test("a phone-sized screen (360 px) shows everything without sideways scrolling", async () => {
  const page = await open();
  await page.setViewportSize({ width: 360, height: 740 });
  await verifyWith(page, { proof: fx.proof("carol"), root: fx.summary });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width} px wide`);
  await shot(page, "verified-phone-360");
  await page.close();
});

test("opened from a folder (file://), the page works the same", async () => {
  const url = pathToFileURL(join(DIST, "index.html")).href;
  const before = requests.length;
  const page = await open(url);
  await verifyWith(page, { proof: fx.proof("alice"), root: fx.summary });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  const mine = requests.slice(before);
  for (const r of mine) {
    assert.ok(r.startsWith(pathToFileURL(DIST).href + "/"), `request outside the page's folder: ${r}`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("no network: a CSP forbids connections, and the page loads only its own files", async () => {
  const page = await browser.context.newPage();
  const seen = [];
  page.on("request", (r) => seen.push(r.url()));
  const logBefore = server.log.length;
  await page.goto(server.url + "index.html");
  await page.waitForSelector('html[data-state="ready"]');
  await page.waitForLoadState("networkidle");
  const atLoad = seen.length;

  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  assert.ok(csp, "the page has a CSP meta tag");
  for (const directive of ["default-src 'none'", "connect-src 'none'", "form-action 'none'", "base-uri 'none'"]) {
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  }
  // The CSP really blocks a connection attempt: fetch fails and the server never hears of it.
  const fetched = await page.evaluate(() => fetch("/exfiltrate?x=1").then(() => "sent", (e) => `blocked: ${e.name}`));
  assert.match(fetched, /^blocked/);

  await verifyWith(page, { proof: fx.proof("bob"), root: fx.summary });
  await page.click("#lang-ja");
  await verifyWith(page, { proof: "{", root: "" });
  await page.waitForTimeout(300);

  const paths = seen.map((u) => {
    const url = new URL(u);
    assert.equal(url.origin, server.origin, `request to another origin: ${u}`);
    return url.pathname;
  });
  const loaded = paths.filter((p) => p !== "/exfiltrate");
  assert.deepEqual([...new Set(loaded)].sort(), [...PAGE_FILES].sort(), `requests: ${paths.join(", ")}`);
  // After load, the only request attempt is the fetch the CSP blocked (if the
  // browser reports blocked attempts at all).
  const afterLoad = seen.slice(atLoad);
  assert.ok(afterLoad.every((u) => u.endsWith("/exfiltrate?x=1")), `requests after load: ${afterLoad.join(", ")}`);
  // What the server actually received: the page files, never the blocked fetch.
  const received = server.log.slice(logBefore);
  assert.deepEqual([...new Set(received)].sort(), [...PAGE_FILES].sort(), `server saw: ${received.join(", ")}`);
  await page.close();

  // Across the whole run, every request any page made went to the page's own files.
  for (const r of requests) {
    const u = new URL(r);
    if (u.protocol === "file:") continue; // checked in the file:// test
    assert.equal(u.origin, server.origin, `request to another origin: ${r}`);
    assert.ok(PAGE_FILES.includes(u.pathname) || u.pathname === "/" || u.pathname === "/exfiltrate", `unexpected request ${r}`);
  }
});

test("por serve: the page and the published files, on 127.0.0.1, nothing outside them", async () => {
  const served = await startPorServe(fx.dir);
  try {
    assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await open(served.url);
    await verifyWith(page, { proof: fx.proof("bob"), root: fx.summary });
    assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
    assert.deepEqual(await table(page, "balances"), [["BTC", "2"], ["ETH", "0"]]);
    assert.deepEqual(page.errors, []);
    await page.close();

    const listing = await rawGet(served.url, "/published/");
    assert.equal(listing.status, 200);
    assert.match(listing.body, /<a href="\/published\/proof-alice\.json">proof-alice\.json<\/a>/);
    assert.doesNotMatch(listing.body, /secret/, "only the published directory is served");
    const proof = await rawGet(served.url, "/published/proof-alice.json");
    assert.equal(proof.type, "application/json");
    assert.equal(proof.body, fx.proof("alice"));
    const js = await rawGet(served.url, "/app.js");
    assert.match(js.type, /^text\/javascript/);
    for (const path of ["/../Cargo.toml", "/published/../../../Cargo.toml", "/published/%2e%2e/%2e%2e/%2e%2e/Cargo.toml", "/%2e%2e/%2e%2e/Cargo.toml"]) {
      const r = await rawGet(served.url, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.doesNotMatch(r.body, /\[workspace\]/, path);
    }
  } finally {
    served.stop();
  }
});

test("the sample exchange (examples/sample, three assets): proofs from por tree proof verify", async () => {
  const page = await open();
  for (const user of ["jean.dupont@example.com", "山田太郎"]) {
    const sample = makeSampleFixture(user);
    await verifyWith(page, { proof: sample.proof, root: sample.summary });
    assert.equal(await page.getAttribute("#result", "data-verdict"), "verified", user);
    assert.equal(await page.textContent("#facts .account"), user);
    // The customer's row of examples/sample/balances.csv and the column
    // totals, both worked out here with BigInt from the CSV text.
    assert.deepEqual(await table(page, "balances"), sample.expectedBalances, user);
    assert.deepEqual(await table(page, "totals"), sample.expectedTotals);
    assert.match(await page.textContent("#tree"), /Customers24/);
  }
  await shot(page, "verified-sample-exchange");
  await page.close();
});

test("axe-core finds no WCAG 2.1 A/AA violation: empty form, verdicts in both languages, error", async () => {
  const page = await open();
  const audit = (state) => assertAxeClean(page, state);
  await audit("empty form");
  await verifyWith(page, { proof: fx.proof("alice"), root: fx.summary });
  await audit("verified");
  await verifyWith(page, { proof: fx.proof("alice") });
  await audit("consistent, not compared");
  await page.click("#lang-ja");
  const wrong = fx.rootHash.replace(/^./, (c) => (c === "a" ? "b" : "a"));
  await verifyWith(page, { proof: fx.proof("alice"), root: wrong });
  await audit("not verified (ja)");
  await verifyWith(page, { proof: "{" });
  await audit("error (ja)");
  await page.close();
});

test("the four customer states, never conflated: verified, not compared, not verified, malformed", async () => {
  const page = await open();
  const states = [
    ["verified", { proof: fx.proof("dave"), root: fx.summary }, /✓ Verified against the published root/],
    ["not-compared", { proof: fx.proof("dave") }, /! Consistent, but not compared with a publication/],
    ["failed", { proof: fx.proof("dave"), root: "ab".repeat(32) }, /✗ Not verified/],
  ];
  for (const [verdict, input, heading] of states) {
    await verifyWith(page, input);
    assert.equal(await page.getAttribute("#result", "data-verdict"), verdict);
    assert.match(await page.textContent("#verdict"), heading);
    await shot(page, `state-${verdict}`);
  }
  // Only the verified state is green; the amber one is not.
  await verifyWith(page, { proof: fx.proof("dave") });
  assert.equal(await page.$("#verdict.ok"), null);
  assert.notEqual(await page.$("#verdict.warn"), null);
  // Malformed: an error naming the field, no verdict at all.
  await verifyWith(page, { proof: edit(fx.proof("dave"), (v) => { v.index = "x"; }) });
  assert.equal(await page.isHidden("#result"), true);
  assert.match(await page.textContent("#error-detail"), /index/);
  await shot(page, "state-malformed");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("fails closed: a report with an unknown root source or verdict is never shown as verified", async () => {
  const page = await open();
  await verifyWith(page, { proof: fx.proof("erin"), root: fx.summary });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
  // Swap the verifier's answer for reports this page does not know: a newer
  // root source, a newer verdict, "verified" against the proof's own root,
  // and "verified" with the root hash not compared.
  const variants = [
    { root_source: "published-somewhere-new" },
    { verdict: "verified-ish" },
    { root_source: "proof" },
    { comparisons: { root_hash: "not-given", height: "matches", totals: "matches", assets: "not-given", customers: "matches" } },
    { comparisons: { root_hash: "matches", height: "maybe", totals: "matches", assets: "not-given", customers: "matches" } },
  ];
  for (const change of variants) {
    await page.evaluate((change) => {
      if (!window.realVerify) window.realVerify = wasm_bindgen.verify;
      wasm_bindgen.verify = (proof, root) => JSON.stringify({ ...JSON.parse(window.realVerify(proof, root)), ...change });
    }, change);
    await verifyWith(page, { proof: fx.proof("erin"), root: fx.summary });
    const what = JSON.stringify(change);
    assert.equal(await page.getAttribute("#result", "data-verdict"), "failed", what);
    assert.match(await page.textContent("#verdict"), /Not verified/, what);
    assert.equal(await page.$("#verdict.ok"), null, what);
    assert.equal(await page.getAttribute("#failure", "data-cause"), "unsupported", what);
    assert.match(await page.textContent("#failure"), /does not call it verified/, what);
  }
  await shot(page, "failed-unknown-root-source");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the box says what this proves and what it does not, in English and Japanese", async () => {
  const page = await open();
  const box = async () => page.textContent("#proves");
  let text = await box();
  assert.match(text, /What this proves and what it does not/);
  assert.match(text, /your balances, as shown, are counted in the total liabilities/);
  assert.match(text, /does not show that the exchange holds the coins/);
  assert.match(text, /one other customer's exact balances/);
  assert.match(text, /total of up to 2, 4, 8, … customers/);
  assert.match(text, /number of customers within a factor of 2/);
  // Nowhere does the page claim that nobody else's balance can be seen.
  await verifyWith(page, { proof: fx.proof("alice"), root: fx.summary });
  const all = await page.textContent("body");
  assert.doesNotMatch(all, /without seeing anyone|cannot see (anyone|other)|only their own/i);
  await page.click('[data-lang="ja"]');
  text = await box();
  assert.match(text, /この確認でわかること・わからないこと/);
  assert.match(text, /負債総額に含まれています/);
  assert.match(text, /実際に保有していることは、この確認ではわかりません/);
  assert.match(text, /他の顧客1人の正確な残高/);
  assert.match(text, /顧客数が2倍の範囲でわかります/);
  await shot(page, "box-ja");
  await page.click('[data-lang="en"]');
  await page.close();
});
