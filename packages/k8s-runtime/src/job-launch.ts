import { setTimeout as sleep } from "node:timers/promises";
import type { V1Job, V1Secret } from "@kubernetes/client-node";
import { Backoff } from "./backoff.js";
import { deleteJob, jobOwnerReference } from "./cleanup.js";
import type { KubeClients } from "./clients.js";
import { apiError, isConflict, isNotFound, type K8sErrorCode, K8sRuntimeError } from "./errors.js";

/**
 * Create-or-adopt for a Job that holds a deterministic name (one live Job per name): the Job is created first, its
 * Secrets right after with an ownerReference to it, so a Secret never exists without its owner. A live Job the
 * caller recognises as its own work is adopted instead; anything else alive blocks; a finished Job holding the name
 * is deleted and waited for until the name is free.
 */
export interface CreateOrAdoptJobOptions {
  /** The desired Job; `metadata.name` is the contested name. */
  readonly job: V1Job;
  /** Secrets the Job needs, created after it and owned by it (ownerReferences are set here). */
  readonly secrets: readonly V1Secret[];
  /** The Jobs already competing for this name/slot (from {@link listJobs}), finished ones included. */
  readonly existing?: readonly V1Job[];
  /** True for a Job of the same work: it is adopted instead of blocking (default: never). */
  readonly isSameWork?: (job: V1Job) => boolean;
  /** Stamped on an adopted Job by a JSON patch guarded by its uid: labels are replaced, annotations set. */
  readonly adoption?: {
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  /** A same-work Job younger than this may be between its creation and its Secrets': never replaced. */
  readonly halfCreatedAfterMs?: number;
  /** How long to wait for a deleted finished Job to be gone (default 60 s). */
  readonly goneTimeoutMs?: number;
  readonly onEvent?: (event: JobLaunchEvent) => void | Promise<void>;
}

export type JobLaunchEvent =
  | { readonly type: "created"; readonly job: V1Job }
  | { readonly type: "adopted"; readonly job: V1Job; readonly previous: V1Job }
  /** A same-work Job that never started and lacks a Secret (left half-created by a crash) is being replaced. */
  | { readonly type: "replacing"; readonly job: V1Job; readonly missingSecret: string }
  /** A finished Job holding the name was deleted (before waiting for it to be gone). */
  | { readonly type: "removed"; readonly job: V1Job };

export type JobLaunchResult =
  | {
      readonly outcome: "created" | "adopted";
      readonly job: V1Job;
      /** The Job's Secrets (created, or referenced by the adopted Job's projected volumes). */
      readonly secretNames: string[];
    }
  /** Live Jobs of other work (or terminating ones) hold the name or slot: nothing was created. */
  | { readonly outcome: "blocked"; readonly jobs: V1Job[] };

const HALF_CREATED_AFTER_MS = 30_000;
const GONE_TIMEOUT_MS = 60_000;

/** A Job whose Complete or Failed condition is True. */
export function isJobFinished(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

/** Secret names the Job's pod template mounts through projected volumes. */
export function jobSecretNames(job: V1Job): string[] {
  return (
    job.spec?.template.spec?.volumes
      ?.flatMap((v) => v.projected?.sources ?? [])
      .flatMap((s) => (s.secret?.name ? [s.secret.name] : [])) ?? []
  );
}

/** Lists the namespace's Jobs matching a label selector, failing after `timeoutMs` (default 15 s). */
export async function listJobs(
  clients: KubeClients,
  namespace: string,
  labelSelector: string,
  timeoutMs = 15_000,
): Promise<V1Job[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`listing Jobs did not answer within ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
  });
  try {
    const request = clients.batch.listNamespacedJob({
      namespace,
      labelSelector,
      timeoutSeconds: Math.ceil(timeoutMs / 1000),
    });
    return (await Promise.race([request, timeout])).items;
  } catch (error) {
    throw apiError(`list Jobs ${labelSelector} in ${namespace}`, error);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a Job; undefined when it does not exist. */
export async function getJob(
  clients: KubeClients,
  namespace: string,
  name: string,
): Promise<V1Job | undefined> {
  try {
    return await clients.batch.readNamespacedJob({ name, namespace });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw apiError(`read Job ${name}`, error);
  }
}

function failed(code: K8sErrorCode, operation: string, error: unknown): K8sRuntimeError {
  const wrapped = apiError(operation, error);
  return new K8sRuntimeError(code, wrapped.message, {
    cause: error,
    ...(wrapped.api ? { api: wrapped.api } : {}),
  });
}

/**
 * Create or adopt (see {@link CreateOrAdoptJobOptions}). API failures throw a {@link K8sRuntimeError} whose code
 * names the step: `k8s_job_create_failed` (create, read or clear the name), `k8s_secret_create_failed`,
 * `k8s_job_check_failed` (inspecting a same-work Job), `k8s_job_adopt_failed`. If a Secret cannot be created the
 * new Job is deleted again, so a failed launch leaves nothing half-created.
 */
export async function createOrAdoptJob(
  clients: KubeClients,
  namespace: string,
  options: CreateOrAdoptJobOptions,
): Promise<JobLaunchResult> {
  const launch = new Launch(clients, namespace, options);
  const existing = options.existing ?? [];
  const live = existing.filter((j) => !isJobFinished(j));
  const mine = live.find((j) => launch.adoptable(j));
  if (mine) return launch.adoptOrReplace(mine);
  if (live.length > 0) return { outcome: "blocked", jobs: live };
  const name = options.job.metadata?.name;
  const stale = existing.find((j) => j.metadata?.name === name);
  if (stale) await launch.removeFinished(stale);
  return launch.create(true);
}

class Launch {
  private readonly name: string;

  constructor(
    private readonly clients: KubeClients,
    private readonly namespace: string,
    private readonly options: CreateOrAdoptJobOptions,
  ) {
    const name = options.job.metadata?.name;
    if (!name) throw new K8sRuntimeError("k8s_invalid_argument", "createOrAdoptJob: the Job needs a name");
    this.name = name;
  }

  adoptable(job: V1Job): boolean {
    return (
      !isJobFinished(job) && !job.metadata?.deletionTimestamp && (this.options.isSameWork?.(job) ?? false)
    );
  }

  async create(retryOnStale: boolean): Promise<JobLaunchResult> {
    let job: V1Job;
    try {
      job = await this.clients.batch.createNamespacedJob({
        namespace: this.namespace,
        body: this.options.job,
      });
    } catch (error) {
      if (!isConflict(error)) throw failed("k8s_job_create_failed", `create Job ${this.name}`, error);
      // Lost a race for the name (or a leftover holds it): decide from what is there now.
      const current = await this.read();
      if (!current) {
        if (retryOnStale) return this.create(false);
        throw failed("k8s_job_create_failed", `create Job ${this.name}`, error);
      }
      if (isJobFinished(current) && retryOnStale) {
        await this.removeFinished(current);
        return this.create(false);
      }
      if (this.adoptable(current)) return this.adoptOrReplace(current);
      return { outcome: "blocked", jobs: [current] };
    }
    try {
      const secretNames = await this.createSecrets(job);
      await this.options.onEvent?.({ type: "created", job });
      return { outcome: "created", job, secretNames };
    } catch (error) {
      await deleteJob(this.clients, this.jobRef(job)).catch(() => undefined);
      throw error;
    }
  }

  private async createSecrets(job: V1Job): Promise<string[]> {
    const owner = jobOwnerReference(job);
    const names: string[] = [];
    for (const secret of this.options.secrets) {
      const name = secret.metadata?.name ?? "";
      const body: V1Secret = { ...secret, metadata: { ...secret.metadata, ownerReferences: [owner] } };
      const create = () => this.clients.core.createNamespacedSecret({ namespace: this.namespace, body });
      try {
        await create();
      } catch (error) {
        if (!isConflict(error)) throw failed("k8s_secret_create_failed", `create Secret ${name}`, error);
        // A same-named Secret of a previous Job the garbage collector has not removed yet: replace it.
        await this.clients.core
          .deleteNamespacedSecret({ name, namespace: this.namespace })
          .catch((e: unknown) => {
            if (!isNotFound(e)) throw failed("k8s_secret_create_failed", `replace Secret ${name}`, e);
          });
        try {
          await create();
        } catch (retryError) {
          throw failed("k8s_secret_create_failed", `create Secret ${name}`, retryError);
        }
      }
      names.push(name);
    }
    return names;
  }

  /**
   * A same-work Job whose Secrets are missing and whose containers never started was left half-created by a
   * process that died between creating the Job and its Secrets: it can never start, so it is replaced. Any other
   * same-work Job is adopted.
   */
  async adoptOrReplace(job: V1Job): Promise<JobLaunchResult> {
    const created = job.metadata?.creationTimestamp
      ? new Date(job.metadata.creationTimestamp).getTime()
      : Date.now();
    if (Date.now() - created < (this.options.halfCreatedAfterMs ?? HALF_CREATED_AFTER_MS))
      return this.adopt(job);
    const missing = await this.missingSecrets(job);
    if (missing.length === 0 || (await this.everStarted(job))) return this.adopt(job);
    await this.options.onEvent?.({ type: "replacing", job, missingSecret: missing[0] ?? "" });
    await this.removeFinished(job);
    return this.create(false);
  }

  private async missingSecrets(job: V1Job): Promise<string[]> {
    const missing: string[] = [];
    for (const name of jobSecretNames(job)) {
      try {
        await this.clients.core.readNamespacedSecret({ name, namespace: this.namespace });
      } catch (error) {
        if (isNotFound(error)) missing.push(name);
        else throw failed("k8s_job_check_failed", `read Secret ${name}`, error);
      }
    }
    return missing;
  }

  private async everStarted(job: V1Job): Promise<boolean> {
    try {
      const pods = await this.clients.core.listNamespacedPod({
        namespace: this.namespace,
        labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata?.uid ?? ""}`,
      });
      return pods.items.some((p) =>
        (p.status?.containerStatuses ?? []).some(
          (c) => c.state?.running || c.state?.terminated || c.lastState?.terminated,
        ),
      );
    } catch (error) {
      throw failed("k8s_job_check_failed", `list pods of Job ${job.metadata?.name}`, error);
    }
  }

  /** Takes over a live Job: a JSON patch that first tests its uid, then stamps the adoption labels/annotations. */
  private async adopt(job: V1Job): Promise<JobLaunchResult> {
    const uid = job.metadata?.uid;
    const name = job.metadata?.name ?? "";
    const { labels = {}, annotations = {} } = this.options.adoption ?? {};
    let adopted: V1Job;
    try {
      adopted = await this.clients.batch.patchNamespacedJob({
        name,
        namespace: this.namespace,
        body: [
          { op: "test", path: "/metadata/uid", value: uid },
          ...Object.entries(labels).map(([k, value]) => ({
            op: "replace",
            path: `/metadata/labels/${escapePointer(k)}`,
            value,
          })),
          ...Object.entries(annotations).map(([k, value]) => ({
            op: "add",
            path: `/metadata/annotations/${escapePointer(k)}`,
            value,
          })),
        ],
      });
    } catch (error) {
      throw failed("k8s_job_adopt_failed", `adopt Job ${name} (uid ${uid})`, error);
    }
    if (adopted.metadata?.uid !== uid) {
      throw new K8sRuntimeError("k8s_job_adopt_failed", `adopt Job ${name}: its uid changed; not adopted`);
    }
    await this.options.onEvent?.({ type: "adopted", job: adopted, previous: job });
    return { outcome: "adopted", job: adopted, secretNames: jobSecretNames(adopted) };
  }

  private async read(): Promise<V1Job | undefined> {
    try {
      return await getJob(this.clients, this.namespace, this.name);
    } catch (error) {
      throw failed("k8s_job_create_failed", `read Job ${this.name}`, error);
    }
  }

  /** Deletes a Job holding our name and waits until the name is free (the uid is gone). */
  async removeFinished(job: V1Job): Promise<void> {
    try {
      await deleteJob(this.clients, this.jobRef(job));
    } catch (error) {
      throw failed("k8s_job_create_failed", `delete finished Job ${this.name}`, error);
    }
    await this.options.onEvent?.({ type: "removed", job });
    const timeoutMs = this.options.goneTimeoutMs ?? GONE_TIMEOUT_MS;
    const gone = await waitUntilJobGone(this.clients, this.jobRef(job), timeoutMs).catch((error: unknown) => {
      throw failed("k8s_job_create_failed", `read Job ${this.name}`, error);
    });
    if (!gone) {
      throw new K8sRuntimeError(
        "k8s_job_create_failed",
        `finished Job ${this.name} is still being deleted after ${Math.round(timeoutMs / 1000)}s`,
      );
    }
  }

  private jobRef(job: V1Job): { namespace: string; name: string; uid?: string } {
    const uid = job.metadata?.uid;
    return { namespace: this.namespace, name: job.metadata?.name ?? this.name, ...(uid ? { uid } : {}) };
  }
}

/**
 * Polls (backoff 100 ms .. 2 s) until the Job named `name` no longer exists or has another uid than `uid`.
 * False when it is still there after `timeoutMs`.
 */
export async function waitUntilJobGone(
  clients: KubeClients,
  job: { readonly namespace: string; readonly name: string; readonly uid?: string },
  timeoutMs: number,
): Promise<boolean> {
  const backoff = new Backoff({ initialMs: 100, maxMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const current = await getJob(clients, job.namespace, job.name);
    if (!current || current.metadata?.uid !== job.uid) return true;
    await sleep(backoff.next());
  }
  return false;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
