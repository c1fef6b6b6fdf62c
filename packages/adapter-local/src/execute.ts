import { constants } from "node:fs";
import { access } from "node:fs/promises";
import type { AdapterExecutionContext, AdapterExecutionResult } from "@paperclip-k8s/claude-parse";
import {
  type BillingType,
  buildClaudeArgs,
  buildRunEnv,
  redactEnv,
  renderPrompt,
  resolveBillingType,
  toAdapterResult,
} from "@paperclip-k8s/claude-parse";
import { asConfigError, type LocalAdapterConfig, parseLocalConfig } from "./config.js";
import { ConfigError, LocalAdapterError } from "./errors.js";
import { resolveCommand } from "./host/command.js";
import { claudeHomeOf, inheritedEnv, paperclipApiUrl } from "./host/env.js";
import { chooseCwd, ensureCwd } from "./host/workspace.js";
import { type AttemptOutcome, runAttempt } from "./run/attempt.js";
import { decideResume, type ResumeDecision, type SessionScope, scopeParams } from "./session.js";

export const ADAPTER_TYPE = "claude_cli";

/** Everything a run needs, resolved and validated before anything is started. */
interface RunPlan {
  config: LocalAdapterConfig;
  /** Absolute path of the CLI. */
  command: string;
  cwd: string;
  /** Complete child environment. */
  env: Record<string, string>;
  /** What `onMeta` shows: the variables this adapter sets, secrets redacted. */
  loggedEnv: Record<string, string>;
  scope: SessionScope;
  billingType: BillingType;
}

/**
 * Runs one Paperclip heartbeat as a local `claude` process: plan the run, resume the stored session when it still
 * fits, run the CLI, retry once with a fresh session if the stored one is gone, and report in Paperclip's terms.
 */
export async function execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  let plan: RunPlan;
  try {
    plan = await planRun(ctx);
  } catch (error) {
    return setupFailure(error);
  }
  await ctx.onCancellationReady?.();

  const resume = decideResume(ctx.runtime, plan.scope);
  await reportResumeDecision(ctx, resume);
  const first = await invokeClaude(ctx, plan, resume.resume ? resume.sessionId : undefined);
  if (!needsFreshSession(first, resume)) return toPaperclipResult(plan, first);

  await note(
    ctx,
    `Claude session "${resume.sessionId}" is no longer available; retrying once with a fresh session.`,
  );
  const retry = await invokeClaude(ctx, plan, undefined);
  return toPaperclipResult(plan, retry, { replacesStoredSession: true });
}

async function planRun(ctx: AdapterExecutionContext): Promise<RunPlan> {
  const config = parseLocalConfig(ctx.config);
  await assertInstructionsReadable(config.invocation.instructionsFilePath);
  const cwd = chooseCwd(config.cwd, ctx.context);
  await ensureCwd(cwd);
  const runEnv = buildEnvOrThrow(ctx, config, cwd);
  const env = { ...inheritedEnv(), ...runEnv };
  assertPermissionModeAllowed(config, env);
  const command = await resolveCommand(config.command, cwd, env.PATH);
  const claudeHome = claudeHomeOf(env);
  return {
    config,
    command,
    cwd,
    env,
    loggedEnv: redactEnv({ ...runEnv, HOME: env.HOME ?? "", CLAUDE_CONFIG_DIR: claudeHome }),
    scope: { cwd, claudeHome, instructionsFilePath: config.invocation.instructionsFilePath },
    billingType: resolveBillingType(env),
  };
}

/**
 * Claude Code refuses `--dangerously-skip-permissions` for root unless told the host is a sandbox (IS_SANDBOX=1).
 * Fail before starting anything, with the ways out.
 */
function assertPermissionModeAllowed(config: LocalAdapterConfig, env: Record<string, string>): void {
  if (!config.invocation.dangerouslySkipPermissions || process.getuid?.() !== 0) return;
  if (env.IS_SANDBOX === "1" || env.CLAUDE_CODE_BUBBLEWRAP === "1") return;
  throw new ConfigError(
    "dangerouslySkipPermissions",
    "is refused by Claude Code when the server runs as root: run Paperclip as a non-root user, set it to false, " +
      'or add env IS_SANDBOX: "1" if this host is a disposable sandbox',
  );
}

async function assertInstructionsReadable(path: string | undefined): Promise<void> {
  if (path === undefined) return;
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new ConfigError("instructionsFilePath", `file ${path} does not exist or is not readable`);
  }
}

function buildEnvOrThrow(ctx: AdapterExecutionContext, config: LocalAdapterConfig, cwd: string) {
  try {
    return buildRunEnv({
      runId: ctx.runId,
      agent: ctx.agent,
      context: ctx.context,
      authToken: ctx.authToken,
      apiUrl: config.paperclipApiUrl ?? paperclipApiUrl(),
      userEnv: config.env,
      workspaceCwd: cwd,
    });
  } catch (error) {
    throw asConfigError(error);
  }
}

async function reportResumeDecision(ctx: AdapterExecutionContext, decision: ResumeDecision): Promise<void> {
  if (!decision.resume && decision.sessionId !== null) {
    await note(ctx, `Claude session "${decision.sessionId}" will not be resumed: ${decision.reason}.`);
  }
}

async function invokeClaude(
  ctx: AdapterExecutionContext,
  plan: RunPlan,
  resumeSessionId: string | undefined,
): Promise<AttemptOutcome | "cancelled_before_start"> {
  if (ctx.signal?.aborted) return "cancelled_before_start";
  const args = buildClaudeArgs({ ...plan.config.invocation, resumeSessionId });
  const prompt = renderPrompt({
    runId: ctx.runId,
    agent: { ...ctx.agent },
    context: ctx.context,
    promptTemplate: plan.config.promptTemplate,
    bootstrapPromptTemplate: plan.config.bootstrapPromptTemplate,
    resumedSession: resumeSessionId !== undefined,
  });
  await ctx.onMeta?.({
    adapterType: ADAPTER_TYPE,
    command: plan.command,
    cwd: plan.cwd,
    commandArgs: args,
    commandNotes: resumeSessionId === undefined ? ["fresh session"] : [`resuming session ${resumeSessionId}`],
    env: plan.loggedEnv,
    prompt,
    promptMetrics: { promptChars: prompt.length },
  });
  return runAttempt(
    {
      command: plan.command,
      args,
      cwd: plan.cwd,
      env: plan.env,
      prompt,
      timeoutSec: plan.config.timeoutSec,
      graceSec: plan.config.graceSec,
      terminalResultGraceMs: plan.config.terminalResultGraceMs,
      signal: ctx.signal,
    },
    { onLog: ctx.onLog, onSpawn: ctx.onSpawn },
  );
}

function needsFreshSession(
  attempt: AttemptOutcome | "cancelled_before_start",
  resume: ResumeDecision,
): resume is ResumeDecision & { resume: true } {
  return (
    resume.resume &&
    attempt !== "cancelled_before_start" &&
    attempt.process.stoppedBy === null &&
    attempt.classification.errorCode === "claude_unknown_session"
  );
}

function toPaperclipResult(
  plan: RunPlan,
  attempt: AttemptOutcome | "cancelled_before_start",
  options: { replacesStoredSession?: boolean } = {},
): AdapterExecutionResult {
  if (attempt === "cancelled_before_start") {
    // cancelled between the unknown-session failure and the retry: the stored session is still known to be gone
    return options.replacesStoredSession
      ? { ...cancelledResult(null), ...FORGET_SESSION }
      : cancelledResult(null);
  }
  const spawnError = attempt.process.spawnError;
  if (spawnError !== null) {
    return failure(
      "adapter_failed",
      `Failed to start "${plan.command}": ${spawnError.code ?? spawnError.message}`,
    );
  }
  const result: AdapterExecutionResult = toAdapterResult({
    summary: attempt.summary,
    exitCode: attempt.exitCode,
    signal: attempt.signal,
    stderr: attempt.stderrTail,
    timedOut: attempt.timedOut,
    timeoutSec: plan.config.timeoutSec,
    classification: attempt.classification,
    billingType: plan.billingType,
    sessionParams: { ...scopeParams(plan.scope) },
  });
  if (attempt.endedAfterResult) result.resultJson = { ...result.resultJson, processEndedAfterResult: true };
  if (options.replacesStoredSession && !result.sessionId && !result.clearSession) {
    // the stored session is gone and the retry produced none: make Paperclip forget it
    Object.assign(result, FORGET_SESSION);
  }
  if (attempt.cancelled) return { ...result, ...cancelledResult(attempt.signal) };
  return result;
}

const FORGET_SESSION = {
  clearSession: true,
  sessionId: null,
  sessionParams: null,
  sessionDisplayId: null,
} as const;

function cancelledResult(signal: string | null): AdapterExecutionResult {
  return {
    exitCode: null,
    signal,
    timedOut: false,
    errorCode: "cancelled",
    errorMessage: "Run cancelled",
    errorFamily: null,
    retryNotBefore: null,
  };
}

function failure(code: string, message: string, meta?: Record<string, unknown>): AdapterExecutionResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    errorCode: code,
    errorMessage: message,
    ...(meta === undefined ? {} : { errorMeta: meta }),
  };
}

function setupFailure(error: unknown): AdapterExecutionResult {
  if (error instanceof LocalAdapterError) {
    return failure(error.code, error.message, error.field === undefined ? undefined : { field: error.field });
  }
  return failure(
    "adapter_failed",
    `claude_cli setup failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/** An adapter note in the run log (stdout, like Paperclip's own `[paperclip]` lines). */
async function note(ctx: AdapterExecutionContext, text: string): Promise<void> {
  await ctx.onLog("stdout", `[paperclip] ${text}\n`);
}
