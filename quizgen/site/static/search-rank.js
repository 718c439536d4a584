/* サイト内検索の順位づけ（mkdocs-material の検索 worker の中で動く。quizgen/site/search.py が、worker が読み込む
 * lunr の tinyseg.js の後ろに付け足す）。
 *
 * material は検索語の末尾に * を付けて前方一致で探すため、"Adam" は adamax や adamw にも一致し、珍しい語ほど
 * 点が高くなって「Adamax の演習」が「Adam」より上に来ていた。ここでは、見出し（title）の語の集まりが検索語の
 * 語の集まりと同じページ（ページの見出しが検索語そのもの）を、ほかのどの結果より上に置く。
 * 見出しが検索語の語をすべて含むページや節（「AdamW の重み減衰の…」で「重み減衰」）は、見出しの語に占める
 * 検索語の割合に応じて点を最大 3 倍にする（見出しが短く検索語に近いほど上）。 */
(function () {
  "use strict";
  if (typeof lunr === "undefined" || !lunr.Index || lunr.Index.prototype.qgRanked) return;
  var search = lunr.Index.prototype.search;

  /* クエリ文字列（material が作った "バイアス* 補正*" など）の語。演算子と * を除き、小文字で */
  function words(query) {
    return query.split(/\s+/).map(function (w) {
      return w.replace(/^[+-]/, "").replace(/[*~^]\d*$/, "").replace(/\*/g, "").toLowerCase();
    }).filter(function (w) { return w && w.indexOf(":") < 0; });
  }

  /* 文書 ref の見出しの語（転置索引の番号）の集合 */
  function titleTerms(index, ref) {
    var v = index.fieldVectors["title/" + ref];
    var out = {};
    if (!v) return out;
    for (var i = 0; i < v.elements.length; i += 2) out[v.elements[i]] = true;
    return out;
  }

  lunr.Index.prototype.search = function (query) {
    var results = search.call(this, query);
    var ids = [];
    var self = this;
    words(query).forEach(function (w) {
      var entry = self.invertedIndex[w];
      if (entry && ids.indexOf(entry._index) < 0) ids.push(entry._index);
    });
    if (!ids.length) return results;
    var top = results.reduce(function (m, r) { return Math.max(m, r.score); }, 0) || 1;
    results.forEach(function (r) {
      var t = titleTerms(self, r.ref);
      var keys = Object.keys(t);
      var all = ids.every(function (id) { return t[id]; });
      var page = r.ref.indexOf("#") < 0;
      if (all && page && keys.length === ids.length) r.score += 4 * top;  /* ページの見出しが検索語そのもの */
      else if (all) r.score *= 1 + 2 * ids.length / keys.length;          /* 見出しが検索語をすべて含む */
    });
    return results.sort(function (a, b) { return b.score - a.score; });
  };
  lunr.Index.prototype.qgRanked = true;
})();
