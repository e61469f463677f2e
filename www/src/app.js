// The customer's browser verifier: reads the proof file and the published root
// (drop, file picker or paste), runs the WebAssembly verifier (crates/por-wasm)
// and shows the verdict. Plain JavaScript, no build step, no network: the
// WebAssembly bytes come from por_wasm_bytes.js (a global set by that script).
/* global wasm_bindgen, POR_WASM_BASE64 */
"use strict";

(function () {
  // Larger than any real proof (a tree of 2^64 leaves has a ~20 kB proof per asset).
  var MAX_FILE_BYTES = 8 * 1024 * 1024;

  var STRINGS = {
    en: {
      title: "Check your balance in the proof of reserves",
      intro: "Your exchange gave you a proof file. This page checks that your balances are counted in the exchange's total liabilities. Everything runs in this browser: nothing you give it is sent anywhere.",
      noscript: "This page needs JavaScript and WebAssembly to check the proof.",
      proofHeading: "Your proof file",
      dropProof: "Drop your proof file here, or choose it:",
      pasteProof: "…or paste its contents:",
      rootHeading: "The root your exchange published",
      optional: "(recommended)",
      rootHint: "The root hash (64 hex digits) or the tree summary (JSON) your exchange published. Without it, this page checks the proof against the root written in the proof itself, and you compare that root by hand.",
      dropRoot: "Drop the published root file here, or choose it:",
      pasteRoot: "…or paste it:",
      verify: "Verify",
      clear: "Clear",
      offline: "Works offline. This page makes no network requests.",
      version: "Verifier version {v}.",
      loading: "Loading the verifier…",
      loaded: "Loaded: {name}",
      verified: "Verified",
      notVerified: "Not verified",
      verifiedProof: "Your proof is consistent: your balances lead to the root hash below. It is not yet compared with what your exchange published — see below.",
      verifiedHash: "Your balances are included in the tree whose root hash your exchange published.",
      verifiedSummary: "Your balances are included in the tree your exchange published; its height and totals match the publication.",
      causeInconsistent: "The proof file does not lead to the root it states itself: it was altered or damaged (a balance, a sibling on the path, or the stated root).",
      causeRootDiffers: "The proof is consistent in itself but belongs to another root than the published one you gave: a different tree or snapshot, or a wrong published root.",
      "kind-root-hash-mismatch": "The recomputed root hash differs from the expected one.",
      "kind-root-sum-mismatch": "The root hash matches, but the totals differ.",
      "kind-path-length": "The path's length does not match the tree height.",
      "kind-index-out-of-range": "Your entry's position does not exist in a tree of this height.",
      "kind-sum-overflow": "A sibling on the path carries an impossible amount (the sum overflows).",
      "kind-asset-mismatch": "The proof and the published root cover different assets.",
      kindOther: "The proof does not verify.",
      reason: "Reason",
      level: "Failing level",
      levelRoot: "{n} (the root)",
      details: "Technical details",
      account: "Account",
      index: "Position in the tree (leaf index)",
      balances: "Your balances",
      totals: "Total liabilities of the exchange",
      totalsPublished: "Total liabilities of the exchange (as published)",
      totalsProof: "Total liabilities of the exchange (as stated in the proof)",
      asset: "Asset",
      amount: "Amount",
      height: "Tree height",
      customers: "Customers",
      root: "Root hash checked against",
      proofRoot: "Root hash stated in the proof",
      computedRoot: "Root hash your proof leads to",
      snapshot: "Snapshot",
      snapshotUnknown: "Not stated: neither the proof file nor the root you gave names a snapshot. Check the date on which your exchange published this root.",
      compared: "Compared with the publication",
      cmpHash: "root hash",
      cmpHeight: "height",
      cmpTotals: "totals",
      yes: "yes",
      no: "no",
      unverifiedNote: "The figures below are as written in the proof file: they are not verified.",
      todoHeading: "What you still have to check yourself",
      todoProofRoot: "Compare this root hash with the one your exchange published (on its website or in its attestation). Only if they are equal are your balances counted in the published liabilities:",
      todoHash: "You gave the root hash only, so the tree height and totals were not compared with a publication. Make sure this hash is really the one your exchange published.",
      todoSummary: "Make sure the tree summary you gave is really the one your exchange published.",
      todoBalances: "Check that the balances above are yours at the snapshot.",
      errorProof: "The proof file could not be read.",
      errorRoot: "The published root could not be read.",
      errorNoProof: "Give your proof file first: drop it, choose it or paste it.",
      errorFile: "The file {name} could not be read.",
      errorTooLarge: "The file {name} is too large ({size} bytes) to be a proof.",
      errorLoad: "The verifier could not start in this browser (it needs WebAssembly).",
    },
    ja: {
      title: "準備金証明であなたの残高を確認する",
      intro: "取引所から受け取った証明ファイルを使い、あなたの残高が取引所の負債総額に含まれていることを確認します。処理はすべてこのブラウザ内で行われ、入力した内容がどこかへ送信されることはありません。",
      noscript: "証明を確認するには JavaScript と WebAssembly が必要です。",
      proofHeading: "あなたの証明ファイル",
      dropProof: "証明ファイルをここにドロップするか、選択してください：",
      pasteProof: "…または内容を貼り付けてください：",
      rootHeading: "取引所が公表したルート",
      optional: "（推奨）",
      rootHint: "取引所が公表したルートハッシュ（16進数64桁）またはツリーの概要（JSON）です。指定しない場合は証明ファイルに書かれたルートで確認するため、そのルートを公表されたものとご自身で照合する必要があります。",
      dropRoot: "公表されたルートのファイルをここにドロップするか、選択してください：",
      pasteRoot: "…または貼り付けてください：",
      verify: "検証する",
      clear: "クリア",
      offline: "オフラインで動作します。このページはネットワーク通信を一切行いません。",
      version: "検証プログラム バージョン {v}",
      loading: "検証プログラムを読み込んでいます…",
      loaded: "読み込み済み：{name}",
      verified: "検証に成功しました",
      notVerified: "検証に失敗しました",
      verifiedProof: "証明は整合しています。あなたの残高から下記のルートハッシュが導かれます。取引所の公表値とはまだ照合していません（下記参照）。",
      verifiedHash: "あなたの残高は、取引所がルートハッシュを公表したツリーに含まれています。",
      verifiedSummary: "あなたの残高は、取引所が公表したツリーに含まれています。ツリーの高さと合計額も公表値と一致しています。",
      causeInconsistent: "証明ファイルが、そこに記載されたルートに一致しません。残高、経路上の兄弟ノード、または記載されたルートが改ざんされたか、破損しています。",
      causeRootDiffers: "証明ファイル自体は整合していますが、指定された公表ルートとは別のルートに属しています。別のツリーやスナップショットの証明か、公表ルートの指定が誤っています。",
      "kind-root-hash-mismatch": "再計算したルートハッシュが期待される値と異なります。",
      "kind-root-sum-mismatch": "ルートハッシュは一致しますが、合計額が異なります。",
      "kind-path-length": "経路の長さがツリーの高さと一致しません。",
      "kind-index-out-of-range": "この高さのツリーには、あなたのエントリの位置が存在しません。",
      "kind-sum-overflow": "経路上の兄弟ノードにありえない金額が含まれています（合計が桁あふれします）。",
      "kind-asset-mismatch": "証明と公表されたルートとで、対象の資産が異なります。",
      kindOther: "証明を検証できません。",
      reason: "理由",
      level: "失敗した階層",
      levelRoot: "{n}（ルート）",
      details: "技術的な詳細（英語）",
      account: "アカウント",
      index: "ツリー内の位置（リーフ番号）",
      balances: "あなたの残高",
      totals: "取引所の負債総額",
      totalsPublished: "取引所の負債総額（公表値）",
      totalsProof: "取引所の負債総額（証明ファイル記載値）",
      asset: "資産",
      amount: "数量",
      height: "ツリーの高さ",
      customers: "顧客数",
      root: "照合したルートハッシュ",
      proofRoot: "証明に記載されたルートハッシュ",
      computedRoot: "証明から導かれるルートハッシュ",
      snapshot: "スナップショット",
      snapshotUnknown: "記載なし：証明ファイルにも指定されたルートにもスナップショットの記載がありません。取引所がこのルートを公表した日付をご確認ください。",
      compared: "公表値との照合",
      cmpHash: "ルートハッシュ",
      cmpHeight: "高さ",
      cmpTotals: "合計額",
      yes: "済",
      no: "未",
      unverifiedNote: "以下の数値は証明ファイルに書かれたものであり、検証されていません。",
      todoHeading: "ご自身で確認していただくこと",
      todoProofRoot: "このルートハッシュを、取引所が（ウェブサイトまたは証明書で）公表したものと照合してください。一致する場合に限り、あなたの残高は公表された負債に含まれています：",
      todoHash: "ルートハッシュのみが指定されたため、ツリーの高さと合計額は公表値と照合していません。このハッシュが取引所の公表したものであることをご確認ください。",
      todoSummary: "指定したツリーの概要が、取引所の公表したものであることをご確認ください。",
      todoBalances: "上記の残高が、スナップショット時点のあなたの残高であることをご確認ください。",
      errorProof: "証明ファイルを読み込めませんでした。",
      errorRoot: "公表されたルートを読み込めませんでした。",
      errorNoProof: "まず証明ファイルを指定してください（ドロップ、選択、または貼り付け）。",
      errorFile: "ファイル {name} を読み込めませんでした。",
      errorTooLarge: "ファイル {name} は証明としては大きすぎます（{size} バイト）。",
      errorLoad: "このブラウザでは検証プログラムを起動できませんでした（WebAssembly が必要です）。",
    },
  };

  var lang = initialLanguage();
  var ready = false;
  var last = null; // what is shown: {report} or {error: {key, detail}}

  function $(id) {
    return document.getElementById(id);
  }

  function t(key, vars) {
    var s = STRINGS[lang][key];
    if (s === undefined) s = STRINGS.en[key];
    if (s === undefined) s = key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return s;
  }

  function initialLanguage() {
    try {
      var saved = window.localStorage.getItem("por-lang");
      if (saved === "en" || saved === "ja") return saved;
    } catch (e) {
      // Storage can be unavailable (file:// in some browsers, private mode): not needed.
    }
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
    return /^ja\b/i.test(nav) ? "ja" : "en";
  }

  function setLanguage(next) {
    lang = next;
    try {
      window.localStorage.setItem("por-lang", next);
    } catch (e) {
      // See initialLanguage.
    }
    applyLanguage();
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = t(nodes[i].getAttribute("data-i18n"));
    }
    var buttons = document.querySelectorAll("[data-lang]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].setAttribute("aria-pressed", String(buttons[j].getAttribute("data-lang") === lang));
    }
    if (ready) $("version").textContent = t("version", { v: wasm_bindgen.version() });
    render();
  }

  // ---- DOM helpers (text only: the proof is untrusted, nothing goes through innerHTML) ----

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
      }
    }
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function row(label, value, cls) {
    return [el("dt", null, [label]), el("dd", cls ? { class: cls } : null, [value])];
  }

  function amountTable(caption, amounts, id) {
    var body = amounts.map(function (a) {
      return el("tr", null, [
        el("th", { scope: "row" }, [a.symbol]),
        el("td", { class: "num", title: a.base_units }, [a.amount]),
      ]);
    });
    return el("table", { class: "amounts", id: id }, [
      el("caption", null, [caption]),
      el("thead", null, [el("tr", null, [el("th", { scope: "col" }, [t("asset")]), el("th", { scope: "col", class: "num" }, [t("amount")])])]),
      el("tbody", null, body),
    ]);
  }

  // ---- Rendering ----

  function render() {
    var result = $("result");
    var error = $("error");
    result.textContent = "";
    error.textContent = "";
    result.hidden = true;
    error.hidden = true;
    result.removeAttribute("data-verdict");
    if (!last) return;
    if (last.error) {
      error.appendChild(el("p", { class: "error-title" }, [t(last.error.key, last.error.vars)]));
      if (last.error.detail) error.appendChild(el("p", { class: "detail", id: "error-detail" }, [last.error.detail]));
      error.hidden = false;
      return;
    }
    var r = last.report;
    var ok = r.verified;
    result.setAttribute("data-verdict", ok ? "verified" : "failed");

    var verdict = el("h2", { id: "verdict", class: ok ? "verdict ok" : "verdict bad" }, [
      el("span", { class: "mark", "aria-hidden": "true" }, [ok ? "✓" : "✗"]),
      " ",
      t(ok ? "verified" : "notVerified"),
    ]);
    result.appendChild(verdict);

    if (ok) {
      var key = r.root_source === "proof" ? "verifiedProof" : r.root_source === "published-hash" ? "verifiedHash" : "verifiedSummary";
      result.appendChild(el("p", { id: "verdict-text" }, [t(key)]));
    } else {
      var f = r.failure;
      var kindText = STRINGS.en["kind-" + f.kind] ? t("kind-" + f.kind) : t("kindOther");
      var failure = el("dl", { class: "facts failure", id: "failure" }, []);
      // Japanese sentences are not separated by a space.
      var gap = lang === "ja" ? "" : " ";
      row(t("reason"), kindText + gap + t(f.cause === "root-differs" ? "causeRootDiffers" : "causeInconsistent"))
        .forEach(function (n) { failure.appendChild(n); });
      if (f.level !== null && f.level !== undefined) {
        var levelText = f.level === r.height && f.kind !== "sum-overflow" ? t("levelRoot", { n: f.level }) : String(f.level);
        row(t("level"), levelText).forEach(function (n) { failure.appendChild(n); });
      }
      if (f.computed_root) row(t("computedRoot"), f.computed_root, "hash").forEach(function (n) { failure.appendChild(n); });
      row(t("details"), f.message, "detail").forEach(function (n) { failure.appendChild(n); });
      failure.setAttribute("data-kind", f.kind);
      failure.setAttribute("data-cause", f.cause);
      result.appendChild(failure);
      result.appendChild(el("p", { class: "note" }, [t("unverifiedNote")]));
    }

    var facts = el("dl", { class: "facts", id: "facts" }, []);
    row(t("account"), r.user_id, "account").forEach(function (n) { facts.appendChild(n); });
    row(t("index"), String(r.index)).forEach(function (n) { facts.appendChild(n); });
    result.appendChild(facts);

    result.appendChild(amountTable(t("balances"), r.balances, "balances"));
    // Published totals, or the proof's own (with a hash-only root they are
    // bound by the verified hash, but not compared with a published figure).
    var totalsCaption = r.totals_published ? t("totalsPublished") : ok && r.root_source === "published-hash" ? t("totals") : t("totalsProof");
    result.appendChild(amountTable(totalsCaption, r.totals, "totals"));

    var tree = el("dl", { class: "facts", id: "tree" }, []);
    row(t("height"), String(r.height)).forEach(function (n) { tree.appendChild(n); });
    if (r.customers !== null && r.customers !== undefined) row(t("customers"), String(r.customers)).forEach(function (n) { tree.appendChild(n); });
    row(t("root"), r.checked_root, "hash").forEach(function (n) { tree.appendChild(n); });
    if (r.proof_root !== r.checked_root) row(t("proofRoot"), r.proof_root, "hash").forEach(function (n) { tree.appendChild(n); });
    var c = r.compared;
    var cmp = [["cmpHash", c.hash], ["cmpHeight", c.height], ["cmpTotals", c.totals]]
      .map(function (p) { return t(p[0]) + ": " + t(p[1] ? "yes" : "no"); })
      .join(" · ");
    row(t("compared"), cmp).forEach(function (n) { tree.appendChild(n); });
    row(t("snapshot"), t("snapshotUnknown")).forEach(function (n) { tree.appendChild(n); });
    result.appendChild(tree);

    if (ok) {
      var todo = el("section", { class: "todo", id: "todo", "aria-labelledby": "todo-heading" }, [
        el("h3", { id: "todo-heading" }, [t("todoHeading")]),
      ]);
      var list = el("ul", null, []);
      if (r.root_source === "proof") {
        list.appendChild(el("li", { id: "todo-root" }, [t("todoProofRoot"), " ", el("code", { class: "hash" }, [r.checked_root])]));
      } else if (r.root_source === "published-hash") {
        list.appendChild(el("li", { id: "todo-root" }, [t("todoHash")]));
      } else {
        list.appendChild(el("li", { id: "todo-root" }, [t("todoSummary")]));
      }
      list.appendChild(el("li", null, [t("todoBalances")]));
      todo.appendChild(list);
      result.appendChild(todo);
    }
    result.hidden = false;
  }

  // ---- Verification ----

  function verify() {
    if (!ready) return;
    var proof = $("proof-text").value;
    var root = $("root-text").value;
    if (proof.trim() === "") {
      last = { error: { key: "errorNoProof" } };
    } else {
      try {
        last = { report: JSON.parse(wasm_bindgen.verify(proof, root)) };
      } catch (e) {
        var message = e && e.message ? e.message : String(e);
        last = { error: { key: /^published root:/.test(message) ? "errorRoot" : "errorProof", detail: message } };
      }
    }
    render();
    document.documentElement.setAttribute("data-state", "done");
    // Move focus to the outcome so keyboard and screen-reader users land on it.
    (last.error ? $("error") : $("result")).focus();
  }

  // ---- Files: picker and drag-and-drop ----

  function readInto(file, target) {
    var name = file.name || "?";
    if (file.size > MAX_FILE_BYTES) {
      last = { error: { key: "errorTooLarge", vars: { name: name, size: file.size } } };
      render();
      return;
    }
    file.text().then(
      function (text) {
        $(target + "-text").value = text;
        $(target + "-file-name").textContent = t("loaded", { name: name });
        if ($("proof-text").value.trim() !== "") verify();
      },
      function () {
        last = { error: { key: "errorFile", vars: { name: name } } };
        render();
      }
    );
  }

  function wireDrop(zone) {
    var target = zone.getAttribute("data-target");
    zone.addEventListener("dragover", function (e) {
      e.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("over");
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      var files = e.dataTransfer && e.dataTransfer.files;
      if (files && files.length > 0) readInto(files[0], target);
    });
    $(target + "-file").addEventListener("change", function (e) {
      var files = e.target.files;
      if (files && files.length > 0) readInto(files[0], target);
    });
  }

  // A file dropped outside a zone would make the browser navigate to it: keep the page.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) { e.preventDefault(); });

  function start() {
    applyLanguage();
    wireDrop($("proof-drop"));
    wireDrop($("root-drop"));
    $("form").addEventListener("submit", function (e) {
      e.preventDefault();
      verify();
    });
    $("clear").addEventListener("click", function () {
      ["proof", "root"].forEach(function (k) {
        $(k + "-text").value = "";
        $(k + "-file").value = "";
        $(k + "-file-name").textContent = "";
      });
      last = null;
      render();
      $("proof-file").focus();
    });
    var langButtons = document.querySelectorAll("[data-lang]");
    for (var i = 0; i < langButtons.length; i++) {
      langButtons[i].addEventListener("click", function (e) {
        setLanguage(e.currentTarget.getAttribute("data-lang"));
      });
    }

    var verifyButton = $("verify");
    verifyButton.disabled = true;
    $("version").textContent = t("loading");
    var bytes;
    try {
      var bin = atob(POR_WASM_BASE64);
      bytes = new Uint8Array(bin.length);
      for (var j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
    } catch (e) {
      bytes = null;
    }
    // Given the bytes, wasm-bindgen instantiates them directly: nothing is fetched.
    (bytes ? wasm_bindgen({ module_or_path: bytes }) : Promise.reject(new Error("no module")))
      .then(function () {
        ready = true;
        verifyButton.disabled = false;
        $("version").textContent = t("version", { v: wasm_bindgen.version() });
        document.documentElement.setAttribute("data-state", "ready");
      })
      .catch(function (e) {
        last = { error: { key: "errorLoad", detail: e && e.message ? e.message : String(e) } };
        render();
        $("version").textContent = "";
        document.documentElement.setAttribute("data-state", "failed");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
