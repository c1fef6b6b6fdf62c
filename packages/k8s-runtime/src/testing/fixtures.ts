import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Job,
  V1JobCondition,
  V1Pod,
  V1PodCondition,
} from "@kubernetes/client-node";

export const JOB_UID = "11111111-2222-3333-4444-555555555555";

export function job(
  overrides: { conditions?: V1JobCondition[]; backoffLimit?: number; uid?: string; deleting?: boolean } = {},
): V1Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: "run-1",
      namespace: "ns",
      uid: overrides.uid ?? JOB_UID,
      resourceVersion: "100",
      ...(overrides.deleting ? { deletionTimestamp: new Date("2026-11-24T03:00:00Z") } : {}),
    },
    spec: {
      backoffLimit: overrides.backoffLimit ?? 0,
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": overrides.uid ?? JOB_UID } },
      template: { spec: { restartPolicy: "Never", containers: [{ name: "claude", image: "claude:1" }] } },
    },
    status: { conditions: overrides.conditions ?? [] },
  };
}

export function jobCondition(type: string, reason?: string, message?: string): V1JobCondition {
  return { type, status: "True", ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

export interface PodShape {
  name?: string;
  uid?: string;
  phase?: string;
  nodeName?: string;
  reason?: string;
  message?: string;
  conditions?: V1PodCondition[];
  containers?: V1ContainerStatus[];
  initContainers?: V1ContainerStatus[];
}

export function pod(shape: PodShape = {}): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: shape.name ?? "run-1-abcde",
      namespace: "ns",
      uid: shape.uid ?? "pod-uid-1",
      ownerReferences: [
        { apiVersion: "batch/v1", kind: "Job", name: "run-1", uid: JOB_UID, controller: true },
      ],
    },
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "claude", image: "claude:1" }],
      ...(shape.nodeName ? { nodeName: shape.nodeName } : {}),
    },
    status: {
      phase: shape.phase ?? "Pending",
      ...(shape.reason ? { reason: shape.reason } : {}),
      ...(shape.message ? { message: shape.message } : {}),
      conditions: shape.conditions ?? [],
      containerStatuses: shape.containers ?? [],
      initContainerStatuses: shape.initContainers ?? [],
    },
  };
}

export const scheduled: V1PodCondition = { type: "PodScheduled", status: "True" };

export function unschedulable(message: string): V1PodCondition {
  return { type: "PodScheduled", status: "False", reason: "Unschedulable", message };
}

export function waiting(reason: string, message = "", name = "claude"): V1ContainerStatus {
  return {
    name,
    image: "claude:1",
    imageID: "",
    ready: false,
    restartCount: 0,
    state: { waiting: { reason, message } },
  };
}

export function running(name = "claude"): V1ContainerStatus {
  return {
    name,
    image: "claude:1",
    imageID: "",
    ready: true,
    restartCount: 0,
    state: { running: { startedAt: new Date("2026-11-24T03:00:01Z") } },
  };
}

export function terminated(
  exitCode: number,
  reason = exitCode === 0 ? "Completed" : "Error",
  name = "claude",
): V1ContainerStatus {
  return {
    name,
    image: "claude:1",
    imageID: "",
    ready: false,
    restartCount: 0,
    state: {
      terminated: {
        exitCode,
        reason,
        startedAt: new Date("2026-11-24T03:00:01Z"),
        finishedAt: new Date("2026-11-24T03:00:05Z"),
      },
    },
  };
}

export function warningEvent(
  reason: string,
  message: string,
  involved: { kind: string; name: string; uid: string },
  count = 1,
  uid = `ev-${reason}`,
): CoreV1Event {
  return {
    metadata: { name: `${involved.name}.${reason}`, namespace: "ns", uid },
    involvedObject: involved,
    reason,
    message,
    type: "Warning",
    count,
  };
}
