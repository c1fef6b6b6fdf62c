import type {
  AdapterExecutionContext,
  AdapterExecutionResult,
  AdapterRuntime,
} from "@paperclip-k8s/claude-parse";
import { ClaudeConfigError } from "@paperclip-k8s/claude-parse";
import { K8sRuntimeError } from "@paperclip-k8s/k8s-runtime";
import { deleteRunObjects } from "./cleanup.js";
import { type ClusterContext, connect } from "./cluster.js";
import { type ClaudeK8sConfig, parseConfig } from "./config.js";
import { ClaudeK8sError, ConfigError, ErrorCodes } from "./errors.js";
import { type Launched, launchOrAdopt, listSlotJobs, sweepFinishedJobs } from "./launch.js";
import { makeRedactor, type Observation, observeRun } from "./observe.js";
import { defaultPrepareDeps, type PrepareDeps, prepareRun, type RunPlan } from "./prepare.js";
import { buildResult, errorResult } from "./result.js";
import { RunLog } from "./run-log.js";

export interface ExecuteDeps {
  prepare: PrepareDeps;
  connect: (config: ClaudeK8sConfig) => Promise<ClusterContext>;
}

const defaultDeps: ExecuteDeps = { prepare: defaultPrepareDeps, connect };

/** Concurrency slots taken by runs of this process (the in-process half of "one live Job per slot"). */
const liveSlots = new Map<string, string>();

/**
 * One Paperclip run = one Kubernetes Job running the Claude Code CLI:
 * parse the config -> connect -> plan the Job -> take the slot -> launch (or adopt) the Job -> follow it to its
 * end -> build the result -> clean up. A resumed session the CLI no longer knows is retried once, fresh.
 */
export function createExecute(deps: ExecuteDeps = defaultDeps) {
  return async function execute(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
    const log = new RunLog(ctx.onLog);
    try {
      const config = parseConfig(ctx.config);
      await ctx.onCancellationReady?.();
      if (ctx.signal?.aborted) return cancelledBeforeStart();
      const cluster = await deps.connect(config);
      const plan = await prepareRun(ctx, config, cluster, deps.prepare);
      return await holdingSlot(plan.identity.concurrencyKey, ctx.runId, () =>
        runWithFreshSessionFallback(ctx, config, cluster, plan, log, deps),
      );
    } catch (error) {
      const failure = asAdapterError(error);
      await log.status(`run failed (${failure.code}): ${failure.message}`);
      return errorResult(failure);
    } finally {
      await log.flush();
    }
  };
}

/** One attempt; if it resumed a session the CLI does not know, one more attempt with a fresh session. */
async function runWithFreshSessionFallback(
  ctx: AdapterExecutionContext,
  config: ClaudeK8sConfig,
  cluster: ClusterContext,
  plan: RunPlan,
  log: RunLog,
  deps: ExecuteDeps,
): Promise<AdapterExecutionResult> {
  const result = await runAttempt(ctx, config, cluster, plan, log);
  if (!plan.resume.resume || result.errorCode !== "claude_unknown_session" || ctx.signal?.aborted)
    return result;
  await log.status(
    `session ${plan.resume.sessionId} is unknown to the CLI; retrying once with a fresh session`,
  );
  const fresh = await prepareRun(
    { ...ctx, runtime: freshRuntime(ctx.runtime) },
    config,
    cluster,
    deps.prepare,
  );
  const retried = await runAttempt(ctx, config, cluster, fresh, log);
  return retried.sessionId
    ? retried
    : { ...retried, clearSession: true, sessionParams: null, sessionId: null };
}

/** Launch or adopt the Job, follow it, build the result, clean up. Own objects never outlive a failed attempt. */
async function runAttempt(
  ctx: AdapterExecutionContext,
  config: ClaudeK8sConfig,
  cluster: ClusterContext,
  plan: RunPlan,
  log: RunLog,
): Promise<AdapterExecutionResult> {
  for (const note of plan.notes) await log.status(note);
  let launched: Launched | undefined;
  try {
    const competing = await listSlotJobs(cluster, plan);
    const existing = await sweepFinishedJobs(cluster, competing, config.cleanup.orphanMaxAgeSec, log);
    markDispatched(ctx);
    await reportInvocation(ctx, plan);
    launched = await launchOrAdopt(cluster, plan, existing, log);
    const observation = await observeRun(
      cluster,
      config,
      launched,
      log,
      makeRedactor(plan.secretValues),
      ctx.signal,
    );
    const result = buildResult(observation, plan, launched, config.run.timeoutSec);
    await finishRun(cluster, config, launched, observation, log);
    return result;
  } catch (error) {
    if (launched && !launched.adopted) await deleteRunObjects(cluster, launched, log);
    throw error;
  }
}

/** Deletes the Job and its Secrets unless retainJobs; an adopted Job whose end we did not see is left alone. */
async function finishRun(
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  launched: Launched,
  observation: Observation,
  log: RunLog,
): Promise<void> {
  const ended = ["complete", "failed", "deleted"].includes(observation.run.outcome.kind);
  if (observation.cancelled) {
    await deleteRunObjects(cluster, launched, log);
    await log.status(`cancelled: deleted Job ${launched.job.metadata?.name} and its Secrets`);
    return;
  }
  if (config.cleanup.retainJobs) {
    await log.status(
      `retainJobs: kept Job ${launched.job.metadata?.name} (TTL ${config.pod.ttlSecondsAfterFinished}s)`,
    );
    return;
  }
  if (launched.adopted && !ended) {
    await log.status(
      `left the adopted Job ${launched.job.metadata?.name} in place (its end was not observed)`,
    );
    return;
  }
  if (observation.run.outcome.kind !== "deleted") await deleteRunObjects(cluster, launched, log);
}

/** Runs `work` holding this process's slot for the key; a second run of the same slot is refused at once. */
async function holdingSlot<T>(key: string, runId: string, work: () => Promise<T>): Promise<T> {
  const holder = liveSlots.get(key);
  if (holder !== undefined) {
    throw new ClaudeK8sError(
      ErrorCodes.concurrentRunBlocked,
      holder === runId
        ? `run ${runId} is already executing in this process`
        : `run ${holder} of this agent is still in progress in this Paperclip process`,
      { blockingRunId: holder },
    );
  }
  liveSlots.set(key, runId);
  try {
    return await work();
  } finally {
    liveSlots.delete(key);
  }
}

/** Tells Paperclip remote work is starting; servers without onDispatch get onSpawn (no local pid exists). */
function markDispatched(ctx: AdapterExecutionContext): void {
  if (ctx.onDispatch) {
    ctx.onDispatch();
    return;
  }
  void ctx.onSpawn?.({ pid: process.pid, processGroupId: null, startedAt: new Date().toISOString() });
}

async function reportInvocation(ctx: AdapterExecutionContext, plan: RunPlan): Promise<void> {
  const [command = "claude", ...args] = plan.argv;
  try {
    await ctx.onMeta?.({
      adapterType: "claude_k8s",
      command,
      cwd: plan.cwd,
      commandArgs: args,
      commandNotes: [
        `Kubernetes Job ${plan.namespace}/${plan.identity.jobName}`,
        plan.resume.resume ? `resuming session ${plan.resume.sessionId}` : "fresh session",
        `workspace: ${plan.workspace.kind === "pvc" ? `PVC ${plan.workspace.claimName}` : "emptyDir"}`,
      ],
      env: plan.envForLogs,
      prompt: plan.prompt,
      promptMetrics: { promptChars: plan.prompt.length },
    });
  } catch {
    // Metadata is informational; never fail a run over it.
  }
}

function freshRuntime(runtime: AdapterRuntime): AdapterRuntime {
  return { ...runtime, sessionId: null, sessionParams: null, sessionDisplayId: null };
}

function cancelledBeforeStart(): AdapterExecutionResult {
  return {
    exitCode: null,
    signal: "SIGTERM",
    timedOut: false,
    errorCode: ErrorCodes.cancelled,
    errorMessage: "Run cancelled before its Job was created",
  };
}

export function asAdapterError(error: unknown): ClaudeK8sError {
  if (error instanceof ClaudeK8sError) return error;
  if (error instanceof ClaudeConfigError)
    return new ConfigError([{ field: error.field, message: error.message }]);
  if (error instanceof RangeError)
    return new ClaudeK8sError(ErrorCodes.configInvalid, `run Secret too large: ${error.message}`);
  if (error instanceof K8sRuntimeError) {
    const code =
      error.code === "k8s_config_invalid" || error.code === "k8s_not_in_cluster"
        ? ErrorCodes.configInvalid
        : ErrorCodes.apiError;
    return new ClaudeK8sError(code, error.message, error.api ? { ...error.api } : {});
  }
  return new ClaudeK8sError(ErrorCodes.apiError, error instanceof Error ? error.message : String(error));
}
