/* 数値の答えの正規化: 日本語キーボードで打った答えを数に直す。
 * parseAnswer(text) -> {ok: true, value, decimals} | {ok: false, reason, message}
 * decimals: 小数点以下に打った桁数（"0.28" → 2、"3" → 0）。分数・指数表記では null（桁数の案内に使う）。
 * 受け付ける形: 全角数字・全角ピリオド（NFKC）、小数点として IME の句点「。」（0。204、０。２０４）、
 * マイナスとして − ー ‐ – — －、前後と記号まわりの空白、千の位の区切り（1,234.5）、小数点としてのカンマ（0,28）、
 * 分数 a/b、指数表記（1e-3、2×10^-3、2×10^{-3}、10^-3、上付き数字の 2×10⁻³）。
 * 受け付けない形: 数字の間の空白や改行（「1 2」「3\n 2」は 12 でも 32 でもない）、指数でない上付き数字（「³」は 3
 * ではない）、下付き数字や丸数字など数字に見える記号。
 * 例外は投げない。判別できない入力は reason: "ambiguous"、形が違えば "invalid"。 */
(function (root) {
  "use strict";
  var MAX_LENGTH = 64;
  var MINUS = /[\u2212\u30FC\uFF70\u2010\u2011\u2012\u2013\u2014\u2015\uFE63\uFF0D]/g;
  var DECIMAL = "(?:\\d+(?:\\.\\d*)?|\\.\\d+)";
  var NUMBER_RE = new RegExp("^([+-]?)(" + DECIMAL + ")(?:e([+-]?\\d{1,3}))?$", "i");
  var EXPONENT = "\\^(?:\\(([+-]?\\d{1,3})\\)|\\{([+-]?\\d{1,3})\\}|([+-]?\\d{1,3}))";
  var TIMES_TEN_RE = new RegExp("^([+-]?" + DECIMAL + ")(?:\\*|x|×|・|·)10" + EXPONENT + "$", "i");
  var POWER_OF_TEN_RE = new RegExp("^([+-]?)10" + EXPONENT + "$");
  var SUPERSCRIPT = { "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
    "⁹": "9", "⁺": "+", "⁻": "-" };
  var SUPERSCRIPTS_RE = /[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+/g;
  var OTHER_NUMBER_RE = /\p{No}/u;  /* 上付きでない数字風の記号（₂ ① ½ …）: NFKC が数字に変えてしまう */
  var SPLIT_NUMBER_RE = /[0-9.,]\s+[0-9.,]/;
  var FRACTION_RE = new RegExp("^([+-]?)(" + DECIMAL + ")/(" + DECIMAL + ")$");
  var MESSAGES = {
    empty: "答えを入力してください。",
    too_long: "入力が長すぎます。数を 1 つだけ入力してください。",
    ambiguous: "カンマが千の位の区切りか小数点か判別できません。小数点には「.」を使ってください（例: 1.234 または 1234）。",
    invalid: "数として読めませんでした。例: -0.28、−０．２８、1/4、1e-3",
    split: "数の途中に空白や改行があります。数を 1 つだけ、空白を入れずに入力してください。"
  };

  function fail(reason) {
    return { ok: false, reason: reason, message: MESSAGES[reason] };
  }

  /* 読める形に直した文字列、または {reason}。上付き数字は指数として ^ に直してから NFKC（NFKC は ³ を 3 にする）。 */
  function clean(text) {
    var s = String(text).replace(SUPERSCRIPTS_RE, function (m) {
      return "^" + m.split("").map(function (c) { return SUPERSCRIPT[c]; }).join("");
    });
    if (OTHER_NUMBER_RE.test(s)) return { reason: "invalid" };
    if (s.normalize) s = s.normalize("NFKC");
    s = s.replace(MINUS, "-").replace(/\u3002/g, ".").trim();
    if (SPLIT_NUMBER_RE.test(s)) return { reason: "split" };  /* 分けて打った 2 つの数 */
    return s.replace(/\s+/g, "");
  }

  function exponentOf(m, first) {
    var e = m[first] !== undefined ? m[first] : (m[first + 1] !== undefined ? m[first + 1] : m[first + 2]);
    return Number(e);
  }

  /* カンマの意味を決める: "1,234,567.8" は区切り、"0,28" は小数点、"1,234" は判別不能 */
  function commas(s) {
    if (s.indexOf(",") < 0) return s;
    var sign = /^[+-]/.test(s) ? s.charAt(0) : "";
    var body = sign ? s.slice(1) : s;
    var grouped = /^\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:e[+-]?\d+)?$/i;
    if (body.indexOf(".") >= 0) return grouped.test(body) ? sign + body.replace(/,/g, "") : null;
    var parts = body.split(",");
    if (parts.length > 2) return grouped.test(body) ? sign + body.replace(/,/g, "") : null;
    if (!/^\d+$/.test(parts[0]) || !/^\d+(?:e[+-]?\d+)?$/i.test(parts[1])) return null;
    if (/^0+$/.test(parts[0]) || !/^\d{3}(?:e|$)/i.test(parts[1])) return sign + parts[0] + "." + parts[1];
    return "ambiguous";
  }

  function finite(v, decimals) {
    return typeof v === "number" && isFinite(v) ? { ok: true, value: v, decimals: decimals } : fail("invalid");
  }

  function parseAnswer(text) {
    if (text === null || text === undefined) return fail("empty");
    var s = clean(text);
    if (typeof s !== "string") return fail(s.reason);
    if (s.length === 0) return fail("empty");
    if (s.length > MAX_LENGTH) return fail("too_long");
    var m = FRACTION_RE.exec(s);
    if (m) {
      var den = Number(m[3]);
      if (den === 0) return fail("invalid");
      return finite((m[1] === "-" ? -1 : 1) * Number(m[2]) / den, null);
    }
    m = TIMES_TEN_RE.exec(s);
    if (m) {
      var mantissa = parseAnswer(m[1]);
      if (!mantissa.ok) return mantissa;
      return finite(Number(String(mantissa.value) + "e" + exponentOf(m, 2)), null);
    }
    m = POWER_OF_TEN_RE.exec(s);
    if (m) return finite((m[1] === "-" ? -1 : 1) * Number("1e" + exponentOf(m, 2)), null);
    var c = commas(s);
    if (c === "ambiguous") return fail("ambiguous");
    if (c === null) return fail("invalid");
    m = NUMBER_RE.exec(c);
    if (!m) return fail("invalid");
    return finite(Number(c), m[3] === undefined ? (m[2].split(".")[1] || "").length : null);
  }

  var api = { parseAnswer: parseAnswer, MESSAGES: MESSAGES, MAX_LENGTH: MAX_LENGTH };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.EshikakuNormalize = api;
})(typeof self !== "undefined" ? self : this);
