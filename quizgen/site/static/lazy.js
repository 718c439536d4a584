/* 閉じた <details> の中身を、開いたときに読み込む（quizgen/site/lazy.py が build 時に別ファイルへ分けたもの）。
 * <details><summary>…</summary><div class="qg-lazy" data-src="相対パス">…</div></details>
 * 同じサイトの中のファイルを読むだけ（外部への通信はしない）。 */
(function () {
  "use strict";

  function fill(box) {
    if (box.getAttribute("data-state")) return;
    box.setAttribute("data-state", "loading");
    fetch(box.getAttribute("data-src")).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + r.statusText);
      return r.text();
    }).then(function (html) {
      box.innerHTML = html;
      box.setAttribute("data-state", "done");
    }).catch(function (err) {
      box.setAttribute("data-state", "");  /* 次に開いたときにもう一度 */
      var p = box.querySelector(".qg-lazy-wait") || box;
      p.textContent = "読み込めませんでした（" + (err && err.message ? err.message : err) + "）。もう一度開いてください。";
    });
  }

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll(".qg-lazy[data-src]"), function (box) {
      var details = box.parentElement;
      if (!details || details.tagName !== "DETAILS" || details.getAttribute("data-qg-lazy")) return;
      details.setAttribute("data-qg-lazy", "1");
      if (details.open) fill(box);
      details.addEventListener("toggle", function () { if (details.open) fill(box); });
    });
  }

  /* mkdocs-material の instant navigation でもページごとに起動する */
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(boot);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
