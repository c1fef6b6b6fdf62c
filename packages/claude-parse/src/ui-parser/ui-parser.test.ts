import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { assistant, init, result, SESSION, toolResult, uuid } from "../__testdata__/synthetic.js";
import { createStdoutParser, parseStdoutLine, type TranscriptEntry } from "./index.js";

const TS = "2026-11-24T03:00:00.000Z";
const j = (o: unknown) => JSON.stringify(o);

function streamEvent(event: Record<string, unknown>, parent: string | null = null) {
  return j({ type: "stream_event", event, parent_tool_use_id: parent, session_id: SESSION, uuid: uuid() });
}

describe("parseStdoutLine", () => {
  it("maps init, assistant blocks, tool calls, tool results, user text and results", () => {
    expect(parseStdoutLine(j(init()), TS)).toEqual([
      { kind: "init", ts: TS, model: "claude-sonnet-4-5", sessionId: SESSION },
    ]);
    expect(
      parseStdoutLine(j(assistant("m", { type: "thinking", thinking: "hmm", signature: "s" })), TS),
    ).toEqual([{ kind: "thinking", ts: TS, text: "hmm" }]);
    expect(parseStdoutLine(j(assistant("m", { type: "text", text: "hi" })), TS)).toEqual([
      { kind: "assistant", ts: TS, text: "hi" },
    ]);
    expect(
      parseStdoutLine(
        j(assistant("m", { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } })),
        TS,
      ),
    ).toEqual([{ kind: "tool_call", ts: TS, name: "Bash", input: { command: "ls" }, toolUseId: "toolu_1" }]);
    expect(parseStdoutLine(j(toolResult("toolu_1", "out", { is_error: true })), TS)).toEqual([
      { kind: "tool_result", ts: TS, toolUseId: "toolu_1", content: "out", isError: true },
    ]);
    const parts = {
      type: "user",
      message: {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "t2",
            content: [
              { type: "text", text: "a" },
              { type: "image", source: {} },
            ],
          },
          { type: "text", text: "note" },
        ],
      },
    };
    expect(parseStdoutLine(j(parts), TS)).toEqual([
      { kind: "tool_result", ts: TS, toolUseId: "t2", content: "a\n[image]", isError: false },
      { kind: "user", ts: TS, text: "note" },
    ]);
    expect(parseStdoutLine(j({ type: "user", message: { role: "user", content: "plain" } }), TS)).toEqual([
      { kind: "user", ts: TS, text: "plain" },
    ]);
    expect(parseStdoutLine(j(result()), TS)).toEqual([
      {
        kind: "result",
        ts: TS,
        text: "All done.",
        inputTokens: 19,
        outputTokens: 30,
        cachedTokens: 200,
        costUsd: 0.0123,
        subtype: "success",
        isError: false,
        errors: [],
      },
    ]);
  });

  it("reports error results with their errors", () => {
    const [entry] = parseStdoutLine(
      j(result({ subtype: "error_max_turns", is_error: true, result: undefined, errors: ["Reached max"] })),
      TS,
    );
    expect(entry).toMatchObject({
      kind: "result",
      isError: true,
      subtype: "error_max_turns",
      errors: ["Reached max"],
    });
  });

  it("turns non-JSON and unknown types into stdout, system events into system entries, and skips blanks", () => {
    expect(parseStdoutLine("npm warn x", TS)).toEqual([{ kind: "stdout", ts: TS, text: "npm warn x" }]);
    expect(parseStdoutLine('{"type":"assistant",', TS)).toEqual([
      { kind: "stdout", ts: TS, text: '{"type":"assistant",' },
    ]);
    expect(parseStdoutLine(j({ type: "brand_new" }), TS)[0]?.kind).toBe("stdout");
    expect(parseStdoutLine("   ", TS)).toEqual([]);
    const retry = j({
      type: "system",
      subtype: "api_retry",
      attempt: 2,
      max_retries: 3,
      retry_delay_ms: 1500,
      error_status: 529,
      error: "overloaded",
    });
    expect(parseStdoutLine(retry, TS)).toEqual([
      { kind: "system", ts: TS, text: "API request failed status 529 (overloaded); retry 2/3 in 1.5s" },
    ]);
    expect(parseStdoutLine(j({ type: "system", subtype: "status", status: "requesting" }), TS)).toEqual([]);
    expect(
      parseStdoutLine(j({ type: "system", subtype: "thinking_tokens", estimated_tokens: 9 }), TS),
    ).toEqual([]);
    expect(
      parseStdoutLine(j({ type: "system", subtype: "task_started", description: "Explore repo" }), TS),
    ).toEqual([{ kind: "system", ts: TS, text: "task_started: Explore repo" }]);
    expect(
      parseStdoutLine(j({ type: "rate_limit_event", rate_limit_info: { status: "allowed" } }), TS),
    ).toEqual([]);
    expect(parseStdoutLine(`2026-11-24T03:00:00Z ${j(init())}`, TS)[0]?.kind).toBe("init");
  });

  it("covers redacted thinking, server tools, compaction and rejected rate limits", () => {
    expect(parseStdoutLine(j(assistant("m", { type: "redacted_thinking", data: "xyz" })), TS)).toEqual([
      { kind: "thinking", ts: TS, text: "[redacted thinking]" },
    ]);
    expect(
      parseStdoutLine(
        j(
          assistant("m", {
            type: "server_tool_use",
            id: "srvtoolu_1",
            name: "web_search",
            input: { query: "q" },
          }),
        ),
        TS,
      ),
    ).toEqual([
      { kind: "tool_call", ts: TS, name: "web_search", input: { query: "q" }, toolUseId: "srvtoolu_1" },
    ]);
    expect(
      parseStdoutLine(
        j({
          type: "system",
          subtype: "compact_boundary",
          compact_metadata: { trigger: "manual", pre_tokens: 1234 },
        }),
        TS,
      ),
    ).toEqual([{ kind: "system", ts: TS, text: "conversation compacted (manual, 1234 tokens before)" }]);
    expect(
      parseStdoutLine(
        j({
          type: "rate_limit_event",
          rate_limit_info: { status: "rejected", resetsAt: Date.UTC(2026, 10, 24, 18) / 1000 },
        }),
        TS,
      ),
    ).toEqual([{ kind: "system", ts: TS, text: "rate limit rejected, resets 2026-11-24T18:00:00.000Z" }]);
    // a bogus reset time does not break the line
    expect(
      parseStdoutLine(
        j({ type: "rate_limit_event", rate_limit_info: { status: "rejected", resetsAt: 1e300 } }),
        TS,
      )[0]?.kind,
    ).toBe("stdout");
  });

  it("ignores stream_event deltas when stateless (the assistant line carries the text)", () => {
    expect(
      parseStdoutLine(
        streamEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "x" } }),
        TS,
      ),
    ).toEqual([]);
  });
});

describe("createStdoutParser", () => {
  it("emits deltas for partial messages and does not repeat the streamed text, but keeps tool calls", () => {
    const p = createStdoutParser();
    const lines = [
      streamEvent({ type: "message_start", message: { id: "msg_9", content: [] } }),
      streamEvent({
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "" },
      }),
      streamEvent({
        type: "content_block_delta",
        index: 0,
        delta: { type: "thinking_delta", thinking: "Plan" },
      }),
      j(assistant("msg_9", { type: "thinking", thinking: "Plan", signature: "s" })),
      streamEvent({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hel" } }),
      streamEvent({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "lo" } }),
      j(assistant("msg_9", { type: "text", text: "Hello" })),
      streamEvent({
        type: "content_block_delta",
        index: 2,
        delta: { type: "input_json_delta", partial_json: "" },
      }),
      j(assistant("msg_9", { type: "tool_use", id: "toolu_7", name: "Read", input: { file_path: "/a" } })),
      j(toolResult("toolu_7", "content")),
    ];
    const entries: TranscriptEntry[] = lines.flatMap((l) => p.parseLine(l, TS));
    expect(entries).toEqual([
      { kind: "thinking", ts: TS, text: "Plan", delta: true, itemId: "msg_9:0" },
      { kind: "assistant", ts: TS, text: "Hel", delta: true, itemId: "msg_9:1" },
      { kind: "assistant", ts: TS, text: "lo", delta: true, itemId: "msg_9:1" },
      { kind: "tool_call", ts: TS, name: "Read", input: { file_path: "/a" }, toolUseId: "toolu_7" },
      {
        kind: "tool_result",
        ts: TS,
        toolUseId: "toolu_7",
        toolName: "Read",
        content: "content",
        isError: false,
      },
    ]);
    p.reset();
    expect(p.parseLine(j(assistant("msg_9", { type: "text", text: "Hello" })), TS)).toEqual([
      { kind: "assistant", ts: TS, text: "Hello" },
    ]);
  });
});

describe("ui-parser bundle", () => {
  it("builds to a self-contained CommonJS file under 50 KB that runs in Paperclip's worker wrapper", async () => {
    const entry = fileURLToPath(new URL("./index.ts", import.meta.url));
    // Same options as the tsup entry for dist/ui-parser.cjs.
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "es2020",
      write: false,
      logLevel: "silent",
    });
    const code = out.outputFiles[0]?.text ?? "";
    expect(code.length).toBeGreaterThan(1000);
    expect(Buffer.byteLength(code)).toBeLessThan(50 * 1024);
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).not.toMatch(/^\s*import[\s{*]/m);
    expect(code).not.toMatch(/^\s*export\s/m);
    const module = { exports: {} as Record<string, unknown> };
    // Paperclip's UI worker: new Function("exports","module","self","globalThis", "\"use strict\";{" + src + "}")
    const run = new Function("exports", "module", "self", "globalThis", `"use strict";{${code}}`);
    run(module.exports, module, {}, {});
    const api = module.exports as {
      parseStdoutLine: typeof parseStdoutLine;
      createStdoutParser: typeof createStdoutParser;
    };
    expect(typeof api.parseStdoutLine).toBe("function");
    expect(api.parseStdoutLine(j(init()), TS)).toEqual(parseStdoutLine(j(init()), TS));
    expect(api.createStdoutParser().parseLine(j(result()), TS)).toEqual(parseStdoutLine(j(result()), TS));
  });
});
