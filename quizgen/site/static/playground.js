/* 遊び場: ビルド時に参照実装（optimizers/）で実行した軌跡を描くだけのスクリプト（quizgen/site/playground.py）。
 * 最適化の計算はしない。受け取った点を画面の座標に移して線で結び、受け取った数値（最終の損失・収束したステップ・
 * 発散したステップ）をそのまま表示する。スライダーは格子の番号を動かすので、格子にない値にはならない。
 * URL の ?a=手法&b=手法&p=曲面&s=出発点の番号 で初期の選択を決める（各手法のページからのリンク）。
 * 同じサイトの中のファイルを読むだけ（外部への通信はしない）。 */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var SIDES = ["a", "b"];
  var DEFAULT = { a: "sgd", b: "momentum" };

  function siteBase() {
    var cfg = document.getElementById("__config");
    var base = ".";
    try { if (cfg) base = JSON.parse(cfg.textContent).base || "."; } catch (e) { /* keep "." */ }
    return base.replace(/\/$/, "");
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  /* 表示用の数: 有効数字 4 桁、マイナスは −（受け取った値の書式を整えるだけ） */
  function num(v) {
    if (v === null || v === undefined) return "—";
    var t = Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3).replace(/\.?0+e/, "e")
      : String(Number(v.toPrecision(4)));
    return t.replace(/-/g, "−");
  }
  function fetchJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + r.statusText);
      return r.json();
    });
  }

  function init(root) {
    var base = siteBase();
    var params = new URLSearchParams(location.search);
    fetchJson(root.getAttribute("data-manifest")).then(function (m) { build(root, m, params, base); })
      .catch(function (err) {
        root.textContent = "遊び場のデータを読み込めませんでした（" + (err && err.message ? err.message : err) + "）。";
        root.setAttribute("data-ready", "error");
      });
  }

  function build(root, m, params, base) {
    var optByKey = {};
    m.optimizers.forEach(function (o) { optByKey[o.key] = o; });
    var probIndex = Math.max(0, m.problems.map(function (p) { return p.key; }).indexOf(params.get("p")));
    var state = { problem: probIndex, start: 0, sides: {} };
    var s0 = parseInt(params.get("s"), 10);
    if (s0 >= 0 && s0 < m.problems[probIndex].starts.length) state.start = s0;
    SIDES.forEach(function (side) {
      var key = params.get(side);
      if (!optByKey[key]) key = DEFAULT[side];
      if (side === "b" && key === state.sides.a.opt && !params.get("b")) key = key === "sgd" ? "momentum" : "sgd";
      state.sides[side] = { opt: key, lr: null, hyper: null, data: null };
    });
    var cache = {};
    var cur = {};

    root.innerHTML = "";
    var top = el("div", "qg-play-top");
    var probSel = select("曲面", "qg-play-problem", m.problems.map(function (p) { return p.name; }));
    var startSel = select("出発点", "qg-play-start", []);
    top.appendChild(probSel.label); top.appendChild(startSel.label);
    root.appendChild(top);
    var sidesBox = el("div", "qg-play-sides");
    root.appendChild(sidesBox);
    var views = {};
    SIDES.forEach(function (side, i) { views[side] = sideView(side, i); sidesBox.appendChild(views[side].box); });
    var lossBox = el("figure", "qg-play-loss");
    var lossSvg = svgEl("svg", { viewBox: "0 0 360 200", role: "img" });
    lossBox.appendChild(lossSvg);
    var lossCap = el("figcaption", "", "損失の推移（縦軸は対数。0 以下の値と 10⁻¹² 未満は下端に描く）");
    lossBox.appendChild(lossCap);
    root.appendChild(lossBox);

    function select(labelText, cls, options) {
      var label = el("label", "qg-play-field");
      label.appendChild(el("span", "qg-play-name", labelText));
      var s = el("select", cls);
      fill(s, options);
      label.appendChild(s);
      return { label: label, select: s };
    }
    function fill(s, options) {
      s.innerHTML = "";
      options.forEach(function (t, i) { var o = el("option", "", t); o.value = String(i); s.appendChild(o); });
    }
    function slider(labelText, cls) {
      var label = el("label", "qg-play-field qg-play-range");
      var name = el("span", "qg-play-name", labelText);
      var input = el("input", cls);
      input.type = "range"; input.min = "0"; input.step = "1";
      var out = el("output", "qg-play-value");
      label.appendChild(name); label.appendChild(input); label.appendChild(out);
      return { label: label, input: input, out: out, name: name };
    }

    function sideView(side, i) {
      var box = el("section", "qg-play-side qg-play-side-" + side);
      box.setAttribute("data-side", side);
      box.appendChild(el("h3", "qg-play-head", i === 0 ? "左の手法" : "右の手法"));
      var opt = select("手法", "qg-play-opt", m.optimizers.map(function (o) { return o.name; }));
      var lr = slider("学習率 η", "qg-play-lr");
      var hyper = slider("", "qg-play-hyper");
      box.appendChild(opt.label); box.appendChild(lr.label); box.appendChild(hyper.label);
      var fig = el("div", "qg-play-fig");
      var img = el("img", "qg-play-bg");
      img.alt = "";
      var svg = svgEl("svg", { "class": "qg-play-paths", "aria-hidden": "true" });
      fig.appendChild(img); fig.appendChild(svg);
      box.appendChild(fig);
      var facts = el("dl", "qg-play-facts");
      facts.setAttribute("aria-live", "polite");  /* スライダーを動かすと読み上げる */
      box.appendChild(facts);
      opt.select.addEventListener("change", function () {
        state.sides[side].opt = m.optimizers[Number(opt.select.value)].key;
        state.sides[side].lr = state.sides[side].hyper = null;
        load(side);
      });
      lr.input.addEventListener("input", function () { state.sides[side].lr = Number(lr.input.value); draw(side); });
      hyper.input.addEventListener("input", function () { state.sides[side].hyper = Number(hyper.input.value); draw(side); });
      return { box: box, opt: opt.select, lr: lr, hyper: hyper, img: img, svg: svg, facts: facts };
    }

    probSel.select.addEventListener("change", function () {
      state.problem = Number(probSel.select.value);
      state.start = 0;
      SIDES.forEach(function (side) { state.sides[side].lr = null; });
      reload();
    });
    startSel.select.addEventListener("change", function () { state.start = Number(startSel.select.value); reload(); });

    function problem() { return m.problems[state.problem]; }
    function reload() {
      var p = problem();
      probSel.select.value = String(state.problem);
      fill(startSel.select, p.starts.map(function (s, i) {
        return "(" + num(s[0]) + ", " + num(s[1]) + ")" + (i === 0 ? "（ほかのページと同じ）" : "");
      }));
      startSel.select.value = String(state.start);
      return Promise.all(SIDES.map(load));
    }
    function load(side) {
      var st = state.sides[side];
      var p = problem();
      var id = p.key + "/" + state.start + "/" + st.opt;
      var v = views[side];
      v.box.setAttribute("data-loading", "1");
      if (!cache[id]) cache[id] = fetchJson(base + "/" + m.files[id]).catch(function (e) { delete cache[id]; throw e; });
      return cache[id].then(function (data) {
        if (p !== problem() || st.opt !== state.sides[side].opt) return;  /* 読むあいだに選択が変わった */
        st.data = data;
        var o = optByKey[st.opt];
        v.opt.value = String(m.optimizers.indexOf(o));
        var lrs = p.lr[st.opt];
        if (st.lr === null || st.lr >= lrs.length) st.lr = p.lr_default[st.opt];
        if (st.hyper === null || st.hyper >= o.hyper.values.length) st.hyper = o.hyper_default;
        v.lr.input.max = String(lrs.length - 1);
        v.lr.input.disabled = lrs.length < 2;
        v.lr.label.hidden = lrs[0] === null;
        v.hyper.input.max = String(o.hyper.values.length - 1);
        v.hyper.label.hidden = !o.hyper.arg;
        v.hyper.name.textContent = o.hyper.symbol ? o.hyper.symbol + "（" + o.hyper.arg + "）" : "—";  /* 隠れた行も同じ高さ */
        draw(side);
      }).catch(function (err) {
        v.facts.textContent = "データを読み込めませんでした（" + err.message + "）。";
      });
    }

    function draw(side) {
      var st = state.sides[side];
      var v = views[side];
      var p = problem();
      var o = optByKey[st.opt];
      var lr = p.lr[st.opt][st.lr];
      var h = o.hyper.values[st.hyper];
      v.lr.input.value = String(st.lr);
      v.hyper.input.value = String(st.hyper);
      v.lr.out.textContent = lr === null ? "なし" : num(lr);
      v.lr.input.setAttribute("aria-valuetext", lr === null ? "なし" : num(lr));
      v.hyper.out.textContent = h === null ? "" : num(h);
      if (h !== null) v.hyper.input.setAttribute("aria-valuetext", num(h));
      var run = st.data.runs[st.lr][st.hyper];
      cur[side] = run;
      var bg = base + "/" + p.background;
      if (v.img.getAttribute("src") !== bg) v.img.setAttribute("src", bg);
      v.img.alt = p.name + "の等高線";
      drawPath(v.svg, p.view, run, side);
      v.box.setAttribute("data-run", p.key + "/" + state.start + "/" + st.opt + "/" + st.lr + "/" + st.hyper);
      facts(v.facts, p, run, st.data.steps);
      v.box.removeAttribute("data-loading");
      drawLoss();
      writeUrl();
    }

    function drawPath(svg, view, run, side) {
      svg.innerHTML = "";
      svg.setAttribute("viewBox", "0 0 " + view.size[0] + " " + view.size[1]);
      var clipId = "qg-play-clip-" + side;
      var defs = svgEl("defs");
      var clip = svgEl("clipPath", { id: clipId });
      clip.appendChild(svgEl("rect", { x: view.box[0], y: view.box[1], width: view.box[2], height: view.box[3] }));
      defs.appendChild(clip);
      svg.appendChild(defs);
      var g = svgEl("g", { "clip-path": "url(#" + clipId + ")", "class": "qg-play-run qg-play-run-" + side });
      var pts = run.x.map(function (x, i) {
        return [view.x0 + view.sx * x, view.y0 + view.sy * run.y[i]];
      });
      g.appendChild(svgEl("polyline", { points: pts.map(function (q) { return q[0] + "," + q[1]; }).join(" ") }));
      pts.forEach(function (q) { g.appendChild(svgEl("circle", { cx: q[0], cy: q[1], r: 1.3 })); });
      g.appendChild(svgEl("rect", { x: pts[0][0] - 2.25, y: pts[0][1] - 2.25, width: 4.5, height: 4.5 }));
      svg.appendChild(g);
    }

    function facts(dl, p, run, steps) {
      dl.innerHTML = "";
      function row(k, v, cls) {
        dl.appendChild(el("dt", "", k));
        var dd = el("dd", cls || "", v);
        dl.appendChild(dd);
      }
      var shown = run.x.length - 1;
      row(shown + " ステップ後の損失", num(run.final), "qg-play-final");
      var verdict;
      if (run.diverged !== null) verdict = "発散（ステップ " + run.diverged + " で範囲外）";
      else if (!p.minimum) verdict = "最小点なし（" + steps + " ステップ）";
      else if (run.converged !== null) verdict = "ステップ " + run.converged + " で収束";
      else verdict = steps + " ステップでは収束せず";
      row("結果", verdict, "qg-play-verdict");
    }

    function drawLoss() {
      lossSvg.innerHTML = "";
      var W = 360, H = 200, L = 46, R = 14, T = 8, B = 40;
      var runs = SIDES.map(function (s) { return cur[s]; }).filter(Boolean);
      if (!runs.length) return;
      var p = problem();
      var log = p.minimum;
      var FLOOR = 1e-12;
      function f(v) { return log ? Math.log(Math.max(v, FLOOR)) / Math.LN10 : v; }
      var lo = Infinity, hi = -Infinity, n = 1;
      runs.forEach(function (r) {
        r.loss.forEach(function (v) { var y = f(v); if (y < lo) lo = y; if (y > hi) hi = y; });
        n = Math.max(n, r.loss.length - 1);
      });
      n = Math.max(n, p.steps);
      if (log) { lo = Math.floor(lo); hi = Math.ceil(hi); }
      if (hi - lo < 1e-12) { hi += 1; lo -= 1; }
      function X(i) { return L + (W - L - R) * i / n; }
      function Y(y) { return T + (H - T - B) * (hi - y) / (hi - lo); }
      var axis = svgEl("g", { "class": "qg-play-axis" });
      axis.appendChild(svgEl("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "none" }));
      var ticks = [];
      if (log) {
        var stride = Math.max(1, Math.ceil((hi - lo) / 5));
        for (var e = lo; e <= hi; e += stride) ticks.push([e, "1e" + e]);
      } else {
        for (var k = 0; k <= 4; k++) { var y = lo + (hi - lo) * k / 4; ticks.push([y, num(y)]); }
      }
      ticks.forEach(function (t) {
        axis.appendChild(svgEl("line", { x1: L - 3, x2: L, y1: Y(t[0]), y2: Y(t[0]) }));
        var lab = svgEl("text", { x: L - 5, y: Y(t[0]) + 4, "text-anchor": "end" });
        lab.textContent = t[1].replace(/-/g, "−");
        axis.appendChild(lab);
      });
      [0, Math.round(n / 2), n].forEach(function (i) {
        axis.appendChild(svgEl("line", { x1: X(i), x2: X(i), y1: H - B, y2: H - B + 3 }));
        var lab = svgEl("text", { x: X(i), y: H - B + 15, "text-anchor": "middle" });
        lab.textContent = String(i);
        axis.appendChild(lab);
      });
      var cap = svgEl("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle" });
      cap.textContent = "ステップ";
      axis.appendChild(cap);
      lossSvg.appendChild(axis);
      SIDES.forEach(function (s) {
        var r = cur[s];
        if (!r) return;
        var pts = r.loss.map(function (v, i) { return X(i) + "," + Y(f(v)); }).join(" ");
        lossSvg.appendChild(svgEl("polyline", { points: pts, "class": "qg-play-curve qg-play-run-" + s }));
      });
      var names = SIDES.map(function (s) { return optByKey[state.sides[s].opt].name; });
      lossSvg.setAttribute("aria-label", "損失の推移: 左 " + names[0] + "、右 " + names[1]);
    }

    function writeUrl() {
      if (!history.replaceState) return;
      var q = new URLSearchParams(location.search);
      q.set("a", state.sides.a.opt); q.set("b", state.sides.b.opt);
      q.set("p", problem().key); q.set("s", String(state.start));
      history.replaceState(history.state, "", location.pathname + "?" + q.toString() + location.hash);
    }

    reload().then(function () { root.setAttribute("data-ready", "1"); });
  }

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll(".qg-play[data-manifest]:not([data-ready])"), function (r) {
      r.setAttribute("data-ready", "loading");
      init(r);
    });
  }
  /* mkdocs-material の instant navigation でもページごとに起動する */
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(boot);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
