import {
  type ClassifyInput,
  classifyRun,
  type ErrorFamily,
  type RunClassification,
} from "@paperclip-k8s/claude-parse";
import type { AdapterBillingType, AdapterExecutionResult } from "./contract.js";

export type BillingType = AdapterBillingType;

/**
 * Paperclip's `AdapterExecutionResult` as a Claude run fills it (`errorFamily` narrowed to what `classifyRun`
 * produces), so it is assignable to Paperclip's type.
 */
export interface ClaudeAdapterResult extends AdapterExecutionResult {
  errorFamily?: ErrorFamily | null;
}

export interface ToAdapterResultInput extends ClassifyInput {
  billingType?: BillingType | null | undefined;
  /** Defaults to "anthropic". */
  biller?: string | undefined;
  /** Extra session params stored with the session id (cwd, promptBundleKey, ...). */
  sessionParams?: Record<string, unknown> | undefined;
  /** Pre-computed classification (otherwise `classifyRun(input)`). */
  classification?: RunClassification | undefined;
}

/** `billingType` the way Paperclip derives it from the CLI's env. */
export function resolveBillingType(env: Readonly<Record<string, string | undefined>>): BillingType {
  const bedrock = env.CLAUDE_CODE_USE_BEDROCK;
  if (bedrock === "1" || bedrock === "true" || (env.ANTHROPIC_BEDROCK_BASE_URL ?? "") !== "")
    return "metered_api";
  if ((env.ANTHROPIC_API_KEY ?? "").trim() !== "") return "api";
  return "subscription";
}

/**
 * Builds the Paperclip adapter result of a finished Claude run: usage for this run only
 * (`usageBasis: "per_run"`), cost, session fields (omitted when the run produced no session, so the
 * previous one is kept; nulled when the session must be cleared), summary, result JSON and error fields.
 */
export function toAdapterResult(input: ToAdapterResultInput): ClaudeAdapterResult {
  const { summary } = input;
  const c = input.classification ?? classifyRun(input);
  const out: ClaudeAdapterResult = {
    exitCode: input.exitCode,
    signal: input.signal ?? null,
    timedOut: input.timedOut === true,
    provider: "anthropic",
    biller: input.biller ?? "anthropic",
    model: summary.model,
    billingType: input.billingType ?? null,
    costUsd: summary.costUsd,
    summary: summary.summary,
  };
  if (summary.usage !== null) {
    out.usage = {
      inputTokens: summary.usage.inputTokens + summary.usage.cacheCreationInputTokens,
      outputTokens: summary.usage.outputTokens,
      cachedInputTokens: summary.usage.cacheReadInputTokens,
    };
    out.usageBasis = "per_run";
  }
  if (c.clearSession) {
    out.clearSession = true;
    out.sessionId = null;
    out.sessionParams = null;
    out.sessionDisplayId = null;
  } else if (summary.sessionId !== null) {
    out.sessionId = summary.sessionId;
    out.sessionParams = { ...input.sessionParams, sessionId: summary.sessionId };
    out.sessionDisplayId = summary.sessionId;
  }
  const recovery: Record<string, unknown> = {};
  if (c.errorFamily !== null) recovery.errorFamily = c.errorFamily;
  if (c.retryNotBefore !== null) recovery.retryNotBefore = c.retryNotBefore;
  if (c.errorCode === "max_turns_exhausted") recovery.stopReason = "max_turns";
  out.resultJson =
    summary.resultJson !== null
      ? { ...summary.resultJson, ...recovery }
      : { status: summary.status, counts: summary.counts, ...recovery };
  if (c.failed) {
    out.errorCode = c.errorCode;
    out.errorMessage = c.errorMessage;
    out.errorFamily = c.errorFamily;
    out.retryNotBefore = c.retryNotBefore;
    if (c.errorMeta !== null) out.errorMeta = c.errorMeta;
  }
  return out;
}
