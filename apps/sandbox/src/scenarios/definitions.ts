/**
 * Failure scenarios produced for real on the cluster, each as a Job in its own namespace, with the check that
 * recognises its real outcome in the Job / pod / event state. Pure data and predicates: unit-testable.
 */
import type { CoreV1Event, V1Container, V1Job, V1Pod, V1PodSpec } from "@kubernetes/client-node";

export const SCENARIO_NAMES = [
  "image-pull-failure",
  "crash-loop",
  "unschedulable-node-selector",
  "unschedulable-resources",
  "oom-killed",
  "evicted",
  "slow-start",
  "hanging",
  "init-container-failure",
  "failed-mount-secret",
  "missing-pvc",
  "deadline-exceeded",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}

/** What the cluster showed: the Kubernetes reason (as the adapters will see it) and the evidence. */
export interface Observation {
  reason: string;
  message: string;
  exitCode?: number;
}

/** Everything a check may look at, read fresh from the API each round. */
export interface ScenarioState {
  job: V1Job | undefined;
  pods: V1Pod[];
  events: CoreV1Event[];
  now: Date;
}

export interface ScenarioImages {
  /** A busybox image that runs as uid 1000. */
  tools: string;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** How long the real outcome may take to appear on a loaded 2-core machine. */
  timeoutMs: number;
  job(images: ScenarioImages): V1Job;
  /** The observation once the outcome is visible, else undefined. */
  check(state: ScenarioState): Observation | undefined;
}

export const SCENARIO_LABEL = "sandbox.paperclip.dev/scenario";
const NONEXISTENT_IMAGE = "localhost:5999/paperclip/does-not-exist:1";
const SLOW_START_SECONDS = 15;
const HANG_SECONDS = 10;

/** A container that passes Pod Security "restricted". */
function container(
  name: string,
  image: string,
  script: string,
  extra: Partial<V1Container> = {},
): V1Container {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["sh", "-c", script],
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    },
    ...extra,
  };
}

function job(
  name: ScenarioName,
  pod: Partial<V1PodSpec> & Pick<V1PodSpec, "containers">,
  spec: { backoffLimit?: number; activeDeadlineSeconds?: number } = {},
): V1Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `sc-${name}`, labels: { [SCENARIO_LABEL]: name } },
    spec: {
      backoffLimit: spec.backoffLimit ?? 0,
      ...(spec.activeDeadlineSeconds ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
      template: {
        metadata: { labels: { [SCENARIO_LABEL]: name } },
        spec: { restartPolicy: "Never", terminationGracePeriodSeconds: 1, ...pod },
      },
    },
  };
}

const firstPod = (s: ScenarioState) => s.pods[0];
const mainStatus = (s: ScenarioState) => firstPod(s)?.status?.containerStatuses?.[0];

function unschedulable(s: ScenarioState, mustMention: RegExp): Observation | undefined {
  const cond = firstPod(s)?.status?.conditions?.find((c) => c.type === "PodScheduled");
  if (cond?.status === "False" && cond.reason === "Unschedulable" && mustMention.test(cond.message ?? "")) {
    return { reason: "Unschedulable", message: cond.message ?? "" };
  }
  return undefined;
}

function secondsSince(from: Date | undefined, now: Date): number {
  return from ? (now.getTime() - new Date(from).getTime()) / 1000 : 0;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  "image-pull-failure": {
    name: "image-pull-failure",
    description: `an image no registry serves (${NONEXISTENT_IMAGE}): ErrImagePull, then ImagePullBackOff`,
    timeoutMs: 90_000,
    job: () => job("image-pull-failure", { containers: [container("main", NONEXISTENT_IMAGE, "true")] }),
    check: (s) => {
      const waiting = mainStatus(s)?.state?.waiting;
      if (waiting?.reason === "ErrImagePull" || waiting?.reason === "ImagePullBackOff") {
        return { reason: waiting.reason, message: waiting.message ?? "" };
      }
      return undefined;
    },
  },
  "crash-loop": {
    name: "crash-loop",
    description: "a container that exits 3 right away under restartPolicy OnFailure: CrashLoopBackOff",
    timeoutMs: 120_000,
    job: (img) =>
      job(
        "crash-loop",
        { restartPolicy: "OnFailure", containers: [container("main", img.tools, "echo crashing; exit 3")] },
        { backoffLimit: 20 },
      ),
    check: (s) => {
      const cs = mainStatus(s);
      const last = cs?.lastState?.terminated;
      if (cs?.state?.waiting?.reason === "CrashLoopBackOff" && last) {
        return {
          reason: "CrashLoopBackOff",
          message: cs.state.waiting.message ?? "",
          exitCode: last.exitCode,
        };
      }
      return undefined;
    },
  },
  "unschedulable-node-selector": {
    name: "unschedulable-node-selector",
    description: "a nodeSelector no node matches: PodScheduled=False, reason Unschedulable",
    timeoutMs: 60_000,
    job: (img) =>
      job("unschedulable-node-selector", {
        nodeSelector: { "sandbox.paperclip.dev/no-such-node": "true" },
        containers: [container("main", img.tools, "true")],
      }),
    check: (s) => unschedulable(s, /node affinity|selector/i),
  },
  "unschedulable-resources": {
    name: "unschedulable-resources",
    description: "requests more CPU than the node has: Unschedulable, Insufficient cpu",
    timeoutMs: 60_000,
    job: (img) =>
      job("unschedulable-resources", {
        containers: [container("main", img.tools, "true", { resources: { requests: { cpu: "512" } } })],
      }),
    check: (s) => unschedulable(s, /Insufficient cpu/),
  },
  "oom-killed": {
    name: "oom-killed",
    description: "a 256 MiB buffer under a 32 MiB memory limit: terminated OOMKilled, exit 137",
    timeoutMs: 90_000,
    job: (img) =>
      job("oom-killed", {
        containers: [
          container("main", img.tools, "dd if=/dev/zero of=/dev/null bs=256M count=1", {
            resources: { limits: { memory: "32Mi" }, requests: { memory: "32Mi" } },
          }),
        ],
      }),
    check: (s) => {
      const cs = mainStatus(s);
      const t = cs?.state?.terminated ?? cs?.lastState?.terminated;
      return t?.reason === "OOMKilled"
        ? { reason: "OOMKilled", message: t.message ?? "", exitCode: t.exitCode }
        : undefined;
    },
  },
  evicted: {
    name: "evicted",
    description:
      "writes 8 MiB into an emptyDir limited to 1 MiB: the kubelet evicts the pod (reason Evicted)",
    timeoutMs: 120_000,
    job: (img) =>
      job("evicted", {
        volumes: [{ name: "scratch", emptyDir: { sizeLimit: "1Mi" } }],
        containers: [
          container("main", img.tools, "dd if=/dev/zero of=/scratch/fill bs=1M count=8 && sleep 600", {
            volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
          }),
        ],
      }),
    check: (s) => {
      const pod = firstPod(s);
      return pod?.status?.reason === "Evicted"
        ? { reason: "Evicted", message: pod.status.message ?? "" }
        : undefined;
    },
  },
  "slow-start": {
    name: "slow-start",
    description: `an init container that takes ${SLOW_START_SECONDS} s before the main container starts (then completes)`,
    timeoutMs: 120_000,
    job: (img) =>
      job("slow-start", {
        initContainers: [container("warm-up", img.tools, `sleep ${SLOW_START_SECONDS}`)],
        containers: [container("main", img.tools, "echo started")],
      }),
    check: (s) => {
      const pod = firstPod(s);
      const started = mainStatus(s)?.state?.terminated?.startedAt;
      if (pod?.status?.phase !== "Succeeded" || !started) return undefined;
      const delay = secondsSince(pod.metadata?.creationTimestamp, new Date(started));
      return {
        reason: "Completed",
        message: `main container started ${delay.toFixed(1)} s after the pod was created`,
      };
    },
  },
  hanging: {
    name: "hanging",
    description: `prints one line, then never exits and never prints again (observed Running for ${HANG_SECONDS} s)`,
    timeoutMs: 90_000,
    job: (img) =>
      job("hanging", { containers: [container("main", img.tools, "echo started; exec sleep 86400")] }),
    check: (s) => {
      const running = mainStatus(s)?.state?.running;
      if (!running?.startedAt) return undefined;
      const secs = secondsSince(running.startedAt, s.now);
      return secs >= HANG_SECONDS
        ? { reason: "Running", message: `still running after ${secs.toFixed(0)} s` }
        : undefined;
    },
  },
  "init-container-failure": {
    name: "init-container-failure",
    description: "an init container that exits 2: the main container never starts, the Job fails",
    timeoutMs: 90_000,
    job: (img) =>
      job("init-container-failure", {
        initContainers: [container("prepare", img.tools, "echo 'cannot prepare workspace' >&2; exit 2")],
        containers: [container("main", img.tools, "echo never")],
      }),
    check: (s) => {
      const t = firstPod(s)?.status?.initContainerStatuses?.[0]?.state?.terminated;
      return t && t.exitCode !== 0
        ? { reason: `Init:${t.reason ?? "Error"}`, message: t.message ?? "", exitCode: t.exitCode }
        : undefined;
    },
  },
  "failed-mount-secret": {
    name: "failed-mount-secret",
    description: "mounts a Secret that does not exist: FailedMount events, pod stuck in ContainerCreating",
    timeoutMs: 90_000,
    job: (img) =>
      job("failed-mount-secret", {
        volumes: [{ name: "creds", secret: { secretName: "paperclip-missing-secret" } }],
        containers: [
          container("main", img.tools, "true", { volumeMounts: [{ name: "creds", mountPath: "/creds" }] }),
        ],
      }),
    check: (s) => {
      const pod = firstPod(s)?.metadata?.name;
      const ev = s.events.find((e) => e.reason === "FailedMount" && e.involvedObject?.name === pod);
      return ev ? { reason: "FailedMount", message: ev.message ?? "" } : undefined;
    },
  },
  "missing-pvc": {
    name: "missing-pvc",
    description: "mounts a PersistentVolumeClaim that does not exist: the pod cannot be scheduled",
    timeoutMs: 60_000,
    job: (img) =>
      job("missing-pvc", {
        volumes: [{ name: "work", persistentVolumeClaim: { claimName: "paperclip-missing-pvc" } }],
        containers: [
          container("main", img.tools, "true", { volumeMounts: [{ name: "work", mountPath: "/work" }] }),
        ],
      }),
    check: (s) => unschedulable(s, /persistentvolumeclaim "paperclip-missing-pvc" not found/),
  },
  "deadline-exceeded": {
    name: "deadline-exceeded",
    description: "a Job with activeDeadlineSeconds 5 whose pod sleeps: Job Failed, reason DeadlineExceeded",
    timeoutMs: 90_000,
    job: (img) =>
      job(
        "deadline-exceeded",
        { containers: [container("main", img.tools, "sleep 600")] },
        { activeDeadlineSeconds: 5 },
      ),
    check: (s) => {
      const c = s.job?.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True");
      return c?.reason === "DeadlineExceeded"
        ? { reason: "DeadlineExceeded", message: c.message ?? "" }
        : undefined;
    },
  },
};
