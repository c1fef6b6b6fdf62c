/**
 * Typed views of the JSON objects Claude Code writes with `--output-format stream-json --verbose`.
 *
 * The CLI adds fields every few releases and has changed field types before, so every field here is
 * optional and every payload keeps unknown keys. The stream parser verifies only the discriminating
 * fields (`type`, and `subtype` for `system`); code in this package reads payload fields defensively.
 */

/** Keys this package does not model are kept as-is. */
export interface OpenRecord {
  [key: string]: unknown;
}

export interface EnvelopeFields extends OpenRecord {
  type: string;
  uuid?: string;
  session_id?: string;
  parent_tool_use_id?: string | null;
}

export interface TextBlock extends OpenRecord {
  type: "text";
  text: string;
}
export interface ThinkingBlock extends OpenRecord {
  type: "thinking";
  thinking: string;
  signature?: string;
}
export interface ToolUseBlock extends OpenRecord {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
}
export interface ToolResultBlock extends OpenRecord {
  type: "tool_result";
  tool_use_id: string;
  content?: string | OpenRecord[];
  is_error?: boolean;
}
/** Any block type not listed above (server tools, images, redacted thinking, future blocks). */
export interface OtherBlock extends OpenRecord {
  type: string;
}
export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock | ToolResultBlock | OtherBlock;

export interface ApiUsage extends OpenRecord {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** One entry of `result.modelUsage` / `result.model_usage_since_last_result`. */
export interface ModelUsageEntry extends OpenRecord {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  costUSD?: number;
}

export interface InitEvent extends EnvelopeFields {
  type: "system";
  subtype: "init";
  cwd?: string;
  model?: string;
  tools?: string[];
  mcp_servers?: { name: string; status: string }[];
  permissionMode?: string;
  apiKeySource?: string;
  claude_code_version?: string;
}

export interface ApiRetryEvent extends EnvelopeFields {
  type: "system";
  subtype: "api_retry";
  attempt?: number;
  max_retries?: number;
  retry_delay_ms?: number;
  error_status?: number | null;
  error?: string;
}

/** Every other `system` subtype (status, compact_boundary, task_*, hook_*, ...). */
export interface SystemEvent extends EnvelopeFields {
  type: "system";
  subtype?: string;
}

export interface AssistantEvent extends EnvelopeFields {
  type: "assistant";
  message?: {
    id?: string;
    model?: string;
    role?: string;
    content?: ContentBlock[];
    stop_reason?: string | null;
    usage?: ApiUsage;
  } & OpenRecord;
  /** Error category on synthetic API-error messages (2.0.x+), e.g. `authentication_failed`, `rate_limit`. */
  error?: string;
  is_api_error_message?: boolean;
  api_error_status?: number | null;
}

export interface UserEvent extends EnvelopeFields {
  type: "user";
  message?: { role?: string; content?: string | ContentBlock[] } & OpenRecord;
  tool_use_result?: unknown;
  isReplay?: boolean;
}

export interface ResultEvent extends EnvelopeFields {
  type: "result";
  subtype?: string;
  is_error?: boolean;
  result?: string;
  errors?: unknown[];
  num_turns?: number;
  duration_ms?: number;
  duration_api_ms?: number;
  total_cost_usd?: number;
  usage?: ApiUsage;
  modelUsage?: Record<string, ModelUsageEntry>;
  model_usage_since_last_result?: Record<string, ModelUsageEntry>;
  stop_reason?: string | null;
  terminal_reason?: string;
  api_error_status?: number | null;
  result_index?: number;
  startup_failure_reason?: string;
}

export interface StreamEventEvent extends EnvelopeFields {
  type: "stream_event";
  event?: { type?: string; index?: number; delta?: OpenRecord; content_block?: OpenRecord } & OpenRecord;
}

export interface RateLimitEvent extends EnvelopeFields {
  type: "rate_limit_event";
  rate_limit_info?: {
    status?: string;
    resetsAt?: number;
    rateLimitType?: string;
  } & OpenRecord;
}

/**
 * A Claude Code event. `kind` is derived by the parser from `type`/`subtype`; `data` is the object as
 * written by the CLI. `malformed` only occurs for lines whose payload decoding was deferred (see
 * `StreamParserOptions.deferTypes`) and then turned out not to be valid JSON.
 */
export type ClaudeEvent =
  | { kind: "init"; data: InitEvent }
  | { kind: "api_retry"; data: ApiRetryEvent }
  | { kind: "system"; data: SystemEvent }
  | { kind: "assistant"; data: AssistantEvent }
  | { kind: "user"; data: UserEvent }
  | { kind: "result"; data: ResultEvent }
  | { kind: "stream_event"; data: StreamEventEvent }
  | { kind: "rate_limit"; data: RateLimitEvent }
  | { kind: "unknown"; data: EnvelopeFields }
  | { kind: "malformed"; data: { type: string }; error: string };

export type ClaudeEventKind = ClaudeEvent["kind"];

/** Classifies an object that is known to have a string `type`. */
export function toClaudeEvent(obj: EnvelopeFields): ClaudeEvent {
  switch (obj.type) {
    case "system":
      if (obj.subtype === "init") return { kind: "init", data: obj as InitEvent };
      if (obj.subtype === "api_retry") return { kind: "api_retry", data: obj as ApiRetryEvent };
      return { kind: "system", data: obj as SystemEvent };
    case "assistant":
      return { kind: "assistant", data: obj as AssistantEvent };
    case "user":
      return { kind: "user", data: obj as UserEvent };
    case "result":
      return { kind: "result", data: obj as ResultEvent };
    case "stream_event":
      return { kind: "stream_event", data: obj as StreamEventEvent };
    case "rate_limit_event":
      return { kind: "rate_limit", data: obj as RateLimitEvent };
    default:
      return { kind: "unknown", data: obj };
  }
}

/** True for a plain (non-array) object with a string `type` — the only shape the CLI writes on stdout. */
export function isEventObject(value: unknown): value is EnvelopeFields {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { type?: unknown }).type === "string"
  );
}
