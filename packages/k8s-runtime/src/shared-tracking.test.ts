import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { KubeClients } from "./clients.js";
import type { JobEvent } from "./job-events.js";
import { trackJob } from "./job-tracker.js";
import { runJob } from "./run-job.js";
import { FakeWatchSource } from "./testing/fake-watch-source.js";
import {
  JOB_UID,
  job,
  jobCondition,
  pod,
  running,
  scheduled,
  terminated,
  warningEvent,
} from "./testing/fixtures.js";
import { WatchHub } from "./watch-hub.js";

const OTHER_UID = "99999999-2222-3333-4444-555555555555";

function withRv<T extends V1Job | V1Pod>(object: T, rv: string): T {
  return { ...object, metadata: { ...object.metadata, resourceVersion: rv } };
}

/** A pod of the Job with `owner` uid. */
function podOf(owner: string, uid: string, rv: string, shape: Parameters<typeof pod>[0] = {}): V1Pod {
  const p = pod({ uid, name: `${owner.slice(0, 4)}-${uid}`, ...shape });
  const owners = (p.metadata?.ownerReferences ?? []).map((o) => ({ ...o, uid: owner }));
  return { ...p, metadata: { ...p.metadata, ownerReferences: owners, resourceVersion: rv } };
}

function fakeCluster(lists: { pods?: () => V1Pod[] } = {}) {
  const source = new FakeWatchSource();
  const calls: string[] = [];
  const clients = {
    watch: source,
    batch: {
      listNamespacedJob: async () => {
        calls.push("list jobs");
        return { items: [], metadata: { resourceVersion: "1" } };
      },
      readNamespacedJob: async () => {
        calls.push("read job");
        return job();
      },
    },
    core: {
      listNamespacedPod: async () => {
        calls.push("list pods");
        return { items: lists.pods?.() ?? [], metadata: { resourceVersion: "500" } };
      },
      listNamespacedEvent: async () => {
        calls.push("list events");
        return { items: [], metadata: {} };
      },
    },
  } as unknown as KubeClients;
  const requests: string[] = [];
  const hub = new WatchHub(clients, {
    backstopIntervalMs: 0,
    onRequest: (k, what) => void requests.push(`${k} ${what}`),
  });
  return { source, clients, hub, calls, requests };
}

async function collect(iterable: AsyncIterable<JobEvent>): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const e of iterable) events.push(e);
  return events;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

const types = (events: JobEvent[]) => events.map((e) => e.type);

describe("trackJob over the shared watches (fake watch source)", () => {
  it("two runs in one namespace: 3 watches in all, each run gets only its Job's events, all closed after the last run", async () => {
    const { source, clients, hub, requests } = fakeCluster();
    const jobA = withRv(job(), "100");
    const jobB = withRv(job({ uid: OTHER_UID }), "101");
    const a = trackJob(clients, { namespace: "ns", name: "run-1", job: jobA, watch: "shared", hub });
    const b = trackJob(clients, { namespace: "ns", name: "run-2", job: jobB, watch: "shared", hub });
    const doneA = collect(a);
    const doneB = collect(b);
    await until(() => source.connections.length === 3);
    expect(hub.open.sort()).toEqual(["ns/events", "ns/jobs", "ns/pods"]);
    expect(source.latest("pods")?.query).toMatchObject({
      labelSelector: "batch.kubernetes.io/controller-uid",
    });
    expect(source.latest("jobs")?.query.fieldSelector).toBeUndefined();
    source.send("pods", "ADDED", podOf(JOB_UID, "pa", "110", { phase: "Pending" }));
    source.send("pods", "ADDED", podOf(OTHER_UID, "pb", "111", { phase: "Pending" }));
    source.send(
      "pods",
      "MODIFIED",
      podOf(JOB_UID, "pa", "112", {
        phase: "Running",
        nodeName: "n",
        conditions: [scheduled],
        containers: [running()],
      }),
    );
    source.send(
      "pods",
      "MODIFIED",
      podOf(JOB_UID, "pa", "113", {
        phase: "Succeeded",
        nodeName: "n",
        conditions: [scheduled],
        containers: [terminated(0)],
      }),
    );
    const eventsA = await doneA;
    expect(types(eventsA)).toEqual([
      "pod-created",
      "pod-scheduled",
      "container-started",
      "container-terminated",
      "job-ended",
    ]);
    expect(eventsA.every((e) => !("pod" in e) || e.pod.uid === "pa")).toBe(true);
    expect(source.open).toHaveLength(3); // run B still live
    source.send(
      "jobs",
      "MODIFIED",
      withRv(job({ uid: OTHER_UID, conditions: [jobCondition("Failed", "DeadlineExceeded")] }), "120"),
    );
    const eventsB = await doneB;
    expect(types(eventsB)).toEqual(["pod-created", "job-ended"]);
    expect(eventsB.at(-1)).toMatchObject({ outcome: { kind: "failed", reason: "DeadlineExceeded" } });
    expect(source.open).toHaveLength(0);
    expect(hub.open).toEqual([]);
    expect(requests).toEqual(["watch jobs", "watch pods", "watch events"]);
  });

  it("410 on the pod watch mid-run: the relist gives the run the pod's final state (exit code) it missed", async () => {
    let relisted: V1Pod[] = [];
    const { source, clients, hub, calls } = fakeCluster({ pods: () => relisted });
    const tracker = trackJob(clients, {
      namespace: "ns",
      name: "run-1",
      job: withRv(job(), "100"),
      watch: "shared",
      hub,
    });
    const done = collect(tracker);
    await until(() => source.connections.length === 3);
    source.send(
      "pods",
      "ADDED",
      podOf(JOB_UID, "pa", "110", {
        phase: "Running",
        nodeName: "n",
        conditions: [scheduled],
        containers: [running()],
      }),
    );
    relisted = [
      podOf(JOB_UID, "pa", "130", {
        phase: "Failed",
        nodeName: "n",
        conditions: [scheduled],
        containers: [terminated(3)],
      }),
    ];
    source.expire("pods");
    const events = await done;
    expect(calls).toContain("list pods");
    expect(events.find((e) => e.type === "container-terminated")).toMatchObject({ exitCode: 3 });
    expect(events.at(-1)).toMatchObject({ type: "job-ended", outcome: { kind: "failed", exitCode: 3 } });
    expect(source.open).toHaveLength(0);
  });

  it("a run that joins mid-stream gets the current state at once; a Warning that came before its pod is replayed", async () => {
    const { source, clients, hub } = fakeCluster();
    const other = trackJob(clients, {
      namespace: "ns",
      name: "run-2",
      job: withRv(job({ uid: OTHER_UID }), "90"),
      watch: "shared",
      hub,
    });
    const otherDone = collect(other);
    await until(() => source.connections.length === 3);
    const stuck = podOf(JOB_UID, "pa", "110", { phase: "Pending", nodeName: "n", conditions: [scheduled] });
    source.send(
      "events",
      "ADDED",
      warningEvent("FailedMount", "MountVolume.SetUp failed", { kind: "Pod", name: "x", uid: "pa" }),
    );
    source.send("pods", "ADDED", stuck);
    const seen: JobEvent[] = [];
    const late = trackJob(clients, {
      namespace: "ns",
      name: "run-1",
      job: withRv(job(), "100"),
      watch: "shared",
      hub,
    });
    const iterator = late[Symbol.asyncIterator]();
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      seen.push(next.value);
      if (next.value.type === "warning") break;
    }
    expect(types(seen)).toEqual(["pod-created", "pod-scheduled", "warning"]);
    expect(seen.at(-1)).toMatchObject({ reason: "FailedMount" });
    expect(source.connections).toHaveLength(3); // joined the open watches, opened none
    late.stop();
    other.stop();
    await otherDone;
    expect(source.open).toHaveLength(0);
  });

  it("the Job's deletion (a DELETED event on the shared Job watch) ends only that run, as deleted", async () => {
    const { source, clients, hub } = fakeCluster();
    const a = collect(
      trackJob(clients, { namespace: "ns", name: "run-1", job: withRv(job(), "100"), watch: "shared", hub }),
    );
    const b = trackJob(clients, {
      namespace: "ns",
      name: "run-2",
      job: withRv(job({ uid: OTHER_UID }), "101"),
      watch: "shared",
      hub,
    });
    await until(() => source.connections.length === 3);
    source.send("jobs", "ADDED", withRv(job(), "100"));
    source.send("jobs", "DELETED", withRv(job(), "140"));
    expect((await a).at(-1)).toMatchObject({ type: "job-ended", outcome: { kind: "deleted" } });
    expect(source.open).toHaveLength(3);
    b.stop();
    expect(source.open).toHaveLength(0);
  });

  it("runJob uses the shared watches by default and the per-run ones on request", async () => {
    const shared = fakeCluster();
    const ended = withRv(job({ conditions: [jobCondition("Failed", "BackoffLimitExceeded")] }), "150");
    const run = runJob(shared.clients, {
      namespace: "ns",
      job: withRv(job(), "100"),
      containerName: "claude",
      onLine: () => {},
      hub: shared.hub,
    });
    await until(() => shared.source.connections.length === 3);
    expect(shared.source.latest("jobs")?.query.fieldSelector).toBeUndefined();
    shared.source.send("jobs", "MODIFIED", ended);
    expect((await run).outcome).toMatchObject({ kind: "failed" });
    const perRun = fakeCluster();
    const run2 = runJob(perRun.clients, {
      namespace: "ns",
      job: withRv(job(), "100"),
      containerName: "claude",
      onLine: () => {},
      watch: "per-run",
      hub: perRun.hub,
      backstopIntervalMs: 0,
    });
    await until(() => perRun.source.connections.length === 3);
    expect(perRun.source.latest("jobs")?.query.fieldSelector).toBe("metadata.name=run-1");
    expect(perRun.hub.open).toEqual([]);
    perRun.source.send("jobs", "MODIFIED", ended);
    expect((await run2).outcome).toMatchObject({ kind: "failed" });
  });
});
