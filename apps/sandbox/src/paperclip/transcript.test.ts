import { describe, expect, it } from "vitest";
import type { RunLogRecord } from "./api.js";
import { buildTranscript, evaluateUiParser, UiParserLoadError } from "./transcript.js";

// A minimal CommonJS parser in the shape Paperclip's worker accepts.
const CJS_PARSER = `
function parseStdoutLine(line, ts) {
  let event;
  try { event = JSON.parse(line); } catch { return [{ kind: "stdout", ts, text: line }]; }
  if (event.type === "text") return [{ kind: "assistant", ts, text: event.text, delta: true }];
  if (event.type === "boom") throw new Error("parser bug");
  return [{ kind: "system", ts, text: event.type }];
}
module.exports = { parseStdoutLine };
`;

const rec = (stream: RunLogRecord["stream"], chunk: string, ts = "t"): RunLogRecord => ({
  ts,
  stream,
  chunk,
});

describe("evaluateUiParser", () => {
  it("loads a CommonJS module.exports parser", () => {
    const parser = evaluateUiParser(CJS_PARSER);
    expect(parser.exported).toEqual({ parseStdoutLine: true, createStdoutParser: false });
    expect(parser.parseLine("plain", "t1")).toEqual([{ kind: "stdout", ts: "t1", text: "plain" }]);
  });

  it("falls back to one stateful parser from createStdoutParser", () => {
    const parser = evaluateUiParser(`
      exports.createStdoutParser = () => { let n = 0; return { parseLine: (l, ts) => [{ kind: "stdout", ts, text: String(++n) }], reset() { n = 0; } }; };
    `);
    expect(parser.parseLine("a", "t")[0]?.text).toBe("1");
    expect(parser.parseLine("b", "t")[0]?.text).toBe("2");
  });

  it("rejects an ES module source, as the worker's Function body does", () => {
    expect(() => evaluateUiParser("export function parseStdoutLine() { return []; }")).toThrow(
      UiParserLoadError,
    );
  });

  it("gives the parser no Node or network globals", () => {
    const parser = evaluateUiParser(`
      module.exports.parseStdoutLine = (line, ts) => [{ kind: "system", ts,
        text: [typeof require, typeof process, typeof fetch, typeof globalThis, typeof self].join(",") }];
    `);
    expect(parser.parseLine("x", "t")[0]?.text).toBe("undefined,undefined,undefined,undefined,undefined");
  });

  it("rejects a module that exports no parser", () => {
    expect(() => evaluateUiParser("module.exports = { other: 1 };")).toThrow(
      /exports no usable parseStdoutLine/,
    );
  });
});

describe("buildTranscript", () => {
  const parser = evaluateUiParser(CJS_PARSER);

  it("line-buffers stdout across chunks, keeps stderr and system chunks, flushes the trailing line", () => {
    const entries = buildTranscript(
      [
        rec("stdout", '{"type":"ini', "t1"),
        rec("stdout", 't"}\nplain line\n  \n', "t2"),
        rec("stderr", "warning\n", "t3"),
        rec("system", "[paperclip] note", "t4"),
        rec("stdout", "tail without newline", "t5"),
      ],
      parser,
    );
    expect(entries).toEqual([
      { kind: "system", ts: "t2", text: "init" },
      { kind: "stdout", ts: "t2", text: "plain line" },
      { kind: "stderr", ts: "t3", text: "warning\n" },
      { kind: "system", ts: "t4", text: "[paperclip] note" },
      { kind: "stdout", ts: "t5", text: "tail without newline" },
    ]);
  });

  it("merges consecutive assistant deltas and drops lines the parser throws on", () => {
    const entries = buildTranscript(
      [rec("stdout", '{"type":"text","text":"Hel"}\n{"type":"boom"}\n{"type":"text","text":"lo"}\n')],
      parser,
    );
    expect(entries).toEqual([{ kind: "assistant", ts: "t", text: "Hello", delta: true }]);
  });
});
