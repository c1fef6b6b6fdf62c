// Loads dist/ui-parser.cjs the way Paperclip's UI worker does (function body with exports/module, no require, no
// imports) and checks the size limit and that it parses a stream-json line.
import { readFileSync } from "node:fs";

const source = readFileSync(new URL("../dist/ui-parser.cjs", import.meta.url), "utf8");
const fail = (message) => {
  console.error(`ui-parser check: ${message}`);
  process.exit(1);
};
if (Buffer.byteLength(source) >= 50 * 1024) fail(`${Buffer.byteLength(source)} bytes, limit 50 KB`);
if (/^\s*import\s|\brequire\(\s*["']/m.test(source)) fail("the bundle imports or requires a module");
const module = { exports: {} };
new Function("exports", "module", "self", "globalThis", `"use strict";{${source}}`)(
  module.exports,
  module,
  {},
  {},
);
const { parseStdoutLine } = module.exports;
if (typeof parseStdoutLine !== "function") fail("parseStdoutLine is not exported");
const line = JSON.stringify({ type: "system", subtype: "init", model: "claude-x", session_id: "s-1" });
const entries = parseStdoutLine(line, "2026-01-01T00:00:00.000Z");
if (!entries.some((e) => e.kind === "init" && e.sessionId === "s-1"))
  fail(`unexpected entries ${JSON.stringify(entries)}`);
console.log(`ui-parser check: ok (${Buffer.byteLength(source)} bytes)`);
