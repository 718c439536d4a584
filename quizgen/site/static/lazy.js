/* 閉じた <details> の中身と、選ばれていないタブの中身を、見えるようになったとき（開いた・選んだとき）に読み込む
 * （quizgen/site/lazy.py が build 時に別ファイルへ分けたもの）。
 *   <details><summary>…</summary><div class="qg-lazy" data-src="相対パス">…</div></details>
 *   <div class="tabbed-block"><div class="qg-lazy" data-src="相対パス">…</div></div>
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
      box.removeAttribute("data-state");  /* 次に開いたときにもう一度 */
      var p = box.querySelector(".qg-lazy-wait") || box;
      p.textContent = "読み込めませんでした（" + (err && err.message ? err.message : err) + "）。もう一度開いてください。";
    });
  }

  /* 見えている（表示されている）まだ読んでいない部分をすべて読む */
  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll(".qg-lazy[data-src]:not([data-state])"), function (box) {
      /* checkVisibility: false inside a closed <details> (content-visibility) and a hidden tab (display: none) */
      if (box.checkVisibility ? box.checkVisibility() : box.getClientRects().length) fill(box);
    });
  }
  var later = 0;
  function soon() {  /* タブの切り替え（別のタブ組にも連動する）が終わってから */
    clearTimeout(later);
    later = setTimeout(scan, 0);
  }

  function boot() {
    scan();
    if (document.documentElement.getAttribute("data-qg-lazy")) return;
    document.documentElement.setAttribute("data-qg-lazy", "1");
    document.addEventListener("toggle", soon, true);  /* <details> の開閉（バブリングしないので capture で） */
    document.addEventListener("change", soon, true);  /* タブ（ラジオボタン） */
    document.addEventListener("click", soon, true);
    window.addEventListener("hashchange", soon);
  }

  /* mkdocs-material の instant navigation でもページごとに起動する */
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(boot);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
