import { ABORTED_TERMINAL_REASONS } from "./interrupt.js";
import { asNonEmptyString, asNumber, asRecord, errorStrings } from "./read.js";
import { epochToIso, parseResetTime } from "./retry-time.js";
import type { RunSummary } from "./summary.js";

/**
 * Error codes written to Paperclip's `errorCode`. Codes shared with Paperclip's own claude_local adapter
 * keep its spelling so the server's retry / continuation logic engages; the `claude_*` codes Paperclip
 * lacks are ours.
 */
export const ClaudeErrorCode = {
  /** The adapter's own timeout fired (Paperclip vocabulary). */
  Timeout: "timeout",
  AuthRequired: "claude_auth_required",
  MaxTurns: "max_turns_exhausted",
  ProviderQuota: "provider_quota",
  TransientUpstream: "claude_transient_upstream",
  ModelNotFound: "model_not_found",
  Refusal: "claude_refusal",
  /** `--resume <id>` named a session the CLI does not have. */
  UnknownSession: "claude_unknown_session",
  PromptTooLong: "claude_prompt_too_long",
  BudgetExhausted: "claude_budget_exhausted",
  /**
   * The CLI reported the turn as interrupted (`aborted` assistant message, `[Request interrupted by user]`,
   * `terminal_reason: aborted_*`), whatever the exit code (SIGINT exits 0).
   */
  Interrupted: "claude_interrupted",
  /** Terminated by a signal (SIGTERM/SIGKILL, exit 143/137) before writing a result. */
  Killed: "claude_killed",
  /** Exited without a result line for another reason (crash, SIGINT exit 0 with no interrupt marker, lost output). */
  Incomplete: "claude_incomplete",
  /** Could not start: non-zero exit before any event (bad flags, missing binary), or a `startup_failure_reason` result. */
  StartupFailed: "claude_startup_failed",
  /** An API error the CLI reported that matches no specific category. */
  ApiError: "claude_api_error",
  /** A failed result that matches no specific category. */
  RunFailed: "claude_run_failed",
} as const;
export type ClaudeErrorCode = (typeof ClaudeErrorCode)[keyof typeof ClaudeErrorCode];

/** Paperclip's `errorFamily` values this package produces. */
export type ErrorFamily = "transient_upstream" | "provider_quota" | "model_refusal";

export interface ClassifyInput {
  summary: RunSummary;
  exitCode: number | null;
  signal?: string | null | undefined;
  /** Captured stderr (a tail is fine). */
  stderr?: string | undefined;
  timedOut?: boolean | undefined;
  /** Seconds, for the timeout message. */
  timeoutSec?: number | undefined;
  /** Clock for reset-time parsing (tests). */
  now?: Date | undefined;
}

export interface RunClassification {
  failed: boolean;
  errorCode: ClaudeErrorCode | null;
  errorFamily: ErrorFamily | null;
  errorMessage: string | null;
  /** ISO timestamp before which a retry is pointless (quota resets). */
  retryNotBefore: string | null;
  /** The stored session must not be resumed again. */
  clearSession: boolean;
  errorMeta: Record<string, unknown> | null;
}

const UNKNOWN_SESSION_RE =
  /no conversation found with session id|--resume requires a valid session|is not a (?:valid )?uuid|does not match any session title/i;
const AUTH_RE =
  /not logged in|please run \/login|please log in|run `?claude login|invalid api key|authentication[_ ](?:failed|error|required)|invalid bearer token|oauth token (?:has )?(?:expired|revoked)|organization has been disabled|does not meet scope requirement|failed to authenticate/i;
const PROMPT_TOO_LONG_RE =
  /prompt is too long|context_length_exceeded|input length and `?max_tokens`? exceed context limit/i;
const MODEL_NOT_FOUND_RE =
  /issue with the selected model|model[^\n]{0,80}(?:not found|does not exist|not available)|not_found_error[^\n]{0,120}model/i;
const CREDIT_RE = /credit balance is too low/i;
const SUBSCRIPTION_LIMIT_RE =
  /hit your (?:session |weekly |usage |opus )?limit|out of extra usage|usage limit reached|(?:5-hour|five.hour|weekly) limit reached|servicequotaexceeded/i;
const RATE_LIMIT_RE = /API Error:?\s*429|\(429\)|rate[_ ]limit|too many requests|throttl/i;
const OVERLOADED_RE =
  /API Error:?\s*5\d\d|\b529\b|overloaded|internal server error|service unavailable|bad gateway/i;
const URL_RE = /https?:\/\/[^\s"'<>)\]]+/g;

const AUTH_ERRORS = new Set(["authentication_failed", "oauth_org_not_allowed", "cloud_credential_error"]);
const QUOTA_ERRORS = new Set(["billing_error"]);
const TRANSIENT_ERRORS = new Set(["rate_limit", "overloaded", "server_error"]);

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? ""
  );
}

function clip(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Prefers a URL that looks like a login page. */
export function extractLoginUrl(text: string): string | null {
  const urls = text.match(URL_RE) ?? [];
  return urls.find((u) => /claude|anthropic|auth|login/i.test(u)) ?? urls[0] ?? null;
}

interface Evidence {
  /** Where a login URL may be printed: the evidence text plus stderr (even when there is a result). */
  urlText: string;
  /** Structured error text: result `errors[]`, the result text of an is_error result, stderr. */
  text: string;
  statuses: number[];
  categories: string[];
  terminalReason: string | null;
}

/** The CLI's signature of a run ended by an API error: `subtype: "success"` with `is_error: true`. */
function isApiErrorResult(result: Record<string, unknown>): boolean {
  return (result.subtype === "success" && result.is_error === true) || result.terminal_reason === "api_error";
}

/**
 * Structured evidence of a failure. `api_retry` events count only when the run ended in an API error (or
 * without a result): retries that later succeeded say nothing about a different failure. stderr counts only
 * when there is no result line — then it is the only place the CLI explains itself (≤ 2.1.7 resume errors,
 * startup errors).
 */
function collectEvidence(summary: RunSummary, stderr: string): Evidence {
  const result = summary.resultJson;
  const parts: string[] = [];
  const statuses: number[] = [];
  const categories = [...summary.assistantErrors];
  if (result !== null) {
    parts.push(...errorStrings(result.errors));
    // `result` is the model's final prose on success; only an error result's text is a CLI message.
    if (result.is_error === true && typeof result.result === "string") parts.push(result.result);
    const status = asNumber(result.api_error_status);
    if (status !== undefined) statuses.push(status);
  } else if (stderr !== "") {
    parts.push(stderr);
  }
  if (summary.assistantApiErrorStatus !== null) statuses.push(summary.assistantApiErrorStatus);
  if (result === null || isApiErrorResult(result)) {
    for (const retry of summary.apiRetries) {
      if (retry.errorStatus !== null) statuses.push(retry.errorStatus);
      if (retry.error !== null) categories.push(retry.error);
    }
  }
  const text = parts.join("\n");
  return {
    text,
    urlText: result === null ? text : `${text}\n${stderr}`,
    statuses,
    categories,
    terminalReason: result === null ? null : (asNonEmptyString(result.terminal_reason) ?? null),
  };
}

function outcome(
  errorCode: ClaudeErrorCode,
  errorMessage: string,
  extra: Partial<Omit<RunClassification, "failed" | "errorCode" | "errorMessage">> = {},
): RunClassification {
  return {
    failed: true,
    errorCode,
    errorFamily: extra.errorFamily ?? null,
    errorMessage,
    retryNotBefore: extra.retryNotBefore ?? null,
    clearSession: extra.clearSession ?? false,
    errorMeta: extra.errorMeta ?? null,
  };
}

const SUCCESS: RunClassification = {
  failed: false,
  errorCode: null,
  errorFamily: null,
  errorMessage: null,
  retryNotBefore: null,
  clearSession: false,
  errorMeta: null,
};

function quotaRetryNotBefore(summary: RunSummary, text: string, now: Date): string | null {
  const resetsAt = asNumber(summary.rateLimit?.resetsAt);
  if (resetsAt !== undefined && summary.rateLimit?.status === "rejected") return epochToIso(resetsAt);
  return parseResetTime(text, now);
}

/** True when a `modelUsage` map reports any token. */
function hasTokens(map: unknown): boolean {
  const rec = asRecord(map);
  if (rec === undefined) return false;
  return Object.values(rec).some((raw) => {
    const e = asRecord(raw);
    if (e === undefined) return false;
    const { inputTokens, outputTokens, cacheReadInputTokens, cacheCreationInputTokens } = e;
    return [inputTokens, outputTokens, cacheReadInputTokens, cacheCreationInputTokens].some(
      (n) => (asNumber(n) ?? 0) > 0,
    );
  });
}

/**
 * The failed result shows a session of one turn: `num_turns` ≤ 1 and nothing answered before (no cost, no
 * token in `modelUsage`; on 2.1.3xx both are cumulative over a resumed session, so earlier runs count too). A
 * "prompt is too long" there means the prompt itself is too long, not the session's context: a smaller prompt
 * can still resume it. Without a result or a `num_turns`, there is no such evidence.
 */
function failedOnOnlyTurn(summary: RunSummary): boolean {
  const result = summary.resultJson;
  if (result === null) return false;
  const turns = asNumber(result.num_turns);
  if (turns === undefined || turns > 1) return false;
  if ((asNumber(result.total_cost_usd) ?? 0) > 0) return false;
  return !hasTokens(result.modelUsage);
}

/** Categorises an API-level failure (auth, quota, transient, model, prompt size) from its evidence. */
function classifyApiFailure(
  summary: RunSummary,
  ev: Evidence,
  detail: string,
  now: Date,
): RunClassification | null {
  const has = (set: Set<string>) => ev.categories.some((c) => set.has(c));
  if (has(AUTH_ERRORS) || ev.statuses.includes(401) || AUTH_RE.test(ev.text)) {
    const loginUrl = extractLoginUrl(ev.urlText);
    return outcome(ClaudeErrorCode.AuthRequired, `Claude authentication required: ${detail}`, {
      errorMeta: loginUrl === null ? null : { loginUrl },
    });
  }
  if (ev.terminalReason === "prompt_too_long" || PROMPT_TOO_LONG_RE.test(ev.text)) {
    const onlyTurn = failedOnOnlyTurn(summary);
    const what = onlyTurn
      ? "The prompt is too long for the model's context"
      : "The session's context is full";
    return outcome(ClaudeErrorCode.PromptTooLong, `${what}: ${detail}`, { clearSession: !onlyTurn });
  }
  if (ev.categories.includes("model_not_found") || MODEL_NOT_FOUND_RE.test(ev.text)) {
    return outcome(ClaudeErrorCode.ModelNotFound, `Model not available: ${detail}`);
  }
  if (has(QUOTA_ERRORS) || CREDIT_RE.test(ev.text)) {
    return outcome(ClaudeErrorCode.ProviderQuota, `Anthropic credit balance too low: ${detail}`, {
      errorFamily: "provider_quota",
      errorMeta: { quota: "credit_balance" },
    });
  }
  if (SUBSCRIPTION_LIMIT_RE.test(ev.text) || summary.rateLimit?.status === "rejected") {
    return outcome(ClaudeErrorCode.ProviderQuota, `Claude usage limit reached: ${detail}`, {
      errorFamily: "provider_quota",
      retryNotBefore: quotaRetryNotBefore(summary, ev.text, now),
      errorMeta: { quota: "subscription_limit" },
    });
  }
  const transientStatus = ev.statuses.some((s) => s === 429 || s === 529 || (s >= 500 && s < 600));
  if (
    has(TRANSIENT_ERRORS) ||
    transientStatus ||
    RATE_LIMIT_RE.test(ev.text) ||
    OVERLOADED_RE.test(ev.text)
  ) {
    return outcome(ClaudeErrorCode.TransientUpstream, `Anthropic API temporarily unavailable: ${detail}`, {
      errorFamily: "transient_upstream",
    });
  }
  return null;
}

function interrupted(input: ClassifyInput, ev: Evidence): RunClassification {
  const signal = input.signal ?? null;
  const how = signal !== null ? `signal ${signal}` : `exit code ${input.exitCode ?? "null"}`;
  const reason = ev.terminalReason !== null ? `, terminal_reason=${ev.terminalReason}` : "";
  return outcome(ClaudeErrorCode.Interrupted, `Claude reported the run as interrupted (${how}${reason})`);
}

function classifyWithoutResult(input: ClassifyInput, ev: Evidence, now: Date): RunClassification {
  const { summary, exitCode } = input;
  const signal = input.signal ?? null;
  const stderrLine = firstLine(input.stderr ?? "");
  if (UNKNOWN_SESSION_RE.test(ev.text)) {
    return outcome(ClaudeErrorCode.UnknownSession, `Claude session to resume was not found: ${stderrLine}`, {
      clearSession: true,
    });
  }
  const noEvents = summary.counts.events === 0;
  if (noEvents && exitCode !== null && exitCode !== 0 && signal === null) {
    const api = classifyApiFailure(summary, ev, stderrLine, now);
    if (api !== null) return api;
    return outcome(
      ClaudeErrorCode.StartupFailed,
      `Claude exited with code ${exitCode} before starting${stderrLine ? `: ${stderrLine}` : ""}`,
    );
  }
  if (signal !== null || exitCode === 137 || exitCode === 143) {
    const how = signal !== null ? `signal ${signal}` : `exit code ${exitCode}`;
    return outcome(ClaudeErrorCode.Killed, `Claude was terminated (${how}) before writing a result`);
  }
  const api = summary.assistantErrors.length > 0 ? classifyApiFailure(summary, ev, stderrLine, now) : null;
  if (api !== null) return api;
  return outcome(
    ClaudeErrorCode.Incomplete,
    `Claude exited (code ${exitCode ?? "null"}) without a result${stderrLine ? `: ${stderrLine}` : ""}`,
  );
}

/**
 * Maps a finished run to Paperclip's error fields. Reads only structured data — the final result's
 * subtype / is_error / errors / terminal_reason / stop_reason / api_error_status / num_turns / cost and
 * modelUsage (prompt too long: the only turn, or a full context), `api_retry` events, assistant `error` /
 * `aborted` fields, the CLI's `[Request interrupted by user]` message, rate-limit events — plus stderr; never
 * assistant prose or tool output.
 */
export function classifyRun(input: ClassifyInput): RunClassification {
  const now = input.now ?? new Date();
  const { summary } = input;
  if (input.timedOut) {
    const after = input.timeoutSec !== undefined ? ` after ${input.timeoutSec}s` : "";
    return outcome(ClaudeErrorCode.Timeout, `Timed out${after}`);
  }
  const ev = collectEvidence(summary, input.stderr ?? "");
  if (
    summary.interrupted ||
    (ev.terminalReason !== null && ABORTED_TERMINAL_REASONS.has(ev.terminalReason))
  ) {
    return interrupted(input, ev);
  }
  const result = summary.resultJson;
  if (result === null) return classifyWithoutResult(input, ev, now);

  const subtype = asNonEmptyString(result.subtype) ?? "unknown";
  const errors = errorStrings(result.errors);
  const detail = clip(
    errors[0] ??
      (result.is_error === true ? asNonEmptyString(result.result) : undefined) ??
      `subtype=${subtype}`,
  );
  const stopReason = asNonEmptyString(result.stop_reason);

  if (errors.some((e) => UNKNOWN_SESSION_RE.test(e))) {
    return outcome(ClaudeErrorCode.UnknownSession, `Claude session to resume was not found: ${detail}`, {
      clearSession: true,
    });
  }
  const startupFailure = asNonEmptyString(result.startup_failure_reason);
  if (startupFailure !== undefined) {
    return outcome(ClaudeErrorCode.StartupFailed, `Claude could not start (${startupFailure}): ${detail}`);
  }
  if (subtype === "error_max_turns" || ev.terminalReason === "max_turns") {
    return outcome(ClaudeErrorCode.MaxTurns, `Claude reached the max-turns limit: ${detail}`, {
      clearSession: true,
    });
  }
  if (subtype === "error_max_budget_usd" || ev.terminalReason === "budget_exhausted") {
    return outcome(ClaudeErrorCode.BudgetExhausted, `Claude reached its budget limit: ${detail}`);
  }
  if (stopReason === "refusal" || subtype === "refusal" || subtype === "model_refusal") {
    return outcome(ClaudeErrorCode.Refusal, "The model refused to continue (stop_reason=refusal)", {
      errorFamily: "model_refusal",
    });
  }
  const failed = result.is_error === true || subtype !== "success";
  if (!failed) return SUCCESS;
  const api = classifyApiFailure(summary, ev, detail, now);
  if (api !== null) return api;
  const apiError = ev.terminalReason === "api_error" || ev.categories.length > 0 || ev.statuses.length > 0;
  return outcome(
    apiError ? ClaudeErrorCode.ApiError : ClaudeErrorCode.RunFailed,
    `Claude run failed: subtype=${subtype}: ${detail}`,
  );
}
