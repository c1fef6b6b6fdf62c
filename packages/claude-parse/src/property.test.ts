import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { project } from "./__testdata__/project.js";
import {
  assistant,
  init,
  line,
  overloaded,
  result,
  successWithTools,
  toolResult,
} from "./__testdata__/synthetic.js";
import { classifyRun } from "./classify.js";
import { formatStreamLine } from "./format.js";
import { createStreamParser, type ParsedLine } from "./stream-parser.js";
import { createRunAccumulator } from "./summary.js";
import { createStdoutParser, parseStdoutLine } from "./ui-parser/index.js";

const enc = new TextEncoder();

/** Splits `bytes` at the given cut points (sorted, deduplicated, within range). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function run(chunks: Uint8Array[], options?: Parameters<typeof createStreamParser>[0]) {
  const parser = createStreamParser(options);
  const acc = createRunAccumulator();
  const lines: ParsedLine[] = [];
  for (const c of chunks) {
    const got = parser.push(c);
    acc.push(got);
    lines.push(...got);
  }
  const tail = parser.end();
  acc.push(tail);
  lines.push(...tail);
  return { lines: project(lines), summary: acc.summary() };
}

/**
 * Like `run`, the way `summarizeFile` reads: every chunk is copied into one reused scratch buffer that is
 * overwritten after each push, with `transientLines`, and each push's lines are read before the next one.
 */
function runReusingMemory(chunks: Uint8Array[]) {
  const parser = createStreamParser({ transientLines: true });
  const acc = createRunAccumulator();
  const scratch = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  const lines: ReturnType<typeof project> = [];
  for (const c of chunks) {
    scratch.set(c);
    const got = parser.push(scratch.subarray(0, c.length));
    acc.push(got);
    lines.push(...project(got));
    scratch.fill(0x7b);
  }
  const tail = parser.end();
  acc.push(tail);
  lines.push(...project(tail));
  return { lines, summary: acc.summary() };
}

/** Generators for every kind of line the parser must cope with. */
const lineArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    line(init()),
    line(assistant("msg_a", { type: "text", text: "héllo — 😀 \u2028 done" })),
    line(assistant("msg_a", { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } })),
    line(toolResult("t1", "€ output")),
    line(result()),
    line(result({ result_index: 0 })),
    line(
      result({ subtype: "error_max_turns", is_error: true, errors: ["Reached maximum number of turns (2)"] }),
    ),
    `${JSON.stringify(init()).slice(0, -1)},"x":1}\r\n`,
    `2026-11-24T03:00:00.000000001Z ${line(result({ result: "prefixed" }))}`,
    "npm warn config x\n",
    "\n",
    "  \r\n",
    '{"type":"assistant","message":{\n',
    "[1,2,3]\n",
    `${JSON.stringify([init(), result()])}\n`,
    '{"type":"mystery","uuid":"dup-1"}\n',
  ),
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => `${s}\n`),
  fc.integer({ min: 1000, max: 20000 }).map((n) => line(toolResult("t2", "z".repeat(n)))),
);

const streamArb = fc.array(lineArb, { maxLength: 25 }).chain((lines) => {
  const bytes = enc.encode(lines.join(""));
  return fc.tuple(fc.constant(bytes), fc.array(fc.nat({ max: bytes.length + 1 }), { maxLength: 40 }));
});

describe("property: chunking never changes the result", () => {
  it("random streams in random chunks parse and summarise exactly like the whole stream", () => {
    fc.assert(
      fc.property(streamArb, ([bytes, cuts]) => {
        const whole = run([bytes]);
        const pieces = run(chunk(bytes, cuts));
        expect(pieces.lines).toEqual(whole.lines);
        expect(pieces.summary).toEqual(whole.summary);
      }),
      { numRuns: 1000 },
    );
  });

  it("holds when the caller reuses its chunk memory and the parser its own (transientLines)", () => {
    fc.assert(
      fc.property(streamArb, ([bytes, cuts]) => {
        const whole = run([bytes]);
        const pieces = runReusingMemory(chunk(bytes, cuts));
        expect(pieces.lines).toEqual(whole.lines);
        expect(pieces.summary).toEqual(whole.summary);
      }),
      { numRuns: 500 },
    );
  });

  it("holds with a small line cap (oversize skipping across chunks)", () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 3000 }), ([bytes, cuts], cap) => {
        expect(run(chunk(bytes, cuts), { maxLineBytes: cap }).lines).toEqual(
          run([bytes], { maxLineBytes: cap }).lines,
        );
      }),
      { numRuns: 200 },
    );
  });
});

/** Exercises every consumer of a stream; must never throw. */
function consumeEverything(chunks: Uint8Array[]): void {
  const { summary } = run(chunks);
  for (const exitCode of [0, 1, 137, null]) {
    classifyRun({ summary, exitCode, signal: exitCode === null ? "SIGKILL" : null, stderr: "x" });
  }
  const ui = createStdoutParser();
  for (const text of new TextDecoder().decode(Buffer.concat(chunks)).split("\n")) {
    parseStdoutLine(text, "t");
    ui.parseLine(text, "t");
    formatStreamLine(text, { color: true, debug: true });
  }
}

describe("property: damaged input never throws", () => {
  const base = enc.encode(successWithTools() + overloaded());

  it("random byte mutations, deletions, insertions and truncation", () => {
    const edit = fc.oneof(
      fc.record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant("del" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ op: fc.constant("ins" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 20 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(edit, { maxLength: 20 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 20 }),
        (edits, cut, cuts) => {
          let bytes: Uint8Array = base;
          for (const e of edits) {
            const at = e.at % (bytes.length + 1);
            if (e.op === "set" && at < bytes.length) {
              bytes = Uint8Array.from(bytes);
              bytes[at] = e.byte;
            } else if (e.op === "del")
              bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.len)]);
            else if (e.op === "ins")
              bytes = Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)]);
          }
          bytes = bytes.subarray(0, cut % (bytes.length + 1));
          consumeEverything(chunk(bytes, cuts));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("events with arbitrarily drifted field types", () => {
    const keys = [
      "subtype",
      "session_id",
      "uuid",
      "message",
      "result",
      "is_error",
      "errors",
      "num_turns",
      "usage",
      "modelUsage",
      "model_usage_since_last_result",
      "total_cost_usd",
      "result_index",
      "stop_reason",
      "terminal_reason",
      "api_error_status",
      "error",
      "parent_tool_use_id",
      "rate_limit_info",
      "event",
      "model",
      "claude_code_version",
      "attempt",
      "error_status",
    ];
    const eventArb = fc
      .tuple(
        fc.constantFrom("system", "assistant", "user", "result", "stream_event", "rate_limit_event", "other"),
        fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 4 })),
        fc.option(fc.constantFrom("init", "api_retry", "status", "success", "error_max_turns"), {
          nil: undefined,
        }),
      )
      .map(
        ([type, fields, subtype]) =>
          `${JSON.stringify({ ...fields, type, ...(subtype ? { subtype } : {}) })}\n`,
      );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 15 }), (lines) => {
        consumeEverything([enc.encode(lines.join(""))]);
      }),
      { numRuns: 400 },
    );
  });
});
