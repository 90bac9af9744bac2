// Preloaded into the jsii kernel's Node process (NODE_OPTIONS=--require) by core/framework.py.
//
// The AWS provider's lib/index.js requires all ~2,200 resource modules up front, which costs the
// kernel ~500 MB of heap. Its lines `exports.name = require("./module");` are rewritten, as the
// file is compiled, into getters that require the module on first use. Nothing else changes:
// the jsii kernel reaches each type through these same exports.
"use strict";
const Module = require("module");
const path = require("path");

const INDEX = path.join(`${path.sep}provider-aws`, "");
const LINE = /^exports\.([A-Za-z0-9_$]+) = require\(("\.\/[^"]+")\);$/gm;
const compile = Module.prototype._compile;

Module.prototype._compile = function lazyProviderIndex(content, filename) {
  if (filename.endsWith(path.join("lib", "index.js")) && filename.includes(INDEX + path.sep)) {
    content = content.replace(
      LINE,
      'Object.defineProperty(exports, "$1", { enumerable: true, configurable: true, get: () => require($2) });',
    );
  }
  return compile.call(this, content, filename);
};
