import { setTimeout as sleep } from "node:timers/promises";
import type { V1Job, V1Secret } from "@kubernetes/client-node";
import {
  Backoff,
  isConflict,
  isNotFound,
  jobOwnerReference,
  normalizeApiError,
} from "@paperclip-k8s/k8s-runtime";
import { deleteJobBackground } from "./cleanup.js";
import type { ClusterContext } from "./cluster.js";
import { ClaudeK8sError, ErrorCodes } from "./errors.js";
import { ANNOTATIONS, LABELS, sameWork } from "./identity.js";
import type { RunPlan } from "./prepare.js";
import type { RunLog } from "./run-log.js";
import { buildSecretManifest } from "./run-secret.js";

/** The Job this run follows: created by it, or adopted from an earlier run of the same agent, task and session. */
export interface Launched {
  job: V1Job;
  adopted: boolean;
  secretNames: string[];
}

const LIST_TIMEOUT_MS = 15_000;
const GONE_TIMEOUT_MS = 60_000;
/** A Job of the same work without its Secrets this long after creation was left half-created by a crash. */
const HALF_CREATED_AFTER_MS = 30_000;

export function isTerminal(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

function describeJob(job: V1Job): string {
  const run = job.metadata?.annotations?.[ANNOTATIONS.runId] ?? job.metadata?.labels?.[LABELS.run] ?? "?";
  const state = job.metadata?.deletionTimestamp ? "terminating" : "running";
  return `Job ${job.metadata?.name} (run ${run}, ${state})`;
}

function apiFailure(
  code: (typeof ErrorCodes)[keyof typeof ErrorCodes],
  what: string,
  error: unknown,
): ClaudeK8sError {
  const api = normalizeApiError(error);
  const status = api.status === 0 ? api.reason : `${api.status} ${api.reason}`;
  return new ClaudeK8sError(code, `${what} failed: ${status}: ${api.message}`, {
    status: api.status,
    reason: api.reason,
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every Job competing for this run's slot. Fails closed: if the cluster cannot say, the run does not start.
 */
export async function listSlotJobs(cluster: ClusterContext, plan: RunPlan): Promise<V1Job[]> {
  try {
    const list = await withTimeout(
      cluster.clients.batch.listNamespacedJob({
        namespace: plan.namespace,
        labelSelector: plan.identity.slotSelector,
        timeoutSeconds: LIST_TIMEOUT_MS / 1000,
      }),
      LIST_TIMEOUT_MS,
      "listing Jobs",
    );
    return list.items;
  } catch (error) {
    throw apiFailure(ErrorCodes.concurrencyCheckFailed, "concurrency check (list Jobs of this agent)", error);
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
    if (!isTerminal(job) || age < maxAgeSec) {
      kept.push(job);
      continue;
    }
    try {
      await deleteJobBackground(cluster, job.metadata?.name ?? "", job.metadata?.uid);
      await log.status(`swept finished Job ${job.metadata?.name} (${Math.round(age)}s old)`);
    } catch (error) {
      await log.status(`could not sweep Job ${job.metadata?.name}: ${normalizeApiError(error).message}`);
      kept.push(job);
    }
  }
  return kept;
}

/**
 * Starts the run's Job, or adopts the live Job of the same agent, task and session. Anything else alive in the
 * slot blocks the run. The Job is created first and its Secrets right after, owned by it; if a Secret cannot be
 * created the Job is deleted again, so a failed launch leaves nothing half-created.
 */
export async function launchOrAdopt(
  cluster: ClusterContext,
  plan: RunPlan,
  existing: V1Job[],
  log: RunLog,
): Promise<Launched> {
  const live = existing.filter((j) => !isTerminal(j));
  const mine = live.find((j) => !j.metadata?.deletionTimestamp && sameWork(plan.identity, j.metadata ?? {}));
  if (mine) return adoptOrReplace(cluster, plan, mine, log);
  if (live.length > 0) throw blocked(live);
  const stale = existing.find((j) => j.metadata?.name === plan.identity.jobName);
  if (stale) await removeStale(cluster, stale, log);
  return create(cluster, plan, log, true);
}

function blocked(live: V1Job[]): ClaudeK8sError {
  return new ClaudeK8sError(
    ErrorCodes.concurrentRunBlocked,
    `another run of this agent is still live in the cluster: ${live.map(describeJob).join("; ")}`,
    { jobs: live.map((j) => j.metadata?.name) },
  );
}

async function create(
  cluster: ClusterContext,
  plan: RunPlan,
  log: RunLog,
  retryOnStale: boolean,
): Promise<Launched> {
  const { batch } = cluster.clients;
  let job: V1Job;
  try {
    job = await batch.createNamespacedJob({ namespace: plan.namespace, body: plan.job });
  } catch (error) {
    if (!isConflict(error))
      throw apiFailure(ErrorCodes.jobCreateFailed, `create Job ${plan.identity.jobName}`, error);
    // Lost a race for the slot (or a leftover with our name): decide from what is there now.
    const current = await readJob(cluster, plan.identity.jobName);
    if (!current) {
      if (retryOnStale) return create(cluster, plan, log, false);
      throw apiFailure(ErrorCodes.jobCreateFailed, `create Job ${plan.identity.jobName}`, error);
    }
    if (isTerminal(current) && retryOnStale) {
      await removeStale(cluster, current, log);
      return create(cluster, plan, log, false);
    }
    if (
      !isTerminal(current) &&
      !current.metadata?.deletionTimestamp &&
      sameWork(plan.identity, current.metadata ?? {})
    ) {
      return adoptOrReplace(cluster, plan, current, log);
    }
    throw blocked([current]);
  }
  try {
    const secretNames = await createSecrets(cluster, plan, job);
    await log.status(`created Job ${plan.namespace}/${job.metadata?.name} (uid ${job.metadata?.uid})`);
    return { job, adopted: false, secretNames };
  } catch (error) {
    await deleteJobBackground(cluster, plan.identity.jobName, job.metadata?.uid).catch(() => undefined);
    throw error;
  }
}

async function createSecrets(cluster: ClusterContext, plan: RunPlan, job: V1Job): Promise<string[]> {
  const owner = jobOwnerReference(job);
  const names: string[] = [];
  for (const planned of plan.secrets) {
    const body: V1Secret = buildSecretManifest(planned, {
      namespace: plan.namespace,
      labels: { ...plan.identity.labels },
      annotations: { [ANNOTATIONS.runId]: plan.identity.annotations[ANNOTATIONS.runId] ?? "" },
    });
    body.metadata = { ...body.metadata, ownerReferences: [owner] };
    try {
      await cluster.clients.core.createNamespacedSecret({ namespace: plan.namespace, body });
    } catch (error) {
      if (!isConflict(error))
        throw apiFailure(ErrorCodes.secretCreateFailed, `create Secret ${planned.name}`, error);
      // A same-named Secret of a previous Job the garbage collector has not removed yet: replace it.
      await cluster.clients.core
        .deleteNamespacedSecret({ name: planned.name, namespace: plan.namespace })
        .catch((e: unknown) => {
          if (!isNotFound(e))
            throw apiFailure(ErrorCodes.secretCreateFailed, `replace Secret ${planned.name}`, e);
        });
      try {
        await cluster.clients.core.createNamespacedSecret({ namespace: plan.namespace, body });
      } catch (retryError) {
        throw apiFailure(ErrorCodes.secretCreateFailed, `create Secret ${planned.name}`, retryError);
      }
    }
    names.push(planned.name);
  }
  return names;
}

/**
 * A Job of the same work whose run Secrets are missing and whose claude container never started was left
 * half-created by a Paperclip that died between creating the Job and its Secret: it can never start, so it is
 * replaced. Any other Job of the same work is adopted.
 */
async function adoptOrReplace(
  cluster: ClusterContext,
  plan: RunPlan,
  job: V1Job,
  log: RunLog,
): Promise<Launched> {
  // A younger Job may simply be between its creation and its Secret's: never replace it.
  const created = job.metadata?.creationTimestamp
    ? new Date(job.metadata.creationTimestamp).getTime()
    : Date.now();
  if (Date.now() - created < HALF_CREATED_AFTER_MS) return adopt(cluster, plan, job, log);
  const missing = await missingSecrets(cluster, job);
  if (missing.length === 0 || (await claudeEverStarted(cluster, job))) return adopt(cluster, plan, job, log);
  await log.status(
    `Job ${job.metadata?.name} of the same work never started and lacks its Secret ${missing[0]}: replacing it`,
  );
  await removeStale(cluster, job, log);
  return create(cluster, plan, log, false);
}

async function missingSecrets(cluster: ClusterContext, job: V1Job): Promise<string[]> {
  const names =
    job.spec?.template.spec?.volumes
      ?.flatMap((v) => v.projected?.sources ?? [])
      .flatMap((s) => (s.secret?.name ? [s.secret.name] : [])) ?? [];
  const missing: string[] = [];
  for (const name of names) {
    try {
      await cluster.clients.core.readNamespacedSecret({ name, namespace: cluster.namespace });
    } catch (error) {
      if (isNotFound(error)) missing.push(name);
      else throw apiFailure(ErrorCodes.concurrencyCheckFailed, `read Secret ${name}`, error);
    }
  }
  return missing;
}

async function claudeEverStarted(cluster: ClusterContext, job: V1Job): Promise<boolean> {
  const uid = job.metadata?.uid ?? "";
  try {
    const pods = await cluster.clients.core.listNamespacedPod({
      namespace: cluster.namespace,
      labelSelector: `batch.kubernetes.io/controller-uid=${uid}`,
    });
    return pods.items.some((p) =>
      (p.status?.containerStatuses ?? []).some(
        (c) => c.state?.running || c.state?.terminated || c.lastState?.terminated,
      ),
    );
  } catch (error) {
    throw apiFailure(ErrorCodes.concurrencyCheckFailed, `list pods of Job ${job.metadata?.name}`, error);
  }
}

/** Takes over a live Job of the same work: verifies its UID and labels it with this run's id (JSON patch test). */
async function adopt(cluster: ClusterContext, plan: RunPlan, job: V1Job, log: RunLog): Promise<Launched> {
  const uid = job.metadata?.uid;
  const name = job.metadata?.name ?? "";
  const runId = plan.identity.labels[LABELS.run] ?? "";
  let adopted: V1Job;
  try {
    adopted = await cluster.clients.batch.patchNamespacedJob({
      name,
      namespace: plan.namespace,
      body: [
        { op: "test", path: "/metadata/uid", value: uid },
        { op: "replace", path: `/metadata/labels/${escapePointer(LABELS.run)}`, value: runId },
        {
          op: "add",
          path: `/metadata/annotations/${escapePointer(ANNOTATIONS.runId)}`,
          value: plan.identity.annotations[ANNOTATIONS.runId],
        },
      ],
    });
  } catch (error) {
    throw apiFailure(ErrorCodes.concurrentRunBlocked, `adopting ${describeJob(job)} (uid ${uid})`, error);
  }
  if (adopted.metadata?.uid !== uid) {
    throw new ClaudeK8sError(
      ErrorCodes.concurrentRunBlocked,
      `adopting Job ${name}: its uid changed; not adopted`,
    );
  }
  const previousRun = job.metadata?.annotations?.[ANNOTATIONS.runId] ?? "?";
  await log.status(
    `adopted running Job ${plan.namespace}/${name} (uid ${uid}) of run ${previousRun}: same agent, task and session`,
  );
  const secretNames =
    adopted.spec?.template.spec?.volumes
      ?.flatMap((v) => v.projected?.sources ?? [])
      .map((s) => s.secret?.name)
      .filter((n): n is string => !!n) ?? [];
  return { job: adopted, adopted: true, secretNames };
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

async function readJob(cluster: ClusterContext, name: string): Promise<V1Job | undefined> {
  try {
    return await cluster.clients.batch.readNamespacedJob({ name, namespace: cluster.namespace });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw apiFailure(ErrorCodes.jobCreateFailed, `read Job ${name}`, error);
  }
}

/** A finished Job holding our deterministic name: delete it and wait until the name is free. */
async function removeStale(cluster: ClusterContext, job: V1Job, log: RunLog): Promise<void> {
  const name = job.metadata?.name ?? "";
  try {
    await deleteJobBackground(cluster, name, job.metadata?.uid);
  } catch (error) {
    throw apiFailure(ErrorCodes.jobCreateFailed, `delete finished Job ${name}`, error);
  }
  await log.status(`removed the finished Job ${name} of an earlier run to reuse its name`);
  const backoff = new Backoff({ initialMs: 100, maxMs: 2000 });
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const current = await readJob(cluster, name);
    if (!current || current.metadata?.uid !== job.metadata?.uid) return;
    await sleep(backoff.next());
  }
  throw new ClaudeK8sError(
    ErrorCodes.jobCreateFailed,
    `finished Job ${name} is still being deleted after 60s`,
  );
}
