import { buildClaudeArgs } from "@paperclip-k8s/claude-parse";
import {
  type AdapterExecutionContext,
  type AdapterExecutionResult,
  type AttemptOutcome,
  type AttemptRequest,
  type BillingType,
  buildRunEnv,
  configInvalid,
  createExecute,
  failureResult,
  type InstructionsBundle,
  RunErrorCodes,
  type RunLog,
  type RunScope,
  redactEnv,
  renderPrompt,
  resolveBillingType,
  resolveInstructionsBundle,
  resolvePaperclipApiUrl,
  sessionScopeParams,
  type Transport,
  toAdapterResult,
} from "@paperclip-k8s/run-core";
import { ADAPTER_TYPE, type LocalAdapterConfig, parseLocalConfig } from "./config.js";
import { resolveCommand } from "./host/command.js";
import { claudeHomeOf, inheritedEnv } from "./host/env.js";
import { type HostRunFilesPlan, materializeHostRunFiles, planHostRunFiles } from "./host/run-files.js";
import { chooseCwd, ensureCwd } from "./host/workspace.js";
import { runAttempt } from "./run/attempt.js";

export { ADAPTER_TYPE };

/** Where and how the CLI runs on this host, resolved before anything is started. */
interface LocalTarget {
  /** The config with `instructionsFilePath` replaced by the checked file's real path. */
  config: LocalAdapterConfig;
  scope: RunScope;
  /** Absolute path of the CLI. */
  command: string;
  cwd: string;
  /** Complete child environment. */
  env: Record<string, string>;
  /** What `onMeta` shows: the variables this adapter sets, secrets redacted. */
  loggedEnv: Record<string, string>;
  billingType: BillingType;
  /** Skills, instructions bundle and MCP config to ship (written by each attempt). */
  runFiles: HostRunFilesPlan;
}

/** `claude_cli`: run-core's lifecycle over a local process group. */
export const localTransport: Transport<LocalAdapterConfig, LocalTarget> = {
  adapterType: ADAPTER_TYPE,
  parseConfig: (raw) => ({ config: parseLocalConfig(raw), warnings: [] }),
  prepare: prepareHost,
  attempt: runOnHost,
};

export const execute: (ctx: AdapterExecutionContext) => Promise<AdapterExecutionResult> =
  createExecute(localTransport);

async function prepareHost(
  ctx: AdapterExecutionContext,
  input: LocalAdapterConfig,
  log: RunLog,
): Promise<LocalTarget> {
  const { config, instructions } = await withAllowedInstructions(ctx, input, log);
  const cwd = chooseCwd(config.cwd, ctx.context);
  await ensureCwd(cwd);
  const runEnv = buildRunEnv({
    runId: ctx.runId,
    agent: ctx.agent,
    context: ctx.context,
    authToken: ctx.authToken,
    apiUrl: resolvePaperclipApiUrl(config.paperclipApiUrl, process.env)?.url,
    userEnv: config.env,
    workspaceCwd: cwd,
  });
  const env = { ...inheritedEnv(), ...runEnv };
  assertPermissionModeAllowed(config, env);
  const command = await resolveCommand(config.command, cwd, env.PATH);
  const claudeHome = claudeHomeOf(env);
  const runFiles = await planHostRunFiles(ctx, instructions, log);
  return {
    config,
    scope: {
      cwd,
      claudeHome,
      instructionsFilePath: config.invocation.instructionsFilePath,
      // a changed bundle or MCP server set starts a fresh session (issue 14 item 5)
      promptBundleKey: runFiles.prepared.bundle.digest,
      mcpServerIdentity: runFiles.mcp.identity,
      persistentHome: true,
    },
    command,
    cwd,
    env,
    loggedEnv: redactEnv({ ...runEnv, HOME: env.HOME ?? "", CLAUDE_CONFIG_DIR: claudeHome }),
    billingType: resolveBillingType(env),
    runFiles,
  };
}

/** One CLI process: report the invocation, run it in its own process group, map what it printed. */
async function runOnHost(request: AttemptRequest<LocalAdapterConfig, LocalTarget>): Promise<AttemptOutcome> {
  const resumeSessionId = request.resume.resume ? request.resume.sessionId : undefined;
  const files = await materializeHostRunFiles(request.target.runFiles);
  try {
    return await runWithFiles(request, files, resumeSessionId);
  } finally {
    await files.cleanup();
  }
}

async function runWithFiles(
  { ctx, target, log, stop }: AttemptRequest<LocalAdapterConfig, LocalTarget>,
  files: Awaited<ReturnType<typeof materializeHostRunFiles>>,
  resumeSessionId: string | undefined,
): Promise<AttemptOutcome> {
  const config = target.config;
  const args = buildClaudeArgs({
    ...config.invocation,
    // the shipped entry (with its path directive) when there is a bundle, else the checked file
    instructionsFilePath: files.appendSystemPromptFile ?? config.invocation.instructionsFilePath,
    addDirs: files.addDirs,
    mcpConfigPath: files.mcpConfigPath,
    resumeSessionId,
  });
  const prompt = renderPrompt({
    runId: ctx.runId,
    agent: { ...ctx.agent },
    context: ctx.context,
    promptTemplate: config.promptTemplate,
    bootstrapPromptTemplate: config.bootstrapPromptTemplate,
    resumedSession: resumeSessionId !== undefined,
  });
  await ctx.onMeta?.({
    adapterType: ADAPTER_TYPE,
    command: target.command,
    cwd: target.cwd,
    commandArgs: args,
    commandNotes: [
      resumeSessionId === undefined ? "fresh session" : `resuming session ${resumeSessionId}`,
      ...files.notes,
    ],
    env: target.loggedEnv,
    prompt,
    promptMetrics: { promptChars: prompt.length },
  });
  await log.flush();
  const attempt = await runAttempt(
    {
      command: target.command,
      args,
      cwd: target.cwd,
      env: target.env,
      prompt,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      terminalResultGraceMs: config.terminalResultGraceMs,
      // A local process cannot outlive its follower to be adopted later: any stop ends the process group.
      signal: stop.any,
    },
    { onLog: ctx.onLog, onSpawn: ctx.onSpawn },
  );
  const spawnError = attempt.process.spawnError;
  if (spawnError !== null) {
    const failure = {
      code: RunErrorCodes.adapterFailed,
      message: `Failed to start "${target.command}": ${spawnError.code ?? spawnError.message}`,
    };
    return { result: failureResult(failure), ended: "ran" };
  }
  const result: AdapterExecutionResult = toAdapterResult({
    summary: attempt.summary,
    exitCode: attempt.exitCode,
    signal: attempt.signal,
    stderr: attempt.stderrTail,
    timedOut: attempt.timedOut,
    timeoutSec: config.timeoutSec,
    classification: attempt.classification,
    billingType: target.billingType,
    sessionParams: { ...sessionScopeParams(target.scope) },
  });
  if (attempt.endedAfterResult) result.resultJson = { ...result.resultJson, processEndedAfterResult: true };
  // The process group is gone when runAttempt returns: a cancel is confirmed.
  return { result, ended: attempt.cancelled ? "cancelled" : "ran" };
}

/**
 * Claude Code refuses `--dangerously-skip-permissions` for root unless told the host is a sandbox (IS_SANDBOX=1).
 * Fail before starting anything, with the ways out.
 */
function assertPermissionModeAllowed(config: LocalAdapterConfig, env: Record<string, string>): void {
  if (!config.invocation.dangerouslySkipPermissions || process.getuid?.() !== 0) return;
  if (env.IS_SANDBOX === "1" || env.CLAUDE_CODE_BUBBLEWRAP === "1") return;
  throw configInvalid(ADAPTER_TYPE, [
    {
      field: "dangerouslySkipPermissions",
      message:
        "is refused by Claude Code when the server runs as root: run Paperclip as a non-root user, set it to false, " +
        'or add env IS_SANDBOX: "1" if this host is a disposable sandbox',
    },
  ]);
}

/**
 * The instructions file passes run-core's rule, the same as claude_k8s's (the agent's managed bundle or the
 * operator's roots; never /proc, /sys, /dev, escaping symlinks or non-regular files); the CLI then reads the checked
 * real path. A file missing inside an allowed root is a warning, and the run goes on without it.
 */
async function withAllowedInstructions(
  ctx: AdapterExecutionContext,
  config: LocalAdapterConfig,
  log: RunLog,
): Promise<{ config: LocalAdapterConfig; instructions: InstructionsBundle | undefined }> {
  const path = config.invocation.instructionsFilePath;
  if (path === undefined) return { config, instructions: undefined };
  const bundle = await resolveInstructionsBundle({
    instructionsFilePath: path,
    adapterType: ADAPTER_TYPE,
    companyId: ctx.agent.companyId,
    agentId: ctx.agent.id,
    serverEnv: process.env,
  });
  if (bundle === undefined) return { config, instructions: undefined };
  if (bundle.kind === "missing") {
    await log.warn(`instructions file ${bundle.message}; continuing without it`);
    return {
      config: { ...config, invocation: { ...config.invocation, instructionsFilePath: undefined } },
      instructions: undefined,
    };
  }
  // the session stays keyed by the checked file's real path; the CLI reads the shipped copy beside its siblings
  return {
    config: { ...config, invocation: { ...config.invocation, instructionsFilePath: bundle.realPath } },
    instructions: bundle,
  };
}
