import type { V1Job, V1OwnerReference } from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import { apiError, isNotFound, K8sRuntimeError } from "./errors.js";

export interface DeleteJobOptions {
  readonly namespace: string;
  readonly name: string;
  /** Only delete if the live Job still has this uid (never delete a same-named successor). */
  readonly uid?: string;
  readonly gracePeriodSeconds?: number;
}

/**
 * Delete a Job with propagationPolicy Background (batch/v1 would otherwise ORPHAN its pods). Returns false when
 * it was already gone. With `uid`, a precondition makes the server refuse to delete a different Job.
 */
export async function deleteJob(clients: KubeClients, options: DeleteJobOptions): Promise<boolean> {
  const grace =
    options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {};
  try {
    await clients.batch.deleteNamespacedJob({
      name: options.name,
      namespace: options.namespace,
      propagationPolicy: "Background",
      ...grace,
      // The API server ignores the query parameters when a body is sent: the policy must be in the body too,
      // or batch/v1's default (orphan the pods) applies.
      body: {
        propagationPolicy: "Background",
        ...grace,
        ...(options.uid ? { preconditions: { uid: options.uid } } : {}),
      },
    });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw apiError(`delete Job ${options.namespace}/${options.name}`, error);
  }
}

export interface DeleteFailure {
  readonly kind: "Job" | "Secret";
  readonly name: string;
  readonly error: K8sRuntimeError;
}

/**
 * Deletes a Job's Secrets, then the Job (Background propagation, guarded by its uid). Secrets go first: while the
 * Job exists it holds its name, so no successor can own same-named Secrets yet. Best effort: every object is
 * tried, already-gone ones are fine, and each failure is returned (empty = all deleted or gone).
 */
export async function deleteJobAndSecrets(
  clients: KubeClients,
  options: DeleteJobOptions & { readonly secretNames: readonly string[] },
): Promise<DeleteFailure[]> {
  const failures: DeleteFailure[] = [];
  for (const name of options.secretNames) {
    try {
      await clients.core.deleteNamespacedSecret({ name, namespace: options.namespace });
    } catch (error) {
      if (!isNotFound(error))
        failures.push({ kind: "Secret", name, error: apiError(`delete Secret ${name}`, error) });
    }
  }
  try {
    await deleteJob(clients, options);
  } catch (error) {
    const wrapped = error instanceof K8sRuntimeError ? error : apiError(`delete Job ${options.name}`, error);
    failures.push({ kind: "Job", name: options.name, error: wrapped });
  }
  return failures;
}

/**
 * An ownerReference making `owner` (typically the run's Job) own another object (its Secret), so the garbage
 * collector removes it with the Job. The owner must have been created (it needs a uid).
 */
export function ownerReferenceTo(
  owner: { apiVersion?: string; kind?: string; metadata?: { name?: string; uid?: string } },
  options: { controller?: boolean; blockOwnerDeletion?: boolean } = {},
): V1OwnerReference {
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!name || !uid) {
    throw new K8sRuntimeError(
      "k8s_invalid_argument",
      "ownerReferenceTo: owner needs metadata.name and metadata.uid (create it first)",
    );
  }
  return {
    apiVersion: owner.apiVersion ?? "batch/v1",
    kind: owner.kind ?? "Job",
    name,
    uid,
    controller: options.controller ?? false,
    blockOwnerDeletion: options.blockOwnerDeletion ?? false,
  };
}

/** Owner reference to a created Job (apiVersion/kind are not always echoed by create). */
export function jobOwnerReference(job: V1Job): V1OwnerReference {
  return ownerReferenceTo({ ...job, apiVersion: "batch/v1", kind: "Job" });
}
