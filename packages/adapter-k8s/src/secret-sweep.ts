import { isJobFinished, jobSecretNames } from "@paperclip-k8s/k8s-runtime";
import type { RunLog } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import { ADAPTER_TYPE, ANNOTATIONS, LABELS, MANAGED_BY } from "./identity.js";

/**
 * Secrets of finished Jobs no run follows. A run that follows its Job to the end deletes the Job and its Secrets; a
 * Job whose runner is gone (Paperclip crashed, or shut down and detached) keeps them until a run of the same slot
 * harvests it or the TTL removes it — its Secrets hold the run's prompt, API token and sensitive env. Any run of the
 * adapter in the namespace therefore sweeps them at its start: every finished, unbooked Job of the adapter whose
 * runner Lease is released or expired loses its Secrets (owner- and uid-guarded), and the Job itself is kept, since
 * its harvest needs only the pod's log and the Job's annotations. Best effort, at most once per namespace per
 * {@link SWEEP_EVERY_MS} and process: one list of the adapter's Jobs, plus one Lease read and the Secret reads per
 * Job that still has Secrets to lose. Booked Jobs (retainJobs, or a delete that failed) keep their Secrets with them.
 */
export const SWEEP_EVERY_MS = 30_000;

const JOB_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY},${LABELS.adapterType}=${ADAPTER_TYPE}`;
const lastSwept = new Map<string, number>();
/** Per namespace, Jobs (by uid) whose Secrets this process already deleted: not read again while they exist. */
const sweptJobs = new Map<string, Set<string>>();

/** Returns the names of the Secrets deleted. */
export async function sweepUnfollowedSecrets(
  cluster: ClusterContext,
  log: RunLog,
  options: { now?: number; force?: boolean } = {},
): Promise<string[]> {
  const now = options.now ?? Date.now();
  const previous = lastSwept.get(cluster.namespace);
  if (!options.force && previous !== undefined && now - previous < SWEEP_EVERY_MS) return [];
  lastSwept.set(cluster.namespace, now);
  const deleted: string[] = [];
  try {
    const jobs = await cluster.listJobs(JOB_SELECTOR);
    const present = new Set(jobs.map((job) => job.metadata?.uid ?? ""));
    const swept = new Set([...(sweptJobs.get(cluster.namespace) ?? [])].filter((uid) => present.has(uid)));
    sweptJobs.set(cluster.namespace, swept);
    for (const job of jobs) {
      const uid = job.metadata?.uid ?? "";
      if (
        !isJobFinished(job) ||
        job.metadata?.deletionTimestamp ||
        job.metadata?.annotations?.[ANNOTATIONS.bookedBy] !== undefined ||
        jobSecretNames(job).length === 0 ||
        swept.has(uid)
      )
        continue;
      const name = job.metadata?.name ?? "";
      const lease = await cluster.readJobLease(name, now);
      // A live runner follows (or is harvesting) it and deletes the Secrets itself.
      if (lease && !lease.gone) continue;
      const out = await cluster.deleteOwnedJobSecrets(job);
      if (out.failures.length === 0) swept.add(uid);
      deleted.push(...out.deleted);
      if (out.deleted.length > 0) {
        const run = job.metadata?.annotations?.[ANNOTATIONS.runId] ?? "?";
        await log.status(
          `deleted the Secrets ${out.deleted.join(", ")} of finished Job ${name} of run ${run}: no runner follows it (its Job stays for the next run to harvest)`,
        );
      }
      for (const failure of out.failures)
        await log.status(
          `could not delete Secret ${failure.name} of finished Job ${name}: ${failure.error.message}`,
        );
    }
  } catch (error) {
    await log.status(
      `could not sweep the Secrets of finished Jobs: ${error instanceof Error ? error.message : error}`,
    );
  }
  return deleted;
}
