// Shared pieces of the browser tests: a tiny static server for www/dist on
// 127.0.0.1 (a free port) that logs every request it gets, Debian's Chromium
// driven by playwright-core, and the proof fixtures made by the real tools.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname, extname, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DIST = process.env.POR_WWW_DIST ? resolve(process.env.POR_WWW_DIST) : join(REPO, "www", "dist");
export const ARTIFACTS = join(REPO, "artifacts", "browser");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** The files the page is made of: the only requests it makes for por's own proofs. */
export const PAGE_FILES = ["/index.html", "/style.css", "/por_wasm.js", "/por_wasm_bytes.js", "/app.js"];
/** The second module (other exchanges' proofs): requested only for a file that is not por's own format. */
export const INTEROP_FILES = ["/por_wasm_interop.js", "/por_wasm_interop_bytes.js"];

export function requireTools() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (Debian's chromium)`);
  if (!existsSync(join(DIST, "index.html")) || !existsSync(join(DIST, "por_wasm_bytes.js")) || !existsSync(join(DIST, "por_wasm_interop_bytes.js"))) {
    missing.push(`the built page in ${DIST} (run scripts/build-www)`);
  }
  if (!existsSync(join(REPO, "tests", "browser", "node_modules", "playwright-core"))) {
    missing.push("playwright-core (npm ci in tests/browser)");
  }
  if (missing.length > 0) {
    throw new Error(`browser tests need: ${missing.join("; ")}. Install with scripts/ci/deps-browser.sh, run with scripts/ci/test-browser.sh`);
  }
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/** Serves DIST on 127.0.0.1; `log` records the path of every request received. */
export async function startServer() {
  const log = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    log.push(path);
    const rel = path === "/" ? "/index.html" : path;
    const file = resolve(DIST, "." + rel);
    if (req.method !== "GET" || !file.startsWith(DIST + sep) || !existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, origin: `http://127.0.0.1:${port}`, log, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches Debian's Chromium with a fresh profile; playwright-core downloads nothing. */
export async function launchBrowser() {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "por-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1000, height: 900 },
    locale: "en-US",
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, `${name}.png`);
}

// The ledger the fixtures are made from. The expected figures in the tests are
// worked out by hand from it, independently of the code under test.
export const LEDGER_CSV = [
  "user_id,BTC,ETH",
  "alice,0.5,1",
  "bob,2,0",
  "carol,0.00000001,123.456",
  "dave,10,0.000000000000000001",
  "erin,0,5",
  "",
].join("\n");
export const ASSETS = "BTC:8,ETH:18";

export const USERS = ["alice", "bob", "carol", "dave", "erin"];

/**
 * Makes the fixtures with the real `por` binary, as an exchange would:
 * `por tree build --json` (the published tree summary) and `por tree proof`
 * for every customer. What an exchange would publish (the summary, the root
 * hash, the proofs) goes to `published/`, apart from the tree and the secret.
 * Returns {dir (the published one), proof(user), rootHash, summary}.
 */
export function makeFixtures() {
  requirePor();
  const dir = join(ARTIFACTS, "fixtures");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, "ledger.csv");
  writeFileSync(csv, LEDGER_CSV);
  const tree = join(dir, "tree");
  const published = join(dir, "published");
  mkdirSync(published);
  const por = (args) => {
    const run = spawnSync(POR_BIN, args, { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) {
      throw new Error(`por ${args.join(" ")} failed (exit ${run.status}): ${run.stderr}`);
    }
    return run.stdout;
  };
  const summary = por(["tree", "build", "--balances", csv, "--assets", ASSETS, "--secret-file", join(dir, "secret"), "--out", tree, "--json"]);
  writeFileSync(join(published, "root.json"), summary);
  const rootHash = JSON.parse(summary).root;
  writeFileSync(join(published, "root.txt"), rootHash + "\n");
  for (const user of USERS) {
    por(["tree", "proof", "--tree", tree, "--user", user, "--out", join(published, `proof-${user}.json`)]);
  }
  return {
    dir: published,
    proofPath: (user) => join(published, `proof-${user}.json`),
    proof: (user) => readFileSync(join(published, `proof-${user}.json`), "utf8"),
    rootHash,
    summaryPath: join(published, "root.json"),
    summary,
    tree,
  };
}

const SIGNERS = join(REPO, "tests", "node");

/**
 * The exchange's signed attestation over the fixtures' tree, made as an
 * exchange would with the real binary: `por key generate`, then `por attest`
 * with one reserve wallet whose ownership is signed, over this snapshot's
 * canonical message, by an independent signer (bip322-js, tests/node/sign.cjs,
 * a fresh P2WPKH key). Returns {path, text, publicKey, fingerprint} with the
 * key and fingerprint as `por key generate` printed them.
 */
export function makeAttestation(fx) {
  requirePor();
  if (!existsSync(join(SIGNERS, "node_modules", "bip322-js"))) {
    throw new Error(`bip322-js is missing in ${SIGNERS}: run scripts/ci/deps-browser.sh`);
  }
  const dir = join(ARTIFACTS, "attestation");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  const keyOut = run(POR_BIN, ["key", "generate", "--out", join(dir, "attest.key")]);
  const publicKey = /^public key:\s+([0-9a-f]{64})$/m.exec(keyOut)?.[1];
  const fingerprint = /^fingerprint:\s+([0-9a-f]{16})$/m.exec(keyOut)?.[1];
  if (!publicKey || !fingerprint) throw new Error(`unexpected output of por key generate: ${keyOut}`);
  const message = `por reserves v1\nexchange: acme\nsnapshot: 2026-11-21\nliabilities: ${fx.rootHash}`;
  const signed = run("node", [join(SIGNERS, "sign.cjs"), "1", message])
    .trim().split("\n").map((l) => JSON.parse(l))
    .find((v) => v.signer === "bip322-js" && v.type === "p2wpkh" && v.message === message);
  if (!signed) throw new Error("sign.cjs gave no P2WPKH signature");
  const reserves = join(dir, "reserves.csv");
  writeFileSync(reserves, [
    "chain,address,asset,category,tier,balance,scheme,message,signature",
    `bitcoin,${signed.address},BTC,customer,cold,13,auto,,${signed.signature}`,
    "",
  ].join("\n"));
  const path = join(fx.dir, "attestation.json");
  run(POR_BIN, ["attest", "--tree", fx.tree, "--reserves", reserves, "--exchange", "acme",
    "--snapshot", "2026-11-21", "--time", "2026-11-21T09:30:00Z",
    "--chain", `bitcoin=870000:${"11".repeat(32)}`, "--chain", `ethereum=21000000:0x${"ab".repeat(32)}`,
    "--asset", "ETH=ethereum", "--key", join(dir, "attest.key"), "--out", path]);
  return { path, text: readFileSync(path, "utf8"), publicKey, fingerprint };
}

/**
 * The administrator's distribution over the fixtures' tree, made with the
 * real binary as an administrator would: `por distribution plan` from the
 * signed attestation `att` (makeAttestation), the ledger, the snapshot secret
 * and an offline file of what is available (less BTC than is owed, more ETH),
 * then `por key generate` for the administrator, `por distribution sign` and
 * `por distribution proof` for every customer. Returns {dir, statement,
 * statementPath, proof(user), proofPath(user), payouts} where payouts maps
 * "user asset" to [claim, payout] in base units as payouts.csv states them
 * (written by the planner, not by the page's code). With `policy` (TOML
 * text) the plan uses that policy instead of the shipped pro-rata one.
 */
export function makeDistribution(fx, att, { name = "distribution", policy = null } = {}) {
  requirePor();
  const dir = join(ARTIFACTS, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const por = (args) => {
    const run = spawnSync(POR_BIN, args, { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`por ${args.join(" ")} failed (exit ${run.status}): ${run.stderr}`);
    return run.stdout;
  };
  const available = join(dir, "available.csv");
  const bhash = "11".repeat(32);
  const ehash = `0x${"ab".repeat(32)}`;
  writeFileSync(available, [
    "chain,address,asset,balance,height,block_hash,source,contract",
    `bitcoin,bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l,BTC,1000000000,870000,${bhash},fixture,`,
    `ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,200000000000000000000,21000000,${ehash},fixture,`,
    "",
  ].join("\n"));
  const plan = join(dir, "plan");
  const policyArgs = [];
  if (policy) {
    writeFileSync(join(dir, "policy.toml"), policy);
    policyArgs.push("--policy", join(dir, "policy.toml"));
  }
  por(["distribution", "plan", "--attestation", att.path, "--liabilities", join(ARTIFACTS, "fixtures", "ledger.csv"),
    "--secret-file", join(ARTIFACTS, "fixtures", "secret"), "--available", available, "--out", plan, ...policyArgs]);
  por(["key", "generate", "--out", join(dir, "admin.key")]);
  const statementPath = join(dir, "statement.json");
  por(["distribution", "sign", "--plan", plan, "--key", join(dir, "admin.key"), "--out", statementPath]);
  const proofPath = (user) => join(dir, `distribution-proof-${user}.json`);
  for (const user of USERS) {
    por(["distribution", "proof", "--plan", plan, "--user", user, "--out", proofPath(user)]);
  }
  const payouts = new Map();
  for (const line of readFileSync(join(plan, "payouts.csv"), "utf8").trim().split(/\r?\n/).slice(1)) {
    const [user, asset, claim, payout] = line.split(",");
    payouts.set(`${user} ${asset}`, [claim, payout]);
  }
  return {
    dir,
    statementPath,
    statement: readFileSync(statementPath, "utf8"),
    proofPath,
    proof: (user) => readFileSync(proofPath(user), "utf8"),
    payouts,
  };
}

/** A policy with every option: bob held back, a BTC de-minimis of 2 base
 * units (carol's 1 satoshi), and shortfalls topped up in yen. */
export const TOP_UP_POLICY = [
  'format = "por-distribution-policy"',
  "version = 1",
  'name = "browser-test-top-up"',
  'title = "Browser test: holdback, de-minimis and a JPY top-up"',
  "[params.rule]", 'value = "pro-rata-in-kind"', 'status = "assumption"', 'source = "test"',
  "[params.holdback]", 'value = ["bob"]', 'status = "assumption"', 'source = "test"',
  "[params.de_minimis]", 'value = { BTC = "2", ETH = "0" }', 'status = "assumption"', 'source = "test"',
  "[params.top_up_pool_jpy]", 'value = "50000000"', 'status = "assumption"', 'source = "test"',
  "[params.top_up_prices]", 'value = { BTC = "15000000", ETH = "500000" }', 'status = "assumption"', 'source = "test prices"',
  "[params.top_up_price_date]", 'value = "2026-11-21"', 'status = "assumption"', 'source = "test"',
  "",
].join("\n");

/**
 * The sample exchange of examples/sample: its tree summary from
 * `por tree build --json`, one customer's proof from `por tree proof`, and
 * that customer's balances and the column totals computed here with BigInt
 * from the CSV text (the CSV has no quoted fields).
 */
export function makeSampleFixture(user) {
  requirePor();
  const dir = join(ARTIFACTS, "sample");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const csvPath = join(REPO, "examples", "sample", "balances.csv");
  const por = (args) => {
    const run = spawnSync(POR_BIN, args, { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`por ${args.join(" ")} failed (exit ${run.status}): ${run.stderr}`);
    return run.stdout;
  };
  const summary = por(["tree", "build", "--balances", csvPath, "--assets", join(REPO, "examples", "sample", "assets.toml"),
    "--secret-file", join(dir, "secret"), "--out", join(dir, "tree"), "--json"]);
  const proof = por(["tree", "proof", "--tree", join(dir, "tree"), "--user", user]);
  const decimals = { BTC: 8, ETH: 18, USDT: 6 };
  const lines = readFileSync(csvPath, "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i], v])));
  const toUnits = (s, d) => {
    const [w, f = ""] = s.split(".");
    return BigInt(w) * 10n ** BigInt(d) + BigInt((f + "0".repeat(d)).slice(0, d) || "0");
  };
  const fromUnits = (u, d) => {
    const scale = 10n ** BigInt(d);
    const frac = (u % scale).toString().padStart(d, "0").replace(/0+$/, "");
    return frac ? `${u / scale}.${frac}` : `${u / scale}`;
  };
  const expectedTotals = ["BTC", "ETH", "USDT"].map((sym) => [
    sym,
    fromUnits(rows.reduce((acc, r) => acc + toUnits(r[sym], decimals[sym]), 0n), decimals[sym]),
  ]);
  const row = rows.find((r) => r.user_id === user);
  if (!row) throw new Error(`${user} is not in ${csvPath}`);
  const expectedBalances = ["BTC", "ETH", "USDT"].map((sym) => [sym, fromUnits(toUnits(row[sym], decimals[sym]), decimals[sym])]);
  return { proof, summary, expectedBalances, expectedTotals };
}

export const POR_BIN = process.env.POR_BIN ? resolve(process.env.POR_BIN) : join(REPO, "target", "debug", "por");

/** Runs `por serve --dir DIR --www DIST --port 0` and returns its URL once it listens. */
export function requirePor() {
  if (!existsSync(POR_BIN)) {
    throw new Error(`${POR_BIN} is missing: run cargo build -p por-cli (scripts/ci/test-browser.sh does)`);
  }
}

export async function startPorServe(dir) {
  requirePor();
  const { spawn } = await import("node:child_process");
  const child = spawn(POR_BIN, ["serve", "--dir", dir, "--www", DIST, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => { err += d; });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`por serve printed no URL in 10 s: ${out} ${err}`)), 10000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/verifier page: +(http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`por serve exited with ${code}: ${err}`));
    });
  });
  return { url, output: () => out, stop: () => child.kill("SIGTERM") };
}

/** A raw GET (the path sent exactly as given, no normalisation). */
export async function rawGet(url, path) {
  const { request } = await import("node:http");
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (d) => { body += d; });
      res.on("end", () => ok({ status: res.statusCode, type: res.headers["content-type"], body }));
    });
    req.on("error", fail);
    req.end();
  });
}

/**
 * Runs axe-core (injected through the DevTools protocol, which the page's CSP
 * does not govern) for WCAG 2.1 A/AA on the page as it is, failing with
 * every violation named; `state` says which state of the page it was.
 */
export async function assertAxeClean(page, state) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) {
    await page.evaluate(readFileSync(join(REPO, "tests", "browser", "node_modules", "axe-core", "axe.min.js"), "utf8"));
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
  );
  const found = result.violations.map((v) => `${state}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  if (found.length > 0) throw new Error(found.join("\n"));
  if (result.passes.length <= 10) throw new Error(`${state}: axe ran only ${result.passes.length} passing rules`);
}
