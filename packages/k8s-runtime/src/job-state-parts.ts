import type { V1Job, V1JobCondition, V1Pod } from "@kubernetes/client-node";
import type { PodDiagnosis } from "./diagnosis.js";
import type { PodRef } from "./job-events.js";

/** The options, constants and per-pod bookkeeping of {@link JobState} (job-state.ts). */

/**
 * How long a container may wait on a referenced Secret/ConfigMap (or key) that does not exist before the start
 * is refused: long enough for an object created right after the Job, far shorter than a start timeout.
 */
export const MISSING_REFERENCE_GRACE_MS = 12_000;

export interface JobStateOptions {
  /** Container whose start gates the container-start timeout (default: every container of the pod). */
  readonly containerName?: string;
  /** Max time a pod may stay unscheduled (or the Job podless) before a `start-timeout` (0 = never). */
  readonly schedulingTimeoutMs?: number;
  /** Max time from scheduling to the container running (0 = never). */
  readonly containerStartTimeoutMs?: number;
  /**
   * End as soon as the only pod of a single-shot Job (backoffLimit 0, one completion, no pod failure/success
   * policy) is terminal, instead of waiting the Job controller's ~1 s to write Complete/Failed (default true).
   */
  readonly inferEndFromPod?: boolean;
  /** Default {@link MISSING_REFERENCE_GRACE_MS}. */
  readonly missingReferenceGraceMs?: number;
}

export interface PodTrack {
  ref: PodRef;
  pod: V1Pod;
  firstSeenAt: number;
  scheduledAt: number | undefined;
  started: Set<string>;
  terminated: Set<string>;
  problems: Set<string>;
  warnings: PodDiagnosis[];
  /** Since when a container has been waiting on a missing Secret/ConfigMap reference (continuously). */
  missingReferenceSince: number | undefined;
}

export function isTrue(condition: V1JobCondition | undefined): boolean {
  return condition?.status === "True";
}

export function condition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === "True");
}
