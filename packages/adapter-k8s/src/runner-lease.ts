import { hostname } from "node:os";
import { apiError, type HeldLease, LEASE_DURATION_SEC } from "@paperclip-k8s/k8s-runtime";
import type { RunLog } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import { ClaudeK8sError, ErrorCodes } from "./errors.js";
import { LABELS } from "./identity.js";
import type { RunPlan } from "./prepare.js";

/** Who follows a Job: this host, process and run. */
export function runnerIdentity(runId: string): string {
  return `${hostname()}/${process.pid}/${runId}`;
}

/**
 * Takes the slot's Lease before anything of the slot is looked at: a live runner (one that renewed its Lease within
 * its duration) holds the slot, and this run is refused with `k8s_concurrent_run_blocked` having created and booked
 * nothing. A released or expired Lease (its runner is gone) is taken over: the run may then adopt or harvest that
 * runner's Job.
 */
export async function takeSlotLease(
  cluster: ClusterContext,
  plan: RunPlan,
  runId: string,
  log: RunLog,
): Promise<HeldLease> {
  let acquired: Awaited<ReturnType<ClusterContext["acquireJobLease"]>>;
  try {
    acquired = await cluster.acquireJobLease({
      name: plan.identity.jobName,
      holder: runnerIdentity(runId),
      labels: {
        [LABELS.managedBy]: plan.identity.labels[LABELS.managedBy] ?? "",
        [LABELS.slot]: plan.identity.labels[LABELS.slot] ?? "",
      },
    });
  } catch (error) {
    const wrapped = apiError("take the runner Lease of this slot", error);
    throw new ClaudeK8sError(
      ErrorCodes.concurrencyCheckFailed,
      wrapped.message,
      wrapped.api ? { status: wrapped.api.status, reason: wrapped.api.reason } : {},
    );
  }
  if (acquired.outcome === "held") {
    const { holder, renewedAt } = acquired.current;
    throw new ClaudeK8sError(
      ErrorCodes.concurrentRunBlocked,
      `another runner follows Job ${plan.identity.jobName} of this agent (Lease held by ${holder}, renewed ${renewedAt ?? "?"}); this run started nothing`,
      { lease: plan.identity.jobName, holder },
    );
  }
  if (acquired.previous) {
    await log.status(
      `took over the runner Lease ${plan.identity.jobName} from ${acquired.previous.holder || "a released holder"} (last renewed ${acquired.previous.renewedAt ?? "never"}, expires ${LEASE_DURATION_SEC}s after a renewal): its runner is gone`,
    );
  }
  return acquired.lease;
}
