import {
  type AdapterExecutionContext,
  type AdapterExecutionResult,
  type AttemptOutcome,
  type AttemptRequest,
  createExecute,
  decideResume,
  type Failure,
  failureResult,
  type ResumeDecision,
  type RunLog,
  type RunScope,
  type Transport,
  toFailure,
} from "@paperclip-k8s/run-core";
import { collectUnusedBundles, ensureBundleObjects } from "./bundle-objects.js";
import { deleteRunObjects } from "./cleanup.js";
import { type ClusterContext, connect } from "./cluster.js";
import { type ClaudeK8sConfig, parseConfig } from "./config.js";
import { ClaudeK8sError, ErrorCodes } from "./errors.js";
import { contextAfterHarvest, findHarvestable, harvestJob, harvestOf, withHarvest } from "./harvest.js";
import { ADAPTER_TYPE, ANNOTATIONS } from "./identity.js";
import { type Launched, launchOrAdopt, listSlotJobs, sweepFinishedJobs } from "./launch.js";
import { makeRedactor, type Observation, observeRun } from "./observe.js";
import { assertPlanStartable } from "./preflight.js";
import { defaultPrepareDeps, type PrepareDeps, prepareRun, type RunPlan, resolveScope } from "./prepare.js";
import { checkPodCwd, truthfulSession } from "./records.js";
import { buildResult } from "./result.js";
import { type K8sRunFiles, planK8sRunFiles } from "./run-files.js";
import { takeSlotLease } from "./runner-lease.js";
import { sweepUnfollowedSecrets } from "./secret-sweep.js";

export interface ExecuteDeps {
  prepare: PrepareDeps;
  connect: (config: ClaudeK8sConfig) => Promise<ClusterContext>;
}

const defaultDeps: ExecuteDeps = { prepare: defaultPrepareDeps, connect };

/** The cluster a run talks to and where its session lives. */
interface K8sTarget {
  cluster: ClusterContext;
  scope: RunScope;
  /** Skills, instructions bundle and MCP config, read once per run (issue 14). */
  files: K8sRunFiles;
}

/** Concurrency slots taken by runs of this process (the in-process half of "one live Job per slot"). */
const liveSlots = new Map<string, string>();

/** `claude_k8s`: run-core's lifecycle over one Kubernetes Job per attempt. */
export function k8sTransport(deps: ExecuteDeps = defaultDeps): Transport<ClaudeK8sConfig, K8sTarget> {
  return {
    adapterType: ADAPTER_TYPE,
    parseConfig,
    prepare: async (ctx, config, log) => {
      const files = await planK8sRunFiles(ctx, config, deps.prepare.serverEnv);
      for (const warning of files.warnings) await log.warn(`warning: ${warning}`);
      const cluster = await deps.connect(config);
      return { cluster, files, scope: resolveScope(ctx, config, cluster, files) };
    },
    attempt: async (request) => {
      const { ctx, config, target } = request;
      const resume = checkPodCwd(request.resume, ctx.runtime.sessionParams, target.scope);
      if (resume !== request.resume && !resume.resume && resume.reason)
        await request.log.status(resume.reason);
      const plan = await prepareRun(ctx, config, target.cluster, deps.prepare, resume, target.files);
      // content-addressed, shared by every run with the same content: created once, before any Job mounts it
      if (plan.bundleObjects) await ensureBundleObjects(target.cluster, plan.bundleObjects, request.log);
      await collectUnusedBundles(target.cluster, request.log);
      const replan: Replan = (runCtx, decided) =>
        prepareRun(runCtx, config, target.cluster, deps.prepare, decided, target.files);
      const outcome = await holdingSlot(plan.identity.concurrencyKey, ctx.runId, () =>
        runJobAttempt({ ...request, resume }, plan, replan),
      );
      return { ...outcome, result: truthfulSession(outcome.result, target.scope) };
    },
    translateError,
  };
}

export function createK8sExecute(
  deps?: ExecuteDeps,
): (ctx: AdapterExecutionContext) => Promise<AdapterExecutionResult> {
  return createExecute(k8sTransport(deps));
}

type Replan = (ctx: AdapterExecutionContext, resume: ResumeDecision) => Promise<RunPlan>;

/**
 * Take the slot's runner Lease, harvest a finished Job of the same work no run followed, preflight the plan, launch
 * or adopt the Job, follow it, build the result, clean up. Own objects never outlive a failed attempt.
 */

async function runJobAttempt(
  request: AttemptRequest<ClaudeK8sConfig, K8sTarget>,
  planned: RunPlan,
  replan: Replan,
): Promise<AttemptOutcome> {
  const { ctx, config, target, log, stop } = request;
  const { cluster } = target;
  for (const note of planned.notes) await log.status(note);
  // The plan is complete and nothing exists yet: a pod that could never start is a config error now.
  await assertPlanStartable(cluster, config, planned);
  // Secrets of finished Jobs of this namespace no runner follows (any slot's): deleted now, not at the next harvest.
  await sweepUnfollowedSecrets(cluster, log);
  // The slot's runner Lease: a live runner's Job is never touched; the loser of a race books nothing.
  const lease = await takeSlotLease(cluster, planned, ctx.runId, log);
  const leaseLost = new AbortController();
  lease.startRenewing((reason) => {
    void log.warn(`lost the runner Lease (${reason}): stopped following the Job`);
    leaseLost.abort(new Error(reason));
  });
  const following = AbortSignal.any([stop.any, leaseLost.signal]);
  let plan = planned;
  let launched: Launched | undefined;
  try {
    let competing = await listSlotJobs(cluster, plan);
    const finished = harvestOf(ctx) ? undefined : findHarvestable(competing, plan);
    if (finished) {
      const harvested = await harvestJob(ctx, cluster, config, finished, plan, log);
      competing = competing.filter((job) => job.metadata?.uid !== finished.metadata?.uid);
      const continued = contextAfterHarvest(ctx, harvested, plan, target.scope.persistentHome);
      if (continued) {
        const resume = decideResume(continued.runtime, target.scope);
        await log.status(
          resume.resume
            ? `continuing the harvested session ${resume.sessionId} with this run's prompt`
            : `${resume.reason ?? "the harvested session cannot be resumed"}; this run's prompt starts a fresh session`,
        );
        plan = await replan(continued, resume);
      }
    }
    const existing = await sweepFinishedJobs(cluster, competing, config.cleanup.orphanMaxAgeSec, log);
    markDispatched(ctx);
    await reportInvocation(ctx, plan);
    launched = await launchOrAdopt(cluster, plan, existing, log);
    await lease.ownBy(launched.job).catch(() => undefined);
    const observation = await observeRun(
      cluster,
      config,
      launched,
      log,
      makeRedactor(plan.secretValues),
      following,
    );
    const result = withHarvest(
      buildResult(observation, plan, launched, config.run.timeoutSec),
      harvestOf(ctx),
    );
    if (stop.detach.aborted || (leaseLost.signal.aborted && !stop.cancel.aborted)) {
      await log.warn(`left Job ${launched.job.metadata?.name} running: the next run of this agent adopts it`);
      return { result, ended: "detached" };
    }
    const gone = await finishRun(cluster, config, launched, observation, log, ctx.runId);
    return { result, ended: observation.cancelled && gone ? "cancelled" : "ran" };
  } catch (error) {
    if (launched && !launched.adopted && !stop.detach.aborted) await deleteRunObjects(cluster, launched, log);
    const harvested = harvestOf(ctx);
    if (!harvested) throw error;
    // The harvested run's usage and session still reach Paperclip, with this run's failure.
    const failure = toFailure(error, translateError);
    await log.warn(`run failed after the harvest (${failure.code}): ${failure.message}`);
    return { result: withHarvest(failureResult(failure), harvested), ended: "ran" };
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/**
 * Deletes the Job and its Secrets unless retainJobs; an adopted Job whose end we did not see is left alone.
 * Resolves true when the run's objects are gone (what a cancel acknowledgement needs).
 */
async function finishRun(
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  launched: Launched,
  observation: Observation,
  log: RunLog,
  runId: string,
): Promise<boolean> {
  const name = launched.job.metadata?.name;
  const ended = ["complete", "failed", "deleted"].includes(observation.run.outcome.kind);
  if (observation.cancelled) {
    const gone = await deleteRunObjects(cluster, launched, log);
    await log.status(
      gone ? `cancelled: deleted Job ${name} and its Secrets` : `cancelled: Job ${name} could not be deleted`,
    );
    return gone;
  }
  if (config.cleanup.retainJobs) {
    if (ended) await markBooked(cluster, launched, runId);
    await log.status(`retainJobs: kept Job ${name} (TTL ${config.pod.ttlSecondsAfterFinished}s)`);
    return false;
  }
  if (launched.adopted && !ended) {
    await log.status(`left the adopted Job ${name} in place (its end was not observed)`);
    return false;
  }
  if (observation.run.outcome.kind === "deleted") return true;
  const gone = await deleteRunObjects(cluster, launched, log);
  if (!gone) await markBooked(cluster, launched, runId);
  return gone;
}

/** A Job that outlives the run that booked it is marked, so the next run never harvests (and books) it again. */
async function markBooked(cluster: ClusterContext, launched: Launched, runId: string): Promise<void> {
  try {
    await cluster.annotateJob(launched.job, { [ANNOTATIONS.bookedBy]: runId });
  } catch {
    // Best effort: without the mark the next run would replay the Job's transcript; its TTL still removes it.
  }
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
      adapterType: ADAPTER_TYPE,
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

/** k8s-runtime errors carry their own `k8s_*` code; they are named by it, never by class. */
function translateError(error: unknown): Failure | undefined {
  const { code, message, api } = (error ?? {}) as { code?: unknown; message?: unknown; api?: object };
  if (typeof code !== "string" || !code.startsWith("k8s_")) return undefined;
  const mapped =
    code === "k8s_config_invalid" || code === "k8s_not_in_cluster"
      ? ErrorCodes.configInvalid
      : ErrorCodes.apiError;
  return { code: mapped, message: String(message), meta: api ? { ...api } : {} };
}

/** Any error as the failure a run would report (for testEnvironment's checks). */
export function asAdapterError(error: unknown): Failure {
  return toFailure(error, translateError);
}
