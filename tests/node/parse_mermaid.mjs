// Parse Mermaid diagrams with Mermaid's own parser (the `mermaid` npm package, under jsdom).
// Usage: node tests/node/parse_mermaid.mjs FILE...
// Prints `ok <file> <diagram type>` or `error <file>: <parser message>` per file; exits 1 if any
// file fails, 2 on usage errors.
import { readFile } from "node:fs/promises";
import { JSDOM } from "jsdom";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tests/node/parse_mermaid.mjs FILE...");
  process.exit(2);
}

// mermaid sanitizes labels with DOMPurify, which needs a DOM: give it jsdom's window.
const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let failed = 0;
for (const file of files) {
  try {
    const result = await mermaid.parse(await readFile(file, "utf8"));
    console.log(`ok ${file} ${result.diagramType}`);
  } catch (error) {
    failed += 1;
    const message = String(error?.message ?? error).replace(/\s+/g, " ");
    console.log(`error ${file}: ${message}`);
  }
}
process.exit(failed ? 1 : 0);
