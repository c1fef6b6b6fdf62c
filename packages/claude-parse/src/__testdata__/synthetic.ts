/**
 * Hand-written synthetic stream-json inputs (invented ids and values, shaped after the documented CLI
 * output). These are edge-case test data, not recordings — real recordings live in ../../fixtures.
 */

export const SESSION = "5d0c7a52-8f1e-4b7a-9c3d-2e6f1a0b9c41";
let counter = 0;
/** Deterministic fake uuids. */
export function uuid(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`;
}

export function line(obj: Record<string, unknown>): string {
  return `${JSON.stringify(obj)}\n`;
}

export function init(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "system",
    subtype: "init",
    cwd: "/work",
    session_id: SESSION,
    tools: ["Bash", "Read", "Edit"],
    mcp_servers: [],
    model: "claude-sonnet-4-5",
    permissionMode: "bypassPermissions",
    apiKeySource: "ANTHROPIC_API_KEY",
    claude_code_version: "2.1.330",
    uuid: uuid(),
    ...extra,
  };
}

export function assistant(
  messageId: string,
  block: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "assistant",
    message: {
      id: messageId,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [block],
      stop_reason: null,
      usage: { input_tokens: 3, output_tokens: 1 },
    },
    parent_tool_use_id: null,
    session_id: SESSION,
    uuid: uuid(),
    ...extra,
  };
}

export function toolResult(toolUseId: string, content: string, extra: Record<string, unknown> = {}) {
  return {
    type: "user",
    message: { role: "user", content: [{ tool_use_id: toolUseId, type: "tool_result", content, ...extra }] },
    parent_tool_use_id: null,
    session_id: SESSION,
    uuid: uuid(),
    tool_use_result: { stdout: content, stderr: "", interrupted: false },
  };
}

export function result(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "result",
    subtype: "success",
    is_error: false,
    duration_ms: 2100,
    duration_api_ms: 1900,
    num_turns: 2,
    result: "All done.",
    session_id: SESSION,
    total_cost_usd: 0.0123,
    usage: {
      input_tokens: 10,
      cache_creation_input_tokens: 5,
      cache_read_input_tokens: 100,
      output_tokens: 20,
    },
    modelUsage: {
      "claude-sonnet-4-5": {
        inputTokens: 12,
        outputTokens: 30,
        cacheReadInputTokens: 200,
        cacheCreationInputTokens: 7,
        costUSD: 0.0123,
      },
    },
    permission_denials: [],
    uuid: uuid(),
    ...extra,
  };
}

/** A successful run with thinking + text + tool_use sharing one message id, a Bash and an Edit result. */
export function successWithTools(): string {
  return [
    init(),
    { type: "rate_limit_event", rate_limit_info: { status: "allowed", resetsAt: 1893456000 }, uuid: uuid() },
    assistant("msg_01", { type: "thinking", thinking: "Let me look.", signature: "sig" }),
    assistant("msg_01", { type: "text", text: "I'll run ls — “quoted” €." }),
    assistant("msg_01", { type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "ls" } }),
    toolResult("toolu_01", "a.txt\nb.txt", { is_error: false }),
    assistant("msg_02", {
      type: "tool_use",
      id: "toolu_02",
      name: "Edit",
      input: { file_path: "/a", old: "x" },
    }),
    toolResult("toolu_02", "edited"),
    assistant("msg_03", { type: "text", text: "All done." }),
    result(),
  ]
    .map(line)
    .join("");
}

/** Overloaded API: three api_retry lines, a synthetic assistant, a success+is_error result. */
export function overloaded(): string {
  const text = 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
  return [
    init(),
    ...[1, 2, 3].map((attempt) => ({
      type: "system",
      subtype: "api_retry",
      attempt,
      max_retries: 3,
      retry_delay_ms: 512.37,
      error_status: null,
      error: "unknown",
      session_id: SESSION,
      uuid: uuid(),
    })),
    {
      ...assistant("1b9c8e6a-0000-4000-8000-000000000001", { type: "text", text }),
      error: "unknown",
    },
    result({
      is_error: true,
      result: text,
      stop_reason: "stop_sequence",
      terminal_reason: "api_error",
      api_error_status: 529,
      total_cost_usd: 0,
      modelUsage: {},
      num_turns: 1,
    }),
  ]
    .map(line)
    .join("");
}

/** A user text message as the CLI writes its own notes (`[Request interrupted by user]`, replays). */
export function userText(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "user",
    message: { role: "user", content: [{ type: "text", text }] },
    parent_tool_use_id: null,
    session_id: SESSION,
    uuid: uuid(),
    ...extra,
  };
}

/**
 * A run interrupted the ways the CLI reports it (reference §3.2/§3.3, 2.1.330 on SIGINT): `streaming` — the
 * partial assistant message with `aborted: true`, then the marker message; `tool` — a tool result and the
 * `… for tool use]` marker. No result line (SIGINT exits 0 without one).
 */
export function interruptedRun(how: "streaming" | "tool"): string {
  const events: Record<string, unknown>[] = [
    init(),
    assistant("msg_i1", { type: "text", text: "Working on it." }),
    assistant("msg_i1", { type: "tool_use", id: "toolu_i1", name: "Bash", input: { command: "sleep 60" } }),
  ];
  if (how === "streaming") {
    events.push(
      toolResult("toolu_i1", "done"),
      assistant("msg_i2", { type: "text", text: "Half a sent" }, { aborted: true }),
      userText("[Request interrupted by user]"),
    );
  } else {
    events.push(
      toolResult("toolu_i1", "Error: interrupted", { is_error: true }),
      userText("[Request interrupted by user for tool use]"),
    );
  }
  return events.map(line).join("");
}

/** A "prompt is too long" API-error run; `resultExtra` sets `num_turns`, cost and `modelUsage`. */
export function promptTooLong(resultExtra: Record<string, unknown>): string {
  const text = "Prompt is too long";
  return [
    init(),
    { ...assistant(uuid(), { type: "text", text }, { error: "invalid_request" }), api_error_status: 400 },
    result({
      is_error: true,
      result: text,
      stop_reason: "stop_sequence",
      terminal_reason: "prompt_too_long",
      api_error_status: 400,
      ...resultExtra,
    }),
  ]
    .map(line)
    .join("");
}
