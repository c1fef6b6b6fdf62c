/**
 * Paperclip UI transcript parser (adapter UI parser contract 1) for Claude Code stream-json lines.
 *
 * Built to `dist/ui-parser.cjs`: a self-contained CommonJS file with no imports, evaluated by
 * Paperclip's sandboxed UI worker. Keep this module free of imports other than types.
 */

export type TranscriptEntry =
  | { kind: "init"; ts: string; model: string; sessionId: string }
  | { kind: "assistant"; ts: string; text: string; delta?: boolean; itemId?: string }
  | { kind: "thinking"; ts: string; text: string; delta?: boolean; itemId?: string }
  | { kind: "user"; ts: string; text: string }
  | { kind: "tool_call"; ts: string; name: string; input: unknown; toolUseId?: string }
  | {
      kind: "tool_result";
      ts: string;
      toolUseId: string;
      toolName?: string;
      content: string;
      isError: boolean;
    }
  | {
      kind: "result";
      ts: string;
      text: string;
      inputTokens: number;
      outputTokens: number;
      cachedTokens: number;
      costUsd: number;
      subtype: string;
      isError: boolean;
      errors: string[];
    }
  | { kind: "stdout"; ts: string; text: string }
  | { kind: "stderr"; ts: string; text: string }
  | { kind: "system"; ts: string; text: string };

export interface StdoutParser {
  parseLine(line: string, ts: string): TranscriptEntry[];
  reset(): void;
}

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Rec) : undefined;
}
function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Parses a line (optionally behind a log prefix) into an event object with a string `type`. */
function parseEvent(line: string): Rec | undefined {
  const text = line.trim();
  const brace = text.indexOf("{");
  if (brace < 0) return undefined;
  try {
    const value = rec(JSON.parse(brace === 0 ? text : text.slice(brace)));
    return value !== undefined && typeof value.type === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function toolResultContent(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => {
      const p = rec(part);
      if (p === undefined) return "";
      if (p.type === "text") return str(p.text);
      return `[${str(p.type) || "content"}]`;
    })
    .filter((s) => s !== "")
    .join("\n");
}

function errorList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((e) => (typeof e === "string" ? e : str(rec(e)?.message) || str(rec(e)?.error)))
    .filter((e) => e !== "");
}

function sumModelUsage(map: unknown): { input: number; output: number; cached: number } | undefined {
  const m = rec(map);
  if (m === undefined || Object.keys(m).length === 0) return undefined;
  const total = { input: 0, output: 0, cached: 0 };
  for (const entry of Object.values(m)) {
    const e = rec(entry);
    if (e === undefined) continue;
    total.input += num(e.inputTokens) + num(e.cacheCreationInputTokens);
    total.output += num(e.outputTokens);
    total.cached += num(e.cacheReadInputTokens);
  }
  return total;
}

function resultEntry(ev: Rec, ts: string): TranscriptEntry {
  const usage = rec(ev.usage);
  const totals = sumModelUsage(ev.model_usage_since_last_result) ??
    sumModelUsage(ev.modelUsage) ?? {
      input: num(usage?.input_tokens) + num(usage?.cache_creation_input_tokens),
      output: num(usage?.output_tokens),
      cached: num(usage?.cache_read_input_tokens),
    };
  return {
    kind: "result",
    ts,
    text: str(ev.result),
    inputTokens: totals.input,
    outputTokens: totals.output,
    cachedTokens: totals.cached,
    costUsd: num(ev.total_cost_usd),
    subtype: str(ev.subtype),
    isError: ev.is_error === true,
    errors: errorList(ev.errors),
  };
}

/** Progress bookkeeping that would only clutter a transcript (and split runs of merged delta entries). */
const QUIET_SYSTEM_SUBTYPES = new Set([
  "thinking_tokens",
  "session_state_changed",
  "hook_started",
  "hook_progress",
  "task_progress",
  "background_tasks_changed",
  "commands_changed",
  "files_persisted",
]);

function systemEntry(ev: Rec, ts: string): TranscriptEntry[] {
  const subtype = str(ev.subtype);
  if (QUIET_SYSTEM_SUBTYPES.has(subtype)) return [];
  switch (subtype) {
    case "init":
      return [{ kind: "init", ts, model: str(ev.model), sessionId: str(ev.session_id) }];
    case "api_retry": {
      const status = typeof ev.error_status === "number" ? ` status ${ev.error_status}` : "";
      const error = str(ev.error) ? ` (${str(ev.error)})` : "";
      const delay = num(ev.retry_delay_ms);
      return [
        {
          kind: "system",
          ts,
          text: `API request failed${status}${error}; retry ${num(ev.attempt)}/${num(ev.max_retries)} in ${(delay / 1000).toFixed(1)}s`,
        },
      ];
    }
    case "status":
      return typeof ev.status === "string" && ev.status !== "requesting"
        ? [{ kind: "system", ts, text: `status: ${ev.status}` }]
        : [];
    case "compact_boundary": {
      const meta = rec(ev.compact_metadata);
      return [
        {
          kind: "system",
          ts,
          text: `conversation compacted (${str(meta?.trigger) || "auto"}, ${num(meta?.pre_tokens)} tokens before)`,
        },
      ];
    }
    default: {
      const detail = str(ev.description) || str(ev.summary) || str(ev.message);
      return [{ kind: "system", ts, text: detail ? `${subtype}: ${detail}` : subtype || "system" }];
    }
  }
}

const MAX_TRACKED = 5000;

/** Adds to a Set/Map-like collection, evicting the oldest entry beyond MAX_TRACKED. */
function track<K>(keys: { size: number; keys(): IterableIterator<K>; delete(key: K): boolean }): void {
  if (keys.size > MAX_TRACKED) {
    const oldest = keys.keys().next();
    if (!oldest.done) keys.delete(oldest.value);
  }
}

interface ParserState {
  toolNames: Map<string, string>;
  /** Message ids whose text/thinking arrived as deltas (their full assistant lines are not repeated). */
  streamed: Set<string>;
  /** Current streamed message id per thread (parent_tool_use_id or ""). */
  current: Map<string, string>;
}

function assistantEntries(ev: Rec, ts: string, state: ParserState | undefined): TranscriptEntry[] {
  const message = rec(ev.message);
  const content = Array.isArray(message?.content) ? (message.content as unknown[]) : [];
  const streamed = state?.streamed.has(str(message?.id));
  const out: TranscriptEntry[] = [];
  for (const raw of content) {
    const block = rec(raw);
    if (block === undefined) continue;
    switch (block.type) {
      case "text":
        if (!streamed && str(block.text) !== "") out.push({ kind: "assistant", ts, text: str(block.text) });
        break;
      case "thinking":
        if (!streamed && str(block.thinking) !== "")
          out.push({ kind: "thinking", ts, text: str(block.thinking) });
        break;
      case "redacted_thinking":
        if (!streamed) out.push({ kind: "thinking", ts, text: "[redacted thinking]" });
        break;
      case "tool_use":
      case "server_tool_use":
      case "mcp_tool_use": {
        const id = str(block.id) || str(block.tool_use_id);
        const name = str(block.name) || "tool";
        if (id !== "" && state !== undefined) {
          state.toolNames.set(id, name);
          track(state.toolNames);
        }
        out.push({
          kind: "tool_call",
          ts,
          name,
          input: block.input ?? {},
          ...(id !== "" ? { toolUseId: id } : {}),
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function userEntries(ev: Rec, ts: string, state: ParserState | undefined): TranscriptEntry[] {
  const content = rec(ev.message)?.content;
  if (typeof content === "string") return content.trim() === "" ? [] : [{ kind: "user", ts, text: content }];
  if (!Array.isArray(content)) return [];
  const out: TranscriptEntry[] = [];
  for (const raw of content) {
    const block = rec(raw);
    if (block === undefined) continue;
    if (block.type === "text" && str(block.text) !== "")
      out.push({ kind: "user", ts, text: str(block.text) });
    else if (block.type === "tool_result") {
      const toolUseId = str(block.tool_use_id);
      const toolName = state?.toolNames.get(toolUseId);
      out.push({
        kind: "tool_result",
        ts,
        toolUseId,
        ...(toolName !== undefined ? { toolName } : {}),
        content: toolResultContent(block.content),
        isError: block.is_error === true,
      });
    }
  }
  return out;
}

function markStreamed(state: ParserState, messageId: string): void {
  if (messageId === "" || state.streamed.has(messageId)) return;
  state.streamed.add(messageId);
  track(state.streamed);
}

function streamEntries(ev: Rec, ts: string, state: ParserState | undefined): TranscriptEntry[] {
  if (state === undefined) return []; // stateless: the complete assistant lines carry the text
  const inner = rec(ev.event);
  const thread = str(ev.parent_tool_use_id);
  if (inner?.type === "message_start") {
    const id = str(rec(inner.message)?.id);
    if (id !== "") state.current.set(thread, id);
    return [];
  }
  if (inner?.type !== "content_block_delta") return [];
  const delta = rec(inner.delta);
  const messageId = state.current.get(thread) ?? "";
  const itemId = `${messageId}:${num(inner.index)}`;
  if (delta?.type === "text_delta" && str(delta.text) !== "") {
    markStreamed(state, messageId);
    return [{ kind: "assistant", ts, text: str(delta.text), delta: true, itemId }];
  }
  if (delta?.type === "thinking_delta" && str(delta.thinking) !== "") {
    markStreamed(state, messageId);
    return [{ kind: "thinking", ts, text: str(delta.thinking), delta: true, itemId }];
  }
  return [];
}

function parseWith(line: string, ts: string, state: ParserState | undefined): TranscriptEntry[] {
  if (line.trim() === "") return [];
  const ev = parseEvent(line);
  if (ev === undefined) return [{ kind: "stdout", ts, text: line }];
  switch (ev.type) {
    case "system":
      return systemEntry(ev, ts);
    case "assistant":
      return assistantEntries(ev, ts, state);
    case "user":
      return userEntries(ev, ts, state);
    case "result":
      return [resultEntry(ev, ts)];
    case "stream_event":
      return streamEntries(ev, ts, state);
    case "rate_limit_event": {
      const info = rec(ev.rate_limit_info);
      const status = str(info?.status);
      if (status === "" || status === "allowed") return [];
      const resets = num(info?.resetsAt);
      const when = resets > 0 ? `, resets ${new Date(resets * 1000).toISOString()}` : "";
      return [{ kind: "system", ts, text: `rate limit ${status}${when}` }];
    }
    default:
      return [{ kind: "stdout", ts, text: line }];
  }
}

/**
 * Stateless: one stdout line → transcript entries. Partial-message `stream_event` lines yield nothing
 * here (the complete `assistant` line for each block follows right after its deltas); use
 * `createStdoutParser` for live delta entries. Never throws.
 */
export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  try {
    return parseWith(line, ts, undefined);
  } catch {
    return [{ kind: "stdout", ts, text: line }];
  }
}

/**
 * Stateful variant: text/thinking deltas of `--include-partial-messages` become `delta: true` entries
 * (and the complete assistant line of a streamed message does not repeat them); tool results carry
 * the tool name of their call.
 */
export function createStdoutParser(): StdoutParser {
  const state: ParserState = { toolNames: new Map(), streamed: new Set(), current: new Map() };
  return {
    parseLine(line: string, ts: string): TranscriptEntry[] {
      try {
        return parseWith(line, ts, state);
      } catch {
        return [{ kind: "stdout", ts, text: line }];
      }
    },
    reset(): void {
      state.toolNames.clear();
      state.streamed.clear();
      state.current.clear();
    },
  };
}
