/**
 * Scenario selection and reply planning for the mock Anthropic Messages API.
 *
 * Everything here is pure: a parsed request body goes in, a {@link ReplyPlan} comes out. The HTTP layer
 * (server.ts) turns plans into SSE streams or JSON bodies. The server is stateless: the position in a
 * conversation is derived from the `messages` the CLI sends back on every turn.
 */

import { planHeartbeat } from "./heartbeat.js";

export const SCENARIOS = [
  "success",
  "success-tools",
  "thinking",
  "max-turns",
  "auth-401",
  "rate-limit-429",
  "overloaded-529",
  "server-error-500",
  "credit-balance",
  "slow",
  "slow-tool",
  "hang-after-result",
  "echo",
  "paperclip-heartbeat",
] as const;

export type ScenarioName = (typeof SCENARIOS)[number];

/** A scenario plus its optional numeric argument, e.g. `[[mock:slow:5]]` = slow for 5 seconds. */
export interface ScenarioSelection {
  readonly name: ScenarioName;
  readonly arg?: number;
}

export type PlannedBlock =
  | { readonly type: "text"; readonly text: string; readonly pacing?: Pacing }
  | { readonly type: "thinking"; readonly thinking: string; readonly signature: string }
  | {
      readonly type: "tool_use";
      readonly id: string;
      readonly name: string;
      readonly input: Readonly<Record<string, unknown>>;
    };

/** Stream a block's text in `chunks` deltas, waiting `intervalMs` before each. */
export interface Pacing {
  readonly chunks: number;
  readonly intervalMs: number;
}

export type StopReason = "end_turn" | "tool_use" | "max_tokens";

export type ReplyPlan =
  | {
      readonly kind: "message";
      readonly id: string;
      readonly model: string;
      readonly blocks: readonly PlannedBlock[];
      readonly stopReason: StopReason;
      readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
    }
  | {
      readonly kind: "error";
      readonly status: number;
      readonly errorType: string;
      readonly message: string;
      readonly headers: Readonly<Record<string, string>>;
    };

/** The subset of a Messages API request body the planner looks at. */
export interface MessagesRequest {
  readonly model?: unknown;
  readonly messages?: unknown;
  readonly tools?: unknown;
  readonly system?: unknown;
  readonly stream?: unknown;
}

const MARKER = /\[\[mock:([a-z0-9-]+)(?::(\d+))?\]\]/;

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(value);
}

/** The marker to put in a prompt to select `name` on the mock, e.g. `[[mock:max-turns]]`. */
export function scenarioMarker(name: ScenarioName, arg?: number): string {
  return arg === undefined ? `[[mock:${name}]]` : `[[mock:${name}:${arg}]]`;
}

/** Find the first `[[mock:...]]` marker in `text`; unknown scenario names are ignored. */
export function parseMarker(text: string): ScenarioSelection | undefined {
  const match = MARKER.exec(text);
  const name = match?.[1];
  if (name === undefined || !isScenarioName(name)) return undefined;
  const arg = match?.[2];
  return arg === undefined ? { name } : { name, arg: Number(arg) };
}

export interface Message {
  readonly role: string;
  readonly content: unknown;
}

export function messagesOf(body: MessagesRequest): Message[] {
  if (!Array.isArray(body.messages)) return [];
  return body.messages.filter(
    (m): m is Message => typeof m === "object" && m !== null && typeof (m as Message).role === "string",
  );
}

export function blocksOf(content: unknown): Array<Record<string, unknown>> {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) return [];
  return content.filter((b): b is Record<string, unknown> => typeof b === "object" && b !== null);
}

export function textsOf(content: unknown): string[] {
  return blocksOf(content)
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string);
}

/** The user's prompt: the text blocks of the first user message that are not CLI-injected reminders. */
export function promptText(body: MessagesRequest): string {
  const first = messagesOf(body).find((m) => m.role === "user");
  if (first === undefined) return "";
  return textsOf(first.content)
    .filter((t) => !t.trimStart().startsWith("<system-reminder>"))
    .join("\n");
}

/**
 * Scenario for this request: a marker in any user text wins; then a marker in the API key (so side requests
 * that do not carry the prompt, e.g. quota probes, fail the same way); else the server default.
 */
export function selectScenario(
  body: MessagesRequest,
  fallback: ScenarioSelection,
  credential = "",
): ScenarioSelection {
  for (const message of messagesOf(body)) {
    if (message.role !== "user") continue;
    for (const text of textsOf(message.content)) {
      const selected = parseMarker(text);
      if (selected !== undefined) return selected;
    }
  }
  return parseMarker(credential) ?? fallback;
}

/** Main-loop requests carry tool definitions; side requests (titles, topic checks, quota probes) do not. */
export function isMainLoop(body: MessagesRequest): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

function assistantTurns(body: MessagesRequest): number {
  return messagesOf(body).filter((m) => m.role === "assistant").length;
}

function lastUserHasToolResult(body: MessagesRequest): boolean {
  const last = messagesOf(body).at(-1);
  return last?.role === "user" && blocksOf(last.content).some((b) => b.type === "tool_result");
}

/** Deterministic id suffix (FNV-1a) so identical requests get identical ids and fixtures stay stable. */
export function stableId(prefix: string, ...parts: ReadonlyArray<string | number>): string {
  let hash = 0x811c9dc5;
  for (const char of parts.join("\u0000")) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${prefix}${hash.toString(36).padStart(7, "0")}${String(parts[0] ?? "").replace(/[^a-z0-9]/gi, "")}`;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function blockText(block: PlannedBlock): string {
  if (block.type === "text") return block.text;
  if (block.type === "thinking") return block.thinking;
  return JSON.stringify(block.input);
}

/** Anthropic-shaped error body text. */
export function errorBody(errorType: string, message: string): string {
  return JSON.stringify({ type: "error", error: { type: errorType, message } });
}

function error(
  status: number,
  errorType: string,
  message: string,
  headers: Record<string, string> = {},
): ReplyPlan {
  return { kind: "error", status, errorType, message, headers };
}

export interface PlanContext {
  /** Used for rate-limit reset headers. */
  readonly now: Date;
}

const SLOW_DEFAULT_SECONDS = 30;
const SIDE_REPLY = "Mock reply.";

/** Decide how the mock answers one `POST /v1/messages` request. */
export function planReply(body: MessagesRequest, selection: ScenarioSelection, ctx: PlanContext): ReplyPlan {
  const failure = planFailure(selection, ctx);
  if (failure !== undefined) return failure;

  const model = typeof body.model === "string" && body.model !== "" ? body.model : "claude-mock-1";
  const turn = assistantTurns(body);
  const typedBlocks: readonly PlannedBlock[] = isMainLoop(body)
    ? planBlocks(body, selection, turn)
    : [{ type: "text", text: SIDE_REPLY }];
  const stopReason: StopReason = typedBlocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
  return {
    kind: "message",
    id: stableId("msg_01mock", selection.name, turn, isMainLoop(body) ? "main" : "side"),
    model,
    blocks: typedBlocks,
    stopReason,
    usage: {
      inputTokens: estimateTokens(JSON.stringify(body.messages ?? [])),
      outputTokens: typedBlocks.reduce((sum, b) => sum + estimateTokens(blockText(b)), 0),
    },
  };
}

function planFailure(selection: ScenarioSelection, ctx: PlanContext): ReplyPlan | undefined {
  switch (selection.name) {
    case "auth-401":
      return error(401, "authentication_error", "invalid x-api-key");
    case "rate-limit-429": {
      const retryAfter = selection.arg ?? 1;
      const reset = new Date(ctx.now.getTime() + retryAfter * 1000).toISOString();
      return error(
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 50 requests per minute. Please reduce the prompt length or the maximum tokens requested, or try again later.",
        {
          "retry-after": String(retryAfter),
          "anthropic-ratelimit-requests-limit": "50",
          "anthropic-ratelimit-requests-remaining": "0",
          "anthropic-ratelimit-requests-reset": reset,
          "anthropic-ratelimit-tokens-reset": reset,
        },
      );
    }
    case "overloaded-529":
      return error(529, "overloaded_error", "Overloaded");
    case "server-error-500":
      return error(500, "api_error", "Internal server error");
    case "credit-balance":
      return error(
        400,
        "invalid_request_error",
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
      );
    default:
      return undefined;
  }
}

const BASH_HELLO = { command: "echo hello", description: "Print hello" };

function toolUse(
  name: string,
  input: Record<string, unknown>,
  ...idParts: Array<string | number>
): PlannedBlock {
  return { type: "tool_use", id: stableId("toolu_01mock", ...idParts), name, input };
}

function planBlocks(body: MessagesRequest, selection: ScenarioSelection, turn: number): PlannedBlock[] {
  const finished = lastUserHasToolResult(body);
  switch (selection.name) {
    case "success-tools":
      if (finished || turn >= 3) return [{ type: "text", text: "The command printed hello. All done." }];
      return [
        { type: "text", text: "I will run a command first." },
        toolUse("Bash", BASH_HELLO, "success-tools", turn),
      ];
    case "max-turns":
      return [
        { type: "text", text: `Turn ${turn + 1}: running another command.` },
        toolUse("Bash", BASH_HELLO, "max-turns", turn),
      ];
    case "thinking":
      return [
        {
          type: "thinking",
          thinking: "The user wants a short answer. I will reply with a single sentence.",
          signature: "c2lnbmF0dXJlLW1vY2stdGhpbmtpbmctMDAwMQ==",
        },
        { type: "text", text: "Here is a considered answer: 42." },
      ];
    case "slow": {
      const seconds = selection.arg ?? SLOW_DEFAULT_SECONDS;
      const chunks = Math.max(1, seconds * 2);
      return [
        { type: "text", text: "Starting a long answer." },
        { type: "text", text: "tick ".repeat(chunks).trimEnd(), pacing: { chunks, intervalMs: 500 } },
      ];
    }
    case "slow-tool": {
      if (finished) return [{ type: "text", text: "The long command finished." }];
      const seconds = selection.arg ?? SLOW_DEFAULT_SECONDS;
      return [
        { type: "text", text: "Running a long command." },
        toolUse(
          "Bash",
          { command: `echo started && sleep ${seconds} && echo finished`, description: "Long job" },
          "slow-tool",
          turn,
        ),
      ];
    }
    case "hang-after-result": {
      // Like a lingering MCP server: a background grandchild holds the CLI's stdout ($PPID of the tool's shell is
      // the CLI), so after the result the pipe stays open for `arg` seconds even once the CLI has exited. The shell
      // opens it before forking (group redirection): a child that opened it itself could run only after the CLI had
      // exited on a loaded machine, find no /proc/$PPID, and hold nothing (a CI flake).
      if (finished) return [{ type: "text", text: "Left a helper running. Done." }];
      const seconds = selection.arg ?? 120;
      const command = `{ sleep ${seconds} 2>/dev/null </dev/null & } >>/proc/$PPID/fd/1`;
      return [toolUse("Bash", { command, description: "Start helper" }, "hang-after-result", turn)];
    }
    case "echo":
      return [{ type: "text", text: `Echo: the prompt has ${promptText(body).length} characters.` }];
    case "paperclip-heartbeat":
      return planHeartbeat(body, turn);
    default:
      return [{ type: "text", text: "Hello from the mock Anthropic API." }];
  }
}
