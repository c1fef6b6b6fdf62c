import { ApiException, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { KubeClients } from "./clients.js";
import type { JobEvent } from "./job-events.js";
import { trackJob } from "./job-tracker.js";
import { job, jobCondition, pod, running, scheduled, terminated, unschedulable } from "./testing/fixtures.js";

type Callback = (type: string, object: unknown) => void;

/** Fake API boundary for the tracker: watches by path, scripted Job reads and pod lists (e2e uses a real one). */
function fakeApi(reads: Array<V1Job | number>, pods: V1Pod[] = []) {
  const watches = new Map<string, { query: Record<string, unknown>; callback: Callback }>();
  const calls: string[] = [];
  const clients = {
    watch: {
      watch: async (path: string, query: Record<string, unknown>, callback: Callback) => {
        const kind = path.endsWith("/jobs") ? "jobs" : path.endsWith("/pods") ? "pods" : "events";
        watches.set(kind, { query, callback });
        calls.push(`watch ${kind}`);
        return new AbortController();
      },
    },
    batch: {
      readNamespacedJob: async () => {
        calls.push("read job");
        const next = reads.length > 1 ? reads.shift() : reads[0];
        if (typeof next === "number") {
          throw new ApiException(
            next,
            "m",
            JSON.stringify({ code: next, reason: "X", message: `status ${next}` }),
            {},
          );
        }
        return next as V1Job;
      },
    },
    core: {
      listNamespacedPod: async () => {
        calls.push("list pods");
        return { items: pods };
      },
    },
  } as unknown as KubeClients;
  const send = (kind: string, type: string, object: unknown) => watches.get(kind)?.callback(type, object);
  return { clients, send, watches, calls };
}

async function collect(iterable: AsyncIterable<JobEvent>, limitMs = 15_000): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  const timer = setTimeout(() => {
    throw new Error("tracker did not end");
  }, limitMs);
  for await (const e of iterable) events.push(e);
  clearTimeout(timer);
  return events;
}

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

describe("trackJob (fake API boundary)", () => {
  it("watches the Job by name from the create resourceVersion and its pods by the Job's controller-uid selector", async () => {
    const api = fakeApi([job()]);
    const tracker = trackJob(api.clients, {
      namespace: "ns",
      name: "run-1",
      job: job(),
      backstopIntervalMs: 0,
    });
    const done = collect(tracker);
    await tick();
    expect(api.watches.get("jobs")?.query).toMatchObject({
      fieldSelector: "metadata.name=run-1",
      resourceVersion: "100",
    });
    expect(api.watches.get("pods")?.query).toMatchObject({
      labelSelector: "batch.kubernetes.io/controller-uid=11111111-2222-3333-4444-555555555555",
    });
    expect(api.watches.get("events")?.query).toMatchObject({ fieldSelector: "type=Warning" });
    expect(api.calls).not.toContain("read job");
    api.send(
      "pods",
      "ADDED",
      pod({ phase: "Succeeded", nodeName: "n", conditions: [scheduled], containers: [terminated(0)] }),
    );
    const events = await done;
    expect(events.at(-1)).toEqual({
      type: "job-ended",
      outcome: { kind: "complete", source: "pod", exitCode: 0 },
    });
  });

  it("transient backstop read errors (5xx) never end the run; a 404 is a soft 'deleted' end", async () => {
    const api = fakeApi([job(), 500, 503, 404]);
    const tracker = trackJob(api.clients, { namespace: "ns", name: "run-1", backstopIntervalMs: 20 });
    const events = await collect(tracker);
    expect(api.calls.filter((c) => c === "read job").length).toBeGreaterThanOrEqual(4);
    expect(events.filter((e) => e.type === "job-ended")).toEqual([
      { type: "job-ended", outcome: { kind: "deleted", message: "Job no longer exists (404)" } },
    ]);
  });

  it("a Job condition seen before the pod's final status is settled with one pod list (exit code kept)", async () => {
    const finished = pod({
      phase: "Failed",
      nodeName: "n",
      conditions: [scheduled],
      containers: [terminated(9)],
    });
    const api = fakeApi([job({ backoffLimit: 1 })], [finished]);
    const tracker = trackJob(api.clients, {
      namespace: "ns",
      name: "run-1",
      job: job({ backoffLimit: 1 }),
      backstopIntervalMs: 0,
    });
    const done = collect(tracker);
    await tick();
    api.send(
      "pods",
      "ADDED",
      pod({ phase: "Running", nodeName: "n", conditions: [scheduled], containers: [running()] }),
    );
    api.send(
      "jobs",
      "MODIFIED",
      job({ backoffLimit: 1, conditions: [jobCondition("Failed", "BackoffLimitExceeded", "limit")] }),
    );
    const events = await done;
    expect(api.calls).toContain("list pods");
    expect(events.slice(-2).map((e) => e.type)).toEqual(["container-terminated", "job-ended"]);
    expect(events.at(-1)).toMatchObject({
      outcome: { kind: "failed", reason: "BackoffLimitExceeded", exitCode: 9 },
    });
  });

  it("fires the scheduling timeout from a timer, with the scheduler's message, and keeps tracking", async () => {
    const api = fakeApi([job()]);
    const tracker = trackJob(api.clients, {
      namespace: "ns",
      name: "run-1",
      job: job(),
      schedulingTimeoutMs: 50,
      backstopIntervalMs: 0,
    });
    const seen: JobEvent[] = [];
    const done = (async () => {
      for await (const e of tracker) {
        seen.push(e);
        if (e.type === "start-timeout") api.send("jobs", "DELETED", job());
      }
    })();
    await tick();
    api.send(
      "pods",
      "ADDED",
      pod({ conditions: [unschedulable("0/1 nodes are available: 1 Insufficient cpu.")] }),
    );
    await done;
    expect(seen.find((e) => e.type === "start-timeout")).toMatchObject({
      stage: "scheduling",
      diagnosis: [{ code: "unschedulable", message: "0/1 nodes are available: 1 Insufficient cpu." }],
    });
    expect(seen.at(-1)).toMatchObject({ type: "job-ended", outcome: { kind: "deleted" } });
  });

  it("a non-transient error on the initial read (403) rejects the iteration with the server's message", async () => {
    const api = fakeApi([403]);
    const tracker = trackJob(api.clients, { namespace: "ns", name: "run-1" });
    await expect(collect(tracker)).rejects.toThrow(/read Job ns\/run-1 failed: 403 X: status 403/);
  });

  it("breaking out of the loop stops the tracker", async () => {
    const api = fakeApi([job()]);
    const tracker = trackJob(api.clients, {
      namespace: "ns",
      name: "run-1",
      job: job(),
      backstopIntervalMs: 0,
    });
    const pending = (async () => {
      for await (const e of tracker) if (e.type === "pod-created") break;
    })();
    await tick();
    api.send("pods", "ADDED", pod());
    await pending;
    api.send("pods", "MODIFIED", pod({ phase: "Succeeded", containers: [terminated(0)] }));
    expect(tracker.state.outcome).toBeUndefined();
  });

  it("reconnects a watch that stays silent longer than the bookmark period allows (half-open)", async () => {
    const api = fakeApi([job()]);
    const tracker = trackJob(api.clients, {
      namespace: "ns",
      name: "run-1",
      job: job(),
      backstopIntervalMs: 0,
      watchIdleRestartMs: 60,
    });
    const done = collect(tracker);
    await tick(20);
    const before = api.calls.filter((c) => c.startsWith("watch")).length;
    for (let i = 0; i < 100 && api.calls.filter((c) => c.startsWith("watch")).length <= before; i += 1)
      await tick(20);
    expect(api.calls.filter((c) => c.startsWith("watch")).length).toBeGreaterThan(before);
    tracker.stop();
    await done;
  });
});
