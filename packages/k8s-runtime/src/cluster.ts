import {
  type V1ConfigMap,
  type V1Job,
  type V1Namespace,
  type V1PersistentVolumeClaim,
  type V1PodSpec,
  type V1Secret,
  type V1ServiceAccount,
  VersionApi,
} from "@kubernetes/client-node";
import {
  type AccessRequirement,
  type DryRunResult,
  dryRunCreateJob,
  findMissingAccess,
  type MissingAccess,
} from "./checks.js";
import { type DeleteFailure, deleteJob, deleteJobAndSecrets } from "./cleanup.js";
import { getClients, type KubeClients, type KubeconfigSource } from "./clients.js";
import {
  deleteConfigMapIfUnchanged,
  type EnsureConfigMapsOptions,
  type EnsuredConfigMap,
  ensureConfigMaps,
  listConfigMaps,
} from "./configmaps.js";
import { apiError, K8sRuntimeError } from "./errors.js";
import {
  type CreateOrAdoptJobOptions,
  createOrAdoptJob,
  getJob,
  type JobLaunchResult,
  listJobs,
  waitUntilJobGone,
} from "./job-launch.js";
import { annotateJob } from "./job-marks.js";
import { deleteOwnedJobSecrets, type OwnedSecretsDeletion } from "./job-secrets.js";
import {
  acquireJobLease,
  type JobLeaseOptions,
  type LeaseAcquisition,
  type LeaseHolderState,
  readJobLease,
} from "./lease.js";
import { type OwnPod, type OwnPodOptions, readOwnPod } from "./own-pod.js";
import { type PreflightFinding, preflightPodSpec, preflightReads } from "./preflight.js";
import { type RunJobOptions, type RunJobResult, runJob } from "./run-job.js";

/** The pod this process runs in, or why it is unknown (not in a pod, or it cannot be read). */
export type OwnPodState = OwnPod | { readonly info: undefined; readonly reason: string };

export interface ConnectOptions {
  /** Read the pod this process runs in (its container selected by name), once per pod and cluster. */
  readonly ownPod?: OwnPodOptions & {
    /** How messages name that pod (default "the own pod"). */
    readonly description?: string;
  };
  /** The namespace every operation works in; default the own pod's, then the kubeconfig context's, "default". */
  readonly namespace?: string;
}

/** A Job to act on: its name and, when known, the uid that guards against deleting a same-named successor. */
type JobRef = Pick<V1Job, "metadata">;

/**
 * One cluster and one namespace, with the domain operations the adapters need — every Kubernetes API call they
 * make goes through here (the raw clients stay inside this package).
 */
export class Cluster {
  private constructor(
    private readonly clients: KubeClients,
    readonly namespace: string,
    readonly ownPod: OwnPodState,
  ) {}

  /** Clients for `source` (cached per credential identity), the own pod read once, the namespace resolved. */
  static async connect(source: KubeconfigSource, options: ConnectOptions = {}): Promise<Cluster> {
    return Cluster.fromClients(getClients(source), options);
  }

  /** The same over existing clients (tests, or callers that build clients themselves). */
  static async fromClients(clients: KubeClients, options: ConnectOptions = {}): Promise<Cluster> {
    const ownPod = options.ownPod
      ? await readOwnPodState(clients, options.ownPod)
      : { info: undefined, reason: "the own pod was not asked for" };
    const namespace = options.namespace ?? ownPod.info?.namespace ?? clients.namespace ?? "default";
    return new Cluster(clients, namespace, ownPod);
  }

  /** API server URL. */
  get server(): string {
    return this.clients.server;
  }

  /** The API server's version (`gitVersion`); proves it is reachable with these credentials. */
  async serverVersion(): Promise<string> {
    return (await this.clients.kubeConfig.makeApiClient(VersionApi).getCode()).gitVersion;
  }

  getNamespace(): Promise<V1Namespace> {
    return this.get(`namespace ${this.namespace}`, () =>
      this.clients.core.readNamespace({ name: this.namespace }),
    );
  }

  getSecret(name: string): Promise<V1Secret> {
    return this.get(`Secret ${name}`, () =>
      this.clients.core.readNamespacedSecret({ name, namespace: this.namespace }),
    );
  }

  getPersistentVolumeClaim(name: string): Promise<V1PersistentVolumeClaim> {
    return this.get(`PersistentVolumeClaim ${name}`, () =>
      this.clients.core.readNamespacedPersistentVolumeClaim({ name, namespace: this.namespace }),
    );
  }

  getServiceAccount(name: string): Promise<V1ServiceAccount> {
    return this.get(`ServiceAccount ${name}`, () =>
      this.clients.core.readNamespacedServiceAccount({ name, namespace: this.namespace }),
    );
  }

  /** SelfSubjectAccessReviews: the requirements this identity is NOT granted (empty = all good). */
  findMissingAccess(requirements: readonly AccessRequirement[]): Promise<MissingAccess[]> {
    return findMissingAccess(this.clients, requirements);
  }

  /** Server-side dry-run create of a Job in this namespace: admission and validation run, nothing persists. */
  dryRunCreateJob(job: V1Job): Promise<DryRunResult> {
    return dryRunCreateJob(this.clients, this.namespace, job);
  }

  /**
   * What a pod spec references that is missing or unreadable in this namespace (Secrets and keys, ServiceAccount,
   * PriorityClass, RuntimeClass); `ownSecrets` are created by the caller with the pod and not looked up.
   */
  preflightPodSpec(spec: V1PodSpec, ownSecrets: readonly string[] = []): Promise<PreflightFinding[]> {
    return preflightPodSpec(preflightReads(this.clients, this.namespace), spec, {
      namespace: this.namespace,
      ownSecrets,
    });
  }

  /** Jobs of this namespace matching a label selector; fails after `timeoutMs` (default 15 s). */
  listJobs(labelSelector: string, timeoutMs?: number): Promise<V1Job[]> {
    return listJobs(this.clients, this.namespace, labelSelector, timeoutMs);
  }

  /** A Job by name; undefined when it does not exist. */
  getJob(name: string): Promise<V1Job | undefined> {
    return getJob(this.clients, this.namespace, name);
  }

  /** Create the Job with its owned Secrets, or adopt the live Job of the same work: see `CreateOrAdoptJobOptions`. */
  createOrAdoptJob(options: CreateOrAdoptJobOptions): Promise<JobLaunchResult> {
    return createOrAdoptJob(this.clients, this.namespace, options);
  }

  /**
   * The Lease that proves a live runner follows the Job of this name: acquired (created, ours, or taken over when
   * released or expired) or held by a live runner. See `lease.ts`.
   */
  acquireJobLease(options: JobLeaseOptions): Promise<LeaseAcquisition> {
    return acquireJobLease(this.clients, this.namespace, options);
  }

  /** The Lease of a Job name as seen from here; undefined when none exists. See `lease.ts`. */
  readJobLease(name: string, now?: number): Promise<LeaseHolderState | undefined> {
    return readJobLease(this.clients, this.namespace, name, now);
  }

  /** Deletes the Secrets the Job owns (owner- and uid-guarded), keeping the Job. See `job-secrets.ts`. */
  deleteOwnedJobSecrets(job: V1Job): Promise<OwnedSecretsDeletion> {
    return deleteOwnedJobSecrets(this.clients, this.namespace, job);
  }

  /** Sets annotations on a Job, guarded by its uid. False when it is gone or another Job holds the name. */
  annotateJob(job: JobRef, annotations: Readonly<Record<string, string>>): Promise<boolean> {
    return annotateJob(this.clients, this.ref(job), annotations);
  }

  /** Deletes a Job (Background propagation, guarded by its uid). False when it was already gone. */
  deleteJob(job: JobRef): Promise<boolean> {
    return deleteJob(this.clients, this.ref(job));
  }

  /** Polls until the Job is gone (or replaced by one with another uid); false after `timeoutMs`. */
  waitUntilJobGone(job: JobRef, timeoutMs: number): Promise<boolean> {
    return waitUntilJobGone(this.clients, this.ref(job), timeoutMs);
  }

  /** Deletes the Job's Secrets, then the Job; best effort, returns what could not be deleted. */
  deleteJobAndSecrets(job: JobRef, secretNames: readonly string[]): Promise<DeleteFailure[]> {
    return deleteJobAndSecrets(this.clients, { ...this.ref(job), secretNames });
  }

  /** Content-addressed ConfigMaps: created when absent, reused (last-use stamp refreshed) when present. */
  ensureConfigMaps(
    objects: readonly V1ConfigMap[],
    options: EnsureConfigMapsOptions,
  ): Promise<EnsuredConfigMap[]> {
    return ensureConfigMaps(this.clients, this.namespace, objects, options);
  }

  /** ConfigMaps of this namespace matching a label selector. */
  listConfigMaps(labelSelector: string): Promise<V1ConfigMap[]> {
    return listConfigMaps(this.clients, this.namespace, labelSelector);
  }

  /** Deletes a ConfigMap only while its resourceVersion is the one given. */
  deleteConfigMapIfUnchanged(name: string, resourceVersion: string): Promise<"deleted" | "gone" | "changed"> {
    return deleteConfigMapIfUnchanged(this.clients, this.namespace, name, resourceVersion);
  }

  /** Follows a created Job in this namespace to its end: see `runJob`. */
  runJob(options: Omit<RunJobOptions, "namespace">): Promise<RunJobResult> {
    return runJob(this.clients, { ...options, namespace: this.namespace });
  }

  private async get<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw apiError(`read ${what}`, error);
    }
  }

  private ref(job: JobRef): { namespace: string; name: string; uid?: string } {
    const uid = job.metadata?.uid;
    return { namespace: this.namespace, name: job.metadata?.name ?? "", ...(uid ? { uid } : {}) };
  }
}

async function readOwnPodState(
  clients: KubeClients,
  options: NonNullable<ConnectOptions["ownPod"]>,
): Promise<OwnPodState> {
  try {
    return await readOwnPod(clients, options);
  } catch (error) {
    // Not in a pod, or the pod cannot be read (no `get pods` in its namespace): nothing can be inherited, and a
    // caller that needs an inherited value fails on it, quoting this reason.
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof K8sRuntimeError && error.code === "k8s_not_in_cluster")
      return { info: undefined, reason };
    return {
      info: undefined,
      reason: `${options.description ?? "the own pod"} could not be read: ${reason}`,
    };
  }
}
