// The customer's browser verifier (www/dist) in real Chromium: verdicts,
// balances, failure reasons, errors, languages, accessibility basics, and that
// the page makes no network request at all.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { readFileSync } from "node:fs";

import { requireTools, startServer, launchBrowser, makeFixtures, screenshotPath, startPorServe, rawGet, makeSampleFixture, DIST, REPO, PAGE_FILES } from "./support.mjs";

let server;
let browser;
let fx;
// Every request any page made, across the whole run: [{url, phase}].
const requests = [];

before(async () => {
  requireTools();
  fx = makeFixtures();
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

async function shot(page, name) {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

test("a valid proof chosen with the file picker verifies and shows the balances", async () => {
  const page = await open();
  await page.setInputFiles("#proof-file", fx.proofPath("carol"));
  await page.waitForSelector('#result[data-verdict="verified"]');
  assert.match(await page.textContent("#verdict"), /Verified/);
  assert.equal(await page.textContent("#facts .account"), "carol");
  // Figures worked out by hand from the ledger in support.mjs.
  assert.deepEqual(await table(page, "balances"), [["BTC", "0.00000001"], ["ETH", "123.456"]]);
  assert.deepEqual(await table(page, "totals"), [["BTC", "12.50000001"], ["ETH", "129.456000000000000001"]]);
  const tree = await page.textContent("#tree");
  assert.match(tree, /Tree height3/);
  assert.ok(tree.includes(fx.rootHash), tree);
  // No published root given: the page says to compare the root by hand.
  const todo = await page.textContent("#todo-root");
  assert.match(todo, /Compare this root hash with the one your exchange published/);
  assert.ok(todo.includes(fx.rootHash), todo);
  assert.match(await page.textContent("#proof-file-name"), /proof-carol\.json/);
  await shot(page, "verified-proof-root");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a valid proof with the published tree summary dropped on the page verifies every figure", async () => {
  const page = await open();
  await page.setInputFiles("#proof-file", fx.proofPath("alice"));
  await page.waitForSelector('#result[data-verdict="verified"]');
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
  assert.match(await page.textContent("#verdict-text"), /height and totals match the publication/);
  assert.deepEqual(await table(page, "balances"), [["BTC", "0.5"], ["ETH", "1"]]);
  const tree = await page.textContent("#tree");
  assert.match(tree, /root hash: yes · height: yes · totals: yes/);
  assert.match(tree, /Customers5/);
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
  assert.match(await page.textContent("#tree"), /root hash: yes · height: no · totals: no/);
  assert.match(await page.textContent("#todo-root"), /height and totals were not compared/);
  await page.close();
});

test("a tampered balance fails: the proof does not lead to its own root", async () => {
  const page = await open();
  const tampered = edit(fx.proof("alice"), (v) => { v.balances[0] = "5000000000"; });
  await verifyWith(page, { proof: tampered, root: fx.rootHash });
  assert.equal(await page.getAttribute("#result", "data-verdict"), "failed");
  assert.match(await page.textContent("#verdict"), /Not verified/);
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
  await shot(page, "failed-wrong-root");

  // A tree summary with the right hash but a wrong total.
  const badTotal = edit(fx.summary, (v) => { v.totals.ETH = "1"; });
  await verifyWith(page, { proof: fx.proof("erin"), root: badTotal });
  const g = await failure(page);
  assert.equal(g.kind, "root-sum-mismatch");
  assert.match(g.text, /root hash matches, but the totals differ/);
  // The totals shown are the published (wrong) ones, labelled as such.
  assert.match(await page.textContent("#totals caption"), /as published/);
  assert.deepEqual(await table(page, "totals"), [["BTC", "12.50000001"], ["ETH", "0.000000000000000001"]]);
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
  assert.match(await page.textContent("#verdict"), /検証に成功しました/);
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
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press("Tab");
    order.push(await page.evaluate(() => document.activeElement.id));
  }
  assert.deepEqual(order, ["lang-ja", "proof-file", "proof-text", "root-file", "root-text", "verify", "clear"]);
  // Verify with the keyboard alone.
  await page.focus("#verify");
  await page.keyboard.press("Enter");
  await page.waitForSelector('html[data-state="done"]');
  assert.equal(await page.getAttribute("#result", "data-verdict"), "verified");
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
  const okPairs = await contrastOf(page, ["body", "#verdict", "#verify", "#lang-ja", ".intro", ".hint", "#todo", "footer"]);
  const wrong = fx.rootHash.replace(/^./, (c) => (c === "a" ? "b" : "a"));
  await verifyWith(page, { proof: fx.proof("alice"), root: wrong });
  const badPairs = await contrastOf(page, ["#verdict", "#failure dd", ".note"]);
  await verifyWith(page, { proof: "{" });
  const errPairs = await contrastOf(page, ["#error"]);
  for (const [sel, ratio] of [...okPairs, ...badPairs, ...errPairs]) {
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
  const axeSource = readFileSync(join(REPO, "tests", "browser", "node_modules", "axe-core", "axe.min.js"), "utf8");
  const page = await open();
  // Injected through the DevTools protocol, which the page's CSP does not
  // govern; the page itself still loads nothing but its own files.
  await page.evaluate(axeSource);
  const audit = async (state) => {
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    );
    const found = result.violations.map((v) => `${state}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(found, [], found.join("\n"));
    assert.ok(result.passes.length > 10, `${state}: axe ran ${result.passes.length} passing rules`);
  };
  await audit("empty form");
  await verifyWith(page, { proof: fx.proof("alice"), root: fx.summary });
  await audit("verified");
  await page.click("#lang-ja");
  const wrong = fx.rootHash.replace(/^./, (c) => (c === "a" ? "b" : "a"));
  await verifyWith(page, { proof: fx.proof("alice"), root: wrong });
  await audit("not verified (ja)");
  await verifyWith(page, { proof: "{" });
  await audit("error (ja)");
  await page.close();
});
