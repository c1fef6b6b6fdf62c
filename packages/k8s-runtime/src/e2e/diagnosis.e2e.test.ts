import { SchedulingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClients } from "../clients.js";
import type { JobEvent } from "../job-events.js";
import { trackJob } from "../job-tracker.js";
import { runJob } from "../run-job.js";
import {
  createJob,
  createNamespace,
  deleteNamespace,
  e2eClients,
  SHELL_IMAGE,
  shellJob,
} from "../testing/e2e-cluster.js";

let clients: KubeClients;
let namespace: string;

beforeAll(async () => {
  clients = e2eClients();
  namespace = await createNamespace(clients, "k8srt-diag");
});

afterAll(async () => {
  if (clients && namespace) await deleteNamespace(clients, namespace);
});

async function run(
  name: string,
  options: Parameters<typeof shellJob>[1],
  timeouts: { scheduling?: number; start?: number } = {},
) {
  const job = await createJob(clients, namespace, shellJob(name, options));
  const events: JobEvent[] = [];
  const result = await runJob(clients, {
    namespace,
    job,
    containerName: "main",
    onLine: () => {},
    onEvent: (e) => void events.push(e),
    schedulingTimeoutMs: timeouts.scheduling ?? 60_000,
    containerStartTimeoutMs: timeouts.start ?? 120_000,
  });
  return { result, events };
}

describe("pod diagnosis on a real cluster", () => {
  it("image pull error: ErrImagePull/ImagePullBackOff ends the run early with the kubelet's message", async () => {
    const { result } = await run("pull", { script: "true", image: "localhost/paperclip-does-not-exist:0" });
    expect(result.outcome).toMatchObject({ kind: "start-failed", stage: "container-start", timedOut: false });
    const codes = result.diagnosis.map((d) => d.code);
    expect(codes).toContain("image_pull");
    expect(result.diagnosis.find((d) => d.code === "image_pull")?.message).toMatch(
      /paperclip-does-not-exist/,
    );
  });

  it("invalid image name", async () => {
    const { result } = await run("badname", { script: "true", image: "localhost/UPPER:case" });
    expect(result.outcome).toMatchObject({ kind: "start-failed" });
    expect(result.diagnosis.map((d) => d.code)).toContain("invalid_image");
  });

  it("unschedulable: scheduling timeout with the scheduler's message", async () => {
    const { result } = await run(
      "unsched",
      { script: "true", podSpec: { nodeSelector: { "paperclip-k8s/no-such-node": "x" } } },
      { scheduling: 8_000 },
    );
    expect(result.outcome).toMatchObject({ kind: "start-failed", stage: "scheduling", timedOut: true });
    const unschedulable = result.diagnosis.find((d) => d.code === "unschedulable");
    expect(unschedulable?.message).toMatch(/node\(s\) didn't match Pod's node affinity\/selector/);
  });

  it("FailedMount Warning Event: container-start timeout with the kubelet's mount error", async () => {
    const { result, events } = await run(
      "mount",
      {
        script: "true",
        podSpec: { volumes: [{ name: "s", secret: { secretName: "paperclip-missing-secret" } }] },
        container: { volumeMounts: [{ name: "s", mountPath: "/s" }] },
      },
      { start: 15_000 },
    );
    expect(result.outcome).toMatchObject({ kind: "start-failed", stage: "container-start", timedOut: true });
    expect(events.some((e) => e.type === "warning" && e.reason === "FailedMount")).toBe(true);
    // The kubelet's first attempt may say "failed to sync secret cache"; later ones name the Secret.
    const mount = result.diagnosis.filter((d) => d.code === "mount_failed").map((d) => d.message);
    expect(mount.length).toBeGreaterThan(0);
    expect(mount.some((m) => /paperclip-missing-secret|volume "s"/.test(m))).toBe(true);
  });

  it("init container failure with its exit code", async () => {
    const { result } = await run("init", {
      script: "echo never",
      podSpec: {
        initContainers: [
          {
            name: "prepare",
            image: SHELL_IMAGE,
            imagePullPolicy: "IfNotPresent",
            command: ["sh", "-c", "exit 7"],
          },
        ],
      },
    });
    expect(result.outcome).toMatchObject({ kind: "failed" });
    expect(result.diagnosis).toContainEqual(
      expect.objectContaining({ code: "init_failed", container: "prepare", exitCode: 7 }),
    );
  });

  it("OOMKilled under a memory limit", async () => {
    const { result } = await run("oom", {
      script: "echo allocating; exec tail /dev/zero",
      container: { resources: { limits: { memory: "48Mi" }, requests: { memory: "48Mi" } } },
    });
    expect(result.outcome).toMatchObject({ kind: "failed" });
    expect(result.termination).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    expect(result.diagnosis.map((d) => d.code)).toContain("oom_killed");
  });

  it("crash loop (restartPolicy OnFailure) is reported as a pod problem", async () => {
    const job = await createJob(
      clients,
      namespace,
      shellJob("crash", {
        script: "exit 1",
        podSpec: { restartPolicy: "OnFailure" },
        jobSpec: { backoffLimit: 6 },
      }),
    );
    let crash: JobEvent | undefined;
    const tracker = trackJob(clients, { namespace, name: "crash", job });
    for await (const event of tracker) {
      if (event.type === "pod-problem" && event.diagnosis.code === "crash_loop") {
        crash = event;
        break;
      }
    }
    expect(crash).toMatchObject({
      diagnosis: { reason: "CrashLoopBackOff", fatal: true, container: "main" },
    });
  });

  it("evicted (Eviction API): the Job fails and the diagnosis says evicted", async () => {
    const job = await createJob(clients, namespace, shellJob("evict", { script: "echo up; sleep 300" }));
    const result = await runJob(clients, {
      namespace,
      job,
      containerName: "main",
      onLine: () => {},
      onEvent: (e) => {
        if (e.type === "container-started") {
          void clients.core.createNamespacedPodEviction({
            name: e.pod.name,
            namespace,
            body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: e.pod.name, namespace } },
          });
        }
      },
    });
    expect(result.outcome.kind).toBe("failed");
    expect(result.diagnosis.map((d) => d.code)).toContain("evicted");
  });

  it("preempted by a higher-priority pod: the Job fails and the diagnosis says preempted", async () => {
    const scheduling = clients.kubeConfig.makeApiClient(SchedulingV1Api);
    const suffix = namespace.slice(-8);
    const low = `k8srt-low-${suffix}`;
    const high = `k8srt-high-${suffix}`;
    // Our victim is the lowest-priority pod on the node, so the scheduler never picks anyone else's.
    await scheduling.createPriorityClass({ body: { metadata: { name: low }, value: -100 } });
    await scheduling.createPriorityClass({ body: { metadata: { name: high }, value: 100 } });
    try {
      const node = (await clients.core.listNode()).items[0];
      const allocatable = parseCpu(node?.status?.allocatable?.cpu ?? "0");
      const pods = await clients.core.listPodForAllNamespaces({
        fieldSelector: `spec.nodeName=${node?.metadata?.name}`,
      });
      const used = pods.items
        .filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed")
        .flatMap((p) => p.spec?.containers ?? [])
        .reduce((sum, c) => sum + parseCpu(c.resources?.requests?.cpu ?? "0"), 0);
      const cpu = `${Math.max(100, allocatable - used - 50)}m`;
      const job = await createJob(
        clients,
        namespace,
        shellJob("preempt", {
          script: "echo up; sleep 300",
          podSpec: { priorityClassName: low },
          container: { resources: { requests: { cpu } } },
        }),
      );
      const result = await runJob(clients, {
        namespace,
        job,
        containerName: "main",
        onLine: () => {},
        onEvent: (e) => {
          if (e.type === "container-started") {
            void clients.core.createNamespacedPod({
              namespace,
              body: {
                metadata: { name: "preemptor" },
                spec: {
                  priorityClassName: high,
                  terminationGracePeriodSeconds: 1,
                  containers: [
                    {
                      name: "c",
                      image: SHELL_IMAGE,
                      imagePullPolicy: "IfNotPresent",
                      command: ["sleep", "5"],
                      resources: { requests: { cpu } },
                    },
                  ],
                },
              },
            });
          }
        },
      });
      expect(result.outcome.kind).toBe("failed");
      expect(result.diagnosis).toContainEqual(expect.objectContaining({ code: "preempted" }));
    } finally {
      await clients.core.deleteNamespacedPod({ name: "preemptor", namespace }).catch(() => {});
      await scheduling.deletePriorityClass({ name: low }).catch(() => {});
      await scheduling.deletePriorityClass({ name: high }).catch(() => {});
    }
  });
});

function parseCpu(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}
