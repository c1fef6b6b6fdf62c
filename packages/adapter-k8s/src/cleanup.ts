import type { RunLog } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import type { Launched } from "./launch.js";

/**
 * Deletes the run's Secrets, then its Job (propagation Background, guarded by the Job's uid) through k8s-runtime.
 * Best effort — failures are reported, the Job's TTL and ownerReferences remain as the safety net.
 */
export async function deleteRunObjects(
  cluster: ClusterContext,
  launched: Launched,
  log: RunLog,
): Promise<boolean> {
  const failures = await cluster.deleteJobAndSecrets(launched.job, launched.secretNames);
  for (const failure of failures) {
    const message = failure.error.api?.message ?? failure.error.message;
    await log.status(`could not delete ${failure.kind} ${failure.name}: ${message}`);
  }
  return failures.length === 0;
}
