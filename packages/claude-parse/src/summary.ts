import { Buffer } from "node:buffer";
import type { AssistantEvent, ClaudeEvent, ModelUsageEntry, ResultEvent, UserEvent } from "./events.js";
import { isAbortedAssistant, isInterruptUserMessage, mayBeInterruptLine } from "./interrupt.js";
import { asNonEmptyString, asNumber, asRecord, asString } from "./read.js";
import { createStreamParser, type ParsedLine, type StreamParserOptions } from "./stream-parser.js";

/** Token usage of this run (one CLI invocation). */
export interface RunUsage {
  /** Uncached input tokens. */
  inputTokens: number;
  outputTokens: number;
  /** Tokens read from the prompt cache. */
  cacheReadInputTokens: number;
  /** Tokens written to the prompt cache (billed as input). */
  cacheCreationInputTokens: number;
}

/**
 * Where `usage`/`costUsd` came from:
 * - `since_last_result`: sum of `model_usage_since_last_result` over this run's results (2.1.3xx, exact per run
 *   even on a resumed session whose `modelUsage`/`total_cost_usd` are cumulative);
 * - `model_usage`: the final result's `modelUsage` (per process; includes subagents);
 * - `result_usage`: the final result's main-loop `usage` (no `modelUsage` present);
 * - `none`: no result.
 */
export type UsageSource = "since_last_result" | "model_usage" | "result_usage" | "none";

export interface ApiRetryInfo {
  attempt: number | null;
  errorStatus: number | null;
  error: string | null;
  retryDelayMs: number | null;
}

export interface RunSummary {
  /** `incomplete` = no result line (killed, crashed, SIGINT, truncated stream). */
  status: "success" | "failed" | "incomplete";
  /** Session to resume next time. Never taken from a zero-turn failure result. */
  sessionId: string | null;
  model: string | null;
  cliVersion: string | null;
  usage: RunUsage | null;
  usageSource: UsageSource;
  costUsd: number | null;
  /** Final result text, else the last main-thread assistant text. */
  summary: string | null;
  /** The final result line as written by the CLI. */
  resultJson: Record<string, unknown> | null;
  /** Number of result lines seen (more than one with background tasks / streaming input). */
  resultCount: number;
  /** The `error` categories of assistant messages (synthetic API-error messages), in order of first appearance. */
  assistantErrors: string[];
  /** Largest `api_error_status` seen on assistant messages, if any. */
  assistantApiErrorStatus: number | null;
  /** The last `system/api_retry` events (at most 20). */
  apiRetries: ApiRetryInfo[];
  /** Last `rate_limit_event.rate_limit_info`. */
  rateLimit: Record<string, unknown> | null;
  /**
   * The CLI reported the last turn as interrupted: a main-thread assistant line with `aborted: true` or a
   * `[Request interrupted by user]` user message, in the final result's turn or after the last result.
   * (A final result's `terminal_reason` is in `resultJson`.)
   */
  interrupted: boolean;
  /** Line statistics. */
  counts: {
    events: number;
    raw: number;
    oversize: number;
    truncated: number;
    inits: number;
  };
}

export interface RunAccumulator {
  /** Feeds parsed lines (from `createStreamParser`). */
  push(lines: ParsedLine | readonly ParsedLine[]): void;
  /** Feeds one event directly. */
  pushEvent(event: ClaudeEvent): void;
  /** The summary of everything fed so far. Cheap; can be called repeatedly. */
  summary(): RunSummary;
}

const MAX_RETRIES_KEPT = 20;
const MAX_ASSISTANT_ERRORS_KEPT = 20;

/**
 * Longest fallback summary kept (characters). The CLI writes one `assistant` line per content block, all with
 * the message's id, and the fallback summary joins a message's text blocks; a message with an endless stream of
 * blocks must not grow it without limit. Beyond this, the end of the message is kept, after an ellipsis.
 */
export const MAX_FALLBACK_SUMMARY_CHARS = 64 * 1024;

/** `head + "\n\n" + tail`, keeping at most `MAX_FALLBACK_SUMMARY_CHARS` of the end. */
function appendBounded(head: string, tail: string): string {
  const joined = `${head}\n\n${tail}`;
  if (joined.length <= MAX_FALLBACK_SUMMARY_CHARS) return joined;
  // Copy the kept end into a fresh flat string: a plain slice would keep the whole joined text reachable.
  const kept = joined.slice(joined.length - (MAX_FALLBACK_SUMMARY_CHARS - 1));
  return `…${Buffer.from(kept, "utf16le").toString("utf16le")}`;
}

function isZeroTurnFailure(result: ResultEvent): boolean {
  return result.num_turns === 0 && (result.is_error === true || result.subtype !== "success");
}

function isSuccess(result: ResultEvent): boolean {
  return result.subtype === "success" && result.is_error !== true;
}

/** The #16768 signature (CLI ≤2.1.6): a zeroed error_during_execution written right after a success. */
function isSpuriousTrailer(result: ResultEvent): boolean {
  return (
    result.subtype === "error_during_execution" &&
    result.num_turns === 0 &&
    (result.duration_ms ?? 0) === 0 &&
    (result.total_cost_usd ?? 0) === 0
  );
}

function emptyUsage(): RunUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
}

interface UsageWithCost {
  usage: RunUsage;
  cost: number | null;
}

function addModelUsage(into: UsageWithCost, map: unknown): boolean {
  const rec = asRecord(map);
  if (rec === undefined) return false;
  for (const raw of Object.values(rec)) {
    const entry = asRecord(raw) as ModelUsageEntry | undefined;
    if (entry === undefined) continue;
    into.usage.inputTokens += asNumber(entry.inputTokens) ?? 0;
    into.usage.outputTokens += asNumber(entry.outputTokens) ?? 0;
    into.usage.cacheReadInputTokens += asNumber(entry.cacheReadInputTokens) ?? 0;
    into.usage.cacheCreationInputTokens += asNumber(entry.cacheCreationInputTokens) ?? 0;
    const cost = asNumber(entry.costUSD);
    if (cost !== undefined) into.cost = (into.cost ?? 0) + cost;
  }
  return true;
}

function usageFromResultUsage(raw: unknown): RunUsage | null {
  const u = asRecord(raw);
  if (u === undefined) return null;
  return {
    inputTokens: asNumber(u.input_tokens) ?? 0,
    outputTokens: asNumber(u.output_tokens) ?? 0,
    cacheReadInputTokens: asNumber(u.cache_read_input_tokens) ?? 0,
    cacheCreationInputTokens: asNumber(u.cache_creation_input_tokens) ?? 0,
  };
}

function assistantText(data: AssistantEvent): string | undefined {
  const content = data.message?.content;
  if (!Array.isArray(content)) return undefined;
  let text: string | undefined;
  for (const block of content) {
    const rec = asRecord(block);
    if (rec?.type === "text" && typeof rec.text === "string" && rec.text !== "") {
      text = text === undefined ? rec.text : `${text}\n\n${rec.text}`;
    }
  }
  return text;
}

/**
 * Folds a run's events into a `RunSummary`. Memory is O(1) in the number of events and bounded by the longest
 * line: it keeps the final result line, the last main-thread assistant text (at most
 * `MAX_FALLBACK_SUMMARY_CHARS`), the last 20 API retries and the first 20 assistant error categories.
 */
export function createRunAccumulator(): RunAccumulator {
  let initSessionId: string | null = null;
  let otherSessionId: string | null = null;
  let model: string | null = null;
  let cliVersion: string | null = null;
  let final: ResultEvent | null = null;
  let resultCount = 0;
  const delta: UsageWithCost = { usage: emptyUsage(), cost: null };
  let sawDelta = false;
  let lastTextMessageId: string | null = null;
  let lastText: string | null = null;
  const assistantErrors: string[] = [];
  let assistantApiErrorStatus: number | null = null;
  const apiRetries: ApiRetryInfo[] = [];
  let rateLimit: Record<string, unknown> | null = null;
  /** Interrupt markers since the last result line, and in the turn of the final result. */
  let interruptedSinceResult = false;
  let finalInterrupted = false;
  const counts = { events: 0, raw: 0, oversize: 0, truncated: 0, inits: 0 };

  function noteSession(value: unknown): void {
    const id = asNonEmptyString(value);
    if (id !== undefined && otherSessionId === null) otherSessionId = id;
  }

  function onAssistant(data: AssistantEvent): void {
    noteSession(data.session_id);
    const error = asNonEmptyString(data.error);
    if (
      error !== undefined &&
      assistantErrors.length < MAX_ASSISTANT_ERRORS_KEPT &&
      !assistantErrors.includes(error)
    ) {
      assistantErrors.push(error);
    }
    const status = asNumber(data.api_error_status);
    if (status !== undefined) assistantApiErrorStatus = Math.max(assistantApiErrorStatus ?? 0, status);
    if (isAbortedAssistant(data)) interruptedSinceResult = true;
    const msgModel = asNonEmptyString(data.message?.model);
    if (model === null && msgModel !== undefined && msgModel !== "<synthetic>") model = msgModel;
    if (data.parent_tool_use_id) return; // subagent
    const text = assistantText(data);
    if (text === undefined) return;
    const id = asString(data.message?.id) ?? null;
    lastText =
      id !== null && id === lastTextMessageId && lastText !== null ? appendBounded(lastText, text) : text;
    lastTextMessageId = id;
  }

  function onUser(data: UserEvent): void {
    noteSession(data.session_id);
    if (isInterruptUserMessage(data)) interruptedSinceResult = true;
  }

  function onResult(data: ResultEvent): void {
    resultCount++;
    const turnInterrupted = interruptedSinceResult;
    interruptedSinceResult = false;
    if (!isZeroTurnFailure(data)) noteSession(data.session_id);
    if (
      data.model_usage_since_last_result !== undefined &&
      addModelUsage(delta, data.model_usage_since_last_result)
    ) {
      sawDelta = true;
    }
    if (final !== null && isSuccess(final) && isSpuriousTrailer(data)) return;
    const index = asNumber(data.result_index) ?? -1;
    const finalIndex = final === null ? -1 : (asNumber(final.result_index) ?? -1);
    if (final === null || index >= finalIndex) {
      final = data;
      finalInterrupted = turnInterrupted;
    }
  }

  function pushEvent(event: ClaudeEvent): void {
    counts.events++;
    switch (event.kind) {
      case "init": {
        counts.inits++;
        initSessionId = asNonEmptyString(event.data.session_id) ?? initSessionId;
        model = asNonEmptyString(event.data.model) ?? model;
        cliVersion = asNonEmptyString(event.data.claude_code_version) ?? cliVersion;
        return;
      }
      case "assistant":
        onAssistant(event.data);
        return;
      case "result":
        onResult(event.data);
        return;
      case "api_retry": {
        apiRetries.push({
          attempt: asNumber(event.data.attempt) ?? null,
          errorStatus: asNumber(event.data.error_status) ?? null,
          error: asNonEmptyString(event.data.error) ?? null,
          retryDelayMs: asNumber(event.data.retry_delay_ms) ?? null,
        });
        if (apiRetries.length > MAX_RETRIES_KEPT) apiRetries.shift();
        return;
      }
      case "rate_limit":
        rateLimit = asRecord(event.data.rate_limit_info) ?? rateLimit;
        return;
      case "user":
        onUser(event.data);
        return;
      case "stream_event":
      case "system":
      case "unknown":
        noteSession(event.data.session_id);
        return;
      case "malformed":
        return;
    }
  }

  function push(lines: ParsedLine | readonly ParsedLine[]): void {
    const list = Array.isArray(lines) ? (lines as readonly ParsedLine[]) : [lines as ParsedLine];
    for (const line of list) {
      switch (line.kind) {
        case "event":
          // Tool results and deltas never change the summary once the session is known: skip decoding them
          // (a user line is decoded when its head may hold the interrupt marker).
          if (
            (line.type === "stream_event" || (line.type === "user" && !mayBeInterruptLine(line))) &&
            (initSessionId ?? otherSessionId) !== null
          ) {
            counts.events++;
          } else {
            pushEvent(line.event);
          }
          break;
        case "raw":
          counts.raw++;
          break;
        case "oversize":
          counts.oversize++;
          break;
        case "truncated":
          counts.truncated++;
          break;
      }
    }
  }

  function usageAndCost(result: ResultEvent): {
    usage: RunUsage | null;
    cost: number | null;
    source: UsageSource;
  } {
    if (sawDelta) {
      return {
        usage: { ...delta.usage },
        cost: delta.cost ?? asNumber(result.total_cost_usd) ?? null,
        source: "since_last_result",
      };
    }
    const fromModel: UsageWithCost = { usage: emptyUsage(), cost: null };
    const hasModelUsage =
      asRecord(result.modelUsage) !== undefined &&
      Object.keys(result.modelUsage as object).length > 0 &&
      addModelUsage(fromModel, result.modelUsage);
    const cost = asNumber(result.total_cost_usd) ?? fromModel.cost;
    if (hasModelUsage) return { usage: fromModel.usage, cost, source: "model_usage" };
    const fromResult = usageFromResultUsage(result.usage);
    if (fromResult !== null) return { usage: fromResult, cost, source: "result_usage" };
    return { usage: null, cost, source: "none" };
  }

  function summary(): RunSummary {
    const result = final as ResultEvent | null;
    const { usage, cost, source } =
      result === null ? { usage: null, cost: null, source: "none" as const } : usageAndCost(result);
    const resultText = result === null ? undefined : asNonEmptyString(result.result);
    return {
      status: result === null ? "incomplete" : isSuccess(result) ? "success" : "failed",
      sessionId: initSessionId ?? otherSessionId,
      model,
      cliVersion,
      usage,
      usageSource: source,
      costUsd: cost,
      summary: resultText ?? lastText,
      resultJson: result,
      resultCount,
      assistantErrors: [...assistantErrors],
      assistantApiErrorStatus,
      apiRetries: [...apiRetries],
      rateLimit,
      interrupted: interruptedSinceResult || (result !== null && finalInterrupted),
      counts: { ...counts },
    };
  }

  return { push, pushEvent, summary };
}

/** Parses and summarises a complete stdout capture (or an iterable of chunks). */
export function summarizeStdout(
  input: Uint8Array | string | Iterable<Uint8Array | string>,
  options?: StreamParserOptions,
): RunSummary {
  const parser = createStreamParser(options);
  const acc = createRunAccumulator();
  const chunks = typeof input === "string" || input instanceof Uint8Array ? [input] : input;
  for (const chunk of chunks) acc.push(parser.push(chunk));
  acc.push(parser.end());
  return acc.summary();
}
