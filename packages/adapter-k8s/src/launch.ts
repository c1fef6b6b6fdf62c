import type { V1Job } from "@kubernetes/client-node";
import {
  apiError,
  isJobFinished,
  type JobLaunchEvent,
  type K8sErrorCode,
  K8sRuntimeError,
  normalizeApiError,
} from "@paperclip-k8s/k8s-runtime";
import type { RunLog } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import { ClaudeK8sError, type ErrorCode, ErrorCodes } from "./errors.js";
import { ANNOTATIONS, LABELS, sameWork } from "./identity.js";
import type { RunPlan } from "./prepare.js";
import { buildSecretManifest } from "./run-secret.js";

/** The Job this run follows: created by it, or adopted from an earlier run of the same agent, task and session. */
export interface Launched {
  job: V1Job;
  adopted: boolean;
  secretNames: string[];
}

const LIST_TIMEOUT_MS = 15_000;

/** The Paperclip error code for each failed step of k8s-runtime's create-or-adopt. */
const LAUNCH_CODES: Partial<Record<K8sErrorCode, ErrorCode>> = {
  k8s_job_create_failed: ErrorCodes.jobCreateFailed,
  k8s_secret_create_failed: ErrorCodes.secretCreateFailed,
  k8s_job_check_failed: ErrorCodes.concurrencyCheckFailed,
  k8s_job_adopt_failed: ErrorCodes.concurrentRunBlocked,
};

/** A k8s-runtime failure as the adapter's error with `code`, keeping its message and the server's status. */
function withCode(code: ErrorCode, error: K8sRuntimeError): ClaudeK8sError {
  return new ClaudeK8sError(
    code,
    error.message,
    error.api ? { status: error.api.status, reason: error.api.reason } : {},
  );
}

function describeJob(job: V1Job): string {
  const run = job.metadata?.annotations?.[ANNOTATIONS.runId] ?? job.metadata?.labels?.[LABELS.run] ?? "?";
  const state = job.metadata?.deletionTimestamp ? "terminating" : "running";
  return `Job ${job.metadata?.name} (run ${run}, ${state})`;
}

/**
 * Every Job competing for this run's slot. Fails closed: if the cluster cannot say, the run does not start.
 */
export async function listSlotJobs(cluster: ClusterContext, plan: RunPlan): Promise<V1Job[]> {
  try {
    return await cluster.listJobs(plan.identity.slotSelector, LIST_TIMEOUT_MS);
  } catch (error) {
    throw withCode(
      ErrorCodes.concurrencyCheckFailed,
      apiError("concurrency check (list Jobs of this agent)", error),
    );
  }
}

/** Deletes finished Jobs of this slot older than the bound (Secrets follow through their ownerReference). */
export async function sweepFinishedJobs(
  cluster: ClusterContext,
  jobs: V1Job[],
  maxAgeSec: number,
  log: RunLog,
  now = Date.now(),
): Promise<V1Job[]> {
  const kept: V1Job[] = [];
  for (const job of jobs) {
    const finishedAt = job.status?.completionTime ?? job.metadata?.creationTimestamp;
    const age = finishedAt ? (now - new Date(finishedAt).getTime()) / 1000 : 0;
    if (!isJobFinished(job) || age < maxAgeSec) {
      kept.push(job);
      continue;
    }
    try {
      await cluster.deleteJob(job);
      await log.status(`swept finished Job ${job.metadata?.name} (${Math.round(age)}s old)`);
    } catch (error) {
      await log.status(`could not sweep Job ${job.metadata?.name}: ${normalizeApiError(error).message}`);
      kept.push(job);
    }
  }
  return kept;
}

/**
 * Starts the run's Job, or adopts the live Job of the same agent, task and session (k8s-runtime's create-or-adopt:
 * the Job first, its Secrets right after, owned by it; a Job a crash left without its Secret is replaced). Anything
 * else alive in the slot blocks the run.
 */
export async function launchOrAdopt(
  cluster: ClusterContext,
  plan: RunPlan,
  existing: V1Job[],
  log: RunLog,
): Promise<Launched> {
  const runId = plan.identity.annotations[ANNOTATIONS.runId] ?? "";
  const secrets = plan.secrets.map((planned) =>
    buildSecretManifest(planned, {
      namespace: plan.namespace,
      labels: { ...plan.identity.labels },
      annotations: { [ANNOTATIONS.runId]: runId },
    }),
  );
  let result: Awaited<ReturnType<ClusterContext["createOrAdoptJob"]>>;
  try {
    result = await cluster.createOrAdoptJob({
      job: plan.job,
      secrets,
      existing,
      isSameWork: (job) => sameWork(plan.identity, job.metadata ?? {}),
      adoption: {
        labels: { [LABELS.run]: plan.identity.labels[LABELS.run] ?? "" },
        annotations: { [ANNOTATIONS.runId]: runId },
      },
      onEvent: (event) => log.status(describeLaunch(event, plan)),
    });
  } catch (error) {
    const code = error instanceof K8sRuntimeError ? LAUNCH_CODES[error.code] : undefined;
    throw code && error instanceof K8sRuntimeError ? withCode(code, error) : error;
  }
  if (result.outcome === "blocked") {
    throw new ClaudeK8sError(
      ErrorCodes.concurrentRunBlocked,
      `another run of this agent is still live in the cluster: ${result.jobs.map(describeJob).join("; ")}`,
      { jobs: result.jobs.map((j) => j.metadata?.name) },
    );
  }
  return { job: result.job, adopted: result.outcome === "adopted", secretNames: result.secretNames };
}

function describeLaunch(event: JobLaunchEvent, plan: RunPlan): string {
  const { job } = event;
  const name = job.metadata?.name;
  switch (event.type) {
    case "created":
      return `created Job ${plan.namespace}/${name} (uid ${job.metadata?.uid})`;
    case "adopted": {
      const previousRun = event.previous.metadata?.annotations?.[ANNOTATIONS.runId] ?? "?";
      return `adopted running Job ${plan.namespace}/${name} (uid ${event.previous.metadata?.uid}) of run ${previousRun}: same agent, task and session`;
    }
    case "replacing":
      return `Job ${name} of the same work never started and lacks its Secret ${event.missingSecret}: replacing it`;
    case "removed":
      return `removed the finished Job ${name} of an earlier run to reuse its name`;
  }
}
