import { describe, expect, it } from "vitest";
import { project } from "./__testdata__/project.js";
import {
  assistant,
  init,
  line,
  result,
  successWithTools,
  toolResult,
  uuid,
} from "./__testdata__/synthetic.js";
import { createStreamParser, type ParsedLine, type StreamParserOptions } from "./stream-parser.js";

const enc = new TextEncoder();

function parseAll(
  input: string | Uint8Array,
  chunkSize = Number.POSITIVE_INFINITY,
  options?: StreamParserOptions,
) {
  const bytes = typeof input === "string" ? enc.encode(input) : input;
  const parser = createStreamParser(options);
  const out: ParsedLine[] = [];
  const step = Math.min(chunkSize, Math.max(1, bytes.length));
  for (let i = 0; i < bytes.length; i += step) out.push(...parser.push(bytes.subarray(i, i + step)));
  out.push(...parser.end());
  return out;
}

describe("createStreamParser", () => {
  it("parses a whole stream into typed events", () => {
    const lines = parseAll(successWithTools());
    expect(lines.map((l) => (l.kind === "event" ? l.event.kind : l.kind))).toEqual([
      "init",
      "rate_limit",
      "assistant",
      "assistant",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "result",
    ]);
    const last = lines.at(-1);
    if (last?.kind !== "event" || last.event.kind !== "result") throw new Error("expected a result");
    expect(last.event.data.total_cost_usd).toBe(0.0123);
  });

  it("gives identical results for 1-byte chunks (split UTF-8 sequences) and whole input", () => {
    const input = successWithTools();
    expect(project(parseAll(input, 1))).toEqual(project(parseAll(input)));
    expect(project(parseAll(input, 7))).toEqual(project(parseAll(input)));
  });

  it("keeps a multi-byte character split across chunks intact", () => {
    const bytes = enc.encode(line(assistant("m", { type: "text", text: "€😀" })));
    const cut = bytes.indexOf(0xe2) + 1; // inside the euro sign
    const parser = createStreamParser();
    const out = [
      ...parser.push(bytes.subarray(0, cut)),
      ...parser.push(bytes.subarray(cut)),
      ...parser.end(),
    ];
    expect(out).toHaveLength(1);
    expect(out[0]?.kind === "event" && out[0].text.includes("€😀")).toBe(true);
  });

  it("strips one CR and does not split on U+2028 / lone CR", () => {
    const obj = assistant("m", { type: "text", text: "a\u2028b\u2029c" });
    const raw = `${JSON.stringify(obj)}\r\n`;
    const out = parseAll(raw);
    expect(out).toHaveLength(1);
    const first = out[0];
    expect(first?.kind).toBe("event");
    if (first?.kind === "event") expect(first.text.endsWith("}")).toBe(true);
    expect(parseAll("noise\rmore\n")).toEqual([{ kind: "raw", text: "noise\rmore" }]);
  });

  it("accepts a leading BOM or indentation before the object", () => {
    const out = parseAll(`\uFEFF${line(init())}  ${line(result())}`);
    expect(out.map((l) => (l.kind === "event" ? l.event.kind : l.kind))).toEqual(["init", "result"]);
  });

  it("passes non-JSON, broken JSON, non-event JSON and unknown types through", () => {
    const out = parseAll(
      `${[
        "npm warn deprecated something",
        '{"type":"assistant","message":',
        "42",
        '{"no_type":true}',
        '{"type":"future_event","uuid":"u-1","payload":1}',
        "",
        "   ",
      ].join("\n")}\n`,
    );
    expect(project(out)).toEqual([
      { kind: "raw", text: "npm warn deprecated something" },
      { kind: "raw", text: '{"type":"assistant","message":' },
      { kind: "raw", text: "42" },
      { kind: "raw", text: '{"no_type":true}' },
      {
        kind: "event",
        type: "future_event",
        ev: "unknown",
        uuid: "u-1",
        prefix: undefined,
        text: '{"type":"future_event","uuid":"u-1","payload":1}',
      },
    ]);
  });

  it("strips kubectl timestamp and pod prefixes only when the rest is an event", () => {
    const ev = JSON.stringify(init());
    const out = parseAll(
      `2026-11-24T03:00:00.123456789Z ${ev}\n[pod/agent-x/claude] ${ev.replace(/"uuid":"[^"]+"/, '"uuid":"other"')}\n` +
        `[paperclip] resuming {not json}\n`,
    );
    expect(out.map((l) => l.kind)).toEqual(["event", "event", "raw"]);
    expect(out[0]?.kind === "event" && out[0].prefix).toBe("2026-11-24T03:00:00.123456789Z ");
    expect(out[1]?.kind === "event" && out[1].prefix).toBe("[pod/agent-x/claude] ");
    expect(parseAll(`ts ${ev}\n`, Number.POSITIVE_INFINITY, { stripPrefixes: false })[0]?.kind).toBe("raw");
  });

  it("hands a repeated line on as a second event (no dedupe: the log cursor delivers each line once)", () => {
    const a = line(init());
    const b = line(result());
    const out = parseAll(a + b + a + b);
    expect(out.map((l) => l.kind)).toEqual(["event", "event", "event", "event"]);
    expect(project(out.slice(2))).toEqual(project(out.slice(0, 2)));
  });

  it("accepts a 300 KB line and skips+reports lines over the cap without buffering them", () => {
    const big = line(assistant("m", { type: "text", text: "x".repeat(300 * 1024) }));
    expect(parseAll(big, 4096)[0]?.kind).toBe("event");
    const small = line(init());
    const out = parseAll(big + small, 4096, { maxLineBytes: 100 * 1024 });
    expect(out[0]).toEqual({ kind: "oversize", bytes: big.length - 1 });
    expect(out[1]?.kind).toBe("event");
    // a trailing oversize line without LF is reported at end()
    expect(parseAll(big.trimEnd(), 1000, { maxLineBytes: 1000 })).toEqual([
      { kind: "oversize", bytes: big.length - 1 },
    ]);
  });

  it("reports a trailing partial line as truncated instead of parsing it", () => {
    const complete = line(init());
    const partial = JSON.stringify(result()).slice(0, 60);
    const out = parseAll(complete + partial);
    expect(out.map((l) => l.kind)).toEqual(["event", "truncated"]);
    expect(out[1]).toEqual({ kind: "truncated", bytes: 60, preview: partial });
    // even a complete object without its LF is a truncated record
    expect(parseAll(JSON.stringify(result())).map((l) => l.kind)).toEqual(["truncated"]);
  });

  it("explodes a JSON array of events (--output-format json --verbose) and leaves other arrays raw", () => {
    const arr = JSON.stringify([init(), result()]);
    expect(parseAll(`${arr}\n`).map((l) => (l.kind === "event" ? l.event.kind : l.kind))).toEqual([
      "init",
      "result",
    ]);
    expect(parseAll("[1,2]\n")).toEqual([{ kind: "raw", text: "[1,2]" }]);
    expect(parseAll(`${arr}\n`, Number.POSITIVE_INFINITY, { explodeArrays: false })[0]?.kind).toBe("raw");
  });

  it("accepts string chunks and mixed string / byte chunks", () => {
    const parser = createStreamParser();
    const text = line(init());
    const out = [
      ...parser.push(text.slice(0, 10)),
      ...parser.push(enc.encode(text.slice(10))),
      ...parser.end(),
    ];
    expect(out.map((l) => l.kind)).toEqual(["event"]);
    expect(parser.push(`${JSON.stringify({ type: "x", uuid: uuid() })}\n`)[0]?.kind).toBe("event");
  });

  it("classifies system subtypes", () => {
    const out = parseAll(
      line({ type: "system", subtype: "api_retry", attempt: 1, uuid: uuid() }) +
        line({ type: "system", subtype: "status", status: "requesting", uuid: uuid() }),
    );
    expect(out.map((l) => (l.kind === "event" ? l.event.kind : l.kind))).toEqual(["api_retry", "system"]);
  });

  describe("deferred decoding of user / stream_event lines", () => {
    it("defers decoding but yields the same event, text and uuid as eager parsing", () => {
      const input = `${line(toolResult("toolu_1", "out € ok"))}${JSON.stringify(toolResult("toolu_2", "x"))}\r\n`;
      const lazy = parseAll(input);
      const eager = parseAll(input, Number.POSITIVE_INFINITY, { deferTypes: [] });
      expect(lazy.map((l) => l.constructor.name)).toEqual(["DeferredEventLine", "DeferredEventLine"]);
      expect(eager.map((l) => l.constructor.name)).toEqual(["ParsedEventLine", "ParsedEventLine"]);
      expect(project(lazy)).toEqual(project(eager));
      expect(lazy.map((l) => (l.kind === "event" ? l.event.data : null))).toEqual(
        eager.map((l) => (l.kind === "event" ? l.event.data : null)),
      );
    });

    it("hands a repeated deferred line on as a second event", () => {
      const a = line(toolResult("toolu_1", "out"));
      expect(parseAll(a + a).map((l) => (l.kind === "event" ? l.type : l.kind))).toEqual(["user", "user"]);
    });

    it("reports a deferred line whose JSON is invalid as a malformed event, never throwing", () => {
      const out = parseAll('{"type":"user","message":{"content":tru},"uuid":"x"}\n');
      expect(out).toHaveLength(1);
      const first = out[0];
      if (first?.kind !== "event") throw new Error("expected an event line");
      expect(first.type).toBe("user");
      expect(first.event.kind).toBe("malformed");
    });

    it("falls back to full parsing when the layout does not match (no closing brace, prefix, other key order)", () => {
      expect(parseAll('{"type":"user","message":{"content":"x"\n')[0]?.kind).toBe("raw");
      const reordered = `${JSON.stringify({ message: { content: "x" }, type: "user", uuid: uuid() })}\n`;
      expect(parseAll(reordered)[0]?.constructor.name).toBe("ParsedEventLine");
    });
  });
});

describe("stream parser with reused chunk memory", () => {
  it("copies the bytes of an unfinished line, so the caller may overwrite a chunk after push() returns", () => {
    const lines = [
      JSON.stringify({
        type: "user",
        session_id: "s",
        uuid: "u-1",
        message: { content: "a".repeat(10_000) },
      }),
      JSON.stringify({ type: "assistant", session_id: "s", uuid: "u-2", message: { id: "m", content: [] } }),
      "plain text",
    ];
    const bytes = Buffer.from(`${lines.join("\n")}\n`);
    for (const [size, transientLines] of [1, 7, 3000, 5000, 9000, 64 * 1024].flatMap((n) => [
      [n, false] as const,
      [n, true] as const,
    ])) {
      const parser = createStreamParser({ transientLines });
      const scratch = Buffer.alloc(size); // one buffer, reused for every read like an fs.read loop
      const texts: string[] = [];
      for (let i = 0; i < bytes.length; i += size) {
        const n = bytes.copy(scratch, 0, i, Math.min(bytes.length, i + size));
        for (const line of parser.push(scratch.subarray(0, n))) {
          texts.push(line.kind === "event" || line.kind === "raw" ? line.text : line.kind);
        }
        scratch.fill(0x21); // the next read overwrites the chunk
      }
      expect(parser.end()).toEqual([]);
      expect(texts).toEqual(lines);
    }
  });
});
