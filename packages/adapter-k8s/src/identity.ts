import { shortHash, toLabelValue } from "@paperclip-k8s/k8s-runtime";
import type { ConcurrencyScope } from "./config.js";

/** Labels and annotations the adapter owns on every Job, pod and Secret it creates. */
export const LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  adapterType: "paperclip.ai/adapter-type",
  agent: "paperclip.ai/agent-id",
  company: "paperclip.ai/company-id",
  run: "paperclip.ai/run-id",
  slot: "paperclip.ai/slot",
  task: "paperclip.ai/task",
  session: "paperclip.ai/session",
} as const;

export const ANNOTATIONS = {
  agentId: "paperclip.ai/agent-id",
  agentName: "paperclip.ai/agent-name",
  runId: "paperclip.ai/run-id",
  taskKey: "paperclip.ai/task-key",
  sessionId: "paperclip.ai/session-id",
  concurrencyKey: "paperclip.ai/concurrency-key",
  /** Set on a Job that outlives its run (retainJobs, a failed delete) once that run has booked its result. */
  bookedBy: "claude-k8s.paperclip.ai/booked-by-run",
} as const;

export const MANAGED_BY = "paperclip-claude-k8s";
export const ADAPTER_TYPE = "claude_k8s";
const NONE = "none";

export interface RunIdentityInput {
  runId: string;
  agentId: string;
  agentName: string;
  companyId: string;
  taskKey: string | null;
  /** The session this run resumes (null for a fresh session). */
  sessionId: string | null;
  scope: ConcurrencyScope;
}

/**
 * Who a run is, as Kubernetes sees it. The Job name is a pure function of the concurrency slot (agent, or agent and
 * task), so two runs racing for the same slot — in this process or in another Paperclip replica — collide on the
 * name and the loser gets 409 AlreadyExists. The task and session labels let a later run recognise (and adopt) the
 * Job of the same agent, task and session after a Paperclip restart.
 */
export interface RunIdentity {
  readonly jobName: string;
  readonly concurrencyKey: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Selects every live Job competing for this run's slot. */
  readonly slotSelector: string;
}

/** Hashes in labels and names: 16 hex characters of SHA-256 (k8s-runtime's one hash). */
const hash = (value: string, length = 16): string => shortHash(value, length);

/** Any id -> a label value: kept when already valid, else a readable prefix plus a 16-hex hash of the whole id. */
const labelValue = (value: string): string => toLabelValue(value, { hashLength: 16 });

export function concurrencyKey(
  input: Pick<RunIdentityInput, "companyId" | "agentId" | "taskKey" | "scope">,
): string {
  const base = `${input.companyId}/${input.agentId}`;
  return input.scope === "task" ? `${base}/task:${input.taskKey ?? ""}` : base;
}

export function jobNameFor(agentId: string, key: string): string {
  const slug = agentId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "")
    .slice(0, 24);
  return `claude-${slug ? `${slug}-` : ""}${hash(key, 10)}`;
}

export function runIdentity(input: RunIdentityInput): RunIdentity {
  const key = concurrencyKey(input);
  const labels: Record<string, string> = {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.adapterType]: ADAPTER_TYPE,
    [LABELS.agent]: labelValue(input.agentId),
    [LABELS.company]: labelValue(input.companyId),
    [LABELS.run]: labelValue(input.runId),
    [LABELS.slot]: hash(key),
    [LABELS.task]: input.taskKey ? hash(input.taskKey) : NONE,
    [LABELS.session]: input.sessionId ? hash(input.sessionId) : NONE,
  };
  const annotations: Record<string, string> = {
    [ANNOTATIONS.agentId]: input.agentId,
    [ANNOTATIONS.agentName]: input.agentName,
    [ANNOTATIONS.runId]: input.runId,
    [ANNOTATIONS.concurrencyKey]: key,
    ...(input.taskKey ? { [ANNOTATIONS.taskKey]: input.taskKey } : {}),
    ...(input.sessionId ? { [ANNOTATIONS.sessionId]: input.sessionId } : {}),
  };
  const slotSelector =
    input.scope === "agent"
      ? `${LABELS.managedBy}=${MANAGED_BY},${LABELS.agent}=${labels[LABELS.agent]}`
      : `${LABELS.managedBy}=${MANAGED_BY},${LABELS.slot}=${labels[LABELS.slot]}`;
  return { jobName: jobNameFor(input.agentId, key), concurrencyKey: key, labels, annotations, slotSelector };
}

/**
 * True when an existing object belongs to the same agent, task and session as this run: every identity label
 * except the run id must be equal, and so must the full ids in the annotations (labels carry hashes).
 */
export function sameWork(
  mine: RunIdentity,
  theirs: { labels?: Record<string, string>; annotations?: Record<string, string> },
): boolean {
  const labelKeys = [
    LABELS.managedBy,
    LABELS.adapterType,
    LABELS.agent,
    LABELS.company,
    LABELS.slot,
    LABELS.task,
    LABELS.session,
  ];
  const annotationKeys = [
    ANNOTATIONS.agentId,
    ANNOTATIONS.concurrencyKey,
    ANNOTATIONS.taskKey,
    ANNOTATIONS.sessionId,
  ];
  return (
    labelKeys.every((k) => theirs.labels?.[k] === mine.labels[k]) &&
    annotationKeys.every((k) => theirs.annotations?.[k] === mine.annotations[k])
  );
}
