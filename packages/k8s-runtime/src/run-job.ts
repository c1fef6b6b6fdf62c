import type { V1Job } from "@kubernetes/client-node";
import type { KubeClients } from "./clients.js";
import type { ContainerTermination, PodDiagnosis, PodProblemCode } from "./diagnosis.js";
import type { JobEvent, JobOutcome, StartStage } from "./job-events.js";
import { trackJob } from "./job-tracker.js";
import type { LogLine, LogPosition } from "./log-cursor.js";
import {
  type FollowLogsOptions,
  followLogs,
  type LogFollower,
  type LogFollowResult,
} from "./log-follower.js";
import type { Logger } from "./logger.js";
import type { WatchHub } from "./watch-hub.js";

export interface RunJobOptions {
  readonly namespace: string;
  /** The created Job (from createNamespacedJob): uid, selector and resourceVersion come from it. */
  readonly job: V1Job;
  /** The container whose log is followed and whose exit code is the run's. */
  readonly containerName: string;
  readonly onLine: (line: LogLine) => void | Promise<void>;
  /** Every Job event as it happens (progress, warnings, timeouts). */
  readonly onEvent?: (event: JobEvent) => void;
  readonly schedulingTimeoutMs?: number;
  readonly containerStartTimeoutMs?: number;
  /** End early on problems a pod cannot recover from while Pending (image pull, invalid image, crash loop). Default true. */
  readonly failFast?: boolean;
  readonly backstopIntervalMs?: number;
  readonly stallTimeoutMs?: number;
  /**
   * See `FollowLogsOptions.drainGraceMs`. Default 0 here: on the container's termination the follow stream is
   * ended at once and the rest read without follow, instead of waiting for the kubelet to end the stream.
   */
  readonly drainGraceMs?: number;
  /**
   * Resume the log after this position (persisted `result.logs.position` / follower position), e.g. when adopting
   * a Job after a restart, so lines already delivered are not delivered again.
   */
  readonly logResumeFrom?: LogPosition;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly onRequest?: (kind: string) => void;
  /**
   * `shared` (default): the Job, its pods and Warning Events come from the process-wide watches of the namespace
   * (one per kind, whatever the number of runs; `hub` defaults to the clients' shared hub). `per-run`: this run's
   * own three watches (the earlier behaviour, kept as the benchmark's baseline). The log stream is per run either
   * way.
   */
  readonly watch?: "shared" | "per-run";
  readonly hub?: WatchHub;
}

/** How the run ended: the Job's own end, or a start failure we detected, or an abort by the caller. */
export type RunOutcome =
  | JobOutcome
  | {
      readonly kind: "start-failed";
      readonly stage: StartStage;
      /**
       * True when a start timeout expired; false when a fatal problem (image pull, crash loop, pod creation
       * forbidden, a referenced Secret that stays missing) ended it early.
       */
      readonly timedOut: boolean;
      readonly diagnosis: readonly PodDiagnosis[];
    }
  | { readonly kind: "aborted" };

export interface RunJobResult {
  readonly outcome: RunOutcome;
  readonly podName: string | undefined;
  /** Termination of `containerName` (exit code, reason e.g. OOMKilled), if it ran. */
  readonly termination: ContainerTermination | undefined;
  /** Everything known that went wrong (pod status, Warning Events). */
  readonly diagnosis: readonly PodDiagnosis[];
  /** Log following summary (undefined when the container never started). */
  readonly logs: LogFollowResult | undefined;
}

const STUCK_WHILE_PENDING: ReadonlySet<PodProblemCode> = new Set([
  "image_pull",
  "invalid_image",
  "crash_loop",
]);

/**
 * Follow one created Job to its end: track it by watches, follow the named container's log exactly once from the
 * moment it starts, and return the outcome, exit code, diagnosis and log summary. Never deletes anything.
 */
export async function runJob(clients: KubeClients, options: RunJobOptions): Promise<RunJobResult> {
  const name = options.job.metadata?.name ?? "";
  const tracker = trackJob(clients, {
    namespace: options.namespace,
    name,
    job: options.job,
    containerName: options.containerName,
    watch: options.watch ?? "shared",
    ...pick(options, [
      "hub",
      "schedulingTimeoutMs",
      "containerStartTimeoutMs",
      "backstopIntervalMs",
      "signal",
      "logger",
      "onRequest",
    ]),
  });
  let follower: LogFollower | undefined;
  let podName: string | undefined;
  let termination: ContainerTermination | undefined;
  let outcome: RunOutcome | undefined;
  const followOptions = pick({ ...options, drainGraceMs: options.drainGraceMs ?? 0 }, [
    "stallTimeoutMs",
    "drainGraceMs",
    "signal",
    "logger",
    "onRequest",
  ]) as Partial<FollowLogsOptions>;

  for await (const event of tracker) {
    options.onEvent?.(event);
    if (event.type === "container-started" && event.container === options.containerName && !follower) {
      podName = event.pod.name;
      follower = followLogs(clients, {
        ...followOptions,
        namespace: options.namespace,
        podName,
        containerName: options.containerName,
        onLine: options.onLine,
        ...(options.logResumeFrom ? { resumeFrom: options.logResumeFrom } : {}),
      });
    } else if (event.type === "container-terminated" && event.container === options.containerName) {
      termination = {
        container: event.container,
        exitCode: event.exitCode,
        reason: event.reason,
        message: event.message,
        signal: event.signal,
        finishedAt: event.finishedAt,
      };
      if (event.pod.name === podName) follower?.containerTerminated();
    } else if (event.type === "start-timeout") {
      outcome = { kind: "start-failed", stage: event.stage, timedOut: true, diagnosis: event.diagnosis };
      break;
    } else if (event.type === "start-refused") {
      outcome = { kind: "start-failed", stage: event.stage, timedOut: false, diagnosis: event.diagnosis };
      break;
    } else if (event.type === "pod-problem" && options.failFast !== false && event.diagnosis.fatal) {
      if (STUCK_WHILE_PENDING.has(event.diagnosis.code) && !follower) {
        outcome = {
          kind: "start-failed",
          stage: "container-start",
          timedOut: false,
          diagnosis: tracker.state.diagnosis,
        };
        break;
      }
    } else if (event.type === "job-ended") {
      outcome = event.outcome;
    }
  }
  tracker.stop();
  outcome ??= { kind: "aborted" };
  let logs: LogFollowResult | undefined;
  if (follower) {
    if (outcome.kind === "complete" || outcome.kind === "failed" || outcome.kind === "deleted") {
      follower.containerTerminated();
    } else {
      follower.stop();
    }
    logs = await follower.done;
  }
  return { outcome, podName, termination, diagnosis: tracker.state.diagnosis, logs };
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
