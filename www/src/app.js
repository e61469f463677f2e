// The customer's browser verifier: reads the proof file and the published root
// (drop, file picker or paste), runs the WebAssembly verifier (crates/por-wasm)
// and shows the verdict. Plain JavaScript, no build step, no network: the
// WebAssembly bytes come from por_wasm_bytes.js (a global set by that script).
/* global wasm_bindgen, POR_WASM_BASE64, por_interop, POR_WASM_INTEROP_BASE64, por_v2, POR_WASM_V2_BASE64 */
// Other exchanges' proofs are checked by a second module (crates/por-wasm-interop:
// por_wasm_interop.js and por_wasm_interop_bytes.js, global por_interop),
// which this script adds to the page only when a file is not por's own format.
// Proofs in tree format v2 (por-proof-v2) are checked by a third module
// (crates/por-wasm-v2: por_wasm_v2.js and por_wasm_v2_bytes.js, global por_v2),
// added only when a proof says "por-proof-v2".
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
      rootHint: "The root hash (64 hex digits), the tree summary (JSON) or the signed attestation (JSON) your exchange published, taken from the exchange's own website; for a v2 proof (por-proof-v2), its published root (por-root-v2, JSON), its root hash, or the signed attestation that carries it. Without it, this page can only check that the proof is consistent in itself: it is then not verified. For a distribution proof, give the administrator's signed statement (JSON) here.",
      dropRoot: "Drop the published root file here, or choose it:",
      pasteRoot: "…or paste it:",
      verify: "Verify",
      clear: "Clear",
      offline: "Works offline. This page makes no network requests.",
      version: "Verifier version {v}.",
      loading: "Loading the verifier…",
      loaded: "Loaded: {name}",
      verified: "Verified against the published root",
      notCompared: "Consistent, but not compared with a publication",
      notVerified: "Not verified",
      notComparedText: "Your proof is consistent in itself: your balances lead to the root hash written in the file. That alone proves nothing: any self-consistent file (from a fake website, or from an old tree) gets this far. It is not verified until its root is compared with the one your exchange published.",
      todoCompareHeading: "What to compare, and where",
      todoCompare: "Give the root your exchange published in step 2 above (its root hash, its tree summary or its signed attestation, from the exchange's own website), or compare this root hash with the published one yourself:",
      nextHeading: "What to do next",
      nextDownload: "Download your proof file again from your exchange's own website (not from a link in a message) and check again.",
      nextPublication: "Make sure the published root you gave is from the same snapshot (date) as your proof.",
      nextContact: "If it still fails, contact your exchange.",
      nextKeep: "Keep this proof file: it is your record of what the exchange gave you.",
      causeUnsupported: "This page cannot tell what your proof was compared with (the verifier reported \"{what}\", which this page does not know), so it does not call it verified. Reload the page or use the current version of this verifier.",
      "kind-unsupported-report": "The verifier's answer is not one this page understands.",
      "kind-customer-count-mismatch": "The published number of customers does not fit the tree's height.",
      answerVerified: "Yes: your balances below are counted in the publication you gave. Make sure it is the one your exchange published (see below).",
      answerNotCompared: "Not known yet: your balances could not be compared with what your exchange published. Give its published root (step 2) to find out.",
      answerFailed: "No: this proof does not show that your balances are counted. The reason is below.",
      technical: "Technical details (tree, hashes, signature)",
      verifiedHash: "Your balances are included in the tree whose root hash you gave.",
      verifiedSummary: "Your balances are included in the tree of the summary you gave; its height, totals and customer count match the publication.",
      causeInconsistent: "The proof file does not lead to the root it states itself: it was altered or damaged (a balance, a sibling on the path, or the stated root).",
      causeRootDiffers: "The proof is consistent in itself but belongs to another root than the published one you gave: a different tree or snapshot, or a wrong published root.",
      verifiedAttestation: "Your balances are included in the tree of the signed attestation: its signature is valid, and the tree's height, totals, assets and customer count match it.",
      causeAttestationInvalid: "The document was changed after it was signed, or it was not signed by the key it names. Nothing in it can be trusted, so your proof was not checked against it.",
      "kind-bad-signature": "The attestation's signature is invalid.",
      attHeading: "Signed attestation",
      attSignature: "Signature (BIP-340)",
      sigValid: "valid",
      sigInvalid: "invalid",
      attExchange: "Exchange",
      attKey: "Attestation public key",
      attFingerprint: "Key fingerprint",
      attBlocks: "Blocks of the reserve balances",
      attId: "Attestation id",
      attUnverified: "not verified",
      todoFingerprint: "Compare this key fingerprint with the one your exchange published (on its website, for example). Only if they are equal was the attestation signed by your exchange:",
      "kind-root-hash-mismatch": "The recomputed root hash differs from the expected one.",
      "kind-root-sum-mismatch": "The root hash matches, but the totals differ.",
      "kind-path-length": "The path's length does not match the tree height.",
      "kind-index-out-of-range": "Your entry's position does not exist in a tree of this height.",
      "kind-sum-overflow": "A sibling on the path carries an impossible amount (the sum overflows).",
      "kind-asset-mismatch": "The proof and the published root cover different assets, or give an asset different decimals.",
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
      cmpHash: "Root hash",
      cmpHeight: "Tree height",
      cmpTotals: "Total liabilities",
      cmpAssets: "Asset list (symbols and decimals)",
      cmpCustomers: "Number of customers (fits the height)",
      "cmp-matches": "matches",
      "cmp-differs": "differs",
      "cmp-not-given": "not given",
      "cmp-not-compared": "not compared",
      boxHeading: "What this proves and what it does not",
      boxProves: "When the page says “Verified against the published root”, your balances, as shown, are counted in the total liabilities of the tree whose root you gave. Make sure that root is the one your exchange published.",
      boxNotReserves: "It does not show that the exchange holds the coins to cover its liabilities: that is checked by an audit of its reserves, not by this page.",
      boxPrivacy: "A proof in format v1 (por-proof-v1) shows other customers' balances, without their names: the first step of the path is one other customer's exact balances (or zero, for padding), and each further step is the total of up to 2, 4, 8, … customers. The number of steps (the tree height) gives the number of customers within a factor of 2. Other customers' proofs can show your balances in the same way.",
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
      distIntro: "A distribution proof (por-distribution-proof-v1) from an administrator is checked against the administrator's signed statement (por-distribution-v1): give the proof in step 1 and the statement in step 2.",
      distVerified: "Your payout is in the administrator's signed distribution",
      distVerifiedText: "Your distribution proof is in the distribution root of the signed statement: your claim and your payout below are the ones the statement's distribution gives you.",
      distNotVerified: "Not verified: your proof does not match the signed statement",
      distNotVerifiedText: "Your distribution proof does not match the administrator's signed statement. The figures written in it are not shown, because they were not confirmed.",
      distUntrusted: "Not verified: the statement is untrusted",
      distUntrustedText: "The statement's signature does not verify: it was changed after it was signed, or it was not signed by the key it names. Nothing in it was compared with your proof.",
      distUnsigned: "Incomplete: the statement is not signed",
      distUnsignedText: "The statement has no signature, so nothing was compared. Ask the administrator for the signed statement.",
      distTable: "Your claim, your payout and your recovery",
      distClaim: "Your claim",
      distPayout: "Your payout",
      distRecovery: "Recovery",
      distHeld: "held back {x} (set aside: your claim is held back)",
      distRetained: "{x} below the de-minimis threshold (kept by the estate)",
      distTopUp: "JPY top-up: your shortfall valued at ¥{shortfall} (prices of {date} from {source}), paid ¥{paid}",
      distTopUpHeld: ", held back ¥{held}",
      distTodoFingerprint: "The statement's signature verifies against the key it names. That shows it is intact, not whose key it is: compare this key fingerprint with the one the administrator publishes:",
      distTodoPaid: "Whether these payouts were made, and whether what was available was on chain, is not shown by this proof.",
      distStatement: "The signed statement",
      distAttestation: "Starts from attestation",
      distExchange: "Exchange",
      distSnapshot: "Snapshot",
      distLiabilitiesRoot: "Liabilities root",
      distRoot: "Distribution root",
      distCustomers: "Customers in the distribution",
      distPolicy: "Policy",
      distKey: "Administrator public key",
      distBaseUnits: "Claim and payout in base units",
      errorNoStatement: "Give the administrator's signed statement (por-distribution-v1) in step 2: a distribution proof is checked against it.",
      errorStatement: "The distribution statement could not be read.",
      formatsHint: "Other exchanges' customer proofs are read too: OKX, Bitget, Bitunix, MEXC, CoinEx and BitMEX are checked by each exchange's own rule; Gate's and Binance's zk proofs are recognised but cannot be checked here. The format is recognised from the file's contents, not its name.",
      extraHeading: "Only for some exchanges' formats: OKX's tree file, BitMEX's account id and nonce",
      dropTree: "OKX (user info file): drop OKX's full liabilities tree file here, or choose it:",
      pasteTree: "…or paste it:",
      accountLabel: "BitMEX: your account id (from your account page)",
      nonceLabel: "BitMEX: your nonce for this snapshot (hex, from your account page)",
      rootHintExchange: "For another exchange's proof, give the root hash that exchange published for the same date (hex digits).",
      boxExchange: "For another exchange's proof, “valid” means that exchange's own rule accepts the file; it is green only when the file also leads to the root hash you gave. The weaknesses listed are what that format cannot show, whatever the verdict.",
      exDetected: "Recognised from its contents: {exchange}'s customer proof, format {format}.",
      exVerified: "Valid, and it leads to the root hash you gave",
      exNotCompared: "Valid by {exchange}'s own rule, but not compared with a published root",
      exInvalid: "Invalid: {exchange}'s own rule rejects this proof",
      exUnverifiable: "Cannot be checked here",
      exAnswerVerified: "Yes: {exchange}'s own rule accepts this proof, and it leads to the root hash you gave. Make sure that root hash is the one {exchange} published.",
      exAnswerNotCompared: "Not known yet: {exchange}'s own rule accepts this file, but any self-consistent file gets this far. Give the root hash {exchange} published (step 2) to compare it.",
      exAnswerInvalid: "No: {exchange}'s own rule rejects this proof at step “{step}”. The reason is below.",
      exAnswerUnverifiable: "Not known: this is {exchange}'s format, but this page cannot check it. The reason is below.",
      exStep: "Step",
      exReason: "Reason (in English)",
      exBalances: "Your balances, as the proof states them",
      exCompared: "Compared with a root hash you gave",
      exComparedYes: "yes",
      exComparedNo: "no",
      exRoot: "Root hash the proof leads to",
      exNotes: "Notes (in English)",
      exFormat: "Format",
      exExchange: "Exchange",
      exWeaknesses: "Weaknesses of this format (they do not change the verdict)",
      exNoWeaknesses: "No weakness of this format is known to por.",
      exTodoRoot: "Compare this root hash with the one {exchange} published for the same date, or give that one in step 2:",
      exTodoVerified: "Make sure the root hash you gave is the one {exchange} published for the same date.",
      exTodoBitmex: "A BitMEX tree opens your entries only with your account id and the nonce from your account page: give them under “Only for some exchanges' formats” in step 1.",
      exTodoBalances: "Check that the balances above are yours at that date.",
      unknownFormat: "Unknown format: this file is not a customer proof this page recognises.",
      unknownClosest: "Closest: {format} ({exchange}), {matched} of {of} features; missing: {missing}.",
      unknownSeveral: "The file fits several formats: {formats}.",
      errorNeedsTree: "This is OKX's user info file: it is checked against OKX's full liabilities tree file. Give that file under “Only for some exchanges' formats” in step 1.",
      errorAccount: "The BitMEX account id could not be read (a whole number).",
      errorNonce: "The BitMEX nonce could not be read (hex digits).",
      errorExchangeRoot: "The root hash you gave could not be read: for another exchange's proof, give its root hash as hex digits alone.",
      errorExchangeProof: "The file could not be read as the format its structure suggests.",
      errorInteropLoad: "The checks of other exchanges' proofs could not start in this browser.",
      // Tree format v2 (por-proof-v2, the third module crates/por-wasm-v2).
      errorV2Load: "The check of v2 proofs could not start in this browser.",
      v2Detected: "A proof in format v2 (por-proof-v2): other customers' balances and the number of customers are hidden from it.",
      v2VerifiedRoot: "Your balances are committed in the v2 tree of the published root (por-root-v2) you gave: your proof leads to its root hash, the root opens to exactly its totals, and every commitment on your path is proven not to hide a negative amount.",
      v2VerifiedAttestation: "Your balances are committed in the v2 tree of the signed attestation you gave: its signature is valid, your proof leads to the root hash it signs, the tree height and asset list match it, the root opens to exactly its totals, and every commitment on your path is proven not to hide a negative amount.",
      "v2kind-format-mismatch": "The root you gave is of format v1 (a tree summary or an attestation of a v1 tree); a v2 proof cannot lead to it.",
      v2VerifiedHash: "Your balances are committed in the v2 tree whose root hash you gave. That hash commits to the tree height, the asset list and the root commitments, which open to the totals shown; every commitment on your path is proven not to hide a negative amount.",
      "v2kind-range-proof-invalid": "A range proof does not verify: a commitment on your path may hide a negative amount (which would lower the totals), or the range proof is not this proof's.",
      "v2kind-root-opening-mismatch": "The root commitments do not open to the stated totals and blinding factors: those totals are not the ones the tree commits to.",
      "v2kind-height-mismatch": "The published tree height differs from the proof's.",
      "v2kind-asset-mismatch": "The proof and the published root list different assets, decimals or proof units.",
      "v2kind-root-hash-mismatch": "The root hash your proof leads to differs from the expected one (a balance, a step of the path, the height, an asset, its decimals or its proof unit differ).",
      "v2kind-path-length": "The path's length does not match the tree height the proof states.",
      "v2kind-position-out-of-range": "Your position does not exist in a tree of this height.",
      "v2kind-balance-out-of-range": "A balance is too large for its proof unit (2^64 units or more).",
      "v2kind-bad-commitment": "A commitment on the path cannot be decoded.",
      v2ColBalance: "Your balance",
      v2ColCounted: "Counted in the tree as",
      v2Exact: "{x} (exact)",
      v2RoundedUp: "{x} (rounded up)",
      v2UnitsHeading: "Proof units",
      v2UnitExact: "{symbol}: 1 unit = {u} {symbol}, its smallest amount: counted exactly.",
      v2UnitRounded: "{symbol}: 1 unit = {u} {symbol} (10^{e} of its smallest amounts): each balance is rounded up to a whole unit.",
      v2UnitNote: "Rounding up means liabilities are never under-reported: each total is at least the exact total, by less than one proof unit per customer.",
      v2TotalsPublished: "Total liabilities of the exchange (as published, each balance rounded up to the proof unit)",
      v2TotalsAttestation: "Total liabilities of the exchange (as signed in the attestation, each balance rounded up to the proof unit)",
      v2TotalsHash: "Total liabilities of the exchange (the ones the root hash you gave commits to, each balance rounded up to the proof unit)",
      v2TotalsProof: "Total liabilities of the exchange (as stated in the proof, each balance rounded up to the proof unit)",
      v2ShownHeading: "What your proof shows, and what it hides",
      v2Shown: "Shown to you:",
      v2ShownOwn: "your account id, your balances (as counted: rounded up to the proof unit) and your position in the tree;",
      v2ShownHeight: "the tree height, {h}, chosen by the exchange, not computed from the number of customers. A tree of height {h} holds at most {max} customers, and every count up to that gives a proof of exactly this shape: the height says only that there are no more than {max};",
      v2ShownAssets: "the asset list (symbols, decimals, proof units) and the totals.",
      v2Hidden: "Hidden from you, and from anyone you give your file to:",
      v2HiddenBalances: "every other customer's balances and account ids: each of the {h} steps of your path shows one commitment per asset, which hides its amount;",
      v2HiddenCount: "the number of customers;",
      v2HiddenPadding: "which steps of your path hold other customers and which are empty padding.",
      v2CheckedHeading: "What was checked",
      v2CheckedLeaf: "Your balances, as counted, open your own entry's commitments.",
      v2CheckedPath: "Every step of your path leads to the root hash, which commits to the format version, the tree height and the asset list with decimals and proof units.",
      v2CheckedOpening: "The root commitments open to exactly the totals shown.",
      v2CheckedRange: "Range proofs: all {n} commitments your path reveals ({h} steps × {k} assets) are proven to hold a value from 0 to 2^64 − 1 proof units, so none hides a negative amount (one aggregated range proof over {p} commitments: these and commitments to zero as padding; verified).",
      v2CheckedAgainstProof: "All of this was checked against the root written in the proof file itself, not against a publication.",
      v2NotCheckedHeading: "What this does not check",
      v2TodoRoot: "That the published root (por-root-v2) you gave is the one your exchange published: take it from the exchange's own website.",
      v2TodoHash: "That the root hash you gave is the one your exchange published: take it from the exchange's own website.",
      v2TodoFingerprint: "That the attestation was signed by your exchange: compare this key fingerprint with the one your exchange published (on its website, for example). Only if they are equal are your balances counted in your exchange's attested liabilities:",
      v2TodoCompare: "That your proof belongs to what your exchange published: give its published root in step 2 above (the por-root-v2 file or its root hash, from the exchange's own website), or compare this root hash with the published one yourself:",
      v2NotReserves: "That the exchange holds the coins to cover its liabilities: that is the audit of its reserves, not this page.",
      v2NotOthers: "Other customers' entries: your proof covers only the commitments on your path. A negative amount elsewhere in the tree is caught by the customers whose paths it is on, or by an auditor who rebuilds the whole tree, not by your check.",
      v2NotSnapshot: "Which snapshot (date) this is: neither the proof nor the por-root-v2 names one. Check that the balances above are yours at the date your exchange published this root.",
      v2NotSnapshotAttested: "That the balances above are yours at the snapshot the attestation names, {snapshot}: this page does not know your balances at that time.",
      v2Technical: "Technical details (tree, hashes, range proofs, time)",
      v2Format: "Format",
      v2Position: "Position in the tree",
      v2MaxCustomers: "Most customers a tree of this height holds",
      v2RangeProofs: "Range proofs",
      v2RangeProofsValue: "one aggregated range proof over {n} commitments (padded to {p} with commitments to zero)",
      v2Time: "Time of the check in this browser",
      v2TimeValue: "{ms} ms",
      cmpAssetsV2: "Asset list (symbols, decimals, proof units)",
      cmpTotalsV2: "Totals (the root commitments open to them)",
      "cmp-under-hash": "committed under the hash you gave",
      boxV2: "A proof in format v2 (por-proof-v2) hides other customers' balances and the number of customers: each step of the path shows only commitments, whose amounts are hidden and proven not to be negative, and the tree height is chosen by the exchange, so it says only that there are at most 2^(height − 1) customers. Your balances are counted rounded up to each asset's proof unit, as the page shows.",
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
      rootHint: "取引所が自社のウェブサイトで公表したルートハッシュ（16進数64桁）、ツリーの概要（JSON）、または署名付きアテステーション（JSON）です。v2 形式の証明（por-proof-v2）の場合は、公表されたルート（por-root-v2、JSON）、そのルートハッシュ、またはそれを含む署名付きアテステーションです。指定しない場合、このページで確認できるのは証明ファイル自体の整合性だけで、検証済みにはなりません。配当の証明の場合は、管理人の署名付き声明（JSON）をここに指定してください。",
      dropRoot: "公表されたルートのファイルをここにドロップするか、選択してください：",
      pasteRoot: "…または貼り付けてください：",
      verify: "検証する",
      clear: "クリア",
      offline: "オフラインで動作します。このページはネットワーク通信を一切行いません。",
      version: "検証プログラム バージョン {v}",
      loading: "検証プログラムを読み込んでいます…",
      loaded: "読み込み済み：{name}",
      verified: "公表されたルートで検証しました",
      notCompared: "整合していますが、公表値とは照合していません",
      notVerified: "検証に失敗しました",
      notComparedText: "証明ファイル自体は整合しています。あなたの残高から、ファイルに書かれたルートハッシュが導かれます。しかし、それだけでは何も証明されません。整合したファイルであれば、偽のサイトのものでも古いツリーのものでも、ここまでは通ります。ルートを取引所の公表値と照合するまでは、検証済みではありません。",
      todoCompareHeading: "何を、どこで照合するか",
      todoCompare: "取引所が自社のウェブサイトで公表したルート（ルートハッシュ、ツリーの概要、または署名付きアテステーション）を上の手順2で指定してください。または、このルートハッシュを公表値とご自身で照合してください：",
      nextHeading: "次にすること",
      nextDownload: "取引所のウェブサイトから（メッセージ内のリンクからではなく）証明ファイルをもう一度ダウンロードして、再度確認してください。",
      nextPublication: "指定した公表ルートが、証明と同じスナップショット（日付）のものであることを確認してください。",
      nextContact: "それでも失敗する場合は、取引所に問い合わせてください。",
      nextKeep: "この証明ファイルは保管しておいてください。取引所から受け取った内容の記録になります。",
      causeUnsupported: "証明が何と照合されたのか、このページでは判断できません（検証プログラムの応答「{what}」はこのページが知らないものです）。そのため検証済みとはしません。ページを再読み込みするか、最新版の検証プログラムをお使いください。",
      "kind-unsupported-report": "検証プログラムの応答を、このページでは解釈できません。",
      "kind-customer-count-mismatch": "公表された顧客数が、ツリーの高さと合いません。",
      answerVerified: "はい。下のあなたの残高は、入力された公表値に含まれています。それが取引所の公表したものであることを下で確認してください。",
      answerNotCompared: "まだ分かりません。あなたの残高を取引所の公表値と照合できていません。公表されたルート（手順 2）を入力してください。",
      answerFailed: "いいえ。この証明では、あなたの残高が含まれていることを示せません。理由は下にあります。",
      technical: "技術的な詳細（ツリー、ハッシュ、署名）",
      verifiedHash: "あなたの残高は、指定されたルートハッシュのツリーに含まれています。",
      verifiedSummary: "あなたの残高は、指定されたツリーの概要が示すツリーに含まれています。ツリーの高さ・合計額・顧客数も公表値と一致しています。",
      causeInconsistent: "証明ファイルが、そこに記載されたルートに一致しません。残高、経路上の兄弟ノード、または記載されたルートが改ざんされたか、破損しています。",
      causeRootDiffers: "証明ファイル自体は整合していますが、指定された公表ルートとは別のルートに属しています。別のツリーやスナップショットの証明か、公表ルートの指定が誤っています。",
      verifiedAttestation: "あなたの残高は、署名付きアテステーションのツリーに含まれています。署名は有効で、ツリーの高さ・合計額・資産・顧客数もアテステーションと一致しています。",
      causeAttestationInvalid: "署名後に文書が変更されたか、記載された鍵で署名されていません。内容は信頼できないため、証明との照合は行っていません。",
      "kind-bad-signature": "アテステーションの署名が無効です。",
      attHeading: "署名付きアテステーション",
      attSignature: "署名（BIP-340）",
      sigValid: "有効",
      sigInvalid: "無効",
      attExchange: "取引所",
      attKey: "アテステーションの公開鍵",
      attFingerprint: "鍵のフィンガープリント",
      attBlocks: "準備金残高の基準ブロック",
      attId: "アテステーション ID",
      attUnverified: "未検証",
      todoFingerprint: "この鍵のフィンガープリントを、取引所が（ウェブサイトなどで）公表したものと照合してください。一致する場合に限り、このアテステーションは取引所が署名したものです：",
      "kind-root-hash-mismatch": "再計算したルートハッシュが期待される値と異なります。",
      "kind-root-sum-mismatch": "ルートハッシュは一致しますが、合計額が異なります。",
      "kind-path-length": "経路の長さがツリーの高さと一致しません。",
      "kind-index-out-of-range": "この高さのツリーには、あなたのエントリの位置が存在しません。",
      "kind-sum-overflow": "経路上の兄弟ノードにありえない金額が含まれています（合計が桁あふれします）。",
      "kind-asset-mismatch": "証明と公表されたルートとで、対象の資産または資産の小数点以下の桁数が異なります。",
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
      cmpHeight: "ツリーの高さ",
      cmpTotals: "負債総額",
      cmpAssets: "資産の一覧（銘柄と小数点以下の桁数）",
      cmpCustomers: "顧客数（高さとの整合）",
      "cmp-matches": "一致",
      "cmp-differs": "不一致",
      "cmp-not-given": "指定なし",
      "cmp-not-compared": "照合せず",
      boxHeading: "この確認でわかること・わからないこと",
      boxProves: "「公表されたルートで検証しました」と表示された場合、表示されたあなたの残高は、指定したルートのツリーの負債総額に含まれています。そのルートが取引所の公表したものであることをご確認ください。",
      boxNotReserves: "取引所が負債に見合う暗号資産を実際に保有していることは、この確認ではわかりません。それは準備金の監査で確認するもので、このページでは確認できません。",
      boxPrivacy: "v1 形式の証明（por-proof-v1）には、名前は含まれませんが、他の顧客の残高が含まれます。経路の最初の項目は他の顧客1人の正確な残高（パディングの場合はゼロ）で、以降の項目はそれぞれ最大 2、4、8…人の顧客の合計です。項目の数（ツリーの高さ）から、顧客数が2倍の範囲でわかります。同じように、他の顧客の証明にもあなたの残高が現れることがあります。",
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
      distIntro: "管理人から受け取った配当の証明（por-distribution-proof-v1）は、管理人の署名付き声明（por-distribution-v1）と照合します。手順1に証明を、手順2に声明を指定してください。",
      distVerified: "あなたの配当は、管理人の署名付き配当に含まれています",
      distVerifiedText: "あなたの配当の証明は、署名付き声明の配当ルートに含まれています。以下の債権額と配当額は、声明の配当があなたに与えるものです。",
      distNotVerified: "検証に失敗しました：証明が署名付き声明と一致しません",
      distNotVerifiedText: "あなたの配当の証明は、管理人の署名付き声明と一致しません。証明に書かれた数値は確認されていないため、表示しません。",
      distUntrusted: "検証に失敗しました：声明は信頼できません",
      distUntrustedText: "声明の署名が検証できません。署名後に変更されたか、記載された鍵で署名されていません。声明の内容は、あなたの証明と一切照合していません。",
      distUnsigned: "未完了：声明に署名がありません",
      distUnsignedText: "声明に署名がないため、何も照合していません。管理人に署名付きの声明を求めてください。",
      distTable: "あなたの債権額・配当額・回収率",
      distClaim: "債権額",
      distPayout: "配当額",
      distRecovery: "回収率",
      distHeld: "留保 {x}（あなたの債権は留保されています）",
      distRetained: "少額基準未満の {x}（財団に残ります）",
      distTopUp: "円による補填：不足分の評価額 ¥{shortfall}（{date} の {source} の価格）、支払額 ¥{paid}",
      distTopUpHeld: "、留保 ¥{held}",
      distTodoFingerprint: "声明の署名は、記載された鍵で検証できました。これは声明が改変されていないことを示しますが、誰の鍵かは示しません。この鍵のフィンガープリントを、管理人が公表したものと照合してください：",
      distTodoPaid: "これらの配当が実際に支払われたか、配当可能な資産が実際にチェーン上にあったかは、この証明ではわかりません。",
      distStatement: "署名付き声明",
      distAttestation: "基にしたアテステーション",
      distExchange: "取引所",
      distSnapshot: "スナップショット",
      distLiabilitiesRoot: "負債のルート",
      distRoot: "配当のルート",
      distCustomers: "配当の対象顧客数",
      distPolicy: "配当方針",
      distKey: "管理人の公開鍵",
      distBaseUnits: "債権額と配当額（最小単位）",
      errorNoStatement: "手順2に管理人の署名付き声明（por-distribution-v1）を指定してください。配当の証明はこれと照合します。",
      errorStatement: "配当の声明を読み込めませんでした。",
      formatsHint: "他の取引所の顧客向け証明も読み込めます。OKX、Bitget、Bitunix、MEXC、CoinEx、BitMEX の証明は各取引所自身の規則で検証します。Gate と Binance の zk 証明は形式を認識しますが、ここでは検証できません。形式はファイル名ではなく内容から判定します。",
      extraHeading: "一部の取引所の形式のみ：OKX のツリーファイル、BitMEX のアカウントIDとノンス",
      dropTree: "OKX（ユーザー情報ファイル）：OKX の負債ツリー全体のファイルをここにドロップするか、選択してください：",
      pasteTree: "…または貼り付けてください：",
      accountLabel: "BitMEX：あなたのアカウントID（アカウントページに記載）",
      nonceLabel: "BitMEX：このスナップショットのノンス（16進数、アカウントページに記載）",
      rootHintExchange: "他の取引所の証明の場合は、その取引所が同じ日付について公表したルートハッシュ（16進数）を指定してください。",
      boxExchange: "他の取引所の証明で「有効」とは、その取引所自身の規則がファイルを受け入れたことを意味します。緑色になるのは、さらにファイルが指定されたルートハッシュに一致する場合だけです。表示される弱点は、判定にかかわらず、その形式では示せないことです。",
      exDetected: "内容から判定：{exchange} の顧客向け証明（形式 {format}）です。",
      exVerified: "有効で、指定されたルートハッシュに一致します",
      exNotCompared: "{exchange} 自身の規則では有効ですが、公表されたルートとは照合していません",
      exInvalid: "無効：{exchange} 自身の規則がこの証明を拒否します",
      exUnverifiable: "ここでは検証できません",
      exAnswerVerified: "はい。{exchange} 自身の規則がこの証明を受け入れ、証明は指定されたルートハッシュに一致します。そのルートハッシュが {exchange} の公表したものであることをご確認ください。",
      exAnswerNotCompared: "まだ分かりません。{exchange} 自身の規則はこのファイルを受け入れますが、つじつまの合ったファイルであれば、ここまでは通ります。照合するには、{exchange} が公表したルートハッシュを手順2で指定してください。",
      exAnswerInvalid: "いいえ。{exchange} 自身の規則は、この証明を手順「{step}」で拒否します。理由は下にあります。",
      exAnswerUnverifiable: "分かりません。{exchange} の形式ですが、このページでは検証できません。理由は下にあります。",
      exStep: "手順",
      exReason: "理由（英語）",
      exBalances: "証明に記載されたあなたの残高",
      exCompared: "指定されたルートハッシュとの照合",
      exComparedYes: "照合済み",
      exComparedNo: "照合せず",
      exRoot: "証明から導かれるルートハッシュ",
      exNotes: "補足（英語）",
      exFormat: "形式",
      exExchange: "取引所",
      exWeaknesses: "この形式の弱点（判定は変わりません）",
      exNoWeaknesses: "por が把握しているこの形式の弱点はありません。",
      exTodoRoot: "このルートハッシュを {exchange} が同じ日付について公表したものと照合するか、公表されたものを手順2で指定してください：",
      exTodoVerified: "指定したルートハッシュが、{exchange} が同じ日付について公表したものであることをご確認ください。",
      exTodoBitmex: "BitMEX のツリーでは、アカウントIDとアカウントページのノンスがなければあなたのエントリを開けません。手順1の「一部の取引所の形式のみ」で指定してください。",
      exTodoBalances: "上記の残高が、その日付時点のあなたの残高であることをご確認ください。",
      unknownFormat: "不明な形式：このファイルは、このページが認識できる顧客向け証明ではありません。",
      unknownClosest: "最も近い形式：{format}（{exchange}）、{of} 個の特徴のうち {matched} 個が一致。不足：{missing}。",
      unknownSeveral: "このファイルは複数の形式に当てはまります：{formats}。",
      errorNeedsTree: "これは OKX のユーザー情報ファイルで、OKX の負債ツリー全体のファイルと照合して検証します。手順1の「一部の取引所の形式のみ」でそのファイルを指定してください。",
      errorAccount: "BitMEX のアカウントIDを読み取れませんでした（整数で指定してください）。",
      errorNonce: "BitMEX のノンスを読み取れませんでした（16進数で指定してください）。",
      errorExchangeRoot: "指定されたルートハッシュを読み取れませんでした。他の取引所の証明の場合は、ルートハッシュを16進数のみで指定してください。",
      errorExchangeProof: "構造から推定される形式として、このファイルを読み取れませんでした。",
      errorInteropLoad: "このブラウザでは、他の取引所の証明を検証する機能を起動できませんでした。",
      errorV2Load: "このブラウザでは、v2 形式の証明を検証する機能を起動できませんでした。",
      v2Detected: "v2 形式の証明（por-proof-v2）です。他の顧客の残高と顧客数は、この証明からはわかりません。",
      v2VerifiedRoot: "あなたの残高は、指定された公表ルート（por-root-v2）の v2 ツリーにコミットされています。証明からそのルートハッシュが導かれ、ルートはその合計額にちょうど開示され、経路上のすべてのコミットメントが負の金額を隠していないことが証明されています。",
      v2VerifiedAttestation: "あなたの残高は、指定された署名付きアテステーションの v2 ツリーにコミットされています。署名は有効で、証明からその署名されたルートハッシュが導かれ、ツリーの高さと資産一覧が一致し、ルートはその合計額にちょうど開示され、経路上のすべてのコミットメントが負の金額を隠していないことが証明されています。",
      "v2kind-format-mismatch": "指定されたルートはフォーマット v1（ツリー要約または v1 ツリーのアテステーション）です。v2 の証明はそこへ導かれません。",
      v2VerifiedHash: "あなたの残高は、指定されたルートハッシュの v2 ツリーにコミットされています。このハッシュはツリーの高さ、資産の一覧、ルートのコミットメントを固定しており、そのコミットメントは表示された合計額に開示されます。経路上のすべてのコミットメントが負の金額を隠していないことも証明されています。",
      "v2kind-range-proof-invalid": "範囲証明が検証できません。経路上のコミットメントが負の金額を隠している（合計額を少なく見せる）おそれがあるか、範囲証明がこの証明のものではありません。",
      "v2kind-root-opening-mismatch": "ルートのコミットメントが、記載された合計額とブラインディング係数に開示されません。その合計額は、ツリーがコミットしている値ではありません。",
      "v2kind-height-mismatch": "公表されたツリーの高さが、証明の高さと異なります。",
      "v2kind-asset-mismatch": "証明と公表されたルートとで、資産・小数点以下の桁数・証明単位のいずれかが異なります。",
      "v2kind-root-hash-mismatch": "証明から導かれるルートハッシュが、期待される値と異なります（残高、経路の項目、高さ、資産、その桁数または証明単位のいずれかが異なります）。",
      "v2kind-path-length": "経路の長さが、証明に記載されたツリーの高さと一致しません。",
      "v2kind-position-out-of-range": "この高さのツリーには、あなたの位置が存在しません。",
      "v2kind-balance-out-of-range": "残高が証明単位に対して大きすぎます（2^64 単位以上）。",
      "v2kind-bad-commitment": "経路上のコミットメントを復号できません。",
      v2ColBalance: "あなたの残高",
      v2ColCounted: "ツリーでの計上額",
      v2Exact: "{x}（端数なし）",
      v2RoundedUp: "{x}（切り上げ）",
      v2UnitsHeading: "証明単位",
      v2UnitExact: "{symbol}：1 単位 = {u} {symbol}（最小単位）。そのまま計上されます。",
      v2UnitRounded: "{symbol}：1 単位 = {u} {symbol}（最小単位の 10^{e} 倍）。各残高は単位未満を切り上げて計上されます。",
      v2UnitNote: "切り上げなので、負債が少なく計上されることはありません。各合計額は正確な合計以上で、その差は顧客 1 人あたり 1 証明単位未満です。",
      v2TotalsPublished: "取引所の負債総額（公表値。各残高を証明単位に切り上げたもの）",
      v2TotalsAttestation: "取引所の負債総額（アテステーションに署名された値。各残高を証明単位に切り上げたもの）",
      v2TotalsHash: "取引所の負債総額（指定されたルートハッシュがコミットしている値。各残高を証明単位に切り上げたもの）",
      v2TotalsProof: "取引所の負債総額（証明ファイル記載値。各残高を証明単位に切り上げたもの）",
      v2ShownHeading: "この証明でわかること・隠されていること",
      v2Shown: "あなたにわかること：",
      v2ShownOwn: "あなたのアカウント ID、残高（計上額：証明単位に切り上げたもの）、ツリー内の位置",
      v2ShownHeight: "ツリーの高さ {h}。取引所が選んだ値で、顧客数から計算されたものではありません。高さ {h} のツリーに入る顧客は最大 {max} 人で、それ以下のどの顧客数でもまったく同じ形の証明になります。高さからわかるのは、顧客が {max} 人以下であることだけです。",
      v2ShownAssets: "資産の一覧（銘柄、小数点以下の桁数、証明単位）と合計額",
      v2Hidden: "あなたにも、ファイルを渡した相手にも隠されていること：",
      v2HiddenBalances: "他のすべての顧客の残高とアカウント ID。経路の {h} 個の項目はそれぞれ資産ごとに 1 つのコミットメントを示すだけで、金額は隠されています。",
      v2HiddenCount: "顧客数",
      v2HiddenPadding: "経路のどの項目が他の顧客で、どれが空のパディングか",
      v2CheckedHeading: "確認したこと",
      v2CheckedLeaf: "あなたの残高（計上額）で、あなた自身のエントリのコミットメントが開示されること。",
      v2CheckedPath: "経路のすべての項目からルートハッシュが導かれること。ルートハッシュは形式のバージョン、ツリーの高さ、資産の一覧（桁数と証明単位を含む）を固定しています。",
      v2CheckedOpening: "ルートのコミットメントが、表示された合計額にちょうど開示されること。",
      v2CheckedRange: "範囲証明：経路で示される {n} 個のコミットメント（{h} 項目 × {k} 資産）のすべてが 0 から 2^64 − 1 証明単位の値であり、負の金額を隠しているものはないこと（これらとパディングのゼロへのコミットメントを合わせた {p} 個に対する集約された範囲証明 1 個、検証済み）。",
      v2CheckedAgainstProof: "以上はすべて、公表値ではなく、証明ファイル自体に書かれたルートに対して確認したものです。",
      v2NotCheckedHeading: "この確認でわからないこと",
      v2TodoRoot: "指定した公表ルート（por-root-v2）が、取引所の公表したものであること。取引所自身のウェブサイトから入手してください。",
      v2TodoHash: "指定したルートハッシュが、取引所の公表したものであること。取引所自身のウェブサイトから入手してください。",
      v2TodoFingerprint: "アテステーションがお使いの取引所によって署名されたこと。この鍵フィンガープリントを取引所が公表しているもの（ウェブサイトなど）と比較してください。一致する場合に限り、あなたの残高は取引所が証明した負債に含まれています：",
      v2TodoCompare: "この証明が取引所の公表したものに属していること。取引所自身のウェブサイトで公表されたルート（por-root-v2 ファイルまたはルートハッシュ）を上の手順2で指定するか、このルートハッシュを公表値とご自身で照合してください：",
      v2NotReserves: "取引所が負債に見合う暗号資産を保有していること。それは準備金の監査で確認するもので、このページでは確認できません。",
      v2NotOthers: "他の顧客のエントリ。あなたの証明が対象とするのは、あなたの経路上のコミットメントだけです。ツリーの他の場所にある負の金額は、そこを経路に含む顧客か、ツリー全体を再構築する監査人が見つけるもので、あなたの確認ではわかりません。",
      v2NotSnapshot: "どのスナップショット（日付）か。証明にも por-root-v2 にも記載がありません。上記の残高が、取引所がこのルートを公表した日付時点のあなたの残高であることをご確認ください。",
      v2NotSnapshotAttested: "上記の残高が、アテステーションに記載されたスナップショット {snapshot} の時点のあなたの残高であること。このページはその時点のあなたの残高を知りません。",
      v2Technical: "技術的な詳細（ツリー、ハッシュ、範囲証明、所要時間）",
      v2Format: "形式",
      v2Position: "ツリー内の位置",
      v2MaxCustomers: "この高さのツリーに入る最大の顧客数",
      v2RangeProofs: "範囲証明",
      v2RangeProofsValue: "{n} 個のコミットメントに対する集約された範囲証明 1 個（ゼロへのコミットメントで {p} 個に補完）",
      v2Time: "このブラウザでの確認の所要時間",
      v2TimeValue: "{ms} ミリ秒",
      cmpAssetsV2: "資産の一覧（銘柄、小数点以下の桁数、証明単位）",
      cmpTotalsV2: "合計額（ルートのコミットメントの開示先）",
      "cmp-under-hash": "指定されたハッシュで固定",
      boxV2: "v2 形式の証明（por-proof-v2）では、他の顧客の残高と顧客数は隠されています。経路の各項目はコミットメントだけを示し、その金額は隠されたまま負でないことが証明されています。ツリーの高さは取引所が選ぶので、そこからわかるのは顧客が最大 2^(高さ − 1) 人であることだけです。あなたの残高は、ページに表示されるとおり、資産ごとの証明単位に切り上げて計上されます。",
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
    result.removeAttribute("data-distribution");
    result.removeAttribute("data-format");
    result.removeAttribute("data-exchange");
    result.removeAttribute("data-verify-ms");
    if (!last) return;
    error.removeAttribute("data-error");
    if (last.error) {
      error.appendChild(el("p", { class: "error-title" }, [t(last.error.key, last.error.vars)]));
      if (last.error.kind) error.setAttribute("data-error", last.error.kind);
      (last.error.lines || []).forEach(function (l) {
        error.appendChild(el("p", { class: "candidate" }, [t(l.key, l.vars)]));
      });
      if (last.error.detail) error.appendChild(el("p", { class: "detail", id: "error-detail" }, [last.error.detail]));
      error.hidden = false;
      return;
    }
    if (last.exchange) {
      renderExchange(last.exchange);
      return;
    }
    if (last.distribution) {
      renderDistribution(last.distribution);
      return;
    }
    if (last.v2) {
      renderV2(last);
      return;
    }
    var r = last.report;
    var state = stateOf(r);
    result.setAttribute("data-verdict", state.verdict);

    var look = { verified: ["ok", "✓", "verified"], "not-compared": ["warn", "!", "notCompared"], failed: ["bad", "✗", "notVerified"] }[state.verdict];
    result.appendChild(el("h2", { id: "verdict", class: "verdict " + look[0] }, [
      el("span", { class: "mark", "aria-hidden": "true" }, [look[1]]),
      " ",
      t(look[2]),
    ]));
    // The answer first, in plain words; the technical details follow,
    // collapsed.
    var answerKey = { verified: "answerVerified", "not-compared": "answerNotCompared", failed: "answerFailed" }[state.verdict];
    result.appendChild(el("p", { id: "answer", class: "answer " + look[0] }, [t(answerKey)]));
    // Japanese sentences are not separated by a space.
    var gap = lang === "ja" ? "" : " ";

    if (state.verdict === "verified") {
      var key = { "published-hash": "verifiedHash", "published-summary": "verifiedSummary", attestation: "verifiedAttestation" }[r.root_source];
      result.appendChild(el("p", { id: "verdict-text" }, [t(key)]));
    } else if (state.verdict === "not-compared") {
      result.appendChild(el("p", { id: "verdict-text" }, [t("notComparedText")]));
    } else {
      var f = state.failure;
      var kindText = STRINGS.en["kind-" + f.kind] ? t("kind-" + f.kind) : t("kindOther");
      var failure = el("dl", { class: "facts failure", id: "failure" }, []);
      var causeKey = { "root-differs": "causeRootDiffers", "attestation-invalid": "causeAttestationInvalid", "proof-inconsistent": "causeInconsistent" }[f.cause];
      var causeText = causeKey ? t(causeKey) : t("causeUnsupported", { what: f.what });
      row(t("reason"), kindText + gap + causeText).forEach(function (n) { failure.appendChild(n); });
      if (f.level !== null && f.level !== undefined) {
        var levelText = f.level === r.height && f.kind !== "sum-overflow" ? t("levelRoot", { n: f.level }) : String(f.level);
        row(t("level"), levelText).forEach(function (n) { failure.appendChild(n); });
      }
      if (f.computed_root) row(t("computedRoot"), f.computed_root, "hash").forEach(function (n) { failure.appendChild(n); });
      if (f.message) row(t("details"), f.message, "detail").forEach(function (n) { failure.appendChild(n); });
      failure.setAttribute("data-kind", f.kind);
      failure.setAttribute("data-cause", causeKey ? f.cause : "unsupported");
      result.appendChild(failure);
      var next = el("section", { class: "next", id: "next", "aria-labelledby": "next-heading" }, [el("h3", { id: "next-heading" }, [t("nextHeading")])]);
      var steps = el("ul", null, [el("li", null, [t("nextDownload")])]);
      if (f.cause === "root-differs") steps.appendChild(el("li", null, [t("nextPublication")]));
      steps.appendChild(el("li", null, [t("nextContact")]));
      steps.appendChild(el("li", null, [t("nextKeep")]));
      next.appendChild(steps);
      result.appendChild(next);
      result.appendChild(el("p", { class: "note" }, [t("unverifiedNote")]));
    }

    var facts = el("dl", { class: "facts", id: "facts" }, []);
    row(t("account"), r.user_id, "account").forEach(function (n) { facts.appendChild(n); });
    result.appendChild(facts);

    result.appendChild(amountTable(t("balances"), r.balances, "balances"));
    // Published totals, or the proof's own (with a hash-only root they are
    // bound by the verified hash, but not compared with a published figure).
    var totalsCaption = r.totals_published ? t("totalsPublished") : state.verdict === "verified" ? t("totals") : t("totalsProof");
    result.appendChild(amountTable(totalsCaption, r.totals, "totals"));

    var technical = el("details", { id: "technical", class: "technical" }, [el("summary", null, [t("technical")])]);
    var tree = el("dl", { class: "facts", id: "tree" }, []);
    row(t("index"), String(r.index)).forEach(function (n) { tree.appendChild(n); });
    row(t("height"), String(r.height)).forEach(function (n) { tree.appendChild(n); });
    if (r.customers !== null && r.customers !== undefined) row(t("customers"), String(r.customers)).forEach(function (n) { tree.appendChild(n); });
    // With no publication, nothing was checked against a published root.
    row(t(r.root_source === "proof" ? "proofRoot" : "root"), r.checked_root, "hash").forEach(function (n) { tree.appendChild(n); });
    if (r.proof_root !== r.checked_root) row(t("proofRoot"), r.proof_root, "hash").forEach(function (n) { tree.appendChild(n); });
    var a = r.attestation;
    var snapshot = a && a.signature_valid ? a.snapshot_label + " (" + a.snapshot_time + ")" : t("snapshotUnknown");
    row(t("snapshot"), snapshot, "snapshot").forEach(function (n) { tree.appendChild(n); });
    technical.appendChild(tree);
    technical.appendChild(comparisonTable(r, state));
    if (a) technical.appendChild(attestationSection(a));

    if (state.verdict !== "failed") {
      var todo = el("section", { class: "todo", id: "todo", "aria-labelledby": "todo-heading" }, [
        el("h3", { id: "todo-heading" }, [t(state.verdict === "not-compared" ? "todoCompareHeading" : "todoHeading")]),
      ]);
      var list = el("ul", null, []);
      if (state.verdict === "not-compared") {
        list.appendChild(el("li", { id: "todo-root" }, [t("todoCompare"), " ", el("code", { class: "hash" }, [r.proof_root])]));
      } else if (r.root_source === "attestation") {
        list.appendChild(el("li", { id: "todo-root" }, [t("todoFingerprint"), " ", el("code", { class: "hash" }, [r.attestation.fingerprint])]));
      } else if (r.root_source === "published-hash") {
        list.appendChild(el("li", { id: "todo-root" }, [t("todoHash")]));
      } else {
        list.appendChild(el("li", { id: "todo-root" }, [t("todoSummary")]));
      }
      list.appendChild(el("li", null, [t("todoBalances")]));
      todo.appendChild(list);
      result.appendChild(todo);
    }
    result.appendChild(technical);
    result.hidden = false;
  }

  // The page's verdict from the verifier's report, failing closed: green only
  // for a "verified" report against a root source this page knows, with the
  // root hash compared and matching; amber only for a consistent proof with
  // no publication; everything else (an unknown verdict, root source or
  // comparison, or a combination that does not fit) is "not verified".
  var PUBLISHED_SOURCES = ["published-hash", "published-summary", "attestation"];
  var COMPARISON_VALUES = ["matches", "differs", "not-given"];
  var COMPARISON_ITEMS = ["root_hash", "height", "totals", "assets", "customers"];

  function stateOf(r) {
    var c = r.comparisons || {};
    var known = COMPARISON_ITEMS.every(function (k) { return COMPARISON_VALUES.indexOf(c[k]) >= 0; });
    var noneDiffers = COMPARISON_ITEMS.every(function (k) { return c[k] !== "differs"; });
    if (r.verdict === "verified" && r.verified === true && !r.failure && known && noneDiffers &&
        c.root_hash === "matches" && PUBLISHED_SOURCES.indexOf(r.root_source) >= 0 &&
        (r.root_source !== "attestation" || (r.attestation && r.attestation.signature_valid === true && r.attestation.fingerprint))) {
      return { verdict: "verified" };
    }
    if (r.verdict === "consistent-not-compared" && r.verified === false && !r.failure && r.root_source === "proof" && known) {
      return { verdict: "not-compared" };
    }
    if (r.verdict === "not-verified" && r.failure && r.failure.kind) {
      return { verdict: "failed", failure: r.failure };
    }
    var what = "verdict " + String(r.verdict) + ", root source " + String(r.root_source);
    return { verdict: "failed", failure: { kind: "unsupported-report", cause: "unsupported", what: what, level: null, message: what } };
  }

  // Every published item: matches, differs, or not given. An attestation
  // whose signature is invalid was not used, so nothing in it was compared.
  function comparisonTable(r, state) {
    var c = r.comparisons || {};
    var unused = state.failure && state.failure.cause === "attestation-invalid";
    var labels = { root_hash: "cmpHash", height: "cmpHeight", totals: "cmpTotals", assets: "cmpAssets", customers: "cmpCustomers" };
    var body = COMPARISON_ITEMS.map(function (k) {
      var v = COMPARISON_VALUES.indexOf(c[k]) >= 0 ? c[k] : "not-compared";
      if (unused && v === "not-given") v = "not-compared";
      return el("tr", { "data-item": k, "data-result": v }, [
        el("th", { scope: "row" }, [t(labels[k])]),
        el("td", { class: "cmp cmp-" + v }, [t("cmp-" + v)]),
      ]);
    });
    return el("table", { class: "comparisons", id: "comparisons" }, [
      el("caption", null, [t("compared")]),
      el("tbody", null, body),
    ]);
  }

  // What the attestation names. When its signature is invalid, what it says
  // is shown marked as not verified, and no fingerprint is given.
  function attestationSection(a) {
    var dl = el("dl", { class: "facts", id: "attestation", "data-signature": a.signature_valid ? "valid" : "invalid" }, []);
    var add = function (label, value, cls) {
      row(label, value, cls).forEach(function (n) { dl.appendChild(n); });
    };
    var mark = a.signature_valid ? "" : " (" + t("attUnverified") + ")";
    add(t("attSignature"), t(a.signature_valid ? "sigValid" : "sigInvalid"), a.signature_valid ? "sig-ok" : "sig-bad");
    add(t("attExchange"), a.exchange + mark, "exchange");
    add(t("attKey"), a.public_key, "hash");
    if (a.fingerprint) add(t("attFingerprint"), a.fingerprint, "hash fingerprint");
    if (!a.signature_valid) add(t("snapshot"), a.snapshot_label + " (" + a.snapshot_time + ")" + mark);
    var blocks = a.chains.map(function (c) { return c.chain + " #" + c.height + " " + c.block_hash; }).join("\n");
    add(t("attBlocks"), blocks + mark, "hash blocks");
    add(t("attId"), a.id, "hash");
    return el("section", { class: "attestation", "aria-labelledby": "att-heading" }, [
      el("h3", { id: "att-heading" }, [t("attHeading")]),
      dl,
    ]);
  }

  // ---- The administrator's distribution ----

  // The page's verdict for a distribution report, failing closed: green only
  // for a "verified" report with the statement's summary and every asset;
  // amber only for an unsigned statement; everything else is red.
  function distributionState(r) {
    if (r.verdict === "verified" && r.verified === true && !r.failure && r.statement &&
        r.statement.fingerprint && Array.isArray(r.assets) && r.assets.length > 0) {
      return "verified";
    }
    if (r.verdict === "unsigned" && r.verified === false) return "unsigned";
    if (r.verdict === "untrusted" && r.verified === false) return "untrusted";
    return "not-verified";
  }

  function renderDistribution(r) {
    var result = $("result");
    var state = distributionState(r);
    result.setAttribute("data-verdict", state === "verified" ? "verified" : state === "unsigned" ? "not-compared" : "failed");
    result.setAttribute("data-distribution", state);
    var look = {
      verified: ["ok", "✓", "distVerified", "distVerifiedText"],
      unsigned: ["warn", "!", "distUnsigned", "distUnsignedText"],
      untrusted: ["bad", "✗", "distUntrusted", "distUntrustedText"],
      "not-verified": ["bad", "✗", "distNotVerified", "distNotVerifiedText"],
    }[state];
    result.appendChild(el("h2", { id: "verdict", class: "verdict " + look[0] }, [
      el("span", { class: "mark", "aria-hidden": "true" }, [look[1]]),
      " ",
      t(look[2]),
    ]));
    result.appendChild(el("p", { id: "verdict-text" }, [t(look[3])]));
    var facts = el("dl", { class: "facts", id: "facts" }, []);
    row(t("account"), r.user_id, "account").forEach(function (n) { facts.appendChild(n); });
    result.appendChild(facts);

    if (state === "verified") {
      var body = r.assets.map(function (a) {
        var notes = [];
        if (a.held !== "0") notes.push(t("distHeld", { x: a.held }));
        if (a.retained !== "0") notes.push(t("distRetained", { x: a.retained }));
        var payout = a.payout + (notes.length ? " (" + notes.join("; ") + ")" : "");
        return el("tr", { "data-asset": a.symbol }, [
          el("th", { scope: "row" }, [a.symbol]),
          el("td", { class: "num claim", title: a.claim_base_units }, [a.claim]),
          el("td", { class: "num payout", title: a.payout_base_units }, [payout]),
          el("td", { class: "num recovery" }, [a.recovery]),
        ]);
      });
      result.appendChild(el("table", { class: "amounts", id: "payouts" }, [
        el("caption", null, [t("distTable")]),
        el("thead", null, [el("tr", null, [
          el("th", { scope: "col" }, [t("asset")]),
          el("th", { scope: "col", class: "num" }, [t("distClaim")]),
          el("th", { scope: "col", class: "num" }, [t("distPayout")]),
          el("th", { scope: "col", class: "num" }, [t("distRecovery")]),
        ])]),
        el("tbody", null, body),
      ]));
      if (r.top_up) {
        var u = r.top_up;
        var line = t("distTopUp", { shortfall: u.shortfall, date: u.price_date, source: u.price_source, paid: u.paid });
        if (u.held !== "0") line += t("distTopUpHeld", { held: u.held });
        result.appendChild(el("p", { id: "top-up" }, [line]));
      }
      var todo = el("section", { class: "todo", id: "todo", "aria-labelledby": "todo-heading" }, [
        el("h3", { id: "todo-heading" }, [t("todoHeading")]),
      ]);
      todo.appendChild(el("ul", null, [
        el("li", { id: "todo-root" }, [t("distTodoFingerprint"), " ", el("code", { class: "hash fingerprint" }, [r.statement.fingerprint])]),
        el("li", { id: "todo-paid" }, [t("distTodoPaid")]),
      ]));
      result.appendChild(todo);
    } else if (state !== "unsigned") {
      var next = el("section", { class: "next", id: "next", "aria-labelledby": "next-heading" }, [el("h3", { id: "next-heading" }, [t("nextHeading")])]);
      next.appendChild(el("ul", null, [el("li", null, [t("nextContact")]), el("li", null, [t("nextKeep")])]));
      result.appendChild(next);
    }

    // Technical details: the failure, and (from a statement whose signature
    // verified) what it names.
    var details = el("details", { id: "dist-details" }, [el("summary", null, [t("details")])]);
    var dl = el("dl", { class: "facts" }, []);
    var add = function (label, value, cls) {
      row(label, value, cls).forEach(function (n) { dl.appendChild(n); });
    };
    if (r.failure) {
      add(t("reason"), r.failure.message || r.failure.kind, "detail");
      dl.lastChild.setAttribute("data-kind", String(r.failure.kind));
    }
    add(t("index"), String(r.index));
    if (r.statement && state !== "untrusted") {
      var st = r.statement;
      add(t("distAttestation"), st.attestation_id, "hash");
      add(t("distExchange"), st.exchange);
      add(t("distSnapshot"), st.snapshot);
      add(t("distLiabilitiesRoot"), st.liabilities_root, "hash");
      add(t("distRoot"), st.distribution_root, "hash");
      add(t("distCustomers"), String(st.customers));
      add(t("distPolicy"), st.policy);
      add(t("distKey"), st.administrator_key, "hash");
      add(t("attFingerprint"), st.fingerprint, "hash");
    }
    if (state === "verified") {
      add(t("distBaseUnits"), r.assets.map(function (a) {
        return a.symbol + ": " + a.claim_base_units + " / " + a.payout_base_units;
      }).join("\n"), "hash");
    }
    details.appendChild(dl);
    result.appendChild(details);
    result.hidden = false;
  }

  // A distribution proof names its format; anything else is checked as a
  // proof of reserves. The format only chooses which check runs: each check
  // reads the whole file itself.
  function isDistributionProof(text) {
    try {
      var v = JSON.parse(text);
      return !!v && typeof v === "object" && v.format === "por-distribution-proof-v1";
    } catch (e) {
      return false;
    }
  }

  // ---- Other exchanges' proofs (the second module, crates/por-wasm-interop) ----

  // The page's state for an exchange report, failing closed: green only for
  // "valid" and compared with a root hash the customer gave; amber for valid
  // but not compared, and for unverifiable (never green); red for invalid and
  // for anything this page does not know.
  function exchangeState(r) {
    if (r.ok === true && r.verdict === "valid" && r.compared_with_publication === true && r.reason === null) return "verified";
    if (r.ok === true && r.verdict === "valid" && r.compared_with_publication === false) return "not-compared";
    if (r.ok === true && r.verdict === "unverifiable") return "unverifiable";
    return "failed";
  }

  function renderExchange(r) {
    var result = $("result");
    var state = exchangeState(r);
    var names = { exchange: r.exchange, format: r.format, step: r.step || "?" };
    result.setAttribute("data-verdict", state);
    result.setAttribute("data-format", r.format);
    result.setAttribute("data-exchange", r.exchange);
    var look = {
      verified: ["ok", "✓", "exVerified", "exAnswerVerified"],
      "not-compared": ["warn", "!", "exNotCompared", "exAnswerNotCompared"],
      unverifiable: ["warn", "?", "exUnverifiable", "exAnswerUnverifiable"],
      failed: ["bad", "✗", "exInvalid", "exAnswerInvalid"],
    }[state];
    result.appendChild(el("h2", { id: "verdict", class: "verdict " + look[0] }, [
      el("span", { class: "mark", "aria-hidden": "true" }, [look[1]]),
      " ",
      t(look[2], names),
    ]));
    result.appendChild(el("p", { id: "answer", class: "answer " + look[0] }, [t(look[3], names)]));
    result.appendChild(el("p", { id: "detected", class: "detected" }, [t("exDetected", names)]));

    if (state === "failed" || state === "unverifiable") {
      var failure = el("dl", { class: state === "failed" ? "facts failure" : "facts reason", id: "failure", "data-step": r.step || "" }, []);
      if (r.step) row(t("exStep"), r.step).forEach(function (n) { failure.appendChild(n); });
      // por-interop's reason names the CLI's options (--account, --nonce);
      // on the page, say where the inputs are instead.
      var why = state === "unverifiable" && r.format === "bitmex" && /--nonce/.test(r.reason || "") ? t("exTodoBitmex") : r.reason || String(r.verdict);
      row(t(why === r.reason ? "exReason" : "reason"), why, "detail").forEach(function (n) { failure.appendChild(n); });
      result.appendChild(failure);
    }
    if (state === "failed") result.appendChild(el("p", { class: "note" }, [t("unverifiedNote")]));

    var facts = el("dl", { class: "facts", id: "facts" }, []);
    row(t("exCompared"), t(r.compared_with_publication === true ? "exComparedYes" : "exComparedNo"), "compared").forEach(function (n) { facts.appendChild(n); });
    result.appendChild(facts);

    if (r.balances && r.balances.length > 0) {
      result.appendChild(el("table", { class: "amounts", id: "balances" }, [
        el("caption", null, [t("exBalances")]),
        el("thead", null, [el("tr", null, [el("th", { scope: "col" }, [t("asset")]), el("th", { scope: "col", class: "num" }, [t("amount")])])]),
        el("tbody", null, r.balances.map(function (b) {
          return el("tr", null, [el("th", { scope: "row" }, [b.symbol]), el("td", { class: "num" }, [b.amount])]);
        })),
      ]));
    }

    var weak = el("section", { class: "weaknesses", id: "weaknesses", "aria-labelledby": "weaknesses-heading" }, [
      el("h3", { id: "weaknesses-heading" }, [t("exWeaknesses")]),
    ]);
    var wl = r.weaknesses || [];
    if (wl.length === 0) {
      weak.appendChild(el("p", null, [t("exNoWeaknesses")]));
    } else {
      weak.appendChild(el("ul", null, wl.map(function (w) {
        return el("li", { "data-weakness": w.id }, [lang === "ja" ? w.ja : w.en, " ", el("code", null, [w.id])]);
      })));
    }
    result.appendChild(weak);

    if (state !== "failed") {
      var todo = el("section", { class: "todo", id: "todo", "aria-labelledby": "todo-heading" }, [
        el("h3", { id: "todo-heading" }, [t("todoHeading")]),
      ]);
      var list = el("ul", null, []);
      if (state === "not-compared" && r.root) {
        list.appendChild(el("li", { id: "todo-root" }, [t("exTodoRoot", names), " ", el("code", { class: "hash" }, [r.root])]));
      } else if (state === "verified") {
        list.appendChild(el("li", { id: "todo-root" }, [t("exTodoVerified", names)]));
      }
      if (state === "unverifiable" && r.format === "bitmex") list.appendChild(el("li", { id: "todo-bitmex" }, [t("exTodoBitmex")]));
      if (state !== "unverifiable") list.appendChild(el("li", null, [t("exTodoBalances")]));
      todo.appendChild(list);
      result.appendChild(todo);
    }

    var technical = el("details", { id: "technical", class: "technical" }, [el("summary", null, [t("details")])]);
    var dl = el("dl", { class: "facts", id: "tree" }, []);
    row(t("exExchange"), r.exchange).forEach(function (n) { dl.appendChild(n); });
    row(t("exFormat"), r.format, "format").forEach(function (n) { dl.appendChild(n); });
    if (r.root) row(t("exRoot"), r.root, "hash").forEach(function (n) { dl.appendChild(n); });
    if (r.notes && r.notes.length > 0) row(t("exNotes"), r.notes.join("\n"), "detail blocks").forEach(function (n) { dl.appendChild(n); });
    technical.appendChild(dl);
    result.appendChild(technical);
    result.hidden = false;
  }

  // What the second module's failure means on the page.
  function exchangeError(v) {
    if (v.error === "unknown") {
      var lines = [];
      if (v.several && v.several.length > 0) lines.push({ key: "unknownSeveral", vars: { formats: v.several.join(", ") } });
      if (!v.not_a_proof) {
        (v.closest || []).forEach(function (c) {
          lines.push({ key: "unknownClosest", vars: { format: c.format, exchange: c.exchange, matched: c.matched, of: c.of, missing: c.missing.join(", ") } });
        });
      }
      // A known companion file (OKX's tree, Gate's batch table) says what it is.
      var detail = v.not_a_proof ? String(v.message).split(";")[0] : null;
      return { key: "unknownFormat", kind: "unknown-format", lines: lines, detail: detail };
    }
    var key = { "needs-tree": "errorNeedsTree", account: "errorAccount", nonce: "errorNonce", root: "errorExchangeRoot" }[v.error] || "errorExchangeProof";
    if (v.error === "needs-tree" || v.error === "account" || v.error === "nonce") $("extra").open = true;
    return { key: key, kind: String(v.error), detail: v.error === "needs-tree" ? null : v.message };
  }

  // por's own formats go to the first module; anything else to the second.
  // A file that looks like JSON but does not parse is por's (it gets por's
  // "malformed proof" error, as before); text that is not JSON at all
  // (BitMEX's tree) and JSON without a por format are the second module's.
  function isPorOwn(text) {
    var body = text.replace(/^\uFEFF/, "");
    try {
      var v = JSON.parse(body);
      return !!v && typeof v === "object" && typeof v.format === "string" && /^por-/.test(v.format);
    } catch (e) {
      return /^\s*[{[]/.test(body);
    }
  }

  // Loads the second module once, from the page's own folder (a script
  // element: the CSP's 'self'), and instantiates its inlined bytes: nothing
  // is fetched from anywhere else.
  var interop = null;
  function loadScript(name) {
    return new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = name;
      s.onload = function () { ok(); };
      s.onerror = function () { fail(new Error("could not load " + name)); };
      document.body.appendChild(s);
    });
  }
  function loadInterop() {
    if (!interop) {
      interop = loadScript("por_wasm_interop.js")
        .then(function () { return loadScript("por_wasm_interop_bytes.js"); })
        .then(function () {
          var bin = atob(POR_WASM_INTEROP_BASE64);
          var bytes = new Uint8Array(bin.length);
          for (var j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
          // `let por_interop` in the glue: a global binding, not a window property.
          return por_interop({ module_or_path: bytes });
        })
        .then(function () { return por_interop; });
      interop.catch(function () { interop = null; });
    }
    return interop;
  }

  function verifyExchange(proof, root) {
    return loadInterop().then(
      function (m) {
        var v = JSON.parse(m.check(proof, $("tree-text").value, root, $("account-text").value, $("nonce-text").value));
        return v.ok === true ? { exchange: v } : { error: exchangeError(v) };
      },
      function (e) {
        return { error: { key: "errorInteropLoad", kind: "interop-load", detail: e && e.message ? e.message : String(e) } };
      }
    );
  }

  // ---- Tree format v2 (the third module, crates/por-wasm-v2) ----

  function isV2Proof(text) {
    try {
      var v = JSON.parse(text.replace(/^\uFEFF/, ""));
      return !!v && typeof v === "object" && v.format === "por-proof-v2";
    } catch (e) {
      return false;
    }
  }

  // Loaded once, like the second module, only when a proof says
  // "por-proof-v2": the curve and the range proofs stay out of the first load.
  var v2module = null;
  function loadV2() {
    if (!v2module) {
      var t0 = performance.now();
      v2module = loadScript("por_wasm_v2.js")
        .then(function () { return loadScript("por_wasm_v2_bytes.js"); })
        .then(function () {
          var bin = atob(POR_WASM_V2_BASE64);
          var bytes = new Uint8Array(bin.length);
          for (var j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
          // `let por_v2` in the glue: a global binding, not a window property.
          return por_v2({ module_or_path: bytes });
        })
        .then(function () {
          document.documentElement.setAttribute("data-v2-load-ms", (performance.now() - t0).toFixed(1));
          return por_v2;
        });
      v2module.catch(function () { v2module = null; });
    }
    return v2module;
  }

  // The published root for a v2 proof comes straight from step 2 (a
  // por-root-v2, its hash, or the signed attestation carrying it) and is
  // read and checked by the third module, with por-attest's reader and
  // check (the signature first), as por verify does.
  function verifyV2(proof, root) {
    return loadV2().then(
      function (m) {
        // The time of the check itself (parsing, hashes, commitments, range
        // proofs), measured around the WebAssembly call.
        var t0 = performance.now();
        var v = JSON.parse(m.check(proof, root));
        var ms = performance.now() - t0;
        if (v.ok !== true) {
          return { error: { key: v.error === "root" ? "errorRoot" : "errorProof", kind: "v2-" + String(v.error), detail: String(v.message) } };
        }
        return { v2: v, ms: ms };
      },
      function (e) {
        return { error: { key: "errorV2Load", kind: "v2-load", detail: e && e.message ? e.message : String(e) } };
      }
    );
  }

  var V2_SOURCES = ["published-root", "published-hash", "attestation"];
  var V2_ITEMS = ["root_hash", "height", "assets", "totals"];
  var V2_VALUES = ["matches", "differs", "not-given", "not-compared", "under-hash"];

  // The page's state for a v2 report, failing closed: green only for a
  // "verified" report against a publication this page knows, with the root
  // hash matching, nothing differing or left uncompared, and every sibling
  // commitment's range proof verified; amber only for a proof consistent
  // with its own root; red for a failure, and for anything else.
  function v2State(r) {
    var c = r.comparisons || {};
    var known = V2_ITEMS.every(function (k) { return V2_VALUES.indexOf(c[k]) >= 0; });
    var assets = Array.isArray(r.assets) ? r.assets : [];
    var rp = r.range_proofs || {};
    var allRanges = rp.valid === true && typeof r.height === "number" && assets.length > 0 && rp.commitments === r.height * assets.length;
    // An attestation counts only with a valid signature and a fingerprint to
    // compare with the exchange's.
    var signed = r.root_source !== "attestation" || (r.attestation && r.attestation.signature_valid === true && typeof r.attestation.fingerprint === "string" && r.attestation.fingerprint !== "");
    if (r.verdict === "verified" && r.verified === true && !r.failure && known && allRanges && signed &&
        V2_SOURCES.indexOf(r.root_source) >= 0 && c.root_hash === "matches" &&
        V2_ITEMS.every(function (k) { return c[k] === "matches" || (c[k] === "under-hash" && r.root_source === "published-hash"); })) {
      return { verdict: "verified" };
    }
    if (r.verdict === "consistent-not-compared" && r.verified === false && !r.failure && r.root_source === "proof" && known && allRanges) {
      return { verdict: "not-compared" };
    }
    if (r.verdict === "not-verified" && r.failure && r.failure.kind) {
      return { verdict: "failed", failure: r.failure };
    }
    var what = "verdict " + String(r.verdict) + ", root source " + String(r.root_source);
    return { verdict: "failed", failure: { kind: "unsupported-report", what: what, message: what } };
  }

  function listSection(id, heading, items, cls) {
    return el("section", { class: cls || "v2-list", id: id, "aria-labelledby": id + "-heading" }, [
      el("h3", { id: id + "-heading" }, [heading]),
      el("ul", null, items.map(function (i) { return typeof i === "string" ? el("li", null, [i]) : i; })),
    ]);
  }

  function renderV2(out) {
    var r = out.v2;
    var result = $("result");
    var state = v2State(r);
    result.setAttribute("data-verdict", state.verdict);
    result.setAttribute("data-format", "por-proof-v2");
    result.setAttribute("data-verify-ms", out.ms.toFixed(1));
    var look = { verified: ["ok", "✓", "verified", "answerVerified"], "not-compared": ["warn", "!", "notCompared", "answerNotCompared"], failed: ["bad", "✗", "notVerified", "answerFailed"] }[state.verdict];
    result.appendChild(el("h2", { id: "verdict", class: "verdict " + look[0] }, [
      el("span", { class: "mark", "aria-hidden": "true" }, [look[1]]),
      " ",
      t(look[2]),
    ]));
    result.appendChild(el("p", { id: "answer", class: "answer " + look[0] }, [t(look[3])]));
    result.appendChild(el("p", { id: "detected", class: "detected" }, [t("v2Detected")]));
    var gap = lang === "ja" ? "" : " ";
    var h = r.height;
    var k = (r.assets || []).length;

    if (state.verdict === "verified") {
      result.appendChild(el("p", { id: "verdict-text" }, [t({ "published-root": "v2VerifiedRoot", "published-hash": "v2VerifiedHash", attestation: "v2VerifiedAttestation" }[r.root_source])]));
    } else if (state.verdict === "not-compared") {
      result.appendChild(el("p", { id: "verdict-text" }, [t("notComparedText")]));
    } else {
      var f = state.failure;
      var kindText = STRINGS.en["v2kind-" + f.kind] ? t("v2kind-" + f.kind) : STRINGS.en["kind-" + f.kind] ? t("kind-" + f.kind) : t("kindOther");
      var causeKey = { "root-differs": "causeRootDiffers", "proof-inconsistent": "causeInconsistent", "publication-untrusted": "causeAttestationInvalid" }[r.cause];
      var causeText = causeKey ? t(causeKey) : t("causeUnsupported", { what: f.what || String(r.cause) });
      var failure = el("dl", { class: "facts failure", id: "failure", "data-kind": f.kind, "data-cause": causeKey ? r.cause : "unsupported" }, []);
      row(t("reason"), kindText + gap + causeText).forEach(function (n) { failure.appendChild(n); });
      if (f.message) row(t("details"), f.message, "detail").forEach(function (n) { failure.appendChild(n); });
      result.appendChild(failure);
      var steps = el("ul", null, [el("li", null, [t("nextDownload")])]);
      if (r.cause === "root-differs") steps.appendChild(el("li", null, [t("nextPublication")]));
      steps.appendChild(el("li", null, [t("nextContact")]));
      steps.appendChild(el("li", null, [t("nextKeep")]));
      result.appendChild(el("section", { class: "next", id: "next", "aria-labelledby": "next-heading" }, [el("h3", { id: "next-heading" }, [t("nextHeading")]), steps]));
      result.appendChild(el("p", { class: "note" }, [t("unverifiedNote")]));
    }

    var facts = el("dl", { class: "facts", id: "facts" }, []);
    row(t("account"), r.user_id, "account").forEach(function (n) { facts.appendChild(n); });
    result.appendChild(facts);

    // Your balances: exact, and as counted in the tree (rounded up to the
    // proof unit).
    result.appendChild(el("table", { class: "amounts", id: "balances" }, [
      el("caption", null, [t("balances")]),
      el("thead", null, [el("tr", null, [
        el("th", { scope: "col" }, [t("asset")]),
        el("th", { scope: "col", class: "num" }, [t("v2ColBalance")]),
        el("th", { scope: "col", class: "num" }, [t("v2ColCounted")]),
      ])]),
      el("tbody", null, r.assets.map(function (a) {
        var counted = a.committed === null ? "—" : t(a.rounded_up ? "v2RoundedUp" : "v2Exact", { x: a.committed });
        return el("tr", { "data-symbol": a.symbol, "data-rounded-up": String(a.rounded_up) }, [
          el("th", { scope: "row" }, [a.symbol]),
          el("td", { class: "num", title: a.balance_base_units }, [a.balance]),
          el("td", { class: "num counted", title: a.units === null ? "" : a.units }, [counted]),
        ]);
      })),
    ]));
    var units = el("ul", null, r.assets.map(function (a) {
      var vars = { symbol: a.symbol, u: a.unit === null ? "?" : a.unit, e: a.unit_exponent };
      return el("li", { "data-symbol": a.symbol }, [t(a.unit_exponent === 0 ? "v2UnitExact" : "v2UnitRounded", vars)]);
    }));
    result.appendChild(el("section", { class: "v2-units", id: "v2-units", "aria-labelledby": "v2-units-heading" }, [
      el("h3", { id: "v2-units-heading" }, [t("v2UnitsHeading")]),
      units,
      el("p", null, [t("v2UnitNote")]),
    ]));
    var totalsKey = !r.totals_published ? (r.root_source === "published-hash" && state.verdict === "verified" ? "v2TotalsHash" : "v2TotalsProof")
      : r.root_source === "attestation" ? "v2TotalsAttestation" : "v2TotalsPublished";
    result.appendChild(amountTable(t(totalsKey), (r.totals || []).map(function (x) {
      return { symbol: x.symbol, amount: x.amount === null ? "—" : x.amount, base_units: x.units + " × 10^" + x.unit_exponent };
    }), "totals"));

    // Up to 2^63: BigInt, not a Number, keeps every digit.
    var max = typeof r.max_customers === "string" && /^[0-9]+$/.test(r.max_customers) ? BigInt(r.max_customers).toLocaleString(lang === "ja" ? "ja-JP" : "en-US") : "?";
    var shown = el("section", { class: "v2-list", id: "v2-shown", "aria-labelledby": "v2-shown-heading" }, [
      el("h3", { id: "v2-shown-heading" }, [t("v2ShownHeading")]),
      el("p", null, [t("v2Shown")]),
      el("ul", { id: "v2-shown-list" }, [
        el("li", null, [t("v2ShownOwn")]),
        el("li", { id: "v2-height" }, [t("v2ShownHeight", { h: h, max: max })]),
        el("li", null, [t("v2ShownAssets")]),
      ]),
      el("p", null, [t("v2Hidden")]),
      el("ul", { id: "v2-hidden-list" }, [
        el("li", null, [t("v2HiddenBalances", { h: h })]),
        el("li", null, [t("v2HiddenCount")]),
        el("li", null, [t("v2HiddenPadding")]),
      ]),
    ]);
    result.appendChild(shown);

    if (state.verdict !== "failed") {
      var rp = r.range_proofs;
      var checked = [t("v2CheckedLeaf"), t("v2CheckedPath"), t("v2CheckedOpening"),
        el("li", { id: "v2-range" }, [t("v2CheckedRange", { n: rp.commitments, h: h, k: k, p: rp.padded_to })])];
      if (state.verdict === "not-compared") checked.push(el("li", { id: "v2-against-proof" }, [t("v2CheckedAgainstProof")]));
      result.appendChild(listSection("v2-checked", t("v2CheckedHeading"), checked));
      var first = state.verdict === "not-compared"
        ? el("li", { id: "todo-root" }, [t("v2TodoCompare"), " ", el("code", { class: "hash" }, [r.proof_root])])
        : r.root_source === "attestation"
          ? el("li", { id: "todo-root" }, [t("v2TodoFingerprint"), " ", el("code", { class: "hash" }, [r.attestation.fingerprint])])
          : el("li", { id: "todo-root" }, [t(r.root_source === "published-root" ? "v2TodoRoot" : "v2TodoHash")]);
      // A valid attestation names its snapshot; a por-root-v2 or a hash does not.
      var att = r.root_source === "attestation" && r.attestation && r.attestation.signature_valid === true ? r.attestation : null;
      var snapshotTodo = att
        ? el("li", { id: "todo-snapshot" }, [t("v2NotSnapshotAttested", { snapshot: att.snapshot_label + " (" + att.snapshot_time + ")" })])
        : el("li", { id: "todo-snapshot" }, [t("v2NotSnapshot")]);
      result.appendChild(listSection("todo", t("v2NotCheckedHeading"), [first, t("v2NotReserves"), t("v2NotOthers"), snapshotTodo], "todo"));
    }

    var technical = el("details", { id: "technical", class: "technical" }, [el("summary", null, [t("v2Technical")])]);
    var tree = el("dl", { class: "facts", id: "tree" }, []);
    var add = function (label, value, cls) { row(label, value, cls).forEach(function (n) { tree.appendChild(n); }); };
    add(t("v2Format"), "por-proof-v2", "format");
    add(t("v2Position"), String(r.position));
    add(t("height"), String(h));
    add(t("v2MaxCustomers"), max);
    add(t(r.root_source === "proof" ? "proofRoot" : "root"), r.checked_root, "hash");
    if (r.proof_root !== r.checked_root) add(t("proofRoot"), r.proof_root, "hash");
    add(t("v2RangeProofs"), t("v2RangeProofsValue", { p: r.range_proofs.padded_to, n: r.range_proofs.commitments }));
    add(t("v2Time"), t("v2TimeValue", { ms: out.ms.toFixed(0) }), "time");
    var a = r.attestation;
    add(t("snapshot"), a && a.signature_valid ? a.snapshot_label + " (" + a.snapshot_time + ")" : t("snapshotUnknown"), "snapshot");
    technical.appendChild(tree);
    var c = r.comparisons || {};
    var labels = { root_hash: "cmpHash", height: "cmpHeight", assets: "cmpAssetsV2", totals: "cmpTotalsV2" };
    technical.appendChild(el("table", { class: "comparisons", id: "comparisons" }, [
      el("caption", null, [t("compared")]),
      el("tbody", null, V2_ITEMS.map(function (key) {
        var v = V2_VALUES.indexOf(c[key]) >= 0 ? c[key] : "not-compared";
        return el("tr", { "data-item": key, "data-result": v }, [
          el("th", { scope: "row" }, [t(labels[key])]),
          el("td", { class: "cmp cmp-" + v }, [t("cmp-" + v)]),
        ]);
      })),
    ]));
    if (a) technical.appendChild(attestationSection(a));
    result.appendChild(technical);
    result.hidden = false;
  }

  // ---- Verification ----

  function finish() {
    render();
    document.documentElement.setAttribute("data-state", "done");
    // Move focus to the outcome so keyboard and screen-reader users land on it.
    (last.error ? $("error") : $("result")).focus();
  }

  function verify() {
    if (!ready) return;
    var proof = $("proof-text").value;
    var root = $("root-text").value;
    document.documentElement.setAttribute("data-state", "checking");
    if (isV2Proof(proof)) {
      verifyV2(proof, root).then(function (outcome) {
        last = outcome;
        finish();
      });
      return;
    }
    if (proof.trim() !== "" && !isDistributionProof(proof) && !isPorOwn(proof)) {
      verifyExchange(proof, root).then(function (outcome) {
        last = outcome;
        finish();
      });
      return;
    }
    if (proof.trim() === "") {
      last = { error: { key: "errorNoProof" } };
    } else {
      try {
        if (isDistributionProof(proof)) {
          last = root.trim() === ""
            ? { error: { key: "errorNoStatement" } }
            : { distribution: JSON.parse(wasm_bindgen.check_distribution(proof, root)) };
        } else {
          last = { report: JSON.parse(wasm_bindgen.verify(proof, root)) };
        }
      } catch (e) {
        var message = e && e.message ? e.message : String(e);
        var key = /^published root:/.test(message) ? "errorRoot" : /^statement:/.test(message) ? "errorStatement" : "errorProof";
        last = { error: { key: key, detail: message } };
      }
    }
    finish();
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
    wireDrop($("tree-drop"));
    $("form").addEventListener("submit", function (e) {
      e.preventDefault();
      verify();
    });
    $("clear").addEventListener("click", function () {
      ["proof", "root", "tree"].forEach(function (k) {
        $(k + "-text").value = "";
        $(k + "-file").value = "";
        $(k + "-file-name").textContent = "";
      });
      $("account-text").value = "";
      $("nonce-text").value = "";
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
