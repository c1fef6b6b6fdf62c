import { ApiException, type V1Job, type V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { deleteJobAndSecrets } from "./cleanup.js";
import type { KubeClients } from "./clients.js";
import {
  type CreateOrAdoptJobOptions,
  createOrAdoptJob,
  type JobLaunchEvent,
  listJobs,
} from "./job-launch.js";

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
  secrets: V1Secret[];
  deletedSecrets: string[];
}

interface FakeOptions {
  listFails?: boolean;
  secretFails?: boolean;
  secretsExist?: boolean;
  podStarted?: boolean;
}

/** A fake API boundary: the Job name is taken by `existing` (if any) until it is deleted. */
function fakeClients(existing: V1Job | undefined, options: FakeOptions = {}) {
  const calls: Calls = { created: [], patched: [], deleted: [], secrets: [], deletedSecrets: [] };
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
    createNamespacedSecret: async ({ body }: { body: V1Secret }) => {
      if (options.secretFails) throw status(422, "Invalid");
      calls.secrets.push(body);
      return body;
    },
    deleteNamespacedSecret: async ({ name }: { name: string }) => {
      calls.deletedSecrets.push(name);
      if (name === "gone") throw status(404, "NotFound");
      if (name === "locked") throw status(403, "Forbidden");
      return {};
    },
    readNamespacedSecret: async () => {
      if (options.secretsExist === false) throw status(404, "NotFound");
      return {};
    },
    listNamespacedPod: async () => ({
      items: options.podStarted ? [{ status: { containerStatuses: [{ state: { running: {} } }] } }] : [],
    }),
  };
  return { clients: { batch, core } as unknown as KubeClients, calls };
}

const desired: V1Job = {
  metadata: { name: "slot-job", labels: { work: "t1", run: "run-new" } },
  spec: {
    template: {
      spec: {
        containers: [],
        volumes: [{ name: "run", projected: { sources: [{ secret: { name: "slot-job" } }] } }],
      },
    },
  },
};
const secret: V1Secret = { metadata: { name: "slot-job" }, stringData: { prompt: "hi" } };

function live(work: string, over: Partial<NonNullable<V1Job["metadata"]>> = {}): V1Job {
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      labels: { work, run: "run-old" },
      uid: "old-uid",
      creationTimestamp: new Date(),
      ...over,
    },
    status: { active: 1 },
  };
}

function launch(
  clients: KubeClients,
  existing: V1Job[],
  events: JobLaunchEvent[] = [],
  over: Partial<CreateOrAdoptJobOptions> = {},
) {
  return createOrAdoptJob(clients, "agents", {
    job: desired,
    secrets: [secret],
    existing,
    isSameWork: (j) => j.metadata?.labels?.work === "t1",
    adoption: { labels: { run: "run-new" }, annotations: { "paperclip.ai/run-id": "run-new" } },
    onEvent: (e) => void events.push(e),
    ...over,
  });
}

describe("createOrAdoptJob", () => {
  it("creates the Job, then its Secret owned by it", async () => {
    const { clients, calls } = fakeClients(undefined);
    const events: JobLaunchEvent[] = [];
    const launched = await launch(clients, [], events);
    expect(launched).toMatchObject({ outcome: "created", secretNames: ["slot-job"] });
    expect(calls.created).toHaveLength(1);
    expect(calls.secrets[0]?.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Job", name: "slot-job", uid: "new-uid", apiVersion: "batch/v1" }),
    ]);
    expect(events.map((e) => e.type)).toEqual(["created"]);
  });

  it("adopts a live Job of the same work, verifying its uid in the patch", async () => {
    const { clients, calls } = fakeClients(live("t1"));
    const launched = await launch(clients, await listJobs(clients, "agents", "work"));
    expect(launched).toMatchObject({ outcome: "adopted", secretNames: ["slot-job"] });
    expect(calls.created).toEqual([]);
    expect(calls.patched[0]).toEqual([
      { op: "test", path: "/metadata/uid", value: "old-uid" },
      { op: "replace", path: "/metadata/labels/run", value: "run-new" },
      { op: "add", path: "/metadata/annotations/paperclip.ai~1run-id", value: "run-new" },
    ]);
  });

  it("blocks on a live Job of other work, and on one still terminating", async () => {
    for (const job of [live("t2"), live("t1", { deletionTimestamp: new Date() })]) {
      const { clients, calls } = fakeClients(job);
      expect(await launch(clients, [job])).toEqual({ outcome: "blocked", jobs: [job] });
      expect(calls.created).toEqual([]);
      expect(calls.deleted).toEqual([]);
    }
  });

  it("decides a create race (409) from what holds the name: other work blocks, same work is adopted", async () => {
    const rival = live("t2");
    // The list said the slot was free; a rival created its Job before us.
    expect(await launch(fakeClients(rival).clients, [])).toEqual({ outcome: "blocked", jobs: [rival] });
    expect((await launch(fakeClients(live("t1")).clients, [])).outcome).toBe("adopted");
  });

  it("removes a finished Job holding the name (waits until gone) before creating", async () => {
    const finished: V1Job = { ...live("t1"), status: { conditions: [{ type: "Complete", status: "True" }] } };
    const { clients, calls } = fakeClients(finished);
    const events: JobLaunchEvent[] = [];
    const launched = await launch(clients, [finished], events);
    expect(calls.deleted).toEqual(["slot-job"]);
    expect(launched.outcome).toBe("created");
    expect(calls.created).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(["removed", "created"]);
  });

  it("replaces an old same-work Job lacking its Secret that never started; adopts it once it ran", async () => {
    const old = live("t1", { creationTimestamp: new Date(Date.now() - 60_000) });
    const halfCreated = fakeClients(old, { secretsExist: false });
    const events: JobLaunchEvent[] = [];
    expect((await launch(halfCreated.clients, [old], events)).outcome).toBe("created");
    expect(events[0]).toMatchObject({ type: "replacing", missingSecret: "slot-job" });
    const ran = fakeClients(old, { secretsExist: false, podStarted: true });
    expect((await launch(ran.clients, [old])).outcome).toBe("adopted");
    // A young one may be between its creation and its Secret's: adopted without looking.
    const young = fakeClients(live("t1"), { secretsExist: false });
    expect((await launch(young.clients, [live("t1")])).outcome).toBe("adopted");
  });

  it("deletes the new Job again when its Secret cannot be created", async () => {
    const { clients, calls } = fakeClients(undefined, { secretFails: true });
    await expect(launch(clients, [])).rejects.toMatchObject({
      code: "k8s_secret_create_failed",
      message: expect.stringContaining("create Secret slot-job failed: 422 Invalid"),
    });
    expect(calls.deleted).toEqual(["slot-job"]);
  });

  it("listJobs fails closed with the server's status", async () => {
    const { clients } = fakeClients(undefined, { listFails: true });
    await expect(listJobs(clients, "agents", "a=b")).rejects.toMatchObject({
      code: "k8s_api_error",
      api: { status: 403 },
    });
  });
});

describe("deleteJobAndSecrets", () => {
  it("deletes Secrets first, then the Job; a gone Secret is fine, a refused one is reported", async () => {
    const { clients, calls } = fakeClients(live("t1"));
    const failures = await deleteJobAndSecrets(clients, {
      namespace: "agents",
      name: "slot-job",
      uid: "old-uid",
      secretNames: ["gone", "locked", "slot-job"],
    });
    expect(calls.deletedSecrets).toEqual(["gone", "locked", "slot-job"]);
    expect(calls.deleted).toEqual(["slot-job"]);
    expect(failures).toEqual([
      expect.objectContaining({
        kind: "Secret",
        name: "locked",
        error: expect.objectContaining({ api: expect.objectContaining({ status: 403 }) }),
      }),
    ]);
  });
});
