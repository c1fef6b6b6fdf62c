/**
 * Deterministic generator of a realistic `claude -p --output-format stream-json --verbose
 * --include-partial-messages` transcript: per turn a thinking + text + tool_use assistant message (one
 * line per block, like 2.1.x), partial-message stream_event deltas, a tool result (user line whose file
 * content is duplicated in `tool_use_result`, like Read/Bash results), and a final result.
 * Shapes follow the recorded fixtures; all values are invented.
 */

const SESSION = "7c1f3e2a-5b4d-4e6f-8a9b-0c1d2e3f4a5b";

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(n) {
  const hex = n.toString(16).padStart(12, "0");
  return `a0b1c2d3-e4f5-4a6b-8c7d-${hex}`;
}

const CODE_LINES = [
  'import { readFile } from "node:fs/promises";',
  "export async function load(path: string): Promise<Config> {",
  '  const raw = await readFile(path, "utf8"); // UTF-8 — “quoted” é',
  '  if (!raw.trim()) throw new Error("empty config at " + path);',
  '  return JSON.parse(raw) as Config;\t// {"a": [1, 2, 3]}',
  "}",
  "",
  "const table = { alpha: 1, beta: 2, gamma: 3 } satisfies Record<string, number>;",
];

function fileContent(rand, bytes) {
  const parts = [];
  let size = 0;
  let n = 1;
  while (size < bytes) {
    const line = `${String(n).padStart(5, " ")}\t${CODE_LINES[Math.floor(rand() * CODE_LINES.length)]}`;
    parts.push(line);
    size += line.length + 1;
    n++;
  }
  return parts.join("\n");
}

export function* transcriptLines(targetBytes, seed = 42) {
  const rand = prng(seed);
  let id = 0;
  let bytes = 0;
  const emit = (obj) => {
    const line = `${JSON.stringify(obj)}\n`;
    bytes += line.length;
    return line;
  };
  yield emit({
    type: "system",
    subtype: "init",
    cwd: "/workspace",
    session_id: SESSION,
    tools: ["Task", "Bash", "Edit", "Glob", "Grep", "Read", "Write", "WebFetch", "TodoWrite"],
    mcp_servers: [],
    model: "claude-sonnet-4-5",
    permissionMode: "bypassPermissions",
    apiKeySource: "ANTHROPIC_API_KEY",
    claude_code_version: "2.1.330",
    uuid: uuidFrom(id++),
  });
  let turn = 0;
  while (bytes < targetBytes) {
    turn++;
    const msgId = `msg_bench${turn.toString(36)}`;
    const toolId = `toolu_bench${turn.toString(36)}`;
    const text = `Turn ${turn}: I'll read the next file and check the config handling — “carefully”.`;
    const envelope = () => ({ parent_tool_use_id: null, session_id: SESSION, uuid: uuidFrom(id++) });
    const streamEvent = (event) => ({ type: "stream_event", event, ...envelope() });
    yield emit(
      streamEvent({ type: "message_start", message: { id: msgId, model: "claude-sonnet-4-5", content: [] } }),
    );
    for (let i = 0; i < 12; i++) {
      yield emit(
        streamEvent({
          type: "content_block_delta",
          index: 1,
          delta: { type: "text_delta", text: text.slice(i * 7, i * 7 + 7) },
        }),
      );
    }
    const message = (block) => ({
      id: msgId,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [block],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 2500 + turn,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 12000,
        output_tokens: 1,
      },
    });
    yield emit({
      type: "assistant",
      message: message({
        type: "thinking",
        thinking: `Considering step ${turn}. `.repeat(8),
        signature: "c2lnbmF0dXJl".repeat(20),
      }),
      ...envelope(),
    });
    yield emit({ type: "assistant", message: message({ type: "text", text }), ...envelope() });
    const write = rand() < 0.2;
    const content = fileContent(rand, Math.floor(2_000 + rand() * (write ? 8_000 : 60_000)));
    const input = write
      ? { file_path: `/workspace/src/f${turn}.ts`, content }
      : { file_path: `/workspace/src/f${turn}.ts` };
    yield emit({
      type: "assistant",
      message: message({ type: "tool_use", id: toolId, name: write ? "Write" : "Read", input }),
      ...envelope(),
    });
    yield emit({ type: "stream_event", event: { type: "message_stop" }, ...envelope() });
    const resultText = write ? `File created successfully at: /workspace/src/f${turn}.ts` : content;
    yield emit({
      type: "user",
      message: {
        role: "user",
        content: [{ tool_use_id: toolId, type: "tool_result", content: resultText, is_error: false }],
      },
      ...envelope(),
      timestamp: "2026-11-24T03:00:00.000Z",
      tool_use_result: write
        ? { type: "create", filePath: input.file_path, content }
        : {
            type: "text",
            file: {
              filePath: input.file_path,
              content,
              numLines: content.split("\n").length,
              startLine: 1,
              totalLines: 400,
            },
          },
    });
  }
  yield emit({
    type: "result",
    subtype: "success",
    is_error: false,
    duration_ms: 123456,
    duration_api_ms: 100000,
    num_turns: turn,
    result: "Finished reviewing the configuration handling.",
    session_id: SESSION,
    total_cost_usd: 1.2345,
    usage: {
      input_tokens: 1000,
      cache_creation_input_tokens: 10,
      cache_read_input_tokens: 50000,
      output_tokens: 4000,
    },
    modelUsage: {
      "claude-sonnet-4-5": {
        inputTokens: 1000,
        outputTokens: 4000,
        cacheReadInputTokens: 50000,
        cacheCreationInputTokens: 10,
        costUSD: 1.2345,
      },
    },
    uuid: uuidFrom(id++),
  });
}

/** Whole transcript as one Buffer. */
export function transcriptBuffer(targetBytes, seed) {
  const parts = [];
  for (const line of transcriptLines(targetBytes, seed)) parts.push(Buffer.from(line, "utf8"));
  return Buffer.concat(parts);
}

/** The transcript as ~chunkSize Buffers, generated on the fly (constant memory). */
export function* transcriptChunks(targetBytes, chunkSize = 64 * 1024, seed) {
  let pending = [];
  let size = 0;
  for (const line of transcriptLines(targetBytes, seed)) {
    const b = Buffer.from(line, "utf8");
    pending.push(b);
    size += b.length;
    if (size >= chunkSize) {
      const all = Buffer.concat(pending, size);
      for (let i = 0; i + chunkSize <= all.length; i += chunkSize) yield all.subarray(i, i + chunkSize);
      const rest = all.length % chunkSize;
      pending = rest > 0 ? [all.subarray(all.length - rest)] : [];
      size = rest;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}
