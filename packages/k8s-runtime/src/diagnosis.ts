import type { CoreV1Event, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";

/** Why a pod is not (or no longer) running as it should. */
export type PodProblemCode =
  | "unschedulable"
  | "image_pull"
  | "invalid_image"
  | "crash_loop"
  | "init_failed"
  | "container_config"
  | "create_forbidden"
  | "mount_failed"
  | "oom_killed"
  | "evicted"
  | "preempted"
  | "disrupted"
  | "container_failed"
  | "warning_event";

export interface PodDiagnosis {
  readonly code: PodProblemCode;
  /** True when the pod cannot recover by itself (no point waiting for a timeout). */
  readonly fatal: boolean;
  /** The Kubernetes reason (e.g. ImagePullBackOff, Unschedulable, OOMKilled, FailedMount). */
  readonly reason: string;
  /** The message written by the scheduler / kubelet / controller, verbatim. */
  readonly message: string;
  readonly container?: string;
  readonly exitCode?: number;
}

export interface ContainerTermination {
  readonly container: string;
  readonly exitCode: number;
  readonly reason: string | undefined;
  readonly message: string | undefined;
  readonly signal: number | undefined;
  readonly finishedAt: string | undefined;
}

const IMAGE_PULL_WAITING = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "ErrImageNeverPull",
  "RegistryUnavailable",
]);
const IMAGE_PULL_FATAL = new Set(["ImagePullBackOff", "ErrImageNeverPull"]);
const CONFIG_WAITING = new Set(["CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);
const MOUNT_EVENTS = new Set(["FailedMount", "FailedAttachVolume", "FailedMapVolume"]);

function toIso(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === "string" ? value : undefined;
}

function fromWaiting(status: V1ContainerStatus, init: boolean): PodDiagnosis | undefined {
  const waiting = status.state?.waiting;
  const reason = waiting?.reason;
  if (!reason) return undefined;
  const base = { reason, message: waiting.message ?? "", container: status.name };
  if (reason === "InvalidImageName") return { code: "invalid_image", fatal: true, ...base };
  if (IMAGE_PULL_WAITING.has(reason))
    return { code: "image_pull", fatal: IMAGE_PULL_FATAL.has(reason), ...base };
  if (reason === "CrashLoopBackOff")
    return { code: init ? "init_failed" : "crash_loop", fatal: true, ...base };
  if (CONFIG_WAITING.has(reason)) return { code: "container_config", fatal: false, ...base };
  return undefined;
}

/** Termination of a container, with OOMKilled and exit codes reported verbatim. */
export function containerTermination(status: V1ContainerStatus): ContainerTermination | undefined {
  const terminated = status.state?.terminated;
  if (!terminated) return undefined;
  return {
    container: status.name,
    exitCode: terminated.exitCode,
    reason: terminated.reason,
    message: terminated.message,
    signal: terminated.signal,
    finishedAt: toIso(terminated.finishedAt),
  };
}

function fromTerminated(status: V1ContainerStatus, init: boolean): PodDiagnosis | undefined {
  const t = containerTermination(status);
  if (!t) return undefined;
  const base = { container: t.container, exitCode: t.exitCode, message: t.message ?? "" };
  if (t.reason === "OOMKilled") return { code: "oom_killed", fatal: true, reason: "OOMKilled", ...base };
  if (t.exitCode === 0) return undefined;
  const reason = t.reason ?? "Error";
  return { code: init ? "init_failed" : "container_failed", fatal: true, reason, ...base };
}

function fromConditions(pod: V1Pod): PodDiagnosis[] {
  const out: PodDiagnosis[] = [];
  for (const condition of pod.status?.conditions ?? []) {
    if (
      condition.type === "PodScheduled" &&
      condition.status === "False" &&
      condition.reason === "Unschedulable"
    ) {
      out.push({
        code: "unschedulable",
        fatal: false,
        reason: "Unschedulable",
        message: condition.message ?? "",
      });
    }
    if (condition.type === "DisruptionTarget" && condition.status === "True") {
      const reason = condition.reason ?? "DisruptionTarget";
      const code = /Preempt/i.test(reason)
        ? "preempted"
        : /Evict|TerminationByKubelet/i.test(reason)
          ? "evicted"
          : "disrupted";
      out.push({ code, fatal: true, reason, message: condition.message ?? "" });
    }
  }
  return out;
}

/** Pure: what is wrong with this pod, judged from its status alone (most specific first). */
export function diagnosePod(pod: V1Pod): PodDiagnosis[] {
  const status = pod.status;
  const out: PodDiagnosis[] = [];
  if (status?.reason === "Evicted") {
    out.push({ code: "evicted", fatal: true, reason: "Evicted", message: status.message ?? "" });
  } else if (status?.reason === "Preempting" || status?.reason === "Preempted") {
    out.push({ code: "preempted", fatal: true, reason: status.reason, message: status.message ?? "" });
  }
  for (const s of status?.initContainerStatuses ?? []) {
    const d = fromWaiting(s, true) ?? fromTerminated(s, true);
    if (d) out.push(d);
  }
  for (const s of status?.containerStatuses ?? []) {
    const d = fromWaiting(s, false) ?? fromTerminated(s, false);
    if (d) out.push(d);
  }
  for (const d of fromConditions(pod)) if (!out.some((o) => o.code === d.code)) out.push(d);
  return out;
}

/** The kubelet's container-config error for an env/envFrom reference whose Secret or ConfigMap (or key) is absent. */
const MISSING_REFERENCE =
  /\b(?:secrets?|configmaps?) "[^"]*" not found|couldn't find key \S+ in (?:Secret|ConfigMap) /i;

/** True when a container cannot be created because a referenced Secret/ConfigMap or one of its keys is missing. */
export function isMissingReference(d: PodDiagnosis): boolean {
  return d.code === "container_config" && MISSING_REFERENCE.test(d.message);
}

/**
 * The Job controller could not create the pod because admission refused it (unknown PriorityClass or
 * RuntimeClass, missing ServiceAccount, Pod Security...). Retrying cannot help; an exceeded quota can, so it is
 * left to the scheduling timeout.
 */
function isForbiddenCreate(reason: string, message: string): boolean {
  return reason === "FailedCreate" && /\bforbidden\b/i.test(message) && !/exceeded quota/i.test(message);
}

/** Pure: a Warning Event as a diagnosis (FailedMount -> mount_failed, FailedScheduling -> unschedulable, ...). */
export function diagnoseEvent(event: CoreV1Event): PodDiagnosis {
  const reason = event.reason ?? "Warning";
  const message = event.message ?? "";
  if (isForbiddenCreate(reason, message)) return { code: "create_forbidden", fatal: true, reason, message };
  if (MOUNT_EVENTS.has(reason)) return { code: "mount_failed", fatal: false, reason, message };
  if (reason === "FailedScheduling") return { code: "unschedulable", fatal: false, reason, message };
  if (reason === "Evicted") return { code: "evicted", fatal: true, reason, message };
  if (reason === "Preempted" || reason === "Preempting")
    return { code: "preempted", fatal: true, reason, message };
  if (reason === "InspectFailed" || reason === "ErrImageNeverPull")
    return { code: "image_pull", fatal: true, reason, message };
  return { code: "warning_event", fatal: false, reason, message };
}

/** One line for humans: `image_pull (ImagePullBackOff) [claude]: Back-off pulling image "x"`. */
export function formatDiagnosis(d: PodDiagnosis): string {
  const where = d.container ? ` [${d.container}]` : "";
  const exit = d.exitCode !== undefined ? ` exit ${d.exitCode}` : "";
  return `${d.code} (${d.reason}${exit})${where}${d.message ? `: ${d.message}` : ""}`;
}
