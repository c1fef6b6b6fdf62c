import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import {
  apiError,
  type HeldLease,
  LEASE_DURATION_SEC,
  LEASE_RENEW_EVERY_SEC,
} from "@paperclip-k8s/k8s-runtime";
import type { RunLog } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import { ClaudeK8sError, ErrorCodes } from "./errors.js";
import { LABELS } from "./identity.js";
import type { RunPlan } from "./prepare.js";

/** Who follows a Job: this host, process and run. */
export function runnerIdentity(runId: string): string {
  return `${hostname()}/${process.pid}/${runId}`;
}

/** How often a held Lease is looked at again while deciding whether its runner is alive. */
const RECHECK_MS = 1000;

/**
 * Takes the slot's Lease before anything of the slot is looked at. A released or expired Lease (its runner is gone)
 * is taken over: the run may then adopt or harvest that runner's Job. A held Lease is watched for one renewal
 * period: a runner that renews it is alive, and this run is refused with `k8s_concurrent_run_blocked` having created
 * and booked nothing; a runner that misses its renewal is taken for gone (a crashed or killed Paperclip), and the run
 * waits for the Lease to expire — at most its duration — instead of failing a wake that came right after a crash.
 */
export async function takeSlotLease(
  cluster: ClusterContext,
  plan: RunPlan,
  runId: string,
  log: RunLog,
  recheckMs = RECHECK_MS,
): Promise<HeldLease> {
  const name = plan.identity.jobName;
  const aliveAfter = Date.now() + (LEASE_RENEW_EVERY_SEC + 3) * 1000;
  const giveUpAt = Date.now() + (LEASE_DURATION_SEC + 5) * 1000;
  let first: string | undefined;
  let waiting = false;
  for (;;) {
    const acquired = await acquire(cluster, plan, runId);
    if (acquired.outcome !== "held") {
      if (acquired.previous) {
        await log.status(
          `took over the runner Lease ${name} from ${acquired.previous.holder || "a released holder"} (last renewed ${acquired.previous.renewedAt ?? "never"}, expires ${LEASE_DURATION_SEC}s after a renewal): its runner is gone`,
        );
      }
      return acquired.lease;
    }
    const { holder, renewedAt } = acquired.current;
    first ??= renewedAt ?? "";
    const renewed = (renewedAt ?? "") !== first;
    if (renewed || Date.now() >= giveUpAt) {
      throw new ClaudeK8sError(
        ErrorCodes.concurrentRunBlocked,
        `another runner follows Job ${name} of this agent (Lease held by ${holder}, renewed ${renewedAt ?? "?"}); this run started nothing`,
        { lease: name, holder },
      );
    }
    if (!waiting && Date.now() >= aliveAfter) {
      waiting = true;
      await log.status(
        `the runner holding Lease ${name} (${holder}) missed its renewal: waiting up to ${LEASE_DURATION_SEC}s for it to expire`,
      );
    }
    await sleep(recheckMs);
  }
}

async function acquire(cluster: ClusterContext, plan: RunPlan, runId: string) {
  try {
    return await cluster.acquireJobLease({
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
}
