import { ApiException, type V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ClusterContext } from "./cluster.js";
import { parseConfig } from "./config.js";
import { ClaudeK8sError } from "./errors.js";
import { launchOrAdopt, listSlotJobs } from "./launch.js";
import type { RunPlan } from "./prepare.js";
import { prepareRun } from "./prepare.js";
import { RunLog } from "./run-log.js";

const status = (code: number, reason: string) =>
  new ApiException(
    code,
    `HTTP-Code: ${code}`,
    JSON.stringify({ kind: "Status", code, reason, message: reason }),
    {},
  );

interface Calls {
  created: V1Job[];
  patched: unknown[];
  deleted: string[];
  secrets: string[];
}

/** A fake API boundary: the Job name is taken by `existing` (if any) until it is deleted. */
function fakeCluster(
  existing: V1Job | undefined,
  options: { listFails?: boolean } = {},
): { cluster: ClusterContext; calls: Calls } {
  const calls: Calls = { created: [], patched: [], deleted: [], secrets: [] };
  let current = existing;
  const batch = {
    listNamespacedJob: async () => {
      if (options.listFails) throw status(403, "Forbidden");
      return { items: current ? [current] : [] };
    },
    createNamespacedJob: async ({ body }: { body: V1Job }) => {
      if (current) throw status(409, "AlreadyExists");
      const job = { ...body, metadata: { ...body.metadata, uid: "new-uid", creationTimestamp: new Date() } };
      calls.created.push(job);
      current = job;
      return job;
    },
    readNamespacedJob: async () => {
      if (!current) throw status(404, "NotFound");
      return current;
    },
    patchNamespacedJob: async ({ body }: { body: unknown }) => {
      calls.patched.push(body);
      return current;
    },
    deleteNamespacedJob: async ({ name }: { name: string }) => {
      calls.deleted.push(name);
      current = undefined;
      return {};
    },
  };
  const core = {
    createNamespacedSecret: async ({ body }: { body: { metadata: { name: string } } }) => {
      calls.secrets.push(body.metadata.name);
      return body;
    },
    readNamespacedSecret: async () => ({}),
    listNamespacedPod: async () => ({ items: [] }),
  };
  const cluster = {
    clients: { batch, core } as unknown as ClusterContext["clients"],
    namespace: "agents",
    ownPod: { info: undefined, reason: "test" },
  } as ClusterContext;
  return { cluster, calls };
}

async function planFor(taskKey: string | null, runId = "run-new"): Promise<RunPlan> {
  const config = parseConfig({ image: "claude:1", workspaceMode: "emptyDir" });
  const { cluster } = fakeCluster(undefined);
  return prepareRun(
    {
      runId,
      agent: { id: "agent-1", companyId: "co", name: "A", adapterType: "claude_k8s", adapterConfig: {} },
      runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey },
      config: {},
      context: {},
      onLog: async () => {},
    },
    config,
    cluster,
    { serverEnv: {}, readText: async () => Buffer.alloc(0) },
  );
}

function liveJobOf(plan: RunPlan, over: Partial<V1Job["metadata"]> = {}): V1Job {
  return {
    ...plan.job,
    metadata: { ...plan.job.metadata, uid: "old-uid", creationTimestamp: new Date(), ...over },
    status: { active: 1 },
  };
}

const log = new RunLog(async () => {});

describe("launchOrAdopt", () => {
  it("creates the Job, then its Secret owned by it", async () => {
    const plan = await planFor("t1");
    const { cluster, calls } = fakeCluster(undefined);
    const launched = await launchOrAdopt(cluster, plan, [], log);
    expect(launched).toMatchObject({ adopted: false, secretNames: [plan.identity.jobName] });
    expect(calls.created).toHaveLength(1);
    expect(calls.secrets).toEqual([plan.identity.jobName]);
  });

  it("adopts a live Job of the same work, verifying its uid in the patch", async () => {
    const old = await planFor("t1", "run-old");
    const plan = await planFor("t1");
    const { cluster, calls } = fakeCluster(liveJobOf(old));
    const launched = await launchOrAdopt(cluster, plan, await listSlotJobs(cluster, plan), log);
    expect(launched.adopted).toBe(true);
    expect(calls.created).toEqual([]);
    expect(calls.patched[0]).toEqual(
      expect.arrayContaining([
        { op: "test", path: "/metadata/uid", value: "old-uid" },
        { op: "replace", path: "/metadata/labels/paperclip.ai~1run-id", value: "run-new" },
      ]),
    );
  });

  it("blocks on a live Job of other work, and on one still terminating", async () => {
    const other = await planFor("t2", "run-other");
    const plan = await planFor("t1");
    for (const job of [
      liveJobOf(other),
      liveJobOf(await planFor("t1", "run-old"), { deletionTimestamp: new Date() }),
    ]) {
      const { cluster, calls } = fakeCluster(job);
      await expect(launchOrAdopt(cluster, plan, [job], log)).rejects.toMatchObject({
        code: "k8s_concurrent_run_blocked",
      });
      expect(calls.created).toEqual([]);
      expect(calls.deleted).toEqual([]);
    }
  });

  it("decides a create race (409) from what holds the name: other work blocks, same work is adopted", async () => {
    const plan = await planFor("t1");
    const rival = liveJobOf(await planFor("t2", "run-rival"));
    const lostRace = fakeCluster(rival);
    // The list said the slot was free; a rival created its Job before us.
    await expect(launchOrAdopt(lostRace.cluster, plan, [], log)).rejects.toMatchObject({
      code: "k8s_concurrent_run_blocked",
    });
    const twin = fakeCluster(liveJobOf(await planFor("t1", "run-old")));
    expect((await launchOrAdopt(twin.cluster, plan, [], log)).adopted).toBe(true);
  });

  it("removes a finished Job holding the slot's name before creating", async () => {
    const plan = await planFor("t1");
    const finished: V1Job = {
      ...liveJobOf(await planFor("t1", "run-old")),
      status: { conditions: [{ type: "Complete", status: "True" }] },
    };
    const { cluster, calls } = fakeCluster(finished);
    const launched = await launchOrAdopt(cluster, plan, [finished], log);
    expect(calls.deleted).toEqual([plan.identity.jobName]);
    expect(launched.adopted).toBe(false);
    expect(calls.created).toHaveLength(1);
  });

  it("fails closed when the slot cannot be listed", async () => {
    const plan = await planFor("t1");
    const { cluster } = fakeCluster(undefined, { listFails: true });
    const error = await listSlotJobs(cluster, plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClaudeK8sError);
    expect(error).toMatchObject({ code: "k8s_concurrency_check_failed" });
    expect((error as Error).message).toContain("403");
  });
});
