// Renders TeX to HTML with KaTeX for the site build: one long-lived process per build.
// Protocol: one JSON request per line on stdin, one JSON answer per line on stdout.
//   request  {"items": [{"tex": "...", "display": true}, ...], "check": false}
//   answer   {"html": ["...", ...], "errors": [null | "message", ...], "warnings": [[...], ...]}
// With "check": true the formulas are only checked (KaTeX builds the MathML alone, the cheap part) and every
// html is "": the quiz widget draws them in the browser with the same KaTeX.
// argv[2]: the project root whose node_modules holds the pinned katex (package-lock.json).
// It ends when its stdin closes or its parent ends (checked every half second), so no server outlives the build
// that started it, even one killed with SIGKILL.
"use strict";
const path = require("path");
const readline = require("readline");

const root = process.argv[2] || process.cwd();
const katex = require(path.join(root, "node_modules", "katex"));

const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 500).unref();
const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("close", () => process.exit(0));
process.stdout.write(JSON.stringify({ ready: true, version: katex.version }) + "\n");

rl.on("line", (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  const html = [], errors = [], warnings = [];
  for (const item of request.items) {
    const notes = [];
    try {
      const out = katex.renderToString(item.tex, {
        displayMode: !!item.display,
        output: request.check ? "mathml" : "htmlAndMathml",
        throwOnError: true,
        trust: false,
        strict: (code, message) => { notes.push(code + ": " + message); return "ignore"; },
      });
      html.push(request.check ? "" : out);
      errors.push(null);
    } catch (e) {
      html.push("");
      errors.push(String(e && e.message ? e.message : e));
    }
    warnings.push(notes);
  }
  process.stdout.write(JSON.stringify({ html, errors, warnings }) + "\n");
});
