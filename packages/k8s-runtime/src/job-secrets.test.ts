import { ApiException, type V1Job, type V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { KubeClients } from "./clients.js";
import { deleteOwnedJobSecrets } from "./job-secrets.js";

const status = (code: number, reason: string) =>
  new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify({ code, reason }), {});

/** An in-memory Secret API with the server's uid precondition on delete. */
function fakeSecrets(initial: V1Secret[]) {
  const store = new Map(initial.map((s) => [s.metadata?.name ?? "", s]));
  const deletes: string[] = [];
  const core = {
    readNamespacedSecret: async ({ name }: { name: string }) => {
      const secret = store.get(name);
      if (!secret) throw status(404, "NotFound");
      return structuredClone(secret);
    },
    deleteNamespacedSecret: async ({
      name,
      body,
    }: {
      name: string;
      body?: { preconditions?: { uid?: string } };
    }) => {
      const secret = store.get(name);
      if (!secret) throw status(404, "NotFound");
      const uid = body?.preconditions?.uid;
      if (uid !== undefined && uid !== secret.metadata?.uid) throw status(409, "Conflict");
      store.delete(name);
      deletes.push(name);
      return {};
    },
  };
  return { clients: { core } as unknown as KubeClients, store, deletes };
}

const job = (uid: string, secrets: string[]): V1Job => ({
  metadata: { name: "claude-slot", uid },
  spec: {
    template: {
      spec: {
        containers: [],
        volumes: [{ name: "run", projected: { sources: secrets.map((name) => ({ secret: { name } })) } }],
      },
    },
  },
});

const secret = (name: string, uid: string, ownerUid: string | undefined): V1Secret => ({
  metadata: {
    name,
    uid,
    ...(ownerUid
      ? { ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: "claude-slot", uid: ownerUid }] }
      : {}),
  },
});

describe("deleteOwnedJobSecrets", () => {
  it("deletes the Secrets the Job owns and keeps a successor's same-named Secret", async () => {
    const { clients, store, deletes } = fakeSecrets([
      secret("claude-slot", "s1", "job-old"),
      secret("claude-slot-env", "s2", "job-new"), // the slot's name reused: a successor's Secret
      secret("claude-slot-unowned", "s3", undefined),
    ]);
    const out = await deleteOwnedJobSecrets(
      clients,
      "ns",
      job("job-old", ["claude-slot", "claude-slot-env", "claude-slot-unowned", "claude-slot-gone"]),
    );
    expect(out.deleted).toEqual(["claude-slot"]);
    expect(out.skipped).toEqual(["claude-slot-env", "claude-slot-unowned", "claude-slot-gone"]);
    expect(out.failures).toEqual([]);
    expect(deletes).toEqual(["claude-slot"]);
    expect([...store.keys()]).toEqual(["claude-slot-env", "claude-slot-unowned"]);
  });

  it("a Secret replaced between the read and the delete is left alone (uid precondition)", async () => {
    const fake = fakeSecrets([secret("claude-slot", "s1", "job-old")]);
    const read = fake.clients.core.readNamespacedSecret.bind(fake.clients.core);
    (fake.clients.core as { readNamespacedSecret: unknown }).readNamespacedSecret = async (args: {
      name: string;
    }) => {
      const seen = await read(args as never);
      // A successor recreated the name after our read, owned (by mistake or reuse) by the same Job uid.
      fake.store.set("claude-slot", secret("claude-slot", "s9", "job-old"));
      return seen;
    };
    const out = await deleteOwnedJobSecrets(fake.clients, "ns", job("job-old", ["claude-slot"]));
    expect(out.deleted).toEqual([]);
    expect(out.skipped).toEqual(["claude-slot"]);
    expect(fake.store.get("claude-slot")?.metadata?.uid).toBe("s9");
  });

  it("reports a failure other than gone or conflict", async () => {
    const fake = fakeSecrets([secret("claude-slot", "s1", "job-old")]);
    (fake.clients.core as { deleteNamespacedSecret: unknown }).deleteNamespacedSecret = async () => {
      throw status(403, "Forbidden");
    };
    const out = await deleteOwnedJobSecrets(fake.clients, "ns", job("job-old", ["claude-slot"]));
    expect(out.failures.map((f) => [f.kind, f.name, f.error.api?.status])).toEqual([
      ["Secret", "claude-slot", 403],
    ]);
  });
});
