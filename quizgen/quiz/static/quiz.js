/* 自己採点クイズ（オフライン、外部スクリプトなし）。quizgen/quiz/pool.py が build 時に作った問題プールを表示して採点する。
 *
 * ページ内の要素:
 *   <div class="qz" data-quiz="ID" data-title data-group data-count="N" data-variants="assets/quiz/v/ID-…-">  演習
 *   <div class="qz-exam" data-quiz="exam" data-count="N" data-variants="…">                               模擬試験
 *   <span class="qz-stat" data-group="momentum" data-field="attempts|correct|rate|tried" data-total>  進捗の表
 * 問題は 1 問ずつ別ファイル（サイトの根からの data-variants + 番号 + ".bin"）で、表示するときに読む
 * （ページを軽く保つため）。中身は {format: 3, quiz, variant} の JSON を gzip したもので、式は build 時に
 * KaTeX で HTML に描いてある（ページに KaTeX のスクリプトは要らない）。
 * 古い形（data-encoding="gzip" data-pool="BASE64"、format 2: {math: [TeX…], variants}）も読める:
 * variants の HTML の <span|div class="arithmatex"><!--m:N--></…> に math[N] を KaTeX で描いて入れる。
 * 答えはページ内にある（練習用であり採点試験ではない）が、HTML を見ただけでは読めないようにしている。
 * 進捗は localStorage（キー STORE）に保存する。
 *
 * 純粋な関数（採点、次の問題の選び方、進捗の記録・集計、模擬試験の採点）は node のテスト（tests/js/）から
 * require して使えるよう module.exports にも出す。 */
(function (root) {
  "use strict";
  var STORE = "eshikaku-quiz-v1";
  var REVIEW = "eshikaku-review-v1";  /* 復習の記録（誤りごとの回数と Leitner 箱） */
  var FORMAT = 2;          /* ページに埋め込んだプール全体（式は TeX） */
  var VARIANT_FORMAT = 3;  /* 1 問ずつのファイル（式は KaTeX の HTML） */
  var LETTERS = "ABCDEFGH";

  /* ===== 純粋な関数 ===================================================================== */

  /* 四捨五入（0 から遠い側へ）で小数第 d 位に丸めた値を、10^-d を 1 とする整数で返す。x はその最短の 10 進表記
   * （String(x): 打った数そのもの）で丸める: 0.2035 は 0.2035 として 0.204 になる（2 進数のすぐ下の数ではない）。
   * quizgen/rounding.py の round_text と同じ規則。 */
  function roundedUnits(x, d) {
    var m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
    if (!m) return NaN;
    var digits = m[2] + (m[3] || "");
    var point = m[2].length + Number(m[4] || 0) + d;  /* digits の先頭 point 桁が整数部 */
    var padded = digits + new Array(Math.max(0, point - digits.length) + 1).join("0");
    var kept = point <= 0 ? 0 : Number(padded.slice(0, point));
    var next = point < 0 ? 0 : Number(digits.charAt(point) || "0");
    var units = kept + (next >= 5 ? 1 : 0);
    return units === 0 ? 0 : (m[1] ? -units : units);
  }

  /* x を四捨五入すると表示の text（小数 d 桁）になるか。正解の判定はこれだけ: 許容幅は text のちょうど ±半単位で、
   * 端の値は四捨五入して text になる側だけが正解（0.204 なら 0.2035 は正解、0.2045 は 0.205 になるので不正解）。 */
  function roundsTo(x, text, d) {
    return typeof x === "number" && isFinite(x) && roundedUnits(x, d) === roundedUnits(Number(text), d);
  }

  /* 数値の答えの判定。x: 正規化した入力の値、typedDecimals: 入力の小数点以下の桁数（不明なら null）。
   * answer: {value, tolerance, decimals, text}、mistakes: [{value, text, ...}]。
   * 戻り値 {verdict: "correct" | "mistake" | "precision" | "wrong", mistake: 一致した誤りの番号 | -1}
   * "precision" は「値は合っているが桁が足りない」: 誤答として数えず、桁数を案内する。 */
  function checkNumeric(x, answer, mistakes, typedDecimals) {
    if (typeof x !== "number" || !isFinite(x)) return { verdict: "wrong", mistake: -1 };
    var d = answer.decimals;
    var rounded = typeof d === "number" && typeof answer.text === "string";
    function matches(target) {
      if (rounded && typeof target.text === "string") return roundsTo(x, target.text, d);
      return typeof target.value === "number" && Math.abs(x - target.value) <= answer.tolerance;
    }
    if (matches(answer)) return { verdict: "correct", mistake: -1 };
    var list = mistakes || [];
    for (var i = 0; i < list.length; i++) {
      if (list[i] && matches(list[i])) return { verdict: "mistake", mistake: i };
    }
    if (typeof typedDecimals === "number" && typeof d === "number" && typedDecimals < d &&
        roundedUnits(answer.value, typedDecimals) === roundedUnits(x, typedDecimals)) {
      return { verdict: "precision", mistake: -1 };  /* 入力の桁で丸めた正解と同じ値: 桁が足りないだけ */
    }
    return { verdict: "wrong", mistake: -1 };
  }

  /* 小さな決定的乱数（mulberry32）。seed: 32 bit 整数 */
  function rng(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* 0..n-1 の並べ替え（seed で決まる Fisher–Yates） */
  function permutation(n, seed) {
    var order = [];
    for (var i = 0; i < n; i++) order.push(i);
    var r = rng(seed);
    for (var j = n - 1; j > 0; j--) {
      var k = Math.floor(r() * (j + 1));
      var tmp = order[j]; order[j] = order[k]; order[k] = tmp;
    }
    return order;
  }

  /* 今の問題の番号。state: {seed, cursor}。一巡するまで同じ問題は出ない */
  function currentIndex(n, state) {
    if (n <= 0) return -1;
    var order = permutation(n, state.seed >>> 0);
    return order[((state.cursor % n) + n) % n];
  }

  /* 次の問題へ進めた state（新しいオブジェクト）。一巡したら freshSeed で並べ替え直し、直前と同じ問題が
   * 続かないようにする。 */
  function advance(n, state, freshSeed) {
    var before = currentIndex(n, state);
    var next = { seed: state.seed >>> 0, cursor: (state.cursor || 0) + 1, answered: false };
    if (next.cursor >= n) {
      next.seed = freshSeed >>> 0;
      next.cursor = 0;
      if (n > 1) {
        for (var tries = 0; tries < 64 && currentIndex(n, next) === before; tries++) {
          next.seed = (next.seed * 1103515245 + 12345) >>> 0;
        }
        if (currentIndex(n, next) === before) next.cursor = 1;
      }
    }
    return next;
  }

  /* 1 回の解答を記録した進捗（新しいオブジェクト）。p: {attempts, correct, ...} */
  function record(p, correct, meta) {
    var out = {};
    var k;
    for (k in (p || {})) if (Object.prototype.hasOwnProperty.call(p, k)) out[k] = p[k];
    out.attempts = (out.attempts || 0) + 1;
    out.correct = (out.correct || 0) + (correct ? 1 : 0);
    out.answered = true;
    if (meta) {
      if (meta.title) out.title = meta.title;
      if (meta.group) out.group = meta.group;
      if (meta.variant) out.last = meta.variant;
    }
    out.updated = meta && meta.now ? meta.now : out.updated;
    return out;
  }

  /* 進捗を group（手法のキー、"all"、"topics"、"exam"）ごとに集計する。
   * 戻り値 {group: {attempts, correct, quizzes: 取り組んだ演習の数, rate: 正答率(%) | null}} */
  function summarize(all) {
    var rows = {};
    Object.keys(all || {}).forEach(function (id) {
      var p = all[id];
      if (!p || typeof p !== "object") return;
      var g = p.group || "other";
      var r = rows[g] || (rows[g] = { attempts: 0, correct: 0, quizzes: 0, rate: null });
      var a = Number(p.attempts) || 0;
      r.attempts += a;
      r.correct += Number(p.correct) || 0;
      if (a > 0) r.quizzes += 1;
    });
    Object.keys(rows).forEach(function (g) {
      var r = rows[g];
      r.rate = r.attempts ? Math.round(100 * r.correct / r.attempts) : null;
    });
    return rows;
  }

  /* 模擬試験の出題: pool から count 問を seed で選ぶ（重複なし） */
  function examPick(n, count, seed) {
    return permutation(n, seed).slice(0, Math.max(0, Math.min(n, count)));
  }

  /* 模擬試験の採点。questions: [{topic, optimizer, answer: {index}}]、picks: 選んだ番号（未回答は null）
   * 戻り値 {right, total, unanswered, byTopic: {topic: {n, ok}}, byOptimizer: {...}} */
  function examScore(questions, picks) {
    var out = { right: 0, total: questions.length, unanswered: 0, byTopic: {}, byOptimizer: {} };
    questions.forEach(function (q, i) {
      var pick = picks[i];
      var ok = pick !== null && pick !== undefined && pick === q.answer.index;
      if (pick === null || pick === undefined) out.unanswered += 1;
      if (ok) out.right += 1;
      [["byTopic", q.topic || "その他"], ["byOptimizer", q.optimizer_name || q.optimizer || "（手法を問わない）"]].forEach(function (pair) {
        var t = out[pair[0]][pair[1]] || (out[pair[0]][pair[1]] = { n: 0, ok: 0 });
        t.n += 1;
        if (ok) t.ok += 1;
      });
    });
    return out;
  }

  /* 模擬試験の残り時間の表示 */
  function clockText(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(s / 60);
    return "残り " + m + " 分 " + (s % 60 < 10 ? "0" : "") + (s % 60) + " 秒";
  }

  /* TeX → KaTeX の HTML（一度描いた式は覚えておく）。KaTeX が読めていなければ TeX をそのまま文字で出す */
  var drawn = {};
  function texHtml(tex, display) {
    var key = (display ? "D" : "I") + tex;
    if (!(key in drawn)) {
      var k = typeof katex !== "undefined" ? katex : (root && root.katex);
      drawn[key] = k ? k.renderToString(tex, { displayMode: display, output: "htmlAndMathml", throwOnError: false, strict: "ignore" })
        : esc(tex);
    }
    return drawn[key];
  }

  /* HTML の <span|div class="arithmatex"><!--m:N--></…> に式 math[N] を描いて戻す（div は別行立ての式） */
  function expand(htmlText, math) {
    if (!htmlText) return "";
    return String(htmlText).replace(/<(span|div) class="arithmatex"><!--m:(\d+)--><\/\1>/g, function (_, tag, n) {
      var tex = math[Number(n)];
      return tex == null ? "" : "<" + tag + ' class="arithmatex">' + texHtml(tex, tag === "div") + "</" + tag + ">";
    });
  }

  function b64bytes(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  /* data-pool を読む（Promise）。encoding "gzip" は DecompressionStream で展開する */
  function decodePool(b64, encoding) {
    var bytes = b64bytes(b64);
    var text;
    if (encoding === "gzip") {
      if (typeof DecompressionStream === "undefined") {
        return Promise.reject(new Error("このブラウザは DecompressionStream に対応していません。新しいブラウザで開いてください。"));
      }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      text = new Response(stream).arrayBuffer().then(function (buf) { return new TextDecoder("utf-8").decode(buf); });
    } else {
      text = Promise.resolve(new TextDecoder("utf-8").decode(bytes));
    }
    return text.then(function (t) {
      var data = JSON.parse(t);
      if (Array.isArray(data)) data = { format: FORMAT, math: [], variants: data };
      if (data.format !== FORMAT) throw new Error("問題プールの形式が違います（format " + data.format + "）");
      return data;
    });
  }

  /* 1 問のファイルの中身（バイト列）を読む（Promise）。gzip なら DecompressionStream で展開する。サーバーが
   * Content-Encoding で送って展開済みのこともあるので、先頭の 2 バイト（1f 8b）で見分ける */
  function decodeVariant(bytes) {
    var text;
    if (bytes.length > 1 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      if (typeof DecompressionStream === "undefined") {
        return Promise.reject(new Error("このブラウザは DecompressionStream に対応していません。新しいブラウザで開いてください。"));
      }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      text = new Response(stream).arrayBuffer().then(function (buf) { return new TextDecoder("utf-8").decode(buf); });
    } else {
      text = Promise.resolve(new TextDecoder("utf-8").decode(bytes));
    }
    return text.then(function (t) {
      var data = JSON.parse(t);
      if (!data || data.format !== VARIANT_FORMAT) throw new Error("問題ファイルの形式が違います（format " + (data && data.format) + "）");
      return data.variant;
    });
  }


  /* ===== 復習（Leitner 箱）: 純粋関数 =====================================================
   * store: {version: 1, mistakes: {名前: {count, box, right, due, last, html, title}}, done: {名前: {count, at}}}
   * 誤りに一致した不正解で箱 1（その日のうちに出題）。その誤りを選択肢に含む問題に正解するたびに 1 つ上の箱へ、
   * 間違えたら箱 1 へ。intervals[箱 − 1] 日後（その日の 0 時から数える）に出題する。最後の箱で正解したら卒業。 */
  var DAY = 86400000;
  function dayStart(ms) { var d = new Date(ms); d.setHours(0, 0, 0, 0); return d.getTime(); }
  function emptyReview() { return { version: 1, mistakes: {}, done: {} }; }
  function copyReview(store) {
    var s = store && store.mistakes ? JSON.parse(JSON.stringify(store)) : emptyReview();
    if (!s.done) s.done = {};
    return s;
  }
  function reviewWrong(store, name, info, now) {
    var s = copyReview(store);
    var m = s.mistakes[name] || { count: 0 };
    m.count += 1; m.box = 1; m.right = 0; m.due = now; m.last = now;
    if (info && info.html) m.html = info.html;
    if (info && info.title) m.title = info.title;
    if (s.done[name]) { m.count += s.done[name].count || 0; delete s.done[name]; }
    s.mistakes[name] = m;
    return s;
  }
  function reviewAnswer(store, name, correct, now, intervals) {
    var s = copyReview(store);
    var m = s.mistakes[name];
    if (!m) return s;
    if (!correct) { m.box = 1; m.right = 0; m.due = now; return s; }
    m.right = (m.right || 0) + 1;
    if (m.right >= intervals.length) {
      s.done[name] = { count: m.count, at: now };
      delete s.mistakes[name];
    } else {
      m.box = m.right + 1;
      m.due = dayStart(now) + intervals[m.box - 1] * DAY;
    }
    return s;
  }
  /* 記録した誤り: 出題日が来たものが先、その中は回数の多い順 */
  function reviewList(store, now) {
    var s = copyReview(store);
    return Object.keys(s.mistakes).map(function (name) {
      var m = s.mistakes[name];
      return { name: name, count: m.count, box: m.box, due: m.due, isDue: m.due <= now, html: m.html, title: m.title,
               last: m.last };
    }).sort(function (a, b) {
      return (b.isDue - a.isDue) || (b.count - a.count) || (b.last - a.last) || (a.name < b.name ? -1 : 1);
    });
  }

  var api = {
    checkNumeric: checkNumeric, roundsTo: roundsTo, roundedUnits: roundedUnits, permutation: permutation,
    currentIndex: currentIndex, advance: advance,
    record: record, summarize: summarize, examPick: examPick, examScore: examScore, clockText: clockText,
    expand: expand, decodePool: decodePool, decodeVariant: decodeVariant, STORE: STORE, FORMAT: FORMAT,
    VARIANT_FORMAT: VARIANT_FORMAT, reviewWrong: reviewWrong, reviewAnswer: reviewAnswer, reviewList: reviewList,
    dayStart: dayStart, REVIEW: REVIEW
  };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
    return;
  }
  api.pool = function (el) { return poolOf(el); };  /* {length, math, get(i)}: the widget's variants (tests) */
  root.EshikakuQuiz = api;

  /* ===== ブラウザ ======================================================================= */
  var N = root.EshikakuNormalize;

  function load() {
    try {
      var v = JSON.parse(localStorage.getItem(STORE) || "{}");
      return v && typeof v === "object" && !Array.isArray(v) ? v : {};
    } catch (e) { return {}; }
  }
  function save(all) {
    try { localStorage.setItem(STORE, JSON.stringify(all)); } catch (e) { /* private mode: no progress */ }
  }
  function update(id, fn) {
    var all = load();
    all[id] = fn(all[id] || {});
    save(all);
    return all[id];
  }
  function loadReview() {
    try { return copyReview(JSON.parse(localStorage.getItem(REVIEW) || "null")); } catch (e) { return emptyReview(); }
  }
  function saveReview(store) {
    try { localStorage.setItem(REVIEW, JSON.stringify(store)); } catch (e) { /* private mode: no record */ }
  }
  /* 練習で、答えが名前のある誤りに一致したとき（復習ページの材料） */
  function noteMistake(name, html) {
    saveReview(reviewWrong(loadReview(), name, { html: html }, Date.now()));
  }
  function randomSeed() {
    if (root.crypto && root.crypto.getRandomValues) {
      var a = new Uint32Array(1);
      root.crypto.getRandomValues(a);
      return a[0];
    }
    return Math.floor(Math.random() * 4294967296);
  }

  function el(tag, cls, html) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html !== undefined && html !== null) e.innerHTML = html;
    return e;
  }
  function text(tag, cls, s) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = s;
    return e;
  }
  function button(label, cls) {
    var b = text("button", "md-button " + (cls || ""), label);
    b.type = "button";
    return b;
  }

  /* サイトの根（mkdocs-material の __config.base）: 図の SVG はそこからの相対パスで持っている */
  function siteBase() {
    var cfg = document.getElementById("__config");
    var base = ".";
    try { if (cfg) base = JSON.parse(cfg.textContent).base || "."; } catch (e) { /* keep "." */ }
    return base.replace(/\/$/, "");
  }

  /* 問題プール {length, math, get(i) → Promise<問題>}。data-variants: 1 問ずつのファイルを表示するときに読む。
   * data-pool: ページに埋め込んだ古い形 */
  function remotePool(rootEl) {
    var prefix = siteBase() + "/" + rootEl.getAttribute("data-variants");
    var memo = {};
    return {
      length: Number(rootEl.getAttribute("data-count")) || 0,
      math: [],
      get: function (i) {
        if (!(i in memo)) {
          memo[i] = fetch(prefix + i + ".bin").then(function (r) {
            if (!r.ok) throw new Error("問題ファイルを読めませんでした（" + r.status + "）");
            return r.arrayBuffer();
          }).then(function (buf) { return decodeVariant(new Uint8Array(buf)); });
          memo[i].catch(function () { delete memo[i]; });  /* 失敗したら次はもう一度読む */
        }
        return memo[i];
      }
    };
  }
  function inlinePool(data) {
    return {
      length: data.variants.length,
      math: data.math,
      get: function (i) { return Promise.resolve(data.variants[i]); }
    };
  }
  function poolOf(rootEl) {
    if (rootEl.hasAttribute("data-variants")) return Promise.resolve(remotePool(rootEl));
    return decodePool(rootEl.getAttribute("data-pool"), rootEl.getAttribute("data-encoding")).then(inlinePool);
  }

  var uid = 0;

  /* 1 問を描く。mode "practice": 答え合わせですぐ正誤・解説。"exam": 選んだ番号を onPick に渡すだけ。
   * onAnswered(correct) は practice で正誤が決まったとき（未入力・読めない入力・桁不足では呼ばない）。 */
  function renderQuestion(box, q, math, opts) {
    var practice = opts.mode !== "exam";
    var n = ++uid;
    box.innerHTML = "";
    box.setAttribute("data-variant", q.id);
    var head = el("div", "qz-head");
    var title = text("p", "qz-qtitle", opts.heading || "問題");
    title.tabIndex = -1;
    head.appendChild(title);
    var seed = text("p", "qz-seed", "問題 ID " + q.id + " ・ seed " + q.seed);
    seed.title = "同じ問題と解説を端末で表示: " + q.command;
    head.appendChild(seed);
    box.appendChild(head);
    box.appendChild(el("div", "qz-stem", expand(q.stem_html, math)));
    if (q.figure_html) {
      var fig = el("div", "qz-figure-box", expand(q.figure_html, math));
      var base = siteBase();
      Array.prototype.forEach.call(fig.querySelectorAll("img[data-qz-src]"), function (img) {
        img.src = base + "/" + img.getAttribute("data-qz-src");
      });
      box.appendChild(fig);
    }
    if (q.code_html) box.appendChild(el("div", "qz-code", expand(q.code_html, math)));

    var feedback = el("div", "qz-feedback");
    feedback.setAttribute("role", "status");
    feedback.setAttribute("aria-live", "polite");
    var done = false;
    var picked = null;  /* 一致した誤りの名前（onAnswered の 2 番目の引数） */

    function reveal(correct, html) {
      done = true;
      feedback.className = "qz-feedback " + (correct ? "qz-right" : "qz-wrong");
      feedback.innerHTML = html;
      var sol = el("details", "qz-solution");
      sol.open = true;
      sol.appendChild(text("summary", "", "解き方（解説）"));
      sol.appendChild(el("div", "qz-solution-body", expand(q.solution_html, math)));
      if (q.command) {
        var repro = text("p", "qz-repro", "この問題を端末で再現（解説つき）: ");
        repro.appendChild(text("code", "", q.command));
        sol.appendChild(repro);
      }
      box.appendChild(sol);
      if (opts.onAnswered) opts.onAnswered(correct, picked);
    }
    function hint(message) {
      feedback.className = "qz-feedback qz-hint";
      feedback.textContent = message;
    }

    if (q.kind === "numeric") {
      var form = el("form", "qz-form");
      form.setAttribute("novalidate", "");
      var label = text("label", "qz-label", "答え");
      var input = el("input", "qz-input");
      input.type = "text";
      input.setAttribute("inputmode", "decimal");
      input.autocomplete = "off";
      input.setAttribute("autocapitalize", "off");
      input.spellcheck = false;
      input.id = "qz-in-" + n;
      label.htmlFor = input.id;
      var rounding = text("p", "qz-rounding", q.rounding || "");
      rounding.id = "qz-rd-" + n;
      input.setAttribute("aria-describedby", rounding.id);
      var check = text("button", "md-button md-button--primary qz-check", "答え合わせ");
      check.type = "submit";
      form.appendChild(label); form.appendChild(input); form.appendChild(check);
      box.appendChild(rounding);
      box.appendChild(form);
      box.appendChild(text("p", "qz-input-help",
        "全角数字・全角のマイナス（ー −）・分数 1/4・指数表記 1e-3 でも入力できます。"));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (done) return;
        var parsed = N.parseAnswer(input.value);
        if (!parsed.ok) { hint(parsed.message); input.focus(); return; }
        var res = checkNumeric(parsed.value, q.answer, q.mistakes, parsed.decimals);
        if (res.verdict === "precision") {
          hint("値は近いですが、桁が足りません。" + (q.rounding || "") + "（入力: " + input.value.trim() + "）");
          input.focus();
          return;
        }
        input.readOnly = true;
        check.disabled = true;
        var shown = "<span class=\"qz-typed\"></span>";
        if (res.verdict === "correct") {
          reveal(true, "<p><strong>正解です。</strong> 答え: " + esc(q.answer.text) + "</p>");
        } else if (res.verdict === "mistake") {
          var m = q.mistakes[res.mistake];
          noteMistake(m.mistake, expand(m.feedback_html, math));
          picked = m.mistake;
          reveal(false, "<p><strong>不正解です。</strong> 正解は " + esc(q.answer.text) + "。</p>" +
            "<div class=\"qz-mistake\" data-mistake=\"" + esc(m.mistake) + "\"><p class=\"qz-mistake-head\">" +
            "あなたの答え " + shown + " は、次の誤りで計算した値 " + esc(m.text) + " と一致します。</p>" +
            "<p>" + expand(m.feedback_html, math) + "</p></div>");
        } else {
          reveal(false, "<p><strong>不正解です。</strong> 正解は " + esc(q.answer.text) +
            "。あなたの答え " + shown + " は、よくある誤りのどれとも一致しませんでした。下の解説で手順を確かめましょう。</p>");
        }
        var typed = feedback.querySelector(".qz-typed");
        if (typed) typed.textContent = input.value.trim();
        input.setAttribute("aria-invalid", res.verdict === "correct" ? "false" : "true");
      });
    } else {
      var cform = el("form", "qz-choice-form");
      var fs = el("fieldset", "qz-choices");
      fs.appendChild(text("legend", "qz-legend", "選択肢（1 つ選ぶ）"));
      var name = "qz-c-" + n;
      q.choices.forEach(function (c, i) {
        var lab = el("label", "qz-choice");
        var radio = el("input");
        radio.type = "radio"; radio.name = name; radio.value = String(i);
        if (opts.picked === i) radio.checked = true;
        lab.appendChild(radio);
        lab.appendChild(text("span", "qz-letter", LETTERS.charAt(i)));
        lab.appendChild(el("span", "qz-choice-body", expand(c.html, math)));
        fs.appendChild(lab);
        radio.addEventListener("change", function () {
          if (!practice && opts.onPick) opts.onPick(i);
        });
        radio.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter" && practice) { ev.preventDefault(); submit(); }
        });
      });
      cform.appendChild(fs);
      if (practice) {
        var cbtn = text("button", "md-button md-button--primary qz-check", "答え合わせ");
        cbtn.type = "submit";
        cform.appendChild(cbtn);
      }
      box.appendChild(cform);
      var submit = function () {
        if (done) return;
        var picked = fs.querySelector("input:checked");
        if (!picked) { hint("選択肢を 1 つ選んでください。"); return; }
        var i = Number(picked.value);
        var labels = fs.querySelectorAll(".qz-choice");
        q.choices.forEach(function (c, j) {
          labels[j].classList.add(c.correct ? "qz-is-correct" : "qz-is-wrong");
          if (j === i) labels[j].classList.add("qz-is-picked");
          var mark = text("span", "qz-mark", c.correct ? "正解" : (j === i ? "あなたの答え（誤り）" : "誤り"));
          labels[j].insertBefore(mark, labels[j].querySelector(".qz-choice-body"));
          if (c.feedback_html && !c.correct) {
            var fb = el("div", "qz-choice-feedback", expand(c.feedback_html, math));
            if (c.mistake) fb.setAttribute("data-mistake", c.mistake);
            labels[j].appendChild(fb);
          }
          labels[j].querySelector("input").disabled = true;
        });
        if (cbtn) cbtn.disabled = true;
        var c = q.choices[i];
        if (!c.correct && c.mistake) { noteMistake(c.mistake, expand(c.feedback_html, math)); picked = c.mistake; }
        reveal(c.correct, c.correct ? "<p><strong>正解です。</strong> " + LETTERS.charAt(i) + " が正しい選択肢です。</p>" :
          "<p><strong>不正解です。</strong> 正解は " + LETTERS.charAt(q.answer.index) + " です。" +
          "各選択肢の下に、その選択肢がどんな誤りから作られたかを示しました。</p>");
      };
      cform.addEventListener("submit", function (ev) { ev.preventDefault(); if (practice) submit(); });
    }
    box.appendChild(feedback);
    return {
      focus: function () {
        var first = box.querySelector(".qz-input, .qz-choice input");
        (first || title).focus();
      }
    };
  }

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[ch];
    });
  }

  function progressLine(p) {
    if (!p || !p.attempts) return "この演習の記録: まだ解いていません。";
    return "この演習の記録: " + p.attempts + " 問中 " + p.correct + " 問正解（" +
      Math.round(100 * p.correct / p.attempts) + "%）";
  }

  function failed(rootEl, err) {
    rootEl.innerHTML = "";
    rootEl.appendChild(text("p", "qz-error", "問題を読み込めませんでした: " + (err && err.message ? err.message : err)));
  }

  /* ===== 演習 ============================================================================ */
  function initQuiz(rootEl, pool) {
    var math = pool.math;
    var quizId = rootEl.getAttribute("data-quiz");
    var meta = { title: rootEl.getAttribute("data-title") || quizId, group: rootEl.getAttribute("data-group") || "other" };
    rootEl.innerHTML = "";
    var box = el("div", "qz-box");
    var bar = el("div", "qz-bar");
    var status = text("p", "qz-progress-line", "");
    status.setAttribute("aria-live", "polite");
    var next = button("次の問題", "qz-next");
    var reset = button("記録をリセット", "qz-reset");
    var buttons = el("div", "qz-buttons");
    buttons.appendChild(next); buttons.appendChild(reset);
    bar.appendChild(status); bar.appendChild(buttons);
    rootEl.appendChild(box); rootEl.appendChild(bar);
    rootEl.appendChild(text("p", "qz-note", "答えはこのページの中に入っています（練習用です。採点される試験ではありません）。" +
      "全 " + pool.length + " 問から出題。"));

    function state() {
      var p = load()[quizId] || {};
      if (typeof p.seed !== "number") {
        p = update(quizId, function (old) {
          old.seed = randomSeed(); old.cursor = 0; old.answered = false;
          old.title = meta.title; old.group = meta.group;
          return old;
        });
      }
      return p;
    }
    var shown = 0;
    function show(focus) {
      var p = state();
      var mine = ++shown;
      return pool.get(currentIndex(pool.length, p)).then(function (q) {
        if (mine !== shown) return;  /* 読み込むあいだに次の問題が押された */
        showQuestion(q, p, focus);
      });
    }
    function showQuestion(q, p, focus) {
      rootEl.setAttribute("data-current", q.id);
      status.textContent = progressLine(p);
      var view = renderQuestion(box, q, math, {
        mode: "practice",
        heading: "問題",
        onAnswered: function (correct) {
          var saved = update(quizId, function (old) {
            return record(old, correct, { title: meta.title, group: meta.group, variant: q.id, now: Date.now() });
          });
          status.textContent = progressLine(saved);
          next.focus({ preventScroll: true });
        }
      });
      if (focus) view.focus();
    }
    next.addEventListener("click", function () {
      update(quizId, function (old) {
        var s = advance(pool.length, { seed: old.seed, cursor: old.cursor || 0 }, randomSeed());
        old.seed = s.seed; old.cursor = s.cursor; old.answered = false;
        return old;
      });
      show(true).catch(function (err) { status.textContent = "問題を読み込めませんでした: " + err.message; });
    });
    reset.addEventListener("click", function () {
      var all = load();
      delete all[quizId];
      save(all);
      show(false).then(function () { status.textContent = "記録をリセットしました。"; });
    });
    /* 前回この問題に答え終えていたら、開いたときは新しい問題にする */
    var p0 = state();
    if (p0.answered) {
      update(quizId, function (old) {
        var s = advance(pool.length, { seed: old.seed, cursor: old.cursor || 0 }, randomSeed());
        old.seed = s.seed; old.cursor = s.cursor; old.answered = false;
        return old;
      });
    }
    return show(false);
  }

  /* ===== 模擬試験 ======================================================================== */
  function initExam(rootEl, pool) {
    rootEl.innerHTML = "";
    var form = el("form", "qz-exam-setup");
    var counts = [5, 10, 20, 30, 50].filter(function (c) { return c <= pool.length; });
    if (counts.indexOf(pool.length) < 0 && pool.length < 50) counts.push(pool.length);
    var opts = counts.map(function (c) { return "<option value=\"" + c + "\"" + (c === 10 ? " selected" : "") + ">" + c + " 問</option>"; }).join("");
    form.innerHTML =
      "<p class=\"qz-exam-lead\">全 " + pool.length + " 問（すべて 4 択）から無作為に出題します。途中では正誤を表示せず、最後にまとめて採点します。</p>" +
      "<div class=\"qz-exam-fields\">" +
      "<label>問題数 <select name=\"count\" class=\"qz-select\">" + opts + "</select></label>" +
      "<label>制限時間 <select name=\"minutes\" class=\"qz-select\">" +
      "<option value=\"0\" selected>なし</option><option value=\"5\">5 分</option><option value=\"10\">10 分</option>" +
      "<option value=\"15\">15 分</option><option value=\"20\">20 分</option><option value=\"30\">30 分</option>" +
      "<option value=\"60\">60 分</option></select></label></div>" +
      "<button class=\"md-button md-button--primary qz-start\" type=\"submit\">模擬試験を始める</button>";
    rootEl.appendChild(form);
    var last = (load().exam || {}).lastScore;
    if (last) rootEl.appendChild(text("p", "qz-note", "前回の得点: " + last.right + " / " + last.total));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var count = Number(form.elements.count.value) || 10;
      var minutes = Number(form.elements.minutes.value) || 0;
      var seed = randomSeed();
      var start = form.querySelector(".qz-start");
      start.disabled = true;
      Promise.all(examPick(pool.length, count, seed).map(function (i) { return pool.get(i); })).then(function (picked) {
        runExam(rootEl, pool, picked, minutes);
      }).catch(function (err) { start.disabled = false; failed(rootEl, err); });
    });
    return Promise.resolve();
  }

  function runExam(rootEl, pool, questions, minutes) {
    var math = pool.math;
    rootEl.innerHTML = "";
    var picks = questions.map(function () { return null; });
    var top = el("div", "qz-exam-top");
    var where = text("p", "qz-exam-where", "");
    var clock = text("p", "qz-clock", "");
    clock.setAttribute("role", "timer");
    top.appendChild(where); top.appendChild(clock);
    var box = el("div", "qz-box");
    var nav = el("div", "qz-exam-nav");
    var prev = button("前の問題", "qz-prev");
    var next = button("次の問題", "qz-next");
    var finish = button("採点する", "md-button--primary qz-finish");
    nav.appendChild(prev); nav.appendChild(next); nav.appendChild(finish);
    var answered = text("p", "qz-exam-answered", "");
    answered.setAttribute("aria-live", "polite");
    rootEl.appendChild(top); rootEl.appendChild(box); rootEl.appendChild(nav); rootEl.appendChild(answered);
    var deadline = minutes ? Date.now() + minutes * 60000 : 0;
    var timer = null;
    var over = false;
    if (deadline) {
      var tick = function () {
        var left = deadline - Date.now();
        clock.textContent = clockText(left);
        if (left <= 0) { clearInterval(timer); score(true); }
      };
      timer = setInterval(tick, 500);
      tick();
    } else {
      clock.textContent = "制限時間なし";
    }
    var k = 0;
    function counts() {
      var n = picks.filter(function (p) { return p !== null; }).length;
      answered.textContent = "解答済み " + n + " / " + questions.length + " 問";
    }
    function ask(focus) {
      where.textContent = (k + 1) + " / " + questions.length + " 問目";
      var view = renderQuestion(box, questions[k], math, {
        mode: "exam", picked: picks[k], heading: "第 " + (k + 1) + " 問",
        onPick: function (i) { picks[k] = i; counts(); }
      });
      prev.disabled = k === 0;
      next.disabled = k === questions.length - 1;
      counts();
      if (focus) view.focus();
    }
    prev.addEventListener("click", function () { if (k > 0) { k -= 1; ask(true); } });
    next.addEventListener("click", function () { if (k < questions.length - 1) { k += 1; ask(true); } });
    finish.addEventListener("click", function () { score(false); });

    function score(timeUp) {
      if (over) return;
      over = true;
      if (timer) clearInterval(timer);
      var s = examScore(questions, picks);
      questions.forEach(function (q, i) {  /* 名前のある誤りの選択肢を選んだ問題: 復習ページの材料（解説はこのあと表示） */
        var c = picks[i] === null ? null : q.choices[picks[i]];
        if (c && !c.correct && c.mistake) noteMistake(c.mistake, expand(c.feedback_html, math));
      });
      update("exam", function (old) {
        old.group = "exam";
        old.title = "模擬試験";
        old.attempts = (Number(old.attempts) || 0) + questions.length;  /* 問題数で数える */
        old.correct = (Number(old.correct) || 0) + s.right;
        old.sessions = (Number(old.sessions) || 0) + 1;
        old.lastScore = { right: s.right, total: s.total };
        if (!old.best || s.right / s.total > old.best.right / old.best.total) old.best = old.lastScore;
        old.updated = Date.now();
        return old;
      });
      rootEl.innerHTML = "";
      var head = el("div", "qz-result");
      var h = text("p", "qz-score", "得点: " + s.right + " / " + s.total + "（" + Math.round(100 * s.right / Math.max(1, s.total)) + "%）");
      h.tabIndex = -1;
      head.appendChild(h);
      if (timeUp) head.appendChild(text("p", "qz-note", "時間切れです。未回答の問題は不正解として数えました。"));
      if (s.unanswered) head.appendChild(text("p", "qz-note", "未回答: " + s.unanswered + " 問"));
      rootEl.appendChild(head);
      rootEl.appendChild(breakdown("分野別", s.byTopic));
      rootEl.appendChild(breakdown("手法別", s.byOptimizer));
      var review = el("div", "qz-review");
      review.appendChild(text("p", "qz-review-title", "問題ごとの解説"));
      questions.forEach(function (q, i) {
        var d = el("details", "qz-review-item");
        var ok = picks[i] === q.answer.index;
        var sum = text("summary", ok ? "qz-right" : "qz-wrong",
          "第 " + (i + 1) + " 問 " + (ok ? "正解" : (picks[i] === null ? "未回答" : "不正解")) +
          "（" + q.topic + (q.optimizer ? "・" + (q.optimizer_name || q.optimizer) : "") + "、seed " + q.seed + "）");
        d.appendChild(sum);
        var inner = el("div", "qz-box");
        d.appendChild(inner);
        review.appendChild(d);
        var shown = false;
        d.addEventListener("toggle", function () {
          if (!d.open || shown) return;
          shown = true;
          renderQuestion(inner, q, math, { mode: "practice", heading: "第 " + (i + 1) + " 問", picked: picks[i] });
          if (picks[i] !== null) {
            var f = inner.querySelector(".qz-choice-form");
            if (f) { /* 選んだ答えで採点した表示にする */
              var btnless = inner.querySelectorAll(".qz-choice input")[picks[i]];
              if (btnless) btnless.checked = true;
              f.dispatchEvent(new Event("submit", { cancelable: true }));
            }
          }
        });
      });
      rootEl.appendChild(review);
      var again = button("もう一度（設定に戻る）", "md-button--primary qz-again");
      again.addEventListener("click", function () { initExam(rootEl, pool); });
      rootEl.appendChild(again);
      h.focus();
    }
    ask(false);
  }

  function breakdown(title, table) {
    var wrap = el("div", "qz-table-wrap");
    var t = el("table", "qz-breakdown");
    var cap = text("caption", "", title);
    t.appendChild(cap);
    var thead = el("thead", "", "<tr><th scope=\"col\">" + esc(title.replace("別", "")) + "</th><th scope=\"col\">正解</th>" +
      "<th scope=\"col\">出題</th><th scope=\"col\">正答率</th></tr>");
    t.appendChild(thead);
    var tb = el("tbody");
    Object.keys(table).sort().forEach(function (k) {
      var r = table[k];
      var tr = el("tr");
      [k, r.ok, r.n, Math.round(100 * r.ok / Math.max(1, r.n)) + "%"].forEach(function (v, j) {
        var td = text(j === 0 ? "th" : "td", "", String(v));
        if (j === 0) td.scope = "row";
        tr.appendChild(td);
      });
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    wrap.appendChild(t);
    return wrap;
  }


  /* ===== 復習 ============================================================================ */
  function titleOf(item, index) {
    var info = index.mistakes[item.name] || {};
    if (info.title) return info.title;
    var div = document.createElement("div");
    div.innerHTML = item.html || "";
    var t = (div.textContent || "").replace(/^誤り。記述の値は次の誤りで計算した値である。/, "");
    var cut = t.search(/[:：]/);
    return cut > 0 && cut <= 40 ? t.slice(0, cut) : item.name;
  }
  function dateText(ms) {
    var d = new Date(ms);
    return d.getFullYear() + "/" + (d.getMonth() + 1) + "/" + d.getDate();
  }

  function initReview(rootEl, index) {
    var intervals = index.intervals;
    rootEl.innerHTML = "";
    var summary = text("p", "qz-rv-summary", "");
    summary.setAttribute("aria-live", "polite");
    var list = el("ol", "qz-rv-list");
    var qhead = text("p", "qz-rv-qhead", "");
    var box = el("div", "qz-box");
    var next = button("次の復習問題", "qz-rv-next");
    var io = el("div", "qz-rv-io");
    var exp = button("記録を書き出す（JSON）", "qz-rv-export");
    var impLabel = el("label", "md-button qz-rv-import");
    impLabel.appendChild(document.createTextNode("記録を読み込む（JSON）"));
    var file = el("input");
    file.type = "file"; file.accept = "application/json,.json"; file.className = "qz-rv-file";
    impLabel.appendChild(file);
    var reset = button("復習の記録をリセット", "qz-rv-reset");
    var status = text("p", "qz-rv-status", "");
    status.setAttribute("role", "status");
    io.appendChild(exp); io.appendChild(impLabel); io.appendChild(reset);
    [summary, list, qhead, box, next, io, status].forEach(function (e) { rootEl.appendChild(e); });
    var current = null;

    function servable(item) { var info = index.mistakes[item.name]; return info && info.v && info.v.length; }
    function refresh() {
      var now = Date.now();
      var items = reviewList(loadReview(), now);
      var due = items.filter(function (it) { return it.isDue && servable(it); });
      summary.textContent = items.length ? "記録した誤り " + items.length + " 種類、今日の復習 " + due.length + " 件。" :
        "まだ記録した誤りはありません。各ページの練習問題で、よくある誤りと一致する答えをすると、ここに並びます。";
      list.innerHTML = "";
      items.forEach(function (it) {
        var li = el("li", "qz-rv-item" + (it.isDue ? " qz-rv-due" : ""));
        li.setAttribute("data-mistake", it.name);
        var head = el("p", "qz-rv-head");
        head.appendChild(text("strong", "qz-rv-title", titleOf(it, index)));
        head.appendChild(text("span", "qz-rv-meta", "　" + it.count + " 回・箱 " + it.box + "・" +
          (it.isDue ? "今日出題" : dateText(it.due) + " から出題") + (servable(it) ? "" : "（出題できる問題なし）")));
        li.appendChild(head);
        if (it.html) {
          var d = el("details", "qz-rv-why");
          d.appendChild(text("summary", "", "説明（答えたときのフィードバック）"));
          d.appendChild(el("div", "", it.html));
          li.appendChild(d);
        }
        list.appendChild(li);
      });
      return due;
    }
    function serve(focus) {
      var due = refresh();
      box.innerHTML = "";
      current = null;
      next.hidden = true;
      if (!due.length) {
        qhead.textContent = Object.keys(loadReview().mistakes).length ? "今日の復習は終わりました。" : "";
        return Promise.resolve();
      }
      var target = due[0];
      var info = index.mistakes[target.name];
      var store = loadReview();
      var m = store.mistakes[target.name];
      var k = (m.served || 0) % info.v.length;
      m.served = (m.served || 0) + 1;
      saveReview(store);
      var url = siteBase() + "/" + index.quizzes[info.v[k][0]] + info.v[k][1] + ".bin";
      current = target.name;
      rootEl.setAttribute("data-target", target.name);
      qhead.textContent = "「" + titleOf(target, index) + "」を含む問題（正解 " + (m.right || 0) + " / " +
        intervals.length + " 回）";
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error("問題ファイルを読めませんでした（" + r.status + "）");
        return r.arrayBuffer();
      }).then(function (buf) { return decodeVariant(new Uint8Array(buf)); }).then(function (q) {
        var name = target.name;
        var view = renderQuestion(box, q, [], {
          mode: "practice", heading: "復習問題",
          onAnswered: function (correct) {  /* 正解: 1 つ上の箱へ（最後の箱なら卒業）。不正解: 箱 1 へ */
            saveReview(reviewAnswer(loadReview(), name, correct, Date.now(), intervals));
            refresh();
            next.hidden = false;
            next.focus({ preventScroll: true });
          }
        });
        if (focus) view.focus();
      });
    }
    next.addEventListener("click", function () { serve(true); });
    exp.addEventListener("click", function () {
      var data = { format: "eshikaku-study", version: 1, exported: new Date().toISOString(), quiz: load(),
                   review: loadReview() };
      var blob = new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
      var a = el("a");
      var d = new Date();
      a.href = URL.createObjectURL(blob);
      a.download = "eshikaku-study-" + d.getFullYear() + ("0" + (d.getMonth() + 1)).slice(-2) +
        ("0" + d.getDate()).slice(-2) + ".json";
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
      status.textContent = "記録を書き出しました（この端末の中だけで作ったファイルです）。";
    });
    file.addEventListener("change", function () {
      var f = file.files && file.files[0];
      if (!f) return;
      f.text().then(function (t) {
        var data = JSON.parse(t);
        if (!data || data.format !== "eshikaku-study" || data.version !== 1 || typeof data.quiz !== "object" ||
            !data.review || typeof data.review.mistakes !== "object") {
          throw new Error("このサイトの記録ファイルではありません");
        }
        save(data.quiz || {});
        saveReview(copyReview(data.review));
        file.value = "";
        return serve(false).then(function () { status.textContent = "記録を読み込みました。"; });
      }).catch(function (err) { status.textContent = "読み込めませんでした: " + err.message; });
    });
    reset.addEventListener("click", function () {
      saveReview(emptyReview());
      serve(false).then(function () { status.textContent = "復習の記録をリセットしました。"; });
    });
    return serve(false);
  }

  /* ===== 進捗の表 ======================================================================== */
  function fillProgress() {
    var cells = document.querySelectorAll(".qz-stat[data-group]");
    if (!cells.length) return;
    var all = load();
    var rows = summarize(all);
    Array.prototype.forEach.call(cells, function (c) {
      var r = rows[c.getAttribute("data-group")] || { attempts: 0, correct: 0, quizzes: 0, rate: null };
      var f = c.getAttribute("data-field");
      var v;
      if (f === "attempts") v = String(r.attempts);
      else if (f === "correct") v = String(r.correct);
      else if (f === "rate") v = r.rate === null ? "—" : r.rate + "%";
      else if (f === "tried") v = r.quizzes + " / " + (c.getAttribute("data-total") || "?");
      else if (f === "exam") {
        var e = all.exam;
        v = e && e.lastScore ? "前回 " + e.lastScore.right + " / " + e.lastScore.total + "、最高 " +
          e.best.right + " / " + e.best.total + "（" + e.sessions + " 回）" : "まだ受けていません";
      }
      c.textContent = v;
    });
  }

  function initResetAll(btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      save({});
      fillProgress();
      var s = document.querySelector(".qz-reset-status");
      if (s) s.textContent = "すべての記録をリセットしました。";
    });
  }

  function boot() {
    var widgets = ".qz[data-variants], .qz-exam[data-variants], .qz[data-pool], .qz-exam[data-pool]";
    Array.prototype.forEach.call(document.querySelectorAll(widgets), function (r) {
      if (r.getAttribute("data-ready")) return;
      r.setAttribute("data-ready", "loading");
      poolOf(r).then(function (pool) {
        return r.classList.contains("qz-exam") ? initExam(r, pool) : initQuiz(r, pool);
      }).then(function () {
        r.setAttribute("data-ready", "1");
      }).catch(function (err) { failed(r, err); r.setAttribute("data-ready", "error"); });
    });
    var first = document.querySelector(".qz[data-quiz], .qz-exam[data-quiz]");
    if (first && !document.getElementById("qz-first")) {
      first.id = "qz-first";
      first.tabIndex = -1;  /* リンクの飛び先（スクリプトが答えの欄へ移すまでの受け皿） */
    }
    Array.prototype.forEach.call(document.querySelectorAll(".qz-skip"), function (a) {
      if (a.getAttribute("data-ready")) return;
      a.setAttribute("data-ready", "1");
      a.addEventListener("click", function (ev) {  /* 最初の問題の答えの欄（選択肢、模擬試験なら開始ボタン）へ */
        var box = document.getElementById("qz-first");
        if (!box) return;
        ev.preventDefault();
        var target = box.querySelector(".qz-input, .qz-choice input, .qz-start, select") || box;
        target.focus({ preventScroll: true });
        target.scrollIntoView({ block: "center" });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".qz-rv[data-review]"), function (r) {
      if (r.getAttribute("data-ready")) return;
      r.setAttribute("data-ready", "loading");
      fetch(r.getAttribute("data-review")).then(function (res) {
        if (!res.ok) throw new Error(res.status + " " + res.statusText);
        return res.json();
      }).then(function (index) { return initReview(r, index); }).then(function () {
        r.setAttribute("data-ready", "1");
      }).catch(function (err) { failed(r, err); r.setAttribute("data-ready", "error"); });
    });
    fillProgress();
    Array.prototype.forEach.call(document.querySelectorAll(".qz-reset-all"), function (b) {
      if (!b.getAttribute("data-ready")) { b.setAttribute("data-ready", "1"); initResetAll(b); }
    });
  }
  /* mkdocs-material の instant navigation でもページごとに起動する */
  if (root.document$ && root.document$.subscribe) root.document$.subscribe(boot);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})(typeof self !== "undefined" ? self : this);
