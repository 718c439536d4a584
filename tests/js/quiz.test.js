// The pure logic of quizgen/quiz/static/quiz.js (node:test; run by tests/test_quiz_js.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const zlib = require("node:zlib");

const Q = require(path.join(__dirname, "..", "..", "quizgen", "quiz", "static", "quiz.js"));
const N = require(path.join(__dirname, "..", "..", "quizgen", "quiz", "static", "normalize.js"));

const KEY = { value: 1.02775, tolerance: 0.0005, decimals: 3, text: "1.028" };
const MISTAKES = [
  { value: 1.013875, text: "1.014", mistake: "alpha_on_grad" },
  { value: 0.97225, text: "0.972", mistake: "sign_flip" },
  { value: 3.775, text: "3.775", mistake: "forgot_lr" },
];

function typed(text) {
  const r = N.parseAnswer(text);
  assert.ok(r.ok, text);
  return Q.checkNumeric(r.value, KEY, MISTAKES, r.decimals);
}

test("the key is accepted however it is typed", () => {
  for (const t of ["1.028", "１．０２８", "1.0275", "1.02775", " 1.028 ", "1,0280", "1028/1000", "1.028e0", "1.0280"]) {
    assert.deepEqual(typed(t), { verdict: "correct", mistake: -1 }, t);
  }
});

test("an ambiguous comma is a hint from the normaliser, never judged", () => {
  assert.equal(N.parseAnswer("1,028").ok, false);
  assert.equal(N.parseAnswer("1,028").reason, "ambiguous");
});

test("the tolerance is exactly half a unit of the displayed key; of its edges, the one that rounds to it", () => {
  // key 1.028 (exact value 1.02775): 1.0275 rounds half up to 1.028, 1.0285 to 1.029
  for (const [x, verdict] of [[1.0275, "correct"], [1.0285, "wrong"], [1.02849999, "correct"], [1.02749999, "wrong"],
                              [1.02775 + 0.00051, "correct"], [1.028, "correct"]]) {
    assert.equal(Q.checkNumeric(x, KEY, [], 8).verdict, verdict, String(x));
  }
  const neg = { value: -0.20412, tolerance: 0.0005, decimals: 3, text: "-0.204" };
  assert.equal(Q.checkNumeric(-0.2035, neg, [], 4).verdict, "correct");  // nearer zero: rounds to -0.204
  assert.equal(Q.checkNumeric(-0.2045, neg, [], 4).verdict, "wrong");    // rounds (away from zero) to -0.205
  const zero = { value: 0.0001, tolerance: 0.0005, decimals: 3, text: "0.000" };
  assert.equal(Q.checkNumeric(0.0005, zero, [], 4).verdict, "wrong");
  assert.equal(Q.checkNumeric(-0.0005, zero, [], 4).verdict, "wrong");
  assert.equal(Q.checkNumeric(-0.0004, zero, [], 4).verdict, "correct");
  for (const t of ["0.2035", "0。2035", "０．２０３５", "2035/10000", "2.035×10^-1", "2.035e-1"]) {
    const r = N.parseAnswer(t);
    assert.equal(Q.checkNumeric(r.value, { value: 0.2041, tolerance: 0.0005, decimals: 3, text: "0.204" }, [],
      r.decimals).verdict, "correct", t);
  }
});

test("rounding is by the shortest decimal of a number (what was typed)", () => {
  assert.equal(Q.roundedUnits(0.2035, 3), 204);  // the double just below 0.2035 still rounds as 0.2035
  assert.equal(Q.roundedUnits(-0.2045, 3), -205);
  assert.equal(Q.roundedUnits(1e-7, 3), 0);
  assert.equal(Q.roundedUnits(5e-4, 3), 1);
  assert.equal(Q.roundedUnits(123.4545, 3), 123455);
  assert.equal(Q.roundedUnits(2.5e21, 0), 2.5e21);
  assert.equal(Q.roundedUnits(0.9995, 3), 1000);
});

test("a wrong answer equal to a named mistake's value names that mistake", () => {
  assert.deepEqual(typed("1.014"), { verdict: "mistake", mistake: 0 });
  assert.deepEqual(typed("０．９７２"), { verdict: "mistake", mistake: 1 });
  assert.deepEqual(typed("3.775"), { verdict: "mistake", mistake: 2 });
  assert.deepEqual(typed("3.7750"), { verdict: "mistake", mistake: 2 });
});

test("a negative mistake typed with a Japanese minus is matched", () => {
  const key = { value: 0.36, tolerance: 0.0005, decimals: 3, text: "0.360" };
  const ms = [{ value: -0.36, text: "-0.360", mistake: "sign_flip" }];
  for (const t of ["ー0.36", "−０．３６０", "－.36", "-0,36"]) {
    const r = N.parseAnswer(t);
    assert.deepEqual(Q.checkNumeric(r.value, key, ms, r.decimals), { verdict: "mistake", mistake: 0 }, t);
  }
});

test("the right value with too few digits is a hint, not a wrong answer", () => {
  assert.equal(typed("1.03").verdict, "precision");
  assert.equal(typed("1").verdict, "precision");
  assert.equal(typed("1.02").verdict, "wrong");   // rounds to 1.03, not 1.02
  assert.equal(typed("1.04").verdict, "wrong");
  // a fraction or an exponent says nothing about digits: judged by value only
  assert.equal(Q.checkNumeric(1.03, KEY, MISTAKES, null).verdict, "wrong");
});

test("anything else is wrong, never correct", () => {
  for (const x of [0, -1.028, 1.029, 10.28, NaN, Infinity, -Infinity, undefined, null, "1.028"]) {
    assert.notEqual(Q.checkNumeric(x, KEY, MISTAKES, 3).verdict, "correct", String(x));
  }
  assert.equal(Q.checkNumeric(NaN, KEY, MISTAKES, 3).verdict, "wrong");
});

test("mistakes without a value (or missing) are skipped", () => {
  assert.equal(Q.checkNumeric(2, KEY, [null, { text: "x" }, { value: 2 }], 0).mistake, 2);
  assert.equal(Q.checkNumeric(2, KEY, undefined, 0).verdict, "wrong");
});

test("permutations are permutations and depend on the seed only", () => {
  for (const n of [1, 2, 3, 7, 50, 101]) {
    for (const seed of [0, 1, 42, 4294967295]) {
      const p = Q.permutation(n, seed);
      assert.deepEqual([...p].sort((a, b) => a - b), [...Array(n).keys()]);
      assert.deepEqual(Q.permutation(n, seed), p);
    }
  }
  assert.notDeepEqual(Q.permutation(50, 1), Q.permutation(50, 2));
});

test("next question: no repeat until every variant was shown, and never the same twice in a row", () => {
  for (const n of [2, 3, 5, 50]) {
    let state = { seed: 12345, cursor: 0 };
    let fresh = 1;
    const seen = [Q.currentIndex(n, state)];
    for (let k = 0; k < 5 * n; k++) {
      state = Q.advance(n, state, fresh++ * 2654435761);
      seen.push(Q.currentIndex(n, state));
    }
    for (let round = 0; round < 5; round++) {
      assert.equal(new Set(seen.slice(round * n, (round + 1) * n)).size, n, `round ${round} of ${n}`);
    }
    for (let k = 1; k < seen.length; k++) assert.notEqual(seen[k], seen[k - 1], `n=${n} step ${k}`);
    assert.ok(seen.every((i) => i >= 0 && i < n));
  }
});

test("next question with a single variant stays on it", () => {
  let state = { seed: 5, cursor: 0 };
  state = Q.advance(1, state, 9);
  assert.equal(Q.currentIndex(1, state), 0);
  assert.equal(Q.currentIndex(0, state), -1);
});

test("advance resets the answered flag and does not mutate its input", () => {
  const s = Object.freeze({ seed: 1, cursor: 3, answered: true });
  const t = Q.advance(10, s, 2);
  assert.equal(t.cursor, 4);
  assert.equal(t.answered, false);
  assert.equal(s.cursor, 3);
});

test("progress bookkeeping: attempts and correct answers add up", () => {
  let p = {};
  p = Q.record(p, true, { title: "Momentum: 計算", group: "momentum", variant: "steps-1" });
  p = Q.record(p, false, { group: "momentum", variant: "steps-2" });
  p = Q.record(p, true, { group: "momentum" });
  assert.equal(p.attempts, 3);
  assert.equal(p.correct, 2);
  assert.equal(p.group, "momentum");
  assert.equal(p.title, "Momentum: 計算");
  assert.equal(p.last, "steps-2");
  assert.equal(p.answered, true);
  const before = { attempts: 1, correct: 0 };
  Q.record(before, true, {});
  assert.deepEqual(before, { attempts: 1, correct: 0 });
});

test("summary by optimizer", () => {
  const all = {
    "momentum-steps": { attempts: 4, correct: 3, group: "momentum" },
    "momentum-formula": { attempts: 2, correct: 0, group: "momentum" },
    "momentum-code_blank": { seed: 1, cursor: 0, group: "momentum" },  // opened, never answered
    "adam-steps": { attempts: 1, correct: 1, group: "adam" },
    "exam": { attempts: 10, correct: 7, group: "exam", sessions: 1 },
    "junk": "not an object",
    "old": { attempts: 1, correct: 1 },
  };
  const s = Q.summarize(all);
  assert.deepEqual(s.momentum, { attempts: 6, correct: 3, quizzes: 2, rate: 50 });
  assert.deepEqual(s.adam, { attempts: 1, correct: 1, quizzes: 1, rate: 100 });
  assert.equal(s.exam.rate, 70);
  assert.equal(s.other.attempts, 1);
  assert.deepEqual(Q.summarize({}), {});
  assert.deepEqual(Q.summarize(null), {});
});

test("mock exam: picks are distinct and scoring is by topic and optimizer", () => {
  const picked = Q.examPick(100, 10, 77);
  assert.equal(picked.length, 10);
  assert.equal(new Set(picked).size, 10);
  assert.deepEqual(Q.examPick(3, 10, 1).sort(), [0, 1, 2]);
  const qs = [
    { topic: "計算", optimizer: "adam", answer: { index: 1 } },
    { topic: "計算", optimizer: "sgd", answer: { index: 0 } },
    { topic: "更新式", optimizer: "adam", answer: { index: 3 } },
    { topic: "概念・用語", optimizer: "", answer: { index: 2 } },
  ];
  const s = Q.examScore(qs, [1, 2, 3, null]);
  assert.equal(s.right, 2);
  assert.equal(s.total, 4);
  assert.equal(s.unanswered, 1);
  assert.deepEqual(s.byTopic["計算"], { n: 2, ok: 1 });
  assert.deepEqual(s.byTopic["更新式"], { n: 1, ok: 1 });
  assert.deepEqual(s.byOptimizer.adam, { n: 2, ok: 2 });
  assert.deepEqual(s.byOptimizer["（手法を問わない）"], { n: 1, ok: 0 });
  assert.equal(Q.examScore(qs, [0, 0, 0, 0]).right, 1);
  const named = Q.examScore([{ topic: "計算", optimizer: "adamw", optimizer_name: "AdamW", answer: { index: 0 } }], [0]);
  assert.deepEqual(named.byOptimizer, { AdamW: { n: 1, ok: 1 } });
});

test("clock text", () => {
  assert.equal(Q.clockText(600000), "残り 10 分 00 秒");
  assert.equal(Q.clockText(61001), "残り 1 分 02 秒");
  assert.equal(Q.clockText(-5), "残り 0 分 00 秒");
});

test("formulas are drawn by KaTeX where the pool marks them (inline in a span, displayed in a div)", () => {
  delete globalThis.katex;
  assert.equal(Q.expand('<p><span class="arithmatex"><!--m:0--></span></p>', ["a<b"]),  // no KaTeX: the TeX, as text
    '<p><span class="arithmatex">a&lt;b</span></p>');
  globalThis.katex = require(path.join(__dirname, "..", "..", "node_modules", "katex"));
  const out = Q.expand('<p>x <span class="arithmatex"><!--m:1--></span> y</p><div class="arithmatex"><!--m:0--></div>',
    ["\\hat{m}_t", "v_{t}"]);
  assert.match(out, /^<p>x <span class="arithmatex"><span class="katex">/);
  assert.match(out, /<div class="arithmatex"><span class="katex-display">/);
  assert.ok(out.includes(globalThis.katex.renderToString("v_{t}", { output: "htmlAndMathml" })));
  assert.equal(Q.expand('<span class="arithmatex"><!--m:9--></span>', ["A"]), "");
  assert.equal(Q.expand("", ["A"]), "");
  assert.equal(Q.expand(null, ["A"]), "");
});

test("a pool written by pool.py (gzip + base64) decodes, and plain base64 JSON too", async () => {
  const data = { format: Q.FORMAT, quiz: "t", math: ["m_t"], variants: [{ id: "x", stem_html: 'ｘ <span class="arithmatex"><!--m:0--></span>' }] };
  const gz = zlib.gzipSync(Buffer.from(JSON.stringify(data), "utf8")).toString("base64");
  assert.deepEqual(await Q.decodePool(gz, "gzip"), data);
  const plain = Buffer.from(JSON.stringify(data.variants), "utf8").toString("base64");
  assert.deepEqual((await Q.decodePool(plain, "")).variants, data.variants);
  const wrong = zlib.gzipSync(Buffer.from(JSON.stringify({ format: 99, math: [], variants: [] }))).toString("base64");
  await assert.rejects(Q.decodePool(wrong, "gzip"), /形式/);
  await assert.rejects(Q.decodePool("bm90IGd6aXA=", "gzip"));
});

test("a variant file (gzip, or already decoded by the server) decodes; another format is refused", async () => {
  const body = { format: Q.VARIANT_FORMAT, quiz: "t", variant: { id: "x", stem_html: '<span class="arithmatex"><span class="katex">m</span></span>' } };
  const raw = Buffer.from(JSON.stringify(body), "utf8");
  assert.deepEqual(await Q.decodeVariant(new Uint8Array(zlib.gzipSync(raw))), body.variant);
  assert.deepEqual(await Q.decodeVariant(new Uint8Array(raw)), body.variant);  // Content-Encoding: gzip, decoded
  const old = Buffer.from(JSON.stringify({ format: Q.FORMAT, variants: [] }), "utf8");
  await assert.rejects(Q.decodeVariant(new Uint8Array(zlib.gzipSync(old))), /形式/);
});

test("review: a matched mistake enters box 1; right answers move it up, then out; a wrong one sends it back", () => {
  const day = 86400000;
  const t0 = new Date(2026, 11, 7, 10, 0, 0).getTime();
  const intervals = [0, 1];
  let s = Q.reviewWrong(null, "sign_flip", { html: "<p>x</p>" }, t0);
  assert.deepEqual(s.mistakes.sign_flip, { count: 1, box: 1, right: 0, due: t0, last: t0, html: "<p>x</p>" });
  s = Q.reviewWrong(s, "forgot_lr", {}, t0 + 1000);
  s = Q.reviewWrong(s, "sign_flip", {}, t0 + 2000);
  assert.deepEqual(Q.reviewList(s, t0 + 3000).map((m) => [m.name, m.count, m.isDue]),
    [["sign_flip", 2, true], ["forgot_lr", 1, true]]);
  const before = JSON.stringify(s);
  let r = Q.reviewAnswer(s, "sign_flip", true, t0 + 3000, intervals);
  assert.equal(JSON.stringify(s), before);  // pure: the old store is unchanged
  assert.equal(r.mistakes.sign_flip.box, 2);
  assert.equal(r.mistakes.sign_flip.due, Q.dayStart(t0) + day);
  assert.equal(Q.reviewList(r, t0 + 4000).find((m) => m.name === "sign_flip").isDue, false);
  const back = Q.reviewAnswer(r, "sign_flip", false, t0 + 5000, intervals);
  assert.deepEqual([back.mistakes.sign_flip.box, back.mistakes.sign_flip.right], [1, 0]);
  r = Q.reviewAnswer(r, "sign_flip", true, t0 + day, intervals);
  assert.equal(r.mistakes.sign_flip, undefined);
  assert.deepEqual(r.done.sign_flip, { count: 2, at: t0 + day });
  // made again after it was out: back in box 1, its earlier count kept
  r = Q.reviewWrong(r, "sign_flip", {}, t0 + 2 * day);
  assert.deepEqual([r.mistakes.sign_flip.count, r.mistakes.sign_flip.box, r.done.sign_flip], [3, 1, undefined]);
});
