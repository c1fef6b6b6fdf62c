import { deleteJob, isNotFound, normalizeApiError } from "@paperclip-k8s/k8s-runtime";
import type { ClusterContext } from "./cluster.js";
import type { Launched } from "./launch.js";
import type { RunLog } from "./run-log.js";

/**
 * Deletes the run's Secrets, then its Job (propagation Background, guarded by the Job's uid). Secrets go first:
 * while the Job exists it holds the slot's name, so no successor can own same-named Secrets yet. Best effort —
 * failures are reported, the Job's TTL and ownerReferences remain as the safety net.
 */
export async function deleteRunObjects(
  cluster: ClusterContext,
  launched: Launched,
  log: RunLog,
): Promise<boolean> {
  let ok = true;
  for (const name of launched.secretNames) {
    try {
      await cluster.clients.core.deleteNamespacedSecret({ name, namespace: cluster.namespace });
    } catch (error) {
      if (!isNotFound(error)) {
        ok = false;
        await log.status(`could not delete Secret ${name}: ${normalizeApiError(error).message}`);
      }
    }
  }
  const name = launched.job.metadata?.name ?? "";
  try {
    await deleteJobBackground(cluster, name, launched.job.metadata?.uid);
  } catch (error) {
    ok = false;
    await log.status(`could not delete Job ${name}: ${normalizeApiError(error).message}`);
  }
  return ok;
}

/** Deletes a Job with propagationPolicy Background, only if it still has `uid`. False when already gone. */
export function deleteJobBackground(
  cluster: ClusterContext,
  name: string,
  uid: string | undefined,
): Promise<boolean> {
  return deleteJob(cluster.clients, { namespace: cluster.namespace, name, ...(uid ? { uid } : {}) });
}
