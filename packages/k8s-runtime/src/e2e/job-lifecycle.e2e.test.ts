import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteJob } from "../cleanup.js";
import type { KubeClients } from "../clients.js";
import type { JobEvent } from "../job-events.js";
import { trackJob } from "../job-tracker.js";
import type { LogLine } from "../log-cursor.js";
import { runJob } from "../run-job.js";
import {
  createJob,
  createNamespace,
  deleteNamespace,
  e2eClients,
  memoryLogger,
  numberedLines,
  shellJob,
} from "../testing/e2e-cluster.js";

let clients: KubeClients;
let namespace: string;

beforeAll(async () => {
  clients = e2eClients();
  namespace = await createNamespace(clients, "k8srt-life");
});

afterAll(async () => {
  if (clients && namespace) await deleteNamespace(clients, namespace);
});

async function run(
  name: string,
  options: Parameters<typeof shellJob>[1],
  extra: Partial<Parameters<typeof runJob>[1]> = {},
) {
  const job = await createJob(clients, namespace, shellJob(name, options));
  const lines: LogLine[] = [];
  const events: JobEvent[] = [];
  const result = await runJob(clients, {
    namespace,
    job,
    containerName: "main",
    onLine: (l) => void lines.push(l),
    onEvent: (e) => void events.push(e),
    schedulingTimeoutMs: 60_000,
    containerStartTimeoutMs: 120_000,
    ...extra,
  });
  return { job, lines, events, result };
}

describe("Job life on a real cluster", () => {
  it("success: every line once, typed events in order, Complete with exit code 0", async () => {
    const { lines, events, result } = await run("ok", { script: numberedLines(40, 0.02) });
    expect(result.outcome).toMatchObject({ kind: "complete", exitCode: 0 });
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 40 }, (_, i) => `line-${i + 1}`));
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(l.timestamp))).toBe(true);
    const order = events.map((e) => e.type);
    for (const step of [
      "pod-created",
      "pod-scheduled",
      "container-started",
      "container-terminated",
      "job-ended",
    ]) {
      expect(order).toContain(step);
    }
    expect(order.indexOf("pod-scheduled")).toBeLessThan(order.indexOf("container-started"));
    expect(order.indexOf("container-terminated")).toBeLessThan(order.indexOf("job-ended"));
    expect(result.logs).toMatchObject({ endedBy: "drained", lines: 40 });
  });

  it("failure: exit code and reason, Failed/BackoffLimitExceeded", async () => {
    const { lines, result } = await run("exit3", { script: "echo about-to-fail; exit 3" });
    expect(result.outcome).toMatchObject({ kind: "failed", reason: "BackoffLimitExceeded", exitCode: 3 });
    expect(result.termination).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(lines.map((l) => l.text)).toEqual(["about-to-fail"]);
  });

  it("the Job controller's own verdict is read when the end cannot be inferred from the pod (podFailurePolicy)", async () => {
    const { result } = await run("pfp", {
      script: "exit 42",
      jobSpec: {
        podFailurePolicy: {
          rules: [
            { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42] } },
          ],
        },
      },
    });
    expect(result.outcome).toMatchObject({ kind: "failed", reason: "PodFailurePolicy", source: "job" });
  });

  it("deadline: Failed with DeadlineExceeded", async () => {
    const { result, events } = await run("deadline", {
      script: "echo started; sleep 120",
      activeDeadlineSeconds: 4,
    });
    expect(result.outcome).toMatchObject({ kind: "failed", reason: "DeadlineExceeded" });
    expect(events.some((e) => e.type === "job-finishing" && e.reason === "DeadlineExceeded")).toBe(true);
  });

  it("deleted by someone else mid-run: a soft end that keeps the captured lines", async () => {
    const job = await createJob(
      clients,
      namespace,
      shellJob("deleted", { script: numberedLines(1000, 0.05) }),
    );
    const lines: LogLine[] = [];
    const pending = runJob(clients, {
      namespace,
      job,
      containerName: "main",
      onLine: (l) => {
        lines.push(l);
        if (lines.length === 20) void deleteJob(clients, { namespace, name: "deleted" });
      },
    });
    const result = await pending;
    expect(result.outcome.kind).toBe("deleted");
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: lines.length }, (_, i) => `line-${i + 1}`));
  });

  it("410: a watch started from an expired resourceVersion relists and still sees the end", async () => {
    const job = await createJob(clients, namespace, shellJob("relist", { script: "sleep 3; echo done" }));
    const logger = memoryLogger();
    const requests: string[] = [];
    const stale = { ...job, metadata: { ...job.metadata, resourceVersion: "2" } };
    const events: JobEvent[] = [];
    for await (const event of trackJob(clients, {
      namespace,
      name: "relist",
      job: stale,
      logger,
      onRequest: (k) => void requests.push(k),
    })) {
      events.push(event);
    }
    expect(logger.records.some((r) => r.message.includes("expired (410); relisting"))).toBe(true);
    expect(requests).toContain("list");
    expect(events.at(-1)).toMatchObject({ type: "job-ended", outcome: { kind: "complete" } });
  });

  it("a re-created Job with the same name never sees its predecessor's pod (pods tracked by controller uid)", async () => {
    const first = await createJob(clients, namespace, shellJob("same", { script: "echo old; sleep 300" }));
    for await (const event of trackJob(clients, { namespace, name: "same", job: first })) {
      if (event.type === "container-started") break;
    }
    // Orphan the old pod: it keeps running with the job-name label of the new Job.
    await clients.batch.deleteNamespacedJob({
      name: "same",
      namespace,
      body: { propagationPolicy: "Orphan" },
    });
    for (let i = 0; i < 100; i += 1) {
      const gone = await clients.batch.readNamespacedJob({ name: "same", namespace }).then(
        () => false,
        () => true,
      );
      if (gone) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = await createJob(clients, namespace, shellJob("same", { script: "echo new; exit 0" }));
    const lines: string[] = [];
    const events: JobEvent[] = [];
    const result = await runJob(clients, {
      namespace,
      job: second,
      containerName: "main",
      onLine: (l) => void lines.push(l.text),
      onEvent: (e) => void events.push(e),
    });
    const oldPods = await clients.core.listNamespacedPod({ namespace, labelSelector: "job-name=same" });
    expect(oldPods.items.length).toBeGreaterThanOrEqual(2);
    expect(result.outcome).toMatchObject({ kind: "complete", exitCode: 0 });
    expect(lines).toEqual(["new"]);
    const created = events.filter((e) => e.type === "pod-created");
    expect(created).toHaveLength(1);
    const firstPods = await clients.core.listNamespacedPod({
      namespace,
      labelSelector: `batch.kubernetes.io/controller-uid=${first.metadata?.uid}`,
    });
    expect(created.map((e) => (e.type === "pod-created" ? e.pod.uid : ""))).not.toContain(
      firstPods.items[0]?.metadata?.uid,
    );
  });

  it("adoption: a second follower resumes after a persisted log position without repeating lines", async () => {
    const job = await createJob(clients, namespace, shellJob("adopt", { script: numberedLines(200, 0.03) }));
    const first: LogLine[] = [];
    const controller = new AbortController();
    const firstRun = await runJob(clients, {
      namespace,
      job,
      containerName: "main",
      signal: controller.signal,
      onLine: (l) => {
        first.push(l);
        if (first.length === 60) controller.abort(); // "Paperclip restarts" here
      },
    });
    expect(firstRun.outcome.kind).toBe("aborted");
    const position = firstRun.logs?.position;
    expect(position).toBeDefined();
    const current = await clients.batch.readNamespacedJob({ name: "adopt", namespace });
    const second: LogLine[] = [];
    const secondRun = await runJob(clients, {
      namespace,
      job: current,
      containerName: "main",
      onLine: (l) => void second.push(l),
      ...(position ? { logResumeFrom: position } : {}),
    });
    expect(secondRun.outcome).toMatchObject({ kind: "complete", exitCode: 0 });
    expect([...first, ...second].map((l) => l.text)).toEqual(
      Array.from({ length: 200 }, (_, i) => `line-${i + 1}`),
    );
  });
});
