import type { V1Job } from "@kubernetes/client-node";
import type { DeleteFailure } from "./cleanup.js";
import type { KubeClients } from "./clients.js";
import { apiError, isConflict, isNotFound } from "./errors.js";
import { jobSecretNames } from "./job-launch.js";

/** What {@link deleteOwnedJobSecrets} did with each Secret the Job's pod template names. */
export interface OwnedSecretsDeletion {
  /** Deleted now. */
  readonly deleted: string[];
  /** Already gone, or now held by an object this Job does not own (a successor's): left alone. */
  readonly skipped: string[];
  readonly failures: DeleteFailure[];
}

/**
 * Deletes the Secrets a Job's pod template mounts, keeping the Job. Each Secret is read first and deleted only when
 * its ownerReferences name this Job's uid, under a uid precondition: a same-named Secret of a successor Job (the
 * slot's name is reused) is never deleted, even if the successor was created after the caller listed this Job.
 */
export async function deleteOwnedJobSecrets(
  clients: KubeClients,
  namespace: string,
  job: V1Job,
): Promise<OwnedSecretsDeletion> {
  const out: OwnedSecretsDeletion = { deleted: [], skipped: [], failures: [] };
  const jobUid = job.metadata?.uid;
  for (const name of jobSecretNames(job)) {
    try {
      const secret = await clients.core.readNamespacedSecret({ name, namespace });
      const uid = secret.metadata?.uid;
      const owned = secret.metadata?.ownerReferences?.some((o) => o.kind === "Job" && o.uid === jobUid);
      if (!jobUid || !uid || !owned) {
        out.skipped.push(name);
        continue;
      }
      await clients.core.deleteNamespacedSecret({ name, namespace, body: { preconditions: { uid } } });
      out.deleted.push(name);
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) out.skipped.push(name);
      else out.failures.push({ kind: "Secret", name, error: apiError(`delete Secret ${name}`, error) });
    }
  }
  return out;
}
