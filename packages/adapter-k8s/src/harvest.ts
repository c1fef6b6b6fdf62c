import type { V1Job } from "@kubernetes/client-node";
import { isJobFinished, jobSecretNames } from "@paperclip-k8s/k8s-runtime";
import type { AdapterExecutionContext, AdapterExecutionResult, RunLog } from "@paperclip-k8s/run-core";
import { deleteRunObjects } from "./cleanup.js";
import type { ClusterContext } from "./cluster.js";
import type { ClaudeK8sConfig } from "./config.js";
import { ANNOTATIONS, sameWork } from "./identity.js";
import type { Launched } from "./launch.js";
import { makeRedactor, observeRun } from "./observe.js";
import type { RunPlan } from "./prepare.js";
import { buildResult } from "./result.js";

/**
 * Harvest: a finished Job of the same agent, task and session that no run followed to its end (Paperclip crashed or
 * was stopped, and no wake came while it ran) holds paid work — its transcript (the pod's log), the session it made
 * and its usage. The next run of that work takes the slot's runner Lease (so no live runner follows the Job), reads
 * the whole log of the finished pod into its own run log, accounts the harvested usage and cost in its own result
 * (once: the harvested figures are added to the run's own), deletes the finished Job and its Secrets, and then runs
 * its own prompt on the harvested session (`--resume`).
 *
 * Window: the finished Job is deleted before the new Job is created (they share the slot's name), so if this process
 * dies after the deletion and before Paperclip books the run's result, the harvested usage is not booked (its
 * transcript is already in the run log).
 */
export interface Harvested {
  readonly jobName: string;
  readonly jobUid: string | undefined;
  /** The Paperclip run that started the harvested Job. */
  readonly runId: string;
  readonly sessionId: string | null;
  readonly result: AdapterExecutionResult;
}

/** Harvests found by a run, kept across its attempts (a fresh-session retry still books them, once). */
const harvests = new WeakMap<AdapterExecutionContext, Harvested>();

export function harvestOf(ctx: AdapterExecutionContext): Harvested | undefined {
  return harvests.get(ctx);
}

/**
 * The finished, not deleted Job of the same work in the slot that no run booked, if any. A Job its run followed to
 * the end and kept (retainJobs, or a delete that failed) carries the booked mark: harvesting it would book its
 * usage twice.
 */
export function findHarvestable(jobs: readonly V1Job[], plan: RunPlan): V1Job | undefined {
  return jobs.find(
    (job) =>
      isJobFinished(job) &&
      !job.metadata?.deletionTimestamp &&
      job.metadata?.annotations?.[ANNOTATIONS.bookedBy] === undefined &&
      sameWork(plan.identity, job.metadata ?? {}),
  );
}

/** Replays the finished Job's log into this run's log, builds its result, then deletes the Job and its Secrets. */
export async function harvestJob(
  ctx: AdapterExecutionContext,
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  job: V1Job,
  plan: RunPlan,
  log: RunLog,
): Promise<Harvested> {
  const name = job.metadata?.name ?? "";
  const runId = job.metadata?.annotations?.[ANNOTATIONS.runId] ?? "?";
  await log.status(
    `harvesting finished Job ${name} of run ${runId}: no run followed it to its end; its transcript follows`,
  );
  const launched: Launched = { job, adopted: true, secretNames: jobSecretNames(job) };
  const observation = await observeRun(
    cluster,
    config,
    launched,
    log,
    makeRedactor(plan.secretValues),
    undefined,
  );
  const result = buildResult(observation, plan, launched, config.run.timeoutSec);
  const harvested: Harvested = {
    jobName: name,
    jobUid: job.metadata?.uid,
    runId,
    sessionId: observation.summary.sessionId,
    result,
  };
  harvests.set(ctx, harvested);
  await log.status(
    `harvested run ${runId}: session ${harvested.sessionId ?? "none"}, cost ${result.costUsd ?? 0} USD, ` +
      `${result.usage?.inputTokens ?? 0} input / ${result.usage?.outputTokens ?? 0} output tokens (booked with this run)`,
  );
  const deleted = await deleteRunObjects(cluster, launched, log);
  const gone = deleted && (await cluster.waitUntilJobGone(job, 60_000));
  await log.status(
    gone ? `deleted the harvested Job ${name} and its Secrets` : `harvested Job ${name} is not gone yet`,
  );
  return harvested;
}

/**
 * The context the rest of the run uses: when the harvested session can be resumed (a persistent Claude home), the
 * run continues it, as if Paperclip had stored it.
 */
export function contextAfterHarvest(
  ctx: AdapterExecutionContext,
  harvested: Harvested,
  plan: RunPlan,
  persistentHome: boolean,
): AdapterExecutionContext | undefined {
  if (!harvested.sessionId || !persistentHome) return undefined;
  return {
    ...ctx,
    runtime: {
      ...ctx.runtime,
      sessionId: harvested.sessionId,
      sessionDisplayId: harvested.sessionId,
      sessionParams: { ...plan.sessionParams, sessionId: harvested.sessionId },
    },
  };
}

function sum(a: number | null | undefined, b: number | null | undefined): number | undefined {
  return a == null && b == null ? undefined : (a ?? 0) + (b ?? 0);
}

/** The run's own result plus the harvested run's usage and cost (added once), its session if the run made none. */
export function withHarvest(
  result: AdapterExecutionResult,
  harvested: Harvested | undefined,
): AdapterExecutionResult {
  if (!harvested) return result;
  const h = harvested.result;
  const out: AdapterExecutionResult = { ...result };
  if (h.usage || result.usage) {
    out.usage = {
      inputTokens: (result.usage?.inputTokens ?? 0) + (h.usage?.inputTokens ?? 0),
      outputTokens: (result.usage?.outputTokens ?? 0) + (h.usage?.outputTokens ?? 0),
      cachedInputTokens: (result.usage?.cachedInputTokens ?? 0) + (h.usage?.cachedInputTokens ?? 0),
    };
    out.usageBasis = "per_run";
  }
  const cost = sum(result.costUsd, h.costUsd);
  if (cost !== undefined) out.costUsd = cost;
  if (out.model == null && h.model != null) out.model = h.model;
  if (out.provider == null && h.provider != null) out.provider = h.provider;
  if (out.billingType == null && h.billingType != null) out.billingType = h.billingType;
  if (!result.sessionId && !result.clearSession && h.sessionId) {
    out.sessionId = h.sessionId;
    out.sessionParams = h.sessionParams ?? null;
    out.sessionDisplayId = h.sessionDisplayId ?? h.sessionId;
  }
  out.resultJson = {
    ...(result.resultJson ?? {}),
    harvested: {
      job: harvested.jobName,
      jobUid: harvested.jobUid ?? null,
      runId: harvested.runId,
      sessionId: harvested.sessionId,
      usage: h.usage ?? null,
      costUsd: h.costUsd ?? null,
      exitCode: h.exitCode,
      errorCode: h.errorCode ?? null,
      summary: h.summary ?? null,
    },
  };
  return out;
}
